"""The rates file of ``set-rates``: every row checked first, a bad one named by its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients.cli._rates import RatesFileError, read_rates


def test_reads_rows_by_header_name(tmp_path: Path) -> None:
    """Columns are found by name in any order; others ignored; blank lines and a BOM are fine."""
    path = tmp_path / "rates.csv"
    path.write_text("\ufeffname,Amount,User_ID\nAda,12550,u1\n\n Bob , 0 , u2 \n", encoding="utf-8")
    assert read_rates(path) == {"u1": 12550, "u2": 0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user_id,amount\nu1,1\nu2,12.5\n", "line 3: amount must be a whole number"),
        ("user_id,amount\nu1,-5\n", "line 2: amount must be a whole number"),
        ("user_id,amount\nu1,1 000\n", "line 2:"),
        ("user_id,amount\nu1,١٢\n", "line 2:"),  # Arabic-Indic digits: int() takes them
        ("user_id,amount\nu1,\n", "line 2:"),
        ("user_id,amount\nu1\n", "line 2: expected a user_id and an amount"),
        ("user_id,amount\n,5\n", "line 2: user_id is empty"),
        ("user_id,amount\nu1,5\nu1,6\n", "line 3: user_id 'u1' is already on line 2"),
        ("user,cents\nu1,5\n", "line 1: the header row must name user_id and amount"),
        ("", "empty"),
        ("user_id,amount\n\n", "no rows"),
        ('user_id,amount\n"u1,5\n', "line"),  # an unterminated quote
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    """Each kind of bad row is refused with its line number and what is wrong."""
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RatesFileError, match=message.replace("(", r"\(")):
        read_rates(path)


def test_unreadable_files(tmp_path: Path) -> None:
    """A missing file and a file that is not UTF-8 are refused with the file's name."""
    with pytest.raises(RatesFileError, match="no such file"):
        read_rates(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"user_id,amount\n\xe9,5\n")
    with pytest.raises(RatesFileError, match="not UTF-8"):
        read_rates(latin)


@given(
    st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=24),
        st.integers(min_value=0, max_value=10**12),
        min_size=1,
        max_size=30,
    )
)
def test_rows_round_trip(rates: dict[str, int]) -> None:
    """Whatever ids and amounts are written, the same mapping is read back."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rates.csv"
        body = "".join(f"{user},{amount}\n" for user, amount in rates.items())
        path.write_text("user_id,amount\n" + body, encoding="utf-8")
        assert read_rates(path) == rates

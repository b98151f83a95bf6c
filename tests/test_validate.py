"""Shared argument checks: each names the argument and the rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import _validate as v
from timeclients._convert import TolerantEnum
from timeclients.errors import ValidationError


class Kind(TolerantEnum):
    A = "A"
    B = "B"


@pytest.mark.parametrize("bad", ["", "   ", 5, None, b"id"])
def test_check_id_refuses(bad: object) -> None:
    """Ids are non-empty strings."""
    with pytest.raises(ValidationError) as info:
        v.check_id("user_id", bad)
    assert info.value.argument == "user_id"


def test_check_ids_refuses_bare_string() -> None:
    """A bare string is not a list of ids (it would iterate characters)."""
    with pytest.raises(ValidationError):
        v.check_ids("user_ids", "abc")
    with pytest.raises(ValidationError) as info:
        v.check_ids("user_ids", ["a", ""])
    assert info.value.argument == "user_ids[1]"


@given(st.integers(min_value=0))
def test_non_negative_ints_pass(n: int) -> None:
    """Every integer >= 0 is a valid amount."""
    assert v.check_non_negative_int("amount", n) == n


@pytest.mark.parametrize("bad", [-1, 1.5, 2.0, True, "5", None])
def test_amount_refuses(bad: object) -> None:
    """Negative, fractional, boolean and string amounts are refused."""
    with pytest.raises(ValidationError, match="amount"):
        v.check_non_negative_int("amount", bad)


@pytest.mark.parametrize("email", ["john@example.com", "a.b+c@sub.example.co", "ü@exämple.de"])
def test_plausible_emails(email: str) -> None:
    """Ordinary addresses pass."""
    assert v.check_email("email", email) == email


@pytest.mark.parametrize(
    "email",
    [
        "",
        "john",
        "john@",
        "@example.com",
        "john@example",
        "jo hn@example.com",
        "a@b@c.com",
        "john@example.com\r\n",
        5,
    ],
)
def test_implausible_emails(email: object) -> None:
    """Typos and header-injection attempts are refused."""
    with pytest.raises(ValidationError):
        v.check_email("email", email)


def test_text_bounds() -> None:
    """Length bounds are inclusive."""
    assert v.check_text("name", "x" * 50, max_len=50)
    with pytest.raises(ValidationError, match="1-50"):
        v.check_text("name", "x" * 51, max_len=50)
    with pytest.raises(ValidationError):
        v.check_text("name", "", max_len=50)


def test_enum_input_must_be_documented() -> None:
    """Input accepts members or their strings, never an undocumented value."""
    assert v.check_enum("kind", "A", Kind) is Kind.A
    assert v.check_enum("kind", Kind.B, Kind) is Kind.B
    with pytest.raises(ValidationError):
        v.check_enum("kind", "C", Kind)
    with pytest.raises(ValidationError):
        v.check_enum("kind", Kind("C"), Kind)
    with pytest.raises(ValidationError):
        v.check_enums("kinds", "A", Kind)


def test_aware_datetimes_only() -> None:
    """Naive datetimes are refused; aware ones format as UTC with Z."""
    with pytest.raises(ValidationError, match="timezone-aware"):
        v.require_aware("since", datetime(2020, 1, 1))
    plus_two = timezone(timedelta(hours=2))
    since = v.require_aware("since", datetime(2020, 1, 1, 2, tzinfo=plus_two))
    assert v.format_utc(since) == "2020-01-01T00:00:00Z"
    assert v.format_utc(datetime(2020, 1, 1, 0, 0, 0, 5, tzinfo=timezone.utc)) == (
        "2020-01-01T00:00:00.000005Z"
    )


@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_format_utc_roundtrips(value: datetime) -> None:
    """format_utc gives a Z string that parses back to the same instant."""
    text = v.format_utc(value)
    assert text.endswith("Z")
    # Compare instants: Python calls ambiguous (DST fold) times unequal across zones.
    assert datetime.fromisoformat(text[:-1] + "+00:00").timestamp() == value.timestamp()


def test_int_range() -> None:
    """Inclusive integer ranges, bools refused."""
    assert v.check_int_range("beginning_of_week", 6, 0, 6) == 6
    for bad in (7, -1, True, 1.0):
        with pytest.raises(ValidationError):
            v.check_int_range("beginning_of_week", bad, 0, 6)

"""The rates file of ``timeclients clockify set-rates``: read and check every row first."""

from __future__ import annotations

import csv
import re
from pathlib import Path

__all__ = ["RatesFileError", "read_rates"]

# An amount is a whole number of minor units, in ASCII digits: no sign, no decimal point, no
# thousands separator ("12.5", "-5", "1,000" and "١٢" are all refused, with their line).
_AMOUNT = re.compile(r"[0-9]+")
_REQUIRED = ("user_id", "amount")


class RatesFileError(ValueError):
    """The file cannot be used; the message names the file or the line and says why."""


def read_rates(path: Path) -> dict[str, int]:
    """``user_id -> amount`` from a CSV file with a header row naming both columns.

    Other columns are ignored, blank lines skipped, a UTF-8 byte-order mark (Excel) allowed.
    Every row is checked before anything is returned: the first bad one raises
    :class:`RatesFileError` with ``line N: ...``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RatesFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise RatesFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the sheet as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise RatesFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    reader = csv.reader(text.splitlines(keepends=True))
    rates: dict[str, int] = {}
    first_line: dict[str, int] = {}
    columns: tuple[int, int] | None = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _header(path, row, line)
                continue
            user_id, amount = _row(row, columns, line)
            if user_id in first_line:
                raise RatesFileError(
                    f"line {line}: user_id {user_id!r} is already on line {first_line[user_id]}"
                )
            first_line[user_id] = line
            rates[user_id] = amount
    except csv.Error as exc:
        raise RatesFileError(f"line {reader.line_num}: not valid CSV ({exc})") from None
    if columns is None:
        raise RatesFileError(f"{path}: empty; expected a header row naming user_id and amount")
    if not rates:
        raise RatesFileError(f"{path}: no rows after the header")
    return rates


def _header(path: Path, row: list[str], line: int) -> tuple[int, int]:
    names = [cell.strip().lower() for cell in row]
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise RatesFileError(
            f"line {line}: the header row must name user_id and amount "
            f"(missing: {', '.join(missing)}; found: {', '.join(repr(c) for c in row)})"
        )
    return names.index("user_id"), names.index("amount")


def _row(row: list[str], columns: tuple[int, int], line: int) -> tuple[str, int]:
    id_column, amount_column = columns
    if len(row) <= max(columns):
        raise RatesFileError(f"line {line}: expected a user_id and an amount, got {row!r}")
    user_id = row[id_column].strip()
    if not user_id:
        raise RatesFileError(f"line {line}: user_id is empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in user_id):
        raise RatesFileError(f"line {line}: user_id {user_id!r} holds a control character")
    text = row[amount_column].strip()
    if not _AMOUNT.fullmatch(text):
        raise RatesFileError(
            f"line {line}: amount must be a whole number of minor units >= 0 "
            f"(12550 for 125.50), got {text!r}"
        )
    return user_id, int(text)

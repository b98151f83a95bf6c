"""Argument checks shared by the adapters: each raises ``ValidationError`` before any send."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TypeVar

from ._decode import TolerantEnum
from .errors import ValidationError

__all__ = [
    "check_bool",
    "check_email",
    "check_encodable",
    "check_enum",
    "check_enums",
    "check_id",
    "check_ids",
    "check_int_range",
    "check_min_int",
    "check_non_negative_int",
    "check_text",
    "check_text_field",
    "format_utc",
    "require_aware",
]

E = TypeVar("E", bound=TolerantEnum)

# Deliberately plausible rather than RFC 5322-complete: one @, a dotted domain, no spaces or
# control characters. The vendor has the last word; this catches typos before a round trip.
# Always used with ``fullmatch``: ``$`` would let a trailing newline through.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f.]+(\.[^@\s\x00-\x1f\x7f.]+)+")
# C0 controls (NUL, CR, LF, TAB...), DEL and the C1 controls: never part of a name or a note.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_encodable(name: str, value: str) -> str:
    """A string that can be sent: valid Unicode (no lone surrogate such as ``'\\ud800'``).

    Python strings may hold lone surrogates (from ``surrogateescape`` decoding, or JSON
    escapes); they have no UTF-8 form, so a URL or header holding one fails only when sent.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            name, f"holds a lone surrogate at position {exc.start} (not valid Unicode text)"
        ) from None
    return value


def check_id(name: str, value: object) -> str:
    """A non-empty string id (any characters: the transport percent-encodes it)."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string id, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(name, "must be a non-empty id")
    return check_encodable(name, value)


def check_ids(name: str, values: Iterable[object]) -> tuple[str, ...]:
    """Every element a non-empty string id; a bare string is refused (it would iterate chars)."""
    if isinstance(values, (str, bytes)):
        raise ValidationError(name, "must be a sequence of ids, not a single string")
    return tuple(check_id(f"{name}[{i}]", v) for i, v in enumerate(values))


def check_text(name: str, value: object, *, min_len: int = 1, max_len: int | None = None) -> str:
    """A string of ``min_len`` to ``max_len`` characters."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string, got {type(value).__name__}")
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        bound = f"{min_len}-{max_len}" if max_len is not None else f"at least {min_len}"
        raise ValidationError(name, f"must be {bound} characters long, got {len(value)}")
    return check_encodable(name, value)


def check_text_field(
    name: str, value: object, *, min_len: int = 1, max_len: int | None = None
) -> str:
    """A name or free-text field: :func:`check_text`, not blank, and no control character.

    ``'   '`` and ``'\\x00\\x00\\x00'`` are not names: a vendor stores them as given and the
    user can no longer tell the record apart (or, with a NUL, read it back at all).
    """
    text = check_text(name, value, min_len=min_len, max_len=max_len)
    if not text.strip():
        raise ValidationError(name, "must not be blank")
    found = _CONTROL.search(text)
    if found is not None:
        raise ValidationError(
            name, f"must not hold control characters (found {found.group()!r} at {found.start()})"
        )
    return text


def check_bool(name: str, value: object) -> bool:
    """A real ``bool`` (not ``0``/``1`` or ``"true"``)."""
    if not isinstance(value, bool):
        raise ValidationError(name, f"must be a bool, got {type(value).__name__}")
    return value


def check_min_int(name: str, value: object, minimum: int) -> int:
    """An integer >= ``minimum`` (a bool or a float is refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"must be an integer >= {minimum}, got {type(value).__name__}")
    if value < minimum:
        raise ValidationError(name, f"must be an integer >= {minimum}, got {value}")
    return value


def check_non_negative_int(name: str, value: object) -> int:
    """An integer >= 0 (a bool or a float is refused: amounts are minor units)."""
    return check_min_int(name, value, 0)


def check_int_range(name: str, value: object, low: int, high: int) -> int:
    """An integer in ``low..high`` inclusive."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"must be an integer {low}-{high}, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValidationError(name, f"must be an integer {low}-{high}, got {value}")
    return value


def check_email(name: str, value: object) -> str:
    """A plausible e-mail address: ``local@domain.tld``, no spaces, at most 254 characters."""
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.fullmatch(value):
        shown = value if isinstance(value, str) and len(value) <= 80 else "<value>"
        if isinstance(value, str) and not _encodable(value):
            shown = "<not valid Unicode text>"
        raise ValidationError(name, f"must be a valid e-mail address, got {shown!r}")
    return check_encodable(name, value)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_enum(name: str, value: object, cls: type[E]) -> E:
    """A documented member of ``cls``, given as the member or its string value."""
    if isinstance(value, cls) and value.known:
        return value
    if isinstance(value, str) and cls.is_documented(value):
        return cls(value)
    allowed = ", ".join(m.value for m in cls)
    raise ValidationError(name, f"must be one of {allowed}; got {value!r}")


def check_enums(name: str, values: Iterable[object], cls: type[E]) -> tuple[E, ...]:
    """Each element a documented member of ``cls``; a bare string is refused."""
    if isinstance(values, (str, bytes)):
        raise ValidationError(name, f"must be a sequence of {cls.__name__} values, not a string")
    return tuple(check_enum(f"{name}[{i}]", v, cls) for i, v in enumerate(values))


def require_aware(name: str, value: object) -> datetime:
    """A timezone-aware ``datetime``; a naive one is ambiguous and refused."""
    if not isinstance(value, datetime):
        raise ValidationError(name, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(name, "must be timezone-aware (e.g. datetime(..., tzinfo=UTC))")
    return value


def format_utc(value: datetime) -> str:
    """ISO-8601 in UTC with ``Z``: ``2020-01-01T00:00:00Z`` (microseconds kept when present)."""
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds" if utc.microsecond == 0 else "microseconds") + "Z"

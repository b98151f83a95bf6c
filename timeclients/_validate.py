"""Argument checks shared by the adapters: each raises ``ValidationError`` before any send."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TypeVar

from ._convert import TolerantEnum
from .errors import ValidationError

__all__ = [
    "check_bool",
    "check_email",
    "check_enum",
    "check_enums",
    "check_id",
    "check_ids",
    "check_int_range",
    "check_min_int",
    "check_non_negative_int",
    "check_text",
    "format_utc",
    "require_aware",
]

E = TypeVar("E", bound=TolerantEnum)

# Deliberately plausible rather than RFC 5322-complete: one @, a dotted domain, no spaces or
# control characters. The vendor has the last word; this catches typos before a round trip.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f.]+(\.[^@\s\x00-\x1f\x7f.]+)+$")


def check_id(name: str, value: object) -> str:
    """A non-empty string id (any characters: the transport percent-encodes it)."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string id, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(name, "must be a non-empty id")
    return value


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
    return value


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
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
        shown = value if isinstance(value, str) and len(value) <= 80 else "<value>"
        raise ValidationError(name, f"must be a valid e-mail address, got {shown!r}")
    return value


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

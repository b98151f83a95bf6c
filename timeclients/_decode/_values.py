"""What one JSON value becomes: JSON names, aware datetimes, tolerant enums, exact scalars.

The scalar hooks are exact: an integer field refuses fractions, booleans, ``NaN`` and
infinities instead of truncating, and a string field (ids) refuses floats.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Final

__all__ = [
    "PASS_THROUGH",
    "SCALAR_HOOKS",
    "Naming",
    "TolerantEnum",
    "camel_case",
    "parse_aware_datetime",
    "snake_case",
    "structure_bool",
    "structure_float",
    "structure_int",
    "structure_str",
    "structure_tolerant_enum",
    "unix_or_iso",
]

#: Maps an attribute name to its JSON key.
Naming = Callable[[str], str]


def camel_case(name: str) -> str:
    """``user_first_name`` -> ``userFirstName``; a trailing ``_`` (``from_``) is dropped."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_case(name: str) -> str:
    """Python names as JSON names, but for a trailing ``_`` (``from_`` -> ``from``)."""
    return name.rstrip("_")


class TolerantEnum(str, enum.Enum):
    """A string enum that reads values the vendor adds after the document was written.

    ``Role("NEW_ROLE")`` gives an instance that is not a declared member: ``.value`` is the raw
    string, ``.known`` is False, and it compares equal to that string. Declared members
    behave as usual. Validation of *input* still asks :meth:`is_documented`.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        """True for a value the vendor's document lists."""
        return self._name_ in type(self).__members__

    @classmethod
    def is_documented(cls, value: object) -> bool:
        """True if ``value`` (a member or its string) is one of the documented values."""
        return isinstance(value, str) and value in cls._value2member_map_

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        marker = "" if self.known else " (undocumented)"
        return f"<{type(self).__name__}.{self._name_}: {self.value!r}{marker}>"


def parse_aware_datetime(value: object) -> datetime:
    """ISO-8601 with ``Z`` or an offset, kept as sent; a naive time is an error."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    else:
        raise TypeError(f"expected an ISO-8601 string, got {type(value).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"datetime without a timezone: {value!r}")
    return parsed


def unix_or_iso(value: object) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return parse_aware_datetime(value)


def structure_tolerant_enum(value: Any, cls: type[TolerantEnum]) -> TolerantEnum:
    """Hook: a documented value by one dict lookup, any other string as a tolerant value."""
    # Hot path: a documented value is one dict lookup (Enum's own call costs ~1 µs).
    if type(value) is str:
        member = cls._value2member_map_.get(value)
        if member is not None:
            return member  # type: ignore[return-value]
    if not isinstance(value, str):
        raise TypeError(f"expected a string for {cls.__name__}, got {type(value).__name__}")
    return cls(value)


def structure_str(value: Any, _: Any) -> str:
    """Hook: a string as is; an integer as its text (vendors send some ids as numbers).

    ``null``, booleans, objects and arrays are errors: cattrs' default ``str(value)`` would turn
    them into ``"None"``, ``"True"`` or ``"{...}"`` without a word. So are non-integral numbers:
    an id is never a float, and ``NaN`` must not become the id ``"nan"``.
    """
    if value.__class__ is str:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {_kind(value)}")


#: An integer as text: ASCII digits with an optional sign (``int()`` would also read ``"1_000"``,
#: ``" 7 "`` and other scripts' digits).
_INT_TEXT: Final = re.compile(r"[-+]?[0-9]{1,30}")


def structure_int(value: Any, _: Any) -> int:
    """Hook: an integer as is; an integral float (``15.0``) or a numeric string (``"15"``) as
    its exact value. Never a boolean, and never a fraction, ``NaN`` or an infinity: ``1999.99``
    where an integer belongs is an error, not ``1999``."""
    if value.__class__ is int:
        return value
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, str):
        raise ValueError(f"expected an integer, got the string {value[:40]!r}")
    raise TypeError(f"expected an integer, got {_kind(value)}")


def structure_float(value: Any, _: Any) -> float:
    """Hook: a finite number as a float; a numeric string through ``float()``; never a boolean,
    ``NaN`` or an infinity."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, got {_kind(value)}")
    if isinstance(value, int):
        return float(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r:.40}")
    return number


def structure_bool(value: Any, _: Any) -> bool:
    """Hook: only ``true`` and ``false`` (cattrs' ``bool(value)`` reads ``"false"`` as True)."""
    if value.__class__ is bool:
        return value
    raise TypeError(f"expected a boolean, got {_kind(value)}")


def _kind(value: object) -> str:
    """A JSON value's kind in words, for error messages (``null``, ``a float``, ``an array``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


#: The scalar hooks, by type.
SCALAR_HOOKS: dict[type, Callable[[Any, Any], Any]] = {
    str: structure_str,
    int: structure_int,
    float: structure_float,
    bool: structure_bool,
}
#: The scalars whose every value of exactly that type is valid, so the fast generated code
#: inlines that test and calls the hook only for anything else (a float may be NaN: not here).
PASS_THROUGH: Final = frozenset({str, int, bool})

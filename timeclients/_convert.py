"""Shared cattrs machinery: JSON names, aware datetimes, tolerant enums, and DecodeError.

Each vendor builds its converters with :func:`make_converter` (the cattrs "preconf" pattern:
one ``configure_common`` for all vendors, vendor hooks on top) and wraps them in a
:class:`ModelDecoder`, which keeps two of them:

* **production** — ``detailed_validation=False`` (the fast generated code) and unknown fields
  ignored, because vendors add fields and a client must not break when they do;
* **strict** — detailed validation and ``forbid_extra_keys=True``, switched on by the test
  suite (:func:`set_strict_decoding`) so that drift between our models and the documents
  fails a test instead of passing silently.

Whatever fails, the caller gets a :class:`~timeclients.errors.DecodeError` naming the JSON path
of the field that did not fit: on the rare failure the payload is structured once more with
detailed validation just to find that path.
"""

from __future__ import annotations

import enum
import os
import re
import types
import typing
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .errors import DecodeError

__all__ = [
    "ModelDecoder",
    "TolerantEnum",
    "camel_case",
    "make_converter",
    "parse_aware_datetime",
    "set_strict_decoding",
    "snake_case",
    "strict_decoding",
    "structure_tolerant_enum",
]

T = TypeVar("T")
Naming = Callable[[str], str]

_strict = os.environ.get("TIMECLIENTS_STRICT_DECODING", "") not in ("", "0", "false")


def set_strict_decoding(strict: bool) -> None:
    """Forbid unknown fields and validate in detail (the test suite turns this on)."""
    global _strict
    _strict = bool(strict)


def strict_decoding() -> bool:
    """Whether decoding is strict (see :func:`set_strict_decoding`)."""
    return _strict


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


def _unix_or_iso(value: object) -> datetime:
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


def make_converter(
    *, naming: Naming, strict: bool, unix_datetimes: bool = False
) -> cattrs.Converter:
    """A converter for one vendor's models.

    ``naming`` maps attribute names to JSON keys; ``strict`` turns on detailed validation and
    forbids unknown keys; ``unix_datetimes`` also reads numbers as unix seconds.
    """
    conv = cattrs.Converter(detailed_validation=strict, forbid_extra_keys=strict)
    conv.register_structure_hook(
        datetime, lambda v, _: (_unix_or_iso if unix_datetimes else parse_aware_datetime)(v)
    )
    # Registered on the class (not by predicate): cattrs would otherwise dispatch a TolerantEnum
    # by its ``str`` base to a plain ``cls(value)`` call, Enum's own ~1 µs lookup.
    conv.register_structure_hook(TolerantEnum, structure_tolerant_enum)
    # ``Model | None`` straight to the model's generated hook: cattrs' generic optional hook
    # dispatches again on every call, and optional nested models are the hot shapes
    # (hundreds of optional rates per Clockify workspace).
    conv.register_structure_hook_factory(_is_optional_attrs, lambda t: _optional_hook(conv, t))

    def attrs_hook(cls: type[Any]) -> Callable[[Any, Any], Any]:
        renames: dict[str, Any] = {
            a.name: override(rename=naming(a.name))
            for a in attrs.fields(cls)
            if naming(a.name) != a.name
        }
        return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=strict, **renames)

    conv.register_structure_hook_factory(attrs.has, attrs_hook)
    return conv


def _is_optional_attrs(t: Any) -> bool:
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(t)
    return len(args) == 2 and type(None) in args and any(attrs.has(a) for a in args)


def _optional_hook(conv: cattrs.Converter, t: Any) -> Callable[[Any, Any], Any]:
    inner = next(a for a in typing.get_args(t) if a is not type(None))
    hook = conv.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else hook(value, inner)

    return structure_optional


_PATH_NAME = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


class ModelDecoder:
    """Structures one vendor's JSON into its models; every failure is a ``DecodeError``."""

    __slots__ = ("_configure", "_fast", "_naming", "_strict_conv")

    def __init__(
        self,
        *,
        naming: Naming,
        configure: Callable[[cattrs.Converter], None] | None = None,
        unix_datetimes: bool = False,
    ) -> None:
        self._naming = naming
        self._configure = configure
        self._fast = self._build(strict=False, unix_datetimes=unix_datetimes)
        self._strict_conv = self._build(strict=True, unix_datetimes=unix_datetimes)

    def _build(self, *, strict: bool, unix_datetimes: bool) -> cattrs.Converter:
        conv = make_converter(naming=self._naming, strict=strict, unix_datetimes=unix_datetimes)
        if self._configure is not None:
            self._configure(conv)
        return conv

    @property
    def converter(self) -> cattrs.Converter:
        """The converter in force (strict under the test suite, fast otherwise)."""
        return self._strict_conv if _strict else self._fast

    def structure(self, data: Any, cls: type[T], *, method: str = "", path: str = "") -> T:
        """``data`` as ``cls``, or a :class:`DecodeError` naming the field that did not fit."""
        conv = self._strict_conv if _strict else self._fast
        try:
            return conv.structure(data, cls)
        except Exception as exc:
            raise self._decode_error(data, cls, exc, method=method, path=path) from exc

    def structure_list(
        self, data: Any, cls: type[T], *, method: str = "", path: str = ""
    ) -> list[T]:
        """A JSON array of ``cls``."""
        if not isinstance(data, list):
            where = f"{method} {path}: " if method else ""
            raise DecodeError(
                f"{where}expected a JSON array, got {type(data).__name__}",
                field="$",
                method=method,
                path=path,
            )
        return self.structure(data, list[cls], method=method, path=path)  # type: ignore[valid-type]

    def _decode_error(
        self, data: Any, cls: Any, exc: Exception, *, method: str, path: str
    ) -> DecodeError:
        details: list[str] = []
        detailed = exc
        if not isinstance(exc, cattrs.BaseValidationError):
            try:
                self._strict_conv.structure(data, cls)
            except cattrs.BaseValidationError as again:
                detailed = again
            except Exception as again:  # noqa: BLE001
                detailed = again
        if isinstance(detailed, cattrs.BaseValidationError):
            details = [
                _PATH_NAME.sub(lambda m: "." + self._naming(m.group(1)), line)
                for line in cattrs.transform_error(detailed, path="$")
            ]
            # Unknown keys only matter to the strict test converter; name the real misfit.
            real = [d for d in details if not d.startswith("extra fields")] or details
        else:
            real = [f"{type(detailed).__name__}: {detailed} @ $"]
        first = real[0] if real else f"{type(exc).__name__} @ $"
        field = first.rsplit(" @ ", 1)[1] if " @ " in first else "$"
        name = getattr(cls, "__name__", str(cls))
        where = f"{method} {path}: " if method else ""
        more = f" (and {len(real) - 1} more)" if len(real) > 1 else ""
        return DecodeError(
            f"{where}response does not fit {name}: {first}{more}",
            field=field,
            method=method,
            path=path,
        )

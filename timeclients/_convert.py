"""Shared cattrs machinery: JSON names, aware datetimes, tolerant enums, and DecodeError.

Each vendor builds its converters with :func:`make_converter` (the cattrs "preconf" pattern:
one ``configure_common`` for all vendors, vendor hooks on top) and wraps them in a
:class:`ModelDecoder`, which keeps two of them:

* **production** — ``detailed_validation=False`` (the fast generated code) and unknown fields
  ignored, because vendors add fields and a client must not break when they do;
* **strict** — detailed validation and ``forbid_extra_keys=True``, switched on by the test
  suite (:func:`set_strict_decoding`) so that drift between our models and the documents
  fails a test instead of passing silently. It detects drift; it never demands completeness:
  a field with a default is optional in both modes.

Both modes read the same values the same way. The models are tolerant readers (only ids are
required; ``null`` for a field with a default is that default: ``None``, or ``[]`` for a
collection), and the scalar hooks are exact: an integer field refuses fractions, booleans,
``NaN`` and infinities instead of truncating, and a string field (ids) refuses floats.

Whatever fails, the caller gets a :class:`~timeclients.errors.DecodeError` naming the JSON path
of the field that did not fit: on the rare failure the payload is structured once more with
detailed validation just to find that path. After a write (``PUT``, ``POST``...) the error's
``applied`` is True: the server answered 2xx, the change was made.
"""

from __future__ import annotations

import enum
import itertools
import linecache
import math
import os
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Final, TypeVar

import attrs
import cattrs
import cattrs.cols
from cattrs.gen import make_dict_structure_fn, override

from ._transport._body import WRITE_METHODS
from .errors import DecodeError

__all__ = [
    "ModelDecoder",
    "TolerantEnum",
    "camel_case",
    "make_converter",
    "model_structure_fn",
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
_SCALAR_HOOKS: dict[type, Callable[[Any, Any], Any]] = {
    str: structure_str,
    int: structure_int,
    float: structure_float,
    bool: structure_bool,
}
#: The scalars whose every value of exactly that type is valid, so the fast generated code
#: inlines that test and calls the hook only for anything else (a float may be NaN: not here).
_PASS_THROUGH: Final = frozenset({str, int, bool})


def make_converter(
    *, naming: Naming, strict: bool, unix_datetimes: bool = False
) -> cattrs.Converter:
    """A converter for one vendor's models.

    ``naming`` maps attribute names to JSON keys; ``strict`` turns on detailed validation and
    forbids unknown keys; ``unix_datetimes`` also reads numbers as unix seconds. Both modes
    accept and reject the same values; only the strict one reports every misfit with its path
    (and unknown keys), the production one stops at the first and is several times faster.
    """
    conv = cattrs.Converter(detailed_validation=strict, forbid_extra_keys=strict)
    for scalar, scalar_hook in _SCALAR_HOOKS.items():
        conv.register_structure_hook(scalar, scalar_hook)
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
    # ``list[X]``: a JSON array only (cattrs iterates anything, so a string became a list of
    # characters and an object a list of its keys), then every item through X's hook.
    conv.register_structure_hook_factory(_is_list, lambda t: _list_hook(conv, t))
    conv.register_structure_hook_factory(
        attrs.has, lambda cls: model_structure_fn(conv, cls, naming=naming)
    )
    return conv


def model_structure_fn(
    conv: cattrs.Converter,
    cls: type[Any],
    *,
    naming: Naming,
    hooks: dict[str, Callable[[Any, Any], Any]] | None = None,
    forbid_extra_keys: bool | None = None,
) -> Callable[[Any, Any], Any]:
    """The structure hook of one attrs model for ``conv``, with optional per-field ``hooks``.

    A strict converter (``detailed_validation``) gets cattrs' generated function, which
    reports every misfit with its path; ``forbid_extra_keys`` defaults to the converter's.
    A production converter gets :func:`_fast_model_fn`, which never forbids unknown keys.
    Vendors that need a field-level hook register the result of this function for the model.
    """
    hooks = hooks or {}
    if not conv.detailed_validation:
        fast = _fast_model_fn(conv, cls, naming=naming, hooks=hooks)
        if fast is not None:
            return fast
    forbid = conv.forbid_extra_keys if forbid_extra_keys is None else forbid_extra_keys
    overrides: dict[str, Any] = {}
    for a in attrs.fields(attrs.resolve_types(cls)):
        name = naming(a.name)
        hook = hooks.get(a.name)
        if hook is None and a.default is not attrs.NOTHING and not _unwrap_optional(a.type)[1]:
            # As in the fast code: ``null`` for a field with a default (``[]``) is the default.
            hook = _null_as_default(conv, a, hook)
        if hook is not None:
            overrides[a.name] = override(rename=name, struct_hook=hook)
        elif name != a.name:
            overrides[a.name] = override(rename=name)
    return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=forbid, **overrides)


def _null_as_default(
    conv: cattrs.Converter, a: Any, hook: Callable[[Any, Any], Any] | None
) -> Callable[[Any, Any], Any]:
    """A field hook that reads ``null`` as the field's default and anything else as before."""
    default = a.default
    make = default.factory if isinstance(default, attrs.Factory) else (lambda: default)  # type: ignore[arg-type]
    resolved: list[Callable[[Any, Any], Any]] = [hook] if hook is not None else []

    def structure_or_default(value: Any, t: Any) -> Any:
        if value is None:
            return make()
        if not resolved:  # looked up at the first call: the type's hook may come later
            resolved.append(conv.get_structure_hook(t))
        return resolved[0](value, t)

    return structure_or_default


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


def _is_list(t: Any) -> bool:
    return typing.get_origin(t) is list and len(typing.get_args(t)) == 1


def _list_hook(conv: cattrs.Converter, t: Any) -> Callable[[Any, Any], Any]:
    if conv.detailed_validation:
        # cattrs' own list hook collects every item's error with its index.
        detailed = cattrs.cols.list_structure_factory(t, conv)

        def structure_list_detailed(value: Any, _: Any) -> Any:
            if not isinstance(value, list):
                raise TypeError(f"expected an array, got {type(value).__name__}")
            return detailed(value, t)

        return structure_list_detailed

    item = typing.get_args(t)[0]
    hook = conv.get_structure_hook(item)
    if item in _PASS_THROUGH and _SCALAR_HOOKS.get(item) is hook:
        # An array of strings (ids, feature flags): one type test per item, a copy, no calls.
        def structure_scalars(value: Any, _: Any) -> Any:
            if value.__class__ is not list:
                raise TypeError(f"expected an array, got {type(value).__name__}")
            for element in value:
                if element.__class__ is not item:
                    return [hook(e, item) for e in value]
            return value[:]

        return structure_scalars

    if (
        isinstance(item, type)
        and issubclass(item, TolerantEnum)
        and hook is structure_tolerant_enum
    ):
        # An array of enum values (working days): one dict lookup per documented value.
        members = item._value2member_map_

        def structure_enums(value: Any, _: Any) -> Any:
            if value.__class__ is not list:
                raise TypeError(f"expected an array, got {type(value).__name__}")
            result = []
            for element in value:
                member = members.get(element) if element.__class__ is str else None
                result.append(hook(element, item) if member is None else member)
            return result

        return structure_enums

    def structure_list(value: Any, _: Any) -> Any:
        if value.__class__ is not list:
            raise TypeError(f"expected an array, got {type(value).__name__}")
        return [hook(e, item) for e in value]

    return structure_list


def _fast_model_fn(
    conv: cattrs.Converter,
    cls: type[Any],
    *,
    naming: Naming,
    hooks: dict[str, Callable[[Any, Any], Any]],
) -> Callable[[Any, Any], Any] | None:
    """A generated production hook for a plain frozen slotted attrs model, or None.

    Where cattrs' generated code calls one hook per field, collects the optional ones in a
    dict and calls ``__init__`` with keywords (attrs' frozen ``__init__`` then sets every slot
    through ``object.__setattr__``), this code tests a value's exact type inline for strings,
    numbers, booleans and documented enum values, and fills the new instance's slots through
    their descriptors. Measured on a 600-membership Clockify workspace: 1.1 ms where cattrs'
    ``detailed_validation=False`` code took 2.5 ms (see docs/performance-models.md).

    Only for models whose ``__init__`` does nothing else: no validators, converters,
    ``__attrs_pre_init__``/``__attrs_post_init__``, ``init=False`` or ``takes_self`` fields,
    hidden slots (``cache_hash``); any other model gets cattrs' code (None here).
    """
    if not _plain_slotted(cls):
        return None
    fields = attrs.fields(attrs.resolve_types(cls))
    names: dict[str, Any] = {
        "_cl": cls,
        "_new": object.__new__,
        "_shape": _not_an_object,
    }
    lines = [
        "def structure(o, _=None):",
        "  if o.__class__ is not dict:",
        "    o = _shape(o)",
        "  i = _new(_cl)",
    ]
    for n, a in enumerate(fields):
        key = naming(a.name)
        names[f"_s{n}"] = cls.__dict__[a.name].__set__
        has_default = a.default is not attrs.NOTHING
        # A field hook gets the raw value, null included, as cattrs' ``struct_hook`` does.
        inner, optional = (a.type, False) if a.name in hooks else _unwrap_optional(a.type)
        if has_default and a.default is None and optional:
            lines.append(f"  v = o.get({key!r})")
            lines.append("  if v is not None:")
            lines.extend(
                "  " + line for line in _convert_lines(conv, n, inner, hooks.get(a.name), names)
            )
        elif has_default and not optional and a.name not in hooks:
            # A collection with a default (``[]``): ``null`` reads as absent, the default.
            lines.append(f"  v = o.get({key!r})")
            lines.append("  if v is not None:")
            lines.extend(
                "  " + line for line in _convert_lines(conv, n, a.type, hooks.get(a.name), names)
            )
            lines.append(f"  else:\n    v = {_default_expr(a, n, names)}")
        else:
            if has_default:
                lines.append(f"  if {key!r} in o:")
                indent = "    "
            else:
                indent = "  "
            lines.append(f"{indent}v = o[{key!r}]")
            if optional:
                lines.append(f"{indent}if v is not None:")
                body = _convert_lines(conv, n, inner, hooks.get(a.name), names)
                lines.extend(indent + "  " + line[2:] for line in body)
            else:
                body = _convert_lines(conv, n, a.type, hooks.get(a.name), names)
                lines.extend(indent + line[2:] for line in body)
            if has_default:
                lines.append(f"  else:\n    v = {_default_expr(a, n, names)}")
        lines.append(f"  _s{n}(i, v)")
    lines.append("  return i")
    source = "\n".join(lines) + "\n"
    # One file name per generated function: two decoders may generate different code for a model.
    filename = f"<timeclients structure {cls.__module__}.{cls.__qualname__} #{next(_generated)}>"
    # The generated source is kept in linecache, so tracebacks and profilers show it.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)  # noqa: S102 (our own generated code)
    fn: Callable[[Any, Any], Any] = names["structure"]
    fn.__name__ = fn.__qualname__ = f"structure_{cls.__name__}"
    return fn


_generated = itertools.count(1)


def _default_expr(a: Any, n: int, names: dict[str, Any]) -> str:
    """The generated expression of field ``n``'s default (a factory is called)."""
    if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
        names[f"_d{n}"] = a.default.factory
        return f"_d{n}()"
    names[f"_d{n}"] = a.default
    return f"_d{n}"


def _convert_lines(
    conv: cattrs.Converter,
    n: int,
    t: Any,
    hook: Callable[[Any, Any], Any] | None,
    names: dict[str, Any],
) -> list[str]:
    """Statements (indented two spaces) that turn the raw ``v`` of field ``n`` into ``t``."""
    names[f"_t{n}"] = t
    if hook is not None:
        names[f"_h{n}"] = hook
        return [f"  v = _h{n}(v, _t{n})"]
    hook = conv.get_structure_hook(t)
    names[f"_h{n}"] = hook
    if isinstance(t, type) and t in _PASS_THROUGH and _SCALAR_HOOKS.get(t) is hook:
        # These scalar hooks pass their own type through: test it here and skip the call.
        return [f"  if v.__class__ is not _t{n}:", f"    v = _h{n}(v, _t{n})"]
    if isinstance(t, type) and issubclass(t, TolerantEnum) and hook is structure_tolerant_enum:
        # A documented value is one dict lookup; anything else goes to the hook.
        names[f"_m{n}"] = t._value2member_map_
        return [
            f"  e = _m{n}.get(v) if v.__class__ is str else None",
            f"  v = _h{n}(v, _t{n}) if e is None else e",
        ]
    return [f"  v = _h{n}(v, _t{n})"]


def _unwrap_optional(t: Any) -> tuple[Any, bool]:
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        if len(args) == 2 and type(None) in args:
            return next(a for a in args if a is not type(None)), True
    return t, False


def _plain_slotted(cls: type[Any]) -> bool:
    """Whether filling ``cls``'s slots directly is exactly what its ``__init__`` would do."""
    slots = cls.__dict__.get("__slots__")
    init = cls.__dict__.get("__init__")
    if slots is None or init is None or cls.__mro__[1] is not object:
        return False
    if not getattr(init, "__code__", None) or not init.__code__.co_filename.startswith(
        "<attrs generated"
    ):
        return False
    if any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return False
    fields = attrs.fields(cls)
    if set(slots) - {"__weakref__"} != {a.name for a in fields}:
        return False  # hidden slots such as attrs' cached hash
    for a in fields:
        if a.validator is not None or a.converter is not None or not a.init:
            return False
        if isinstance(a.default, attrs.Factory) and a.default.takes_self:  # type: ignore[arg-type]
            return False
    return attrs.has(cls) and not getattr(cls, "__attrs_init_subclass__", None)


def _not_an_object(value: Any) -> dict[str, Any]:
    """A model's JSON must be an object; any other mapping is read as a dict."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"expected a JSON object, got {type(value).__name__}")


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
        """``data`` as ``cls``, or a :class:`DecodeError` naming the field that did not fit.

        ``method`` and ``path`` are the request's: the error names them, and after a write
        (``PUT``, ``POST``...) its ``applied`` is True (the server answered 2xx: it made the
        change).
        """
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
                applied=method in WRITE_METHODS,
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
            applied=method in WRITE_METHODS,
        )

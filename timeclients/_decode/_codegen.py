"""The generated production hooks: one ``exec``-compiled structure function per plain model.

Where cattrs' generated code calls one hook per field, this code tests a value's exact type
inline for strings, numbers, booleans and documented enum values, and fills a new instance's
slots through their descriptors (see :func:`fast_model_fn`).
"""

from __future__ import annotations

import itertools
import linecache
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from ._values import PASS_THROUGH, SCALAR_HOOKS, Naming, TolerantEnum, structure_tolerant_enum

__all__ = ["fast_model_fn", "unwrap_optional"]


def fast_model_fn(
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
        inner, optional = (a.type, False) if a.name in hooks else unwrap_optional(a.type)
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
    if isinstance(t, type) and t in PASS_THROUGH and SCALAR_HOOKS.get(t) is hook:
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


def unwrap_optional(t: Any) -> tuple[Any, bool]:
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

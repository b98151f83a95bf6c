"""The converters: cattrs with the exact scalar hooks, strict lists, and per-model hooks.

Each vendor builds its converters with :func:`make_converter` (the cattrs "preconf" pattern:
one set of hooks for all vendors, vendor hooks on top). A production converter gets the
generated model hooks of :mod:`._codegen`; a strict one cattrs' detailed-validation code.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import cattrs
import cattrs.cols
from cattrs.gen import make_dict_structure_fn, override

from ._codegen import fast_model_fn, unwrap_optional
from ._values import (
    PASS_THROUGH,
    SCALAR_HOOKS,
    Naming,
    TolerantEnum,
    parse_aware_datetime,
    structure_tolerant_enum,
    unix_or_iso,
)

__all__ = ["make_converter", "model_structure_fn"]


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
    for scalar, scalar_hook in SCALAR_HOOKS.items():
        conv.register_structure_hook(scalar, scalar_hook)
    conv.register_structure_hook(
        datetime, lambda v, _: (unix_or_iso if unix_datetimes else parse_aware_datetime)(v)
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
    A production converter gets :func:`~._codegen.fast_model_fn`, which never forbids unknown keys.
    Vendors that need a field-level hook register the result of this function for the model.
    """
    hooks = hooks or {}
    if not conv.detailed_validation:
        fast = fast_model_fn(conv, cls, naming=naming, hooks=hooks)
        if fast is not None:
            return fast
    forbid = conv.forbid_extra_keys if forbid_extra_keys is None else forbid_extra_keys
    overrides: dict[str, Any] = {}
    for a in attrs.fields(attrs.resolve_types(cls)):
        name = naming(a.name)
        hook = hooks.get(a.name)
        if hook is None and a.default is not attrs.NOTHING and not unwrap_optional(a.type)[1]:
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
    if item in PASS_THROUGH and SCALAR_HOOKS.get(item) is hook:
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

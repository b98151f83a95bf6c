"""Decoding vendors' JSON into the models, split by role; this module re-exports what vendors use.

* :mod:`._values` — what one JSON value becomes (names, datetimes, tolerant enums, scalars);
* :mod:`._codegen` — the generated production hooks (one compiled function per model);
* :mod:`._hooks` — the converters that put the hooks together;
* :mod:`._errors` — a failure as a :class:`~timeclients.errors.DecodeError` with its JSON path;
* :mod:`._decoder` — :class:`ModelDecoder`, each with its own ``strict`` setting.
"""

from ._decoder import (
    ModelDecoder,
    decoders,
    decoding_mode,
    set_strict_decoding,
    strict_decoding,
)
from ._hooks import make_converter, model_structure_fn
from ._values import (
    Naming,
    TolerantEnum,
    camel_case,
    parse_aware_datetime,
    snake_case,
    structure_tolerant_enum,
)

__all__ = [
    "ModelDecoder",
    "Naming",
    "TolerantEnum",
    "camel_case",
    "decoders",
    "decoding_mode",
    "make_converter",
    "model_structure_fn",
    "parse_aware_datetime",
    "set_strict_decoding",
    "snake_case",
    "strict_decoding",
    "structure_tolerant_enum",
]

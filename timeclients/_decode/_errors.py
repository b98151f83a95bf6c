"""Decoding failures as :class:`~timeclients.errors.DecodeError`: the JSON path that did not fit.

On the rare failure the payload is structured once more with detailed validation just to find
that path. After a write (``PUT``, ``POST``...) the error's ``applied`` is True: the server
answered 2xx, the change was made.
"""

from __future__ import annotations

import re
from typing import Any, Final

import cattrs

from .._wire import WRITE_METHODS
from ..errors import DecodeError
from ._values import Naming

__all__ = ["decode_error", "not_an_array"]

_PATH_NAME: Final = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


def not_an_array(data: object, *, method: str, path: str) -> DecodeError:
    """The error of an answer that should be a JSON array and is not."""
    where = f"{method} {path}: " if method else ""
    return DecodeError(
        f"{where}expected a JSON array, got {type(data).__name__}",
        field="$",
        method=method,
        path=path,
        applied=method in WRITE_METHODS,
    )


def decode_error(
    detailed_conv: cattrs.Converter,
    naming: Naming,
    data: Any,
    cls: Any,
    exc: Exception,
    *,
    method: str,
    path: str,
) -> DecodeError:
    """The :class:`DecodeError` of ``exc``, raised structuring ``data`` as ``cls``.

    ``detailed_conv`` (a strict converter) structures ``data`` again when ``exc`` does not
    name the path; ``naming`` turns the attribute names of the path into JSON keys.
    """
    details: list[str] = []
    detailed = exc
    if not isinstance(exc, cattrs.BaseValidationError):
        try:
            detailed_conv.structure(data, cls)
        except cattrs.BaseValidationError as again:
            detailed = again
        except Exception as again:  # noqa: BLE001
            detailed = again
    if isinstance(detailed, cattrs.BaseValidationError):
        details = [
            _PATH_NAME.sub(lambda m: "." + naming(m.group(1)), line)
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

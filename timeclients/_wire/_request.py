"""What one API call is, as pure vendor code describes it: :class:`Request` and its path.

Vendor ``_protocol`` modules build these; the transport sends them. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote

import attrs

from ..errors import APIError

__all__ = ["NO_BODY", "Request", "encode_path", "redact"]

#: Marks a request without a body (``None`` is a JSON body: ``null``).
NO_BODY: Final[Any] = object()


def encode_path(segments: tuple[str, ...]) -> str:
    """Join path segments, each percent-encoded so that no id can reach another endpoint.

    ``/`` ``?`` ``#`` ``%`` are escaped by quoting with nothing safe; ``.`` and ``..`` are
    escaped by hand because URL normalisation (httpx included) removes dot segments.
    """
    parts = []
    for segment in segments:
        if segment in (".", ".."):
            parts.append(segment.replace(".", "%2E"))
        else:
            parts.append(quote(segment, safe=""))
    return "/" + "/".join(parts)


# Keys whose values are secrets: passwords, tokens, keys (``current_password``, ``api_token``).
_SECRET_KEY: Final = re.compile(r"pass(word)?|token|secret|api[_-]?key|credential|auth", re.I)
_REDACTED: Final = "<redacted>"


def redact(value: Any) -> Any:
    """``value`` with every secret-named entry's value replaced, for ``repr`` and logs.

    Walks dicts, lists and query pairs (``(key, value)`` tuples); depth-bounded, so a deep
    body cannot exhaust the stack while being shown.
    """
    return _redact(value, 0)


def _redact(value: Any, depth: int) -> Any:
    if depth > 32:
        return "..."
    if isinstance(value, dict):
        return {
            k: _REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else _redact(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        key, item = value
        return (key, _REDACTED) if _SECRET_KEY.search(key) else (key, _redact(item, depth + 1))
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(v, depth + 1) for v in value)
    return value


@attrs.frozen
class Request:
    """A vendor-neutral description of one API call, built by pure vendor code."""

    #: HTTP method, upper case.
    method: str
    #: Path segments below the base URL, raw (encoded by the transport): ``("workspaces", id)``.
    path: tuple[str, ...]
    #: Query parameters in order; a key may repeat (``roles=A&roles=B``).
    query: tuple[tuple[str, str], ...] = attrs.field(
        default=(), repr=lambda query: repr(redact(query))
    )
    #: The JSON body, or :data:`NO_BODY` (its secrets are hidden from ``repr``).
    json: Any = attrs.field(default=NO_BODY, repr=lambda body: repr(redact(body)))
    #: The rate-limit scope within the credential ("" for the credential as a whole).
    scope: str = ""
    #: Whether sending twice is harmless; ``None`` decides by method (POST is not).
    idempotent: bool | None = None
    #: Status codes this endpoint maps to a more specific error class.
    errors: Mapping[int, type[APIError]] = attrs.field(factory=dict)

"""The network backends under ``HttpPool``: one small adapter per HTTP library, public APIs only.

Each maps its library's failures once, straight to :class:`WireFailure` (the sanitised cause
of :class:`~timeclients.errors.TransportError`), knowing whether the request may have reached
the server. Fairness, the pool timeout and the per-attempt deadline live in the pool, in front
of both (:mod:`timeclients._transport._slots`).
"""

from ._common import (
    BACKEND_ENV,
    Backend,
    ProxyRoutes,
    Reply,
    WireFailure,
    resolve_backend,
    slot_failure,
)
from ._httpx import HttpxWire, build_request, httpx_is_mocked

__all__ = [
    "BACKEND_ENV",
    "Backend",
    "HttpxWire",
    "ProxyRoutes",
    "Reply",
    "WireFailure",
    "build_request",
    "httpx_is_mocked",
    "resolve_backend",
    "slot_failure",
]

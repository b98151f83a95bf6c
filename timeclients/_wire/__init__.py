"""The pure values every layer shares: a request, the view of its answer, a credential, settings.

Nothing here does I/O or imports a module that does (no httpx, aiohttp, anyio or asyncio, even
through other ``timeclients`` modules): a vendor's ``_protocol.py`` builds on these alone, and
``_transport`` sends what they describe. ``tests/test_architecture.py`` checks both.
"""

from ._body import MAX_JSON_DEPTH, WRITE_METHODS, JSONTooDeep, json_depth, load_json
from ._credential import (
    Credential,
    check_credential,
    credential_fingerprint,
    has_control_character,
)
from ._request import NO_BODY, Request, encode_path, redact
from ._response import ErrorMessage, QuotaReader, Response, default_error_message, error_code
from ._settings import (
    DEFAULT_RETRY_STATUSES,
    RateLimit,
    RateLimits,
    RetryPolicy,
    Timeouts,
    rate_limits,
)

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "MAX_JSON_DEPTH",
    "NO_BODY",
    "WRITE_METHODS",
    "Credential",
    "ErrorMessage",
    "JSONTooDeep",
    "QuotaReader",
    "RateLimit",
    "RateLimits",
    "Request",
    "Response",
    "RetryPolicy",
    "Timeouts",
    "check_credential",
    "credential_fingerprint",
    "default_error_message",
    "encode_path",
    "error_code",
    "has_control_character",
    "json_depth",
    "load_json",
    "rate_limits",
    "redact",
]

"""The shared transport: the only package that awaits I/O or time; it knows no vendor.

The pure values it sends and reads (``Request``, ``Response``, ``RateLimit``...) live in
``timeclients._wire``; they are re-exported here for the code that uses both.
"""

from .._wire import (
    DEFAULT_RETRY_STATUSES,
    NO_BODY,
    RateLimit,
    RateLimits,
    Request,
    Response,
    RetryPolicy,
    Timeouts,
    check_credential,
    credential_fingerprint,
    default_error_message,
    encode_path,
)
from ._pool import HttpPool
from ._ratelimit import (
    Clock,
    Limiter,
    LimiterRegistry,
    RateStore,
    SlidingWindowLimiter,
    SystemClock,
)
from ._send import Channel, SendStats, validate_base_url
from ._store_redis import RedisRateStore

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "NO_BODY",
    "Channel",
    "Clock",
    "HttpPool",
    "Limiter",
    "LimiterRegistry",
    "RateLimit",
    "RateLimits",
    "RateStore",
    "RedisRateStore",
    "Request",
    "Response",
    "RetryPolicy",
    "SendStats",
    "SlidingWindowLimiter",
    "SystemClock",
    "Timeouts",
    "check_credential",
    "credential_fingerprint",
    "default_error_message",
    "encode_path",
    "validate_base_url",
]

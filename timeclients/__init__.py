"""timeclients: async-first typed clients for Clockify, McTime and Toggl Track v8."""

from . import errors
from ._transport import HttpPool, RateLimit, RetryPolicy

__all__ = [
    "HttpPool",
    "RateLimit",
    "RetryPolicy",
    "errors",
]

__version__ = "0.1.0"

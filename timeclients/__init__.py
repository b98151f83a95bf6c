"""timeclients: async-first typed clients for Clockify, McTime and Toggl Track (v9, and v8)."""

from . import errors
from ._transport import HttpPool, RateLimit, RedisRateStore, RetryPolicy
from ._version import __version__ as __version__
from .clockify import ClockifyClient
from .mctime import McTimeClient
from .toggl import TogglClient
from .toggltrack import TogglTrackClient

__all__ = [
    "ClockifyClient",
    "HttpPool",
    "McTimeClient",
    "RateLimit",
    "RedisRateStore",
    "RetryPolicy",
    "TogglClient",
    "TogglTrackClient",
    "errors",
]


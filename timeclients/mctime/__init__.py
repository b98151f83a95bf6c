"""McTime (clock API v2): who is clocked in, through a concurrent paginator."""

from ._client import ClockList, ClockResource, McTimeClient
from .models import Break, ClockPage, ClockStatus, ItemError, TimeType

__all__ = [
    "Break",
    "ClockList",
    "ClockPage",
    "ClockResource",
    "ClockStatus",
    "ItemError",
    "McTimeClient",
    "TimeType",
]

"""Toggl API v9's server-side data on top of the shared Toggl accounts: the hourly quota.

One Toggl account answers on both API versions, as on the live service: this state reads and
changes the accounts of the v8 state and adds what v9 keeps on top: the hourly quota of
requests about the user (Toggl's API documentation, https://engineering.toggl.com/docs/, "API
& Webhook limits": 30 per hour per user; a spent quota is a 402; every answer carries
``X-Toggl-Quota-Remaining`` and ``X-Toggl-Quota-Resets-In``) and the v9-only ``country_id``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from .._core import Clock, Reply, text_reply
from ..toggl import TogglStore, TogglUser

__all__ = ["HourlyQuota", "TogglTrackStore"]


class HourlyQuota:
    """Toggl's quota window per key: it opens with the first counted request and resets
    ``per`` seconds later ("API & Webhook limits": "The count begins when the initial request
    is made and remains valid for 60 minutes. After 60 minutes, the count resets")."""

    __slots__ = ("_clock", "_windows", "per", "total")

    def __init__(self, total: int, per: float, clock: Clock) -> None:
        if total < 1 or per <= 0:
            raise ValueError("total must be >= 1 and per > 0")
        self.total = total
        self.per = per
        self._clock = clock
        self._windows: dict[Hashable, tuple[float, int]] = {}

    def _window(self, key: Hashable) -> tuple[float, int] | None:
        window = self._windows.get(key)
        if window is not None and self._clock.now() >= window[0] + self.per:
            del self._windows[key]
            return None
        return window

    def hit(self, key: Hashable) -> bool:
        """Count one request; ``False`` (not counted) when the quota is spent (answer 402)."""
        window = self._window(key)
        if window is None:
            self._windows[key] = (self._clock.now(), 1)
            return True
        start, count = window
        if count >= self.total:
            return False
        self._windows[key] = (start, count + 1)
        return True

    def remaining(self, key: Hashable) -> int:
        """Requests left in the key's current window."""
        window = self._window(key)
        return self.total - (window[1] if window else 0)

    def resets_in(self, key: Hashable) -> int:
        """Whole seconds until the key's window resets (0 when none is open)."""
        window = self._window(key)
        if window is None:
            return 0
        return max(0, math.ceil(window[0] + self.per - self._clock.now()))


class TogglTrackStore:
    """Toggl v9's data over the accounts of a v8 state (the handler is :class:`TogglTrackState`).

    Args:
        accounts: the Toggl v8 state whose users (and per-second bucket) this state shares.
        clock: monotonic time for the hourly quota.
        me_hourly_quota: requests per window per user about the user (``None``: no quota).
        quota_window: the quota window in seconds (Toggl: one hour).
        organization_hourly_quota: what ``GET /me/quota`` reports for the user's organization.
    """

    def __init__(
        self,
        *,
        accounts: TogglStore,
        clock: Clock,
        me_hourly_quota: int | None = 30,
        quota_window: float = 3600.0,
        organization_hourly_quota: int = 30,
    ) -> None:
        self.accounts = accounts
        #: The accounts' lock: one lock guards both versions' views of one account.
        self.lock = accounts.lock
        self.quota = HourlyQuota(me_hourly_quota, quota_window, clock) if me_hourly_quota else None
        self.organization_hourly_quota = organization_hourly_quota
        #: v9's ``country_id`` per user id (v8 has no such field).
        self.countries: dict[int, int] = {}

    def quota_headers(self, user: TogglUser) -> dict[str, str]:
        """``X-Toggl-Quota-Remaining`` and ``X-Toggl-Quota-Resets-In`` (none without a quota)."""
        if self.quota is None:
            return {}
        return {
            "X-Toggl-Quota-Remaining": str(self.quota.remaining(user.id)),
            "X-Toggl-Quota-Resets-In": str(self.quota.resets_in(user.id)),
        }

    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body: Toggl v9 answers errors as plain text."""
        return text_reply(status, message)

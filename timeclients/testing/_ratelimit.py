"""Strict server-side rate counters with an injectable clock: a sliding window and a leaky bucket.

These model what a vendor's edge counts, so a client that overshoots gets the 429 it would get
in production. Only accepted requests are counted: a request answered 429 does not use budget.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from ._core import Clock

__all__ = ["LeakyBucket", "SlidingWindowCounter"]


class SlidingWindowCounter:
    """At most ``limit`` accepted requests per key in any ``per``-second interval.

    The window is strict and continuous: request times are logged per key, and a request is
    refused while ``limit`` accepted ones are younger than ``per`` seconds.
    """

    __slots__ = ("_clock", "_logs", "limit", "per")

    def __init__(self, limit: int, per: float, clock: Clock) -> None:
        if limit < 1 or per <= 0:
            raise ValueError("limit must be >= 1 and per > 0")
        self.limit = limit
        self.per = per
        self._clock = clock
        self._logs: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable) -> bool:
        """Count one request for ``key``; ``False`` means it is over the limit (answer 429)."""
        now = self._clock.now()
        log = self._logs.setdefault(key, deque())
        while log and log[0] <= now - self.per:
            log.popleft()
        if len(log) >= self.limit:
            return False
        log.append(now)
        return True

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may send again (0 when it may now)."""
        log = self._logs.get(key)
        if not log or len(log) < self.limit:
            return 0.0
        return max(0.0, log[0] + self.per - self._clock.now())


class LeakyBucket:
    """A leaky bucket per key: it drains ``rate`` requests per second and holds ``burst``.

    A request is accepted when the bucket has room for it (level + 1 <= burst); the level
    then rises by one. ``burst=1`` allows exactly one request per ``1/rate`` seconds.
    """

    __slots__ = ("_clock", "_levels", "burst", "rate")

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._levels: dict[Hashable, tuple[float, float]] = {}

    def hit(self, key: Hashable) -> bool:
        """Count one request for ``key``; ``False`` means the bucket is full (answer 429)."""
        now = self._clock.now()
        level, then = self._levels.get(key, (0.0, now))
        level = max(0.0, level - (now - then) * self.rate)
        # A small tolerance so a request that arrives exactly on schedule is not refused by a
        # floating-point rounding of the drained level.
        if level + 1.0 > self.burst + 1e-9:
            self._levels[key] = (level, now)
            return False
        self._levels[key] = (level + 1.0, now)
        return True

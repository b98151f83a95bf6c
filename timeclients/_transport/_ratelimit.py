"""Client-side rate limiting: a sliding-window limiter per (vendor, credential, scope) key.

A key may carry several windows (Toggl: 1 per second and 30 per hour): each keeps its own log
and all of them hold. Quotas the server reports (:meth:`SlidingWindowLimiter.report_quota`)
are never overspent, and a 429 widens the key's margin (:meth:`SlidingWindowLimiter.throttled`).

Why not ``aiolimiter.AsyncLimiter`` alone: it is a leaky bucket that starts full, so
``AsyncLimiter(50, 1)`` sends ~99 requests in its first second and a strict server answers
429; ``AsyncLimiter(1, 1/50)`` spaces evenly but every late timer wake-up is lost for good
(6-10% below the limit on a busy loop). It is also bound to asyncio's loop clock. The limiter
here keeps both properties we promise, on anyio (asyncio and trio), with an injectable clock:

* **the guarantee** — a log of the last ``requests`` send times: a send is allowed only once the
  oldest of them is a full window (``per`` widened by the safety margin) old. That is exactly
  the sliding-window rule a strict server counts, so no burst can ever exceed it;
* **smoothness** — sends are spaced ``window / requests`` apart on a schedule of *theoretical*
  times (GCRA), so a late wake-up is made up by the next send instead of lost; the log above
  still caps every window. A late send delays only its ``requests``-th successor, so the cost
  of timer overshoot is ``overshoot / window`` (~0.2%), not ``overshoot / interval``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, Final, Protocol, runtime_checkable

import anyio

from .._wire import RateLimit, RateLimits, rate_limits

__all__ = [
    "Clock",
    "Limiter",
    "LimiterRegistry",
    "RateStore",
    "SlidingWindowLimiter",
    "SystemClock",
]


class Clock(Protocol):
    """Where the transport reads the time and sleeps: injectable so tests never sleep."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (cancellable)."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``anyio.sleep``."""

    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


@runtime_checkable
class Limiter(Protocol):
    """What the send loop needs from a limiter: the seam for a shared (e.g. Redis) budget.

    Optional methods the send loop uses when a limiter has them: ``settle(token,
    arrived_by)`` (re-log a cold-start send), ``throttled()`` (a 429 came: widen the margin),
    ``report_quota(remaining, resets_in)`` (what the server says remains of a quota), and
    ``idle(now)`` (the registry may forget it).
    """

    async def acquire(self) -> int | None:
        """Wait until one more request may be sent now, and count it as sent.

        May return a token for :meth:`SlidingWindowLimiter.settle`; ``None`` means nothing to
        settle.
        """
        ...

    def pause(self, seconds: float) -> None:
        """Hold every waiter for ``seconds`` (the server said 429)."""
        ...


class SlidingWindowLimiter:
    """Every window of ``rate`` holds: at most ``requests`` acquisitions in any ``window`` seconds.

    ``rate`` is one :class:`RateLimit` or several (``[RateLimit(1, 1), RateLimit(30, 3600)]``):
    each window keeps its own log of send times, and a send waits for all of them. Sends are
    spaced evenly at the pace of the shortest window (:attr:`rate`); longer windows only cap.

    Waiters are served first come, first served (``anyio.Lock`` is fair); a cancelled waiter
    takes no slot.
    """

    __slots__ = (
        "_clock",
        "_extra",
        "_extra_since",
        "_interval",
        "_lock",
        "_logs",
        "_paused_until",
        "_quota_left",
        "_quota_reset",
        "_seq",
        "_tat",
        "_windows",
        "last_used",
        "rate",
        "rates",
    )

    def __init__(self, rate: RateLimits, *, clock: Clock | None = None) -> None:
        rates = rate_limits(rate)
        #: Every window this limiter enforces, shortest first.
        self.rates = rates
        #: The window that sets the pace (the shortest one).
        self.rate = rates[0]
        #: Clock time of the last acquisition (the registry drops long-idle limiters).
        self.last_used = -math.inf
        self._clock: Clock = clock or SystemClock()
        # Per window, the send times of its last ``requests`` acquisitions, oldest first.
        self._logs = tuple(deque[float](maxlen=r.requests) for r in rates)
        # The windows as enforced now: ``per`` widened by the margin (and what 429s taught).
        self._windows = [r.window for r in rates]
        self._interval = self.rate.interval
        # Margin learned from 429s (a fraction of ``per``), and since when it decays.
        self._extra = 0.0
        self._extra_since = -math.inf
        # How many sends were ever logged: the token of the newest is ``_seq - 1``.
        self._seq = 0
        # GCRA's theoretical time of the next slot: spacing without drift.
        self._tat = -math.inf
        self._paused_until = -math.inf
        # What the server last said remains of a quota, minus what was sent since; and when
        # that quota resets (clock time). ``None``: no quota reported.
        self._quota_left: int | None = None
        self._quota_reset = -math.inf
        self._lock = anyio.Lock()

    @property
    def extra_margin(self) -> float:
        """The margin learned from 429s, as a fraction of ``per`` (0.0 when none)."""
        return self._learned(self._clock.now()) if self._extra else 0.0

    def _learned(self, now: float) -> float:
        # Linear decay: one step is forgotten every DECAY_WINDOWS windows without a 429.
        step = _margin_step(self.rate)
        left = self._extra - step * (now - self._extra_since) / (DECAY_WINDOWS * self.rate.per)
        return max(0.0, left)

    def _set_extra(self, extra: float) -> None:
        self._windows = [r.per * (1.0 + r.safety_margin + extra) for r in self.rates]
        self._interval = self._windows[0] / self.rate.requests

    def _ready_at(self, now: float) -> float:
        ready = max(self._paused_until, self._tat, now - self._interval)
        for log, window in zip(self._logs, self._windows, strict=True):
            if len(log) == log.maxlen:
                ready = max(ready, log[0] + window)
        if self._quota_left is not None:
            if now >= self._quota_reset:
                self._quota_left = None
            elif self._quota_left <= 0:
                ready = max(ready, self._quota_reset)
        return ready

    async def acquire(self) -> int | None:
        """Wait for a slot and log it as sent now.

        Returns a token when the pace log was not yet full (a cold start): the send may then
        wait on a new connection, so its arrival can lag its log time by more than the safety
        margin. :meth:`settle` moves such an entry to when the response came back, the latest
        the server can have counted it. Once the log is full the pool is warm and the
        logged time stands (``None``).
        """
        # acquire()/release() rather than ``async with``: a queued waiter then holds one
        # coroutine frame less (~200 bytes each; benchmarks/memory.py).
        lock = self._lock
        await lock.acquire()
        try:
            clock = self._clock
            now = clock.now()
            if self._extra:
                self._extra = self._learned(now)
                self._extra_since = now if self._extra else -math.inf
                self._set_extra(self._extra)
            ready = self._ready_at(now)
            while ready > now:
                await clock.sleep(ready - now)
                now = clock.now()
                ready = self._ready_at(now)
            # ``ready`` may lie up to one interval in the past: that is the catch-up for a late
            # wake-up; the send logs keep every window honest regardless.
            self._tat = ready + self._interval
            logs = self._logs
            pace = logs[0]
            cold = len(pace) < self.rate.requests
            for log in logs:
                log.append(now)
            if self._quota_left is not None:
                self._quota_left -= 1
            self._seq += 1
            self.last_used = now
        finally:
            lock.release()
        return self._seq - 1 if cold else None

    def settle(self, token: int, arrived_by: float) -> None:
        """The send of ``token`` reached the server no later than ``arrived_by``: log it then.

        Moving an entry later only ever delays later sends, so the window guarantee holds.
        """
        for log in self._logs:
            index = token - (self._seq - len(log))
            if 0 <= index < len(log) and log[index] < arrived_by:
                log[index] = arrived_by

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._clock.now() + seconds)

    def report_quota(self, remaining: int, resets_in: float) -> None:
        """The server says ``remaining`` more requests are allowed until ``resets_in`` seconds.

        From then on the key never sends more than that before the reset: each acquisition
        spends one, and with nothing left every waiter is held until the reset (then the quota
        is forgotten until the server reports it again). Within one quota period the lowest
        report wins, so a slow response carrying an older, higher count cannot undo a newer
        one; requests still in flight were already spent here. A negative ``remaining`` counts
        as 0; a ``resets_in`` that is not a finite number >= 0 makes the report ignored.
        """
        if isinstance(resets_in, bool) or not isinstance(resets_in, (int, float)):
            return
        if not math.isfinite(resets_in) or resets_in < 0:
            return
        now = self._clock.now()
        left = max(0, int(remaining))
        reset = now + float(resets_in)
        current = self._quota_left
        # A report whose reset is more than a second past the known one opens a new period.
        if current is None or now >= self._quota_reset or reset > self._quota_reset + 1.0:
            self._quota_left = left
            self._quota_reset = reset
        else:
            self._quota_left = min(current, left)
            self._quota_reset = max(self._quota_reset, reset)

    def throttled(self) -> None:
        """The server answered 429 on this key: widen the key's margin by one step.

        This key's own log always keeps every window (it is what gates each send), so a 429
        means arrivals jittered more than the margin, or something else spends from the same
        budget. Either way a wider window makes the same cause unlikely to repeat. The margin
        grows by ``max(safety_margin, 1%)`` of ``per`` at most once per window (a burst of 429s
        is one cause), up to +50%, and narrows back linearly, one step every
        ``DECAY_WINDOWS`` windows without a 429.
        """
        now = self._clock.now()
        if now - self._extra_since < self.rate.per:
            return
        extra = min(MAX_EXTRA_MARGIN, self._learned(now) + _margin_step(self.rate))
        self._extra = extra
        self._extra_since = now
        self._set_extra(extra)

    def idle(self, now: float) -> bool:
        """True when no one waits and forgetting this limiter could not break a window."""
        return (
            not self._lock.locked()
            and now - self.last_used > max(self._windows)
            and now >= self._paused_until
            and (self._quota_left is None or now >= self._quota_reset)
            and not self._extra
        )

    def __repr__(self) -> str:
        shown = self.rate if len(self.rates) == 1 else list(self.rates)
        return f"SlidingWindowLimiter({shown!r})"


#: How many windows without a 429 forget one step of learned margin.
DECAY_WINDOWS: Final = 100
#: The most margin 429s can add, as a fraction of ``per``.
MAX_EXTRA_MARGIN: Final = 0.5


def _margin_step(rate: RateLimit) -> float:
    return max(0.01, rate.safety_margin)


LimiterFactory = Callable[[Any, Clock], Limiter]
"""Builds a key's limiter from its limit (one :class:`RateLimit`, or a tuple of several) and
the pool's clock."""


class RateStore(Protocol):
    """Where a pool's limiters keep their state (``HttpPool(rate_store=...)``): Redis, say."""

    def limiter(self, key: Hashable, rate: RateLimits, clock: Clock) -> Limiter:
        """The limiter of ``key`` with the windows of ``rate``, timed and sleeping on ``clock``."""
        ...

    async def aclose(self) -> None:
        """Close the store's connections (it may reconnect later)."""
        ...


def _default_factory(rate: RateLimits, clock: Clock) -> Limiter:
    return SlidingWindowLimiter(rate, clock=clock)


class LimiterRegistry:
    """The pool's limiters, one per key; keys are ``(vendor, credential fingerprint, scope)``.

    The first limit seen for a key wins: two clients on one pool with one credential share one
    budget. Limiters idle for longer than their longest window hold no state that matters and
    are dropped once the registry grows past ``prune_above`` entries, so a backend that talks
    to many workspaces does not grow without bound. With a ``store``, every limiter is the
    store's (a budget shared across processes); else ``factory`` builds them
    (:class:`SlidingWindowLimiter` by default).
    """

    __slots__ = ("_clock", "_factory", "_limiters", "prune_above", "store")

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        factory: LimiterFactory | None = None,
        prune_above: int = 1024,
        store: RateStore | None = None,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._factory = factory or _default_factory
        self._limiters: dict[Hashable, Limiter] = {}
        self.prune_above = prune_above
        #: The rate store every limiter lives in, or ``None`` (in process).
        self.store = store

    def get(self, key: Hashable, rate: RateLimits) -> Limiter:
        """The limiter for ``key``, created on first use with ``rate`` (one limit or several)."""
        limiter = self._limiters.get(key)
        if limiter is None:
            if len(self._limiters) >= self.prune_above:
                self._prune()
            if self.store is not None:
                limiter = self.store.limiter(key, rate, self._clock)
            else:
                limiter = self._factory(rate, self._clock)
            self._limiters[key] = limiter
        return limiter

    def _prune(self) -> None:
        now = self._clock.now()
        for key, limiter in list(self._limiters.items()):
            idle = getattr(limiter, "idle", None)
            if idle is not None and idle(now):
                del self._limiters[key]

    def keys(self) -> list[Hashable]:
        """The keys that have a limiter now (for inspection and tests)."""
        return list(self._limiters)

    def __len__(self) -> int:
        return len(self._limiters)

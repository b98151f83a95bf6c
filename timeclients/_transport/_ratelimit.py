"""Client-side rate limiting: a sliding-window limiter per (vendor, credential, scope) key.

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
from typing import Protocol, runtime_checkable

import anyio

from ._config import RateLimit

__all__ = ["Clock", "Limiter", "LimiterRegistry", "SlidingWindowLimiter", "SystemClock"]


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
    """What the send loop needs from a limiter: the seam for a shared (e.g. Redis) budget."""

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
    """At most ``rate.requests`` acquisitions in any ``rate.window`` seconds, evenly spaced.

    Waiters are served first come, first served (``anyio.Lock`` is fair); a cancelled waiter
    takes no slot.
    """

    __slots__ = (
        "_clock",
        "_lock",
        "_paused_until",
        "_sends",
        "_seq",
        "_tat",
        "last_used",
        "rate",
    )

    def __init__(self, rate: RateLimit, *, clock: Clock | None = None) -> None:
        #: The limit this limiter enforces.
        self.rate = rate
        #: Clock time of the last acquisition (the registry drops long-idle limiters).
        self.last_used = -math.inf
        self._clock: Clock = clock or SystemClock()
        # The send times of the last ``rate.requests`` acquisitions, oldest first.
        self._sends: deque[float] = deque(maxlen=rate.requests)
        # How many sends were ever logged: the token of the newest is ``_seq - 1``.
        self._seq = 0
        # GCRA's theoretical time of the next slot: spacing without drift.
        self._tat = -math.inf
        self._paused_until = -math.inf
        self._lock = anyio.Lock()

    def _ready_at(self, now: float) -> float:
        rate = self.rate
        ready = max(self._paused_until, self._tat, now - rate.interval)
        sends = self._sends
        if len(sends) == rate.requests:
            ready = max(ready, sends[0] + rate.window)
        return ready

    async def acquire(self) -> int | None:
        """Wait for a slot and log it as sent now.

        Returns a token when the log was not yet full (a cold start): the send may then wait
        on a new connection, so its arrival can lag its log time by more than the safety
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
            ready = self._ready_at(now)
            while ready > now:
                await clock.sleep(ready - now)
                now = clock.now()
                ready = self._ready_at(now)
            # ``ready`` may lie up to one interval in the past: that is the catch-up for a late
            # wake-up; the send log keeps every window honest regardless.
            self._tat = ready + self.rate.interval
            sends = self._sends
            cold = len(sends) < self.rate.requests
            sends.append(now)
            self._seq += 1
            self.last_used = now
        finally:
            lock.release()
        return self._seq - 1 if cold else None

    def settle(self, token: int, arrived_by: float) -> None:
        """The send of ``token`` reached the server no later than ``arrived_by``: log it then.

        Moving an entry later only ever delays later sends, so the window guarantee holds.
        """
        sends = self._sends
        index = token - (self._seq - len(sends))
        if 0 <= index < len(sends) and sends[index] < arrived_by:
            sends[index] = arrived_by

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._clock.now() + seconds)

    def idle(self, now: float) -> bool:
        """True when no one waits and forgetting this limiter could not break the window."""
        return (
            not self._lock.locked()
            and now - self.last_used > self.rate.window
            and (now >= self._paused_until)
        )

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter({self.rate!r})"


LimiterFactory = Callable[[RateLimit, Clock], Limiter]


def _default_factory(rate: RateLimit, clock: Clock) -> Limiter:
    return SlidingWindowLimiter(rate, clock=clock)


class LimiterRegistry:
    """The pool's limiters, one per key; keys are ``(vendor, credential fingerprint, scope)``.

    The first :class:`RateLimit` seen for a key wins: two clients on one pool with one
    credential share one budget. Limiters idle for longer than their window hold no state that
    matters and are dropped once the registry grows past ``prune_above`` entries, so a backend
    that talks to many workspaces does not grow without bound.
    """

    __slots__ = ("_clock", "_factory", "_limiters", "prune_above")

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        factory: LimiterFactory | None = None,
        prune_above: int = 1024,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._factory = factory or _default_factory
        self._limiters: dict[Hashable, Limiter] = {}
        self.prune_above = prune_above

    def get(self, key: Hashable, rate: RateLimit) -> Limiter:
        """The limiter for ``key``, created on first use with ``rate``."""
        limiter = self._limiters.get(key)
        if limiter is None:
            if len(self._limiters) >= self.prune_above:
                self._prune()
            limiter = self._limiters[key] = self._factory(rate, self._clock)
        return limiter

    def _prune(self) -> None:
        now = self._clock.now()
        for key, limiter in list(self._limiters.items()):
            if isinstance(limiter, SlidingWindowLimiter) and limiter.idle(now):
                del self._limiters[key]

    def keys(self) -> list[Hashable]:
        """The keys that have a limiter now (for inspection and tests)."""
        return list(self._limiters)

    def __len__(self) -> int:
        return len(self._limiters)

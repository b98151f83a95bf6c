"""First-come-first-served connection slots: the pool's own bound on requests in flight.

Both backends sit behind these slots, so ``max_connections``, the pool timeout and fairness
behave the same whatever library sends the bytes, and no library's queue ever holds more than
``max_connections`` requests (httpcore's pool rescans its whole queue for every event, so a
long queue inside it starves the event loop).

* **first come, first served**: a released slot goes to the longest waiter, never to a
  newcomer (aiohttp's connector hands an idle connection to a newcomer first: under sustained
  load the request that just finished took its connection back at once and waiters starved);
* **a waiter that times out or is cancelled takes no slot**: one woken and then cancelled
  passes its turn on;
* **closing** fails every waiter with :class:`SlotsClosed` at once.

On asyncio a waiter is a bare future (a few hundred nanoseconds); elsewhere (trio, through
anyio) an :class:`anyio.Event`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import math
from collections.abc import Callable
from typing import Any, Final

import anyio

__all__ = ["TICKET", "PoolTimedOut", "Slots", "SlotsClosed", "Ticket"]

# A deadline this close is due: timers may fire a hair early.
_SLACK: Final = 0.001


class PoolTimedOut(Exception):
    """No slot freed up within the pool timeout; nothing was sent."""


class SlotsClosed(Exception):
    """The pool was closed while the request waited for a slot; nothing was sent."""


class _AnyioWaiter:
    """A waiter outside asyncio: an event plus the outcome the releaser leaves."""

    __slots__ = ("error", "event", "granted")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.granted = False
        self.error: BaseException | None = None

    def done(self) -> bool:
        return self.granted or self.error is not None

    def grant(self) -> None:
        self.granted = True
        self.event.set()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.event.set()


class Ticket:
    """One aiohttp attempt: its claim on a slot, and its deadline once it has one.

    The aiohttp backend waits for its slot inside aiohttp's request (a client middleware),
    after aiohttp built the request's objects: a hundred requests woken in one loop iteration
    then find their objects built, instead of all building them at once, which kept the
    garbage collector's young generation over its threshold (~250 collections per 5,000
    requests at 200 in flight instead of ~70; benchmarks/overhead.py).

    The deadline is one timer that cancels the attempt's task (as ``asyncio.timeout`` does;
    an anyio cancel scope per attempt cost ~7 µs and more garbage); :meth:`fire` also serves
    the pool's ``aclose``. The pool tells this cancellation from any other by :attr:`fired`.
    """

    __slots__ = ("acquired", "fired", "keep_alive", "patience", "slots", "task", "timer", "total")

    def __init__(
        self, slots: Slots, patience: float, total: float, task: asyncio.Task[Any]
    ) -> None:
        self.slots = slots
        #: The pool timeout.
        self.patience = patience
        #: The attempt's own deadline, counted from when it has its slot.
        self.total = total
        self.task = task
        self.acquired = False
        #: True once the deadline passed or the pool closed: the task was cancelled for it.
        self.fired = False
        self.timer: asyncio.TimerHandle | None = None
        #: Set by the backend: whether the connection may stay open after this attempt.
        self.keep_alive: Callable[[], bool] | None = None

    def take_now(self) -> bool:
        """Take a free slot without waiting, if one is free and nobody waits; arm the deadline."""
        if not self.slots.take_free():
            return False
        self.acquired = True
        self._arm()
        return True

    async def take(self) -> None:
        """Wait for the slot; from then on the attempt has ``total`` seconds."""
        await self.slots.acquire(self.patience)
        self.acquired = True
        if self.slots.closed:  # woken in the same step as the pool closed
            raise SlotsClosed
        self._arm()

    def _arm(self) -> None:
        if not self.fired:
            loop = asyncio.get_running_loop()
            self.timer = loop.call_at(loop.time() + self.total, self.fire)

    def fire(self) -> None:
        """End the attempt now: cancel its task (once)."""
        if not self.fired:
            self.fired = True
            self.task.cancel()

    def disarm(self) -> None:
        """The attempt is over: its deadline no longer matters."""
        timer, self.timer = self.timer, None
        if timer is not None:
            timer.cancel()


#: The attempt in progress in this task, for a backend that takes its slot itself.
TICKET: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar(
    "timeclients_ticket", default=None
)


class Slots:
    """At most ``limit`` holders at once; the others queue in arrival order."""

    __slots__ = ("_closed", "_deadlines", "_sweep", "_waiters", "held", "limit")

    def __init__(self, limit: int) -> None:
        #: The most holders at once.
        self.limit = limit
        #: Slots taken now.
        self.held = 0
        self._waiters: collections.deque[Any] = collections.deque()
        # The pool deadline of each asyncio waiter that has one, and the one timer for them.
        self._deadlines: dict[asyncio.Future[None], float] = {}
        self._sweep: asyncio.TimerHandle | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def taken(self) -> int:
        """Slots taken now (``held``, as a callable)."""
        return self.held

    @property
    def waiting(self) -> int:
        """Requests queued for a slot (a few may have left already)."""
        return len(self._waiters)

    def take_free(self) -> bool:
        """Take a slot if one is free and nobody waits for one; never waits."""
        if self._closed or self.held >= self.limit or self._waiters:
            return False
        self.held += 1
        return True

    async def acquire(self, patience: float | None) -> None:
        """Take a slot, waiting at most ``patience`` seconds (the pool timeout) for one.

        Raises :class:`PoolTimedOut` or :class:`SlotsClosed`; a cancelled wait takes no slot.
        """
        if self._closed:
            raise SlotsClosed
        if self.held < self.limit and not self._waiters:
            self.held += 1
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # trio, through anyio
            await self._acquire_anyio(patience)
        else:
            await self._acquire_asyncio(loop, patience)

    async def _acquire_asyncio(
        self, loop: asyncio.AbstractEventLoop, patience: float | None
    ) -> None:
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        if patience is not None and math.isfinite(patience):
            deadline = loop.time() + patience
            self._deadlines[waiter] = deadline
            sweep = self._sweep
            if sweep is None or deadline < sweep.when():
                if sweep is not None:
                    sweep.cancel()
                self._sweep = loop.call_at(deadline, self._expire, loop)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # granted, but leaving: the turn passes to the next waiter
            else:
                _discard(self._waiters, waiter)
            raise
        finally:
            self._deadlines.pop(waiter, None)

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        """Fail the waiters whose pool deadline has come; re-arm for the next one.

        One timer serves every waiter (a timer each cost a handle, a heap push and a cancel
        per waiting request); with one pool timeout the earliest deadline is the oldest
        waiter's, and the timer rarely fires at all.
        """
        self._sweep = None
        now = loop.time() + _SLACK
        earliest: float | None = None
        for waiter, deadline in list(self._deadlines.items()):
            if waiter.done():
                continue
            if deadline <= now:
                waiter.set_exception(PoolTimedOut())
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if earliest is not None:
            self._sweep = loop.call_at(earliest, self._expire, loop)

    async def _acquire_anyio(self, patience: float | None) -> None:
        waiter = _AnyioWaiter()
        self._waiters.append(waiter)
        try:
            with anyio.move_on_after(patience):
                await waiter.event.wait()
        except BaseException:
            if waiter.granted:
                self.release()
            else:
                _discard(self._waiters, waiter)
            raise
        if waiter.granted:
            return
        if waiter.error is not None:
            raise waiter.error
        _discard(self._waiters, waiter)
        raise PoolTimedOut

    def release(self) -> None:
        """Give the slot back: to the longest waiter still waiting, or to the free count."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if waiter.done():
                continue
            if isinstance(waiter, _AnyioWaiter):
                waiter.grant()
            else:
                waiter.set_result(None)
            return  # the slot changes hands: ``held`` stays
        self.held -= 1

    def close(self) -> None:
        """Fail every waiter with :class:`SlotsClosed`; later acquisitions fail at once."""
        self._closed = True
        sweep, self._sweep = self._sweep, None
        if sweep is not None:
            sweep.cancel()
        waiters, self._waiters = self._waiters, collections.deque()
        for waiter in waiters:
            if not waiter.done():
                if isinstance(waiter, _AnyioWaiter):
                    waiter.fail(SlotsClosed())
                else:
                    waiter.set_exception(SlotsClosed())


def _discard(waiters: collections.deque[Any], waiter: object) -> None:
    with contextlib.suppress(ValueError):  # granted and popped already
        waiters.remove(waiter)

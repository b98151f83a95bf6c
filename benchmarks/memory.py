"""Memory per queued call: ``--calls`` sends waiting behind one rate-limited key, via tracemalloc.

All calls are started in one task group on one channel with ``RateLimit(1, 1.0)``: the first
is sent, every other one waits in the key's limiter. The clock never lets the second slot come
(its sleep never returns), so the measurement sees the queue at its fullest and nothing else.
Once every call waits (``anyio.Lock.statistics().tasks_waiting``), the bytes tracemalloc
traced since just before the calls were started, divided by their number, are the cost of one
queued call: its task, its coroutine frames (task group wrapper, ``Channel.send``, the
limiter), the lock's waiter, and the :class:`Request` it carries. Then everything is cancelled.

Usage: ``python -m benchmarks.memory [--calls 10000] [--backend asyncio|trio]``.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Coroutine
from typing import Any

import anyio
import httpx
from anyio.abc import TaskGroup

from timeclients import HttpPool, RateLimit
from timeclients._transport import Channel, Request, SlidingWindowLimiter


class StoppedClock:
    """A clock that never advances: a limiter waiting for the next slot waits forever."""

    def now(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep_forever()


async def idle_task_bytes(calls: int, spawn: str) -> float:
    """Bytes per task of ``calls`` tasks that only wait (on one event): the floor of a task."""
    event = anyio.Event()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    async with anyio.create_task_group() as tg:
        tasks = _spawn(tg, spawn, [event.wait() for _ in range(calls)])
        await anyio.sleep(0.1)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - before
        _cancel(tg, tasks)
    tracemalloc.stop()
    return traced / calls


def _spawn(tg: TaskGroup, spawn: str, coros: list[Coroutine[Any, Any, Any]]) -> list[Any]:
    if spawn == "anyio":
        for coro in coros:
            tg.start_soon(lambda c=coro: c)
        return []
    import asyncio  # plain asyncio tasks: what a backend that calls create_task pays

    return [asyncio.ensure_future(coro) for coro in coros]


def _cancel(tg: TaskGroup, tasks: list[Any]) -> None:
    for task in tasks:
        task.cancel()
    tg.cancel_scope.cancel()


async def measure(calls: int, spawn: str = "anyio") -> tuple[int, int]:
    """(bytes traced while ``calls`` sends wait behind one key, calls waiting)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with HttpPool(transport=transport, clock=StoppedClock()) as pool:
        channel = Channel(
            pool,
            vendor="bench",
            base_url="https://bench.invalid/api",
            headers={"X-Api-Key": "bench-key"},
            credential_id="bench",
            rate_limit=RateLimit(1, 1.0),
            retry=None,
        )
        await channel.send(Request("GET", ("warm", "up")))  # the first slot, and the imports
        limiter = pool.limiters.get(("bench", "bench", ""), RateLimit(1, 1.0))
        assert isinstance(limiter, SlidingWindowLimiter)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        async with anyio.create_task_group() as tg:
            # One Request per call, as a vendor client builds it.
            tasks = _spawn(
                tg,
                spawn,
                [channel.send(Request("GET", ("workspaces", f"ws-{n:06d}"))) for n in range(calls)],
            )
            while limiter._lock.statistics().tasks_waiting < calls - 1:  # noqa: ASYNC110 (no event says "all queued": poll)
                await anyio.sleep(0.01)
            gc.collect()
            queued = tracemalloc.get_traced_memory()[0] - before
            waiting = limiter._lock.statistics().tasks_waiting + 1  # + the one in sleep
            _cancel(tg, tasks)
        tracemalloc.stop()
    return queued, waiting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    print(
        "| event loop | tasks started by | calls queued | bytes per queued call "
        "| of which an idle task | timeclients' share |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for backend, spawn in (("asyncio", "asyncio"), ("asyncio", "anyio"), ("trio", "anyio")):
        queued, waiting = anyio.run(measure, args.calls, spawn, backend=backend)
        idle = anyio.run(idle_task_bytes, args.calls, spawn, backend=backend)
        per_call = queued / waiting
        how = "asyncio.ensure_future" if spawn == "asyncio" else "anyio TaskGroup.start_soon"
        print(
            f"| {backend} | {how} | {waiting:,} | {per_call:,.0f} | {idle:,.0f} "
            f"| {per_call - idle:,.0f} |"
        )


if __name__ == "__main__":
    main()

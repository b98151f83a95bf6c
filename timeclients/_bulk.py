"""Bounded concurrent map over keyed items: per-item outcome, progress, cancellation.

Every item is accounted for: it either succeeded or failed with a ``TimeClientsError``; only
cancellation propagates. Workers pull from one shared iterator, so memory stays O(concurrency)
whatever the number of items, and only the *last* successful result is kept (a Clockify
workspace can be thousands of memberships: one per item would not fit).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

import anyio
import attrs

from ._wire import RateLimit
from .errors import TimeClientsError

__all__ = ["BulkOutcome", "ProgressCallback", "run_bulk"]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

#: ``on_progress(done, total)``, called after each item finishes, success or failure.
ProgressCallback = Callable[[int, int], object]


@attrs.define
class BulkOutcome(Generic[K, R]):
    """What a bulk run did with every item."""

    #: Keys that succeeded, in input order.
    succeeded: list[K]
    #: Keys that failed, with why.
    failed: dict[K, TimeClientsError]
    #: The result of the last call to succeed (by completion time), or ``None``.
    last: R | None


async def run_bulk(
    keys: Sequence[K],
    call: Callable[[K], Awaitable[R]],
    *,
    concurrency: int,
    on_progress: ProgressCallback | None = None,
) -> BulkOutcome[K, R]:
    """Run ``call(key)`` for every key with at most ``concurrency`` in flight.

    Cancelling the caller cancels every call in flight; no new call starts after it.
    An exception from ``on_progress`` stops the run (calls in flight are cancelled) and
    propagates as itself.
    """
    total = len(keys)
    ok = [False] * total
    failed: dict[K, TimeClientsError] = {}
    state: dict[str, R | None] = {"last": None}
    done = 0
    next_index = 0

    progress_error: list[BaseException] = []

    def report() -> None:
        nonlocal done
        done += 1
        if on_progress is not None and not progress_error:
            try:
                on_progress(done, total)
            except Exception as exc:  # noqa: BLE001 - re-raised as itself after the workers stop
                progress_error.append(exc)
                tg.cancel_scope.cancel()

    async def worker() -> None:
        nonlocal next_index
        while next_index < total:
            index = next_index
            next_index += 1
            key = keys[index]
            try:
                result = await call(key)
            except TimeClientsError as exc:
                failed[key] = exc
            except anyio.get_cancelled_exc_class():
                raise
            except Exception as exc:  # noqa: BLE001 - an item never sinks the job
                wrapped = TimeClientsError(f"unexpected {type(exc).__name__}: {exc}")
                wrapped.__cause__ = exc
                failed[key] = wrapped
            else:
                ok[index] = True
                state["last"] = result
            report()

    workers = max(1, min(concurrency, total)) if total else 0
    async with anyio.create_task_group() as tg:
        for _ in range(workers):
            tg.start_soon(worker)
    if progress_error:
        # The callback's own exception, once, not an ExceptionGroup of cancelled workers.
        raise progress_error[0]
    succeeded = [key for key, good in zip(keys, ok, strict=True) if good]
    return BulkOutcome(succeeded=succeeded, failed=failed, last=state["last"])


def default_concurrency(limit: RateLimit | None) -> int:
    """Enough workers to keep a rate-limited key busy at ~250 ms latency, within 8..64."""
    if limit is None:
        return 16
    return max(8, min(64, math.ceil(limit.per_second * 0.25) * 2))

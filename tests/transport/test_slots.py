"""The pool's connection slots: first come, first served, bounded waits, clean cancellation."""

from __future__ import annotations

import asyncio
import time

import anyio
import pytest

from timeclients._transport._slots import PoolTimedOut, Slots, SlotsClosed

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Slots run on asyncio (futures) and on trio (anyio events): both are checked."""
    return str(request.param)


async def test_free_slots_are_taken_without_waiting() -> None:
    """Under the limit a slot is taken at once; releasing gives it back."""
    slots = Slots(2)
    await slots.acquire(1.0)
    await slots.acquire(1.0)
    assert slots.held == 2
    slots.release()
    slots.release()
    assert slots.held == 0


async def test_waiters_are_served_in_arrival_order() -> None:
    """Released slots go to the longest waiter, never to a newcomer."""
    slots = Slots(1)
    await slots.acquire(None)
    order: list[int] = []

    async def wait(index: int) -> None:
        await slots.acquire(None)
        order.append(index)
        slots.release()

    async with anyio.create_task_group() as tg:
        for index in range(5):
            tg.start_soon(wait, index)
            await anyio.sleep(0.01)  # queue in this order
        slots.release()
    assert order == [0, 1, 2, 3, 4]
    assert slots.held == 0


async def test_a_newcomer_queues_behind_the_waiters() -> None:
    """A request arriving while others wait does not take the slot just freed."""
    slots = Slots(1)
    await slots.acquire(None)
    got: list[str] = []

    async def waiter() -> None:
        await slots.acquire(None)
        got.append("waiter")
        slots.release()

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await anyio.sleep(0.01)
        slots.release()  # handed to the waiter, not free for anyone
        assert slots.held == 1
        await slots.acquire(None)  # the newcomer waits its turn
        got.append("newcomer")
        slots.release()
    assert got == ["waiter", "newcomer"]


async def test_a_wait_times_out_and_leaves_no_trace() -> None:
    """The pool timeout bounds the wait; the timed-out waiter holds nothing and is gone."""
    slots = Slots(1)
    await slots.acquire(None)
    started = time.perf_counter()
    with pytest.raises(PoolTimedOut):
        await slots.acquire(0.05)
    assert 0.04 <= time.perf_counter() - started < 1.0
    assert slots.waiting == 0
    slots.release()
    assert slots.held == 0


async def test_each_waiter_keeps_its_own_deadline() -> None:
    """Waiters with different pool timeouts (one shared timer) each fail at their own time."""
    slots = Slots(1)
    await slots.acquire(None)
    failed_at: dict[float, float] = {}
    started = time.perf_counter()

    async def wait(patience: float) -> None:
        with pytest.raises(PoolTimedOut):
            await slots.acquire(patience)
        failed_at[patience] = time.perf_counter() - started

    async with anyio.create_task_group() as tg:
        for patience in (0.3, 0.05, 0.15):  # the earliest deadline is not the first waiter's
            tg.start_soon(wait, patience)
    assert sorted(failed_at, key=failed_at.__getitem__) == [0.05, 0.15, 0.3]
    for patience, elapsed in failed_at.items():
        assert patience - 0.01 <= elapsed < patience + 0.5
    assert slots.waiting == 0


async def test_a_cancelled_waiter_takes_no_slot() -> None:
    """A waiter cancelled while queued leaves; the next release goes to the one behind it."""
    slots = Slots(1)
    await slots.acquire(None)
    served: list[str] = []

    async def second() -> None:
        await slots.acquire(None)
        served.append("second")
        slots.release()

    async with anyio.create_task_group() as tg:
        with anyio.move_on_after(0.02):
            tg.start_soon(second)
            await slots.acquire(None)  # cancelled by the timeout while queued first
            served.append("first")
        slots.release()
    assert served == ["second"]
    assert slots.held == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_turn_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    """A waiter cancelled after it was handed the slot, before it ran, passes the turn on."""
    slots = Slots(1)
    await slots.acquire(None)
    first = asyncio.ensure_future(slots.acquire(None))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(slots.acquire(None))
    await asyncio.sleep(0)  # both queue, in order
    slots.release()  # hands the slot to the first...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    with anyio.fail_after(1):
        await second  # the turn came to the second instead of being lost
    assert slots.held == 1
    assert slots.waiting == 0


async def test_closing_fails_every_waiter_and_later_acquisitions() -> None:
    """close() fails the queued waiters at once, and every later acquire."""
    slots = Slots(1)
    await slots.acquire(None)
    failures: list[BaseException] = []

    async def wait() -> None:
        try:
            await slots.acquire(30.0)
        except SlotsClosed as exc:
            failures.append(exc)

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(wait)
            await anyio.sleep(0.02)
            slots.close()
    assert len(failures) == 3
    with pytest.raises(SlotsClosed):
        await slots.acquire(None)
    assert slots.closed

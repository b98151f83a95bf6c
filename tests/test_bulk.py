"""The bounded concurrent map under bulk jobs: accounting, order, concurrency, cancellation."""

from __future__ import annotations

import anyio
import pytest

from timeclients._bulk import run_bulk
from timeclients.errors import ServerError, TimeClientsError


@pytest.mark.anyio
async def test_every_item_accounted_for_in_input_order() -> None:
    """Successes come back in input order, failures keyed, and progress reaches (n, n)."""
    keys = [f"u{i}" for i in range(30)]
    progress: list[tuple[int, int]] = []

    async def call(key: str) -> str:
        await anyio.sleep(0.001 * (hash(key) % 3))
        if key.endswith("7"):
            raise ServerError("boom", status=503)
        return key.upper()

    outcome = await run_bulk(
        keys, call, concurrency=5, on_progress=lambda d, t: progress.append((d, t))
    )
    assert outcome.succeeded == [k for k in keys if not k.endswith("7")]
    assert set(outcome.failed) == {"u7", "u17", "u27"}
    assert progress[-1] == (30, 30)
    assert [d for d, _ in progress] == list(range(1, 31))
    assert outcome.last is not None


@pytest.mark.anyio
async def test_concurrency_is_bounded() -> None:
    """Never more than ``concurrency`` calls run at once."""
    running = peak = 0

    async def call(key: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.002)
        running -= 1

    await run_bulk(list(range(40)), call, concurrency=4)
    assert peak == 4


@pytest.mark.anyio
async def test_unexpected_exception_is_an_item_failure() -> None:
    """A bug in one item's call is recorded for that item; the others still run."""

    async def call(key: int) -> int:
        if key == 2:
            raise KeyError("oops")
        return key

    outcome = await run_bulk([1, 2, 3], call, concurrency=2)
    assert outcome.succeeded == [1, 3]
    assert isinstance(outcome.failed[2], TimeClientsError)
    assert isinstance(outcome.failed[2].__cause__, KeyError)


@pytest.mark.anyio
async def test_cancellation_stops_new_calls() -> None:
    """After the caller is cancelled, no further call starts."""
    started: list[int] = []

    async def call(key: int) -> None:
        started.append(key)
        await anyio.sleep(1)

    with anyio.move_on_after(0.05):
        await run_bulk(list(range(100)), call, concurrency=3)
    count = len(started)
    await anyio.sleep(0.05)
    assert count == len(started) == 3


@pytest.mark.anyio
async def test_empty_input() -> None:
    """No items: nothing runs, nothing fails."""

    async def call(key: str) -> None:
        raise AssertionError("not called")

    outcome = await run_bulk([], call, concurrency=4)
    assert outcome.succeeded == []
    assert outcome.failed == {}
    assert outcome.last is None


@pytest.mark.anyio
async def test_progress_callback_error_stops_the_run_and_propagates_as_itself() -> None:
    """A failing on_progress cancels the job and its own exception reaches the caller."""
    started: list[int] = []

    async def call(key: int) -> None:
        started.append(key)
        await anyio.sleep(0.001)

    def progress(done: int, total: int) -> None:
        if done == 3:
            raise RuntimeError("display broke")

    with pytest.raises(RuntimeError, match="display broke"):
        await run_bulk(list(range(50)), call, concurrency=4, on_progress=progress)
    assert len(started) < 50

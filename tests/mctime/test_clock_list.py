"""``clock.list``: the whole walk through the client, against a live, shifting fake McTime."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import httpx
import pytest

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients.errors import AuthenticationError, ServerError, ValidationError
from timeclients.mctime import ClockList, ItemError

from ..conftest import FakeClock
from .fakes import FakeMcTime, entry


def people(count: int) -> list[dict[str, Any]]:
    return [entry(n) for n in range(count)]


def ids(count: int) -> list[str]:
    return [f"entry-{n:04d}" for n in range(count)]


def walker_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t.get_name().startswith("page ")}


@pytest.mark.anyio
async def test_every_entry_comes_once_in_page_order() -> None:
    """95 people over 5 pages: each entry once, in the server's order, the totals kept."""
    server = FakeMcTime(people(95))
    server.checkpoints = 3
    async with server.client() as client:
        clocks = client.clock.list()
        assert isinstance(clocks, ClockList)
        got = [s.id async for s in clocks]
    assert got == ids(95)
    assert sorted(server.pages_requested) == [1, 2, 3, 4, 5]
    assert server.pages_requested[0] == 1
    assert clocks.total_items == 95
    assert clocks.last_page == 5
    assert clocks.item_errors == []


@pytest.mark.anyio
async def test_someone_clocking_in_between_page_1_and_2_is_no_duplicate() -> None:
    """A clock-in before page 2 pushes entry 19 onto page 2: it is yielded once, none lost."""
    server = FakeMcTime(people(45))
    server.before_page[2] = lambda s: s.entries.insert(0, entry(9000))
    async with server.client() as client:
        got = [s.id async for s in client.clock.list()]
    assert len(got) == len(set(got))
    assert set(ids(45)) <= set(got)
    assert got[:20] == ids(20)
    assert got.count("entry-0019") == 1


@pytest.mark.anyio
async def test_someone_clocking_out_between_pages_can_be_missed() -> None:
    """The documented limit of offset pages: a clock-out before page 2 hides one entry.

    Entry 20 moves back onto page 1, already read. The walk does not re-read pages (that
    would double the requests); it yields no duplicate and nothing that was not there.
    """
    server = FakeMcTime(people(45))
    server.before_page[2] = lambda s: s.entries.pop(0)
    async with server.client(page_concurrency=1) as client:
        got = [s.id async for s in client.clock.list()]
    assert len(got) == len(set(got))
    assert set(got) <= set(ids(45))
    assert "entry-0020" not in got
    assert len(got) == 44


@pytest.mark.anyio
async def test_never_more_than_page_concurrency_requests_in_flight() -> None:
    """``rate_limit=None`` and ``page_concurrency=3``: at most (and here exactly) 3 at once."""
    server = FakeMcTime(people(200))
    server.checkpoints = 10
    async with server.client(rate_limit=None, page_concurrency=3) as client:
        got = [s.id async for s in client.clock.list()]
    assert len(got) == 200
    assert server.max_in_flight == 3


@pytest.mark.anyio
async def test_the_list_can_override_the_client_concurrency() -> None:
    """``clock.list(page_concurrency=n)`` bounds that list only; a bad value is refused."""
    server = FakeMcTime(people(200))
    server.checkpoints = 10
    async with server.client(page_concurrency=2) as client:
        assert [s.id async for s in client.clock.list(page_concurrency=6)] == ids(200)
        assert server.max_in_flight == 6
        with pytest.raises(ValidationError):
            client.clock.list(page_concurrency=0)


@pytest.mark.anyio
async def test_pages_stay_within_the_rate_limit(fake_clock: FakeClock) -> None:
    """Every page request goes through the key's limiter: never more than 10 in any second."""
    server = FakeMcTime(people(30 * 20))
    sent_at: list[float] = []
    inner = server.handle

    async def timed(request: httpx.Request) -> httpx.Response:
        sent_at.append(fake_clock.now())
        return await inner(request)

    pool = HttpPool(transport=httpx.MockTransport(timed), clock=fake_clock)
    async with server.client(pool=pool, rate_limit=RateLimit(10, 1.0), page_concurrency=8) as c:
        got = [s.id async for s in c.clock.list()]
    await pool.aclose()
    assert len(got) == 600
    assert len(sent_at) == 30
    for i in range(len(sent_at) - 10):
        assert sent_at[i + 10] - sent_at[i] >= 1.0  # any 11 sends span more than a second


@pytest.mark.anyio
async def test_item_errors_are_collected_once_and_the_other_items_kept() -> None:
    """Per-item 400s from any page end up in ``item_errors``; every clock item is still yielded."""
    server = FakeMcTime(people(45))
    hidden = {"userId": "hidden", "status": 400, "message": "User not visible"}
    server.extra_items = {1: [hidden], 2: [hidden, {"userId": "gone", "code": 400}]}
    async with server.client() as client:
        clocks = client.clock.list(user_ids=["hidden", "gone", "user-0001"])
        got = [s.id async for s in clocks]
    assert got == ids(45)
    assert clocks.item_errors == [
        ItemError("hidden", 400, "User not visible"),
        ItemError("gone", 400, ""),
    ]
    assert server.requests[0].url.params.get_list("userIds") == ["hidden", "gone", "user-0001"]


@pytest.mark.anyio
async def test_a_page_of_only_item_errors_is_not_the_end() -> None:
    """Only forbidden users asked for: no entries, but the item errors are reported."""
    server = FakeMcTime([])
    server.extra_items = {1: [{"userId": "x", "status": 400, "message": "no"}]}
    async with server.client() as client:
        clocks = client.clock.list(user_ids=["x"])
        assert [s async for s in clocks] == []
    assert clocks.item_errors == [ItemError("x", 400, "no")]


@pytest.mark.anyio
async def test_pages_gives_clock_pages_with_repeats_removed() -> None:
    """``pages()`` yields ClockPage objects in order; a shifted entry appears on one page only."""
    server = FakeMcTime(people(45))
    server.before_page[2] = lambda s: s.entries.insert(0, entry(9000))
    async with server.client() as client:
        clocks = client.clock.list()
        pages = [p async for p in clocks.pages()]
    assert [p.page for p in pages] == [1, 2, 3]
    # 46 entries now: page 2 repeats entry 19 (removed), page 3 holds entries 39-44.
    assert [len(p.items) for p in pages] == [20, 19, 6]
    assert sorted(s.id for p in pages for s in p.items) == sorted(ids(45))
    assert pages[1].total_items == 46
    assert pages[2].total_pages == 3


@pytest.mark.anyio
async def test_a_page_count_that_grows_mid_walk_is_followed() -> None:
    """People clocking in during the walk add a page: it is fetched too."""
    server = FakeMcTime(people(40))
    server.before_page[2] = lambda s: s.entries.extend(entry(5000 + n) for n in range(10))
    async with server.client(page_concurrency=1) as client:
        got = [s.id async for s in client.clock.list()]
    assert len(got) == 50
    assert server.pages_requested == [1, 2, 3]


@pytest.mark.anyio
async def test_a_bad_key_fails_on_the_first_page() -> None:
    """401 from page 1 is an AuthenticationError at the first ``__anext__``."""
    server = FakeMcTime(people(45))
    pool = HttpPool(transport=server.transport())
    client = server.client(pool=pool)
    client._channel.set_credential({"API_KEY": "wrong"}, "other")
    with pytest.raises(AuthenticationError):
        async for _ in client.clock.list():
            pass
    await pool.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("context", [False, True], ids=["plain", "async-with"])
async def test_a_failing_page_raises_where_the_walk_reaches_it(context: bool) -> None:
    """Pages 1-2 are yielded, then page 3's ServerError (after retries), as itself."""
    server = FakeMcTime(people(100))
    server.fail[3] = httpx.Response(500, json={"message": "boom"})
    got: list[str] = []

    async def walk(clocks: ClockList) -> None:
        if context:
            async with clocks:
                async for s in clocks:
                    got.append(s.id)
        else:
            async for s in clocks:
                got.append(s.id)

    async with server.client(retry=RetryPolicy.none()) as client:
        clocks = client.clock.list()
        with pytest.raises(ServerError, match="boom"):
            await walk(clocks)
    assert got == ids(40)
    assert not walker_tasks()


@pytest.mark.anyio
async def test_early_break_then_aclose_leaves_no_request_running() -> None:
    """Plain ``async for`` + ``break`` + ``aclose()``: the prefetched requests are cancelled."""
    server = FakeMcTime(people(200))
    server.block = set(range(2, 11))
    async with server.client() as client:
        clocks = client.clock.list()
        async for _ in clocks:
            break
        while server.in_flight < 3:
            await anyio.lowlevel.checkpoint()
        await clocks.aclose()
        assert server.in_flight == 0
        assert sorted(server.cancelled) == [2, 3, 4]
        assert not walker_tasks()


@pytest.mark.anyio
async def test_early_break_inside_async_with_cancels_on_exit() -> None:
    """``async with client.clock.list() as clocks`` + ``break``: exit cancels the prefetch."""
    server = FakeMcTime(people(200))
    server.block = set(range(2, 11))
    async with server.client() as client:
        async with client.clock.list() as clocks:
            async for _ in clocks:
                break
            while server.in_flight < 3:
                await anyio.lowlevel.checkpoint()
        assert server.in_flight == 0
        assert sorted(server.cancelled) == [2, 3, 4]


@pytest.mark.anyio
async def test_an_abandoned_list_cancels_its_requests_when_dropped() -> None:
    """Best effort without ``aclose()``: dropping the list cancels its background fetches.

    The fetch tasks hold no reference to the list, so plain reference counting frees it (no
    cycle collection needed) and its finalizer cancels what is in flight.
    """
    server = FakeMcTime(people(200))
    server.block = set(range(2, 11))
    async with server.client() as client:
        clocks = client.clock.list()
        async for _ in clocks:
            break
        while server.in_flight < 3:
            await anyio.lowlevel.checkpoint()
        del clocks
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        assert server.in_flight == 0
        assert sorted(server.cancelled) == [2, 3, 4]
        assert not walker_tasks()


@pytest.mark.anyio
async def test_a_list_dropped_right_after_a_break_sends_nothing_more() -> None:
    """``async for s in client.clock.list(): break`` frees the list at once: no page 2 is sent."""
    server = FakeMcTime(people(200))
    async with server.client() as client:
        async for _ in client.clock.list():
            break
        for _ in range(10):
            await anyio.lowlevel.checkpoint()
    assert server.pages_requested == [1]
    assert not walker_tasks()


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
@pytest.mark.parametrize("context", [False, True], ids=["plain", "async-with"])
async def test_the_list_works_on_trio(context: bool) -> None:
    """On trio, plain iteration uses bounded windows and ``async with`` full prefetching."""
    server = FakeMcTime(people(95))
    server.checkpoints = 5
    async with server.client(page_concurrency=3) as client:
        clocks = client.clock.list()
        if context:
            async with clocks:
                got = [s.id async for s in clocks]
        else:
            got = [s.id async for s in clocks]
    assert got == ids(95)
    assert server.max_in_flight == 3
    assert clocks.mode == ("structured" if context else "bounded")


def test_the_list_repr_shows_progress_not_secrets() -> None:
    """``repr`` tells pages read and concurrency."""
    server = FakeMcTime(people(3))
    clocks = server.client(page_concurrency=2).clock.list()
    assert repr(clocks) == "<ClockList pages_read=0 last_page=None page_concurrency=2>"
    assert clocks.page_concurrency == 2

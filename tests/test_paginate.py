"""The paginators: page arithmetic, order, dedupe, bounds, errors and every way to stop early."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import anyio
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeclients._paginate import (
    MAX_PAGES,
    STALL_PAGES,
    PageWalk,
    last_page_number,
    pages_to_start,
    walk_sequential,
)
from timeclients.errors import DecodeError

SIZE = 3


@attrs.frozen
class Page:
    number: int
    items: list[str]
    total: int


class Source:
    """A live list served ``SIZE`` a page; counts fetches in flight and the pages started."""

    def __init__(self, count: int) -> None:
        self.ids = [f"id{i:03d}" for i in range(count)]
        self.in_flight = 0
        self.max_in_flight = 0
        self.started: list[int] = []
        self.cancelled: list[int] = []
        self.delays: dict[int, int] = {}
        self.default_delay = 3
        self.fail: dict[int, Exception] = {}
        self.block: set[int] = set()
        self.before: dict[int, Callable[[Source], None]] = {}
        self.total_override: Callable[[int], int] | None = None

    def snapshot(self, number: int) -> Page:
        hook = self.before.get(number)
        if hook is not None:
            hook(self)
        items = self.ids[(number - 1) * SIZE : number * SIZE]
        total = -(-len(self.ids) // SIZE)
        if self.total_override is not None:
            total = self.total_override(number)
        return Page(number, items, total)

    async def fetch(self, number: int) -> Page:
        self.started.append(number)
        # The page is read when the request "arrives", i.e. in the order requests were sent.
        page = self.snapshot(number)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if number in self.block:
                try:
                    await anyio.sleep_forever()
                except anyio.get_cancelled_exc_class():
                    self.cancelled.append(number)
                    raise
            for _ in range(self.delays.get(number, self.default_delay)):
                await anyio.lowlevel.checkpoint()
            if number in self.fail:
                raise self.fail[number]
            return page
        finally:
            self.in_flight -= 1


def walk(source: Source, concurrency: int = 3, **kwargs: Any) -> PageWalk[Page, str]:
    return PageWalk(
        source.fetch,
        items=lambda p: p.items,
        total_pages=lambda p: p.total,
        key=lambda item: item,
        concurrency=concurrency,
        unique_page=lambda p, fresh: attrs.evolve(p, items=fresh),
        **kwargs,
    )


def walker_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t.get_name().startswith("page ")}


# --- walk_sequential ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_walk_sequential_stops_at_the_last_page_and_skips_repeats() -> None:
    """The Clockify walker reads pages one by one until told it is the last, deduping by key."""
    pages = {1: ["a", "b"], 2: ["b", "c"], 3: ["d"], 4: ["never"]}
    fetched: list[int] = []

    async def fetch(n: int) -> list[str]:
        fetched.append(n)
        return pages[n]

    got = [
        x
        async for x in walk_sequential(
            fetch, items=lambda p: p, is_last=lambda p, n: n == 3, key=lambda x: x
        )
    ]
    assert got == ["a", "b", "c", "d"]
    assert fetched == [1, 2, 3]


@pytest.mark.anyio
async def test_walk_sequential_ends_on_an_empty_page() -> None:
    """An empty page ends the sequential walk even if ``is_last`` says otherwise."""

    async def fetch(n: int) -> list[int]:
        return [n] if n < 3 else []

    got = [x async for x in walk_sequential(fetch, items=lambda p: p, is_last=lambda p, n: False)]
    assert got == [1, 2]


# --- page arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "total", "last"), [(1, 0, 0), (1, 1, 1), (1, 24, 24), (0, 3, 2), (1, -5, 0)]
)
def test_last_page_number(first: int, total: int, last: int) -> None:
    """The last page number follows from the first and the count; no count means no more."""
    assert last_page_number(first, total) == last


@pytest.mark.parametrize(
    ("position", "started", "concurrency", "last", "expected"),
    [
        (1, 1, 4, 24, [2, 3, 4]),  # page 1 held: three more behind it
        (2, 4, 4, 24, [5]),  # page 1 released: one more
        (2, 4, 4, 4, []),  # nothing past the last page
        (1, 1, 1, 24, []),  # sequential: nothing ahead
        (5, 1, 2, 24, [5, 6]),  # a position ahead of what was started
        (1, 1, 4, 0, []),  # no pages at all
    ],
)
def test_pages_to_start_table(
    position: int, started: int, concurrency: int, last: int, expected: list[int]
) -> None:
    """The window to fill is [position, position + concurrency), never past the last page."""
    assert list(pages_to_start(position, started, concurrency, last)) == expected


@given(
    concurrency=st.integers(1, 12),
    last=st.integers(0, 60),
    first=st.integers(0, 3),
)
def test_pages_to_start_over_a_whole_walk(concurrency: int, last: int, first: int) -> None:
    """Walking position by position starts every page once, in order, within the window."""
    started = first
    order: list[int] = []
    for position in range(first, max(first, last) + 1):
        new = pages_to_start(position, started, concurrency, last)
        for n in new:
            assert position <= n < position + concurrency
            assert n <= last
        order.extend(new)
        if new:
            started = new[-1]
        # Pages held: the one at ``position`` and those started ahead of it.
        assert max(started, position) - position + 1 <= concurrency
    assert order == list(range(first + 1, last + 1))


# --- PageWalk: order, dedupe, bounds --------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("context", [False, True], ids=["background", "structured"])
async def test_items_come_in_page_order_even_when_pages_finish_out_of_order(context: bool) -> None:
    """Later pages answering first changes nothing: items are yielded in page order."""
    source = Source(30)  # 10 pages
    source.delays = {n: 40 - 4 * n for n in range(1, 11)}  # page 10 fastest
    w = walk(source, concurrency=4)
    if context:
        async with w:
            got = [x async for x in w]
    else:
        got = [x async for x in w]
    assert got == source.ids
    assert sorted(source.started) == list(range(1, 11))
    assert source.max_in_flight == 4
    assert w.mode == ("structured" if context else "background")


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_bounded_mode_on_trio_keeps_the_bounds_and_the_order() -> None:
    """Without a context on trio, windows are fetched together: concurrent, bounded, ordered."""
    source = Source(30)
    source.delays = {n: 40 - 4 * n for n in range(1, 11)}
    w = walk(source, concurrency=4)
    got = [x async for x in w]
    assert got == source.ids
    assert w.mode == "bounded"
    assert source.max_in_flight == 4
    assert sorted(source.started) == list(range(1, 11))


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_structured_mode_works_on_trio() -> None:
    """``async with`` gives full prefetching on trio too."""
    source = Source(30)
    async with walk(source, concurrency=3) as w:
        got = [x async for x in w]
    assert got == source.ids
    assert w.mode == "structured"
    assert source.max_in_flight == 3


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["background", "structured", "bounded"])
async def test_a_slow_consumer_never_has_more_pages_held_than_the_concurrency(mode: str) -> None:
    """Fetched-ahead pages are bounded by the consumer's position, not by the total."""
    source = Source(60)  # 20 pages
    source.default_delay = 0
    concurrency = 3
    w = walk(source, concurrency=concurrency)
    if mode == "bounded":  # force the fallback on asyncio to check its bound the same way
        w._mode = "bounded"

    async def consume() -> None:
        async for item in w:
            position = int(item[2:]) // SIZE + 1  # the page this item came from
            for _ in range(10):  # slow consumer: the fetches could run far ahead
                await anyio.lowlevel.checkpoint()
            assert max(source.started) <= position + concurrency - 1

    if mode == "structured":
        async with w:
            await consume()
    else:
        await consume()
    assert sorted(source.started) == list(range(1, 21))


@pytest.mark.anyio
async def test_concurrency_one_is_sequential() -> None:
    """With concurrency 1 no page is fetched ahead: one request at a time, in order."""
    source = Source(12)
    got = [x async for x in walk(source, concurrency=1)]
    assert got == source.ids
    assert source.started == [1, 2, 3, 4]
    assert source.max_in_flight == 1


@pytest.mark.anyio
async def test_an_item_pushed_onto_the_next_page_is_yielded_once() -> None:
    """Someone inserted before page 2 is read pushes an item onto it: no duplicate, no loss."""
    source = Source(9)
    source.before[2] = lambda s: s.ids.insert(0, "new")
    got = [x async for x in walk(source)]
    assert len(got) == len(set(got))
    assert set(source.ids) - {"new"} <= set(got)


@given(
    count=st.integers(0, 40),
    concurrency=st.integers(1, 6),
    # Fewer insertions than two pages' worth: three pages in a row of nothing new (which the
    # walk takes for a server that is not advancing) would need at least three pages' worth.
    inserts=st.lists(st.tuples(st.integers(1, 15), st.integers(0, 40)), max_size=2 * SIZE - 1),
)
@settings(max_examples=60, deadline=None)
def test_insertions_never_cause_a_duplicate_or_a_loss(
    count: int, concurrency: int, inserts: list[tuple[int, int]]
) -> None:
    """Whatever people clock in before whichever page, every original entry comes exactly once.

    Pages are served in the order they were requested (as one server does); insertions only
    push entries forward, so dedupe alone keeps the walk exact.
    """
    source = Source(count)
    source.default_delay = 1
    for index, (page, at) in enumerate(inserts):
        previous = source.before.get(page)

        def hook(s: Source, at: int = at, index: int = index, previous: Any = previous) -> None:
            if previous is not None:
                previous(s)
            s.ids.insert(min(at, len(s.ids)), f"new{index}")

        source.before[page] = hook
    original = list(source.ids)

    async def run() -> list[str]:
        return [x async for x in walk(source, concurrency=concurrency)]

    got = anyio.run(run)
    assert len(got) == len(set(got))
    assert set(original) <= set(got)
    assert [x for x in got if x in original] == original  # still in list order


@pytest.mark.anyio
async def test_pages_yields_each_page_with_only_first_seen_items() -> None:
    """``pages()`` delivers pages in order, repeats removed, the totals as the vendor sent them."""
    source = Source(9)
    source.before[2] = lambda s: s.ids.insert(0, "new")
    pages = [p async for p in walk(source).pages()]
    assert [p.number for p in pages] == [1, 2, 3, 4]
    assert pages[0].items == ["id000", "id001", "id002"]
    assert pages[1].items == ["id003", "id004"]  # id002 moved here and is not repeated
    assert pages[1].total == 4


@pytest.mark.anyio
async def test_a_growing_page_count_is_followed() -> None:
    """A later page saying there are more pages makes the walk fetch them."""
    source = Source(9)  # 3 pages
    source.before[2] = lambda s: s.ids.extend(f"late{i}" for i in range(6))  # now 5 pages
    got = [x async for x in walk(source, concurrency=2)]
    assert got[-6:] == [f"late{i}" for i in range(6)]
    assert sorted(source.started) == [1, 2, 3, 4, 5]


@pytest.mark.anyio
async def test_a_shrinking_list_ends_on_the_first_empty_page() -> None:
    """When pages empty out under the walk, the first empty page ends it and is not delivered."""
    source = Source(15)  # 5 pages
    source.default_delay = 0
    source.before[2] = lambda s: s.ids.__delitem__(slice(6, None))  # 2 pages left
    w = walk(source, concurrency=1)
    pages = [p async for p in w.pages()]
    assert [p.number for p in pages] == [1, 2]
    assert source.started == [1, 2, 3]


@pytest.mark.anyio
async def test_an_empty_first_page_is_delivered_and_ends_the_walk() -> None:
    """No one at all: page 1 (with its zero totals) is the only page."""
    source = Source(0)
    pages = [p async for p in walk(source).pages()]
    assert pages == [Page(1, [], 0)]
    assert source.started == [1]


# --- errors and stopping early -------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["background", "structured", "bounded"])
async def test_an_error_surfaces_at_its_page_and_stops_the_walk(mode: str) -> None:
    """Items before the failing page arrive; then its error, as itself; then nothing runs."""
    loop_errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, ctx: loop_errors.append(ctx))
    source = Source(30)
    source.fail[3] = Boom("page 3")
    w = walk(source, concurrency=4)
    if mode == "bounded":
        # A bounded window is waited on whole (pages 2..5 for page 2): nothing may block.
        w._mode = "bounded"
    else:
        source.block = {5, 6}
    got: list[str] = []

    async def consume(w: PageWalk[Page, str]) -> None:
        if mode == "structured":
            async with w:
                async for item in w:
                    got.append(item)
        else:
            async for item in w:
                got.append(item)

    with pytest.raises(Boom, match="page 3"):
        await consume(w)
    assert got == source.ids[:6]
    with pytest.raises(StopAsyncIteration):
        await w.__anext__()
    assert w.in_flight == 0
    assert not walker_tasks()
    if mode != "bounded":  # cancelled as soon as page 3 failed, before it was reached
        assert sorted(source.cancelled) == [5, 6]
    else:
        assert sorted(source.started) == [1, 2, 3, 4, 5]
    del w
    gc.collect()
    await anyio.lowlevel.checkpoint()
    assert loop_errors == []


@pytest.mark.anyio
async def test_an_error_on_the_first_page_raises_at_once() -> None:
    """Page 1 failing raises from the first ``__anext__``; nothing else is fetched."""
    source = Source(30)
    source.fail[1] = Boom("page 1")
    with pytest.raises(Boom):
        async for _ in walk(source):
            pass
    assert source.started == [1]


@pytest.mark.anyio
async def test_early_break_then_aclose_cancels_background_fetches() -> None:
    """Leaving a plain ``async for`` and calling ``aclose()`` leaves no fetch running."""
    source = Source(30)
    source.block = set(range(2, 11))
    w = walk(source, concurrency=4)
    async for _ in w:
        break
    while source.in_flight < 3:  # pages 2..4 were started behind page 1
        await anyio.lowlevel.checkpoint()
    assert walker_tasks()
    await w.aclose()
    assert not walker_tasks()
    assert sorted(source.cancelled) == [2, 3, 4]
    assert sorted(source.started) == [1, 2, 3, 4]
    with pytest.raises(StopAsyncIteration):
        await w.__anext__()


@pytest.mark.anyio
async def test_early_break_inside_the_context_cancels_on_exit() -> None:
    """Leaving ``async with`` (here by ``break``) cancels the task group's fetches."""
    source = Source(30)
    source.block = set(range(2, 11))
    async with walk(source, concurrency=4) as w:
        async for _ in w:
            break
        while source.in_flight < 3:
            await anyio.lowlevel.checkpoint()
    assert sorted(source.cancelled) == [2, 3, 4]
    assert source.in_flight == 0


@pytest.mark.anyio
async def test_an_abandoned_walk_is_cancelled_when_collected() -> None:
    """Best effort: a walk left without ``aclose()`` cancels its fetches when collected."""
    source = Source(30)
    source.block = set(range(2, 11))
    w = walk(source, concurrency=4)
    async for _ in w:
        break
    while source.in_flight < 3:
        await anyio.lowlevel.checkpoint()
    del w  # reference counting frees it: the fetch tasks do not refer to the walk
    for _ in range(5):
        await anyio.lowlevel.checkpoint()
    assert sorted(source.cancelled) == [2, 3, 4]
    assert not walker_tasks()


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_early_break_on_trio_leaves_nothing_running() -> None:
    """In bounded mode nothing runs between two ``__anext__`` calls, so a break is clean."""
    source = Source(30)
    w = walk(source, concurrency=4)
    async for item in w:
        if item == "id004":  # page 2: its window 2..5 was fetched together
            break
    assert source.in_flight == 0
    await w.aclose()
    assert sorted(source.started) == [1, 2, 3, 4, 5]


@pytest.mark.anyio
async def test_cancelling_the_consumer_inside_the_context_is_clean() -> None:
    """An outer cancel scope ends the walk and its fetches without any error escaping."""
    source = Source(30)
    source.block = set(range(2, 11))
    with anyio.CancelScope() as scope:
        async with walk(source, concurrency=4) as w:
            async for _ in w:
                scope.cancel()
                await anyio.sleep(5)
    assert scope.cancelled_caught
    assert sorted(source.cancelled) == [2, 3, 4]


@pytest.mark.anyio
async def test_the_context_lets_other_errors_through_unwrapped() -> None:
    """An error in the body of ``async with`` comes out as itself, not in an ExceptionGroup."""
    source = Source(30)
    source.block = set(range(2, 11))

    async def body() -> None:
        async with walk(source) as w:
            async for _ in w:
                raise KeyError("body")

    with pytest.raises(KeyError):
        await body()
    assert source.in_flight == 0


@pytest.mark.anyio
async def test_items_and_pages_cannot_be_mixed() -> None:
    """One walk is read either item by item or page by page."""
    w = walk(Source(9))
    await w.__anext__()
    with pytest.raises(RuntimeError, match="not both"):
        w.pages()
    await w.aclose()


@pytest.mark.anyio
async def test_the_context_must_come_before_iteration() -> None:
    """Entering the context of a walk already prefetching in the background is refused."""
    w = walk(Source(30))
    await w.__anext__()
    with pytest.raises(RuntimeError, match="before iterating"):
        await w.__aenter__()
    await w.aclose()


@pytest.mark.parametrize("bad", [0, -1, True, 2.0])
def test_concurrency_must_be_a_positive_int(bad: object) -> None:
    """A concurrency of 0, a negative, a bool or a float is refused at construction."""
    with pytest.raises(ValueError, match="concurrency"):
        walk(Source(3), concurrency=bad)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_aclose_from_another_task_ends_a_waiting_consumer() -> None:
    """A consumer waiting for a page sees the walk end when another task closes it."""
    source = Source(30)
    source.block = set(range(2, 11))
    w = walk(source, concurrency=3)
    got: list[str] = []

    async def consume() -> None:
        async for item in w:
            got.append(item)

    async with anyio.create_task_group() as group:
        group.start_soon(consume)
        while source.in_flight < 3:  # the consumer waits for page 2; 3 and 4 run behind it
            await anyio.lowlevel.checkpoint()
        await w.aclose()
    assert got == source.ids[:3]
    assert sorted(source.cancelled) == [2, 3, 4]


# --- walks that would never end ------------------------------------------------------------------


async def collect(items: Any, into: list[Any]) -> None:
    """Append every item of an async iterator to ``into`` (kept when the walk raises)."""
    async for item in items:
        into.append(item)


@pytest.mark.anyio
async def test_walk_sequential_refuses_a_server_that_repeats_its_page() -> None:
    """The same full page every time (the page number ignored, no last-page mark): a
    DecodeError after STALL_PAGES pages of nothing new, not an endless walk."""
    fetched: list[int] = []

    async def fetch(n: int) -> list[str]:
        fetched.append(n)
        return ["a", "b", "c"]

    got: list[str] = []
    pages = walk_sequential(fetch, items=lambda p: p, is_last=lambda p, n: False, key=lambda x: x)
    with pytest.raises(DecodeError, match="not advancing"):
        await collect(pages, got)
    assert got == ["a", "b", "c"]
    assert fetched == list(range(1, STALL_PAGES + 2))


@pytest.mark.anyio
async def test_one_page_of_nothing_new_is_not_a_stall() -> None:
    """A single page of items already seen (a burst of insertions) does not stop the walk."""
    pages = {1: ["a", "b"], 2: ["a", "b"], 3: ["c"]}

    async def fetch(n: int) -> list[str]:
        return pages[n]

    got = [
        x
        async for x in walk_sequential(
            fetch, items=lambda p: p, is_last=lambda p, n: n == 3, key=lambda x: x
        )
    ]
    assert got == ["a", "b", "c"]


@pytest.mark.anyio
async def test_walk_sequential_has_a_page_ceiling() -> None:
    """A server that sends new items for ever is stopped at max_pages with a DecodeError."""
    fetched: list[int] = []

    async def fetch(n: int) -> list[int]:
        fetched.append(n)
        return [n]

    with pytest.raises(DecodeError, match="after 5 pages"):
        async for _ in walk_sequential(
            fetch, items=lambda p: p, is_last=lambda p, n: False, key=lambda x: x, max_pages=5
        ):
            pass
    assert fetched == [1, 2, 3, 4, 5]
    assert MAX_PAGES >= 10_000


@pytest.mark.anyio
@pytest.mark.parametrize("concurrency", [1, 4])
async def test_page_walk_refuses_a_server_that_repeats_its_page(concurrency: int) -> None:
    """The concurrent walker: the same page for every number, claiming many pages, is a
    DecodeError within a window of the stall, and leaves no fetch running."""
    source = Source(SIZE)
    source.total_override = lambda number: 1000
    source.snapshot = lambda number: Page(number, ["x", "y", "z"], 1000)  # type: ignore[method-assign]
    listing = walk(source, concurrency=concurrency)
    with pytest.raises(DecodeError, match="not advancing"):
        async for _ in listing:
            pass
    assert len(source.started) <= STALL_PAGES + 1 + concurrency
    assert not walker_tasks() - {asyncio.current_task()}


@pytest.mark.anyio
async def test_page_walk_has_a_page_ceiling() -> None:
    """A first page claiming more pages than the ceiling is a DecodeError at once."""
    source = Source(6)
    source.total_override = lambda number: 10**9
    with pytest.raises(DecodeError, match="after 50 pages"):
        async for _ in walk(source, max_pages=50):
            pass
    assert source.started == [1]


@pytest.mark.anyio
async def test_clockify_users_list_against_a_server_ignoring_the_page() -> None:
    """Clockify users.list on a server that ignores ?page= (the same full page, no Last-Page):
    a DecodeError after a handful of requests, not thousands."""
    import httpx

    from timeclients import ClockifyClient, HttpPool

    requests: list[httpx.Request] = []
    full_page = [{"id": f"u{i}", "email": f"u{i}@example.com", "name": f"U {i}"} for i in range(50)]

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=full_page)

    async with HttpPool(transport=httpx.MockTransport(handler)) as pool:
        client = ClockifyClient(api_key="k", pool=pool, rate_limit=None)
        seen: list[Any] = []
        with pytest.raises(DecodeError, match="not advancing"):
            await collect(client.users.list("w1"), seen)
    assert len({user.id for user in seen}) == 50
    assert len(requests) == STALL_PAGES + 1


@pytest.mark.anyio
async def test_mctime_clock_list_against_a_server_repeating_page_one() -> None:
    """McTime clock.list on a server that answers page 1 for every page number while claiming
    a thousand pages: a DecodeError, with a bounded number of requests."""
    import httpx

    from timeclients import HttpPool, McTimeClient
    from timeclients.testing import Emulator

    emulator = Emulator(seed=5)
    org = emulator.seed_mctime_organization(users=20)
    async with HttpPool(transport=emulator.transport()) as pool:
        page_one = await McTimeClient(api_key=org.manager_key, pool=pool).request("GET", "/clock")
    page_one["totalCount"] = 1000
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=page_one)

    async with HttpPool(transport=httpx.MockTransport(handler)) as pool:
        client = McTimeClient(api_key="k", pool=pool, rate_limit=None)
        async with client.clock.list() as listing:
            with pytest.raises(DecodeError, match="not advancing"):
                await collect(listing, [])
    assert len(requests) <= STALL_PAGES + 1 + client.page_concurrency

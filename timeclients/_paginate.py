"""Async pagination shared by the adapters: walk pages in order, yield items once each.

Two walkers:

* :func:`walk_sequential` — for APIs that say where the end is only page by page (Clockify's
  ``Last-Page`` header): one request at a time, one page in memory.
* :class:`PageWalk` — for APIs whose first page tells how many pages there are (McTime's
  ``totalCount``): page 1 first, then the rest with at most ``concurrency`` requests in flight,
  items yielded in page order.

Both drop an item whose key was already yielded, and both refuse to walk without end:
:data:`STALL_PAGES` pages in a row that hold nothing but items already yielded (a server that
ignores the page number and sends the same page again) are a
:class:`~timeclients.errors.DecodeError`, and so is a walk that would go past ``max_pages``
(default :data:`MAX_PAGES`). One such page alone is not: under a live walk, a burst of
insertions can push a whole (small, or last) page of seen items onto the next page.

Offset pagination over live data shifts: someone inserted before an item pushes it onto the
next page (it would be seen twice — the dedupe handles that), someone removed before it pulls
it back onto a page already read (it is then missed; nothing short of reading the pages again
can notice that, and neither walker re-reads by default). The ``seen`` set holds one key per
item yielded, not the items.

How :class:`PageWalk` prefetches, and why it is a class rather than an async generator: an
async generator that holds a task group across ``yield`` breaks when its consumer leaves the
loop early (the finalizer closes it from another task, and anyio then cancels the consumer).
So the walk keeps its fetches in one of three places, chosen on first need:

* **structured** — inside ``async with walk:``, a task group owned by that context;
* **background** — plain ``async for`` on asyncio: ``asyncio`` tasks tied to no one's stack,
  cancelled on :meth:`PageWalk.aclose`, on exhaustion, on an error and (best effort) when the
  walk is garbage-collected;
* **bounded** — plain ``async for`` on any other backend (trio), where a task cannot outlive
  the caller's stack: each time the next page is missing, the whole window is fetched
  concurrently inside that one ``__anext__`` call. Still concurrent, only less so.

Whatever the mode: at most ``concurrency`` requests in flight and at most ``concurrency``
pages held (the page being yielded, those in flight and those fetched ahead), an error of a
page fetch reaches the consumer when the walk arrives at that page, and after
:meth:`~PageWalk.aclose` (or leaving the ``async with``) no fetch is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import anyio
import anyio.abc

from .errors import DecodeError

__all__ = [
    "MAX_PAGES",
    "STALL_PAGES",
    "PageWalk",
    "StallGuard",
    "last_page_number",
    "pages_to_start",
    "walk_sequential",
]

#: The most pages one walk reads: 10,000 pages of 50 are half a million members, far beyond
#: any real workspace; a server that never says "last page" cannot hold a caller for ever.
MAX_PAGES = 10_000
#: Pages in a row with nothing new after which a walk is declared stuck.
STALL_PAGES = 3

P = TypeVar("P")
T = TypeVar("T")
W = TypeVar("W", bound="PageWalk[Any, Any]")

Mode = Literal["structured", "background", "bounded"]


async def walk_sequential(
    fetch: Callable[[int], Awaitable[P]],
    *,
    items: Callable[[P], Sequence[T]],
    is_last: Callable[[P, int], bool],
    key: Callable[[T], Hashable] | None = None,
    first_page: int = 1,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[T]:
    """Fetch page ``first_page``, ``first_page + 1``, ... until ``is_last(page, number)``.

    For APIs that say where the end is only page by page (Clockify's ``Last-Page`` header):
    one page in memory at a time. With ``key``, an item seen on an earlier page (pages shift
    when the data changes under the walk) is not yielded twice. An empty page always ends it.

    Raises:
        DecodeError: :data:`STALL_PAGES` pages in a row held only items earlier pages had
            (the server is not advancing), or there were more after ``max_pages`` pages.
    """
    seen: set[Hashable] = set()
    stall = StallGuard()
    number = first_page
    while True:
        page = await fetch(number)
        batch = items(page)
        fresh = fresh_items(batch, key, seen)
        if key is not None:
            stall.check(number, batch, fresh)
        for item in fresh:
            yield item
        if not batch or is_last(page, number):
            return
        if number - first_page + 1 >= max_pages:
            raise _too_many_pages(max_pages)
        number += 1


class StallGuard:
    """Counts pages in a row that brought nothing new; raises at :data:`STALL_PAGES`.

    Pages shift under a live walk by a few items, so one page of nothing new can happen; a
    run of them is a server sending the same page again (one that ignores the page number,
    say), which would otherwise be walked for ever.
    """

    __slots__ = ("_run",)

    def __init__(self) -> None:
        self._run = 0

    def check(self, number: int, batch: Sequence[object], fresh: Sequence[object]) -> None:
        """Record page ``number`` (its items and the new ones among them)."""
        if not batch or fresh:
            self._run = 0
            return
        self._run += 1
        if self._run >= STALL_PAGES:
            raise DecodeError(
                f"pages {number - self._run + 1}-{number} held only items that earlier pages "
                "already had: the server is not advancing through the pages (it may ignore "
                "the page number); stopped"
            )


def _too_many_pages(max_pages: int) -> DecodeError:
    return DecodeError(
        f"the server still had more after {max_pages:,} pages: stopped at the walk's ceiling "
        "(a server that never marks its last page would be walked for ever)"
    )


def fresh_items(
    batch: Sequence[T], key: Callable[[T], Hashable] | None, seen: set[Hashable]
) -> list[T]:
    """The items of ``batch`` whose key is not in ``seen`` (which learns them), in order.

    Pages shift when the data changes under a walk: an item can show up on two pages.
    """
    if key is None:
        return list(batch)
    fresh = []
    for item in batch:
        k = key(item)
        if k not in seen:
            seen.add(k)
            fresh.append(item)
    return fresh


# --- page arithmetic (pure) -------------------------------------------------------------------


def last_page_number(first_page: int, total_pages: int) -> int:
    """The number of the last page when there are ``total_pages`` pages from ``first_page``.

    A count of 0 (or a nonsensical negative one) gives ``first_page - 1``: nothing after the
    first page.
    """
    return first_page + max(0, total_pages) - 1


def pages_to_start(position: int, started: int, concurrency: int, last: int) -> range:
    """The page numbers to start now so the window ``[position, position + concurrency)``
    is fully under way, given that every page up to ``started`` was already started.

    ``position`` is the page the consumer is on (held, or awaited); the window never reaches
    past ``last``. The result is empty when the window is already full.
    """
    first = max(started + 1, position)
    stop = min(position + concurrency - 1, last) + 1
    return range(first, max(first, stop))


# --- the concurrent walker --------------------------------------------------------------------


class _Slot(Generic[P]):
    """One page fetch: started once, cancelled at most once, read by the consumer once."""

    __slots__ = ("_cancelled", "_scope", "done", "error", "fetched", "number", "page", "task")

    def __init__(self, number: int) -> None:
        self.number = number
        self.done = anyio.Event()
        self.page: P | None = None
        self.fetched = False
        self.error: Exception | None = None
        self.task: asyncio.Task[None] | None = None
        self._scope: anyio.CancelScope | None = None
        self._cancelled = False

    async def run(
        self, fetch: Callable[[int], Awaitable[P]], slots: Mapping[int, _Slot[P]]
    ) -> None:
        """Fetch the page into the slot; never raises but for the caller's own cancellation.

        On an error, the fetches of later pages in ``slots`` are cancelled: the walk will stop
        at this page, so their pages would never be read.
        """
        with anyio.CancelScope() as scope:
            self._scope = scope
            if self._cancelled:
                scope.cancel()
            try:
                self.page = await fetch(self.number)
                self.fetched = True
            except Exception as exc:  # noqa: BLE001 - handed to the consumer at this page
                self.error = exc
        self._scope = None
        self.done.set()
        if self.error is not None:
            for number, slot in list(slots.items()):
                if number > self.number:
                    slot.cancel()

    def cancel(self) -> None:
        """Stop the fetch (or keep it from starting); the slot's page will never be read."""
        self._cancelled = True
        if self._scope is not None:
            self._scope.cancel()

    def cancel_from_finalizer(self) -> None:
        """Best-effort cancel from ``__del__``, where anyio's scope machinery is off limits."""
        self._cancelled = True
        task = self.task
        if task is not None and not task.done():
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                task.cancel()


def _on_asyncio() -> bool:
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no asyncio loop running in this thread (trio)
        return False


class PageWalk(Generic[P, T]):
    """Every item of a paginated listing whose pages say how many pages there are.

    Args:
        fetch: ``await fetch(n)`` returns page ``n`` (every request through the client's
            channel, so the rate limit applies).
        items: the items of a page.
        total_pages: how many pages a page says there are (it may change during the walk:
            the walk goes on to the largest count it has read, and an empty page ends it).
        key: an item's identity; an item whose key was already yielded is skipped.
        concurrency: the most requests in flight and the most pages held at once.
        is_empty: whether a page ends the walk (default: it has no items). The first page is
            always delivered; a later empty page is not.
        unique_page: rebuild a page with only the items not seen before, for :meth:`pages`.
        on_page: called with each page as the walk delivers it, in page order.
        first_page: the number of the first page.
        max_pages: the most pages the walk reads; a count beyond it is a ``DecodeError``.

    Iterate it with ``async for`` (items), or ``async for page in walk.pages()``; not both.
    Use ``async with walk:`` to keep the prefetching inside a task group of yours, or call
    :meth:`aclose` when leaving a plain ``async for`` early.
    """

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[P]],
        *,
        items: Callable[[P], Sequence[T]],
        total_pages: Callable[[P], int],
        key: Callable[[T], Hashable] | None = None,
        concurrency: int = 4,
        is_empty: Callable[[P], bool] | None = None,
        unique_page: Callable[[P, list[T]], P] | None = None,
        on_page: Callable[[P], object] | None = None,
        first_page: int = 1,
        max_pages: int = MAX_PAGES,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an integer >= 1, got {concurrency!r}")
        self._fetch = fetch
        self._items = items
        self._total_pages = total_pages
        self._key = key
        self._concurrency = concurrency
        self._is_empty = is_empty
        self._unique_page = unique_page
        self._on_page = on_page
        self._first_page = first_page
        self._max_pages = max_pages
        self._stall = StallGuard()
        # The walk's position: the next page to deliver; every page before it was delivered.
        self._next = first_page
        self._last: int | None = None  # unknown until the first page arrived
        self._started = first_page  # the highest page number started (the first runs inline)
        self._slots: dict[int, _Slot[P]] = {}
        self._seen: set[Hashable] = set()
        self._pending_items: Iterator[T] | None = None
        self._iterating: Literal["items", "pages"] | None = None
        self._mode: Mode | None = None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._in_context = False
        self._finished = False
        self._busy = False
        #: Pages delivered so far.
        self.pages_read = 0

    # -- public surface ----------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        """The most requests in flight (and pages held) at once."""
        return self._concurrency

    @property
    def mode(self) -> Mode | None:
        """How fetches are run: ``"structured"``, ``"background"``, ``"bounded"``, or ``None``
        before the first prefetch."""
        return self._mode

    @property
    def last_page(self) -> int | None:
        """The last page number the walk knows of (``None`` before the first page)."""
        return self._last

    @property
    def in_flight(self) -> int:
        """Fetches started and not finished."""
        return sum(1 for slot in self._slots.values() if not slot.done.is_set())

    def __aiter__(self: W) -> W:
        return self

    async def __anext__(self) -> T:
        self._claim("items")
        while True:
            if self._pending_items is not None:
                for item in self._pending_items:
                    return item
                self._pending_items = None
            _, fresh = await self._next_page()
            self._pending_items = iter(fresh)

    def pages(self) -> AsyncIterator[P]:
        """The pages in order, each rebuilt with only the items no earlier page had."""
        self._claim("pages")
        return _PageIterator(self)

    async def aclose(self) -> None:
        """Stop the walk: cancel every fetch and wait until none is running. Idempotent."""
        self._finish()
        tasks = [slot.task for slot in self._slots.values() if slot.task is not None]
        self._slots.clear()
        pending = [task for task in tasks if not task.done()]
        if pending:
            # Background tasks end at their next checkpoint; wait for it even if the caller
            # is being cancelled, so that no fetch outlives aclose().
            with anyio.CancelScope(shield=True):
                await asyncio.wait(pending)

    async def __aenter__(self: W) -> W:
        if self._in_context or self._mode is not None:
            raise RuntimeError("enter the walk's context before iterating it, and only once")
        group = anyio.create_task_group()
        await group.__aenter__()
        self._task_group = group
        self._in_context = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
        group, self._task_group = self._task_group, None
        if group is None:
            return
        # Every fetch was cancelled through its own scope and none ever raises, so the group
        # exits quietly. An error of the body is not handed to the group (it would come back
        # wrapped in an ExceptionGroup): it propagates as it is. Cancellation is handed over,
        # so that the group sees and honours it.
        cancelled = exc is not None and isinstance(exc, anyio.get_cancelled_exc_class())
        if cancelled:
            await group.__aexit__(exc_type, exc, tb)
        else:
            await group.__aexit__(None, None, None)

    def __del__(self) -> None:
        # Best effort for a plain ``async for`` left early without aclose(): background
        # fetches hold no reference to the walk, so it can be collected while they run.
        for slot in getattr(self, "_slots", {}).values():
            slot.cancel_from_finalizer()

    # -- the walk ----------------------------------------------------------------------------

    def _delivered(self, page: P) -> None:
        """Called with each page as the walk delivers it; subclasses extend it.

        (A subclass method rather than a callback bound to the walk: a bound method stored on
        the walk would make it a reference cycle, collectable only by the cycle collector.)
        """
        if self._on_page is not None:
            self._on_page(page)

    def _claim(self, how: Literal["items", "pages"]) -> None:
        if self._iterating is None:
            self._iterating = how
        elif self._iterating != how:
            raise RuntimeError("iterate a walk by items or by pages, not both")

    def _finish(self) -> None:
        self._finished = True
        self._pending_items = None
        for slot in self._slots.values():
            slot.cancel()

    async def _next_page(self) -> tuple[P, list[T]]:
        """The next page in order and its items not seen before; StopAsyncIteration at the end."""
        if self._busy:
            raise RuntimeError("the walk is already being advanced by another task")
        self._busy = True
        try:
            return await self._advance()
        finally:
            self._busy = False

    async def _advance(self) -> tuple[P, list[T]]:
        if self._finished:
            raise StopAsyncIteration
        number = self._next
        try:
            if self._last is None:
                page = await self._fetch(number)
            else:
                if number > self._last:
                    await self.aclose()
                    raise StopAsyncIteration
                page = await self._await_page(number)
        except StopAsyncIteration:
            raise
        except Exception:
            await self.aclose()
            raise
        first = self._last is None
        total = last_page_number(self._first_page, self._total_pages(page))
        self._last = total if self._last is None else max(self._last, total)
        self._next = number + 1
        if self._last - self._first_page + 1 > self._max_pages:
            await self.aclose()
            raise _too_many_pages(self._max_pages)
        empty = self._is_empty(page) if self._is_empty is not None else not self._items(page)
        if empty and not first:
            await self.aclose()
            raise StopAsyncIteration
        batch = self._items(page)
        fresh = self._fresh(batch)
        if self._key is not None:
            try:
                self._stall.check(number, batch, fresh)
            except DecodeError:
                await self.aclose()
                raise
        self._delivered(page)
        self.pages_read += 1
        if empty:
            self._finish()
        else:
            # The consumer now holds this page: start the rest of the window behind it.
            await self._top_up(number)
        return page, fresh

    def _fresh(self, batch: Sequence[T]) -> list[T]:
        return fresh_items(batch, self._key, self._seen)

    async def _await_page(self, number: int) -> P:
        # The previous page was released: the window is [number, number + concurrency).
        await self._top_up(number)
        slot = self._slots.get(number)
        if slot is None:  # bounded mode: fetch the whole window here and now
            await self._fetch_window_inline(number)
            slot = self._slots[number]
        await slot.done.wait()
        self._slots.pop(number, None)  # aclose() from another task may have cleared it
        if slot.error is not None:
            raise slot.error
        if not slot.fetched:  # cancelled by aclose() from another task
            raise StopAsyncIteration
        return slot.page  # type: ignore[return-value]  # fetched: the page is a P

    async def _top_up(self, position: int) -> None:
        assert self._last is not None
        numbers = pages_to_start(position, self._started, self._concurrency, self._last)
        if not numbers:
            return
        mode = self._choose_mode()
        if mode == "bounded":
            return  # fetched in _fetch_window_inline when the consumer needs them
        for n in numbers:
            slot: _Slot[P] = _Slot(n)
            self._slots[n] = slot
            if mode == "structured":
                assert self._task_group is not None
                self._task_group.start_soon(slot.run, self._fetch, self._slots, name=f"page {n}")
            else:
                # The task gets the fetch function and the slots, never the walk: the walk
                # stays collectable (and its finalizer can cancel) while fetches run.
                slot.task = asyncio.create_task(
                    slot.run(self._fetch, self._slots), name=f"page {n}"
                )
        self._started = numbers[-1]

    async def _fetch_window_inline(self, position: int) -> None:
        assert self._last is not None
        numbers = pages_to_start(position, self._started, self._concurrency, self._last)
        slots = [_Slot[P](n) for n in numbers]
        for slot in slots:
            self._slots[slot.number] = slot
        self._started = numbers[-1]
        try:
            async with anyio.create_task_group() as group:
                for slot in slots:
                    group.start_soon(slot.run, self._fetch, self._slots)
        except BaseException:
            # Cancelled half way: forget the window so that a later call fetches it afresh.
            for slot in slots:
                self._slots.pop(slot.number, None)
            self._started = numbers[0] - 1
            raise

    def _choose_mode(self) -> Mode:
        if self._mode is None:
            if self._task_group is not None:
                self._mode = "structured"
            elif _on_asyncio():
                self._mode = "background"
            else:
                self._mode = "bounded"
        return self._mode


class _PageIterator(Generic[P]):
    """``walk.pages()``: the walk's pages, each with only its first-seen items."""

    __slots__ = ("_walk",)

    def __init__(self, walk: PageWalk[P, Any]) -> None:
        self._walk = walk

    def __aiter__(self) -> _PageIterator[P]:
        return self

    async def __anext__(self) -> P:
        walk = self._walk
        page, fresh = await walk._next_page()
        rebuild = walk._unique_page
        if rebuild is None or len(fresh) == len(walk._items(page)):
            return page
        return rebuild(page, fresh)

    async def aclose(self) -> None:
        """Close the walk behind these pages."""
        await self._walk.aclose()

"""Async pagination shared by the adapters: walk pages in order, yield items once each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

__all__ = ["walk_sequential"]

P = TypeVar("P")
T = TypeVar("T")


async def walk_sequential(
    fetch: Callable[[int], Awaitable[P]],
    *,
    items: Callable[[P], Sequence[T]],
    is_last: Callable[[P, int], bool],
    key: Callable[[T], Hashable] | None = None,
    first_page: int = 1,
) -> AsyncIterator[T]:
    """Fetch page ``first_page``, ``first_page + 1``, ... until ``is_last(page, number)``.

    For APIs that say where the end is only page by page (Clockify's ``Last-Page`` header):
    one page in memory at a time. With ``key``, an item seen on an earlier page (pages shift
    when the data changes under the walk) is not yielded twice. An empty page always ends it.
    """
    seen: set[Hashable] = set()
    number = first_page
    while True:
        page = await fetch(number)
        batch = items(page)
        for item in batch:
            if key is not None:
                k = key(item)
                if k in seen:
                    continue
                seen.add(k)
            yield item
        if not batch or is_last(page, number):
            return
        number += 1

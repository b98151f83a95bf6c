"""users.list walks every page: Last-Page, short and empty pages, filters, dedupe, early exit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from timeclients import HttpPool
from timeclients.clockify import ClockifyClient, MembershipStatus, WorkspaceUser
from timeclients.errors import DecodeError, ServerError

from ..conftest import FakeClock
from . import samples

BASE = "https://api.clockify.me/api/v1"
WS = samples.WORKSPACE_ID
USERS_PATH = f"/workspaces/{WS}/users"


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for Clockify's base URL; unmatched requests fail the test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def client(router: respx.MockRouter, fake_clock: FakeClock) -> AsyncIterator[ClockifyClient]:
    """A client without retries on a fake-clock pool whose transport is the router."""
    async with (
        HttpPool(clock=fake_clock, transport=httpx.MockTransport(router.async_handler)) as pool,
        ClockifyClient(api_key="k", pool=pool, retry=None) as client,
    ):
        yield client


def pages_server(
    pages: list[list[dict[str, Any]]], *, last_page_header: bool | None = True
) -> tuple[Any, list[httpx.Request]]:
    """A handler serving ``pages`` by the 1-based ``page`` query; past the end, an empty page.

    ``last_page_header``: True sends ``Last-Page`` true/false, None sends no header.
    """
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        number = int(request.url.params["page"])
        body = pages[number - 1] if number <= len(pages) else []
        headers = {}
        if last_page_header is not None:
            headers["Last-Page"] = "true" if number >= len(pages) else "false"
        return httpx.Response(200, json=body, headers=headers)

    return handler, seen


def users(start: int, count: int) -> list[dict[str, Any]]:
    return [samples.user(i) for i in range(start, start + count)]


async def collect(iterator: AsyncIterator[WorkspaceUser]) -> list[WorkspaceUser]:
    return [user async for user in iterator]


@pytest.mark.anyio
async def test_three_pages_with_last_page_header(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """101 users over pages of 50: all read, the 51st included, and page 4 never asked for."""
    handler, seen = pages_server([users(0, 50), users(50, 50), users(100, 1)])
    router.get(USERS_PATH).mock(side_effect=handler)
    result = await collect(client.users.list(WS))
    assert [u.id for u in result] == [f"user{i:05d}" for i in range(101)]
    assert result[50].id == "user00050"
    assert [r.url.params["page"] for r in seen] == ["1", "2", "3"]
    assert all(r.url.params["page-size"] == "50" for r in seen)
    assert seen[0].url.raw_path == f"/api/v1{USERS_PATH}?page=1&page-size=50".encode()


@pytest.mark.anyio
async def test_full_last_page_stops_on_the_header(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """Last-Page: true on a full page ends the walk without asking for an empty page."""
    handler, seen = pages_server([users(0, 10), users(10, 10)])
    router.get(USERS_PATH).mock(side_effect=handler)
    result = await collect(client.users.list(WS, page_size=10))
    assert len(result) == 20
    assert len(seen) == 2


@pytest.mark.anyio
async def test_short_page_stops_without_a_header(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """With no Last-Page header, a page shorter than page_size is the end."""
    handler, seen = pages_server([users(0, 5), users(5, 5), users(10, 3)], last_page_header=None)
    router.get(USERS_PATH).mock(side_effect=handler)
    result = await collect(client.users.list(WS, page_size=5))
    assert len(result) == 13
    assert len(seen) == 3


@pytest.mark.anyio
async def test_empty_page_stops_without_a_header(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """With no header and an exact multiple of page_size, the empty page after ends it."""
    handler, seen = pages_server([users(0, 5), users(5, 5)], last_page_header=None)
    router.get(USERS_PATH).mock(side_effect=handler)
    result = await collect(client.users.list(WS, page_size=5))
    assert len(result) == 10
    assert [r.url.params["page"] for r in seen] == ["1", "2", "3"]


@pytest.mark.anyio
async def test_short_page_stops_even_if_the_header_says_more(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A short page with Last-Page: false still ends the walk (the server has no more)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=users(0, 3), headers={"Last-Page": "false"})

    router.get(USERS_PATH).mock(side_effect=handler)
    assert len(await collect(client.users.list(WS, page_size=5))) == 3
    assert len(seen) == 1


@pytest.mark.anyio
async def test_filters_are_sent_on_every_page(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """email, name and status ride along on every page request, after page and page-size."""
    handler, seen = pages_server([users(0, 2), users(2, 1)])
    router.get(USERS_PATH).mock(side_effect=handler)
    await collect(
        client.users.list(WS, status=MembershipStatus.ACTIVE, email="ex", name="Us", page_size=2)
    )
    await collect(client.users.list(WS, status="ALL", page_size=2))
    queries = [r.url.raw_path.split(b"?", 1)[1] for r in seen]
    assert queries == [
        b"page=1&page-size=2&email=ex&name=Us&status=ACTIVE",
        b"page=2&page-size=2&email=ex&name=Us&status=ACTIVE",
        b"page=1&page-size=2&status=ALL",
        b"page=2&page-size=2&status=ALL",
    ]


@pytest.mark.anyio
async def test_shifted_pages_do_not_yield_a_user_twice(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A user repeated on the next page (the list shifted under the walk) is yielded once."""
    handler, _ = pages_server([users(0, 3), users(2, 3), users(5, 1)])
    router.get(USERS_PATH).mock(side_effect=handler)
    result = await collect(client.users.list(WS, page_size=3))
    assert [u.id for u in result] == [f"user{i:05d}" for i in range(6)]


@pytest.mark.anyio
async def test_nothing_is_sent_until_iteration_and_early_exit_stops(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """users.list is lazy: nothing goes out before iteration, nothing more after a break."""
    handler, seen = pages_server([users(0, 2), users(2, 2), users(4, 2)])
    router.get(USERS_PATH).mock(side_effect=handler)
    iterator = client.users.list(WS, page_size=2)
    assert seen == []
    first: list[str] = []
    async for user in iterator:
        first.append(user.id)
        if len(first) == 3:
            break
    assert first == ["user00000", "user00001", "user00002"]
    assert len(seen) == 2


@pytest.mark.anyio
async def test_a_failing_page_raises_after_the_earlier_users(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A 500 on page 2 raises ServerError after page 1's users were yielded."""
    router.get(USERS_PATH).mock(
        side_effect=[
            httpx.Response(200, json=users(0, 2), headers={"Last-Page": "false"}),
            httpx.Response(500, json={"message": "boom", "code": 500}),
        ]
    )
    got: list[str] = []

    async def walk() -> None:
        async for user in client.users.list(WS, page_size=2):
            got.append(user.id)

    with pytest.raises(ServerError):
        await walk()
    assert got == ["user00000", "user00001"]


@pytest.mark.anyio
async def test_a_page_that_is_not_an_array_is_a_decode_error(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """The users list is a bare JSON array ("Find all users on workspace"): an object is a
    DecodeError."""
    router.get(USERS_PATH).respond(json={"users": []})
    with pytest.raises(DecodeError):
        await collect(client.users.list(WS))


@pytest.mark.anyio
async def test_users_list_keeps_its_own_workspace_budget(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """Every page of the users list counts against its workspace's limiter key."""
    handler, _ = pages_server([users(0, 1)])
    router.get(USERS_PATH).mock(side_effect=handler)
    await collect(client.users.list(WS))
    keys = set(client.pool.limiters.keys())
    assert [key[-1] for key in keys] == [WS]  # type: ignore[index]

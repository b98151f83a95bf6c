"""McTimeClient on the wire (respx): credentials, requests, ``clock.page``/``clock.get`` errors."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients.errors import (
    AuthenticationError,
    BadRequestError,
    ClockedOutError,
    ConfigurationError,
    EntryNotVisibleError,
    NotFoundError,
    ValidationError,
)
from timeclients.mctime import ClockPage, ClockStatus, ItemError, McTimeClient, TimeType

from ..conftest import FakeClock
from .test_models import SAMPLE_ITEM

KEY = "mct-secret-key-0123456789"
BASE = "https://mctime.com/api/v2/auth"
ENTRY = SAMPLE_ITEM["id"]


def page_body(*items: object, page: int = 1, total_items: int = 1, total_count: int = 1) -> dict:
    return {
        "items": list(items),
        "page": page,
        "totalItems": total_items,
        "totalCount": total_count,
    }


@pytest.fixture
def router() -> respx.MockRouter:
    """A respx router at McTime's base URL (handed to the pool as its transport)."""
    return respx.MockRouter(base_url=BASE, assert_all_called=False)


@contextlib.asynccontextmanager
async def connected(router: respx.MockRouter, **kwargs: Any) -> AsyncIterator[McTimeClient]:
    """A client whose pool sends every request to ``router``."""
    kwargs.setdefault("retry", None)
    async with (
        HttpPool(transport=httpx.MockTransport(router.async_handler)) as pool,
        McTimeClient(api_key=KEY, pool=pool, **kwargs) as client,
    ):
        yield client


# --- set-up -----------------------------------------------------------------------------------


def offline() -> HttpPool:
    """A pool that never touches the network (set-up tests send nothing)."""
    return HttpPool(transport=httpx.MockTransport(lambda _: httpx.Response(599)))


def test_defaults_follow_the_contract() -> None:
    """Default base URL, 10 requests per second per key, 4 pages in flight."""
    client = McTimeClient(api_key=KEY, pool=offline())
    assert client.base_url == BASE
    assert client.rate_limit == RateLimit(10, 1.0)
    assert client.page_concurrency == 4
    assert McTimeClient(api_key=KEY, rate_limit=None, pool=offline()).rate_limit is None


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``api_key``, ``MCTIME_API_KEY`` is used; without either, a ConfigurationError."""
    monkeypatch.setenv("MCTIME_API_KEY", KEY)
    assert McTimeClient(pool=offline())._channel._headers == {"API_KEY": KEY}
    monkeypatch.delenv("MCTIME_API_KEY")
    with pytest.raises(ConfigurationError, match="MCTIME_API_KEY"):
        McTimeClient(pool=offline())


@pytest.mark.parametrize("bad", ["", "key\r\nX-Injected: 1", "key\x00"])
def test_a_key_that_could_inject_headers_is_refused(bad: str) -> None:
    """An empty key or one with control characters is a ConfigurationError, not a request."""
    with pytest.raises(ConfigurationError) as info:
        McTimeClient(api_key=bad)
    assert "X-Injected" not in str(info.value)


@pytest.mark.parametrize("bad", [0, -2, True, 1.5, "4"])
def test_page_concurrency_must_be_a_positive_int(bad: object) -> None:
    """``page_concurrency`` below 1 or not an int is a set-up error."""
    with pytest.raises(ConfigurationError, match="page_concurrency"):
        McTimeClient(api_key=KEY, page_concurrency=bad)  # type: ignore[arg-type]


def test_plain_http_is_allowed_on_loopback_only() -> None:
    """An emulator on 127.0.0.1 may be http; any other http host needs the explicit opt-in."""
    McTimeClient(api_key=KEY, base_url="http://127.0.0.1:8080/api/v2/auth", pool=offline())
    with pytest.raises(ConfigurationError):
        McTimeClient(api_key=KEY, base_url="http://mctime.com/api/v2/auth")
    McTimeClient(
        api_key=KEY,
        base_url="http://mctime.com/api/v2/auth",
        allow_insecure_http=True,
        pool=offline(),
    )


def test_repr_never_shows_the_key() -> None:
    """Neither the client, its channel nor a list shows the key."""
    client = McTimeClient(api_key=KEY, pool=offline())
    shown = repr(client) + repr(client._channel) + repr(client.clock.list())
    assert KEY not in shown


# --- clock.page ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_page_sends_the_key_header_and_repeated_filters(router: respx.MockRouter) -> None:
    """``API_KEY`` header, filters as repeated parameters, nothing secret in the URL."""
    route = router.get("/clock").mock(return_value=httpx.Response(200, json=page_body(SAMPLE_ITEM)))
    async with connected(router) as client:
        page = await client.clock.page(
            2,
            user_ids=["u1", "u2"],
            time_types=[TimeType.WORK, "home_office"],
            organization_ids=["o1"],
            organization_names=["Main Office"],
        )
    request = route.calls.last.request
    assert request.headers["API_KEY"] == KEY
    assert KEY not in str(request.url)
    assert request.url.query.decode() == (
        "userIds=u1&userIds=u2&timeTypes=work&timeTypes=home_office"
        "&organizationIds=o1&organizationNames=Main+Office&page=2"
    )
    assert isinstance(page, ClockPage)
    assert [s.id for s in page.items] == [ENTRY]


@pytest.mark.anyio
async def test_page_keeps_item_errors_and_the_other_items(router: respx.MockRouter) -> None:
    """A user the key may not see is a per-item 400; the visible users are still returned."""
    body = page_body(
        {"userId": "hidden", "status": 400, "message": "User not visible"},
        SAMPLE_ITEM,
        total_items=2,
    )
    router.get("/clock").mock(return_value=httpx.Response(200, json=body))
    async with connected(router) as client:
        page = await client.clock.page(user_ids=["hidden", SAMPLE_ITEM["userId"]])
    assert page.item_errors == [ItemError("hidden", 400, "User not visible")]
    assert [s.user_id for s in page.items] == [SAMPLE_ITEM["userId"]]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"page": 0}, "page"),
        ({"page": True}, "page"),
        ({"page": "2"}, "page"),
        ({"user_ids": [""]}, "user_ids[0]"),
        ({"user_ids": "u1"}, "user_ids"),
        ({"time_types": ["lunch"]}, "time_types[0]"),
        ({"time_types": ["WORK"]}, "time_types[0]"),
        ({"organization_ids": ["o1", " "]}, "organization_ids[1]"),
        ({"organization_names": [""]}, "organization_names[0]"),
        ({"organization_names": ["  "]}, "organization_names[0]"),
        ({"organization_names": "Main"}, "organization_names"),
        ({"organization_names": [3]}, "organization_names[0]"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    router: respx.MockRouter, kwargs: dict, argument: str
) -> None:
    """Empty ids or names, undocumented time types and pages below 1 never reach the wire."""
    route = router.get("/clock")
    async with connected(router) as client:
        with pytest.raises(ValidationError) as info:
            await client.clock.page(**kwargs)
        assert info.value.argument == argument
        if "page" not in kwargs:
            with pytest.raises(ValidationError):
                client.clock.list(**kwargs)
    assert not route.called


@pytest.mark.anyio
async def test_a_bad_key_is_an_authentication_error(router: respx.MockRouter) -> None:
    """401 on ``GET /clock``: AuthenticationError with the vendor's message, never the key."""
    router.get("/clock").mock(return_value=httpx.Response(401, json={"message": "Invalid key"}))
    async with connected(router) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.clock.page()
    assert info.value.message == "Invalid key"
    assert KEY not in str(info.value)


@pytest.mark.anyio
async def test_a_forbidden_organization_filter_is_a_bad_request(router: respx.MockRouter) -> None:
    """A 400 for the whole page (an organization the key may not manage) is a BadRequestError."""
    router.get("/clock").mock(return_value=httpx.Response(400, json={"message": "Not allowed"}))
    async with connected(router) as client:
        with pytest.raises(BadRequestError) as info:
            await client.clock.page(organization_ids=["other-org"])
    assert not isinstance(info.value, EntryNotVisibleError)


# --- clock.get ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_get_returns_the_open_entry(router: respx.MockRouter) -> None:
    """``GET /clock/{id}`` answers the same item shape as the list."""
    router.get(f"/clock/{ENTRY}").mock(return_value=httpx.Response(200, json=SAMPLE_ITEM))
    async with connected(router) as client:
        status = await client.clock.get(ENTRY)
    assert isinstance(status, ClockStatus)
    assert status.on_break
    assert status.breaks is not None
    assert status.breaks[0].to is None


@pytest.mark.anyio
async def test_get_404_means_clocked_out_and_points_to_the_time_entry(
    router: respx.MockRouter,
) -> None:
    """404: ClockedOutError (a NotFoundError) saying the entry is now a time entry."""
    router.get(f"/clock/{ENTRY}").mock(
        return_value=httpx.Response(404, json={"message": "Not an open clock entry"})
    )
    async with connected(router) as client:
        with pytest.raises(ClockedOutError) as info:
            await client.clock.get(ENTRY)
    error = info.value
    assert isinstance(error, NotFoundError)
    assert error.status == 404
    assert error.path == f"/clock/{ENTRY}"
    assert "time entry" in str(error)
    assert f"GET /times/{ENTRY}" in str(error)
    assert "Not an open clock entry" in str(error)
    assert error.__cause__ is None


@pytest.mark.anyio
async def test_get_400_means_unknown_or_not_visible(router: respx.MockRouter) -> None:
    """400 ("Report was not found", or not allowed): EntryNotVisibleError, not a 404."""
    router.get("/clock/nope").mock(
        return_value=httpx.Response(400, json={"message": "Report was not found"})
    )
    async with connected(router) as client:
        with pytest.raises(EntryNotVisibleError) as info:
            await client.clock.get("nope")
    assert info.value.message == "Report was not found"


@pytest.mark.anyio
async def test_get_401_is_an_authentication_error(router: respx.MockRouter) -> None:
    """A missing or wrong key on ``GET /clock/{id}`` is an AuthenticationError."""
    router.get(f"/clock/{ENTRY}").mock(return_value=httpx.Response(401, text="Unauthorized"))
    async with connected(router) as client:
        with pytest.raises(AuthenticationError):
            await client.clock.get(ENTRY)


@pytest.mark.anyio
async def test_get_percent_encodes_the_id(router: respx.MockRouter) -> None:
    """An id cannot reach another endpoint: ``../times/1`` stays one path segment."""
    route = router.get(url__regex=r".*").mock(return_value=httpx.Response(200, json=SAMPLE_ITEM))
    async with connected(router) as client:
        await client.clock.get("../times/1")
    assert route.calls.last.request.url.raw_path == b"/api/v2/auth/clock/..%2Ftimes%2F1"


@pytest.mark.anyio
@pytest.mark.parametrize("bad", ["", "   ", None, 7])
async def test_get_refuses_an_empty_id(router: respx.MockRouter, bad: object) -> None:
    """An empty or non-string id is a ValidationError; nothing is sent."""
    route = router.route()
    async with connected(router) as client:
        with pytest.raises(ValidationError) as info:
            await client.clock.get(bad)  # type: ignore[arg-type]
    assert info.value.argument == "entry_id"
    assert not route.called


@pytest.mark.anyio
async def test_a_503_past_the_60_second_limit_is_retried(fake_clock: FakeClock) -> None:
    """McTime's 503/504 for a request over 60 s is retried per the policy."""
    answers = iter(
        [httpx.Response(504), httpx.Response(503), httpx.Response(200, json=SAMPLE_ITEM)]
    )
    pool = HttpPool(transport=httpx.MockTransport(lambda _: next(answers)), clock=fake_clock)
    async with pool, McTimeClient(api_key=KEY, pool=pool, retry=RetryPolicy(jitter=0)) as client:
        status = await client.clock.get(ENTRY)
        assert client.stats.retries == 2
    assert status.id == ENTRY
    assert fake_clock.sleeps == [0.5, 1.0]


@pytest.mark.anyio
async def test_each_key_sees_what_the_server_shows_it(router: respx.MockRouter) -> None:
    """The key decides what McTime returns: an employee its own entry, a manager its orgs."""
    mine = {**SAMPLE_ITEM, "id": "e-own", "userId": "employee"}
    team = [{**SAMPLE_ITEM, "id": f"e-{i}", "userId": f"user-{i}"} for i in range(25)]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        if request.headers["API_KEY"] == "employee-key":
            return httpx.Response(200, json=page_body(mine))
        items = team[(page - 1) * 20 : page * 20]
        return httpx.Response(200, json=page_body(*items, page=page, total_items=25, total_count=2))

    router.get("/clock").mock(side_effect=answer)
    async with HttpPool(transport=httpx.MockTransport(router.async_handler)) as pool:
        employee = McTimeClient(api_key="employee-key", pool=pool)
        manager = McTimeClient(api_key="manager-key", pool=pool)
        assert [s.id async for s in employee.clock.list()] == ["e-own"]
        assert [s.id async for s in manager.clock.list()] == [s["id"] for s in team]

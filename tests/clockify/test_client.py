"""ClockifyClient on the wire (respx): headers, paths, queries, bodies, errors, limits, secrecy."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import respx

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients.clockify import ClockifyClient, MembershipStatus, Role, Workspace
from timeclients.errors import (
    AlreadyMemberError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    NoSeatsAvailableError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    SubscriptionRequiredError,
    ValidationError,
)

from ..conftest import FakeClock
from . import samples

BASE = "https://api.clockify.me/api/v1"
KEY = "clockify-secret-key-0123"
TOKEN = "clockify-addon-token-4567"
WS = samples.WORKSPACE_ID
SINCE = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for Clockify's base URL; unmatched requests fail the test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def pool(router: respx.MockRouter, fake_clock: FakeClock) -> AsyncIterator[HttpPool]:
    """A pool on the fake clock (limiter waits and backoff cost no real time) whose transport
    is the router itself (no TLS context to build: each test stays fast)."""
    transport = httpx.MockTransport(router.async_handler)
    async with HttpPool(clock=fake_clock, transport=transport) as pool:
        yield pool


@pytest.fixture
async def client(pool: HttpPool) -> AsyncIterator[ClockifyClient]:
    """A client with an API key on the fake-clock pool, retries without jitter."""
    async with ClockifyClient(api_key=KEY, pool=pool, retry=RetryPolicy(jitter=0.0)) as client:
        yield client


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Clockify credential from the developer's shell leaks into a test."""
    monkeypatch.delenv("CLOCKIFY_API_KEY", raising=False)
    monkeypatch.delenv("CLOCKIFY_ADDON_TOKEN", raising=False)


def limiter_keys(pool: HttpPool) -> set[object]:
    # Which keys the pool holds: one per (vendor, credential fingerprint, scope).
    return set(pool.limiters.keys())


def sent(route: respx.Route) -> httpx.Request:
    assert route.call_count == 1
    request: httpx.Request = route.calls.last.request
    return request


# --- the wire format of every call ------------------------------------------------------------


@pytest.mark.anyio
async def test_list_workspaces_sends_repeated_roles(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """workspaces.list sends roles=A&roles=B with X-Api-Key and decodes the document sample."""
    route = router.get("/workspaces").respond(json=samples.workspaces())
    result = await client.workspaces.list(roles=[Role.WORKSPACE_ADMIN, "OWNER"])
    request = sent(route)
    assert request.url.raw_path == b"/api/v1/workspaces?roles=WORKSPACE_ADMIN&roles=OWNER"
    assert request.headers["X-Api-Key"] == KEY
    assert "X-Addon-Token" not in request.headers
    assert request.content == b""
    assert [w.id for w in result] == [WS]
    assert isinstance(result[0], Workspace)


@pytest.mark.anyio
async def test_list_workspaces_without_roles_has_no_query(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """With no roles, GET /workspaces carries no query at all."""
    route = router.get("/workspaces").respond(json=[])
    assert await client.workspaces.list() == []
    assert sent(route).url.raw_path == b"/api/v1/workspaces"


@pytest.mark.anyio
async def test_get_workspace(router: respx.MockRouter, client: ClockifyClient) -> None:
    """workspaces.get is GET /workspaces/{id} and returns the Workspace."""
    route = router.get(f"/workspaces/{WS}").respond(json=samples.workspace())
    ws = await client.workspaces.get(WS)
    assert sent(route).method == "GET"
    assert ws.name == "Cool Company"


@pytest.mark.anyio
async def test_create_workspace_body(router: respx.MockRouter, client: ClockifyClient) -> None:
    """workspaces.create POSTs exactly {"name", "organizationId"} as JSON; 201 is success."""
    route = router.post("/workspaces").respond(201, json=samples.workspace())
    ws = await client.workspaces.create(name="Cool Company", organization_id="67d471fb56aa")
    request = sent(route)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "name": "Cool Company",
        "organizationId": "67d471fb56aa",
    }
    assert ws.id == WS


@pytest.mark.anyio
async def test_workspace_cost_rate_with_and_without_since(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """set_cost_rate sends since as 2020-01-01T00:00:00Z, and leaves it out when not given."""
    route = router.put(f"/workspaces/{WS}/cost-rate").respond(json=samples.workspace())
    await client.workspaces.set_cost_rate(WS, amount=20000, since=SINCE)
    await client.workspaces.set_cost_rate(WS, amount=20000)
    first, second = (call.request for call in route.calls)
    assert first.content == b'{"amount":20000,"since":"2020-01-01T00:00:00Z"}'
    assert second.content == b'{"amount":20000}'
    assert first.headers["Content-Type"] == "application/json"


@pytest.mark.anyio
async def test_workspace_hourly_rate_defaults_to_usd(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """set_hourly_rate sends currency USD unless told, and converts since to UTC."""
    route = router.put(f"/workspaces/{WS}/hourly-rate").respond(json=samples.workspace())
    await client.workspaces.set_hourly_rate(WS, amount=2000)
    plus_two = timezone(timedelta(hours=2))
    await client.workspaces.set_hourly_rate(
        WS, amount=2000, currency="EUR", since=datetime(2020, 1, 1, 2, tzinfo=plus_two)
    )
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert first == {"amount": 2000, "currency": "USD"}
    assert second == {"amount": 2000, "currency": "EUR", "since": "2020-01-01T00:00:00Z"}


@pytest.mark.anyio
@pytest.mark.parametrize(("send_email", "param"), [(True, "true"), (False, "false")])
async def test_add_user_query_and_body(
    router: respx.MockRouter, client: ClockifyClient, send_email: bool, param: str
) -> None:
    """users.add POSTs {"email"} with send-email=true|false in the query."""
    route = router.post(f"/workspaces/{WS}/users").respond(json=samples.workspace())
    await client.users.add(WS, email="johndoe@example.com", send_email=send_email)
    request = sent(route)
    assert request.url.raw_path == f"/api/v1/workspaces/{WS}/users?send-email={param}".encode()
    assert request.content == b'{"email":"johndoe@example.com"}'


@pytest.mark.anyio
async def test_set_status_body(router: respx.MockRouter, client: ClockifyClient) -> None:
    """users.set_status PUTs {"status"} to /workspaces/{id}/users/{userId}; enum or string."""
    route = router.put(f"/workspaces/{WS}/users/u1").respond(json=samples.workspace())
    await client.users.set_status(WS, "u1", status=MembershipStatus.INACTIVE)
    await client.users.set_status(WS, "u1", status="ACTIVE")
    bodies = [call.request.content for call in route.calls]
    assert bodies == [b'{"status":"INACTIVE"}', b'{"status":"ACTIVE"}']


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["cost-rate", "hourly-rate"])
async def test_user_rates(router: respx.MockRouter, client: ClockifyClient, kind: str) -> None:
    """users.set_cost_rate / set_hourly_rate PUT {"amount", "since"?} to the user's rate path."""
    route = router.put(f"/workspaces/{WS}/users/u1/{kind}").respond(json=samples.workspace())
    setter = client.users.set_cost_rate if kind == "cost-rate" else client.users.set_hourly_rate
    await setter(WS, "u1", amount=7500)
    await setter(WS, "u1", amount=0, since=SINCE)
    bodies = [call.request.content for call in route.calls]
    assert bodies == [b'{"amount":7500}', b'{"amount":0,"since":"2020-01-01T00:00:00Z"}']


# --- credentials ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_addon_token_header(router: respx.MockRouter, pool: HttpPool) -> None:
    """An add-on token is sent as X-Addon-Token and never as X-Api-Key."""
    route = router.get(f"/workspaces/{WS}").respond(json=samples.workspace())
    async with ClockifyClient(addon_token=TOKEN, pool=pool) as client:
        await client.workspaces.get(WS)
        assert client.auth == "addon_token"
    request = sent(route)
    assert request.headers["X-Addon-Token"] == TOKEN
    assert "X-Api-Key" not in request.headers


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("env", "header", "value"),
    [
        ({"CLOCKIFY_API_KEY": KEY}, "X-Api-Key", KEY),
        ({"CLOCKIFY_ADDON_TOKEN": TOKEN}, "X-Addon-Token", TOKEN),
        ({"CLOCKIFY_API_KEY": KEY, "CLOCKIFY_ADDON_TOKEN": TOKEN}, "X-Api-Key", KEY),
        ({"CLOCKIFY_API_KEY": "", "CLOCKIFY_ADDON_TOKEN": TOKEN}, "X-Addon-Token", TOKEN),
    ],
)
async def test_env_credential_fallback(
    router: respx.MockRouter,
    pool: HttpPool,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    header: str,
    value: str,
) -> None:
    """Without arguments the client reads CLOCKIFY_API_KEY, then CLOCKIFY_ADDON_TOKEN."""
    for name, val in env.items():
        monkeypatch.setenv(name, val)
    route = router.get(f"/workspaces/{WS}").respond(json=samples.workspace())
    async with ClockifyClient(pool=pool) as client:
        await client.workspaces.get(WS)
    request = sent(route)
    assert request.headers[header] == value
    assert len([h for h in ("X-Api-Key", "X-Addon-Token") if h in request.headers]) == 1


def test_both_credentials_are_a_configuration_error() -> None:
    """api_key and addon_token together are refused; so is having neither anywhere."""
    with pytest.raises(ConfigurationError, match="not both"):
        ClockifyClient(api_key=KEY, addon_token=TOKEN)
    with pytest.raises(ConfigurationError, match="CLOCKIFY_API_KEY"):
        ClockifyClient()


@pytest.mark.parametrize("bad", ["", "key\r\nX-Injected: 1", "key\x00", "clé"])
def test_malformed_credentials_are_refused(bad: str) -> None:
    """An empty key, a control character or a non-ASCII key never reaches a header."""
    with pytest.raises(ConfigurationError) as info:
        ClockifyClient(api_key=bad)
    assert bad not in str(info.value) or bad == ""


def test_insecure_base_url_is_refused() -> None:
    """http:// is allowed on loopback only, unless allow_insecure_http=True."""
    with pytest.raises(ConfigurationError):
        ClockifyClient(api_key=KEY, base_url="http://api.clockify.me/api/v1")
    ClockifyClient(api_key=KEY, base_url="http://127.0.0.1:9/api/v1", pool=HttpPool())
    ClockifyClient(
        api_key=KEY, base_url="http://emulator/api/v1", allow_insecure_http=True, pool=HttpPool()
    )


@pytest.mark.anyio
async def test_secret_never_shown(router: respx.MockRouter, client: ClockifyClient) -> None:
    """Neither repr nor an API error carries the key."""
    router.get(f"/workspaces/{WS}").respond(401, json={"message": "bad key", "code": 4001})
    assert KEY not in repr(client)
    assert "auth=api_key" in repr(client)
    with pytest.raises(AuthenticationError) as info:
        await client.workspaces.get(WS)
    for text in (str(info.value), repr(info.value), info.value.body, info.value.path):
        assert KEY not in text


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitedError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
async def test_error_statuses_map_to_classes(
    router: respx.MockRouter, pool: HttpPool, status: int, cls: type[APIError]
) -> None:
    """Each documented status is its error class, with Clockify's message and code."""
    router.get(f"/workspaces/{WS}").respond(status, json={"message": "nope", "code": 1234})
    async with ClockifyClient(api_key=KEY, pool=pool, retry=None) as client:
        with pytest.raises(cls) as info:
            await client.workspaces.get(WS)
    error = info.value
    assert type(error) is cls
    assert error.status == status
    assert error.message == "nope (code 1234)"
    assert (error.method, error.path) == ("GET", f"/workspaces/{WS}")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (402, SubscriptionRequiredError),
        (403, NoSeatsAvailableError),
        (409, AlreadyMemberError),
        (400, BadRequestError),
        (404, NotFoundError),
    ],
)
async def test_add_user_specific_errors(
    router: respx.MockRouter, client: ClockifyClient, status: int, cls: type[APIError]
) -> None:
    """users.add maps 402/403/409 to its own classes ("Workspace > Add user to workspace"),
    others as usual."""
    router.post(f"/workspaces/{WS}/users").respond(status, json={"message": "m", "code": 1})
    with pytest.raises(cls) as info:
        await client.users.add(WS, email="a@example.com")
    assert type(info.value) is cls


@pytest.mark.anyio
async def test_403_elsewhere_is_not_a_seat_error(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A 403 on any other endpoint is a plain PermissionDeniedError."""
    router.put(f"/workspaces/{WS}/users/u1").respond(403, json={"message": "no", "code": 1})
    with pytest.raises(PermissionDeniedError) as info:
        await client.users.set_status(WS, "u1", status="ACTIVE")
    assert not isinstance(info.value, NoSeatsAvailableError)


@pytest.mark.anyio
@pytest.mark.parametrize("retry_after", [None, "2"])
async def test_429_is_retried_with_or_without_retry_after(
    router: respx.MockRouter, client: ClockifyClient, fake_clock: FakeClock, retry_after: str | None
) -> None:
    """A 429 "Too many requests" is waited out and retried, Retry-After or not ("Rate limiting")."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    route = router.put(f"/workspaces/{WS}/users/u1/cost-rate").mock(
        side_effect=[
            httpx.Response(
                429, json={"message": "Too many requests", "code": 429}, headers=headers
            ),
            httpx.Response(200, json=samples.workspace()),
        ]
    )
    ws = await client.users.set_cost_rate(WS, "u1", amount=100)
    assert ws.id == WS
    assert route.call_count == 2
    assert client.stats.throttled == 1
    assert fake_clock.now() >= 1000.0 + (2.0 if retry_after else 0.5)


@pytest.mark.anyio
async def test_post_create_is_not_resent_after_a_503(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A POST the server may have acted on is not repeated: one 503, one call, ServerError."""
    route = router.post("/workspaces").respond(503)
    with pytest.raises(ServerError):
        await client.workspaces.create(name="n", organization_id="o")
    assert route.call_count == 1


@pytest.mark.anyio
async def test_put_is_retried_after_a_503(router: respx.MockRouter, client: ClockifyClient) -> None:
    """A PUT is idempotent: a 503 is retried and the second answer wins."""
    route = router.put(f"/workspaces/{WS}/cost-rate").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=samples.workspace())]
    )
    await client.workspaces.set_cost_rate(WS, amount=1)
    assert route.call_count == 2


@pytest.mark.anyio
async def test_bad_bodies_are_decode_errors(
    router: respx.MockRouter, client: ClockifyClient
) -> None:
    """A body that is not JSON, or not a workspace, is a DecodeError."""
    router.get(f"/workspaces/{WS}").respond(200, text="<html>oops</html>")
    with pytest.raises(DecodeError):
        await client.workspaces.get(WS)
    router.get("/workspaces").respond(200, json={"not": "a list"})
    with pytest.raises(DecodeError) as info:
        await client.workspaces.list()
    assert info.value.field == "$"


# --- validation: nothing is sent --------------------------------------------------------------

Call = Callable[[ClockifyClient], Awaitable[object]]
NAIVE = datetime(2020, 1, 1)

INVALID_CALLS: list[tuple[str, Call]] = [
    ("roles[0]", lambda c: c.workspaces.list(roles=["SUPERUSER"])),
    ("roles", lambda c: c.workspaces.list(roles="OWNER")),
    ("workspace_id", lambda c: c.workspaces.get("")),
    ("name", lambda c: c.workspaces.create(name="", organization_id="o")),
    ("name", lambda c: c.workspaces.create(name="n" * 51, organization_id="o")),
    ("organization_id", lambda c: c.workspaces.create(name="n", organization_id="")),
    ("amount", lambda c: c.workspaces.set_cost_rate(WS, amount=-1)),
    ("amount", lambda c: c.workspaces.set_cost_rate(WS, amount=1.0)),  # type: ignore[arg-type]
    ("amount", lambda c: c.workspaces.set_cost_rate(WS, amount=False)),
    ("since", lambda c: c.workspaces.set_cost_rate(WS, amount=1, since=NAIVE)),
    ("currency", lambda c: c.workspaces.set_hourly_rate(WS, amount=1, currency="")),
    ("currency", lambda c: c.workspaces.set_hourly_rate(WS, amount=1, currency="C" * 101)),
    ("since", lambda c: c.workspaces.set_hourly_rate(WS, amount=1, since=NAIVE)),
    ("email", lambda c: c.users.add(WS, email="nobody")),
    ("send_email", lambda c: c.users.add(WS, email="a@example.com", send_email="yes")),  # type: ignore[arg-type]
    ("status", lambda c: c.users.set_status(WS, "u1", status="PENDING")),
    ("status", lambda c: c.users.set_status(WS, "u1", status=MembershipStatus.DECLINED)),
    ("user_id", lambda c: c.users.set_status(WS, "", status="ACTIVE")),
    ("amount", lambda c: c.users.set_cost_rate(WS, "u1", amount=-100)),
    ("since", lambda c: c.users.set_cost_rate(WS, "u1", amount=1, since=NAIVE)),
    ("amount", lambda c: c.users.set_hourly_rate(WS, "u1", amount=2**0.5)),  # type: ignore[arg-type]
    ("rates['u2']", lambda c: c.users.bulk_set_cost_rate(WS, {"u1": 1, "u2": -1})),
    ("rates['u1']", lambda c: c.users.bulk_set_hourly_rate(WS, {"u1": 1.5})),  # type: ignore[dict-item]
    ("rates", lambda c: c.users.bulk_set_hourly_rate(WS, [("u1", 1)])),  # type: ignore[arg-type]
    ("since", lambda c: c.users.bulk_set_cost_rate(WS, {"u1": 1}, since=NAIVE)),
    ("workspace_id", lambda c: c.users.bulk_set_cost_rate(" ", {"u1": 1})),
    ("concurrency", lambda c: c.users.bulk_set_cost_rate(WS, {"u1": 1}, concurrency=0)),
    ("on_progress", lambda c: c.users.bulk_set_cost_rate(WS, {"u1": 1}, on_progress=5)),  # type: ignore[arg-type]
]


@pytest.mark.anyio
@pytest.mark.parametrize(("argument", "call"), INVALID_CALLS)
async def test_invalid_arguments_send_nothing(
    router: respx.MockRouter, client: ClockifyClient, argument: str, call: Call
) -> None:
    """A broken rule is a ValidationError naming the argument, and respx sees zero calls."""
    route = router.route().respond(json=samples.workspace())
    with pytest.raises(ValidationError) as info:
        await call(client)
    assert info.value.argument == argument
    assert route.call_count == 0
    assert len(router.calls) == 0


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 5001}, "page_size"),
        ({"status": "GONE"}, "status"),
        ({"email": ""}, "email"),
    ],
)
def test_invalid_list_arguments_raise_at_call_time(
    router: respx.MockRouter, kwargs: dict[str, object], argument: str
) -> None:
    """users.list checks its arguments when called, before iteration sends anything."""
    client = ClockifyClient(api_key=KEY, pool=HttpPool())
    with pytest.raises(ValidationError) as info:
        client.users.list(WS, **kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument
    with pytest.raises(ValidationError):
        client.users.list("")
    assert len(router.calls) == 0


# --- ids never reach another endpoint ---------------------------------------------------------


HOSTILE_IDS = [
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("a/b", "a%2Fb"),
    ("x?y", "x%3Fy"),
    ("%2F", "%252F"),
    ("x#y", "x%23y"),
    ("../../workspaces", "..%2F..%2Fworkspaces"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("raw", "encoded"), HOSTILE_IDS)
async def test_hostile_ids_stay_in_their_segment(
    router: respx.MockRouter, client: ClockifyClient, raw: str, encoded: str
) -> None:
    """Workspace and user ids are percent-encoded: the raw path keeps them one segment each."""
    route = router.route().respond(json=samples.workspace())
    await client.workspaces.get(raw)
    await client.users.set_hourly_rate(raw, raw, amount=1)
    paths = [call.request.url.raw_path for call in route.calls]
    assert paths == [
        f"/api/v1/workspaces/{encoded}".encode(),
        f"/api/v1/workspaces/{encoded}/users/{encoded}/hourly-rate".encode(),
    ]


# --- rate limits: per credential and workspace ------------------------------------------------


@pytest.mark.anyio
async def test_limit_is_kept_per_workspace_and_credential(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """Each workspace has its own limiter key; /workspaces calls share one per credential."""
    router.get("/workspaces").respond(json=[])  # respx matches routes in order
    router.route().respond(json=samples.workspace())
    async with ClockifyClient(api_key=KEY, pool=pool) as client:
        await client.workspaces.get("ws-a")
        await client.workspaces.get("ws-b")
        await client.users.set_cost_rate("ws-a", "u1", amount=1)
        await client.workspaces.list()
    keys = limiter_keys(pool)
    assert len(keys) == 3
    assert {key[-1] for key in keys} == {"ws-a", "ws-b", ""}  # type: ignore[index]
    assert all(KEY not in repr(key) for key in keys)


@pytest.mark.anyio
async def test_two_workspaces_proceed_in_parallel(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """With a budget of 1 per minute, workspaces A and B each send at once; A's second waits."""
    router.route().respond(json=samples.workspace())
    async with ClockifyClient(api_key=KEY, pool=pool, rate_limit=RateLimit(1, 60.0)) as client:
        await client.workspaces.get("ws-a")
        await client.workspaces.get("ws-b")
        await client.workspaces.get("ws-c")
        assert fake_clock.sleeps == []  # three workspaces, three budgets: nobody waited
        await client.workspaces.get("ws-a")
    assert len(fake_clock.sleeps) >= 1
    assert sum(fake_clock.sleeps) >= 59.0  # A's second request waited out A's window


@pytest.mark.anyio
async def test_two_clients_with_one_key_share_a_budget(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """Two clients on one pool with one key share a workspace's budget; another key does not."""
    router.route().respond(json=samples.workspace())
    limit = RateLimit(1, 60.0)
    first = ClockifyClient(api_key=KEY, pool=pool, rate_limit=limit)
    second = ClockifyClient(api_key=KEY, pool=pool, rate_limit=limit)
    other = ClockifyClient(api_key="another-key-999", pool=pool, rate_limit=limit)
    await first.workspaces.get("ws-a")
    await other.workspaces.get("ws-a")
    assert fake_clock.sleeps == []
    await second.workspaces.get("ws-a")
    assert sum(fake_clock.sleeps) >= 59.0
    assert len(limiter_keys(pool)) == 2


@pytest.mark.anyio
async def test_rate_limit_none_turns_limiting_off(router: respx.MockRouter, pool: HttpPool) -> None:
    """rate_limit=None creates no limiter at all."""
    router.route().respond(json=samples.workspace())
    async with ClockifyClient(api_key=KEY, pool=pool, rate_limit=None) as client:
        assert client.rate_limit is None
        await client.workspaces.get(WS)
    assert limiter_keys(pool) == set()


def test_default_rate_limit_is_fifty_per_second() -> None:
    """The default budget is Clockify's 50 requests per second per workspace ("Rate limiting")."""
    client = ClockifyClient(api_key=KEY, pool=HttpPool())
    assert client.rate_limit == RateLimit(50, 1.0)
    assert client.base_url == BASE

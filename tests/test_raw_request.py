"""``client.request()`` on every client, base URLs from the environment, and errors that say
what to do (the argument or variable to check, the attempts made)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from timeclients import ClockifyClient, HttpPool, McTimeClient, RetryPolicy, TogglClient
from timeclients.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    TransportError,
    ValidationError,
)
from timeclients.testing import Emulator

from .conftest import FakeClock

CLOCKIFY = "https://api.clockify.me/api/v1"
TOGGL = "https://api.track.toggl.com/api/v8"
KEY = "clockify-secret-key-0123"
TOKEN = "toggl-secret-token-4567"
BASE_ENV = ("CLOCKIFY_BASE_URL", "MCTIME_BASE_URL", "TOGGL_BASE_URL")
CREDENTIAL_ENV = ("CLOCKIFY_API_KEY", "CLOCKIFY_ADDON_TOKEN", "MCTIME_API_KEY", "TOGGL_API_TOKEN")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No vendor variable from the machine leaks into these tests."""
    for name in BASE_ENV + CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router; unmatched requests fail the test."""
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def pool(router: respx.MockRouter, fake_clock: FakeClock) -> AsyncIterator[HttpPool]:
    """A pool on the fake clock whose transport is the router."""
    async with HttpPool(clock=fake_clock, transport=httpx.MockTransport(router.async_handler)) as p:
        yield p


def credential(cls: type[Any]) -> dict[str, str]:
    """The credential argument of a client class."""
    return {"api_token": TOKEN} if cls is TogglClient else {"api_key": KEY}


# --------------------------------------------------------------------------- on the wire


@pytest.mark.anyio
async def test_clockify_request_shape(router: respx.MockRouter, pool: HttpPool) -> None:
    """Method, encoded path, repeated query keys, JSON body and the credential header."""
    route = router.post(f"{CLOCKIFY}/workspaces/w%2F1/projects").respond(201, json={"id": "p1"})
    client = ClockifyClient(api_key=KEY, pool=pool)
    answer = await client.request(
        "post",
        "/workspaces/w%2F1/projects",
        params={"hydrated": True, "tag": ["a", "b"], "page": 2},
        json={"name": "Apollo", "billable": True},
    )
    assert answer == {"id": "p1"}
    sent = route.calls.last.request
    assert sent.method == "POST"
    assert (
        sent.url.raw_path == b"/api/v1/workspaces/w%2F1/projects?hydrated=true&tag=a&tag=b&page=2"
    )
    assert json.loads(sent.content) == {"name": "Apollo", "billable": True}
    assert sent.headers["X-Api-Key"] == KEY
    assert sent.headers["Content-Type"] == "application/json"


@pytest.mark.anyio
async def test_an_empty_answer_is_none(router: respx.MockRouter, pool: HttpPool) -> None:
    """A 204 (or any empty body) returns None; no body is sent without json=."""
    route = router.delete(f"{CLOCKIFY}/workspaces/w1/projects/p1").respond(204)
    client = ClockifyClient(api_key=KEY, pool=pool)
    assert await client.request("DELETE", "workspaces/w1/projects/p1/") is None
    assert route.calls.last.request.content == b""


def test_clockify_scope_is_the_workspace_in_the_path() -> None:
    """The limiter key of a raw call: the workspace of a /workspaces/{id}/... path, else the
    credential's own; an explicit scope wins."""
    client = ClockifyClient(api_key=KEY)
    assert client._raw_scope(("workspaces", "W1", "projects"), None) == "W1"
    assert client._raw_scope(("workspaces", "W1"), None) == "W1"
    assert client._raw_scope(("workspaces",), None) == ""
    assert client._raw_scope(("user",), None) == ""
    assert client._raw_scope(("user",), "W2") == "W2"
    with pytest.raises(ValidationError, match="scope"):
        client._raw_scope(("user",), " ")


@pytest.mark.parametrize(
    ("method", "path", "extra", "argument"),
    [
        ("FETCH", "/me", {}, "method"),
        (5, "/me", {}, "method"),
        ("GET", "https://evil.example/me", {}, "path"),
        ("GET", "/me?x=1", {}, "path"),
        ("GET", "/me#top", {}, "path"),
        ("GET", "/workspaces/../admin", {}, "path"),
        ("GET", "/workspaces/%2E%2E/admin", {}, "path"),
        ("GET", "/workspaces//users", {}, "path"),
        ("GET", "/", {}, "path"),
        ("GET", "/me\r\nX: 1", {}, "path"),
        ("GET", "/work spaces", {}, "path"),
        ("GET", "/\ud800", {}, "path"),
        ("GET", "/%ff", {}, "path"),
        ("GET", "/me", {"params": {"a": float("nan")}}, "params['a']"),
        ("GET", "/me", {"params": {"a": object()}}, "params['a']"),
        ("GET", "/me", {"params": {"a": "\ud800"}}, "params['a']"),
        ("GET", "/me", {"params": "a=1"}, "params"),
        ("GET", "/me", {"params": [("a",)]}, "params"),
        ("PUT", "/me", {"json": {"a": float("inf")}}, "json"),
        ("PUT", "/me", {"json": {"a": object()}}, "json"),
    ],
)
@pytest.mark.anyio
async def test_bad_raw_calls_send_nothing(
    router: respx.MockRouter,
    pool: HttpPool,
    method: Any,
    path: str,
    extra: dict[str, Any],
    argument: str,
) -> None:
    """Anything that cannot be sent as given is a ValidationError naming it; nothing is sent."""
    client = ClockifyClient(api_key=KEY, pool=pool)
    with pytest.raises(ValidationError) as info:
        await client.request(method, path, **extra)
    assert info.value.argument == argument
    assert not router.calls


@pytest.mark.anyio
async def test_toggl_raw_calls(router: respx.MockRouter, pool: HttpPool) -> None:
    """Toggl: a raw call needs a credential, except a signup, which never carries one."""
    anonymous = TogglClient(pool=pool)
    with pytest.raises(ConfigurationError, match="request needs a credential"):
        await anonymous.request("GET", "/me")
    route = router.post(f"{TOGGL}/signups").respond(200, json={"data": {"id": 1}})
    client = TogglClient(api_token=TOKEN, pool=pool)
    assert await client.request("POST", "/signups", json={"user": {}}) == {"data": {"id": 1}}
    assert "Authorization" not in route.calls.last.request.headers


# --------------------------------------------------------------------------- on the emulator


@pytest.mark.anyio
async def test_every_client_reaches_any_endpoint_of_the_emulator() -> None:
    """One real call per vendor, and an unknown path answered with the vendor's own 404."""
    emulator = Emulator(seed=21)
    ws = emulator.seed_clockify_workspace(members=3)
    org = emulator.seed_mctime_organization(users=25)
    user = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport()) as pool:
        clockify = ClockifyClient(api_key=ws.api_key, pool=pool)
        workspace = await clockify.request("GET", f"/workspaces/{ws.workspace_id}")
        assert workspace["id"] == ws.workspace_id
        users = await clockify.request(
            "GET", f"/workspaces/{ws.workspace_id}/users", params={"page-size": 2}
        )
        assert len(users) == 2
        with pytest.raises(NotFoundError) as missing:
            await clockify.request("GET", f"/workspaces/{ws.workspace_id}/projects")
        assert json.loads(missing.value.body)["code"] == 4004  # Clockify's own shape

        mctime = McTimeClient(api_key=org.manager_key, pool=pool)
        page = await mctime.request("GET", "/clock", params={"page": 2})
        assert page["totalItems"] >= 25
        with pytest.raises(NotFoundError):
            await mctime.request("GET", "/times")

        toggl = TogglClient(api_token=user.api_token, pool=pool)
        me = await toggl.request("GET", "/me", params={"with_related_data": True})
        assert me["data"]["email"] == user.email
        with pytest.raises(NotFoundError):
            await toggl.request("GET", "/workspaces")


# --------------------------------------------------------------------------- environment


def test_base_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without base_url=, each client reads its variable; an explicit argument wins."""
    monkeypatch.setenv("CLOCKIFY_BASE_URL", "http://127.0.0.1:8765/api/v1/")
    monkeypatch.setenv("MCTIME_BASE_URL", "http://localhost:8765/api/v2/auth")
    monkeypatch.setenv("TOGGL_BASE_URL", "http://[::1]:8765/api/v8")
    assert ClockifyClient(api_key=KEY).base_url == "http://127.0.0.1:8765/api/v1"
    assert McTimeClient(api_key=KEY).base_url == "http://localhost:8765/api/v2/auth"
    assert TogglClient(api_token=TOKEN).base_url == "http://[::1]:8765/api/v8"
    explicit = ClockifyClient(api_key=KEY, base_url="https://api.clockify.me/api/v1")
    assert explicit.base_url == "https://api.clockify.me/api/v1"


def test_the_signature_still_shows_the_vendor_url() -> None:
    """The default of base_url is the vendor's URL, as the contract documents it."""
    for cls, url in [
        (ClockifyClient, CLOCKIFY),
        (McTimeClient, "https://mctime.com/api/v2/auth"),
        (TogglClient, TOGGL),
    ]:
        assert inspect.signature(cls).parameters["base_url"].default == url
        assert cls(**credential(cls)).base_url == url


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("CLOCKIFY_BASE_URL", "http://clockify.example.com/api", "must be https://"),
        ("CLOCKIFY_BASE_URL", "https://a.example/api\n", "whitespace or control"),
        ("MCTIME_BASE_URL", "https://mctime.example:99999/api", "not a valid URL"),
        ("TOGGL_BASE_URL", "ftp://toggl.example/api", "http(s) URL"),
    ],
)
def test_a_bad_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, rule: str
) -> None:
    """A bad base URL from the environment is a ConfigurationError naming the variable."""
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("CLOCKIFY_API_KEY", KEY)
    monkeypatch.setenv("MCTIME_API_KEY", KEY)
    cls = {"CLOCKIFY": ClockifyClient, "MCTIME": McTimeClient, "TOGGL": TogglClient}[
        variable.split("_")[0]
    ]
    with pytest.raises(ConfigurationError) as info:
        cls()
    assert str(info.value).startswith(variable)
    assert rule in str(info.value)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"pool": "shared"}, "pool"),
        ({"rate_limit": 50}, "rate_limit"),
        ({"rate_limit": []}, "rate_limit"),
        ({"retry": 3}, "retry"),
        ({"allow_insecure_http": "yes"}, "allow_insecure_http"),
        ({"base_url": "https://x.example/api?key=1"}, "base_url"),
    ],
)
def test_configuration_errors_name_the_argument(options: dict[str, Any], argument: str) -> None:
    """Every configuration error starts with the argument to fix."""
    for cls in (ClockifyClient, McTimeClient, TogglClient):
        with pytest.raises(ConfigurationError) as info:
            cls(**credential(cls), **options)
        assert str(info.value).startswith(argument), str(info.value)


@pytest.mark.anyio
async def test_an_authentication_error_names_the_credential(
    router: respx.MockRouter, pool: HttpPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused credential is named by its argument or variable, never shown."""
    router.get(f"{CLOCKIFY}/workspaces").respond(401, json={"message": "No", "code": 4001})
    router.get(f"{TOGGL}/me").respond(403)
    with pytest.raises(AuthenticationError) as info:
        await ClockifyClient(api_key=KEY, pool=pool).workspaces.list()
    assert "check api_key=" in str(info.value)
    assert KEY not in str(info.value)
    monkeypatch.setenv("CLOCKIFY_API_KEY", KEY)
    with pytest.raises(AuthenticationError, match="check CLOCKIFY_API_KEY"):
        await ClockifyClient(pool=pool).request("GET", "/workspaces")
    monkeypatch.setenv("TOGGL_API_TOKEN", TOKEN)
    with pytest.raises(AuthenticationError) as toggl:
        await TogglClient(pool=pool).me.get()
    assert str(toggl.value) == "403 (GET /me): the credential was refused: check TOGGL_API_TOKEN"
    with pytest.raises(AuthenticationError, match=r"check email= and password="):
        await TogglClient(email="a@example.com", password="secret-pw", pool=pool).me.get()


@pytest.mark.anyio
async def test_a_transport_error_counts_its_attempts(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """After retries, the TransportError says how many attempts were made."""
    router.get(f"{CLOCKIFY}/workspaces").mock(side_effect=httpx.ConnectError("refused"))
    client = ClockifyClient(api_key=KEY, pool=pool, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(TransportError, match=r"attempts made: 3"):
        await client.workspaces.list()
    assert len(router.calls) == 3

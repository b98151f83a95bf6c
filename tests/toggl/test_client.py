"""TogglClient on the wire (respx): auth headers, queries, bodies, token reset, errors, limits."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone

import httpx
import pytest
import respx

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DecodeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from timeclients.toggl import DateFormat, Me, TogglClient, User
from timeclients.toggl import _protocol as proto

from ..conftest import FakeClock
from . import samples

BASE = "https://api.track.toggl.com/api/v8"
TOKEN = "1971800d4d82861d8f2c1651fea4d212"
NEW_TOKEN = "a0123123b8e43343d614553f95f9192ab9c1"
# The document's curl -u 1971800d4d82861d8f2c1651fea4d212:api_token, base64-encoded.
TOKEN_HEADER = "Basic MTk3MTgwMGQ0ZDgyODYxZDhmMmMxNjUxZmVhNGQyMTI6YXBpX3Rva2Vu"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for Toggl's base URL; unmatched requests fail the test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def pool(fake_clock: FakeClock) -> AsyncIterator[HttpPool]:
    """A pool on the fake clock: the 1 request/s default limit costs no real time."""
    async with HttpPool(clock=fake_clock) as pool:
        yield pool


@pytest.fixture(autouse=True)
def no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TOGGL_API_TOKEN from the developer's shell leaks into a test."""
    monkeypatch.delenv("TOGGL_API_TOKEN", raising=False)


def limiter_keys(pool: HttpPool) -> set[object]:
    # The registry has no public listing; tests look inside to check which key was used.
    return set(pool.limiters.keys())


@pytest.mark.anyio
async def test_token_auth_sends_the_documented_header(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """GET /me with a token sends exactly ``Basic base64(<token>:api_token)`` and decodes Me."""
    route = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        me = await client.me.get()
    assert isinstance(me, Me)
    assert me.since == datetime.fromtimestamp(1362575771, tz=timezone.utc)
    assert me.user.fullname == "John Swift"
    request = route.calls.last.request
    assert request.headers["Authorization"] == TOKEN_HEADER
    assert request.url == f"{BASE}/me"


@pytest.mark.anyio
async def test_email_password_auth_sends_basic_email_password(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """E-mail and password go as ``Basic base64(email:password)`` (UTF-8)."""
    route = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(email="john@example.com", password="sälaisuus", pool=pool) as client:
        await client.me.get()
        assert client.auth == "basic"
    assert route.calls.last.request.headers["Authorization"] == basic(
        "john@example.com", "sälaisuus"
    )


@pytest.mark.anyio
async def test_env_token_is_the_fallback(
    router: respx.MockRouter, pool: HttpPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without arguments the client reads TOGGL_API_TOKEN; an explicit token wins over it."""
    monkeypatch.setenv("TOGGL_API_TOKEN", TOKEN)
    route = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(pool=pool) as client:
        assert client.auth == "token"
        await client.me.get()
    assert route.calls.last.request.headers["Authorization"] == TOKEN_HEADER
    async with TogglClient(api_token=NEW_TOKEN, pool=pool) as client:
        await client.me.get()
    assert route.calls.last.request.headers["Authorization"] == basic(NEW_TOKEN, "api_token")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_token": TOKEN, "email": "john@example.com", "password": "secret1"},
        {"api_token": TOKEN, "password": "secret1"},
        {"email": "john@example.com"},
        {"password": "secret1"},
        {"api_token": "abc\r\nX-Injected: 1"},
        {"api_token": TOKEN, "base_url": "http://api.example.com/api/v8"},
    ],
)
def test_bad_setups_are_configuration_errors(kwargs: dict[str, str]) -> None:
    """Token with e-mail, e-mail without password, CR/LF, or insecure http are refused."""
    with pytest.raises(ConfigurationError):
        TogglClient(**kwargs)


@pytest.mark.anyio
async def test_anonymous_client_sends_nothing_but_signups(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """Without a credential every call but signups.create raises before anything is sent."""
    route = router.route()
    async with TogglClient(pool=pool) as client:
        assert client.auth == "anonymous"
        with pytest.raises(ConfigurationError, match=r"me\.get needs a credential"):
            await client.me.get()
        with pytest.raises(ConfigurationError):
            await client.me.update(fullname="John")
        with pytest.raises(ConfigurationError):
            await client.me.change_password(current_password="old", password="newpass")
        with pytest.raises(ConfigurationError):
            await client.me.reset_token()
    assert route.call_count == 0
    assert client.stats.requests == 0


@pytest.mark.anyio
async def test_anonymous_signup_sends_the_documented_body_without_auth(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """signups.create posts ``{"user": {...}}`` without Authorization, on the anonymous key."""
    route = router.post("/signups").respond(json=samples.signup())
    async with TogglClient(pool=pool) as client:
        user = await client.signups.create(
            email="test@example.com",
            password="StrongPassword",
            timezone="Etc/UTC",
            created_with="timeclients tests",
        )
    assert isinstance(user, User)
    assert user.id == 599978901
    request = route.calls.last.request
    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "user": {
            "email": "test@example.com",
            "password": "StrongPassword",
            "timezone": "Etc/UTC",
            "created_with": "timeclients tests",
        }
    }
    assert limiter_keys(pool) == {("toggl", "anonymous", "")}


@pytest.mark.anyio
async def test_signup_from_an_authenticated_client_carries_no_credential(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A signup never discloses the caller's token, and is counted in the client's stats."""
    route = router.post("/signups").respond(json=samples.signup())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        await client.signups.create(
            email="test@example.com",
            password="StrongPassword",
            timezone="Etc/UTC",
            created_with="x",
        )
        assert client.stats.requests == 1
    assert "Authorization" not in route.calls.last.request.headers


@pytest.mark.anyio
async def test_me_get_query_encoding(router: respx.MockRouter, pool: HttpPool) -> None:
    """``with_related_data=true`` and ``since=<unix seconds>`` are sent as the document shows."""
    route = router.get("/me").respond(json=samples.me_related())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        me = await client.me.get(
            with_related_data=True, since=datetime(2013, 3, 6, 14, 24, 46, tzinfo=timezone.utc)
        )
        await client.me.get(since=1362579886)
    first, second = (call.request for call in route.calls)
    assert str(first.url) == f"{BASE}/me?with_related_data=true&since=1362579886"
    assert str(second.url) == f"{BASE}/me?since=1362579886"
    assert me.user.workspaces is not None
    assert me.user.workspaces[0].id == 777


@pytest.mark.anyio
async def test_update_sends_only_given_fields(router: respx.MockRouter, pool: HttpPool) -> None:
    """me.update PUTs ``{"user": {...}}`` with exactly the fields given, and returns the user."""
    route = router.put("/me").respond(json=samples.put_me())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        user = await client.me.update(fullname="John Smith", date_format=DateFormat.DMY_DOT)
    assert user.fullname == "John Smith"
    request = route.calls.last.request
    assert request.content == b'{"user":{"fullname":"John Smith","date_format":"DD.MM.YYYY"}}'
    assert request.headers["Authorization"] == TOKEN_HEADER


@pytest.mark.anyio
async def test_invalid_update_sends_nothing(router: respx.MockRouter, pool: HttpPool) -> None:
    """A bad value (here beginning_of_week=7) is a ValidationError and no request leaves."""
    route = router.route()
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(ValidationError) as info:
            await client.me.update(fullname="John", beginning_of_week=7)
        with pytest.raises(ValidationError):
            await client.me.update()
        with pytest.raises(ValidationError):
            await client.signups.create(
                email="test@example.com", password="12345", timezone="Etc/UTC", created_with="x"
            )
    assert info.value.argument == "beginning_of_week"
    assert route.call_count == 0


@pytest.mark.anyio
async def test_change_password_body(router: respx.MockRouter, pool: HttpPool) -> None:
    """me.change_password PUTs current and new password inside ``user``."""
    route = router.put("/me").respond(json=samples.put_me())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        await client.me.change_password(current_password="oldpass", password="newpass1")
    assert json.loads(route.calls.last.request.content) == {
        "user": {"current_password": "oldpass", "password": "newpass1"}
    }
    assert route.calls.last.request.headers["Authorization"] == TOKEN_HEADER


@pytest.mark.anyio
async def test_reset_token_switches_header_and_limiter_key(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """After reset_token the next call authenticates with the new token on a new limiter key."""
    reset = router.post("/reset_token").respond(json=NEW_TOKEN)
    me = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        await client.me.get()
        keys_before = limiter_keys(pool)
        token = await client.me.reset_token()
        await client.me.get()
        assert TOKEN not in repr(client)
        assert NEW_TOKEN not in repr(client)
    assert token == NEW_TOKEN
    assert reset.calls.last.request.headers["Authorization"] == TOKEN_HEADER
    assert reset.calls.last.request.content == b""
    assert me.calls.last.request.headers["Authorization"] == basic(NEW_TOKEN, "api_token")
    (old_key,) = keys_before
    (new_key,) = limiter_keys(pool) - keys_before
    assert old_key == ("toggl", proto.token_credential(TOKEN).limiter_id, "")
    assert new_key == ("toggl", proto.token_credential(NEW_TOKEN).limiter_id, "")


@pytest.mark.anyio
async def test_reset_token_keeps_no_copy_of_the_old_token(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """Nothing reachable from the client's attributes holds the old token (or its base64)."""
    router.post("/reset_token").respond(json=NEW_TOKEN)
    client = TogglClient(api_token=TOKEN, pool=pool)
    await client.me.reset_token()
    seen: list[str] = []

    def walk(obj: object, depth: int = 0) -> None:
        if depth > 4 or isinstance(obj, (int, float, bool, type(None), HttpPool)):
            return
        if isinstance(obj, str):
            seen.append(obj)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
        elif isinstance(obj, (list, tuple, set)):
            for v in obj:
                walk(v, depth + 1)
        else:
            for name in getattr(obj, "__slots__", ()):
                walk(getattr(obj, name, None), depth + 1)
            for v in getattr(obj, "__dict__", {}).values():
                walk(v, depth + 1)

    walk(client)
    text = "\n".join(seen)
    assert basic(NEW_TOKEN, "api_token") in text  # the walk does reach the live header
    assert TOKEN not in text
    assert basic(TOKEN, "api_token").split()[1] not in text
    await client.aclose()


@pytest.mark.anyio
async def test_reset_token_with_email_auth_switches_to_the_token(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A client signed in with e-mail/password uses the new token after a reset."""
    reset = router.post("/reset_token").respond(json=NEW_TOKEN)
    me = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(email="john@example.com", password="secret1", pool=pool) as client:
        await client.me.reset_token()
        await client.me.get()
        assert client.auth == "token"
    assert reset.calls.last.request.headers["Authorization"] == basic("john@example.com", "secret1")
    assert me.calls.last.request.headers["Authorization"] == basic(NEW_TOKEN, "api_token")


@pytest.mark.anyio
async def test_bad_reset_answer_keeps_the_credential(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A reset answer that is not a token string is a DecodeError; the client keeps its token."""
    router.post("/reset_token").respond(json={"token": NEW_TOKEN})
    me = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(DecodeError):
            await client.me.reset_token()
        await client.me.get()
    assert me.calls.last.request.headers["Authorization"] == TOKEN_HEADER


@pytest.mark.anyio
async def test_email_auth_follows_password_and_email_changes(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """With e-mail auth, a changed password or e-mail is used for the following calls."""
    changed = samples.put_me()
    changed["data"]["email"] = "new@example.com"
    put = router.put("/me").mock(
        side_effect=[httpx.Response(200, json=samples.put_me()), httpx.Response(200, json=changed)]
    )
    me = router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(email="john@example.com", password="secret1", pool=pool) as client:
        await client.me.change_password(current_password="secret1", password="secret2")
        await client.me.get()
        assert me.calls.last.request.headers["Authorization"] == basic(
            "john@example.com", "secret2"
        )
        await client.me.update(email="new@example.com")
        await client.me.get()
    assert put.calls[1].request.headers["Authorization"] == basic("john@example.com", "secret2")
    assert me.calls.last.request.headers["Authorization"] == basic("new@example.com", "secret2")


@pytest.mark.anyio
async def test_403_is_an_authentication_error(router: respx.MockRouter, pool: HttpPool) -> None:
    """Toggl v8 answers a bad credential with 403: AuthenticationError, not PermissionDenied."""
    router.get("/me").respond(403, text="")
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.me.get()
    assert not isinstance(info.value, PermissionDeniedError)
    assert info.value.status == 403
    assert (info.value.method, info.value.path) == ("GET", "/me")
    assert client.stats.requests == 1  # a 403 is not retried


@pytest.mark.anyio
async def test_localized_message_arrays_are_joined(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A rejected update's array of localized messages becomes one "; "-joined message."""
    router.put("/me").respond(400, json=["Parool on liiga lühike", "Email has already been taken"])
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(BadRequestError) as info:
            await client.me.update(email="taken@example.com")
    assert info.value.message == "Parool on liiga lühike; Email has already been taken"
    assert "Email has already been taken" in str(info.value)


@pytest.mark.anyio
async def test_non_json_error_body_becomes_the_message(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A plain-text or HTML error body is read as text, never a decode failure."""
    router.post("/signups").respond(400, text="user with this email already exists\n")
    async with TogglClient(pool=pool) as client:
        with pytest.raises(BadRequestError) as info:
            await client.signups.create(
                email="test@example.com",
                password="StrongPassword",
                timezone="Etc/UTC",
                created_with="x",
            )
    assert info.value.message == "user with this email already exists"


@pytest.mark.anyio
async def test_non_json_success_body_is_a_decode_error(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A 200 with an HTML body is a DecodeError, not a crash."""
    router.get("/me").respond(200, text="<html>maintenance</html>")
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(DecodeError) as info:
            await client.me.get()
    assert info.value.path == "/me"


@pytest.mark.anyio
async def test_429_without_retry_after_backs_off_and_retries(
    router: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """Toggl's 429 has no Retry-After: the client backs off, pauses the key, then succeeds."""
    route = router.get("/me").mock(
        side_effect=[httpx.Response(429), httpx.Response(200, json=samples.me_plain())]
    )
    async with HttpPool(clock=fake_clock) as pool:
        client = TogglClient(api_token=TOKEN, pool=pool, retry=RetryPolicy(jitter=0.0))
        start = fake_clock.now()
        await client.me.get()
    assert route.call_count == 2
    assert client.stats.throttled == 1
    assert client.stats.retries == 1
    # The backoff (0.5 s) paused the key; the limiter's own 1.03 s spacing is the longer wait.
    assert fake_clock.now() - start >= 1.0
    sent = [c.request for c in route.calls]
    assert all(r.headers["Authorization"] == TOKEN_HEADER for r in sent)


@pytest.mark.anyio
async def test_429_after_retries_is_rate_limited_error(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """Persistent 429s end in RateLimitedError after max_attempts."""
    route = router.get("/me").respond(429)
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(RateLimitedError):
            await client.me.get()
    assert route.call_count == 3


@pytest.mark.anyio
async def test_default_limit_is_one_request_per_second(
    router: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """Four calls with the default limit take at least 3 s (virtual time): 1 request/s."""
    router.get("/me").respond(json=samples.me_plain())
    async with HttpPool(clock=fake_clock) as pool:
        client = TogglClient(api_token=TOKEN, pool=pool)
        assert client.rate_limit == RateLimit(1, 1.0)
        start = fake_clock.now()
        for _ in range(4):
            await client.me.get()
        elapsed = fake_clock.now() - start
    assert 3.0 <= elapsed < 3.5


@pytest.mark.anyio
async def test_two_clients_with_one_token_share_a_budget(
    router: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """Two clients with the same token on one pool share the 1/s budget; another token does not."""
    router.get("/me").respond(json=samples.me_plain())
    async with HttpPool(clock=fake_clock) as pool:
        a = TogglClient(api_token=TOKEN, pool=pool)
        b = TogglClient(api_token=TOKEN, pool=pool)
        other = TogglClient(api_token=NEW_TOKEN, pool=pool)
        start = fake_clock.now()
        await a.me.get()
        await other.me.get()
        assert fake_clock.now() == start
        await b.me.get()
        assert fake_clock.now() - start >= 1.0
    assert len(pool.limiters) == 2


@pytest.mark.anyio
async def test_rate_limit_none_turns_limiting_off(
    router: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """``rate_limit=None`` sends back to back and creates no limiter."""
    router.get("/me").respond(json=samples.me_plain())
    async with HttpPool(clock=fake_clock) as pool:
        client = TogglClient(api_token=TOKEN, pool=pool, rate_limit=None)
        start = fake_clock.now()
        for _ in range(3):
            await client.me.get()
        assert fake_clock.now() == start
        assert len(pool.limiters) == 0


@pytest.mark.anyio
async def test_private_pool_is_closed_with_the_client(router: respx.MockRouter) -> None:
    """A client without a pool opens its own and closes it on exit."""
    router.get("/me").respond(json=samples.me_plain())
    async with TogglClient(api_token=TOKEN, rate_limit=None) as client:
        await client.me.get()
    assert client.pool.closed


@pytest.mark.anyio
async def test_first_call_after_reset_keeps_the_pace(
    router: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """The new token's fresh limiter still waits one interval after the reset request."""
    router.post("/reset_token").respond(json=NEW_TOKEN)
    router.get("/me").respond(json=samples.me_plain())
    async with HttpPool(clock=fake_clock) as pool:
        client = TogglClient(api_token=TOKEN, pool=pool)
        await client.me.reset_token()
        reset_at = fake_clock.now()
        await client.me.get()
        assert fake_clock.now() - reset_at >= 1.0


@pytest.mark.anyio
async def test_a_raw_put_me_refused_with_a_404_array_is_a_bad_request(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """client.request("PUT", "/me") reads v8's 404-with-messages refusal as the wrapped call does;
    a 404 of any other call stays a NotFoundError."""
    router.put("/me").respond(404, json=["Email has already been taken"])
    router.get("/workspaces").respond(404, json=["nope"])
    async with TogglClient(api_token=TOKEN, pool=pool) as client:
        with pytest.raises(BadRequestError) as info:
            await client.request("PUT", "/me", json={"user": {"email": "taken@example.com"}})
        with pytest.raises(NotFoundError) as other:
            await client.request("GET", "/workspaces")
    assert info.value.status == 404
    assert info.value.message == "Email has already been taken"
    assert not isinstance(other.value, BadRequestError)


def test_the_client_reads_its_vendor_spec() -> None:
    """TogglClient's defaults are its protocol's declared spec, in one place."""
    spec = TogglClient.spec
    assert spec is proto.SPEC
    assert (spec.name, spec.default_base_url, spec.base_url_env) == (
        "toggl",
        BASE,
        "TOGGL_BASE_URL",
    )
    assert spec.credential_envs == ("TOGGL_API_TOKEN",)
    assert spec.status_errors[403] is AuthenticationError

"""TogglTrackClient on the wire (respx): Toggl v9's exact requests, errors, quotas, switching."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from timeclients import HttpPool, RateLimit, RetryPolicy, TogglTrackClient
from timeclients._toggl_common import basic_credential
from timeclients.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DecodeError,
    PaymentRequiredError,
    QuotaExceededError,
    ValidationError,
)
from timeclients.toggltrack import Quota, User

from ..conftest import FakeClock

BASE = "https://api.track.toggl.com/api/v9"
TOKEN = "1971800d4d82861d8f2c1651fea4d212"
NEW_TOKEN = "a0123123b8e43343d614553f95f9192ab9c1"
# "Authentication": curl -u 1971800d4d82861d8f2c1651fea4d212:api_token, base64-encoded.
TOKEN_HEADER = "Basic MTk3MTgwMGQ0ZDgyODYxZDhmMmMxNjUxZmVhNGQyMTI6YXBpX3Rva2Vu"
USER = {
    "id": 5123,
    "api_token": TOKEN,
    "email": "ada@example.com",
    "fullname": "Ada Lovelace",
    "timezone": "Europe/Tallinn",
    "default_workspace_id": 777,
    "beginning_of_week": 1,
    "country_id": 70,
    "image_url": "https://assets.track.toggl.com/avatars/5123.png",
    "has_password": True,
    "openid_enabled": False,
    "at": "2025-09-05T10:00:00+00:00",
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2025-09-05T10:00:00+00:00",
}
QUOTA_OK = {"X-Toggl-Quota-Remaining": "29", "X-Toggl-Quota-Resets-In": "3599"}


def basic(user: str, password: str) -> str:
    """The Authorization header the client must send for ``user:password``."""
    return basic_credential(user, password).headers["Authorization"]


@pytest.fixture
async def pool(fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HttpPool]:
    """A pool on the fake clock (waits cost no real time) and no TOGGL_API_TOKEN from the shell;
    respx answers for Toggl's v9 base URL and fails the test on any other request."""
    monkeypatch.delenv("TOGGL_API_TOKEN", raising=False)
    async with HttpPool(clock=fake_clock) as http_pool:
        yield http_pool


@pytest.fixture
def router(pool: HttpPool) -> Iterator[respx.MockRouter]:
    """The respx router of Toggl's v9 base URL."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


def client(pool: HttpPool, **kwargs: object) -> TogglTrackClient:
    return TogglTrackClient(pool=pool, **{"api_token": TOKEN, **kwargs})  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_get_me_sends_the_documented_request(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """GET /api/v9/me: Basic ``<token>:api_token``, no body, no query; decodes the v9 user."""
    route = router.get("/me").respond(200, json=USER, headers=QUOTA_OK)
    user = await client(pool).me.get()
    sent = route.calls.last.request
    assert sent.url == httpx.URL(BASE + "/me")
    assert sent.headers["authorization"] == TOKEN_HEADER
    assert sent.content == b""
    assert isinstance(user, User)
    assert (user.id, user.default_workspace_id, user.country_id) == (5123, 777, 70)
    assert user.workspaces is None
    assert TOKEN not in repr(user)


@pytest.mark.anyio
async def test_get_me_with_related_data(router: respx.MockRouter, pool: HttpPool) -> None:
    """``with_related_data=True`` is sent as ``?with_related_data=true`` and the lists decode."""
    related = {
        **USER,
        "workspaces": [{"id": 777, "name": "Ada's", "organization_id": 9}],
        "projects": [{"id": 1, "workspace_id": 777, "name": "Engine"}],
        "time_entries": [{"id": 2, "workspace_id": 777, "duration": -1700000000}],
        "clients": None,
        "tags": None,
        "tasks": None,
    }
    route = router.get("/me", params={"with_related_data": "true"}).respond(200, json=related)
    user = await client(pool).me.get(with_related_data=True)
    assert route.calls.last.request.url.query == b"with_related_data=true"
    assert user.workspaces is not None
    assert user.workspaces[0].organization_id == 9
    assert user.time_entries is not None
    assert user.time_entries[0].is_running
    assert user.clients is None


@pytest.mark.anyio
async def test_update_sends_the_flat_body(router: respx.MockRouter, pool: HttpPool) -> None:
    """PUT /api/v9/me with a JSON object of exactly the fields given, at the top level."""
    route = router.put("/me").respond(200, json={**USER, "fullname": "Ada King"})
    user = await client(pool).me.update(fullname="Ada King", beginning_of_week=0, country_id=70)
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == {
        "beginning_of_week": 0,
        "country_id": 70,
        "fullname": "Ada King",
    }
    assert user.fullname == "Ada King"


@pytest.mark.anyio
async def test_invalid_update_sends_nothing(router: respx.MockRouter, pool: HttpPool) -> None:
    """A value outside the documented rules is a ValidationError and no request leaves."""
    route = router.put("/me").respond(200, json=USER)
    with pytest.raises(ValidationError) as info:
        await client(pool).me.update(timezone="Not/AZone")
    assert info.value.argument == "timezone"
    assert not route.called


@pytest.mark.anyio
async def test_change_password_switches_an_email_client(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """The new password is sent flat; an e-mail/password client signs in with it afterwards."""
    route = router.route(method__in=["PUT", "GET"], path__regex=r"/me$").respond(200, json=USER)
    c = client(pool, api_token=None, email="ada@example.com", password="first-secret")
    await c.me.change_password(current_password="first-secret", password="second-secret")
    put = route.calls[0].request
    assert put.headers["authorization"] == basic("ada@example.com", "first-secret")
    assert json.loads(put.content) == {
        "current_password": "first-secret",
        "password": "second-secret",
    }
    await c.me.get()
    assert route.calls[1].request.headers["authorization"] == basic(
        "ada@example.com", "second-secret"
    )


@pytest.mark.anyio
async def test_email_change_switches_an_email_client(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """After an accepted e-mail change an e-mail/password client signs in with the new address."""
    router.put("/me").respond(200, json={**USER, "email": "ada.king@example.com"})
    route = router.get("/me").respond(200, json=USER)
    c = client(pool, api_token=None, email="ada@example.com", password="first-secret")
    await c.me.update(email="ada.king@example.com")
    await c.me.get()
    assert route.calls.last.request.headers["authorization"] == basic(
        "ada.king@example.com", "first-secret"
    )


@pytest.mark.anyio
async def test_an_applied_change_with_an_unreadable_answer_still_switches(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A 2xx to an e-mail or password change that does not decode still moves the sign-in."""
    router.put("/me").respond(200, json=["not", "a", "user"])
    route = router.get("/me").respond(200, json=USER)
    c = client(pool, api_token=None, email="ada@example.com", password="first-secret")
    with pytest.raises(DecodeError) as info:
        await c.me.update(email="ada.king@example.com")
    assert info.value.applied is True
    with pytest.raises(DecodeError):
        await c.me.change_password(current_password="first-secret", password="second-secret")
    await c.me.get()
    assert route.calls.last.request.headers["authorization"] == basic(
        "ada.king@example.com", "second-secret"
    )


@pytest.mark.anyio
async def test_reset_token_switches_to_the_new_token(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """POST /api/v9/me/reset_token (no body) returns a JSON string; later calls use it."""
    reset = router.post("/me/reset_token").respond(200, json=NEW_TOKEN)
    me = router.get("/me").respond(200, json=USER)
    c = client(pool)
    assert await c.me.reset_token() == NEW_TOKEN
    assert reset.calls.last.request.content == b""
    await c.me.get()
    assert me.calls.last.request.headers["authorization"] == basic(NEW_TOKEN, "api_token")


@pytest.mark.anyio
async def test_reset_token_refuses_a_non_string_answer(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """An answer that is not a JSON string is a DecodeError and the client keeps its token."""
    router.post("/me/reset_token").respond(200, json={"api_token": NEW_TOKEN})
    me = router.get("/me").respond(200, json=USER)
    c = client(pool)
    with pytest.raises(DecodeError):
        await c.me.reset_token()
    await c.me.get()
    assert me.calls.last.request.headers["authorization"] == TOKEN_HEADER


@pytest.mark.anyio
async def test_quota_decodes_the_list(router: respx.MockRouter, pool: HttpPool) -> None:
    """GET /api/v9/me/quota decodes each ``me.GetQuotaResult``; the user's has no organization."""
    body = [
        {"organization_id": None, "remaining": 12, "resets_in_secs": 1200, "total": 30},
        {"organization_id": 9, "remaining": 600, "resets_in_secs": 0, "total": 600},
    ]
    route = router.get("/me/quota").respond(200, json=body)
    quotas = await client(pool).me.quota()
    assert route.calls.last.request.url == httpx.URL(BASE + "/me/quota")
    assert quotas == [Quota(None, 12, 1200, 30), Quota(9, 600, 0, 600)]
    assert [q.is_user_quota for q in quotas] == [True, False]


@pytest.mark.anyio
async def test_bad_credential_says_what_to_check(router: respx.MockRouter, pool: HttpPool) -> None:
    """A 403 (plain-text body) is an AuthenticationError naming TOGGL_API_TOKEN, token-free."""
    router.get("/me").respond(403, text="Incorrect username and/or password")
    with pytest.raises(AuthenticationError) as info:
        await client(pool).me.get()
    message = str(info.value)
    assert "Incorrect username and/or password" in message
    assert "TOGGL_API_TOKEN" in message
    assert TOKEN not in message
    assert TOKEN not in repr(info.value)
    assert info.value.status == 403


@pytest.mark.anyio
async def test_a_refined_403_keeps_the_error_code(router: respx.MockRouter, pool: HttpPool) -> None:
    """The 403 that says what to check still carries the error code of Toggl's body."""
    router.get("/me").respond(403, json={"code": 1401, "message": "Incorrect"})
    with pytest.raises(AuthenticationError) as info:
        await client(pool, retry=None).me.get()
    assert "TOGGL_API_TOKEN" in str(info.value)
    assert info.value.code == 1401


@pytest.mark.anyio
@pytest.mark.parametrize(
    "respond",
    [
        {"json": "Invalid beginning_of_week"},
        {"text": "Invalid beginning_of_week"},
    ],
)
async def test_refusal_text_is_read_from_json_strings_and_plain_text(
    router: respx.MockRouter, pool: HttpPool, respond: dict[str, str]
) -> None:
    """A 400 body that is a JSON-encoded string or plain text gives the same message."""
    router.put("/me").respond(400, **respond)
    with pytest.raises(BadRequestError) as info:
        await client(pool).me.update(beginning_of_week=3)
    assert info.value.message == "Invalid beginning_of_week"


@pytest.mark.anyio
async def test_spent_quota_pauses_the_key_then_succeeds(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """A 402 with quota headers waits out the reset it announces, then the call succeeds."""
    route = router.get("/me")
    route.side_effect = [
        httpx.Response(
            402,
            text="hourly limit",
            headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "40"},
        ),
        httpx.Response(200, json=USER, headers={"X-Toggl-Quota-Remaining": "29"}),
    ]
    c = client(pool)
    start = fake_clock.now()
    user = await c.me.get()
    assert user.id == 5123
    assert fake_clock.now() - start >= 40.0
    assert c.stats.quota_refused == 1
    assert c.stats.failures == 0


@pytest.mark.anyio
async def test_spent_quota_retries_a_post_too(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """The server did not act on a quota refusal, so even a token reset is resent after it."""
    route = router.post("/me/reset_token")
    route.side_effect = [
        httpx.Response(402, headers={"X-Toggl-Quota-Resets-In": "5"}),
        httpx.Response(200, json=NEW_TOKEN),
    ]
    assert await client(pool).me.reset_token() == NEW_TOKEN
    assert route.call_count == 2


@pytest.mark.anyio
async def test_quota_reset_beyond_max_retry_after_raises_at_once(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """A reset further than ``max_retry_after`` raises QuotaExceededError(.resets_in) unwaited."""
    route = router.get("/me").respond(
        402,
        text="You have hit your hourly limit",
        headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1800"},
    )
    start = fake_clock.now()
    with pytest.raises(QuotaExceededError) as info:
        await client(pool, retry=RetryPolicy(max_retry_after=60.0)).me.get()
    assert isinstance(info.value, PaymentRequiredError)
    assert info.value.resets_in == 1800.0
    assert info.value.status == 402
    assert "1800" in str(info.value)
    assert route.call_count == 1
    assert fake_clock.now() - start < 2.0


@pytest.mark.anyio
async def test_after_a_refusal_the_next_call_waits_for_the_reset(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """The key stays paused after the raise: the next call waits for the reset, then succeeds."""
    route = router.get("/me")
    route.side_effect = [
        httpx.Response(402, headers={"X-Toggl-Quota-Resets-In": "600"}),
        httpx.Response(200, json=USER),
    ]
    c = client(pool, retry=RetryPolicy(max_retry_after=60.0))
    start = fake_clock.now()
    with pytest.raises(QuotaExceededError):
        await c.me.get()
    assert (await c.me.get()).id == 5123
    assert fake_clock.now() - start >= 600.0
    assert route.call_count == 2


@pytest.mark.anyio
async def test_nothing_remaining_on_a_success_pauses_the_key(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """A 200 saying 0 requests remain: the next call is not sent before the announced reset."""
    route = router.get("/me")
    route.side_effect = [
        httpx.Response(
            200,
            json=USER,
            headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "300"},
        ),
        httpx.Response(200, json=USER, headers=QUOTA_OK),
    ]
    c = client(pool)
    await c.me.get()
    after_first = fake_clock.now()
    await c.me.get()
    assert fake_clock.now() - after_first >= 300.0
    assert route.call_count == 2


@pytest.mark.anyio
async def test_a_402_without_quota_headers_is_not_a_quota(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A plain 402 (a plan restriction) is PaymentRequiredError, not retried, no resets_in."""
    route = router.get("/me").respond(402, text="Upgrade your plan")
    with pytest.raises(PaymentRequiredError) as info:
        await client(pool).me.get()
    assert not isinstance(info.value, QuotaExceededError)
    assert route.call_count == 1


@pytest.mark.anyio
async def test_quota_without_a_reset_is_raised_not_retried_blindly(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """A 402 saying 0 remain but not when it resets raises with ``resets_in`` None."""
    route = router.get("/me").respond(402, headers={"X-Toggl-Quota-Remaining": "0"})
    with pytest.raises(QuotaExceededError) as info:
        await client(pool).me.get()
    assert info.value.resets_in is None
    assert route.call_count == 1


def test_a_client_needs_a_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a token, e-mail/password or TOGGL_API_TOKEN the client refuses to be built."""
    monkeypatch.delenv("TOGGL_API_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="TOGGL_API_TOKEN"):
        TogglTrackClient()


def test_env_token_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """TOGGL_API_TOKEN stands in for ``api_token``, as for the v8 client."""
    monkeypatch.setenv("TOGGL_API_TOKEN", TOKEN)
    c = TogglTrackClient()
    assert c.auth == "token"
    assert TOKEN not in repr(c)
    assert c.base_url == BASE


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_token": TOKEN, "email": "a@example.com", "password": "secret1"},
        {"email": "a@example.com"},
        {"api_token": "bad\r\ntoken"},
        {"api_token": TOKEN, "base_url": "http://api.track.toggl.com/api/v9"},
    ],
)
def test_bad_set_up_is_a_configuration_error(kwargs: dict[str, str]) -> None:
    """Mixed credentials, half a login, control characters and plain http are refused."""
    with pytest.raises(ConfigurationError):
        TogglTrackClient(**kwargs)  # type: ignore[arg-type]


def test_rate_limit_takes_one_window_or_several() -> None:
    """The default is Toggl's 1 request/s; a sequence of windows and ``None`` are accepted."""
    assert TogglTrackClient(api_token=TOKEN).rate_limit == RateLimit(1, 1.0)
    several = TogglTrackClient(
        api_token=TOKEN, rate_limit=[RateLimit(30, 3600.0), RateLimit(1, 1.0)]
    )
    assert several.rate_limit == RateLimit(1, 1.0)
    assert TogglTrackClient(api_token=TOKEN, rate_limit=None).rate_limit is None
    with pytest.raises(ConfigurationError):
        TogglTrackClient(api_token=TOKEN, rate_limit=[])


@pytest.mark.anyio
async def test_without_a_limiter_the_quota_wait_is_slept(
    router: respx.MockRouter, pool: HttpPool, fake_clock: FakeClock
) -> None:
    """With ``rate_limit=None`` there is no key to pause: the call itself sleeps the reset."""
    route = router.get("/me/quota")
    route.side_effect = [
        httpx.Response(402, headers={"X-Toggl-Quota-Resets-In": "7"}),
        httpx.Response(200, json=[]),
    ]
    assert await client(pool, rate_limit=None).me.quota() == []
    assert 7.0 in fake_clock.sleeps


@pytest.mark.anyio
async def test_a_raw_call_refused_with_403_says_what_to_check_too(
    router: respx.MockRouter, pool: HttpPool
) -> None:
    """client.request() maps a 403 as the wrapped calls do: what to check, never the token."""
    router.get("/me/preferences").respond(403, text="Incorrect username and/or password")
    with pytest.raises(AuthenticationError) as info:
        await client(pool).request("GET", "/me/preferences")
    assert "TOGGL_API_TOKEN" in str(info.value)
    assert TOKEN not in str(info.value)

"""TogglTrackClient against the project's emulator: every call, quotas on a fake clock, served."""

from __future__ import annotations

import httpx
import pytest

from timeclients import HttpPool, RetryPolicy, TogglClient, TogglTrackClient
from timeclients.errors import AuthenticationError, BadRequestError, QuotaExceededError
from timeclients.testing import Emulator, HourlyQuota

from ..conftest import FakeClock

BASE = Emulator.base_url("toggltrack")


@pytest.mark.anyio
async def test_every_v9_call_against_the_emulator(fake_clock: FakeClock) -> None:
    """get, update, change_password, reset_token and quota all work end to end, with no 429."""
    emulator = Emulator(seed=5, clock=fake_clock, toggl_burst=1)
    seed = emulator.seed_toggl_user(related=2)
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        client = TogglTrackClient(
            email=seed.email, password=seed.password, pool=pool, base_url=BASE
        )
        user = await client.me.get(with_related_data=True)
        assert user.id == seed.user_id
        assert user.default_workspace_id == seed.workspace_id
        assert user.time_entries is not None
        assert len(user.time_entries) == 2
        assert user.time_entries[0].workspace_id == seed.workspace_id
        updated = await client.me.update(fullname="Ada", beginning_of_week=1, country_id=70)
        assert (updated.fullname, updated.beginning_of_week, updated.country_id) == ("Ada", 1, 70)
        await client.me.change_password(current_password=seed.password, password="next-secret")
        assert (await client.me.get()).fullname == "Ada"  # signed in with the new password
        token = await client.me.reset_token()
        assert client.auth == "token"
        assert (await client.me.get()).api_token == token
        quotas = await client.me.quota()
        mine = next(q for q in quotas if q.is_user_quota)
        assert (mine.total, mine.remaining) == (30, 30 - 7)
        assert client.stats.throttled == 0
        assert client.stats.failures == 0


@pytest.mark.anyio
async def test_refusals_come_back_as_the_error_tree(fake_clock: FakeClock) -> None:
    """A wrong token is an AuthenticationError (403); a refused update a BadRequestError."""
    emulator = Emulator(seed=6, clock=fake_clock)
    seed = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        wrong = TogglTrackClient(api_token="0" * 32, pool=pool, base_url=BASE)
        with pytest.raises(AuthenticationError, match="TOGGL_API_TOKEN"):
            await wrong.me.get()
        client = TogglTrackClient(api_token=seed.api_token, pool=pool, base_url=BASE)
        with pytest.raises(BadRequestError, match="Invalid default_workspace_id"):
            await client.me.update(default_workspace_id=1)
        with pytest.raises(BadRequestError, match="Current password is not valid"):
            await client.me.change_password(current_password="not-it", password="next-secret")


@pytest.mark.anyio
async def test_v8_and_v9_share_the_host_and_the_account(fake_clock: FakeClock) -> None:
    """On api.track.toggl.com, /api/v8 and /api/v9 answer from the same account."""
    emulator = Emulator(seed=7, clock=fake_clock)
    seed = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        v9 = TogglTrackClient(api_token=seed.api_token, pool=pool, base_url=BASE)
        v8 = TogglClient(api_token=seed.api_token, pool=pool, base_url=Emulator.base_url("toggl"))
        await v9.me.update(fullname="Shared Name")
        assert (await v8.me.get()).user.fullname == "Shared Name"
    assert emulator.stats.by_vendor["toggltrack"] == 1
    assert emulator.stats.by_vendor["toggl"] == 1


@pytest.mark.anyio
async def test_every_answer_carries_the_quota_headers(fake_clock: FakeClock) -> None:
    """Successes and refusals alike say how many requests remain and when the window resets."""
    emulator = Emulator(seed=8, clock=fake_clock, toggl_rate=None)
    seed = emulator.seed_toggl_user()
    auth = httpx.BasicAuth(seed.api_token, "api_token")
    async with httpx.AsyncClient(transport=emulator.transport(), auth=auth) as http:
        ok = await http.get(BASE + "/me")
        bad = await http.put(BASE + "/me", json={"timezone": "Nowhere/Land"})
        missing = await http.get(BASE + "/me/nothing")
    assert (ok.status_code, bad.status_code, missing.status_code) == (200, 400, 404)
    assert bad.json() == "Invalid timezone"  # a JSON-encoded string, as Toggl refuses
    remaining = [r.headers["X-Toggl-Quota-Remaining"] for r in (ok, bad, missing)]
    assert remaining == ["29", "28", "27"]
    assert ok.headers["X-Toggl-Quota-Resets-In"] == "3600"


@pytest.mark.anyio
async def test_the_31st_request_in_an_hour_is_a_402(fake_clock: FakeClock) -> None:
    """30 requests per hour per user pass; the next one is a 402 that says when it resets."""
    emulator = Emulator(seed=9, clock=fake_clock, toggl_rate=None)
    seed = emulator.seed_toggl_user()
    auth = httpx.BasicAuth(seed.api_token, "api_token")
    async with httpx.AsyncClient(transport=emulator.transport(), auth=auth) as http:
        for _ in range(30):
            assert (await http.get(BASE + "/me")).status_code == 200
        fake_clock.t += 600
        refused = await http.get(BASE + "/me")
        assert refused.status_code == 402
        assert refused.headers["X-Toggl-Quota-Remaining"] == "0"
        assert refused.headers["X-Toggl-Quota-Resets-In"] == "3000"
        fake_clock.t += 3000
        again = await http.get(BASE + "/me")
    assert again.status_code == 200
    assert again.headers["X-Toggl-Quota-Remaining"] == "29"


@pytest.mark.anyio
async def test_a_spent_quota_pauses_the_client_until_the_reset(fake_clock: FakeClock) -> None:
    """With a small quota the client meets one 402, waits the announced reset, then succeeds."""
    emulator = Emulator(seed=10, clock=fake_clock, toggl_me_hourly_quota=3, toggl_quota_window=50)
    seed = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        client = TogglTrackClient(api_token=seed.api_token, pool=pool, base_url=BASE)
        start = fake_clock.now()
        for _ in range(5):
            await client.me.get()
    assert fake_clock.now() - start >= 50.0
    assert client.stats.failures == 0
    # The third answer said 0 remain: the key paused until the reset, so no 402 was needed.
    assert emulator.stats.by_status[402] == 0
    assert emulator.stats.by_status[200] == 5


@pytest.mark.anyio
async def test_a_quota_spent_elsewhere_is_waited_out(fake_clock: FakeClock) -> None:
    """A quota another program spent: the 402 pauses the key, the call waits, then succeeds;
    a client whose ``max_retry_after`` is shorter than the reset raises at once instead."""
    emulator = Emulator(
        seed=11, clock=fake_clock, toggl_rate=None, toggl_me_hourly_quota=2, toggl_quota_window=30
    )
    seed = emulator.seed_toggl_user()
    auth = httpx.BasicAuth(seed.api_token, "api_token")
    async with (
        httpx.AsyncClient(transport=emulator.transport(), auth=auth) as elsewhere,
        HttpPool(transport=emulator.transport(), clock=fake_clock) as pool,
    ):
        for _ in range(2):
            await elsewhere.get(BASE + "/me")
        client = TogglTrackClient(api_token=seed.api_token, pool=pool, base_url=BASE)
        start = fake_clock.now()
        assert (await client.me.get()).id == seed.user_id
        assert fake_clock.now() - start >= 30.0
        assert client.stats.quota_refused == 1
        await elsewhere.get(BASE + "/me")  # the window's last request, spent elsewhere
        impatient = TogglTrackClient(
            api_token=seed.api_token,
            pool=pool,
            base_url=BASE,
            retry=RetryPolicy(max_retry_after=10.0),
        )
        before = fake_clock.now()
        with pytest.raises(QuotaExceededError) as info:
            await impatient.me.get()
        assert fake_clock.now() - before < 10.0
    assert info.value.resets_in is not None
    assert 10.0 < info.value.resets_in <= 30.0


def test_the_quota_window_opens_with_the_first_request(fake_clock: FakeClock) -> None:
    """The window starts at the first counted request and resets whole ``per`` seconds later."""
    quota = HourlyQuota(2, 100.0, fake_clock)
    assert (quota.remaining("u"), quota.resets_in("u")) == (2, 0)
    assert quota.hit("u")
    assert quota.hit("u")
    assert not quota.hit("u")
    fake_clock.t += 99.5
    assert (quota.remaining("u"), quota.resets_in("u")) == (0, 1)
    fake_clock.t += 0.5
    assert quota.remaining("u") == 2
    assert quota.hit("u")


@pytest.mark.anyio
async def test_served_emulator_answers_v9() -> None:
    """Over a real loopback socket the v9 client reads the user and the quota."""
    emulator = Emulator(seed=12, toggl_rate=None)
    seed = emulator.seed_toggl_user()
    with emulator.serve() as served:
        assert served.toggltrack_url.endswith("/api/v9")
        async with TogglTrackClient(
            api_token=seed.api_token, base_url=served.toggltrack_url, rate_limit=None
        ) as client:
            assert (await client.me.get()).email == seed.email
            quotas = await client.me.quota()
    assert any(q.is_user_quota and q.remaining == 28 for q in quotas)

"""Strict server-side rate limits per vendor, on a fake clock (no real sleeping)."""

from __future__ import annotations

import httpx
import pytest

from timeclients.testing import Emulator, LeakyBucket, SlidingWindowCounter

pytestmark = pytest.mark.anyio


def test_sliding_window_is_strict_and_continuous(fake_clock):
    """At most `limit` accepted in any `per` interval, counting only accepted requests."""
    window = SlidingWindowCounter(3, 1.0, fake_clock)
    assert [window.hit("k") for _ in range(4)] == [True, True, True, False]
    fake_clock.t += 0.999
    assert window.hit("k") is False
    assert window.retry_after("k") == pytest.approx(0.001)
    fake_clock.t += 0.001
    assert window.hit("k") is True
    assert window.hit("other") is True  # keys are independent


def test_leaky_bucket_drains_at_rate(fake_clock):
    """The bucket holds `burst` and drains `rate` per second."""
    bucket = LeakyBucket(1.0, 2, fake_clock)
    assert [bucket.hit("t") for _ in range(3)] == [True, True, False]
    fake_clock.t += 0.5
    assert bucket.hit("t") is False
    fake_clock.t += 0.5
    assert bucket.hit("t") is True
    for _ in range(5):  # one per second is sustainable forever
        fake_clock.t += 1.0
        assert bucket.hit("t") is True


@pytest.mark.parametrize("bad", [(0, 1.0), (1, 0.0)])
def test_counters_reject_nonsense(fake_clock, bad):
    """A limit below 1 or a non-positive period is refused."""
    with pytest.raises(ValueError, match="must be"):
        SlidingWindowCounter(bad[0], bad[1], fake_clock)
    with pytest.raises(ValueError, match="must be"):
        LeakyBucket(bad[1], bad[0], fake_clock)


async def test_clockify_50_per_second_per_workspace(fake_clock):
    """Clockify: 50 requests/second per workspace, then 429 "Too many requests" in Clockify's
    shape without Retry-After by default (Clockify API docs, "Rate limiting")."""
    emu = Emulator(clock=fake_clock)
    a = emu.seed_clockify_workspace(members=0)
    b = emu.seed_clockify_workspace(members=0)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        url = "https://api.clockify.me/api/v1/workspaces/"
        statuses = [
            (await http.get(url + a.workspace_id, headers={"X-Api-Key": a.api_key})).status_code
            for _ in range(51)
        ]
        assert statuses == [200] * 50 + [429]
        r = await http.get(url + a.workspace_id, headers={"X-Api-Key": a.api_key})
        assert r.json() == {"message": "Too many requests", "code": 429}
        assert "Retry-After" not in r.headers
        other = await http.get(url + b.workspace_id, headers={"X-Api-Key": b.api_key})
        assert other.status_code == 200  # another workspace has its own window
        fake_clock.t += 1.0
        r = await http.get(url + a.workspace_id, headers={"X-Api-Key": a.api_key})
        assert r.status_code == 200
    assert emu.stats.rate_limited == 2


async def test_clockify_retry_after_is_optional(fake_clock):
    """With clockify_retry_after=True the 429 carries Retry-After in whole seconds (Clockify's
    "Rate limiting" names no Retry-After)."""
    emu = Emulator(clock=fake_clock, clockify_rate_limit=2, clockify_retry_after=True)
    ws = emu.seed_clockify_workspace(members=0)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        url = f"https://api.clockify.me/api/v1/workspaces/{ws.workspace_id}"
        for _ in range(2):
            await http.get(url, headers={"X-Api-Key": ws.api_key})
        r = await http.get(url, headers={"X-Api-Key": ws.api_key})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"


async def test_clockify_requests_without_workspace_count_per_credential(fake_clock):
    """GET /workspaces has no workspace: it counts against the credential's own window."""
    emu = Emulator(clock=fake_clock, clockify_rate_limit=2)
    ws = emu.seed_clockify_workspace(members=0)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        h = {"X-Api-Key": ws.api_key}
        codes = [
            (await http.get("https://api.clockify.me/api/v1/workspaces", headers=h)).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        ws_url = f"https://api.clockify.me/api/v1/workspaces/{ws.workspace_id}"
        assert (await http.get(ws_url, headers=h)).status_code == 200


async def test_mctime_10_per_second_per_key(fake_clock):
    """McTime: 10 requests/second per API key, then 429 "Too many requests" ("Restrictions")."""
    emu = Emulator(clock=fake_clock)
    org = emu.seed_mctime_organization(users=1)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        url = "https://mctime.com/api/v2/auth/clock"
        codes = [
            (await http.get(url, headers={"API_KEY": org.manager_key})).status_code
            for _ in range(11)
        ]
        assert codes == [200] * 10 + [429]
        employee = next(iter(org.employee_keys.values()))
        assert (await http.get(url, headers={"API_KEY": employee})).status_code == 200
        r = await http.get(url, headers={"API_KEY": org.manager_key})
        assert r.json() == {"message": "Too many requests"}
        assert "Retry-After" not in r.headers


async def test_toggl_leaky_bucket_per_token(fake_clock):
    """Toggl: a leaky bucket of about one request per second per token; a 429 without
    Retry-After beyond it (Toggl v8 API docs README, "The API Format")."""
    emu = Emulator(clock=fake_clock)
    user = emu.seed_toggl_user()
    auth = httpx.BasicAuth(user.api_token, "api_token")
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        url = "https://api.track.toggl.com/api/v8/me"
        codes = [(await http.get(url, auth=auth)).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = await http.get(url, auth=auth)
        assert "Retry-After" not in r.headers
        paced = []
        for _ in range(5):
            fake_clock.t += 1.0
            paced.append((await http.get(url, auth=auth)).status_code)
        assert paced == [200] * 5


async def test_unauthenticated_requests_do_not_use_budget(fake_clock):
    """A 401 is answered before counting, so a bad key cannot exhaust a workspace's window."""
    emu = Emulator(clock=fake_clock, clockify_rate_limit=1)
    ws = emu.seed_clockify_workspace(members=0)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        url = f"https://api.clockify.me/api/v1/workspaces/{ws.workspace_id}"
        for _ in range(3):
            assert (await http.get(url, headers={"X-Api-Key": "bad"})).status_code == 401
        assert (await http.get(url, headers={"X-Api-Key": ws.api_key})).status_code == 200


async def test_clockify_free_plan_30_per_hour(fake_clock):
    """A FREE workspace takes 30 requests per hour in all (Clockify "Rate limiting"), paid ones
    are not affected."""
    emu = Emulator(clock=fake_clock, clockify_retry_after=True)
    free = emu.seed_clockify_workspace(members=0, plan="FREE")
    paid = emu.seed_clockify_workspace(members=0)
    async with httpx.AsyncClient(transport=emu.transport()) as http:

        async def get(ws) -> httpx.Response:
            url = f"https://api.clockify.me/api/v1/workspaces/{ws.workspace_id}"
            fake_clock.t += 0.1  # stay far below 50/s: only the hourly window can refuse
            return await http.get(url, headers={"X-Api-Key": ws.api_key})

        codes = [(await get(free)).status_code for _ in range(31)]
        assert codes == [200] * 30 + [429]
        assert int((await get(free)).headers["Retry-After"]) > 3000
        assert all([(await get(paid)).status_code == 200 for _ in range(40)])
        fake_clock.t += 3600
        assert (await get(free)).status_code == 200

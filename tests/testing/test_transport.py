"""The in-process transport: routing by host and path, encoding, and use inside ``HttpPool``."""

from __future__ import annotations

import anyio
import httpx
import pytest

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients._transport import Channel, Request
from timeclients.testing import Emulator, FaultPlan

pytestmark = pytest.mark.anyio


async def test_loopback_host_routes_by_path_prefix(emu: Emulator, http: httpx.AsyncClient):
    """Any host routes /api/v1 to Clockify, /api/v2/auth to McTime and /api/v8 to Toggl."""
    ws = emu.seed_clockify_workspace(members=0)
    org = emu.seed_mctime_organization(users=1)
    user = emu.seed_toggl_user()
    base = "http://127.0.0.1:9"
    r = await http.get(f"{base}/api/v1/workspaces", headers={"X-Api-Key": ws.api_key})
    assert [w["id"] for w in r.json()] == [ws.workspace_id]
    r = await http.get(f"{base}/api/v2/auth/clock", headers={"API_KEY": org.manager_key})
    assert r.json()["totalItems"] == 1
    r = await http.get(f"{base}/api/v8/me", auth=(user.api_token, "api_token"))
    assert r.json()["data"]["id"] == user.user_id
    assert dict(emu.stats.by_vendor) == {"clockify": 1, "mctime": 1, "toggl": 1}


async def test_real_host_routes_only_to_its_vendor(emu, http):
    """A vendor's real host answers only that vendor's base path; other paths are 404."""
    user = emu.seed_toggl_user()
    r = await http.get("https://api.clockify.me/api/v8/me", auth=(user.api_token, "api_token"))
    assert r.status_code == 404
    assert r.json() == {"message": "No emulated vendor at this path"}
    r = await http.get("https://api.track.toggl.com/api/v8/me", auth=(user.api_token, "api_token"))
    assert r.status_code == 200
    assert emu.base_url("toggl") == "https://api.track.toggl.com/api/v8"


async def test_history_records_requests(emu, http):
    """Every request is recorded with its vendor, raw path and status."""
    ws = emu.seed_clockify_workspace(members=0)
    await http.get(f"https://api.clockify.me/api/v1/workspaces/{ws.workspace_id}")
    (record,) = emu.history
    assert (record.vendor, record.method, record.status) == ("clockify", "GET", 401)
    assert record.path == f"/api/v1/workspaces/{ws.workspace_id}"
    emu.reset_stats()
    assert emu.stats.requests == 0
    assert not emu.history


async def test_pool_limiter_keeps_mctime_free_of_429(fake_clock):
    """Through HttpPool + the transport's limiter (10/s), 60 concurrent calls meet no 429."""
    emu = Emulator(clock=fake_clock)
    org = emu.seed_mctime_organization(users=3)
    async with HttpPool(transport=emu.transport(), clock=fake_clock) as pool:
        channel = Channel(
            pool,
            vendor="mctime",
            base_url="https://mctime.com/api/v2/auth",
            headers={"API_KEY": org.manager_key},
            credential_id="manager",
            rate_limit=RateLimit(10, 1.0),
            retry=RetryPolicy.none(),
        )
        statuses: list[int] = []

        async def one() -> None:
            statuses.append((await channel.send(Request("GET", ("clock",)))).status)

        async with anyio.create_task_group() as tg:
            for _ in range(60):
                tg.start_soon(one)
    assert statuses == [200] * 60
    assert emu.stats.rate_limited == 0


async def test_pool_retries_through_injected_faults(fake_clock):
    """The transport's retry loop gets through injected 5xx and dropped connections."""
    plan = FaultPlan(seed=4, error_5xx_rate=0.3, drop_rate=0.1)
    emu = Emulator(clock=fake_clock, faults=plan, clockify_rate_limit=None)
    ws = emu.seed_clockify_workspace(members=1)
    uid = ws.member_ids[0]
    async with HttpPool(transport=emu.transport(), clock=fake_clock) as pool:
        channel = Channel(
            pool,
            vendor="clockify",
            base_url="https://api.clockify.me/api/v1",
            headers={"X-Api-Key": ws.api_key},
            credential_id="owner",
            rate_limit=None,
            retry=RetryPolicy(max_attempts=8),
        )
        for amount in range(10):
            path = ("workspaces", ws.workspace_id, "users", uid, "cost-rate")
            response = await channel.send(Request("PUT", path, json={"amount": amount}))
            assert response.status == 200
    assert emu.clockify.current_rate(ws.workspace_id, uid, "cost") == 9
    assert sum(emu.stats.faults.values()) > 0

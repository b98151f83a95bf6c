"""The seeded fault plan: reproducible draws, and which faults happen before or after the change."""

from __future__ import annotations

import json

import httpx
import pytest

from timeclients.testing import Emulator, Fault, FaultPlan

pytestmark = pytest.mark.anyio
CLOCKIFY = "https://api.clockify.me/api/v1"


def test_same_seed_same_faults():
    """Two plans with one seed draw the same sequence; reset() starts it again."""
    kwargs = {"latency": (0.01, 0.02), "error_5xx_rate": 0.2, "error_429_rate": 0.1,
              "malformed_rate": 0.1, "truncated_rate": 0.1, "drop_rate": 0.1}  # fmt: skip
    a = FaultPlan(seed=42, **kwargs)
    b = FaultPlan(seed=42, **kwargs)
    first = [a.draw() for _ in range(200)]
    assert first == [b.draw() for _ in range(200)]
    a.reset()
    assert [a.draw() for _ in range(200)] == first
    assert first != [FaultPlan(seed=43, **kwargs).draw() for _ in range(200)]


def test_rates_are_roughly_honoured():
    """Over many draws each fault shows up about as often as asked."""
    plan = FaultPlan(seed=1, error_5xx_rate=0.1, drop_rate=0.2, malformed_rate=0.05)
    draws = [plan.draw().fault for _ in range(10_000)]
    assert 0.08 < draws.count(Fault.SERVER_ERROR) / 10_000 < 0.12
    drops = draws.count(Fault.DROP_BEFORE) + draws.count(Fault.DROP_AFTER)
    assert 0.17 < drops / 10_000 < 0.23
    assert draws.count(Fault.DROP_BEFORE) > 0
    assert draws.count(Fault.DROP_AFTER) > 0
    assert 0.035 < draws.count(Fault.MALFORMED) / 10_000 < 0.065
    assert draws.count(Fault.TRUNCATED) == 0


def test_latency_is_fixed_plus_jitter():
    """Latency is fixed + uniform(0, jitter)."""
    plan = FaultPlan(seed=3, latency=(0.05, 0.01))
    values = [plan.draw().latency for _ in range(500)]
    assert min(values) >= 0.05
    assert max(values) <= 0.06
    assert max(values) - min(values) > 0.008


def test_429_bursts():
    """One injected 429 covers `error_429_burst` consecutive requests."""
    plan = FaultPlan(seed=5, error_429_rate=0.05, error_429_burst=4)
    faults = [plan.draw().fault for _ in range(2000)]
    runs = []
    count = 0
    for fault in [*faults, Fault.NONE]:
        if fault is Fault.RATE_LIMITED:
            count += 1
        elif count:
            runs.append(count)
            count = 0
    assert runs
    assert all(run % 4 == 0 for run in runs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error_5xx_rate": 1.5},
        {"drop_rate": -0.1},
        {"latency": (-1.0, 0.0)},
        {"error_429_burst": 0},
    ],
)
def test_plan_validation(kwargs):
    """Rates are in [0, 1], latency non-negative, bursts at least one."""
    with pytest.raises(ValueError, match="must be"):
        FaultPlan(**kwargs)


async def seeded(plan: FaultPlan, fake_clock) -> tuple[Emulator, str, str, str]:
    emu = Emulator(faults=plan, clock=fake_clock, clockify_rate_limit=None)
    ws = emu.seed_clockify_workspace(members=1)
    return emu, ws.workspace_id, ws.api_key, ws.member_ids[0]


async def test_injected_5xx_does_not_apply(fake_clock):
    """A 5xx happens before the state change: the rate is not set (vendor-shaped body)."""
    emu, wid, api_key, uid = await seeded(FaultPlan(error_5xx_rate=1.0), fake_clock)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        r = await http.put(f"{CLOCKIFY}/workspaces/{wid}/users/{uid}/cost-rate",
                           json={"amount": 1}, headers={"X-Api-Key": api_key})  # fmt: skip
    assert r.status_code in (500, 502, 503, 504)
    assert set(r.json()) == {"message", "code"}
    assert emu.clockify.current_rate(wid, uid, "cost") is None
    assert emu.stats.faults[Fault.SERVER_ERROR] == 1


async def test_injected_429_with_retry_after(fake_clock):
    """An injected 429 is not applied and carries the plan's Retry-After."""
    plan = FaultPlan(error_429_rate=1.0, retry_after=2)
    emu, wid, api_key, uid = await seeded(plan, fake_clock)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        r = await http.put(f"{CLOCKIFY}/workspaces/{wid}/users/{uid}/cost-rate",
                           json={"amount": 1}, headers={"X-Api-Key": api_key})  # fmt: skip
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "2"
    assert emu.clockify.current_rate(wid, uid, "cost") is None
    assert emu.stats.rate_limited == 0  # injected, not the vendor's limiter


async def test_drop_before_raises_connect_error_and_does_not_apply(fake_clock):
    """A connection dropped before sending raises httpx.ConnectError; nothing is applied."""
    plan = FaultPlan(seed=0, drop_rate=1.0)
    emu, wid, api_key, uid = await seeded(plan, fake_clock)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        outcomes = []
        for amount in range(20):
            try:
                await http.put(f"{CLOCKIFY}/workspaces/{wid}/users/{uid}/cost-rate",
                               json={"amount": amount}, headers={"X-Api-Key": api_key})  # fmt: skip
            except httpx.ConnectError:
                outcomes.append(("before", amount))
            except httpx.RemoteProtocolError:
                outcomes.append(("after", amount))
    kinds = {kind for kind, _ in outcomes}
    assert kinds == {"before", "after"}
    last_applied = [amount for kind, amount in outcomes if kind == "after"][-1]
    # "request applied, response lost": the last dropped-after update is the one in effect
    assert emu.clockify.current_rate(wid, uid, "cost") == last_applied
    assert emu.stats.by_status == {}


async def test_malformed_and_truncated_bodies_are_applied(fake_clock):
    """Malformed and truncated bodies come after the state change: the update holds."""
    for plan in (FaultPlan(malformed_rate=1.0), FaultPlan(truncated_rate=1.0)):
        emu, wid, api_key, uid = await seeded(plan, fake_clock)
        async with httpx.AsyncClient(transport=emu.transport()) as http:
            r = await http.put(f"{CLOCKIFY}/workspaces/{wid}/users/{uid}/cost-rate",
                               json={"amount": 77}, headers={"X-Api-Key": api_key})  # fmt: skip
        assert r.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            r.json()
        assert emu.clockify.current_rate(wid, uid, "cost") == 77


async def test_latency_sleeps_on_the_emulator_clock(fake_clock):
    """Latency is waited on the emulator's clock before the request arrives."""
    emu, wid, api_key, _uid = await seeded(FaultPlan(latency=(0.25, 0.0)), fake_clock)
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        await http.get(f"{CLOCKIFY}/workspaces/{wid}", headers={"X-Api-Key": api_key})
    assert fake_clock.sleeps == [0.25]
    assert emu.history[-1].arrived == pytest.approx(1000.25)


async def test_same_seed_same_run(fake_clock):
    """The same seed and the same requests give the same statuses, run after run."""

    async def run() -> list[int | str]:
        plan = FaultPlan(seed=9, error_5xx_rate=0.3, drop_rate=0.2, error_429_rate=0.1)
        emu, wid, api_key, _uid = await seeded(plan, fake_clock)
        seen: list[int | str] = []
        async with httpx.AsyncClient(transport=emu.transport()) as http:
            for _ in range(30):
                try:
                    r = await http.get(
                        f"{CLOCKIFY}/workspaces/{wid}", headers={"X-Api-Key": api_key}
                    )
                    seen.append(r.status_code)
                except httpx.TransportError as exc:
                    seen.append(type(exc).__name__)
        return seen

    first = await run()
    assert first == await run()
    assert len(set(first)) > 2

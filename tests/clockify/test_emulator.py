"""ClockifyClient end to end against the project's emulator, client and server on one fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import anyio
import pytest

from timeclients import HttpPool
from timeclients.clockify import ClockifyClient, MembershipStatus, Rate
from timeclients.errors import (
    AlreadyMemberError,
    NoSeatsAvailableError,
    NotFoundError,
    SubscriptionRequiredError,
)
from timeclients.testing import Emulator

from ..conftest import FakeClock


@pytest.fixture
def emulator(fake_clock: FakeClock) -> Emulator:
    """An emulator with Clockify's strict 50/s per-workspace limit, on the test's fake clock."""
    return Emulator(seed=7, clock=fake_clock)


@pytest.fixture
async def pool(emulator: Emulator, fake_clock: FakeClock) -> AsyncIterator[HttpPool]:
    """A pool whose transport is the in-process emulator, on the same fake clock."""
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        yield pool


@pytest.mark.anyio
async def test_list_then_bulk_update_every_member(emulator: Emulator, pool: HttpPool) -> None:
    """121 members over three pages, then 120 cost rates set at 50/s with no 429 from the server."""
    ws = emulator.seed_clockify_workspace(members=120)
    async with ClockifyClient(api_key=ws.api_key, pool=pool) as client:
        users = [u async for u in client.users.list(ws.workspace_id)]
        assert len(users) == 121
        assert len({u.id for u in users}) == 121
        assert set(ws.member_ids) <= {u.id for u in users}
        progress: list[tuple[int, int]] = []
        result = await client.users.bulk_set_cost_rate(
            ws.workspace_id,
            dict.fromkeys(ws.member_ids, 7500),
            on_progress=lambda d, t: progress.append((d, t)),
        )
        assert client.stats.throttled == 0
    assert result.ok
    assert result.succeeded == list(ws.member_ids)
    assert progress[-1] == (120, 120)
    assert result.workspace is not None
    assert result.workspace.cost_rate_for(ws.member_ids[-1]) == Rate(7500, "USD")
    for user_id in ws.member_ids:
        assert emulator.clockify.current_rate(ws.workspace_id, user_id, "cost") == 7500


@pytest.mark.anyio
async def test_two_workspaces_in_parallel_stay_within_the_servers_limit(
    emulator: Emulator, pool: HttpPool
) -> None:
    """Bulk jobs on two workspaces run side by side, each at its own budget, with no 429."""
    first = emulator.seed_clockify_workspace(members=60)
    second = emulator.seed_clockify_workspace(members=60)
    results = {}
    async with (
        ClockifyClient(api_key=first.api_key, pool=pool) as a,
        ClockifyClient(api_key=second.api_key, pool=pool) as b,
    ):

        async def run(client: ClockifyClient, workspace_id: str, members: tuple[str, ...]) -> None:
            results[workspace_id] = await client.users.bulk_set_hourly_rate(
                workspace_id, dict.fromkeys(members, 12000)
            )

        async with anyio.create_task_group() as tg:
            tg.start_soon(run, a, first.workspace_id, tuple(first.member_ids))
            tg.start_soon(run, b, second.workspace_id, tuple(second.member_ids))
        assert a.stats.throttled == b.stats.throttled == 0
    assert all(r.ok for r in results.values())
    assert emulator.clockify.current_rate(second.workspace_id, second.member_ids[0], "hourly") == (
        12000
    )


@pytest.mark.anyio
async def test_add_user_documented_failures(emulator: Emulator, pool: HttpPool) -> None:
    """users.add: 409 for a member, 403 without a free seat, 402 on a FREE workspace."""
    full = emulator.seed_clockify_workspace(members=2, seats=3)
    free = emulator.seed_clockify_workspace(members=1, plan="FREE")
    async with ClockifyClient(api_key=full.api_key, pool=pool) as client:
        with pytest.raises(AlreadyMemberError):
            await client.users.add(full.workspace_id, email=full.member_emails[0])
        with pytest.raises(NoSeatsAvailableError):
            await client.users.add(
                full.workspace_id, email="newcomer@example.com", send_email=False
            )
    async with ClockifyClient(api_key=free.api_key, pool=pool) as client:
        with pytest.raises(SubscriptionRequiredError):
            await client.users.add(free.workspace_id, email="newcomer@example.com")


@pytest.mark.anyio
async def test_status_and_rates_round_trip(emulator: Emulator, pool: HttpPool) -> None:
    """A deactivated member lists as INACTIVE; a user rate shows in hourly_rate_for."""
    ws = emulator.seed_clockify_workspace(members=3)
    member = ws.member_ids[1]
    async with ClockifyClient(addon_token=ws.addon_token, pool=pool) as client:
        await client.users.set_status(ws.workspace_id, member, status=MembershipStatus.INACTIVE)
        inactive = [u.id async for u in client.users.list(ws.workspace_id, status="INACTIVE")]
        assert inactive == [member]
        updated = await client.users.set_hourly_rate(
            ws.workspace_id, member, amount=20000, since=datetime(2020, 1, 1, tzinfo=timezone.utc)
        )
        assert updated.hourly_rate_for(member) == Rate(20000, "USD")
        assert updated.hourly_rate_for(ws.member_ids[0]) == updated.hourly_rate
        fetched = await client.workspaces.get(ws.workspace_id)
        assert fetched.hourly_rate_for(member) == Rate(20000, "USD")
        with pytest.raises(NotFoundError):
            await client.workspaces.get("no-such-workspace")

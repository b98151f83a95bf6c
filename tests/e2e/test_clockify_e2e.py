"""ClockifyClient end to end against the emulator, in-process and over a loopback socket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from timeclients import HttpPool, RetryPolicy
from timeclients.clockify import (
    ClockifyClient,
    FeatureSubscriptionType,
    MembershipStatus,
    Rate,
    Role,
)
from timeclients.errors import (
    AlreadyMemberError,
    AuthenticationError,
    NoSeatsAvailableError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    SubscriptionRequiredError,
)
from timeclients.testing import Emulator, FaultPlan

from .conftest import Wire


@pytest.mark.anyio
async def test_read_workspaces_and_every_member_over_pages(emulator: Emulator, wire: Wire) -> None:
    """Workspaces list and get, and users.list walks 121 members over three 50-user pages."""
    ws = emulator.seed_clockify_workspace(members=120, name="Cool Company")
    async with ClockifyClient(api_key=ws.api_key, **wire.client_args("clockify")) as client:
        listed = await client.workspaces.list(roles=[Role.OWNER])
        assert [w.id for w in listed] == [ws.workspace_id]
        workspace = await client.workspaces.get(ws.workspace_id)
        assert workspace.name == "Cool Company"
        assert workspace.feature_subscription_type == FeatureSubscriptionType.PREMIUM
        assert workspace.workspace_settings is not None
        assert isinstance(workspace.workspace_settings.admin_only_pages, list)
        users = [u async for u in client.users.list(ws.workspace_id)]
        assert client.stats.requests == 2 + 3  # list, get, and three pages
    assert [u.id for u in users][1:] == list(ws.member_ids)
    assert users[0].id == ws.owner_id
    assert {u.email for u in users[1:]} == set(ws.member_emails)


@pytest.mark.anyio
async def test_rates_apply_now_and_from_a_future_since(emulator: Emulator, wire: Wire) -> None:
    """Workspace and user rates are set; a future ``since`` is stored but not yet in effect."""
    ws = emulator.seed_clockify_workspace(members=2)
    member = ws.member_ids[0]
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    async with ClockifyClient(api_key=ws.api_key, **wire.client_args("clockify")) as client:
        updated = await client.workspaces.set_hourly_rate(ws.workspace_id, amount=15000)
        assert updated.hourly_rate == Rate(15000, "USD")
        updated = await client.workspaces.set_cost_rate(ws.workspace_id, amount=9000)
        assert updated.cost_rate == Rate(9000, "USD")
        updated = await client.users.set_hourly_rate(ws.workspace_id, member, amount=20000)
        assert updated.hourly_rate_for(member) == Rate(20000, "USD")
        assert updated.hourly_rate_for(ws.member_ids[1]) == Rate(15000, "USD")  # the default
        updated = await client.users.set_cost_rate(ws.workspace_id, member, amount=7500)
        assert updated.cost_rate_for(member) == Rate(7500, "USD")
        later = await client.users.set_cost_rate(
            ws.workspace_id, member, amount=8000, since=tomorrow
        )
        assert later.cost_rate_for(member) == Rate(7500, "USD")
    assert emulator.clockify.current_rate(ws.workspace_id, member, "cost") == 7500
    assert emulator.clockify.current_rate(ws.workspace_id, None, "hourly") == 15000


@pytest.mark.anyio
async def test_deactivate_and_reactivate_a_member(emulator: Emulator, wire: Wire) -> None:
    """set_status INACTIVE then ACTIVE; the membership status follows, filters see it."""
    ws = emulator.seed_clockify_workspace(members=3)
    member = ws.member_ids[1]

    async with ClockifyClient(api_key=ws.api_key, **wire.client_args("clockify")) as client:
        off = await client.users.set_status(ws.workspace_id, member, status="INACTIVE")
        membership = next(m for m in off.memberships if m.user_id == member)
        assert membership.membership_status == MembershipStatus.INACTIVE
        inactive = [u.id async for u in client.users.list(ws.workspace_id, status="INACTIVE")]
        assert inactive == [member]
        on = await client.users.set_status(ws.workspace_id, member, status=MembershipStatus.ACTIVE)
        membership = next(m for m in on.memberships if m.user_id == member)
        assert membership.membership_status == MembershipStatus.ACTIVE
        assert [u.id async for u in client.users.list(ws.workspace_id, status="INACTIVE")] == []


@pytest.mark.anyio
async def test_adding_members_follows_plan_membership_and_seats(
    emulator: Emulator, wire: Wire
) -> None:
    """users.add: PENDING on success; 409 already a member; 403 no seat; 402 on a FREE plan."""
    ws = emulator.seed_clockify_workspace(members=2, seats=4)  # owner + 2 + one free seat
    async with ClockifyClient(api_key=ws.api_key, **wire.client_args("clockify")) as client:
        added = await client.users.add(ws.workspace_id, email="new.hire@example.com")
        newcomer = next(
            m for m in added.memberships if m.user_id not in {ws.owner_id, *ws.member_ids}
        )
        assert newcomer.membership_status == MembershipStatus.PENDING
        with pytest.raises(AlreadyMemberError):
            await client.users.add(ws.workspace_id, email=ws.member_emails[0])
        with pytest.raises(NoSeatsAvailableError):
            await client.users.add(
                ws.workspace_id, email="one.too.many@example.com", send_email=False
            )
        created = await client.workspaces.create(
            name="Side Project", organization_id=ws.workspace_id
        )
        assert created.feature_subscription_type == FeatureSubscriptionType.FREE
        with pytest.raises(SubscriptionRequiredError):
            await client.users.add(created.id, email="someone@example.com")
    assert emulator.clockify.invitations == [(ws.workspace_id, "new.hire@example.com", True)]


@pytest.mark.anyio
async def test_credentials_and_permissions_map_to_errors(emulator: Emulator, wire: Wire) -> None:
    """An unknown key is a 401, a plain member changing the workspace a 403, a bad id a 404."""
    ws = emulator.seed_clockify_workspace(members=1)
    with emulator.lock:
        member_key = emulator.clockify.add_api_key(ws.member_ids[0])
    async with (
        ClockifyClient(api_key="ck_not_a_key", **wire.client_args("clockify")) as stranger,
        ClockifyClient(api_key=member_key, **wire.client_args("clockify")) as member,
    ):
        with pytest.raises(AuthenticationError):
            await stranger.workspaces.list()
        assert (await member.workspaces.get(ws.workspace_id)).id == ws.workspace_id
        with pytest.raises(PermissionDeniedError):
            await member.workspaces.set_cost_rate(ws.workspace_id, amount=1)
        with pytest.raises(NotFoundError):
            await member.workspaces.get("../../workspaces")  # percent-encoded: one segment


@pytest.mark.anyio
@pytest.mark.parametrize("way", ["in-process", "served"])
async def test_bulk_under_503s_accounts_for_every_item(way: str) -> None:
    """15% of PUTs answered 503: 300 items each succeed or fail with ServerError, the server
    holds exactly the reported successes, and progress reaches (300, 300).

    Rate limits are off on both sides so the test is about accounting, not pacing (the
    throttle suite covers pacing); retries back off for milliseconds, not seconds.
    """
    emulator = Emulator(
        seed=5,
        faults=FaultPlan(seed=5, error_5xx_rate=0.15, statuses=(503,)),
        clockify_rate_limit=None,
    )
    ws = emulator.seed_clockify_workspace(members=300)
    rates = {user_id: 5000 + i for i, user_id in enumerate(ws.member_ids)}
    progress: list[tuple[int, int]] = []
    retry = RetryPolicy(backoff_initial=0.005, backoff_max=0.02)
    if way == "served":
        with emulator.serve() as served:
            async with ClockifyClient(
                api_key=ws.api_key, base_url=served.clockify_url, rate_limit=None, retry=retry
            ) as client:
                result = await client.users.bulk_set_cost_rate(
                    ws.workspace_id, rates, on_progress=lambda d, t: progress.append((d, t))
                )
    else:
        async with (
            HttpPool(transport=emulator.transport()) as pool,
            ClockifyClient(api_key=ws.api_key, pool=pool, rate_limit=None, retry=retry) as client,
        ):
            result = await client.users.bulk_set_cost_rate(
                ws.workspace_id, rates, on_progress=lambda d, t: progress.append((d, t))
            )
    assert len(result.succeeded) + len(result.failed) == 300
    assert set(result.succeeded).isdisjoint(result.failed)
    assert all(isinstance(exc, ServerError) for exc in result.failed.values())
    assert all(exc.status == 503 for exc in result.failed.values())  # type: ignore[attr-defined]
    assert progress[-1] == (300, 300)
    assert [d for d, _ in progress] == list(range(1, 301))
    held = {
        user_id
        for user_id in ws.member_ids
        if emulator.clockify.current_rate(ws.workspace_id, user_id, "cost") == rates[user_id]
    }
    assert held == set(result.succeeded)
    assert emulator.stats.faults  # the plan did inject 503s
    assert client.stats.retries > 0

"""McTimeClient end to end against the emulator, in-process and over a loopback socket."""

from __future__ import annotations

import pytest

from timeclients.errors import (
    AuthenticationError,
    ClockedOutError,
    EntryNotVisibleError,
    ValidationError,
)
from timeclients.mctime import McTimeClient, TimeType
from timeclients.testing import Emulator

from .conftest import Wire


@pytest.mark.anyio
async def test_manager_lists_everyone_clocked_in_over_pages(emulator: Emulator, wire: Wire) -> None:
    """45 clocked-in users over three 20-item pages, in clock-in order, breaks flagged."""
    org = emulator.seed_mctime_organization(users=45, on_break=3, time_types=("work", "travel"))
    async with McTimeClient(api_key=org.manager_key, **wire.client_args("mctime")) as client:
        listing = client.clock.list()
        entries = [entry async for entry in listing]
        page = await client.clock.page(3)
        assert client.stats.requests == 3 + 1
    assert [e.user_id for e in entries] == list(org.user_ids)
    assert [e.id for e in entries] == list(org.entry_ids)
    assert {e.user_id for e in entries if e.on_break} == set(org.on_break_ids)
    assert {e.time_type for e in entries} == {TimeType.WORK, TimeType.TRAVEL}
    assert all(e.clocked_in and e.from_.utcoffset() is not None for e in entries)
    assert listing.item_errors == []
    assert (page.page, page.total_items, page.total_pages, len(page.items)) == (3, 45, 3, 5)


@pytest.mark.anyio
async def test_employee_sees_only_itself_and_managers_their_organizations(
    emulator: Emulator, wire: Wire
) -> None:
    """An employee key sees one entry; each manager its organization; one managing both, both."""
    north = emulator.seed_mctime_organization(users=4, name="North")
    south = emulator.seed_mctime_organization(users=3, name="South")
    with emulator.lock:
        both = emulator.mctime.add_user(
            "Ada",
            "Admin",
            role="administrator",
            organizations={north.organization_id, south.organization_id},
            manages={north.organization_id, south.organization_id},
        )
        both_key = emulator.mctime.add_api_key(both)
    employee = north.user_ids[2]
    args = wire.client_args("mctime")

    async def visible(key: str) -> list[str]:
        async with McTimeClient(api_key=key, **args) as client:
            return [entry.user_id async for entry in client.clock.list()]

    assert await visible(north.employee_keys[employee]) == [employee]
    assert await visible(north.manager_key) == list(north.user_ids)
    assert await visible(south.manager_key) == list(south.user_ids)
    assert sorted(await visible(both_key)) == sorted(north.user_ids + south.user_ids)
    async with McTimeClient(api_key=both_key, **args) as client:
        only_south = [e.user_id async for e in client.clock.list(organization_names=["South"])]
    assert only_south == list(south.user_ids)


@pytest.mark.anyio
async def test_user_filter_keeps_visible_users_and_reports_the_others(
    emulator: Emulator, wire: Wire
) -> None:
    """A userIds filter naming someone the key may not see gives a 400 item, the rest stay."""
    north = emulator.seed_mctime_organization(users=5, name="North")
    south = emulator.seed_mctime_organization(users=2, name="South")
    wanted = [north.user_ids[0], south.user_ids[0], north.user_ids[4]]
    async with McTimeClient(api_key=north.manager_key, **wire.client_args("mctime")) as client:
        listing = client.clock.list(user_ids=wanted)
        got = [entry.user_id async for entry in listing]
    assert got == [north.user_ids[0], north.user_ids[4]]
    assert [(e.user_id, e.status) for e in listing.item_errors] == [(south.user_ids[0], 400)]


@pytest.mark.anyio
async def test_get_one_entry_and_its_documented_errors(emulator: Emulator, wire: Wire) -> None:
    """clock.get: 200 running, 404 clocked out, 400 unknown or not visible, 401 a bad key."""
    org = emulator.seed_mctime_organization(users=3, clocked_out=1)
    other = emulator.seed_mctime_organization(users=1, name="Elsewhere")
    args = wire.client_args("mctime")
    async with McTimeClient(api_key=org.manager_key, **args) as client:
        status = await client.clock.get(org.entry_ids[1])
        assert (status.id, status.user_id) == (org.entry_ids[1], org.user_ids[1])
        with pytest.raises(ClockedOutError):
            await client.clock.get(org.clocked_out_entry_ids[0])
        with pytest.raises(EntryNotVisibleError):
            await client.clock.get("00000000-0000-0000-0000-000000000000")
        with pytest.raises(EntryNotVisibleError):
            await client.clock.get(other.entry_ids[0])
        with pytest.raises(ValidationError):
            await client.clock.get("")
    async with McTimeClient(api_key="mc_not_a_key", **args) as stranger:
        with pytest.raises(AuthenticationError):
            await stranger.clock.page()

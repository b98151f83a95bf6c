"""End to end against the project's McTime emulator: roles, pages, shifts, the 404/400 split."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from timeclients import HttpPool
from timeclients.errors import AuthenticationError, ClockedOutError, EntryNotVisibleError
from timeclients.mctime import McTimeClient
from timeclients.testing import Emulator


class BeforePage(httpx.AsyncBaseTransport):
    """Runs a hook just before page ``n`` of ``GET /clock`` reaches the emulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hooks: dict[str, Callable[[], None]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        hook = self.hooks.pop(request.url.params.get("page", ""), None)
        if hook is not None:
            hook()
        return await self.inner.handle_async_request(request)


@pytest.mark.anyio
async def test_a_manager_sees_the_organization_and_an_employee_only_itself() -> None:
    """The key decides visibility: 45 entries over 3 pages for the manager, one for an employee."""
    emulator = Emulator(seed=1)
    org = emulator.seed_mctime_organization(users=45, on_break=3)
    async with HttpPool(transport=emulator.transport()) as pool:
        manager = McTimeClient(api_key=org.manager_key, pool=pool, rate_limit=None)
        async with manager.clock.list() as clocks:
            got = [s.id async for s in clocks]
        assert got == list(org.entry_ids)
        assert clocks.last_page == 3
        employee = McTimeClient(api_key=org.employee_keys[org.user_ids[5]], pool=pool)
        assert [s.user_id async for s in employee.clock.list()] == [org.user_ids[5]]


@pytest.mark.anyio
async def test_an_employee_asking_for_a_colleague_gets_an_item_error() -> None:
    """A colleague the key may not see is a per-item 400; its own entry is still returned."""
    emulator = Emulator(seed=2)
    org = emulator.seed_mctime_organization(users=3)
    me, colleague = org.user_ids[0], org.user_ids[1]
    async with HttpPool(transport=emulator.transport()) as pool:
        employee = McTimeClient(api_key=org.employee_keys[me], pool=pool)
        clocks = employee.clock.list(user_ids=[me, colleague])
        assert [s.user_id async for s in clocks] == [me]
    assert [(e.user_id, e.status) for e in clocks.item_errors] == [(colleague, 400)]


@pytest.mark.anyio
async def test_a_clock_in_between_page_1_and_page_2_is_no_duplicate() -> None:
    """Someone clocking in earlier than everyone shifts page 2 by one: nothing twice, none lost."""
    emulator = Emulator(seed=3)
    org = emulator.seed_mctime_organization(users=45, idle=1)
    late = next(u for u in org.employee_keys if u not in org.user_ids)
    transport = BeforePage(emulator.transport())
    transport.hooks["2"] = lambda: emulator.mctime.clock_in(
        late, org.organization_id, at=emulator.now() - timedelta(days=1)
    )
    async with HttpPool(transport=transport) as pool:
        manager = McTimeClient(api_key=org.manager_key, pool=pool, rate_limit=None)
        pages = [p async for p in manager.clock.list().pages()]
    got = [s.id for p in pages for s in p.items]
    assert len(got) == len(set(got))
    assert set(org.entry_ids) <= set(got)
    # Page 2 came back with entry 19 again (46 users now): it was dropped there.
    assert [len(p.items) for p in pages] == [20, 19, 6]
    assert pages[1].total_items == 46


@pytest.mark.anyio
async def test_get_splits_clocked_out_from_unknown() -> None:
    """A clocked-out entry is a 404 ClockedOutError; an unknown id a 400 EntryNotVisibleError."""
    emulator = Emulator(seed=4)
    org = emulator.seed_mctime_organization(users=2, clocked_out=1)
    async with HttpPool(transport=emulator.transport()) as pool:
        manager = McTimeClient(api_key=org.manager_key, pool=pool)
        status = await manager.clock.get(org.entry_ids[0])
        assert status.user_id == org.user_ids[0]
        gone = org.clocked_out_entry_ids[0]
        with pytest.raises(ClockedOutError, match=f"GET /times/{gone}"):
            await manager.clock.get(gone)
        with pytest.raises(EntryNotVisibleError):
            await manager.clock.get("no-such-entry")
        stranger = McTimeClient(api_key="not-a-key", pool=pool)
        with pytest.raises(AuthenticationError):
            await stranger.clock.get(org.entry_ids[0])

"""The Emulator facade: vendor-shaped injected errors, time control, the ASGI lifespan, helpers."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from timeclients.testing import Emulator, FaultPlan

pytestmark = pytest.mark.anyio


async def test_injected_errors_use_each_vendors_shape():
    """An injected 5xx looks like the vendor's own error: JSON for McTime, text for Toggl."""
    emu = Emulator(faults=FaultPlan(error_5xx_rate=1.0, statuses=(503,)))
    org = emu.seed_mctime_organization(users=1)
    user = emu.seed_toggl_user()
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        r = await http.get(
            "https://mctime.com/api/v2/auth/clock", headers={"API_KEY": org.manager_key}
        )
        assert (r.status_code, r.json()) == (503, {"message": "Injected server error"})
        r = await http.get(
            "https://api.track.toggl.com/api/v8/me", auth=(user.api_token, "api_token")
        )
        assert (r.status_code, r.text) == (503, "Injected server error")
        assert r.headers["content-type"].startswith("text/plain")
    assert emu.stats.by_status[503] == 2


def test_set_time_needs_an_aware_datetime():
    """A naive calendar time is refused; None follows the wall clock again."""
    emu = Emulator()
    with pytest.raises(ValueError, match="timezone-aware"):
        emu.set_time(datetime(2026, 1, 1))
    emu.set_time(None)
    assert emu.now().tzinfo is not None


def test_state_helpers_refuse_undocumented_values():
    """McTime roles and time types must be documented ones."""
    emu = Emulator()
    with pytest.raises(ValueError, match="role"):
        emu.mctime.add_user("A", "B", role="boss")
    org = emu.seed_mctime_organization(users=0, idle=1)
    (uid,) = org.employee_keys
    with pytest.raises(ValueError, match="time type"):
        emu.mctime.clock_in(uid, org.organization_id, time_type="nap")


async def test_asgi_lifespan_is_acknowledged():
    """The raw ASGI app completes lifespan startup and shutdown (servers that send them)."""
    app = Emulator().asgi_app()
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, str]] = []

    async def receive() -> dict[str, str]:
        return incoming.pop(0)

    async def send(message) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


async def test_emulator_serve_method():
    """Emulator.serve() serves this emulator on a free loopback port."""
    emu = Emulator()
    ws = emu.seed_clockify_workspace(members=0)
    with emu.serve() as served:
        assert served.emulator is emu
        async with httpx.AsyncClient() as http:
            r = await http.get(
                f"{served.clockify_url}/workspaces", headers={"X-Api-Key": ws.api_key}
            )
    assert [w["id"] for w in r.json()] == [ws.workspace_id]

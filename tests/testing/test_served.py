"""The emulator served over a loopback socket (uvicorn in a thread, via the ASGI app)."""

from __future__ import annotations

import anyio
import httpx
import pytest

from timeclients.testing import Emulator, FaultPlan, ServedEmulator, serve

pytestmark = pytest.mark.anyio


async def test_documents_sample_requests_over_a_socket(
    emulator: Emulator, served_emulator: ServedEmulator
):
    """The documents' sample requests get the documented shapes and statuses over HTTP."""
    ws = emulator.seed_clockify_workspace(members=3)
    org = emulator.seed_mctime_organization(users=2, on_break=1)
    user = emulator.seed_toggl_user()
    async with httpx.AsyncClient() as http:
        # Clockify "Get all my workspaces", request example
        r = await http.get(
            f"{served_emulator.clockify_url}/workspaces?roles=WORKSPACE_ADMIN&roles=OWNER",
            headers={"X-Api-Key": ws.api_key},
        )
        assert r.status_code == 200
        assert r.json()[0]["id"] == ws.workspace_id
        # Clockify "Add user to workspace", request example
        r = await http.post(
            f"{served_emulator.clockify_url}/workspaces/{ws.workspace_id}/users?send-email=true",
            headers={"X-Api-Key": ws.api_key, "Content-Type": "application/json"},
            json={"email": "johndoe@example.com"},
        )
        assert r.status_code == 200
        # McTime "GET /clock", response 200
        r = await http.get(
            f"{served_emulator.mctime_url}/clock", headers={"API_KEY": org.manager_key}
        )
        assert r.status_code == 200
        assert r.json()["totalItems"] == 2
        assert r.json()["items"][0]["onBreak"] is True
        # Toggl v8 "Users": the curl examples of /me, /reset_token and /signups
        auth = (user.api_token, "api_token")
        r = await http.get(f"{served_emulator.toggl_url}/me", auth=auth)
        assert r.json()["data"]["email"] == user.email
        r = await http.put(
            f"{served_emulator.toggl_url}/me", auth=auth, json={"user": {"fullname": "John Smith"}}
        )
        assert r.json()["data"]["fullname"] == "John Smith"
        # toggl is a leaky bucket per token (1/s, burst 2): a second user has its own bucket
        other = emulator.seed_toggl_user()
        r = await http.post(
            f"{served_emulator.toggl_url}/reset_token", auth=(other.api_token, "api_token")
        )
        assert isinstance(r.json(), str)
        r = await http.post(
            f"{served_emulator.toggl_url}/signups",
            json={"user": {"email": "new@example.com", "password": "StrongPassword",
                           "timezone": "Etc/UTC", "created_with": "curl"}},
        )  # fmt: skip
        assert r.status_code == 200
        assert r.json()["data"]["api_token"]


async def test_served_headers_and_encoded_segments(emulator, served_emulator):
    """Last-Page and 401 bodies survive the socket; an encoded '/' stays inside one segment."""
    ws = emulator.seed_clockify_workspace(members=1)
    async with httpx.AsyncClient(base_url=served_emulator.clockify_url) as http:
        r = await http.get(
            f"/workspaces/{ws.workspace_id}/users", headers={"X-Api-Key": ws.api_key}
        )
        assert r.headers["Last-Page"] == "true"
        r = await http.get("/workspaces", headers={"X-Api-Key": "nope"})
        assert r.status_code == 401
        assert set(r.json()) == {"message", "code"}
        r = await http.get(
            f"/workspaces/{ws.workspace_id}%2Fusers", headers={"X-Api-Key": ws.api_key}
        )
        assert r.status_code == 404


async def test_dropped_connection_over_a_socket():
    """A dropped connection closes the socket mid-response: the client sees a protocol error."""
    emu = Emulator(faults=FaultPlan(drop_rate=1.0))
    with serve(emu) as served:
        async with httpx.AsyncClient() as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get(f"{served.clockify_url}/workspaces")


async def test_concurrent_requests_are_all_answered():
    """Many concurrent requests over the socket are all answered and counted."""
    emu = Emulator(mctime_rate_limit=None)
    org = emu.seed_mctime_organization(users=30)
    with serve(emu) as served:
        statuses: list[int] = []
        async with httpx.AsyncClient(base_url=served.mctime_url) as http:

            async def one(page: int) -> None:
                r = await http.get(
                    "/clock", params={"page": page}, headers={"API_KEY": org.manager_key}
                )
                statuses.append(r.status_code)

            async with anyio.create_task_group() as tg:
                for i in range(60):
                    tg.start_soon(one, 1 + i % 2)
    assert statuses == [200] * 60
    assert emu.stats.requests == 60


def test_served_urls():
    """The served handle names each vendor's base URL on the chosen port."""
    served = ServedEmulator(Emulator(), "127.0.0.1", 8765)
    assert served.url == "http://127.0.0.1:8765"
    assert served.clockify_url == "http://127.0.0.1:8765/api/v1"
    assert served.mctime_url == "http://127.0.0.1:8765/api/v2/auth"
    assert served.toggl_url == "http://127.0.0.1:8765/api/v8"
    assert ServedEmulator(Emulator(), "::1", 1).url == "http://[::1]:1"


async def test_asgi_app_in_process():
    """The ASGI app also works under httpx.ASGITransport, routed by path."""
    emu = Emulator()
    user = emu.seed_toggl_user()
    transport = httpx.ASGITransport(app=emu.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        r = await http.get("/api/v8/me", auth=(user.api_token, "api_token"))
        assert r.json()["data"]["id"] == user.user_id
        r = await http.get("/nowhere")
        assert r.status_code == 404

"""The Toggl emulator answers a refused update the real v8 way (404 + messages) or with 400."""

from __future__ import annotations

import httpx
import pytest

from timeclients import HttpPool
from timeclients.errors import BadRequestError, NotFoundError
from timeclients.testing import Emulator
from timeclients.toggl import TogglClient

pytestmark = pytest.mark.anyio
BASE = "https://api.track.toggl.com/api/v8"


@pytest.mark.parametrize("status", [400, 404])
async def test_emulator_refused_status_switch(emu: Emulator, status: int) -> None:
    """``refused_status`` decides the status; the body is the array of messages either way."""
    emu.toggl.refused_status = status
    user = emu.seed_toggl_user()
    async with httpx.AsyncClient(transport=emu.transport()) as http:
        r = await http.put(
            f"{BASE}/me",
            json={"user": {"beginning_of_week": 9}},
            auth=httpx.BasicAuth(user.api_token, "api_token"),
        )
        signup = await http.post(f"{BASE}/signups", json={"user": {"email": "bad"}})
    assert r.status_code == status
    assert r.json() == ["Beginning of week must be in range 0-6"]
    assert signup.status_code == status
    assert isinstance(signup.json(), list)


@pytest.mark.parametrize("status", [400, 404])
async def test_client_reads_a_refused_update_as_bad_request_both_ways(
    emu: Emulator, status: int
) -> None:
    """Through the public client: a refused change, password change or signup is a
    BadRequestError carrying Toggl's messages, whether the emulator answers 400 or 404."""
    emu.toggl.refused_status = status
    user = emu.seed_toggl_user()
    taken = emu.seed_toggl_user()
    pool = HttpPool(transport=emu.transport())
    async with TogglClient(api_token=user.api_token, pool=pool, rate_limit=None) as client:
        with pytest.raises(BadRequestError) as info:
            await client.me.update(email=taken.email)
        assert info.value.status == status
        assert "already been taken" in info.value.message
        assert not isinstance(info.value, NotFoundError)
        with pytest.raises(BadRequestError) as info:
            await client.me.change_password(current_password="wrong-one", password="newpass1")
        assert "Current password is not valid" in info.value.message
        with pytest.raises(BadRequestError) as info:
            await client.signups.create(
                email=taken.email, password="secret1", timezone="UTC", created_with="tests"
            )
        assert "already been taken" in info.value.message


async def test_with_related_data_returns_tasks(emu: Emulator) -> None:
    """The emulator's /me?with_related_data=true carries ``tasks``; the client models them."""
    user = emu.seed_toggl_user()
    pool = HttpPool(transport=emu.transport())
    async with TogglClient(api_token=user.api_token, pool=pool, rate_limit=None) as client:
        me = await client.me.get(with_related_data=True)
        plain = await client.me.get()
    assert me.user.tasks == []
    assert plain.user.tasks is None

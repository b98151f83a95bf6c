"""TogglClient end to end against the emulator, in-process and over a loopback socket.

Each test spends at most two calls per credential, so the client's one-request-per-second pace
costs at most a second per test.
"""

from __future__ import annotations

import pytest

from timeclients.errors import AuthenticationError, ConfigurationError
from timeclients.testing import Emulator
from timeclients.toggl import TogglClient

from .conftest import Wire


@pytest.mark.anyio
async def test_me_with_related_data(emulator: Emulator, wire: Wire) -> None:
    """GET /me: the user, and with related data its time entries, projects, tags, clients."""
    user = emulator.seed_toggl_user(fullname="John Swift", related=2)
    async with TogglClient(api_token=user.api_token, **wire.client_args("toggl")) as client:
        plain = await client.me.get()
        full = await client.me.get(with_related_data=True)
    assert (plain.user.id, plain.user.fullname, plain.user.email) == (
        user.user_id,
        "John Swift",
        user.email,
    )
    assert plain.user.time_entries is None
    assert plain.since.tzinfo is not None
    assert full.user.time_entries is not None
    assert len(full.user.time_entries) == 2
    assert full.user.projects is not None
    assert len(full.user.projects) == 2
    assert full.user.workspaces is not None
    assert user.workspace_id in {w.id for w in full.user.workspaces}


@pytest.mark.anyio
async def test_signup_then_sign_in_with_email_and_password(emulator: Emulator, wire: Wire) -> None:
    """signups.create needs no credential; the new user signs in with e-mail and password."""
    args = wire.client_args("toggl")
    async with TogglClient(**args) as anonymous:
        created = await anonymous.signups.create(
            email="new.user@example.com",
            password="StrongPassword",
            timezone="Etc/UTC",
            created_with="timeclients e2e",
        )
        with pytest.raises(ConfigurationError):
            await anonymous.me.get()
    assert created.api_token
    async with TogglClient(
        email="new.user@example.com", password="StrongPassword", **args
    ) as client:
        me = await client.me.get()
        updated = await client.me.update(fullname="New User", beginning_of_week=1)
    assert me.user.id == created.id
    assert (updated.fullname, updated.beginning_of_week) == ("New User", 1)


@pytest.mark.anyio
async def test_reset_token_switches_the_client_and_retires_the_old_token(
    emulator: Emulator, wire: Wire
) -> None:
    """POST /reset_token: the client uses the new token; the old one is refused with a 403."""
    user = emulator.seed_toggl_user()
    args = wire.client_args("toggl")
    async with TogglClient(api_token=user.api_token, **args) as client:
        token = await client.me.reset_token()
    assert token != user.api_token
    assert len(token) == 32
    async with TogglClient(api_token=token, **args) as renewed:
        assert (await renewed.me.get()).user.api_token == token
    async with TogglClient(api_token=user.api_token, **args) as stale:
        with pytest.raises(AuthenticationError) as caught:
            await stale.me.get()
    assert caught.value.status == 403
    assert user.api_token not in str(caught.value)

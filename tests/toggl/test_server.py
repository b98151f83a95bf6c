"""Every Toggl call end to end over real sockets, against an independent loopback server."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from timeclients import HttpPool
from timeclients.errors import AuthenticationError, BadRequestError, ConfigurationError
from timeclients.toggl import TimeOfDayFormat, TogglClient

from .server import TogglServer


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.anyio
async def test_every_call_end_to_end(toggl_server: TogglServer) -> None:
    """Signup (anonymous), get with related data and since, update, password, reset, 403."""
    base = toggl_server.base_url
    state = toggl_server.state
    async with HttpPool() as pool:
        anonymous = TogglClient(base_url=base, pool=pool, rate_limit=None)
        with pytest.raises(ConfigurationError):
            await anonymous.me.get()
        created = await anonymous.signups.create(
            email="jane@example.com",
            password="jane-pass",
            timezone="Europe/Tallinn",
            created_with="timeclients tests",
        )
        assert created.email == "jane@example.com"
        assert created.api_token is not None
        assert state.seen[-1][3] is None  # no Authorization on the signup

        client = TogglClient(api_token=created.api_token, base_url=base, pool=pool, rate_limit=None)
        me = await client.me.get()
        assert me.user.id == created.id
        assert me.user.timezone == "Europe/Tallinn"
        assert abs(me.since - datetime.now(timezone.utc)) < timedelta(minutes=1)

        since = datetime(2013, 3, 6, 14, 24, 46, tzinfo=timezone.utc)
        related = await client.me.get(with_related_data=True, since=since)
        assert state.seen[-1][2] == {"with_related_data": ["true"], "since": ["1362579886"]}
        assert related.user.time_entries is not None
        assert related.user.time_entries[0].is_running
        assert related.user.workspaces is not None

        updated = await client.me.update(
            fullname="Jane Doe", beginning_of_week=1, timeofday_format=TimeOfDayFormat.H24
        )
        assert (updated.fullname, updated.beginning_of_week, updated.timeofday_format) == (
            "Jane Doe",
            1,
            "H:mm",
        )
        assert state.seen[-1][4] == {
            "user": {"fullname": "Jane Doe", "beginning_of_week": 1, "timeofday_format": "H:mm"}
        }

        with pytest.raises(BadRequestError) as info:
            await client.me.update(email="john@example.com")
        assert info.value.message == "Email has already been taken; E-post on juba kasutusel"

        with pytest.raises(BadRequestError, match="Current password is not valid"):
            await client.me.change_password(current_password="wrong-one", password="newer-pass")
        await client.me.change_password(current_password="jane-pass", password="newer-pass")

        old = created.api_token
        new = await client.me.reset_token()
        assert new != old
        assert (await client.me.get()).user.api_token == new
        assert state.seen[-1][3] == "Basic " + b64(f"{new}:api_token")

        stale = TogglClient(api_token=old, base_url=base, pool=pool, rate_limit=None)
        with pytest.raises(AuthenticationError) as denied:
            await stale.me.get()
        assert denied.value.status == 403

        by_password = TogglClient(
            email="jane@example.com",
            password="newer-pass",
            base_url=base,
            pool=pool,
            rate_limit=None,
        )
        assert (await by_password.me.get()).user.fullname == "Jane Doe"
        assert state.seen[-1][3] == "Basic " + b64("jane@example.com:newer-pass")


@pytest.mark.anyio
async def test_email_password_client_survives_its_own_changes(toggl_server: TogglServer) -> None:
    """An e-mail/password client keeps working after changing its password, e-mail and token."""
    async with TogglClient(
        email="john@example.com",
        password="first-password",
        base_url=toggl_server.base_url,
        rate_limit=None,
    ) as client:
        await client.me.change_password(current_password="first-password", password="second-pw")
        assert (await client.me.get()).user.email == "john@example.com"
        await client.me.update(email="johnny@example.com")
        assert (await client.me.get()).user.email == "johnny@example.com"
        token = await client.me.reset_token()
        assert (await client.me.get()).user.api_token == token
        assert client.auth == "token"


@pytest.mark.anyio
async def test_duplicate_signup_is_a_bad_request(toggl_server: TogglServer) -> None:
    """Signing up an existing address is the server's 400 with its message."""
    async with TogglClient(base_url=toggl_server.base_url, rate_limit=None) as client:
        with pytest.raises(BadRequestError, match="already exists"):
            await client.signups.create(
                email="john@example.com",
                password="whatever1",
                timezone="Etc/UTC",
                created_with="tests",
            )

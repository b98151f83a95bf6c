"""TogglClient against the project's emulator, both on one fake clock (virtual time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from timeclients import HttpPool, RetryPolicy
from timeclients.errors import AuthenticationError, BadRequestError
from timeclients.testing import Emulator
from timeclients.toggl import DateFormat, TogglClient

from ..conftest import FakeClock

BASE = Emulator.base_url("toggl")


@pytest.mark.anyio
async def test_every_call_under_the_default_limit_meets_no_429(fake_clock: FakeClock) -> None:
    """With burst 1 (a strict 1/s bucket) the default client never sees a 429 on any call."""
    emulator = Emulator(seed=3, clock=fake_clock, toggl_burst=1)
    seed = emulator.seed_toggl_user(related=3)
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        anonymous = TogglClient(pool=pool, base_url=BASE)
        created = await anonymous.signups.create(
            email="new.user@example.com",
            password="StrongPassword",
            timezone="Etc/UTC",
            created_with="timeclients tests",
        )
        assert created.api_token is not None
        client = TogglClient(email=seed.email, password=seed.password, pool=pool, base_url=BASE)
        start = fake_clock.now()
        me = await client.me.get(with_related_data=True)
        assert me.user.time_entries is not None
        assert len(me.user.time_entries) == 3
        recent = await client.me.get(
            with_related_data=True, since=me.since - timedelta(hours=1, minutes=30)
        )
        assert recent.user.time_entries is not None
        assert len(recent.user.time_entries) == 1
        user = await client.me.update(fullname="John Smith", date_format=DateFormat.DMY_DOT)
        assert (user.fullname, user.date_format, user.jquery_date_format) == (
            "John Smith",
            "DD.MM.YYYY",
            "d.m.Y",
        )
        await client.me.change_password(current_password=seed.password, password="Another1")
        elapsed = fake_clock.now() - start
        token = await client.me.reset_token()
        assert (await client.me.get()).user.api_token == token
        with pytest.raises(AuthenticationError):
            await TogglClient(api_token=seed.api_token, pool=pool, base_url=BASE).me.get()
    assert elapsed >= 3.0  # four calls on one credential: at least three full seconds apart
    assert client.stats.throttled == 0
    assert anonymous.stats.throttled == 0


@pytest.mark.anyio
async def test_emulator_429_without_retry_after_is_backed_off(fake_clock: FakeClock) -> None:
    """With client limiting off, the emulator's bare 429s are retried after backoff, no header."""
    emulator = Emulator(seed=4, clock=fake_clock, toggl_burst=1)
    seed = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        client = TogglClient(
            api_token=seed.api_token,
            pool=pool,
            base_url=BASE,
            rate_limit=None,
            retry=RetryPolicy(jitter=0.0, max_attempts=5),
        )
        await client.me.get()
        await client.me.get()
    assert client.stats.throttled >= 1
    assert fake_clock.sleeps[:2] == [0.5, 1.0]


@pytest.mark.anyio
async def test_emulator_rejections_surface_as_bad_requests(fake_clock: FakeClock) -> None:
    """A taken e-mail and a wrong current password come back as BadRequestError messages."""
    emulator = Emulator(seed=5, clock=fake_clock, toggl_rate=None)
    first = emulator.seed_toggl_user()
    second = emulator.seed_toggl_user()
    async with HttpPool(transport=emulator.transport(), clock=fake_clock) as pool:
        client = TogglClient(api_token=first.api_token, pool=pool, base_url=BASE)
        with pytest.raises(BadRequestError, match="Email has already been taken"):
            await client.me.update(email=second.email)
        with pytest.raises(BadRequestError, match="Current password is not valid"):
            await client.me.change_password(current_password="not-it", password="whatever1")

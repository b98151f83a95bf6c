"""Fixtures for the emulator's own tests: the public plugin's fixtures plus an unthrottled one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import httpx
import pytest

from timeclients.testing import Emulator
from timeclients.testing.pytest_plugin import emulator, served_emulator  # noqa: F401

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def emu() -> Emulator:
    """An emulator with the vendors' rate limits off and the calendar frozen at ``NOW``."""
    unthrottled = Emulator(
        seed=7, clockify_rate_limit=None, mctime_rate_limit=None, toggl_rate=None
    )
    unthrottled.set_time(NOW)
    return unthrottled


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client whose requests ``emu`` answers in-process."""
    async with httpx.AsyncClient(transport=emu.transport()) as client:
        yield client

"""Suite-wide set-up: strict decoding (drift from the documents fails), anyio on asyncio."""

from __future__ import annotations

import math

import anyio
import pytest

from timeclients._convert import set_strict_decoding

set_strict_decoding(True)


@pytest.fixture
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio (trio runs are marked explicitly)."""
    return "asyncio"


class FakeClock:
    """A clock whose sleeps advance virtual time at once: limiter and retry tests never sleep.

    ``sleeps`` records every sleep requested, so tests can assert on backoff and Retry-After.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        assert math.isfinite(seconds)
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += seconds
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A fresh :class:`FakeClock`."""
    return FakeClock()

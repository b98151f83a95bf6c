"""End-to-end fixtures: one emulator, reached in-process or over a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

from timeclients import HttpPool
from timeclients.testing import Emulator

VENDORS = ("clockify", "mctime", "toggl")


@attrs.frozen
class Wire:
    """How the clients reach the emulator: a pool and each vendor's base URL."""

    way: str
    pool: HttpPool
    urls: dict[str, str]

    def client_args(self, vendor: str) -> dict[str, Any]:
        """The ``pool=`` and ``base_url=`` keyword arguments for ``vendor``'s client."""
        return {"pool": self.pool, "base_url": self.urls[vendor]}


@pytest.fixture
def emulator() -> Emulator:
    """An emulator with the vendors' documented rate limits, on the real clock."""
    return Emulator(seed=11)


@pytest.fixture(params=["in-process", "served"])
def way(request: pytest.FixtureRequest) -> str:
    """In-process (the emulator's httpx transport) or served (uvicorn on 127.0.0.1)."""
    value: str = request.param
    return value


@pytest.fixture
async def wire(emulator: Emulator, way: str) -> AsyncIterator[Wire]:
    """The emulator reached the ``way`` the test is parametrized with."""
    if way == "served":
        with emulator.serve() as served:
            async with HttpPool() as pool:
                yield Wire(way, pool, {v: served.base_url(v) for v in VENDORS})
    else:
        async with HttpPool(transport=emulator.transport()) as pool:
            yield Wire(way, pool, {v: Emulator.base_url(v) for v in VENDORS})

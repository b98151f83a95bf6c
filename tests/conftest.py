"""Suite-wide set-up: the decoding mode (strict by default), anyio on asyncio.

``TIMECLIENTS_TEST_DECODING=strict`` (the default) decodes as the drift detector does: unknown
fields fail a test. ``TIMECLIENTS_TEST_DECODING=production`` decodes as users run the client
(unknown fields ignored, the fast generated code); CI runs the vendor and end-to-end tests in
both modes. Each test starts in the selected mode, whatever the test before it switched to:
the mode is each decoder's own ``strict`` setting, set for all of them by the fixtures below.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import anyio
import pytest

from timeclients._decode import decoding_mode, set_strict_decoding

DECODING = os.environ.get("TIMECLIENTS_TEST_DECODING", "strict").strip().lower() or "strict"
if DECODING not in ("strict", "production"):
    raise pytest.UsageError(
        f"TIMECLIENTS_TEST_DECODING must be 'strict' or 'production', not {DECODING!r}"
    )
#: Whether the suite decodes strictly (the default) or as production does.
STRICT = DECODING == "strict"
set_strict_decoding(STRICT)


@pytest.fixture(autouse=True)
def _decoding_mode() -> Iterator[None]:
    """Every test starts, and leaves, in the selected decoding mode."""
    with decoding_mode(strict=STRICT):
        yield
    set_strict_decoding(STRICT)  # also the decoders the test built


@pytest.fixture
def strict_mode() -> Iterator[None]:
    """For a test of the strict mode itself (unknown fields fail): strict whatever the run."""
    with decoding_mode(strict=True):
        yield


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

"""Timeouts.of: a bad timeout is refused naming the argument the caller passed."""

from __future__ import annotations

import math

import pytest

from timeclients import HttpPool
from timeclients._wire import Timeouts
from timeclients.errors import ConfigurationError


@pytest.mark.parametrize("total", [0, -1, math.inf, math.nan])
def test_a_bad_timeout_names_timeout(total: float) -> None:
    """A timeout that is not finite and > 0 is refused as ``timeout``, not as a field."""
    with pytest.raises(ConfigurationError, match=r"^timeout must be finite and > 0"):
        Timeouts.of(total)
    with pytest.raises(ConfigurationError, match=r"^timeout must be finite and > 0"):
        HttpPool(timeout=total)


@pytest.mark.parametrize("connect", [0, -1, math.inf, "3", True])
def test_a_bad_connect_timeout_names_connect_timeout(connect: object) -> None:
    """A bad connect timeout is refused as ``connect_timeout``."""
    with pytest.raises(ConfigurationError, match=r"^connect_timeout must be"):
        HttpPool(connect_timeout=connect)  # type: ignore[arg-type]


def test_good_timeouts_fill_every_field() -> None:
    """``Timeouts.of(5)`` is 5 s for all but connect, which is at most 10 s."""
    assert Timeouts.of(5) == Timeouts(connect=5.0, read=5, write=5, pool=5, total=5)
    assert Timeouts.of(60, connect=2).connect == 2

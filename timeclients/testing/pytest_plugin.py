"""A pytest plugin with emulator fixtures for users' own suites (entry point ``pytest11``).

Fixtures: ``emulator`` (a fresh :class:`Emulator`; use ``emulator.transport()`` in-process)
and ``served_emulator`` (the same emulator served on a loopback port, a
:class:`ServedEmulator`). Override ``emulator`` in a ``conftest.py`` to configure it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._emulator import Emulator
from ._serve import ServedEmulator, serve

__all__ = ["emulator", "served_emulator"]


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator of every vendor (seed 0, documented rate limits, no faults)."""
    return Emulator(seed=0)


@pytest.fixture
def served_emulator(emulator: Emulator) -> Iterator[ServedEmulator]:
    """The ``emulator`` fixture served by uvicorn on 127.0.0.1 (a free port) for the test."""
    with serve(emulator) as served:
        yield served

"""Toggl test fixtures: the independent loopback server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import TogglServer, TogglState


@pytest.fixture
def toggl_server() -> Iterator[TogglServer]:
    """A fresh independent Toggl v8 server on 127.0.0.1 with one account, no rate limit."""
    state = TogglState()
    state.add_user("john@example.com", "first-password")
    with TogglServer(state) as server:
        yield server

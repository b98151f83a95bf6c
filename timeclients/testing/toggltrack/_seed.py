"""Seed data for Toggl v9: a user on the shared Toggl accounts (the v8 seed, one account)."""

from __future__ import annotations

from typing import Any

from ..toggl import TogglUserSeed, seed_user
from ._state import TogglTrackStore

__all__ = ["seed_user_v9"]


def seed_user_v9(state: TogglTrackStore, **kwargs: Any) -> TogglUserSeed:
    """A Toggl user on both API versions; see :func:`timeclients.testing.seed_toggl_user`."""
    return seed_user(state.accounts, **kwargs)

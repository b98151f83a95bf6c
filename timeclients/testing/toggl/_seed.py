"""Seed data for Toggl (v8 and v9 share it): a user with a default workspace and related data."""

from __future__ import annotations

from datetime import timedelta

import attrs

from .._core import iso_offset
from ._state import TogglStore

__all__ = ["TogglUserSeed", "seed_user"]


@attrs.frozen
class TogglUserSeed:
    """A seeded Toggl user: its id, both credentials and its default workspace."""

    user_id: int
    api_token: str
    email: str
    password: str
    workspace_id: int


def seed_user(
    state: TogglStore,
    *,
    email: str | None = None,
    password: str = "StrongPassword",  # noqa: S107 - a fake account in an emulator
    fullname: str = "John Swift",
    timezone: str = "Europe/Tallinn",
    api_token: str | None = None,
    related: int = 2,
) -> TogglUserSeed:
    """A Toggl user with a default workspace and ``related`` of each related object.

    Related objects (time entries, projects, tags, clients: what ``GET /me`` with
    ``with_related_data=true`` returns) are changed one hour apart going back from now, so
    ``since`` filters can be tested.
    """
    with state.lock:
        email = email or f"john.swift{len(state.users)}@example.com"
        user = state.add_user(
            email, password, fullname=fullname, timezone_name=timezone, api_token=api_token
        )
        now = state.wall_clock()
        wid = user.default_wid
        for i in range(related):
            at = iso_offset(now - timedelta(hours=i + 1))
            user.related["time_entries"].append(
                {
                    "id": state.new_int_id(),
                    "wid": wid,
                    "billable": False,
                    "start": iso_offset(now - timedelta(hours=i + 5)),
                    "stop": iso_offset(now - timedelta(hours=i + 1)),
                    "duration": 14400,
                    "description": f"Work item {i + 1}",
                    "tags": [""],
                    "at": at,
                }
            )
            user.related["projects"].append(
                {
                    "id": state.new_int_id(),
                    "wid": wid,
                    "name": f"Project {i + 1}",
                    "billable": False,
                    "active": True,
                    "at": at,
                    "color": "5",
                }
            )
            user.related["tags"].append(
                {"id": state.new_int_id(), "wid": wid, "name": f"tag{i + 1}", "at": at}
            )
            user.related["clients"].append(
                {"id": state.new_int_id(), "wid": wid, "name": f"Client {i + 1}", "at": at}
            )
    return TogglUserSeed(user.id, user.api_token, user.email, password, wid)

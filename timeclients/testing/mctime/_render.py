"""McTime's JSON: the clock status item as documented (https://mctime.com/api, "Clock status")."""

from __future__ import annotations

from typing import Any

from .._core import iso_offset
from ._state import ClockEntry, McTimeStore

__all__ = ["item_error", "item_json"]


def item_json(store: McTimeStore, entry: ClockEntry) -> dict[str, Any]:
    """The documented item of a running entry: the user, ``from`` and the breaks."""
    user = store.users[entry.user_id]
    org = store.organizations.get(entry.organization_id)
    return {
        "userId": user.id,
        "userFirstName": user.first_name,
        "userLastName": user.last_name,
        "clockedIn": True,  # always true: only running entries are returned
        "onBreak": any(b.end is None for b in entry.breaks),
        "from": iso_offset(entry.start),  # ISO-8601 with the organization's offset
        "id": entry.id,
        "organizationId": entry.organization_id,
        "organizationName": org.name if org else "",
        "timeType": entry.time_type,
        # {id, from, to, automatic}; to is null while ongoing; null when there are no breaks
        "breaks": [
            {
                "id": b.id,
                "from": iso_offset(b.start),
                "to": None if b.end is None else iso_offset(b.end),
                "automatic": b.automatic,
            }
            for b in entry.breaks
        ]
        or None,
    }


def item_error(user_id: str | None, message: str) -> dict[str, Any]:
    """A per-item error inside ``items``: ``{"userId", "status": 400, "message"}``."""
    return {"userId": user_id, "status": 400, "message": message}

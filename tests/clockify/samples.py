"""Clockify payloads for the tests: the document's sample workspace and users built around it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "clockify_workspace.json"
_SAMPLE: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))

#: The sample workspace's id ("Workspace > Get all my workspaces").
WORKSPACE_ID = "64a687e29ae1f428e7ebe303"


def workspaces() -> list[dict[str, Any]]:
    """The ``GET /workspaces`` sample of the document, verbatim (a fresh copy)."""
    return copy.deepcopy(_SAMPLE)


def workspace(**changes: Any) -> dict[str, Any]:
    """The document's sample workspace (a fresh copy), with top-level ``changes`` applied."""
    data = copy.deepcopy(_SAMPLE[0])
    data.update(changes)
    return data


def membership(
    user_id: str,
    *,
    target_id: str = WORKSPACE_ID,
    kind: str = "WORKSPACE",
    hourly: int | None = None,
    cost: int | None = None,
) -> dict[str, Any]:
    """A membership shaped like the document's ("Workspace > Get all my workspaces")."""
    return {
        "costRate": None if cost is None else {"amount": cost, "currency": "USD"},
        "hourlyRate": None if hourly is None else {"amount": hourly, "currency": "USD"},
        "membershipStatus": "ACTIVE",
        "membershipType": kind,
        "targetId": target_id,
        "userId": user_id,
    }


def user(index: int, **changes: Any) -> dict[str, Any]:
    """A member as ``GET /workspaces/{id}/users`` returns it (Clockify's public docs)."""
    data: dict[str, Any] = {
        "id": f"user{index:05d}",
        "email": f"user{index}@example.com",
        "name": f"User {index}",
        "status": "ACTIVE",
        "activeWorkspace": WORKSPACE_ID,
        "defaultWorkspace": WORKSPACE_ID,
        "profilePicture": "https://img.clockify.me/no-user-image.png",
        "memberships": [membership(f"user{index:05d}")],
        "settings": {"weekStart": "MONDAY", "timeZone": "Europe/Belgrade"},
        "customFields": [],
    }
    data.update(changes)
    return data

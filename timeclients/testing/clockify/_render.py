"""Clockify's JSON: the workspace, membership and workspace-user objects as documented.

Shapes follow Clockify's API documentation (https://docs.clockify.me/, "Get all my
workspaces" and "Find all users on workspace").
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from ._state import ClockifyStore, ClockifyWorkspace, Member, RateEntry

__all__ = ["membership_json", "rate_json", "user_json", "workspace_json"]


def rate_json(entry: RateEntry | None) -> dict[str, Any] | None:
    """A rate object ``{"amount", "currency"}``, or ``None``."""
    return None if entry is None else {"amount": entry.amount, "currency": entry.currency}


def membership_json(ws: ClockifyWorkspace, member: Member, now: datetime) -> dict[str, Any]:
    """A WORKSPACE membership: targetId is the workspace, the rates are the user's own in
    effect at ``now`` (null when none is: the workspace default applies)."""
    return {
        "costRate": rate_json(member.cost.at(now)),
        "hourlyRate": rate_json(member.hourly.at(now)),
        "membershipStatus": member.status,
        "membershipType": "WORKSPACE",
        "targetId": ws.id,
        "userId": member.user_id,
    }


def workspace_json(store: ClockifyStore, ws: ClockifyWorkspace) -> dict[str, Any]:
    """The documented workspace object, rates as in effect now."""
    now = store.wall_clock()
    return {
        "cakeOrganizationId": ws.organization_id,
        "costRate": rate_json(ws.cost.at(now)),
        "currencies": [
            {"code": code, "id": cid, "isDefault": default} for code, cid, default in ws.currencies
        ],
        "featureSubscriptionType": ws.plan,
        "features": list(ws.features),
        "hourlyRate": rate_json(ws.hourly.at(now)),
        "id": ws.id,
        "imageUrl": ws.image_url,
        "memberships": [membership_json(ws, m, now) for m in ws.members.values()],
        "name": ws.name,
        "subdomain": {"enabled": False, "name": re.sub(r"[^a-z0-9]", "", ws.name.lower())},
        "workspaceSettings": copy.deepcopy(ws.settings),
    }


def user_json(store: ClockifyStore, ws: ClockifyWorkspace, member: Member) -> dict[str, Any]:
    """One item of ``GET /workspaces/{id}/users``: the account (``status`` ACTIVE, or
    NOT_REGISTERED for an invitee without an account) and its WORKSPACE membership."""
    user = store.users[member.user_id]
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "status": "ACTIVE" if user.registered else "NOT_REGISTERED",
        "profilePicture": "",
        "activeWorkspace": ws.id,
        "defaultWorkspace": ws.id,
        "memberships": [membership_json(ws, member, store.wall_clock())],
    }

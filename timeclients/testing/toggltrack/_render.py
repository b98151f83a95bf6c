"""Toggl v9's JSON: the user object (with related data) and the quota report.

Shapes follow Toggl's API v9 documentation (https://engineering.toggl.com/docs/, "Me":
``GET /me`` answers ``TogglUser`` or ``UserWithRelated``; ``GET /me/quota`` answers
``me.GetQuotaResult`` items).
"""

from __future__ import annotations

from typing import Any

from .._core import iso_offset
from ..toggl import TogglUser
from ._state import TogglTrackStore

__all__ = ["quota_json", "user_json"]


def user_json(
    store: TogglTrackStore, user: TogglUser, *, with_related: bool = False
) -> dict[str, Any]:
    """The v9 user object (``TogglUser``; with related data ``UserWithRelated``)."""
    at = iso_offset(user.at)
    data: dict[str, Any] = {
        "id": user.id,
        "api_token": user.api_token,
        "email": user.email,
        "fullname": user.fullname,
        "timezone": user.timezone,
        "default_workspace_id": user.default_wid,
        "beginning_of_week": user.beginning_of_week,
        "country_id": store.countries.get(user.id),
        "image_url": f"https://assets.track.toggl.com/avatars/{user.id}.png",
        "has_password": True,
        "openid_enabled": False,
        "at": at,
        "created_at": at,
        "updated_at": at,
    }
    if with_related:
        related = user.related
        for name in ("time_entries", "projects", "tags"):
            # v9 names the workspace ``workspace_id`` where v8 said ``wid``
            items = [_v9_item(item) for item in related[name]]
            data[name] = items or None  # null when the user has none
        data["clients"] = [dict(item) for item in related["clients"]] or None
        data["workspaces"] = [dict(item) for item in related["workspaces"]] or None
        data["tasks"] = None
    return data


def _v9_item(item: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k != "wid"}
    out["workspace_id"] = item.get("wid")
    return out


def quota_json(store: TogglTrackStore, user: TogglUser) -> list[dict[str, Any]]:
    """``me.GetQuotaResult`` items: the user's own quota, then the organization's."""
    quota = store.quota
    total = quota.total if quota is not None else 0
    remaining = quota.remaining(user.id) if quota is not None else 0
    resets = quota.resets_in(user.id) if quota is not None else 0
    org = store.organization_hourly_quota
    return [
        {
            "organization_id": None,
            "remaining": remaining,
            "resets_in_secs": resets,
            "total": total,
        },
        {
            "organization_id": user.default_wid,
            "remaining": org,
            "resets_in_secs": 0,
            "total": org,
        },
    ]

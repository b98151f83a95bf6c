"""Toggl Track API v9's user endpoints, as a pure state machine over the v8 state's accounts.

One Toggl account answers on both API versions, as on the live service: this state reads and
changes the users of :class:`~timeclients.testing.TogglState` and adds what v9 has on top: the
flat ``PUT /me`` body, ``POST /me/reset_token``, ``GET /me/quota`` and the hourly quota of
requests about the user (Toggl's "API & Webhook limits": 30 per hour per user; a spent quota
is a 402; every answer carries ``X-Toggl-Quota-Remaining`` and ``X-Toggl-Quota-Resets-In``).
Shapes follow Toggl's v9 OpenAPI description ("Toggl API", version 9).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

from ._core import Clock, EmuRequest, Reply, iso_offset, json_reply, read_json, text_reply
from ._toggl import EMAIL, TogglState, TogglUser, valid_timezone

__all__ = ["HourlyQuota", "TogglTrackState"]


class HourlyQuota:
    """Toggl's quota window per key: it opens with the first counted request and resets
    ``per`` seconds later ("API & Webhook limits": "The count begins when the initial request
    is made and remains valid for 60 minutes. After 60 minutes, the count resets")."""

    __slots__ = ("_clock", "_windows", "per", "total")

    def __init__(self, total: int, per: float, clock: Clock) -> None:
        if total < 1 or per <= 0:
            raise ValueError("total must be >= 1 and per > 0")
        self.total = total
        self.per = per
        self._clock = clock
        self._windows: dict[Hashable, tuple[float, int]] = {}

    def _window(self, key: Hashable) -> tuple[float, int] | None:
        window = self._windows.get(key)
        if window is not None and self._clock.now() >= window[0] + self.per:
            del self._windows[key]
            return None
        return window

    def hit(self, key: Hashable) -> bool:
        """Count one request; ``False`` (not counted) when the quota is spent (answer 402)."""
        window = self._window(key)
        if window is None:
            self._windows[key] = (self._clock.now(), 1)
            return True
        start, count = window
        if count >= self.total:
            return False
        self._windows[key] = (start, count + 1)
        return True

    def remaining(self, key: Hashable) -> int:
        """Requests left in the key's current window."""
        window = self._window(key)
        return self.total - (window[1] if window else 0)

    def resets_in(self, key: Hashable) -> int:
        """Whole seconds until the key's window resets (0 when none is open)."""
        window = self._window(key)
        if window is None:
            return 0
        return max(0, math.ceil(window[0] + self.per - self._clock.now()))


class TogglTrackState:
    """Toggl v9's server side for the user endpoints, over the accounts of a v8 state.

    Args:
        accounts: the Toggl v8 state whose users (and per-second bucket) this state shares.
        clock: monotonic time for the hourly quota.
        me_hourly_quota: requests per window per user about the user (``None``: no quota).
        quota_window: the quota window in seconds (Toggl: one hour).
        organization_hourly_quota: what ``GET /me/quota`` reports for the user's organization.
    """

    vendor = "toggltrack"

    def __init__(
        self,
        *,
        accounts: TogglState,
        clock: Clock,
        me_hourly_quota: int | None = 30,
        quota_window: float = 3600.0,
        organization_hourly_quota: int = 30,
    ) -> None:
        self.accounts = accounts
        self.quota = HourlyQuota(me_hourly_quota, quota_window, clock) if me_hourly_quota else None
        self.organization_hourly_quota = organization_hourly_quota
        #: v9's ``country_id`` per user id (v8 has no such field).
        self.countries: dict[int, int] = {}

    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body: Toggl v9 answers errors as plain text."""
        return text_reply(status, message)

    # ----------------------------------------------------------------- rendering
    def user_json(self, user: TogglUser, *, with_related: bool = False) -> dict[str, Any]:
        """The v9 user object (OpenAPI ``TogglUser``; ``related.UserWithRelated``)."""
        at = iso_offset(user.at)
        data: dict[str, Any] = {
            "id": user.id,
            "api_token": user.api_token,
            "email": user.email,
            "fullname": user.fullname,
            "timezone": user.timezone,
            "default_workspace_id": user.default_wid,
            "beginning_of_week": user.beginning_of_week,
            "country_id": self.countries.get(user.id),
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
                items = [self._v9_item(item) for item in related[name]]
                data[name] = items or None  # OpenAPI: null when the user has none
            data["clients"] = [dict(item) for item in related["clients"]] or None
            data["workspaces"] = [dict(item) for item in related["workspaces"]] or None
            data["tasks"] = None
        return data

    @staticmethod
    def _v9_item(item: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k != "wid"}
        out["workspace_id"] = item.get("wid")
        return out

    def _quota_headers(self, user: TogglUser) -> dict[str, str]:
        if self.quota is None:
            return {}
        return {
            "X-Toggl-Quota-Remaining": str(self.quota.remaining(user.id)),
            "X-Toggl-Quota-Resets-In": str(self.quota.resets_in(user.id)),
        }

    # ----------------------------------------------------------------- the handler
    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: Basic auth, the per-second bucket, the hourly quota, the route."""
        user = self.accounts.authenticate(req)
        if user is None:
            # "Authentication": "If authentication fails, HTTP status code 403 is returned."
            return text_reply(403, "Incorrect username and/or password")
        limiter = self.accounts.limiter
        if limiter is not None and not limiter.hit(user.id):
            return text_reply(429, "Too Many Requests", self._quota_headers(user))
        if self.quota is not None and not self.quota.hit(user.id):
            # "API & Webhook limits": a spent quota is answered with 402, not 429.
            return text_reply(
                402,
                "You have hit your hourly limit for API calls. "
                "Please wait for the quota to reset, or upgrade your plan.",
                self._quota_headers(user),
            )
        reply = self._route(user, req)
        return Reply(reply.status, (*reply.headers, *self._quota_headers(user).items()), reply.body)

    def _route(self, user: TogglUser, req: EmuRequest) -> Reply:
        s, method = req.segments, req.method
        if s == ("me",) and method == "GET":
            related = (req.params("with_related_data") or ["false"])[0].lower() == "true"
            return json_reply(200, self.user_json(user, with_related=related))
        if s == ("me",) and method == "PUT":
            return self._put_me(user, req)
        if s == ("me", "reset_token") and method == "POST":
            # OpenAPI: 200 with a string, the new token; the old one stops working.
            user.api_token = self.accounts.new_token()
            user.at = self.accounts.wall_clock()
            return json_reply(200, user.api_token)
        if s == ("me", "quota") and method == "GET":
            return json_reply(200, self._quota_json(user))
        if s in (("me",), ("me", "reset_token"), ("me", "quota")):
            return text_reply(405, "Method Not Allowed")
        return text_reply(404, "Not Found")

    def _quota_json(self, user: TogglUser) -> list[dict[str, Any]]:
        """OpenAPI ``me.GetQuotaResult`` items: the user's own quota, then the organization's."""
        total = self.quota.total if self.quota is not None else 0
        remaining = self.quota.remaining(user.id) if self.quota is not None else 0
        resets = self.quota.resets_in(user.id) if self.quota is not None else 0
        org = self.organization_hourly_quota
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

    def _put_me(self, user: TogglUser, req: EmuRequest) -> Reply:
        try:
            fields = read_json(req.body)
        except ValueError:
            return json_reply(400, "Invalid JSON input")
        if not isinstance(fields, dict):
            return json_reply(400, "Invalid JSON input")
        # OpenAPI PUT /me, 400: the documented messages; refusals come as JSON-encoded strings.
        error = self._update_error(user, fields)
        if error is not None:
            return json_reply(400, error)
        if "beginning_of_week" in fields:
            user.beginning_of_week = fields["beginning_of_week"]
        if "country_id" in fields:
            self.countries[user.id] = fields["country_id"]
        if "default_workspace_id" in fields:
            user.default_wid = fields["default_workspace_id"]
        for name in ("email", "fullname", "timezone", "password"):
            if name in fields:
                setattr(user, name, fields[name])
        user.at = self.accounts.wall_clock()
        return json_reply(200, self.user_json(user))

    def _update_error(self, user: TogglUser, fields: dict[str, Any]) -> str | None:
        def is_int(value: object) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        if "beginning_of_week" in fields:
            value = fields["beginning_of_week"]
            if not is_int(value) or not 0 <= value <= 6:
                return "Invalid beginning_of_week"
        if "country_id" in fields and (
            not is_int(fields["country_id"]) or fields["country_id"] < 1
        ):
            return "Invalid country_id"
        if "default_workspace_id" in fields:
            mine = {w["id"] for w in user.related["workspaces"]}
            if fields["default_workspace_id"] not in mine:
                return "Invalid default_workspace_id"
        if "email" in fields:
            email = fields["email"]
            if not isinstance(email, str) or not EMAIL.match(email):
                return "Invalid email"
            others = (u for u in self.accounts.users.values() if u.id != user.id)
            if any(u.email.lower() == email.lower() for u in others):
                return "user with this email already exists"
        if "fullname" in fields:
            name = fields["fullname"]
            if not isinstance(name, str) or not name.strip():
                return "Invalid fullname"
        if "timezone" in fields and not valid_timezone(fields["timezone"]):
            return "Invalid timezone"
        if "password" in fields:
            current, new = fields.get("current_password"), fields["password"]
            if not isinstance(current, str) or not current:
                return "Current password must be present to change password"
            if current != user.password:
                return "Current password is not valid"
            if not isinstance(new, str) or len(new) < 6:
                return "Password should be at least 6 characters"
        return None

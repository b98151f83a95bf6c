"""Toggl v9's route table and handlers for the user endpoints.

Rules follow Toggl's API v9 documentation (https://engineering.toggl.com/docs/, "Me":
``GET /me``, ``PUT /me``, ``POST /me/reset_token``, ``GET /me/quota``; "Authentication";
"API & Webhook limits").
"""

from __future__ import annotations

from typing import Any

import attrs

from .._core import EmuRequest, Reply, json_reply, read_json, text_reply
from .._vendor import EMAIL, Params, RouteTable, flag, route
from ..toggl import TogglUser, valid_timezone
from ._render import quota_json, user_json
from ._state import TogglTrackStore

__all__ = ["ROUTES", "Caller", "answer"]


@attrs.define
class Caller:
    """Who is asking: the store and the user the Basic credential names."""

    store: TogglTrackStore
    user: TogglUser


def answer(store: TogglTrackStore, req: EmuRequest) -> Reply:
    """Answer one request: Basic auth, the per-second bucket, the hourly quota, the route."""
    user = store.accounts.authenticate(req)
    if user is None:
        # "Authentication": "If authentication fails, HTTP status code 403 is returned."
        return text_reply(403, "Incorrect username and/or password")
    limiter = store.accounts.limiter
    if limiter is not None and not limiter.hit(user.id):
        return text_reply(429, "Too Many Requests", store.quota_headers(user))
    if store.quota is not None and not store.quota.hit(user.id):
        # "API & Webhook limits": a spent quota is answered with 402, not 429.
        return text_reply(
            402,
            "You have hit your hourly limit for API calls. "
            "Please wait for the quota to reset, or upgrade your plan.",
            store.quota_headers(user),
        )
    match = ROUTES.resolve(req.method, req.segments)
    if match is None:
        reply = text_reply(404, "Not Found")
    elif match.route is None:
        reply = text_reply(405, "Method Not Allowed")
    else:
        reply = match.route.handler(Caller(store, user), req, match.params)
    return Reply(reply.status, (*reply.headers, *store.quota_headers(user).items()), reply.body)


def get_me(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``GET /me[?with_related_data=true]``."""
    related = flag(req, "with_related_data")
    return json_reply(200, user_json(caller.store, caller.user, with_related=related))


def reset_token(caller: Caller, _req: EmuRequest, _params: Params) -> Reply:
    """``POST /me/reset_token``: 200 with a string, the new token; the old one stops working."""
    accounts, user = caller.store.accounts, caller.user
    user.api_token = accounts.new_token()
    user.at = accounts.wall_clock()
    return json_reply(200, user.api_token)


def get_quota(caller: Caller, _req: EmuRequest, _params: Params) -> Reply:
    """``GET /me/quota``."""
    return json_reply(200, quota_json(caller.store, caller.user))


def put_me(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``PUT /me`` with a flat body; a refusal is a 400 with a JSON-encoded string."""
    store, user = caller.store, caller.user
    try:
        fields = read_json(req.body)
    except ValueError:
        return json_reply(400, "Invalid JSON input")
    if not isinstance(fields, dict):
        return json_reply(400, "Invalid JSON input")
    error = _update_error(store, user, fields)
    if error is not None:
        return json_reply(400, error)
    if "beginning_of_week" in fields:
        user.beginning_of_week = fields["beginning_of_week"]
    if "country_id" in fields:
        store.countries[user.id] = fields["country_id"]
    if "default_workspace_id" in fields:
        user.default_wid = fields["default_workspace_id"]
    for name in ("email", "fullname", "timezone", "password"):
        if name in fields:
            setattr(user, name, fields[name])
    user.at = store.accounts.wall_clock()
    return json_reply(200, user_json(store, user))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _update_error(store: TogglTrackStore, user: TogglUser, fields: dict[str, Any]) -> str | None:
    """The documented 400 message for the first refused field of a ``PUT /me``, or ``None``."""
    if "beginning_of_week" in fields:
        value = fields["beginning_of_week"]
        if not _is_int(value) or not 0 <= value <= 6:
            return "Invalid beginning_of_week"
    if "country_id" in fields and (not _is_int(fields["country_id"]) or fields["country_id"] < 1):
        return "Invalid country_id"
    if "default_workspace_id" in fields:
        mine = {w["id"] for w in user.related["workspaces"]}
        if fields["default_workspace_id"] not in mine:
            return "Invalid default_workspace_id"
    if "email" in fields:
        email = fields["email"]
        if not isinstance(email, str) or not EMAIL.match(email):
            return "Invalid email"
        others = (u for u in store.accounts.users.values() if u.id != user.id)
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


#: Toggl v9's user endpoints, relative to ``/api/v9``.
ROUTES: RouteTable[Caller] = RouteTable(
    route("GET", "me", get_me),
    route("PUT", "me", put_me),
    route("POST", "me/reset_token", reset_token),
    route("GET", "me/quota", get_quota),
)

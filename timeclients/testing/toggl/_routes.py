"""Toggl v8's route table and handlers: sign-up, the current user, and resetting the token.

Rules follow Toggl's API v8 documentation, chapter "Users"
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md: "Get current user
data", "Update user data", "Reset API token", "Sign up new user").
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs

from .._core import EmuRequest, Reply, json_reply, text_reply
from .._vendor import EMAIL, Params, RouteTable, flag, json_object, route
from ._render import user_json
from ._state import (
    BOOLEAN_FIELDS,
    DATE_FORMATS,
    TIMEOFDAY_FORMATS,
    TogglStore,
    TogglUser,
    valid_timezone,
)

__all__ = ["PUBLIC", "ROUTES", "Caller", "answer"]


@attrs.define
class Caller:
    """Who is asking: the store and the user the Basic credential names."""

    store: TogglStore
    user: TogglUser


def answer(store: TogglStore, req: EmuRequest) -> Reply:
    """Answer one request: sign-up needs no credential, everything else Basic auth."""
    public = PUBLIC.resolve(req.method, req.segments)
    if public is not None:
        if public.route is None:
            return text_reply(405, "Method not allowed")
        return public.route.handler(store, req, public.params)
    user = store.authenticate(req)
    if user is None:
        # toggl_api.md, "Authentication": a bad credential is a 403 (not 401)
        return text_reply(403, "")
    if store.limiter is not None and not store.limiter.hit(user.id):
        # a leaky bucket: a 429 means wait and retry (no Retry-After is documented)
        return text_reply(429, "Too many requests")
    match = ROUTES.resolve(req.method, req.segments)
    if match is None:
        return text_reply(404, "Not found")
    if match.route is None:
        return text_reply(405, "Method not allowed")
    return match.route.handler(Caller(store, user), req, match.params)


def _user_body(req: EmuRequest) -> dict[str, Any] | None:
    """The ``user`` object of a ``{"user": {...}}`` body, or ``None``."""
    body = json_object(req.body)
    if body is None or not isinstance(body.get("user"), dict):
        return None
    user: dict[str, Any] = body["user"]
    return user


def get_me(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``GET /me[?with_related_data=true&since=<unix time>]``."""
    store = caller.store
    since = None
    raw = req.params("since")
    if raw:
        try:
            since = datetime.fromtimestamp(int(raw[0]), timezone.utc)  # a unix timestamp
        except (ValueError, OverflowError, OSError):
            return json_reply(400, ["since must be a unix timestamp"])
    payload = {
        "since": int(store.wall_clock().timestamp()),
        "data": user_json(caller.user, with_related=flag(req, "with_related_data"), since=since),
    }
    return json_reply(200, payload)


def put_me(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``PUT /me`` with ``{"user": {...}}``: every field checked; refused with the array of
    messages, with the store's ``refused_status``."""
    store, user = caller.store, caller.user
    fields = _user_body(req)
    if fields is None:
        return json_reply(store.refused_status, ['Request body must be {"user": {...}}'])
    errors = _update_errors(store, user, fields)
    if errors:
        return json_reply(store.refused_status, errors)
    for name in (
        "fullname",
        "email",
        *BOOLEAN_FIELDS,
        "beginning_of_week",
        "timezone",
        "timeofday_format",
        "date_format",
    ):
        if name in fields:
            setattr(user, name, fields[name])
    if "password" in fields:
        user.password = fields["password"]
    user.at = store.wall_clock()
    return json_reply(200, {"data": user_json(user)})


def _update_errors(store: TogglStore, user: TogglUser, fields: dict[str, Any]) -> list[str]:
    """The messages refusing a "Update user data" body: each updatable field has its rule."""
    errors: list[str] = []
    if "fullname" in fields and not isinstance(fields["fullname"], str):
        errors.append("Fullname must be a string")
    if "email" in fields:
        email = fields["email"]
        if not isinstance(email, str) or not EMAIL.match(email):
            errors.append("Email is not valid")
        elif any(
            u.email.lower() == email.lower() and u.id != user.id for u in store.users.values()
        ):
            errors.append("Email has already been taken")
    for name in BOOLEAN_FIELDS:
        if name in fields and not isinstance(fields[name], bool):
            errors.append(f"{name} must be true or false")
    if "beginning_of_week" in fields:
        value = fields["beginning_of_week"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
            errors.append("Beginning of week must be in range 0-6")
    if "timezone" in fields and not valid_timezone(fields["timezone"]):
        errors.append("Timezone is not a known IANA time zone")
    if "timeofday_format" in fields and fields["timeofday_format"] not in TIMEOFDAY_FORMATS:
        errors.append('Time of day format must be "H:mm" or "h:mm A"')
    if "date_format" in fields and fields["date_format"] not in DATE_FORMATS:
        errors.append("Date format is not supported")
    # a password change needs current_password and password
    if "password" in fields or "current_password" in fields:
        current, new = fields.get("current_password"), fields.get("password")
        if not isinstance(current, str) or not isinstance(new, str):
            errors.append("Both current_password and password are required")
        elif current != user.password:
            errors.append("Current password is not valid")
        elif len(new) < 6:
            errors.append("Password should be at least 6 characters")
    return errors


def reset_token(caller: Caller, _req: EmuRequest, _params: Params) -> Reply:
    """``POST /reset_token``: the answer is a JSON string, the new token; the old one stops."""
    caller.user.api_token = caller.store.new_token()
    caller.user.at = caller.store.wall_clock()
    return json_reply(200, caller.user.api_token)


def signup(store: TogglStore, req: EmuRequest, _params: Params) -> Reply:
    """``POST /signups``: e-mail, password (>= 6), timezone and created_with, all required;
    answers the created user's data and API token."""
    fields = _user_body(req)
    if fields is None:
        return json_reply(store.refused_status, ['Request body must be {"user": {...}}'])
    errors: list[str] = []
    email = fields.get("email")
    if not isinstance(email, str) or not EMAIL.match(email):
        errors.append("Email is not valid")
    elif any(u.email.lower() == email.lower() for u in store.users.values()):
        errors.append("Email has already been taken")
    password = fields.get("password")
    if not isinstance(password, str) or len(password) < 6:
        errors.append("Password should be at least 6 characters")
    if not valid_timezone(fields.get("timezone")):
        errors.append("Timezone is required and must be a known IANA time zone")
    created_with = fields.get("created_with")
    if not isinstance(created_with, str) or not created_with.strip():
        errors.append("created_with is required")
    if errors:
        return json_reply(store.refused_status, errors)
    assert isinstance(email, str)  # checked above
    assert isinstance(password, str)
    user = store.add_user(
        email,
        password,
        fullname=str(fields.get("fullname", "")),
        timezone_name=str(fields["timezone"]),
        created_with=str(created_with),
    )
    return json_reply(200, {"data": user_json(user)})


#: The endpoints that need no credential, relative to ``/api/v8``.
PUBLIC: RouteTable[TogglStore] = RouteTable(route("POST", "signups", signup))
#: The endpoints behind Basic auth, relative to ``/api/v8``.
ROUTES: RouteTable[Caller] = RouteTable(
    route("GET", "me", get_me),
    route("PUT", "me", put_me),
    route("POST", "reset_token", reset_token),
)

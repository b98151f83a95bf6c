"""Clockify's route table and handlers: method and path pattern to the code that answers.

Endpoints and rules follow Clockify's API documentation (https://docs.clockify.me/, section
"Workspace": "Get all my workspaces", "Add workspace", "Update workspace cost rate", "Update
workspace billable rate", "Find all users on workspace", "Add user", "Update user's status",
"Update user's cost rate", "Update user's hourly rate").
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import timezone
from typing import Any

import attrs

from .._core import EmuRequest, Reply, first, json_reply, parse_iso
from .._ratelimit import SlidingWindowCounter
from .._vendor import EMAIL, Params, RouteTable, int_param, json_object, page, route
from ._render import user_json, workspace_json
from ._state import (
    ADMIN_ROLES,
    CODES,
    MEMBER_STATUSES,
    ROLES,
    SEAT_STATUSES,
    ClockifyError,
    ClockifyStore,
    ClockifyWorkspace,
    Member,
    RateEntry,
)

__all__ = ["ROUTES", "Caller", "answer", "dispatch"]

#: "Find all users on workspace": ``page-size`` defaults to 50; 5000 is the most accepted.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 5000


@attrs.define
class Caller:
    """Who is asking: the store, the authenticated user, and the workspace the path names
    (already checked: it exists and the user is an ACTIVE member)."""

    store: ClockifyStore
    user_id: str
    workspace: ClockifyWorkspace | None

    @property
    def ws(self) -> ClockifyWorkspace:
        """The path's workspace (routes under ``workspaces/{workspace}`` only)."""
        assert self.workspace is not None  # every route that asks has {workspace}
        return self.workspace

    def require_admin(self) -> None:
        """403 unless the caller is an admin of the path's workspace."""
        if not self.ws.members[self.user_id].roles & ADMIN_ROLES:
            raise ClockifyError(403, "Only workspace admins can do this", "access_denied")

    def reply(self, status: int = 200) -> Reply:
        """The path's workspace as JSON (what every workspace change answers)."""
        return json_reply(status, workspace_json(self.store, self.ws))


def answer(store: ClockifyStore, req: EmuRequest) -> Reply:
    """Answer one request: authenticate, count it against the rate limits, route it."""
    credential, user_id = _authenticate(store, req)
    if user_id is None:
        # X-Api-Key or X-Addon-Token ("Authentication"); anything else is a 401
        return store.error(
            401, "Full authentication is required to access this resource", CODES["unauthorized"]
        )
    segments = req.segments
    workspace = segments[1] if len(segments) >= 2 and segments[0] == "workspaces" else None
    key: Hashable = ("workspace", workspace) if workspace else ("credential", credential)
    if store.limiter is not None and not store.limiter.hit(key):
        return _too_many(store, store.limiter, key)
    ws = store.workspaces.get(workspace or "")
    free = store.free_limiter if ws is not None and ws.plan == "FREE" else None
    if free is not None and not free.hit(key):
        return _too_many(store, free, key)
    try:
        return dispatch(store, req, user_id)
    except ClockifyError as exc:
        return store.error(exc.status, exc.message, exc.code)


def _authenticate(store: ClockifyStore, req: EmuRequest) -> tuple[str, str | None]:
    key = req.headers.get("x-api-key")
    if key is not None:
        return key, store.api_keys.get(key)
    token = req.headers.get("x-addon-token")
    if token is not None:
        return token, store.addon_tokens.get(token)
    return "", None


def _too_many(store: ClockifyStore, limiter: SlidingWindowCounter, key: Hashable) -> Reply:
    headers = {}
    if store.retry_after:
        headers["Retry-After"] = str(max(1, math.ceil(limiter.retry_after(key))))
    # "Rate limiting": exceeding the limit answers "Too many requests"
    return json_reply(
        429, {"message": "Too many requests", "code": CODES["too_many_requests"]}, headers
    )


def dispatch(store: ClockifyStore, req: EmuRequest, user_id: str) -> Reply:
    """Find the route; check the path's workspace first (404, 403), then the method (405)."""
    match = ROUTES.resolve(req.method, req.segments)
    if match is None:
        raise ClockifyError(404, "No such endpoint", "not_found")
    workspace_id = match.params.get("workspace")
    ws = None if workspace_id is None else _workspace(store, workspace_id, user_id)
    if match.route is None:
        raise ClockifyError(405, "Method not allowed", "method_not_allowed")
    return match.route.handler(Caller(store, user_id, ws), req, match.params)


def _workspace(store: ClockifyStore, workspace_id: str, user_id: str) -> ClockifyWorkspace:
    ws = store.workspaces.get(workspace_id)
    if ws is None:
        raise ClockifyError(404, "Workspace not found", "not_found")
    if user_id not in ws.members or ws.members[user_id].status != "ACTIVE":
        raise ClockifyError(403, "Access denied to this workspace", "access_denied")
    return ws


def _member(ws: ClockifyWorkspace, user_id: str) -> Member:
    member = ws.members.get(user_id)
    if member is None:
        raise ClockifyError(404, "User is not a member of this workspace", "not_found")
    return member


def _body(req: EmuRequest) -> dict[str, Any]:
    body = json_object(req.body)
    if body is None:
        raise ClockifyError(400, "Request body must be a JSON object", "bad_request")
    return body


def _int(req: EmuRequest, name: str, default: int, low: int, high: int | None) -> int:
    try:
        return int_param(req, name, default, low, high)
    except ValueError as exc:
        raise ClockifyError(400, str(exc), "bad_request") from None


# ----------------------------------------------------------------- handlers
def list_workspaces(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``GET /workspaces``: the caller's ACTIVE workspaces, filtered by repeatable ``roles``."""
    roles = req.params("roles")
    for role in roles:
        if role not in ROLES:
            raise ClockifyError(400, f"Unknown role {role!r}", "bad_request")
    found = []
    for ws in caller.store.workspaces.values():
        member = ws.members.get(caller.user_id)
        if member is None or member.status != "ACTIVE":
            continue
        if roles and not member.roles & set(roles):
            continue
        found.append(workspace_json(caller.store, ws))
    return json_reply(200, found)


def create_workspace(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``POST /workspaces``: name 1-50 characters and ``organizationId`` required; 201."""
    body = _body(req)
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50 or len(name) > 50:
        raise ClockifyError(400, "name must be 1-50 characters", "bad_request")
    org = body.get("organizationId")
    if not isinstance(org, str) or not org:
        raise ClockifyError(400, "organizationId is required", "bad_request")
    store = caller.store
    wid = store.create_workspace(
        owner_id=caller.user_id,
        name=name,
        organization_id=org,
        plan=store.new_workspace_plan,
        seats=store.new_workspace_seats,
        hourly_rate=0,
        cost_rate=0,
    )
    return json_reply(201, workspace_json(store, store.workspaces[wid]))


def get_workspace(caller: Caller, _req: EmuRequest, _params: Params) -> Reply:
    """``GET /workspaces/{workspace}``."""
    return caller.reply()


def set_workspace_rate(caller: Caller, req: EmuRequest, params: Params) -> Reply:
    """``PUT /workspaces/{workspace}/cost-rate`` or ``.../hourly-rate`` (admins)."""
    caller.require_admin()
    _set_rate(caller, None, params["rate"], req)
    return caller.reply()


def set_member_rate(caller: Caller, req: EmuRequest, params: Params) -> Reply:
    """``PUT /workspaces/{workspace}/users/{user}/cost-rate`` or ``.../hourly-rate``."""
    caller.require_admin()
    _set_rate(caller, _member(caller.ws, params["user"]), params["rate"], req)
    return caller.reply()


def _set_rate(caller: Caller, member: Member | None, which: str, req: EmuRequest) -> None:
    ws = caller.ws
    body = _body(req)
    amount = body.get("amount")
    # amount in cents, required, minimum 0
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ClockifyError(400, "amount must be an integer >= 0", "bad_request")
    currency = ws.default_currency
    if member is None and which == "hourly-rate":
        # "Update workspace billable rate": currency 1-100 characters, default "USD", one of
        # the workspace's currencies
        currency = body.get("currency", "USD")
        if not isinstance(currency, str) or not 1 <= len(currency) <= 100:
            raise ClockifyError(400, "currency must be 1-100 characters", "bad_request")
        if currency not in {code for code, _id, _d in ws.currencies}:
            raise ClockifyError(
                400, f"Currency {currency} is not set up in this workspace", "bad_request"
            )
    since_text = body.get("since")
    if since_text is None:
        since = caller.store.wall_clock()
    else:
        # since: an optional ISO-8601 datetime with a time zone
        try:
            since = parse_iso(since_text)
        except (ValueError, TypeError):
            raise ClockifyError(
                400, "since must be an ISO-8601 datetime with a time zone", "bad_request"
            ) from None
    owner: Member | ClockifyWorkspace = ws if member is None else member
    history = owner.hourly if which == "hourly-rate" else owner.cost
    history.set(RateEntry(since.astimezone(timezone.utc), amount, currency))


def add_user(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``POST /workspaces/{workspace}/users?send-email=``: invite by e-mail (admins).

    "Add user": a paid subscription (402), then already a member (409: no seat is needed
    for someone already in), then a free paid seat (403).
    """
    caller.require_admin()
    ws, store = caller.ws, caller.store
    send_email = first(req.params("send-email"))
    if send_email is None:
        raise ClockifyError(
            400, "Required request parameter 'send-email' is not present", "bad_request"
        )
    if send_email.lower() not in ("true", "false"):
        raise ClockifyError(400, "send-email must be true or false", "bad_request")
    email = _body(req).get("email")
    if not isinstance(email, str) or not EMAIL.match(email):
        raise ClockifyError(400, "email must be a valid e-mail address", "bad_request")
    if ws.plan == "FREE":
        raise ClockifyError(402, "Workspace doesn't have a paid subscription", "payment_required")
    for member in ws.members.values():
        if store.users[member.user_id].email.lower() == email.lower():
            raise ClockifyError(409, "User already exists in workspace", "already_member")
    if ws.seats_used() >= ws.seats:
        raise ClockifyError(403, "No available user seats", "no_seats")
    uid = store.add_user(email, registered=False)
    ws.members[uid] = Member(uid, "PENDING")  # invited: pending until accepted
    store.invitations.append((ws.id, email, send_email.lower() == "true"))
    return caller.reply()


def set_status(caller: Caller, req: EmuRequest, params: Params) -> Reply:
    """``PUT /workspaces/{workspace}/users/{user}``: ACTIVE or INACTIVE, never one's own.

    Reactivating takes a paid seat again ("Update user's status": manage seat allocation).
    """
    caller.require_admin()
    ws, target = caller.ws, params["user"]
    member = _member(ws, target)
    status = _body(req).get("status")
    if status not in ("ACTIVE", "INACTIVE"):
        raise ClockifyError(400, "status must be ACTIVE or INACTIVE", "bad_request")
    if target == caller.user_id:
        raise ClockifyError(400, "You cannot change your own status", "bad_request")
    if status == "ACTIVE" and member.status not in SEAT_STATUSES and ws.seats_used() >= ws.seats:
        raise ClockifyError(403, "No available user seats", "no_seats")
    member.status = status
    return caller.reply()


def list_users(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``GET /workspaces/{workspace}/users``: substring ``email`` and ``name`` filters, a
    membership ``status`` filter; a bare JSON array with a ``Last-Page`` header, no total."""
    ws, store = caller.ws, caller.store
    number = _int(req, "page", 1, 1, None)
    size = _int(req, "page-size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    email = (first(req.params("email")) or "").lower()
    name = (first(req.params("name")) or "").lower()
    status = first(req.params("status")) or "ALL"
    if status not in (*MEMBER_STATUSES, "ALL"):
        raise ClockifyError(400, f"Unknown status {status!r}", "bad_request")
    matching = []
    for member in ws.members.values():
        user = store.users[member.user_id]
        if email and email not in user.email.lower():
            continue
        if name and name not in user.name.lower():
            continue
        if status != "ALL" and member.status != status:
            continue
        matching.append(member)
    chunk, last = page(matching, number, size)
    return json_reply(
        200,
        [user_json(store, ws, m) for m in chunk],
        {"Last-Page": "true" if last else "false"},
    )


RATE = "{rate:cost-rate|hourly-rate}"
#: Clockify's endpoints, relative to ``/api/v1``.
ROUTES: RouteTable[Caller] = RouteTable(
    route("GET", "workspaces", list_workspaces),
    route("POST", "workspaces", create_workspace),
    route("GET", "workspaces/{workspace}", get_workspace),
    route("PUT", f"workspaces/{{workspace}}/{RATE}", set_workspace_rate),
    route("GET", "workspaces/{workspace}/users", list_users),
    route("POST", "workspaces/{workspace}/users", add_user),
    route("PUT", "workspaces/{workspace}/users/{user}", set_status),
    route("PUT", f"workspaces/{{workspace}}/users/{{user}}/{RATE}", set_member_rate),
)

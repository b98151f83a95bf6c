"""McTime's route table and handlers: ``GET /clock`` (paged) and ``GET /clock/{id}``.

Rules follow McTime's clock status API v2 documentation (https://mctime.com/api, "Clock
status" and "Authentication"): the ``API_KEY`` header, 20 items a page, per-item errors for
users or organizations the key may not see.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from .._core import EmuRequest, Reply, json_reply
from .._vendor import Params, RouteTable, int_param, page, route
from ._render import item_error, item_json
from ._state import TIME_TYPES, McTimeStore, McTimeUser

__all__ = ["PAGE_SIZE", "ROUTES", "Caller", "answer"]

PAGE_SIZE = 20  # "Page size is 20"


@attrs.define
class Caller:
    """Who is asking: the store and the user the API key belongs to."""

    store: McTimeStore
    viewer: McTimeUser


def answer(store: McTimeStore, req: EmuRequest) -> Reply:
    """Answer one request: authenticate by ``API_KEY``, count it, route it."""
    key = req.headers.get("api_key")
    viewer = store.users.get(store.api_keys.get(key or "", ""))
    if key is None or viewer is None:
        return store.error(401, "Missing or invalid API_KEY")
    if store.limiter is not None and not store.limiter.hit(key):
        # 429 "Too many requests"; no Retry-After is documented
        return store.error(429, "Too many requests")
    match = ROUTES.resolve(req.method, req.segments)
    if match is None:
        return store.error(404, "No such endpoint")
    if match.route is None:
        return store.error(405, "Method not allowed")
    return match.route.handler(Caller(store, viewer), req, match.params)


def get_one(caller: Caller, _req: EmuRequest, params: Params) -> Reply:
    """``GET /clock/{id}``: 400 "Report was not found" for an unknown or hidden entry, 404
    when it is already clocked out."""
    store = caller.store
    entry = store.entries.get(params["entry"])
    if entry is None or not store.entry_visible(caller.viewer, entry):
        return store.error(400, "Report was not found")
    if entry.end is not None:
        return store.error(404, "Clock entry is already clocked out")
    return json_reply(200, item_json(store, entry))


def list_clocked_in(caller: Caller, req: EmuRequest, _params: Params) -> Reply:
    """``GET /clock``: the running entries the key may see, filtered, 20 a page (from 1)."""
    store, viewer = caller.store, caller.viewer
    try:
        number = int_param(req, "page", 1, 1)
    except ValueError as exc:
        return store.error(400, str(exc))
    time_types = req.params("timeTypes")
    unknown = [t for t in time_types if t not in TIME_TYPES]
    if unknown:
        return store.error(400, f"Unknown time type(s): {', '.join(unknown)}")
    errors: list[dict[str, Any]] = []
    visible = store.visible_users(viewer)
    # a user the key may not see yields a 400 item (the others are still returned)
    wanted_users: set[str] | None = None
    if req.params("userIds"):
        wanted_users = set()
        for uid in dict.fromkeys(req.params("userIds")):
            if uid in visible:
                wanted_users.add(uid)
            else:
                errors.append(item_error(uid, f"User {uid} is not visible to this API key"))
    # only organizations the user may manage are accepted; else a 400 item
    managed = viewer.manages if viewer.role != "employee" else set()
    wanted_orgs: set[str] | None = None
    if req.params("organizationIds") or req.params("organizationNames"):
        wanted_orgs = set()
        for oid in dict.fromkeys(req.params("organizationIds")):
            if oid in managed:
                wanted_orgs.add(oid)
            else:
                errors.append(
                    item_error(None, f"Organization {oid} is not managed by this API key")
                )
        for name in dict.fromkeys(req.params("organizationNames")):
            ids = {o.id for o in store.organizations.values() if o.name == name} & managed
            if ids:
                wanted_orgs |= ids
            else:
                errors.append(
                    item_error(None, f"Organization {name!r} is not managed by this API key")
                )
    matching = [
        e
        for e in store.entries.values()
        if e.end is None
        and store.entry_visible(viewer, e)
        and (wanted_users is None or e.user_id in wanted_users)
        and (wanted_orgs is None or e.organization_id in wanted_orgs)
        and (not time_types or e.time_type in time_types)
    ]
    # A stable order (clock-in time, then id), so pages do not reshuffle between requests.
    matching.sort(key=lambda e: (e.start, e.id))
    chunk, _last = page(matching, number, PAGE_SIZE)
    items: list[dict[str, Any]] = [item_json(store, e) for e in chunk]
    # Per-item errors are reported once, at the head of page 1, outside the 20-item count.
    if number == 1:
        items = errors + items
    return json_reply(
        200,
        {
            "items": items,
            "page": number,
            "totalItems": len(matching),  # clocked-in users matching
            "totalCount": math.ceil(len(matching) / PAGE_SIZE),  # the number of pages
        },
    )


#: McTime's endpoints, relative to ``/api/v2/auth``.
ROUTES: RouteTable[Caller] = RouteTable(
    route("GET", "clock", list_clocked_in),
    route("GET", "clock/{entry}", get_one),
)

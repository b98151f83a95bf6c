"""An in-memory McTime clock status API v2 (mctime-clock-api.md), as a pure state machine.

Line numbers ("doc L8") refer to /work/shared/specs/mctime-clock-api.md. The document does not
give error bodies; the emulator answers ``{"message": "..."}``, and a per-item error inside
``items`` is ``{"userId": <id or null>, "status": 400, "message": "..."}`` (README: "accept any
item that carries an error status or message instead of clock fields").
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from ._core import Clock, EmuRequest, Reply, WallClock, iso_offset, json_reply
from ._ratelimit import SlidingWindowCounter

__all__ = ["ROLES", "TIME_TYPES", "McTimeState"]

#: doc L2: the roles; an employee sees only themself, the others the organizations they manage.
ROLES = ("employee", "approver", "manager", "administrator", "main_administrator")
#: doc L9: the time-type names.
TIME_TYPES = (
    "work", "parental_leave", "worked_rest_period", "clocking", "statutory_leave",
    "public_holiday_abroad", "medical_leave", "bad_weather", "company_vacation",
    "unpaid_vacation", "care_leave", "out_office", "work_accident_sickness",
    "military_exercize", "flextime", "unpaid_time_off", "home_office", "study_leave",
    "paid_time_off", "other_leave", "vacation_abroad", "travel", "sick", "military_service",
    "jubilee_day", "vacation", "move", "special_leave", "free_time",
)  # fmt: skip
PAGE_SIZE = 20  # doc L12: "Page size is 20"


@attrs.define
class Organization:
    """An organization: id, name and the UTC offset its clock times are written in."""

    id: str
    name: str
    utc_offset: timedelta = timedelta(hours=1)


@attrs.define
class McTimeUser:
    """A user: names, role, the organizations they belong to and those they manage."""

    id: str
    first_name: str
    last_name: str
    role: str
    organizations: set[str] = attrs.field(factory=set)
    manages: set[str] = attrs.field(factory=set)


@attrs.define
class Break:
    """A break inside a clock entry; ``to`` is ``None`` while it lasts."""

    id: str
    start: datetime
    end: datetime | None = None
    automatic: bool = False


@attrs.define
class ClockEntry:
    """A clock entry; open (running) while ``end`` is ``None``."""

    id: str
    user_id: str
    organization_id: str
    time_type: str
    start: datetime
    end: datetime | None = None
    breaks: list[Break] = attrs.field(factory=list)


class McTimeState:
    """McTime's server side: organizations, users, API keys, clock entries and the handler.

    Args:
        clock: monotonic time for the rate window.
        wall_clock: calendar time (default clock-in and break times).
        rng: the source of generated ids and keys.
        rate_limit: accepted requests per second per API key (``None``: no limit).
    """

    vendor = "mctime"

    def __init__(
        self,
        *,
        clock: Clock,
        wall_clock: WallClock,
        rng: random.Random,
        rate_limit: int | None = 10,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.rng = rng
        # README: "10 requests per second per API key, beyond which it answers 429"
        self.limiter = SlidingWindowCounter(rate_limit, 1.0, clock) if rate_limit else None
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, McTimeUser] = {}
        self.api_keys: dict[str, str] = {}
        self.entries: dict[str, ClockEntry] = {}

    # ----------------------------------------------------------------- set-up and mutations
    def new_id(self) -> str:
        """A fresh UUID drawn from the seeded generator."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add_organization(self, name: str, *, utc_offset: timedelta = timedelta(hours=1)) -> str:
        """Create an organization; its id."""
        oid = self.new_id()
        self.organizations[oid] = Organization(oid, name, utc_offset)
        return oid

    def add_user(
        self,
        first_name: str,
        last_name: str,
        *,
        role: str = "employee",
        organizations: set[str] | None = None,
        manages: set[str] | None = None,
    ) -> str:
        """Create a user; its id. ``manages`` only counts for roles above employee."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        uid = self.new_id()
        self.users[uid] = McTimeUser(
            uid, first_name, last_name, role, set(organizations or ()), set(manages or ())
        )
        return uid

    def add_api_key(self, user_id: str, key: str | None = None) -> str:
        """Give ``user_id`` an API key; returns it."""
        key = key or f"mc_{self.rng.getrandbits(128):032x}"
        self.api_keys[key] = user_id
        return key

    def clock_in(
        self,
        user_id: str,
        organization_id: str,
        *,
        time_type: str = "work",
        at: datetime | None = None,
    ) -> str:
        """Start a running entry for ``user_id``; its id. One running entry per user."""
        if time_type not in TIME_TYPES:
            raise ValueError(f"unknown time type {time_type!r}")
        if any(e.user_id == user_id and e.end is None for e in self.entries.values()):
            raise ValueError(f"user {user_id} is already clocked in")
        eid = self.new_id()
        self.entries[eid] = ClockEntry(
            eid, user_id, organization_id, time_type, self._local(organization_id, at)
        )
        return eid

    def clock_out(self, entry_id: str, *, at: datetime | None = None) -> None:
        """End a running entry (and its open break): it becomes a regular time entry."""
        entry = self.entries[entry_id]
        moment = self._local(entry.organization_id, at)
        for brk in entry.breaks:
            if brk.end is None:
                brk.end = moment
        entry.end = moment

    def start_break(
        self, entry_id: str, *, at: datetime | None = None, automatic: bool = False
    ) -> str:
        """Open a break on a running entry; its id."""
        entry = self.entries[entry_id]
        if entry.end is not None or any(b.end is None for b in entry.breaks):
            raise ValueError("entry is clocked out or already on a break")
        bid = self.new_id()
        entry.breaks.append(Break(bid, self._local(entry.organization_id, at), None, automatic))
        return bid

    def end_break(self, entry_id: str, *, at: datetime | None = None) -> None:
        """Close the open break of an entry."""
        entry = self.entries[entry_id]
        for brk in entry.breaks:
            if brk.end is None:
                brk.end = self._local(entry.organization_id, at)
                return
        raise ValueError("entry is not on a break")

    def _local(self, organization_id: str, at: datetime | None) -> datetime:
        org = self.organizations.get(organization_id)
        offset = org.utc_offset if org else timedelta(0)
        moment = at or self.wall_clock()
        return moment.astimezone(timezone(offset)).replace(microsecond=0)

    # ----------------------------------------------------------------- visibility
    def visible_users(self, viewer: McTimeUser) -> set[str]:
        """doc L2: an employee sees only themself; higher roles also the users of the
        organizations they are responsible for."""
        if viewer.role == "employee":
            return {viewer.id}
        return {viewer.id} | {u.id for u in self.users.values() if u.organizations & viewer.manages}

    def entry_visible(self, viewer: McTimeUser, entry: ClockEntry) -> bool:
        """An entry is visible when it is the viewer's own, or (above employee) it was clocked
        on an organization the viewer manages."""
        if entry.user_id == viewer.id:
            return True
        return viewer.role != "employee" and entry.organization_id in viewer.manages

    def item_json(self, entry: ClockEntry) -> dict[str, Any]:
        """The documented item (doc L16-L30, L36-L46)."""
        user = self.users[entry.user_id]
        org = self.organizations.get(entry.organization_id)
        return {
            "userId": user.id,
            "userFirstName": user.first_name,
            "userLastName": user.last_name,
            "clockedIn": True,  # doc L40 "Always true (only running entries are returned)"
            "onBreak": any(b.end is None for b in entry.breaks),  # doc L41
            "from": iso_offset(entry.start),  # doc L42 ISO-8601 with offset
            "id": entry.id,
            "organizationId": entry.organization_id,
            "organizationName": org.name if org else "",
            "timeType": entry.time_type,
            # doc L46: {id, from, to, automatic}; to null while ongoing; null when no breaks
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

    # ----------------------------------------------------------------- the handler
    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body (the document shows none; ``{"message": ...}``)."""
        return json_reply(status, {"message": message})

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: authenticate (doc L4, L53, L64), count it, route it."""
        key = req.headers.get("api_key")
        viewer = self.users.get(self.api_keys.get(key or "", ""))
        if key is None or viewer is None:
            return self.error(401, "Missing or invalid API_KEY")  # doc L53, L64
        if self.limiter is not None and not self.limiter.hit(key):
            # README: 429 "Too many requests"; no Retry-After is documented
            return self.error(429, "Too many requests")
        s = req.segments
        if not s or s[0] != "clock" or len(s) > 2:
            return self.error(404, "No such endpoint")
        if req.method != "GET":
            return self.error(405, "Method not allowed")
        if len(s) == 2:
            return self._get_one(viewer, s[1])
        return self._list(viewer, req)

    def _get_one(self, viewer: McTimeUser, entry_id: str) -> Reply:
        entry = self.entries.get(entry_id)
        # doc L63, L67: unknown id or not allowed -> 400 "Report was not found", not 404
        if entry is None or not self.entry_visible(viewer, entry):
            return self.error(400, "Report was not found")
        # doc L62: 404 when the entry exists but is already clocked out
        if entry.end is not None:
            return self.error(404, "Clock entry is already clocked out")
        return json_reply(200, self.item_json(entry))  # doc L61

    def _list(self, viewer: McTimeUser, req: EmuRequest) -> Reply:
        raw_page = req.params("page")
        try:
            page = int(raw_page[0]) if raw_page else 1  # doc L12: starting at 1 (default)
        except ValueError:
            return self.error(400, "page must be an integer")
        if page < 1:
            return self.error(400, "page must be >= 1")
        time_types = req.params("timeTypes")
        unknown = [t for t in time_types if t not in TIME_TYPES]
        if unknown:
            return self.error(400, f"Unknown time type(s): {', '.join(unknown)}")
        errors: list[dict[str, Any]] = []
        visible = self.visible_users(viewer)
        # doc L8: a user the key may not see yields a 400 item (the others are still returned)
        wanted_users: set[str] | None = None
        if req.params("userIds"):
            wanted_users = set()
            for uid in dict.fromkeys(req.params("userIds")):
                if uid in visible:
                    wanted_users.add(uid)
                else:
                    errors.append(
                        {
                            "userId": uid,
                            "status": 400,
                            "message": f"User {uid} is not visible to this API key",
                        }
                    )
        # doc L10-L11, L52: only organizations the user may manage are accepted; else a 400 item
        managed = viewer.manages if viewer.role != "employee" else set()
        wanted_orgs: set[str] | None = None
        if req.params("organizationIds") or req.params("organizationNames"):
            wanted_orgs = set()
            for oid in dict.fromkeys(req.params("organizationIds")):
                if oid in managed:
                    wanted_orgs.add(oid)
                else:
                    errors.append(
                        {
                            "userId": None,
                            "status": 400,
                            "message": f"Organization {oid} is not managed by this API key",
                        }
                    )
            for name in dict.fromkeys(req.params("organizationNames")):
                ids = {o.id for o in self.organizations.values() if o.name == name} & managed
                if ids:
                    wanted_orgs |= ids
                else:
                    errors.append(
                        {
                            "userId": None,
                            "status": 400,
                            "message": f"Organization {name!r} is not managed by this API key",
                        }
                    )
        matching = [
            e
            for e in self.entries.values()
            if e.end is None
            and self.entry_visible(viewer, e)
            and (wanted_users is None or e.user_id in wanted_users)
            and (wanted_orgs is None or e.organization_id in wanted_orgs)
            and (not time_types or e.time_type in time_types)
        ]
        # A stable order (clock-in time, then id), so pages do not reshuffle between requests.
        matching.sort(key=lambda e: (e.start, e.id))
        start = (page - 1) * PAGE_SIZE
        items: list[dict[str, Any]] = [
            self.item_json(e) for e in matching[start : start + PAGE_SIZE]
        ]
        # Per-item errors are reported once, at the head of page 1, outside the 20-item count.
        if page == 1:
            items = errors + items
        return json_reply(
            200,
            {
                "items": items,
                "page": page,
                "totalItems": len(matching),  # README: clocked-in users matching
                "totalCount": math.ceil(len(matching) / PAGE_SIZE),  # README: number of pages
            },
        )

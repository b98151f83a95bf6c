"""McTime's server-side data: organizations, users, API keys and clock entries with breaks.

Rules follow McTime's clock status API v2 documentation (https://mctime.com/api, "Clock
status"). The documentation gives no error bodies; the emulator answers ``{"message": "..."}``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import attrs

from .._core import Reply
from .._ratelimit import SlidingWindowCounter
from .._vendor import StoreArgs, VendorStore, message_error

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+
    from typing_extensions import Unpack

__all__ = ["ROLES", "TIME_TYPES", "ClockEntry", "McTimeStore", "McTimeUser", "Organization"]

#: "Roles": an employee sees only themself, the others the organizations they manage.
ROLES = ("employee", "approver", "manager", "administrator", "main_administrator")
#: "Time types": the time-type names.
TIME_TYPES = (
    "work", "parental_leave", "worked_rest_period", "clocking", "statutory_leave",
    "public_holiday_abroad", "medical_leave", "bad_weather", "company_vacation",
    "unpaid_vacation", "care_leave", "out_office", "work_accident_sickness",
    "military_exercize", "flextime", "unpaid_time_off", "home_office", "study_leave",
    "paid_time_off", "other_leave", "vacation_abroad", "travel", "sick", "military_service",
    "jubilee_day", "vacation", "move", "special_leave", "free_time",
)  # fmt: skip


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


class McTimeStore(VendorStore):
    """McTime's server-side data and its mutations (the handler is :class:`McTimeState`).

    Args:
        rate_limit: accepted requests per second per API key (``None``: no limit).
        shared: ``clock``, ``wall_clock``, ``rng`` and ``lock`` (see :class:`VendorStore`).
    """

    def __init__(
        self,
        *,
        rate_limit: int | None = 10,
        **shared: Unpack[StoreArgs],
    ) -> None:
        super().__init__(**shared)
        # "Rate limits": 10 requests per second per API key, beyond which it answers 429
        self.limiter = SlidingWindowCounter(rate_limit, 1.0, self.clock) if rate_limit else None
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
        return self.issue_key(self.api_keys, user_id, key, "mc_")

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
        """Per "Roles", an employee sees only themself; higher roles also the users of the
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

    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body (the documentation shows none; ``{"message": ...}``)."""
        return message_error(status, message)

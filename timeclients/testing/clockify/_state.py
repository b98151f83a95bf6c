"""Clockify's server-side data: accounts, credentials, workspaces, memberships and rate histories.

Shapes and rules follow Clockify's API documentation (https://docs.clockify.me/, sections
"Workspace" and "User"). Error bodies are Clockify's ``{"message": ..., "code": <Clockify's
own number>}``; the documentation lists no codes, so ``CODES`` holds stable ones of ours.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .._core import Reply
from .._ratelimit import SlidingWindowCounter
from .._vendor import StoreArgs, VendorStore, message_error

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+
    from typing_extensions import Unpack

__all__ = [
    "CODES",
    "ClockifyError",
    "ClockifyStore",
    "ClockifyUser",
    "ClockifyWorkspace",
    "Member",
    "RateEntry",
    "RateHistory",
]

#: Clockify's own error ``code`` per situation (the documentation gives none; these are stable).
CODES: dict[str, int] = {
    "bad_request": 4000,
    "unauthorized": 4001,
    "payment_required": 4002,
    "no_seats": 4003,
    "access_denied": 4030,
    "not_found": 4004,
    "method_not_allowed": 4005,
    "already_member": 4009,
    # the 429 body is {"message": "Too many requests", "code": 429}
    "too_many_requests": 429,
}

#: "Get all my workspaces": the ``roles`` filter's values.
ROLES = ("WORKSPACE_ADMIN", "OWNER", "TEAM_MANAGER", "PROJECT_MANAGER")
ADMIN_ROLES = frozenset({"WORKSPACE_ADMIN", "OWNER"})
#: "Find all users on workspace": the membership ``status`` filter's values.
MEMBER_STATUSES = ("PENDING", "ACTIVE", "DECLINED", "INACTIVE")
SEAT_STATUSES = frozenset({"PENDING", "ACTIVE"})  # members that hold a paid seat
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: The documented workspace settings ("Get all my workspaces", ``workspaceSettings``), copied
#: into every new workspace.
SETTINGS_TEMPLATE: dict[str, Any] = {
    "activeBillableHours": True,
    # a JSON array encoded inside a string, as the documented example shows
    "adminOnlyPages": json.dumps(["PROJECT", "TEAM", "REPORTS"], separators=(",", ":")),
    "automaticLock": {
        "changeDay": "FRIDAY",
        "dayOfMonth": 15,
        "firstDay": "MONDAY",
        "olderThanPeriod": "DAYS",
        "olderThanValue": 5,
        "type": "WEEKLY",
    },
    "canSeeTimeSheet": True,
    "canSeeTracker": True,
    "currencyFormat": "CURRENCY_SPACE_VALUE",
    "defaultBillableProjects": True,
    "durationFormat": "FULL",
    "entityCreationPermissions": {
        "whoCanCreateProjectsAndClients": "EVERYONE",
        "whoCanCreateTags": "EVERYONE",
        "whoCanCreateTasks": "EVERYONE",
    },
    "forceDescription": True,
    "forceProjects": True,
    "forceTags": True,
    "forceTasks": True,
    "isProjectPublicByDefault": True,
    "lockTimeEntries": "2024-02-25T23:00:00Z",
    "lockTimeZone": "Europe/Belgrade",
    "multiFactorEnabled": True,
    "numberFormat": "COMMA_PERIOD",
    "onlyAdminsCanChangeBillableStatus": True,
    "onlyAdminsCreateProject": True,
    "onlyAdminsCreateTag": True,
    "onlyAdminsCreateTask": True,
    "onlyAdminsSeeAllTimeEntries": True,
    "onlyAdminsSeeBillableRates": True,
    "onlyAdminsSeeDashboard": True,
    "onlyAdminsSeePublicProjectsEntries": True,
    "projectFavorites": True,
    "projectGroupingLabel": "Project Label",
    "projectLabel": "string",
    "projectPickerSpecialFilter": True,
    "round": {"minutes": "15", "round": "Round to nearest"},  # minutes as a string, as documented
    "taskLabel": "string",
    "timeRoundingInReports": True,
    "timeTrackingMode": "DEFAULT",
    "trackTimeDownToSecond": True,
    "workingDays": ["MONDAY"],
}
DEFAULT_FEATURES = ("ADD_TIME_FOR_OTHERS", "ADMIN_PANEL", "ALERTS", "APPROVAL")


class ClockifyError(Exception):
    """Raised inside a handler to answer an error in Clockify's shape."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = CODES[code]


@attrs.define
class RateEntry:
    """One rate with the moment it takes effect."""

    since: datetime
    amount: int
    currency: str


@attrs.define
class RateHistory:
    """Rates of one kind for one scope, each with its ``since``; the effective one is the latest
    whose ``since`` has passed ("Update workspace cost rate": the rate applies from that date
    forward)."""

    entries: list[RateEntry] = attrs.field(factory=list)

    def set(self, entry: RateEntry) -> None:
        """Record a rate; a rate with the same ``since`` replaces the earlier one."""
        self.entries = [e for e in self.entries if e.since != entry.since]
        self.entries.append(entry)
        self.entries.sort(key=lambda e: e.since)

    def at(self, moment: datetime) -> RateEntry | None:
        """The rate in effect at ``moment`` (``None`` when none has started yet)."""
        for entry in reversed(self.entries):  # sorted by since: the latest that has passed
            if entry.since <= moment:
                return entry
        return None


@attrs.define
class ClockifyUser:
    """A Clockify account."""

    id: str
    email: str
    name: str
    #: False for someone invited by e-mail who has no account yet (status NOT_REGISTERED).
    registered: bool = True


@attrs.define
class Member:
    """A user's WORKSPACE membership: status, roles and user-specific rate histories."""

    user_id: str
    status: str
    roles: set[str] = attrs.field(factory=set)
    hourly: RateHistory = attrs.field(factory=RateHistory)
    cost: RateHistory = attrs.field(factory=RateHistory)


@attrs.define
class ClockifyWorkspace:
    """A workspace: plan, seats, currencies, default rates, settings and members."""

    id: str
    name: str
    organization_id: str
    plan: str
    seats: int
    currencies: list[tuple[str, str, bool]]  # (code, id, isDefault)
    features: list[str]
    settings: dict[str, Any]
    hourly: RateHistory = attrs.field(factory=RateHistory)
    cost: RateHistory = attrs.field(factory=RateHistory)
    members: dict[str, Member] = attrs.field(factory=dict)
    image_url: str = ""

    @property
    def default_currency(self) -> str:
        """The currency marked ``isDefault`` (else the first)."""
        for code, _id, is_default in self.currencies:
            if is_default:
                return code
        return self.currencies[0][0]

    def seats_used(self) -> int:
        """Members holding a paid seat (active or invited)."""
        return sum(1 for m in self.members.values() if m.status in SEAT_STATUSES)


class ClockifyStore(VendorStore):
    """Clockify's server-side data and its mutations (the handler is :class:`ClockifyState`).

    Args:
        rate_limit: accepted requests per second per workspace (``None``: no limit).
        retry_after: send ``Retry-After`` on a 429 (undocumented either way).
        free_plan_hourly_limit: requests per hour for a whole FREE workspace (``None``: no
            limit).
        new_workspace_plan: the plan of a workspace made by ``POST /workspaces``.
        new_workspace_seats: its paid seats.
        shared: ``clock``, ``wall_clock``, ``rng`` and ``lock`` (see :class:`VendorStore`).
    """

    def __init__(
        self,
        *,
        rate_limit: int | None = 50,
        retry_after: bool = False,
        free_plan_hourly_limit: int | None = 30,
        new_workspace_plan: str = "FREE",
        new_workspace_seats: int = 5,
        **shared: Unpack[StoreArgs],
    ) -> None:
        super().__init__(**shared)
        # "Rate limiting": 50 requests per second per workspace (add-on tokens; the same for
        # X-Api-Key). Requests without a workspace count per credential.
        self.limiter = SlidingWindowCounter(rate_limit, 1.0, self.clock) if rate_limit else None
        # Workspaces on the Free plan are limited to 30 requests per hour for the whole
        # workspace.
        self.free_limiter = (
            SlidingWindowCounter(free_plan_hourly_limit, 3600.0, self.clock)
            if free_plan_hourly_limit
            else None
        )
        self.retry_after = retry_after
        self.new_workspace_plan = new_workspace_plan
        self.new_workspace_seats = new_workspace_seats
        self.users: dict[str, ClockifyUser] = {}
        self.api_keys: dict[str, str] = {}
        self.addon_tokens: dict[str, str] = {}
        self.workspaces: dict[str, ClockifyWorkspace] = {}
        #: (workspace id, e-mail, send-email) for every invitation, for tests to inspect.
        self.invitations: list[tuple[str, str, bool]] = []

    # ----------------------------------------------------------------- set-up helpers
    def new_id(self) -> str:
        """A fresh 24-hex id like Clockify's."""
        while True:
            value = f"{self.rng.getrandbits(96):024x}"
            if value not in self.users and value not in self.workspaces:
                return value

    def add_user(
        self,
        email: str,
        name: str | None = None,
        *,
        user_id: str | None = None,
        registered: bool = True,
    ) -> str:
        """Create an account (or return the existing one with this e-mail); its id."""
        for user in self.users.values():
            if user.email.lower() == email.lower():
                return user.id
        uid = user_id or self.new_id()
        self.users[uid] = ClockifyUser(uid, email, name or email.split("@")[0], registered)
        return uid

    def add_api_key(self, user_id: str, key: str | None = None) -> str:
        """Give ``user_id`` an ``X-Api-Key``; returns it."""
        return self.issue_key(self.api_keys, user_id, key, "ck_")

    def add_addon_token(self, user_id: str, token: str | None = None) -> str:
        """Give ``user_id`` an ``X-Addon-Token``; returns it."""
        return self.issue_key(self.addon_tokens, user_id, token, "addon_")

    def create_workspace(
        self,
        *,
        owner_id: str,
        name: str,
        organization_id: str = "",
        plan: str = "PREMIUM",
        seats: int = 50,
        currencies: tuple[str, ...] = ("USD",),
        hourly_rate: int = 10500,
        cost_rate: int = 10500,
        workspace_id: str | None = None,
    ) -> str:
        """Create a workspace owned by ``owner_id`` (an ACTIVE OWNER member); its id."""
        wid = workspace_id or self.new_id()
        ws = ClockifyWorkspace(
            id=wid,
            name=name,
            organization_id=organization_id or self.new_id(),
            plan=plan,
            seats=seats,
            currencies=[(code, self.new_id(), i == 0) for i, code in enumerate(currencies)],
            features=list(DEFAULT_FEATURES),
            settings=copy.deepcopy(SETTINGS_TEMPLATE),
            image_url="",
        )
        ws.hourly.set(RateEntry(EPOCH, hourly_rate, ws.default_currency))
        ws.cost.set(RateEntry(EPOCH, cost_rate, ws.default_currency))
        # "Add workspace": the user becomes the workspace owner automatically
        ws.members[owner_id] = Member(owner_id, "ACTIVE", {"OWNER", "WORKSPACE_ADMIN"})
        self.workspaces[wid] = ws
        return wid

    def add_member(
        self,
        workspace_id: str,
        user_id: str,
        *,
        status: str = "ACTIVE",
        roles: set[str] | None = None,
    ) -> None:
        """Make ``user_id`` a member of the workspace directly (no seat or plan checks)."""
        self.workspaces[workspace_id].members[user_id] = Member(user_id, status, roles or set())

    # ----------------------------------------------------------------- reading state
    def current_rate(self, workspace_id: str, user_id: str | None, kind: str) -> int | None:
        """The amount in effect now: the user's own rate, else ``None`` (``user_id=None``: the
        workspace default)."""
        ws = self.workspaces[workspace_id]
        owner: Member | ClockifyWorkspace = ws if user_id is None else ws.members[user_id]
        history = owner.hourly if kind == "hourly" else owner.cost
        entry = history.at(self.wall_clock())
        return entry.amount if entry else None

    def error(self, status: int, message: str, code: int | None = None) -> Reply:
        """An error in Clockify's shape, ``{"message", "code"}``."""
        return message_error(status, message, code=status if code is None else code)

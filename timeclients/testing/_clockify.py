"""An in-memory Clockify Workspace API v1 (clockify-workspace-api.md), as a pure state machine.

Line numbers ("doc L123") refer to /work/shared/specs/clockify-workspace-api.md; "README"
refers to the facts listed in /work/shared/specs/README.md. Error bodies are Clockify's
``{"message": ..., "code": <Clockify's own number>}`` (README); the codes are ours (see
``CODES``) because the document does not list them.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
from collections.abc import Hashable
from datetime import datetime, timezone
from typing import Any

import attrs

from ._core import (
    Clock,
    EmuRequest,
    Reply,
    WallClock,
    first,
    json_reply,
    parse_iso,
    read_json,
)
from ._ratelimit import SlidingWindowCounter

__all__ = ["CODES", "ClockifyState"]

#: Clockify's own error ``code`` per situation (the document gives none; these are stable).
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

ROLES = ("WORKSPACE_ADMIN", "OWNER", "TEAM_MANAGER", "PROJECT_MANAGER")  # doc L20
ADMIN_ROLES = frozenset({"WORKSPACE_ADMIN", "OWNER"})
MEMBER_STATUSES = ("PENDING", "ACTIVE", "DECLINED", "INACTIVE")  # README users list `status`
SEAT_STATUSES = frozenset({"PENDING", "ACTIVE"})  # members that hold a paid seat
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PAGE_SIZE = 5000  # README: 5000 is the largest page-size the vendor accepts
DEFAULT_PAGE_SIZE = 50  # README: page-size default 50

#: The documented workspace settings (doc L76-L127), copied into every new workspace.
SETTINGS_TEMPLATE: dict[str, Any] = {
    "activeBillableHours": True,
    # doc L78, L334: a JSON array encoded inside a string
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
    "round": {"minutes": "15", "round": "Round to nearest"},  # doc L119, L393: minutes as a string
    "taskLabel": "string",
    "timeRoundingInReports": True,
    "timeTrackingMode": "DEFAULT",
    "trackTimeDownToSecond": True,
    "workingDays": ["MONDAY"],
}
DEFAULT_FEATURES = ("ADD_TIME_FOR_OTHERS", "ADMIN_PANEL", "ALERTS", "APPROVAL")  # doc L43-L48


def _rate_json(entry: RateEntry | None) -> dict[str, Any] | None:
    return None if entry is None else {"amount": entry.amount, "currency": entry.currency}


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
    whose ``since`` has passed (doc L186: "rate applies from that date forward")."""

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


class ClockifyState:
    """Clockify's server side: accounts, credentials, workspaces, and the request handler.

    Args:
        clock: monotonic time for the rate window.
        wall_clock: calendar time (which rate is in effect now).
        rng: the source of generated ids.
        rate_limit: accepted requests per second per workspace (``None``: no limit).
        retry_after: send ``Retry-After`` on a 429 (undocumented either way; README).
        free_plan_hourly_limit: requests per hour for a whole FREE workspace (``None``: no
            limit).
        new_workspace_plan: the plan of a workspace made by ``POST /workspaces``.
        new_workspace_seats: its paid seats.
    """

    vendor = "clockify"

    def __init__(
        self,
        *,
        clock: Clock,
        wall_clock: WallClock,
        rng: random.Random,
        rate_limit: int | None = 50,
        retry_after: bool = False,
        free_plan_hourly_limit: int | None = 30,
        new_workspace_plan: str = "FREE",
        new_workspace_seats: int = 5,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.rng = rng
        # doc L567 "Addon token: 50 requests/second per workspace"; README: the same 50/s per
        # workspace for X-Api-Key by default. Requests without a workspace count per credential.
        self.limiter = SlidingWindowCounter(rate_limit, 1.0, clock) if rate_limit else None
        # README: "workspaces on the Free plan are limited to 30 requests per hour for the
        # whole workspace"
        self.free_limiter = (
            SlidingWindowCounter(free_plan_hourly_limit, 3600.0, clock)
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
        key = key or f"ck_{self.rng.getrandbits(128):032x}"
        self.api_keys[key] = user_id
        return key

    def add_addon_token(self, user_id: str, token: str | None = None) -> str:
        """Give ``user_id`` an ``X-Addon-Token``; returns it."""
        token = token or f"addon_{self.rng.getrandbits(128):032x}"
        self.addon_tokens[token] = user_id
        return token

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
        # doc L150 "User becomes workspace owner automatically"
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

    def membership_json(
        self, ws: ClockifyWorkspace, member: Member, now: datetime | None = None
    ) -> dict[str, Any]:
        """A WORKSPACE membership: targetId is the workspace, the rates are the user's own in
        effect at ``now`` (null when none is: the workspace default applies, doc L284-L287)."""
        now = now or self.wall_clock()
        return {
            "costRate": _rate_json(member.cost.at(now)),
            "hourlyRate": _rate_json(member.hourly.at(now)),
            "membershipStatus": member.status,
            "membershipType": "WORKSPACE",
            "targetId": ws.id,
            "userId": member.user_id,
        }

    def workspace_json(self, ws: ClockifyWorkspace) -> dict[str, Any]:
        """The documented workspace object (doc L27-L129), rates as in effect now."""
        now = self.wall_clock()
        return {
            "cakeOrganizationId": ws.organization_id,
            "costRate": _rate_json(ws.cost.at(now)),
            "currencies": [
                {"code": code, "id": cid, "isDefault": default}
                for code, cid, default in ws.currencies
            ],
            "featureSubscriptionType": ws.plan,
            "features": list(ws.features),
            "hourlyRate": _rate_json(ws.hourly.at(now)),
            "id": ws.id,
            "imageUrl": ws.image_url,
            "memberships": [self.membership_json(ws, m, now) for m in ws.members.values()],
            "name": ws.name,
            "subdomain": {"enabled": False, "name": re.sub(r"[^a-z0-9]", "", ws.name.lower())},
            "workspaceSettings": copy.deepcopy(ws.settings),
        }

    def user_json(self, ws: ClockifyWorkspace, member: Member) -> dict[str, Any]:
        """One item of ``GET /workspaces/{id}/users``: the account (``status`` ACTIVE, or
        NOT_REGISTERED for an invitee without an account) and its WORKSPACE membership."""
        user = self.users[member.user_id]
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "status": "ACTIVE" if user.registered else "NOT_REGISTERED",
            "profilePicture": "",
            "activeWorkspace": ws.id,
            "defaultWorkspace": ws.id,
            "memberships": [self.membership_json(ws, member)],
        }

    # ----------------------------------------------------------------- the handler
    def error(self, status: int, message: str, code: int | None = None) -> Reply:
        """An error in Clockify's shape (README: ``{"message", "code"}``)."""
        return json_reply(status, {"message": message, "code": status if code is None else code})

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: authenticate, count it, route it."""
        credential, user_id = self._authenticate(req)
        if user_id is None:
            # doc L4-L6: X-Api-Key or X-Addon-Token; anything else is a 401 in Clockify's shape
            return self.error(
                401,
                "Full authentication is required to access this resource",
                CODES["unauthorized"],
            )
        segments = req.segments
        workspace = segments[1] if len(segments) >= 2 and segments[0] == "workspaces" else None
        key: Hashable = ("workspace", workspace) if workspace else ("credential", credential)
        if self.limiter is not None and not self.limiter.hit(key):
            return self._too_many(self.limiter, key)
        ws = self.workspaces.get(workspace or "")
        free = self.free_limiter if ws is not None and ws.plan == "FREE" else None
        if free is not None and not free.hit(key):
            return self._too_many(free, key)
        try:
            return self._route(req, user_id)
        except ClockifyError as exc:
            return self.error(exc.status, exc.message, exc.code)

    def _too_many(self, limiter: SlidingWindowCounter, key: Hashable) -> Reply:
        headers = {}
        if self.retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(limiter.retry_after(key))))
        # doc L568 "Exceeding limit returns "Too many requests" error"
        return json_reply(
            429, {"message": "Too many requests", "code": CODES["too_many_requests"]}, headers
        )

    def _authenticate(self, req: EmuRequest) -> tuple[str, str | None]:
        key = req.headers.get("x-api-key")
        if key is not None:
            return key, self.api_keys.get(key)
        token = req.headers.get("x-addon-token")
        if token is not None:
            return token, self.addon_tokens.get(token)
        return "", None

    def _route(self, req: EmuRequest, user_id: str) -> Reply:
        s, method = req.segments, req.method
        if not s or s[0] != "workspaces":
            raise ClockifyError(404, "No such endpoint", "not_found")
        if len(s) == 1:
            if method == "GET":
                return self._list_workspaces(req, user_id)
            if method == "POST":
                return self._create_workspace(req, user_id)
            raise ClockifyError(405, "Method not allowed", "method_not_allowed")
        ws = self._workspace(s[1], user_id)
        if len(s) == 2 and method == "GET":
            return json_reply(200, self.workspace_json(ws))
        if len(s) == 3 and s[2] in ("cost-rate", "hourly-rate") and method == "PUT":
            self._require_admin(ws, user_id)
            self._set_rate(ws, None, s[2], req)
            return json_reply(200, self.workspace_json(ws))
        if len(s) == 3 and s[2] == "users":
            if method == "GET":
                return self._list_users(ws, req)
            if method == "POST":
                self._require_admin(ws, user_id)
                return self._add_user(ws, req)
        if len(s) == 4 and s[2] == "users" and method == "PUT":
            self._require_admin(ws, user_id)
            return self._set_status(ws, s[3], req, user_id)
        if len(s) == 5 and s[2] == "users" and s[4] in ("cost-rate", "hourly-rate"):
            if method == "PUT":
                self._require_admin(ws, user_id)
                self._set_rate(ws, self._member(ws, s[3]), s[4], req)
                return json_reply(200, self.workspace_json(ws))
            raise ClockifyError(405, "Method not allowed", "method_not_allowed")
        if len(s) <= 5 and (len(s) < 3 or s[2] in ("users", "cost-rate", "hourly-rate")):
            raise ClockifyError(405, "Method not allowed", "method_not_allowed")
        raise ClockifyError(404, "No such endpoint", "not_found")

    def _workspace(self, workspace_id: str, user_id: str) -> ClockifyWorkspace:
        ws = self.workspaces.get(workspace_id)
        if ws is None:
            raise ClockifyError(404, "Workspace not found", "not_found")
        if user_id not in ws.members or ws.members[user_id].status != "ACTIVE":
            raise ClockifyError(403, "Access denied to this workspace", "access_denied")
        return ws

    @staticmethod
    def _require_admin(ws: ClockifyWorkspace, user_id: str) -> None:
        if not ws.members[user_id].roles & ADMIN_ROLES:
            raise ClockifyError(403, "Only workspace admins can do this", "access_denied")

    @staticmethod
    def _member(ws: ClockifyWorkspace, user_id: str) -> Member:
        member = ws.members.get(user_id)
        if member is None:
            raise ClockifyError(404, "User is not a member of this workspace", "not_found")
        return member

    @staticmethod
    def _body(req: EmuRequest) -> dict[str, Any]:
        try:
            body = read_json(req.body)
        except ValueError:
            raise ClockifyError(400, "Request body must be a JSON object", "bad_request") from None
        if not isinstance(body, dict):
            raise ClockifyError(400, "Request body must be a JSON object", "bad_request")
        return body

    def _list_workspaces(self, req: EmuRequest, user_id: str) -> Reply:
        roles = req.params("roles")  # doc L20: repeatable roles filter
        for role in roles:
            if role not in ROLES:
                raise ClockifyError(400, f"Unknown role {role!r}", "bad_request")
        found = []
        for ws in self.workspaces.values():
            member = ws.members.get(user_id)
            if member is None or member.status != "ACTIVE":
                continue
            if roles and not member.roles & set(roles):
                continue
            found.append(self.workspace_json(ws))
        return json_reply(200, found)

    def _create_workspace(self, req: EmuRequest, user_id: str) -> Reply:
        body = self._body(req)
        name = body.get("name")
        # doc L144 "name: 1-50 characters, required"
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50 or len(name) > 50:
            raise ClockifyError(400, "name must be 1-50 characters", "bad_request")
        org = body.get("organizationId")
        # doc L145 "organizationId: CAKE organization identifier, required"
        if not isinstance(org, str) or not org:
            raise ClockifyError(400, "organizationId is required", "bad_request")
        wid = self.create_workspace(
            owner_id=user_id,
            name=name,
            organization_id=org,
            plan=self.new_workspace_plan,
            seats=self.new_workspace_seats,
            hourly_rate=0,
            cost_rate=0,
        )
        return json_reply(201, self.workspace_json(self.workspaces[wid]))  # doc L146: 201

    def _set_rate(
        self, ws: ClockifyWorkspace, member: Member | None, which: str, req: EmuRequest
    ) -> None:
        body = self._body(req)
        amount = body.get("amount")
        # doc L180, L202, L280, L301: amount in cents, required, minimum 0
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ClockifyError(400, "amount must be an integer >= 0", "bad_request")
        currency = ws.default_currency
        if member is None and which == "hourly-rate":
            currency = body.get("currency", "USD")  # doc L203: defaults to "USD"
            # doc L203 "1-100 characters"; L208 "Must match one of the workspace's currencies"
            if not isinstance(currency, str) or not 1 <= len(currency) <= 100:
                raise ClockifyError(400, "currency must be 1-100 characters", "bad_request")
            if currency not in {code for code, _id, _d in ws.currencies}:
                raise ClockifyError(
                    400, f"Currency {currency} is not set up in this workspace", "bad_request"
                )
        since_text = body.get("since")
        if since_text is None:
            since = self.wall_clock()
        else:
            # doc L181 "since: Optional datetime ... (ISO-8601 format)"; L524 "with timezone"
            try:
                since = parse_iso(since_text)
            except (ValueError, TypeError):
                raise ClockifyError(
                    400, "since must be an ISO-8601 datetime with a time zone", "bad_request"
                ) from None
        owner: Member | ClockifyWorkspace = ws if member is None else member
        history = owner.hourly if which == "hourly-rate" else owner.cost
        history.set(RateEntry(since.astimezone(timezone.utc), amount, currency))

    def _add_user(self, ws: ClockifyWorkspace, req: EmuRequest) -> Reply:
        send_email = first(req.params("send-email"))
        # doc L222: send-email is a required query parameter
        if send_email is None:
            raise ClockifyError(
                400, "Required request parameter 'send-email' is not present", "bad_request"
            )
        if send_email.lower() not in ("true", "false"):
            raise ClockifyError(400, "send-email must be true or false", "bad_request")
        email = self._body(req).get("email")
        if not isinstance(email, str) or not EMAIL.match(email):
            raise ClockifyError(400, "email must be a valid e-mail address", "bad_request")
        # doc L216-L218, L241-L243: paid subscription (402), then already a member (409: no seat
        # is needed for someone already in), then a free paid seat (403)
        if ws.plan == "FREE":
            raise ClockifyError(
                402, "Workspace doesn't have a paid subscription", "payment_required"
            )
        for member in ws.members.values():
            if self.users[member.user_id].email.lower() == email.lower():
                raise ClockifyError(409, "User already exists in workspace", "already_member")
        if ws.seats_used() >= ws.seats:
            raise ClockifyError(403, "No available user seats", "no_seats")
        uid = self.add_user(email, registered=False)
        ws.members[uid] = Member(uid, "PENDING")  # invited: pending until accepted
        self.invitations.append((ws.id, email, send_email.lower() == "true"))
        return json_reply(200, self.workspace_json(ws))  # doc L238-L239

    def _set_status(
        self, ws: ClockifyWorkspace, target: str, req: EmuRequest, user_id: str
    ) -> Reply:
        member = self._member(ws, target)
        status = self._body(req).get("status")
        # doc L258-L260: ACTIVE or INACTIVE
        if status not in ("ACTIVE", "INACTIVE"):
            raise ClockifyError(400, "status must be ACTIVE or INACTIVE", "bad_request")
        # doc L251: "User identifier (different from authenticated user)"
        if target == user_id:
            raise ClockifyError(400, "You cannot change your own status", "bad_request")
        # doc L266 "Manage seat allocation": reactivating takes a seat again
        if (
            status == "ACTIVE"
            and member.status not in SEAT_STATUSES
            and ws.seats_used() >= ws.seats
        ):
            raise ClockifyError(403, "No available user seats", "no_seats")
        member.status = status
        return json_reply(200, self.workspace_json(ws))

    def _list_users(self, ws: ClockifyWorkspace, req: EmuRequest) -> Reply:
        page = self._int_param(req, "page", 1, 1, None)
        size = self._int_param(req, "page-size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        email = (first(req.params("email")) or "").lower()
        name = (first(req.params("name")) or "").lower()
        status = first(req.params("status")) or "ALL"
        if status not in (*MEMBER_STATUSES, "ALL"):
            raise ClockifyError(400, f"Unknown status {status!r}", "bad_request")
        matching = []
        for member in ws.members.values():
            user = self.users[member.user_id]
            # README: email and name are substring matches; status filters the membership
            if email and email not in user.email.lower():
                continue
            if name and name not in user.name.lower():
                continue
            if status != "ALL" and member.status != status:
                continue
            matching.append(member)
        start = (page - 1) * size
        chunk = matching[start : start + size]
        last = start + size >= len(matching)
        # README: a bare JSON array, no total, and a Last-Page: true|false header
        return json_reply(
            200, [self.user_json(ws, m) for m in chunk], {"Last-Page": "true" if last else "false"}
        )

    @staticmethod
    def _int_param(req: EmuRequest, name: str, default: int, low: int, high: int | None) -> int:
        raw = first(req.params(name))
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ClockifyError(400, f"{name} must be an integer", "bad_request") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise ClockifyError(400, f"{name} must be {bound}", "bad_request")
        return value

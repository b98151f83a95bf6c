"""Seed data generators: a Clockify workspace with members, a McTime organization with clocked-in
users, a Toggl user with related data; each returns a handle with the ids and keys tests need."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from ._core import iso_offset
from ._mctime import TIME_TYPES

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = [
    "ClockifyWorkspaceSeed",
    "McTimeOrganizationSeed",
    "TogglUserSeed",
    "seed_clockify_workspace",
    "seed_mctime_organization",
    "seed_toggl_user",
]

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
               "Margaret", "Dennis", "Radia", "Linus", "Katherine", "Guido", "Hedy",
               "John")  # fmt: skip
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
              "Thompson", "Hamilton", "Ritchie", "Perlman", "Torvalds", "Johnson",
              "Rossum")  # fmt: skip


@attrs.frozen
class ClockifyWorkspaceSeed:
    """A seeded Clockify workspace: its id, the owner's credentials and the members."""

    workspace_id: str
    owner_id: str
    api_key: str
    addon_token: str
    #: The members other than the owner, in the order they were added.
    member_ids: tuple[str, ...]
    member_emails: tuple[str, ...]


@attrs.frozen
class McTimeOrganizationSeed:
    """A seeded McTime organization: ids, the manager's key and every employee's key."""

    organization_id: str
    name: str
    manager_id: str
    manager_key: str
    #: Clocked-in users, earliest clock-in first (the order ``GET /clock`` pages them).
    user_ids: tuple[str, ...]
    #: API key per employee (clocked in or not).
    employee_keys: dict[str, str]
    #: The running entry of each clocked-in user, same order as ``user_ids``.
    entry_ids: tuple[str, ...]
    #: Users on a break right now.
    on_break_ids: tuple[str, ...]
    #: Entries already clocked out (``GET /clock/{id}`` answers 404 for them).
    clocked_out_entry_ids: tuple[str, ...]


@attrs.frozen
class TogglUserSeed:
    """A seeded Toggl user: its id, both credentials and its default workspace."""

    user_id: int
    api_token: str
    email: str
    password: str
    workspace_id: int


def seed_clockify_workspace(
    emulator: Emulator,
    *,
    members: int = 10,
    plan: str = "PREMIUM",
    seats: int | None = None,
    name: str = "Cool Company",
    currencies: tuple[str, ...] = ("USD",),
    inactive: int = 0,
    hourly_rate: int = 10500,
    cost_rate: int = 10500,
    api_key: str | None = None,
) -> ClockifyWorkspaceSeed:
    """A workspace with an owner (holding an API key and an add-on token) and ``members`` more.

    Args:
        members: members besides the owner; the last ``inactive`` of them are INACTIVE.
        plan: ``featureSubscriptionType`` (``FREE`` makes adding users a 402).
        seats: paid seats (default: every active member plus 10 free ones).
        currencies: the workspace currencies, the first one the default.
        api_key: the owner's ``X-Api-Key`` (default: generated).
    """
    if not 0 <= inactive <= members:
        raise ValueError("inactive must be between 0 and members")
    state = emulator.clockify
    with emulator.lock:
        index = len(state.users)
        owner = state.add_user(f"owner{index}@example.com", "Workspace Owner")
        key = state.add_api_key(owner, api_key)
        token = state.add_addon_token(owner)
        wid = state.create_workspace(
            owner_id=owner,
            name=name,
            plan=plan,
            seats=seats if seats is not None else members - inactive + 1 + 10,
            currencies=currencies,
            hourly_rate=hourly_rate,
            cost_rate=cost_rate,
        )
        ids: list[str] = []
        emails: list[str] = []
        for i in range(members):
            first = FIRST_NAMES[(index + i) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index + i) % len(LAST_NAMES)]
            email = f"{first.lower()}.{last.lower()}.{index + i}@example.com"
            uid = state.add_user(email, f"{first} {last}")
            state.add_member(wid, uid, status="INACTIVE" if i >= members - inactive else "ACTIVE")
            ids.append(uid)
            emails.append(email)
    return ClockifyWorkspaceSeed(wid, owner, key, token, tuple(ids), tuple(emails))


def seed_mctime_organization(
    emulator: Emulator,
    *,
    users: int = 10,
    on_break: int = 0,
    finished_breaks: int = 0,
    idle: int = 0,
    clocked_out: int = 0,
    name: str = "Main Office",
    utc_offset: timedelta = timedelta(hours=1),
    time_types: tuple[str, ...] = ("work",),
    manager_role: str = "manager",
) -> McTimeOrganizationSeed:
    """An organization with a manager and ``users`` clocked-in employees.

    Args:
        users: employees clocked in now, one minute apart (earliest first).
        on_break: how many of them are on a break now (the first ones).
        finished_breaks: how many of them (the next ones) had a break that ended.
        idle: further employees, not clocked in.
        clocked_out: further employees whose entry today is already clocked out.
        utc_offset: the offset clock times are written in.
        time_types: time types given to the entries in turn.
        manager_role: the role of the organization's manager (any role above employee).
    """
    if on_break + finished_breaks > users:
        raise ValueError("on_break + finished_breaks must not exceed users")
    if any(t not in TIME_TYPES for t in time_types) or not time_types:
        raise ValueError("time_types must be documented time types")
    state = emulator.mctime
    with emulator.lock:
        now = emulator.now()
        oid = state.add_organization(name, utc_offset=utc_offset)
        manager = state.add_user(
            "Morgan", "Manager", role=manager_role, organizations={oid}, manages={oid}
        )
        manager_key = state.add_api_key(manager)
        keys: dict[str, str] = {}
        user_ids: list[str] = []
        entry_ids: list[str] = []
        on_break_ids: list[str] = []
        out_ids: list[str] = []
        offset = len(state.users)
        for i in range(users + idle + clocked_out):
            uid = state.add_user(
                FIRST_NAMES[(offset + i) % len(FIRST_NAMES)],
                LAST_NAMES[(offset + i) % len(LAST_NAMES)],
                organizations={oid},
            )
            keys[uid] = state.add_api_key(uid)
            start = now - timedelta(hours=4) + timedelta(minutes=i)
            if i < users:
                eid = state.clock_in(uid, oid, time_type=time_types[i % len(time_types)], at=start)
                user_ids.append(uid)
                entry_ids.append(eid)
                if i < on_break:
                    state.start_break(eid, at=now - timedelta(minutes=10))
                    on_break_ids.append(uid)
                elif i < on_break + finished_breaks:
                    state.start_break(eid, at=now - timedelta(hours=2))
                    state.end_break(eid, at=now - timedelta(hours=1, minutes=30))
            elif i >= users + idle:
                eid = state.clock_in(uid, oid, at=start - timedelta(hours=4))
                state.clock_out(eid, at=start - timedelta(hours=1))
                out_ids.append(eid)
    return McTimeOrganizationSeed(
        oid, name, manager, manager_key, tuple(user_ids), keys, tuple(entry_ids),
        tuple(on_break_ids), tuple(out_ids),
    )  # fmt: skip


def seed_toggl_user(
    emulator: Emulator,
    *,
    email: str | None = None,
    password: str = "StrongPassword",  # noqa: S107 - a fake account in an emulator
    fullname: str = "John Swift",
    timezone: str = "Europe/Tallinn",
    api_token: str | None = None,
    related: int = 2,
) -> TogglUserSeed:
    """A Toggl user with a default workspace and ``related`` of each related object.

    Related objects (time entries, projects, tags, clients; doc L89-L142) are changed one
    hour apart going back from now, so ``since`` filters can be tested.
    """
    state = emulator.toggl
    with emulator.lock:
        email = email or f"john.swift{len(state.users)}@example.com"
        user = state.add_user(
            email, password, fullname=fullname, timezone_name=timezone, api_token=api_token
        )
        now = emulator.now()
        wid = user.default_wid
        for i in range(related):
            at = iso_offset(now - timedelta(hours=i + 1))
            user.related["time_entries"].append(
                {
                    "id": state.new_int_id(),
                    "wid": wid,
                    "billable": False,
                    "start": iso_offset(now - timedelta(hours=i + 5)),
                    "stop": iso_offset(now - timedelta(hours=i + 1)),
                    "duration": 14400,
                    "description": f"Work item {i + 1}",
                    "tags": [""],
                    "at": at,
                }
            )
            user.related["projects"].append(
                {
                    "id": state.new_int_id(),
                    "wid": wid,
                    "name": f"Project {i + 1}",
                    "billable": False,
                    "active": True,
                    "at": at,
                    "color": "5",
                }
            )
            user.related["tags"].append(
                {"id": state.new_int_id(), "wid": wid, "name": f"tag{i + 1}", "at": at}
            )
            user.related["clients"].append(
                {"id": state.new_int_id(), "wid": wid, "name": f"Client {i + 1}", "at": at}
            )
    return TogglUserSeed(user.id, user.api_token, user.email, password, wid)

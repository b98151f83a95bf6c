"""Seed data for McTime: an organization with a manager and clocked-in employees."""

from __future__ import annotations

from datetime import timedelta

import attrs

from .._vendor import person
from ._state import TIME_TYPES, McTimeStore

__all__ = ["McTimeOrganizationSeed", "seed_organization"]


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


def seed_organization(
    state: McTimeStore,
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
    with state.lock:
        now = state.wall_clock()
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
            uid = state.add_user(*person(offset + i), organizations={oid})
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

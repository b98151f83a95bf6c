"""Seed generators: the shapes they promise, reproducibility from the seed, and their limits."""

from __future__ import annotations

import pytest

from timeclients.testing import (
    Emulator,
    seed_clockify_workspace,
    seed_mctime_organization,
    seed_toggl_user,
)


def test_same_seed_same_ids():
    """Two emulators with one seed generate the same ids, keys and tokens."""

    def run(seed: int) -> tuple[object, ...]:
        emu = Emulator(seed=seed)
        return (
            seed_clockify_workspace(emu, members=3),
            seed_mctime_organization(emu, users=2),
            seed_toggl_user(emu),
        )

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_clockify_workspace_seed():
    """members, inactive, plan and seats are as asked; the owner holds both credentials."""
    emu = Emulator()
    ws = emu.seed_clockify_workspace(members=5, inactive=2, plan="BASIC", seats=9)
    workspace = emu.clockify.workspaces[ws.workspace_id]
    assert (workspace.plan, workspace.seats) == ("BASIC", 9)
    statuses = [workspace.members[uid].status for uid in ws.member_ids]
    assert statuses == ["ACTIVE"] * 3 + ["INACTIVE"] * 2
    assert emu.clockify.api_keys[ws.api_key] == ws.owner_id
    assert emu.clockify.addon_tokens[ws.addon_token] == ws.owner_id
    assert len(set(ws.member_emails)) == 5
    with pytest.raises(ValueError, match="inactive"):
        emu.seed_clockify_workspace(members=1, inactive=2)


def test_default_seats_leave_room():
    """Without `seats`, every active member has one and ten are free."""
    emu = Emulator()
    ws = emu.seed_clockify_workspace(members=4)
    workspace = emu.clockify.workspaces[ws.workspace_id]
    assert workspace.seats - workspace.seats_used() == 10


def test_mctime_organization_seed():
    """Clocked-in, on-break, finished-break, idle and clocked-out users are as asked."""
    emu = Emulator()
    org = emu.seed_mctime_organization(
        users=6, on_break=2, finished_breaks=3, idle=2, clocked_out=1
    )
    entries = [emu.mctime.entries[e] for e in org.entry_ids]
    assert [e.user_id for e in entries] == list(org.user_ids)
    assert all(e.end is None for e in entries)
    open_breaks = [any(b.end is None for b in e.breaks) for e in entries]
    assert open_breaks == [True, True, False, False, False, False]
    finished = [bool(e.breaks) and all(b.end for b in e.breaks) for e in entries]
    assert finished == [False, False, True, True, True, False]
    assert org.on_break_ids == org.user_ids[:2]
    assert len(org.employee_keys) == 9
    (out,) = org.clocked_out_entry_ids
    assert emu.mctime.entries[out].end is not None
    assert emu.mctime.users[org.manager_id].manages == {org.organization_id}


@pytest.mark.parametrize(
    "kwargs", [{"users": 2, "on_break": 2, "finished_breaks": 1}, {"time_types": ("nap",)}]
)
def test_mctime_seed_limits(kwargs):
    """Breaks cannot exceed the clocked-in users; time types must be documented ones."""
    with pytest.raises(ValueError, match="must"):
        Emulator().seed_mctime_organization(**kwargs)


def test_toggl_user_seed():
    """A Toggl user has a token, a default workspace and `related` of each related object."""
    emu = Emulator()
    user = emu.seed_toggl_user(related=3, email="a@example.com")
    stored = emu.toggl.users[user.user_id]
    assert stored.api_token == user.api_token
    assert len(user.api_token) == 32
    assert [len(stored.related[k]) for k in ("time_entries", "projects", "tags", "clients")] == [
        3
    ] * 4
    assert stored.related["workspaces"][0]["id"] == user.workspace_id
    with pytest.raises(ValueError, match="taken"):
        emu.seed_toggl_user(email="A@example.com")

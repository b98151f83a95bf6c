"""Seed data for Clockify: a workspace with an owner (API key and add-on token) and members."""

from __future__ import annotations

import attrs

from .._vendor import person
from ._state import ClockifyStore

__all__ = ["ClockifyWorkspaceSeed", "seed_workspace"]


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


def seed_workspace(
    state: ClockifyStore,
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
    with state.lock:
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
            first, last = person(index + i)
            email = f"{first.lower()}.{last.lower()}.{index + i}@example.com"
            uid = state.add_user(email, f"{first} {last}")
            state.add_member(wid, uid, status="INACTIVE" if i >= members - inactive else "ACTIVE")
            ids.append(uid)
            emails.append(email)
    return ClockifyWorkspaceSeed(wid, owner, key, token, tuple(ids), tuple(emails))

"""The public surface of ``timeclients.clockify``: what API.md names, exported and sorted."""

from __future__ import annotations

import inspect

import timeclients.clockify as clockify
from timeclients import RateLimit, RetryPolicy
from timeclients.clockify import ClockifyClient, UsersResource, WorkspacesResource

#: The names API.md promises in ``timeclients.clockify``.
PROMISED = {
    "AutomaticLock",
    "BulkResult",
    "ClockifyClient",
    "Currency",
    "EntityCreationPermissions",
    "FeatureSubscriptionType",
    "Membership",
    "MembershipStatus",
    "Rate",
    "Role",
    "RoundSettings",
    "Subdomain",
    "Workspace",
    "WorkspaceSettings",
    "WorkspaceUser",
}


def test_all_is_sorted_complete_and_importable() -> None:
    """``__all__`` is sorted, holds every promised name, and each one resolves."""
    assert clockify.__all__ == sorted(clockify.__all__)
    assert set(clockify.__all__) >= PROMISED
    for name in clockify.__all__:
        assert getattr(clockify, name) is not None


def test_signatures_match_the_contract() -> None:
    """Argument names, defaults and keyword-only markers are API.md's, call by call."""

    def shape(func: object) -> list[tuple[str, str, object]]:
        params = inspect.signature(func).parameters.values()  # type: ignore[arg-type]
        return [(p.name, p.kind.name, p.default) for p in params if p.name != "self"]

    empty = inspect.Parameter.empty
    kw, pos = "KEYWORD_ONLY", "POSITIONAL_OR_KEYWORD"
    assert shape(ClockifyClient.__init__)[:8] == [
        ("api_key", kw, None),
        ("addon_token", kw, None),
        ("base_url", kw, "https://api.clockify.me/api/v1"),
        ("pool", kw, None),
        ("rate_limit", kw, RateLimit(50, 1.0)),
        ("retry", kw, RetryPolicy()),
        ("timeout", kw, None),
        ("allow_insecure_http", kw, False),
    ]
    assert shape(WorkspacesResource.list) == [("roles", kw, ())]
    assert shape(WorkspacesResource.get) == [("workspace_id", pos, empty)]
    assert shape(WorkspacesResource.create) == [("name", kw, empty), ("organization_id", kw, empty)]
    assert shape(WorkspacesResource.set_cost_rate) == [
        ("workspace_id", pos, empty),
        ("amount", kw, empty),
        ("since", kw, None),
    ]
    assert shape(WorkspacesResource.set_hourly_rate) == [
        ("workspace_id", pos, empty),
        ("amount", kw, empty),
        ("currency", kw, "USD"),
        ("since", kw, None),
    ]
    assert shape(UsersResource.add) == [
        ("workspace_id", pos, empty),
        ("email", kw, empty),
        ("send_email", kw, True),
    ]
    assert shape(UsersResource.set_status) == [
        ("workspace_id", pos, empty),
        ("user_id", pos, empty),
        ("status", kw, empty),
    ]
    for setter in (UsersResource.set_cost_rate, UsersResource.set_hourly_rate):
        assert shape(setter) == [
            ("workspace_id", pos, empty),
            ("user_id", pos, empty),
            ("amount", kw, empty),
            ("since", kw, None),
        ]
    assert shape(UsersResource.list) == [
        ("workspace_id", pos, empty),
        ("status", kw, None),
        ("email", kw, None),
        ("name", kw, None),
        ("page_size", kw, 50),
    ]
    assert not inspect.iscoroutinefunction(UsersResource.list)
    for bulk in (UsersResource.bulk_set_cost_rate, UsersResource.bulk_set_hourly_rate):
        assert shape(bulk)[:4] == [
            ("workspace_id", pos, empty),
            ("rates", pos, empty),
            ("since", kw, None),
            ("on_progress", kw, None),
        ]

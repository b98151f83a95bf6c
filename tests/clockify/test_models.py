"""Clockify models against the document's sample, under the suite's strict decoding."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._decode import set_strict_decoding
from timeclients.clockify import (
    AutomaticLockType,
    BulkResult,
    CreationPermission,
    CurrencyFormat,
    DurationFormat,
    FeatureSubscriptionType,
    MembershipStatus,
    MembershipType,
    NumberFormat,
    OlderThanPeriod,
    Rate,
    RoundingMode,
    TimeTrackingMode,
    UserStatus,
    Weekday,
    Workspace,
    WorkspaceUser,
)
from timeclients.clockify._protocol import decoder, parse_admin_only_pages
from timeclients.errors import DecodeError, ServerError

from . import samples


def structure(data: Any) -> Workspace:
    return decoder.structure(data, Workspace, method="GET", path="/workspaces/x")


def test_document_sample_decodes_every_field() -> None:
    """The GET /workspaces sample ("Workspace > Get all my workspaces") decodes verbatim,
    field by field."""
    (ws,) = decoder.structure_list(samples.workspaces(), Workspace)
    assert ws.id == samples.WORKSPACE_ID
    assert ws.name == "Cool Company"
    assert ws.cake_organization_id == "67d471fb56aa9668b7bfa295"
    assert ws.cost_rate == Rate(10500, "USD")
    assert ws.hourly_rate == Rate(10500, "USD")
    assert [(c.code, c.id, c.is_default) for c in ws.currencies] == [
        ("USD", "5b641568b07987035750505e", True)
    ]
    assert ws.feature_subscription_type is FeatureSubscriptionType.PREMIUM
    assert ws.features == ["ADD_TIME_FOR_OTHERS", "ADMIN_PANEL", "ALERTS", "APPROVAL"]
    assert ws.image_url == "https://www.url.com/imageurl-1234567890.jpg"
    (m,) = ws.memberships
    assert m.membership_status is MembershipStatus.PENDING
    assert m.membership_type is MembershipType.PROJECT
    assert (m.target_id, m.user_id) == ("64c777ddd3fcab07cfbb210c", "5a0ab5acb07987125438b60f")
    assert m.cost_rate == m.hourly_rate == Rate(10500, "USD")
    assert ws.subdomain is not None
    assert (ws.subdomain.enabled, ws.subdomain.name) == (True, "coolcompany")
    s = ws.workspace_settings
    assert s is not None
    assert s.admin_only_pages == ["PROJECT", "TEAM", "REPORTS"]
    assert s.automatic_lock is not None
    lock = s.automatic_lock
    assert (lock.change_day, lock.first_day) == (Weekday.FRIDAY, Weekday.MONDAY)
    assert (lock.day_of_month, lock.older_than_value) == (15, 5)
    assert lock.older_than_period is OlderThanPeriod.DAYS
    assert lock.type is AutomaticLockType.WEEKLY
    assert s.currency_format is CurrencyFormat.CURRENCY_SPACE_VALUE
    assert s.duration_format is DurationFormat.FULL
    assert s.number_format is NumberFormat.COMMA_PERIOD
    assert s.time_tracking_mode is TimeTrackingMode.DEFAULT
    assert s.entity_creation_permissions is not None
    assert s.entity_creation_permissions.who_can_create_tags is CreationPermission.EVERYONE
    assert s.lock_time_entries == datetime(2024, 2, 25, 23, 0, tzinfo=timezone.utc)
    assert s.lock_time_zone == "Europe/Belgrade"
    assert s.round is not None
    assert s.round.minutes == 15
    assert s.round.round is RoundingMode.NEAREST
    assert s.working_days == [Weekday.MONDAY]
    assert (s.project_grouping_label, s.project_label, s.task_label) == (
        "Project Label",
        "string",
        "string",
    )
    booleans = [
        s.active_billable_hours,
        s.can_see_time_sheet,
        s.can_see_tracker,
        s.default_billable_projects,
        s.force_description,
        s.force_projects,
        s.force_tags,
        s.force_tasks,
        s.is_project_public_by_default,
        s.multi_factor_enabled,
        s.only_admins_can_change_billable_status,
        s.only_admins_create_project,
        s.only_admins_create_tag,
        s.only_admins_create_task,
        s.only_admins_see_all_time_entries,
        s.only_admins_see_billable_rates,
        s.only_admins_see_dashboard,
        s.only_admins_see_public_projects_entries,
        s.project_favorites,
        s.project_picker_special_filter,
        s.time_rounding_in_reports,
        s.track_time_down_to_second,
    ]
    assert all(b is True for b in booleans)


def test_admin_only_pages_reads_a_real_array_too() -> None:
    """The live service also sends adminOnlyPages as a real array: same list."""
    data = samples.workspace()
    data["workspaceSettings"]["adminOnlyPages"] = ["PROJECT", "TEAM"]
    settings = structure(data).workspace_settings
    assert settings is not None
    assert settings.admin_only_pages == ["PROJECT", "TEAM"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('["PROJECT","TEAM","REPORTS"]', ["PROJECT", "TEAM", "REPORTS"]),
        ("[]", []),
        ("", []),
        (None, []),
        ([], []),
        (["REPORTS"], ["REPORTS"]),
    ],
)
def test_admin_only_pages_forms(raw: object, expected: list[str]) -> None:
    """Every accepted form of adminOnlyPages reads as the same list of page names."""
    assert parse_admin_only_pages(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ['["PROJECT"', "PROJECT", '{"a": 1}', "[1, 2]", [1], 5, {"PROJECT": True}],
)
def test_malformed_admin_only_pages_is_a_decode_error_naming_the_field(raw: object) -> None:
    """adminOnlyPages holding bad JSON or not an array of strings names that field."""
    data = samples.workspace()
    data["workspaceSettings"]["adminOnlyPages"] = raw
    with pytest.raises(DecodeError) as info:
        structure(data)
    assert info.value.field == "$.workspaceSettings.adminOnlyPages"
    assert "GET /workspaces/x" in str(info.value)


@given(st.lists(st.text(max_size=12), max_size=8))
def test_admin_only_pages_round_trips_both_forms(pages: list[str]) -> None:
    """Any list of page names reads back the same from a JSON string and from an array."""
    assert parse_admin_only_pages(json.dumps(pages)) == pages
    assert parse_admin_only_pages(pages) == pages


@given(st.integers(min_value=0, max_value=10_000))
def test_round_minutes_from_string(minutes: int) -> None:
    """round.minutes arrives as a string of digits (the sample of "Workspace > Get all my
    workspaces") and reads as that int."""
    data = samples.workspace()
    data["workspaceSettings"]["round"]["minutes"] = str(minutes)
    settings = structure(data).workspace_settings
    assert settings is not None
    assert settings.round is not None
    assert settings.round.minutes == minutes


def test_round_minutes_not_a_number_names_the_field() -> None:
    """A round.minutes that is not a number is a DecodeError naming it."""
    data = samples.workspace()
    data["workspaceSettings"]["round"]["minutes"] = "quarter"
    with pytest.raises(DecodeError) as info:
        structure(data)
    assert info.value.field == "$.workspaceSettings.round.minutes"


def test_naive_lock_time_is_a_decode_error() -> None:
    """lockTimeEntries without a zone would be a guess: it names the field."""
    data = samples.workspace()
    data["workspaceSettings"]["lockTimeEntries"] = "2024-02-25T23:00:00"
    with pytest.raises(DecodeError) as info:
        structure(data)
    assert info.value.field == "$.workspaceSettings.lockTimeEntries"


def test_unknown_enum_values_decode() -> None:
    """Plans, features and other values the document does not list (live answers have them)
    still read."""
    data = samples.workspace(featureSubscriptionType="STANDARD_2021", features=["NEW_FLAG"])
    data["memberships"][0]["membershipType"] = "TEAM_GROUP"
    data["workspaceSettings"]["timeTrackingMode"] = "KIOSK_ONLY"
    data["workspaceSettings"]["workingDays"] = ["MONDAY", "FUNDAY"]
    ws = structure(data)
    plan = ws.feature_subscription_type
    assert plan == "STANDARD_2021"
    assert plan is not None
    assert not plan.known
    assert isinstance(plan, FeatureSubscriptionType)
    assert ws.features == ["NEW_FLAG"]
    assert ws.memberships[0].membership_type == "TEAM_GROUP"
    assert ws.workspace_settings is not None
    assert not ws.workspace_settings.time_tracking_mode.known
    assert [d.known for d in ws.workspace_settings.working_days] == [True, False]


def test_business_year_plan_decodes_in_production_mode_too() -> None:
    """The fast production converter reads an undocumented plan and ignores unknown fields."""
    set_strict_decoding(False)
    try:
        ws = structure(samples.workspace(featureSubscriptionType="BUSINESS_YEAR", newField=1))
    finally:
        set_strict_decoding(True)
    assert ws.feature_subscription_type == "BUSINESS_YEAR"


def test_strict_mode_rejects_an_undeclared_workspace_field(strict_mode: None) -> None:
    """Under the test suite, a field the document does not show fails loudly."""
    with pytest.raises(DecodeError):
        structure(samples.workspace(surpriseField=True))


def test_nullable_rates_and_optional_objects() -> None:
    """Rates, lock, round, subdomain and labels sent as null read as None."""
    data = samples.workspace(costRate=None, hourlyRate=None, subdomain=None)
    data["memberships"][0]["hourlyRate"] = None
    del data["memberships"][0]["costRate"]
    for key in ("automaticLock", "lockTimeEntries", "round", "taskLabel"):
        data["workspaceSettings"][key] = None
    ws = structure(data)
    assert ws.cost_rate is None
    assert ws.hourly_rate is None
    assert ws.subdomain is None
    assert ws.memberships[0].hourly_rate is None
    assert ws.memberships[0].cost_rate is None
    assert ws.workspace_settings is not None
    assert ws.workspace_settings.automatic_lock is None
    assert ws.workspace_settings.round is None


def test_missing_required_field_names_it() -> None:
    """A membership without userId is a DecodeError naming that path."""
    data = samples.workspace()
    del data["memberships"][0]["userId"]
    with pytest.raises(DecodeError) as info:
        structure(data)
    assert info.value.field == "$.memberships[0].userId"


def test_rate_for_prefers_the_users_workspace_membership() -> None:
    """A user's WORKSPACE membership of this workspace sets their rate; a project one does not."""
    ws = structure(
        samples.workspace(
            memberships=[
                samples.membership("alice", hourly=15000, cost=9000),
                samples.membership("bob", kind="PROJECT", target_id="p1", hourly=1, cost=2),
                samples.membership("carol", target_id="another-workspace", hourly=3, cost=4),
                samples.membership("dave"),
            ]
        )
    )
    assert ws.hourly_rate_for("alice") == Rate(15000, "USD")
    assert ws.cost_rate_for("alice") == Rate(9000, "USD")
    for fallback in ("bob", "carol", "dave", "nobody"):
        assert ws.hourly_rate_for(fallback) == Rate(10500, "USD")
        assert ws.cost_rate_for(fallback) == Rate(10500, "USD")


def test_rate_for_is_none_without_any_rate() -> None:
    """No membership rate and no workspace default: None ("Workspace > Update user's cost rate")."""
    ws = structure(samples.workspace(costRate=None, hourlyRate=None, memberships=[]))
    assert ws.hourly_rate_for("alice") is None
    assert ws.cost_rate_for("alice") is None


def test_rate_for_handles_absent_amounts_and_currencies() -> None:
    """A rate without an amount is no rate; one without a currency gets the workspace's."""
    ws = structure(
        samples.workspace(
            hourlyRate={"amount": 5000, "currency": "EUR"},
            costRate=None,
            memberships=[
                {"userId": "amount-only", "targetId": samples.WORKSPACE_ID,
                 "membershipType": "WORKSPACE", "hourlyRate": {"amount": 7000},
                 "costRate": {"amount": 3000}},
                {"userId": "no-amount", "targetId": samples.WORKSPACE_ID,
                 "membershipType": "WORKSPACE", "hourlyRate": {"currency": "USD"}},
                {"userId": "untyped", "targetId": samples.WORKSPACE_ID,
                 "hourlyRate": {"amount": 1, "currency": "USD"}},
                {"userId": "untargeted", "membershipType": "WORKSPACE",
                 "hourlyRate": {"amount": 2, "currency": "USD"}},
            ],
        )
    )  # fmt: skip
    assert ws.hourly_rate_for("amount-only") == Rate(7000, "EUR")  # the default rate's currency
    # no default cost rate: the workspace's default currency (the sample's currencies: USD)
    assert ws.cost_rate_for("amount-only") == Rate(3000, "USD")
    assert ws.hourly_rate_for("no-amount") == Rate(5000, "EUR")
    assert ws.cost_rate_for("no-amount") is None
    assert ws.hourly_rate_for("untyped") == Rate(1, "USD")
    assert ws.hourly_rate_for("untargeted") == Rate(2, "USD")


def test_rate_for_keeps_a_currencyless_rate_when_nothing_says_which() -> None:
    """No default rate and no default currency: the amount comes back without a currency."""
    ws = structure(
        samples.workspace(
            hourlyRate=None,
            currencies=[],
            memberships=[samples.membership("ann") | {"hourlyRate": {"amount": 900}}],
        )
    )
    assert ws.hourly_rate_for("ann") == Rate(900, None)


def test_workspace_user_ignores_undocumented_fields_even_when_strict() -> None:
    """WorkspaceUser's shape is not in our document: extra fields never fail it."""
    data = samples.user(1, userCustomFields=[{"x": 1}], brandNewField="y")
    user = decoder.structure(data, WorkspaceUser)
    assert user.id == "user00001"
    assert user.email == "user1@example.com"
    assert user.status is UserStatus.ACTIVE
    assert user.memberships[0].user_id == "user00001"
    assert user.settings == {"weekStart": "MONDAY", "timeZone": "Europe/Belgrade"}
    assert user.custom_fields == []


def test_workspace_user_needs_only_an_id() -> None:
    """Every WorkspaceUser field but id is optional; a missing id is a DecodeError."""
    user = decoder.structure({"id": "u1"}, WorkspaceUser)
    assert user.email is None
    assert user.memberships == []
    with pytest.raises(DecodeError) as info:
        decoder.structure({"email": "a@b.co"}, WorkspaceUser)
    assert info.value.field == "$.id"


def test_bulk_result_ok_reflects_failures() -> None:
    """BulkResult.ok is True only when nothing failed."""
    assert BulkResult(succeeded=["a"]).ok
    failed = BulkResult(failed={"b": ServerError("x", status=503)})
    assert not failed.ok
    assert failed.workspace is None

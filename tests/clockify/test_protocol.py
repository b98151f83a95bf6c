"""Clockify wire knowledge, pure: requests from a table, argument rules, page ends, credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._transport import NO_BODY, Request
from timeclients.clockify import MembershipStatus, Role
from timeclients.clockify import _protocol as proto
from timeclients.errors import (
    AlreadyMemberError,
    ConfigurationError,
    NoSeatsAvailableError,
    SubscriptionRequiredError,
    ValidationError,
)

WS = "64a687e29ae1f428e7ebe303"
SINCE = datetime(2020, 1, 1, tzinfo=timezone.utc)
BERLIN = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("request_", "method", "path", "query", "body", "scope"),
    [
        (proto.list_workspaces_request(), "GET", ("workspaces",), (), NO_BODY, ""),
        (
            proto.list_workspaces_request(roles=[Role.WORKSPACE_ADMIN, "OWNER"]),
            "GET",
            ("workspaces",),
            (("roles", "WORKSPACE_ADMIN"), ("roles", "OWNER")),
            NO_BODY,
            "",
        ),
        (proto.get_workspace_request(WS), "GET", ("workspaces", WS), (), NO_BODY, WS),
        (
            proto.create_workspace_request(name="Cool Company", organization_id="org1"),
            "POST",
            ("workspaces",),
            (),
            {"name": "Cool Company", "organizationId": "org1"},
            "",
        ),
        (
            proto.workspace_cost_rate_request(WS, amount=20000, since=SINCE),
            "PUT",
            ("workspaces", WS, "cost-rate"),
            (),
            {"amount": 20000, "since": "2020-01-01T00:00:00Z"},
            WS,
        ),
        (
            proto.workspace_cost_rate_request(WS, amount=0, since=None),
            "PUT",
            ("workspaces", WS, "cost-rate"),
            (),
            {"amount": 0},
            WS,
        ),
        (
            proto.workspace_hourly_rate_request(WS, amount=2000, currency="USD", since=SINCE),
            "PUT",
            ("workspaces", WS, "hourly-rate"),
            (),
            {"amount": 2000, "currency": "USD", "since": "2020-01-01T00:00:00Z"},
            WS,
        ),
        (
            proto.add_user_request(WS, email="johndoe@example.com", send_email=True),
            "POST",
            ("workspaces", WS, "users"),
            (("send-email", "true"),),
            {"email": "johndoe@example.com"},
            WS,
        ),
        (
            proto.add_user_request(WS, email="johndoe@example.com", send_email=False),
            "POST",
            ("workspaces", WS, "users"),
            (("send-email", "false"),),
            {"email": "johndoe@example.com"},
            WS,
        ),
        (
            proto.set_user_status_request(WS, "u1", status="INACTIVE"),
            "PUT",
            ("workspaces", WS, "users", "u1"),
            (),
            {"status": "INACTIVE"},
            WS,
        ),
        (
            proto.user_cost_rate_request(WS, "u1", amount=20000, since=None),
            "PUT",
            ("workspaces", WS, "users", "u1", "cost-rate"),
            (),
            {"amount": 20000},
            WS,
        ),
        (
            proto.user_hourly_rate_request(WS, "u1", amount=20000, since=SINCE),
            "PUT",
            ("workspaces", WS, "users", "u1", "hourly-rate"),
            (),
            {"amount": 20000, "since": "2020-01-01T00:00:00Z"},
            WS,
        ),
        (
            proto.list_users_request(WS, page=3, page_size=50, filters=(("status", "ALL"),)),
            "GET",
            ("workspaces", WS, "users"),
            (("page", "3"), ("page-size", "50"), ("status", "ALL")),
            NO_BODY,
            WS,
        ),
    ],
)
def test_requests_match_the_document(
    request_: Request,
    method: str,
    path: tuple[str, ...],
    query: tuple[tuple[str, str], ...],
    body: Any,
    scope: str,
) -> None:
    """Each call builds the documented method, path, query and body, scoped to its workspace."""
    assert request_.method == method
    assert request_.path == path
    assert request_.query == query
    assert request_.json == body
    assert request_.scope == scope


def test_add_user_maps_its_documented_statuses() -> None:
    """users.add gives 402, 403 and 409 their endpoint-specific classes
    ("Workspace > Add user to workspace")."""
    request = proto.add_user_request(WS, email="a@example.com", send_email=True)
    assert request.errors == {
        402: SubscriptionRequiredError,
        403: NoSeatsAvailableError,
        409: AlreadyMemberError,
    }
    assert proto.get_workspace_request(WS).errors == {}


def test_since_is_sent_in_utc_with_z() -> None:
    """An aware since in another zone is converted to UTC and written with a Z."""
    request = proto.user_cost_rate_request(
        WS, "u1", amount=1, since=datetime(2024, 1, 1, 1, 0, tzinfo=BERLIN)
    )
    assert request.json["since"] == "2024-01-01T00:00:00Z"


@given(st.datetimes(timezones=st.timezones(), min_value=datetime(1971, 1, 2)))
def test_since_round_trips_through_the_wire_form(value: datetime) -> None:
    """Whatever zone an aware since is in, the wire form names the same instant in UTC."""
    if value.utcoffset() is None:
        return
    wire = proto.workspace_cost_rate_request(WS, amount=1, since=value).json["since"]
    assert wire.endswith("Z")
    back = datetime.fromisoformat(wire[:-1]).replace(tzinfo=timezone.utc)
    # Compare instants: a wall time in a DST gap never compares equal across zones (PEP 495).
    assert back.timestamp() == value.timestamp()


BAD_CALLS: list[tuple[str, Callable[[], object]]] = [
    ("name", lambda: proto.create_workspace_request(name="", organization_id="o")),
    ("name", lambda: proto.create_workspace_request(name="x" * 51, organization_id="o")),
    ("name", lambda: proto.create_workspace_request(name=5, organization_id="o")),
    ("organization_id", lambda: proto.create_workspace_request(name="n", organization_id="")),
    ("organization_id", lambda: proto.create_workspace_request(name="n", organization_id=" ")),
    ("organization_id", lambda: proto.create_workspace_request(name="n", organization_id=None)),
    ("workspace_id", lambda: proto.get_workspace_request("")),
    ("workspace_id", lambda: proto.get_workspace_request(None)),
    ("workspace_id", lambda: proto.get_workspace_request(123)),
    ("amount", lambda: proto.workspace_cost_rate_request(WS, amount=-1, since=None)),
    ("amount", lambda: proto.workspace_cost_rate_request(WS, amount=1.5, since=None)),
    ("amount", lambda: proto.workspace_cost_rate_request(WS, amount=100.0, since=None)),
    ("amount", lambda: proto.workspace_cost_rate_request(WS, amount=True, since=None)),
    ("amount", lambda: proto.workspace_cost_rate_request(WS, amount="100", since=None)),
    ("since", lambda: proto.workspace_cost_rate_request(WS, amount=1, since=datetime(2020, 1, 1))),
    ("since", lambda: proto.workspace_cost_rate_request(WS, amount=1, since="2020-01-01")),
    (
        "currency",
        lambda: proto.workspace_hourly_rate_request(WS, amount=1, currency="", since=None),
    ),
    (
        "currency",
        lambda: proto.workspace_hourly_rate_request(WS, amount=1, currency="X" * 101, since=None),
    ),
    ("email", lambda: proto.add_user_request(WS, email="not-an-email", send_email=True)),
    ("email", lambda: proto.add_user_request(WS, email="a b@example.com", send_email=True)),
    ("email", lambda: proto.add_user_request(WS, email="a@example", send_email=True)),
    ("send_email", lambda: proto.add_user_request(WS, email="a@example.com", send_email="true")),
    ("send_email", lambda: proto.add_user_request(WS, email="a@example.com", send_email=1)),
    ("status", lambda: proto.set_user_status_request(WS, "u1", status="PENDING")),
    ("status", lambda: proto.set_user_status_request(WS, "u1", status="DECLINED")),
    ("status", lambda: proto.set_user_status_request(WS, "u1", status="ALL")),
    ("status", lambda: proto.set_user_status_request(WS, "u1", status="active")),
    ("status", lambda: proto.set_user_status_request(WS, "u1", status=None)),
    ("user_id", lambda: proto.set_user_status_request(WS, "", status="ACTIVE")),
    ("user_id", lambda: proto.user_cost_rate_request(WS, "  ", amount=1, since=None)),
    ("roles[0]", lambda: proto.list_workspaces_request(roles=["ADMIN"])),
    ("roles[1]", lambda: proto.list_workspaces_request(roles=["OWNER", Role("NEW_ROLE")])),
    ("roles", lambda: proto.list_workspaces_request(roles="OWNER")),
    (
        "page_size",
        lambda: proto.check_list_filters(status=None, email=None, name=None, page_size=0),
    ),
    (
        "page_size",
        lambda: proto.check_list_filters(status=None, email=None, name=None, page_size=5001),
    ),
    (
        "status",
        lambda: proto.check_list_filters(status="GONE", email=None, name=None, page_size=50),
    ),
    ("email", lambda: proto.check_list_filters(status=None, email="", name=None, page_size=50)),
    ("name", lambda: proto.check_list_filters(status=None, email=None, name=3, page_size=50)),
]


@pytest.mark.parametrize(("argument", "call"), BAD_CALLS)
def test_bad_arguments_are_named(argument: str, call: Callable[[], object]) -> None:
    """Every documented constraint is a ValidationError naming the argument."""
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.argument == argument


def test_name_bounds_are_inclusive() -> None:
    """A workspace name of exactly 1 and exactly 50 characters is accepted
    ("Workspace > Add workspace")."""
    for name in ("x", "x" * 50):
        assert proto.create_workspace_request(name=name, organization_id="o").json["name"] == name


def test_list_filters_accept_all_and_every_status() -> None:
    """The users list accepts the four statuses (enum or string) and ALL ("Find all users on
    workspace")."""
    for status in (*MembershipStatus, "PENDING", "ALL"):
        (pair,) = proto.check_list_filters(status=status, email=None, name=None, page_size=1)
        assert pair == ("status", str(status))
    assert proto.check_list_filters(status=None, email="ann", name="Ann", page_size=5000) == (
        ("email", "ann"),
        ("name", "Ann"),
    )


def test_check_rates_names_the_bad_entry() -> None:
    """One bad amount in a bulk mapping names that user: rates['u2']."""
    with pytest.raises(ValidationError) as info:
        proto.check_rates({"u1": 100, "u2": -5, "u3": 1})
    assert info.value.argument == "rates['u2']"
    with pytest.raises(ValidationError) as info:
        proto.check_rates({"": 1})
    assert info.value.argument == "rates['']"
    with pytest.raises(ValidationError) as info:
        proto.check_rates([("u1", 1)])
    assert info.value.argument == "rates"


@given(st.dictionaries(st.text(min_size=1).filter(str.strip), st.integers(min_value=0)))
def test_check_rates_keeps_every_valid_mapping(rates: dict[str, int]) -> None:
    """Any mapping of non-blank ids to non-negative ints passes through unchanged, in order."""
    assert list(proto.check_rates(rates).items()) == list(rates.items())


@given(
    st.dictionaries(st.text(min_size=1).filter(str.strip), st.integers(min_value=0), min_size=1),
    st.one_of(st.integers(max_value=-1), st.floats(), st.booleans(), st.text()),
)
def test_check_rates_refuses_any_bad_amount(rates: dict[str, int], bad: object) -> None:
    """One amount that is negative, a float, a bool or a string fails the whole mapping."""
    victim = next(iter(rates))
    with pytest.raises(ValidationError) as info:
        proto.check_rates({**rates, victim: bad})
    assert info.value.argument == f"rates[{victim!r}]"


@pytest.mark.parametrize(
    ("headers", "count", "size", "last"),
    [
        ({"Last-Page": "true"}, 50, 50, True),
        ({"last-page": "TRUE"}, 50, 50, True),
        ({"Last-Page": "false"}, 50, 50, False),
        ({"Last-Page": "false"}, 49, 50, True),
        ({}, 50, 50, False),
        ({}, 10, 50, True),
        ({}, 0, 50, True),
    ],
)
def test_last_page_rule(headers: dict[str, str], count: int, size: int, last: bool) -> None:
    """The list ends on Last-Page: true or a short page, never because a page held 50."""
    lowered = {k.lower(): v for k, v in headers.items()}  # httpx headers are case-insensitive
    assert proto.is_last_page(lowered, count, size) is last


def test_credentials_pick_their_header_and_hide_the_secret() -> None:
    """An API key goes in X-Api-Key, a token in X-Addon-Token; the limiter id is a fingerprint."""
    key = proto.api_key_credential("secret-key")
    token = proto.addon_credential("secret-key")
    assert key.headers == {"X-Api-Key": "secret-key"}
    assert token.headers == {"X-Addon-Token": "secret-key"}
    assert key.limiter_id != token.limiter_id
    assert "secret-key" not in key.limiter_id
    assert "secret-key" not in repr(key)
    with pytest.raises(ConfigurationError):
        proto.api_key_credential("bad\r\nX-Evil: 1")
    with pytest.raises(ConfigurationError):
        proto.addon_credential("")

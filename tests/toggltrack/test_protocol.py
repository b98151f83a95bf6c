"""Toggl v9 wire knowledge, pure: request shapes, argument checks, the quota headers."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._transport import NO_BODY
from timeclients.errors import ValidationError
from timeclients.toggltrack import _protocol as proto
from timeclients.toggltrack._protocol import UNSET, read_quota_headers


def test_me_get_sends_the_related_data_flag_only_when_asked() -> None:
    """GET /me has one parameter, ``with_related_data``, sent as ``true`` only when asked."""
    assert proto.me_get_request().query == ()
    request = proto.me_get_request(with_related_data=True)
    assert (request.method, request.path, request.query) == (
        "GET",
        ("me",),
        (("with_related_data", "true"),),
    )


def test_me_get_refuses_a_non_bool_flag() -> None:
    """A truthy string is not taken for ``True``: it is a ValidationError naming the argument."""
    with pytest.raises(ValidationError) as info:
        proto.me_get_request(with_related_data="yes")
    assert info.value.argument == "with_related_data"


def test_update_sends_a_flat_body_of_only_the_given_fields() -> None:
    """PUT /me carries the fields given at the top level (v9's flat ``me.payload``), no envelope."""
    request = proto.me_update_request(
        {"fullname": "Ada", "beginning_of_week": 1, "email": UNSET, "timezone": "Etc/UTC"}
    )
    assert (request.method, request.path) == ("PUT", ("me",))
    assert request.json == {"fullname": "Ada", "beginning_of_week": 1, "timezone": "Etc/UTC"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("beginning_of_week", 7),
        ("beginning_of_week", -1),
        ("beginning_of_week", True),
        ("country_id", 0),
        ("country_id", "12"),
        ("default_workspace_id", 0),
        ("email", "not-an-address"),
        ("fullname", "   "),
        ("fullname", ""),
        ("timezone", "Mars/Olympus"),
        ("timezone", "europe/tallinn"),
    ],
)
def test_update_checks_every_documented_rule(name: str, value: object) -> None:
    """Each documented constraint is checked before sending, and the error names the field."""
    with pytest.raises(ValidationError) as info:
        proto.me_update_request({name: value})
    assert info.value.argument == name


def test_update_needs_a_field_and_refuses_password_fields() -> None:
    """An empty update and a password field (that is change_password's job) are refused."""
    with pytest.raises(ValidationError):
        proto.me_update_request({"fullname": UNSET})
    with pytest.raises(ValidationError) as info:
        proto.me_update_request({"password": "new-secret"})
    assert info.value.argument == "password"


def test_change_password_sends_both_passwords_flat_and_checks_the_new_one() -> None:
    """PUT /me with ``current_password`` and ``password``; a short new password never leaves."""
    request = proto.change_password_request(current_password="old-one", password="new-secret")
    assert request.json == {"current_password": "old-one", "password": "new-secret"}
    with pytest.raises(ValidationError) as info:
        proto.change_password_request(current_password="old-one", password="short")
    assert info.value.argument == "password"
    assert "short" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        proto.change_password_request(current_password="", password="new-secret")
    assert info.value.argument == "current_password"


def test_reset_token_and_quota_requests() -> None:
    """POST /me/reset_token has no body and is never resent blindly; GET /me/quota is plain."""
    reset = proto.reset_token_request()
    assert (reset.method, reset.path, reset.json, reset.idempotent) == (
        "POST",
        ("me", "reset_token"),
        NO_BODY,
        False,
    )
    quota = proto.quota_request()
    assert (quota.method, quota.path, quota.query) == ("GET", ("me", "quota"), ())


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Toggl-Quota-Remaining": "27", "X-Toggl-Quota-Resets-In": "1800"}, (27, 1800.0)),
        ({"x-toggl-quota-remaining": "0", "x-toggl-quota-resets-in": "59"}, (0, 59.0)),
        ({"X-Toggl-Quota-Remaining": "-3"}, (-3, None)),
        ({"X-Toggl-Quota-Resets-In": "-5"}, (None, 0.0)),
        ({"X-Toggl-Quota-Remaining": "lots", "X-Toggl-Quota-Resets-In": "soon"}, (None, None)),
        ({"X-Toggl-Quota-Resets-In": "nan"}, (None, None)),
        ({}, (None, None)),
    ],
)
def test_quota_headers_are_read_tolerantly(
    headers: dict[str, str], expected: tuple[int | None, float | None]
) -> None:
    """The headers are read whatever their case; absent or unreadable values are ``None``."""
    assert read_quota_headers(headers) == expected
    assert read_quota_headers(httpx.Headers(headers)) == expected


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=5))
def test_quota_header_reader_never_fails(headers: dict[str, str]) -> None:
    """Any headers at all give a pair of an int or None and a finite non-negative float or None."""
    remaining, resets_in = read_quota_headers(headers)
    assert remaining is None or isinstance(remaining, int)
    assert resets_in is None or resets_in >= 0.0


@given(st.integers(-(10**6), 10**6), st.integers(0, 10**6))
def test_quota_header_reader_round_trips_numbers(remaining: int, resets: int) -> None:
    """Whatever numbers the server writes are read back exactly."""
    headers = {"X-Toggl-Quota-Remaining": str(remaining), "X-Toggl-Quota-Resets-In": str(resets)}
    assert read_quota_headers(headers) == (remaining, float(resets))


@given(st.integers(-(10**6), 10**6))
def test_beginning_of_week_is_exactly_zero_to_six(day: int) -> None:
    """Every integer 0-6 is sent as given; every other integer is refused before sending."""
    if 0 <= day <= 6:
        assert proto.me_update_request({"beginning_of_week": day}).json == {
            "beginning_of_week": day
        }
    else:
        with pytest.raises(ValidationError):
            proto.me_update_request({"beginning_of_week": day})


@given(st.text(max_size=12))
def test_short_passwords_never_leave(password: str) -> None:
    """A new password under 6 characters is refused; any 6 or more is sent unchanged."""
    if len(password) >= 6:
        request = proto.change_password_request(current_password="old-one", password=password)
        assert request.json["password"] == password
    else:
        with pytest.raises(ValidationError):
            proto.change_password_request(current_password="old-one", password=password)

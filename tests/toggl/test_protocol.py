"""Toggl's pure wire rules: credentials, request building, every documented input check."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._transport import NO_BODY
from timeclients.errors import ConfigurationError, DecodeError, ValidationError
from timeclients.toggl import UNSET, DateFormat, TimeOfDayFormat
from timeclients.toggl import _protocol as proto


def decode_basic(headers: dict[str, str]) -> str:
    scheme, _, value = headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(value).decode("utf-8")


def test_token_credential_is_basic_token_colon_api_token() -> None:
    """A token is sent as Basic ``<token>:api_token``, the document's ``curl -u``."""
    cred = proto.token_credential("1971800d4d82861d8f2c1651fea4d212")
    assert cred.headers == {
        "Authorization": "Basic MTk3MTgwMGQ0ZDgyODYxZDhmMmMxNjUxZmVhNGQyMTI6YXBpX3Rva2Vu"
    }
    assert decode_basic(cred.headers) == "1971800d4d82861d8f2c1651fea4d212:api_token"
    assert cred.kind == "token"


def test_basic_credential_encodes_utf8_and_keeps_colons_in_the_password() -> None:
    """E-mail and password go as UTF-8 base64; a ':' in the password is fine (RFC 7617)."""
    cred = proto.basic_credential("jüri@example.com", "pä:ss wörd")
    assert decode_basic(cred.headers) == "jüri@example.com:pä:ss wörd"
    assert cred.kind == "basic"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("john@example.com", "pass\r\nX-Evil: 1"),
        ("john@example.com\n", "secret"),
        ("john:doe@example.com", "secret"),
        ("", "secret"),
        ("john@example.com", ""),
    ],
)
def test_bad_basic_credentials_are_configuration_errors(email: str, password: str) -> None:
    """Control characters, a ':' in the user part, or empty parts are refused, unechoed."""
    with pytest.raises(ConfigurationError) as info:
        proto.basic_credential(email, password)
    if password:
        assert password not in str(info.value)


@pytest.mark.parametrize("token", ["abc\r\ndef", "abc:def", "", "tab\there"])
def test_bad_tokens_are_configuration_errors(token: str) -> None:
    """A token with control characters or a ':' (the Basic user part) is refused."""
    with pytest.raises(ConfigurationError):
        proto.token_credential(token)


def test_limiter_ids_reveal_nothing_and_follow_the_account() -> None:
    """Limiter ids are fingerprints; e-mail auth is keyed by the account, not the password."""
    token = proto.token_credential("1971800d4d82861d8f2c1651fea4d212")
    assert "1971800d" not in token.limiter_id
    first = proto.basic_credential("John@Example.com", "secret1")
    second = proto.basic_credential("john@example.com", "secret2")
    assert first.limiter_id == second.limiter_id
    assert first.limiter_id != token.limiter_id
    assert proto.ANONYMOUS.limiter_id == "anonymous"
    assert proto.ANONYMOUS.headers == {}


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({}, ()),
        ({"with_related_data": True}, (("with_related_data", "true"),)),
        ({"since": 1362579886}, (("since", "1362579886"),)),
        (
            {
                "with_related_data": True,
                "since": datetime(2013, 3, 6, 14, 24, 46, tzinfo=timezone.utc),
            },
            (("with_related_data", "true"), ("since", "1362579886")),
        ),
        (
            {
                "since": datetime(
                    2013, 3, 6, 16, 24, 46, 999999, tzinfo=timezone(timedelta(hours=2))
                )
            },
            (("since", "1362579886"),),
        ),
    ],
)
def test_me_get_query(kwargs: dict[str, Any], query: tuple[tuple[str, str], ...]) -> None:
    """``with_related_data=true`` only when asked; ``since`` as unix seconds, rounded down."""
    request = proto.me_get_request(**kwargs)
    assert (request.method, request.path, request.query) == ("GET", ("me",), query)
    assert request.json is NO_BODY


@given(st.datetimes(timezones=st.timezones(), min_value=datetime(1971, 1, 1)))
def test_since_from_any_aware_datetime_is_its_floor_in_unix_seconds(value: datetime) -> None:
    """Any aware datetime becomes the unix second at or just before it, whatever its zone."""
    sent = int(proto.since_param(value))
    exact = value.timestamp()
    assert sent <= exact < sent + 1


@pytest.mark.parametrize(
    ("since", "argument"),
    [
        (datetime(2013, 3, 6), "since"),
        (-1, "since"),
        (True, "since"),
        (1.5, "since"),
        ("1362579886", "since"),
    ],
)
def test_bad_since_is_refused(since: object, argument: str) -> None:
    """A naive datetime, a negative number, a bool, a float or a string is a ValidationError."""
    with pytest.raises(ValidationError) as info:
        proto.me_get_request(since=since)
    assert info.value.argument == argument


def test_with_related_data_must_be_a_bool() -> None:
    """``with_related_data="yes"`` is refused rather than read as truthy."""
    with pytest.raises(ValidationError):
        proto.me_get_request(with_related_data="yes")


def test_update_sends_only_the_fields_given() -> None:
    """PUT /me carries ``{"user": {...}}`` with exactly the fields that are not UNSET."""
    request = proto.me_update_request(
        {"fullname": "John Smith", "email": UNSET, "beginning_of_week": 1}
    )
    assert request.method == "PUT"
    assert request.path == ("me",)
    assert request.json == {"user": {"fullname": "John Smith", "beginning_of_week": 1}}


def test_update_sends_every_documented_field() -> None:
    """All ten documented fields can be sent at once; enums go as their strings."""
    fields = {
        "fullname": "John Smith",
        "email": "john@example.com",
        "send_product_emails": False,
        "send_weekly_report": True,
        "send_timer_notifications": False,
        "store_start_and_stop_time": True,
        "beginning_of_week": 6,
        "timezone": "Europe/Tallinn",
        "timeofday_format": TimeOfDayFormat.H24,
        "date_format": "DD.MM.YYYY",
    }
    body = proto.me_update_request(fields).json["user"]
    assert body == {**fields, "timeofday_format": "H:mm"}
    assert type(body["timeofday_format"]) is str


def test_update_with_nothing_is_refused() -> None:
    """An update with no field given is a ValidationError (nothing to send)."""
    with pytest.raises(ValidationError):
        proto.me_update_request({"fullname": UNSET})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("beginning_of_week", 7),
        ("beginning_of_week", -1),
        ("beginning_of_week", True),
        ("beginning_of_week", "1"),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "europe/tallinn"),
        ("timezone", 3),
        ("timeofday_format", "HH:mm"),
        ("timeofday_format", "h:mm a"),
        ("date_format", "YYYY/MM/DD"),
        ("date_format", ""),
        ("email", "not-an-address"),
        ("email", "john@localhost"),
        ("fullname", ""),
        ("fullname", "   "),
        ("send_product_emails", 1),
        ("send_weekly_report", "true"),
        ("send_timer_notifications", None),
        ("store_start_and_stop_time", 0),
    ],
)
def test_update_rules(field: str, value: object) -> None:
    """Each documented constraint of PUT /me refuses a bad value, naming the argument."""
    with pytest.raises(ValidationError) as info:
        proto.me_update_request({field: value})
    assert info.value.argument == field


@pytest.mark.parametrize("value", list(DateFormat))
def test_every_documented_date_format_is_accepted(value: DateFormat) -> None:
    """The six documented date formats pass, as members and as strings."""
    assert proto.me_update_request({"date_format": value.value}).json == {
        "user": {"date_format": value.value}
    }
    assert proto.me_update_request({"date_format": value}).json == {
        "user": {"date_format": value.value}
    }


def test_timeofday_formats_are_the_two_documented() -> None:
    """Exactly ``H:mm`` and ``h:mm A`` are the time-of-day formats."""
    assert {f.value for f in TimeOfDayFormat} == {"H:mm", "h:mm A"}
    assert len(DateFormat) == 6


def test_change_password_body_and_rules() -> None:
    """PUT /me with current and new password; a new one under 6 characters is refused."""
    request = proto.change_password_request(current_password="old", password="newpass")
    assert request.json == {"user": {"current_password": "old", "password": "newpass"}}
    with pytest.raises(ValidationError) as info:
        proto.change_password_request(current_password="old", password="12345")
    assert info.value.argument == "password"
    assert "12345" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        proto.change_password_request(current_password="", password="123456")
    assert info.value.argument == "current_password"


def test_signup_body_has_all_four_documented_fields() -> None:
    """POST /signups sends email, password, timezone and created_with inside ``user``."""
    request = proto.signup_request(
        email="test@example.com", password="StrongPassword", timezone="Etc/UTC", created_with="me"
    )
    assert (request.method, request.path) == ("POST", ("signups",))
    assert request.json == {
        "user": {
            "email": "test@example.com",
            "password": "StrongPassword",
            "timezone": "Etc/UTC",
            "created_with": "me",
        }
    }


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"email": "test.example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": None}, "password"),
        ({"timezone": "UTC+2"}, "timezone"),
        ({"created_with": ""}, "created_with"),
        ({"created_with": "  "}, "created_with"),
    ],
)
def test_signup_rules(change: dict[str, object], argument: str) -> None:
    """Each signup rule (e-mail, ≥ 6 character password, IANA zone, created_with) is checked."""
    kwargs: dict[str, object] = {
        "email": "test@example.com",
        "password": "StrongPassword",
        "timezone": "Etc/UTC",
        "created_with": "me",
        **change,
    }
    with pytest.raises(ValidationError) as info:
        proto.signup_request(**kwargs)
    assert info.value.argument == argument


def test_reset_token_request_is_a_bodyless_post_never_resent_blindly() -> None:
    """POST /reset_token has no body and is not idempotent (a second reset loses the first)."""
    request = proto.reset_token_request()
    assert (request.method, request.path, request.json) == ("POST", ("reset_token",), NO_BODY)
    assert request.idempotent is False


def test_new_token_must_be_a_usable_string() -> None:
    """The reset answer is a JSON string; anything else, or a token with CR/LF, is a DecodeError."""
    assert proto.parse_new_token("a0123", method="POST", path="/reset_token") == "a0123"
    for bad in ({"token": "x"}, None, "", "ab\r\ncd"):
        with pytest.raises(DecodeError):
            proto.parse_new_token(bad, method="POST", path="/reset_token")

"""Toggl v8 wire knowledge, pure: credentials, request building, argument checks, envelopes.

Every rule here cites /work/shared/specs/toggl-v8-user-api.md ("the document") or the Toggl
notes in /work/shared/specs/README.md. Nothing here awaits or touches the network.
"""

from __future__ import annotations

import base64
import enum
import functools
import math
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import attrs

from .._base import Credential
from .._convert import ModelDecoder, snake_case
from .._transport import (
    NO_BODY,
    Request,
    check_credential,
    credential_fingerprint,
)
from .._transport._body import load_json
from .._validate import (
    check_bool,
    check_email,
    check_enum,
    check_int_range,
    check_non_negative_int,
    check_text,
    require_aware,
)
from ..errors import (
    BadRequestError,
    ConfigurationError,
    DecodeError,
    NotFoundError,
    ValidationError,
)
from .models import DateFormat, TimeOfDayFormat, User

__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_ID",
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PASSWORD",
    "UNSET",
    "Credential",
    "MeEnvelope",
    "UserEnvelope",
    "basic_credential",
    "change_password_request",
    "check_password",
    "check_timezone",
    "decoder",
    "me_get_request",
    "me_update_request",
    "parse_new_token",
    "refused_update",
    "reset_token_request",
    "signup_request",
    "since_param",
    "token_credential",
]

#: The literal password that goes with an API token (document: ``-u <token>:api_token``).
TOKEN_PASSWORD: Final = "api_token"  # noqa: S105 (the documented literal, not a secret)
#: Document, signups: "password at least 6 characters long".
MIN_PASSWORD_LENGTH: Final = 6
#: The limiter key of a client without a credential: all anonymous clients share it.
ANONYMOUS_ID: Final = "anonymous"


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: "Not given": ``me.update`` sends only the fields that are not ``UNSET``.
UNSET: Final = _Unset.UNSET


def _basic_header(user: str, password: str) -> dict[str, str]:
    # RFC 7617 Basic: base64 of UTF-8 "user:password"; the document's curl -u does the same.
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


def token_credential(api_token: str) -> Credential:
    """HTTP Basic with user = the token, password = the literal ``api_token`` (document)."""
    check_credential("api_token", api_token, header=False)
    if ":" in api_token:
        raise ConfigurationError("api_token must not contain ':' (it is the Basic auth user)")
    return Credential(
        "token",
        _basic_header(api_token, TOKEN_PASSWORD),
        credential_fingerprint("toggl-token", api_token),
    )


def basic_credential(email: str, password: str) -> Credential:
    """HTTP Basic with the account's e-mail and password.

    The limiter id is the e-mail alone (case-folded): the server limits per account, and a
    password change must not give the same account a second budget.
    """
    check_credential("email", email, header=False)
    check_credential("password", password, header=False)
    if ":" in email:
        raise ConfigurationError("email must not contain ':' (it is the Basic auth user)")
    return Credential(
        "basic",
        _basic_header(email, password),
        credential_fingerprint("toggl-email", email.casefold()),
    )


ANONYMOUS: Final = Credential("anonymous", {}, ANONYMOUS_ID)


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # available_timezones() walks the tz database (~600 files): read it once.
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str, value: object) -> str:
    """A known IANA zone name (document: "timezone: string, IANA TZ timezones")."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be an IANA timezone name, got {type(value).__name__}")
    if value not in _zones():
        shown = value if len(value) <= 80 else value[:80] + "..."
        raise ValidationError(
            name, f"must be a known IANA timezone (e.g. 'Etc/UTC'), got {shown!r}"
        )
    return value


def check_password(name: str, value: object) -> str:
    """A password of at least 6 characters (document, signups); never echoed in the error."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string, got {type(value).__name__}")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(name, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    return value


def since_param(value: object) -> str:
    """``since`` as unix seconds (document: "since=1362579886"): an aware datetime or an int.

    A datetime is rounded down: asking from one second earlier never misses a change.
    """
    if isinstance(value, datetime):
        return str(math.floor(require_aware("since", value).timestamp()))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(check_non_negative_int("since", value))
    raise ValidationError(
        "since", f"must be an aware datetime or unix seconds (int), got {type(value).__name__}"
    )


def me_get_request(*, with_related_data: object = False, since: object = None) -> Request:
    """``GET /me`` with ``with_related_data=true`` and ``since=<unix>`` only when asked."""
    query: list[tuple[str, str]] = []
    if check_bool("with_related_data", with_related_data):
        query.append(("with_related_data", "true"))
    if since is not None:
        query.append(("since", since_param(since)))
    return Request("GET", ("me",), query=tuple(query))


def _check_fullname(name: str, value: object) -> str:
    text = check_text(name, value)
    if not text.strip():
        raise ValidationError(name, "must not be blank")
    return text


def _enum_value(name: str, value: object, cls: type[TimeOfDayFormat] | type[DateFormat]) -> str:
    return str(check_enum(name, value, cls).value)


# The fields PUT /me accepts, in the document's order, with the check each value must pass.
_UPDATE_CHECKS: Final[dict[str, Callable[[str, Any], object]]] = {
    "fullname": _check_fullname,
    "email": check_email,
    "send_product_emails": check_bool,
    "send_weekly_report": check_bool,
    "send_timer_notifications": check_bool,
    "store_start_and_stop_time": check_bool,
    "beginning_of_week": lambda n, v: check_int_range(n, v, 0, 6),
    "timezone": check_timezone,
    "timeofday_format": lambda n, v: _enum_value(n, v, TimeOfDayFormat),
    "date_format": lambda n, v: _enum_value(n, v, DateFormat),
}


def me_update_request(fields: dict[str, object]) -> Request:
    """``PUT /me`` with ``{"user": {...}}`` holding only the fields given, each checked."""
    user: dict[str, object] = {}
    for name, value in fields.items():
        if value is UNSET:
            continue
        check = _UPDATE_CHECKS.get(name)
        if check is None:
            raise ValidationError(name, "is not a field PUT /me can update")
        user[name] = check(name, value)
    if not user:
        raise ValidationError("me.update", "give at least one field to change")
    return Request("PUT", ("me",), json={"user": user})


def change_password_request(*, current_password: object, password: object) -> Request:
    """``PUT /me`` with ``current_password`` and ``password`` (document, "To change password")."""
    if not isinstance(current_password, str) or not current_password:
        raise ValidationError("current_password", "must be a non-empty string")
    new = check_password("password", password)
    return Request(
        "PUT", ("me",), json={"user": {"current_password": current_password, "password": new}}
    )


def reset_token_request() -> Request:
    """``POST /reset_token``, no body. Not retried on ambiguous failures: a second reset
    would invalidate the token the first one returned."""
    return Request("POST", ("reset_token",), json=NO_BODY, idempotent=False)


def signup_request(
    *, email: object, password: object, timezone: object, created_with: object
) -> Request:
    """``POST /signups`` with ``{"user": {email, password, timezone, created_with}}``.

    All four are required by the document ("string, required").
    """
    user = {
        "email": check_email("email", email),
        "password": check_password("password", password),
        "timezone": check_timezone("timezone", timezone),
        "created_with": _check_fullname("created_with", created_with),
    }
    return Request("POST", ("signups",), json={"user": user})


@attrs.frozen
class MeEnvelope:
    """``GET /me``: ``{"since": <unix seconds>, "data": {user}}``."""

    data: User
    since: datetime | None = None


@attrs.frozen
class UserEnvelope:
    """``PUT /me`` and ``POST /signups``: ``{"data": {user}}``."""

    data: User


#: Toggl's JSON names are the Python names; ``since`` comes as unix seconds.
decoder: Final = ModelDecoder(naming=snake_case, unix_datetimes=True)


def refused_update(error: NotFoundError) -> BadRequestError | None:
    """A 404 that is Toggl v8 refusing a create or update, as the ``BadRequestError`` it means.

    Toggl's v8 API overview: "If a create or update action failed, HTTP status code 404 and an
    array of localized error messages will be returned." So for ``PUT /me`` and ``POST
    /signups`` a 404 whose body is a JSON array is a refusal (its messages, joined, are the
    ``message``; ``status`` stays 404); any other 404 is left as it is (``None`` here).
    """
    body = error.body.strip()
    if not body.startswith("["):
        return None
    try:
        messages = load_json(body)
    except ValueError:
        # Cut at the 2,000 characters an error keeps: still the start of an array.
        messages = []
    if not isinstance(messages, list):
        return None
    return BadRequestError(
        error.message or "Toggl refused the update",
        status=error.status,
        method=error.method,
        path=error.path,
        body=error.body,
        retry_after=error.retry_after,
        code=error.code,
    )


def parse_new_token(data: object, *, method: str, path: str) -> str:
    """The body of ``POST /reset_token``: a JSON string holding the new token (document)."""
    # The server has reset the token whatever this answer holds: every error here is applied.
    if not isinstance(data, str):
        raise DecodeError(
            f"{method} {path}: expected the new token as a JSON string, got {type(data).__name__}",
            field="$",
            method=method,
            path=path,
            applied=True,
        )
    try:
        token_credential(data)
    except ConfigurationError as exc:
        raise DecodeError(
            f"{method} {path}: the new token is not usable: {exc}",
            field="$",
            method=method,
            path=path,
            applied=True,
        ) from exc
    return data

"""Toggl v8 wire knowledge, pure: credentials, request building, argument checks, envelopes.

Every rule here cites Toggl's v8 API documentation: "Users"
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md, "the document": "Get
current user data", "Update user data", "Reset API token", "Sign up new user") and the API
overview (https://github.com/toggl/toggl_api_docs/blob/master/toggl_api.md: a bad credential is
a 403, a refused create or update a 404 with an array of messages) and the docs' README ("The
API Format": 1 request per second is a safe pace). Nothing here awaits or touches the network.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import attrs

from .._decode import ModelDecoder, snake_case
from .._spec import DefaultURL, refined
from .._toggl_common import (
    ANONYMOUS,
    ANONYMOUS_ID,
    DEFAULT_RATE_LIMIT,
    MIN_PASSWORD_LENGTH,
    TOKEN_PASSWORD,
    UNSET,
    basic_credential,
    check_password,
    check_timezone,
    checked_fields,
    parse_new_token,
    toggl_spec,
    token_credential,
)
from .._validate import (
    check_bool,
    check_email,
    check_enum,
    check_int_range,
    check_non_negative_int,
    check_text_field,
    require_aware,
)
from .._wire import NO_BODY, Credential, Request, load_json
from ..errors import APIError, BadRequestError, NotFoundError, ValidationError
from .models import DateFormat, TimeOfDayFormat, User

__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_ID",
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "ENV_BASE_URL",
    "MIN_PASSWORD_LENGTH",
    "SPEC",
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
    "refine_error",
    "refused_update",
    "reset_token_request",
    "signup_request",
    "since_param",
    "token_credential",
]

DEFAULT_BASE_URL: Final = DefaultURL("https://api.track.toggl.com/api/v8")
#: Where the v8 client reads its base URL when ``base_url`` is not passed.
ENV_BASE_URL: Final = "TOGGL_BASE_URL"
#: The v8 writes whose 404 is a refusal (see :func:`refused_update`).
_REFUSABLE: Final = frozenset({("PUT", ("me",)), ("POST", ("signups",))})


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


def _enum_value(name: str, value: object, cls: type[TimeOfDayFormat] | type[DateFormat]) -> str:
    return str(check_enum(name, value, cls).value)


# The fields PUT /me accepts, in the document's order, with the check each value must pass.
_UPDATE_CHECKS: Final[dict[str, Callable[[str, Any], object]]] = {
    "fullname": check_text_field,
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
    return Request("PUT", ("me",), json={"user": checked_fields(fields, _UPDATE_CHECKS)})


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
        "created_with": check_text_field("created_with", created_with),
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
    return refined(error, BadRequestError, error.message or "Toggl refused the update")


def refine_error(request: Request, error: APIError) -> APIError | None:
    """The 404 of ``PUT /me`` or ``POST /signups`` that is a refusal, as a ``BadRequestError``."""
    if not isinstance(error, NotFoundError) or (request.method, request.path) not in _REFUSABLE:
        return None
    return refused_update(error)


#: Everything TogglClient reads from its vendor (see ``timeclients._spec``).
SPEC: Final = toggl_spec("toggl", DEFAULT_BASE_URL, ENV_BASE_URL, decoder, refine_error)

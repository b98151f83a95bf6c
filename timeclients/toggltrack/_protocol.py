"""Toggl Track API v9 wire knowledge, pure: request building, argument checks, quota headers.

Sources, cited by title below:

* Toggl's v9 OpenAPI description ("Toggl API", version 9; served with the developer docs at
  https://engineering.toggl.com/docs/api/me), paths ``/me``, ``/me/reset_token``,
  ``/me/quota``, definitions ``me.payload`` and ``me.GetQuotaResult``;
* "Authentication" (https://engineering.toggl.com/docs/authentication): Basic auth, and "if
  authentication fails, HTTP status code 403 is returned";
* "API & Webhook limits" (Toggl support, https://support.toggl.com/en/articles/11484112-api-webhook-limits):
  30 requests per hour per user for requests about the user (``/me``), a 402 when a quota
  is spent; "FAQs about API limits" (https://support.toggl.com/en/articles/11623558-faqs-about-api-limits):
  response headers carry the requests left.

Nothing here awaits or touches the network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from .._decode import ModelDecoder, snake_case
from .._spec import DefaultURL, refined
from .._toggl_common import (
    ENV_TOKEN,
    STATUS_ERRORS,
    UNSET,
    check_password,
    checked_fields,
    toggl_spec,
)
from .._toggl_common import check_timezone as check_timezone
from .._validate import (
    check_bool,
    check_email,
    check_int_range,
    check_min_int,
    check_text_field,
)
from .._wire import NO_BODY, RateLimit, Request
from ..errors import APIError, AuthenticationError, ValidationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "ENV_BASE_URL",
    "QUOTA_REMAINING_HEADER",
    "QUOTA_RESETS_IN_HEADER",
    "SPEC",
    "STATUS_ERRORS",
    "UNSET",
    "change_password_request",
    "decoder",
    "me_get_request",
    "me_update_request",
    "quota_request",
    "read_quota_headers",
    "refine_error",
    "reset_token_request",
]

DEFAULT_BASE_URL: Final = DefaultURL("https://api.track.toggl.com/api/v9")
#: Where the v9 client reads its base URL when ``base_url`` is not passed (``TOGGL_BASE_URL``
#: stays the v8 client's: the two APIs live under different base paths).
ENV_BASE_URL: Final = "TOGGL_TRACK_BASE_URL"
#: Toggl's documented safe pace ("a safe window will be 1 request per second", developer docs
#: overview) and the hourly quota of requests about the user itself (30 per hour on the Free,
#: Starter and Premium plans: Toggl's "API & Webhook limits" article). Both windows hold.
DEFAULT_RATE_LIMIT: Final = (RateLimit(1, 1.0), RateLimit(30, 3600.0))
#: Requests left in the current quota window ("FAQs about API limits": in response headers).
QUOTA_REMAINING_HEADER: Final = "X-Toggl-Quota-Remaining"
#: Seconds until the quota window resets.
QUOTA_RESETS_IN_HEADER: Final = "X-Toggl-Quota-Resets-In"
_CHECK_CREDENTIAL: Final = f"check {ENV_TOKEN} or the api_token (or email and password) you passed"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict from a test or a custom backend: match case-insensitively
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def read_quota_headers(headers: Mapping[str, str]) -> tuple[int | None, float | None]:
    """``(remaining, resets_in)`` from Toggl's quota headers; ``None`` for each one absent or
    unreadable.

    ``remaining`` may be negative (Toggl's OpenAPI: it "may go negative" while the quota is
    not enforced); ``resets_in`` is seconds, never negative.
    """
    remaining: int | None = None
    raw = _header(headers, QUOTA_REMAINING_HEADER)
    if raw is not None:
        try:
            remaining = int(raw.strip())
        except ValueError:
            remaining = None
    resets_in: float | None = None
    raw = _header(headers, QUOTA_RESETS_IN_HEADER)
    if raw is not None:
        try:
            seconds = float(raw.strip())
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            resets_in = max(0.0, seconds)
    return remaining, resets_in


def me_get_request(*, with_related_data: object = False) -> Request:
    """``GET /me``, with ``with_related_data=true`` only when asked (its only parameter)."""
    if check_bool("with_related_data", with_related_data):
        return Request("GET", ("me",), query=(("with_related_data", "true"),))
    return Request("GET", ("me",))


def _positive_id(name: str, value: object) -> int:
    return check_min_int(name, value, 1)


# The fields of the flat ``PUT /me`` body (OpenAPI ``me.payload``) this call sends, in the
# document's order, each with the rule it must pass. ``current_password`` and ``password``
# belong to :func:`change_password_request`.
_UPDATE_CHECKS: Final[dict[str, Callable[[str, Any], object]]] = {
    "beginning_of_week": lambda n, v: check_int_range(n, v, 0, 6),
    "country_id": _positive_id,
    "default_workspace_id": _positive_id,
    "email": check_email,
    "fullname": check_text_field,
    "timezone": check_timezone,
}


def me_update_request(fields: dict[str, object]) -> Request:
    """``PUT /me`` with a flat body holding only the fields given, each checked."""
    return Request("PUT", ("me",), json=checked_fields(fields, _UPDATE_CHECKS))


def change_password_request(*, current_password: object, password: object) -> Request:
    """``PUT /me`` with ``current_password`` and the new ``password`` (at least 6 characters;
    "Current password must be present to change password")."""
    if not isinstance(current_password, str) or not current_password:
        raise ValidationError("current_password", "must be a non-empty string")
    new = check_password("password", password)
    return Request("PUT", ("me",), json={"current_password": current_password, "password": new})


def reset_token_request() -> Request:
    """``POST /me/reset_token``, no body. Never resent after an ambiguous failure: a second
    reset would invalidate the token the first one returned."""
    return Request("POST", ("me", "reset_token"), json=NO_BODY, idempotent=False)


def quota_request() -> Request:
    """``GET /me/quota``: the user's quotas, one per organization plus the user's own."""
    return Request("GET", ("me", "quota"))


#: v9's JSON names are the Python names; timestamps are RFC 3339 strings.
decoder: Final = ModelDecoder(naming=snake_case)


def refine_error(request: Request, error: APIError) -> APIError | None:
    """A refused credential (403) says what to check."""
    if not isinstance(error, AuthenticationError):
        return None
    message = f"{error.message or 'the credential was refused'}; {_CHECK_CREDENTIAL}"
    return refined(error, AuthenticationError, message)


#: Everything TogglTrackClient reads from its vendor (see ``timeclients._spec``).
SPEC: Final = toggl_spec(
    "toggltrack",
    DEFAULT_BASE_URL,
    ENV_BASE_URL,
    decoder,
    refine_error,
    rate_limit=DEFAULT_RATE_LIMIT,
    quota=read_quota_headers,
)

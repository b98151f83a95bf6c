"""Clockify wire knowledge, pure: credentials, argument checks, requests, pages, decoding.

Every rule here cites /work/shared/specs/clockify-workspace-api.md ("doc Lnnn") or the
Clockify notes in /work/shared/specs/README.md ("README"). Nothing here awaits or touches the
network: each function takes values and returns a :class:`~timeclients._transport.Request`,
a decision, or a model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import cattrs

from .._base import Credential
from .._decode import ModelDecoder, camel_case, model_structure_fn
from .._transport import Request, check_credential, credential_fingerprint
from .._validate import (
    check_bool,
    check_email,
    check_enum,
    check_enums,
    check_id,
    check_int_range,
    check_non_negative_int,
    check_text_field,
    format_utc,
    require_aware,
)
from ..errors import (
    AlreadyMemberError,
    APIError,
    NoSeatsAvailableError,
    SubscriptionRequiredError,
    ValidationError,
)
from .models import MembershipStatus, Role, WorkspaceSettings, WorkspaceUser

__all__ = [
    "ADDON_TOKEN_HEADER",
    "ADD_USER_ERRORS",
    "API_KEY_HEADER",
    "CURRENCY_MAX",
    "DEFAULT_PAGE_SIZE",
    "LIST_STATUS_ALL",
    "MAX_PAGE_SIZE",
    "NAME_MAX",
    "SETTABLE_STATUSES",
    "Credential",
    "add_user_request",
    "addon_credential",
    "api_key_credential",
    "check_list_filters",
    "check_rates",
    "create_workspace_request",
    "decoder",
    "get_workspace_request",
    "is_last_page",
    "list_users_request",
    "list_workspaces_request",
    "parse_admin_only_pages",
    "set_user_status_request",
    "user_cost_rate_request",
    "user_hourly_rate_request",
    "workspace_cost_rate_request",
    "workspace_hourly_rate_request",
]

#: doc L5: a personal API key.
API_KEY_HEADER: Final = "X-Api-Key"
#: doc L6: an add-on's token.
ADDON_TOKEN_HEADER: Final = "X-Addon-Token"  # noqa: S105 (a header name, not a secret)
#: doc L144: a workspace name is 1-50 characters.
NAME_MAX: Final = 50
#: doc L203: a currency is 1-100 characters.
CURRENCY_MAX: Final = 100
#: README: ``page-size`` defaults to 50; 5000 is the largest the vendor accepts.
DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 5000
#: README: the users list also filters by ``status=ALL``, which is not a membership status.
LIST_STATUS_ALL: Final = "ALL"
#: doc L258-L260: the two statuses ``PUT .../users/{userId}`` sets.
SETTABLE_STATUSES: Final = frozenset({MembershipStatus.ACTIVE, MembershipStatus.INACTIVE})
#: doc L240-L243: what ``POST /workspaces/{id}/users`` means by 402, 403 and 409.
ADD_USER_ERRORS: Final[Mapping[int, type[APIError]]] = {
    402: SubscriptionRequiredError,
    403: NoSeatsAvailableError,
    409: AlreadyMemberError,
}


def api_key_credential(api_key: str) -> Credential:
    """A personal API key, sent as ``X-Api-Key`` (doc L5)."""
    check_credential("api_key", api_key)
    return Credential(
        "api_key", {API_KEY_HEADER: api_key}, credential_fingerprint("clockify-api-key", api_key)
    )


def addon_credential(addon_token: str) -> Credential:
    """An add-on token, sent as ``X-Addon-Token`` (doc L6)."""
    check_credential("addon_token", addon_token)
    return Credential(
        "addon_token",
        {ADDON_TOKEN_HEADER: addon_token},
        credential_fingerprint("clockify-addon-token", addon_token),
    )


# --- argument checks -------------------------------------------------------------------------


def _since(value: object) -> str:
    # doc L176, L181 and README: ISO-8601 in UTC with a "Z"; a naive time would be a guess.
    return format_utc(require_aware("since", value))


def _amount(name: str, value: object) -> int:
    # doc L180, L202, L280, L301: amounts are integers in minor units, minimum 0.
    return check_non_negative_int(name, value)


def _rate_body(amount: object, since: object, *, name: str = "amount") -> dict[str, object]:
    body: dict[str, object] = {"amount": _amount(name, amount)}
    if since is not None:  # optional: left out, never sent as null
        body["since"] = _since(since)
    return body


def check_rates(rates: object) -> dict[str, int]:
    """Every key an id and every amount valid, before the first request of a bulk job.

    The first bad entry is a ``ValidationError`` naming it (``rates['u1']``).
    """
    if not isinstance(rates, Mapping):
        raise ValidationError(
            "rates", f"must be a mapping of user id to amount, got {type(rates).__name__}"
        )
    checked: dict[str, int] = {}
    for user_id, amount in rates.items():
        label = f"rates[{user_id!r}]"
        check_id(label, user_id)
        checked[user_id] = _amount(label, amount)
    return checked


# --- requests --------------------------------------------------------------------------------


def list_workspaces_request(*, roles: Iterable[object] = ()) -> Request:
    """``GET /workspaces?roles=A&roles=B`` (doc L13-L25); no workspace: the credential's scope."""
    checked = check_enums("roles", roles, Role)
    return Request("GET", ("workspaces",), query=tuple(("roles", r.value) for r in checked))


def get_workspace_request(workspace_id: object) -> Request:
    """``GET /workspaces/{workspaceId}`` (doc L152-L166)."""
    ws = check_id("workspace_id", workspace_id)
    return Request("GET", ("workspaces", ws), scope=ws)


def create_workspace_request(*, name: object, organization_id: object) -> Request:
    """``POST /workspaces`` with ``{"name", "organizationId"}`` (doc L132-L150)."""
    body = {
        "name": check_text_field("name", name, min_len=1, max_len=NAME_MAX),
        "organizationId": check_id("organization_id", organization_id),
    }
    return Request("POST", ("workspaces",), json=body)


def workspace_cost_rate_request(workspace_id: object, *, amount: object, since: object) -> Request:
    """``PUT /workspaces/{id}/cost-rate`` with ``{"amount", "since"?}`` (doc L168-L187)."""
    ws = check_id("workspace_id", workspace_id)
    return Request("PUT", ("workspaces", ws, "cost-rate"), json=_rate_body(amount, since), scope=ws)


def workspace_hourly_rate_request(
    workspace_id: object, *, amount: object, currency: object, since: object
) -> Request:
    """``PUT /workspaces/{id}/hourly-rate`` with ``{"amount", "currency", "since"?}``
    (doc L189-L210)."""
    ws = check_id("workspace_id", workspace_id)
    body: dict[str, object] = {
        "amount": _amount("amount", amount),
        "currency": check_text_field("currency", currency, min_len=1, max_len=CURRENCY_MAX),
    }
    if since is not None:
        body["since"] = _since(since)
    return Request("PUT", ("workspaces", ws, "hourly-rate"), json=body, scope=ws)


def add_user_request(workspace_id: object, *, email: object, send_email: object) -> Request:
    """``POST /workspaces/{id}/users?send-email=true|false`` with ``{"email"}`` (doc L211-L243).

    402, 403 and 409 have this endpoint's own meanings (doc L240-L243).
    """
    ws = check_id("workspace_id", workspace_id)
    send = "true" if check_bool("send_email", send_email) else "false"
    return Request(
        "POST",
        ("workspaces", ws, "users"),
        query=(("send-email", send),),
        json={"email": check_email("email", email)},
        scope=ws,
        errors=ADD_USER_ERRORS,
    )


def set_user_status_request(workspace_id: object, user_id: object, *, status: object) -> Request:
    """``PUT /workspaces/{id}/users/{userId}`` with ``{"status": "ACTIVE"|"INACTIVE"}``
    (doc L245-L265)."""
    ws = check_id("workspace_id", workspace_id)
    user = check_id("user_id", user_id)
    checked = check_enum("status", status, MembershipStatus)
    if checked not in SETTABLE_STATUSES:
        raise ValidationError("status", f"must be ACTIVE or INACTIVE; got {checked.value!r}")
    return Request(
        "PUT", ("workspaces", ws, "users", user), json={"status": checked.value}, scope=ws
    )


def user_cost_rate_request(
    workspace_id: object,
    user_id: object,
    *,
    amount: object,
    since: object,
) -> Request:
    """``PUT /workspaces/{id}/users/{userId}/cost-rate`` with ``{"amount", "since"?}``
    (doc L268-L287)."""
    ws = check_id("workspace_id", workspace_id)
    user = check_id("user_id", user_id)
    body = _rate_body(amount, since)
    return Request("PUT", ("workspaces", ws, "users", user, "cost-rate"), json=body, scope=ws)


def user_hourly_rate_request(
    workspace_id: object,
    user_id: object,
    *,
    amount: object,
    since: object,
) -> Request:
    """``PUT /workspaces/{id}/users/{userId}/hourly-rate`` with ``{"amount", "since"?}``
    (doc L289-L310)."""
    ws = check_id("workspace_id", workspace_id)
    user = check_id("user_id", user_id)
    body = _rate_body(amount, since)
    return Request("PUT", ("workspaces", ws, "users", user, "hourly-rate"), json=body, scope=ws)


def check_list_filters(
    *, status: object, email: object, name: object, page_size: object
) -> tuple[tuple[str, str], ...]:
    """The users list's filters as query pairs (README): checked once, before the first page."""
    check_int_range("page_size", page_size, 1, MAX_PAGE_SIZE)
    query: list[tuple[str, str]] = []
    if email is not None:
        query.append(("email", check_text_field("email", email)))
    if name is not None:
        query.append(("name", check_text_field("name", name)))
    if status is not None:
        if status == LIST_STATUS_ALL and isinstance(status, str):
            query.append(("status", LIST_STATUS_ALL))
        else:
            try:
                query.append(("status", check_enum("status", status, MembershipStatus).value))
            except ValidationError:
                raise ValidationError(
                    "status", f"must be PENDING, ACTIVE, DECLINED, INACTIVE or ALL; got {status!r}"
                ) from None
    return tuple(query)


def list_users_request(
    workspace_id: str, *, page: int, page_size: int, filters: tuple[tuple[str, str], ...] = ()
) -> Request:
    """``GET /workspaces/{id}/users?page=N&page-size=M&...`` (README; ``page`` is 1-based)."""
    query = (("page", str(page)), ("page-size", str(page_size)), *filters)
    return Request("GET", ("workspaces", workspace_id, "users"), query=query, scope=workspace_id)


def is_last_page(headers: Mapping[str, str], count: int, page_size: int) -> bool:
    """Whether the users list ends here: ``Last-Page: true``, or a page shorter than asked.

    README: the list has no total, only the ``Last-Page`` header; a short page is also the end
    (a server or proxy that drops the header must not make the walk stop at page 1 or never).
    """
    if headers.get("last-page", "").strip().lower() == "true":
        return True
    return count < page_size


# --- decoding --------------------------------------------------------------------------------


def parse_admin_only_pages(value: object) -> list[str]:
    """``adminOnlyPages``: a JSON array inside a string (doc L78, L334) or a real array (README).

    ``null`` and an empty string read as no pages; anything else is an error naming the field.
    """
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not a JSON array in a string: {exc}") from None
    elif value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError(f"expected an array of page names, got {value!r:.80}")
    return value


#: How many distinct ``adminOnlyPages`` strings a decoder keeps parsed.
_ADMIN_PAGES_CACHE: Final = 256


def _configure(conv: cattrs.Converter) -> None:
    # The hot shapes (strings, booleans, tolerant enums, optional rates, lists of memberships)
    # have fast hooks in ``make_converter``; here only what is Clockify's own.
    # doc L78, L334 (and README): ``adminOnlyPages`` is a JSON array in a string, or an array.
    # The strings repeat (a handful of page sets per account): parsing one with ``json.loads``
    # costs more than the rest of the settings' strings together, so parsed ones are kept.
    parsed: dict[str, tuple[str, ...]] = {}

    def admin_only_pages(value: Any, _: Any) -> list[str]:
        if value.__class__ is str:
            pages = parsed.get(value)
            if pages is None:
                pages = tuple(parse_admin_only_pages(value))
                if len(parsed) < _ADMIN_PAGES_CACHE:
                    parsed[value] = pages
            return list(pages)
        return parse_admin_only_pages(value)

    conv.register_structure_hook(
        WorkspaceSettings,
        model_structure_fn(
            conv, WorkspaceSettings, naming=camel_case, hooks={"admin_only_pages": admin_only_pages}
        ),
    )
    # The users list's shape is Clockify's public docs, not our document: unknown fields are
    # ignored even under strict decoding, for this one class only.
    conv.register_structure_hook(
        WorkspaceUser,
        model_structure_fn(conv, WorkspaceUser, naming=camel_case, forbid_extra_keys=False),
    )


#: Clockify's JSON names are camelCase forms of the Python names.
decoder: Final = ModelDecoder(naming=camel_case, configure=_configure)

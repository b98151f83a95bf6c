"""Clockify wire knowledge, pure: credentials, argument checks, requests, pages, decoding.

Every rule here cites a section of Clockify's API documentation (https://docs.clockify.me/):
an endpoint as ``"Workspace > Add user to workspace"``; ``"User > Find all users on
workspace"`` is the users list; a model by its field in the workspace response. Nothing here
awaits or touches the network: each function takes values and returns a
:class:`~timeclients._wire.Request`, a decision, or a model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
import cattrs

from .._decode import ModelDecoder, camel_case, model_structure_fn
from .._spec import DefaultURL, VendorSpec, env_credential
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
from .._wire import Credential, RateLimit, Request, check_credential, credential_fingerprint
from ..errors import (
    AlreadyMemberError,
    APIError,
    ConfigurationError,
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
    "DEFAULT_BASE_URL",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RATE_LIMIT",
    "ENV_ADDON_TOKEN",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "LIST_STATUS_ALL",
    "MAX_PAGE_SIZE",
    "NAME_MAX",
    "SETTABLE_STATUSES",
    "SPEC",
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
    "resolve_credential",
    "set_user_status_request",
    "user_cost_rate_request",
    "user_hourly_rate_request",
    "workspace_cost_rate_request",
    "workspace_hourly_rate_request",
]

DEFAULT_BASE_URL: Final = DefaultURL("https://api.clockify.me/api/v1")
#: "Rate limiting": add-on tokens get 50 requests per second per workspace; no
#: figure is published for API keys, so they get the same by default.
DEFAULT_RATE_LIMIT: Final = RateLimit(50, 1.0)
ENV_API_KEY: Final = "CLOCKIFY_API_KEY"
ENV_ADDON_TOKEN: Final = "CLOCKIFY_ADDON_TOKEN"  # noqa: S105 (a variable name, not a secret)
ENV_BASE_URL: Final = "CLOCKIFY_BASE_URL"
#: "Authentication": a personal API key.
API_KEY_HEADER: Final = "X-Api-Key"
#: "Authentication": an add-on's token.
ADDON_TOKEN_HEADER: Final = "X-Addon-Token"  # noqa: S105 (a header name, not a secret)
#: "Workspace > Add workspace": a workspace name is 1-50 characters.
NAME_MAX: Final = 50
#: "Workspace > Update workspace billable rate": a currency is 1-100 characters.
CURRENCY_MAX: Final = 100
#: "User > Find all users on workspace": ``page-size`` defaults to 50; 5000 is the most.
DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 5000
#: The users list also filters by ``status=ALL``, which is not a membership status.
LIST_STATUS_ALL: Final = "ALL"
#: "Workspace > Update user's status": the two statuses ``PUT .../users/{userId}`` sets.
SETTABLE_STATUSES: Final = frozenset({MembershipStatus.ACTIVE, MembershipStatus.INACTIVE})
#: "Workspace > Add user to workspace": what ``POST /workspaces/{id}/users`` means by 402,
#: 403 and 409.
ADD_USER_ERRORS: Final[Mapping[int, type[APIError]]] = {
    402: SubscriptionRequiredError,
    403: NoSeatsAvailableError,
    409: AlreadyMemberError,
}


def api_key_credential(api_key: str) -> Credential:
    """A personal API key, sent as ``X-Api-Key`` ("Authentication")."""
    check_credential("api_key", api_key)
    return Credential(
        "api_key", {API_KEY_HEADER: api_key}, credential_fingerprint("clockify-api-key", api_key)
    )


def addon_credential(addon_token: str) -> Credential:
    """An add-on token, sent as ``X-Addon-Token`` ("Authentication")."""
    check_credential("addon_token", addon_token)
    return Credential(
        "addon_token",
        {ADDON_TOKEN_HEADER: addon_token},
        credential_fingerprint("clockify-addon-token", addon_token),
    )


def resolve_credential(api_key: str | None, addon_token: str | None) -> Credential:
    """The credential a client was given: ``api_key=`` or ``addon_token=`` (not both), else
    ``CLOCKIFY_API_KEY`` then ``CLOCKIFY_ADDON_TOKEN`` from the environment."""
    if api_key is not None and addon_token is not None:
        raise ConfigurationError("pass either api_key or addon_token, not both")
    if api_key is not None:
        return attrs.evolve(api_key_credential(api_key), source="api_key=")
    if addon_token is not None:
        return attrs.evolve(addon_credential(addon_token), source="addon_token=")
    found = env_credential(ENV_API_KEY, ENV_ADDON_TOKEN)
    if found is None:
        raise ConfigurationError(
            f"no Clockify credential: pass api_key= or addon_token=, "
            f"or set {ENV_API_KEY} or {ENV_ADDON_TOKEN}"
        )
    name, value = found
    credential = api_key_credential(value) if name == ENV_API_KEY else addon_credential(value)
    return attrs.evolve(credential, source=name)


# --- argument checks -------------------------------------------------------------------------


def _since(value: object) -> str:
    # "Workspace > Update workspace cost rate": ISO-8601 in UTC with a "Z"; a naive time would
    # be a guess.
    return format_utc(require_aware("since", value))


def _amount(name: str, value: object) -> int:
    # The four rate endpoints ("Workspace > Update workspace cost rate", "... billable rate",
    # "Workspace > Update user's cost rate", "... hourly rate"): amounts are integers in minor
    # units, minimum 0.
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
    """``GET /workspaces?roles=A&roles=B`` ("Workspace > Get all my workspaces"); no workspace:
    the credential's scope."""
    checked = check_enums("roles", roles, Role)
    return Request("GET", ("workspaces",), query=tuple(("roles", r.value) for r in checked))


def get_workspace_request(workspace_id: object) -> Request:
    """``GET /workspaces/{workspaceId}`` ("Workspace > Get workspace info")."""
    ws = check_id("workspace_id", workspace_id)
    return Request("GET", ("workspaces", ws), scope=ws)


def create_workspace_request(*, name: object, organization_id: object) -> Request:
    """``POST /workspaces`` with ``{"name", "organizationId"}`` ("Workspace > Add workspace")."""
    body = {
        "name": check_text_field("name", name, min_len=1, max_len=NAME_MAX),
        "organizationId": check_id("organization_id", organization_id),
    }
    return Request("POST", ("workspaces",), json=body)


def workspace_cost_rate_request(workspace_id: object, *, amount: object, since: object) -> Request:
    """``PUT /workspaces/{id}/cost-rate`` with ``{"amount", "since"?}``
    ("Workspace > Update workspace cost rate")."""
    ws = check_id("workspace_id", workspace_id)
    return Request("PUT", ("workspaces", ws, "cost-rate"), json=_rate_body(amount, since), scope=ws)


def workspace_hourly_rate_request(
    workspace_id: object, *, amount: object, currency: object, since: object
) -> Request:
    """``PUT /workspaces/{id}/hourly-rate`` with ``{"amount", "currency", "since"?}``
    ("Workspace > Update workspace billable rate")."""
    ws = check_id("workspace_id", workspace_id)
    body: dict[str, object] = {
        "amount": _amount("amount", amount),
        "currency": check_text_field("currency", currency, min_len=1, max_len=CURRENCY_MAX),
    }
    if since is not None:
        body["since"] = _since(since)
    return Request("PUT", ("workspaces", ws, "hourly-rate"), json=body, scope=ws)


def add_user_request(workspace_id: object, *, email: object, send_email: object) -> Request:
    """``POST /workspaces/{id}/users?send-email=true|false`` with ``{"email"}``
    ("Workspace > Add user to workspace").

    402, 403 and 409 have this endpoint's own meanings ("Workspace > Add user to workspace").
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
    ("Workspace > Update user's status")."""
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
    ("Workspace > Update user's cost rate")."""
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
    ("Workspace > Update user's hourly rate")."""
    ws = check_id("workspace_id", workspace_id)
    user = check_id("user_id", user_id)
    body = _rate_body(amount, since)
    return Request("PUT", ("workspaces", ws, "users", user, "hourly-rate"), json=body, scope=ws)


def check_list_filters(
    *, status: object, email: object, name: object, page_size: object
) -> tuple[tuple[str, str], ...]:
    """The users list's filters as query pairs ("User > Find all users on workspace"): checked
    once, before the first page."""
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
    """``GET /workspaces/{id}/users?page=N&page-size=M&...`` ("User > Find all users on
    workspace"; ``page`` is 1-based)."""
    query = (("page", str(page)), ("page-size", str(page_size)), *filters)
    return Request("GET", ("workspaces", workspace_id, "users"), query=query, scope=workspace_id)


def is_last_page(headers: Mapping[str, str], count: int, page_size: int) -> bool:
    """Whether the users list ends here: ``Last-Page: true``, or a page shorter than asked.

    The list has no total, only the ``Last-Page`` header; a short page is also the end
    (a server or proxy that drops the header must not make the walk stop at page 1 or never).
    """
    if headers.get("last-page", "").strip().lower() == "true":
        return True
    return count < page_size


# --- decoding --------------------------------------------------------------------------------


def parse_admin_only_pages(value: object) -> list[str]:
    """``adminOnlyPages``: a JSON array inside a string (the sample of "Workspace > Get all my
    workspaces") or a real array (``workspaceSettings``, and live answers).

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
    # ``workspaceSettings``: ``adminOnlyPages`` is a JSON array in a string, or an
    # array.
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
    # The users list's shape comes from Clockify's public docs, not a sample: unknown fields are
    # ignored even under strict decoding, for this one class only.
    conv.register_structure_hook(
        WorkspaceUser,
        model_structure_fn(conv, WorkspaceUser, naming=camel_case, forbid_extra_keys=False),
    )


#: Clockify's JSON names are camelCase forms of the Python names.
decoder: Final = ModelDecoder(naming=camel_case, configure=_configure)


#: Everything ClockifyClient reads from its vendor (see ``timeclients._spec``).
SPEC: Final = VendorSpec(
    name="clockify",
    default_base_url=DEFAULT_BASE_URL,
    base_url_env=ENV_BASE_URL,
    credential_envs=(ENV_API_KEY, ENV_ADDON_TOKEN),
    rate_limit=DEFAULT_RATE_LIMIT,
    decoder=decoder,
)

"""McTime wire knowledge, pure: build clock requests, classify page items, decode pages.

Everything here follows McTime's API documentation (https://mctime.com/api), cited by endpoint:
"GET /clock" (who is clocked in) and "GET /clock/{id}" (one open entry), with their
"Response fields" and "Status codes"; and McTime's published restrictions (10 requests per
second per API key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import cattrs

from .._decode import ModelDecoder, camel_case
from .._spec import DefaultURL, VendorSpec, env_credential, refined
from .._wire import Credential, RateLimit, Request, check_credential, credential_fingerprint
from ..errors import APIError, ClockedOutError, ConfigurationError, EntryNotVisibleError
from .models import ClockPage, ClockStatus, ItemError, TimeType

__all__ = [
    "API_KEY_HEADER",
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "GET_ERRORS",
    "PAGE_SIZE",
    "SPEC",
    "PageFetch",
    "WirePage",
    "clocked_out_message",
    "decoder",
    "get_request",
    "item_error_of",
    "key_credential",
    "page_request",
    "refine_error",
    "resolve_credential",
    "to_clock_page",
]

DEFAULT_BASE_URL: Final = DefaultURL("https://mctime.com/api/v2/auth")
#: "GET /clock": "Authentication: header API_KEY: <your key>."
API_KEY_HEADER: Final = "API_KEY"
ENV_API_KEY: Final = "MCTIME_API_KEY"
ENV_BASE_URL: Final = "MCTIME_BASE_URL"
#: McTime's published restriction: 10 requests per second per API key.
DEFAULT_RATE_LIMIT: Final = RateLimit(10, 1.0)
#: "GET /clock", parameter ``page``: "Page size is 20"; fixed by the vendor.
PAGE_SIZE: Final = 20

#: "GET /clock/{id}", "Status codes": "404 The id is not an open clock entry — it has already
#: been clocked out"; "400 The authenticated user is not allowed to see this entry, or the id
#: does not exist" ("Status code details": a non-existent id is a 400, not a 404).
GET_ERRORS: Final[Mapping[int, type[APIError]]] = {
    404: ClockedOutError,
    400: EntryNotVisibleError,
}

#: ``await fetch(n)`` -> page ``n`` of one ``GET /clock`` listing.
PageFetch = Callable[[int], Awaitable[ClockPage]]

_ERROR_STATUS_KEYS: Final = ("status", "statusCode", "code")
_ERROR_MESSAGE_KEYS: Final = ("message", "error", "errorMessage", "detail")
_ERROR_KEYS: Final = frozenset(_ERROR_STATUS_KEYS + _ERROR_MESSAGE_KEYS)
# Every running entry has these ("GET /clock": the sample and "Response fields").
_CLOCK_KEYS: Final = ("id", "from")


def key_credential(api_key: str) -> Credential:
    """The API key, sent as header ``API_KEY`` (document: "Authentication: header API_KEY")."""
    check_credential("api_key", api_key)
    return Credential(
        "api_key", {API_KEY_HEADER: api_key}, credential_fingerprint("mctime-api-key", api_key)
    )


def resolve_credential(api_key: str | None) -> Credential:
    """``api_key=``, else ``MCTIME_API_KEY`` from the environment; named by its source."""
    if api_key is not None:
        return attrs.evolve(key_credential(api_key), source="api_key=")
    found = env_credential(ENV_API_KEY)
    if found is None:
        raise ConfigurationError(
            f"McTimeClient needs an API key: pass api_key= or set {ENV_API_KEY}"
        )
    name, value = found
    check_credential(name, value)  # the error names the variable
    return attrs.evolve(key_credential(value), source=name)


def page_request(
    page: int,
    *,
    user_ids: Sequence[str] = (),
    time_types: Sequence[TimeType] = (),
    organization_ids: Sequence[str] = (),
    organization_names: Sequence[str] = (),
) -> Request:
    """``GET /clock`` for one page; filters as repeated query parameters (``userIds=a&userIds=b``).

    "GET /clock", "Query parameters": every filter is "string (repeatable)"; ``page`` starts
    at 1.

    Arguments are already validated.
    """
    query: list[tuple[str, str]] = []
    query.extend(("userIds", u) for u in user_ids)
    query.extend(("timeTypes", str(t.value)) for t in time_types)
    query.extend(("organizationIds", o) for o in organization_ids)
    query.extend(("organizationNames", n) for n in organization_names)
    query.append(("page", str(page)))
    return Request("GET", ("clock",), query=tuple(query))


def get_request(entry_id: str) -> Request:
    """``GET /clock/{id}`` with its own 404 and 400 meanings."""
    return Request("GET", ("clock", entry_id), errors=GET_ERRORS)


def clocked_out_message(entry_id: str, vendor_message: str) -> str:
    """The message of a :class:`ClockedOutError`: what happened and where the entry went."""
    text = (
        f"clock entry {entry_id!r} is clocked out: it is now a time entry, "
        f"read it with GET /times/{entry_id}"
    )
    return f"{text} (McTime: {vendor_message})" if vendor_message else text


def refine_error(request: Request, error: APIError) -> APIError | None:
    """A :class:`ClockedOutError` of ``GET /clock/{id}`` says where the entry went."""
    if not isinstance(error, ClockedOutError) or len(request.path) != 2:
        return None
    return refined(error, ClockedOutError, clocked_out_message(request.path[1], error.message))


def item_error_of(item: object) -> ItemError | None:
    """The error a ``GET /clock`` item carries instead of a clock status, else ``None``.

    "GET /clock" says a user the key may not see "yields a 400 item" but not its shape (so:
    accept any such item, keep the others). So any object with an
    error status or message (``status``/``code``/``error``/``message``...) and without the
    fields every running entry has (``id`` and ``from``) is an error item.
    """
    if not isinstance(item, Mapping) or not (_ERROR_KEYS & item.keys()):
        return None
    if all(k in item for k in _CLOCK_KEYS):
        return None
    return ItemError(user_id=_user_id(item), status=_status(item), message=_message(item))


def _user_id(item: Mapping[str, Any]) -> str | None:
    for key in ("userId", "user_id", "id"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _status(item: Mapping[str, Any]) -> int:
    for key in _ERROR_STATUS_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return value
    return 400  # "yields a 400 item"


def _message(item: Mapping[str, Any]) -> str:
    for key in _ERROR_MESSAGE_KEYS:
        value = item.get(key)
        if isinstance(value, Mapping):
            value = value.get("message") or value.get("error")
        if isinstance(value, str) and value:
            return value
    return ""


@attrs.frozen
class WirePage:
    """``GET /clock`` as sent: items are clock statuses or per-item errors."""

    items: list[ClockStatus | ItemError]
    page: int
    total_items: int
    #: The vendor's name for the number of *pages* ("GET /clock", "Response fields").
    total_count: int


def _configure(conv: cattrs.Converter) -> None:
    def structure_item(value: Any, _: Any) -> ClockStatus | ItemError:
        # Decide before structuring: a clock item must still forbid unknown keys (strict
        # decoding), an error item has whatever shape the vendor gives it.
        error = item_error_of(value)
        if error is not None:
            return error
        return conv.structure(value, ClockStatus)

    conv.register_structure_hook(ClockStatus | ItemError, structure_item)


#: The McTime decoder: camelCase JSON, ``from`` as ``from_``, pages with per-item errors.
decoder: Final = ModelDecoder(naming=camel_case, configure=_configure)


def to_clock_page(wire: WirePage) -> ClockPage:
    """Split a decoded page into clock statuses and per-item errors, keeping their order."""
    items = [i for i in wire.items if isinstance(i, ClockStatus)]
    errors = [i for i in wire.items if isinstance(i, ItemError)]
    return ClockPage(
        items=items,
        item_errors=errors,
        page=wire.page,
        total_items=wire.total_items,
        total_pages=wire.total_count,
    )


#: Everything McTimeClient reads from its vendor (see ``timeclients._spec``).
SPEC: Final = VendorSpec(
    name="mctime",
    default_base_url=DEFAULT_BASE_URL,
    base_url_env=ENV_BASE_URL,
    credential_envs=(ENV_API_KEY,),
    rate_limit=DEFAULT_RATE_LIMIT,
    decoder=decoder,
    refine_error=refine_error,
)

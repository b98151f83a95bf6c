"""McTime wire knowledge, pure: build clock requests, classify page items, decode pages.

Everything here follows mctime-clock-api.md and the McTime notes of specs/README.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import cattrs

from .._base import Credential, DefaultURL
from .._decode import ModelDecoder, camel_case
from .._transport import Request, credential_fingerprint
from ..errors import APIError, ClockedOutError, EntryNotVisibleError
from .models import ClockPage, ClockStatus, ItemError, TimeType

__all__ = [
    "API_KEY_HEADER",
    "DEFAULT_BASE_URL",
    "ENV_API_KEY",
    "GET_ERRORS",
    "PAGE_SIZE",
    "PageFetch",
    "WirePage",
    "clocked_out_message",
    "decoder",
    "get_request",
    "item_error_of",
    "key_credential",
    "page_request",
    "to_clock_page",
]

DEFAULT_BASE_URL: Final = DefaultURL("https://mctime.com/api/v2/auth")
#: mctime-clock-api.md:4 "Authentication: header API_KEY: <your key>."
API_KEY_HEADER: Final = "API_KEY"
ENV_API_KEY: Final = "MCTIME_API_KEY"
#: mctime-clock-api.md:12 "Page size is 20"; fixed by the vendor.
PAGE_SIZE: Final = 20

#: ``GET /clock/{id}``, mctime-clock-api.md:62-63: "404 The id is not an open clock entry — it
#: has already been clocked out"; "400 The authenticated user is not allowed to see this entry,
#: or the id does not exist" (line 67: a non-existent id is a 400, not a 404).
GET_ERRORS: Final[Mapping[int, type[APIError]]] = {
    404: ClockedOutError,
    400: EntryNotVisibleError,
}

#: ``await fetch(n)`` -> page ``n`` of one ``GET /clock`` listing.
PageFetch = Callable[[int], Awaitable[ClockPage]]

_ERROR_STATUS_KEYS: Final = ("status", "statusCode", "code")
_ERROR_MESSAGE_KEYS: Final = ("message", "error", "errorMessage", "detail")
_ERROR_KEYS: Final = frozenset(_ERROR_STATUS_KEYS + _ERROR_MESSAGE_KEYS)
# Every running entry has these (the document's sample and "Response fields").
_CLOCK_KEYS: Final = ("id", "from")


def key_credential(api_key: str) -> Credential:
    """The API key, sent as header ``API_KEY`` (document: "Authentication: header API_KEY")."""
    return Credential(
        "api_key", {API_KEY_HEADER: api_key}, credential_fingerprint("mctime-api-key", api_key)
    )


def page_request(
    page: int,
    *,
    user_ids: Sequence[str] = (),
    time_types: Sequence[TimeType] = (),
    organization_ids: Sequence[str] = (),
    organization_names: Sequence[str] = (),
) -> Request:
    """``GET /clock`` for one page; filters as repeated query parameters (``userIds=a&userIds=b``).

    mctime-clock-api.md:8-12: every filter is "string (repeatable)"; ``page`` starts at 1.

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


def item_error_of(item: object) -> ItemError | None:
    """The error a ``GET /clock`` item carries instead of a clock status, else ``None``.

    mctime-clock-api.md:8 says a user the key may not see "yields a 400 item" but not its
    shape (specs/README.md: accept any such item, keep the others). So any object with an
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
    #: The vendor's name for the number of *pages* (mctime-clock-api.md:47, specs/README.md).
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

"""McTime wire knowledge, without I/O: requests, per-item error detection, page decoding."""

from __future__ import annotations

from typing import Any

import pytest

from timeclients._decode import set_strict_decoding
from timeclients._transport import encode_path
from timeclients.errors import ClockedOutError, DecodeError, EntryNotVisibleError
from timeclients.mctime import ItemError, TimeType
from timeclients.mctime._protocol import (
    WirePage,
    clocked_out_message,
    decoder,
    get_request,
    item_error_of,
    page_request,
    to_clock_page,
)

from .test_models import SAMPLE_ITEM


def test_page_request_sends_filters_as_repeated_parameters() -> None:
    """Each filter value is its own ``key=value`` pair, in order, then the page."""
    request = page_request(
        3,
        user_ids=("u1", "u2"),
        time_types=(TimeType.WORK, TimeType.HOME_OFFICE),
        organization_ids=("o1",),
        organization_names=("Main Office", "Zürich"),
    )
    assert request.method == "GET"
    assert request.path == ("clock",)
    assert request.query == (
        ("userIds", "u1"),
        ("userIds", "u2"),
        ("timeTypes", "work"),
        ("timeTypes", "home_office"),
        ("organizationIds", "o1"),
        ("organizationNames", "Main Office"),
        ("organizationNames", "Zürich"),
        ("page", "3"),
    )


def test_page_request_without_filters_sends_only_the_page() -> None:
    """No filter means no filter parameter at all ("Empty = all users the key may see")."""
    assert page_request(1).query == (("page", "1"),)


def test_get_request_encodes_the_id_and_maps_404_and_400() -> None:
    """``GET /clock/{id}``: the id is one path segment; 404 is clocked out, 400 not visible."""
    request = get_request("../times/x?y")
    assert encode_path(request.path) == "/clock/..%2Ftimes%2Fx%3Fy"
    assert request.errors[404] is ClockedOutError
    assert request.errors[400] is EntryNotVisibleError


def test_clocked_out_message_points_to_the_time_entry() -> None:
    """The message says the entry is clocked out and where to read it now."""
    message = clocked_out_message("e1", "")
    assert "clocked out" in message
    assert "time entry" in message
    assert "GET /times/e1" in message
    assert clocked_out_message("e1", "Gone").endswith("(McTime: Gone)")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"userId": "u1", "status": 400, "message": "not allowed"},
            ItemError("u1", 400, "not allowed"),
        ),
        ({"userId": "u1", "code": 400, "error": "forbidden"}, ItemError("u1", 400, "forbidden")),
        ({"userId": "u1", "statusCode": "400"}, ItemError("u1", 400, "")),
        ({"userId": "u1", "error": {"message": "nested"}}, ItemError("u1", 400, "nested")),
        ({"id": "u1", "message": "no status given"}, ItemError("u1", 400, "no status given")),
        ({"status": 403, "errorMessage": "x"}, ItemError(None, 403, "x")),
        (
            {"userId": "u1", "status": True, "message": "bool is no status"},
            ItemError("u1", 400, "bool is no status"),
        ),
        (
            {"userId": "u1", "status": 42, "message": "not an HTTP status"},
            ItemError("u1", 400, "not an HTTP status"),
        ),
    ],
)
def test_error_items_in_every_documented_and_likely_shape(item: Any, expected: ItemError) -> None:
    """An item with an error status or message instead of clock fields is an ItemError."""
    assert item_error_of(item) == expected


@pytest.mark.parametrize(
    "item",
    [
        SAMPLE_ITEM,
        {**SAMPLE_ITEM, "status": "ACTIVE"},  # a clock item that grew a "status" field
        {"userId": "u1"},  # neither: left for the decoder to reject
        ["not", "a", "dict"],
    ],
)
def test_clock_items_and_others_are_not_error_items(item: Any) -> None:
    """Items that have the clock fields (or no error key) are not taken for errors."""
    assert item_error_of(item) is None


def page_json(*items: Any, page: int = 1, total_items: int = 1, total_count: int = 1) -> Any:
    return {
        "items": list(items),
        "page": page,
        "totalItems": total_items,
        "totalCount": total_count,
    }


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "production"])
def test_a_page_splits_into_statuses_and_item_errors(strict: bool) -> None:
    """Error items are kept apart, every clock item is kept, totals keep the vendor's meaning."""
    other = {**SAMPLE_ITEM, "id": "e2", "userId": "u2"}
    data = page_json(
        SAMPLE_ITEM,
        {"userId": "hidden", "status": 400, "message": "User not visible"},
        other,
        page=2,
        total_items=41,
        total_count=3,
    )
    set_strict_decoding(strict)
    try:
        page = to_clock_page(decoder.structure(data, WirePage))
    finally:
        set_strict_decoding(True)
    assert [s.id for s in page.items] == [SAMPLE_ITEM["id"], "e2"]
    assert page.item_errors == [ItemError("hidden", 400, "User not visible")]
    assert (page.page, page.total_items, page.total_pages) == (2, 41, 3)


def test_a_misfit_item_is_a_decode_error_naming_its_index() -> None:
    """A broken clock item names its place in the page: ``$.items[1].from``."""
    data = page_json(SAMPLE_ITEM, {**SAMPLE_ITEM, "from": "yesterday"})
    with pytest.raises(DecodeError) as info:
        decoder.structure(data, WirePage)
    assert info.value.field == "$.items[1].from"


def test_an_unknown_field_on_a_clock_item_fails_under_strict_decoding(strict_mode: None) -> None:
    """Deciding item-versus-error first does not loosen strict decoding of clock items."""
    with pytest.raises(DecodeError) as info:
        decoder.structure(page_json({**SAMPLE_ITEM, "surprise": 1}), WirePage)
    assert info.value.field == "$.items[0]"


def test_a_page_without_items_is_a_decode_error() -> None:
    """A body that is not a page (no ``items``) does not pass as an empty page."""
    with pytest.raises(DecodeError):
        decoder.structure({"page": 1, "totalItems": 0, "totalCount": 0}, WirePage)

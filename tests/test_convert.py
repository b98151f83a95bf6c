"""Shared converters: JSON names, aware datetimes, tolerant enums, DecodeError paths."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._convert import (
    ModelDecoder,
    TolerantEnum,
    camel_case,
    parse_aware_datetime,
    set_strict_decoding,
    snake_case,
)
from timeclients.errors import DecodeError


class Colour(TolerantEnum):
    RED = "RED"
    BLUE = "BLUE"


@attrs.frozen
class Inner:
    user_id: str
    from_: datetime
    colour: Colour


@attrs.frozen
class Outer:
    id: str
    items: list[Inner]
    note: str | None = None


DECODER = ModelDecoder(naming=camel_case)
GOOD = {
    "id": "o1",
    "items": [{"userId": "u1", "from": "2026-01-15T08:00:00+01:00", "colour": "RED"}],
}


def test_camel_and_snake_names() -> None:
    """Attribute names map to the vendors' JSON keys."""
    assert camel_case("user_first_name") == "userFirstName"
    assert camel_case("from_") == "from"
    assert camel_case("id") == "id"
    assert snake_case("from_") == "from"


def test_structures_and_keeps_offset() -> None:
    """A datetime keeps the offset it was sent with."""
    outer = DECODER.structure(GOOD, Outer)
    assert outer.items[0].from_.utcoffset() == timedelta(hours=1)
    assert outer.items[0].colour is Colour.RED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-25T23:00:00Z", datetime(2024, 2, 25, 23, tzinfo=timezone.utc)),
        ("2013-03-06T12:18:42+00:00", datetime(2013, 3, 6, 12, 18, 42, tzinfo=timezone.utc)),
    ],
)
def test_aware_datetimes(text: str, expected: datetime) -> None:
    """Z and explicit offsets are read as aware datetimes."""
    assert parse_aware_datetime(text) == expected


def test_naive_datetime_is_refused() -> None:
    """A datetime without a zone is ambiguous and does not decode."""
    with pytest.raises(ValueError, match="timezone"):
        parse_aware_datetime("2024-01-01T00:00:00")


@given(st.text(min_size=1, max_size=20))
def test_unknown_enum_values_parse(value: str) -> None:
    """Any string decodes into the enum; undocumented ones keep their raw value."""
    colour = Colour(value)
    assert colour.value == value
    assert colour.known is (value in ("RED", "BLUE"))
    assert Colour.is_documented(value) is (value in ("RED", "BLUE"))


def test_unknown_enum_in_payload() -> None:
    """A vendor's new enum value does not break decoding of the model."""
    data = {**GOOD, "items": [{**GOOD["items"][0], "colour": "TEAL"}]}  # type: ignore[dict-item]
    outer = DECODER.structure(data, Outer)
    assert outer.items[0].colour.value == "TEAL"
    assert not outer.items[0].colour.known
    assert list(Colour) == [Colour.RED, Colour.BLUE]


@pytest.mark.parametrize("strict", [True, False])
def test_decode_error_names_the_field(strict: bool) -> None:
    """A misfit field is named by its JSON path, in production and strict mode alike."""
    bad = {"id": "o1", "items": [GOOD["items"][0], {"userId": "u2", "colour": "RED"}]}
    set_strict_decoding(strict)
    try:
        with pytest.raises(DecodeError) as info:
            DECODER.structure(bad, Outer, method="GET", path="/o")
    finally:
        set_strict_decoding(True)
    assert info.value.field == "$.items[1].from"
    assert "GET /o" in str(info.value)


def test_missing_required_is_decode_error_not_keyerror() -> None:
    """A missing required key is a DecodeError, never a KeyError."""
    with pytest.raises(DecodeError) as info:
        DECODER.structure({"items": []}, Outer)
    assert info.value.field == "$.id"


def test_strict_mode_forbids_unknown_keys_production_ignores_them() -> None:
    """Drift from the documents fails in the test suite and is ignored in production."""
    data = {**GOOD, "surprise": 1}
    with pytest.raises(DecodeError):
        DECODER.structure(data, Outer)
    set_strict_decoding(False)
    try:
        assert DECODER.structure(data, Outer).id == "o1"
    finally:
        set_strict_decoding(True)


def test_structure_list_requires_array() -> None:
    """An object where an array is documented is a DecodeError at $."""
    with pytest.raises(DecodeError) as info:
        DECODER.structure_list({"id": "x"}, Outer)
    assert info.value.field == "$"

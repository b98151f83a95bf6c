"""McTime models decode the document's sample exactly, keep offsets, tolerate new time types."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from timeclients._decode import set_strict_decoding, strict_decoding
from timeclients.errors import DecodeError
from timeclients.mctime import Break, ClockStatus, TimeType
from timeclients.mctime._protocol import decoder

# McTime "GET /clock" (https://mctime.com/api), "Response 200 OK", the one item of the sample.
SAMPLE_ITEM: dict[str, Any] = {
    "userId": "11111111-1111-1111-1111-111111111111",
    "userFirstName": "John",
    "userLastName": "Doe",
    "clockedIn": True,
    "onBreak": True,
    "from": "2026-01-15T08:00:00+01:00",
    "id": "22222222-2222-2222-2222-222222222222",
    "organizationId": "33333333-3333-3333-3333-333333333333",
    "organizationName": "Main Office",
    "timeType": "work",
    "breaks": [
        {
            "id": "55555555-5555-5555-5555-555555555555",
            "from": "2026-01-15T12:00:00+01:00",
            "to": None,
            "automatic": False,
        }
    ],
}

DOCUMENTED_TIME_TYPES = (  # noqa: SIM905 - the document's list, pasted as written
    "work, parental_leave, worked_rest_period, clocking, statutory_leave, "
    "public_holiday_abroad, medical_leave, bad_weather, company_vacation, unpaid_vacation, "
    "care_leave, out_office, work_accident_sickness, military_exercize, flextime, "
    "unpaid_time_off, home_office, study_leave, paid_time_off, other_leave, vacation_abroad, "
    "travel, sick, military_service, jubilee_day, vacation, move, special_leave, free_time"
).split(", ")


def test_the_sample_item_decodes_field_by_field() -> None:
    """Every field of the document's sample lands in its snake_case attribute."""
    status = decoder.structure(SAMPLE_ITEM, ClockStatus)
    plus_one = timezone(timedelta(hours=1))
    assert status == ClockStatus(
        id="22222222-2222-2222-2222-222222222222",
        user_id="11111111-1111-1111-1111-111111111111",
        user_first_name="John",
        user_last_name="Doe",
        clocked_in=True,
        on_break=True,
        from_=datetime(2026, 1, 15, 8, 0, tzinfo=plus_one),
        organization_id="33333333-3333-3333-3333-333333333333",
        organization_name="Main Office",
        time_type=TimeType.WORK,
        breaks=[
            Break(
                id="55555555-5555-5555-5555-555555555555",
                from_=datetime(2026, 1, 15, 12, 0, tzinfo=plus_one),
                to=None,
                automatic=False,
            )
        ],
    )


def test_from_keeps_the_offset_it_was_sent_with() -> None:
    """``from_`` is aware and keeps +01:00 (not converted to UTC); Z reads as UTC."""
    status = decoder.structure(SAMPLE_ITEM, ClockStatus)
    assert status.from_.utcoffset() == timedelta(hours=1)
    assert status.from_.isoformat() == "2026-01-15T08:00:00+01:00"
    utc = decoder.structure({**SAMPLE_ITEM, "from": "2026-01-15T07:00:00Z"}, ClockStatus)
    assert utc.from_.utcoffset() == timedelta(0)
    assert utc.from_ == status.from_


def test_a_closed_break_has_an_end_and_null_breaks_are_none() -> None:
    """A finished break has ``to``; ``breaks: null`` (no breaks) is ``None``."""
    closed = {**SAMPLE_ITEM["breaks"][0], "to": "2026-01-15T12:30:00+01:00"}
    status = decoder.structure({**SAMPLE_ITEM, "onBreak": False, "breaks": [closed]}, ClockStatus)
    assert status.breaks is not None
    assert status.breaks[0].to == datetime(2026, 1, 15, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    assert decoder.structure({**SAMPLE_ITEM, "breaks": None}, ClockStatus).breaks is None


def test_time_type_has_the_29_documented_values() -> None:
    """TimeType lists exactly the document's 29 ``timeTypes`` values."""
    assert len(DOCUMENTED_TIME_TYPES) == 29
    assert [t.value for t in TimeType] == DOCUMENTED_TIME_TYPES


def test_an_undocumented_time_type_still_parses() -> None:
    """A time type McTime adds later reads as a non-member value with ``known`` False."""
    status = decoder.structure({**SAMPLE_ITEM, "timeType": "sabbatical"}, ClockStatus)
    assert status.time_type == "sabbatical"
    assert not status.time_type.known
    assert TimeType.WORK.known


def test_a_naive_clock_in_time_is_a_decode_error_naming_the_field() -> None:
    """A ``from`` without an offset does not fit: the error names ``$.from``."""
    with pytest.raises(DecodeError) as info:
        decoder.structure({**SAMPLE_ITEM, "from": "2026-01-15T08:00:00"}, ClockStatus)
    assert info.value.field == "$.from"


def test_strict_decoding_forbids_unknown_fields_and_production_ignores_them(
    strict_mode: None,
) -> None:
    """The test suite's strict mode fails on drift; production mode reads on."""
    drifted = {**SAMPLE_ITEM, "newField": 1}
    assert strict_decoding()
    with pytest.raises(DecodeError):
        decoder.structure(drifted, ClockStatus)
    set_strict_decoding(False)
    try:
        assert decoder.structure(drifted, ClockStatus).id == SAMPLE_ITEM["id"]
    finally:
        set_strict_decoding(True)

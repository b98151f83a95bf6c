"""McTime's clock-status models: who is clocked in, their breaks, time types, per-item errors.

Field names follow McTime's API documentation (https://mctime.com/api, "GET /clock",
"Response fields"); JSON is camelCase, Python is
snake_case, and ``from`` is ``from_``. The models are tolerant readers: a field is required only
where the object means nothing without it (its ``id``); every other field is ``None`` when
absent or ``null``. A field present with the wrong type is still a ``DecodeError`` naming it.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._decode import TolerantEnum

__all__ = ["Break", "ClockPage", "ClockStatus", "ItemError", "TimeType"]


class TimeType(TolerantEnum):
    """The time-type of a running entry: the 29 names of ``timeTypes`` ("GET /clock").

    A value McTime adds later still parses (``.known`` is then False); as a *filter* only the
    documented values are accepted.
    """

    WORK = "work"
    PARENTAL_LEAVE = "parental_leave"
    WORKED_REST_PERIOD = "worked_rest_period"
    CLOCKING = "clocking"
    STATUTORY_LEAVE = "statutory_leave"
    PUBLIC_HOLIDAY_ABROAD = "public_holiday_abroad"
    MEDICAL_LEAVE = "medical_leave"
    BAD_WEATHER = "bad_weather"
    COMPANY_VACATION = "company_vacation"
    UNPAID_VACATION = "unpaid_vacation"
    CARE_LEAVE = "care_leave"
    OUT_OFFICE = "out_office"
    WORK_ACCIDENT_SICKNESS = "work_accident_sickness"
    MILITARY_EXERCIZE = "military_exercize"  # sic: the vendor's spelling
    FLEXTIME = "flextime"
    UNPAID_TIME_OFF = "unpaid_time_off"
    HOME_OFFICE = "home_office"
    STUDY_LEAVE = "study_leave"
    PAID_TIME_OFF = "paid_time_off"
    OTHER_LEAVE = "other_leave"
    VACATION_ABROAD = "vacation_abroad"
    TRAVEL = "travel"
    SICK = "sick"
    MILITARY_SERVICE = "military_service"
    JUBILEE_DAY = "jubilee_day"
    VACATION = "vacation"
    MOVE = "move"
    SPECIAL_LEAVE = "special_leave"
    FREE_TIME = "free_time"


@attrs.frozen
class Break:
    """A break of a running entry; an ongoing break has ``to=None``."""

    id: str
    from_: datetime | None = None
    to: datetime | None = None
    automatic: bool | None = None


@attrs.frozen
class ClockStatus:
    """One clocked-in user and their running clock entry (``GET /clock`` item)."""

    #: Id of the running clock entry (use it with ``clock.get``).
    id: str
    user_id: str | None = None
    user_first_name: str | None = None
    user_last_name: str | None = None
    #: True for every running entry (only running entries are returned).
    clocked_in: bool | None = None
    #: True while the user is on a break (an open break in ``breaks``).
    on_break: bool | None = None
    #: Clock-in time, aware, with the offset McTime sent (not converted to UTC).
    from_: datetime | None = None
    organization_id: str | None = None
    organization_name: str | None = None
    time_type: TimeType | None = None
    #: The entry's breaks; ``None`` when there are none ("GET /clock": ``null``).
    breaks: list[Break] | None = None


@attrs.frozen
class ItemError:
    """An item of ``GET /clock`` that carries an error instead of a clock status.

    McTime answers a ``userIds`` filter naming a user the key may not see with such an item
    (a "400 item") and still returns the others.
    """

    #: The user the error is about, when the item names one.
    user_id: str | None
    #: The item's status (400 when the item gives none).
    status: int
    #: The item's message ("" when it gives none).
    message: str


@attrs.frozen
class ClockPage:
    """One page of ``GET /clock``: up to 20 clock statuses and the page arithmetic."""

    items: list[ClockStatus]
    #: Items that carried an error instead of a clock status.
    item_errors: list[ItemError]
    #: This page's number (from 1).
    page: int
    #: How many clocked-in users match (the vendor's ``totalItems``).
    total_items: int
    #: How many pages there are (the vendor's ``totalCount``).
    total_pages: int

"""Toggl v8 models: the user behind a credential, its related objects, and input enums.

Field names and shapes follow Toggl's v8 API documentation, "Users"
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md, "the document" below)
and its other chapters. The models are tolerant readers: ``/me`` answers differ by
the account's age (fields were added over the years), so a field is required only where the
object means nothing without it (its ``id``); every other field is ``None`` when absent or
``null``. A field that is present with the wrong type is still a ``DecodeError`` naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._decode import TolerantEnum

__all__ = [
    "Client",
    "DateFormat",
    "Me",
    "NewBlogPost",
    "Project",
    "Tag",
    "Task",
    "TimeEntry",
    "TimeOfDayFormat",
    "User",
    "Workspace",
]


class TimeOfDayFormat(TolerantEnum):
    """The two ``timeofday_format`` values ``PUT /me`` accepts (document, "PUT .../me")."""

    #: 24-hour clock.
    H24 = "H:mm"
    #: 12-hour clock with AM/PM.
    H12 = "h:mm A"


class DateFormat(TolerantEnum):
    """The six ``date_format`` values ``PUT /me`` accepts (document, "PUT .../me")."""

    YMD_DASH = "YYYY-MM-DD"
    DMY_DOT = "DD.MM.YYYY"
    DMY_DASH = "DD-MM-YYYY"
    MDY_SLASH = "MM/DD/YYYY"
    DMY_SLASH = "DD/MM/YYYY"
    MDY_DASH = "MM-DD-YYYY"


@attrs.frozen
class NewBlogPost:
    """Toggl's latest blog post; the document sends ``{}`` when there is none."""

    title: str | None = None
    url: str | None = None


@attrs.frozen
class TimeEntry:
    """A time entry from ``GET /me?with_related_data=true``.

    A negative ``duration`` means the entry is running (v8 stores ``-start`` in unix seconds),
    and a running entry has no ``stop``. ``tags`` is kept as sent: the document's sample
    sends ``[""]``.
    """

    id: int
    wid: int | None = None
    billable: bool | None = None
    start: datetime | None = None
    duration: int | None = None
    at: datetime | None = None
    stop: datetime | None = None
    description: str | None = None
    tags: list[str] | None = None
    # Not in the document's sample, but part of v8 time entries elsewhere in Toggl's docs.
    pid: int | None = None
    tid: int | None = None
    uid: int | None = None
    guid: str | None = None
    duronly: bool | None = None
    created_with: str | None = None

    @property
    def is_running(self) -> bool:
        """True while the timer runs (Toggl v8 marks it with a negative ``duration``)."""
        return self.duration is not None and self.duration < 0


@attrs.frozen
class Project:
    """A project the user can see. ``color`` is a string index (``"5"``), as sent."""

    id: int
    wid: int | None = None
    name: str | None = None
    at: datetime | None = None
    billable: bool | None = None
    active: bool | None = None
    color: str | None = None
    # Not in the document's sample; part of v8 projects elsewhere in Toggl's docs.
    cid: int | None = None
    is_private: bool | None = None


@attrs.frozen
class Tag:
    """A tag of a workspace."""

    id: int
    wid: int | None = None
    name: str | None = None
    at: datetime | None = None


@attrs.frozen
class Workspace:
    """A workspace the user belongs to."""

    id: int
    name: str | None = None
    at: datetime | None = None
    premium: bool | None = None
    # Not in the document's sample; part of v8 workspaces elsewhere in Toggl's docs.
    admin: bool | None = None


@attrs.frozen
class Client:
    """A client (customer) of a workspace."""

    id: int
    wid: int | None = None
    name: str | None = None
    at: datetime | None = None
    # Not in the document's sample; part of v8 clients elsewhere in Toggl's docs.
    notes: str | None = None


@attrs.frozen
class Task:
    """A task of a project, from ``GET /me?with_related_data=true`` (Toggl's v8 docs, tasks)."""

    id: int
    name: str | None = None
    pid: int | None = None
    wid: int | None = None
    #: The user the task is assigned to.
    uid: int | None = None
    estimated_seconds: int | None = None
    tracked_seconds: int | None = None
    active: bool | None = None
    at: datetime | None = None


@attrs.frozen
class User:
    """The user behind a credential, as ``GET /me``, ``PUT /me`` and ``POST /signups`` return it.

    ``api_token`` is a secret: it is left out of ``repr``. Only ``id`` is required; every other
    field is ``None`` when the answer leaves it out (older accounts' answers lack many). The
    related lists (``time_entries`` ... ``clients``, ``tasks``) are ``None`` unless
    ``with_related_data=True`` was asked.
    ``date_format`` and ``timeofday_format`` are plain strings because a fresh signup sends
    ``""``; the values ``PUT /me`` accepts are :class:`DateFormat` and :class:`TimeOfDayFormat`.
    """

    id: int
    email: str | None = None
    fullname: str | None = None
    default_wid: int | None = None
    jquery_timeofday_format: str | None = None
    jquery_date_format: str | None = None
    timeofday_format: str | None = None
    date_format: str | None = None
    store_start_and_stop_time: bool | None = None
    #: 0-6, Sunday = 0.
    beginning_of_week: int | None = None
    sidebar_piechart: bool | None = None
    timeline_experiment: bool | None = None
    #: The latest blog post (``{}`` when there is none), ``None`` when not sent.
    new_blog_post: NewBlogPost | None = None
    api_token: str | None = attrs.field(default=None, repr=False)
    language: str | None = None
    image_url: str | None = None
    #: Timestamp of the last change, with the offset Toggl sent.
    at: datetime | None = None
    retention: int | None = None
    record_timeline: bool | None = None
    render_timeline: bool | None = None
    timeline_enabled: bool | None = None
    #: The document only shows ``{}``; kept as the raw object.
    invitation: dict[str, Any] | None = None
    #: An IANA zone name (``"Europe/Tallinn"``).
    timezone: str | None = None
    openid_enabled: bool | None = None
    send_product_emails: bool | None = None
    send_weekly_report: bool | None = None
    send_timer_notifications: bool | None = None
    time_entries: list[TimeEntry] | None = None
    projects: list[Project] | None = None
    tags: list[Tag] | None = None
    workspaces: list[Workspace] | None = None
    clients: list[Client] | None = None
    tasks: list[Task] | None = None


@attrs.frozen
class Me:
    """``GET /me``: the user, and ``since`` — the server time to pass as ``since=`` next time."""

    #: The server's timestamp of this answer (sent as unix seconds), in UTC; ``None`` when the
    #: answer leaves it out.
    since: datetime | None
    user: User

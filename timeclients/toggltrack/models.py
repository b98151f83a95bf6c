"""Toggl Track API v9 models: the user behind a credential, its related objects, its quotas.

Shapes follow Toggl's v9 OpenAPI description ("Toggl API", version 9: definitions
``TogglUser``, ``related.UserWithRelated``, ``me.GetQuotaResult``; developer documentation
"Me", https://engineering.toggl.com/docs/api/me). Tolerant readers: only the id is required;
every other field is ``None`` when Toggl leaves it out, and fields Toggl adds are ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = ["Client", "Project", "Quota", "Tag", "Task", "TimeEntry", "User", "Workspace"]


@attrs.frozen
class Workspace:
    """A workspace the user belongs to (``with_related_data=true``)."""

    id: int
    name: str | None = None
    organization_id: int | None = None
    premium: bool | None = None
    admin: bool | None = None
    at: datetime | None = None


@attrs.frozen
class Client:
    """A client (customer) of a workspace; v9 still names its workspace ``wid``."""

    id: int
    wid: int | None = None
    name: str | None = None
    archived: bool | None = None
    at: datetime | None = None


@attrs.frozen
class Project:
    """A project the user can see."""

    id: int
    workspace_id: int | None = None
    client_id: int | None = None
    name: str | None = None
    active: bool | None = None
    billable: bool | None = None
    is_private: bool | None = None
    color: str | None = None
    at: datetime | None = None


@attrs.frozen
class Tag:
    """A tag of a workspace."""

    id: int
    workspace_id: int | None = None
    name: str | None = None
    at: datetime | None = None


@attrs.frozen
class Task:
    """A task of a project the user takes part in."""

    id: int
    workspace_id: int | None = None
    project_id: int | None = None
    name: str | None = None
    active: bool | None = None
    at: datetime | None = None


@attrs.frozen
class TimeEntry:
    """A time entry. A running entry has no ``stop`` and a negative ``duration``."""

    id: int
    workspace_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    user_id: int | None = None
    billable: bool | None = None
    start: datetime | None = None
    stop: datetime | None = None
    #: Seconds; negative while the entry runs.
    duration: int | None = None
    description: str | None = None
    tags: list[str] | None = None
    tag_ids: list[int] | None = None
    at: datetime | None = None

    @property
    def is_running(self) -> bool:
        """True while the timer runs (a negative ``duration``)."""
        return self.duration is not None and self.duration < 0


@attrs.frozen
class User:
    """The user behind a credential, as ``GET /me`` and ``PUT /me`` return it.

    ``api_token`` is a secret: it is left out of ``repr``. The related lists (``clients`` ...
    ``workspaces``) are ``None`` unless ``with_related_data=True`` was asked (Toggl also sends
    ``null`` for a list the user has nothing in). Date and time formats are no longer here in
    v9: they moved to ``/me/preferences``.
    """

    id: int
    email: str | None = None
    fullname: str | None = None
    api_token: str | None = attrs.field(default=None, repr=False)
    #: 0-6, Sunday = 0.
    beginning_of_week: int | None = None
    country_id: int | None = None
    default_workspace_id: int | None = None
    #: An IANA zone name (``"Europe/Tallinn"``).
    timezone: str | None = None
    image_url: str | None = None
    has_password: bool | None = None
    openid_email: str | None = None
    openid_enabled: bool | None = None
    #: Kept as the raw object ("will be omitted if empty").
    options: dict[str, Any] | None = None
    at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    clients: list[Client] | None = None
    projects: list[Project] | None = None
    tags: list[Tag] | None = None
    tasks: list[Task] | None = None
    time_entries: list[TimeEntry] | None = None
    workspaces: list[Workspace] | None = None


@attrs.frozen
class Quota:
    """One hourly API quota of the user, from ``GET /me/quota`` (a list of these).

    ``organization_id`` is ``None`` for the quota of requests that belong to no organization,
    such as ``/me`` itself (Toggl's OpenAPI, ``me.GetQuotaResult``). ``remaining`` may go
    negative while Toggl does not enforce the quota.
    """

    organization_id: int | None = None
    remaining: int | None = None
    resets_in_secs: int | None = None
    total: int | None = None

    @property
    def is_user_quota(self) -> bool:
        """True for the quota of user requests (``/me``...), which belong to no organization."""
        return self.organization_id is None

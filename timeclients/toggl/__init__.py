"""Toggl Track API v8: :class:`TogglClient` and the models it returns."""

from ._client import MeResource, SignupsResource, TogglClient
from ._protocol import UNSET
from .models import (
    Client,
    DateFormat,
    Me,
    NewBlogPost,
    Project,
    Tag,
    Task,
    TimeEntry,
    TimeOfDayFormat,
    User,
    Workspace,
)

__all__ = [
    "UNSET",
    "Client",
    "DateFormat",
    "Me",
    "MeResource",
    "NewBlogPost",
    "Project",
    "SignupsResource",
    "Tag",
    "Task",
    "TimeEntry",
    "TimeOfDayFormat",
    "TogglClient",
    "User",
    "Workspace",
]

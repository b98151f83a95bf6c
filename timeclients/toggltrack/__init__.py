"""Toggl Track API v9 (the live API): :class:`TogglTrackClient` and the models it returns."""

from ._client import MeResource, TogglTrackClient
from ._protocol import UNSET, read_quota_headers
from .models import Client, Project, Quota, Tag, Task, TimeEntry, User, Workspace

__all__ = [
    "UNSET",
    "Client",
    "MeResource",
    "Project",
    "Quota",
    "Tag",
    "Task",
    "TimeEntry",
    "TogglTrackClient",
    "User",
    "Workspace",
    "read_quota_headers",
]

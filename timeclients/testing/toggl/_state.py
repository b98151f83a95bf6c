"""Toggl's server-side data (API v8 and v9 share it): accounts, credentials, related objects.

Rules follow Toggl's API v8 documentation (https://github.com/toggl/toggl_api_docs, chapters
"Users" and "Authentication"; the overview, toggl_api.md: a bad credential is a 403, a rejected
update an array of localized messages; the README, "The API Format": the rate limit is a leaky
bucket of about one request per second per token). The overview's "Failed requests" says a
failed create or update answers **404** with the array;
the emulator answers 400 by default and 404 when ``refused_status=404`` (or
``emulator.toggl.refused_status = 404``), so both are tested.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from .._core import EmuRequest, Reply, iso_offset, text_reply
from .._ratelimit import LeakyBucket
from .._vendor import StoreArgs, VendorStore, new_key

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+
    from typing_extensions import Unpack

__all__ = ["DATE_FORMATS", "TIMEOFDAY_FORMATS", "TogglStore", "TogglUser", "valid_timezone"]

#: "Update user data": the two time-of-day formats, with the jQuery format each implies.
TIMEOFDAY_FORMATS = {"H:mm": "H:i", "h:mm A": "h:i A"}
#: "Update user data": the date formats, with the jQuery format each implies.
DATE_FORMATS = {
    "YYYY-MM-DD": "Y-m-d",
    "DD.MM.YYYY": "d.m.Y",
    "DD-MM-YYYY": "d-m-Y",
    "MM/DD/YYYY": "m/d/Y",
    "DD/MM/YYYY": "d/m/Y",
    "MM-DD-YYYY": "m-d-Y",
}
BOOLEAN_FIELDS = (  # "Update user data"
    "send_product_emails",
    "send_weekly_report",
    "send_timer_notifications",
    "store_start_and_stop_time",
)
#: The Basic-auth password that says "the user name is an API token" ("Authentication").
TOKEN_PASSWORD = "api_token"  # noqa: S105 - a protocol constant, not a secret
# "Get current user data and time entries/projects/tasks/tags/workspaces/clients"
RELATED = ("time_entries", "projects", "tags", "workspaces", "clients", "tasks")


def valid_timezone(name: object) -> bool:
    """Whether ``name`` is a known IANA zone ("Update user data": ``timezone``)."""
    if not isinstance(name, str) or not name or name.startswith(("/", ".")):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@attrs.define
class TogglUser:
    """A Toggl account: credentials, profile fields and related data."""

    id: int
    api_token: str
    email: str
    password: str
    fullname: str
    default_wid: int
    at: datetime
    timezone: str = "Etc/UTC"
    timeofday_format: str = "h:mm A"
    date_format: str = "MM/DD/YYYY"
    store_start_and_stop_time: bool = True
    beginning_of_week: int = 0
    language: str = "en_US"
    send_product_emails: bool = True
    send_weekly_report: bool = True
    send_timer_notifications: bool = True
    created_with: str = ""
    #: Related objects (time entries, projects, ...) as their JSON dicts, each with an ``at``.
    related: dict[str, list[dict[str, Any]]] = attrs.field(
        factory=lambda: {name: [] for name in RELATED}
    )


class TogglStore(VendorStore):
    """Toggl's accounts and their mutations (the v8 handler is :class:`TogglState`).

    Args:
        rate: requests per second the bucket drains per user (``None``: no limit).
        burst: how many requests the bucket holds (the default 2 tolerates network jitter
            around a client that sends exactly one per second).
        refused_status: the status of a refused ``PUT /me`` or ``POST /signups`` (its body is
            always the array of messages): 400, or 404 as Toggl's v8 overview documents ("Failed
            requests").
        shared: ``clock``, ``wall_clock``, ``rng`` and ``lock`` (see :class:`VendorStore`).
    """

    def __init__(
        self,
        *,
        rate: float | None = 1.0,
        burst: int = 2,
        refused_status: int = 400,
        **shared: Unpack[StoreArgs],
    ) -> None:
        super().__init__(**shared)
        # Toggl v8 docs README, "The API Format": a leaky bucket; 1 request/s per token is safe
        self.limiter = LeakyBucket(rate, burst, self.clock) if rate else None
        self.users: dict[int, TogglUser] = {}
        #: The status of a refused update or signup: 400, or 404 (the real v8 way).
        self.refused_status = refused_status

    # ----------------------------------------------------------------- set-up helpers
    def new_int_id(self) -> int:
        """A fresh positive integer id."""
        return self.rng.randrange(100_000, 999_999_999)

    def new_token(self) -> str:
        """A fresh 32-hex API token."""
        return new_key(self.rng, "")

    def add_user(
        self,
        email: str,
        password: str,
        *,
        api_token: str | None = None,
        fullname: str = "",
        timezone_name: str = "Etc/UTC",
        created_with: str = "timeclients-emulator",
    ) -> TogglUser:
        """Create a user with a default workspace; returns it."""
        if any(u.email.lower() == email.lower() for u in self.users.values()):
            raise ValueError(f"e-mail {email} is taken")
        user = TogglUser(
            id=self.new_int_id(),
            api_token=api_token or self.new_token(),
            email=email,
            password=password,
            fullname=fullname,
            default_wid=self.new_int_id(),
            at=self.wall_clock(),
            timezone=timezone_name,
            created_with=created_with,
        )
        user.related["workspaces"].append(
            {
                "id": user.default_wid,
                "name": f"{fullname or email}'s WS",
                "premium": False,
                "at": iso_offset(user.at),
            }
        )
        self.users[user.id] = user
        return user

    def authenticate(self, req: EmuRequest) -> TogglUser | None:
        """The user a request's Basic credential names, or ``None`` ("Authentication": the API
        token with the password ``api_token``, or the e-mail and password)."""
        header = req.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, sep, password = decoded.partition(":")
        if not sep or not name:
            return None
        by_token = password == TOKEN_PASSWORD
        for user in self.users.values():
            if by_token and user.api_token == name:
                return user
            if not by_token and user.email.lower() == name.lower() and user.password == password:
                return user
        return None

    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body: Toggl answers errors as plain text."""
        return text_reply(status, message)

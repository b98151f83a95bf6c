"""An in-memory Toggl Track API v8 user endpoints (toggl-v8-user-api.md), as a pure state machine.

Line numbers ("doc L29") refer to /work/shared/specs/toggl-v8-user-api.md. README facts: a bad
credential is a 403, a rejected update an array of localized messages, and the rate limit a
leaky bucket (about one request per second per token). Toggl's v8 API overview says a failed
create or update answers **404** with that array; the emulator answers 400 by default and 404
when ``refused_status=404`` (or ``emulator.toggl.refused_status = 404``), so both are tested.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
from collections.abc import Hashable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ._core import (
    Clock,
    EmuRequest,
    Reply,
    WallClock,
    iso_offset,
    json_reply,
    read_json,
    text_reply,
)
from ._ratelimit import LeakyBucket

__all__ = ["DATE_FORMATS", "TIMEOFDAY_FORMATS", "TogglState"]

#: doc L155-L157: the two time-of-day formats, with the jQuery format each implies.
TIMEOFDAY_FORMATS = {"H:mm": "H:i", "h:mm A": "h:i A"}
#: doc L158: the date formats, with the jQuery format each implies (doc L176-L178 pairs them).
DATE_FORMATS = {
    "YYYY-MM-DD": "Y-m-d",
    "DD.MM.YYYY": "d.m.Y",
    "DD-MM-YYYY": "d-m-Y",
    "MM/DD/YYYY": "m/d/Y",
    "DD/MM/YYYY": "d/m/Y",
    "MM-DD-YYYY": "m-d-Y",
}
BOOLEAN_FIELDS = (  # doc L149-L152
    "send_product_emails",
    "send_weekly_report",
    "send_timer_notifications",
    "store_start_and_stop_time",
)
#: The Basic-auth password that says "the user name is an API token" (README table).
TOKEN_PASSWORD = "api_token"  # noqa: S105 - a protocol constant, not a secret
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# doc L89-L142; "tasks" too (doc L24: with_related_data returns tasks)
RELATED = ("time_entries", "projects", "tags", "workspaces", "clients", "tasks")


def valid_timezone(name: object) -> bool:
    """Whether ``name`` is a known IANA zone (doc L154)."""
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
    #: Related objects (doc L89-L142) as their JSON dicts, each with an ``at``.
    related: dict[str, list[dict[str, Any]]] = attrs.field(
        factory=lambda: {name: [] for name in RELATED}
    )


class TogglState:
    """Toggl v8's server side: users, tokens, and the request handler.

    Args:
        clock: monotonic time for the leaky bucket.
        wall_clock: calendar time (``since``, ``at``).
        rng: the source of ids and tokens.
        rate: requests per second the bucket drains per user (``None``: no limit).
        burst: how many requests the bucket holds (the default 2 tolerates network jitter
            around a client that sends exactly one per second).
        refused_status: the status of a refused ``PUT /me`` or ``POST /signups`` (its body is
            always the array of messages): 400, or 404 as Toggl's v8 API overview documents.
    """

    vendor = "toggl"

    def __init__(
        self,
        *,
        clock: Clock,
        wall_clock: WallClock,
        rng: random.Random,
        rate: float | None = 1.0,
        burst: int = 2,
        refused_status: int = 400,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.rng = rng
        # README: a leaky bucket; one request per second per API token is a safe rate
        self.limiter = LeakyBucket(rate, burst, clock) if rate else None
        self.users: dict[int, TogglUser] = {}
        #: The status of a refused update or signup: 400, or 404 (the real v8 way).
        self.refused_status = refused_status

    # ----------------------------------------------------------------- set-up helpers
    def new_int_id(self) -> int:
        """A fresh positive integer id."""
        return self.rng.randrange(100_000, 999_999_999)

    def new_token(self) -> str:
        """A fresh 32-hex API token."""
        return f"{self.rng.getrandbits(128):032x}"

    def add_user(
        self,
        email: str,
        password: str,
        *,
        fullname: str = "",
        timezone_name: str = "Etc/UTC",
        api_token: str | None = None,
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

    def user_json(
        self, user: TogglUser, *, with_related: bool = False, since: datetime | None = None
    ) -> dict[str, Any]:
        """The documented user object (doc L1-L21, L34-L55, L170-L196)."""
        data: dict[str, Any] = {
            "id": user.id,
            "api_token": user.api_token,
            "default_wid": user.default_wid,
            "email": user.email,
            "fullname": user.fullname,
            "jquery_timeofday_format": TIMEOFDAY_FORMATS.get(user.timeofday_format, ""),
            "jquery_date_format": DATE_FORMATS.get(user.date_format, ""),
            "timeofday_format": user.timeofday_format,
            "date_format": user.date_format,
            "store_start_and_stop_time": user.store_start_and_stop_time,
            "beginning_of_week": user.beginning_of_week,
            "language": user.language,
            "image_url": f"https://www.toggl.com/system/avatars/{user.id}/small/avatar.png",
            "sidebar_piechart": False,
            "at": iso_offset(user.at),
            "retention": 9,
            "record_timeline": False,
            "render_timeline": False,
            "timeline_enabled": False,
            "timeline_experiment": False,
            "new_blog_post": {},
            "timezone": user.timezone,
            "openid_enabled": False,
            "send_product_emails": user.send_product_emails,
            "send_weekly_report": user.send_weekly_report,
            "send_timer_notifications": user.send_timer_notifications,
            "invitation": {},
        }
        if with_related:
            # doc L24-L27: with_related_data=true adds the related lists; since keeps only
            # objects changed after it
            for name in RELATED:
                data[name] = [
                    dict(item)
                    for item in user.related[name]
                    if since is None or datetime.fromisoformat(item["at"]) > since
                ]
        return data

    # ----------------------------------------------------------------- the handler
    @staticmethod
    def error(status: int, message: str) -> Reply:
        """An error body: Toggl v8 answers errors as plain text."""
        return text_reply(status, message)

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: signups need no credential, everything else Basic auth."""
        s, method = req.segments, req.method
        if s == ("signups",):
            if method != "POST":
                return text_reply(405, "Method not allowed")
            return self._signup(req)
        user = self._authenticate(req)
        if user is None:
            # README: "Toggl v8 answers a bad credential with 403 (not 401)"
            return text_reply(403, "")
        key: Hashable = user.id
        if self.limiter is not None and not self.limiter.hit(key):
            # README: leaky bucket; a 429 means wait and retry (no Retry-After is documented)
            return text_reply(429, "Too many requests")
        if s == ("me",):
            if method == "GET":
                return self._get_me(user, req)
            if method == "PUT":
                return self._put_me(user, req)
            return text_reply(405, "Method not allowed")
        if s == ("reset_token",):
            if method != "POST":
                return text_reply(405, "Method not allowed")
            # doc L199-L204: the answer is a JSON string with the new token; the old one stops
            user.api_token = self.new_token()
            user.at = self.wall_clock()
            return json_reply(200, user.api_token)
        return text_reply(404, "Not found")

    def authenticate(self, req: EmuRequest) -> TogglUser | None:
        """The user a request's Basic credential names, or ``None`` (the v9 state shares it)."""
        return self._authenticate(req)

    def _authenticate(self, req: EmuRequest) -> TogglUser | None:
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
        # README table: user = the API token and password = "api_token", or email:password
        by_token = password == TOKEN_PASSWORD
        for user in self.users.values():
            if by_token and user.api_token == name:
                return user
            if not by_token and user.email.lower() == name.lower() and user.password == password:
                return user
        return None

    def _get_me(self, user: TogglUser, req: EmuRequest) -> Reply:
        with_related = (req.params("with_related_data") or ["false"])[0].lower() == "true"
        since = None
        raw = req.params("since")
        if raw:
            try:
                since = datetime.fromtimestamp(int(raw[0]), timezone.utc)  # doc L25-L27: unix
            except (ValueError, OverflowError, OSError):
                return json_reply(400, ["since must be a unix timestamp"])
        payload = {
            "since": int(self.wall_clock().timestamp()),
            "data": self.user_json(user, with_related=with_related, since=since),
        }
        return json_reply(200, payload)

    @staticmethod
    def _user_body(req: EmuRequest) -> dict[str, Any] | None:
        try:
            body = read_json(req.body)
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("user"), dict):
            return None
        user: dict[str, Any] = body["user"]
        return user

    def _put_me(self, user: TogglUser, req: EmuRequest) -> Reply:
        fields = self._user_body(req)
        if fields is None:
            return json_reply(self.refused_status, ['Request body must be {"user": {...}}'])
        errors: list[str] = []
        # doc L146-L158: the fields that can be updated, each with its rule
        if "fullname" in fields and not isinstance(fields["fullname"], str):
            errors.append("Fullname must be a string")
        if "email" in fields:
            email = fields["email"]
            if not isinstance(email, str) or not EMAIL.match(email):
                errors.append("Email is not valid")
            elif any(
                u.email.lower() == email.lower() and u.id != user.id for u in self.users.values()
            ):
                errors.append("Email has already been taken")
        for name in BOOLEAN_FIELDS:
            if name in fields and not isinstance(fields[name], bool):
                errors.append(f"{name} must be true or false")
        if "beginning_of_week" in fields:
            value = fields["beginning_of_week"]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
                errors.append("Beginning of week must be in range 0-6")
        if "timezone" in fields and not valid_timezone(fields["timezone"]):
            errors.append("Timezone is not a known IANA time zone")
        if "timeofday_format" in fields and fields["timeofday_format"] not in TIMEOFDAY_FORMATS:
            errors.append('Time of day format must be "H:mm" or "h:mm A"')
        if "date_format" in fields and fields["date_format"] not in DATE_FORMATS:
            errors.append("Date format is not supported")
        # doc L159-L161: a password change needs current_password and password
        if "password" in fields or "current_password" in fields:
            current, new = fields.get("current_password"), fields.get("password")
            if not isinstance(current, str) or not isinstance(new, str):
                errors.append("Both current_password and password are required")
            elif current != user.password:
                errors.append("Current password is not valid")
            elif len(new) < 6:
                errors.append("Password should be at least 6 characters")
        if errors:
            # README: "a rejected update with an array of localized error messages"
            return json_reply(self.refused_status, errors)
        for name in (
            "fullname",
            "email",
            *BOOLEAN_FIELDS,
            "beginning_of_week",
            "timezone",
            "timeofday_format",
            "date_format",
        ):
            if name in fields:
                setattr(user, name, fields[name])
        if "password" in fields:
            user.password = fields["password"]
        user.at = self.wall_clock()
        return json_reply(200, {"data": self.user_json(user)})  # doc L167-L198

    def _signup(self, req: EmuRequest) -> Reply:
        fields = self._user_body(req)
        if fields is None:
            return json_reply(self.refused_status, ['Request body must be {"user": {...}}'])
        errors: list[str] = []
        # doc L206-L210: email, password (>= 6), timezone, created_with, all required
        email = fields.get("email")
        if not isinstance(email, str) or not EMAIL.match(email):
            errors.append("Email is not valid")
        elif any(u.email.lower() == email.lower() for u in self.users.values()):
            errors.append("Email has already been taken")
        password = fields.get("password")
        if not isinstance(password, str) or len(password) < 6:
            errors.append("Password should be at least 6 characters")
        if not valid_timezone(fields.get("timezone")):
            errors.append("Timezone is required and must be a known IANA time zone")
        created_with = fields.get("created_with")
        if not isinstance(created_with, str) or not created_with.strip():
            errors.append("created_with is required")
        if errors:
            return json_reply(self.refused_status, errors)
        assert isinstance(email, str)  # checked above
        assert isinstance(password, str)
        user = self.add_user(
            email,
            password,
            fullname=str(fields.get("fullname", "")),
            timezone_name=str(fields["timezone"]),
            created_with=str(created_with),
        )
        # doc L216: the created user's data and API token
        return json_reply(200, {"data": self.user_json(user)})

"""The emulator's framework-free core: a request, a reply, clocks and JSON helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

import anyio
import attrs

__all__ = [
    "Clock",
    "Dropped",
    "EmuRequest",
    "Reply",
    "SystemClock",
    "WallClock",
    "first",
    "json_reply",
    "text_reply",
]


class Clock(Protocol):
    """Where the emulator reads monotonic time (rate windows) and sleeps (latency faults).

    Structurally the same as the transport's clock, so one fake clock drives both sides.
    """

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock only advances its time)."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``anyio.sleep``."""

    def now(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await anyio.sleep(seconds)


#: Where the emulator reads the calendar time (rate ``since``, clock-in times, Toggl ``at``).
WallClock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real calendar time, aware, in UTC."""
    return datetime.now(timezone.utc)


@attrs.frozen
class EmuRequest:
    """One request as a vendor state machine sees it, the base path already removed.

    ``segments`` are the percent-decoded path segments after the vendor's base path;
    ``query`` keeps repeated keys in order; ``headers`` have lower-case names.
    """

    method: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""

    def params(self, name: str) -> list[str]:
        """Every value of a (repeatable) query parameter, in order."""
        return [v for k, v in self.query if k == name]


def first(values: Sequence[str]) -> str | None:
    """The first of a parameter's values, or ``None`` when absent."""
    return values[0] if values else None


@attrs.frozen
class Reply:
    """One response: status, headers (name, value) and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value (case-insensitive), or ``None``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


@attrs.frozen
class Dropped:
    """The connection is dropped instead of answering; ``before``: nothing was applied."""

    before: bool


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
    """A JSON response with a content type and the extra headers given."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    extra = tuple((headers or {}).items())
    return Reply(status, (("content-type", "application/json"), *extra), body)


def text_reply(status: int, text: str, headers: Mapping[str, str] | None = None) -> Reply:
    """A plain-text response."""
    extra = tuple((headers or {}).items())
    return Reply(status, (("content-type", "text/plain; charset=utf-8"), *extra), text.encode())


def read_json(body: bytes) -> Any:
    """The request body as JSON; raises ``ValueError`` when it is not JSON."""
    if not body:
        raise ValueError("request body is empty")
    return json.loads(body)


def iso_offset(moment: datetime) -> str:
    """ISO-8601 keeping the moment's own offset (``+01:00``), as McTime and Toggl write them."""
    return moment.replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """An aware datetime from ISO-8601 with ``Z`` or an offset; ``ValueError`` otherwise."""
    if not isinstance(text, str) or not text:
        raise ValueError("not a datetime string")
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if value.tzinfo is None:
        raise ValueError("datetime has no time zone")
    return value

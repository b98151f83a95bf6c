"""The ``Emulator`` facade: the vendor states, routing, the fault plan and counters."""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import attrs

from ._clockify import ClockifyState
from ._core import Clock, EmuRequest, Reply, SystemClock, WallClock, json_reply, utc_now
from ._faults import Fault, FaultDecision, FaultPlan
from ._mctime import McTimeState
from ._toggl import TogglState
from ._toggltrack import TogglTrackState

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from ._asgi import EmulatorASGIApp
    from ._seed import ClockifyWorkspaceSeed, McTimeOrganizationSeed, TogglUserSeed
    from ._serve import ServedEmulator
    from ._transport import EmulatorTransport

__all__ = ["BASE_PATHS", "Dropped", "Emulator", "EmulatorStats", "RequestRecord"]

#: Each vendor's base path (the path part of its documented base URL).
BASE_PATHS: dict[str, tuple[str, ...]] = {
    "clockify": ("api", "v1"),  # clockify doc L9 https://api.clockify.me/api/v1
    "mctime": ("api", "v2", "auth"),  # mctime doc L3 https://mctime.com/api/v2/auth
    "toggl": ("api", "v8"),  # toggl doc L22 https://api.track.toggl.com/api/v8
    "toggltrack": ("api", "v9"),  # Toggl's v9 OpenAPI: basePath /api/v9
}
#: The vendors' real hosts: a request to one of them is routed among that host's vendors only
#: (by base path: Toggl's v8 and v9 share a host).
HOSTS: dict[str, tuple[str, ...]] = {
    "api.clockify.me": ("clockify",),
    "mctime.com": ("mctime",),
    "api.track.toggl.com": ("toggl", "toggltrack"),
}
#: Real base URLs, for clients that use the in-process transport.
REAL_BASE_URLS: dict[str, str] = {
    "clockify": "https://api.clockify.me/api/v1",
    "mctime": "https://mctime.com/api/v2/auth",
    "toggl": "https://api.track.toggl.com/api/v8",
    "toggltrack": "https://api.track.toggl.com/api/v9",
}


@attrs.frozen
class Dropped:
    """The connection is dropped instead of answering; ``before``: nothing was applied."""

    before: bool


@attrs.frozen
class RequestRecord:
    """One request as the emulator saw it (``status`` 0 for a dropped connection)."""

    vendor: str
    method: str
    path: str
    status: int
    fault: Fault
    arrived: float


@attrs.define
class EmulatorStats:
    """Counters over every request the emulator answered."""

    #: Requests that reached the emulator (dropped ones included).
    requests: int = 0
    #: Requests per vendor ("clockify", "mctime", "toggl", or "unknown").
    by_vendor: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Responses per status code.
    by_status: collections.Counter[int] = attrs.field(factory=collections.Counter)
    #: 429s answered by the vendors' own rate limits (not injected).
    rate_limited: int = 0
    #: Faults injected by the fault plan, per kind.
    faults: collections.Counter[Fault] = attrs.field(factory=collections.Counter)


class Emulator:
    """An in-memory emulator of Clockify, McTime and Toggl (v8 and v9), reachable over HTTP.

    Use :meth:`transport` for in-process tests (an ``httpx`` transport, no sockets),
    :meth:`asgi_app` for any ASGI server, or :meth:`serve` for a loopback socket. The vendor
    states are :attr:`clockify`, :attr:`mctime`, :attr:`toggl` and :attr:`toggltrack` (v9,
    on the same accounts as v8); the ``seed_*`` methods fill them. Every state change is made
    under :attr:`lock` (served mode runs the server in another thread): take it when you
    change a state by hand while a server runs.

    Args:
        seed: seeds every generated id, key and token (and the fault plan, unless given).
        faults: the fault plan (default: none).
        clock: monotonic time and sleep for rate windows and latency (a fake clock in tests).
        wall_clock: calendar time: which rate is in effect, clock-in times, Toggl ``since``.
        clockify_rate_limit: requests per second per workspace (``None``: unlimited).
        clockify_retry_after: whether a Clockify 429 carries ``Retry-After``.
        clockify_free_plan_hourly_limit: requests per hour for a whole FREE workspace.
        mctime_rate_limit: requests per second per API key (``None``: unlimited).
        toggl_rate: requests per second the Toggl bucket drains per user (``None``: unlimited).
        toggl_burst: how many requests the Toggl bucket holds.
        toggl_me_hourly_quota: Toggl v9's hourly quota of requests per user about the user
            (``None``: no quota); a spent quota is a 402 with the quota headers.
        toggl_quota_window: the length of Toggl v9's quota window in seconds.
        new_workspace_plan: the plan of a workspace made by ``POST /workspaces``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        faults: FaultPlan | None = None,
        clock: Clock | None = None,
        wall_clock: WallClock | None = None,
        clockify_rate_limit: int | None = 50,
        clockify_retry_after: bool = False,
        clockify_free_plan_hourly_limit: int | None = 30,
        mctime_rate_limit: int | None = 10,
        toggl_rate: float | None = 1.0,
        toggl_burst: int = 2,
        toggl_me_hourly_quota: int | None = 30,
        toggl_quota_window: float = 3600.0,
        new_workspace_plan: str = "FREE",
    ) -> None:
        #: Guards every state change (served mode answers from another thread).
        self.lock = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self._wall_clock = wall_clock or utc_now
        self._frozen_time: datetime | None = None
        rng = random.Random(seed)
        self.clockify = ClockifyState(
            clock=self.clock,
            wall_clock=self.now,
            rng=random.Random(rng.getrandbits(64)),
            rate_limit=clockify_rate_limit,
            retry_after=clockify_retry_after,
            free_plan_hourly_limit=clockify_free_plan_hourly_limit,
            new_workspace_plan=new_workspace_plan,
        )
        self.mctime = McTimeState(
            clock=self.clock,
            wall_clock=self.now,
            rng=random.Random(rng.getrandbits(64)),
            rate_limit=mctime_rate_limit,
        )
        self.toggl = TogglState(
            clock=self.clock,
            wall_clock=self.now,
            rng=random.Random(rng.getrandbits(64)),
            rate=toggl_rate,
            burst=toggl_burst,
        )
        #: Toggl Track API v9, over the same accounts as :attr:`toggl`.
        self.toggltrack = TogglTrackState(
            accounts=self.toggl,
            clock=self.clock,
            me_hourly_quota=toggl_me_hourly_quota,
            quota_window=toggl_quota_window,
        )
        self.faults = faults if faults is not None else FaultPlan(seed=seed)
        self.stats = EmulatorStats()
        #: The last 10 000 requests, oldest first.
        self.history: collections.deque[RequestRecord] = collections.deque(maxlen=10_000)

    def __repr__(self) -> str:
        return (
            f"<Emulator clockify_workspaces={len(self.clockify.workspaces)} "
            f"mctime_entries={len(self.mctime.entries)} toggl_users={len(self.toggl.users)} "
            f"requests={self.stats.requests}>"
        )

    # ----------------------------------------------------------------- time
    def now(self) -> datetime:
        """The emulator's calendar time (see :meth:`set_time`)."""
        return self._frozen_time or self._wall_clock()

    def set_time(self, moment: datetime | None) -> None:
        """Freeze the calendar time at ``moment`` (``None``: follow the wall clock again)."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        self._frozen_time = moment

    # ----------------------------------------------------------------- ways in
    def transport(self) -> EmulatorTransport:
        """An ``httpx.AsyncBaseTransport`` answering from this emulator (no sockets)."""
        from ._transport import EmulatorTransport

        return EmulatorTransport(self)

    def asgi_app(self) -> EmulatorASGIApp:
        """A raw ASGI application answering from this emulator."""
        from ._asgi import EmulatorASGIApp

        return EmulatorASGIApp(self)

    def serve(
        self, *, host: str = "127.0.0.1", port: int = 0
    ) -> AbstractContextManager[ServedEmulator]:
        """Serve this emulator with uvicorn on ``host:port`` (0: a free port) in a thread."""
        from ._serve import serve

        return serve(self, host=host, port=port)

    @staticmethod
    def base_url(vendor: str) -> str:
        """The vendor's real base URL, which the in-process transport answers."""
        return REAL_BASE_URLS[vendor]

    # ----------------------------------------------------------------- seeding
    def seed_clockify_workspace(self, **kwargs: Any) -> ClockifyWorkspaceSeed:
        """See :func:`timeclients.testing.seed_clockify_workspace`."""
        from ._seed import seed_clockify_workspace

        return seed_clockify_workspace(self, **kwargs)

    def seed_mctime_organization(self, **kwargs: Any) -> McTimeOrganizationSeed:
        """See :func:`timeclients.testing.seed_mctime_organization`."""
        from ._seed import seed_mctime_organization

        return seed_mctime_organization(self, **kwargs)

    def seed_toggl_user(self, **kwargs: Any) -> TogglUserSeed:
        """See :func:`timeclients.testing.seed_toggl_user`."""
        from ._seed import seed_toggl_user

        return seed_toggl_user(self, **kwargs)

    # ----------------------------------------------------------------- answering
    def route(self, host: str, segments: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """The vendor for a host and decoded path, and the path after its base; ``None``: none.

        A vendor's real host routes to that vendor; any other host (loopback) by path prefix.
        """
        vendors: Iterable[str] = HOSTS.get(host, BASE_PATHS)
        for vendor in vendors:
            base = BASE_PATHS[vendor]
            if segments[: len(base)] == base:
                return vendor, segments[len(base) :]
        return None

    async def answer(
        self,
        *,
        method: str,
        host: str,
        raw_path: str,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply | Dropped:
        """Answer one HTTP request, with its faults: the pipeline both ways in share.

        ``raw_path`` is the percent-encoded path (so an encoded ``/`` stays inside a segment).
        Latency is waited before the request "arrives": the rate counters see arrival times.
        """
        with self.lock:
            decision = self.faults.draw() if self.faults.active else FaultDecision()
        if decision.latency > 0:
            await self.clock.sleep(decision.latency)
        segments = tuple(unquote(part) for part in raw_path.split("/")[1:])
        request = EmuRequest(
            method=method.upper(),
            segments=segments,
            query=tuple(query),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
        )
        with self.lock:
            return self._answer_locked(host.lower(), request, decision, raw_path)

    def _answer_locked(
        self, host: str, request: EmuRequest, decision: FaultDecision, raw_path: str
    ) -> Reply | Dropped:
        self.stats.requests += 1
        routed = self.route(host, request.segments)
        vendor = routed[0] if routed else "unknown"
        self.stats.by_vendor[vendor] += 1
        outcome = self._outcome(routed, request, decision)
        if decision.fault is not Fault.NONE:
            self.stats.faults[decision.fault] += 1
        status = outcome.status if isinstance(outcome, Reply) else 0
        if status:
            self.stats.by_status[status] += 1
        self.history.append(
            RequestRecord(
                vendor, request.method, raw_path, status, decision.fault, self.clock.now()
            )
        )
        return outcome

    def _state(self, vendor: str) -> ClockifyState | McTimeState | TogglState | TogglTrackState:
        states: dict[str, ClockifyState | McTimeState | TogglState | TogglTrackState] = {
            "clockify": self.clockify,
            "mctime": self.mctime,
            "toggl": self.toggl,
            "toggltrack": self.toggltrack,
        }
        return states[vendor]

    def _outcome(
        self,
        routed: tuple[str, tuple[str, ...]] | None,
        request: EmuRequest,
        decision: FaultDecision,
    ) -> Reply | Dropped:
        fault = decision.fault
        if fault is Fault.DROP_BEFORE:
            return Dropped(before=True)
        if routed is None:
            return json_reply(404, {"message": "No emulated vendor at this path"})
        vendor, rest = routed
        if fault is Fault.SERVER_ERROR:
            return self._error(vendor, decision.status, "Injected server error")
        if fault is Fault.RATE_LIMITED:
            retry = self.faults.retry_after
            reply = self._error(vendor, 429, "Too many requests")
            if retry is not None:
                reply = attrs.evolve(reply, headers=(*reply.headers, ("Retry-After", f"{retry:g}")))
            return reply
        reply = self._state(vendor).handle(attrs.evolve(request, segments=rest))
        if reply.status == 429:
            self.stats.rate_limited += 1
        if fault is Fault.DROP_AFTER:
            return Dropped(before=False)
        if fault is Fault.MALFORMED:
            return attrs.evolve(reply, body=b"<html><body>502 Bad Gateway</body></html>")
        if fault is Fault.TRUNCATED:
            return attrs.evolve(reply, body=reply.body[: len(reply.body) // 2])
        return reply

    def _error(self, vendor: str, status: int, message: str) -> Reply:
        """An error in the vendor's own shape."""
        if vendor == "clockify":
            return self.clockify.error(status, message)
        if vendor == "mctime":
            return self.mctime.error(status, message)
        if vendor == "toggltrack":
            return self.toggltrack.error(status, message)
        return self.toggl.error(status, message)

    def reset_stats(self) -> None:
        """Zero the counters and forget the history."""
        with self.lock:
            self.stats = EmulatorStats()
            self.history.clear()

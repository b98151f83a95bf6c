"""The emulator's engine: a registry of vendor states, routing, the fault plan and counters.

Requests are routed by host **and** base path: a vendor's real host routes among that host's
vendors (Toggl's v8 and v9 share ``api.track.toggl.com``), any other host (loopback) among all
of them; the longest base path that prefixes the path wins.
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import unquote

import attrs

from ._core import Clock, Dropped, EmuRequest, Reply, SystemClock, WallClock, json_reply, utc_now
from ._faults import Fault, FaultDecision, FaultPlan
from ._vendor import VendorState
from .clockify import ClockifyState
from .mctime import McTimeState
from .toggl import TogglState
from .toggltrack import TogglTrackState

__all__ = [
    "VENDORS",
    "EmulatorCore",
    "EmulatorStats",
    "RequestRecord",
    "real_base_url",
    "vendor_type",
]

#: The emulated vendors, each a :class:`VendorState` naming its base path and real hosts.
VENDORS: tuple[type[VendorState], ...] = (ClockifyState, McTimeState, TogglState, TogglTrackState)
_BY_NAME: dict[str, type[VendorState]] = {vendor.name: vendor for vendor in VENDORS}


def vendor_type(name: str) -> type[VendorState]:
    """The vendor state class registered under ``name`` (``KeyError`` when none is)."""
    return _BY_NAME[name]


def real_base_url(name: str) -> str:
    """The vendor's real base URL: its first host and its base path."""
    vendor = vendor_type(name)
    return f"https://{vendor.hosts[0]}/" + "/".join(vendor.base_path)


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
    #: Requests per vendor ("clockify", "mctime", "toggl", "toggltrack", or "unknown").
    by_vendor: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Responses per status code.
    by_status: collections.Counter[int] = attrs.field(factory=collections.Counter)
    #: 429s answered by the vendors' own rate limits (not injected).
    rate_limited: int = 0
    #: Faults injected by the fault plan, per kind.
    faults: collections.Counter[Fault] = attrs.field(factory=collections.Counter)


class EmulatorCore:
    """The answering engine behind :class:`~timeclients.testing.Emulator`: the vendor states
    (a registry by name), routing, faults, counters and history. The ways in (transport, ASGI
    app, server) and seeding are in :class:`~timeclients.testing.Emulator`, whose docstring
    lists the arguments.
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
            lock=self.lock,
        )
        self.mctime = McTimeState(
            clock=self.clock,
            wall_clock=self.now,
            rng=random.Random(rng.getrandbits(64)),
            rate_limit=mctime_rate_limit,
            lock=self.lock,
        )
        self.toggl = TogglState(
            clock=self.clock,
            wall_clock=self.now,
            rng=random.Random(rng.getrandbits(64)),
            rate=toggl_rate,
            burst=toggl_burst,
            lock=self.lock,
        )
        #: Toggl Track API v9, over the same accounts as :attr:`toggl`.
        self.toggltrack = TogglTrackState(
            accounts=self.toggl,
            clock=self.clock,
            me_hourly_quota=toggl_me_hourly_quota,
            quota_window=toggl_quota_window,
        )
        states: tuple[VendorState, ...] = (self.clockify, self.mctime, self.toggl, self.toggltrack)
        #: The registry: every vendor state by its name.
        self.vendors: dict[str, VendorState] = {state.name: state for state in states}
        self._by_host: dict[str, tuple[VendorState, ...]] = {}
        for state in states:
            for host in state.hosts:
                self._by_host[host] = (*self._by_host.get(host, ()), state)
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

    @staticmethod
    def base_url(vendor: str) -> str:
        """The vendor's real base URL, which the in-process transport answers."""
        return real_base_url(vendor)

    # ----------------------------------------------------------------- answering
    def route(self, host: str, segments: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """The vendor for a host and decoded path, and the path after its base; ``None``: none.

        A vendor's real host routes among that host's vendors, any other host (loopback) among
        all of them; the longest matching base path wins.
        """
        found: VendorState | None = None
        for state in self._by_host.get(host) or self.vendors.values():
            base = state.base_path
            if segments[: len(base)] == base and (
                found is None or len(base) > len(found.base_path)
            ):
                found = state
        return None if found is None else (found.name, segments[len(found.base_path) :])

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
            return self.vendors[vendor].error(decision.status, "Injected server error")
        if fault is Fault.RATE_LIMITED:
            retry = self.faults.retry_after
            reply = self.vendors[vendor].error(429, "Too many requests")
            if retry is not None:
                reply = attrs.evolve(reply, headers=(*reply.headers, ("Retry-After", f"{retry:g}")))
            return reply
        reply = self.vendors[vendor].handle(attrs.evolve(request, segments=rest))
        if reply.status == 429:
            self.stats.rate_limited += 1
        if fault is Fault.DROP_AFTER:
            return Dropped(before=False)
        if fault is Fault.MALFORMED:
            return attrs.evolve(reply, body=b"<html><body>502 Bad Gateway</body></html>")
        if fault is Fault.TRUNCATED:
            return attrs.evolve(reply, body=reply.body[: len(reply.body) // 2])
        return reply

    def reset_stats(self) -> None:
        """Zero the counters and forget the history."""
        with self.lock:
            self.stats = EmulatorStats()
            self.history.clear()

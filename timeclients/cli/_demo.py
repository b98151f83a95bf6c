"""``timeclients demo``: the three real clients against the embedded emulator, with a report.

:func:`run_demo` seeds an :class:`~timeclients.testing.Emulator` (a Clockify workspace of a few
hundred members, a McTime organization of clocked-in users, a Toggl user), then runs, one
after another and through the public clients:

1. the workspace's members, read over every page, then a concurrent bulk cost-rate update
   of each (``ClockifyClient``), checking afterwards that what the job reports as
   succeeded is what the emulator holds;
2. the list of who is clocked in, through the McTime paginator (``McTimeClient``);
3. the user behind a Toggl token, through API v8 (``TogglClient``), then through the live
   API v9 with its hourly quota (``TogglTrackClient``).

It returns a :class:`DemoReport` (plain values, no output). :func:`main` renders the run with
``rich``: a live progress bar for the bulk job on a terminal, periodic progress lines when
stdout is not one (CI logs), then the tables.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import attrs

from timeclients import (
    ClockifyClient,
    HttpPool,
    McTimeClient,
    RateLimit,
    TogglClient,
    TogglTrackClient,
)
from timeclients.errors import TimeClientsError
from timeclients.mctime import ClockStatus

from ._render import progress_display

if TYPE_CHECKING:
    from rich.console import Console

    from timeclients.testing import (
        ClockifyWorkspaceSeed,
        Emulator,
        McTimeOrganizationSeed,
        TogglUserSeed,
    )

__all__ = [
    "BulkSummary",
    "DemoOptions",
    "DemoReport",
    "JobReport",
    "build_emulator",
    "build_emulator_of",
    "main",
    "render_report",
    "run_demo",
]

#: ``on_progress(done, total)`` of the bulk job.
ProgressFn = Callable[[int, int], object]
#: ``on_phase(message)``: what the demo is doing now.
Phase = Callable[[str], object]

#: The amount the demo sets for the i-th member: distinct from the seeded 10500, and varied.
BASE_AMOUNT = 7500


@attrs.frozen
class DemoOptions:
    """What to seed and which faults to inject (the ``timeclients demo`` options)."""

    #: Members of the Clockify workspace (besides its owner): one rate update each.
    members: int = 300
    #: Clocked-in users of the McTime organization (the first five of them on a break).
    clocked_in: int = 60
    #: Fixed latency per request, milliseconds (waited before the request "arrives").
    latency_ms: float = 0.0
    #: Extra random latency per request, uniform over 0..``jitter_ms`` milliseconds.
    jitter_ms: float = 20.0
    #: Share of requests answered 500/502/503/504 (not applied).
    fault_5xx: float = 0.0
    #: Share of requests that start a burst of injected 429s (not applied).
    fault_429: float = 0.0
    #: Length of one injected 429 burst (2: a caller that retries 3 times gets through).
    burst_429: int = 2
    #: Seeds every id, key and fault: the same seed gives the same run.
    seed: int = 0
    #: Serve the emulator on a loopback socket and talk HTTP to it, instead of in-process.
    served: bool = False

    def __attrs_post_init__(self) -> None:
        if self.members < 1 or self.clocked_in < 1:
            raise ValueError("members and clocked_in must be at least 1")
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency_ms and jitter_ms must not be negative")
        if self.burst_429 < 1:
            raise ValueError("burst_429 must be at least 1")


@attrs.frozen
class JobReport:
    """One client's job: what its ``stats`` counted, what the emulator saw, and how long."""

    #: The client class, e.g. ``"ClockifyClient"``.
    client: str
    #: The calls the job made, e.g. ``"clock.list"``.
    job: str
    #: Items the job handled: updates accounted for, entries listed, users fetched.
    items: int
    #: Attempts sent (retries included), from the client's ``stats``.
    requests: int
    #: Attempts the client saw answered 429.
    throttled: int
    #: Attempts repeated after a retryable failure.
    retries: int
    #: Calls that ended in an error after retries.
    failures: int
    #: 429s the emulator answered during the job because of its own rate limit.
    server_limited: int
    #: 429s the fault plan injected during the job.
    injected_429: int
    #: 5xx answers the fault plan injected during the job.
    injected_5xx: int
    #: The client-side limit (per key), or ``None`` when off.
    limit: RateLimit | None
    #: Wall time of the job, seconds.
    wall: float
    #: What went wrong, when something did (an error raised after retries).
    error: str | None = None

    @property
    def requests_per_second(self) -> float:
        """Requests sent per second of wall time."""
        return self.requests / self.wall if self.wall > 0 else 0.0


@attrs.frozen
class BulkSummary:
    """How the bulk update accounted for every member."""

    total: int
    succeeded: int
    failed: int
    #: Succeeded items whose rate the emulator holds with the amount sent (should be all).
    verified: int
    #: Failed items per error class name, e.g. ``{"ServerError": 2}``.
    failures_by_type: dict[str, int]
    #: The last ``(done, total)`` the job's ``on_progress`` reported.
    last_progress: tuple[int, int]
    #: Wall time of the bulk call alone, seconds.
    wall: float
    #: The client-side limit per workspace, or ``None`` when off.
    limit: RateLimit | None

    @property
    def updates_per_second(self) -> float:
        """Items accounted for per second of the bulk call's wall time."""
        return self.accounted / self.wall if self.wall > 0 else 0.0

    @property
    def share_of_limit(self) -> float | None:
        """Updates per second over the limit in requests per second (``None``: no limit)."""
        if self.limit is None:
            return None
        return self.updates_per_second / self.limit.per_second

    @property
    def accounted(self) -> int:
        """Succeeded plus failed: every item must be one or the other."""
        return self.succeeded + self.failed

    @property
    def consistent(self) -> bool:
        """Every item accounted for, and every reported success is held by the server."""
        return self.accounted == self.total and self.verified == self.succeeded


@attrs.frozen
class DemoReport:
    """Everything one demo run measured."""

    options: DemoOptions
    #: ``"in-process"``, or the loopback URL the emulator was served on.
    mode: str
    #: One per client, in the order they ran.
    jobs: tuple[JobReport, ...]
    bulk: BulkSummary
    #: Who is clocked in, as the McTime paginator returned them (page order).
    clocked_in: tuple[ClockStatus, ...]
    #: Per-item errors the McTime list reported.
    item_errors: int
    #: The Toggl user as ``"Full Name <email>"``, or ``None`` when the call failed.
    toggl_user: str | None
    #: Requests the emulator answered over the whole run (seeding sends none).
    emulator_requests: int
    #: Wall time of the jobs together, seconds.
    wall: float
    #: Toggl v9's hourly quota of user requests after the v9 step, in words (or ``None``).
    toggl_quota: str | None = None

    @property
    def ok(self) -> bool:
        """The bulk job is consistent (failed items under injected faults are fine)."""
        return self.bulk.consistent


class _Stats(Protocol):
    """A client's ``stats``: what it sent, retried, saw throttled and failed."""

    requests: int
    throttled: int
    retries: int
    failures: int


class _JobMeter:
    """Measures one job: the client's stats and the emulator's counters before and after."""

    def __init__(self, emulator: Emulator, stats: _Stats) -> None:
        self._emulator = emulator
        self._stats = stats
        self._start_counts = self._counts()
        self._start_stats = (stats.requests, stats.throttled, stats.retries, stats.failures)
        self._started = time.perf_counter()
        self.wall = 0.0

    def _counts(self) -> tuple[int, int, int]:
        from timeclients.testing import Fault

        stats = self._emulator.stats
        with self._emulator.lock:
            return (
                stats.rate_limited,
                stats.faults[Fault.RATE_LIMITED],
                stats.faults[Fault.SERVER_ERROR],
            )

    def stop(self) -> None:
        self.wall = time.perf_counter() - self._started

    def report(
        self, client: str, job: str, items: int, limit: RateLimit | None, error: str | None
    ) -> JobReport:
        limited, injected_429, injected_5xx = (
            after - before for after, before in zip(self._counts(), self._start_counts, strict=True)
        )
        s = self._stats
        requests, throttled, retries, failures = (
            after - before
            for after, before in zip(
                (s.requests, s.throttled, s.retries, s.failures), self._start_stats, strict=True
            )
        )
        return JobReport(
            client=client,
            job=job,
            items=items,
            requests=requests,
            throttled=throttled,
            retries=retries,
            failures=failures,
            server_limited=limited,
            injected_429=injected_429,
            injected_5xx=injected_5xx,
            limit=limit,
            wall=self.wall,
            error=error,
        )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def build_emulator_of(
    *,
    seed: int = 0,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    fault_5xx: float = 0.0,
    fault_429: float = 0.0,
    burst_429: int = 1,
    fault_drop: float = 0.0,
    clockify_retry_after: bool = False,
) -> Emulator:
    """An emulator with the vendors' documented rate limits and a seeded fault plan: the one
    place the command's options become a :class:`~timeclients.testing.FaultPlan`.

    Raises:
        ValueError: a rate outside 0..1, a negative latency (the fault plan's own checks).
    """
    from timeclients.testing import Emulator, FaultPlan

    if latency_ms < 0 or jitter_ms < 0:
        raise ValueError("latency_ms and jitter_ms must not be negative")
    faults = FaultPlan(
        seed=seed,
        latency=(latency_ms / 1000.0, jitter_ms / 1000.0),
        error_5xx_rate=fault_5xx,
        error_429_rate=fault_429,
        error_429_burst=burst_429,
        drop_rate=fault_drop,
    )
    return Emulator(seed=seed, faults=faults, clockify_retry_after=clockify_retry_after)


def build_emulator(options: DemoOptions) -> Emulator:
    """The emulator the demo runs against: documented rate limits, the options' fault plan."""
    return build_emulator_of(
        seed=options.seed,
        latency_ms=options.latency_ms,
        jitter_ms=options.jitter_ms,
        fault_5xx=options.fault_5xx,
        fault_429=options.fault_429,
        burst_429=options.burst_429,
    )


def run_demo(
    options: DemoOptions | None = None,
    *,
    on_progress: ProgressFn | None = None,
    on_phase: Phase | None = None,
) -> DemoReport:
    """Seed an emulator, run the three jobs through the real clients, and report.

    Blocking (it runs its own event loop); in served mode the emulator listens on a free
    loopback port for the duration of the run.

    Args:
        options: sizes, latency and faults (default: :class:`DemoOptions`).
        on_progress: called as ``on_progress(done, total)`` while the bulk job runs.
        on_phase: called with a short message as each step starts.
    """
    options = options or DemoOptions()
    emulator = build_emulator(options)
    phase: Phase = on_phase or (lambda _message: None)
    phase(
        f"seeding: a Clockify workspace of {options.members} members, a McTime organization "
        f"of {options.clocked_in} clocked-in users, a Toggl user"
    )
    seeds = _Seeds(
        clockify=emulator.seed_clockify_workspace(members=options.members),
        mctime=emulator.seed_mctime_organization(
            users=options.clocked_in, on_break=min(5, options.clocked_in)
        ),
        toggl=emulator.seed_toggl_user(),
    )
    if not options.served:
        return anyio.run(_run_jobs, emulator, seeds, None, options, on_progress, phase)
    with emulator.serve() as served:
        urls = {
            "clockify": served.clockify_url,
            "mctime": served.mctime_url,
            "toggl": served.toggl_url,
            "toggltrack": served.toggltrack_url,
            "root": served.url,
        }
        return anyio.run(_run_jobs, emulator, seeds, urls, options, on_progress, phase)


@attrs.frozen
class _Seeds:
    clockify: ClockifyWorkspaceSeed
    mctime: McTimeOrganizationSeed
    toggl: TogglUserSeed


async def _run_jobs(
    emulator: Emulator,
    seeds: _Seeds,
    urls: dict[str, str] | None,
    options: DemoOptions,
    on_progress: ProgressFn | None,
    phase: Phase,
) -> DemoReport:
    # In-process, the clients keep the vendors' real base URLs: the emulator's transport
    # answers those hosts itself. Served, they point at the loopback server.
    pool = HttpPool() if urls else HttpPool(transport=emulator.transport())
    base: dict[str, Any] = {}
    if urls:
        vendors = ("clockify", "mctime", "toggl", "toggltrack")
        base = {vendor: {"base_url": urls[vendor]} for vendor in vendors}
    mode = urls["root"] if urls else "in-process"
    started = time.perf_counter()
    async with pool:
        clockify_job, bulk = await _bulk_job(emulator, seeds, pool, base, on_progress, phase)
        mctime_job, clocked_in, item_errors = await _mctime_job(emulator, seeds, pool, base, phase)
        toggl_job, toggl_user = await _toggl_job(emulator, seeds, pool, base, phase)
        toggltrack_job, toggl_quota = await _toggltrack_job(emulator, seeds, pool, base, phase)
    wall = time.perf_counter() - started
    with emulator.lock:
        answered = emulator.stats.requests
    return DemoReport(
        options=options,
        mode=mode,
        jobs=(clockify_job, mctime_job, toggl_job, toggltrack_job),
        bulk=bulk,
        clocked_in=tuple(clocked_in),
        item_errors=item_errors,
        toggl_user=toggl_user,
        emulator_requests=answered,
        wall=wall,
        toggl_quota=toggl_quota,
    )


async def _bulk_job(
    emulator: Emulator,
    seeds: _Seeds,
    pool: HttpPool,
    base: dict[str, Any],
    on_progress: ProgressFn | None,
    phase: Phase,
) -> tuple[JobReport, BulkSummary]:
    ws = seeds.clockify
    phase(
        f"Clockify: reading the {len(ws.member_ids)} members (50 per page), then setting "
        "every member's cost rate at 50 requests/s per workspace"
    )
    last = (0, 0)

    def progress(done: int, total: int) -> None:
        nonlocal last
        last = (done, total)
        if on_progress is not None:
            on_progress(done, total)

    async with ClockifyClient(api_key=ws.api_key, pool=pool, **base.get("clockify", {})) as c:
        meter = _JobMeter(emulator, c.stats)
        # Read the members the way a real job would (every page, not just the first 50 the
        # document's own example stops at); fall back to the seeded ids if that fails.
        error: str | None = None
        try:
            listed = [user.id async for user in c.users.list(ws.workspace_id)]
            members = [user_id for user_id in listed if user_id != ws.owner_id]
        except TimeClientsError as exc:
            error = f"users.list: {_describe(exc)}; updating the seeded members instead"
            members = list(ws.member_ids)
        rates = {user_id: BASE_AMOUNT + 10 * (i % 50) for i, user_id in enumerate(members)}
        started = time.perf_counter()
        result = await c.users.bulk_set_cost_rate(ws.workspace_id, rates, on_progress=progress)
        bulk_wall = time.perf_counter() - started
        meter.stop()
        job = meter.report(
            "ClockifyClient",
            "users.list + bulk",
            len(result.succeeded) + len(result.failed),
            c.rate_limit,
            error,
        )
    with emulator.lock:
        verified = sum(
            emulator.clockify.current_rate(ws.workspace_id, user_id, "cost") == rates[user_id]
            for user_id in result.succeeded
        )
    summary = BulkSummary(
        total=len(rates),
        succeeded=len(result.succeeded),
        failed=len(result.failed),
        verified=verified,
        failures_by_type=dict(Counter(type(exc).__name__ for exc in result.failed.values())),
        last_progress=last,
        wall=bulk_wall,
        limit=c.rate_limit,
    )
    return job, summary


async def _mctime_job(
    emulator: Emulator, seeds: _Seeds, pool: HttpPool, base: dict[str, Any], phase: Phase
) -> tuple[JobReport, list[ClockStatus], int]:
    org = seeds.mctime
    phase("McTime: listing who is clocked in, 20 per page, 10 requests/s per key")
    entries: list[ClockStatus] = []
    error: str | None = None
    item_errors = 0
    async with McTimeClient(api_key=org.manager_key, pool=pool, **base.get("mctime", {})) as c:
        meter = _JobMeter(emulator, c.stats)
        listing = c.clock.list()
        try:
            async for entry in listing:
                entries.append(entry)
            item_errors = len(listing.item_errors)
        except TimeClientsError as exc:
            error = _describe(exc)
        meter.stop()
        job = meter.report("McTimeClient", "clock.list", len(entries), c.rate_limit, error)
    return job, entries, item_errors


async def _toggl_job(
    emulator: Emulator, seeds: _Seeds, pool: HttpPool, base: dict[str, Any], phase: Phase
) -> tuple[JobReport, str | None]:
    phase("Toggl: fetching the user behind the API token")
    user: str | None = None
    error: str | None = None
    async with TogglClient(
        api_token=seeds.toggl.api_token, pool=pool, **base.get("toggl", {})
    ) as c:
        meter = _JobMeter(emulator, c.stats)
        try:
            me = await c.me.get()
            user = f"{me.user.fullname} <{me.user.email}>"
        except TimeClientsError as exc:
            error = _describe(exc)
        meter.stop()
        job = meter.report("TogglClient", "me.get", int(user is not None), c.rate_limit, error)
    return job, user


async def _toggltrack_job(
    emulator: Emulator, seeds: _Seeds, pool: HttpPool, base: dict[str, Any], phase: Phase
) -> tuple[JobReport, str | None]:
    """The Toggl v9 step: the same user through the live API's client, then its hourly quota."""
    phase("Toggl v9: the user and its hourly API quota")
    quota: str | None = None
    error: str | None = None
    done = 0
    async with TogglTrackClient(
        api_token=seeds.toggl.api_token, pool=pool, **base.get("toggltrack", {})
    ) as c:
        meter = _JobMeter(emulator, c.stats)
        try:
            await c.me.get()
            done += 1
            mine = next(q for q in await c.me.quota() if q.is_user_quota)
            done += 1
            quota = (
                f"{mine.remaining} of {mine.total} requests left, resets in {mine.resets_in_secs} s"
            )
        except (TimeClientsError, StopIteration) as exc:
            error = _describe(exc)
        meter.stop()
        job = meter.report("TogglTrackClient", "me.get+quota", done, c.rate_limit, error)
    return job, quota


# --------------------------------------------------------------------------- rendering


def _within_one_window(count: int, wall: float, limit: RateLimit) -> bool:
    """Whether ``count`` requests over ``wall`` seconds are too few to measure a rate: they fit
    in one window of the limit, or took less than one window."""
    return count <= limit.requests or wall < limit.per


def _rate_against_limit(job: JobReport) -> str:
    """Requests per second against the limit; a job that fits in one window has no rate."""
    limit = job.limit
    if limit is None:
        return f"{job.requests_per_second:.1f}/s (no limit)"
    if _within_one_window(job.requests, job.wall, limit):
        return "within 1 window"
    # n sends paced by the limit span n - 1 intervals: a short job is rated over those.
    rate = (job.requests - 1) / job.wall if job.wall > 0 else 0.0
    per_second = limit.per_second
    return f"{rate:.1f} of {per_second:g}/s ({rate / per_second:.0%})"


def _bulk_rate(bulk: BulkSummary) -> str:
    """The bulk job's pace, as a share of the limit only when it was measured over more than
    one window (a burst shorter than a window says nothing about a per-second limit)."""
    pace = f"{bulk.updates_per_second:.1f} updates/s over {bulk.wall:.2f} s"
    limit = bulk.limit
    if limit is None or bulk.share_of_limit is None:
        return pace
    if _within_one_window(bulk.accounted, bulk.wall, limit):
        return (
            f"{bulk.accounted} updates in {bulk.wall:.2f} s: within one {limit.per:g} s window "
            f"of the {limit.requests}/{limit.per:g} s limit, too short to measure a rate "
            "against it"
        )
    return f"{pace} ({bulk.share_of_limit:.0%} of the {limit.per_second:g}/s limit)"


def _throttle_summary(report: DemoReport) -> str:
    """What the 429s of the run were, and what they mean."""
    clockify = report.jobs[0]
    seen = sum(job.throttled for job in report.jobs)
    limited = sum(job.server_limited for job in report.jobs)
    injected = sum(job.injected_429 for job in report.jobs)
    parts = [f"429s: {seen} seen by the clients"]
    if limited:
        parts.append(
            f"{limited} from the emulator's own rate limit: requests arrived closer together "
            "than the limit allows (arrival jitter beyond the limiter's safety margin); each "
            "was retried"
        )
    else:
        parts.append(
            "0 from the emulator's own rate limit: no window ever saw more than the limit "
            f"({clockify.requests} Clockify requests)"
        )
    if injected:
        parts.append(f"{injected} injected by the fault plan (not the limiter's doing; retried)")
    return "; ".join(parts)


def render_report(report: DemoReport, console: Console) -> None:
    """Print the clocked-in table, the Toggl user, and the summary table."""
    from rich.table import Table

    shown = report.clocked_in[:10]
    who = Table(title=f"Clocked in (McTime): {len(report.clocked_in)}", title_justify="left")
    for column in ("name", "since", "time type", "on break", "organization"):
        who.add_column(column)
    for entry in shown:
        who.add_row(
            f"{entry.user_first_name or ''} {entry.user_last_name or ''}".strip(),
            entry.from_.strftime("%H:%M %z") if entry.from_ is not None else "",
            str(entry.time_type.value) if entry.time_type is not None else "",
            "yes" if entry.on_break else "",
            entry.organization_name or "",
        )
    if len(report.clocked_in) > len(shown):
        who.add_row(f"... and {len(report.clocked_in) - len(shown)} more", "", "", "", "")
    console.print(who)
    console.print(f"Toggl user: {report.toggl_user or 'not fetched'}")
    console.print(f"Toggl v9 quota (/me): {report.toggl_quota or 'not fetched'}")

    # One column per client keeps the table inside 80 columns (CI logs, narrow terminals).
    table = Table(title=f"Summary ({report.mode})", title_justify="left")
    table.add_column("")
    for job in report.jobs:
        table.add_column(job.client, justify="right")
    rows: tuple[tuple[str, Callable[[JobReport], str]], ...] = (
        ("job", lambda j: j.job),
        ("items", lambda j: str(j.items)),
        ("requests sent", lambda j: str(j.requests)),
        ("requests/s of limit", _rate_against_limit),
        ("429s seen (client)", lambda j: str(j.throttled)),
        ("429s (server limit)", lambda j: str(j.server_limited)),
        ("429s injected", lambda j: str(j.injected_429)),
        ("5xx injected", lambda j: str(j.injected_5xx)),
        ("retries", lambda j: str(j.retries)),
        ("failures", lambda j: str(j.failures)),
        ("wall time", lambda j: f"{j.wall:.2f} s"),
    )
    for label, cell in rows:
        table.add_row(label, *(cell(job) for job in report.jobs))
    console.print(table)
    bulk = report.bulk
    console.print(
        f"bulk: {bulk.succeeded} updated, {bulk.failed} failed "
        f"(accounted: {bulk.accounted} of {bulk.total}); {_bulk_rate(bulk)}; "
        f"server holds {bulk.verified} of {bulk.succeeded} reported updates",
        highlight=False,
    )
    console.print(_throttle_summary(report), highlight=False)
    if bulk.failures_by_type:
        kinds = ", ".join(f"{n} {name}" for name, n in sorted(bulk.failures_by_type.items()))
        console.print(f"bulk failures: {kinds}")
    for job in report.jobs:
        if job.error:
            console.print(f"{job.client} ({job.job}) error: {job.error}")
    console.print(
        f"emulator answered {report.emulator_requests} requests; the jobs took {report.wall:.2f} s"
    )


def main(options: DemoOptions, console: Console | None = None) -> int:
    """Run the demo with live progress and print the report; 0 when every item is accounted
    for and every reported success is held by the server, else 1."""
    from rich.console import Console

    console = console or Console()
    console.print(
        "[bold]timeclients demo[/bold]: the real clients against the embedded emulator "
        f"({'served on a loopback socket' if options.served else 'in-process'}; "
        f"seed {options.seed}, latency {options.latency_ms:g}+0..{options.jitter_ms:g} ms, "
        f"5xx {options.fault_5xx:.0%}, 429 bursts {options.fault_429:.0%})"
    )
    with progress_display(console, "bulk update") as progress:
        # The bar only lives while the bulk job runs; phases before and after it print above.
        report = run_demo(options, on_progress=progress, on_phase=console.print)
    render_report(report, console)
    return 0 if report.ok else 1

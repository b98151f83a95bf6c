"""The ``timeclients`` command's commands (Typer), and how every failure becomes an exit status.

Exit statuses: 0 success; 1 the vendor refused, the connection failed, or some bulk items
failed; 2 bad usage or bad input (nothing was sent); 130 interrupted (Ctrl-C). Every expected
failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import enum
import json
import os
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import anyio
import typer

import timeclients
from timeclients import ClockifyClient, McTimeClient, TogglClient, TogglTrackClient, errors

from . import _render
from ._rates import RatesFileError, read_rates

__all__ = ["app", "run"]

T = TypeVar("T")

#: ``--json``: the same option on every command.
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON on stdout (and nothing else there).")
]

app = typer.Typer(
    name="timeclients",
    help=(
        "Call Clockify, McTime and Toggl Track from the shell, or run the demo and the "
        "emulator.\n\n"
        "Credentials and base URLs come from the environment: CLOCKIFY_API_KEY (or "
        "CLOCKIFY_ADDON_TOKEN), MCTIME_API_KEY, TOGGL_API_TOKEN; CLOCKIFY_BASE_URL, "
        "MCTIME_BASE_URL, TOGGL_TRACK_BASE_URL (Toggl v9), TOGGL_BASE_URL (Toggl v8) to talk "
        "to another server (such as `timeclients emulator`).\n\n"
        "Exit status: 0 success; 1 the vendor refused or some items failed; 2 bad usage or "
        "bad input (nothing sent); 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
clockify_app = typer.Typer(
    help="Clockify: workspaces, members, rates (CLOCKIFY_API_KEY, CLOCKIFY_BASE_URL).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
mctime_app = typer.Typer(
    help="McTime: who is clocked in (MCTIME_API_KEY, MCTIME_BASE_URL).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
toggl_app = typer.Typer(
    help=(
        "Toggl Track: the user behind the token (TOGGL_API_TOKEN; API v9 at "
        "TOGGL_TRACK_BASE_URL, or v8 at TOGGL_BASE_URL)."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(clockify_app, name="clockify")
app.add_typer(mctime_app, name="mctime")
app.add_typer(toggl_app, name="toggl")


class Failed(Exception):
    """An expected failure: print ``message`` on stderr and exit with ``status``."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _version(value: bool) -> None:
    if value:
        typer.echo(f"timeclients {timeclients.__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Call Clockify, McTime and Toggl Track from the shell."""


# ----------------------------------------------------------------------------- running


def _call(job: Callable[[], Awaitable[T]]) -> T:
    """Run ``job`` on an event loop; the library's errors become :class:`Failed`."""
    try:
        return anyio.run(job)
    except KeyboardInterrupt:
        raise Failed("interrupted", 130) from None
    except (errors.ValidationError, errors.ConfigurationError) as exc:
        raise Failed(str(exc), 2) from None
    except errors.APIError as exc:
        raise Failed(f"the vendor refused: {exc}", 1) from None
    except errors.TransportError as exc:
        raise Failed(f"could not reach the vendor: {exc}", 1) from None
    except errors.TimeClientsError as exc:
        raise Failed(str(exc), 1) from None


def _finish(status: int) -> NoReturn:
    raise typer.Exit(status)


# ----------------------------------------------------------------------------- clockify


@clockify_app.command("workspaces")
def clockify_workspaces(
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="Only workspaces where you have this role (repeat for several): OWNER, "
            "WORKSPACE_ADMIN, TEAM_MANAGER, PROJECT_MANAGER.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the workspaces the credential can see."""

    async def job() -> list[Any]:
        async with ClockifyClient() as client:
            return await client.workspaces.list(roles=role or ())

    workspaces = _call(job)
    if as_json:
        _render.print_json(workspaces)
        return
    _render.table(
        f"Clockify workspaces: {len(workspaces)}",
        ("id", "name", "members", "currency"),
        (
            (
                ws.id,
                ws.name,
                len(ws.memberships),
                ws.hourly_rate.currency if ws.hourly_rate else None,
            )
            for ws in workspaces
        ),
        _render.out_console(),
    )


@clockify_app.command("members")
def clockify_members(
    workspace_id: Annotated[str, typer.Argument(help="The workspace's id.", show_default=False)],
    status: Annotated[
        str | None,
        typer.Option(help="PENDING, ACTIVE, DECLINED, INACTIVE or ALL (Clockify's default: all)."),
    ] = None,
    email: Annotated[str | None, typer.Option(help="Only e-mails containing this text.")] = None,
    name: Annotated[str | None, typer.Option(help="Only names containing this text.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List every member of a workspace (every page)."""

    async def job() -> list[Any]:
        async with ClockifyClient() as client:
            listing = client.users.list(workspace_id, status=status, email=email, name=name)
            return [user async for user in listing]

    members = _call(job)
    if as_json:
        _render.print_json(members)
        return
    _render.table(
        f"Members of {workspace_id}: {len(members)}",
        ("id", "name", "email", "status"),
        ((u.id, u.name, u.email, u.status.value if u.status else None) for u in members),
        _render.out_console(),
    )


class RateKind(str, enum.Enum):
    """Which rate ``set-rates`` sets."""

    cost = "cost"
    hourly = "hourly"


def _parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO-8601 date-time, e.g. 2026-01-01T00:00:00Z",
            param_hint="'--since'",
        ) from None
    if value.tzinfo is None:
        raise typer.BadParameter(
            "needs a timezone, e.g. 2026-01-01T00:00:00Z or 2026-01-01T09:00:00+02:00",
            param_hint="'--since'",
        )
    return value


@clockify_app.command("set-rates")
def clockify_set_rates(
    workspace_id: Annotated[str, typer.Argument(help="The workspace's id.", show_default=False)],
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="A CSV file with a header row naming user_id and amount (an integer in the "
            "currency's minor unit: 12550 is 125.50); other columns are ignored.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        RateKind, typer.Option(help="The cost rate, or the billable (hourly) rate.")
    ] = RateKind.cost,
    since: Annotated[
        str | None,
        typer.Option(
            help="When the rates take effect, ISO-8601 with a timezone "
            "(e.g. 2026-01-01T00:00:00Z). Default: Clockify's (now)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and show what would be sent.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Set many members' rates from a CSV file, one request per row, under the rate limit.

    Every row is checked before the first request: a bad row stops everything (exit 2, with
    its line number). Then each row succeeds or fails on its own; the exit status is 1 if
    any failed. JSON: {"succeeded": [...], "failed": {"<user_id>": "<message>"}}.
    """
    when = _parse_since(since)
    try:
        rates = read_rates(csv_file)
    except RatesFileError as exc:
        raise Failed(str(exc), 2) from None
    path = f"/workspaces/{workspace_id}/users/{{user_id}}/{kind.value}-rate"
    if dry_run:
        _dry_run(workspace_id, rates, kind, when, path, as_json)
        return
    err = _render.err_console()

    async def job() -> Any:
        async with ClockifyClient() as client:
            bulk = (
                client.users.bulk_set_cost_rate
                if kind is RateKind.cost
                else client.users.bulk_set_hourly_rate
            )
            with _render.progress_display(err, f"set-rates ({kind.value})") as progress:
                return await bulk(workspace_id, rates, since=when, on_progress=progress)

    result = _call(job)
    failed = {user_id: str(exc) for user_id, exc in result.failed.items()}
    if as_json:
        _render.print_json({"succeeded": result.succeeded, "failed": failed})
    else:
        out = _render.out_console()
        if failed:
            _render.table(f"Failed: {len(failed)}", ("user_id", "why"), failed.items(), out)
        out.print(
            f"{kind.value} rates: {len(result.succeeded)} of {len(rates)} set, "
            f"{len(failed)} failed",
            highlight=False,
        )
    _finish(0 if not failed else 1)


def _dry_run(
    workspace_id: str,
    rates: dict[str, int],
    kind: RateKind,
    since: datetime | None,
    path: str,
    as_json: bool,
) -> None:
    async def job() -> None:
        # Builds the client (credential, base URL) as a real run would; sends nothing.
        async with ClockifyClient():
            pass

    _call(job)
    since_text = (
        since.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        if since is not None
        else None
    )
    if as_json:
        _render.print_json(
            {
                "dry_run": True,
                "workspace_id": workspace_id,
                "kind": kind.value,
                "request": f"PUT {path}",
                "since": since_text,
                "rates": rates,
            }
        )
        return
    out = _render.out_console()
    body = '{"amount": <amount>' + (f', "since": "{since_text}"' if since_text else "") + "}"
    out.print(
        f"dry run: {len(rates)} requests would be sent, each PUT {path} with {body}; nothing sent",
        highlight=False,
    )
    _render.table("Rates", ("user_id", "amount"), rates.items(), out)


# ----------------------------------------------------------------------------- mctime


@mctime_app.command("clocked-in")
def mctime_clocked_in(
    user_id: Annotated[
        list[str] | None, typer.Option("--user-id", help="Only this user (repeatable).")
    ] = None,
    time_type: Annotated[
        list[str] | None,
        typer.Option("--time-type", help="Only this time type, e.g. WORK (repeatable)."),
    ] = None,
    organization_id: Annotated[
        list[str] | None,
        typer.Option("--organization-id", help="Only this organization id (repeatable)."),
    ] = None,
    organization: Annotated[
        list[str] | None,
        typer.Option("--organization", help="Only this organization name (repeatable)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List everyone clocked in (every page), each entry once.

    Entries the key may not see come back as per-item errors: they are listed on stderr.
    """

    async def job() -> tuple[list[Any], list[Any]]:
        async with McTimeClient() as client:
            listing = client.clock.list(
                user_ids=user_id or (),
                time_types=time_type or (),
                organization_ids=organization_id or (),
                organization_names=organization or (),
            )
            async with listing:
                entries = [entry async for entry in listing]
            return entries, list(listing.item_errors)

    entries, item_errors = _call(job)
    err = _render.err_console()
    for item in item_errors:
        err.print(
            f"warning: user {item.user_id or '?'}: {item.status} {item.message}", highlight=False
        )
    if as_json:
        _render.print_json(entries)
        return
    _render.table(
        f"Clocked in (McTime): {len(entries)}",
        ("id", "name", "since", "time type", "on break", "organization"),
        (
            (
                e.id,
                f"{e.user_first_name or ''} {e.user_last_name or ''}".strip(),
                e.from_.isoformat() if e.from_ else None,
                e.time_type.value if e.time_type else None,
                "yes" if e.on_break else "",
                e.organization_name,
            )
            for e in entries
        ),
        _render.out_console(),
    )


# ----------------------------------------------------------------------------- toggl


class TogglApi(str, enum.Enum):
    """Which Toggl Track API ``toggl me`` calls."""

    auto = "auto"
    v9 = "v9"
    v8 = "v8"


def _toggl_api(api: TogglApi) -> TogglApi:
    """``auto``: v8 when only ``TOGGL_BASE_URL`` (the v8 client's variable) is set, else v9.

    Toggl retired v8; the live API is v9. A user who points ``TOGGL_BASE_URL`` at a v8 server
    (an emulator, a recording proxy) and sets nothing for v9 meant that server.
    """
    if api is not TogglApi.auto:
        return api
    env = os.environ
    if env.get("TOGGL_BASE_URL") and not env.get("TOGGL_TRACK_BASE_URL"):
        return TogglApi.v8
    return TogglApi.v9


@toggl_app.command("me")
def toggl_me(
    related: Annotated[
        bool,
        typer.Option(
            "--related", help="Also fetch workspaces, clients, projects, time entries and tags."
        ),
    ] = False,
    api: Annotated[
        TogglApi,
        typer.Option(
            "--api",
            help=(
                "Toggl Track API version: v9 (the live API), v8 (retired), or auto: v8 when "
                "only TOGGL_BASE_URL is set, else v9."
            ),
        ),
    ] = TogglApi.auto,
    as_json: JsonFlag = False,
) -> None:
    """Show the user behind the API token (never the token itself)."""
    version = _toggl_api(api)

    async def job() -> Any:
        if version is TogglApi.v8:
            async with TogglClient() as v8:
                return await v8.me.get(with_related_data=related)  # Me: since and user
        async with TogglTrackClient() as v9:
            return {"user": await v9.me.get(with_related_data=related)}

    me = _call(job)
    if as_json:  # {"user": {...}} from either API (v8 adds its "since")
        _render.print_json(me)
        return
    user = _render.to_jsonable(me["user"] if isinstance(me, dict) else me.user)
    rows = [
        (key, value)
        for key, value in user.items()
        if value is not None and not isinstance(value, (list, dict))
    ]
    rows += [(key, f"{len(value)} items") for key, value in user.items() if isinstance(value, list)]
    title = f"Toggl user (API {version.value})"
    _render.table(title, ("field", "value"), rows, _render.out_console())


# ----------------------------------------------------------------------------- demo, emulator


@app.command("demo")
def demo(
    members: Annotated[int, typer.Option(help="Clockify members: one rate update each.")] = 300,
    clocked_in: Annotated[int, typer.Option(help="Clocked-in users of McTime.")] = 60,
    latency_ms: Annotated[float, typer.Option(help="Fixed latency per request, ms.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Extra random latency, 0..N ms.")] = 20.0,
    fault_5xx: Annotated[float, typer.Option(help="Share of 5xx answers, 0..1.")] = 0.0,
    fault_429: Annotated[
        float, typer.Option(help="Share of requests starting a burst of 429s, 0..1.")
    ] = 0.0,
    burst_429: Annotated[int, typer.Option(help="Length of one 429 burst.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed for ids, keys and faults.")] = 0,
    served: Annotated[
        bool, typer.Option("--served", help="Talk HTTP to the emulator on a loopback socket.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout, progress on stderr.")
    ] = False,
) -> None:
    """Run the three clients against the embedded emulator and print what they measured."""
    from . import _demo

    try:
        options = _demo.DemoOptions(
            members=members,
            clocked_in=clocked_in,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            fault_5xx=fault_5xx,
            fault_429=fault_429,
            burst_429=burst_429,
            seed=seed,
            served=served,
        )
        _demo.build_emulator(options)  # checks the fault rates before anything runs
    except ValueError as exc:
        raise Failed(f"demo: {exc}", 2) from None
    if served:
        _require_emulator_extra("demo --served")
    if not as_json:
        _finish(_demo.main(options))
    err = _render.err_console()
    with _render.progress_display(err, "bulk update") as progress:
        report = _demo.run_demo(options, on_progress=progress, on_phase=err.print)
    _render.print_json({"ok": report.ok, **_render.to_jsonable(report)})
    _finish(0 if report.ok else 1)


def _require_emulator_extra(command: str) -> None:
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        raise Failed(
            f"{command} needs the emulator extra: pip install 'timeclients[emulator]'", 2
        ) from None


def _check_port_free(host: str, port: int) -> None:
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Failed(f"emulator: cannot listen on {host!r}: {exc.strerror or exc}", 2) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise Failed(
                f"emulator: cannot listen on {host}:{port}: {exc.strerror or exc}; choose "
                "another --port (0 picks a free one)",
                2,
            ) from None


@app.command("emulator")
def emulator(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: a free one).", min=0, max=65535)] = 8765,
    seed: Annotated[int, typer.Option(help="Seed for ids, keys and faults.")] = 0,
    latency_ms: Annotated[float, typer.Option(help="Fixed latency per request, ms.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Extra random latency, 0..N ms.")] = 0.0,
    fault_5xx: Annotated[float, typer.Option(help="Share of 5xx answers, 0..1.")] = 0.0,
    fault_429: Annotated[float, typer.Option(help="Share of injected 429s, 0..1.")] = 0.0,
    fault_drop: Annotated[float, typer.Option(help="Share of dropped connections, 0..1.")] = 0.0,
    clockify_members: Annotated[
        int, typer.Option(help="Members of the seeded Clockify workspace.")
    ] = 50,
    mctime_users: Annotated[
        int, typer.Option(help="Clocked-in users of the seeded McTime organization.")
    ] = 45,
    retry_after: Annotated[
        bool, typer.Option("--retry-after", help="Send Retry-After on Clockify 429s.")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print one JSON line (URLs, keys, ids) on stdout instead of the banner."
        ),
    ] = False,
) -> None:
    """Serve the vendor emulator (Clockify, McTime, Toggl v9 and v8) on a local port until Ctrl-C.

    It prints the environment variables that point the command, the library and the
    examples at it: paste them into another shell.
    """
    _require_emulator_extra("emulator")
    from . import _demo

    try:
        emu = _demo.build_emulator_of(
            seed=seed,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            fault_5xx=fault_5xx,
            fault_429=fault_429,
            fault_drop=fault_drop,
            clockify_retry_after=retry_after,
        )
    except ValueError as exc:
        raise Failed(f"emulator: {exc}", 2) from None
    ws = emu.seed_clockify_workspace(members=clockify_members)
    org = emu.seed_mctime_organization(users=mctime_users, on_break=min(5, mctime_users))
    toggl = emu.seed_toggl_user()
    _check_port_free(host, port)
    try:
        serving = emu.serve(host=host, port=port)
        served = serving.__enter__()
    except (RuntimeError, OSError) as exc:
        raise Failed(f"emulator: could not serve on {host}:{port} ({exc})", 2) from None
    try:
        env = {
            "CLOCKIFY_BASE_URL": served.clockify_url,
            "CLOCKIFY_API_KEY": ws.api_key,
            "MCTIME_BASE_URL": served.mctime_url,
            "MCTIME_API_KEY": org.manager_key,
            "TOGGL_BASE_URL": served.toggl_url,
            "TOGGL_API_TOKEN": toggl.api_token,
            "TOGGL_TRACK_BASE_URL": served.toggltrack_url,
        }
        if as_json:
            # The emulator's own keys (not secrets of anyone's): printed so scripts can use them.
            line = {
                "url": served.url,
                "env": env,
                "clockify_workspace_id": ws.workspace_id,
                "clockify_member_ids": list(ws.member_ids),
            }
            print(json.dumps(line))
        else:
            print(f"timeclients emulator listening on {served.url}")
            print(f"  Clockify  {served.clockify_url}  X-Api-Key: {ws.api_key}  "
                  f"workspace: {ws.workspace_id}")  # fmt: skip
            print(f"  McTime    {served.mctime_url}  API_KEY: {org.manager_key} (manager)")
            print(f"  Toggl     {served.toggl_url}  token: {toggl.api_token}")
            print(f"  Toggl v9  {served.toggltrack_url}  (the same account and token)")
            print("Point the command, the library and the examples at it (in another shell):")
            print("  export " + " ".join(f"{k}={v}" for k, v in env.items()))
            print("Press Ctrl-C to stop.")
        sys.stdout.flush()
        stop = threading.Event()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass  # the way to stop a server: exit 0
    finally:
        serving.__exit__(None, None, None)


# ----------------------------------------------------------------------------- entry


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the status."""
    command = typer.main.get_command(app)
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        # Standalone mode: Typer prints usage errors (status 2) and help itself, and ends
        # with SystemExit, whose status is returned here.
        command.main(args=args, prog_name="timeclients", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Failed as exc:
        print(f"timeclients: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("timeclients: interrupted", file=sys.stderr)
        return 130
    return 0

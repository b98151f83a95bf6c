"""The ``timeclients`` command: one subcommand per function, registered in ``COMMANDS``."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "build_parser", "main"]

#: name -> (add its arguments to a subparser, run it and return the exit status)
Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def _emulator_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids, keys and faults")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="extra random latency, 0..N")
    parser.add_argument("--fault-5xx", type=float, default=0.0, help="share of 5xx answers, 0..1")
    parser.add_argument("--fault-429", type=float, default=0.0, help="share of injected 429s")
    parser.add_argument(
        "--fault-drop", type=float, default=0.0, help="share of dropped connections"
    )
    parser.add_argument("--clockify-members", type=int, default=50,
                        help="members of the seeded Clockify workspace")  # fmt: skip
    parser.add_argument("--mctime-users", type=int, default=45,
                        help="clocked-in users of the seeded McTime organization")  # fmt: skip
    parser.add_argument("--retry-after", action="store_true",
                        help="send Retry-After on Clockify 429s")  # fmt: skip


def run_emulator(args: argparse.Namespace) -> int:
    """Seed an emulator, serve it, print its URLs and credentials, and wait for Ctrl-C."""
    from .testing import Emulator, FaultPlan

    faults = FaultPlan(
        seed=args.seed,
        latency=(args.latency_ms / 1000.0, args.jitter_ms / 1000.0),
        error_5xx_rate=args.fault_5xx,
        error_429_rate=args.fault_429,
        drop_rate=args.fault_drop,
    )
    emulator = Emulator(seed=args.seed, faults=faults, clockify_retry_after=args.retry_after)
    ws = emulator.seed_clockify_workspace(members=args.clockify_members)
    org = emulator.seed_mctime_organization(
        users=args.mctime_users, on_break=min(5, args.mctime_users)
    )
    toggl = emulator.seed_toggl_user()
    with emulator.serve(host=args.host, port=args.port) as served:
        print(f"timeclients emulator listening on {served.url}", flush=True)
        print(f"  Clockify  {served.clockify_url}  X-Api-Key: {ws.api_key}  "
              f"workspace: {ws.workspace_id}")  # fmt: skip
        print(f"  McTime    {served.mctime_url}  API_KEY: {org.manager_key} (manager)")
        print(f"  Toggl     {served.toggl_url}  token: {toggl.api_token}")
        print(f"  Toggl v9  {served.toggltrack_url}  (the same account and token)")
        print("Press Ctrl-C to stop.", flush=True)
        stop = threading.Event()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=int, default=300,
                        help="Clockify workspace members: one rate update each")  # fmt: skip
    parser.add_argument("--clocked-in", type=int, default=60,
                        help="clocked-in users of the McTime organization")  # fmt: skip
    parser.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    parser.add_argument("--jitter-ms", type=float, default=20.0, help="extra random latency, 0..N")
    parser.add_argument("--fault-5xx", type=float, default=0.0, help="share of 5xx answers, 0..1")
    parser.add_argument("--fault-429", type=float, default=0.0,
                        help="share of requests starting a burst of 429s, 0..1")  # fmt: skip
    parser.add_argument("--burst-429", type=int, default=2, help="length of one 429 burst")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids, keys and faults")
    parser.add_argument(
        "--served", action="store_true", help="talk HTTP to the emulator on a loopback socket"
    )


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo against the embedded emulator; 0 when every item is accounted for."""
    from . import _demo

    try:
        import rich  # noqa: F401 - the demo renders with rich
    except ImportError:
        print("timeclients demo needs rich: pip install 'timeclients[cli]'", file=sys.stderr)
        return 2
    try:
        options = _demo.DemoOptions(
            members=args.members,
            clocked_in=args.clocked_in,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            fault_5xx=args.fault_5xx,
            fault_429=args.fault_429,
            burst_429=args.burst_429,
            seed=args.seed,
            served=args.served,
        )
        _demo.build_emulator(options)  # checks the fault rates before anything runs
    except ValueError as exc:
        print(f"timeclients demo: {exc}", file=sys.stderr)
        return 2
    return _demo.main(options)


#: Every subcommand; adding one is one entry here.
COMMANDS: dict[str, tuple[str, Command]] = {
    "demo": (
        "run the three clients against the embedded emulator and print a summary",
        (_demo_arguments, run_demo),
    ),
    "emulator": (
        "serve the vendor emulator on a loopback port",
        (_emulator_arguments, run_emulator),
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="timeclients", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (summary, (add_arguments, _run)) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=summary, description=summary))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    _summary, (_add, run) = COMMANDS[args.command]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

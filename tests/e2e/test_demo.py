"""``timeclients demo``: run_demo's report, its rendering, and the command as a process."""

from __future__ import annotations

import io
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from timeclients.cli import _demo
from timeclients.cli import main as cli_main
from timeclients.cli._demo import DemoOptions, DemoReport, run_demo

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTED = re.compile(r"bulk: (\d+) updated, (\d+) failed \(accounted: (\d+) of (\d+)\)")


def assert_accounts_for_everything(report: DemoReport, members: int, clocked_in: int) -> None:
    """Every bulk item succeeded or failed, every success is held, progress reached the end."""
    bulk = report.bulk
    assert bulk.total == members
    assert bulk.succeeded + bulk.failed == members
    assert bulk.verified == bulk.succeeded
    assert bulk.last_progress == (members, members)
    assert report.ok
    clockify, mctime, toggl, toggltrack = report.jobs
    assert clockify.items == members
    if clockify.error is None:  # the members were read first: 50 (and the owner) per page
        pages = math.ceil((members + 1) / 50)
        assert clockify.requests == pages + members + clockify.retries
    if mctime.error is None:
        assert len(report.clocked_in) == clocked_in
        assert len({entry.id for entry in report.clocked_in}) == clocked_in
    if toggl.error is None:
        assert report.toggl_user is not None
    if toggltrack.error is None:
        assert report.toggl_quota is not None


def test_run_demo_in_process_without_faults() -> None:
    """60 updates, 25 clocked in, one Toggl user: all done, no 429, near the 50/s limit."""
    progress: list[tuple[int, int]] = []
    phases: list[str] = []
    report = run_demo(
        DemoOptions(members=60, clocked_in=25, seed=1),
        on_progress=lambda done, total: progress.append((done, total)),
        on_phase=phases.append,
    )
    assert_accounts_for_everything(report, 60, 25)
    assert report.mode == "in-process"
    assert (report.bulk.succeeded, report.bulk.failed) == (60, 0)
    assert report.toggl_user == "John Swift <john.swift0@example.com>"
    assert [d for d, _ in progress] == list(range(1, 61))
    assert len(phases) == 5
    clockify, mctime, toggl, toggltrack = report.jobs
    assert (clockify.throttled, clockify.server_limited, clockify.retries) == (0, 0, 0)
    assert clockify.requests == 2 + 60  # two pages of members, then one PUT each
    assert mctime.requests == 2  # 25 clocked in: two pages of 20
    assert toggl.requests == 1
    assert toggltrack.requests == 2  # the user, then its quota
    assert report.toggl_quota is not None
    assert report.toggl_quota.startswith("28 of 30 requests left, resets in ")
    assert report.emulator_requests == 67
    # 60 updates at 50/s take at least 59 intervals of 1/50 s: the limit is kept ...
    assert report.bulk.wall >= 59 / 50
    # ... and not by sending far slower than it (a generous bound: this machine is shared).
    assert report.bulk.updates_per_second >= 0.75 * 50


def test_run_demo_served_with_faults_accounts_for_every_item() -> None:
    """Over a loopback socket with 10% 5xx and bursts of 429, every item is accounted for and
    the injected faults show up in the report."""
    report = run_demo(
        DemoOptions(members=80, clocked_in=30, fault_5xx=0.10, fault_429=0.03, seed=4, served=True)
    )
    assert_accounts_for_everything(report, 80, 30)
    assert report.mode.startswith("http://127.0.0.1:")
    clockify = report.jobs[0]
    assert clockify.injected_5xx > 0
    assert clockify.injected_429 > 0
    assert clockify.retries > 0
    assert clockify.throttled >= clockify.injected_429
    failures = report.bulk.failures_by_type
    assert set(failures) <= {"ServerError", "RateLimitedError"}
    assert sum(failures.values()) == report.bulk.failed


def test_render_on_a_terminal_and_in_a_log() -> None:
    """On a terminal the bulk job shows a rich progress bar; in a log, progress lines; both end
    with the summary table and the accounting line."""
    options = DemoOptions(members=20, clocked_in=3, jitter_ms=0.0, seed=2)
    for terminal in (True, False):
        out = io.StringIO()
        console = Console(file=out, force_terminal=terminal, width=100)
        assert _demo.main(options, console) == 0
        text = out.getvalue()
        assert "Summary (in-process)" in text
        assert "ClockifyClient" in text
        assert "McTimeClient" in text
        assert "TogglClient" in text
        assert "bulk: 20 updated, 0 failed (accounted: 20 of 20)" in re.sub(
            r"\x1b\[[0-9;]*m", "", text
        )
        if terminal:
            assert "━" in text  # the bar
        else:
            assert "bulk update: 20/20 (100%)" in text
            assert "\x1b[" not in text


def test_cli_demo_as_a_process_with_faults() -> None:
    """``python -m timeclients.cli demo`` runs to the end with faults, exits 0, and prints the
    progress, the table and a bulk line that accounts for all 60 items."""
    command = [
        *(sys.executable, "-m", "timeclients.cli", "demo", "--members", "60"),
        *("--clocked-in", "25", "--fault-5xx", "0.1", "--fault-429", "0.02", "--seed", "3"),
    ]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "bulk update: 60/60 (100%)" in out
    assert "Summary (in-process)" in out
    match = ACCOUNTED.search(out)
    assert match is not None, out
    updated, failed, accounted, total = map(int, match.groups())
    assert (updated + failed, accounted, total) == (60, 60, 60)
    assert "Clocked in (McTime): 25" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault-5xx", "1.5"], "error_5xx_rate must be between 0 and 1"),
        (["--members", "0"], "members and clocked_in must be at least 1"),
        (["--jitter-ms", "-1"], "must not be negative"),
    ],
)
def test_cli_refuses_bad_options(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out-of-range options exit with status 2 and say why, before anything runs."""
    assert cli_main(["demo", *argv]) == 2
    assert message in capsys.readouterr().err

"""Fixtures for the ``timeclients`` command: a served emulator process and a way to run the
command as a process against it, configured through the environment only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Variables the command reads; a test's environment never leaks into the runs.
VENDOR_ENV = (
    "CLOCKIFY_API_KEY",
    "CLOCKIFY_ADDON_TOKEN",
    "CLOCKIFY_BASE_URL",
    "MCTIME_API_KEY",
    "MCTIME_BASE_URL",
    "TOGGL_API_TOKEN",
    "TOGGL_BASE_URL",
)
MEMBERS = 120
CLOCKED_IN = 45


@attrs.frozen
class Served:
    """A ``timeclients emulator --json`` process: its URL, environment, seeded ids."""

    url: str
    env: dict[str, str]
    workspace_id: str
    member_ids: list[str]


@attrs.frozen
class Ran:
    """One finished run of the command."""

    status: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON (the whole of it: nothing else may be there)."""
        return json.loads(self.stdout)


def base_env() -> dict[str, str]:
    """The test process's environment without any vendor variable."""
    env = {k: v for k, v in os.environ.items() if k not in VENDOR_ENV}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("FORCE_COLOR", None)
    return env


def command(*args: str) -> list[str]:
    """The argv that runs ``timeclients *args`` with this interpreter."""
    return [sys.executable, "-m", "timeclients.cli", *args]


def run_cli(args: Sequence[str], env: dict[str, str], *, timeout: float = 60) -> Ran:
    """Run the command to the end; assert it printed no traceback."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        command(*args),
        env={**base_env(), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    ran = Ran(done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stdout, ran.stdout
    return ran


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    """One ``timeclients emulator --port 0 --json`` process for the session; stopped with
    Ctrl-C, after which it must exit 0 without a traceback."""
    argv = command(
        *("emulator", "--port", "0", "--json", "--seed", "7"),
        *("--clockify-members", str(MEMBERS), "--mctime-users", str(CLOCKED_IN)),
    )
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        argv,
        env=base_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        try:
            line = json.loads(proc.stdout.readline())
            yield Served(
                line["url"], line["env"], line["clockify_workspace_id"], line["clockify_member_ids"]
            )
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "Traceback" not in err

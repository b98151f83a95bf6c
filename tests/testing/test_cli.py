"""The ``timeclients emulator`` command: arguments, and a real served process on loopback."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest

from timeclients.cli import COMMANDS, build_parser


def test_emulator_arguments():
    """The emulator subcommand takes host, port, seed, latency and fault rates."""
    args = build_parser().parse_args(
        ["emulator", "--port", "0", "--seed", "3", "--latency-ms", "20", "--fault-5xx", "0.1"]
    )
    assert (args.command, args.host, args.port, args.seed) == ("emulator", "127.0.0.1", 0, 3)
    assert (args.latency_ms, args.fault_5xx) == (20.0, 0.1)
    assert "emulator" in COMMANDS


def test_a_subcommand_is_required():
    """Without a subcommand the parser exits with a usage error."""
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([])
    assert exc.value.code == 2


def test_served_process_answers_and_stops_on_ctrl_c():
    """`timeclients emulator --port 0` serves seeded vendors on loopback until interrupted."""
    command = [sys.executable, "-m", "timeclients.cli", "emulator", "--port", "0",
               "--clockify-members", "4", "--mctime-users", "3"]  # fmt: skip
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            banner = [proc.stdout.readline() for _ in range(4)]
            url = re.search(r"listening on (http://\S+)", banner[0])
            api_key = re.search(r"X-Api-Key: (\S+)", banner[1])
            workspace = re.search(r"workspace: (\S+)", banner[1])
            mctime_key = re.search(r"API_KEY: (\S+)", banner[2])
            assert url
            assert api_key
            assert workspace
            assert mctime_key
            base = url[1]
            r = httpx.get(
                f"{base}/api/v1/workspaces/{workspace[1]}/users",
                headers={"X-Api-Key": api_key[1]},
            )
            assert r.status_code == 200
            assert len(r.json()) == 5  # the owner and four members
            r = httpx.get(f"{base}/api/v2/auth/clock", headers={"API_KEY": mctime_key[1]})
            assert r.json()["totalItems"] == 3
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err

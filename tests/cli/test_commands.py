"""Every ``timeclients`` command as a process against a served emulator, configured through
the environment only: exit status, stdout JSON, stderr text, never a traceback."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import CLOCKED_IN, MEMBERS, ROOT, Served, base_env, command, run_cli


def write_rates(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A rates file with a header row and an ignored extra column."""
    lines = ["user_id,amount,note", *(f"{user},{amount},x" for user, amount in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hourly_amounts(served: Served) -> dict[str, int | None]:
    """Every member's own hourly rate, as the server holds it (read through the command)."""
    ran = run_cli(["clockify", "workspaces", "--json"], served.env)
    assert ran.status == 0, ran.stderr
    (workspace,) = [w for w in ran.json() if w["id"] == served.workspace_id]
    return {m["user_id"]: (m["hourly_rate"] or {}).get("amount") for m in workspace["memberships"]}


def test_clockify_workspaces_json(served: Served) -> None:
    """`clockify workspaces --json` prints the seeded workspace as JSON and nothing else."""
    ran = run_cli(["clockify", "workspaces", "--json"], served.env)
    assert ran.status == 0, ran.stderr
    workspaces = ran.json()
    assert [w["id"] for w in workspaces] == [served.workspace_id]
    assert len(workspaces[0]["memberships"]) == MEMBERS + 1


def test_clockify_workspaces_table(served: Served) -> None:
    """Without --json, a table with the workspace's id and name."""
    ran = run_cli(["clockify", "workspaces"], served.env)
    assert ran.status == 0, ran.stderr
    assert served.workspace_id in ran.stdout
    assert "Cool Company" in ran.stdout


def test_clockify_members_every_page_once(served: Served) -> None:
    """`clockify members WS --json` lists the owner and every member over three pages, once."""
    ran = run_cli(["clockify", "members", served.workspace_id, "--json"], served.env)
    assert ran.status == 0, ran.stderr
    ids = [user["id"] for user in ran.json()]
    assert len(ids) == len(set(ids)) == MEMBERS + 1
    assert set(served.member_ids) <= set(ids)


def test_clockify_members_bad_status_is_usage(served: Served) -> None:
    """An unknown --status is refused before anything is sent: exit 2 naming the argument."""
    ran = run_cli(["clockify", "members", served.workspace_id, "--status", "NOPE"], served.env)
    assert ran.status == 2
    assert "status" in ran.stderr
    assert ran.stdout == ""


def test_set_rates_applies_fifty_rows(served: Served, tmp_path: Path) -> None:
    """50 rows: all succeed, JSON on stdout, plain progress lines on stderr (piped)."""
    rows = [(user, str(7000 + i)) for i, user in enumerate(served.member_ids[:50])]
    rates = write_rates(tmp_path / "rates.csv", rows)
    ran = run_cli(["clockify", "set-rates", served.workspace_id, str(rates), "--json"], served.env)
    assert ran.status == 0, ran.stderr
    assert ran.json() == {"succeeded": [user for user, _ in rows], "failed": {}}
    assert "set-rates (cost): 50/50 (100%)" in ran.stderr
    assert "\x1b[" not in ran.stderr  # piped: no bar, no colour codes


def test_set_rates_bad_row_sends_nothing(served: Served, tmp_path: Path) -> None:
    """A bad amount on line 7 stops the run before the first request: exit 2, `line 7`."""
    rows = [(user, str(91000 + i)) for i, user in enumerate(served.member_ids[:10])]
    rows[5] = (rows[5][0], "12.5")  # header is line 1: the sixth row is line 7
    rates = write_rates(tmp_path / "bad.csv", rows)
    args = ["clockify", "set-rates", served.workspace_id, str(rates), "--kind", "hourly"]
    ran = run_cli([*args, "--json"], served.env)
    assert ran.status == 2
    assert "line 7" in ran.stderr
    assert "'12.5'" in ran.stderr
    assert ran.stdout == ""
    held = hourly_amounts(served)
    assert not any(91000 <= (held[user] or 0) < 91010 for user, _ in rows)


def test_set_rates_dry_run_sends_nothing(served: Served, tmp_path: Path) -> None:
    """--dry-run checks the rows and shows what would be sent; the server sees no update."""
    rows = [(user, str(92000 + i)) for i, user in enumerate(served.member_ids[:5])]
    rates = write_rates(tmp_path / "rates.csv", rows)
    args = ["clockify", "set-rates", served.workspace_id, str(rates), "--kind", "hourly"]
    ran = run_cli(
        [*args, "--dry-run", "--since", "2026-01-01T01:00:00+01:00", "--json"], served.env
    )
    assert ran.status == 0, ran.stderr
    plan = ran.json()
    assert plan["dry_run"] is True
    assert plan["rates"] == {user: int(amount) for user, amount in rows}
    assert plan["since"] == "2026-01-01T00:00:00Z"
    assert plan["request"].startswith(f"PUT /workspaces/{served.workspace_id}/users/")
    held = hourly_amounts(served)
    assert not any(92000 <= (held[user] or 0) < 92005 for user, _ in rows)


def test_set_rates_unknown_id_fails_alone(served: Served, tmp_path: Path) -> None:
    """An id that is not a member fails on its own (exit 1, listed); the others are applied."""
    rows = [(user, str(93000 + i)) for i, user in enumerate(served.member_ids[50:53])]
    rows.insert(1, ("not-a-member", "100"))
    rates = write_rates(tmp_path / "rates.csv", rows)
    args = ["clockify", "set-rates", served.workspace_id, str(rates), "--kind", "hourly"]
    ran = run_cli([*args, "--json"], served.env)
    assert ran.status == 1
    result = ran.json()
    assert set(result["failed"]) == {"not-a-member"}
    assert "404" in result["failed"]["not-a-member"]
    assert result["succeeded"] == [user for user, _ in rows if user != "not-a-member"]
    held = hourly_amounts(served)
    assert [held[user] for user in result["succeeded"]] == [93000, 93001, 93002]


def test_set_rates_table_output(served: Served, tmp_path: Path) -> None:
    """Without --json: a summary line on stdout, and the failed rows in a table."""
    rates = write_rates(tmp_path / "rates.csv", [(served.member_ids[60], "5"), ("ghost", "6")])
    ran = run_cli(["clockify", "set-rates", served.workspace_id, str(rates)], served.env)
    assert ran.status == 1
    assert "cost rates: 1 of 2 set, 1 failed" in ran.stdout
    assert "ghost" in ran.stdout


@pytest.mark.parametrize(
    ("since", "message"),
    [("2026-01-01T00:00:00", "needs a timezone"), ("yesterday", "not an ISO-8601")],
)
def test_set_rates_bad_since_is_usage(
    served: Served, tmp_path: Path, since: str, message: str
) -> None:
    """A --since without a timezone, or not a date at all, is exit 2 and says what to write."""
    rates = write_rates(tmp_path / "rates.csv", [(served.member_ids[0], "5")])
    ran = run_cli(
        ["clockify", "set-rates", served.workspace_id, str(rates), "--since", since], served.env
    )
    assert ran.status == 2
    assert message in ran.stderr


def test_mctime_clocked_in_every_entry_once(served: Served) -> None:
    """`mctime clocked-in --json`: every clocked-in entry over three pages, each once."""
    ran = run_cli(["mctime", "clocked-in", "--json"], served.env)
    assert ran.status == 0, ran.stderr
    entries = ran.json()
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids)) >= CLOCKED_IN
    assert all("from" in entry for entry in entries)


def test_mctime_clocked_in_bad_time_type_is_usage(served: Served) -> None:
    """An undocumented --time-type is exit 2, naming the argument."""
    ran = run_cli(["mctime", "clocked-in", "--time-type", "NAPPING"], served.env)
    assert ran.status == 2
    assert "time_types" in ran.stderr


@pytest.mark.parametrize("api", ["v9", "v8"])
def test_toggl_me_never_prints_the_token(served: Served, api: str) -> None:
    """`toggl me --json` prints the user, and never the API token (nor in the table)."""
    token = served.env["TOGGL_API_TOKEN"]
    ran = run_cli(["toggl", "me", "--json", "--api", api], served.env)
    assert ran.status == 0, ran.stderr
    assert ran.json()["user"]["email"].endswith("@example.com")
    assert token not in ran.stdout
    table = run_cli(["toggl", "me", "--related", "--api", api], served.env)
    assert table.status == 0, table.stderr
    assert "fullname" in table.stdout
    assert f"API {api}" in table.stdout
    assert token not in table.stdout


def test_toggl_me_picks_v8_when_only_its_base_url_is_set(served: Served) -> None:
    """`--api auto`: v8 when only TOGGL_BASE_URL is set, v9 (the live API) otherwise."""
    v8_only = {k: v for k, v in served.env.items() if k != "TOGGL_TRACK_BASE_URL"}
    ran = run_cli(["toggl", "me"], v8_only)
    assert ran.status == 0, ran.stderr
    assert "API v8" in ran.stdout
    ran = run_cli(["toggl", "me"], served.env)
    assert ran.status == 0, ran.stderr
    assert "API v9" in ran.stdout


@pytest.mark.parametrize(
    ("argv", "variable", "secret"),
    [
        (["clockify", "workspaces", "--json"], "CLOCKIFY_API_KEY", "ck_wrong_0123456789abcdef"),
        (["mctime", "clocked-in", "--json"], "MCTIME_API_KEY", "mc_wrong_0123456789abcdef"),
        (["toggl", "me", "--json"], "TOGGL_API_TOKEN", "wrong0123456789abcdef"),
        (["toggl", "me", "--json", "--api", "v8"], "TOGGL_API_TOKEN", "wrong0123456789abcdef"),
    ],
)
def test_a_wrong_key_is_refused_quietly(
    served: Served, argv: list[str], variable: str, secret: str
) -> None:
    """A wrong key: exit 1, one line naming the variable to check, the key never echoed."""
    ran = run_cli(argv, {**served.env, variable: secret})
    assert ran.status == 1
    assert ran.stdout == ""
    assert "refused" in ran.stderr
    assert secret not in ran.stderr
    if variable != "MCTIME_API_KEY":  # McTime answers 401, Clockify 401, Toggl v8 403
        assert f"check {variable}" in ran.stderr


@pytest.mark.parametrize(
    ("argv", "variable"),
    [
        (["clockify", "workspaces"], "CLOCKIFY_BASE_URL"),
        (["mctime", "clocked-in"], "MCTIME_BASE_URL"),
        (["toggl", "me", "--api", "v8"], "TOGGL_BASE_URL"),
        (["toggl", "me"], "TOGGL_TRACK_BASE_URL"),
    ],
)
def test_plain_http_to_another_host_is_refused(
    served: Served, argv: list[str], variable: str
) -> None:
    """A plain-http base URL to a non-loopback host is exit 2, naming the variable."""
    ran = run_cli(argv, {**served.env, variable: "http://time.example.com/api"})
    assert ran.status == 2
    assert f"{variable} must be https://" in ran.stderr
    assert ran.stdout == ""


def test_missing_credential_is_usage(served: Served) -> None:
    """No key at all: exit 2, saying which variable to set."""
    env = {k: v for k, v in served.env.items() if k != "CLOCKIFY_API_KEY"}
    ran = run_cli(["clockify", "workspaces"], env)
    assert ran.status == 2
    assert "CLOCKIFY_API_KEY" in ran.stderr


def test_unreachable_server_is_exit_one(served: Served) -> None:
    """Nothing listening: exit 1, how many attempts were made, no traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ran = run_cli(
        ["toggl", "me", "--api", "v8"],
        {**served.env, "TOGGL_BASE_URL": f"http://127.0.0.1:{port}/api/v8"},
    )
    assert ran.status == 1
    assert "could not reach" in ran.stderr
    assert "attempts made: 3" in ran.stderr


def test_ctrl_c_is_130_without_a_traceback(served: Served) -> None:
    """Ctrl-C while a call waits on a silent server: exit 130, one line, no traceback."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        env = {**base_env(), **served.env, "CLOCKIFY_BASE_URL": f"http://127.0.0.1:{port}/v1"}
        with subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command("clockify", "workspaces"),
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            time.sleep(2.0)  # imported and waiting for the answer
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert out == ""


def test_busy_port_is_refused_without_a_traceback() -> None:
    """`emulator --port N` on a port in use: exit 2, says to choose another port."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ran = run_cli(["emulator", "--port", str(port)], {})
    assert ran.status == 2
    assert "choose another --port" in ran.stderr


def test_missing_extras_say_what_to_install() -> None:
    """Without uvicorn, `emulator` says which extra to install; without Typer, any command."""
    script = (
        "import sys; sys.modules[{name!r}] = None; "
        "from timeclients.cli import main; sys.exit(main({argv!r}))"
    )
    for name, argv, needed in [
        ("uvicorn", ["emulator"], "pip install 'timeclients[emulator]'"),
        ("typer", ["--version"], "pip install 'timeclients[cli]'"),
    ]:
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [command()[0], "-c", script.format(name=name, argv=argv)],
            env=base_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert needed in done.stderr
        assert "Traceback" not in done.stderr


def test_emulator_banner_prints_the_environment(served: Served) -> None:
    """The emulator's JSON line carries every variable the command reads."""
    assert set(served.env) == {
        "CLOCKIFY_BASE_URL",
        "CLOCKIFY_API_KEY",
        "MCTIME_BASE_URL",
        "MCTIME_API_KEY",
        "TOGGL_BASE_URL",
        "TOGGL_API_TOKEN",
        "TOGGL_TRACK_BASE_URL",
    }
    assert json.dumps(served.env)  # plain strings


def test_demo_json() -> None:
    """`demo --json`: the report as JSON on stdout, progress lines on stderr, exit 0."""
    ran = run_cli(["demo", "--members", "20", "--clocked-in", "3", "--json"], {})
    assert ran.status == 0, ran.stderr
    report = ran.json()
    assert report["ok"] is True
    assert report["bulk"]["succeeded"] == 20
    assert len(report["clocked_in"]) == 3
    assert "bulk update: 20/20 (100%)" in ran.stderr

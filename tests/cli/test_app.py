"""The command in-process: help written for users with defaults shown, --version, rendering."""

from __future__ import annotations

import attrs
import pytest

import timeclients
from timeclients.cli import main
from timeclients.cli._render import to_jsonable


@attrs.frozen
class Account:
    """A model shaped like Toggl's User: its token is kept out of repr."""

    email: str
    api_token: str = attrs.field(repr=False)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version and exits 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"timeclients {timeclients.__version__}"


def test_help_is_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    """The top help lists the commands, the environment variables and the exit statuses."""
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for word in ("clockify", "mctime", "toggl", "demo", "emulator", "CLOCKIFY_BASE_URL", "130"):
        assert word in text
    assert "COMMANDS" not in text  # no developer docstring


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    """Option defaults are shown in the help of each command."""
    assert main(["clockify", "set-rates", "--help"]) == 0
    assert "[default: cost]" in capsys.readouterr().out
    assert main(["emulator", "--help"]) == 0
    assert "[default: 127.0.0.1]" in capsys.readouterr().out


def test_no_command_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a command: the help, and status 2."""
    assert main([]) == 2
    assert main(["clockify", "no-such-command"]) == 2


def test_json_never_holds_a_secret() -> None:
    """Model fields kept out of repr (Toggl's api_token) and secret-named keys are dropped."""
    user = Account(email="a@example.com", api_token="tok_secret")
    data = to_jsonable({"user": user, "password": "p", "nested": [{"api_key": "k", "ok": 1}]})
    assert "tok_secret" not in str(data)
    assert data["user"] == {"email": "a@example.com"}
    assert data["nested"] == [{"ok": 1}]
    assert "password" not in data


def test_the_command_uses_only_public_names_of_the_library() -> None:
    """timeclients/cli imports nothing private from the library (its own modules aside)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "timeclients" / "cli"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                module = node.module or ""
                if module.startswith("timeclients"):
                    parts = module.split(".")
                    assert not any(p.startswith("_") for p in parts), f"{path.name}: {module}"
                    assert not any(a.name.startswith("_") for a in node.names), path.name
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                raise AssertionError(f"{path.name} imports the library relatively")

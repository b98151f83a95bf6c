"""The ``timeclients`` command: the vendors from the shell, the demo and the emulator.

Needs the ``cli`` extra (Typer and rich); :func:`main` says so, rather than failing with a
traceback, when they are missing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

_CLI_PACKAGES = frozenset({"typer", "click", "rich", "shellingham"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        from ._app import run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _CLI_PACKAGES:
            raise
        print(
            f"timeclients: the command needs the cli extra ({exc.name} is missing): "
            "pip install 'timeclients[cli]'",
            file=sys.stderr,
        )
        return 2
    return run(argv)


def console_main() -> None:
    """The ``timeclients`` script: exit with :func:`main`'s status."""
    sys.exit(main())

"""How the ``timeclients`` command shows things: JSON on stdout, rich tables, progress on stderr."""

from __future__ import annotations

import contextlib
import enum
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table

__all__ = [
    "ProgressFn",
    "err_console",
    "out_console",
    "print_json",
    "progress_display",
    "table",
    "to_jsonable",
]

#: ``on_progress(done, total)``.
ProgressFn = Callable[[int, int], object]

# Field names whose values are secrets: never printed, whatever the model says.
_SECRET_FIELD = re.compile(r"pass(word)?|token|secret|api[_-]?key|credential", re.I)


def out_console() -> Console:
    """Tables and summaries: stdout (no colour codes when piped; piped, wide enough that ids
    are never cut)."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240)


def err_console() -> Console:
    """Progress, warnings and errors: stderr."""
    return Console(stderr=True, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    """A model (attrs class), enum, datetime, mapping or sequence as plain JSON values.

    Fields kept out of ``repr`` (Toggl's ``api_token``) and secret-named fields are left
    out: the command never prints a secret. A trailing ``_`` is dropped (``from_`` ->
    ``from``).
    """
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            if field.repr is False or _SECRET_FIELD.search(field.name):
                continue
            out[field.name.rstrip("_")] = to_jsonable(getattr(value, field.name))
        return out
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {
            str(k): to_jsonable(v)
            for k, v in value.items()
            if not (isinstance(k, str) and _SECRET_FIELD.search(k))
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout, and nothing else."""
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[object]], console: Console
) -> None:
    """Print a table; ``None`` cells are blank."""
    shown = Table(title=title, title_justify="left")
    for column in columns:
        shown.add_column(column)
    for row in rows:
        shown.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(shown)


class _ProgressLines:
    """Progress for a stream that is not a terminal: one line at every tenth, and the end."""

    def __init__(self, console: Console, label: str) -> None:
        self._console = console
        self._label = label
        self._next = 0

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // 10)
        if done >= self._next or done == total:
            percent = 100 * done // total if total else 100
            self._console.print(f"{self._label}: {done}/{total} ({percent}%)", highlight=False)
            self._next = (done // step + 1) * step


@contextlib.contextmanager
def progress_display(console: Console, label: str) -> Iterator[ProgressFn]:
    """A live progress bar on a terminal; a line at every tenth anywhere else (logs, pipes)."""
    if not console.is_terminal:
        yield _ProgressLines(console, label)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(f"  {label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update

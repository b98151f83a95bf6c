"""A static scan: ``timeclients/`` uses no private name of aiohttp, httpx, httpcore or yarl.

The libraries' private names are read from their own sources (every ``_name`` they define as a
function, method, class attribute or ``self._name``); ``timeclients/`` may not read, set, call
or override any of them on an object that is not its own, import their private modules, or
subclass their classes beyond the documented extension points.
"""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import timeclients

LIBRARIES = ("aiohttp", "httpx", "httpcore", "yarl", "multidict")
# What those libraries document for subclassing.
ALLOWED_BASES = {"httpx.AsyncBaseTransport", "httpx.BaseTransport", "aiohttp.TraceConfig"}
PACKAGE = Path(timeclients.__file__).parent


def _sources(root: Path) -> Iterator[Path]:
    yield from sorted(root.rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(paths: Iterator[Path]) -> set[str]:
    """Private names a body of code defines: functions, classes, attributes, slots."""
    names: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
                if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets):
                    names.update(
                        c.value
                        for c in ast.walk(node.value or ast.Constant(None))
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    )
    return {n for n in names if _private(n)}


@functools.cache
def _library_private_names() -> set[str]:
    names: set[str] = set()
    for library in LIBRARIES:
        try:
            module = importlib.import_module(library)
        except ImportError:
            continue
        root = Path(module.__file__ or "").parent
        names |= _defined_names(_sources(root))
    return names


def test_no_private_name_of_the_http_libraries_is_used() -> None:
    """No ``obj._name`` of theirs, no private module import, no undocumented subclassing."""
    theirs = _library_private_names()
    ours = _defined_names(_sources(PACKAGE))
    borrowed = theirs - ours  # names only the libraries define
    problems: list[str] = []
    for path in _sources(PACKAGE):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE.parent)
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name
                    if alias.name.split(".")[0] in LIBRARIES and any(
                        _private(part) for part in alias.name.split(".")
                    ):
                        problems.append(f"{where}:{node.lineno} imports {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                if top in LIBRARIES:
                    parts = node.module.split(".") + [a.name for a in node.names]
                    if any(_private(part) for part in parts):
                        problems.append(f"{where}:{node.lineno} imports from {node.module}")
            elif isinstance(node, ast.Attribute) and node.attr in borrowed:
                problems.append(f"{where}:{node.lineno} uses .{node.attr}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                # getattr(obj, "_name") / setattr(obj, "_name", ...)
                if node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2:
                    arg = node.args[1]
                    if isinstance(arg, ast.Constant) and arg.value in borrowed:
                        problems.append(f"{where}:{node.lineno} {node.func.id}(…, {arg.value!r})")
            elif isinstance(node, ast.ClassDef):
                for base in node.bases:
                    dotted = ast.unparse(base)
                    head = dotted.split(".")[0]
                    if aliases.get(head, head) in LIBRARIES and dotted not in ALLOWED_BASES:
                        problems.append(f"{where}:{node.lineno} subclasses {dotted}")
    assert problems == []


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("def f(c):\n    return c._conns\n", "uses ._conns"),
        ("import aiohttp\nclass C(aiohttp.TCPConnector):\n    pass\n", "subclasses"),
        ("from httpx._client import AsyncClient\n", "imports from httpx._client"),
        ("def f(c):\n    return getattr(c, '_mounts', None)\n", "getattr"),
    ],
)
def test_the_scan_finds_what_it_looks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, found: str
) -> None:
    """The scan reports a private attribute, a private import, a getattr and a subclass."""
    package = tmp_path / "timeclients"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text(code)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", package)
    with pytest.raises(AssertionError) as info:
        test_no_private_name_of_the_http_libraries_is_used()
    assert found in str(info.value)

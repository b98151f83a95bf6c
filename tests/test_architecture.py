"""The layering ARCHITECTURE.md draws, checked on the source: imports flow one way.

Everything here reads files (``ast``), never imports the package: the checks see function-level
and ``TYPE_CHECKING`` imports too. The vendor list is derived from the package (every
subpackage with a ``_protocol.py``), so a new vendor is checked without being listed here.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import timeclients

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "timeclients"
#: Every vendor: a subpackage with its wire module. Adding one adds it to every check below.
VENDORS = tuple(sorted(p.parent.name for p in PACKAGE.glob("*/_protocol.py")))
#: What a vendor package holds, no more and no less (see CONTRIBUTING.md, "Adding a vendor").
VENDOR_MODULES = frozenset({"__init__.py", "_client.py", "_protocol.py", "models.py"})
#: Libraries that do I/O: none may be reachable from a vendor's ``_protocol.py``.
IO_LIBRARIES = ("httpx", "aiohttp", "anyio", "asyncio", "trio", "httpcore", "redis")


def module_name(path: Path) -> str:
    """``timeclients/clockify/_protocol.py`` -> ``timeclients.clockify._protocol``."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


@functools.cache
def all_modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def imports_of(path: Path) -> frozenset[str]:
    """Absolute names a file imports, anywhere in it (relative imports resolved).

    ``from a import b`` gives ``a.b``, and ``a`` unless ``a.b`` is a module of the package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                # ``from . import _protocol`` uses the module ``_protocol``, not its package.
                child = f"{module}.{alias.name}"
                found.add(child)
                if not (child.startswith("timeclients.") and child in _module_names()):
                    found.add(module)
    return frozenset(found)


@functools.cache
def _module_names() -> frozenset[str]:
    return frozenset(module_name(p) for p in PACKAGE.rglob("*.py"))


def internal_imports(name: str) -> set[str]:
    """The ``timeclients`` modules module ``name`` names in its imports."""
    modules = all_modules()
    return {n for n in imports_of(modules[name]) if n in modules and n != name}


def ancestors(name: str) -> list[str]:
    """The packages above ``name`` inside ``timeclients`` (not ``timeclients`` itself)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]


#: The pure package of values every layer shares (``Request``, ``Credential``, ``RateLimit``...):
#: between ``errors`` and ``_transport``.
WIRE_MODULES = frozenset({"_wire"})


def layer(name: str) -> tuple[int, str]:
    """The layer of a module (higher imports lower), and the group it may import within its
    own layer: cli 7, testing 6, the ``timeclients`` facade 5, a vendor 4, the shared modules
    3, ``_transport`` 2, the pure wire values 1, ``errors`` and ``_version`` 0."""
    parts = name.split(".")
    if name == "timeclients":
        return 5, "facade"
    top = parts[1]
    if top == "cli":
        return 7, "cli"
    if top == "testing":
        return 6, "testing"
    if top in VENDORS:
        return 4, top
    if top == "_transport":
        return 2, "_transport"
    if top in WIRE_MODULES:
        return 1, "_wire"
    if top in ("errors", "_version"):
        return 0, top
    return 3, "shared"


# --- the vendor list -------------------------------------------------------------------------


def test_the_vendor_list_comes_from_the_package() -> None:
    """Every subpackage with a ``_protocol.py`` is a vendor, and there are the four we ship."""
    assert set(VENDORS) >= {"clockify", "mctime", "toggl", "toggltrack"}


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_package_has_the_same_modules(vendor: str) -> None:
    """A vendor is ``__init__``, ``models``, ``_protocol`` (with its spec) and ``_client``."""
    found = {p.name for p in PACKAGE.joinpath(vendor).glob("*.py")}
    assert found == VENDOR_MODULES, f"{vendor}: {sorted(found ^ VENDOR_MODULES)}"


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_declares_its_spec_and_its_client_reads_it(vendor: str) -> None:
    """``_protocol.SPEC`` is the vendor's ``VendorSpec``; its client class says ``spec = ...``."""
    protocol = ast.parse(PACKAGE.joinpath(vendor, "_protocol.py").read_text(encoding="utf-8"))
    declared = {
        t.id
        for node in protocol.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    }
    assert "SPEC" in declared, f"{vendor}/_protocol.py declares no SPEC"
    client = PACKAGE.joinpath(vendor, "_client.py").read_text(encoding="utf-8")
    assert re.search(r"^    spec = \w+\.SPEC$", client, re.M), f"{vendor}: client has no spec"


# --- imports ---------------------------------------------------------------------------------


_EMULATOR = "timeclients.testing"


def import_cycles() -> list[list[str]]:
    """The cycles of the module graph (every import, function-level ones too)."""
    graph = {name: internal_imports(name) for name in all_modules()}
    # Importing a module runs its packages' ``__init__`` first, but that is not a use of them:
    # ``timeclients/__init__`` re-exports the vendors, so counting it would join everything.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return cycles


def test_no_import_cycle_among_timeclients_modules() -> None:
    """The module graph (every import, function-level and ``TYPE_CHECKING`` ones too) has no
    cycle: each module can be read, and loaded, before those that use it."""
    cycles = [c for c in import_cycles() if not all(m.startswith(_EMULATOR) for m in c)]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_import_cycle_in_the_emulator() -> None:
    """The emulator's modules (``timeclients.testing``) have no import cycle either."""
    cycles = [c for c in import_cycles() if all(m.startswith(_EMULATOR) for m in c)]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_imports_flow_one_way() -> None:
    """cli -> testing -> the ``timeclients`` facade -> vendors -> shared -> _transport ->
    _wire -> errors: a module imports only from layers below its own, or from its own group
    (a vendor from itself, never another vendor; shared modules from each other)."""
    wrong = []
    for name in all_modules():
        level, group = layer(name)
        for target in internal_imports(name):
            their_level, their_group = layer(target)
            if their_level > level or (their_level == level and their_group != group):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_transport_knows_no_vendor() -> None:
    """``_transport`` imports nothing above it: no vendor, no converter, no emulator."""
    for name in all_modules():
        if layer(name)[1] != "_transport":
            continue
        above = {t for t in internal_imports(name) if layer(t)[0] > 2}
        assert not above, f"{name} imports {sorted(above)}"


def test_httpx_stays_inside_transport() -> None:
    """Only ``_transport`` (and the emulator, which provides a transport) imports httpx."""
    for name, path in all_modules().items():
        if layer(name)[1] in ("_transport", "testing"):
            continue
        offenders = {n for n in imports_of(path) if n == "httpx" or n.startswith("httpx.")}
        assert not offenders, f"{name} imports {offenders}"


def reachable(root: str) -> dict[str, str]:
    """Every module ``root``'s imports load, followed through ``timeclients``: name -> the
    module that imports it. Importing ``a.b.c`` also runs ``a.b``'s ``__init__``, so the
    packages of an imported module count (those of ``root`` itself are its context)."""
    context = set(ancestors(root)) | {"timeclients"}
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        for target in imports_of(all_modules()[name]):
            loaded = [target]
            if target in all_modules():
                loaded += [a for a in ancestors(target) if a not in context]
            for module in loaded:
                if module not in seen:
                    seen[module] = name
                    if module in all_modules():
                        todo.append(module)
    return seen


def io_reached(found: dict[str, str]) -> list[str]:
    """The I/O libraries in ``found``, each with the module that imports it."""
    return sorted(
        f"{name} (imported by {by})"
        for name, by in found.items()
        if name.split(".")[0] in IO_LIBRARIES
    )


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_vendor_protocol_reaches_neither_the_transport_nor_a_client(vendor: str) -> None:
    """A vendor's ``_protocol.py`` builds on ``_wire``: it reaches no module of ``_transport``,
    no ``_base`` and no vendor's ``_client``, even through the modules it imports."""
    found = reachable(f"timeclients.{vendor}._protocol")
    above = sorted(
        n
        for n in found
        if n in all_modules()
        and (
            n.startswith("timeclients._transport")
            or n == "timeclients._base"
            or n.endswith("._client")
        )
    )
    assert not above, f"{vendor}/_protocol.py reaches {above}"


#: The modules a vendor's ``_protocol.py`` builds on: pure values, decoding, validation, specs.
PURE_SHARED = (
    "timeclients._wire",
    "timeclients._decode",
    "timeclients._validate",
    "timeclients._spec",
    "timeclients._toggl_common",
)


@pytest.mark.parametrize("module", PURE_SHARED)
def test_the_shared_pure_modules_reach_no_io(module: str) -> None:
    """``_wire``, ``_decode``, ``_validate``, ``_spec`` and ``_toggl_common`` reach no I/O
    library, even through the modules they import."""
    assert module in all_modules()
    assert not io_reached(reachable(module))


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_vendor_protocol_is_pure(vendor: str) -> None:
    """A vendor's ``_protocol.py`` reaches no httpx, aiohttp, anyio or asyncio, even through
    the modules it imports."""
    assert not io_reached(reachable(f"timeclients.{vendor}._protocol"))


def test_vendors_do_not_import_each_other() -> None:
    """A vendor package never reaches into another vendor's package."""
    for vendor in VENDORS:
        for path in PACKAGE.joinpath(vendor).rglob("*.py"):
            for name in imports_of(path):
                for other in VENDORS:
                    if other != vendor:
                        package = f"timeclients.{other}"
                        inside = name == package or name.startswith(package + ".")
                        assert not inside, f"{vendor}/{path.name} imports {name}"


# --- the public surface and the files --------------------------------------------------------


def test_the_top_level_all_is_pinned() -> None:
    """``timeclients.__all__`` is the documented top level: a change here is an API change."""
    pinned = "ClockifyClient HttpPool McTimeClient RateLimit RedisRateStore RetryPolicy TogglClient"
    assert timeclients.__all__ == [*pinned.split(), "TogglTrackClient", "errors"]


def test_every_module_opens_with_a_docstring() -> None:
    """Every module says its role in its first line."""
    for path in all_modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, f"{path.relative_to(PACKAGE)} has no module docstring"
        assert doc.strip(), f"{path.relative_to(PACKAGE)} has an empty module docstring"


#: Paths that exist only on a developer's machine (written in pieces so this file is clean),
#: and line numbers in local copies of the vendors' documents ("doc L" and a number, or a range
#: of lines): cite the vendor's public documentation by section instead.
OUTSIDE = re.compile(
    "|".join(
        [
            *(
                re.escape(p)
                for p in (
                    "/" + "work/",
                    ".." + "/shared",
                    "shared" + "/specs",
                    "specs" + "/README",
                    "clockify-workspace" + "-api.md",
                    "mctime-clock" + "-api.md",
                    "toggl-v8-user" + "-api.md",
                )
            ),
            r"\bdoc L\d",
            r"\bL\d+-L\d+\b",
        ]
    )
)
_TEXT = frozenset({".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".json"})
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "build", "dist"})
#: Owned by the emulator workstream of the same issue; they cite local copies still.
PENDING_ELSEWHERE = ("timeclients/testing/", "tests/testing/")


def repository_files() -> Iterator[Path]:
    """The repository's text files (not its virtualenv, caches or hidden folders)."""
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part.startswith(".") or part in _SKIP_DIRS for part in rel.parts):
            continue
        if path.is_file() and (path.suffix in _TEXT or path.parent.name == ".ci"):
            yield path


def outside_citations(*, pending: bool) -> list[str]:
    """``file:line`` of every citation of a path outside the repository."""
    found = []
    for path in repository_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(PENDING_ELSEWHERE) != pending:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{rel}:{number}")
    return found


def test_no_file_cites_a_path_outside_the_repository() -> None:
    """Docs and docstrings cite the vendors' public documentation, never a local copy."""
    assert not outside_citations(pending=False)


def test_the_emulator_cites_no_path_outside_the_repository() -> None:
    """The emulator's docstrings cite the vendors' public documentation too."""
    assert not outside_citations(pending=True)

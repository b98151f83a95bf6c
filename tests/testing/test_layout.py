"""The emulator's shape: a registry of vendor states behind one interface, imports one way."""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeclients.testing as testing
from timeclients.testing import Emulator, Reply, VendorState
from timeclients.testing._core import EmuRequest
from timeclients.testing._engine import VENDORS
from timeclients.testing._vendor import Params, RouteTable, int_param, json_object, route

PACKAGE = Path(testing.__file__).parent
#: Every vendor package holds the same modules (the layout CONTRIBUTING.md describes).
VENDOR_MODULES = {"__init__", "_render", "_routes", "_seed", "_state"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(
    name: str, path: Path, tree: ast.Module, known: set[str]
) -> list[tuple[str, ast.stmt]]:
    """The ``timeclients.testing`` modules that ``name`` imports, with each import statement."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names if alias.name in known]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    found.append((sub, node))
                elif target in known:
                    found.append((target, node))
    return found


def test_no_import_cycle_and_no_hidden_imports():
    """The emulator's modules import each other one way only: no cycle, and no import of
    another emulator module hidden in a function or behind ``TYPE_CHECKING``."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        top_level = {id(node) for node in tree.body}
        graph[name] = set()
        for target, node in _imports(name, path, tree, known):
            assert id(node) in top_level, f"{name} imports {target} below the top level"
            graph[name].add(target)
    # A depth-first search: a module met again while still on the path closes a cycle.
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            assert state.get(target) != 1, " -> ".join([*path, name, target])
            if target not in state:
                visit(target, [*path, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_every_vendor_package_is_registered_and_has_the_same_modules():
    """Every vendor package under ``timeclients.testing`` registers one vendor state, and
    every vendor package has the same module set."""
    packages = {info.name for info in pkgutil.iter_modules([str(PACKAGE)]) if info.ispkg}
    registered = {vendor.__module__.split(".")[2] for vendor in VENDORS}
    assert packages == registered
    for package in packages:
        found = {path.stem for path in (PACKAGE / package).glob("*.py")}
        assert found == VENDOR_MODULES, package


def test_every_vendor_state_implements_the_interface():
    """Each registered state has a unique name and base path, real hosts, and answers,
    renders errors and seeds through the interface."""
    emulator = Emulator()
    assert set(emulator.vendors) == {vendor.name for vendor in VENDORS}
    bases = [vendor.base_path for vendor in VENDORS]
    assert len(set(bases)) == len(bases)
    for name, state in emulator.vendors.items():
        assert isinstance(state, VendorState)
        assert state.name == name
        assert state.hosts
        assert all(isinstance(host, str) for host in state.hosts)
        assert emulator.base_url(name) == f"https://{state.hosts[0]}/" + "/".join(state.base_path)
        assert state.error(418, "teapot").status == 418
        assert state.seed() is not None


def test_routing_uses_the_host_and_the_base_path():
    """Toggl's v8 and v9 share a host and are told apart by the base path; a vendor's real
    host never routes to another host's vendor; loopback routes by the base path alone."""
    emulator = Emulator()
    assert emulator.route("api.track.toggl.com", ("api", "v8", "me")) == ("toggl", ("me",))
    assert emulator.route("api.track.toggl.com", ("api", "v9", "me")) == ("toggltrack", ("me",))
    assert emulator.route("api.clockify.me", ("api", "v9", "me")) is None
    assert emulator.route("127.0.0.1", ("api", "v2", "auth", "clock")) == ("mctime", ("clock",))
    assert emulator.route("127.0.0.1", ("api", "v3")) is None


def _ok(_context: str, _req: EmuRequest, _params: Params) -> Reply:
    return Reply(200)  # only the route table's choice is under test


TABLE: RouteTable[str] = RouteTable(
    route("GET", "items", _ok),
    route("PUT", "items/{item}/{kind:a|b}", _ok),
)


def test_route_table_matches_methods_patterns_and_choices():
    """A matching path and method give the route and its parameters; a matching path with
    another method a route-less match (405); a value outside ``{name:a|b}`` no match (404)."""
    found = TABLE.resolve("PUT", ("items", "7", "b"))
    assert found is not None
    assert found.route is not None
    assert dict(found.params) == {"item": "7", "kind": "b"}
    wrong_method = TABLE.resolve("DELETE", ("items",))
    assert wrong_method is not None
    assert wrong_method.route is None
    assert TABLE.resolve("PUT", ("items", "7", "c")) is None
    assert TABLE.resolve("GET", ()) is None


@given(st.lists(st.text(min_size=0, max_size=5), max_size=4), st.sampled_from(["GET", "PUT"]))
def test_route_table_params_rebuild_the_path(segments, method):
    """Whatever the path, a match's parameters put back into its pattern give the path."""
    found = TABLE.resolve(method, tuple(segments))
    if found is None or found.route is None:
        return
    rebuilt = [
        part.literal if part.literal is not None else found.params[part.name]
        for part in found.route.pattern
    ]
    assert rebuilt == segments


@given(st.one_of(st.none(), st.text(max_size=8)), st.integers(-5, 5), st.integers(0, 10))
def test_int_param_accepts_only_integers_in_bounds(raw, low, span):
    """A query parameter is read as an integer within its bounds (the default when absent), or
    refused with a message that names the parameter."""
    req = EmuRequest("GET", (), () if raw is None else (("page", raw),))
    try:
        expected = low if raw is None else int(raw)
    except ValueError:
        expected = None
    if expected is not None and low <= expected <= low + span:
        assert int_param(req, "page", low, low, low + span) == expected
    else:
        with pytest.raises(ValueError, match=r"^page must be"):
            int_param(req, "page", low, low, low + span)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@given(st.binary(max_size=30) | JSON_VALUES.map(lambda value: json.dumps(value).encode()))
def test_json_object_reads_objects_only(body):
    """A request body reads as the JSON object it holds, or as ``None`` when it is empty, not
    JSON, or JSON but not an object."""
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    assert json_object(body) == (parsed if isinstance(parsed, dict) else None)


@pytest.mark.skipif(shutil.which("duplicates") is None, reason="needs the duplicates tool")
def test_no_real_duplicate_between_vendor_packages():
    """``duplicates`` finds no pair of places in two vendor packages but boilerplate."""
    tool = shutil.which("duplicates")
    assert tool is not None
    out = subprocess.run(  # noqa: S603 - a fixed command on a path of this repository
        [tool, "--repo", str(PACKAGE), "--most", "200"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    packages = {info.name for info in pkgutil.iter_modules([str(PACKAGE)]) if info.ispkg}
    real = []
    for row in out.splitlines():
        places = re.findall(r"([\w/]+)\.py:\d+-\d+", row)
        owners = {place.split("/")[0] for place in places if place.split("/")[0] in packages}
        if len(owners) == 2 and "boilerplate" not in row:
            real.append(row)
    assert not real, "\n".join(real)

"""The layering ARCHITECTURE.md draws, checked on the source: imports flow one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "timeclients"
VENDORS = ("clockify", "mctime", "toggl", "toggltrack")


def imports_of(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package_parts = list(rel.parts[:-1])  # the package a relative import starts from
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


@pytest.mark.parametrize("path", modules("_transport"), ids=lambda p: p.name)
def test_transport_knows_no_vendor(path: Path) -> None:
    """``_transport`` imports nothing above it: no vendor, no converter, no emulator."""
    for name in imports_of(path):
        assert not name.startswith(
            tuple(
                f"timeclients.{m}"
                for m in (
                    *VENDORS,
                    "testing",
                    "_convert",
                    "_bulk",
                    "_paginate",
                    "_validate",
                    "_base",
                )
            )
        ), f"{path.name} imports {name}"


def test_httpx_stays_inside_transport() -> None:
    """Only ``_transport`` (and the emulator, which provides a transport) imports httpx."""
    for path in modules():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("_transport", "testing"):
            continue
        offenders = {n for n in imports_of(path) if n == "httpx" or n.startswith("httpx.")}
        assert not offenders, f"{rel} imports {offenders}"


def test_vendors_do_not_import_each_other() -> None:
    """A vendor package never reaches into another vendor's package."""
    for vendor in VENDORS:
        for path in modules(vendor):
            for name in imports_of(path):
                for other in VENDORS:
                    if other != vendor:
                        package = f"timeclients.{other}"
                        inside = name == package or name.startswith(package + ".")
                        assert not inside, f"{vendor}/{path.name} imports {name}"


def test_every_module_opens_with_a_docstring() -> None:
    """Every module says its role in its first line."""
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, f"{path.relative_to(PACKAGE)} has no module docstring"
        assert doc.strip(), f"{path.relative_to(PACKAGE)} has an empty module docstring"

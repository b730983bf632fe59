"""Imports point one way: cordon → flows → (interdiction, notifications) → cases (SPEC §1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cordon", "flows", "interdiction", "notifications", "cases")
# what each package may import from the others
ALLOWED = {
    "cordon": {"flows", "interdiction", "notifications", "cases"},
    "flows": {"interdiction", "notifications", "cases"},
    "interdiction": {"cases"},
    "notifications": {"cases"},
    "cases": set(),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package: str) -> None:
    wrong = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        forbidden = imported_packages(path) - ALLOWED[package] - {package}
        if forbidden:
            wrong[str(path.relative_to(ROOT))] = sorted(forbidden)
    assert not wrong, f"{package} imports against the direction of dependencies: {wrong}"


def test_domain_packages_do_not_import_prefect() -> None:
    """Domain functions are plain Python, testable without Prefect (STYLE.md)."""
    users = [
        str(path.relative_to(ROOT))
        for package in ("cases", "interdiction", "notifications")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "prefect" in {n.split(".")[0] for n in _all_imports(path)}
    ]
    assert not users, f"domain modules importing prefect: {users}"


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names

"""Imports point one way: cordon → flows → (interdiction, notifications) → cases (SPEC §1), and
inside ``cases`` from each sub-package only to those below it; the domain knows no front door."""

from __future__ import annotations

import ast
import re
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


# ``cases``, bottom to top: a sub-package may import only those before it in this list.
CASES_LAYERS = ("kernel", "reference", "legal", "casework", "scenario", "intake")
FRONT_DOOR_LIBRARIES = {"typer", "rich", "fastapi", "starlette", "uvicorn", "click", "prefect"}
DOMAIN = ("cases", "interdiction", "notifications")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_cases_is_made_of_its_sub_packages_only() -> None:
    loose = [p.name for p in (ROOT / "cases").glob("*.py") if p.name != "__init__.py"]
    folders = sorted(p.name for p in (ROOT / "cases").iterdir() if (p / "__init__.py").is_file())
    assert loose == [] and folders == sorted(CASES_LAYERS)


@pytest.mark.parametrize("layer", CASES_LAYERS)
def test_a_cases_sub_package_imports_only_those_below_it(layer: str) -> None:
    below = set(CASES_LAYERS[: CASES_LAYERS.index(layer)])
    wrong = {}
    for path in sorted((ROOT / "cases" / layer).rglob("*.py")):
        used = {
            m.split(".")[1]
            for m in _imported_modules(path)
            if m.startswith("cases.") and m.split(".")[1] != layer
        }
        if used - below:
            wrong[str(path.relative_to(ROOT))] = sorted(used - below)
    assert not wrong, f"cases.{layer} reaches up: {wrong}"


def test_the_domain_imports_no_front_door_library() -> None:
    users = {
        str(path.relative_to(ROOT)): sorted(hits)
        for package in DOMAIN
        for path in sorted((ROOT / package).rglob("*.py"))
        if (hits := {m.split(".")[0] for m in _imported_modules(path)} & FRONT_DOOR_LIBRARIES)
    }
    assert not users, f"domain modules importing a front door's library: {users}"


def test_no_domain_module_mentions_a_cli_flag() -> None:
    """Domain messages speak of things ("closing needs an outcome"), not of one door's flags."""
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    found = {
        f"{path.relative_to(ROOT)}:{number}": line.strip()
        for package in DOMAIN
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if flag.search(line)
    }
    assert not found, f"CLI flags in domain modules: {found}"


def test_no_two_modules_share_a_name_with_different_meanings() -> None:
    """One name, one meaning: the modules that repeat a name across packages are only these,
    which mean the same thing in each (a package's tables, its use cases, its views)."""
    same_meaning = {
        "__init__.py",
        "models.py",  # a package's tables
        "service.py",  # its use cases
        "views.py",  # what it shows
        "public.py",  # the typed results of its use cases
        "errors.py",  # its errors
        "loading.py",  # loading its files into its tables
    }
    seen: dict[str, list[str]] = {}
    for package in (*DOMAIN, "flows", "cordon"):
        for path in (ROOT / package).rglob("*.py"):
            seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    repeated = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert set(repeated) <= same_meaning, {
        n: p for n, p in repeated.items() if n not in same_meaning
    }

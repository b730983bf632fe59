"""Fixtures of the CLI and HTTP tests: the prepared database of the permissions table."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cases.kernel.db import engine_for
from cases.kernel.settings import get_settings
from tests.conftest import FIXTURES
from tests.permissions_table import World, prepare


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> tuple[Path, World]:
    folder = tmp_path_factory.mktemp("permissions")
    scenario = folder / "mini"
    shutil.copytree(FIXTURES / "mini", scenario)
    template = folder / "template.db"
    world = prepare(f"sqlite:///{template}", scenario)
    return template, world


@pytest.fixture
def fresh(
    prepared: tuple[Path, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], str]]:
    """A function that gives a new copy of the prepared database and points the CLI at it."""
    template, _ = prepared
    monkeypatch.chdir(tmp_path)
    copies = iter(range(10**6))

    def copy() -> str:
        target = tmp_path / f"attempt-{next(copies)}.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    yield copy
    engine_for.cache_clear()
    get_settings.cache_clear()

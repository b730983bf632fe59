"""SPEC §10.1 through the CLI: the table of attempts (``tests.permissions_table``), each from the
same prepared database. An allowed attempt succeeds; a refused one is one line on stderr, exit 3,
and writes nothing but one ``denied`` audit event (no case, request, plan, outbox or digest row
changes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from tests.permissions_table import (
    EVERYONE,
    USE_CASES,
    UseCase,
    Who,
    World,
    pointing_at,
    snapshot,
)


def attempt(
    capsys: pytest.CaptureFixture[str], url: str, who: Who, use: UseCase, world: World
) -> tuple[int, str, str]:
    argv = use.argv(world)
    option = ["--by", who.email] if who.email else []
    with pointing_at(url):
        return cli(capsys, *argv, *option)


def refused_cleanly(url: str, before: Any, code: int, out: str, err: str, who: Who) -> None:
    lines = err.strip().splitlines()
    assert code == 3, (code, err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    assert out == ""
    counts, events = snapshot(url)
    assert counts == before[0], "a refusal changed something"
    added = events[len(before[1]) :]
    expected_actor = who.email if who.contact else f"unknown:{who.email}"
    assert [(a, actor) for a, actor, _ in added] == [("denied", expected_actor)]


@pytest.mark.parametrize("use", USE_CASES, ids=lambda u: u.name)
def test_exactly_the_table_is_allowed(
    use: UseCase,
    prepared: tuple[Path, World],
    fresh: Callable[[], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, world = prepared
    allowed, refused = [], []
    for who in EVERYONE:
        url = fresh()
        before = snapshot(url)
        code, out, err = attempt(capsys, url, who, use, world)
        if who.email is None or (who.contact and use.may(world, who)):
            assert code == 0, f"{who.label} should be allowed to {use.name}: {err}"
            allowed.append(who.label)
        else:
            refused_cleanly(url, before, code, out, err, who)
            refused.append(who.label)
    assert allowed and refused  # the table draws a line through every use case

"""Shipped reference data: loaded by init, every fact sourced, upgradable, overrides kept."""

from __future__ import annotations

import ast
import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from cases.kernel.db import read_session, unit_of_work
from cases.reference import loading as reference_data
from cases.reference.install import database_is_ready, ensure_database
from cases.reference.models import Confidence, MembershipRecord, Origin, State

ROOT = Path(__file__).resolve().parents[2]
FACT_TABLES = [
    "states",
    "instruments",
    "memberships",
    "bilateral_treaties",
    "embargoes",
    "indicators",
    "hs_headings",
]


def rows_in(path: Path) -> int:
    with path.open(newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_init_loads_every_shipped_file(database: Engine) -> None:
    with database.connect() as connection:
        for table, file in [
            ("states", "states.csv"),
            ("memberships", "memberships.csv"),
            ("bilateral_treaties", "bilateral.csv"),
            ("embargoes", "embargoes.csv"),
            ("indicators", "indicators.csv"),
            ("hs_headings", "hs_chapter_93.csv"),
        ]:
            stored = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert stored == rows_in(reference_data.REFERENCE_DIR / file), table
        codes = set(connection.execute(text("SELECT code FROM instruments")).scalars())
    assert {"EIO", "EAW", "ECMA59", "ECE57", "UNTOC", "FP", "BILATERAL", "RECIPROCITY"} <= codes


@pytest.mark.parametrize("table", FACT_TABLES)
def test_every_fact_carries_source_date_and_confidence(database: Engine, table: str) -> None:
    with database.connect() as connection:
        bad = connection.execute(
            text(
                f"SELECT count(*) FROM {table} WHERE source IS NULL OR source = '' "
                "OR as_of IS NULL OR confidence NOT IN ('V', 'K', 'I')"
            )
        ).scalar_one()
        total = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    assert total > 0 and bad == 0


def test_kosovo_and_indicator_weights_as_shipped(database: Engine) -> None:
    with read_session(database) as session:
        kosovo = session.get(State, ("XK", Origin.SHIPPED))
        assert kosovo is not None and kosovo.special_flag == "MANUAL_REVIEW"
        assert kosovo.languages == ["sq", "sr"]
    with database.connect() as connection:
        weights = dict(connection.execute(text("SELECT code, weight FROM indicators")).all())
    assert weights["undeclared_arms"] == 0.9 and weights["hs_chapter_93"] == 0.2


def test_an_upgraded_file_is_reloaded_and_overrides_survive(
    database: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(database) as session:
        session.add(
            MembershipRecord(
                state="RS",
                instrument="EIO",
                status="party",
                origin=Origin.SCENARIO,
                source="scenario test",
                as_of=date(2026, 11, 26),
                confidence=Confidence.KNOWN,
            )
        )
    upgraded = tmp_path / "reference"
    shutil.copytree(reference_data.REFERENCE_DIR, upgraded)
    memberships = upgraded / "memberships.csv"
    text_before = memberships.read_text()
    line = next(x for x in text_before.splitlines() if x.startswith("ME,ECMA59_2AP,unknown,I"))
    memberships.write_text(text_before.replace(line, line.replace("unknown,I", "party,V")))
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", upgraded)

    assert not database_is_ready(database)
    ensure_database(database)
    assert database_is_ready(database)
    with read_session(database) as session:
        upgraded_row = session.get(MembershipRecord, ("ME", "ECMA59_2AP", Origin.SHIPPED))
        assert upgraded_row is not None and (upgraded_row.status, upgraded_row.confidence) == (
            "party",
            "V",
        )
        override = session.exec(
            select(MembershipRecord).where(MembershipRecord.origin == Origin.SCENARIO)
        ).all()
        assert [(m.state, m.instrument) for m in override] == [("RS", "EIO")]


def string_literals(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_product_never_reads_the_research_folder() -> None:
    """The facts are shipped inside the package; no code path names ../shared."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("cordon", "flows", "cases", "interdiction", "notifications", "migrations")
        for path in (ROOT / package).rglob("*.py")
        if any(
            "shared/" in literal and "domain/" not in literal for literal in string_literals(path)
        )
    ]
    assert not offenders

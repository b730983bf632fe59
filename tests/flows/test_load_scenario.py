"""Loading a scenario: idempotent, atomic per file, bad rows named as file:line: column: reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text

from cases.kernel.db import read_session
from cases.kernel.models import Contact, TaskForce
from cases.scenario.models import WatchlistEntry
from flows.load_scenario import SCENARIO_FILES, load_scenario, load_scenario_file
from interdiction.models import Agreement, CorridorRecord, TeamRecord
from tests.helpers import load_files


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log (which records each load)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for name, table in metadata.tables.items()
            if name != "audit_events"
        }


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_scenario_loads_every_file(database: Engine, scenario_dir: Path) -> None:
    results = load_files(scenario_dir)
    assert all(r["loaded"] and not r["problems"] for r in results), results
    with read_session(database) as session:
        task_force = session.get(TaskForce, 1)
        assert task_force is not None and task_force.members == ["HR", "RS", "SI"]
        assert len(session.exec(select(Contact)).all()) == 6
        corridors = {c.code: c for c in session.exec(select(CorridorRecord)).scalars()}
        assert corridors["RS-HR-BATROVCI"].jurisdictions == ["HR", "RS"]
        assert corridors["HR-PORT-RIJEKA"].locode == "HRRJK"
        assert len(session.exec(select(TeamRecord)).all()) == 3
        assert len(session.exec(select(Agreement)).all()) == 2
        assert len(session.exec(select(WatchlistEntry)).all()) == 3


def test_loading_twice_changes_nothing_but_the_audit_log(
    database: Engine, scenario_dir: Path
) -> None:
    load_files(scenario_dir)
    before, events_before = snapshot(database), count(database, "audit_events")
    again = load_files(scenario_dir)
    assert all(r["inserted"] == r["updated"] == r["removed"] == 0 for r in again)
    assert snapshot(database) == before
    assert count(database, "audit_events") == events_before + len(again)


def test_a_changed_file_updates_and_removes(database: Engine, scenario_dir: Path) -> None:
    load_files(scenario_dir)
    corridors = scenario_dir / "corridors.csv"
    lines = corridors.read_text().splitlines()
    lines[1] = lines[1].replace(",80,", ",85,")
    corridors.write_text("\n".join(lines[:3]) + "\n")  # drops HR-PORT-RIJEKA
    (scenario_dir / "agreements.csv").write_text("jurisdiction,corridor\nRS,HR-SI-BREGANA\n")
    result = load_scenario_file.fn(str(scenario_dir), "agreements.csv")
    assert result["removed"] == 1
    result = load_scenario_file.fn(str(scenario_dir), "corridors.csv")
    assert (result["updated"], result["removed"]) == (1, 1)
    with read_session(database) as session:
        rijeka = session.get(CorridorRecord, "HR-PORT-RIJEKA")
        assert rijeka is not None and not rijeka.active  # kept for plans that name it
        batrovci = session.get(CorridorRecord, "RS-HR-BATROVCI")
        assert batrovci is not None and batrovci.base_risk == 85


BAD_ROWS = [
    pytest.param(
        "contacts.csv",
        lambda text: text.replace("Maja Novak,SI,", "Maja Novak,YU,"),
        "contacts.csv:7: jurisdiction: unknown country code 'YU'",
        id="bad-country-code",
    ),
    pytest.param(
        "agreements.csv",
        lambda text: text + "SI,HR-PORT-PLOCE\n",
        "agreements.csv:4: corridor: unknown corridor 'HR-PORT-PLOCE'",
        id="unknown-corridor-in-agreements",
    ),
    pytest.param(
        "teams.csv",
        lambda text: text.replace("SI,xray,", "SI,sniffer,"),
        "teams.csv:4: kind: Input should be",
        id="bad-team-kind",
    ),
    pytest.param(
        "teams.csv",
        lambda text: text.replace("RS,border_police,4,", "RS,border_police,-1,"),
        "teams.csv:3: max_shifts: Input should be greater than or equal to 0",
        id="negative-max-shifts",
    ),
    pytest.param(
        "corridors.csv",
        lambda text: text + text.splitlines()[1] + "\n",
        "corridors.csv:5: code: duplicate 'RS-HR-BATROVCI' (first on line 2)",
        id="duplicate-code",
    ),
    pytest.param(
        "teams.csv",
        lambda text: text.replace("SI-XRAY-01,SI,xray,3,", 'SI-XRAY-01,SI,"xray,3,'),
        "teams.csv:4: -: malformed CSV",
        id="malformed-csv-quote",
    ),
    pytest.param(
        "corridors.csv",
        lambda text: text.replace(",60,HRRJK,", ",60,HRRJK,extra,"),
        "corridors.csv:4: -: malformed CSV: 12 fields where the header has 11",
        id="malformed-csv-fields",
    ),
    pytest.param(
        "corridors.csv",
        lambda text: text.replace(",70,", ",170,"),
        "corridors.csv:3: base_risk: Input should be less than or equal to 100",
        id="risk-over-100",
    ),
    pytest.param(
        "teams.csv",
        lambda text: text.replace("luka.horvat@", "nobody@"),
        "teams.csv:2: lead_email: unknown contact 'nobody@carina.hr.example'",
        id="unknown-team-lead",
    ),
    pytest.param(
        "teams.csv",
        lambda text: text.replace("SI-XRAY-01,SI,", "SI-XRAY-01,AT,"),
        "teams.csv:4: jurisdiction: AT is not a member of the task force",
        id="team-of-a-non-member",
    ),
    pytest.param(
        "watchlist.csv",
        lambda text: text.replace("9074729", "9074728"),
        "watchlist.csv:2: -: '9074728' is not an IMO number with a valid check digit",
        id="bad-imo-on-watchlist",
    ),
    pytest.param(
        "scenario.yaml",
        lambda text: text.replace("[1.0, 0.8, 1.3]", "[1.0, 0.8]"),
        "scenario.yaml:1: -: shift_risk_factors has 2 values; shifts_per_day is 3",
        id="factors-per-shift",
    ),
    pytest.param(
        "scenario.yaml",
        lambda text: text.replace("[HR, RS, SI]", "[HR, RS, XX]"),
        "scenario.yaml:2: members.2: unknown country code 'XX'",
        id="bad-member-code",
    ),
    pytest.param(
        "contacts.csv",
        lambda text: text.replace("email,name,", "mail,name,"),
        "contacts.csv:1: email: missing column",
        id="missing-column",
    ),
]


@pytest.mark.parametrize(("file", "corrupt", "expected"), BAD_ROWS)
def test_a_bad_row_loads_nothing_of_its_file_and_is_named(
    database: Engine, scenario_dir: Path, file: str, corrupt: Any, expected: str
) -> None:
    load_files(scenario_dir)
    before = snapshot(database)
    path = scenario_dir / file
    path.write_text(corrupt(path.read_text()))
    result = load_scenario_file.fn(str(scenario_dir), file)
    assert not result["loaded"]
    assert any(p.startswith(expected) for p in result["problems"]), result["problems"]
    assert snapshot(database) == before


def test_a_bad_file_on_first_load_leaves_the_others_loaded(
    database: Engine, scenario_dir: Path
) -> None:
    path = scenario_dir / "agreements.csv"
    path.write_text(path.read_text() + "SI,NOWHERE\nAT,HR-PORT-RIJEKA\n")
    results = {r["file"]: r for r in load_files(scenario_dir)}
    assert not results["agreements.csv"]["loaded"]
    assert results["agreements.csv"]["problems"] == [
        "agreements.csv:4: corridor: unknown corridor 'NOWHERE' (not in corridors.csv)",
        "agreements.csv:5: jurisdiction: AT is not a member of the task force",
    ]
    assert all(r["loaded"] for name, r in results.items() if name != "agreements.csv")
    assert count(database, "agreements") == 0
    assert count(database, "corridors") == 3


def test_every_problem_of_a_file_is_reported(database: Engine, scenario_dir: Path) -> None:
    load_files(scenario_dir)
    path = scenario_dir / "teams.csv"
    path.write_text(
        path.read_text().replace("customs,4", "customs,-2").replace("SI,xray", "SI,laser")
    )
    problems = load_scenario_file.fn(str(scenario_dir), "teams.csv")["problems"]
    assert [p.split(":")[1] for p in problems] == ["2", "4"]


def test_scenario_overrides_of_legal_facts_take_defaults(
    database: Engine, scenario_dir: Path
) -> None:
    (scenario_dir / "states.csv").write_text(
        "iso,name,region,languages,eu_member,coe_member,death_penalty,nationals_policy\n"
        "BG,Bulgaria,EU,bg,yes,yes,abolished,eu_only\n"
    )
    (scenario_dir / "memberships.csv").write_text(
        "state,instrument,status\nBG,EIO,party\nBG,EAW,party\n"
    )
    results = {r["file"]: r for r in load_files(scenario_dir)}
    assert results["states.csv"]["inserted"] == 1 and results["memberships.csv"]["inserted"] == 2
    with database.connect() as connection:
        row = connection.execute(
            text("SELECT source, confidence, origin FROM memberships WHERE state = 'BG'")
        ).first()
    assert row is not None and tuple(row) == ("scenario mini", "K", "scenario")


def test_an_override_naming_an_unknown_instrument_is_refused(
    database: Engine, scenario_dir: Path
) -> None:
    (scenario_dir / "memberships.csv").write_text("state,instrument,status\nRS,ECMA2099,party\n")
    results = {r["file"]: r for r in load_files(scenario_dir)}
    assert results["memberships.csv"]["problems"] == [
        "memberships.csv:2: instrument: unknown instrument 'ECMA2099'"
    ]


# --- the flow itself, on a real Prefect server ----------------------------------------------------


@pytest.mark.usefixtures("prefect_server")
def test_the_flow_loads_and_reports(database: Engine, scenario_dir: Path) -> None:
    report = load_scenario(str(scenario_dir))
    assert report["ok"] and report["ignored"] == []
    assert {f["file"] for f in report["files"]} == {name for name, _, _ in SCENARIO_FILES} - {
        "states.csv",
        "memberships.csv",
        "bilateral.csv",
    }
    assert count(database, "teams") == 3
    again = load_scenario(str(scenario_dir))
    assert again["ok"] and all(f["inserted"] == f["updated"] == 0 for f in again["files"])


@pytest.mark.usefixtures("prefect_server")
def test_the_flow_reports_missing_and_unknown_files(database: Engine, scenario_dir: Path) -> None:
    (scenario_dir / "teams.csv").rename(scenario_dir / "team.csv")
    report = load_scenario(str(scenario_dir))
    assert not report["ok"]
    problems = [p for f in report["files"] for p in f["problems"]]
    assert problems == ["teams.csv:1: -: missing (every scenario needs teams.csv)"]
    assert report["ignored"] == ["team.csv"]

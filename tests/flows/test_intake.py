"""The ``intake`` flow and its commands, on a real Prefect server and both databases."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

import flows.intake
from flows.intake import intake
from tests.helpers import cli, cli_ok, load_files, make_alert

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "balkans"
ALERTS = str(EXAMPLE / "alerts.jsonl")

pytestmark = pytest.mark.usefixtures("prefect_server")


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(cli_ok(capsys, *args, "--json"))


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one()


def test_ingest_the_example_twice(
    database: Engine, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert all(r["loaded"] for r in load_files(EXAMPLE))
    first = cli_json(capsys, "ingest", ALERTS)
    assert list(first) == [
        "received",
        "accepted",
        "rejected",
        "duplicates",
        "cases_opened",
        "alerts_merged",
        "watch",
        "case_ids",
        "rejections",
    ]
    assert (first["received"], first["accepted"], first["rejected"], first["duplicates"]) == (
        360,
        334,
        12,
        14,
    )
    assert (first["cases_opened"], first["alerts_merged"], first["watch"]) == (111, 0, 155)
    assert len(first["case_ids"]) == 111
    assert first["rejections"][0] == {
        "line": 12,
        "reason": first["rejections"][0]["reason"],
    } and first["rejections"][0]["reason"].startswith("not valid JSON")
    events = count(database, "audit_events")

    second = cli_json(capsys, "ingest", ALERTS)
    assert (second["received"], second["accepted"], second["rejected"]) == (360, 0, 12)
    assert (second["duplicates"], second["cases_opened"], second["watch"]) == (348, 0, 0)
    assert second["case_ids"] == [] and second["alerts_merged"] == 0
    assert count(database, "cases") == 111 and count(database, "quarantine") == 12
    assert count(database, "audit_events") == events + 1  # the batch, nothing about cases

    listed = cli_json(capsys, "cases", "list")
    assert len(listed) == 111
    assert set(listed[0]) == {
        "id",
        "title",
        "status",
        "priority",
        "score",
        "lead_jurisdiction",
        "jurisdictions",
        "corridors",
        "alert_count",
        "opened_at",
    }
    ly = next(c for c in listed if c["lead_jurisdiction"] == "ME" and c["score"] == 0.99168)
    shown = cli_json(capsys, "cases", "show", ly["id"])
    assert {a["source_ref"] for a in shown["alerts"]} == {
        "UPC-ME-26-00291",
        "APML-2026-00427",
        "EUC-CHK-2026-00712",
    }
    assert shown["score_breakdown"][0]["indicator"] == "embargoed_destination"
    assert {"subjects", "related", "requests"} <= set(shown)
    quarantined = cli_json(capsys, "quarantine", "list")
    assert [q["line"] for q in quarantined][:3] == [12, 29, 67]


def test_cases_are_listed_as_a_contact_sees_them(
    sqlite_database: Engine, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert all(r["loaded"] for r in load_files(EXAMPLE))
    cli_json(capsys, "ingest", ALERTS)
    everyone = cli_json(capsys, "cases", "list")
    as_mk = cli_json(capsys, "cases", "list", "--as", "elena.stojanovska@mvr.gov.mk.example")
    assert 0 < len(as_mk) < len(everyone)
    assert all("MK" in c["jurisdictions"] for c in as_mk)
    hidden = next(c for c in everyone if "MK" not in c["jurisdictions"])
    code, out, err = cli(
        capsys, "cases", "show", hidden["id"], "--as", "elena.stojanovska@mvr.gov.mk.example"
    )
    # not found (exit 4), exactly as for a case that does not exist
    assert code == 4 and out == "" and err.strip() == f"error: no case {hidden['id']!r}"


def test_a_crash_between_steps_is_finished_by_the_rerun(
    sqlite_database: Engine, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert all(r["loaded"] for r in load_files(EXAMPLE))
    calls = {"n": 0}
    real = flows.intake.open_or_merge

    def dies_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        raise RuntimeError("killed between the steps")

    monkeypatch.setattr(flows.intake, "open_or_merge", dies_once)
    with pytest.raises(RuntimeError):
        intake(ALERTS, batch_size=100)
    assert calls["n"] == 1  # no retry: not a transient database error
    stored = count(sqlite_database, "alerts", "WHERE state = 'pending'")
    assert stored == 100 - 4 - 5  # lines 1-100 less 4 malformed and 5 repeats
    assert count(sqlite_database, "cases") == 0
    monkeypatch.setattr(flows.intake, "open_or_merge", real)
    rerun = intake(ALERTS, batch_size=100)
    assert rerun["duplicates"] == stored + 14
    assert rerun["cases_opened"] == 111
    assert count(sqlite_database, "cases") == 111
    assert count(sqlite_database, "case_alerts") == 179
    assert count(sqlite_database, "alerts", "WHERE state = 'pending'") == 0


def test_ingest_from_stdin_and_replay_the_quarantine(
    sqlite_database: Engine,
    scenario_dir: Path,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert all(r["loaded"] for r in load_files(scenario_dir))
    good = make_alert(indicators=["concealment"])
    new_corridor = make_alert(corridor="HR-SI-OBREZJE", indicators=["undeclared_arms"])
    typo = make_alert(source="SI-customs", jurisdiction="YU", indicators=["euc_forged"])
    data = "\n".join(json.dumps(a) for a in (good, new_corridor, typo)) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    summary = cli_json(capsys, "ingest", "-")
    assert (summary["accepted"], summary["rejected"], summary["cases_opened"]) == (1, 2, 1)

    corridors = scenario_dir / "corridors.csv"
    corridors.write_text(
        corridors.read_text()
        + "HR-SI-OBREZJE,Obrezje old road,land,HR|SI,40,,45.8,15.6,test,2026-11-26,I\n"
    )
    assert all(r["loaded"] for r in load_files(scenario_dir))
    replay = cli_json(capsys, "quarantine", "replay")
    assert (replay["accepted"], replay["rejected"], replay["replayed"]) == (1, 1, 1)
    assert replay["cases_opened"] == 1
    still = cli_json(capsys, "quarantine", "list")
    assert [(q["origin"], q["line"]) for q in still] == [("-", 3)]
    assert still[0]["reason"].startswith("jurisdiction: unknown country code 'YU'")

    fixed = in_tmp / "fixed.jsonl"
    fixed.write_text(json.dumps({**typo, "jurisdiction": "SI"}) + "\n")
    replay = cli_json(capsys, "quarantine", "replay", "--from", str(fixed))
    assert (replay["accepted"], replay["replayed"], replay["cases_opened"]) == (1, 1, 1)
    assert cli_json(capsys, "quarantine", "list") == []
    assert len(cli_json(capsys, "quarantine", "list", "--all")) == 2


def test_case_commands_change_cases_and_refuse_mistakes_in_one_line(
    sqlite_database: Engine,
    scenario_dir: Path,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert all(r["loaded"] for r in load_files(scenario_dir))
    vessel = {"type": "vessel", "imo": "9387425"}
    first = make_alert(indicators=["concealment"], subjects=[vessel])
    second = make_alert(source="RS-customs", indicators=["undeclared_arms"], subjects=[vessel])
    other = make_alert(indicators=["euc_forged"])
    path = in_tmp / "day.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in (first, second, other)) + "\n")
    summary = cli_json(capsys, "ingest", str(path))
    merged, single = summary["case_ids"]

    code, _, err = cli(capsys, "cases", "transition", merged, "referred")
    assert code == 5 and err.count("\n") == 1  # a conflict: the chain does not allow it
    assert err == f"error: {merged} cannot go from new to referred (from new: triage, closed)\n"
    code, _, err = cli(capsys, "cases", "transition", merged, "closed")
    assert code == 2 and err.strip() == (  # invalid: the outcome is missing
        f"error: closing {merged} needs an outcome (seized, no_action, false_positive, duplicate)"
    )
    code, _, err = cli(capsys, "cases", "transition", merged, "triage", "--by", "ana@example")
    assert code == 3 and "'ana@example' is not an active contact" in err  # nobody's address
    coordinator = "ana.kovac@carina.hr.example"
    moved = cli_json(capsys, "cases", "transition", merged, "triage", "--by", coordinator)
    assert moved == {"id": merged, "status": "triage", "outcome": None}

    label = f"RS-customs:{second['source_ref']}"
    split = cli_json(capsys, "cases", "split", merged, "--alerts", label)
    assert split["moved"] == [label]
    new = split["new_case"]
    assert cli_json(capsys, "cases", "show", new)["alert_count"] == 1
    assert cli_json(capsys, "cases", "link", single, new)["created"] is True
    related = cli_json(capsys, "cases", "show", single)["related"]
    assert [r["id"] for r in related] == [new]
    code, _, err = cli(capsys, "cases", "split", merged, "--alerts", "nonsense")
    assert code != 0 and err.startswith("error: 'nonsense' is not SOURCE:SOURCE_REF")
    code, out, _ = cli(capsys, "cases", "show", merged)
    assert code == 0 and "Why flagged" in out and "case.transitioned" in out


def test_replay_batches_never_hold_one_line_number_twice() -> None:
    from cases.intake.validation import RawLine
    from flows.intake import replay_batches

    rows = [(i, RawLine("f", n, "{}")) for i, n in enumerate([1, 2, 2, 3, 4, 5, 6], start=1)]
    parts = [[row_id for row_id, _ in part] for part in replay_batches(rows, 3)]
    assert parts == [[1, 2], [3, 4, 5], [6, 7]]


def test_the_operations_cycle_ingests_the_scenario_alerts_and_shows_the_queue(
    sqlite_database: Engine, scenario_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alerts = [make_alert(indicators=["concealment"]), make_alert(indicators=["ais_gap"]), "{"]
    (scenario_dir / "alerts.jsonl").write_text(
        "\n".join(a if isinstance(a, str) else json.dumps(a) for a in alerts) + "\n"
    )
    result = cli_json(capsys, "demo", str(scenario_dir))
    assert result["ok"] and result["load"]["ignored"] == []
    ingest = result["ingest"]
    assert (ingest["accepted"], ingest["rejected"], ingest["cases_opened"]) == (2, 1, 1)
    (case,) = result["summary"]["queue"]
    assert case["reasons"] == ["concealment 0.60"] and result["summary"]["open_cases"] == 1
    code, out, _ = cli(capsys, "demo", str(scenario_dir))
    assert code == 0 and "Case queue: 1 new cases" in out and "Ingest of alerts.jsonl" in out

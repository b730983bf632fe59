"""Every read command answers as the contact of ``--as`` may see it (SPEC §10, §10.1): the queue and
a case, the quarantine, the audit log, plans, the outbox — and each error kind has its exit status.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cases.kernel.columns import today_utc
from tests.helpers import (
    AUDITOR,
    HR_ANALYST,
    HR_COORDINATOR,
    HR_PROSECUTOR,
    RS_COORDINATOR,
    SI_COORDINATOR,
    cli,
    cli_ok,
    cli_refused,
    legal_scenario,
    make_alert,
)

HR_TEAM_LEAD = "luka.horvat@carina.hr.example"  # leads HR-CUS-01 only
CASE = "CASE-2026-000001"  # lead HR; HR, RS, SI
RS_CASE = "CASE-2026-000002"  # lead RS, lead-only


@pytest.fixture
def world(database: Engine, scenario_dir: Path, in_tmp: Path) -> Engine:
    legal_scenario(database, scenario_dir)
    return database


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    return json.loads(cli_ok(capsys, *argv, "--json"))


def test_the_queue_and_a_case_as_each_contact(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    def queue(email: str) -> list[str]:
        return [c["id"] for c in as_json(capsys, "cases", "list", "--as", email)]  # type: ignore[union-attr]

    assert queue(AUDITOR) == [CASE, RS_CASE]
    assert queue(RS_COORDINATOR) == [CASE, RS_CASE]
    assert queue(SI_COORDINATOR) == [CASE]
    code, out, err = cli(capsys, "cases", "show", RS_CASE, "--as", SI_COORDINATOR)
    assert (code, out, err.strip()) == (4, "", f"error: no case '{RS_CASE}'")
    assert as_json(capsys, "cases", "show", CASE, "--as", SI_COORDINATOR)["id"] == CASE  # type: ignore[index]


def test_the_quarantine_is_for_the_operator_analysts_and_auditors(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = Path("bad.jsonl")
    bad.write_text("{not json\n" + json.dumps(make_alert(jurisdiction="YU")) + "\n")
    cli_ok(capsys, "ingest", str(bad))
    for email in (HR_ANALYST, AUDITOR):
        lines = as_json(capsys, "quarantine", "list", "--as", email)
        assert [q["line"] for q in lines] == [1, 2]  # type: ignore[index]
    for email in (HR_COORDINATOR, HR_PROSECUTOR):
        code, out, err = cli(capsys, "quarantine", "list", "--as", email)
        assert code == 3 and out == "" and "may not read the quarantine" in err


def test_the_audit_log_shows_others_only_the_events_of_what_they_may_see(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_ok(capsys, "cases", "note", RS_CASE, "RS eyes only", "--by", RS_COORDINATOR)
    cli_ok(capsys, "cases", "note", CASE, "shared with HR, RS, SI", "--by", HR_COORDINATOR)
    everything = as_json(capsys, "audit", "log", "--as", AUDITOR)
    assert {e["case_id"] for e in everything if e["action"] == "case.note_added"} == {  # type: ignore[union-attr]
        CASE,
        RS_CASE,
    }
    si = as_json(capsys, "audit", "log", "--as", SI_COORDINATOR)
    assert si and {e["case_id"] for e in si} == {CASE}  # type: ignore[union-attr]
    assert as_json(capsys, "audit", "log", "--case", RS_CASE, "--as", SI_COORDINATOR) == []
    assert "may not verify" in cli_refused(capsys, "audit", "verify", "--as", SI_COORDINATOR)
    assert as_json(capsys, "audit", "verify", "--as", AUDITOR)["ok"] is True  # type: ignore[index]


def test_plans_whole_for_coordinators_only_their_shifts_for_team_leads(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    start = (today_utc() + timedelta(days=1)).isoformat()
    plan = as_json(capsys, "plan", "--start", start, "--days", "2")
    plan_id = plan["plan_id"]  # type: ignore[index]
    teams = {a["team"] for a in plan["assignments"]}  # type: ignore[index]
    assert "HR-CUS-01" in teams and len(teams) > 1
    whole = as_json(capsys, "plan", "show", plan_id, "--as", SI_COORDINATOR)
    assert whole["assignments"] == plan["assignments"]  # type: ignore[index]
    own = as_json(capsys, "plan", "show", plan_id, "--as", HR_TEAM_LEAD)
    assert {a["team"] for a in own["assignments"]} == {"HR-CUS-01"}  # type: ignore[index]
    assert own["unmet"] == []  # type: ignore[index]
    assert [p["plan_id"] for p in as_json(capsys, "plan", "list", "--as", HR_TEAM_LEAD)] == [  # type: ignore[union-attr]
        plan_id
    ]
    code, out, err = cli(capsys, "plan", "show", plan_id, "--as", HR_PROSECUTOR)
    assert (code, out, err.strip()) == (4, "", f"error: no plan '{plan_id}'")
    assert as_json(capsys, "plan", "list", "--as", HR_PROSECUTOR) == []


def test_the_outbox_shows_each_contact_their_own_messages(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    alerts = Path("alerts.jsonl")
    alerts.write_text(json.dumps(make_alert(indicators=["undeclared_arms"])) + "\n")
    cli_ok(capsys, "ingest", str(alerts))  # a new HR case: HR and RS coordinators are told
    everyone = as_json(capsys, "notify", "list", "--as", AUDITOR)
    recipients = {m["recipient"] for m in everyone}  # type: ignore[union-attr]
    assert {HR_COORDINATOR, RS_COORDINATOR} <= recipients
    mine = as_json(capsys, "notify", "list", "--as", HR_COORDINATOR)
    assert mine and {m["recipient"] for m in mine} == {HR_COORDINATOR}  # type: ignore[union-attr]
    assert as_json(capsys, "notify", "list", "--as", HR_PROSECUTOR) == []


def test_each_error_kind_has_its_exit_status(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    invalid = cli(capsys, "cases", "transition", CASE, "closed")  # an outcome is needed
    forbidden = cli(capsys, "cases", "transition", CASE, "triage", "--by", HR_PROSECUTOR)
    not_found = cli(capsys, "cases", "show", "CASE-2026-000404")
    conflict = cli(capsys, "cases", "transition", CASE, "referred")  # not the next step
    for (code, out, err), expected in zip(
        (invalid, forbidden, not_found, conflict), (2, 3, 4, 5), strict=True
    ):
        assert code == expected and out == "" and len(err.strip().splitlines()) == 1, err

"""Stored inspection plans on SQLite and PostgreSQL: `cordon plan`, the checker at the door,
approval telling team leads, the lifecycle, outcomes feeding corridor risk, cases feeding risk."""

from __future__ import annotations

import csv
import dataclasses
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from cases.kernel.actor import OPERATOR
from cases.kernel.columns import today_utc
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.errors import CordonError
from cases.kernel.models import Case, CaseCorridor, CaseStatus, Counter
from interdiction.check import check_plan
from interdiction.inputs import learned_base_risks, planning_inputs, shift_start
from interdiction.models import InspectionOutcome, Plan, PlanAssignment
from interdiction.outcomes import updated_base_risk
from interdiction.plans import PlanCheckFailed, approve_plan, previous_roster, store_plan
from interdiction.problem import Assignment, corridor_shift_risk
from interdiction.proposal import propose_plan
from notifications.models import OutboxMessage
from tests.helpers import HR_COORDINATOR, cli_ok, cli_refused, load_files
from tests.interdiction.test_plan import SPEC_KEYS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "balkans"
HR_TEAM_LEAD = "luka.horvat@carina.hr.example"  # leads HR-CUS-01
RS_TEAM_LEAD = "jelena.ilic@rjt.rs.example"  # leads RS-BP-01; SI-XRAY-01 has no lead


@pytest.fixture
def mini(database: Engine, scenario_dir: Path, in_tmp: Path) -> Engine:
    load_files(scenario_dir)
    return database


def day(offset: int) -> str:
    """A plan start relative to today (UTC): approval and outcomes depend on the clock."""
    return (today_utc() + timedelta(days=offset)).isoformat()


def plan_json(capsys: pytest.CaptureFixture[str], *options: str, start: str = "2026-12-01") -> dict:
    return json.loads(cli_ok(capsys, "plan", "--start", start, *options, "--json"))


def stored_roster(engine: Engine, plan_id: str) -> list[tuple[str, str, int]]:
    with read_session(engine) as session:
        rows = session.exec(select(PlanAssignment).where(PlanAssignment.plan_id == plan_id))
        return sorted((a.team, a.corridor, a.shift) for (a,) in rows)


def test_the_example_plan_is_the_spec_object_proven_optimal_and_passes_the_checker(
    database: Engine, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_ok(capsys, "load", str(EXAMPLE))
    plan = plan_json(capsys, "--days", "3", "--export", "roster.csv")
    assert list(plan)[: len(SPEC_KEYS)] == SPEC_KEYS
    assert plan["status"] == "OPTIMAL" and plan["gap"] == 0
    assert plan["objective"] == plan["bound"] > 0 and plan["plan_id"] == "PLAN-2026-000001"
    with read_session(database) as session:
        inputs = planning_inputs(session, date(2026, 12, 1), 3)
    assignments = [Assignment(**a) for a in plan["assignments"]]
    report = check_plan(inputs.problem, assignments)
    assert report.ok and report.objective == plan["objective"]
    assert plan["kpis"]["objective"] == plan["objective"]
    # coverage + joint recomputed from the coverage list is the objective
    assert sum(c["risk"] * (1 + c["joint"]) for c in plan["coverage"]) == plan["objective"]
    assert stored_roster(database, plan["plan_id"]) == sorted(
        (a.team, a.corridor, a.shift) for a in assignments
    )
    with open("roster.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(assignments)
    first = min(rows, key=lambda r: (int(r["shift"]), r["team"]))
    assert first["starts_at"] == "2026-12-01T00:00:00+00:00"
    shift_4 = next(r for r in rows if r["shift"] == "4")
    assert shift_4["starts_at"] == "2026-12-02T08:00:00+00:00"  # 3 shifts a day, 8 h each
    shown = json.loads(cli_ok(capsys, "plan", "show", plan["plan_id"], "--json"))
    assert shown["assignments"] == plan["assignments"] and shown["plan_status"] == "proposed"


def test_approval_tells_each_team_lead_their_own_shifts_once_and_the_lifecycle_holds(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_json(capsys, "--days", "2", start=day(1))
    plan_id = plan["plan_id"]
    assert plan["status"] == "OPTIMAL"
    assert "cannot be published" in cli_refused(capsys, "plan", "publish", plan_id)
    assert "only coordinators of a member jurisdiction of the task force may" in cli_refused(
        capsys, "plan", "approve", plan_id, "--by", HR_TEAM_LEAD
    )
    approved = json.loads(
        cli_ok(capsys, "plan", "approve", plan_id, "--by", HR_COORDINATOR, "--json")
    )
    assert approved["team_leads"] == sorted([HR_TEAM_LEAD, RS_TEAM_LEAD])
    with read_session(mini) as session:
        messages = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "plan_assignment")
        ).all()
    by_lead = {m.recipient: m for (m,) in messages}
    assert sorted(by_lead) == sorted([HR_TEAM_LEAD, RS_TEAM_LEAD]) and approved["messages"] == 2
    roster = stored_roster(mini, plan_id)
    for lead, team in ((HR_TEAM_LEAD, "HR-CUS-01"), (RS_TEAM_LEAD, "RS-BP-01")):
        told = [(s["team"], s["corridor"], s["shift"]) for s in by_lead[lead].context["shifts"]]
        assert sorted(told) == [r for r in roster if r[0] == team] and told
        assert plan_id in by_lead[lead].subject
    assert "cannot be approved" in cli_refused(capsys, "plan", "approve", plan_id)
    cli_ok(capsys, "plan", "publish", plan_id, "--by", HR_COORDINATOR)
    assert "that is final" in cli_refused(capsys, "plan", "publish", plan_id)
    with read_session(mini) as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one()[0] == 2
        row = session.get(Plan, plan_id)
        assert row is not None and row.status == "published"
        assert (row.approved_by, row.published_by) == (HR_COORDINATOR, HR_COORDINATOR)
    listed = json.loads(cli_ok(capsys, "plan", "list", "--json"))
    assert [(p["plan_id"], p["plan_status"], p["status"]) for p in listed] == [
        (plan_id, "published", "OPTIMAL")
    ]
    log = json.loads(cli_ok(capsys, "audit", "log", "--json"))
    actions = [e["action"] for e in log if e["entity_id"] == plan_id]
    # the team lead's refused attempt is on record too (SPEC §10.1: denied events)
    assert actions == ["plan.proposed", "denied", "plan.approved", "plan.published"]
    cli_ok(capsys, "audit", "verify")


def test_the_store_refuses_a_plan_that_fails_the_checker_and_writes_nothing(mini: Engine) -> None:
    with read_session(mini) as session:
        inputs = planning_inputs(session, date(2026, 12, 1), 2)
    plan = propose_plan(inputs.problem)
    first = plan.assignments[0]
    rested = (*plan.assignments, Assignment(first.team, first.corridor, first.shift + 1))
    assert not check_plan(inputs.problem, rested).ok  # no consecutive shifts
    broken = [  # the objective claimed is the checker's own: only the rules refuse the first
        dataclasses.replace(
            plan, assignments=rested, objective=check_plan(inputs.problem, rested).objective
        ),
        dataclasses.replace(plan, objective=(plan.objective or 0) + 1),  # a wrong objective
    ]
    for bad in broken:
        with pytest.raises(PlanCheckFailed, match="not stored"), unit_of_work(mini) as session:
            store_plan(session, inputs, bad, actor=OPERATOR)
    with read_session(mini) as session:
        assert session.exec(select(func.count()).select_from(Plan)).one()[0] == 0
        assert session.get(Counter, "PLAN-2026") is None  # the failed units of work left nothing
    with unit_of_work(mini) as session:
        assert store_plan(session, inputs, plan, actor=OPERATOR).plan_id == "PLAN-2026-000001"


def test_open_cases_on_a_corridor_raise_its_risk_in_the_plan(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    opened = datetime(2026, 11, 20, tzinfo=UTC)
    with unit_of_work(mini) as session:
        for n, status in enumerate((CaseStatus.NEW, CaseStatus.INVESTIGATING, CaseStatus.CLOSED)):
            case_id = f"CASE-2026-00000{n + 1}"
            session.add(
                Case(id=case_id, title="t", status=status, lead_jurisdiction="HR", opened_at=opened)
            )
            session.flush()
            session.add(CaseCorridor(case_id=case_id, corridor="RS-HR-BATROVCI"))
    with read_session(mini) as session:
        inputs = planning_inputs(session, date(2026, 12, 1), 1)
    assert dict(inputs.problem.open_cases) == {
        "RS-HR-BATROVCI": 2
    }  # the closed case does not count
    plan = plan_json(capsys, "--days", "1")
    risks = {(c["corridor"], c["shift"]): c["risk"] for c in plan["coverage"]}
    risks |= {
        (u["corridor"], u["shift"]): u["risk"] for u in plan["unmet"] if u["part"] == "coverage"
    }
    # SPEC §7: 80 × 1.3 (third shift) × (1 + 0.5 × 2) = 208
    assert risks[("RS-HR-BATROVCI", 2)] == 208 == corridor_shift_risk(80, Decimal("1.3"), 2)
    assert risks[("HR-SI-BREGANA", 2)] == 91  # 70 × 1.3, no open case


def test_outcomes_update_corridor_risk_for_the_next_plan(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_json(capsys, "--days", "3", start=day(-1))  # yesterday's shifts have happened
    plan_id = plan["plan_id"]
    at = next(
        a for a in plan["assignments"] if a["corridor"] == "RS-HR-BATROVCI" and a["shift"] < 3
    )
    record = ("outcomes", "record", "--plan", plan_id, "--corridor", at["corridor"])
    shift = ("--shift", str(at["shift"]))
    assert "once it is approved" in cli_refused(capsys, *record, *shift, "--result", "seized")
    cli_ok(capsys, "plan", "approve", plan_id)
    assert "use one of" in cli_refused(capsys, *record, *shift, "--result", "found")
    taken = {(a["corridor"], a["shift"]) for a in plan["assignments"]}
    idle = next(s for s in range(3) if ("RS-HR-BATROVCI", s) not in taken)
    assert "no inspection" in cli_refused(
        capsys, *record, "--shift", str(idle), "--result", "seized"
    )
    assert "shifts 0 to 8" in cli_refused(capsys, *record, "--shift", "9", "--result", "nothing")
    later = next(a for a in plan["assignments"] if a["shift"] >= 6)  # the day after tomorrow
    assert "once it has started" in cli_refused(
        capsys,
        *record[:-1],
        later["corridor"],
        "--shift",
        str(later["shift"]),
        "--result",
        "nothing",
    )
    assert "only the team lead of the assigned team, or a coordinator" in cli_refused(
        capsys, *record, *shift, "--result", "seized", "--by", "ivo.babic@dorh.hr.example"
    )

    seized = json.loads(
        cli_ok(capsys, *record, *shift, "--result", "seized", "--by", RS_TEAM_LEAD, "--json")
    )
    assert (seized["base_risk_before"], seized["base_risk_after"]) == (80, 82)
    assert seized["base_risk_after"] == updated_base_risk(80, ["seized"])  # Beta(8, 2) + 1 seizure
    again = json.loads(cli_ok(capsys, *record, *shift, "--result", "seized", "--json"))
    assert again["recorded"] is False and again["base_risk_after"] == 82
    changed = json.loads(cli_ok(capsys, *record, *shift, "--result", "nothing", "--json"))
    assert changed["base_risk_after"] == updated_base_risk(80, ["nothing"]) == 73
    with read_session(mini) as session:
        assert session.exec(select(func.count()).select_from(InspectionOutcome)).one()[0] == 1
        inputs = planning_inputs(session, date(2026, 12, 3), 1)
    learned = {c.code: c.base_risk for c in inputs.problem.corridors}
    assert learned == {"RS-HR-BATROVCI": 73, "HR-SI-BREGANA": 70, "HR-PORT-RIJEKA": 60}
    next_plan = plan_json(capsys, "--days", "1", start=day(5))
    risks = {(c["corridor"], c["shift"]): c["risk"] for c in next_plan["coverage"]}
    risks |= {(u["corridor"], u["shift"]): u["risk"] for u in next_plan["unmet"]}
    assert risks[("RS-HR-BATROVCI", 0)] == 73  # 73 × 1.0, no open case
    log = json.loads(cli_ok(capsys, "audit", "log", "--json"))
    recorded = [e for e in log if e["action"] == "plan.outcome_recorded"]
    assert [e["actor"] for e in recorded] == [RS_TEAM_LEAD, "operator"]


def test_one_inspection_recorded_under_two_overlapping_plans_counts_once(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    first = plan_json(capsys, "--days", "2", start=day(-1))["plan_id"]
    second = plan_json(capsys, "--days", "1", start=day(0))["plan_id"]
    with unit_of_work(mini) as session:  # the same inspection: today's shift 0 in both plans
        session.add(
            InspectionOutcome(
                plan_id=first, corridor="HR-SI-BREGANA", shift=3, result="seized", recorded_by="a"
            )
        )
        session.add(
            InspectionOutcome(
                plan_id=second, corridor="HR-SI-BREGANA", shift=0, result="seized", recorded_by="b"
            )
        )
    with read_session(mini) as session:
        assert learned_base_risks(session, {"HR-SI-BREGANA": 70}) == {
            "HR-SI-BREGANA": updated_base_risk(70, ["seized"])
        }


def test_past_plans_are_not_approved_and_shift_times_do_not_drift(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    past = plan_json(capsys, "--days", "1", start=day(-2))["plan_id"]
    assert "ended at" in cli_refused(capsys, "plan", "approve", past)
    assert shift_start(date(2026, 12, 1), 7, 7) == datetime(2026, 12, 2, tzinfo=UTC)
    assert shift_start(date(2026, 12, 1), 3, 4) == datetime(2026, 12, 2, 8, tzinfo=UTC)


def test_randomized_mode_stores_a_checked_roster_with_the_game_figures(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_json(capsys, "--days", "2", "--mode", "randomized", "--seed", "3")
    game = plan["kpis"]["randomized"]
    assert (
        game["seed"] == 3 and game["worst_case_loss"] >= game["worst_case_loss_lower_bound"] - 1e-6
    )
    with read_session(mini) as session:
        inputs = planning_inputs(session, date(2026, 12, 1), 2)
        row = session.get(Plan, plan["plan_id"])
        assert row is not None and row.mode == "randomized"
    report = check_plan(inputs.problem, [Assignment(**a) for a in plan["assignments"]])
    assert report.ok and report.objective == plan["objective"] <= plan["bound"]


def test_plan_mistakes_get_one_line(
    database: Engine, in_tmp: Path, scenario_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "load a scenario" in cli_refused(capsys, "plan", "--start", "2026-12-01", "--days", "2")
    load_files(scenario_dir)
    assert "needs --start" in cli_refused(capsys, "plan")
    assert "not a date" in cli_refused(capsys, "plan", "--start", "1 Dec", "--days", "2")
    assert "1 to 31 days" in cli_refused(capsys, "plan", "--start", "2026-12-01", "--days", "0")
    assert "engine 'gurobi'" in cli_refused(
        capsys, "plan", "--start", "2026-12-01", "--days", "1", "--engine", "gurobi"
    )
    assert "mode 'stackelberg'" in cli_refused(
        capsys, "plan", "--start", "2026-12-01", "--days", "1", "--mode", "stackelberg"
    )
    one_day = ("plan", "--start", "2026-12-01", "--days", "1")
    for limit in ("0", "inf", "nan"):
        assert "time limit" in cli_refused(capsys, *one_day, "--time-limit", limit)
    assert "1 to 31 days" in cli_refused(capsys, "plan", "--start", "2026-12-01", "--days", "32")
    assert "year 9999" in cli_refused(capsys, "plan", "--start", "9999-12-31", "--days", "2")
    assert "mode randomized" in cli_refused(capsys, *one_day, "--seed", "3")
    assert "HiGHS" in cli_refused(capsys, *one_day, "--mode", "randomized", "--engine", "cpsat")
    assert "no directory" in cli_refused(capsys, *one_day, "--export", "missing/roster.csv")
    assert "is a directory" in cli_refused(capsys, *one_day, "--export", ".")
    assert "no plan" in cli_refused(capsys, "plan", "show", "PLAN-2026-000404")
    assert "no plan" in cli_refused(capsys, "plan", "approve", "PLAN-2026-000404")
    with read_session(database) as session:
        assert session.exec(select(func.count()).select_from(Plan)).one()[0] == 0


def test_the_newest_roster_over_the_same_shift_grid_warm_starts_the_next_plan(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_session(mini) as session:
        two_days = planning_inputs(session, date(2026, 12, 1), 2)
        assert previous_roster(session, two_days) == []
    plan = plan_json(capsys, "--days", "2")
    with read_session(mini) as session:
        warm = previous_roster(session, planning_inputs(session, date(2026, 12, 8), 2))
        other_grid = previous_roster(session, planning_inputs(session, date(2026, 12, 8), 3))
    assert sorted(warm) == sorted(Assignment(**a) for a in plan["assignments"])
    assert other_grid == []
    # a warm start is only a start: the solver re-proves the optimum from it
    again = propose_plan(two_days.problem, warm_start=warm)
    assert again.objective == plan["objective"] and again.status == "OPTIMAL"


def test_two_approvals_at_once_approve_once(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan row is locked while it changes: the second approval waits, then is refused."""
    plan_id = plan_json(capsys, "--days", "2", start=day(1))["plan_id"]
    holding = threading.Event()
    outcomes: list[str] = []

    def first() -> None:
        with unit_of_work(mini) as session:
            approve_plan(session, OPERATOR, plan_id=plan_id)
            holding.set()
            time.sleep(0.5)  # keep the transaction open while the second approval starts
        outcomes.append("approved")

    def second() -> None:
        holding.wait()
        try:
            with unit_of_work(mini) as session:
                approve_plan(session, OPERATOR, plan_id=plan_id)
            outcomes.append("approved")
        except CordonError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("approved") == 1
    assert any("cannot be approved" in outcome for outcome in outcomes)
    log = json.loads(cli_ok(capsys, "audit", "log", "--json"))
    assert [e["action"] for e in log if e["entity_id"] == plan_id].count("plan.approved") == 1

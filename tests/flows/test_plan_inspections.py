"""The ``plan_inspections`` flow as a real Prefect run, and the operations cycle's plan step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from cases.kernel.db import read_session, unit_of_work
from cases.kernel.models import Case, CaseCorridor
from flows.operations_cycle import operations_cycle
from flows.plan_inspections import plan_inspections
from interdiction.models import Plan
from notifications.models import OutboxMessage
from tests.helpers import load_files


def plans(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(Plan)).scalar_one()


def test_the_same_inputs_reuse_the_stored_plan_and_new_inputs_solve_again(
    sqlite_database: Engine, scenario_dir: Path
) -> None:
    load_files(scenario_dir)
    first = plan_inspections(start="2026-12-01", days=2, reuse=True)
    assert first["status"] == "OPTIMAL" and first["plan_id"] == "PLAN-2026-000001"
    assert plan_inspections(start="2026-12-01", days=2, reuse=True)["plan_id"] == first["plan_id"]
    with unit_of_work(sqlite_database) as session:
        session.add(
            Case(
                id="CASE-2026-000001",
                title="t",
                lead_jurisdiction="HR",
                opened_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
        )
        session.flush()
        session.add(CaseCorridor(case_id="CASE-2026-000001", corridor="HR-PORT-RIJEKA"))
    changed = plan_inspections(start="2026-12-01", days=2, reuse=True)
    assert changed["plan_id"] == "PLAN-2026-000002" and changed["objective"] > first["objective"]
    assert plan_inspections(start="2026-12-01", days=2)["plan_id"] == "PLAN-2026-000003"
    assert plans(sqlite_database) == 3


def test_the_operations_cycle_plans_three_days_and_approves_the_plan_once(
    sqlite_database: Engine, scenario_dir: Path
) -> None:
    result = operations_cycle(directory=str(scenario_dir))
    plan = result["plan"]
    assert plan["status"] == "OPTIMAL" and plan["plan_status"] == "approved"
    assert plan["days"] == 3 and len({a["shift"] for a in plan["assignments"]}) > 1

    def told() -> list[str]:
        with read_session(sqlite_database) as session:
            rows = session.execute(
                select(OutboxMessage.recipient).where(OutboxMessage.kind == "plan_assignment")
            )
            return sorted(r for (r,) in rows)

    assert told() == ["jelena.ilic@rjt.rs.example", "luka.horvat@carina.hr.example"]
    again = operations_cycle(directory=str(scenario_dir))["plan"]
    assert again["plan_id"] == plan["plan_id"] and again["plan_status"] == "approved"
    assert told() == ["jelena.ilic@rjt.rs.example", "luka.horvat@carina.hr.example"]
    assert plans(sqlite_database) == 1

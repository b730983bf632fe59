"""The planning problem as the database holds it today (SPEC §7's inputs).

Corridors, teams and agreements come from the scenario; the shift grid from the task force; the
number of open cases per corridor from case intake (cases feed planning); each corridor's
``base_risk`` is the analysts' figure updated by every inspection outcome recorded there
(``interdiction.outcomes``: always from the analysts' figure, so no outcome counts twice).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from cases.kernel.errors import Conflict, Invalid
from cases.kernel.models import Case, CaseCorridor, CaseStatus, TaskForce
from interdiction import models as tables
from interdiction.outcomes import updated_base_risks
from interdiction.problem import Corridor, PlanningProblem, Team


@dataclass(frozen=True)
class PlanningInputs:
    """The problem to solve, and when its shift 0 starts."""

    problem: PlanningProblem
    start: date

    @property
    def fingerprint(self) -> str:
        """sha256 of the problem: two plans with the same fingerprint solved the same inputs."""
        return problem_fingerprint(self.problem, self.start)

    def shift_starts_at(self, shift: int) -> datetime:
        return shift_start(self.start, self.problem.shifts_per_day, shift)


MAX_DAYS = 31
"""The longest plan: a month of shifts (longer horizons are planned again as cases change)."""


def shift_start(start: date, shifts_per_day: int, shift: int) -> datetime:
    """Shift 0 starts at 00:00 UTC on ``start``; a day's shifts are equally long."""
    day, of_day = divmod(shift, shifts_per_day)
    midnight = datetime.combine(start + timedelta(days=day), time(0), UTC)
    return midnight + of_day * (timedelta(days=1) / shifts_per_day)


def open_cases_by_corridor(session: Session) -> dict[str, int]:
    """Open (not closed) cases linked to each corridor; uncapped (the risk formula caps at 4)."""
    rows = session.exec(
        select(CaseCorridor.corridor, func.count())
        .join(Case, col(Case.id) == col(CaseCorridor.case_id))
        .where(col(Case.status) != CaseStatus.CLOSED.value)
        .group_by(col(CaseCorridor.corridor))
    ).all()
    return {corridor: int(count) for corridor, count in rows}


def learned_base_risks(session: Session, analysts: dict[str, int]) -> dict[str, int]:
    """Each corridor's base_risk after all outcomes recorded there (SPEC §7 outcomes).

    One inspection is one corridor at one time: recorded under two overlapping plans, it counts
    once, with the result recorded last.
    """
    rows = session.exec(
        select(tables.InspectionOutcome, tables.Plan)
        .join(tables.Plan, col(tables.Plan.id) == col(tables.InspectionOutcome.plan_id))
        .options(defer(tables.Plan.document))  # type: ignore[arg-type]
        .where(col(tables.InspectionOutcome.corridor).in_(sorted(analysts)))
        .order_by(col(tables.InspectionOutcome.recorded_at))
    ).all()
    inspections = {
        (o.corridor, shift_start(plan.start, plan.shifts_per_day, o.shift)): o.result
        for o, plan in rows
    }
    return updated_base_risks(analysts, [(c, r) for (c, _), r in inspections.items()])


def planning_inputs(session: Session, start: date, days: int) -> PlanningInputs:
    """Read the problem for ``days`` days from ``start``; a clear error when nothing is loaded."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"days {days}: a plan covers 1 to {MAX_DAYS} days")
    if start > date.max - timedelta(days=days):
        raise Invalid(f"start {start.isoformat()}: the plan would end after the year 9999")
    task_force = session.get(TaskForce, 1)
    if task_force is None:
        raise Conflict("no scenario loaded: load a scenario first")
    corridor_rows = session.exec(
        select(tables.CorridorRecord)
        .where(col(tables.CorridorRecord.active))
        .order_by(tables.CorridorRecord.code)
    ).all()
    team_rows = session.exec(
        select(tables.TeamRecord)
        .where(col(tables.TeamRecord.active))
        .order_by(tables.TeamRecord.code)
    ).all()
    if not corridor_rows or not team_rows:
        raise Conflict("no corridors or no teams loaded: load a scenario first")
    risks = learned_base_risks(session, {c.code: c.base_risk for c in corridor_rows})
    codes = set(risks)
    agreements = frozenset(
        (a.jurisdiction, a.corridor)
        for a in session.exec(select(tables.Agreement)).all()
        if a.corridor in codes
    )
    open_cases = {c: n for c, n in open_cases_by_corridor(session).items() if c in codes}
    problem = PlanningProblem(
        corridors=tuple(
            Corridor(c.code, c.kind, tuple(c.jurisdictions), risks[c.code]) for c in corridor_rows
        ),
        teams=tuple(Team(t.code, t.jurisdiction, t.kind, t.max_shifts) for t in team_rows),
        agreements=agreements,
        days=days,
        shifts_per_day=task_force.shifts_per_day,
        shift_risk_factors=tuple(Decimal(str(f)) for f in task_force.shift_risk_factors),
        open_cases=open_cases,
    )
    return PlanningInputs(problem=problem, start=start)


def problem_fingerprint(problem: PlanningProblem, start: date) -> str:
    canonical = {
        "start": start.isoformat(),
        "days": problem.days,
        "shifts_per_day": problem.shifts_per_day,
        "shift_risk_factors": [str(f) for f in problem.shift_risk_factors],
        "corridors": [
            [c.code, str(c.kind), list(c.jurisdictions), c.base_risk] for c in problem.corridors
        ],
        "teams": [[t.code, t.jurisdiction, str(t.kind), t.max_shifts] for t in problem.teams],
        "agreements": sorted(list(a) for a in problem.agreements),
        "open_cases": sorted(problem.open_cases.items()),
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()

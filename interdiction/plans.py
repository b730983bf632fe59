"""Inspection plans in the database (SPEC §7): stored when they pass the checker, then approved,
published, exported, and fed back by the outcomes of their inspections.

Lifecycle: ``proposed`` → ``approved`` (a coordinator; each team lead is told their shifts) →
``published``. A plan's roster never changes once stored: a different plan is a new proposal.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from cases.kernel import audit
from cases.kernel.columns import utcnow
from cases.kernel.counters import next_id
from cases.kernel.errors import CordonError
from cases.kernel.events import PlanApproved, Shift
from cases.kernel.models import Role
from cases.kernel.sharing import UnknownContact, viewer_for
from interdiction.check import check_plan
from interdiction.inputs import PlanningInputs, learned_base_risks, shift_start
from interdiction.models import (
    Corridor,
    InspectionOutcome,
    Plan,
    PlanAssignment,
    PlanMode,
    PlanStatus,
    Team,
)
from interdiction.outcomes import InspectionResult
from interdiction.problem import Assignment
from interdiction.proposal import InspectionPlan
from interdiction.solve import SolveStatus

NEXT_STATUS = {PlanStatus.PROPOSED: PlanStatus.APPROVED, PlanStatus.APPROVED: PlanStatus.PUBLISHED}
ROSTER_COLUMNS = ("plan_id", "starts_at", "shift", "team", "jurisdiction", "corridor", "lead_email")


class PlanCheckFailed(CordonError):
    """The optimizer returned a roster the independent checker rejects: it is not stored."""

    exit_code = 70


class UnknownPlan(CordonError):
    pass


def store_plan(
    session: Session,
    inputs: PlanningInputs,
    plan: InspectionPlan,
    *,
    mode: PlanMode = PlanMode.COVERAGE,
    actor: str = audit.SYSTEM_ACTOR,
) -> InspectionPlan:
    """Re-verify ``plan`` with the checker and store it as ``proposed``; the plan with its id.

    The checker shares no code with the optimizer: a roster that breaks a rule, or whose
    objective the checker does not reproduce, is refused and nothing is written.
    """
    report = check_plan(inputs.problem, plan.assignments)
    if not report.ok:
        first = report.violations[0]
        raise PlanCheckFailed(
            f"the plan breaks {len(report.violations)} rule(s), first {first.rule}: "
            f"{first.message}; not stored"
        )
    if (plan.objective is not None or plan.assignments) and report.objective != plan.objective:
        raise PlanCheckFailed(
            f"the solver reports objective {plan.objective}, the checker recomputes "
            f"{report.objective}; not stored"
        )
    plan_id = next_id(session, "PLAN", inputs.start)
    stored = plan.with_plan_id(plan_id)
    document = stored.to_dict()
    document["start"] = inputs.start.isoformat()
    document["days"] = inputs.problem.days
    document["shifts_per_day"] = inputs.problem.shifts_per_day
    document["mode"] = str(mode)
    row = Plan(
        id=plan_id,
        start=inputs.start,
        days=inputs.problem.days,
        shifts_per_day=inputs.problem.shifts_per_day,
        mode=mode,
        engine=plan.engine,
        solve_status=plan.status,
        objective=plan.objective,
        bound=plan.bound,
        gap=plan.gap,
        inputs_sha=inputs.fingerprint,
        document=document,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    session.add_all(
        PlanAssignment(
            plan_id=plan_id,
            team=a.team,
            shift=a.shift,
            corridor=a.corridor,
            starts_at=inputs.shift_starts_at(a.shift),
        )
        for a in plan.assignments
    )
    audit.record(
        session,
        action="plan.proposed",
        entity_type="plan",
        entity_id=plan_id,
        actor=actor,
        after=_summary(row),
    )
    return stored


def latest_plan_for(session: Session, inputs: PlanningInputs, mode: PlanMode) -> Plan | None:
    """The newest stored plan computed from exactly these inputs, if any."""
    return session.exec(
        select(Plan)
        .where(Plan.inputs_sha == inputs.fingerprint, Plan.mode == mode)
        .order_by(col(Plan.created_at).desc(), col(Plan.id).desc())
    ).first()


def previous_roster(session: Session, inputs: PlanningInputs) -> list[Assignment]:
    """The newest stored plan's roster over the same shift grid: a warm start for the solver
    (whatever the current inputs no longer allow is dropped by the solver, not trusted)."""
    row = session.exec(
        select(Plan)
        .where(
            Plan.days == inputs.problem.days,
            Plan.shifts_per_day == inputs.problem.shifts_per_day,
        )
        .order_by(col(Plan.created_at).desc(), col(Plan.id).desc())
    ).first()
    if row is None:
        return []
    rows = session.exec(select(PlanAssignment).where(PlanAssignment.plan_id == row.id)).all()
    return [Assignment(a.team, a.corridor, a.shift) for a in rows]


def get_plan(session: Session, plan_id: str, *, for_update: bool = False) -> Plan:
    """The plan; ``for_update`` locks its row (PostgreSQL) so concurrent changes queue up."""
    row = session.get(Plan, plan_id.strip().upper(), with_for_update=for_update)
    if row is None:
        raise UnknownPlan(f"no plan {plan_id!r}: `cordon plan list` shows the plans")
    return row


def approve_plan(
    session: Session, plan_id: str, *, by: str | None = None, now: datetime | None = None
) -> PlanApproved:
    """A coordinator approves a proposed plan; the event tells each team lead their shifts."""
    row = get_plan(session, plan_id, for_update=True)
    if row.solve_status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        raise CordonError(f"plan {row.id} is {row.solve_status}: there is no roster to approve")
    ends = shift_start(row.start, row.shifts_per_day, row.days * row.shifts_per_day)
    if ends <= (now or utcnow()):
        raise CordonError(f"plan {row.id} ended at {ends:%Y-%m-%d %H:%M} UTC: plan again")
    _move(session, row, PlanStatus.APPROVED, by)
    return PlanApproved(plan_id=row.id, assignments=tuple(_shifts(session, row.id)))


def publish_plan(session: Session, plan_id: str, *, by: str | None = None) -> Plan:
    row = get_plan(session, plan_id, for_update=True)
    _move(session, row, PlanStatus.PUBLISHED, by)
    return row


def _move(session: Session, row: Plan, to: PlanStatus, by: str | None) -> str:
    """One lifecycle step, audited; who did it."""
    actor = _coordinator(session, by)
    allowed = NEXT_STATUS.get(PlanStatus(row.status))
    if allowed is not to:
        hint = f"it can only be {allowed.value} next" if allowed else "that is final"
        raise CordonError(f"plan {row.id} is {row.status}, it cannot be {to.value}: {hint}")
    before = _summary(row)
    now = utcnow()
    row.status = to
    if to is PlanStatus.APPROVED:
        row.approved_at, row.approved_by = now, actor
    else:
        row.published_at, row.published_by = now, actor
    session.add(row)
    audit.record(
        session,
        action=f"plan.{to.value}",
        entity_type="plan",
        entity_id=row.id,
        actor=actor,
        before=before,
        after=_summary(row),
    )
    return actor


def _coordinator(session: Session, by: str | None) -> str:
    """SPEC §7: a coordinator approves; without ``--by`` the operator at the console does."""
    return _acting(session, by, (Role.COORDINATOR,))


def _acting(session: Session, by: str | None, roles: tuple[Role, ...]) -> str:
    """Who acts: the operator without ``--by``, else a contact holding one of ``roles``."""
    if by is None:
        return audit.SYSTEM_ACTOR
    try:
        viewer = viewer_for(session, by)
    except UnknownContact:
        raise UnknownContact(
            f"no contact {by!r}: --by takes an e-mail address from contacts.csv"
        ) from None
    if viewer.role not in roles:
        allowed = " or ".join(str(r) for r in roles)
        raise CordonError(f"{viewer.email} is a {viewer.role}: only a {allowed} may do this")
    assert viewer.email is not None
    return viewer.email


def _summary(row: Plan) -> dict[str, Any]:
    return {
        "status": str(row.status),
        "start": row.start.isoformat(),
        "days": row.days,
        "solve_status": row.solve_status,
        "objective": row.objective,
        "bound": row.bound,
        "inputs_sha": row.inputs_sha,
    }


def _shifts(session: Session, plan_id: str) -> list[Shift]:
    rows = session.exec(
        select(PlanAssignment, Team.lead_email)
        .join(Team, col(Team.code) == col(PlanAssignment.team), isouter=True)
        .where(PlanAssignment.plan_id == plan_id)
        .order_by(col(PlanAssignment.shift), col(PlanAssignment.team))
    ).all()
    return [
        Shift(
            team=a.team,
            lead_email=lead,
            corridor=a.corridor,
            shift=a.shift,
            starts_at=a.starts_at,
        )
        for a, lead in rows
    ]


# --- reading -------------------------------------------------------------------------------------


def plan_document(session: Session, plan_id: str) -> dict[str, Any]:
    """SPEC §7's object as stored, with the plan's status and who approved and published it."""
    row = get_plan(session, plan_id)
    return {
        **row.document,
        "plan_status": str(row.status),
        "created_at": row.created_at.isoformat(),
        "approved_by": row.approved_by,
        "approved_at": row.approved_at.isoformat() if row.approved_at else None,
        "published_by": row.published_by,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "outcomes": [
            {"corridor": o.corridor, "shift": o.shift, "result": str(o.result)}
            for o in session.exec(
                select(InspectionOutcome)
                .where(InspectionOutcome.plan_id == row.id)
                .order_by(col(InspectionOutcome.shift), col(InspectionOutcome.corridor))
            ).all()
        ],
    }


def list_plans(session: Session) -> list[dict[str, Any]]:
    """The plans, newest first; ``status`` is the solver's, ``plan_status`` the lifecycle's."""
    rows = session.exec(
        select(Plan)
        .options(defer(Plan.document))  # type: ignore[arg-type]
        .order_by(col(Plan.created_at).desc(), col(Plan.id).desc())
    ).all()
    return [
        {
            "plan_id": row.id,
            "plan_status": str(row.status),
            "start": row.start.isoformat(),
            "days": row.days,
            "mode": str(row.mode),
            "status": str(row.solve_status),
            "objective": row.objective,
            "bound": row.bound,
            "gap": row.gap,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def roster_csv(session: Session, plan_id: str) -> str:
    """The roster as CSV, one row per team shift in time order (``--export``)."""
    row = get_plan(session, plan_id)
    teams = {t.code: t for t in session.exec(select(Team)).all()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for shift in _shifts(session, row.id):
        team = teams.get(shift.team)
        writer.writerow(
            (
                row.id,
                shift.starts_at.isoformat(),
                shift.shift,
                shift.team,
                team.jurisdiction if team else "",
                shift.corridor,
                shift.lead_email or "",
            )
        )
    return out.getvalue()


# --- outcomes ------------------------------------------------------------------------------------


def record_outcome(
    session: Session,
    plan_id: str,
    corridor: str,
    shift: int,
    result: str,
    *,
    by: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record what the inspection at ``corridor`` in ``shift`` of an approved plan found.

    The corridor's risk for the next plan is the analysts' base_risk updated by all outcomes
    recorded there (``interdiction.outcomes``). Recording again replaces the earlier result.
    """
    try:
        outcome = InspectionResult(result.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in InspectionResult)
        raise CordonError(f"--result {result!r}: use one of {choices}") from None
    row = get_plan(session, plan_id, for_update=True)  # outcomes of one plan queue up
    if row.status == PlanStatus.PROPOSED:
        raise CordonError(f"plan {row.id} is proposed: record outcomes once it is approved")
    shifts = row.days * row.shifts_per_day
    if not 0 <= shift < shifts:
        raise CordonError(f"--shift {shift}: plan {row.id} has shifts 0 to {shifts - 1}")
    starts_at = shift_start(row.start, row.shifts_per_day, shift)
    if starts_at > (now or utcnow()):
        raise CordonError(
            f"shift {shift} of plan {row.id} starts at {starts_at:%Y-%m-%d %H:%M} UTC: "
            "record its outcome once it has started"
        )
    corridor = corridor.strip().upper()
    planned = session.exec(
        select(PlanAssignment.team).where(
            PlanAssignment.plan_id == row.id,
            PlanAssignment.corridor == corridor,
            PlanAssignment.shift == shift,
        )
    ).first()
    if planned is None:
        raise CordonError(
            f"plan {row.id} has no inspection at {corridor} in shift {shift}: "
            "`cordon plan show ID` lists its roster"
        )
    actor = _acting(session, by, (Role.COORDINATOR, Role.TEAM_LEAD))
    corridor_row = session.get(Corridor, corridor)
    assert corridor_row is not None  # a planned corridor was loaded
    risk_before = learned_base_risks(session, {corridor: corridor_row.base_risk})[corridor]
    existing = session.get(InspectionOutcome, (row.id, corridor, shift))
    changed = existing is None or existing.result != outcome
    if changed:
        before = None if existing is None else {"result": str(existing.result)}
        existing = existing or InspectionOutcome(
            plan_id=row.id, corridor=corridor, shift=shift, result=outcome, recorded_by=actor
        )
        existing.result, existing.recorded_by, existing.recorded_at = outcome, actor, utcnow()
        session.add(existing)
        session.flush()
        audit.record(
            session,
            action="plan.outcome_recorded",
            entity_type="plan",
            entity_id=row.id,
            actor=actor,
            before=before,
            after={"corridor": corridor, "shift": shift, "result": outcome.value},
        )
    risk_after = learned_base_risks(session, {corridor: corridor_row.base_risk})[corridor]
    return {
        "plan_id": row.id,
        "corridor": corridor,
        "shift": shift,
        "starts_at": starts_at.isoformat(),
        "result": outcome.value,
        "recorded": changed,
        "analysts_base_risk": corridor_row.base_risk,
        "base_risk_before": risk_before,
        "base_risk_after": risk_after,
    }


def plan_start(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CordonError(f"--start {value!r} is not a date: use YYYY-MM-DD") from None

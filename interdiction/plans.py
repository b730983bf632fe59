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
from cases.kernel.actor import Actor, Person
from cases.kernel.columns import utcnow
from cases.kernel.counters import next_id
from cases.kernel.errors import Conflict, Invalid, NotFound
from cases.kernel.events import PlanApproved, Shift, publish
from cases.kernel.models import Role, TaskForce
from cases.kernel.permissions import Action, TaskForceScope, TeamScope, allowed, authorize
from cases.kernel.sharing import sees_everything
from interdiction.check import check_plan
from interdiction.inputs import PlanningInputs, learned_base_risks, shift_start
from interdiction.models import (
    CorridorRecord,
    InspectionOutcome,
    Plan,
    PlanAssignment,
    PlanMode,
    PlanStatus,
    TeamRecord,
)
from interdiction.outcomes import InspectionResult
from interdiction.problem import Assignment
from interdiction.proposal import InspectionPlan
from interdiction.solve import SolveStatus

NEXT_STATUS = {PlanStatus.PROPOSED: PlanStatus.APPROVED, PlanStatus.APPROVED: PlanStatus.PUBLISHED}
ROSTER_COLUMNS = ("plan_id", "starts_at", "shift", "team", "jurisdiction", "corridor", "lead_email")


class PlanCheckFailed(RuntimeError):
    """The optimizer returned a roster the independent checker rejects: it is not stored (a
    defect, not a user mistake)."""


READERS = frozenset({Role.COORDINATOR, Role.ANALYST})  # read whole plans of their task force


def task_force_scope(session: Session) -> TaskForceScope:
    task_force = session.get(TaskForce, 1)
    return TaskForceScope(frozenset(task_force.members if task_force else ()))


def authorize_plan(session: Session, actor: Actor, action: Action, what: str = "") -> None:
    """SPEC §10.1: coordinators of member jurisdictions propose, approve and publish plans."""
    authorize(actor, action, task_force_scope(session), what=what)


def store_plan(
    session: Session,
    inputs: PlanningInputs,
    plan: InspectionPlan,
    *,
    mode: PlanMode = PlanMode.COVERAGE,
    actor: Actor,
) -> InspectionPlan:
    """Re-verify ``plan`` with the checker and store it as ``proposed``; the plan with its id.

    The checker shares no code with the optimizer: a roster that breaks a rule, or whose
    objective the checker does not reproduce, is refused and nothing is written.
    """
    authorize_plan(session, actor, Action.PLAN_PROPOSE)
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
        created_by=actor.label,
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
        actor=actor.label,
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
        raise NotFound(f"no plan {plan_id!r}", entity="plan")
    return row


def approve_plan(
    session: Session, actor: Actor, *, plan_id: str, now: datetime | None = None
) -> PlanApproved:
    """A coordinator approves a proposed plan; the published event tells each team lead their
    shifts (in the same unit of work)."""
    authorize_plan(session, actor, Action.PLAN_APPROVE, f"plan {plan_id}")
    row = get_plan(session, plan_id, for_update=True)
    if row.solve_status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        raise Conflict(f"plan {row.id} is {row.solve_status}: there is no roster to approve")
    ends = shift_start(row.start, row.shifts_per_day, row.days * row.shifts_per_day)
    if ends <= (now or utcnow()):
        raise Conflict(f"plan {row.id} ended at {ends:%Y-%m-%d %H:%M} UTC: plan again")
    _move(session, row, PlanStatus.APPROVED, actor)
    event = PlanApproved(plan_id=row.id, assignments=tuple(_shifts(session, row.id)))
    publish(session, [event])
    return event


def publish_plan(session: Session, actor: Actor, *, plan_id: str) -> Plan:
    authorize_plan(session, actor, Action.PLAN_PUBLISH, f"plan {plan_id}")
    row = get_plan(session, plan_id, for_update=True)
    _move(session, row, PlanStatus.PUBLISHED, actor)
    return row


def _move(session: Session, row: Plan, to: PlanStatus, actor: Actor) -> None:
    """One lifecycle step, audited."""
    allowed = NEXT_STATUS.get(PlanStatus(row.status))
    if allowed is not to:
        hint = f"it can only be {allowed.value} next" if allowed else "that is final"
        raise Conflict(f"plan {row.id} is {row.status}, it cannot be {to.value}: {hint}")
    before = _summary(row)
    now = utcnow()
    row.status = to
    if to is PlanStatus.APPROVED:
        row.approved_at, row.approved_by = now, actor.label
    else:
        row.published_at, row.published_by = now, actor.label
    session.add(row)
    audit.record(
        session,
        action=f"plan.{to.value}",
        entity_type="plan",
        entity_id=row.id,
        actor=actor.label,
        before=before,
        after=_summary(row),
    )


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
        select(PlanAssignment, TeamRecord.lead_email)
        .join(TeamRecord, col(TeamRecord.code) == col(PlanAssignment.team), isouter=True)
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


def plan_reader_teams(session: Session, actor: Actor) -> frozenset[str] | None:
    """What of plans ``actor`` may read: every team's shifts (None) — the operator, auditors, and
    coordinators and analysts of member jurisdictions — or only the shifts of the teams they
    lead (team leads); anyone else nothing (an empty set)."""
    if sees_everything(actor):
        return None
    if not isinstance(actor, Person):
        return frozenset()
    if actor.role in READERS and actor.jurisdiction in task_force_scope(session).members:
        return None
    if actor.role is Role.TEAM_LEAD:
        return frozenset(
            session.exec(select(TeamRecord.code).where(TeamRecord.lead_email == actor.email)).all()
        )
    return frozenset()


def _own_shifts(document: dict[str, Any], teams: frozenset[str]) -> dict[str, Any]:
    """A team lead's view of a plan: their teams' assignments and the corridor-shifts they
    cover; nothing of other teams, and no unmet risk."""
    assignments = [a for a in document["assignments"] if a["team"] in teams]
    mine = {(a["corridor"], a["shift"]) for a in assignments}
    return {
        **document,
        "assignments": assignments,
        "coverage": [c for c in document["coverage"] if (c["corridor"], c["shift"]) in mine],
        "unmet": [],
    }


def plan_document(session: Session, actor: Actor, plan_id: str) -> dict[str, Any]:
    """SPEC §7's object as stored, with the plan's status and who approved and published it, as
    ``actor`` may read it (``plan_reader_teams``); a plan they may not read is not found."""
    teams = plan_reader_teams(session, actor)
    if teams is not None and not teams:
        raise NotFound(f"no plan {plan_id!r}", entity="plan")
    row = get_plan(session, plan_id)
    document = row.document if teams is None else _own_shifts(row.document, teams)
    if teams is not None and not document["assignments"]:
        raise NotFound(f"no plan {plan_id!r}", entity="plan")
    return {
        **document,
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


def list_plans(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The plans ``actor`` may read, newest first (a team lead: those with their shifts);
    ``status`` is the solver's, ``plan_status`` the lifecycle's."""
    teams = plan_reader_teams(session, actor)
    query = select(Plan).options(defer(Plan.document))  # type: ignore[arg-type]
    if teams is not None:
        with_mine = select(PlanAssignment.plan_id).where(col(PlanAssignment.team).in_(teams))
        query = query.where(col(Plan.id).in_(with_mine))
    rows = session.exec(query.order_by(col(Plan.created_at).desc(), col(Plan.id).desc())).all()
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


def roster_csv(session: Session, actor: Actor, plan_id: str) -> str:
    """The roster as CSV, one row per team shift in time order, of the shifts ``actor`` may read."""
    teams = plan_reader_teams(session, actor)
    if teams is not None and not teams:
        raise NotFound(f"no plan {plan_id!r}", entity="plan")
    row = get_plan(session, plan_id)
    readable, records = teams, {t.code: t for t in session.exec(select(TeamRecord)).all()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for shift in _shifts(session, row.id):
        if readable is not None and shift.team not in readable:
            continue
        team = records.get(shift.team)
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
    actor: Actor,
    *,
    plan_id: str,
    corridor: str,
    shift: int,
    result: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record what the inspection at ``corridor`` in ``shift`` of an approved plan found — by
    the team lead of a team assigned to it or a coordinator of such a team's jurisdiction.

    The corridor's risk for the next plan is the analysts' base_risk updated by all outcomes
    recorded there (``interdiction.outcomes``). Recording again replaces the earlier result.
    """
    try:
        outcome = InspectionResult(result.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in InspectionResult)
        raise Invalid(f"result {result!r}: use one of {choices}") from None
    row = get_plan(session, plan_id, for_update=True)  # outcomes of one plan queue up
    corridor = corridor.strip().upper()
    assigned = session.exec(
        select(TeamRecord)
        .join(PlanAssignment, col(PlanAssignment.team) == col(TeamRecord.code))
        .where(
            PlanAssignment.plan_id == row.id,
            PlanAssignment.corridor == corridor,
            PlanAssignment.shift == shift,
        )
        .order_by(col(TeamRecord.code))
    ).all()
    scopes = [TeamScope(t.code, t.jurisdiction, t.lead_email) for t in assigned]
    if not any(allowed(actor, Action.OUTCOME_RECORD, s) for s in scopes):
        authorize(
            actor,
            Action.OUTCOME_RECORD,
            scopes[0] if scopes else None,
            what=f"the inspection at {corridor} in shift {shift} of plan {row.id}",
        )
    if row.status == PlanStatus.PROPOSED:
        raise Conflict(f"plan {row.id} is proposed: record outcomes once it is approved")
    shifts = row.days * row.shifts_per_day
    if not 0 <= shift < shifts:
        raise Invalid(f"shift {shift}: plan {row.id} has shifts 0 to {shifts - 1}")
    starts_at = shift_start(row.start, row.shifts_per_day, shift)
    if starts_at > (now or utcnow()):
        raise Conflict(
            f"shift {shift} of plan {row.id} starts at {starts_at:%Y-%m-%d %H:%M} UTC: "
            "record its outcome once it has started"
        )
    if not assigned:
        raise Invalid(f"plan {row.id} has no inspection at {corridor} in shift {shift}")
    corridor_row = session.get(CorridorRecord, corridor)
    assert corridor_row is not None  # a planned corridor was loaded
    risk_before = learned_base_risks(session, {corridor: corridor_row.base_risk})[corridor]
    existing = session.get(InspectionOutcome, (row.id, corridor, shift))
    changed = existing is None or existing.result != outcome
    if changed:
        before = None if existing is None else {"result": str(existing.result)}
        existing = existing or InspectionOutcome(
            plan_id=row.id, corridor=corridor, shift=shift, result=outcome, recorded_by=actor.label
        )
        existing.result, existing.recorded_by = outcome, actor.label
        existing.recorded_at = utcnow()
        session.add(existing)
        session.flush()
        audit.record(
            session,
            action="plan.outcome_recorded",
            entity_type="plan",
            entity_id=row.id,
            actor=actor.label,
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
        raise Invalid(f"start {value!r} is not a date: use YYYY-MM-DD") from None

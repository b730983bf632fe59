"""What a coordinator does to a case: move it along its status chain, link it, split it.

Each function takes a session inside a unit of work, changes the case, writes the audit events in
the same transaction and returns what happened (and, for a split, the domain events).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from cases.casework.facts import FactsReference
from cases.casework.records import (
    CASE_ALERTS,
    CASES,
    allocate_case_ids,
    case_summary,
    facts_for,
    link_cases,
    load_alerts_by_id,
    write_case_facts,
)
from cases.casework.scoring import as_float
from cases.casework.views import UnknownCase, alerts_by_label
from cases.kernel import audit
from cases.kernel.columns import utcnow
from cases.kernel.errors import CordonError
from cases.kernel.events import CaseOpened
from cases.kernel.models import Case, CaseOutcome, CaseStatus

CHAIN = (
    CaseStatus.NEW,
    CaseStatus.TRIAGE,
    CaseStatus.INVESTIGATING,
    CaseStatus.INTERDICTION_PLANNED,
    CaseStatus.ACTION_TAKEN,
    CaseStatus.REFERRED,
    CaseStatus.CLOSED,
)


class IllegalTransition(CordonError):
    pass


def allowed_transitions(current: CaseStatus) -> list[CaseStatus]:
    """One step forward or back along the chain, closing from any open status (with an
    outcome), and reopening a closed case into triage."""
    if current == CaseStatus.CLOSED:
        return [CaseStatus.TRIAGE]
    at = CHAIN.index(current)
    steps = [CHAIN[at - 1]] if at > 0 else []
    steps.append(CHAIN[at + 1])
    if CaseStatus.CLOSED not in steps:
        steps.append(CaseStatus.CLOSED)
    return steps


def transition_case(
    session: Session,
    case_id: str,
    status: CaseStatus,
    *,
    outcome: CaseOutcome | None = None,
    actor: str = audit.SYSTEM_ACTOR,
    now: datetime | None = None,
) -> Case:
    now = now or utcnow()
    case = _case(session, case_id)
    current = CaseStatus(case.status)
    if status not in allowed_transitions(current):
        allowed = ", ".join(allowed_transitions(current))
        raise IllegalTransition(
            f"{case_id} cannot go from {current} to {status} (from {current}: {allowed})"
        )
    if status == CaseStatus.CLOSED and outcome is None:
        outcomes = ", ".join(o.value for o in CaseOutcome)
        raise IllegalTransition(f"closing {case_id} needs --outcome ({outcomes})")
    if status != CaseStatus.CLOSED and outcome is not None:
        raise IllegalTransition(f"--outcome is for closing a case, not for moving it to {status}")
    before = {"status": current.value, "outcome": case.outcome}
    case.status = status
    case.outcome = outcome
    case.closed_at = now if status == CaseStatus.CLOSED else None
    case.updated_at = now
    session.add(case)
    session.flush()
    audit.record(
        session,
        action="case.transitioned",
        entity_type="case",
        entity_id=case_id,
        case_id=case_id,
        actor=actor,
        before=before,
        after={"status": status.value, "outcome": outcome.value if outcome else None},
    )
    return case


def link(session: Session, case_id: str, other_id: str, *, actor: str = audit.SYSTEM_ACTOR) -> bool:
    """Mark two cases as related; False when they already were."""
    _case(session, case_id)
    _case(session, other_id)
    if case_id == other_id:
        raise CordonError("a case cannot be linked to itself")
    return link_cases(session, case_id, other_id, note=f"linked by {actor}")


def split_case(
    session: Session,
    case_id: str,
    labels: Sequence[str],
    reference: FactsReference,
    *,
    actor: str = audit.SYSTEM_ACTOR,
    now: datetime | None = None,
) -> tuple[str, list[CaseOpened]]:
    """Undo a wrong merge: move the alerts ``labels`` (``SOURCE:REF``) into a new case, then
    recompute both cases (score, jurisdictions, corridors, subjects) and link them as related."""
    now = now or utcnow()
    case = _case(session, case_id)
    if case.status == CaseStatus.CLOSED:
        raise CordonError(f"{case_id} is closed; reopen it before splitting it")
    if not labels:
        raise CordonError("name the alerts to move: --alerts SOURCE:REF,...")
    moving = alerts_by_label(session, labels)
    in_case = set(
        session.execute(
            select(CASE_ALERTS.c.alert_id).where(CASE_ALERTS.c.case_id == case_id)
        ).scalars()
    )
    strangers = [label for label, alert_id in moving.items() if alert_id not in in_case]
    if strangers:
        raise CordonError(f"not alerts of {case_id}: {', '.join(strangers)}")
    if set(moving.values()) == in_case:
        raise CordonError(f"moving every alert would leave {case_id} empty; keep at least one")
    alerts = load_alerts_by_id(session, in_case)
    moved = [alerts[i] for i in sorted(set(moving.values()))]
    kept = [a for i, a in sorted(alerts.items()) if i not in moving.values()]
    before = case_summary(
        case_id, facts_for(list(alerts.values()), reference), list(alerts.values())
    )

    new_id = allocate_case_ids(session, now.year, 1)[0]
    new_facts = facts_for(moved, reference)
    session.execute(
        CASES.insert(),
        [
            {
                "id": new_id,
                "title": new_facts.title,
                "status": CaseStatus.NEW.value,
                "outcome": None,
                "priority": new_facts.priority.value,
                "score": as_float(new_facts.score),
                "lead_jurisdiction": new_facts.lead_jurisdiction,
                "sharing": case.sharing,
                "opened_at": now,
                "updated_at": now,
                "closed_at": None,
                "score_breakdown": new_facts.score_breakdown,
            }
        ],
    )
    ids = [a.id for a in moved]
    session.execute(delete(CASE_ALERTS).where(CASE_ALERTS.c.alert_id.in_(ids)))
    session.execute(
        CASE_ALERTS.insert(), [{"alert_id": i, "case_id": new_id, "linked_at": now} for i in ids]
    )
    write_case_facts(session, new_id, new_facts, now=now)
    write_case_facts(session, case_id, facts_for(kept, reference), now=now)
    link_cases(session, case_id, new_id, note=f"split from {case_id}")
    after = case_summary(case_id, facts_for(kept, reference), kept)
    audit.record(
        session,
        action="case.split",
        entity_type="case",
        entity_id=case_id,
        case_id=case_id,
        actor=actor,
        before=before,
        after={**after, "moved_to": new_id, "moved": sorted(a.label for a in moved)},
    )
    audit.record(
        session,
        action="case.opened",
        entity_type="case",
        entity_id=new_id,
        case_id=new_id,
        actor=actor,
        after={**case_summary(new_id, new_facts, moved), "split_from": case_id},
    )
    return new_id, [CaseOpened(new_id)]


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise UnknownCase(f"no case {case_id!r} (see `cordon cases list`)")
    return case

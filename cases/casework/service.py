"""What people do with cases (SPEC §5, §10.1), one use case per function.

Each takes the session of the caller's unit of work and the acting ``Actor``, checks the §10.1 row
for its action itself, changes the case, writes the audit events, and publishes its domain events
into the unit of work (the outbox rows commit with the change). Reads answer as the actor may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from cases.casework.public import (
    CaseDetail,
    CaseItem,
    CaseLinked,
    CaseNoted,
    CaseNoteItem,
    CaseShared,
    CaseSplit,
    CaseState,
)
from cases.casework.records import (
    CASE_ALERTS,
    CASES,
    allocate_case_ids,
    case_summary,
    facts_for,
    facts_reference,
    link_cases,
    load_alerts_by_id,
    write_case_facts,
)
from cases.casework.scoring import as_float
from cases.casework.transitions import check_transition
from cases.casework.views import (
    QueueFilter,
    alerts_by_label,
    case_detail,
    case_items,
    queue,
    queue_length,
)
from cases.kernel import audit
from cases.kernel.actor import Actor, Operator
from cases.kernel.columns import iso, utcnow
from cases.kernel.errors import Conflict, Invalid, NotFound
from cases.kernel.events import CaseOpened, publish
from cases.kernel.models import (
    AuditEvent,
    Case,
    CaseJurisdiction,
    CaseNote,
    CaseOutcome,
    CaseStatus,
    Sharing,
)
from cases.kernel.permissions import Action, CaseScope, authorize
from cases.kernel.sharing import may_see_case, sees_everything
from cases.legal.requests import request_visible_to

NOTE_MAX_CHARS = 10_000


def normalise_case_id(case_id: str) -> str:
    return case_id.strip().upper()


def case_scope(session: Session, actor: Actor, case_id: str) -> tuple[Case | None, CaseScope]:
    """The case (None when there is none) and what permissions check of it."""
    case = session.get(Case, normalise_case_id(case_id))
    if case is None:
        return None, CaseScope(case_id, lead="", jurisdictions=frozenset(), visible=False)
    participants = session.exec(
        select(col(CaseJurisdiction.jurisdiction)).where(col(CaseJurisdiction.case_id) == case.id)
    ).all()
    jurisdictions = frozenset({case.lead_jurisdiction, *participants})
    visible = may_see_case(
        actor, lead=case.lead_jurisdiction, jurisdictions=jurisdictions, sharing=case.sharing
    )
    return case, CaseScope(case.id, case.lead_jurisdiction, jurisdictions, visible)


def _case_for(session: Session, actor: Actor, action: Action, case_id: str) -> Case:
    """The case ``actor`` may ``action``, locked for the change; otherwise the refusal."""
    case, scope = case_scope(session, actor, case_id)
    if case is None and isinstance(actor, Operator):
        raise NotFound(f"no case {case_id!r}", entity="case")
    authorize(actor, action, scope, what=f"case {case_id}")
    assert case is not None  # an actor who may act on it can see it, so it exists
    session.refresh(case, with_for_update=True)
    return case


# --- reads ----------------------------------------------------------------------------------------


def list_cases(
    session: Session,
    actor: Actor,
    *,
    status: CaseStatus | None = None,
    narrowed: QueueFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseItem]:
    """The case queue the actor may see: highest priority first, then score, then age;
    narrowed by status, priority, jurisdiction, corridor or a search, a page at a time."""
    narrowed = narrowed or QueueFilter(status=status)
    return case_items(session, queue(session, actor, narrowed, limit=limit, offset=offset))


def count_cases(session: Session, actor: Actor, narrowed: QueueFilter) -> int:
    """How many cases of the queue the actor may see pass ``narrowed``."""
    return queue_length(session, actor, narrowed)


def show_case(session: Session, actor: Actor, case_id: str) -> CaseDetail:
    """A case as the actor may see it; one they may not see is not found (the same answer)."""
    case, scope = case_scope(session, actor, case_id)
    if case is None or not scope.visible:
        raise NotFound(f"no case {case_id!r}", entity="case")
    return case_detail(session, actor, case)


def audit_events(
    session: Session, actor: Actor, *, case_id: str | None = None, limit: int | None = None
) -> list[AuditEvent]:
    """Audit events in chain order as the actor may read them (SPEC §10.1): auditors and the
    operator every event; others the events of the cases and requests they can see."""
    query = select(AuditEvent)
    if case_id is not None:
        query = query.where(col(AuditEvent.case_id) == normalise_case_id(case_id))
    if not sees_everything(actor):
        from cases.kernel.sharing import case_visible_to
        from cases.legal.models import LegalRequest

        cases = select(col(Case.id)).where(case_visible_to(actor))
        requests = select(col(LegalRequest.id)).where(request_visible_to(actor))
        query = query.where(
            or_(
                col(AuditEvent.case_id).in_(cases),
                (col(AuditEvent.entity_type) == "legal_request")
                & col(AuditEvent.entity_id).in_(requests),
            )
        )
    if limit is not None:
        rows = session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit)).all()
        return list(reversed(rows))
    return list(session.exec(query.order_by(col(AuditEvent.seq))).all())


# --- writes ---------------------------------------------------------------------------------------


def transition_case(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    status: CaseStatus,
    outcome: CaseOutcome | None = None,
    now: datetime | None = None,
) -> CaseState:
    """Move a case along its status chain (closing needs an outcome)."""
    case = _case_for(session, actor, Action.CASE_TRANSITION, case_id)
    now = now or utcnow()
    current = CaseStatus(case.status)
    check_transition(case.id, current, status, outcome)
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
        entity_id=case.id,
        case_id=case.id,
        actor=actor.label,
        before=before,
        after={"status": status.value, "outcome": outcome.value if outcome else None},
    )
    return CaseState(id=case.id, status=status, outcome=outcome)


def link_case(session: Session, actor: Actor, *, case_id: str, other_id: str) -> CaseLinked:
    """Mark two cases as related; the actor must be allowed on both."""
    case = _case_for(session, actor, Action.CASE_LINK, case_id)
    other = _case_for(session, actor, Action.CASE_LINK, other_id)
    if case.id == other.id:
        raise Invalid("a case cannot be linked to itself")
    created = link_cases(session, case.id, other.id, note=f"linked by {actor.label}", actor=actor)
    return CaseLinked(id=case.id, related=other.id, created=created)


def split_case(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    alerts: Sequence[str],
    now: datetime | None = None,
) -> CaseSplit:
    """Undo a wrong merge: move the alerts (``SOURCE:REF``) into a new case, recompute both cases
    (score, jurisdictions, corridors, subjects) and link them as related."""
    case = _case_for(session, actor, Action.CASE_SPLIT, case_id)
    now = now or utcnow()
    if case.status == CaseStatus.CLOSED:
        raise Conflict(f"{case.id} is closed; reopen it before splitting it")
    labels = [label.strip() for label in alerts if label.strip()]
    if not labels:
        raise Invalid("name the alerts to move, as SOURCE:REF")
    moving = alerts_by_label(session, labels)
    in_case = set(
        session.execute(
            select(CASE_ALERTS.c.alert_id).where(CASE_ALERTS.c.case_id == case.id)
        ).scalars()
    )
    strangers = [label for label, alert_id in moving.items() if alert_id not in in_case]
    if strangers:
        raise Invalid(f"not alerts of {case.id}: {', '.join(strangers)}")
    if set(moving.values()) == in_case:
        raise Invalid(f"moving every alert would leave {case.id} empty; keep at least one")
    reference = facts_reference(session)
    stored = load_alerts_by_id(session, in_case)
    moved = [stored[i] for i in sorted(set(moving.values()))]
    kept = [a for i, a in sorted(stored.items()) if i not in moving.values()]
    everything = list(stored.values())
    before = case_summary(case.id, facts_for(everything, reference), everything)

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
    kept_facts = facts_for(kept, reference)
    write_case_facts(session, new_id, new_facts, now=now)
    write_case_facts(session, case.id, kept_facts, now=now)
    link_cases(session, case.id, new_id, note=f"split from {case.id}", actor=actor)
    audit.record(
        session,
        action="case.split",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor.label,
        before=before,
        after={
            **case_summary(case.id, kept_facts, kept),
            "moved_to": new_id,
            "moved": sorted(a.label for a in moved),
        },
    )
    audit.record(
        session,
        action="case.opened",
        entity_type="case",
        entity_id=new_id,
        case_id=new_id,
        actor=actor.label,
        after={**case_summary(new_id, new_facts, moved), "split_from": case.id},
    )
    publish(session, [CaseOpened(new_id)])
    return CaseSplit(id=case.id, new_case=new_id, moved=labels)


def set_sharing(session: Session, actor: Actor, *, case_id: str, level: Sharing) -> CaseShared:
    """Change who may see a case (SPEC §10): ``lead``, ``participants`` or ``taskforce``; raising
    it above ``participants`` is for a coordinator of the lead jurisdiction."""
    case = _case_for(session, actor, Action.CASE_SHARING, case_id)
    if level is Sharing.TASKFORCE and case.sharing != Sharing.TASKFORCE:
        _, scope = case_scope(session, actor, case.id)
        authorize(actor, Action.CASE_SHARING_TASKFORCE, scope, what=f"case {case.id}")
    if case.sharing == level:
        return CaseShared(id=case.id, sharing=level, changed=False)
    before = {"sharing": str(case.sharing)}
    case.sharing = level
    case.updated_at = utcnow()
    session.add(case)
    audit.record(
        session,
        action="case.sharing_changed",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor.label,
        before=before,
        after={"sharing": level.value},
    )
    return CaseShared(id=case.id, sharing=level, changed=True)


def add_note(session: Session, actor: Actor, *, case_id: str, text: str) -> CaseNoted:
    """A note on a case, in the words of the person working it."""
    case = _case_for(session, actor, Action.CASE_NOTE, case_id)
    body = text.strip()
    if not body:
        raise Invalid("a note needs some text")
    if len(body) > NOTE_MAX_CHARS:
        raise Invalid(f"a note holds at most {NOTE_MAX_CHARS} characters, not {len(body)}")
    note = CaseNote(case_id=case.id, author=actor.label, at=utcnow(), text=body)
    session.add(note)
    session.flush()
    audit.record(
        session,
        action="case.note_added",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor.label,
        after={"note": note.id, "text": body},
    )
    return CaseNoted(id=case.id, note=CaseNoteItem(author=note.author, at=iso(note.at), text=body))

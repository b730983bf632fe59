"""Deadline notices (flow `watch_deadlines`, SPEC §6 and §8): reminders before each hard deadline,
an overdue notice after it, chase reminders where no hard deadline exists.

The schedule is the core's (`due_reminders`); here each notice is recorded once under its stable
key in `deadline_notices` and audited, and comes back as a domain event for the outbox:
`DeadlineApproaching` (reminder, chase) or `DeadlineOverdue`. A notice already recorded is never
produced again, so re-running the watcher, or running it every hour, sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from cases.kernel import audit
from cases.kernel.actor import Actor
from cases.kernel.events import DeadlineApproaching, DeadlineOverdue, publish
from cases.kernel.permissions import Action, authorize
from cases.legal.catalogue import RequestStatus
from cases.legal.deadlines import DEFAULT_POLICY, ReminderEvent, ReminderPolicy, TrackedRequest
from cases.legal.deadlines import due_reminders as reminders_due_at
from cases.legal.lifecycle import FINAL_STATUSES
from cases.legal.models import DeadlineNotice, LegalRequest
from cases.legal.requests import deadline_events, history_of, stored_decision

DeadlineEvent = DeadlineApproaching | DeadlineOverdue


def _event(notice: ReminderEvent, row: LegalRequest) -> DeadlineEvent:
    if notice.kind == "overdue":
        return DeadlineOverdue(
            request_id=row.id,
            case_id=row.case_id,
            requesting=row.requesting,
            requested=row.requested,
            prosecutor_email=row.prosecutor_email,
            deadline=notice.deadline,
            due=notice.due,
        )
    return DeadlineApproaching(
        request_id=row.id,
        case_id=row.case_id,
        requesting=row.requesting,
        requested=row.requested,
        prosecutor_email=row.prosecutor_email,
        deadline=notice.deadline,
        due=notice.due,
        # days left as of the day the notice falls due (7, 2; 0 for a chase), not as of this run:
        # the event's key must not change from one run to the next
        days_left=(notice.due - notice.fire_on).days,
    )


def record_deadline_notices(
    session: Session,
    actor: Actor,
    today: date,
    *,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> list[DeadlineEvent]:
    """The notices due at `today` that were not produced before; each is recorded and audited,
    and published into the caller's unit of work (the outbox). The operator's flow runs it."""
    authorize(actor, Action.OPERATE)
    final = [s.value for s in FINAL_STATUSES]
    rows = session.exec(
        select(LegalRequest)
        .where(col(LegalRequest.status).not_in(final), col(LegalRequest.decision).is_not(None))
        .order_by(col(LegalRequest.id))
    ).all()
    by_id = {row.id: row for row in rows}
    histories = history_of(session, list(by_id))
    tracked = []
    for row in rows:
        decision = stored_decision(row)
        assert decision is not None
        tracked.append(
            TrackedRequest(
                request_id=row.id,
                status=RequestStatus(row.status),
                deadlines=decision.deadlines,
                events=deadline_events(histories[row.id]),
            )
        )
    due = reminders_due_at(tracked, today, policy)
    if not due:
        return []
    known = set(
        session.exec(
            select(DeadlineNotice.key).where(col(DeadlineNotice.key).in_([n.key for n in due]))
        ).all()
    )
    events: list[DeadlineEvent] = []
    for notice in due:
        if notice.key in known:
            continue
        row = by_id[notice.request_id]
        session.add(
            DeadlineNotice(
                key=notice.key,
                request_id=row.id,
                deadline=notice.deadline,
                kind=notice.kind,
                due=notice.due,
                fire_on=notice.fire_on,
            )
        )
        audit.record(
            session,
            action=f"request.deadline_{notice.kind}",
            entity_type="legal_request",
            entity_id=row.id,
            actor=actor.label,
            case_id=row.case_id,
            after={
                "key": notice.key,
                "deadline": notice.deadline,
                "due": notice.due,
                "fire_on": notice.fire_on,
                "as_of": today,
            },
        )
        events.append(_event(notice, row))
    publish(session, events)
    return events

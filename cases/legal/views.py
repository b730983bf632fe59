"""What `requests show`, `requests list` and `cases show` print about requests (JSON shapes).

`show` is SPEC §6's decision object, with each deadline's `due` computed from the recorded events
(`null` while the event that starts it has not happened), plus the request's status, history,
evidence and the deadline notices sent. Visibility (SPEC §10) is decided in SQL by
`cases.legal.requests.request_visible_to`; a case id is shown only to those who may see the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date
from typing import Any

from sqlmodel import Session, col, select

from cases.kernel.actor import Actor
from cases.kernel.columns import today_utc
from cases.kernel.models import Case
from cases.kernel.sharing import case_visible_to, sees_everything
from cases.legal.catalogue import RequestStatus, TimerKind
from cases.legal.deadlines import Deadline, DeadlineState, compute_due, deadline_state
from cases.legal.documents import missing_fields
from cases.legal.evidence import custody_problems
from cases.legal.lifecycle import FINAL_STATUSES
from cases.legal.models import (
    CustodyEntry,
    DeadlineNotice,
    EvidenceItem,
    LegalRequest,
    RequestEvent,
)
from cases.legal.requests import (
    deadline_events,
    get_request,
    history_of,
    request_summary,
    request_visible_to,
    stored_decision,
)

# The decision keys of a request that has not been routed (yet).
NOT_ROUTED: dict[str, Any] = {
    "legal_basis": [],
    "alternatives": [],
    "channel": None,
    "route": [],
    "languages": [],
    "deadlines": [],
    "flags": [],
    "required_fields": [],
    "confidence": None,
    "explanation": "Not routed yet: the route_requests flow routes it.",
}


def overdue_deadlines(
    deadlines: Iterable[Deadline], events: dict[str, date], status: str, today: date
) -> list[dict[str, Any]]:
    """The hard deadlines that have passed without their ending event, as of `today`."""
    current = RequestStatus(status)
    found = []
    for deadline in compute_due(deadlines, events):
        if deadline.kind is not TimerKind.HARD or deadline.due is None:
            continue
        if deadline_state(deadline, events, today, current) is DeadlineState.OVERDUE:
            found.append(
                {
                    "name": deadline.name,
                    "due": deadline.due.isoformat(),
                    "days_overdue": (today - deadline.due).days,
                }
            )
    return found


def _visible_case_ids(session: Session, actor: Actor, case_ids: Iterable[str]) -> set[str]:
    ids = set(case_ids)
    if sees_everything(actor) or not ids:
        return ids
    return set(
        session.exec(select(Case.id).where(col(Case.id).in_(ids), case_visible_to(actor))).all()
    )


def _history_line(line: RequestEvent) -> dict[str, Any]:
    return {
        "event": line.event,
        "kind": line.kind,
        "from": line.from_status,
        "on": line.happened_on.isoformat(),
        "recorded_at": line.recorded_at.isoformat(),
        "actor": line.actor,
        "note": line.note or None,
        "reason": line.reason,
    }


def evidence_view(item: EvidenceItem, chain: Sequence[CustodyEntry]) -> dict[str, Any]:
    return {
        "id": item.id,
        "description": item.description,
        "status": item.status,
        "rejection_reason": item.rejection_reason or None,
        "custody": [
            {
                "who": e.actor,
                "when": e.at.astimezone(UTC).isoformat(),
                "where": e.location,
                "action": e.action,
                "sha256": e.sha256,
                "note": e.note or None,
            }
            for e in chain
        ],
        "custody_problems": custody_problems(chain),
    }


def evidence_of(session: Session, request_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    ids = list(request_ids)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return found
    items = session.exec(
        select(EvidenceItem)
        .where(col(EvidenceItem.request_id).in_(ids))
        .order_by(col(EvidenceItem.id))
    ).all()
    chains: dict[int, list[CustodyEntry]] = defaultdict(list)
    if items:
        entries = session.exec(
            select(CustodyEntry)
            .where(col(CustodyEntry.evidence_id).in_([i.id for i in items]))
            .order_by(col(CustodyEntry.id))
        ).all()
        for entry in entries:
            chains[entry.evidence_id].append(entry)
    for item in items:
        assert item.id is not None and item.request_id is not None
        found[item.request_id].append(evidence_view(item, chains[item.id]))
    return found


def _base(
    row: LegalRequest, history: Sequence[RequestEvent], today: date, case_visible: bool
) -> dict[str, Any]:
    """The decision object with computed due dates, and the request's own facts and status."""
    decision = stored_decision(row)
    events = deadline_events(history)
    deadlines = compute_due(decision.deadlines, events) if decision else ()
    body = decision.to_dict() if decision else dict(NOT_ROUTED)
    body["request_id"] = row.id
    body["deadlines"] = [d.to_dict() for d in deadlines]
    return {
        "request_id": row.id,
        **body,
        **request_summary(row),
        "case_id": row.case_id if case_visible else None,
        "refusal_reason": row.refusal_reason,
        "overdue": overdue_deadlines(decision.deadlines, events, row.status, today)
        if decision
        else [],
    }


def show_request(session: Session, actor: Actor, request_id: str, today: date) -> dict[str, Any]:
    """Everything about one request the actor may see (`requests show`)."""
    row = get_request(session, request_id, actor)
    history = history_of(session, [row.id])[row.id]
    case_visible = bool(_visible_case_ids(session, actor, [row.case_id]))
    view = _base(row, history, today, case_visible)
    decision = stored_decision(row)
    notices = session.exec(
        select(DeadlineNotice)
        .where(col(DeadlineNotice.request_id) == row.id)
        .order_by(col(DeadlineNotice.fire_on), col(DeadlineNotice.key))
    ).all()
    view.update(
        history=[_history_line(line) for line in history],
        evidence=evidence_of(session, [row.id])[row.id],
        fields=dict(row.fields),
        missing_fields=list(missing_fields(decision, row.fields)) if decision else [],
        notices=[
            {
                "key": n.key,
                "deadline": n.deadline,
                "kind": n.kind,
                "due": n.due.isoformat(),
                "fire_on": n.fire_on.isoformat(),
            }
            for n in notices
        ],
    )
    return view


def list_requests(
    session: Session,
    actor: Actor,
    today: date,
    *,
    overdue_only: bool = False,
    case_id: str | None = None,
) -> list[dict[str, Any]]:
    """The requests the actor may see (filtered in SQL), each with its deadlines as of `today`;
    `overdue_only` keeps those with a hard deadline past due and not met."""
    query = select(LegalRequest).where(request_visible_to(actor))
    if overdue_only:
        final = [s.value for s in FINAL_STATUSES]
        query = query.where(col(LegalRequest.status).not_in(final))
    if case_id is not None:
        query = query.where(col(LegalRequest.case_id) == case_id)
    rows = session.exec(query.order_by(col(LegalRequest.id))).all()
    histories = history_of(session, [r.id for r in rows])
    visible_cases = _visible_case_ids(session, actor, {r.case_id for r in rows})
    views = [_base(r, histories[r.id], today, r.case_id in visible_cases) for r in rows]
    brief = ("explanation", "route", "alternatives", "required_fields", "languages")
    listed = [{k: v for k, v in view.items() if k not in brief} for view in views]
    if overdue_only:
        listed = [view for view in listed if view["overdue"]]
    return listed


def requests_of_case(
    session: Session, case_id: str, actor: Actor, today: date | None = None
) -> list[dict[str, Any]]:
    """The `"requests"` of `cordon cases show`: the case's requests the actor may see,
    as `requests list` shows them (deadlines as of `today`, default today in UTC)."""
    return list_requests(session, actor, today or today_utc(), case_id=case_id)

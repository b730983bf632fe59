"""Reading legal requests back from the store: the row, its facts, its decision, its events.

Shared by the service functions (writes), the views (show, list) and the deadline watcher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col, select

from cases.kernel.actor import Actor, Person
from cases.kernel.errors import NotFound
from cases.kernel.sharing import can_see_request, sees_everything
from cases.legal.catalogue import RequestStatus
from cases.legal.lifecycle import FINAL_STATUSES
from cases.legal.models import LegalRequest, RequestEvent
from cases.legal.routing import RequestFacts, RoutingDecision, make_request


def normalise_id(request_id: str) -> str:
    return request_id.strip().upper()


def get_request(
    session: Session, request_id: str, actor: Actor, *, for_update: bool = False
) -> LegalRequest:
    """The request `actor` may see, locked for update when asked; otherwise `NotFound` (no such
    request and one the actor may not see get the same answer)."""
    row = session.get(LegalRequest, normalise_id(request_id), with_for_update=for_update)
    if row is None or not can_see_request(actor, row.requesting, row.requested):
        raise NotFound(f"no request {request_id!r}", entity="request")
    return row


def request_facts(row: LegalRequest) -> RequestFacts:
    """The request as the router sees it (validated again: stored values went through it once)."""
    return make_request(
        request_type=row.type,
        requesting=row.requesting,
        requested=row.requested,
        measure=row.measure,
        person_nationality=row.person_nationality,
        urgent=row.urgent,
        offence=row.offence,
        max_penalty_years=row.max_penalty_years,
        transnational=row.transnational,
        organised_group=row.organised_group,
        capital=row.capital,
        request_id=row.id,
    )


def request_summary(row: LegalRequest) -> dict[str, Any]:
    """The request's own facts (what it was routed on), as audited."""
    return {
        "case_id": row.case_id,
        "type": row.type,
        "measure": row.measure,
        "requesting": row.requesting,
        "requested": row.requested,
        "person_nationality": row.person_nationality,
        "urgent": row.urgent,
        "offence": row.offence,
        "max_penalty_years": row.max_penalty_years,
        "transnational": row.transnational,
        "organised_group": row.organised_group,
        "capital": row.capital,
        "status": row.status,
        "prosecutor_email": row.prosecutor_email,
    }


def stored_decision(row: LegalRequest) -> RoutingDecision | None:
    return RoutingDecision.from_dict(row.decision) if row.decision else None


def is_final(row: LegalRequest) -> bool:
    return RequestStatus(row.status) in FINAL_STATUSES


def history_of(session: Session, request_ids: Iterable[str]) -> dict[str, list[RequestEvent]]:
    """Each request's history in the order it was recorded (one query for all of them)."""
    ids = list(request_ids)
    found: dict[str, list[RequestEvent]] = defaultdict(list)
    if not ids:
        return found
    rows = session.exec(
        select(RequestEvent)
        .where(col(RequestEvent.request_id).in_(ids))
        .order_by(col(RequestEvent.request_id), col(RequestEvent.id))
    ).all()
    for row in rows:
        found[row.request_id].append(row)
    return found


def deadline_events(history: Sequence[RequestEvent]) -> dict[str, date]:
    """The date of each event since the request last (re)entered draft; the first occurrence
    counts (a status reached again, e.g. under_assessment after info_requested, does not restart
    a deadline). A request returned as deficient and sent again starts its deadlines afresh."""
    events: dict[str, date] = {}
    for line in history:
        if line.kind == "status" and line.event == RequestStatus.DRAFT.value:
            events = {}
            continue
        events.setdefault(line.event, line.happened_on)
    return events


def request_visible_to(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``LegalRequest`` that keeps the requests ``actor`` may see."""
    if sees_everything(actor):
        return true()
    if not isinstance(actor, Person):
        return false()
    return or_(
        col(LegalRequest.requesting) == actor.jurisdiction,
        col(LegalRequest.requested) == actor.jurisdiction,
    )

"""Legal requests, use case by use case (SPEC §6): open, route, advance, fill in, render.

Each function takes a session and plain inputs and changes the store in the caller's unit of work,
audit events included; the caller commits. Functions that cause notifications return the domain
events (`RequestTransmitted`); the caller hands them to the outbox in the same unit of work.
The rules live in the pure core (`routing`, `lifecycle`, `documents`); this module stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from cases.kernel import audit
from cases.kernel.actor import Actor, Operator, Person
from cases.kernel.columns import today_utc, utcnow
from cases.kernel.counters import next_id
from cases.kernel.errors import Conflict, IllegalTransition, Invalid, NotFound
from cases.kernel.events import RequestTransmitted, publish
from cases.kernel.models import Case, Contact, Role
from cases.kernel.permissions import Action, RequestScope, authorize
from cases.kernel.sharing import can_see_case, can_see_request
from cases.legal.catalogue import Capital, Flag, LegalFacts, Offence, RequestStatus
from cases.legal.documents import document_kind, normalise_fields, render_document
from cases.legal.legal_facts import legal_facts
from cases.legal.lifecycle import SideEvent, advance, event_name, record_event
from cases.legal.models import LegalRequest, RequestEvent
from cases.legal.public import RequestStep
from cases.legal.requests import (
    deadline_events,
    get_request,
    history_of,
    normalise_id,
    request_facts,
    request_summary,
    stored_decision,
)
from cases.legal.routing import RoutingDecision, make_request, route_request

REQUEST_ID_PREFIX = "REQ"
_SIDE_EVENTS = frozenset(e.value for e in SideEvent)


# Which side of a request takes which step (SPEC §10.1): everything not listed here — the
# steps towards transmission, withdrawing, closing — is the requesting side's.
REQUESTED_SIDE = frozenset(
    {
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.UNDER_ASSESSMENT,
        RequestStatus.INFO_REQUESTED,
        RequestStatus.CONSULTATION,
        RequestStatus.ASSURANCE_REQUESTED,
        RequestStatus.POSTPONED,
        RequestStatus.ACCEPTED,
        RequestStatus.IN_EXECUTION,
        RequestStatus.RESULTS_TRANSMITTED,
        RequestStatus.REFUSED,
        RequestStatus.RETURNED_DEFICIENT,
    }
)


def side_of(step: str) -> Action:
    """The §10.1 action a lifecycle step or side event is (side events are the requested
    state's: an arrest, a consent, a surrender)."""
    if step in _SIDE_EVENTS or step in {s.value for s in REQUESTED_SIDE}:
        return Action.REQUEST_REQUESTED_STEP
    return Action.REQUEST_REQUESTING_STEP


def request_for(session: Session, actor: Actor, action: Action, request_id: str) -> LegalRequest:
    """The request ``actor`` may ``action``, locked for the change; otherwise the refusal (a
    request the actor may not see is refused without saying whether it exists)."""
    row = session.get(LegalRequest, normalise_id(request_id), with_for_update=True)
    if row is None and isinstance(actor, Operator):
        raise NotFound(f"no request {request_id!r}", entity="request")
    if row is None or not can_see_request(actor, row.requesting, row.requested):
        scope = RequestScope(request_id, requesting="", requested="", visible=False)
    else:
        scope = RequestScope(row.id, row.requesting, row.requested)
    authorize(actor, action, scope, what=f"request {request_id}")
    assert row is not None
    return row


def _audit(
    session: Session,
    row: LegalRequest,
    action: str,
    actor: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="legal_request",
        entity_id=row.id,
        actor=actor.label,
        case_id=row.case_id,
        before=before,
        after=after,
    )


def requesting_prosecutor(session: Session, jurisdiction: str) -> str | None:
    """The first (by e-mail) active prosecutor contact of a jurisdiction, if any."""
    return session.exec(
        select(Contact.email)
        .where(
            col(Contact.jurisdiction) == jurisdiction,
            col(Contact.role) == Role.PROSECUTOR,
            col(Contact.active),
        )
        .order_by(col(Contact.email))
        .limit(1)
    ).first()


# --- open and route ------------------------------------------------------------------------------


def open_request(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    request_type: str,
    requesting: str,
    requested: str,
    measure: str | None = None,
    person_nationality: str | None = None,
    urgent: bool = False,
    offence: str = Offence.FIREARMS_TRAFFICKING.value,
    max_penalty_years: float = 10,
    transnational: bool = True,
    organised_group: bool = True,
    capital: str = Capital.UNKNOWN.value,
    today: date | None = None,
    facts: LegalFacts | None = None,
) -> tuple[LegalRequest, RoutingDecision]:
    """A new request in `draft` on a case the opener may see, routed at once.

    A prosecutor or central authority of the requesting state opens it (SPEC §10.1) and becomes
    the requesting prosecutor; when the operator opens it, the first prosecutor contact of the
    requesting jurisdiction is.
    """
    wanted = make_request(
        request_type=request_type,
        requesting=requesting,
        requested=requested,
        measure=measure,
        person_nationality=person_nationality,
        urgent=urgent,
        offence=offence,
        max_penalty_years=max_penalty_years,
        transnational=transnational,
        organised_group=organised_group,
        capital=capital,
    )
    case = session.get(Case, case_id.strip().upper())
    if case is None and isinstance(actor, Operator):
        raise NotFound(
            f"no case {case_id!r}: a request is opened on an existing case", entity="case"
        )
    visible = case is not None and can_see_case(session, actor, case.id)
    scope = RequestScope("", wanted.requesting, wanted.requested, visible=visible)
    authorize(actor, Action.REQUEST_OPEN, scope, what=f"case {case_id}")
    assert case is not None
    on = today or today_utc()
    row = LegalRequest(
        id=next_id(session, REQUEST_ID_PREFIX, on),
        case_id=case.id,
        type=wanted.request_type.value,
        measure=wanted.measure.value if wanted.measure else None,
        requesting=wanted.requesting,
        requested=wanted.requested,
        person_nationality=wanted.person_nationality,
        urgent=wanted.urgent,
        offence=wanted.offence.value,
        max_penalty_years=wanted.max_penalty_years,
        transnational=wanted.transnational,
        organised_group=wanted.organised_group,
        capital=wanted.capital.value,
        status=RequestStatus.DRAFT.value,
        prosecutor_email=actor.email
        if isinstance(actor, Person)
        else requesting_prosecutor(session, wanted.requesting),
        opened_by=actor.label,
    )
    session.add(row)
    session.add(
        RequestEvent(
            request_id=row.id, kind="status", event=row.status, happened_on=on, actor=actor.label
        )
    )
    _audit(session, row, "request.opened", actor, after=request_summary(row))
    decision = route_stored_request(session, row, facts or legal_facts(session), actor=actor)
    assert decision is not None  # a new request has no decision yet
    return row, decision


def route_stored_request(
    session: Session, row: LegalRequest, facts: LegalFacts, *, actor: Actor
) -> RoutingDecision | None:
    """Route the request on today's facts; store and audit the decision when it is new or
    different from the stored one. Returns the new decision, or None when nothing changed."""
    decision = route_request(facts, request_facts(row))
    stored = decision.to_dict(full=True)
    if row.decision == stored:
        return None
    before = row.decision
    row.decision = stored
    row.routed_at = row.updated_at = utcnow()
    session.add(row)
    _audit(
        session,
        row,
        "request.routed",
        actor,
        before=None if before is None else {"decision": before},
        after={"decision": stored},
    )
    return decision


def route_drafts(session: Session, actor: Actor, *, facts: LegalFacts | None = None) -> list[str]:
    """Route every draft request not yet routed or whose decision the facts now change (a
    scenario override loaded since, say). Requests past draft keep the decision they were
    drafted on. Returns the ids whose decision was recorded."""
    authorize(actor, Action.OPERATE)  # the route_requests flow, as the operator
    drafts = session.exec(
        select(LegalRequest)
        .where(col(LegalRequest.status) == RequestStatus.DRAFT.value)
        .order_by(col(LegalRequest.id))
        .with_for_update()
    ).all()
    if not drafts:
        return []
    facts = facts or legal_facts(session)
    return [row.id for row in drafts if route_stored_request(session, row, facts, actor=actor)]


# --- lifecycle -----------------------------------------------------------------------------------


def advance_request(
    session: Session,
    actor: Actor,
    *,
    request_id: str,
    state: str,
    at: date | None = None,
    note: str = "",
    reason: str | None = None,
) -> RequestStep:
    """Move a request to `state` on the day `at` (default today), or record a side event
    (`arrested`, `consent_given`, …: the status stays). Deadlines run from these dates.

    The requesting state's prosecutors and central authorities take the steps towards
    transmission; the requested state's take the rest (SPEC §10.1). Illegal transitions raise
    `IllegalTransition` naming what is allowed. Reaching `transmitted` publishes
    `RequestTransmitted` into the unit of work (the outbox).
    """
    name = event_name(state.strip().lower())
    row = request_for(session, actor, side_of(name), request_id)
    on = at or today_utc()
    if name in _SIDE_EVENTS:
        if reason is not None:
            raise Invalid(f"a reason code belongs to a refusal only, not to {name}")
        _record_side_event(session, row, name, on, actor=actor, note=note)
        return RequestStep(request_id=row.id, recorded=name, on=on.isoformat(), events=[])
    decision = stored_decision(row)
    if decision is None:
        raise Conflict(f"request {row.id} has not been routed yet: the route_requests flow does")
    target = advance(
        row.status,
        name,
        reason=reason,
        translation_required=Flag.TRANSLATION_REQUIRED in decision.flags,
    )
    before = {"status": row.status}
    session.add(
        RequestEvent(
            request_id=row.id,
            kind="status",
            event=target.value,
            from_status=row.status,
            happened_on=on,
            actor=actor.label,
            note=note,
            reason=reason,
        )
    )
    row.status = target.value
    if target is RequestStatus.REFUSED:
        row.refusal_reason = reason
    row.updated_at = utcnow()
    session.add(row)
    after = {"status": row.status, "on": on, "note": note or None, "reason": reason}
    _audit(session, row, "request.advanced", actor, before=before, after=after)
    events = []
    if target is RequestStatus.TRANSMITTED:
        events.append(
            RequestTransmitted(
                request_id=row.id,
                case_id=row.case_id,
                request_type=row.type,
                requesting=row.requesting,
                requested=row.requested,
                prosecutor_email=row.prosecutor_email,
                transmitted_on=on,
            )
        )
        publish(session, events)
    return RequestStep(
        request_id=row.id, recorded=name, on=on.isoformat(), events=[e.key for e in events]
    )


def _record_side_event(
    session: Session, row: LegalRequest, name: str, on: date, *, actor: Actor, note: str
) -> None:
    history = history_of(session, [row.id])[row.id]
    events = deadline_events(history)
    if name in events:
        raise IllegalTransition(
            f"{name} is already recorded for {row.id} (on {events[name].isoformat()})"
        )
    record_event(events, name, on, request_type=row.type, status=row.status)  # the core's checks
    session.add(
        RequestEvent(
            request_id=row.id,
            kind="side",
            event=name,
            happened_on=on,
            actor=actor.label,
            note=note,
        )
    )
    row.updated_at = utcnow()
    session.add(row)
    _audit(
        session,
        row,
        "request.event_recorded",
        actor,
        after={"event": name, "on": on, "status": row.status, "note": note or None},
    )


# --- documents -----------------------------------------------------------------------------------


def set_fields(
    session: Session, actor: Actor, *, request_id: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Fill in (or, with an empty value, clear) document fields; unknown names are refused.
    The requesting side writes its letter (SPEC §10.1). Returns the fields after the change."""
    row = request_for(session, actor, Action.REQUEST_REQUESTING_STEP, request_id)
    normalise_fields(values)  # refuses unknown field names, naming the known ones
    fields = dict(row.fields)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in values.items():
        empty = value is None or (isinstance(value, str) and not value.strip())
        old = fields.get(name)
        new = None if empty else value
        if old == new:
            continue
        before[name], after[name] = old, new
        if new is None:
            fields.pop(name, None)
        else:
            fields[name] = new
    if after:
        row.fields = fields
        row.updated_at = utcnow()
        session.add(row)
        _audit(session, row, "request.fields_set", actor, before, after)
    return fields


def render_request_document(
    session: Session, actor: Actor, *, request_id: str, issued_on: date | None = None
) -> tuple[str, str]:
    """(`letter_of_request` | `extradition_request`, text) from the stored decision and fields,
    for an actor who may see the request; `MissingFields` names every required field still
    empty."""
    row = get_request(session, request_id, actor)
    decision = stored_decision(row)
    facts = request_facts(row)
    kind = document_kind(facts.request_type)
    if decision is None:
        raise Conflict(f"request {row.id} has not been routed yet: nothing to render")
    on = issued_on or today_utc()
    text = render_document(
        legal_facts(session),
        facts,
        replace(decision, request_id=row.id),
        row.fields,
        issued_on=on,
    )
    return kind, text


def parse_day(value: str, name: str = "date") -> date:
    """A calendar day from `YYYY-MM-DD` (or the date part of an ISO 8601 timestamp); ``name``
    says which date it is in the refusal."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise Invalid(f"{name} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-01") from None

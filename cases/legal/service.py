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
from cases.kernel.audit import SYSTEM_ACTOR
from cases.kernel.columns import today_utc, utcnow
from cases.kernel.counters import next_id
from cases.kernel.errors import CordonError
from cases.kernel.events import RequestTransmitted
from cases.kernel.models import Case, Contact, Role
from cases.kernel.sharing import UnknownContact, Viewer, can_see_case, viewer_for
from cases.legal.catalogue import Capital, Flag, LegalFacts, Offence, RequestStatus
from cases.legal.documents import document_kind, normalise_fields, render_document
from cases.legal.errors import IllegalTransition, LegalCooperationError
from cases.legal.facts import legal_facts
from cases.legal.lifecycle import SideEvent, advance, event_name, record_event
from cases.legal.models import LegalRequest, RequestEvent
from cases.legal.routing import RoutingDecision, make_request, route_request
from cases.legal.store import (
    deadline_events,
    get_request,
    history_of,
    request_facts,
    request_summary,
    stored_decision,
)

REQUEST_ID_PREFIX = "REQ"
_SIDE_EVENTS = frozenset(e.value for e in SideEvent)


class CaseNotFound(CordonError):
    """No such case, or one the person opening a request may not see."""


def _audit(
    session: Session,
    row: LegalRequest,
    action: str,
    actor: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="legal_request",
        entity_id=row.id,
        actor=actor,
        case_id=row.case_id,
        before=before,
        after=after,
    )


def acting_contact(session: Session, by: str | None) -> Viewer:
    """The contact behind `--by` (what they may see bounds what they may change)."""
    try:
        return viewer_for(session, by)
    except UnknownContact:
        raise UnknownContact(
            f"no contact {by!r}: --by takes an e-mail address from contacts.csv"
        ) from None


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
    by: str | None = None,
    today: date | None = None,
    facts: LegalFacts | None = None,
) -> tuple[LegalRequest, RoutingDecision]:
    """A new request in `draft` on a case the opener may see, routed at once.

    `by` is the contact opening it (of the requesting jurisdiction); they become the requesting
    prosecutor, or else the first prosecutor contact of the requesting jurisdiction does.
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
    viewer = acting_contact(session, by)
    case = session.get(Case, case_id.strip().upper())
    if case is None or not can_see_case(session, viewer, case.id):
        who = f" visible to {viewer.email}" if viewer.email else ""
        raise CaseNotFound(f"no case {case_id!r}{who}: a request is opened on an existing case")
    if viewer.email is not None and viewer.jurisdiction != wanted.requesting:
        raise LegalCooperationError(
            f"{viewer.email} works for {viewer.jurisdiction}: a request from "
            f"{wanted.requesting} is opened by a contact of {wanted.requesting}"
        )
    on = today or today_utc()
    actor = viewer.email or SYSTEM_ACTOR
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
        prosecutor_email=viewer.email or requesting_prosecutor(session, wanted.requesting),
        opened_by=actor,
    )
    session.add(row)
    session.add(
        RequestEvent(
            request_id=row.id, kind="status", event=row.status, happened_on=on, actor=actor
        )
    )
    _audit(session, row, "request.opened", actor, after=request_summary(row))
    decision = route_stored_request(session, row, facts or legal_facts(session, on), actor=actor)
    assert decision is not None  # a new request has no decision yet
    return row, decision


def route_stored_request(
    session: Session, row: LegalRequest, facts: LegalFacts, *, actor: str = SYSTEM_ACTOR
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


def route_drafts(
    session: Session, *, facts: LegalFacts | None = None, actor: str = SYSTEM_ACTOR
) -> list[str]:
    """Route every draft request not yet routed or whose decision the facts now change (a
    scenario override loaded since, say). Requests past draft keep the decision they were
    drafted on. Returns the ids whose decision was recorded."""
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
    request_id: str,
    state: str,
    *,
    at: date | None = None,
    note: str = "",
    reason: str | None = None,
    by: str | None = None,
) -> list[RequestTransmitted]:
    """Move a request to `state` on the day `at` (default today), or record a side event
    (`arrested`, `consent_given`, …: the status stays). Deadlines run from these dates.

    Illegal transitions raise `IllegalTransition` naming what is allowed. Reaching `transmitted`
    returns a `RequestTransmitted` event for the outbox.
    """
    viewer = acting_contact(session, by)
    actor = viewer.email or SYSTEM_ACTOR
    row = get_request(session, request_id, viewer, for_update=True)
    on = at or today_utc()
    name = event_name(state.strip().lower())
    if name in _SIDE_EVENTS:
        if reason is not None:
            raise IllegalTransition(f"a reason code belongs to a refusal only, not to {name}")
        _record_side_event(session, row, name, on, actor=actor, note=note)
        return []
    decision = stored_decision(row)
    if decision is None:
        raise LegalCooperationError(
            f"request {row.id} has not been routed: run the route_requests flow first"
        )
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
            actor=actor,
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
    if target is RequestStatus.TRANSMITTED:
        return [
            RequestTransmitted(
                request_id=row.id,
                case_id=row.case_id,
                request_type=row.type,
                requesting=row.requesting,
                requested=row.requested,
                prosecutor_email=row.prosecutor_email,
                transmitted_on=on,
            )
        ]
    return []


def _record_side_event(
    session: Session, row: LegalRequest, name: str, on: date, *, actor: str, note: str
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
            request_id=row.id, kind="side", event=name, happened_on=on, actor=actor, note=note
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
    session: Session, request_id: str, values: Mapping[str, Any], *, by: str | None = None
) -> dict[str, Any]:
    """Fill in (or, with an empty value, clear) document fields; unknown names are refused.
    Returns the request's fields after the change."""
    viewer = acting_contact(session, by)
    row = get_request(session, request_id, viewer, for_update=True)
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
        _audit(session, row, "request.fields_set", viewer.email or SYSTEM_ACTOR, before, after)
    return fields


def render_request_document(
    session: Session,
    request_id: str,
    *,
    as_email: str | None = None,
    issued_on: date | None = None,
) -> tuple[str, str]:
    """(`letter_of_request` | `extradition_request`, text) from the stored decision and fields,
    for a viewer who may see the request; `MissingFields` names every required field still
    empty."""
    row = get_request(session, request_id, viewer_for(session, as_email))
    decision = stored_decision(row)
    facts = request_facts(row)
    kind = document_kind(facts.request_type)
    if decision is None:
        raise LegalCooperationError(f"request {row.id} has not been routed yet: nothing to render")
    on = issued_on or today_utc()
    text = render_document(
        legal_facts(session, on),
        facts,
        replace(decision, request_id=row.id),
        row.fields,
        issued_on=on,
    )
    return kind, text


def parse_day(value: str, option: str = "--at") -> date:
    """A calendar day from `YYYY-MM-DD` (or the date part of an ISO 8601 timestamp)."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise LegalCooperationError(
            f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-01"
        ) from None

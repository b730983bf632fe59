"""MLA and extradition requests (SPEC §6, §13): open, show, list, lifecycle events, document
fields, the letter of request, evidence and its chain of custody."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from cases.kernel.columns import today_utc
from cases.legal import service
from cases.legal.evidence_service import add_evidence, record_custody
from cases.legal.public import RequestStep
from cases.legal.views import list_requests, show_request
from cordon.api.doors import Reading, Writing

router = APIRouter(tags=["legal requests"])


class NewRequest(BaseModel):
    case_id: str = Field(max_length=40)
    type: str = Field(max_length=20, description="mla or extradition")
    requesting: str = Field(max_length=2)
    requested: str = Field(max_length=2)
    measure: str | None = Field(default=None, max_length=40)
    person_nationality: str | None = Field(default=None, max_length=2)
    urgent: bool = False
    offence: str = Field(default="firearms_trafficking", max_length=40)
    max_penalty_years: float = Field(default=10, ge=0, le=1000)
    transnational: bool = True
    organised_group: bool = True
    capital: str = Field(default="unknown", max_length=10)


@router.post("/requests", summary="Open a request on a case; it is routed at once")
def open_request(new: NewRequest, door: Writing) -> dict[str, Any]:
    _, decision = service.open_request(
        door.session,
        door.actor,
        case_id=new.case_id,
        request_type=new.type,
        requesting=new.requesting,
        requested=new.requested,
        measure=new.measure,
        person_nationality=new.person_nationality,
        urgent=new.urgent,
        offence=new.offence,
        max_penalty_years=new.max_penalty_years,
        transnational=new.transnational,
        organised_group=new.organised_group,
        capital=new.capital,
    )
    return decision.to_dict()


@router.get("/requests", summary="The requests the caller may see")
def requests(
    door: Reading,
    overdue: bool = False,
    now: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    rows = list_requests(door.session, door.actor, now or today_utc(), overdue_only=overdue)
    return rows[offset : offset + limit]


@router.get("/requests/{request_id}", summary="A request: decision, status, deadlines, evidence")
def request(request_id: str, door: Reading, now: date | None = None) -> dict[str, Any]:
    return show_request(door.session, door.actor, request_id, now or today_utc())


class Step(BaseModel):
    state: str = Field(max_length=40, description="a status or a side event such as arrested")
    at: date | None = None
    note: str = Field(default="", max_length=2000)
    reason: str | None = Field(default=None, max_length=60)


@router.post("/requests/{request_id}/events", summary="A lifecycle step or side event")
def step(request_id: str, step: Step, door: Writing) -> RequestStep:
    return service.advance_request(
        door.session,
        door.actor,
        request_id=request_id,
        state=step.state,
        at=step.at,
        note=step.note,
        reason=step.reason,
    )


@router.patch("/requests/{request_id}/fields", summary="Fill in or clear document fields")
def fields(
    request_id: str, values: dict[str, str | list[str] | None], door: Writing
) -> dict[str, Any]:
    return service.set_fields(door.session, door.actor, request_id=request_id, values=values)


@router.get(
    "/requests/{request_id}/document",
    response_class=PlainTextResponse,
    summary="The letter of request or extradition request",
)
def document(request_id: str, door: Reading) -> str:
    _, text = service.render_request_document(door.session, door.actor, request_id=request_id)
    return text


class NewEvidence(BaseModel):
    description: str = Field(min_length=1, max_length=2000)


@router.post("/requests/{request_id}/evidence", summary="An item the request asks for")
def evidence(request_id: str, new: NewEvidence, door: Writing) -> dict[str, Any]:
    return add_evidence(
        door.session, door.actor, request_id=request_id, description=new.description
    )


class Custody(BaseModel):
    action: str = Field(
        max_length=20, description="received, transferred, examined, stored, admitted or rejected"
    )
    who: str = Field(min_length=1, max_length=200, description="the custodian")
    where: str = Field(min_length=1, max_length=200)
    at: datetime | None = Field(default=None, description="ISO 8601 with an offset; default now")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    note: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=500, description="why it was rejected")


@router.post("/evidence/{evidence_id}/custody", summary="A chain-of-custody step")
def custody(evidence_id: int, step: Custody, door: Writing) -> dict[str, Any]:
    from cases.kernel.columns import utcnow
    from cases.kernel.errors import Invalid

    when = step.at or utcnow()
    if when.tzinfo is None:
        raise Invalid("at: give a time with a UTC offset, e.g. 2026-12-03T10:15+01:00")
    return record_custody(
        door.session,
        door.actor,
        evidence_id=evidence_id,
        action=step.action,
        who=step.who,
        when=when,
        where=step.where,
        sha256=step.sha256,
        note=step.note,
        reason=step.reason,
    )

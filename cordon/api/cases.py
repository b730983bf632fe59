"""Cases: the queue, a case, its alerts, and what people do with it (SPEC §5, §10.1, §13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from cases.casework import service
from cases.casework.public import (
    CaseAlert,
    CaseDetail,
    CaseItem,
    CaseLinked,
    CaseNoted,
    CaseShared,
    CaseSplit,
    CaseState,
)
from cases.casework.views import QueueFilter
from cases.kernel.models import CaseOutcome, CaseStatus, Priority, Sharing
from cordon.api.doors import Reading, Writing

router = APIRouter(prefix="/cases", tags=["cases"])
PAGE = 100


@router.get("", summary="The case queue the caller may see")
def list_cases(
    door: Reading,
    response: Response,
    status: CaseStatus | None = None,
    priority: Priority | None = None,
    jurisdiction: Annotated[str | None, Query(max_length=2)] = None,
    corridor: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="A case id, identifier or name.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CaseItem]:
    """Highest priority first, then score, then age; `X-Total-Count` says how many match."""
    narrowed = QueueFilter(status, priority, jurisdiction, corridor, q)
    response.headers["X-Total-Count"] = str(service.count_cases(door.session, door.actor, narrowed))
    return service.list_cases(
        door.session, door.actor, narrowed=narrowed, limit=limit, offset=offset
    )


@router.get("/{case_id}", summary="One case")
def show_case(case_id: str, door: Reading) -> CaseDetail:
    return service.show_case(door.session, door.actor, case_id)


@router.get("/{case_id}/alerts", summary="The alerts of a case")
def case_alerts(case_id: str, door: Reading) -> list[CaseAlert]:
    return service.show_case(door.session, door.actor, case_id).alerts


class Transition(BaseModel):
    status: CaseStatus
    outcome: CaseOutcome | None = None


@router.post("/{case_id}/transition", summary="Move a case along its status chain")
def transition(case_id: str, move: Transition, door: Writing) -> CaseState:
    return service.transition_case(
        door.session, door.actor, case_id=case_id, status=move.status, outcome=move.outcome
    )


class Link(BaseModel):
    other_id: str = Field(max_length=40)


@router.post("/{case_id}/links", summary="Mark two cases as related")
def link(case_id: str, link: Link, door: Writing) -> CaseLinked:
    return service.link_case(door.session, door.actor, case_id=case_id, other_id=link.other_id)


class Split(BaseModel):
    alerts: list[str] = Field(min_length=1, max_length=1000, description="SOURCE:REF of each.")


@router.post("/{case_id}/split", summary="Undo a wrong merge: move alerts to a new case")
def split(case_id: str, split: Split, door: Writing) -> CaseSplit:
    return service.split_case(door.session, door.actor, case_id=case_id, alerts=split.alerts)


class SharingLevel(BaseModel):
    level: Sharing


@router.put("/{case_id}/sharing", summary="Who may see a case")
def sharing(case_id: str, sharing: SharingLevel, door: Writing) -> CaseShared:
    return service.set_sharing(door.session, door.actor, case_id=case_id, level=sharing.level)


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=service.NOTE_MAX_CHARS)


@router.post("/{case_id}/notes", summary="Add a note to a case")
def note(case_id: str, note: Note, door: Writing) -> CaseNoted:
    return service.add_note(door.session, door.actor, case_id=case_id, text=note.text)

"""Joint inspection plans (SPEC §7, §13): propose, read, approve, publish, export, outcomes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cordon.api.doors import Reading, Writing
from cordon.app import ready_engine, run_flow
from interdiction import plans

router = APIRouter(prefix="/plans", tags=["plans"])


class Proposal(BaseModel):
    start: date
    days: int = Field(ge=1, le=31)
    engine: str = Field(default="auto", max_length=10)
    time_limit_s: float = Field(default=30.0, gt=0, le=600)
    mode: str = Field(default="coverage", max_length=20)
    seed: int | None = Field(default=None, ge=0, le=2**31)


@router.post("", summary="Compute and store a proposed plan (runs the plan_inspections flow)")
async def propose(proposal: Proposal, door: Reading) -> dict[str, Any]:
    from interdiction.proposal import plan_options

    plan_options(
        engine=proposal.engine,
        mode=proposal.mode,
        seed=proposal.seed,
        time_limit_s=proposal.time_limit_s,
    )
    by = getattr(door.actor, "email", None)
    return await run_in_threadpool(_propose, proposal, by)


def _propose(proposal: Proposal, by: str | None) -> dict[str, Any]:
    ready_engine()
    from flows.plan_inspections import plan_inspections

    document: dict[str, Any] = run_flow(
        plan_inspections,
        start=proposal.start.isoformat(),
        days=proposal.days,
        engine=proposal.engine,
        time_limit_s=proposal.time_limit_s,
        mode=proposal.mode,
        seed=proposal.seed,
        by=by,
    )
    return document


@router.get("", summary="The plans the caller may read, newest first")
def list_plans(
    door: Reading,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    return plans.list_plans(door.session, door.actor)[offset : offset + limit]


@router.get("/{plan_id}", summary="A plan as the caller may read it")
def show_plan(plan_id: str, door: Reading) -> dict[str, Any]:
    return plans.plan_document(door.session, door.actor, plan_id)


@router.get("/{plan_id}/roster.csv", response_class=PlainTextResponse, summary="The roster as CSV")
def roster(plan_id: str, door: Reading) -> str:
    return plans.roster_csv(door.session, door.actor, plan_id)


@router.post("/{plan_id}/approve", summary="Approve a proposed plan; team leads are told")
def approve(plan_id: str, door: Writing) -> dict[str, Any]:
    event = plans.approve_plan(door.session, door.actor, plan_id=plan_id)
    leads = sorted({s.lead_email for s in event.assignments if s.lead_email})
    return {"plan_id": event.plan_id, "plan_status": "approved", "team_leads": leads}


@router.post("/{plan_id}/publish", summary="Publish an approved plan")
def publish(plan_id: str, door: Writing) -> dict[str, Any]:
    row = plans.publish_plan(door.session, door.actor, plan_id=plan_id)
    return {"plan_id": row.id, "plan_status": str(row.status)}


class Outcome(BaseModel):
    corridor: str = Field(max_length=100)
    shift: int = Field(ge=0, le=10_000)
    result: str = Field(max_length=20, description="seized, nothing or not_done")


@router.post("/{plan_id}/outcomes", summary="What an inspection found")
def outcome(plan_id: str, outcome: Outcome, door: Writing) -> dict[str, Any]:
    return plans.record_outcome(
        door.session,
        door.actor,
        plan_id=plan_id,
        corridor=outcome.corridor,
        shift=outcome.shift,
        result=outcome.result,
    )

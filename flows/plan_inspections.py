"""Flow ``plan_inspections``: read the inputs, solve, check and store a proposed plan (SPEC §7).

The optimizer and the checker are plain functions of ``interdiction``; this flow only orders them:
the newest stored roster over the same shift grid warm-starts the solver, and the store step
re-verifies the roster and refuses one that fails. ``reuse=True`` (the demo) returns
the newest stored plan computed from exactly the same inputs instead of solving again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow, task

from cases.kernel.actor import Actor, flow_operator, resolve
from cases.kernel.columns import today_utc
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.permissions import Action
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from interdiction.inputs import PlanningInputs, planning_inputs
from interdiction.models import PlanMode
from interdiction.plans import (
    authorize_plan,
    latest_plan_for,
    plan_document,
    plan_start,
    previous_roster,
    store_plan,
)
from interdiction.problem import Assignment
from interdiction.proposal import (
    InspectionPlan,
    plan_options,
    propose_plan,
    propose_randomized_plan,
)

PLANNER = flow_operator("plan_inspections")


@task
def who_proposes(by: str | None) -> Actor:
    """The coordinator proposing (``by``), or the operator; refused before any solving."""
    with read_session() as session:
        actor = resolve(session, by) if by else PLANNER
        authorize_plan(session, actor, Action.PLAN_PROPOSE)
        return actor


@task
def read_inputs(start: str | None, days: int) -> PlanningInputs:
    first_day = plan_start(start) if start else today_utc() + timedelta(days=1)
    with read_session() as session:
        return planning_inputs(session, first_day, days)


@task
def warm_start(inputs: PlanningInputs) -> list[Assignment]:
    with read_session() as session:
        return previous_roster(session, inputs)


@task
def solve(
    inputs: PlanningInputs,
    engine: str,
    time_limit_s: float,
    mode: PlanMode,
    seed: int,
    previous: list[Assignment],
) -> InspectionPlan:
    if mode is PlanMode.RANDOMIZED:
        return propose_randomized_plan(inputs.problem, seed=seed, time_limit_s=time_limit_s)
    return propose_plan(
        inputs.problem, engine=engine, time_limit_s=time_limit_s, warm_start=previous
    )


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def store(
    actor: Actor, inputs: PlanningInputs, plan: InspectionPlan, mode: PlanMode
) -> dict[str, Any]:
    with unit_of_work() as session:
        stored = store_plan(session, inputs, plan, mode=mode, actor=actor)
        return plan_document(session, actor, str(stored.plan_id))


@task
def stored_plan(actor: Actor, inputs: PlanningInputs, mode: PlanMode) -> dict[str, Any] | None:
    with read_session() as session:
        row = latest_plan_for(session, inputs, mode)
        return None if row is None else plan_document(session, actor, row.id)


@flow(name="plan_inspections")
def plan_inspections(
    start: str | None = None,
    days: int = 3,
    engine: str = "auto",
    time_limit_s: float = 30.0,
    mode: str = "coverage",
    seed: int | None = None,
    reuse: bool = False,
    by: str | None = None,
) -> dict[str, Any]:
    """SPEC §7's plan object for ``days`` days from ``start`` (YYYY-MM-DD; default: tomorrow,
    UTC), stored as proposed — by the coordinator ``by`` (e-mail), or by the operator."""
    options = plan_options(engine=engine, mode=mode, seed=seed, time_limit_s=time_limit_s)
    actor = who_proposes(by)
    inputs = read_inputs(start, days)
    if reuse and (found := stored_plan(actor, inputs, options.mode)) is not None:
        return found
    previous = warm_start(inputs)
    plan = solve(inputs, options.engine, time_limit_s, options.mode, seed or 0, previous)
    return store(actor, inputs, plan, options.mode)

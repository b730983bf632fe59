"""Flow ``plan_inspections``: read the inputs, solve, check and store a proposed plan (SPEC §7).

The optimizer and the checker are plain functions of ``interdiction``; this flow only orders them:
the newest stored roster over the same shift grid warm-starts the solver, and the store step
re-verifies the roster and refuses one that fails. ``reuse=True`` (the demo) returns
the newest stored plan computed from exactly the same inputs instead of solving again.
"""

from __future__ import annotations

import math
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeVar

from prefect import flow, task

from cases.kernel.columns import today_utc
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.errors import CordonError
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from interdiction.inputs import PlanningInputs, planning_inputs
from interdiction.models import PlanMode
from interdiction.plans import (
    latest_plan_for,
    plan_document,
    plan_start,
    previous_roster,
    store_plan,
)
from interdiction.problem import Assignment
from interdiction.proposal import InspectionPlan, propose_plan, propose_randomized_plan
from interdiction.solve import Engine

E = TypeVar("E", bound=StrEnum)


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
def store(inputs: PlanningInputs, plan: InspectionPlan, mode: PlanMode) -> dict[str, Any]:
    with unit_of_work() as session:
        stored = store_plan(session, inputs, plan, mode=mode, actor="plan_inspections")
        return plan_document(session, str(stored.plan_id))


@task
def stored_plan(inputs: PlanningInputs, mode: PlanMode) -> dict[str, Any] | None:
    with read_session() as session:
        row = latest_plan_for(session, inputs, mode)
        return None if row is None else plan_document(session, row.id)


@flow(name="plan_inspections")
def plan_inspections(
    start: str | None = None,
    days: int = 3,
    engine: str = "auto",
    time_limit_s: float = 30.0,
    mode: str = "coverage",
    seed: int | None = None,
    reuse: bool = False,
) -> dict[str, Any]:
    """SPEC §7's plan object for ``days`` days from ``start`` (YYYY-MM-DD; default: tomorrow,
    UTC), stored as proposed."""
    plan_mode = _choice(PlanMode, mode, "--mode")
    _choice(Engine, engine, "--engine")
    if mode == PlanMode.RANDOMIZED and engine == Engine.CPSAT:
        raise CordonError("--mode randomized solves with HiGHS: leave out --engine cpsat")
    if mode == PlanMode.COVERAGE and seed is not None:
        raise CordonError("--seed draws a roster of --mode randomized: add --mode randomized")
    if not math.isfinite(time_limit_s) or time_limit_s <= 0:
        raise CordonError(f"--time-limit {time_limit_s}: give a positive number of seconds")
    inputs = read_inputs(start, days)
    if reuse and (found := stored_plan(inputs, plan_mode)) is not None:
        return found
    plan = solve(inputs, engine, time_limit_s, plan_mode, seed or 0, warm_start(inputs))
    return store(inputs, plan, plan_mode)


def _choice(kind: type[E], value: str, option: str) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(member) for member in kind)
        raise CordonError(f"{option} {value!r}: use {choices}") from None

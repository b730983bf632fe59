"""Flow ``route_requests``: route every draft request not yet routed or whose facts changed.

A draft is routed again on the facts in the database today (a scenario override loaded since it
was opened may change its basis or channel); the new decision is stored and audited. Requests past
draft keep the decision they were drafted on.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from cases.kernel.actor import flow_operator
from cases.kernel.db import unit_of_work
from cases.legal.service import route_drafts
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def route_draft_requests() -> list[str]:
    with unit_of_work() as session:
        return route_drafts(session, flow_operator("route_requests"))


@flow(name="route_requests")
def route_requests() -> dict[str, Any]:
    """Route drafts; returns the ids whose decision was recorded."""
    return {"routed": route_draft_requests()}

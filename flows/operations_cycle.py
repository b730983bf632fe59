"""Flow ``operations_cycle``: the whole cycle on one scenario in one process (``cordon demo``).

Load the scenario, open the demo's legal requests on the highest-scoring open cases and route
the drafts, then send what the outbox holds (to ``CORDON_MAIL_URL``, by default ``.eml`` files
under ``var/mail``).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from cases.audit import verify_chain
from cases.db import read_session, unit_of_work
from cases.legal.demo import open_demo_requests
from cases.scenario import describe_task_force
from flows.dispatch_notifications import dispatch_notifications
from flows.load_scenario import load_scenario
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from flows.route_requests import route_requests
from interdiction.scenario import describe_resources


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def open_requests_on_cases() -> dict[str, Any]:
    """A few realistic MLA and extradition requests on the best open cases (once)."""
    with unit_of_work() as session:
        return open_demo_requests(session)


@task
def summarise() -> dict[str, Any]:
    with read_session() as session:
        chain = verify_chain(session)
        return {
            **describe_task_force(session),
            **describe_resources(session),
            "audit": chain.to_dict(),
        }


@flow(name="operations_cycle")
def operations_cycle(directory: str) -> dict[str, Any]:
    loaded = load_scenario(directory)
    requests = open_requests_on_cases()
    route_requests()
    summary = summarise()
    notifications = dispatch_notifications()
    return {
        "ok": loaded["ok"],
        "load": loaded,
        "requests": requests,
        "summary": summary,
        "notifications": notifications,
    }

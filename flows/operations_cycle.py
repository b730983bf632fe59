"""Flow ``operations_cycle``: the whole cycle on one scenario in one process (``cordon demo``).

Load the scenario, then send what the outbox holds (to ``CORDON_MAIL_URL``, by default ``.eml``
files under ``var/mail``); later issues add ingest → route → plan as further subflows.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from cases.audit import verify_chain
from cases.db import read_session
from cases.scenario import describe_task_force
from flows.dispatch_notifications import dispatch_notifications
from flows.load_scenario import load_scenario
from interdiction.scenario import describe_resources


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
    summary = summarise()
    notifications = dispatch_notifications()
    return {"ok": loaded["ok"], "load": loaded, "summary": summary, "notifications": notifications}

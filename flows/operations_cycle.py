"""Flow ``operations_cycle``: the whole cycle on one scenario in one process (``cordon demo``).

Load the scenario, ingest its ``alerts.jsonl`` (when it has one), open the demo's legal requests
on the highest-scoring open cases and route the drafts, plan three days of joint inspections from
tomorrow and approve the plan (each team lead hears of their shifts), then send what the outbox
holds (to ``CORDON_MAIL_URL``, by default ``.eml`` files under ``var/mail``). Running it again on
the same day changes nothing: the same inputs reuse the stored plan. (The next day it plans from
the new tomorrow, and team leads hear of that plan too.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

from cases.casework.service import list_cases
from cases.kernel.actor import flow_operator
from cases.kernel.audit import verify_chain
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.models import CaseStatus
from cases.legal.demo import open_demo_requests
from cases.scenario.loading import describe_task_force
from flows.dispatch_notifications import dispatch_notifications
from flows.intake import intake
from flows.load_scenario import load_scenario
from flows.plan_inspections import plan_inspections
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from flows.route_requests import route_requests
from interdiction.models import PlanStatus
from interdiction.plans import approve_plan, get_plan
from interdiction.scenario import describe_resources
from interdiction.solve import SolveStatus

CYCLE = flow_operator("operations_cycle")
QUEUE_SHOWN = 15  # the top of the queue in the summary
PLAN_DAYS = 3


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def open_requests_on_cases() -> dict[str, Any]:
    """A few realistic MLA and extradition requests on the best open cases (once)."""
    with unit_of_work() as session:
        return open_demo_requests(session, CYCLE)


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def approve_for_team_leads(plan_id: str) -> str:
    """Approve the demo's plan (once): each team lead is told their shifts."""
    with unit_of_work() as session:
        if get_plan(session, plan_id).status == PlanStatus.PROPOSED:
            approve_plan(session, CYCLE, plan_id=plan_id)  # team leads hear of their shifts
        return str(get_plan(session, plan_id).status)


@task
def summarise() -> dict[str, Any]:
    with read_session() as session:
        chain = verify_chain(session)
        queue = [
            c.model_dump(mode="json") for c in list_cases(session, CYCLE, status=CaseStatus.NEW)
        ]
        return {
            **describe_task_force(session),
            **describe_resources(session),
            "open_cases": len(queue),
            "queue": [
                {**item, "reasons": reasons}
                for item in queue[:QUEUE_SHOWN]
                for reasons in [case_reasons(session, item["id"])]
            ],
            "audit": chain.to_dict(),
        }


def case_reasons(session: Any, case_id: str) -> list[str]:
    """The top indicators of a case's score breakdown: why it was opened."""
    from cases.kernel.models import Case

    case = session.get(Case, case_id)
    return [f"{row['indicator']} {row['weight']:.2f}" for row in case.score_breakdown[:3]]


@flow(name="operations_cycle")
def operations_cycle(directory: str) -> dict[str, Any]:
    loaded = load_scenario(directory)
    alerts = Path(directory) / "alerts.jsonl"
    ingested = intake(str(alerts)) if loaded["ok"] and alerts.is_file() else None
    requests = open_requests_on_cases()
    route_requests()
    plan = plan_inspections(days=PLAN_DAYS, reuse=True) if loaded["ok"] else None
    if plan is not None and plan["status"] in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        plan["plan_status"] = approve_for_team_leads(plan["plan_id"])
    summary = summarise()
    notifications = dispatch_notifications()
    return {
        "ok": loaded["ok"],
        "load": loaded,
        "ingest": ingested,
        "requests": requests,
        "plan": plan,
        "summary": summary,
        "notifications": notifications,
    }

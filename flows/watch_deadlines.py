"""Flow ``watch_deadlines`` (scheduled): reminders before each deadline of a request, an overdue
notice after it, chase reminders where no hard deadline exists — each produced once.

The notices are recorded (``deadline_notices``, audited) in one unit of work; the domain events
(``DeadlineApproaching``, ``DeadlineOverdue``) are handed to the outbox in that same unit of work.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from prefect import flow, task

from cases.kernel.actor import flow_operator
from cases.kernel.columns import today_utc
from cases.kernel.db import unit_of_work
from cases.kernel.events import DeadlineOverdue
from cases.legal.service import parse_day
from cases.legal.watch import record_deadline_notices
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def record_notices(today: date) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        # the notices' events reach the outbox in the same transaction as the notices
        events = record_deadline_notices(session, flow_operator("watch_deadlines"), today)
        return [
            {
                "key": event.key,
                "kind": "overdue" if isinstance(event, DeadlineOverdue) else "approaching",
                **asdict(event),
            }
            for event in events
        ]


@flow(name="watch_deadlines")
def watch_deadlines(now: str | None = None) -> dict[str, Any]:
    """Deadline notices due as of ``now`` (YYYY-MM-DD; default: today, UTC) not produced before."""
    today = parse_day(now, "now") if now else today_utc()
    return {"as_of": today.isoformat(), "notices": record_notices(today)}

"""Reading the quarantine: the lines that failed validation, with their raw text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from cases.intake.models import QuarantinedLine, QuarantineStatus
from cases.kernel.actor import Actor
from cases.kernel.columns import iso
from cases.kernel.permissions import Action, authorize


def quarantine_items(
    session: Session, actor: Actor, *, status: QuarantineStatus | None = QuarantineStatus.OPEN
) -> list[dict[str, Any]]:
    """The quarantined lines (SPEC §10.1: for the operator, analysts and auditors)."""
    authorize(actor, Action.QUARANTINE_LIST)
    query = select(QuarantinedLine).order_by(col(QuarantinedLine.id))
    if status is not None:
        query = query.where(col(QuarantinedLine.status) == status.value)
    return [quarantine_item(q) for q in session.execute(query).scalars()]


def quarantine_item(q: QuarantinedLine) -> dict[str, Any]:
    return {
        "id": q.id,
        "origin": q.origin,
        "line": q.line_no,
        "reason": q.reason,
        "status": str(q.status),
        "received_at": iso(q.received_at),
        "replayed_at": iso(q.replayed_at),
        "raw_text": q.raw_text,
    }

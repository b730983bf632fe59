"""What the caller may look into (SPEC §10, §13): their notifications, the audit log, the
quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from cases.casework.service import audit_events
from cases.intake.models import QuarantineStatus
from cases.intake.public import QuarantinedItem
from cases.intake.quarantine import quarantine_items
from cases.kernel.audit import event_to_dict, verify
from cordon.api.doors import Reading
from notifications.dispatcher import list_messages, message_to_dict
from notifications.models import OutboxStatus

router = APIRouter()


@router.get("/notifications", tags=["notifications"], summary="The caller's own messages")
def notifications(
    door: Reading,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    messages = list_messages(door.session, door.actor, status=status, limit=limit)
    return [message_to_dict(m) for m in messages]


@router.get("/audit/verify", tags=["audit"], summary="Recompute the hash chain (auditors)")
def audit_verify(door: Reading) -> dict[str, Any]:
    return verify(door.session, door.actor).to_dict()


@router.get("/audit/events", tags=["audit"], summary="Audit events the caller may read")
def audit_log(
    door: Reading,
    case_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    events = audit_events(door.session, door.actor, case_id=case_id, limit=limit)
    return [event_to_dict(e) for e in events]


@router.get("/quarantine", tags=["quarantine"], summary="Quarantined alert lines")
def quarantine(
    door: Reading,
    all: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[QuarantinedItem]:
    status = None if all else QuarantineStatus.OPEN
    items = quarantine_items(door.session, door.actor, status=status)[offset : offset + limit]
    return [QuarantinedItem.model_validate(q) for q in items]

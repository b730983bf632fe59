"""Evidence a request asks for, in the store: requested → received → admitted | rejected, each step
a chain-of-custody entry (who, when, where, SHA-256 of the file) checked by the pure core
(`cases.legal.evidence`) and audited in the caller's unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from cases.kernel import audit
from cases.kernel.actor import Actor, Operator
from cases.kernel.columns import utcnow
from cases.kernel.errors import Conflict, Invalid, NotFound
from cases.kernel.permissions import Action
from cases.legal import evidence as core
from cases.legal.errors import EvidenceError
from cases.legal.models import CustodyEntry, EvidenceItem, EvidenceStatus
from cases.legal.requests import is_final
from cases.legal.service import request_for
from cases.legal.views import evidence_view


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (evidence files may be large)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise EvidenceError(
            f"cannot read {str(path)!r} to hash it: {error.strerror or error}"
        ) from None


def _audit(
    session: Session, item: EvidenceItem, action: str, actor: Actor, after: dict[str, Any]
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="evidence_item",
        entity_id=str(item.id),
        actor=actor.label,
        case_id=item.case_id,
        after={"request_id": item.request_id, **after},
    )


def add_evidence(
    session: Session, actor: Actor, *, request_id: str, description: str
) -> dict[str, Any]:
    """A new item the request asks for (status `requested`): the requesting side's step."""
    request = request_for(session, actor, Action.REQUEST_REQUESTING_STEP, request_id)
    if is_final(request):
        raise Conflict(f"request {request.id} is {request.status}: it asks for nothing more")
    item = EvidenceItem(
        case_id=request.case_id, request_id=request.id, description=core.described(description)
    )
    session.add(item)
    session.flush()
    _audit(
        session,
        item,
        "evidence.requested",
        actor,
        {"status": item.status, "description": item.description},
    )
    return evidence_view(item, [])


def _item(
    session: Session, actor: Actor, evidence_id: int
) -> tuple[EvidenceItem, list[CustodyEntry]]:
    """The item and its chain, when the actor may record custody on its request."""
    item = session.get(EvidenceItem, evidence_id, with_for_update=True)
    if item is None or item.request_id is None:
        if isinstance(actor, Operator):
            raise NotFound(f"no evidence item {evidence_id} of a request", entity="evidence item")
        request_id = f"(evidence item {evidence_id})"
    else:
        request_id = item.request_id
    request_for(session, actor, Action.EVIDENCE_CUSTODY, request_id)
    assert item is not None
    chain = session.exec(
        select(CustodyEntry)
        .where(col(CustodyEntry.evidence_id) == evidence_id)
        .order_by(col(CustodyEntry.id))
    ).all()
    return item, list(chain)


_MOVES: dict[
    core.CustodyAction, Callable[[EvidenceItem, list[CustodyEntry], CustodyEntry], Any]
] = {
    core.CustodyAction.RECEIVED: core.receive,
    core.CustodyAction.TRANSFERRED: core.add_custody,
    core.CustodyAction.EXAMINED: core.add_custody,
    core.CustodyAction.STORED: core.add_custody,
    core.CustodyAction.ADMITTED: core.admit,
}


def record_custody(
    session: Session,
    actor: Actor,
    *,
    evidence_id: int,
    action: str,
    who: str,
    when: datetime,
    where: str,
    sha256: str | None = None,
    note: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """One chain-of-custody step: `received` (requested → received), `transferred`, `examined`
    or `stored` while held, `admitted` or `rejected` (with `reason`) by the court — recorded by a
    contact of the requesting or requested state; `who` is the custodian."""
    try:
        chosen = core.CustodyAction(action)
    except ValueError:
        allowed = ", ".join(a.value for a in core.CustodyAction)
        raise Invalid(f"custody action {action!r}: use one of {allowed}") from None
    item, chain = _item(session, actor, evidence_id)
    stored = CustodyEntry(
        evidence_id=evidence_id,
        actor=who.strip(),
        at=when,
        location=where.strip(),
        action=chosen.value,
        sha256=sha256,
        note=note,
    )
    # the core refuses illegal moves and incomplete or inconsistent chains
    if chosen is core.CustodyAction.REJECTED:
        status = core.reject(item, chain, stored, reason)
    else:
        status = _MOVES[chosen](item, chain, stored)
    session.add(stored)
    before = item.status
    item.status = status
    if status is EvidenceStatus.REJECTED:
        item.rejection_reason = reason.strip()
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    _audit(
        session,
        item,
        f"evidence.{chosen.value}",
        actor,
        {
            "from": before,
            "status": item.status,
            "who": stored.actor,
            "when": stored.at,
            "where": stored.location,
            "sha256": stored.sha256,
            "note": stored.note or None,
            "rejection_reason": item.rejection_reason or None,
        },
    )
    return evidence_view(item, [*chain, stored])

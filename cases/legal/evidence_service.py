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
from cases.kernel.audit import SYSTEM_ACTOR
from cases.kernel.columns import utcnow
from cases.kernel.errors import CordonError
from cases.legal import evidence as core
from cases.legal.errors import EvidenceError
from cases.legal.models import CustodyEntry, EvidenceItem, EvidenceStatus
from cases.legal.service import acting_contact
from cases.legal.store import get_request, is_final
from cases.legal.views import core_custody, evidence_view


class EvidenceNotFound(CordonError):
    pass


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
    session: Session, item: EvidenceItem, action: str, actor: str, after: dict[str, Any]
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="evidence_item",
        entity_id=str(item.id),
        actor=actor,
        case_id=item.case_id,
        after={"request_id": item.request_id, **after},
    )


def add_evidence(
    session: Session, request_id: str, description: str, *, by: str | None = None
) -> dict[str, Any]:
    """A new item the request asks for (status `requested`), added by a contact who may see the
    request (or the operator)."""
    viewer = acting_contact(session, by)
    request = get_request(session, request_id, viewer)
    if is_final(request):
        raise EvidenceError(f"request {request.id} is {request.status}: it asks for nothing more")
    checked = core.request_evidence("new", request.id, description)  # describes what is asked
    item = EvidenceItem(
        case_id=request.case_id, request_id=request.id, description=checked.description
    )
    session.add(item)
    session.flush()
    _audit(
        session,
        item,
        "evidence.requested",
        viewer.email or SYSTEM_ACTOR,
        {"status": item.status, "description": item.description},
    )
    return evidence_view(item, [])


def _item(session: Session, evidence_id: int) -> tuple[EvidenceItem, list[CustodyEntry]]:
    item = session.get(EvidenceItem, evidence_id, with_for_update=True)
    if item is None or item.request_id is None:
        raise EvidenceNotFound(
            f"no evidence item {evidence_id} of a request: `cordon requests show ID` lists them"
        )
    chain = session.exec(
        select(CustodyEntry)
        .where(col(CustodyEntry.evidence_id) == evidence_id)
        .order_by(col(CustodyEntry.id))
    ).all()
    return item, list(chain)


_MOVES: dict[core.CustodyAction, Callable[[core.EvidenceItem, core.CustodyEntry], Any]] = {
    core.CustodyAction.RECEIVED: core.receive,
    core.CustodyAction.TRANSFERRED: core.add_custody,
    core.CustodyAction.EXAMINED: core.add_custody,
    core.CustodyAction.STORED: core.add_custody,
    core.CustodyAction.ADMITTED: core.admit,
}


def record_custody(
    session: Session,
    evidence_id: int,
    action: str,
    *,
    who: str,
    when: datetime,
    where: str,
    sha256: str | None = None,
    note: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """One chain-of-custody step: `received` (requested → received), `transferred`, `examined`
    or `stored` while held, `admitted` or `rejected` (with `reason`) by the court."""
    try:
        chosen = core.CustodyAction(action)
    except ValueError:
        allowed = ", ".join(a.value for a in core.CustodyAction)
        raise EvidenceError(f"custody action {action!r}: use one of {allowed}") from None
    item, chain = _item(session, evidence_id)
    current = core.EvidenceItem(
        item_id=str(item.id),
        request_id=str(item.request_id),
        description=item.description,
        status=core.EvidenceStatus(item.status),
        custody=tuple(core_custody(e) for e in chain),
    )
    entry = core.CustodyEntry(
        who=who.strip(), when=when, where=where.strip(), action=chosen, sha256=sha256, note=note
    )
    # the core refuses illegal moves and incomplete or inconsistent chains
    if chosen is core.CustodyAction.REJECTED:
        moved = core.reject(current, entry, reason)
    else:
        moved = _MOVES[chosen](current, entry)
    stored = CustodyEntry(
        evidence_id=evidence_id,
        actor=entry.who,
        at=entry.when,
        location=entry.where,
        action=entry.action.value,
        sha256=entry.sha256,
        note=entry.note,
    )
    session.add(stored)
    before = item.status
    item.status = EvidenceStatus(moved.status.value)
    item.rejection_reason = moved.rejection_reason
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    _audit(
        session,
        item,
        f"evidence.{chosen.value}",
        entry.who or SYSTEM_ACTOR,
        {
            "from": before,
            "status": item.status,
            "who": entry.who,
            "when": entry.when,
            "where": entry.where,
            "sha256": entry.sha256,
            "note": entry.note or None,
            "rejection_reason": item.rejection_reason or None,
        },
    )
    return evidence_view(item, [*chain, stored])

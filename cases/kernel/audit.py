"""The append-only, hash-chained audit log (SPEC §10).

Each event's hash is ``sha256(prev_hash + canonical_json(event))``; the first event chains to
``GENESIS``. Altering, deleting or reordering any event breaks every later link, and
``verify_chain`` names the first broken one. Events are written in the same transaction as the
change they describe. Writers are serialised: SQLite units of work start with ``BEGIN IMMEDIATE``,
PostgreSQL takes a transaction-level advisory lock before reading the head of the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, col, select

from cases.kernel.actor import Actor
from cases.kernel.models import AuditEvent
from cases.kernel.permissions import Action, authorize

GENESIS = "0" * 64
_HEAD_KEY = "cordon_audit_head"
_PG_CHAIN_LOCK = 7261002


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot put {type(value).__name__} into the audit log")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: one text per value, so one hash."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def event_body(ev: AuditEvent) -> dict[str, Any]:
    """What is hashed: every column but the hashes themselves."""
    return {
        "seq": ev.seq,
        "at": ev.at,
        "actor": ev.actor,
        "action": ev.action,
        "entity_type": ev.entity_type,
        "entity_id": ev.entity_id,
        "case_id": ev.case_id,
        "before": ev.before,
        "after": ev.after,
    }


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    cached = session.info.get(_HEAD_KEY)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_HEAD_KEY, None)


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    actor: str,
    case_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the session's transaction; ``actor`` is the acting
    ``Actor``'s label (an e-mail address, ``operator``, ``source:NAME``)."""
    seq, prev_hash = _head(session)
    ev = AuditEvent(
        seq=seq + 1,
        at=_plain(datetime.now(UTC)),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        case_id=case_id,
        # stored exactly as hashed: JSON round trip of the canonical text
        before=None if before is None else json.loads(canonical_json(before)),
        after=None if after is None else json.loads(canonical_json(after)),
        prev_hash=prev_hash,
        hash="",
    )
    ev.hash = chain_hash(prev_hash, event_body(ev))
    session.add(ev)
    session.info[_HEAD_KEY] = (ev.seq, ev.hash)
    return ev


def record_many(session: Session, entries: Sequence[Mapping[str, Any]]) -> int:
    """Append several events at once (one INSERT for all), chained exactly as ``record`` does.

    Each entry holds ``record``'s keyword arguments (``actor`` included). For writers that make
    many changes in one transaction, e.g. intake opening hundreds of cases.
    """
    if not entries:
        return 0
    seq, prev_hash = _head(session)
    at = _plain(datetime.now(UTC))
    rows = []
    for entry in entries:
        before, after = entry.get("before"), entry.get("after")
        seq += 1
        body = {
            "seq": seq,
            "at": at,
            "actor": entry["actor"],
            "action": entry["action"],
            "entity_type": entry["entity_type"],
            "entity_id": entry["entity_id"],
            "case_id": entry.get("case_id"),
            "before": None if before is None else json.loads(canonical_json(before)),
            "after": None if after is None else json.loads(canonical_json(after)),
        }
        digest = chain_hash(prev_hash, body)
        rows.append({**body, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    session.flush()  # events added one by one before these go first
    from cases.kernel.db import bulk_insert

    bulk_insert(session, AuditEvent.__table__, rows)  # type: ignore[attr-defined]
    session.info[_HEAD_KEY] = (seq, prev_hash)
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head: str
    first_broken: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": self.head,
            "first_broken": self.first_broken,
            "reason": self.reason,
        }


def _events_in_order(session: Session, batch: int = 2000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.seq > after)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


def verify_chain(session: Session) -> ChainReport:
    """Recompute every link; name the first event whose link is broken and say how."""
    prev_seq, prev_hash, count = 0, GENESIS, 0
    for ev in _events_in_order(session):
        count += 1
        label = f"event {ev.seq} ({ev.action} {ev.entity_type} {ev.entity_id})"
        if ev.seq != prev_seq + 1:
            reason = f"events {prev_seq + 1}..{ev.seq - 1} are missing before {label}"
            return ChainReport(False, count, prev_hash, prev_seq + 1, reason)
        if ev.prev_hash != prev_hash:
            reason = f"{label} does not chain to the event before it"
            return ChainReport(False, count, prev_hash, ev.seq, reason)
        if chain_hash(prev_hash, event_body(ev)) != ev.hash:
            reason = f"{label} was altered: its contents no longer match its hash"
            return ChainReport(False, count, prev_hash, ev.seq, reason)
        prev_seq, prev_hash = ev.seq, ev.hash
    return ChainReport(True, count, prev_hash)


def history(
    session: Session,
    *,
    case_id: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Events in chain order, filtered by case or entity; the newest ``limit`` when given."""
    query = select(AuditEvent)
    if case_id is not None:
        query = query.where(AuditEvent.case_id == case_id)
    if entity_type is not None:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if limit is not None:
        rows = session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit)).all()
        return list(reversed(rows))
    return list(session.exec(query.order_by(col(AuditEvent.seq))).all())


def event_to_dict(ev: AuditEvent) -> dict[str, Any]:
    return {**event_body(ev), "prev_hash": ev.prev_hash, "hash": ev.hash}


# --- reading the log, as an actor ------------------------------------------------------------


def verify(session: Session, actor: Actor) -> ChainReport:
    """SPEC §10: recompute the chain — for auditors and the operator."""
    authorize(actor, Action.AUDIT_VERIFY)
    return verify_chain(session)

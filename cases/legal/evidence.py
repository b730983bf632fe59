"""Evidence a request asks for, tracked item by item with its chain of custody (SPEC §6).

An item moves `requested → received → admitted | rejected`. Every hand-over after receipt is a
chain-of-custody entry: who, when, where, what was done, and the SHA-256 of the file if there
is one.
All functions are pure: they return a new item or raise `IllegalTransition` / `EvidenceError`
with one line saying what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from cases.legal.errors import EvidenceError, IllegalTransition

_SHA256 = re.compile(r"[0-9a-f]{64}")


class EvidenceStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    ADMITTED = "admitted"
    REJECTED = "rejected"


EVIDENCE_TRANSITIONS: dict[EvidenceStatus, frozenset[EvidenceStatus]] = {
    EvidenceStatus.REQUESTED: frozenset({EvidenceStatus.RECEIVED}),
    EvidenceStatus.RECEIVED: frozenset({EvidenceStatus.ADMITTED, EvidenceStatus.REJECTED}),
    EvidenceStatus.ADMITTED: frozenset(),
    EvidenceStatus.REJECTED: frozenset(),
}


class CustodyAction(StrEnum):
    RECEIVED = "received"  # from the executing authority
    TRANSFERRED = "transferred"  # handed to another custodian
    EXAMINED = "examined"  # laboratory, forensic examination
    STORED = "stored"
    ADMITTED = "admitted"  # by the court
    REJECTED = "rejected"


@dataclass(frozen=True)
class CustodyEntry:
    who: str
    when: datetime  # timezone-aware
    where: str
    action: CustodyAction
    sha256: str | None = None  # of the file, when the item is or has a file
    note: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    item_id: str
    request_id: str
    description: str
    status: EvidenceStatus = EvidenceStatus.REQUESTED
    custody: tuple[CustodyEntry, ...] = ()
    rejection_reason: str = ""


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as recorded in custody entries."""
    return hashlib.sha256(data).hexdigest()


def request_evidence(item_id: str, request_id: str, description: str) -> EvidenceItem:
    """A new item the request asks for."""
    if not description.strip():
        raise EvidenceError(f"evidence item {item_id}: describe what is requested")
    return EvidenceItem(item_id=item_id, request_id=request_id, description=description.strip())


def entry_problems(entry: CustodyEntry) -> list[str]:
    """What is missing or malformed in one custody entry (empty when it is complete)."""
    problems = []
    if not entry.who.strip():
        problems.append("who is empty")
    if not entry.where.strip():
        problems.append("where is empty")
    if entry.when.tzinfo is None or entry.when.utcoffset() is None:
        problems.append("when has no time zone")
    if entry.sha256 is not None and not _SHA256.fullmatch(entry.sha256):
        problems.append("sha256 is not 64 lowercase hexadecimal digits")
    return problems


def custody_problems(entries: tuple[CustodyEntry, ...]) -> list[str]:
    """Every gap in a chain of custody: incomplete entries, entries out of time order, and a file
    hash that changes along the chain (the file was altered or swapped)."""
    problems: list[str] = []
    first_hash: str | None = None
    previous: datetime | None = None
    for number, entry in enumerate(entries, start=1):
        problems.extend(f"entry {number}: {p}" for p in entry_problems(entry))
        aware = entry.when.tzinfo is not None and entry.when.utcoffset() is not None
        if aware and previous is not None and entry.when < previous:
            problems.append(f"entry {number}: earlier than entry {number - 1}")
        if aware:
            previous = entry.when
        if entry.sha256 is not None and _SHA256.fullmatch(entry.sha256):
            if first_hash is None:
                first_hash = entry.sha256
            elif entry.sha256 != first_hash:
                problems.append(f"entry {number}: sha256 differs from the hash first recorded")
    return problems


def _append(item: EvidenceItem, entry: CustodyEntry) -> tuple[CustodyEntry, ...]:
    chain = (*item.custody, entry)
    problems = custody_problems(chain)
    if problems:
        raise EvidenceError(f"evidence item {item.item_id}: {'; '.join(problems)}")
    return chain


def _move(item: EvidenceItem, target: EvidenceStatus) -> None:
    if target not in EVIDENCE_TRANSITIONS[item.status]:
        allowed = ", ".join(sorted(t.value for t in EVIDENCE_TRANSITIONS[item.status]))
        raise IllegalTransition(
            f"evidence item {item.item_id} is {item.status.value}: cannot move to {target.value}"
            f" (allowed: {allowed or 'none, it is final'})"
        )


def receive(item: EvidenceItem, entry: CustodyEntry) -> EvidenceItem:
    """The item arrived: the first custody entry records who received it, when and where."""
    _move(item, EvidenceStatus.RECEIVED)
    if entry.action != CustodyAction.RECEIVED:
        raise EvidenceError(f"evidence item {item.item_id}: the first entry must be 'received'")
    return replace(item, status=EvidenceStatus.RECEIVED, custody=_append(item, entry))


def add_custody(item: EvidenceItem, entry: CustodyEntry) -> EvidenceItem:
    """A hand-over, examination or storage while the item is held."""
    if item.status is EvidenceStatus.REQUESTED:
        raise EvidenceError(f"evidence item {item.item_id} has not been received yet")
    if entry.action in (CustodyAction.ADMITTED, CustodyAction.REJECTED, CustodyAction.RECEIVED):
        raise EvidenceError(
            f"evidence item {item.item_id}: use receive/admit/reject for {entry.action}"
        )
    return replace(item, custody=_append(item, entry))


def admit(item: EvidenceItem, entry: CustodyEntry) -> EvidenceItem:
    """The court admitted the item; the chain of custody must be complete."""
    _move(item, EvidenceStatus.ADMITTED)
    if entry.action != CustodyAction.ADMITTED:
        raise EvidenceError(f"evidence item {item.item_id}: the entry must be 'admitted'")
    return replace(item, status=EvidenceStatus.ADMITTED, custody=_append(item, entry))


def reject(item: EvidenceItem, entry: CustodyEntry, reason: str) -> EvidenceItem:
    """The item was rejected (inadmissible, wrong item, broken chain …), with the reason."""
    _move(item, EvidenceStatus.REJECTED)
    if not reason.strip():
        raise EvidenceError(f"evidence item {item.item_id}: a rejection needs a reason")
    if entry.action != CustodyAction.REJECTED:
        raise EvidenceError(f"evidence item {item.item_id}: the entry must be 'rejected'")
    return replace(
        item,
        status=EvidenceStatus.REJECTED,
        custody=_append(item, entry),
        rejection_reason=reason.strip(),
    )

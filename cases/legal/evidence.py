"""Evidence a request asks for, tracked item by item with its chain of custody (SPEC §6).

An item moves `requested → received → admitted | rejected`. Every hand-over after receipt is a
chain-of-custody entry: who, when, where, what was done, and the SHA-256 of the file if there
is one. The rules are pure functions over the stored `EvidenceItem` and its `CustodyEntry` rows
(no session needed): each checks one step and returns the item's status after it, or raises
`IllegalTransition` / `EvidenceError` with one line saying what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from cases.legal.errors import EvidenceError, IllegalTransition
from cases.legal.models import CustodyEntry, EvidenceItem, EvidenceStatus

_SHA256 = re.compile(r"[0-9a-f]{64}")

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


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as recorded in custody entries."""
    return hashlib.sha256(data).hexdigest()


def described(description: str) -> str:
    """What a new item asks for, trimmed; an empty description is refused."""
    if not description.strip():
        raise EvidenceError("an evidence item needs a description of what is requested")
    return description.strip()


def entry_problems(entry: CustodyEntry) -> list[str]:
    """What is missing or malformed in one custody entry (empty when it is complete)."""
    problems = []
    if not entry.actor.strip():
        problems.append("who is empty")
    if not entry.location.strip():
        problems.append("where is empty")
    if entry.at.tzinfo is None or entry.at.utcoffset() is None:
        problems.append("when has no time zone")
    if entry.sha256 is not None and not _SHA256.fullmatch(entry.sha256):
        problems.append("sha256 is not 64 lowercase hexadecimal digits")
    return problems


def custody_problems(entries: Sequence[CustodyEntry]) -> list[str]:
    """Every gap in a chain of custody: incomplete entries, entries out of time order, and a file
    hash that changes along the chain (the file was altered or swapped)."""
    problems: list[str] = []
    first_hash: str | None = None
    previous: datetime | None = None
    for number, entry in enumerate(entries, start=1):
        problems.extend(f"entry {number}: {p}" for p in entry_problems(entry))
        aware = entry.at.tzinfo is not None and entry.at.utcoffset() is not None
        if aware and previous is not None and entry.at < previous:
            problems.append(f"entry {number}: earlier than entry {number - 1}")
        if aware:
            previous = entry.at
        if entry.sha256 is not None and _SHA256.fullmatch(entry.sha256):
            if first_hash is None:
                first_hash = entry.sha256
            elif entry.sha256 != first_hash:
                problems.append(f"entry {number}: sha256 differs from the hash first recorded")
    return problems


def _append(item: EvidenceItem, chain: Sequence[CustodyEntry], entry: CustodyEntry) -> None:
    problems = custody_problems([*chain, entry])
    if problems:
        raise EvidenceError(f"evidence item {item.id}: {'; '.join(problems)}")


def _move(item: EvidenceItem, target: EvidenceStatus) -> None:
    current = EvidenceStatus(item.status)
    if target not in EVIDENCE_TRANSITIONS[current]:
        allowed = ", ".join(sorted(t.value for t in EVIDENCE_TRANSITIONS[current]))
        raise IllegalTransition(
            f"evidence item {item.id} is {current.value}: cannot move to {target.value}"
            f" (allowed: {allowed or 'none, it is final'})"
        )


def receive(
    item: EvidenceItem, chain: Sequence[CustodyEntry], entry: CustodyEntry
) -> EvidenceStatus:
    """The item arrived: the first custody entry records who received it, when and where."""
    _move(item, EvidenceStatus.RECEIVED)
    if entry.action != CustodyAction.RECEIVED:
        raise EvidenceError(f"evidence item {item.id}: the first entry must be 'received'")
    _append(item, chain, entry)
    return EvidenceStatus.RECEIVED


def add_custody(
    item: EvidenceItem, chain: Sequence[CustodyEntry], entry: CustodyEntry
) -> EvidenceStatus:
    """A hand-over, examination or storage while the item is held."""
    if item.status == EvidenceStatus.REQUESTED:
        raise EvidenceError(f"evidence item {item.id} has not been received yet")
    if entry.action in (CustodyAction.ADMITTED, CustodyAction.REJECTED, CustodyAction.RECEIVED):
        raise EvidenceError(f"evidence item {item.id}: use receive/admit/reject for {entry.action}")
    _append(item, chain, entry)
    return EvidenceStatus(item.status)


def admit(item: EvidenceItem, chain: Sequence[CustodyEntry], entry: CustodyEntry) -> EvidenceStatus:
    """The court admitted the item; the chain of custody must be complete."""
    _move(item, EvidenceStatus.ADMITTED)
    if entry.action != CustodyAction.ADMITTED:
        raise EvidenceError(f"evidence item {item.id}: the entry must be 'admitted'")
    _append(item, chain, entry)
    return EvidenceStatus.ADMITTED


def reject(
    item: EvidenceItem, chain: Sequence[CustodyEntry], entry: CustodyEntry, reason: str
) -> EvidenceStatus:
    """The item was rejected (inadmissible, wrong item, broken chain …), with the reason."""
    _move(item, EvidenceStatus.REJECTED)
    if not reason.strip():
        raise EvidenceError(f"evidence item {item.id}: a rejection needs a reason")
    if entry.action != CustodyAction.REJECTED:
        raise EvidenceError(f"evidence item {item.id}: the entry must be 'rejected'")
    _append(item, chain, entry)
    return EvidenceStatus.REJECTED

"""Evidence items and their chain of custody: the pure rules over the stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cases.legal.errors import EvidenceError, IllegalTransition
from cases.legal.evidence import (
    CustodyAction,
    add_custody,
    admit,
    custody_problems,
    described,
    receive,
    reject,
    sha256_hex,
)
from cases.legal.models import CustodyEntry, EvidenceItem, EvidenceStatus

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
FILE = b"%PDF-1.7 purchase records, Zastava M70 serial M70-123456"
HASH = sha256_hex(FILE)


def entry(action, minutes=0, sha256=HASH, who="Insp. Weber", where="LKA Stuttgart"):
    return CustodyEntry(
        evidence_id=1,
        actor=who,
        at=T0 + timedelta(minutes=minutes),
        location=where,
        action=str(action),
        sha256=sha256,
    )


def item(description="Ledger"):
    return EvidenceItem(
        id=1, case_id="CASE-2026-000001", request_id="REQ-1", description=described(description)
    )


class Held:
    """An item and its chain as the store keeps them; ``step`` applies one rule and records it."""

    def __init__(self, description="Ledger"):
        self.item, self.chain = item(description), []

    def step(self, rule, custody, *reason):
        self.item.status = rule(self.item, self.chain, custody, *reason)
        self.chain.append(custody)
        return self


def test_sha256_of_a_file():
    # FIPS 180-2 test vector for "abc".
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"abc") == expected
    assert sha256_hex(FILE + b" ") != HASH


def test_requested_received_admitted_with_custody():
    held = Held("Bank statements of Balkan Trade d.o.o.")
    assert held.item.status == EvidenceStatus.REQUESTED and held.chain == []
    held.step(receive, entry(CustodyAction.RECEIVED))
    held.step(add_custody, entry(CustodyAction.TRANSFERRED, 30, who="Dr. Horn", where="Lab 2"))
    held.step(add_custody, entry(CustodyAction.EXAMINED, 90, who="Dr. Horn", where="Lab 2"))
    held.step(admit, entry(CustodyAction.ADMITTED, 600, sha256=None, where="LG Stuttgart"))
    assert held.item.status is EvidenceStatus.ADMITTED
    assert [e.action for e in held.chain] == ["received", "transferred", "examined", "admitted"]
    assert custody_problems(held.chain) == []


def test_rejection_needs_a_reason():
    held = Held("Witness statement").step(receive, entry("received"))
    with pytest.raises(EvidenceError, match="needs a reason"):
        reject(held.item, held.chain, entry(CustodyAction.REJECTED, 10, sha256=None), " ")
    status = reject(held.item, held.chain, entry(CustodyAction.REJECTED, 10, sha256=None), "copy")
    assert status is EvidenceStatus.REJECTED


@pytest.mark.parametrize(
    ("steps", "target"),
    [
        ([], "admit"),  # not yet received
        ([], "reject"),
        (["receive", "admit"], "receive"),  # admitted is final
        (["receive", "admit"], "reject"),
        (["receive"], "receive"),
    ],
)
def test_illegal_evidence_transitions_are_refused(steps, target):
    held = Held("Seized rifle")
    actions = {
        "receive": lambda m: (receive, entry(CustodyAction.RECEIVED, m)),
        "admit": lambda m: (admit, entry(CustodyAction.ADMITTED, m)),
        "reject": lambda m: (reject, entry(CustodyAction.REJECTED, m), "reason"),
    }
    for minute, step in enumerate(steps):
        held.step(*actions[step](minute))
    rule, custody, *reason = actions[target](99)
    with pytest.raises(IllegalTransition, match=f"is {held.item.status}: cannot move"):
        rule(held.item, held.chain, custody, *reason)


def test_a_changed_file_hash_breaks_the_chain():
    held = Held("Phone image").step(receive, entry("received"))
    with pytest.raises(EvidenceError, match="sha256 differs"):
        add_custody(
            held.item, held.chain, entry(CustodyAction.TRANSFERRED, 5, sha256=sha256_hex(b"x"))
        )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (entry("received", who=""), "who is empty"),
        (entry("received", where=" "), "where is empty"),
        (
            CustodyEntry(
                evidence_id=1,
                actor="A",
                at=T0.replace(tzinfo=None),
                location="Lab",
                action="received",
            ),
            "time zone",
        ),
        (entry("received", sha256="abc"), "64 lowercase"),
    ],
)
def test_incomplete_custody_entries_are_refused(bad, message):
    with pytest.raises(EvidenceError, match=message):
        receive(item(), [], bad)


def test_entries_must_be_in_time_order():
    held = Held().step(receive, entry("received", 60))
    with pytest.raises(EvidenceError, match="earlier than entry 1"):
        add_custody(held.item, held.chain, entry(CustodyAction.STORED, 0))


def test_custody_actions_go_through_their_own_function():
    held = Held()
    with pytest.raises(EvidenceError, match="not been received"):
        add_custody(held.item, held.chain, entry(CustodyAction.STORED))
    held.step(receive, entry("received"))
    with pytest.raises(EvidenceError, match="use receive/admit/reject"):
        add_custody(held.item, held.chain, entry(CustodyAction.ADMITTED, 5))
    with pytest.raises(EvidenceError, match="first entry must be 'received'"):
        receive(item(), [], entry(CustodyAction.STORED))
    with pytest.raises(EvidenceError, match="description of what is requested"):
        described("  ")

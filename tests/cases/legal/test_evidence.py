"""Evidence items and their chain of custody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cases.legal.errors import EvidenceError, IllegalTransition
from cases.legal.evidence import (
    CustodyAction,
    CustodyEntry,
    EvidenceStatus,
    add_custody,
    admit,
    custody_problems,
    receive,
    reject,
    request_evidence,
    sha256_hex,
)

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
FILE = b"%PDF-1.7 purchase records, Zastava M70 serial M70-123456"
HASH = sha256_hex(FILE)


def entry(action, minutes=0, sha256=HASH, who="Insp. Weber", where="LKA Stuttgart"):
    return CustodyEntry(
        who=who, when=T0 + timedelta(minutes=minutes), where=where, action=action, sha256=sha256
    )


def test_sha256_of_a_file():
    # FIPS 180-2 test vector for "abc".
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"abc") == expected
    assert sha256_hex(FILE + b" ") != HASH


def test_requested_received_admitted_with_custody():
    item = request_evidence("EV-1", "REQ-2026-000042", "Bank statements of Balkan Trade d.o.o.")
    assert item.status is EvidenceStatus.REQUESTED and item.custody == ()
    item = receive(item, entry(CustodyAction.RECEIVED))
    item = add_custody(item, entry(CustodyAction.TRANSFERRED, 30, who="Dr. Horn", where="Lab 2"))
    item = add_custody(item, entry(CustodyAction.EXAMINED, 90, who="Dr. Horn", where="Lab 2"))
    item = admit(item, entry(CustodyAction.ADMITTED, 600, sha256=None, where="LG Stuttgart"))
    assert item.status is EvidenceStatus.ADMITTED
    assert [e.action for e in item.custody] == [
        CustodyAction.RECEIVED,
        CustodyAction.TRANSFERRED,
        CustodyAction.EXAMINED,
        CustodyAction.ADMITTED,
    ]
    assert custody_problems(item.custody) == []


def test_rejection_needs_a_reason():
    item = receive(request_evidence("EV-2", "REQ-1", "Witness statement"), entry("received"))
    with pytest.raises(EvidenceError, match="needs a reason"):
        reject(item, entry(CustodyAction.REJECTED, 10, sha256=None), " ")
    rejected = reject(item, entry(CustodyAction.REJECTED, 10, sha256=None), "unsigned copy")
    assert rejected.status is EvidenceStatus.REJECTED
    assert rejected.rejection_reason == "unsigned copy"


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
    item = request_evidence("EV-3", "REQ-1", "Seized rifle")
    actions = {
        "receive": lambda i, m: receive(i, entry(CustodyAction.RECEIVED, m)),
        "admit": lambda i, m: admit(i, entry(CustodyAction.ADMITTED, m)),
        "reject": lambda i, m: reject(i, entry(CustodyAction.REJECTED, m), "reason"),
    }
    for minute, step in enumerate(steps):
        item = actions[step](item, minute)
    with pytest.raises(IllegalTransition, match=f"is {item.status.value}: cannot move"):
        actions[target](item, 99)


def test_a_changed_file_hash_breaks_the_chain():
    item = receive(request_evidence("EV-4", "REQ-1", "Phone image"), entry("received"))
    with pytest.raises(EvidenceError, match="sha256 differs"):
        add_custody(item, entry(CustodyAction.TRANSFERRED, 5, sha256=sha256_hex(b"other")))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (CustodyEntry("", T0, "Lab", CustodyAction.RECEIVED), "who is empty"),
        (CustodyEntry("A", T0, " ", CustodyAction.RECEIVED), "where is empty"),
        (CustodyEntry("A", T0.replace(tzinfo=None), "Lab", CustodyAction.RECEIVED), "time zone"),
        (CustodyEntry("A", T0, "Lab", CustodyAction.RECEIVED, sha256="abc"), "64 lowercase"),
    ],
)
def test_incomplete_custody_entries_are_refused(bad, message):
    with pytest.raises(EvidenceError, match=message):
        receive(request_evidence("EV-5", "REQ-1", "Ledger"), bad)


def test_entries_must_be_in_time_order():
    item = receive(request_evidence("EV-6", "REQ-1", "Ledger"), entry("received", 60))
    with pytest.raises(EvidenceError, match="earlier than entry 1"):
        add_custody(item, entry(CustodyAction.STORED, 0))


def test_custody_actions_go_through_their_own_function():
    item = request_evidence("EV-7", "REQ-1", "Ledger")
    with pytest.raises(EvidenceError, match="not been received"):
        add_custody(item, entry(CustodyAction.STORED))
    item = receive(item, entry("received"))
    with pytest.raises(EvidenceError, match="use receive/admit/reject"):
        add_custody(item, entry(CustodyAction.ADMITTED, 5))
    with pytest.raises(EvidenceError, match="first entry must be 'received'"):
        receive(request_evidence("EV-8", "REQ-1", "Ledger"), entry(CustodyAction.STORED))
    with pytest.raises(EvidenceError, match="describe what is requested"):
        request_evidence("EV-9", "REQ-1", "  ")

"""The audit log is a hash chain: verify passes on an honest log, names the first altered link."""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import Engine, text

from cases.kernel import audit
from cases.kernel.db import read_session, unit_of_work


def append(engine: Engine, count: int, *, case_id: str | None = None) -> None:
    for i in range(count):
        with unit_of_work(engine) as session:
            audit.record(
                session,
                action="case.noted",
                entity_type="case",
                entity_id=case_id or f"CASE-2026-{i:06d}",
                case_id=case_id,
                actor="analyst@example.org",
                before={"status": "new"},
                after={"status": "triage", "score": 0.63, "title": "Zastava M70 «ćšž» {{ 7*7 }}"},
            )


def verify(engine: Engine) -> audit.ChainReport:
    with read_session(engine) as session:
        return audit.verify_chain(session)


def test_a_fresh_database_verifies(database: Engine) -> None:
    report = verify(database)
    assert report.ok
    # cordon init recorded the loading of each shipped reference file
    assert report.events == 7


def test_an_honest_log_verifies_and_chains_in_order(database: Engine) -> None:
    append(database, 5)
    report = verify(database)
    assert report.ok and report.events == 12
    with read_session(database) as session:
        events = audit.history(session)
    assert [e.seq for e in events] == list(range(1, 13))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_an_altered_event_is_named(database: Engine) -> None:
    append(database, 5)
    with database.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 9"))
    report = verify(database)
    assert not report.ok
    assert report.first_broken == 9
    assert "event 9" in report.reason and "altered" in report.reason


def test_an_altered_payload_is_named(database: Engine) -> None:
    append(database, 3)
    with database.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET after = :after WHERE seq = 8"),
            {"after": '{"status": "closed"}'},
        )
    assert verify(database).first_broken == 8


def test_a_deleted_event_is_named(database: Engine) -> None:
    append(database, 4)
    with database.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 10"))
    report = verify(database)
    assert not report.ok and report.first_broken == 10
    assert "missing" in report.reason


def test_a_rewritten_chain_tail_still_breaks_at_the_first_change(database: Engine) -> None:
    """Recomputing one event's hash is not enough: the next event chains to the old hash."""
    append(database, 4)
    with read_session(database) as session:
        event = audit.history(session)[8]  # seq 9
    event.actor = "mallory"
    forged = audit.chain_hash(event.prev_hash, audit.event_body(event))
    with database.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET actor = 'mallory', hash = :h WHERE seq = 9"),
            {"h": forged},
        )
    report = verify(database)
    assert report.first_broken == 10 and "does not chain" in report.reason


def test_concurrent_writers_keep_one_chain(database: Engine) -> None:
    threads = [threading.Thread(target=append, args=(database, 10)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = verify(database)
    assert report.ok and report.events == 7 + 40


def test_history_of_one_case(database: Engine) -> None:
    append(database, 2, case_id="CASE-2026-000001")
    append(database, 3, case_id="CASE-2026-000002")
    with read_session(database) as session:
        events = audit.history(session, case_id="CASE-2026-000002")
        assert len(events) == 3 and {e.case_id for e in events} == {"CASE-2026-000002"}
        assert [e.seq for e in audit.history(session, limit=2)] == [11, 12]


def test_canonical_json_is_stable() -> None:
    assert audit.canonical_json({"b": 1, "a": [1, 2], "c": "ž"}) == '{"a":[1,2],"b":1,"c":"ž"}'

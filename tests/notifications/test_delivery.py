"""Delivery to a real SMTP server on loopback: exactly once, retries, refusals, TLS and AUTH."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from cases.kernel.db import read_session, unit_of_work
from cases.kernel.models import Case, Sharing
from cases.kernel.settings import get_settings
from notifications.dispatcher import (
    BACKOFF_BASE_S,
    LEASE_S,
    claim_due,
    dispatch,
    record_deliveries,
    render_claim,
)
from notifications.models import OutboxMessage
from notifications.smtp import (
    FileTarget,
    MailUrlError,
    Outcome,
    SmtpTarget,
    deliver,
    eml_name,
    parse_mail_url,
    run_async,
)
from tests.notifications.conftest import (
    SENDER,
    T0,
    SmtpServer,
    TlsServer,
    open_cases,
)

MARKO = "marko.petrovic@upravacarina.rs.example"
ANA = "ana.kovac@carina.hr.example"


def statuses(engine: Engine) -> dict[str, list[OutboxMessage]]:
    with read_session(engine) as session:
        found: dict[str, list[OutboxMessage]] = {}
        for row in session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all():
            found.setdefault(str(row.status), []).append(row)
        return found


def test_each_message_arrives_once_and_a_rerun_sends_nothing(
    task_force: Engine, smtp_server: SmtpServer
) -> None:
    expected = open_cases(task_force, 3)
    assert len(expected) == 6
    report = dispatch(engine=task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert report.to_dict() == {"sent": 6, "failed": 0, "pending": 0}
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))
    again = dispatch(engine=task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert again.to_dict() == {"sent": 0, "failed": 0, "pending": 0}
    assert sum(smtp_server.handler.message_ids().values()) == 6
    sent = statuses(task_force)["sent"]
    assert all(m.attempts == 1 and m.sent_at == T0 for m in sent)
    assert all(m.last_answer and "queued" in m.last_answer for m in sent)
    received = smtp_server.handler.by_recipient()
    assert {r.recipients[0] for rs in received.values() for r in rs} == {ANA, MARKO}
    subjects = sorted(str(r.message["Subject"]) for r in received[MARKO])
    assert all("CASE-2026-00000" in s for s in subjects)


def test_server_down_keeps_messages_pending_and_back_up_delivers_them_once(
    task_force: Engine, stopped_smtp_server: SmtpServer
) -> None:
    server = stopped_smtp_server
    expected = open_cases(task_force, 2)
    down = dispatch(engine=task_force, target=server.target, sender=SENDER, now=T0)
    assert down.to_dict() == {"sent": 0, "failed": 0, "pending": 4}
    pending = statuses(task_force)["pending"]
    assert all(m.attempts == 1 for m in pending)
    assert all(m.next_attempt_at == T0 + timedelta(seconds=BACKOFF_BASE_S) for m in pending)
    assert all("cannot connect" in (m.last_answer or "") for m in pending)

    # before the backoff has passed, nothing is tried (no attempt is spent)
    early = dispatch(engine=task_force, target=server.target, sender=SENDER, now=T0)
    assert early.batches == 0 and statuses(task_force)["pending"][0].attempts == 1

    server.start()
    later = T0 + timedelta(seconds=BACKOFF_BASE_S)
    up = dispatch(engine=task_force, target=server.target, sender=SENDER, now=later)
    assert up.to_dict() == {"sent": 4, "failed": 0, "pending": 0}
    assert server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))
    dispatch(engine=task_force, target=server.target, sender=SENDER, now=later + timedelta(hours=1))
    assert server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))


def test_a_permanently_refused_recipient_fails_and_the_others_arrive(
    task_force: Engine, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_answers[MARKO] = "550 5.1.1 <marko>: mailbox unavailable"
    open_cases(task_force, 2)
    report = dispatch(engine=task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert report.to_dict() == {"sent": 2, "failed": 2, "pending": 0}
    failed = statuses(task_force)["failed"]
    assert {m.recipient for m in failed} == {MARKO}
    assert all(m.last_answer == "550 5.1.1 <marko>: mailbox unavailable" for m in failed)
    assert set(smtp_server.handler.by_recipient()) == {ANA}
    # a failed message is final: later runs do not try it again
    dispatch(
        engine=task_force, target=smtp_server.target, sender=SENDER, now=T0 + timedelta(days=1)
    )
    assert len(statuses(task_force)["failed"]) == 2


def test_a_temporarily_refused_recipient_stays_pending_and_arrives_later(
    sqlite_task_force: Engine, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_answers[MARKO] = "451 4.7.1 greylisted, try again later"
    open_cases(sqlite_task_force, 1)
    first = dispatch(engine=sqlite_task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert first.to_dict() == {"sent": 1, "failed": 0, "pending": 1}
    (waiting,) = statuses(sqlite_task_force)["pending"]
    assert (
        waiting.recipient == MARKO
        and waiting.last_answer == "451 4.7.1 greylisted, try again later"
    )
    del smtp_server.handler.rcpt_answers[MARKO]
    later = waiting.next_attempt_at
    assert (
        dispatch(engine=sqlite_task_force, target=smtp_server.target, sender=SENDER, now=later).sent
        == 1
    )
    assert sorted(smtp_server.handler.message_ids().values()) == [1, 1]


def send_without_recording(engine: Engine, target: SmtpTarget) -> Any:
    """A dispatcher that claims and sends, then dies before it can record anything."""
    with unit_of_work(engine) as session:
        claim = claim_due(session, now=T0)
    envelopes, failures = render_claim(claim, sender=SENDER)
    assert not failures
    deliveries = run_async(deliver(target, "cordon@taskforce.example", envelopes))
    assert {d.outcome for d in deliveries} == {Outcome.SENT}
    return claim


def test_a_dispatcher_killed_between_send_and_commit_resends_only_after_the_lease(
    task_force: Engine, smtp_server: SmtpServer
) -> None:
    expected = open_cases(task_force, 2)
    send_without_recording(task_force, smtp_server.target)  # … and the process dies here
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))
    assert len(statuses(task_force)["sending"]) == 4

    # restarted while the lease runs: nothing is sent again
    before_expiry = T0 + timedelta(seconds=LEASE_S - 1)
    report = dispatch(
        engine=task_force, target=smtp_server.target, sender=SENDER, now=before_expiry
    )
    assert report.to_dict() == {"sent": 0, "failed": 0, "pending": 4}
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))

    # after the lease expired: sent once more — the documented worst case, same Message-IDs
    after_expiry = T0 + timedelta(seconds=LEASE_S)
    report = dispatch(engine=task_force, target=smtp_server.target, sender=SENDER, now=after_expiry)
    assert report.to_dict() == {"sent": 4, "failed": 0, "pending": 0}
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 2))
    assert {m.attempts for m in statuses(task_force)["sent"]} == {2}

    # and never again
    dispatch(
        engine=task_force,
        target=smtp_server.target,
        sender=SENDER,
        now=after_expiry + timedelta(days=1),
        collect=False,  # (Petra's digest of T0 would be due by then)
    )
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 2))


def test_a_dispatcher_killed_before_sending_causes_no_duplicate(
    sqlite_task_force: Engine, smtp_server: SmtpServer
) -> None:
    expected = open_cases(sqlite_task_force, 2)
    with unit_of_work(sqlite_task_force) as session:
        claim_due(session, now=T0)  # claimed, then the process dies before sending
    report = dispatch(engine=sqlite_task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert report.sent == 0 and not smtp_server.handler.received
    after_expiry = T0 + timedelta(seconds=LEASE_S)
    report = dispatch(
        engine=sqlite_task_force, target=smtp_server.target, sender=SENDER, now=after_expiry
    )
    assert report.sent == 4
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))


def test_a_dispatcher_that_lost_its_lease_records_nothing(
    sqlite_task_force: Engine, smtp_server: SmtpServer
) -> None:
    engine = sqlite_task_force
    open_cases(engine, 1)
    slow = send_without_recording(engine, smtp_server.target)  # slow: its lease expires
    after_expiry = T0 + timedelta(seconds=LEASE_S)
    with unit_of_work(engine) as session:
        fresh = claim_due(session, now=after_expiry)  # another dispatcher takes over
    assert {m.id for m in fresh.messages} == {m.id for m in slow.messages}
    with unit_of_work(engine) as session:  # the slow one wakes up and tries to record "failed"
        from notifications.smtp import Delivery

        late = [Delivery(m.id, Outcome.FAILED, "550 late") for m in slow.messages]
        record_deliveries(session, slow, late, now=after_expiry)
    rows = statuses(engine)
    assert "failed" not in rows and len(rows["sending"]) == 2
    assert {m.claim_token for m in rows["sending"]} == {fresh.token}


def test_claims_on_postgresql_skip_rows_another_dispatcher_holds(
    postgresql_task_force: Engine,
) -> None:
    engine = postgresql_task_force
    open_cases(engine, 3)  # 6 messages
    with unit_of_work(engine) as first:
        held = claim_due(first, now=T0, limit=4)  # still uncommitted: rows locked
        with unit_of_work(engine) as second:
            # without SKIP LOCKED this claim would wait for the first: fail instead of hanging
            second.execute(text("SET LOCAL lock_timeout = '5s'"))
            other = claim_due(second, now=T0, limit=4)
    assert len(held.messages) == 4 and len(other.messages) == 2
    assert not {m.id for m in held.messages} & {m.id for m in other.messages}


def test_two_dispatchers_at_once_on_postgresql_never_send_the_same_message(
    postgresql_task_force: Engine, smtp_server: SmtpServer
) -> None:
    engine = postgresql_task_force
    expected = open_cases(engine, 60)  # 120 messages
    smtp_server.handler.data_delay_s = 0.002
    start = threading.Barrier(2)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reports.append(
                dispatch(
                    engine=engine,
                    target=smtp_server.target,
                    sender=SENDER,
                    now=T0,
                    batch_size=5,
                    connections=2,
                    collect=False,
                )
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(r.sent for r in reports)[0] > 0, "both dispatchers should have sent some"
    assert sum(r.sent for r in reports) == 120
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))


def test_starttls_and_auth_when_the_url_asks_for_them(
    sqlite_task_force: Engine,
    starttls_server: TlsServer,
    mail_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(starttls_server.ca_file))  # trust the test's CA
    mail_settings(f"smtp://cordon:s3cret%21@127.0.0.1:{starttls_server.port}?starttls=true")
    target = parse_mail_url(get_settings().mail_url)
    assert target == SmtpTarget("127.0.0.1", starttls_server.port, "cordon", "s3cret!", True)
    expected = open_cases(sqlite_task_force, 1)
    report = dispatch(engine=sqlite_task_force, now=T0)
    assert report.to_dict() == {"sent": 2, "failed": 0, "pending": 0}
    received = starttls_server.handler.received
    assert {r.message_id for r in received} == expected
    assert all(r.over_tls and r.authenticated_as == b"cordon" for r in received)


def test_a_wrong_password_keeps_messages_pending(
    sqlite_task_force: Engine,
    starttls_server: TlsServer,
    mail_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(starttls_server.ca_file))
    mail_settings(f"smtp://cordon:wrong@127.0.0.1:{starttls_server.port}?starttls=true")
    open_cases(sqlite_task_force, 1)
    report = dispatch(engine=sqlite_task_force, now=T0)
    assert report.to_dict() == {"sent": 0, "failed": 0, "pending": 2}
    assert all("535" in (m.last_answer or "") for m in statuses(sqlite_task_force)["pending"])
    assert not starttls_server.handler.received


def test_an_untrusted_certificate_sends_nothing(
    sqlite_task_force: Engine, starttls_server: TlsServer, mail_settings: Any
) -> None:
    mail_settings(f"smtp://cordon:s3cret%21@127.0.0.1:{starttls_server.port}?starttls=true")
    open_cases(sqlite_task_force, 1)
    report = dispatch(engine=sqlite_task_force, now=T0)
    assert report.to_dict() == {"sent": 0, "failed": 0, "pending": 2}
    assert not starttls_server.handler.received


def test_file_delivery_writes_one_eml_per_message_id(
    sqlite_task_force: Engine, tmp_path: Path
) -> None:
    expected = open_cases(sqlite_task_force, 2)
    target = FileTarget(tmp_path / "outbox-files")
    report = dispatch(engine=sqlite_task_force, target=target, sender=SENDER, now=T0)
    assert report.sent == 4
    files = sorted(p.name for p in target.directory.iterdir())
    assert files == sorted(eml_name(m) for m in expected)  # no temporary files left over
    content = (target.directory / files[0]).read_bytes()
    assert b"Message-ID: <" in content and b"multipart/alternative" in content


def test_a_recipient_who_may_no_longer_see_the_case_is_not_sent_it(
    sqlite_task_force: Engine, smtp_server: SmtpServer
) -> None:
    open_cases(sqlite_task_force, 1)
    with unit_of_work(sqlite_task_force) as session:  # sharing narrowed before the dispatcher ran
        case = session.get(Case, "CASE-2026-000001")
        assert case is not None
        case.sharing = Sharing.LEAD
    report = dispatch(engine=sqlite_task_force, target=smtp_server.target, sender=SENDER, now=T0)
    assert report.to_dict() == {"sent": 1, "failed": 1, "pending": 0}
    (withheld,) = statuses(sqlite_task_force)["failed"]
    assert withheld.recipient == MARKO and (withheld.last_answer or "").startswith("withheld")
    assert set(smtp_server.handler.by_recipient()) == {ANA}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:./var/mail", FileTarget(Path("./var/mail"))),
        ("file:///srv/mail", FileTarget(Path("/srv/mail"))),
        ("smtp://mail.example:2525", SmtpTarget("mail.example", 2525)),
        (
            "smtp://u%40x:p%3Aw@mail.example:465?tls=true",
            SmtpTarget("mail.example", 465, "u@x", "p:w", tls=True),
        ),
        ("smtp://mail.example?starttls=true", SmtpTarget("mail.example", 587, starttls=True)),
    ],
)
def test_mail_urls(url: str, expected: Any) -> None:
    assert parse_mail_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "smtp:///nohost",
        "http://mail.example",
        "file:",
        "smtp://h:1?starttls=maybe",
        "smtp://h:1?tls=1&starttls=1",
        "smtp://h:port",
    ],
)
def test_bad_mail_urls_are_one_clear_error(url: str) -> None:
    with pytest.raises(MailUrlError, match="CORDON_MAIL_URL"):
        parse_mail_url(url)


def test_pending_after_many_failures_gives_up(
    sqlite_task_force: Engine, stopped_smtp_server: SmtpServer
) -> None:
    from notifications.dispatcher import MAX_ATTEMPTS

    open_cases(sqlite_task_force, 1)
    with unit_of_work(sqlite_task_force) as session:
        for row in session.exec(select(OutboxMessage)).all():
            row.attempts = MAX_ATTEMPTS - 1
    report = dispatch(
        engine=sqlite_task_force, target=stopped_smtp_server.target, sender=SENDER, now=T0
    )
    assert report.to_dict() == {"sent": 0, "failed": 2, "pending": 0}
    assert all(
        (m.last_answer or "").startswith(f"gave up after {MAX_ATTEMPTS} attempts: cannot connect")
        for m in statuses(sqlite_task_force)["failed"]
    )

"""Daily digests: one e-mail per digest contact per day, with all of their items."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import select

from cases.kernel.db import read_session, unit_of_work
from cases.kernel.events import AlertsMerged, CaseOpened, RequestTransmitted
from notifications.dispatcher import dispatch
from notifications.models import DigestItem, MessageKind, OutboxMessage
from notifications.outbox import enqueue
from tests.notifications.conftest import SENDER, T0, SmtpServer, add_alert, add_case

ANA = "ana.kovac@carina.hr.example"
PETRA = "petra.dnevno@carina.hr.example"
IVO = "ivo.babic@dorh.hr.example"
MARKO = "marko.petrovic@upravacarina.rs.example"
CA_RS = "ca@mpravde.rs.example"


def digests_by_recipient(server: SmtpServer) -> dict[str, list[str]]:
    """Recipient → the bodies (text + HTML) of the digests they received."""
    found: dict[str, list[str]] = {}
    for received in server.handler.received:
        if "digest" not in str(received.message["Subject"]).lower() and "pregled" not in str(
            received.message["Subject"]
        ):
            continue
        text = received.message.get_body(preferencelist=("plain",)).get_content()
        html = received.message.get_body(preferencelist=("html",)).get_content()
        subject = str(received.message["Subject"]).strip()
        found.setdefault(received.recipients[0], []).append(f"{subject}\n{text}\n{html}")
    return found


def test_one_digest_per_person_and_day_with_all_their_items(
    task_force: Engine, smtp_server: SmtpServer
) -> None:
    with unit_of_work(task_force) as session:
        add_case(session, "CASE-2026-000001", lead="HR", participants=("RS",))
        alert = add_alert(
            session, "CASE-2026-000001", "HR-C-77", description="<script>steal()</script>"
        )
        enqueue(
            session,
            [
                CaseOpened("CASE-2026-000001"),
                AlertsMerged("CASE-2026-000001", (alert,)),
                RequestTransmitted(
                    request_id="REQ-2026-000003",
                    case_id="CASE-2026-000001",
                    request_type="mla",
                    requesting="HR",
                    requested="RS",
                    prosecutor_email=IVO,
                    transmitted_on=T0.date(),
                ),
            ],
            now=T0,
        )

    def run(at: object) -> dict[str, int]:
        return dispatch(
            engine=task_force, target=smtp_server.target, sender=SENDER, now=at
        ).to_dict()

    # the same day: immediate messages only; the digest of the day is not due yet
    assert run(T0 + timedelta(hours=9)) == {"sent": 3, "failed": 0, "pending": 0}
    assert set(smtp_server.handler.by_recipient()) == {ANA, MARKO, CA_RS}
    assert digests_by_recipient(smtp_server) == {}

    # next morning: one digest for each person with items
    assert run(T0 + timedelta(days=1)) == {"sent": 4, "failed": 0, "pending": 0}
    digests = digests_by_recipient(smtp_server)
    assert {k: len(v) for k, v in digests.items()} == {ANA: 1, PETRA: 1, MARKO: 1, IVO: 1}
    petra = digests[PETRA][0]
    assert petra.startswith("[Cordon] Daily digest 2026-11-20: 2 item(s) – CASE-2026-000001")
    assert "Case CASE-2026-000001 opened" in petra and "HR-C-77" in petra  # both items
    assert "&lt;script&gt;steal()&lt;/script&gt;" in petra and "<script>steal" in petra
    ivo = digests[IVO][0]  # Croatian, about his request and the case he may see
    assert "Dnevni pregled" in ivo and "REQ-2026-000003" in ivo and "CASE-2026-000001" in ivo
    assert "HR-C-77" in digests[MARKO][0] and "opened" not in digests[MARKO][0].split("\n")[0]

    # later runs that day and the next build nothing more
    assert run(T0 + timedelta(days=1, hours=2)) == {"sent": 0, "failed": 0, "pending": 0}
    assert run(T0 + timedelta(days=2)) == {"sent": 0, "failed": 0, "pending": 0}
    assert sum(len(v) for v in digests_by_recipient(smtp_server).values()) == 4
    with read_session(task_force) as session:
        assert all(i.collected_at for i in session.exec(select(DigestItem)).all())


def test_an_item_arriving_after_its_days_digest_went_out_joins_the_next_one(
    sqlite_task_force: Engine, smtp_server: SmtpServer
) -> None:
    engine = sqlite_task_force
    with unit_of_work(engine) as session:
        add_case(session, "CASE-2026-000001", lead="HR")
        enqueue(session, [CaseOpened("CASE-2026-000001")], now=T0)
    dispatch(engine=engine, target=smtp_server.target, sender=SENDER, now=T0 + timedelta(days=1))
    # a change of day 0 that committed only after day 0's digest was built
    with unit_of_work(engine) as session:
        add_case(session, "CASE-2026-000002", lead="HR")
        enqueue(session, [CaseOpened("CASE-2026-000002")], now=T0.replace(hour=23, minute=59))
    dispatch(engine=engine, target=smtp_server.target, sender=SENDER, now=T0 + timedelta(days=1))
    assert len(digests_by_recipient(smtp_server)[PETRA]) == 1
    dispatch(engine=engine, target=smtp_server.target, sender=SENDER, now=T0 + timedelta(days=2))
    first, second = digests_by_recipient(smtp_server)[PETRA]
    assert "CASE-2026-000001" in first and "CASE-2026-000002" not in first
    assert "CASE-2026-000002" in second and "CASE-2026-000001" not in second
    with read_session(engine) as session:
        digests = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.DAILY_DIGEST)
        ).all()
        assert sorted(m.dedupe_key for m in digests if m.recipient == PETRA) == [
            f"daily-digest:2026-11-20|{PETRA}",
            f"daily-digest:2026-11-21|{PETRA}",
        ]

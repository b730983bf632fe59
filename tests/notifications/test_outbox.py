"""Who hears of what: one message per allowed recipient, none for anybody else (SQLite and PG)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cases.kernel.db import read_session, unit_of_work
from cases.kernel.events import (
    AlertsMerged,
    CaseOpened,
    DeadlineApproaching,
    DeadlineOverdue,
    PlanApproved,
    RequestTransmitted,
    Shift,
)
from cases.kernel.models import Sharing
from notifications.models import DigestItem, MessageKind, OutboxMessage
from notifications.outbox import enqueue
from tests.notifications.conftest import T0, add_alert, add_case

ANA = "ana.kovac@carina.hr.example"  # HR coordinator, immediate, hr
PETRA = "petra.dnevno@carina.hr.example"  # HR coordinator, daily
IVO = "ivo.babic@dorh.hr.example"  # HR prosecutor, daily
MARKO = "marko.petrovic@upravacarina.rs.example"  # RS coordinator, immediate, de
MAJA = "maja.novak@fu.si.example"  # SI coordinator
CA_RS = "ca@mpravde.rs.example"
CA_SI = "ca@mp.si.example"
NIKOLA = "nikola.jovic@rjt.rs.example"  # RS prosecutor, immediate
LUKA = "luka.horvat@carina.hr.example"  # HR team lead
JELENA = "jelena.ilic@rjt.rs.example"  # RS team lead


def outbox(session: Session) -> dict[str, OutboxMessage]:
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return {row.recipient: row for row in rows}


def digest_items(session: Session) -> dict[str, list[DigestItem]]:
    found: dict[str, list[DigestItem]] = {}
    for item in session.exec(select(DigestItem).order_by(col(DigestItem.id))).all():
        found.setdefault(item.recipient, []).append(item)
    return found


def test_case_events_reach_allowed_coordinators_only(task_force: Engine) -> None:
    with unit_of_work(task_force) as session:
        add_case(session, "CASE-2026-000001", lead="HR", participants=("RS",))
        assert enqueue(session, [CaseOpened("CASE-2026-000001")], now=T0) == 3
    with read_session(task_force) as session:
        messages = outbox(session)
        assert set(messages) == {ANA, MARKO}  # SI takes no part; the auditor is no coordinator
        assert all("CASE-2026-000001" in m.subject for m in messages.values())
        assert {m.kind for m in messages.values()} == {MessageKind.CASE_OPENED}
        assert messages[ANA].language == "hr" and messages[MARKO].language == "de"
        items = digest_items(session)
        assert set(items) == {PETRA}  # daily contact: into tomorrow's digest, not now
        assert items[PETRA][0].digest_date == T0.date()

    # sharing "lead": only the lead jurisdiction hears of it, though RS takes part
    with unit_of_work(task_force) as session:
        add_case(session, "CASE-2026-000002", lead="HR", participants=("RS",), sharing=Sharing.LEAD)
        assert enqueue(session, [CaseOpened("CASE-2026-000002")], now=T0) == 2
    with read_session(task_force) as session:
        second = [m for m in outbox(session).values() if m.case_id == "CASE-2026-000002"]
        assert [m.recipient for m in second] == [ANA]
        assert "CASE-2026-000002" in {i.case_id for i in digest_items(session)[PETRA]}

    # merged alerts: the daily digest of every coordinator allowed to see the case, never at once
    with unit_of_work(task_force) as session:
        add_case(session, "CASE-2026-000003", lead="RS", participants=("HR",))
        alert = add_alert(session, "CASE-2026-000003", "HR-C-1")
        assert enqueue(session, [AlertsMerged("CASE-2026-000003", (alert,))], now=T0) == 3
        alert = add_alert(session, "CASE-2026-000002", "HR-C-2")
        assert enqueue(session, [AlertsMerged("CASE-2026-000002", (alert,))], now=T0) == 2
    with read_session(task_force) as session:
        assert {m.case_id for m in outbox(session).values()} <= {
            "CASE-2026-000001",
            "CASE-2026-000002",
        }
        merged = [
            (i.recipient, i.case_id)
            for items in digest_items(session).values()
            for i in items
            if i.kind == MessageKind.ALERTS_MERGED
        ]
        assert sorted(merged) == sorted(
            [
                (ANA, "CASE-2026-000003"),
                (PETRA, "CASE-2026-000003"),
                (MARKO, "CASE-2026-000003"),
                (ANA, "CASE-2026-000002"),  # lead-only: not Marko
                (PETRA, "CASE-2026-000002"),
            ]
        )
        item = next(i for i in digest_items(session)[ANA] if i.case_id == "CASE-2026-000003")
        assert item.context["alerts"][0]["source_ref"] == "HR-C-1"


def test_request_transmitted_hides_a_case_its_recipient_may_not_see(task_force: Engine) -> None:
    event = RequestTransmitted(
        request_id="REQ-2026-000007",
        case_id="CASE-2026-000004",
        request_type="mla",
        requesting="HR",
        requested="RS",
        prosecutor_email=IVO,
        transmitted_on=T0.date(),
    )
    with unit_of_work(task_force) as session:
        add_case(
            session,
            "CASE-2026-000004",
            lead="HR",
            sharing=Sharing.LEAD,
            title="Secret rifles of Operation Nightjar",
        )
        assert enqueue(session, [event], now=T0) == 2
    with read_session(task_force) as session:
        messages = outbox(session)
        assert set(messages) == {CA_RS}  # not SI's central authority
        ca = messages[CA_RS]
        assert "REQ-2026-000007" in ca.subject
        assert ca.case_id is None and ca.context["case"] is None
        everything = f"{ca.subject} {ca.context}"
        assert "CASE-2026-000004" not in everything and "Nightjar" not in everything
        # the requesting prosecutor (daily digest) sees his own case
        prosecutor = digest_items(session)[IVO][0]
        assert prosecutor.case_id == "CASE-2026-000004"
        assert prosecutor.context["case"]["title"] == "Secret rifles of Operation Nightjar"


def test_deadline_notices_go_to_the_requesting_prosecutor_only(sqlite_task_force: Engine) -> None:
    due = T0.date() + timedelta(days=3)
    events = [
        DeadlineApproaching(
            request_id="REQ-2026-000008",
            case_id="CASE-2026-000005",
            requesting="RS",
            requested="SI",
            prosecutor_email=NIKOLA,
            deadline="recognition",
            due=due,
            days_left=3,
        ),
        DeadlineOverdue(
            request_id="REQ-2026-000009",
            case_id="CASE-2026-000005",
            requesting="RS",
            requested="SI",
            prosecutor_email=None,  # nobody named: the requesting state's prosecutors
            deadline="execution",
            due=date(2026, 11, 1),
        ),
    ]
    with unit_of_work(sqlite_task_force) as session:
        add_case(session, "CASE-2026-000005", lead="RS")
        assert enqueue(session, events, now=T0) == 2
    with read_session(sqlite_task_force) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        assert [(r.recipient, r.kind) for r in rows] == [
            (NIKOLA, MessageKind.DEADLINE_APPROACHING),
            (NIKOLA, MessageKind.DEADLINE_OVERDUE),
        ]
        assert "REQ-2026-000008" in rows[0].subject and "CASE-2026-000005" in rows[0].subject
        assert "REQ-2026-000009" in rows[1].subject


def test_plan_approved_tells_each_team_lead_their_own_shifts(sqlite_task_force: Engine) -> None:
    start = T0.replace(hour=6)
    event = PlanApproved(
        plan_id="PLAN-2026-000001",
        assignments=(
            Shift("HR-CUS-01", LUKA, "RS-HR-BATROVCI", 0, start),
            Shift("RS-BP-01", JELENA, "RS-HR-BATROVCI", 0, start),
            Shift("HR-CUS-01", LUKA, "HR-PORT-RIJEKA", 2, start + timedelta(hours=16)),
            Shift("SI-XRAY-01", None, "HR-PORT-RIJEKA", 1, start + timedelta(hours=8)),
        ),
    )
    with unit_of_work(sqlite_task_force) as session:
        assert enqueue(session, [event], now=T0) == 2
    with read_session(sqlite_task_force) as session:
        messages = outbox(session)
        assert set(messages) == {LUKA, JELENA}
        assert [s["shift"] for s in messages[LUKA].context["shifts"]] == [0, 2]
        assert {s["team"] for s in messages[JELENA].context["shifts"]} == {"RS-BP-01"}
        assert "PLAN-2026-000001" in messages[LUKA].subject


def test_enqueueing_the_same_events_again_inserts_nothing(task_force: Engine) -> None:
    with unit_of_work(task_force) as session:
        add_case(session, "CASE-2026-000006", lead="HR", participants=("RS",))
        alert = add_alert(session, "CASE-2026-000006", "HR-C-9")
        events = [CaseOpened("CASE-2026-000006"), AlertsMerged("CASE-2026-000006", (alert,))]
        first = enqueue(session, events, now=T0)
        assert first == 6  # 2 messages + petra's item + 3 merged-alert items
        assert enqueue(session, events, now=T0) == 0  # in the same transaction
    with unit_of_work(task_force) as session:  # and in a later one, a day later
        assert enqueue(session, events, now=T0 + timedelta(days=1)) == 0
    with read_session(task_force) as session:
        assert len(outbox(session)) == 2
        assert sum(len(v) for v in digest_items(session).values()) == 4


def test_an_event_about_an_unknown_case_tells_nobody(sqlite_task_force: Engine) -> None:
    with unit_of_work(sqlite_task_force) as session:
        assert enqueue(session, [CaseOpened("CASE-2026-999999")], now=T0) == 0

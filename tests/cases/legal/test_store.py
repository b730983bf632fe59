"""Legal requests in the store (SQLite and PostgreSQL): open and route, lifecycle with dates,
deadlines from the recorded events, audit, visibility, overdue, documents, evidence, notices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import col

from cases.kernel.actor import OPERATOR, resolve
from cases.kernel.audit import history, verify_chain
from cases.kernel.db import (
    _alembic_config as alembic_config,
)
from cases.kernel.db import (
    current_revision,
    head_revision,
    make_engine,
    read_session,
    unit_of_work,
    upgrade_schema,
)
from cases.kernel.errors import Forbidden, Invalid, NotFound
from cases.kernel.events import DeadlineApproaching, DeadlineOverdue, RequestTransmitted
from cases.kernel.models import AuditEvent
from cases.legal.errors import EvidenceError, IllegalTransition, MissingFields
from cases.legal.evidence_service import add_evidence, file_sha256, record_custody
from cases.legal.models import LegalRequest
from cases.legal.service import (
    advance_request,
    open_request,
    render_request_document,
    route_drafts,
    set_fields,
)
from cases.legal.views import list_requests, requests_of_case, show_request
from cases.legal.watch import record_deadline_notices
from cases.reference.models import MembershipRecord, Origin
from tests.conftest import PostgresDatabases
from tests.helpers import (
    AUDITOR,
    HR_COORDINATOR,
    HR_PROSECUTOR,
    RS_COORDINATOR,
    RS_PROSECUTOR,
    SI_CENTRAL_AUTHORITY,
    SI_COORDINATOR,
    TO_TRANSMITTED,
    legal_scenario,
    published_events,
)

TODAY = date(2026, 11, 30)


@pytest.fixture
def legal(database: Engine, scenario_dir: Path) -> Engine:
    legal_scenario(database, scenario_dir)
    return database


def open_one(engine: Engine, by: str | None = None, **options: object) -> str:
    values: dict[str, object] = {
        "case_id": "CASE-2026-000001",
        "request_type": "mla",
        "requesting": "HR",
        "requested": "SI",
        "today": TODAY,
        **options,
    }
    with unit_of_work(engine) as session:
        row, _ = open_request(session, resolve(session, by), **values)  # type: ignore[arg-type]
        return row.id


def advance(
    engine: Engine,
    request_id: str,
    *states: str,
    at: date | None = None,
    by: str | None = None,
    **kw: object,
) -> list[object]:
    """Take the steps; the domain events they published."""
    with published_events() as events, unit_of_work(engine) as session:
        actor = resolve(session, by)
        for state in states:
            advance_request(
                session,
                actor,
                request_id=request_id,
                state=state,
                at=at,
                **kw,  # type: ignore[arg-type]
            )
    return events  # delivered when the unit of work committed


def show(engine: Engine, request_id: str, email: str | None = None, today: date = TODAY) -> dict:
    with read_session(engine) as session:
        return show_request(session, resolve(session, email), request_id, today)


def due(view: dict) -> dict[str, str | None]:
    return {d["name"]: d["due"] for d in view["deadlines"]}


def test_open_numbers_routes_stores_the_full_decision_and_audits(legal: Engine) -> None:
    first = open_one(legal, by=HR_PROSECUTOR)
    second = open_one(legal, request_type="extradition", requested="RS", person_nationality="RS")
    assert (first, second) == ("REQ-2026-000001", "REQ-2026-000002")
    with read_session(legal) as session:
        row = session.get(LegalRequest, first)
        assert row is not None and row.status == "draft"
        assert row.prosecutor_email == HR_PROSECUTOR  # the contact who opened it
        assert row.decision is not None and row.decision["legal_basis"] == ["EIO"]
        # full form: each deadline keeps its instrument, article and ending events
        recognition = next(d for d in row.decision["deadlines"] if d["name"] == "recognition")
        assert recognition["instrument"] == "EIO" and recognition["ends_on"]
        other = session.get(LegalRequest, second)
        assert other is not None and other.prosecutor_email == HR_PROSECUTOR  # first HR prosecutor
        assert other.decision["legal_basis"] == ["ECE57", "BILATERAL:HR-RS:EXTRADITION_NATIONALS"]
        actions = [e.action for e in history(session, entity_id=first)]
        assert actions == ["request.opened", "request.routed"]
        assert verify_chain(session).ok


def test_a_request_needs_a_case_its_opener_may_see_and_a_requesting_opener(legal: Engine) -> None:
    with pytest.raises(NotFound, match="no case 'CASE-2026-999999'"):
        open_one(legal, case_id="CASE-2026-999999")
    with pytest.raises(Forbidden, match="may not open a legal request on case CASE-2026-000002"):
        open_one(legal, case_id="CASE-2026-000002", by=HR_PROSECUTOR)  # lead-only RS case
    with pytest.raises(Forbidden, match="prosecutors of the requesting state"):
        open_one(legal, by=RS_PROSECUTOR)  # an RS prosecutor opens RS requests, not HR ones
    with pytest.raises(Forbidden, match=r"ana\.kovac@carina\.hr\.example may not open"):
        open_one(legal, by=HR_COORDINATOR)  # coordinators do not open legal requests
    with read_session(legal) as session:
        assert session.exec(select(LegalRequest)).all() == []


def test_eio_recognition_of_a_request_transmitted_on_1_december_is_due_31_december(
    legal: Engine,
) -> None:
    request_id = open_one(legal)
    assert set(due(show(legal, request_id)).values()) == {None}  # nothing started yet
    advance(legal, request_id, *TO_TRANSMITTED[:-1], at=date(2026, 11, 30))
    events = advance(legal, request_id, "transmitted", at=date(2026, 12, 1))
    assert events == [
        RequestTransmitted(
            request_id=request_id,
            case_id="CASE-2026-000001",
            request_type="mla",
            requesting="HR",
            requested="SI",
            prosecutor_email=HR_PROSECUTOR,
            transmitted_on=date(2026, 12, 1),
        )
    ]
    view = show(legal, request_id)
    assert view["status"] == "transmitted"
    assert due(view) == {
        "acknowledgement": "2026-12-08",
        "recognition": "2026-12-31",
        "execution": None,
    }
    execution = next(d for d in view["deadlines"] if d["name"] == "execution")
    assert execution == {
        "name": "execution",
        "days": 90,
        "starts_on": "accepted",
        "due": None,
        "kind": "hard",
    }
    advance(legal, request_id, "acknowledged", at=date(2026, 12, 3))
    advance(legal, request_id, "accepted", at=date(2026, 12, 20))
    assert due(show(legal, request_id))["execution"] == "2027-03-20"  # EIO art. 12(4)


def test_eaw_decision_60_days_after_arrest_and_10_after_consent_side_events_checked(
    legal: Engine,
) -> None:
    request_id = open_one(legal, request_type="extradition")
    assert show(legal, request_id)["legal_basis"] == ["EAW"]
    assert advance(legal, request_id, "arrested", at=date(2026, 12, 1)) == []
    view = show(legal, request_id)
    assert view["status"] == "draft"  # a side event does not change the status
    assert due(view)["decision"] == "2027-01-30"
    assert due(view)["decision_after_consent"] is None
    advance(legal, request_id, "consent_given", at=date(2026, 12, 3))
    assert due(show(legal, request_id))["decision_after_consent"] == "2026-12-13"
    history_lines = [(h["event"], h["kind"], h["on"]) for h in show(legal, request_id)["history"]]
    assert history_lines == [
        ("draft", "status", TODAY.isoformat()),
        ("arrested", "side", "2026-12-01"),
        ("consent_given", "side", "2026-12-03"),
    ]
    mla = open_one(legal)
    with pytest.raises(IllegalTransition, match="extradition event; this request is an MLA"):
        advance(legal, mla, "arrested")
    with pytest.raises(IllegalTransition, match="arrested is already recorded"):
        advance(legal, request_id, "arrested", at=date(2026, 12, 2))
    other = open_one(legal, request_type="extradition")
    with pytest.raises(IllegalTransition, match="before arrested"):
        advance(legal, other, "consent_given")


def test_illegal_transitions_are_refused_and_every_transition_is_audited(legal: Engine) -> None:
    request_id = open_one(legal)
    with pytest.raises(IllegalTransition, match="cannot move a request from draft to transmitted"):
        advance(legal, request_id, "transmitted")
    with pytest.raises(IllegalTransition, match="cannot skip translation_pending"):
        advance(legal, request_id, "legal_review", "ready")
    advance(legal, request_id, *TO_TRANSMITTED, at=date(2026, 12, 1))
    with pytest.raises(IllegalTransition, match="a refusal needs a reason code"):
        advance(legal, request_id, "refused")
    advance(legal, request_id, "refused", reason="dual_criminality", note="not an offence in SI")
    with read_session(legal) as session:
        events = (
            session.exec(
                select(AuditEvent)
                .where(
                    col(AuditEvent.entity_id) == request_id,
                    col(AuditEvent.action) == "request.advanced",
                )
                .order_by(col(AuditEvent.seq))
            )
            .scalars()
            .all()
        )
        moves = [(e.before["status"], e.after["status"]) for e in events]
        assert moves == [
            ("draft", "legal_review"),
            ("legal_review", "translation_pending"),
            ("translation_pending", "ready"),
            ("ready", "transmitted"),
            ("transmitted", "refused"),
        ]
        assert events[-1].after["reason"] == "dual_criminality"
        assert events[-1].case_id == "CASE-2026-000001"
        assert verify_chain(session).ok
    view = show(legal, request_id)
    assert view["status"] == "refused" and view["refusal_reason"] == "dual_criminality"


def test_requests_are_visible_to_requesting_and_requested_jurisdictions_and_auditors(
    legal: Engine,
) -> None:
    hr_si = open_one(legal)  # on the HR-led case
    rs_si = open_one(legal, case_id="CASE-2026-000002", requesting="RS", by=RS_PROSECUTOR)
    with read_session(legal) as session:

        def listed(email: str | None) -> dict[str, str | None]:
            rows = list_requests(session, resolve(session, email), TODAY)
            return {r["request_id"]: r["case_id"] for r in rows}

        assert (
            listed(None)
            == listed(AUDITOR)
            == {hr_si: "CASE-2026-000001", rs_si: "CASE-2026-000002"}
        )
        assert listed(HR_COORDINATOR) == {hr_si: "CASE-2026-000001"}
        assert listed(RS_COORDINATOR) == {
            rs_si: "CASE-2026-000002"
        }  # not HR→SI, though RS participates
        # SI is the requested state of both, but may not see the lead-only RS case: no case id
        assert listed(SI_COORDINATOR) == {hr_si: "CASE-2026-000001", rs_si: None}
        with pytest.raises(NotFound, match=f"no request '{hr_si}'"):
            show_request(session, resolve(session, RS_COORDINATOR), hr_si, TODAY)
        assert [
            r["request_id"] for r in requests_of_case(session, "CASE-2026-000001", OPERATOR, TODAY)
        ] == [hr_si]


def test_overdue_lists_exactly_the_requests_past_a_hard_deadline(legal: Engine) -> None:
    late = open_one(legal)  # EIO: acknowledgement 7 days, recognition 30 days
    advance(legal, late, *TO_TRANSMITTED, at=date(2026, 12, 1))
    acknowledged = open_one(legal)
    advance(legal, acknowledged, *TO_TRANSMITTED, at=date(2026, 12, 1))
    advance(legal, acknowledged, "acknowledged", at=date(2026, 12, 4))
    open_one(legal)  # never transmitted: nothing runs
    chased = open_one(legal, requesting="RS", requested="HR", case_id="CASE-2026-000002")
    advance(legal, chased, *TO_TRANSMITTED, at=date(2026, 10, 1))  # only soft chase reminders

    def overdue(on: date) -> dict[str, list[str]]:
        with read_session(legal) as session:
            rows = list_requests(session, OPERATOR, on, overdue_only=True)
        return {r["request_id"]: [d["name"] for d in r["overdue"]] for r in rows}

    assert overdue(date(2026, 12, 8)) == {}  # due today is not overdue
    assert overdue(date(2026, 12, 9)) == {late: ["acknowledgement"]}
    assert overdue(date(2027, 1, 1)) == {
        late: ["acknowledgement", "recognition"],
        acknowledged: ["recognition"],
    }
    advance(legal, late, "withdrawn")
    assert overdue(date(2027, 1, 1)) == {acknowledged: ["recognition"]}


def test_documents_render_when_complete_and_name_the_missing_fields(legal: Engine) -> None:
    request_id = open_one(legal, by=HR_PROSECUTOR)
    with read_session(legal) as session:
        with pytest.raises(MissingFields) as refused:
            render_request_document(session, OPERATOR, request_id=request_id)
        required = show(legal, request_id)["required_fields"]
        assert refused.value.fields == tuple(required)
    with unit_of_work(legal) as session:
        prosecutor = resolve(session, HR_PROSECUTOR)
        set_fields(
            session,
            prosecutor,
            request_id=request_id,
            values={name: f"<{name}>" for name in required},
        )
        set_fields(session, OPERATOR, request_id=request_id, values={"purpose": ""})  # clears it
    with (
        read_session(legal) as session,
        pytest.raises(MissingFields, match=r"missing required field\(s\): purpose"),
    ):
        render_request_document(session, OPERATOR, request_id=request_id)
    with unit_of_work(legal) as session:
        set_fields(
            session, OPERATOR, request_id=request_id, values={"purpose": "to trace the weapons"}
        )
        with pytest.raises(Invalid, match=r"unknown document field\(s\): purpos"):
            set_fields(session, OPERATOR, request_id=request_id, values={"purpos": "typo"})
    with read_session(legal) as session:
        kind, text = render_request_document(
            session, OPERATOR, request_id=request_id, issued_on=date(2026, 12, 1)
        )
        actions = [e.action for e in history(session, entity_id=request_id)]
    assert kind == "letter_of_request" and text.startswith("EUROPEAN INVESTIGATION ORDER")
    assert request_id in text and "to trace the weapons" in text
    assert actions.count("request.fields_set") == 3


def test_evidence_moves_with_a_chain_of_custody_and_file_hashes(
    legal: Engine, tmp_path: Path
) -> None:
    request_id = open_one(legal)
    scan = tmp_path / "ledger.pdf"
    scan.write_bytes(b"%PDF ledger of Balkan Trade d.o.o.")
    digest = file_sha256(scan)
    at = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    with unit_of_work(legal) as session:
        item = add_evidence(
            session,
            resolve(session, HR_PROSECUTOR),
            request_id=request_id,
            description="Ledger of Balkan Trade d.o.o., 2026",
        )
    evidence_id = item["id"]
    with (
        unit_of_work(legal) as session,
        pytest.raises(IllegalTransition, match="is requested: cannot move to admitted"),
    ):
        record_custody(
            session,
            OPERATOR,
            evidence_id=evidence_id,
            action="admitted",
            who="Judge",
            when=at,
            where="Court",
        )
    with unit_of_work(legal) as session:
        record_custody(
            session,
            resolve(session, HR_PROSECUTOR),
            evidence_id=evidence_id,
            action="received",
            who="Insp. Horvat",
            when=at,
            where="DORH Zagreb",
            sha256=digest,
        )
        record_custody(
            session,
            resolve(session, SI_CENTRAL_AUTHORITY),
            evidence_id=evidence_id,
            action="examined",
            who="Forensic lab",
            when=at.replace(day=11),
            where="Centar Ivan Vučetić",
            sha256=digest,
        )
    scan.write_bytes(b"%PDF ledger, altered")
    with (  # a different file breaks the chain: refused
        unit_of_work(legal) as session,
        pytest.raises(EvidenceError, match="sha256 differs from the hash first recorded"),
    ):
        record_custody(
            session,
            OPERATOR,
            evidence_id=evidence_id,
            action="admitted",
            who="Judge",
            when=at.replace(day=12),
            where="County Court Zagreb",
            sha256=file_sha256(scan),
        )
    with unit_of_work(legal) as session:
        record_custody(
            session,
            OPERATOR,
            evidence_id=evidence_id,
            action="admitted",
            who="Judge",
            when=at.replace(day=12),
            where="County Court Zagreb",
        )
    (shown,) = show(legal, request_id)["evidence"]
    assert shown["status"] == "admitted" and shown["custody_problems"] == []
    assert [(c["action"], c["who"], c["sha256"]) for c in shown["custody"]] == [
        ("received", "Insp. Horvat", digest),
        ("examined", "Forensic lab", digest),
        ("admitted", "Judge", None),
    ]
    assert shown["custody"][0]["when"] == "2026-12-10T09:00:00+00:00"
    with read_session(legal) as session:
        actions = [
            e.action
            for e in history(session, entity_type="evidence_item", entity_id=str(evidence_id))
        ]
    assert actions == [
        "evidence.requested",
        "evidence.received",
        "evidence.examined",
        "evidence.admitted",
    ]


def test_deadline_notices_are_produced_once(legal: Engine) -> None:
    request_id = open_one(legal)
    advance(legal, request_id, *TO_TRANSMITTED, at=date(2026, 12, 1))

    def watch(on: date) -> list[object]:
        with unit_of_work(legal) as session:
            return record_deadline_notices(session, OPERATOR, on)  # type: ignore[return-value]

    assert watch(date(2026, 12, 1)) == []
    first = watch(date(2026, 12, 24))  # acknowledgement overdue; recognition (12-31) in 7 days
    kinds = {(type(e), e.deadline) for e in first}  # type: ignore[attr-defined]
    assert kinds == {(DeadlineOverdue, "acknowledgement"), (DeadlineApproaching, "recognition")}
    reminder = next(e for e in first if isinstance(e, DeadlineApproaching))
    assert reminder.days_left == 7 and reminder.due == date(2026, 12, 31)
    assert reminder.prosecutor_email == HR_PROSECUTOR
    assert watch(date(2026, 12, 24)) == []  # the same run again: nothing new
    assert watch(date(2026, 12, 25)) == []  # the next day: still the same reminder, not resent
    again = watch(date(2026, 12, 29))  # 2 days before: the 2-day reminder
    assert [(e.deadline, e.days_left) for e in again] == [("recognition", 2)]  # type: ignore[attr-defined]
    late = watch(date(2027, 1, 1))
    assert [(type(e), e.deadline) for e in late] == [(DeadlineOverdue, "recognition")]  # type: ignore[attr-defined]
    notices = show(legal, request_id)["notices"]
    assert [n["kind"] for n in notices] == ["overdue", "reminder", "reminder", "overdue"]
    keys = [n["key"] for n in notices]
    assert len(set(keys)) == 4


def test_route_drafts_reroutes_drafts_whose_facts_changed(legal: Engine) -> None:
    draft = open_one(legal, requesting="RS", requested="HR", case_id="CASE-2026-000002")
    sent = open_one(legal, requesting="RS", requested="HR", case_id="CASE-2026-000002")
    advance(legal, sent, "legal_review")
    with unit_of_work(legal) as session:
        assert route_drafts(session, OPERATOR) == []  # nothing changed since they were opened
    with unit_of_work(legal) as session:  # a scenario says RS is a party to the 2nd AP after all
        session.add(
            MembershipRecord(
                state="RS",
                instrument="ECMA59_2AP",
                origin=Origin.SCENARIO,
                status="party",
                source="scenario mini",
                as_of=TODAY,
                confidence="K",
            )
        )
    before = show(legal, draft)
    with unit_of_work(legal) as session:
        # the request past draft keeps its decision
        assert route_drafts(session, OPERATOR) == [draft]
    after = show(legal, draft)
    assert (before["channel"], after["channel"]) == ("MINISTRY_OF_JUSTICE", "DIRECT_JUDICIAL")
    assert after["legal_basis"] == ["ECMA59", "ECMA59_2AP"]
    assert show(legal, sent)["channel"] == "MINISTRY_OF_JUSTICE"
    with read_session(legal) as session:
        routed = [e for e in history(session, entity_id=draft) if e.action == "request.routed"]
        assert len(routed) == 2 and routed[1].before["decision"]["channel"] == "MINISTRY_OF_JUSTICE"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_keeps_evidence_and_custody_entries_and_matches_the_models(
    backend: str, postgres: PostgresDatabases, tmp_path: Path
) -> None:
    """0003 adds columns to evidence_items in place: rows that custody entries refer to stay;
    the upgraded schema is exactly what the models describe."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    url = (
        f"sqlite:///{tmp_path / 'old.db'}"
        if backend == "sqlite"
        else postgres.url(postgres.create())
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            command.upgrade(alembic_config(connection), "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO cases (id, title, status, priority, score, lead_jurisdiction,"
                    " sharing, opened_at, updated_at, score_breakdown) VALUES ('CASE-2026-000001',"
                    " 't', 'new', 'p3', 0, 'HR', 'participants', :at, :at, '[]')"
                ),
                {"at": datetime(2026, 11, 1, tzinfo=UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO evidence_items (id, case_id, description, status, created_at,"
                    " updated_at) VALUES (1, 'CASE-2026-000001', 'pistol', 'received', :at, :at)"
                ),
                {"at": datetime(2026, 11, 1, tzinfo=UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO custody_entries (evidence_id, actor, at, location, note)"
                    " VALUES (1, 'Insp. Horvat', :at, 'Zagreb', '')"
                ),
                {"at": datetime(2026, 11, 1, tzinfo=UTC)},
            )
        upgrade_schema(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            item = connection.execute(
                text("SELECT request_id, rejection_reason FROM evidence_items WHERE id = 1")
            ).one()
            entry = connection.execute(text("SELECT actor, action FROM custody_entries")).one()
        assert tuple(item) == (None, "") and tuple(entry) == ("Insp. Horvat", "")
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()

"""The legal flows on a real Prefect server: route_requests routes drafts, watch_deadlines produces
each notice once, and the operations cycle opens the demo's requests on the best open cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from cases.kernel.actor import OPERATOR
from cases.kernel.audit import history
from cases.kernel.db import read_session, unit_of_work
from cases.legal.models import DeadlineNotice, LegalRequest
from cases.legal.service import advance_request, open_request
from cases.legal.views import show_request
from cases.reference.models import MembershipRecord, Origin
from flows.operations_cycle import operations_cycle
from flows.route_requests import route_requests
from flows.watch_deadlines import watch_deadlines
from tests.helpers import HR_PROSECUTOR, TO_TRANSMITTED, legal_scenario

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def legal(database: Engine, scenario_dir: Path) -> Engine:
    legal_scenario(database, scenario_dir)
    return database


def open_draft(engine: Engine, **options: object) -> str:
    values: dict[str, object] = {
        "case_id": "CASE-2026-000002",
        "request_type": "mla",
        "requesting": "RS",
        "requested": "HR",
        **options,
    }
    with unit_of_work(engine) as session:
        row, _ = open_request(session, OPERATOR, **values)  # type: ignore[arg-type]
        return row.id


def test_route_requests_routes_drafts_not_yet_routed_or_whose_facts_changed(
    legal: Engine,
) -> None:
    unrouted, changed, unchanged = open_draft(legal), open_draft(legal), open_draft(legal)
    with unit_of_work(legal) as session:
        row = session.get(LegalRequest, unrouted)
        assert row is not None
        row.decision = None  # as a request stored by another path would be
        # a scenario now says RS is a party to the ECMA's 2nd Additional Protocol
        session.add(
            MembershipRecord(
                state="RS",
                instrument="ECMA59_2AP",
                origin=Origin.SCENARIO,
                status="party",
                source="scenario mini",
                as_of=date(2026, 11, 30),
                confidence="K",
            )
        )
        # past draft: keeps its decision
        advance_request(session, OPERATOR, request_id=unchanged, state="legal_review")
    with read_session(legal) as session:
        view = show_request(session, OPERATOR, unrouted, date(2026, 12, 1))
    assert (view["legal_basis"], view["channel"], view["deadlines"]) == ([], None, [])
    assert view["explanation"].startswith("Not routed yet")
    assert route_requests() == {"routed": [unrouted, changed]}
    assert route_requests() == {"routed": []}  # nothing new the second time
    with read_session(legal) as session:
        channels = {
            r.id: r.decision["channel"] for r in session.exec(select(LegalRequest)).scalars()
        }
        assert channels == {
            unrouted: "DIRECT_JUDICIAL",
            changed: "DIRECT_JUDICIAL",
            unchanged: "MINISTRY_OF_JUSTICE",
        }
        routed = [e for e in history(session, entity_id=changed) if e.action == "request.routed"]
        assert [e.actor for e in routed] == ["operator", "operator (route_requests)"]


def test_watch_deadlines_produces_each_notice_once(legal: Engine) -> None:
    request_id = open_draft(legal, case_id="CASE-2026-000001", requesting="HR", requested="SI")
    with unit_of_work(legal) as session:
        for state in TO_TRANSMITTED:
            advance_request(
                session, OPERATOR, request_id=request_id, state=state, at=date(2026, 12, 1)
            )
    first = watch_deadlines(now="2026-12-24")
    assert first["as_of"] == "2026-12-24"
    assert sorted((n["kind"], n["deadline"]) for n in first["notices"]) == [
        ("approaching", "recognition"),
        ("overdue", "acknowledgement"),
    ]
    approaching = next(n for n in first["notices"] if n["kind"] == "approaching")
    assert approaching["key"] == f"deadline-approaching:{request_id}:recognition:2026-12-31:7"
    assert approaching["prosecutor_email"] == HR_PROSECUTOR
    assert watch_deadlines(now="2026-12-24")["notices"] == []
    assert watch_deadlines(now="2026-12-26")["notices"] == []  # same reminder, not again
    assert [n["key"] for n in watch_deadlines(now="2027-01-01")["notices"]] == [
        f"deadline-overdue:{request_id}:recognition:2026-12-31"
    ]
    with read_session(legal) as session:
        assert session.execute(select(func.count()).select_from(DeadlineNotice)).scalar() == 3
        actions = [e.action for e in history(session, entity_id=request_id)]
        assert actions.count("request.deadline_overdue") == 2
        assert actions.count("request.deadline_reminder") == 1


def test_the_operations_cycle_opens_demo_requests_on_the_best_open_cases(
    legal: Engine, scenario_dir: Path
) -> None:
    result = operations_cycle(directory=str(scenario_dir))
    assert result["ok"]
    opened = result["requests"]["requests"]
    # mini scenario: HR and SI are EU members, RS a Western Balkans state
    assert [
        (r["case_id"], r["type"], r["requesting"], r["requested"], r["opened"]) for r in opened
    ] == [
        ("CASE-2026-000001", "mla", "HR", "SI", True),
        ("CASE-2026-000001", "extradition", "HR", "RS", True),
    ]
    assert opened[0]["legal_basis"] == ["EIO"]
    assert opened[0]["first_deadline"] == {
        "name": "acknowledgement",
        "days": 7,
        "starts_on": "transmitted",
    }
    assert opened[1]["legal_basis"] == ["ECE57", "BILATERAL:HR-RS:EXTRADITION_NATIONALS"]
    again = operations_cycle(directory=str(scenario_dir))["requests"]["requests"]
    assert [(r["request_id"], r["opened"]) for r in again] == [
        (r["request_id"], False) for r in opened
    ]
    with read_session(legal) as session:
        assert session.execute(select(func.count()).select_from(LegalRequest)).scalar() == 2


def test_without_open_cases_the_cycle_opens_nothing_and_says_so(
    sqlite_database: Engine, scenario_dir: Path
) -> None:
    result = operations_cycle(directory=str(scenario_dir))
    assert result["requests"] == {
        "requests": [],
        "note": "no open cases: no legal requests opened",
    }
    with read_session(sqlite_database) as session:
        assert session.execute(select(func.count()).select_from(LegalRequest)).scalar() == 0

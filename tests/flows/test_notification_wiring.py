"""Changes that people must hear about reach the outbox in the same transaction as the change."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cases.kernel.actor import OPERATOR, resolve
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.models import Contact, Role
from cases.legal.service import advance_request, open_request
from flows.intake import intake
from flows.watch_deadlines import watch_deadlines
from notifications.models import DigestItem, OutboxMessage
from tests.helpers import (
    HR_PROSECUTOR,
    SI_CENTRAL_AUTHORITY,
    TO_TRANSMITTED,
    cli,
    legal_scenario,
    load_files,
    make_alert,
)

SI_OUTSIDER = "tina@policija.si.example"  # an SI coordinator: neither end's prosecutor nor CA


@pytest.fixture
def legal(database: Engine, scenario_dir: Path) -> Engine:
    legal_scenario(database, scenario_dir)
    with unit_of_work(database) as session:
        session.add(
            Contact(email=SI_OUTSIDER, name="Tina", jurisdiction="SI", role=Role.COORDINATOR)
        )
    return database


def hr_to_si_request(engine: Engine) -> str:
    with unit_of_work(engine) as session:
        prosecutor = resolve(session, HR_PROSECUTOR)
        row, _ = open_request(
            session,
            prosecutor,
            case_id="CASE-2026-000001",
            request_type="mla",
            requesting="HR",
            requested="SI",
        )
        for state in TO_TRANSMITTED[:-1]:
            advance_request(
                session, prosecutor, request_id=row.id, state=state, at=date(2026, 11, 30)
            )
        return row.id


def recipients(engine: Engine, request_id: str) -> tuple[list[str], list[str]]:
    """(immediate messages, daily-digest items) about ``request_id``."""
    with read_session(engine) as session:
        messages = session.exec(
            select(OutboxMessage.recipient).where(OutboxMessage.request_id == request_id)
        ).scalars()
        digest = session.exec(
            select(DigestItem.recipient).where(DigestItem.request_id == request_id)
        ).scalars()
        return sorted(messages), sorted(digest)


def test_transmitting_a_request_tells_the_requested_ca_and_the_prosecutor(
    legal: Engine,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request_id = hr_to_si_request(legal)
    assert recipients(legal, request_id) == ([], [])
    code, _, err = cli(
        capsys, "requests", "advance", request_id, "transmitted", "--at", "2026-12-01"
    )
    assert code == 0, err
    # the SI central authority at once; the HR prosecutor takes a daily digest
    assert recipients(legal, request_id) == ([SI_CENTRAL_AUTHORITY], [HR_PROSECUTOR])


@pytest.mark.usefixtures("prefect_server")
def test_deadline_notices_reach_the_prosecutor_once(legal: Engine) -> None:
    request_id = hr_to_si_request(legal)
    with unit_of_work(legal) as session:
        advance_request(
            session, OPERATOR, request_id=request_id, state="transmitted", at=date(2026, 12, 1)
        )
    _, before = recipients(legal, request_id)
    watch_deadlines(now="2026-12-24")
    watch_deadlines(now="2026-12-24")
    _, after = recipients(legal, request_id)
    # one item per notice (recognition approaching, acknowledgement overdue), not one per run
    assert len(after) - len(before) == 2 and set(after) == {HR_PROSECUTOR}


@pytest.mark.usefixtures("prefect_server")
def test_a_case_opened_by_intake_tells_its_coordinators_once(
    database: Engine, scenario_dir: Path, tmp_path: Path
) -> None:
    load_files(scenario_dir)  # coordinators: HR ana.kovac, RS marko.petrovic, SI maja.novak
    alerts = tmp_path / "alerts.jsonl"
    alerts.write_text(
        json.dumps(
            make_alert(
                jurisdiction="HR",
                corridor="RS-HR-BATROVCI",
                indicators=["undeclared_arms"],
                subjects=[{"type": "company", "country": "RS", "registration": "20123456"}],
            )
        )
        + "\n"
    )
    first = intake(str(alerts))
    assert first["cases_opened"] == 1
    case_id = first["case_ids"][0]
    with read_session(database) as session:
        messages = session.exec(
            select(OutboxMessage.recipient, OutboxMessage.subject).where(
                OutboxMessage.case_id == case_id
            )
        ).all()
    # HR reported, the corridor joins HR and RS, the company is Serbian: HR and RS coordinators;
    # SI does not participate and hears nothing
    assert sorted(r for r, _ in messages) == [
        "ana.kovac@carina.hr.example",
        "marko.petrovic@upravacarina.rs.example",
    ]
    assert all(case_id in subject for _, subject in messages)
    again = intake(str(alerts))
    assert again["duplicates"] == 1 and again["cases_opened"] == 0
    with read_session(database) as session:
        assert len(session.exec(select(OutboxMessage.id)).all()) == 2

"""Sharing levels decide who sees a case; --as answers as that contact would see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from cases.kernel.db import read_session, unit_of_work
from cases.kernel.models import Case, CaseJurisdiction, Contact, Role, Sharing
from cases.kernel.sharing import (
    UnknownContact,
    can_see_case,
    can_see_request,
    viewer_for,
    visible_cases,
)
from tests.helpers import load_files


@pytest.fixture
def shared_cases(database: Engine, scenario_dir: Path) -> Engine:
    load_files(scenario_dir)  # members HR, RS, SI
    with unit_of_work(database) as session:
        session.add(
            Contact(
                email="eva@bmi.at.example", name="Eva", jurisdiction="AT", role=Role.COORDINATOR
            )
        )
        session.add(
            Contact(email="olga@audit.example", name="Olga", jurisdiction="SI", role=Role.AUDITOR)
        )
        for case_id, lead, participants, sharing in [
            ("CASE-2026-000001", "HR", ["HR", "RS"], Sharing.PARTICIPANTS),
            ("CASE-2026-000002", "HR", ["HR", "RS"], Sharing.LEAD),
            ("CASE-2026-000003", "RS", ["RS", "AT"], Sharing.TASKFORCE),
            ("CASE-2026-000004", "AT", ["AT"], Sharing.PARTICIPANTS),
        ]:
            session.add(
                Case(id=case_id, title=f"case {case_id}", lead_jurisdiction=lead, sharing=sharing)
            )
            session.flush()
            for jurisdiction in participants:
                session.add(CaseJurisdiction(case_id=case_id, jurisdiction=jurisdiction))
    return database


def seen_by(engine: Engine, email: str | None) -> list[str]:
    with read_session(engine) as session:
        viewer = viewer_for(session, email)
        return sorted(c.id[-1] for c in session.exec(visible_cases(viewer)).all())


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (None, ["1", "2", "3", "4"]),  # the operator at the console
        ("olga@audit.example", ["1", "2", "3", "4"]),  # an auditor
        ("ana.kovac@carina.hr.example", ["1", "2", "3"]),  # HR: lead of 1, 2; member for 3
        ("marko.petrovic@upravacarina.rs.example", ["1", "3"]),  # RS: participant; 2 is lead-only
        ("maja.novak@fu.si.example", ["3"]),  # SI: member, sees the taskforce case only
        ("eva@bmi.at.example", ["3", "4"]),  # AT: not a member, participant of 3, lead of 4
    ],
)
def test_each_viewer_sees_what_sharing_allows(
    shared_cases: Engine, email: str | None, expected: list[str]
) -> None:
    assert seen_by(shared_cases, email) == expected


def test_can_see_case_agrees_with_the_list(shared_cases: Engine) -> None:
    with read_session(shared_cases) as session:
        viewer = viewer_for(session, "MARKO.PETROVIC@upravacarina.rs.example")
        assert can_see_case(session, viewer, "CASE-2026-000001")
        assert not can_see_case(session, viewer, "CASE-2026-000002")
        assert not can_see_case(session, viewer, "CASE-2026-999999")


def test_an_unknown_viewer_is_a_user_error(shared_cases: Engine) -> None:
    with read_session(shared_cases) as session, pytest.raises(UnknownContact, match="no contact"):
        viewer_for(session, "nobody@example.org")


def test_requests_are_seen_by_both_ends_only(shared_cases: Engine) -> None:
    with read_session(shared_cases) as session:
        hr = viewer_for(session, "ana.kovac@carina.hr.example")
        si = viewer_for(session, "maja.novak@fu.si.example")
        auditor = viewer_for(session, "olga@audit.example")
    assert can_see_request(hr, "HR", "RS") and can_see_request(hr, "RS", "HR")
    assert not can_see_request(si, "HR", "RS")
    assert can_see_request(auditor, "HR", "RS")

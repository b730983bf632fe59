"""Sharing levels decide who sees a case; --as answers as that contact would see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from cases.kernel.actor import OPERATOR, AlertSource, Person, resolve
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.errors import Forbidden
from cases.kernel.models import Case, CaseJurisdiction, Contact, Role, Sharing
from cases.kernel.sharing import (
    can_see_case,
    can_see_request,
    may_see_case,
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
        actor = resolve(session, email)
        return sorted(c.id[-1] for c in session.exec(visible_cases(actor)).all())


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
        viewer = resolve(session, "MARKO.PETROVIC@upravacarina.rs.example")
        assert can_see_case(session, viewer, "CASE-2026-000001")
        assert not can_see_case(session, viewer, "CASE-2026-000002")
        assert not can_see_case(session, viewer, "CASE-2026-999999")


def test_an_unknown_address_acts_as_nobody(shared_cases: Engine) -> None:
    with (
        pytest.raises(Forbidden, match="is not an active contact"),
        read_session(shared_cases) as session,
    ):
        resolve(session, "nobody@example.org")


def test_an_alert_source_sees_no_case(shared_cases: Engine) -> None:
    with read_session(shared_cases) as session:
        assert session.exec(visible_cases(AlertSource("HR-customs", "HR"))).all() == []


def test_requests_are_seen_by_both_ends_only(shared_cases: Engine) -> None:
    with read_session(shared_cases) as session:
        hr = resolve(session, "ana.kovac@carina.hr.example")
        si = resolve(session, "maja.novak@fu.si.example")
        auditor = resolve(session, "olga@audit.example")
    assert can_see_request(hr, "HR", "RS") and can_see_request(hr, "RS", "HR")
    assert not can_see_request(si, "HR", "RS")
    assert can_see_request(auditor, "HR", "RS")


JURISDICTIONS = ("HR", "RS", "SI", "AT")
actors = st.one_of(
    st.just(OPERATOR),
    st.builds(
        Person,
        email=st.just("someone@example.org"),
        name=st.just("Someone"),
        jurisdiction=st.sampled_from(JURISDICTIONS),
        role=st.sampled_from(list(Role)),
        in_taskforce=st.booleans(),
    ),
)
cases = st.tuples(
    st.sampled_from(JURISDICTIONS),
    st.sets(st.sampled_from(JURISDICTIONS), max_size=4),
    st.sampled_from(list(Sharing)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actor=actors, case=cases)
def test_the_sql_rule_and_the_rule_in_memory_agree(
    sqlite_database: Engine, actor: Person, case: tuple[str, set[str], Sharing]
) -> None:
    """``case_visible_to`` (lists) and ``may_see_case`` (one case) are one rule in two forms."""
    lead, participants, sharing = case
    jurisdictions = {lead, *participants}
    with Session(sqlite_database) as session:
        session.add(Case(id="CASE-2026-777777", title="t", lead_jurisdiction=lead, sharing=sharing))
        session.flush()
        for j in sorted(jurisdictions):
            session.add(CaseJurisdiction(case_id="CASE-2026-777777", jurisdiction=j))
        session.flush()
        in_sql = session.exec(visible_cases(actor).where(Case.id == "CASE-2026-777777")).first()
        session.rollback()
    in_memory = may_see_case(actor, lead=lead, jurisdictions=jurisdictions, sharing=sharing)
    assert (in_sql is not None) == in_memory

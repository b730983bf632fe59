"""The demo's requests: realistic pairs from each open case's jurisdictions (pure planning)."""

from __future__ import annotations

from cases.legal.catalogue import LegalFacts
from cases.legal.demo import OpenCase, first_deadline, plan_demo_requests


def test_demo_pairs_come_from_each_case_s_jurisdictions(facts: LegalFacts) -> None:
    states = facts.states
    cases = [
        OpenCase("CASE-1", ("HR", "RS", "XK")),  # best case: EU and WB, Kosovo avoided
        OpenCase("CASE-2", ("AT", "DE")),
        OpenCase("CASE-3", ("BA", "ME", "RS")),
    ]
    chosen = [
        (d.case_id, d.request_type, d.requesting, d.requested, d.person_nationality)
        for d in plan_demo_requests(cases, states)
    ]
    assert chosen == [
        ("CASE-2", "mla", "AT", "DE", None),
        ("CASE-1", "extradition", "HR", "RS", "RS"),
        ("CASE-3", "mla", "BA", "ME", None),
    ]
    assert plan_demo_requests([OpenCase("CASE-9", ("NG", "GH"))], states) == []


def test_the_first_deadline_is_the_one_that_starts_running_first(route) -> None:
    eio = first_deadline(route("mla", "DE", "AT").deadlines)
    assert eio is not None and (eio.name, eio.starts_on) == ("acknowledgement", "transmitted")
    eaw = first_deadline(route("extradition", "DE", "AT").deadlines)
    assert eaw is not None and eaw.name == "decision"  # after the arrest, before consent
    assert first_deadline(()) is None

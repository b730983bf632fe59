"""Property: the router never raises for any pair of known states and any request kind, and always
returns a channel or MANUAL_REVIEW."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.legal.catalogue import (
    MEASURE_REQUEST_TYPE,
    Capital,
    Flag,
    InstrumentCode,
    Measure,
    Offence,
)
from cases.legal.document_fields import FIELD_BY_NAME
from cases.legal.legal_facts import shipped_legal_facts
from cases.legal.lifecycle import SideEvent
from cases.legal.routing import RequestFacts, route_request

FACTS = shipped_legal_facts()
STATES = sorted(FACTS.states)
BASIS_CODES = {c.value for c in InstrumentCode}
EVENTS = {"transmitted", "acknowledged", "accepted"} | {e.value for e in SideEvent}


@st.composite
def requests(draw: st.DrawFn) -> RequestFacts:
    measure = draw(st.sampled_from(list(Measure)))
    return RequestFacts(
        request_type=MEASURE_REQUEST_TYPE[measure],
        requesting=draw(st.sampled_from(STATES)),
        requested=draw(st.sampled_from(STATES)),
        measure=draw(st.sampled_from([measure, None])),
        person_nationality=draw(st.sampled_from([None, *STATES])),
        urgent=draw(st.booleans()),
        offence=draw(st.sampled_from(list(Offence))),
        max_penalty_years=draw(st.floats(min_value=0, max_value=30, allow_nan=False)),
        transnational=draw(st.booleans()),
        organised_group=draw(st.booleans()),
        capital=draw(st.sampled_from(list(Capital))),
        political_context=draw(st.booleans()),
        request_id=draw(st.sampled_from([None, "REQ-2026-000001"])),
    )


@settings(max_examples=600, deadline=None)
@given(requests())
def test_router_never_raises_and_always_gives_a_channel_or_manual_review(request):
    decision = route_request(FACTS, request)
    assert decision.channel is not None or Flag.MANUAL_REVIEW in decision.flags
    # Well-formed output: known codes, a route that starts with the requesting prosecutor,
    # deadlines that wait for a known event, known document fields.
    for code in decision.legal_basis:
        assert code.split(":")[0] in BASIS_CODES
    if decision.channel is not None:
        assert decision.legal_basis
        assert decision.route[0] == f"prosecutor:{request.requesting}"
        assert decision.route[-1] == f"executing_authority:{request.requested}"
    for deadline in decision.deadlines:
        assert deadline.due is None and deadline.starts_on in EVENTS
    assert all(name in FIELD_BY_NAME for name in decision.required_fields)
    assert decision.legal_basis not in decision.alternatives
    assert len(decision.flags) == len(set(decision.flags))
    json.dumps(decision.to_dict())
    # Deterministic: the same request gives the same decision.
    assert route_request(FACTS, request) == decision


def test_every_pair_and_kind_exhaustively():
    for request_type_measure in Measure:
        kind = MEASURE_REQUEST_TYPE[request_type_measure]
        for r in STATES:
            for q in STATES:
                d = route_request(FACTS, RequestFacts(kind, r, q, measure=request_type_measure))
                assert d.channel is not None or Flag.MANUAL_REVIEW in d.flags, (r, q, kind)

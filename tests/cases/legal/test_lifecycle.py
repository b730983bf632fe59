"""The request lifecycle (SPEC §6): legal paths go through, illegal transitions are refused."""

from __future__ import annotations

from datetime import date

import pytest

from cases.legal.catalogue import RequestStatus as S
from cases.legal.errors import IllegalTransition
from cases.legal.lifecycle import (
    DEADLINE_START_EVENTS,
    FINAL_STATUSES,
    TRANSITIONS,
    RefusalReason,
    SideEvent,
    advance,
    record_event,
)

MAIN_LINE = [
    S.DRAFT,
    S.LEGAL_REVIEW,
    S.TRANSLATION_PENDING,
    S.READY,
    S.TRANSMITTED,
    S.ACKNOWLEDGED,
    S.UNDER_ASSESSMENT,
    S.ACCEPTED,
    S.IN_EXECUTION,
    S.RESULTS_TRANSMITTED,
    S.CLOSED,
]


def test_the_main_line_of_spec_6_goes_through():
    status = MAIN_LINE[0]
    for target in MAIN_LINE[1:]:
        status = advance(status, target)
    assert status is S.CLOSED


@pytest.mark.parametrize(
    "side", [S.INFO_REQUESTED, S.CONSULTATION, S.ASSURANCE_REQUESTED, S.POSTPONED]
)
def test_side_states_branch_from_assessment_and_come_back_or_lead_to_acceptance(side):
    assert advance(S.UNDER_ASSESSMENT, side) is side
    assert advance(side, S.UNDER_ASSESSMENT) is S.UNDER_ASSESSMENT
    assert advance(side, S.ACCEPTED) is S.ACCEPTED


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (S.DRAFT, S.TRANSMITTED),  # no transmission without review
        (S.DRAFT, S.ACCEPTED),
        (S.READY, S.ACCEPTED),
        (S.TRANSMITTED, S.CLOSED),
        (S.TRANSMITTED, S.IN_EXECUTION),
        (S.UNDER_ASSESSMENT, S.RESULTS_TRANSMITTED),
        (S.ACCEPTED, S.UNDER_ASSESSMENT),
        (S.CLOSED, S.DRAFT),
        (S.WITHDRAWN, S.TRANSMITTED),
        (S.LAPSED, S.UNDER_ASSESSMENT),
        (S.DRAFT, S.LAPSED),  # nothing can lapse before it was sent
    ],
)
def test_illegal_transitions_are_refused_with_one_clear_line(status, target):
    with pytest.raises(IllegalTransition) as error:
        advance(status, target)
    message = str(error.value)
    assert "\n" not in message
    assert f"from {status.value} to {target.value}" in message
    assert "allowed from" in message


def test_final_states_have_no_way_out():
    for status in FINAL_STATUSES:
        assert TRANSITIONS[status] == frozenset()
    with pytest.raises(IllegalTransition, match="none \\(final\\)"):
        advance(S.REFUSED, S.UNDER_ASSESSMENT)


def test_withdrawn_from_every_open_state_and_lapsed_only_after_transmission():
    for status in S:
        if status in FINAL_STATUSES:
            continue
        assert advance(status, S.WITHDRAWN) is S.WITHDRAWN
    assert S.LAPSED in TRANSITIONS[S.TRANSMITTED]
    assert S.LAPSED not in TRANSITIONS[S.READY]


def test_translation_can_be_skipped_only_when_none_is_required():
    with pytest.raises(IllegalTransition, match="translation_pending first"):
        advance(S.LEGAL_REVIEW, S.READY)
    assert advance(S.LEGAL_REVIEW, S.READY, translation_required=False) is S.READY


def test_refusal_needs_a_known_reason_code():
    with pytest.raises(IllegalTransition, match="needs a reason code"):
        advance(S.UNDER_ASSESSMENT, S.REFUSED)
    with pytest.raises(IllegalTransition, match="unknown refusal reason"):
        advance(S.UNDER_ASSESSMENT, S.REFUSED, reason="bored")
    assert advance(S.CONSULTATION, S.REFUSED, reason=RefusalReason.OWN_NATIONAL) is S.REFUSED
    with pytest.raises(IllegalTransition, match="refusal only"):
        advance(S.UNDER_ASSESSMENT, S.ACCEPTED, reason="own_national")


def test_returned_deficient_goes_back_to_draft():
    assert advance(S.TRANSMITTED, S.RETURNED_DEFICIENT) is S.RETURNED_DEFICIENT
    assert advance(S.RETURNED_DEFICIENT, S.DRAFT) is S.DRAFT


def test_unknown_status_names_are_refused():
    with pytest.raises(IllegalTransition, match="unknown request status 'sent'"):
        advance(S.READY, "sent")


def test_every_timer_starts_on_a_status_or_a_side_event(facts):
    known = {s.value for s in S} | {e.value for e in SideEvent}
    for instrument in facts.instruments.values():
        for timer in (*instrument.timers, *instrument.pair_timers):
            assert timer.starts_on in known, (instrument.code, timer.name)
            assert set(timer.ends_on) <= known, (instrument.code, timer.name)
            assert (
                timer.starts_on in DEADLINE_START_EVENTS
                or timer.kind.value == "soft"
                or (timer.starts_on in {e.value for e in SideEvent})
            )


def test_events_record_first_occurrence_and_check_side_events():
    events = record_event({}, S.TRANSMITTED, date(2026, 12, 1))
    events = record_event(events, S.TRANSMITTED, date(2026, 12, 5))
    assert events == {"transmitted": date(2026, 12, 1)}
    events = record_event(events, S.TRANSMITTED, date(2026, 12, 5), overwrite=True)
    assert events["transmitted"] == date(2026, 12, 5)
    with pytest.raises(IllegalTransition, match="record arrested first"):
        record_event({}, SideEvent.CONSENT_GIVEN, date(2026, 12, 2), request_type="extradition")
    with pytest.raises(IllegalTransition, match="extradition event"):
        record_event({}, SideEvent.ARRESTED, date(2026, 12, 2), request_type="mla")
    with pytest.raises(IllegalTransition, match="unknown event"):
        record_event({}, "sneezed", date(2026, 12, 2))
    arrested = record_event({}, "arrested", date(2026, 12, 2), request_type="extradition")
    assert record_event(arrested, "consent_given", date(2026, 12, 3))["consent_given"] == date(
        2026, 12, 3
    )

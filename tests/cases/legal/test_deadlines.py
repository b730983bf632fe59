"""Deadlines from instrument timers and their starting events; the reminder schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cases.legal.catalogue import InstrumentCode, RequestStatus, TimerKind
from cases.legal.deadlines import (
    Deadline,
    DeadlineState,
    ReminderPolicy,
    TrackedRequest,
    compute_due,
    deadline_state,
    deadlines_for,
    due_reminders,
)


def _deadlines(facts, code, request_type, measures=(), urgent=False, policy=ReminderPolicy()):
    return deadlines_for(
        facts.instruments[code].timers,
        request_type=request_type,
        measures=measures,
        urgent=urgent,
        policy=policy,
    )


def _by_name(deadlines):
    return {d.name: d for d in deadlines}


def test_eio_recognition_for_a_request_transmitted_on_1_december_is_due_31_december(facts):
    # EIO art. 12(3): recognition no later than 30 days after receipt.
    deadlines = compute_due(
        _deadlines(facts, InstrumentCode.EIO, "mla", ["evidence"]),
        {"transmitted": date(2026, 12, 1)},
    )
    recognition = _by_name(deadlines)["recognition"]
    assert recognition.due == date(2026, 12, 31)
    assert recognition.kind is TimerKind.HARD
    # EIO art. 12(4): execution within 90 days after the recognition decision — not started yet.
    assert _by_name(deadlines)["execution"].due is None
    assert _by_name(deadlines)["execution"].starts_on == "accepted"


def test_eio_execution_runs_90_days_from_recognition(facts):
    deadlines = compute_due(
        _deadlines(facts, InstrumentCode.EIO, "mla", ["evidence"]),
        {"transmitted": date(2026, 12, 1), "accepted": date(2026, 12, 20)},
    )
    assert _by_name(deadlines)["execution"].due == date(2027, 3, 20)


def test_eio_provisional_measure_decision_only_for_provisional_measures(facts):
    # EIO art. 32(2): decide on a provisional measure within 24 hours wherever practicable.
    plain = _by_name(_deadlines(facts, InstrumentCode.EIO, "mla", ["evidence"]))
    freezing = _by_name(_deadlines(facts, InstrumentCode.EIO, "mla", ["provisional_measure"]))
    assert "provisional_measure_decision" not in plain
    assert freezing["provisional_measure_decision"].days == 1


def test_eaw_decision_60_days_after_arrest_and_10_after_consent(facts):
    # EAW art. 17(3): final decision within 60 days after arrest; art. 17(2): 10 days after consent.
    deadlines = _by_name(
        compute_due(
            _deadlines(facts, InstrumentCode.EAW, "extradition", ["surrender"]),
            {"arrested": date(2026, 3, 2), "consent_given": date(2026, 3, 5)},
        )
    )
    assert deadlines["decision"].due == date(2026, 5, 1)
    assert deadlines["decision_after_consent"].due == date(2026, 3, 15)
    # EAW art. 23(2): surrender within 10 days of the final decision — not yet taken.
    assert deadlines["surrender"].due is None and deadlines["surrender"].days == 10


def test_eaw_decision_waits_for_the_arrest(facts):
    deadlines = _by_name(
        compute_due(_deadlines(facts, InstrumentCode.EAW, "extradition", ["surrender"]), {})
    )
    assert deadlines["decision"].due is None
    assert deadlines["decision"].starts_on == "arrested"


def test_ece_provisional_arrest_18_and_40_days(facts):
    # ECE art. 16(4): may end after 18 days, must end after 40 days without a request.
    deadlines = _by_name(
        compute_due(
            _deadlines(facts, InstrumentCode.ECE57, "extradition", ["provisional_arrest"]),
            {"arrested": date(2026, 1, 10)},
        )
    )
    assert deadlines["provisional_arrest_may_release"].due == date(2026, 1, 28)
    assert deadlines["provisional_arrest_must_release"].due == date(2026, 2, 19)


def test_chase_reminders_only_where_no_hard_deadline_covers_the_decision(facts):
    # UNTOC art. 18(24): "as soon as possible" — no deadline, so the soft chase applies.
    untoc = _deadlines(facts, InstrumentCode.UNTOC, "mla", ["evidence"])
    assert [(d.name, d.days, d.kind) for d in untoc] == [
        ("chase_30", 30, TimerKind.SOFT),
        ("chase_60", 60, TimerKind.SOFT),
        ("chase_90", 90, TimerKind.SOFT),
    ]
    assert all(d.starts_on == "transmitted" for d in untoc)
    eio = _deadlines(facts, InstrumentCode.EIO, "mla", ["evidence"])
    assert not any(d.kind is TimerKind.SOFT for d in eio)
    # Configurable: urgent requests are chased weekly; other chase days can be set.
    assert [d.days for d in _deadlines(facts, InstrumentCode.UNTOC, "mla", urgent=True)] == [
        7,
        14,
        21,
    ]
    custom = ReminderPolicy(chase_days=(45, 120))
    assert [d.days for d in _deadlines(facts, InstrumentCode.UNTOC, "mla", policy=custom)] == [
        45,
        120,
    ]


def test_deadline_state_follows_events(facts):
    recognition = _by_name(_deadlines(facts, InstrumentCode.EIO, "mla"))["recognition"]
    sent = {"transmitted": date(2026, 12, 1)}
    assert deadline_state(recognition, {}, date(2026, 12, 2)) is DeadlineState.WAITING
    assert deadline_state(recognition, sent, date(2026, 12, 31)) is DeadlineState.RUNNING
    assert deadline_state(recognition, sent, date(2027, 1, 1)) is DeadlineState.OVERDUE
    met = {**sent, "accepted": date(2026, 12, 20)}
    assert deadline_state(recognition, met, date(2027, 1, 1)) is DeadlineState.MET
    assert (
        deadline_state(recognition, sent, date(2027, 1, 1), RequestStatus.WITHDRAWN)
        is DeadlineState.ENDED
    )


def _tracked(facts, events, status=RequestStatus.TRANSMITTED, code=InstrumentCode.EIO):
    return TrackedRequest(
        request_id="REQ-2026-000042",
        status=status,
        deadlines=_deadlines(facts, code, "mla", ["evidence"]),
        events=events,
    )


def test_reminders_before_and_overdue_after_each_hard_deadline(facts):
    request = _tracked(facts, {"transmitted": date(2026, 12, 1)})
    # Recognition due 31 Dec; acknowledgement (art. 16(1), 7 days) due 8 Dec.
    assert due_reminders([request], date(2026, 12, 1)) == []
    on_6th = {(e.deadline, e.kind) for e in due_reminders([request], date(2026, 12, 6))}
    assert on_6th == {("acknowledgement", "reminder")}  # 2 days before 8 Dec
    on_24th = {e.key for e in due_reminders([request], date(2026, 12, 24))}
    assert "REQ-2026-000042:recognition:reminder-7d:2026-12-31" in on_24th
    assert "REQ-2026-000042:acknowledgement:overdue:2026-12-08" in on_24th
    on_jan = due_reminders([request], datetime(2027, 1, 1, 9, tzinfo=UTC))
    recognition = [e for e in on_jan if e.deadline == "recognition"]
    assert [(e.kind, e.fire_on, e.days_left) for e in recognition] == [
        ("overdue", date(2027, 1, 1), -1)
    ]


def test_reminder_keys_are_stable_and_only_the_latest_reminder_is_due(facts):
    request = _tracked(facts, {"transmitted": date(2026, 12, 1)})
    first = {e.key for e in due_reminders([request], date(2026, 12, 29))}
    again = {e.key for e in due_reminders([request], date(2026, 12, 29))}
    assert first == again
    recognition = [k for k in first if ":recognition:" in k]
    assert recognition == ["REQ-2026-000042:recognition:reminder-2d:2026-12-31"]


def test_no_reminders_for_met_waiting_or_closed_requests(facts):
    met = _tracked(
        facts,
        {
            "transmitted": date(2026, 12, 1),
            "acknowledged": date(2026, 12, 2),
            "accepted": date(2026, 12, 10),
        },
    )
    names = {e.deadline for e in due_reminders([met], date(2027, 1, 5))}
    assert "recognition" not in names and "acknowledgement" not in names
    assert due_reminders([_tracked(facts, {})], date(2027, 1, 5)) == []
    closed = _tracked(facts, {"transmitted": date(2026, 12, 1)}, RequestStatus.WITHDRAWN)
    assert due_reminders([closed], date(2027, 1, 5)) == []


def test_soft_chase_fires_once_on_its_day(facts):
    request = _tracked(facts, {"transmitted": date(2026, 12, 1)}, code=InstrumentCode.UNTOC)
    assert due_reminders([request], date(2026, 12, 30)) == []
    events = due_reminders([request], date(2026, 12, 31))
    assert [(e.deadline, e.kind, e.key) for e in events] == [
        ("chase_30", "chase", "REQ-2026-000042:chase_30:chase:2026-12-31")
    ]
    # After a long gap only the latest chase reached is due, not a burst of three.
    late = due_reminders([request], date(2027, 3, 5))
    assert [e.deadline for e in late] == ["chase_90"]


@pytest.mark.parametrize("full", [False, True])
def test_deadline_dict_round_trip(full):
    deadline = Deadline(
        "recognition",
        30,
        "transmitted",
        TimerKind.HARD,
        date(2026, 12, 31),
        "EIO",
        "art. 12(3)",
        ("accepted", "refused"),
    )
    data = deadline.to_dict(full=full)
    if not full:
        assert data == {
            "name": "recognition",
            "days": 30,
            "starts_on": "transmitted",
            "due": "2026-12-31",
            "kind": "hard",
        }
        assert Deadline.from_dict(data).due == date(2026, 12, 31)
    else:
        assert Deadline.from_dict(data) == deadline


def test_deadlines_of_a_routed_request_run_from_its_recorded_events(route):
    """End to end: route, record events as `requests advance … --at` would, compute due dates."""
    eio = route("mla", "DE", "AT")
    due = {d.name: d.due for d in compute_due(eio.deadlines, {"transmitted": date(2026, 12, 1)})}
    assert due["recognition"] == date(2026, 12, 31)
    assert due["execution"] is None  # waits for `accepted`
    eaw = route("extradition", "DE", "AT")
    events = {"arrested": date(2026, 12, 1), "consent_given": date(2026, 12, 3)}
    due = {d.name: d.due for d in compute_due(eaw.deadlines, events)}
    assert due["decision"] == date(2027, 1, 30)  # EAW art. 17(3): 60 days after arrest
    assert due["decision_after_consent"] == date(2026, 12, 13)  # art. 17(2): 10 after consent

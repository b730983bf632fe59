"""Deadlines of a request, from the instrument timers and the events that start them.

A deadline runs in calendar days from its starting event (`transmitted`, `accepted`, `arrested`,
…); until that event has happened its `due` is None. Hard deadlines come from the instruments
(instruments.yaml `timers`); where a request has no hard deadline, soft chase reminders
(30/60/90 days after transmission by default, ReminderPolicy) keep it from being forgotten.
`due_reminders` tells the `watch_deadlines` flow which reminder and overdue notices are due now,
each with a stable key so that it is enqueued once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from cases.legal.catalogue import RequestStatus, Timer, TimerKind
from cases.legal.lifecycle import FINAL_STATUSES


@dataclass(frozen=True)
class ReminderPolicy:
    """Soft reminders (practice, legal-cooperation.md §6: "status chase at 30/60/90 d")."""

    chase_days: tuple[int, ...] = (30, 60, 90)
    urgent_chase_days: tuple[int, ...] = (7, 14, 21)  # urgent / detainee cases: weekly chase
    lead_days: tuple[int, ...] = (7, 2)  # reminders before each hard deadline


DEFAULT_POLICY = ReminderPolicy()

_CHASE_ENDS_ON = ("results_transmitted",)


@dataclass(frozen=True)
class Deadline:
    name: str
    days: int
    starts_on: str
    kind: TimerKind
    due: date | None = None
    instrument: str = ""
    article: str = ""
    ends_on: tuple[str, ...] = ()

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """SPEC §6 shape; `full` adds instrument, article and ends_on for storage."""
        data: dict[str, Any] = {
            "name": self.name,
            "days": self.days,
            "starts_on": self.starts_on,
            "due": self.due.isoformat() if self.due else None,
            "kind": self.kind.value,
        }
        if full:
            data.update(
                instrument=self.instrument, article=self.article, ends_on=list(self.ends_on)
            )
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Deadline:
        due = data.get("due")
        return cls(
            name=str(data["name"]),
            days=int(data["days"]),
            starts_on=str(data["starts_on"]),
            kind=TimerKind(str(data["kind"])),
            due=date.fromisoformat(str(due)) if due else None,
            instrument=str(data.get("instrument", "")),
            article=str(data.get("article", "")),
            ends_on=tuple(str(e) for e in data.get("ends_on", ()) or ()),
        )


def timer_applies(timer: Timer, request_type: str, measures: Iterable[str]) -> bool:
    """A timer applies to a request type (e.g. `mla`) or to one of the request's measures."""
    wanted = {request_type, *measures}
    return bool(timer.applies_to & wanted)


def deadline_from_timer(timer: Timer) -> Deadline:
    return Deadline(
        name=timer.name,
        days=timer.days,
        starts_on=timer.starts_on,
        kind=timer.kind,
        instrument=timer.instrument,
        article=timer.article,
        ends_on=timer.ends_on,
    )


def chase_deadlines(urgent: bool, policy: ReminderPolicy = DEFAULT_POLICY) -> tuple[Deadline, ...]:
    """Soft chase reminders after transmission where no hard deadline exists (practice, I)."""
    days = policy.urgent_chase_days if urgent else policy.chase_days
    return tuple(
        Deadline(
            name=f"chase_{d}",
            days=d,
            starts_on=RequestStatus.TRANSMITTED.value,
            kind=TimerKind.SOFT,
            instrument="practice",
            article="no deadline in the instrument (e.g. UNTOC art. 18(24) 'as soon as possible'); "
            "chase and escalate via the networks (Eurojust/EJN, WACAP, CARICOM IMPACS, SEEPAG)",
            ends_on=_CHASE_ENDS_ON,
        )
        for d in days
    )


def deadlines_for(
    timers: Iterable[Timer],
    *,
    request_type: str,
    measures: Iterable[str],
    urgent: bool,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> tuple[Deadline, ...]:
    """The deadlines of a request: the applicable timers, plus chase reminders when no hard
    deadline covers the requested state's decision (no EIO recognition, no EAW decision)."""
    measure_set = set(measures)
    chosen: dict[str, Deadline] = {}
    for timer in timers:
        if timer_applies(timer, request_type, measure_set) and timer.name not in chosen:
            chosen[timer.name] = deadline_from_timer(timer)
    result = list(chosen.values())
    decision_covered = any(
        d.kind is TimerKind.HARD and {"accepted", "refused"} & set(d.ends_on) for d in result
    )
    if not decision_covered:
        result.extend(chase_deadlines(urgent, policy))
    return tuple(result)


def compute_due(deadlines: Iterable[Deadline], events: Mapping[str, date]) -> tuple[Deadline, ...]:
    """Each deadline with `due` = its starting event's date + days; None while the event is "
    "pending."""
    result = []
    for deadline in deadlines:
        start = events.get(deadline.starts_on)
        due = start + timedelta(days=deadline.days) if start is not None else None
        result.append(replace(deadline, due=due))
    return tuple(result)


class DeadlineState(StrEnum):
    WAITING = "waiting"  # the starting event has not happened
    RUNNING = "running"
    MET = "met"  # an ending event happened
    OVERDUE = "overdue"
    ENDED = "ended"  # the request reached a final status


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def deadline_state(
    deadline: Deadline,
    events: Mapping[str, date],
    today: date | datetime,
    status: RequestStatus | None = None,
) -> DeadlineState:
    """Where a deadline stands today (`due` is recomputed from the events)."""
    (current,) = compute_due([deadline], events)
    if any(e in events for e in current.ends_on):
        return DeadlineState.MET
    if status is not None and status in FINAL_STATUSES:
        return DeadlineState.ENDED
    if current.due is None:
        return DeadlineState.WAITING
    return DeadlineState.OVERDUE if _as_date(today) > current.due else DeadlineState.RUNNING


@dataclass(frozen=True)
class TrackedRequest:
    """What `watch_deadlines` knows of one open request."""

    request_id: str
    status: RequestStatus
    deadlines: Sequence[Deadline]
    events: Mapping[str, date]


@dataclass(frozen=True)
class ReminderEvent:
    key: str  # stable: request, deadline, kind, due date — enqueue once (outbox dedupe key)
    request_id: str
    deadline: str
    kind: str  # reminder | overdue | chase
    fire_on: date
    due: date
    days_left: int  # negative when overdue


def due_reminders(
    requests: Iterable[TrackedRequest],
    now: date | datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> list[ReminderEvent]:
    """Reminder and overdue notices due at `now` for every request.

    Hard deadline: a reminder `lead_days` before it (only the latest one reached, so a watcher that
    was down does not send a burst; none longer than the deadline itself), and one overdue notice
    the day after it is due.
    Soft deadline: one chase notice on its day (only the latest one reached).
    Nothing for a deadline already met, still waiting for its starting event, or on a request in
    a final status.
    """
    today = _as_date(now)
    result: list[ReminderEvent] = []
    for request in requests:
        if request.status in FINAL_STATUSES:
            continue
        open_deadlines = [
            d
            for d in compute_due(request.deadlines, request.events)
            if d.due is not None and not any(e in request.events for e in d.ends_on)
        ]
        chases_due = [
            d.due for d in open_deadlines if d.kind is TimerKind.SOFT and d.due and d.due <= today
        ]
        latest_chase = max(chases_due, default=None)
        for deadline in open_deadlines:
            assert deadline.due is not None
            due = deadline.due
            base = f"{request.request_id}:{deadline.name}"
            if deadline.kind is TimerKind.SOFT:
                if due == latest_chase:  # only the latest chase reached: no burst after downtime
                    result.append(
                        ReminderEvent(
                            f"{base}:chase:{due.isoformat()}",
                            request.request_id,
                            deadline.name,
                            "chase",
                            due,
                            due,
                            (due - today).days,
                        )
                    )
                continue
            if today > due:
                fire_on = due + timedelta(days=1)
                result.append(
                    ReminderEvent(
                        f"{base}:overdue:{due.isoformat()}",
                        request.request_id,
                        deadline.name,
                        "overdue",
                        fire_on,
                        due,
                        (due - today).days,
                    )
                )
                continue
            # A reminder falls strictly after the deadline started (none on a 7-day deadline's
            # first day for a 7-day lead).
            reached = [
                lead
                for lead in policy.lead_days
                if lead < deadline.days and due - timedelta(days=lead) <= today
            ]
            if reached:
                lead = min(reached)
                result.append(
                    ReminderEvent(
                        f"{base}:reminder-{lead}d:{due.isoformat()}",
                        request.request_id,
                        deadline.name,
                        "reminder",
                        due - timedelta(days=lead),
                        due,
                        (due - today).days,
                    )
                )
    return result

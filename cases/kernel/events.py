"""Domain events: what happened that people must hear about (SPEC §8 triggers).

A use case ``publish``-es its events into the session of its unit of work; when the unit of work
commits, it hands them to the subscribers (``notifications.outbox`` writes the outbox rows) in the
same transaction, so an outbox row commits with the change or not at all. The domain never
imports ``notifications``: the door that opens the unit of work wires it (SPEC §1's direction).
Each event has a stable ``key``: the same happening always gives the same key, which makes
re-running a flow enqueue nothing new. Events about requests and plans carry what a notifier needs
to know (jurisdictions, the prosecutor, the shifts), so ``notifications`` needs no tables but
those of ``cases``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CaseOpened:
    """A case was opened (notify: coordinators of its participating jurisdictions)."""

    case_id: str

    @property
    def key(self) -> str:
        return f"case-opened:{self.case_id}"


@dataclass(frozen=True)
class AlertsMerged:
    """New alerts joined an open case (notify: daily digest of its coordinators)."""

    case_id: str
    alert_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"alerts-merged:{self.case_id}:{','.join(map(str, sorted(self.alert_ids)))}"


@dataclass(frozen=True)
class RequestTransmitted:
    """A request was transmitted (notify: requested central authority, requesting prosecutor)."""

    request_id: str
    case_id: str
    request_type: str  # mla, extradition
    requesting: str  # jurisdiction codes
    requested: str
    prosecutor_email: str | None
    transmitted_on: date

    @property
    def key(self) -> str:
        return f"request-transmitted:{self.request_id}"


@dataclass(frozen=True)
class DeadlineApproaching:
    """A legal deadline of a request falls due soon (notify: requesting prosecutor)."""

    request_id: str
    case_id: str
    requesting: str
    requested: str
    prosecutor_email: str | None
    deadline: str  # e.g. recognition, execution, decision
    due: date
    days_left: int

    @property
    def key(self) -> str:
        return f"deadline-approaching:{self.request_id}:{self.deadline}:{self.due}:{self.days_left}"


@dataclass(frozen=True)
class DeadlineOverdue:
    """A legal deadline of a request has passed (notify: requesting prosecutor)."""

    request_id: str
    case_id: str
    requesting: str
    requested: str
    prosecutor_email: str | None
    deadline: str
    due: date

    @property
    def key(self) -> str:
        return f"deadline-overdue:{self.request_id}:{self.deadline}:{self.due}"


@dataclass(frozen=True)
class Shift:
    """One team's assignment in a plan: where and when."""

    team: str
    lead_email: str | None
    corridor: str
    shift: int  # the plan's shift number, 0 = the first shift of the first day
    starts_at: datetime


@dataclass(frozen=True)
class PlanApproved:
    """An inspection plan was approved (notify: each team lead, with their own shifts)."""

    plan_id: str
    assignments: tuple[Shift, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"plan-approved:{self.plan_id}"


DomainEvent = (
    CaseOpened
    | AlertsMerged
    | RequestTransmitted
    | DeadlineApproaching
    | DeadlineOverdue
    | PlanApproved
)


Subscriber = Callable[[Any, list[DomainEvent]], object]
_SUBSCRIBERS: list[Subscriber] = []
_PENDING = "cordon_domain_events"


def subscribe(handler: Subscriber) -> None:
    """Have ``handler(session, events)`` called with the events of every unit of work."""
    if handler not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(handler)


def unsubscribe(handler: Subscriber) -> None:
    if handler in _SUBSCRIBERS:
        _SUBSCRIBERS.remove(handler)


def publish(session: Any, events: Iterable[DomainEvent]) -> None:
    """Hand events to the unit of work of ``session``; they are delivered before it commits."""
    session.info.setdefault(_PENDING, []).extend(events)


def deliver(session: Any) -> None:
    """Give the subscribers every event published in ``session`` (the unit of work calls this
    before committing). Events with nobody to hear them are a wiring defect, never dropped."""
    events: list[DomainEvent] = session.info.pop(_PENDING, [])
    if not events:
        return
    if not _SUBSCRIBERS:
        raise RuntimeError(
            "domain events were published but no outbox listens: import notifications.outbox"
        )
    for handler in _SUBSCRIBERS:
        handler(session, events)


def discard(session: Any) -> None:
    """Forget the events of a unit of work that rolled back."""
    session.info.pop(_PENDING, None)

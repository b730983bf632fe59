"""Domain events: what happened that people must hear about (SPEC §8 triggers).

Domain functions return these; the flow that made the change hands them to
``notifications`` inside the same unit of work, so the outbox row commits with the change.
Each event has a stable ``key``: the same happening always gives the same key, which makes
re-running a flow enqueue nothing new. Events about requests and plans carry what a notifier needs
to know (jurisdictions, the prosecutor, the shifts), so ``notifications`` needs no tables but
those of ``cases``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


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

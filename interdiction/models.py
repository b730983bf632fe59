"""Interdiction tables: corridors, teams, joint-inspection agreements, plans and their outcomes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from cases.kernel.columns import UtcDateTime, json_column, utcnow
from cases.reference.models import Confidence
from interdiction.outcomes import InspectionResult
from interdiction.problem import CorridorKind, TeamKind
from interdiction.solve import SolveStatus


class CorridorRecord(SQLModel, table=True):
    """A corridor as the scenario configures it (``interdiction.problem.Corridor`` is what the
    planner sees: its risk as learned from outcomes)."""

    __tablename__ = "corridors"

    code: str = Field(primary_key=True)
    name: str
    kind: CorridorKind = Field(sa_type=String)
    jurisdictions: list[str] = json_column(default_factory=list)  # the states on either side
    base_risk: int  # 0-100
    locode: str | None = None
    lat: float | None = None
    lon: float | None = None
    source: str
    as_of: date
    confidence: Confidence = Field(sa_type=String)
    active: bool = True


class TeamRecord(SQLModel, table=True):
    """A team as the scenario configures it (``interdiction.problem.Team`` is what the planner
    sees)."""

    __tablename__ = "teams"

    code: str = Field(primary_key=True)
    jurisdiction: str = Field(max_length=2, index=True)
    kind: TeamKind = Field(sa_type=String)
    max_shifts: int
    lead_email: str | None = Field(default=None, foreign_key="contacts.email")
    active: bool = True


class Agreement(SQLModel, table=True):
    """Teams of ``jurisdiction`` may also work at ``corridor`` (a joint-inspection agreement)."""

    __tablename__ = "agreements"

    jurisdiction: str = Field(primary_key=True, max_length=2)
    corridor: str = Field(primary_key=True, foreign_key="corridors.code")


class PlanStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"


class PlanMode(StrEnum):
    COVERAGE = "coverage"  # the plan with the most risk-weighted coverage
    RANDOMIZED = "randomized"  # one roster drawn from the Stackelberg mixture


class Plan(SQLModel, table=True):
    """An inspection plan as computed (SPEC §7): its figures, and who approved and published it."""

    __tablename__ = "plans"

    id: str = Field(primary_key=True)  # PLAN-YYYY-NNNNNN
    status: PlanStatus = Field(default=PlanStatus.PROPOSED, sa_type=String, index=True)
    start: date  # shift 0 starts at 00:00 UTC on this day
    days: int
    shifts_per_day: int
    mode: PlanMode = Field(sa_type=String)
    engine: str  # the engine(s) that produced the roster, as the plan reports them
    solve_status: SolveStatus = Field(sa_type=String)
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    inputs_sha: str  # sha256 of the planning problem: same inputs, same hash
    document: dict[str, Any] = json_column(default_factory=dict)  # SPEC §7's JSON object
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    created_by: str
    approved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    approved_by: str | None = None
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    published_by: str | None = None


class PlanAssignment(SQLModel, table=True):
    """One team's shift in a plan: the roster a team lead receives."""

    __tablename__ = "plan_assignments"

    plan_id: str = Field(foreign_key="plans.id", primary_key=True, ondelete="CASCADE")
    team: str = Field(primary_key=True)
    shift: int = Field(primary_key=True)
    corridor: str = Field(index=True)
    starts_at: datetime = Field(sa_type=UtcDateTime)


class InspectionOutcome(SQLModel, table=True):
    """What an inspection of a plan found; all outcomes at a corridor update its risk."""

    __tablename__ = "inspection_outcomes"

    plan_id: str = Field(foreign_key="plans.id", primary_key=True)
    corridor: str = Field(primary_key=True, index=True)
    shift: int = Field(primary_key=True)
    result: InspectionResult = Field(sa_type=String)
    recorded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    recorded_by: str

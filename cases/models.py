"""The case-side tables: reference facts, the task force, contacts, alerts, cases and the audit log.

Tables are named in the plural (``cases`` avoids SQL's reserved word CASE). Reference facts that a
scenario may override (states, memberships, bilateral treaties) carry an ``origin`` in their key, so
a shipped fact and a scenario's override live side by side and an upgrade of the shipped data never
erases an override.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.columns import UtcDateTime, utcnow


class Confidence(StrEnum):
    VERIFIED = "V"
    KNOWN = "K"
    INFERRED = "I"


class Origin(StrEnum):
    SHIPPED = "shipped"
    SCENARIO = "scenario"


class Role(StrEnum):
    COORDINATOR = "coordinator"
    PROSECUTOR = "prosecutor"
    CENTRAL_AUTHORITY = "central_authority"
    TEAM_LEAD = "team_lead"
    ANALYST = "analyst"
    AUDITOR = "auditor"


class Digest(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class AlertKind(StrEnum):
    CONSIGNMENT = "consignment"
    VESSEL = "vessel"
    END_USER_CERTIFICATE = "end_user_certificate"
    FINANCIAL = "financial"
    SEIZURE = "seizure"
    INTELLIGENCE = "intelligence"


class AlertState(StrEnum):
    PENDING = "pending"  # stored by intake, not yet correlated (the next step takes it)
    WATCH = "watch"  # a weak signal, kept to correlate with later alerts
    IN_CASE = "in_case"


class CaseStatus(StrEnum):
    NEW = "new"
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    INTERDICTION_PLANNED = "interdiction_planned"
    ACTION_TAKEN = "action_taken"
    REFERRED = "referred"
    CLOSED = "closed"


class CaseOutcome(StrEnum):
    SEIZED = "seized"
    NO_ACTION = "no_action"
    FALSE_POSITIVE = "false_positive"
    DUPLICATE = "duplicate"


class Priority(StrEnum):
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"


class Sharing(StrEnum):
    LEAD = "lead"  # the lead jurisdiction only
    PARTICIPANTS = "participants"  # every participating jurisdiction (default)
    TASKFORCE = "taskforce"  # every member of the task force


class QuarantineStatus(StrEnum):
    OPEN = "open"
    REPLAYED = "replayed"


class EvidenceStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


def json_column(**kwargs: Any) -> Any:
    return Field(sa_type=JSON, **kwargs)


# --- reference facts (SPEC §4) -------------------------------------------------------------------


class FactColumns(SQLModel):
    source: str
    as_of: date
    confidence: Confidence = Field(sa_type=String)


class State(FactColumns, table=True):
    __tablename__ = "states"

    iso: str = Field(primary_key=True, max_length=2)
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    name: str
    region: str = ""
    languages: list[str] = json_column(default_factory=list)
    eu_member: bool = False
    coe_member: bool = False
    ecowas_member: bool = False
    interpol_member: bool = False
    death_penalty: str = "unknown"
    death_penalty_confidence: Confidence = Field(default=Confidence.INFERRED, sa_type=String)
    nationals_policy: str = "unknown"
    nationals_confidence: Confidence = Field(default=Confidence.INFERRED, sa_type=String)
    special_flag: str | None = None


class Instrument(FactColumns, table=True):
    __tablename__ = "instruments"

    code: str = Field(primary_key=True)
    name: str
    layer: str
    covers: list[str] = json_column(default_factory=list)
    details: dict[str, Any] = json_column(default_factory=dict)  # channels, timers, required fields


class Membership(FactColumns, table=True):
    __tablename__ = "memberships"

    state: str = Field(primary_key=True, max_length=2)
    instrument: str = Field(primary_key=True)
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    status: str  # party, not_party, signatory, unknown, uncertain


class BilateralTreaty(FactColumns, table=True):
    __tablename__ = "bilateral_treaties"

    a: str = Field(primary_key=True, max_length=2)  # the pair in alphabetical order
    b: str = Field(primary_key=True, max_length=2)
    type: str = Field(primary_key=True)  # MLA, EXTRADITION, EXTRADITION_NATIONALS
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    scope: str = ""
    in_force: str = ""


class Embargo(FactColumns, table=True):
    __tablename__ = "embargoes"

    state: str = Field(primary_key=True, max_length=2)
    scope: str
    regime: str
    since: str = ""


class Indicator(FactColumns, table=True):
    __tablename__ = "indicators"

    code: str = Field(primary_key=True)
    weight: float
    derived: bool = False
    meaning: str = ""


class HsHeading(FactColumns, table=True):
    __tablename__ = "hs_headings"

    heading: str = Field(primary_key=True)
    description: str


class ReferenceFile(SQLModel, table=True):
    """Which version of each shipped reference file is loaded (its sha256)."""

    __tablename__ = "reference_files"

    name: str = Field(primary_key=True)
    sha256: str
    loaded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


# --- the task force (SPEC §3) --------------------------------------------------------------------


class TaskForce(SQLModel, table=True):
    """The scenario's settings; one task force per database."""

    __tablename__ = "task_force"

    id: int = Field(default=1, primary_key=True)
    name: str
    members: list[str] = json_column(default_factory=list)
    risk_threshold: float = 0.6
    shifts_per_day: int = 3
    shift_risk_factors: list[float] = json_column(default_factory=lambda: [1.0, 0.8, 1.3])
    indicator_weights: dict[str, float] = json_column(default_factory=dict)  # overrides


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"

    email: str = Field(primary_key=True)
    name: str
    jurisdiction: str = Field(max_length=2, index=True)
    role: Role = Field(sa_type=String)
    language: str = "en"
    digest: Digest = Field(default=Digest.IMMEDIATE, sa_type=String)
    active: bool = True


class WatchlistEntry(SQLModel, table=True):
    __tablename__ = "watchlist"

    type: str = Field(primary_key=True)  # vessel, company, person, euc, firearm
    identifier: str = Field(primary_key=True)  # the normalised strong identifier (SPEC §5 step 4)
    note: str = ""


# --- alerts (SPEC §5) ----------------------------------------------------------------------------


class Alert(SQLModel, table=True):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    source_ref: str
    observed_at: datetime = Field(sa_type=UtcDateTime)
    received_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    jurisdiction: str = Field(max_length=2)
    corridor: str | None = None
    kind: AlertKind = Field(sa_type=String)
    indicators: list[str] = json_column(default_factory=list)  # as reported, plus derived ones
    score: float = 0.0
    state: AlertState = Field(sa_type=String, default=AlertState.WATCH, index=True)
    payload: dict[str, Any] = json_column(
        default_factory=dict
    )  # the raw object, unknown fields kept


class AlertIdentifier(SQLModel, table=True):
    """A normalised strong identifier carried by an alert, e.g. ``vessel:9074729``."""

    __tablename__ = "alert_identifiers"

    alert_id: int = Field(foreign_key="alerts.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, index=True)


class QuarantinedLine(SQLModel, table=True):
    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_origin_line", "origin", "line_no"),)

    id: int | None = Field(default=None, primary_key=True)
    origin: str  # the file the line came from, "-" for stdin
    line_no: int
    raw_text: str
    reason: str
    status: QuarantineStatus = Field(sa_type=String, default=QuarantineStatus.OPEN, index=True)
    received_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    replayed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


# --- cases (SPEC §5 step 6) ----------------------------------------------------------------------


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: str = Field(primary_key=True)  # CASE-YYYY-NNNNNN
    title: str
    status: CaseStatus = Field(sa_type=String, default=CaseStatus.NEW, index=True)
    outcome: CaseOutcome | None = Field(default=None, sa_type=String)
    priority: Priority = Field(default=Priority.P3, sa_type=String)
    score: float = 0.0
    lead_jurisdiction: str = Field(max_length=2)
    sharing: Sharing = Field(default=Sharing.PARTICIPANTS, sa_type=String)
    opened_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # [{"indicator", "weight", "alerts": [{"source", "source_ref"}, ...]}]: why it was opened
    score_breakdown: list[dict[str, Any]] = json_column(default_factory=list)


class CaseAlert(SQLModel, table=True):
    """An alert's place in a case; an alert belongs to at most one case."""

    __tablename__ = "case_alerts"

    alert_id: int = Field(foreign_key="alerts.id", primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    linked_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class CaseJurisdiction(SQLModel, table=True):
    __tablename__ = "case_jurisdictions"

    case_id: str = Field(foreign_key="cases.id", primary_key=True, ondelete="CASCADE")
    jurisdiction: str = Field(primary_key=True, max_length=2, index=True)


class CaseCorridor(SQLModel, table=True):
    __tablename__ = "case_corridors"

    case_id: str = Field(foreign_key="cases.id", primary_key=True, ondelete="CASCADE")
    corridor: str = Field(primary_key=True, index=True)


class CaseLink(SQLModel, table=True):
    """Two cases related (``related``: by a coordinator, a merge that touched both, or a split).

    One row per pair, read in both directions. Possible links by name are not stored: they are
    suggested when a case is shown (``cases.queries.possible_links``).
    """

    __tablename__ = "case_links"

    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    other_case_id: str = Field(foreign_key="cases.id", primary_key=True, index=True)
    kind: str = "related"
    note: str = ""


class Subject(SQLModel, table=True):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    type: str  # company, vessel, person, euc, firearm
    key: str | None = Field(default=None, index=True)  # normalised strong identifier, if any
    name: str = ""
    name_key: str | None = Field(default=None, index=True)  # the name compacted: possible links
    country: str | None = None
    details: dict[str, Any] = json_column(default_factory=dict)


class EvidenceItem(SQLModel, table=True):
    __tablename__ = "evidence_items"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    # the legal request that asks for it (cases/legal/models.py), if any
    request_id: str | None = Field(default=None, foreign_key="legal_requests.id", index=True)
    description: str
    status: EvidenceStatus = Field(default=EvidenceStatus.REQUESTED, sa_type=String)
    rejection_reason: str = ""
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class CustodyEntry(SQLModel, table=True):
    """One link of an evidence item's chain of custody: who held it, when, where, file hash."""

    __tablename__ = "custody_entries"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence_items.id", index=True)
    actor: str
    at: datetime = Field(sa_type=UtcDateTime)
    location: str = ""
    action: str = ""  # received, transferred, examined, stored, admitted, rejected
    sha256: str | None = None
    note: str = ""


class Task(SQLModel, table=True):
    __tablename__ = "tasks"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    title: str
    assignee: str | None = None
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=String)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class Counter(SQLModel, table=True):
    """Named counters for human-readable ids (``CASE-2026`` → 42 gives ``CASE-2026-000042``)."""

    __tablename__ = "counters"

    name: str = Field(primary_key=True)
    value: int = 0


# --- the audit log (SPEC §10) --------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """One link of the append-only, hash-chained audit log."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    seq: int = Field(primary_key=True)  # 1, 2, 3, ... without gaps
    at: str  # ISO 8601 UTC, as hashed
    actor: str
    action: str
    entity_type: str
    entity_id: str
    case_id: str | None = Field(default=None, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    prev_hash: str
    hash: str = Field(unique=True)


# The legal-request tables, which evidence items refer to, belong to the same schema.
import cases.legal.models  # noqa: E402, F401

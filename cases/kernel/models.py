"""The tables the whole of ``cases`` reads: people, the task force, the case file, counters and the
audit log.

Tables are named in the plural (``cases`` avoids SQL's reserved word CASE). The case file (alerts,
cases, subjects and the links between them) sits here rather than in ``casework`` because intake,
legal cooperation, sharing and notifications all read it: one schema below every use case.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.kernel.columns import UtcDateTime, json_column, utcnow


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


# --- credentials (SPEC §13): only hashes are stored -------------------------------------------


class Login(SQLModel, table=True):
    """A contact's password for the web pages, as an argon2 hash."""

    __tablename__ = "logins"

    email: str = Field(primary_key=True, foreign_key="contacts.email")
    password_hash: str
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class PersonalToken(SQLModel, table=True):
    """A bearer token of a contact (or, with no e-mail, of the operator): ``public_id`` finds it,
    the SHA-256 of its secret proves it."""

    __tablename__ = "personal_tokens"

    public_id: str = Field(primary_key=True)
    email: str | None = Field(default=None, foreign_key="contacts.email", index=True)
    secret_sha256: str
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SourceKey(SQLModel, table=True):
    """An alert source allowed to push alerts over HTTP under its ``name`` (its API key's hash)."""

    __tablename__ = "alert_sources"

    name: str = Field(primary_key=True)
    jurisdiction: str | None = Field(default=None, max_length=2)
    public_id: str = Field(unique=True)
    secret_sha256: str
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


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
    # the corridor's jurisdictions when the alert arrived: case facts need nothing but alerts
    corridor_jurisdictions: list[str] = json_column(default_factory=list)
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
    suggested when a case is shown (``cases.casework.views.possible_links``).
    """

    __tablename__ = "case_links"

    case_id: str = Field(foreign_key="cases.id", primary_key=True)
    other_case_id: str = Field(foreign_key="cases.id", primary_key=True, index=True)
    kind: str = "related"
    note: str = ""


class CaseNote(SQLModel, table=True):
    """A note on a case by someone working it (SPEC §10.1), in the order written."""

    __tablename__ = "case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    author: str  # the acting Actor's label
    at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    text: str


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


class Counter(SQLModel, table=True):
    """Named counters for human-readable ids (``CASE-2026`` → 42 gives ``CASE-2026-000042``)."""

    __tablename__ = "counters"

    name: str = Field(primary_key=True)
    value: int = 0


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

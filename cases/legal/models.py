"""The legal-request tables: a request on a case, its history, the deadline notices sent, and the
evidence it asks for with its chain of custody.

A request stores the facts it was routed on, the routing decision in full form
(`RoutingDecision.to_dict(full=True)`: each deadline keeps its instrument, article and ending
events) and the document fields. Its history — status changes and side events such as an arrest,
each with the date it happened — is what deadlines are computed from. Evidence a request asks for
lives in `evidence_items` (with `request_id`) and its chain of custody in `custody_entries`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

import cases.kernel.models  # noqa: F401  (cases and contacts, which these tables refer to)
from cases.kernel.columns import UtcDateTime, utcnow


class LegalRequest(SQLModel, table=True):
    """An MLA or extradition request (SPEC §6); id `REQ-YYYY-NNNNNN`."""

    __tablename__ = "legal_requests"

    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    type: str  # mla, extradition
    measure: str | None = None  # None: the type's default measure
    requesting: str = Field(max_length=2, index=True)
    requested: str = Field(max_length=2, index=True)
    person_nationality: str | None = Field(default=None, max_length=2)
    urgent: bool = False
    offence: str = "firearms_trafficking"
    max_penalty_years: float = 10
    transnational: bool = True
    organised_group: bool = True
    capital: str = "unknown"
    status: str = Field(default="draft", index=True)
    refusal_reason: str | None = None
    # RoutingDecision.to_dict(full=True); None until routed
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    routed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # document fields (legal-cooperation.md §5): name → text, list of lines or mapping
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prosecutor_email: str | None = None  # the requesting prosecutor (notifications, SPEC §8)
    opened_by: str = "cordon"
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class RequestEvent(SQLModel, table=True):
    """One line of a request's history: a status reached or a side event, on the day it happened.

    `kind` is `status` (from_status → event) or `side` (arrested, consent_given, …: the status does
    not change). Deadlines run from `happened_on`; `recorded_at` is when Cordon was told.
    """

    __tablename__ = "request_events"
    __table_args__ = (Index("ix_request_events_request_id_id", "request_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="legal_requests.id")
    kind: str  # status, side
    event: str  # the status reached or the side event
    from_status: str | None = None
    happened_on: date
    recorded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    actor: str
    note: str = ""
    reason: str | None = None  # refusal reason code


class DeadlineNotice(SQLModel, table=True):
    """A reminder, chase or overdue notice that `watch_deadlines` produced, once per stable key."""

    __tablename__ = "deadline_notices"

    key: str = Field(primary_key=True)  # ReminderEvent.key: request:deadline:kind:due
    request_id: str = Field(foreign_key="legal_requests.id", index=True)
    deadline: str
    kind: str  # reminder, chase, overdue
    due: date
    fire_on: date
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class EvidenceStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class EvidenceItem(SQLModel, table=True):
    __tablename__ = "evidence_items"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    # the legal request that asks for it, if any
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

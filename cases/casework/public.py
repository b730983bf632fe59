"""What the case use cases answer (SPEC §5 shapes): typed, so every door prints the same JSON.

``model_dump(mode="json")`` of each model is exactly the contract's object: the CLI prints it as
JSON and the HTTP API returns it (its OpenAPI schema comes from these classes).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from cases.kernel.models import CaseOutcome, CaseStatus, Priority, Sharing


class CaseItem(BaseModel):
    """One line of the case queue (``cordon cases list``)."""

    id: str
    title: str
    status: CaseStatus
    priority: Priority
    score: float
    lead_jurisdiction: str
    jurisdictions: list[str]
    corridors: list[str]
    alert_count: int
    opened_at: str | None


class CaseAlert(BaseModel):
    source: str
    source_ref: str
    observed_at: str | None
    jurisdiction: str
    kind: str
    indicators: list[str]


class CaseSubject(BaseModel):
    type: str
    key: str | None
    name: str
    country: str | None
    details: dict[str, Any]


class ScoreAlert(BaseModel):
    source: str
    source_ref: str


class ScoreRow(BaseModel):
    """One indicator of the score: its weight and the alerts it came from."""

    indicator: str
    weight: float
    alerts: list[ScoreAlert]


class RelatedCase(BaseModel):
    id: str
    kind: str
    note: str


class PossibleLink(BaseModel):
    id: str
    subject_type: str
    name: str
    reason: str


class TimelineEntry(BaseModel):
    at: str
    actor: str
    action: str


class CaseNoteItem(BaseModel):
    author: str
    at: str | None
    text: str


class CaseDetail(CaseItem):
    """One case (``cordon cases show``): the list item and everything behind it."""

    outcome: CaseOutcome | None
    sharing: Sharing
    updated_at: str | None
    closed_at: str | None
    alerts: list[CaseAlert]
    subjects: list[CaseSubject]
    score_breakdown: list[ScoreRow]
    related: list[RelatedCase]
    possible_links: list[PossibleLink]
    requests: list[dict[str, Any]]
    timeline: list[TimelineEntry]
    notes: list[CaseNoteItem]


class CaseState(BaseModel):
    """A case after a transition (``cordon cases transition``)."""

    id: str
    status: CaseStatus
    outcome: CaseOutcome | None


class CaseLinked(BaseModel):
    id: str
    related: str
    created: bool


class CaseSplit(BaseModel):
    id: str
    new_case: str
    moved: list[str]


class CaseShared(BaseModel):
    id: str
    sharing: Sharing
    changed: bool


class CaseNoted(BaseModel):
    id: str
    note: CaseNoteItem

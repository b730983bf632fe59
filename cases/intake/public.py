"""What intake answers (SPEC §5's summary) and what the quarantine shows, typed for every door."""

from __future__ import annotations

from pydantic import BaseModel


class LineRejected(BaseModel):
    line: int
    reason: str


class IngestSummary(BaseModel):
    """SPEC §5: ``accepted = received − rejected − duplicates``."""

    received: int
    accepted: int
    rejected: int
    duplicates: int
    cases_opened: int
    alerts_merged: int
    watch: int
    case_ids: list[str]
    rejections: list[LineRejected]


class QuarantinedItem(BaseModel):
    id: int
    origin: str
    line: int
    reason: str
    status: str
    received_at: str | None
    replayed_at: str | None
    raw_text: str

"""The quarantine: alert lines that failed validation, kept with their raw text (SPEC §5 step 1)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from cases.kernel.columns import UtcDateTime, utcnow


class QuarantineStatus(StrEnum):
    OPEN = "open"
    REPLAYED = "replayed"


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

"""Human-readable ids from named counters: ``REQ-2026`` → 42 gives ``REQ-2026-000042``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cases.kernel.models import Counter


def next_number(session: Session, name: str) -> int:
    """The counter's next value, in the session's transaction (one atomic upsert: concurrent
    writers on PostgreSQL never get the same number, and a rolled-back unit of work uses none)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Counter.__table__  # type: ignore[attr-defined]
    statement = (
        dialect.insert(table)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + 1})
        .returning(table.c.value)
    )
    return int(session.execute(statement).scalar_one())


def next_id(session: Session, prefix: str, on: date) -> str:
    """``PREFIX-YYYY-NNNNNN``, numbered per prefix and year."""
    number = next_number(session, f"{prefix}-{on.year}")
    return f"{prefix}-{on.year}-{number:06d}"

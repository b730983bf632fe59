"""Make a table hold exactly the rows of a file: insert what is new, update what changed.

Loading the same file twice changes nothing; the counts say what a load did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, SQLModel, select

Table = TypeVar("Table", bound=SQLModel)


class Missing(StrEnum):
    """What happens to a stored row that the file no longer has."""

    DELETE = "delete"
    DEACTIVATE = "deactivate"  # keep it (plans and cases refer to it) but set ``active`` false
    KEEP = "keep"


@dataclass
class FileLoad:
    """What loading one file did."""

    file: str
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "inserted": self.inserted,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def _columns(model: type[SQLModel]) -> list[str]:
    return [c.key for c in sa_inspect(model).column_attrs]


def sync_rows(
    session: Session,
    model: type[Table],
    rows: Sequence[Table],
    *,
    key: Sequence[str],
    file: str,
    scope: dict[str, Any] | None = None,
    missing: Missing = Missing.DELETE,
) -> FileLoad:
    """Make the rows of ``model`` within ``scope`` equal to ``rows``, matched by ``key``."""
    columns = _columns(model)
    query = select(model)
    for column, value in (scope or {}).items():
        query = query.where(getattr(model, column) == value)
    stored = {tuple(getattr(r, k) for k in key): r for r in session.exec(query).all()}
    result = FileLoad(file)
    seen = set()
    for row in rows:
        row_key = tuple(getattr(row, k) for k in key)
        seen.add(row_key)
        existing = stored.get(row_key)
        if existing is None:
            session.add(row)
            result.inserted += 1
            continue
        changes = {c: getattr(row, c) for c in columns if getattr(existing, c) != getattr(row, c)}
        if changes:
            for column, value in changes.items():
                setattr(existing, column, value)
            result.updated += 1
        else:
            result.unchanged += 1
    for row_key, existing in stored.items():
        if row_key in seen:
            continue
        if missing is Missing.DELETE:
            session.delete(existing)
            result.removed += 1
        elif missing is Missing.DEACTIVATE and getattr(existing, "active", False):
            existing.active = False
            result.removed += 1
    session.flush()
    return result

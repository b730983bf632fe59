"""``cordon init``: bring the schema to the newest migration and load the shipped reference data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from cases.kernel import audit
from cases.kernel.actor import OPERATOR
from cases.kernel.db import (
    check_reachable,
    current_revision,
    head_revision,
    read_session,
    unit_of_work,
    upgrade_schema,
)
from cases.reference.loading import load_reference_data, reference_files_changed
from cases.reference.sync import FileLoad


@dataclass
class InitReport:
    revision_before: str | None
    revision: str | None
    reference: list[FileLoad] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision_before": self.revision_before,
            "revision": self.revision,
            "reference": [r.to_dict() for r in self.reference],
        }


def init_database(engine: Engine, *, force_reference: bool = False) -> InitReport:
    """Upgrade the schema (Alembic ``upgrade head``), then load reference files that changed."""
    check_reachable(engine)
    before = current_revision(engine)
    if before != head_revision():
        upgrade_schema(engine)
    with unit_of_work(engine) as session:
        loads = load_reference_data(session, force=force_reference)
        for load in loads:
            audit.record(
                session,
                action="reference.file_loaded",
                actor=OPERATOR.label,
                entity_type="reference_file",
                entity_id=load.file,
                after=load.to_dict(),
            )
    return InitReport(before, current_revision(engine), loads)


def database_is_ready(engine: Engine) -> bool:
    """True when the schema is at the newest migration and the reference data is current."""
    check_reachable(engine)
    if current_revision(engine) != head_revision():
        return False
    with read_session(engine) as session:
        return not reference_files_changed(session)


def ensure_database(engine: Engine) -> None:
    """What every command does first: ``cordon init`` when the database is not ready."""
    if not database_is_ready(engine):
        init_database(engine)

"""Loading the interdiction files of a scenario: corridors, teams, agreements (SPEC §3)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, select

from cases.kernel.models import Contact
from cases.reference.field_types import CountryCode, CountryList
from cases.reference.files import Problem, ScenarioFileError, read_csv, reject_duplicates
from cases.reference.models import Confidence
from cases.reference.sync import FileLoad, Missing, sync_rows
from cases.scenario.loading import current_task_force
from interdiction.models import Agreement, CorridorKind, CorridorRecord, TeamKind, TeamRecord

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def _code(value: str) -> str:
    if not CODE.match(value):
        raise ValueError(f"{value!r} is not a code (upper-case letters, digits, '-' and '_')")
    return value


class CorridorRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    kind: CorridorKind
    jurisdictions: CountryList = Field(min_length=1)
    base_risk: int = Field(ge=0, le=100)
    locode: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    source: str | None = None
    as_of: date | None = None
    confidence: Confidence | None = None

    _check_code = field_validator("code")(_code)

    @field_validator("locode")
    @classmethod
    def _locode(cls, value: str | None) -> str | None:
        if value is not None and not LOCODE.match(value):
            raise ValueError(f"{value!r} is not a UN/LOCODE (e.g. HRRJK)")
        return value


class TeamRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    jurisdiction: CountryCode
    kind: TeamKind
    max_shifts: int = Field(ge=0)
    lead_email: str | None = None

    _check_code = field_validator("code")(_code)


class AgreementRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: CountryCode
    corridor: str


def load_corridors(session: Session, path: Path, today: date | None = None) -> FileLoad:
    optional = ("locode", "lat", "lon", "source", "as_of", "confidence")
    rows = read_csv(path, CorridorRow, optional_columns=optional)
    reject_duplicates(rows, lambda r: r.code, "code", name=path.name)
    name = current_task_force(session, path.name).name
    corridors = [
        CorridorRecord(
            **row.model_dump(exclude={"source", "as_of", "confidence"}),
            source=row.source or f"scenario {name}",
            as_of=row.as_of or today or date.today(),
            confidence=row.confidence or Confidence.KNOWN,
            active=True,
        )
        for _, row in rows
    ]
    # deactivated, not deleted: plans and cases name corridors
    return sync_rows(
        session,
        CorridorRecord,
        corridors,
        key=("code",),
        file=path.name,
        missing=Missing.DEACTIVATE,
    )


def load_teams(session: Session, path: Path) -> FileLoad:
    rows = read_csv(path, TeamRow, optional_columns=("lead_email",))
    reject_duplicates(rows, lambda r: r.code, "code", name=path.name)
    members = set(current_task_force(session, path.name).members)
    contacts = set(session.exec(select(Contact.email).where(Contact.active)).all())
    problems = []
    for line, row in rows:
        if row.jurisdiction not in members:
            reason = f"{row.jurisdiction} is not a member of the task force (scenario.yaml members)"
            problems.append(Problem(path.name, line, "jurisdiction", reason))
        if row.lead_email is not None:
            row.lead_email = row.lead_email.lower()
            if row.lead_email not in contacts:
                reason = f"unknown contact {row.lead_email!r} (not in contacts.csv)"
                problems.append(Problem(path.name, line, "lead_email", reason))
    if problems:
        raise ScenarioFileError(problems)
    teams = [TeamRecord(**row.model_dump(), active=True) for _, row in rows]
    return sync_rows(
        session, TeamRecord, teams, key=("code",), file=path.name, missing=Missing.DEACTIVATE
    )


def load_agreements(session: Session, path: Path) -> FileLoad:
    rows = read_csv(path, AgreementRow)
    reject_duplicates(rows, lambda r: (r.jurisdiction, r.corridor), "corridor", name=path.name)
    corridors = set(session.exec(select(CorridorRecord.code).where(CorridorRecord.active)).all())
    members = set(current_task_force(session, path.name).members)
    problems = []
    for line, row in rows:
        if row.corridor not in corridors:
            reason = f"unknown corridor {row.corridor!r} (not in corridors.csv)"
            problems.append(Problem(path.name, line, "corridor", reason))
        if row.jurisdiction not in members:
            reason = f"{row.jurisdiction} is not a member of the task force"
            problems.append(Problem(path.name, line, "jurisdiction", reason))
    if problems:
        raise ScenarioFileError(problems)
    agreements = [Agreement(**row.model_dump()) for _, row in rows]
    return sync_rows(
        session, Agreement, agreements, key=("jurisdiction", "corridor"), file=path.name
    )


def describe_resources(session: Session) -> dict[str, Any]:
    """The corridors, teams and agreements loaded, for summaries."""
    corridors = session.exec(select(CorridorRecord).where(CorridorRecord.active)).all()
    teams = session.exec(select(TeamRecord).where(TeamRecord.active)).all()
    by_kind: dict[str, int] = {}
    for team in teams:
        by_kind[team.kind] = by_kind.get(team.kind, 0) + 1
    return {
        "corridors": len(corridors),
        "teams": len(teams),
        "teams_by_kind": dict(sorted(by_kind.items())),
        "agreements": len(session.exec(select(Agreement)).all()),
    }

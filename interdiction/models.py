"""Interdiction tables: corridors where teams inspect, the teams, joint-inspection agreements."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from cases.models import Confidence, json_column


class CorridorKind(StrEnum):
    LAND = "land"
    SEA = "sea"
    AIR = "air"
    POSTAL = "postal"


class TeamKind(StrEnum):
    CUSTOMS = "customs"
    BORDER_POLICE = "border_police"
    K9 = "k9"
    XRAY = "xray"
    MARITIME = "maritime"


# SPEC §3: which kinds of team can inspect which kind of corridor.
COMPATIBLE_TEAM_KINDS: dict[CorridorKind, frozenset[TeamKind]] = {
    CorridorKind.SEA: frozenset({TeamKind.MARITIME, TeamKind.CUSTOMS}),
    CorridorKind.LAND: frozenset(
        {TeamKind.CUSTOMS, TeamKind.BORDER_POLICE, TeamKind.K9, TeamKind.XRAY}
    ),
    CorridorKind.AIR: frozenset(
        {TeamKind.CUSTOMS, TeamKind.BORDER_POLICE, TeamKind.K9, TeamKind.XRAY}
    ),
    CorridorKind.POSTAL: frozenset({TeamKind.CUSTOMS, TeamKind.XRAY}),
}


class Corridor(SQLModel, table=True):
    __tablename__ = "corridors"

    code: str = Field(primary_key=True)
    name: str
    kind: CorridorKind = Field(sa_type=String)
    jurisdictions: list[str] = json_column(default_factory=list)  # the states on either side
    base_risk: int  # 0-100
    locode: str | None = None
    lat: float | None = None
    lon: float | None = None
    source: str
    as_of: date
    confidence: Confidence = Field(sa_type=String)
    active: bool = True


class Team(SQLModel, table=True):
    __tablename__ = "teams"

    code: str = Field(primary_key=True)
    jurisdiction: str = Field(max_length=2, index=True)
    kind: TeamKind = Field(sa_type=String)
    max_shifts: int
    lead_email: str | None = Field(default=None, foreign_key="contacts.email")
    active: bool = True


class Agreement(SQLModel, table=True):
    """Teams of ``jurisdiction`` may also work at ``corridor`` (a joint-inspection agreement)."""

    __tablename__ = "agreements"

    jurisdiction: str = Field(primary_key=True, max_length=2)
    corridor: str = Field(primary_key=True, foreign_key="corridors.code")

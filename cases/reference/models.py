"""The reference-fact tables (SPEC §4): states, instruments, memberships, bilateral treaties,
embargoes, indicators, HS headings, and which shipped file version is loaded.

Facts that a scenario may override (states, memberships, bilateral treaties) carry an ``origin`` in
their key, so a shipped fact and a scenario's override live side by side and an upgrade of the
shipped data never erases an override.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from cases.kernel.columns import UtcDateTime, json_column, utcnow


class Confidence(StrEnum):
    """V verified, K known, I inferred (SPEC §4; legal-cooperation.md, preamble)."""

    V = "V"
    K = "K"
    I = "I"  # noqa: E741 - the contract's letter
    VERIFIED = "V"
    KNOWN = "K"
    INFERRED = "I"

    @property
    def rank(self) -> int:
        return {"V": 2, "K": 1, "I": 0}[self.value]

    @staticmethod
    def weakest(values: Iterable[Confidence]) -> Confidence:
        return min(values, key=lambda c: c.rank, default=Confidence.V)


class DeathPenalty(StrEnum):
    """A state's position on the death penalty (states.csv ``death_penalty``)."""

    ABOLISHED = "abolished"
    ABOLISHED_ORDINARY_CRIMES = "abolished_ordinary_crimes"
    DE_FACTO_ABOLITIONIST = "de_facto_abolitionist"
    RETENTIONIST = "retentionist"
    UNKNOWN = "unknown"


class NationalsPolicy(StrEnum):
    """May the state extradite its own nationals? (states.csv ``nationals_policy``)"""

    YES = "yes"
    NO = "no"
    EU_ONLY = "eu_only"  # only under the EAW (e.g. DE Basic Law art. 16(2))
    TREATY_ONLY = "treaty_only"  # only where a treaty provides for it
    DISCRETIONARY = "discretionary"
    UNKNOWN = "unknown"


class MembershipStatus(StrEnum):
    PARTY = "party"
    NOT_PARTY = "not_party"
    SIGNATORY = "signatory"
    UNKNOWN = "unknown"
    UNCERTAIN = "uncertain"


class BilateralType(StrEnum):
    MLA = "MLA"
    EXTRADITION = "EXTRADITION"
    EXTRADITION_NATIONALS = "EXTRADITION_NATIONALS"


class Origin(StrEnum):
    SHIPPED = "shipped"
    SCENARIO = "scenario"


class FactColumns(SQLModel):
    source: str
    as_of: date
    confidence: Confidence = Field(sa_type=String)


class State(FactColumns, table=True):
    """A states.csv row as stored (shipped or a scenario's override)."""

    __tablename__ = "states"

    iso: str = Field(primary_key=True, max_length=2)
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    name: str
    region: str = ""
    languages: list[str] = json_column(default_factory=list)
    eu_member: bool = False
    coe_member: bool = False
    ecowas_member: bool = False
    interpol_member: bool = False
    death_penalty: str = "unknown"
    death_penalty_confidence: Confidence = Field(default=Confidence.INFERRED, sa_type=String)
    nationals_policy: str = "unknown"
    nationals_confidence: Confidence = Field(default=Confidence.INFERRED, sa_type=String)
    special_flag: str | None = None


class InstrumentRecord(FactColumns, table=True):
    """An instruments.yaml entry as stored; ``cases.legal.catalogue.parse_instrument`` reads its
    ``details`` into the rules the router applies."""

    __tablename__ = "instruments"

    code: str = Field(primary_key=True)
    name: str
    layer: str
    covers: list[str] = json_column(default_factory=list)
    details: dict[str, Any] = json_column(default_factory=dict)  # channels, timers, required fields


class MembershipRecord(FactColumns, table=True):
    """A memberships.csv row as stored (shipped or a scenario's override)."""

    __tablename__ = "memberships"

    state: str = Field(primary_key=True, max_length=2)
    instrument: str = Field(primary_key=True)
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    status: str  # party, not_party, signatory, unknown, uncertain


class BilateralTreatyRecord(FactColumns, table=True):
    """A bilateral.csv row as stored (shipped or a scenario's override)."""

    __tablename__ = "bilateral_treaties"

    a: str = Field(primary_key=True, max_length=2)  # the pair in alphabetical order
    b: str = Field(primary_key=True, max_length=2)
    type: str = Field(primary_key=True)  # MLA, EXTRADITION, EXTRADITION_NATIONALS
    origin: Origin = Field(sa_type=String, primary_key=True, default=Origin.SHIPPED)
    scope: str = ""
    in_force: str = ""


class Embargo(FactColumns, table=True):
    __tablename__ = "embargoes"

    state: str = Field(primary_key=True, max_length=2)
    scope: str
    regime: str
    since: str = ""


class Indicator(FactColumns, table=True):
    __tablename__ = "indicators"

    code: str = Field(primary_key=True)
    weight: float
    derived: bool = False
    meaning: str = ""


class HsHeading(FactColumns, table=True):
    __tablename__ = "hs_headings"

    heading: str = Field(primary_key=True)
    description: str


class ReferenceFile(SQLModel, table=True):
    """Which version of each shipped reference file is loaded (its sha256)."""

    __tablename__ = "reference_files"

    name: str = Field(primary_key=True)
    sha256: str
    loaded_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)

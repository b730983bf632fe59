"""The shipped reference data (SPEC §4): world facts with ``source``, ``as_of`` and ``confidence``.

The files live in ``cases/reference/data/``. ``load_reference_data`` loads a file again only when
its sha256 changed since the last load, so upgrading Cordon upgrades the facts and a scenario's
overrides (rows with ``origin = scenario``) survive the upgrade untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, SQLModel, select

from cases.reference.field_types import CountryCode, LanguageList, YesNo
from cases.reference.files import (
    Problem,
    ScenarioFileError,
    file_sha256,
    read_csv,
    reject_duplicates,
    validate_row,
)
from cases.reference.models import (
    BilateralTreatyRecord,
    BilateralType,
    Confidence,
    DeathPenalty,
    Embargo,
    HsHeading,
    Indicator,
    InstrumentRecord,
    MembershipRecord,
    MembershipStatus,
    NationalsPolicy,
    Origin,
    ReferenceFile,
    State,
)
from cases.reference.sync import FileLoad, sync_rows

REFERENCE_DIR = Path(__file__).resolve().parent / "data"
FACT_COLUMNS = ("source", "as_of", "confidence")


class FactRow(BaseModel):
    """Where a fact comes from; a scenario may leave these out (defaults: SPEC §3)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str | None = None
    as_of: date | None = None
    confidence: Confidence | None = None

    table: ClassVar[type[SQLModel]]

    def fact_columns(self, defaults: dict[str, Any]) -> dict[str, Any]:
        return {c: getattr(self, c) or defaults[c] for c in FACT_COLUMNS}

    def to_table(self, defaults: dict[str, Any] | None = None, **extra: Any) -> SQLModel:
        """The table row; missing fact columns come from ``defaults``."""
        values = self.model_dump(exclude=set(FACT_COLUMNS) | set(extra))
        return self.table(**values, **extra, **self.fact_columns(defaults or {}))


class StateRow(FactRow):
    table = State

    iso: CountryCode
    name: str
    region: str = ""
    languages: LanguageList = Field(default_factory=list)
    eu_member: YesNo = False
    coe_member: YesNo = False
    ecowas_member: YesNo = False
    interpol_member: YesNo = False
    death_penalty: DeathPenalty = DeathPenalty.UNKNOWN
    death_penalty_confidence: Confidence | None = None
    nationals_policy: NationalsPolicy = NationalsPolicy.UNKNOWN
    nationals_confidence: Confidence | None = None
    special_flag: str | None = None

    def to_table(self, defaults: dict[str, Any] | None = None, **extra: Any) -> SQLModel:
        """SPEC §3: a scenario's confidence columns default like its ``confidence`` (K); a
        shipped row without them is inferred (I)."""
        fallback = (defaults or {}).get("confidence", Confidence.INFERRED)
        return super().to_table(
            defaults,
            **extra,
            **{
                column: getattr(self, column) or fallback
                for column in ("death_penalty_confidence", "nationals_confidence")
            },
        )


class MembershipRow(FactRow):
    table = MembershipRecord

    state: CountryCode
    instrument: str
    status: MembershipStatus


class BilateralRow(FactRow):
    table = BilateralTreatyRecord

    a: CountryCode
    b: CountryCode
    type: BilateralType
    scope: str = ""
    in_force: str = ""

    @model_validator(mode="after")
    def _alphabetical(self) -> BilateralRow:
        if self.a == self.b:
            raise ValueError("a treaty needs two different states")
        self.a, self.b = sorted((self.a, self.b))  # the pair in alphabetical order (SPEC §6)
        return self


class EmbargoRow(FactRow):
    table = Embargo

    state: CountryCode
    scope: str
    regime: str
    since: str = ""


class IndicatorRow(FactRow):
    table = Indicator

    code: str
    weight: float = Field(ge=0.0, le=1.0)
    derived: YesNo = False
    meaning: str = ""


class HsHeadingRow(FactRow):
    table = HsHeading

    heading: str = Field(pattern=r"^\d{4}$")
    description: str


class InstrumentRow(FactRow):
    table = InstrumentRecord

    """An instrument; every key beyond the columns goes to ``details`` (channels, timers, ...)."""

    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    layer: str
    covers: list[str] = Field(default_factory=list)


def _require_facts(rows: list[tuple[int, Any]], file: str) -> list[Any]:
    """The rows, once every one of them says where its fact comes from."""
    problems = [
        Problem(file, line, column, "a shipped fact needs a value")
        for line, row in rows
        for column in FACT_COLUMNS
        if getattr(row, column) is None
    ]
    if problems:
        raise ScenarioFileError(problems)
    return [row for _, row in rows]


def _read_instruments(path: Path) -> list[InstrumentRecord]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    problems: list[Problem] = []
    instruments = []
    for index, entry in enumerate(entries, start=1):
        row = validate_row(InstrumentRow, entry, file=path.name, line=index, problems=problems)
        if row is None:
            continue
        _require_facts([(index, row)], path.name)
        instruments.append(
            InstrumentRecord(
                **row.model_dump(include={"code", "name", "layer", "covers"}),
                details=dict(row.model_extra or {}),
                **row.fact_columns({}),
            )
        )
    if problems:
        raise ScenarioFileError(problems)
    return instruments


def stored_instruments(session: Session) -> set[str]:
    return set(session.exec(select(InstrumentRecord.code)).all())


def reject_unknown_instruments(
    known: Collection[str], rows: list[tuple[int, MembershipRow]], file: str
) -> None:
    """Memberships may only name instruments of the catalogue (``known``: their codes)."""
    problems = [
        Problem(file, line, "instrument", f"unknown instrument {row.instrument!r}")
        for line, row in rows
        if row.instrument not in known
    ]
    if problems:
        raise ScenarioFileError(problems)


@dataclass(frozen=True)
class TableRows:
    """The table rows read from one shipped file, and how to match them with stored rows."""

    table: type[SQLModel]
    rows: Sequence[SQLModel]
    key: tuple[str, ...]
    scope: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShippedCsv:
    """How one shipped CSV file becomes table rows."""

    row: type[FactRow]
    key: tuple[str, ...]  # unique within the file
    overridable: bool = False  # a scenario may override these facts (the key then has ``origin``)

    def read(self, path: Path, instruments: Collection[str]) -> TableRows:
        rows = read_csv(path, self.row)
        reject_duplicates(
            rows, lambda r: tuple(getattr(r, k) for k in self.key), self.key[-1], name=path.name
        )
        if self.row is MembershipRow:
            reject_unknown_instruments(instruments, rows, path.name)  # type: ignore[arg-type]
        if not self.overridable:
            table_rows = [r.to_table() for r in _require_facts(rows, path.name)]
            return TableRows(self.row.table, table_rows, self.key)
        shipped = {"origin": Origin.SHIPPED}
        table_rows = [r.to_table(**shipped) for r in _require_facts(rows, path.name)]
        return TableRows(self.row.table, table_rows, (*self.key, "origin"), shipped)


def _instruments(path: Path, instruments: Collection[str]) -> TableRows:
    return TableRows(InstrumentRecord, _read_instruments(path), ("code",))


# In loading order: instruments first, memberships name them. Each file has this one parser,
# whether it is loaded into the database or read in memory (``shipped_records``).
READERS: dict[str, Callable[[Path, Collection[str]], TableRows]] = {
    "instruments.yaml": _instruments,
    "states.csv": ShippedCsv(StateRow, ("iso",), overridable=True).read,
    "memberships.csv": ShippedCsv(MembershipRow, ("state", "instrument"), overridable=True).read,
    "bilateral.csv": ShippedCsv(BilateralRow, ("a", "b", "type"), overridable=True).read,
    "embargoes.csv": ShippedCsv(EmbargoRow, ("state",)).read,
    "indicators.csv": ShippedCsv(IndicatorRow, ("code",)).read,
    "hs_chapter_93.csv": ShippedCsv(HsHeadingRow, ("heading",)).read,
}
REFERENCE_FILES = tuple(READERS)


def reference_files_changed(session: Session) -> list[str]:
    """The shipped files whose content differs from what the database last loaded."""
    changed = []
    for name in REFERENCE_FILES:
        loaded = session.get(ReferenceFile, name)
        if loaded is None or loaded.sha256 != file_sha256(REFERENCE_DIR / name):
            changed.append(name)
    return changed


def load_reference_data(session: Session, *, force: bool = False) -> list[FileLoad]:
    """Load every shipped file that changed since the last load (all of them with ``force``)."""
    results = []
    for name in REFERENCE_FILES if force else reference_files_changed(session):
        path = REFERENCE_DIR / name
        read = READERS[name](path, stored_instruments(session))
        results.append(
            sync_rows(session, read.table, read.rows, key=read.key, file=name, scope=read.scope)
        )
        stored = session.get(ReferenceFile, name)
        if stored is None:
            session.add(ReferenceFile(name=name, sha256=file_sha256(path)))
        else:
            stored.sha256 = file_sha256(path)
    return results


def shipped_records(directory: Path | None = None) -> dict[str, list[Any]]:
    """Every shipped file read by its parser into table records, without a database (the pure
    legal core's tests and tools read the facts this way): file name → records."""
    directory = directory or REFERENCE_DIR
    records: dict[str, list[Any]] = {}
    instruments: set[str] = set()
    for name, read in READERS.items():
        records[name] = list(read(directory / name, instruments).rows)
        if name == "instruments.yaml":
            instruments = {r.code for r in records[name]}
    return records

"""The legal-cooperation catalogue: closed code sets and the reference facts the router decides on.

Facts (states, memberships, bilateral treaties, instruments) are data shipped in
`cases/reference/data/`; a scenario may override or add state, membership and bilateral rows.
Everything here is plain frozen data built by pure functions over lists of row dicts, so the store
can later hand in rows read from its tables instead of the shipped CSV files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pycountry
import yaml

from cases.legal.errors import ReferenceDataError

# ------------------------------------------------------------------------------------------------
# Closed sets


class RequestType(StrEnum):
    """What the requesting state asks for (SPEC §6 `--type`)."""

    MLA = "mla"
    EXTRADITION = "extradition"


class Measure(StrEnum):
    """The precise measure (`--measure`), after legal-cooperation.md §0."""

    EVIDENCE = "evidence"  # statements, documents, records, expert evaluations
    SEARCH_SEIZURE = "search_seizure"
    PROVISIONAL_MEASURE = "provisional_measure"  # freezing / preservation (urgent)
    BANK_INFO = "bank_info"
    SERVICE = "service"  # service of judicial documents / summons
    VIDEO_HEARING = "video_hearing"
    TEMP_TRANSFER = "temp_transfer"  # temporary transfer of a detained witness
    INTERCEPTION = "interception"
    CONTROLLED_DELIVERY = "controlled_delivery"
    JIT = "jit"  # joint investigation team (not covered by the EIO, art. 3)
    SPONTANEOUS_INFO = "spontaneous_info"
    TRANSFER_OF_PROCEEDINGS = "transfer_of_proceedings"
    FIREARM_TRACE = "firearm_trace"  # police tracing (FP art. 12(4)); intelligence, not evidence
    SURRENDER = "surrender"  # formal extradition / surrender
    PROVISIONAL_ARREST = "provisional_arrest"
    TRANSIT = "transit"


MEASURE_REQUEST_TYPE: Mapping[Measure, RequestType] = MappingProxyType(
    {
        **{m: RequestType.MLA for m in Measure},
        Measure.SURRENDER: RequestType.EXTRADITION,
        Measure.PROVISIONAL_ARREST: RequestType.EXTRADITION,
        Measure.TRANSIT: RequestType.EXTRADITION,
    }
)
DEFAULT_MEASURE: Mapping[RequestType, Measure] = MappingProxyType(
    {RequestType.MLA: Measure.EVIDENCE, RequestType.EXTRADITION: Measure.SURRENDER}
)
# Coercive measures: where ECMA art. 5, IAMLA art. 5, UNTOC 18(9) let the requested state check
# dual criminality (and EIO art. 10(2)/11(2) does not exempt them).
COERCIVE_MEASURES: frozenset[Measure] = frozenset(
    {
        Measure.SEARCH_SEIZURE,
        Measure.PROVISIONAL_MEASURE,
        Measure.BANK_INFO,
        Measure.INTERCEPTION,
        Measure.CONTROLLED_DELIVERY,
    }
)


class Channel(StrEnum):
    DIRECT_JUDICIAL = "DIRECT_JUDICIAL"
    CENTRAL_AUTHORITY = "CENTRAL_AUTHORITY"
    MINISTRY_OF_JUSTICE = "MINISTRY_OF_JUSTICE"
    DIPLOMATIC = "DIPLOMATIC"
    INTERPOL = "INTERPOL"


class Flag(StrEnum):
    """Rule-check flags of a routing decision (SPEC §6), in the order they are reported."""

    MANUAL_REVIEW = "MANUAL_REVIEW"
    MEMBERSHIP_UNCERTAIN = "MEMBERSHIP_UNCERTAIN"
    NATIONALS_BAR = "NATIONALS_BAR"
    DEATH_PENALTY_ASSURANCE = "DEATH_PENALTY_ASSURANCE"
    DUAL_CRIMINALITY_CHECK = "DUAL_CRIMINALITY_CHECK"
    TRANSLATION_REQUIRED = "TRANSLATION_REQUIRED"
    POLITICAL_OFFENCE_RISK = "POLITICAL_OFFENCE_RISK"


class InstrumentCode(StrEnum):
    EIO = "EIO"
    EAW = "EAW"
    ECMA59 = "ECMA59"
    ECMA59_2AP = "ECMA59_2AP"
    ECE57 = "ECE57"
    EU_MLA2000 = "EU_MLA2000"
    IAMLA = "IAMLA"
    CIFTA = "CIFTA"
    ECOWAS_MLA = "ECOWAS_MLA"
    ECOWAS_EXT = "ECOWAS_EXT"
    UNTOC = "UNTOC"
    FP = "FP"
    BILATERAL = "BILATERAL"
    RECIPROCITY = "RECIPROCITY"
    ATT = "ATT"  # in the reference data; never a basis for a request (ATT art. 15(5): "if agreed")


class RequestStatus(StrEnum):
    """Lifecycle of a request (SPEC §6); the transitions live in lifecycle.py."""

    DRAFT = "draft"
    LEGAL_REVIEW = "legal_review"
    TRANSLATION_PENDING = "translation_pending"
    READY = "ready"
    TRANSMITTED = "transmitted"
    ACKNOWLEDGED = "acknowledged"
    UNDER_ASSESSMENT = "under_assessment"
    INFO_REQUESTED = "info_requested"
    CONSULTATION = "consultation"
    ASSURANCE_REQUESTED = "assurance_requested"
    POSTPONED = "postponed"
    ACCEPTED = "accepted"
    IN_EXECUTION = "in_execution"
    RESULTS_TRANSMITTED = "results_transmitted"
    CLOSED = "closed"
    RETURNED_DEFICIENT = "returned_deficient"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class Confidence(StrEnum):
    """V verified, K known, I inferred (legal-cooperation.md, preamble)."""

    V = "V"
    K = "K"
    I = "I"  # noqa: E741 - the contract's letter

    @property
    def rank(self) -> int:
        return {"V": 2, "K": 1, "I": 0}[self.value]

    @staticmethod
    def weakest(values: Iterable[Confidence]) -> Confidence:
        return min(values, key=lambda c: c.rank, default=Confidence.V)


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


class Layer(StrEnum):
    EU = "EU"
    REGIONAL = "regional"
    BILATERAL = "bilateral"
    GLOBAL = "global"
    FALLBACK = "fallback"


class DeathPenalty(StrEnum):
    ABOLISHED = "abolished"
    ABOLISHED_ORDINARY_CRIMES = "abolished_ordinary_crimes"
    DE_FACTO_ABOLITIONIST = "de_facto_abolitionist"
    RETENTIONIST = "retentionist"


class NationalsPolicy(StrEnum):
    """May the state extradite its own nationals? (states.csv `nationals_policy`)"""

    YES = "yes"
    NO = "no"
    EU_ONLY = "eu_only"  # only under the EAW (e.g. DE Basic Law art. 16(2))
    TREATY_ONLY = "treaty_only"  # only where a treaty provides for it
    DISCRETIONARY = "discretionary"


class Offence(StrEnum):
    """Offence typing the router needs (`--offence`)."""

    FIREARMS_TRAFFICKING = "firearms_trafficking"  # FP art. 5(1)(b)
    ILLICIT_MANUFACTURING = "illicit_manufacturing"  # FP art. 5(1)(a)
    MARKING_TAMPERING = "marking_tampering"  # FP art. 5(1)(c)
    PARTICIPATION_IN_OCG = "participation_in_ocg"  # UNTOC art. 5
    MONEY_LAUNDERING = "money_laundering"  # UNTOC art. 6
    CORRUPTION = "corruption"  # UNTOC art. 8
    CUSTOMS_SMUGGLING = "customs_smuggling"  # fiscal framing: ECMA art. 2(a), ECE art. 5
    OTHER = "other"


class Capital(StrEnum):
    """Is the offence punishable by death in the requesting state? (`--capital`)"""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class TimerKind(StrEnum):
    HARD = "hard"  # a legal deadline from the instrument
    SOFT = "soft"  # a reminder from practice (configurable)


# ------------------------------------------------------------------------------------------------
# Facts


@dataclass(frozen=True)
class StateProfile:
    iso: str
    name: str
    region: str
    languages: tuple[str, ...]
    eu_member: bool
    coe_member: bool
    ecowas_member: bool
    interpol_member: bool
    death_penalty: DeathPenalty
    death_penalty_confidence: Confidence
    nationals_policy: NationalsPolicy
    nationals_confidence: Confidence
    special_flag: str  # "" | MANUAL_REVIEW | AES
    as_of: date
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class Membership:
    state: str
    instrument: InstrumentCode
    status: MembershipStatus
    confidence: Confidence
    as_of: date
    source: str

    @property
    def unresolved(self) -> bool:
        """Not a fact to rely on: unknown, uncertain or inferred (SPEC §4)."""
        return (
            self.status in (MembershipStatus.UNKNOWN, MembershipStatus.UNCERTAIN)
            or self.confidence is Confidence.I
        )


@dataclass(frozen=True)
class BilateralTreaty:
    a: str  # alphabetically first
    b: str
    type: BilateralType
    scope: str
    in_force: str  # year or date as given; "" when unknown
    confidence: Confidence
    source: str
    as_of: date

    @property
    def basis_code(self) -> str:
        """`BILATERAL:<A>-<B>:<TYPE>` with the pair in alphabetical order (SPEC §6)."""
        return f"BILATERAL:{self.a}-{self.b}:{self.type.value}"

    @property
    def pair(self) -> str:
        return f"{self.a}-{self.b}"


@dataclass(frozen=True)
class Timer:
    """A deadline an instrument sets, counted in calendar days from the event that starts it."""

    instrument: str
    name: str
    days: int
    starts_on: str  # lifecycle status or side event (lifecycle.py)
    ends_on: tuple[str, ...]
    kind: TimerKind
    applies_to: frozenset[str]  # request types, measures, or provisional_arrest
    article: str
    confidence: Confidence
    pair: str = ""  # bilateral pair timers: "MX-US"
    pair_type: str = ""


@dataclass(frozen=True)
class DualCriminalityRule:
    applies: str  # always | coercive | never
    list_offence_exempt: bool
    list_min_penalty_years: float
    article: str


@dataclass(frozen=True)
class PairFields:
    pair: str
    type: BilateralType
    fields: tuple[str, ...]
    article: str
    confidence: Confidence


@dataclass(frozen=True)
class EuSupplement:
    state: str
    name: str
    article: str
    confidence: Confidence


@dataclass(frozen=True)
class Instrument:
    code: InstrumentCode
    name: str
    layer: Layer
    covers: frozenset[RequestType]
    source: str
    as_of: date
    confidence: Confidence
    eu_only: bool = False
    firearms_only: bool = False
    supplements: InstrumentCode | None = None
    channels: Mapping[str, Channel] = field(default_factory=dict)
    measure_channels: Mapping[str, Channel] = field(default_factory=dict)
    advance_copy: Channel | None = None
    articles: Mapping[str, str] = field(default_factory=dict)
    political_offence_exception: Mapping[str, bool] = field(default_factory=dict)
    dual_criminality: DualCriminalityRule | None = None
    timers: tuple[Timer, ...] = ()
    required_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    art16_5_convention_as_basis: Mapping[str, str] = field(default_factory=dict)
    pair_timers: tuple[Timer, ...] = ()
    pair_required_fields: tuple[PairFields, ...] = ()
    eu_supplements: tuple[EuSupplement, ...] = ()


@dataclass(frozen=True)
class LegalFacts:
    """Everything the router decides on: one immutable bundle."""

    states: Mapping[str, StateProfile]
    memberships: Mapping[tuple[str, InstrumentCode], Membership]
    bilateral: tuple[BilateralTreaty, ...]
    instruments: Mapping[InstrumentCode, Instrument]

    def state(self, iso: str) -> StateProfile | None:
        return self.states.get(iso)

    def membership(self, state: str, code: InstrumentCode) -> Membership | None:
        """The membership row; for EU-only instruments a non-EU state is not a party by "
        "definition."""
        row = self.memberships.get((state, code))
        if row is not None:
            return row
        instrument = self.instruments.get(code)
        profile = self.states.get(state)
        if instrument is not None and instrument.eu_only and profile and not profile.eu_member:
            return Membership(
                state=state,
                instrument=code,
                status=MembershipStatus.NOT_PARTY,
                confidence=profile.confidence,
                as_of=profile.as_of,
                source=f"{code} binds EU member states only; states.csv: {state} is not one",
            )
        return None

    def bilaterals(self, a: str, b: str) -> tuple[BilateralTreaty, ...]:
        first, second = sorted((a, b))
        return tuple(t for t in self.bilateral if (t.a, t.b) == (first, second))


# ------------------------------------------------------------------------------------------------
# Loading and merging rows

STATE_COLUMNS = (
    "iso",
    "name",
    "region",
    "languages",
    "eu_member",
    "coe_member",
    "ecowas_member",
    "interpol_member",
    "death_penalty",
    "death_penalty_confidence",
    "nationals_policy",
    "nationals_confidence",
    "special_flag",
    "as_of",
    "source",
    "confidence",
)
MEMBERSHIP_COLUMNS = ("state", "instrument", "status", "confidence", "as_of", "source")
BILATERAL_COLUMNS = ("a", "b", "type", "scope", "in_force", "confidence", "source", "as_of")

# Columns a scenario row may leave out, and which of them are confidence columns (SPEC §3).
_CONFIDENCE_COLUMNS = {
    "states": ("confidence", "death_penalty_confidence", "nationals_confidence"),
    "memberships": ("confidence",),
    "bilateral": ("confidence",),
}
_OPTIONAL_COLUMNS = {"special_flag", "in_force"}

Row = Mapping[str, Any]


def _reference_dir() -> Path:
    return Path(str(resources.files("cases") / "reference" / "data"))


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def shipped_rows() -> dict[str, list[dict[str, str]]]:
    """The shipped reference rows: {"states": [...], "memberships": [...], "bilateral": [...]}."""
    ref = _reference_dir()
    return {
        "states": read_csv_rows(ref / "states.csv"),
        "memberships": read_csv_rows(ref / "memberships.csv"),
        "bilateral": read_csv_rows(ref / "bilateral.csv"),
    }


def _row_key(table: str, row: Row) -> tuple[str, ...]:
    if table == "states":
        return (str(row.get("iso", "")).strip().upper(),)
    if table == "memberships":
        return (
            str(row.get("state", "")).strip().upper(),
            str(row.get("instrument", "")).strip().upper(),
        )
    if table == "bilateral":
        pair = sorted(
            (str(row.get("a", "")).strip().upper(), str(row.get("b", "")).strip().upper())
        )
        return (pair[0], pair[1], str(row.get("type", "")).strip().upper())
    raise ReferenceDataError(
        f"unknown reference table {table!r}: use states, memberships or bilateral"
    )


def merge_rows(
    table: str,
    base: Sequence[Row],
    overrides: Sequence[Row],
    *,
    scenario: str,
    load_date: date,
) -> list[dict[str, str]]:
    """Shipped rows with a scenario's rows laid over them (same key replaces, new key adds).

    A scenario row may leave out `source`, `as_of` and the confidence columns; they default to
    `scenario <name>`, the load date and `K` (SPEC §3).
    """
    merged: dict[tuple[str, ...], dict[str, str]] = {}
    for row in base:
        merged[_row_key(table, row)] = {k: "" if v is None else str(v) for k, v in row.items()}
    for row in overrides:
        filled = {k: "" if v is None else str(v) for k, v in row.items()}
        if not filled.get("source", "").strip():
            filled["source"] = f"scenario {scenario}"
        if not filled.get("as_of", "").strip():
            filled["as_of"] = load_date.isoformat()
        for column in _CONFIDENCE_COLUMNS[table]:
            if not filled.get(column, "").strip():
                filled[column] = Confidence.K.value
        merged[_row_key(table, filled)] = filled
    return list(merged.values())


def _user_assigned(code: str) -> bool:
    """ISO 3166-1 user-assigned codes (AA, QM-QZ, XA-XZ, ZZ): Kosovo's XK and test scenarios."""
    return code == "AA" or code == "ZZ" or (code[0] == "Q" and code[1] >= "M") or code[0] == "X"


def valid_state_code(code: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}", code):
        return False
    return _user_assigned(code) or pycountry.countries.get(alpha_2=code) is not None


def _cell(table: str, line: int, row: Row, column: str) -> str:
    value = row.get(column)
    text = "" if value is None else str(value).strip()
    if not text and column not in _OPTIONAL_COLUMNS:
        raise ReferenceDataError(f"{table} row {line}: column {column} is missing or empty")
    return text


def _enum(table: str, line: int, column: str, value: str, enum: type[StrEnum]) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ReferenceDataError(
            f"{table} row {line}: column {column}: {value!r} is not one of {allowed}"
        ) from None


def _bool(table: str, line: int, column: str, value: str) -> bool:
    if value.lower() in ("yes", "y", "true", "1"):
        return True
    if value.lower() in ("no", "n", "false", "0"):
        return False
    raise ReferenceDataError(f"{table} row {line}: column {column}: {value!r} is not yes or no")


def _date(table: str, line: int, column: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReferenceDataError(
            f"{table} row {line}: column {column}: {value!r} is not an ISO date (YYYY-MM-DD)"
        ) from None


def _state_code(table: str, line: int, column: str, value: str) -> str:
    code = value.upper()
    if not valid_state_code(code):
        raise ReferenceDataError(
            f"{table} row {line}: column {column}: {value!r} is not an ISO 3166-1 alpha-2 code"
        )
    return code


def parse_state(row: Row, line: int = 0) -> StateProfile:
    t = "states"
    cell = lambda column: _cell(t, line, row, column)  # noqa: E731
    languages = tuple(part.strip() for part in cell("languages").split("|") if part.strip())
    return StateProfile(
        iso=_state_code(t, line, "iso", cell("iso")),
        name=cell("name"),
        region=cell("region"),
        languages=languages,
        eu_member=_bool(t, line, "eu_member", cell("eu_member")),
        coe_member=_bool(t, line, "coe_member", cell("coe_member")),
        ecowas_member=_bool(t, line, "ecowas_member", cell("ecowas_member")),
        interpol_member=_bool(t, line, "interpol_member", cell("interpol_member")),
        death_penalty=_enum(t, line, "death_penalty", cell("death_penalty"), DeathPenalty),
        death_penalty_confidence=_enum(
            t, line, "death_penalty_confidence", cell("death_penalty_confidence"), Confidence
        ),
        nationals_policy=_enum(
            t, line, "nationals_policy", cell("nationals_policy"), NationalsPolicy
        ),
        nationals_confidence=_enum(
            t, line, "nationals_confidence", cell("nationals_confidence"), Confidence
        ),
        special_flag=cell("special_flag"),
        as_of=_date(t, line, "as_of", cell("as_of")),
        source=cell("source"),
        confidence=_enum(t, line, "confidence", cell("confidence"), Confidence),
    )


def parse_membership(row: Row, line: int = 0) -> Membership:
    t = "memberships"
    cell = lambda column: _cell(t, line, row, column)  # noqa: E731
    return Membership(
        state=_state_code(t, line, "state", cell("state")),
        instrument=_enum(t, line, "instrument", cell("instrument").upper(), InstrumentCode),
        status=_enum(t, line, "status", cell("status").lower(), MembershipStatus),
        confidence=_enum(t, line, "confidence", cell("confidence"), Confidence),
        as_of=_date(t, line, "as_of", cell("as_of")),
        source=cell("source"),
    )


def parse_bilateral(row: Row, line: int = 0) -> BilateralTreaty:
    t = "bilateral"
    cell = lambda column: _cell(t, line, row, column)  # noqa: E731
    a = _state_code(t, line, "a", cell("a"))
    b = _state_code(t, line, "b", cell("b"))
    if a == b:
        raise ReferenceDataError(f"{t} row {line}: a and b are both {a}: a treaty needs two states")
    first, second = sorted((a, b))
    return BilateralTreaty(
        a=first,
        b=second,
        type=_enum(t, line, "type", cell("type").upper(), BilateralType),
        scope=cell("scope"),
        in_force=cell("in_force"),
        confidence=_enum(t, line, "confidence", cell("confidence"), Confidence),
        source=cell("source"),
        as_of=_date(t, line, "as_of", cell("as_of")),
    )


# ------------------------------------------------------------------------------------------------
# instruments.yaml


def _timer(instrument: str, raw: Mapping[str, Any], where: str) -> Timer:
    try:
        return Timer(
            instrument=instrument,
            name=str(raw["name"]),
            days=int(raw["days"]),
            starts_on=str(raw["starts_on"]),
            ends_on=tuple(str(e) for e in raw.get("ends_on", ())),
            kind=TimerKind(str(raw["kind"])),
            applies_to=frozenset(str(a) for a in raw.get("applies_to", ())),
            article=str(raw.get("article", "")),
            confidence=Confidence(str(raw.get("confidence", "K"))),
            pair=str(raw.get("pair", "")),
            pair_type=str(raw.get("type", "")),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ReferenceDataError(f"instruments.yaml {where}: bad timer {raw!r}: {exc}") from None


def parse_instrument(raw: Mapping[str, Any]) -> Instrument:
    """One instruments.yaml entry as an `Instrument`."""
    where = f"entry {raw.get('code', '?')}"
    try:
        code = InstrumentCode(str(raw["code"]))
        channels_raw = dict(raw.get("channels") or {})
        measures_raw = channels_raw.pop("measures", {}) or {}
        dual = raw.get("dual_criminality")
        return Instrument(
            code=code,
            name=str(raw["name"]),
            layer=Layer(str(raw["layer"])),
            covers=frozenset(RequestType(c) for c in raw.get("covers", ())),
            source=str(raw["source"]),
            as_of=date.fromisoformat(str(raw["as_of"])),
            confidence=Confidence(str(raw["confidence"])),
            eu_only=bool(raw.get("eu_only", False)),
            firearms_only=bool(raw.get("firearms_only", False)),
            supplements=InstrumentCode(raw["supplements"]) if raw.get("supplements") else None,
            channels=MappingProxyType({str(k): Channel(v) for k, v in channels_raw.items()}),
            measure_channels=MappingProxyType(
                {str(Measure(k)): Channel(v) for k, v in measures_raw.items()}
            ),
            advance_copy=Channel(raw["advance_copy"]) if raw.get("advance_copy") else None,
            articles=MappingProxyType(
                {str(k): str(v) for k, v in (raw.get("articles") or {}).items()}
            ),
            political_offence_exception=MappingProxyType(
                {str(k): bool(v) for k, v in (raw.get("political_offence_exception") or {}).items()}
            ),
            dual_criminality=DualCriminalityRule(
                applies=str(dual.get("applies", "always")),
                list_offence_exempt=bool(dual.get("list_offence_exempt", False)),
                list_min_penalty_years=float(dual.get("list_min_penalty_years", 0)),
                article=str(dual.get("article", "")),
            )
            if dual
            else None,
            timers=tuple(_timer(code.value, t, where) for t in raw.get("timers") or ()),
            required_fields=MappingProxyType(
                {
                    str(k): tuple(str(f) for f in v)
                    for k, v in (raw.get("required_fields") or {}).items()
                }
            ),
            art16_5_convention_as_basis=MappingProxyType(
                {str(k): str(v) for k, v in (raw.get("art16_5_convention_as_basis") or {}).items()}
            ),
            pair_timers=tuple(_timer(code.value, t, where) for t in raw.get("pair_timers") or ()),
            pair_required_fields=tuple(
                PairFields(
                    pair=str(p["pair"]),
                    type=BilateralType(str(p["type"])),
                    fields=tuple(str(f) for f in p["fields"]),
                    article=str(p.get("article", "")),
                    confidence=Confidence(str(p.get("confidence", "K"))),
                )
                for p in raw.get("pair_required_fields") or ()
            ),
            eu_supplements=tuple(
                EuSupplement(
                    state=str(s["state"]),
                    name=str(s["name"]),
                    article=str(s.get("article", "")),
                    confidence=Confidence(str(s.get("confidence", "K"))),
                )
                for s in raw.get("eu_supplements") or ()
            ),
        )
    except ReferenceDataError:
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise ReferenceDataError(f"instruments.yaml {where}: {exc}") from None


def load_instruments(path: Path | None = None) -> dict[InstrumentCode, Instrument]:
    """The instrument catalogue from instruments.yaml (the shipped one by default)."""
    source = path or _reference_dir() / "instruments.yaml"
    entries = yaml.safe_load(source.read_text(encoding="utf-8")) or []
    instruments = {i.code: i for i in (parse_instrument(e) for e in entries)}
    missing = [c.value for c in InstrumentCode if c not in instruments]
    if missing:
        raise ReferenceDataError(f"instruments.yaml: no entry for {', '.join(missing)}")
    return instruments


# ------------------------------------------------------------------------------------------------
# Building the bundle


def build_legal_facts(
    states: Sequence[Row],
    memberships: Sequence[Row],
    bilateral: Sequence[Row],
    instruments: Mapping[InstrumentCode, Instrument] | None = None,
) -> LegalFacts:
    """Validate rows (1-based line numbers after the header) and bundle them as `LegalFacts`."""
    profiles: dict[str, StateProfile] = {}
    for line, row in enumerate(states, start=2):
        profile = parse_state(row, line)
        profiles[profile.iso] = profile
    members: dict[tuple[str, InstrumentCode], Membership] = {}
    for line, row in enumerate(memberships, start=2):
        membership = parse_membership(row, line)
        if membership.state not in profiles:
            raise ReferenceDataError(
                f"memberships row {line}: state {membership.state} has no row in states: add it "
                "first"
            )
        members[(membership.state, membership.instrument)] = membership
    treaties: dict[str, BilateralTreaty] = {}
    for line, row in enumerate(bilateral, start=2):
        treaty = parse_bilateral(row, line)
        for iso in (treaty.a, treaty.b):
            if iso not in profiles:
                raise ReferenceDataError(
                    f"bilateral row {line}: state {iso} has no row in states: add it first"
                )
        treaties[treaty.basis_code] = treaty
    return LegalFacts(
        states=MappingProxyType(profiles),
        memberships=MappingProxyType(members),
        bilateral=tuple(treaties.values()),
        instruments=MappingProxyType(dict(instruments or load_instruments())),
    )


@dataclass(frozen=True)
class ScenarioOverrides:
    """A scenario's override/addition rows (SPEC §3 `memberships.csv`, `bilateral.csv`, "
    "`states.csv`)."""

    name: str
    load_date: date
    states: tuple[Row, ...] = ()
    memberships: tuple[Row, ...] = ()
    bilateral: tuple[Row, ...] = ()


def merge_scenario(
    base: Mapping[str, Sequence[Row]], scenario: ScenarioOverrides
) -> dict[str, list[dict[str, str]]]:
    """Pure: base rows per table with the scenario's rows merged in."""
    return {
        table: merge_rows(
            table,
            base.get(table, ()),
            getattr(scenario, table),
            scenario=scenario.name,
            load_date=scenario.load_date,
        )
        for table in ("states", "memberships", "bilateral")
    }


def load_legal_facts(scenario: ScenarioOverrides | None = None) -> LegalFacts:
    """The shipped facts, with a scenario's overrides and additions when given."""
    rows: Mapping[str, Sequence[Row]] = shipped_rows()
    if scenario is not None:
        rows = merge_scenario(rows, scenario)
    return build_legal_facts(rows["states"], rows["memberships"], rows["bilateral"])

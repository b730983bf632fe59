"""The legal-cooperation catalogue: closed code sets and the reference facts the router decides on.

Facts (states, memberships, bilateral treaties, instruments) are data shipped in
`cases/reference/data/`; a scenario may override or add state, membership and bilateral rows.
Each file has one parser (`cases.reference.loading`), which turns its rows into table records;
here those records become plain frozen data for the router, whether they were read from the
database (`cases.legal.legal_facts.legal_facts`) or straight from the files (`shipped_legal_facts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from cases.legal.errors import ReferenceDataError
from cases.reference.models import (
    BilateralTreatyRecord,
    BilateralType,
    Confidence,
    DeathPenalty,
    InstrumentRecord,
    MembershipRecord,
    MembershipStatus,
    NationalsPolicy,
    State,
)

# ------------------------------------------------------------------------------------------------
# Closed sets


class RequestType(StrEnum):
    """What the requesting state asks for (SPEC §6, the request type)."""

    MLA = "mla"
    EXTRADITION = "extradition"


class Measure(StrEnum):
    """The precise measure, after legal-cooperation.md §0."""

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


class Layer(StrEnum):
    EU = "EU"
    REGIONAL = "regional"
    BILATERAL = "bilateral"
    GLOBAL = "global"
    FALLBACK = "fallback"


class Offence(StrEnum):
    """Offence typing the router needs (SPEC §6)."""

    FIREARMS_TRAFFICKING = "firearms_trafficking"  # FP art. 5(1)(b)
    ILLICIT_MANUFACTURING = "illicit_manufacturing"  # FP art. 5(1)(a)
    MARKING_TAMPERING = "marking_tampering"  # FP art. 5(1)(c)
    PARTICIPATION_IN_OCG = "participation_in_ocg"  # UNTOC art. 5
    MONEY_LAUNDERING = "money_laundering"  # UNTOC art. 6
    CORRUPTION = "corruption"  # UNTOC art. 8
    CUSTOMS_SMUGGLING = "customs_smuggling"  # fiscal framing: ECMA art. 2(a), ECE art. 5
    OTHER = "other"


class Capital(StrEnum):
    """Is the offence punishable by death in the requesting state? (SPEC §6)"""

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


def instrument_rules(record: InstrumentRecord) -> Instrument:
    """A stored instruments.yaml entry as the rules the router applies."""
    return parse_instrument(
        {
            **record.details,
            "code": record.code,
            "name": record.name,
            "layer": record.layer,
            "covers": record.covers,
            "source": record.source,
            "as_of": record.as_of.isoformat(),
            "confidence": str(record.confidence),
        }
    )


# ------------------------------------------------------------------------------------------------
# Building the bundle from records (the shipped files or the database, read by one parser each)


def state_profile(record: State) -> StateProfile:
    return StateProfile(
        iso=record.iso,
        name=record.name,
        region=record.region,
        languages=tuple(record.languages),
        eu_member=record.eu_member,
        coe_member=record.coe_member,
        ecowas_member=record.ecowas_member,
        interpol_member=record.interpol_member,
        death_penalty=DeathPenalty(record.death_penalty),
        death_penalty_confidence=Confidence(record.death_penalty_confidence),
        nationals_policy=NationalsPolicy(record.nationals_policy),
        nationals_confidence=Confidence(record.nationals_confidence),
        special_flag=record.special_flag or "",
        as_of=record.as_of,
        source=record.source,
        confidence=Confidence(record.confidence),
    )


def membership(record: MembershipRecord) -> Membership:
    try:
        code = InstrumentCode(record.instrument)
    except ValueError:
        raise ReferenceDataError(
            f"memberships: {record.state} names unknown instrument {record.instrument!r}"
        ) from None
    return Membership(
        state=record.state,
        instrument=code,
        status=MembershipStatus(record.status),
        confidence=Confidence(record.confidence),
        as_of=record.as_of,
        source=record.source,
    )


def bilateral_treaty(record: BilateralTreatyRecord) -> BilateralTreaty:
    first, second = sorted((record.a, record.b))
    return BilateralTreaty(
        a=first,
        b=second,
        type=BilateralType(record.type),
        scope=record.scope,
        in_force=record.in_force,
        confidence=Confidence(record.confidence),
        source=record.source,
        as_of=record.as_of,
    )


def build_legal_facts(
    states: Iterable[State],
    memberships: Iterable[MembershipRecord],
    bilateral: Iterable[BilateralTreatyRecord],
    instruments: Iterable[InstrumentRecord],
) -> LegalFacts:
    """Bundle validated records as `LegalFacts`; every row must name a state that has a row."""
    profiles = {p.iso: p for p in map(state_profile, states)}
    members: dict[tuple[str, InstrumentCode], Membership] = {}
    for row in map(membership, memberships):
        if row.state not in profiles:
            raise ReferenceDataError(
                f"memberships: state {row.state} has no row in states: add it first"
            )
        members[(row.state, row.instrument)] = row
    treaties: dict[str, BilateralTreaty] = {}
    for treaty in map(bilateral_treaty, bilateral):
        for iso in (treaty.a, treaty.b):
            if iso not in profiles:
                raise ReferenceDataError(
                    f"bilateral {treaty.pair}: state {iso} has no row in states: add it first"
                )
        treaties[treaty.basis_code] = treaty
    rules = {i.code: i for i in map(instrument_rules, instruments)}
    missing = [c.value for c in InstrumentCode if c not in rules]
    if missing:
        raise ReferenceDataError(f"instruments.yaml: no entry for {', '.join(missing)}")
    return LegalFacts(
        states=MappingProxyType(profiles),
        memberships=MappingProxyType(members),
        bilateral=tuple(treaties.values()),
        instruments=MappingProxyType(rules),
    )

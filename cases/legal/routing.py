"""Route an MLA or extradition request: (requesting R, requested Q, request) → basis + channel.

The decision procedure of legal-cooperation.md §3, over `LegalFacts`:
EU layer → bilateral (where more specific) → regional → UNTOC (+ Firearms Protocol) → reciprocity,
with the urgency overlay, the rule checks of §4 (checks.py) and a manual-review escape.

Uncertain facts (a membership that is unknown, uncertain, missing or of confidence I; a bilateral
treaty of confidence I) are never relied on silently: the router decides on the best reading
(party:I counts as party, unknown counts as not party), then re-decides with each uncertain
instrument resolved both ways; if that changes the basis or the channel it flags
MEMBERSHIP_UNCERTAIN, lists the other outcome as an alternative and lowers the confidence to I.
If the best reading ends in reciprocity while an uncertain fact could give a treaty basis, nothing
is decided: MANUAL_REVIEW (SPEC §6: a missing row is unknown, not "not party").

`route_request` never raises: a request it cannot route comes back flagged MANUAL_REVIEW.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cases.kernel.countries import is_country_code
from cases.legal.catalogue import (
    DEFAULT_MEASURE,
    MEASURE_REQUEST_TYPE,
    BilateralTreaty,
    BilateralType,
    Capital,
    Channel,
    Confidence,
    Flag,
    InstrumentCode,
    LegalFacts,
    Measure,
    Offence,
    RequestType,
    StateProfile,
    Timer,
)
from cases.legal.checks import FP_OFFENCES, nationals_agreement_covers, run_checks
from cases.legal.deadlines import DEFAULT_POLICY, Deadline, ReminderPolicy, deadlines_for
from cases.legal.document_fields import MEASURE_FIELDS, NOT_FOR_MEASURE, in_document_order
from cases.legal.errors import InvalidRequest

IC = InstrumentCode
UNTOC_OFFENCES = frozenset(
    {Offence.PARTICIPATION_IN_OCG, Offence.MONEY_LAUNDERING, Offence.CORRUPTION}
)
SERIOUS_CRIME_YEARS = 4  # UNTOC art. 2(b)

# Ranking (§3 step 8): EU instrument > bilateral specific > regional > UNTOC > reciprocity.
RANK_EU = 0
RANK_EU_FALLBACK = 10  # ECMA 1959 + EU MLA 2000 between EU states outside the EIO (DK, IE)
RANK_BILATERAL = 20
RANK_REGIONAL = 30
RANK_GLOBAL = 40
RANK_RECIPROCITY = 50
_INSTRUMENT_RANK = {
    IC.EIO: RANK_EU,
    IC.EAW: RANK_EU,
    IC.ECMA59: RANK_REGIONAL,
    IC.ECE57: RANK_REGIONAL,
    IC.IAMLA: RANK_REGIONAL,
    IC.CIFTA: RANK_REGIONAL,
    IC.ECOWAS_MLA: RANK_REGIONAL,
    IC.ECOWAS_EXT: RANK_REGIONAL,
    IC.UNTOC: RANK_GLOBAL,
}
# Instruments whose membership can change a decision (uncertainty is tested on these).
_MEMBERSHIP_INSTRUMENTS = (
    IC.EIO,
    IC.EAW,
    IC.EU_MLA2000,
    IC.ECMA59,
    IC.ECMA59_2AP,
    IC.ECE57,
    IC.IAMLA,
    IC.CIFTA,
    IC.ECOWAS_MLA,
    IC.ECOWAS_EXT,
    IC.UNTOC,
    IC.FP,
)

_ADVANCE_COPY_ARTICLES = {
    IC.UNTOC: "UNTOC art. 18(13)-(14): INTERPOL where the States agree; oral, confirmed in writing",
    IC.ECMA59: "ECMA art. 15(5)",
    IC.ECMA59_2AP: "ECMA art. 15(5) as amended by the 2nd Additional Protocol",
    IC.RECIPROCITY: "practice for letters rogatory without a treaty",
}

ROUTES: Mapping[Channel, tuple[str, ...]] = {
    Channel.DIRECT_JUDICIAL: ("prosecutor:{r}", "executing_authority:{q}"),
    Channel.CENTRAL_AUTHORITY: (
        "prosecutor:{r}",
        "central_authority:{r}",
        "central_authority:{q}",
        "executing_authority:{q}",
    ),
    Channel.MINISTRY_OF_JUSTICE: (
        "prosecutor:{r}",
        "ministry_of_justice:{r}",
        "ministry_of_justice:{q}",
        "executing_authority:{q}",
    ),
    Channel.DIPLOMATIC: (
        "prosecutor:{r}",
        "ministry_of_justice:{r}",
        "ministry_of_foreign_affairs:{r}",
        "ministry_of_foreign_affairs:{q}",
        "ministry_of_justice:{q}",
        "executing_authority:{q}",
    ),
    Channel.INTERPOL: (
        "prosecutor:{r}",
        "interpol_ncb:{r}",
        "interpol_ncb:{q}",
        "executing_authority:{q}",
    ),
}


# ------------------------------------------------------------------------------------------------
# Input and output


@dataclass(frozen=True)
class RequestFacts:
    """A request as the router sees it (SPEC §6 `cordon requests open` options)."""

    request_type: RequestType
    requesting: str
    requested: str
    measure: Measure | None = None  # default: evidence (mla) / surrender (extradition)
    person_nationality: str | None = None
    urgent: bool = False
    offence: Offence = Offence.FIREARMS_TRAFFICKING
    max_penalty_years: float = 10
    transnational: bool = True
    organised_group: bool = True
    capital: Capital = Capital.UNKNOWN
    political_context: bool = False  # not a CLI option yet: arms flows linked to insurgency
    request_id: str | None = None

    @property
    def effective_measure(self) -> Measure:
        return self.measure or DEFAULT_MEASURE[self.request_type]

    @property
    def timer_measures(self) -> frozenset[str]:
        """Measures whose timers apply; an urgent extradition adds provisional arrest (§3 step "
        "6)."""
        measures = {self.effective_measure.value}
        if self.request_type is RequestType.EXTRADITION and self.urgent:
            measures.add(Measure.PROVISIONAL_ARREST.value)
        return frozenset(measures)


def _choice(name: str, value: Any, enum: type[Any]) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidRequest(f"{name} {value!r} is not one of {allowed}") from None


STATE_NAMES = {
    "from": "requesting state",
    "to": "requested state",
    "person_nationality": "person_nationality",
}


def make_request(
    *,
    request_type: str,
    requesting: str,
    requested: str,
    measure: str | None = None,
    person_nationality: str | None = None,
    urgent: bool = False,
    offence: str = Offence.FIREARMS_TRAFFICKING.value,
    max_penalty_years: float = 10,
    transnational: bool = True,
    organised_group: bool = True,
    capital: str = Capital.UNKNOWN.value,
    political_context: bool = False,
    request_id: str | None = None,
) -> RequestFacts:
    """A validated `RequestFacts` from plain strings; `InvalidRequest` names the bad field."""
    kind = _choice("type", request_type.lower(), RequestType)
    chosen = _choice("measure", measure.lower(), Measure) if measure else None
    if chosen is not None and MEASURE_REQUEST_TYPE[chosen] is not kind:
        raise InvalidRequest(
            f"measure {chosen.value} belongs to {MEASURE_REQUEST_TYPE[chosen].value} requests, "
            f"not {kind.value}: change the request type or the measure"
        )
    codes = {}
    for name, value in (
        ("from", requesting),
        ("to", requested),
        ("person_nationality", person_nationality),
    ):
        if value is None:
            continue
        code = value.strip().upper()
        if not is_country_code(code):
            raise InvalidRequest(
                f"{STATE_NAMES[name]} {value!r} is not an ISO 3166-1 alpha-2 country code"
            )
        codes[name] = code
    if codes["from"] == codes["to"]:
        raise InvalidRequest(
            f"the requesting and the requested state are both {codes['from']}: "
            "a request goes to another state"
        )
    if max_penalty_years < 0:
        raise InvalidRequest(f"max_penalty_years {max_penalty_years} must not be negative")
    return RequestFacts(
        request_type=kind,
        requesting=codes["from"],
        requested=codes["to"],
        measure=chosen,
        person_nationality=codes.get("person_nationality"),
        urgent=urgent,
        offence=_choice("offence", offence.lower(), Offence),
        max_penalty_years=float(max_penalty_years),
        transnational=transnational,
        organised_group=organised_group,
        capital=_choice("capital", capital.lower(), Capital),
        political_context=political_context,
        request_id=request_id,
    )


@dataclass(frozen=True)
class RoutingDecision:
    """SPEC §6 decision object; `to_dict` gives exactly the contract's keys."""

    request_id: str | None
    legal_basis: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    channel: Channel | None
    route: tuple[str, ...]
    languages: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    flags: tuple[Flag, ...]
    required_fields: tuple[str, ...]
    confidence: Confidence
    explanation: str

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """The contract's JSON object. `full` keeps each deadline's instrument, article and
        ending events — store that form, so that `due_reminders` knows when a deadline was met."""
        return {
            "request_id": self.request_id,
            "legal_basis": list(self.legal_basis),
            "alternatives": [list(a) for a in self.alternatives],
            "channel": self.channel.value if self.channel else None,
            "route": list(self.route),
            "languages": list(self.languages),
            "deadlines": [d.to_dict(full=full) for d in self.deadlines],
            "flags": [f.value for f in self.flags],
            "required_fields": list(self.required_fields),
            "confidence": self.confidence.value,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingDecision:
        channel = data.get("channel")
        return cls(
            request_id=data.get("request_id"),
            legal_basis=tuple(data.get("legal_basis", ())),
            alternatives=tuple(tuple(a) for a in data.get("alternatives", ())),
            channel=Channel(channel) if channel else None,
            route=tuple(data.get("route", ())),
            languages=tuple(data.get("languages", ())),
            deadlines=tuple(Deadline.from_dict(d) for d in data.get("deadlines", ())),
            flags=tuple(Flag(f) for f in data.get("flags", ())),
            required_fields=tuple(data.get("required_fields", ())),
            confidence=Confidence(data.get("confidence", "I")),
            explanation=str(data.get("explanation", "")),
        )

    @property
    def needs_manual_review(self) -> bool:
        return Flag.MANUAL_REVIEW in self.flags


# ------------------------------------------------------------------------------------------------
# A view of the facts with some uncertain facts resolved one way or the other


@dataclass(frozen=True)
class _View:
    facts: LegalFacts
    forced: Mapping[tuple[str, InstrumentCode], bool] = field(default_factory=dict)
    dropped: frozenset[str] = frozenset()  # bilateral basis codes assumed not to exist

    def party(self, state: str, code: InstrumentCode) -> bool:
        if (state, code) in self.forced:
            return self.forced[(state, code)]
        row = self.facts.membership(state, code)
        return row is not None and row.status.value == "party"

    def both(self, r: str, q: str, code: InstrumentCode) -> bool:
        return self.party(r, code) and self.party(q, code)

    def support(self, r: str, q: str, code: InstrumentCode) -> list[Confidence]:
        """Confidence of the facts that make `code` common to R and Q (a forced fact is I)."""
        found = [self.facts.instruments[code].confidence]
        for state in (r, q):
            row = self.facts.membership(state, code)
            if (state, code) in self.forced or row is None:
                found.append(Confidence.I)
            else:
                found.append(row.confidence)
        return found

    def treaties(self, r: str, q: str) -> tuple[BilateralTreaty, ...]:
        return tuple(t for t in self.facts.bilaterals(r, q) if t.basis_code not in self.dropped)


@dataclass(frozen=True)
class _Candidate:
    basis: tuple[str, ...]
    channel_from: InstrumentCode
    rank: int
    support: tuple[Confidence, ...]
    notes: tuple[str, ...] = ()
    review: str = ""  # why this basis cannot be auto-selected (manual review)
    treaties: tuple[BilateralTreaty, ...] = ()


@dataclass(frozen=True)
class _Answer:
    candidates: tuple[_Candidate, ...]  # ranked, never empty (reciprocity as the last resort)
    exclusions: tuple[Confidence, ...]  # facts that ruled out higher-ranked instruments
    notes: tuple[str, ...]  # why higher layers did not apply

    @property
    def chosen(self) -> _Candidate:
        return self.candidates[0]


def _basis_instruments(basis: Iterable[str]) -> list[InstrumentCode]:
    return [IC.BILATERAL if b.startswith("BILATERAL:") else IC(b) for b in basis]


def _articles(facts: LegalFacts, basis: Iterable[str], key: str) -> str:
    seen: dict[str, None] = {}
    for code in _basis_instruments(basis):
        text = facts.instruments[code].articles.get(key) or facts.instruments[code].articles.get(
            "extradition" if key == "provisional_arrest" else key
        )
        if text:
            seen[text] = None
    return "; ".join(seen)


# ------------------------------------------------------------------------------------------------
# The layers


def _eu_layer(
    view: _View, req: RequestFacts, r: StateProfile, q: StateProfile
) -> _Candidate | None:
    if not (r.eu_member and q.eu_member):
        return None
    eu_conf = [r.confidence, q.confidence]
    if req.request_type is RequestType.EXTRADITION:
        if view.both(r.iso, q.iso, IC.EAW):
            return _Candidate(
                basis=(IC.EAW.value,),
                channel_from=IC.EAW,
                rank=RANK_EU,
                support=(*view.support(r.iso, q.iso, IC.EAW), *eu_conf),
                notes=(
                    f"{r.name} and {q.name} are EU Member States: the European Arrest Warrant "
                    "replaces "
                    "extradition between them (FD 2002/584/JHA art. 31), transmitted directly "
                    "between "
                    "judicial authorities (art. 9(1); SIS alert art. 9(3)).",
                ),
            )
        return None
    if view.both(r.iso, q.iso, IC.EIO):
        return _Candidate(
            basis=(IC.EIO.value,),
            channel_from=IC.EIO,
            rank=RANK_EU,
            support=(*view.support(r.iso, q.iso, IC.EIO), *eu_conf),
            notes=(
                f"{r.name} and {q.name} are both bound by the European Investigation Order "
                "Directive: "
                "an EIO (Annex A form) goes directly from the issuing to the executing authority "
                "(Directive 2014/41/EU art. 7(1)); it replaces the ECMA 1959 and the EU MLA "
                "Convention "
                "between bound Member States (art. 34).",
            ),
        )
    if view.both(r.iso, q.iso, IC.ECMA59) and view.both(r.iso, q.iso, IC.EU_MLA2000):
        outside = [s.name for s in (r, q) if not view.party(s.iso, IC.EIO)]
        basis = [IC.ECMA59]
        if view.both(r.iso, q.iso, IC.ECMA59_2AP):
            basis.append(IC.ECMA59_2AP)
        basis.append(IC.EU_MLA2000)
        support = [c for code in basis for c in view.support(r.iso, q.iso, code)]
        return _Candidate(
            basis=tuple(b.value for b in basis),
            channel_from=IC.EU_MLA2000,
            rank=RANK_EU_FALLBACK,
            support=(*support, *eu_conf),
            notes=(
                f"{' and '.join(outside)} {'is' if len(outside) == 1 else 'are'} not bound by the "
                "EIO "
                "(Directive 2014/41/EU recitals 44-45): the request is a letter of request under "
                "the "
                "ECMA 1959"
                + (" and its 2nd Additional Protocol" if IC.ECMA59_2AP in basis else "")
                + ", supplemented by the EU MLA Convention 2000, sent directly between judicial "
                "authorities (EU MLA Convention art. 6(1)).",
            ),
        )
    return None


def _regional_layer(
    view: _View, req: RequestFacts, r: StateProfile, q: StateProfile
) -> tuple[_Candidate | None, list[_Candidate]]:
    """(the Council of Europe candidate, other regional candidates)."""
    firearms = req.offence in FP_OFFENCES
    coe: _Candidate | None = None
    others: list[_Candidate] = []

    def candidate(
        codes: list[InstrumentCode], channel_from: InstrumentCode, note: str
    ) -> _Candidate:
        support = [c for code in codes for c in view.support(r.iso, q.iso, code)]
        return _Candidate(
            basis=tuple(c.value for c in codes),
            channel_from=channel_from,
            rank=RANK_REGIONAL,
            support=tuple(support),
            notes=(note,),
        )

    if req.request_type is RequestType.MLA:
        if view.both(r.iso, q.iso, IC.ECMA59):
            codes = [IC.ECMA59]
            if view.both(r.iso, q.iso, IC.ECMA59_2AP):
                codes.append(IC.ECMA59_2AP)
            coe = candidate(
                codes,
                codes[-1],
                "Both are parties to the European Convention on Mutual Assistance 1959"
                + (
                    " and its 2nd Additional Protocol (direct transmission allowed, ETS 182 art. 4)"
                    if len(codes) > 1
                    else " (letters rogatory via the Ministries of Justice, art. 15(1); urgent "
                    "requests directly between judicial authorities, art. 15(2))"
                )
                + ".",
            )
        if view.both(r.iso, q.iso, IC.IAMLA):
            codes = [IC.IAMLA]
            if firearms and view.both(r.iso, q.iso, IC.CIFTA):
                codes.append(IC.CIFTA)
            others.append(
                candidate(
                    codes,
                    IC.IAMLA,
                    "Both are parties to the Inter-American Convention on Mutual Assistance "
                    "(central authorities, art. 3; no legalisation, art. 27).",
                )
            )
        elif firearms and view.both(r.iso, q.iso, IC.CIFTA):
            others.append(
                candidate(
                    [IC.CIFTA], IC.CIFTA, "Both are CIFTA parties (art. XVII, mutual assistance)."
                )
            )
        if view.both(r.iso, q.iso, IC.ECOWAS_MLA):
            others.append(
                candidate(
                    [IC.ECOWAS_MLA],
                    IC.ECOWAS_MLA,
                    "Both are parties to the ECOWAS Convention on Mutual Assistance (A/P1/7/92).",
                )
            )
        return coe, others
    if view.both(r.iso, q.iso, IC.ECE57):
        coe = candidate(
            [IC.ECE57],
            IC.ECE57,
            "Both are parties to the European Convention on Extradition 1957: the request goes "
            "Ministry of Justice to Ministry of Justice (art. 12(1) as amended by the 2nd "
            "Additional Protocol; the diplomatic channel is not excluded).",
        )
    if view.both(r.iso, q.iso, IC.ECOWAS_EXT):
        others.append(
            candidate(
                [IC.ECOWAS_EXT],
                IC.ECOWAS_EXT,
                "Both are parties to the ECOWAS Convention on Extradition (A/P1/8/94); procedure "
                "under the requested State's law (art. 28(2)).",
            )
        )
    if firearms and view.both(r.iso, q.iso, IC.CIFTA):
        others.append(
            candidate([IC.CIFTA], IC.CIFTA, "Both are CIFTA parties (art. XIX, extradition).")
        )
    return coe, others


def _usable_treaties(
    view: _View, req: RequestFacts, r: StateProfile, q: StateProfile
) -> list[BilateralTreaty]:
    """Bilateral treaties that apply to this request.

    An agreement on extraditing own nationals applies only when the person is a national of the
    requested state and its scope covers the offence (checks.nationals_agreement_covers).
    """
    usable: list[BilateralTreaty] = []
    for treaty in view.treaties(r.iso, q.iso):
        if req.request_type is RequestType.MLA:
            if treaty.type is BilateralType.MLA:
                usable.append(treaty)
            continue
        if treaty.type is BilateralType.EXTRADITION:
            usable.append(treaty)
        elif treaty.type is BilateralType.EXTRADITION_NATIONALS:
            if req.person_nationality != q.iso:
                continue
            covers, _ = nationals_agreement_covers(
                treaty, req.offence, req.max_penalty_years, req.organised_group
            )
            if covers:
                usable.append(treaty)
    return usable


def _treaty_support(view: _View, treaties: Sequence[BilateralTreaty]) -> list[Confidence]:
    return [view.facts.instruments[IC.BILATERAL].confidence, *(t.confidence for t in treaties)]


def _untoc_layer(
    view: _View, req: RequestFacts, r: StateProfile, q: StateProfile
) -> tuple[_Candidate | None, str]:
    if not view.both(r.iso, q.iso, IC.UNTOC):
        return None, ""
    if not (req.transnational and req.organised_group):
        return None, (
            "UNTOC is not available: it covers offences that are transnational and involve an "
            "organised criminal group (art. 3(1); FP art. 4(1))."
        )
    fp = req.offence in FP_OFFENCES and view.both(r.iso, q.iso, IC.FP)
    serious = req.max_penalty_years >= SERIOUS_CRIME_YEARS
    if not (fp or serious or req.offence in UNTOC_OFFENCES):
        return None, (
            "UNTOC is not available: the offence is neither a Convention or Firearms Protocol "
            "offence nor a serious crime (maximum at least 4 years, art. 2(b))."
        )
    codes = [IC.UNTOC, *([IC.FP] if fp else [])]
    support = [c for code in codes for c in view.support(r.iso, q.iso, code)]
    scope = (
        "a Firearms Protocol offence, deemed a Convention offence (FP art. 1(3))"
        if fp
        else f"a serious crime (maximum {req.max_penalty_years:g} years, art. 2(b))"
        if serious
        else "a Convention offence (arts. 5, 6, 8)"
    )
    review = ""
    if req.request_type is RequestType.MLA:
        note = (
            f"Both are UNTOC parties and the offence is {scope}, transnational and involving an "
            "organised criminal group: mutual legal assistance under art. 18 through the central "
            "authorities (art. 18(13)); paras. 9-29 apply in full where no MLA treaty binds them."
        )
    else:
        declared = view.facts.instruments[IC.UNTOC].art16_5_convention_as_basis.get(q.iso, "")
        if declared == "no":
            return (
                None,
                f"{q.name} does not take UNTOC as a legal basis for extradition (art. 16(5)).",
            )
        if declared not in ("yes", "no_treaty_needed"):
            review = (
                f"UNTOC art. 16(4)-(5): whether {q.name} accepts the Convention as the legal basis "
                "for extradition (its art. 16(5) notification) is not recorded: confirm before "
                "relying "
                "on it"
            )
        note = (
            f"Both are UNTOC parties and the offence is {scope}, transnational and involving an "
            "organised criminal group: extradition under art. 16 (dual criminality, art. 16(1); "
            "conditions of the requested State's law, art. 16(7))."
        )
    return (
        _Candidate(
            basis=tuple(c.value for c in codes),
            channel_from=IC.UNTOC,
            rank=RANK_GLOBAL,
            support=tuple(support),
            notes=(note,),
            review=review,
        ),
        "",
    )


def _reciprocity(view: _View, req: RequestFacts, q: StateProfile) -> _Candidate:
    if req.request_type is RequestType.MLA:
        note = (
            "No treaty basis binds both States: a letter rogatory on reciprocity (comity) under "
            "the "
            f"law of {q.name}, through the diplomatic channel; there is no deadline "
            "(legal-cooperation.md "
            "§1.1 RECIP)."
        )
    else:
        note = (
            "No treaty basis binds both States: extradition on reciprocity through the diplomatic "
            f"channel, possible only if the law of {q.name} allows extradition without a treaty."
        )
    return _Candidate(
        basis=(IC.RECIPROCITY.value,),
        channel_from=IC.RECIPROCITY,
        rank=RANK_RECIPROCITY,
        support=(view.facts.instruments[IC.RECIPROCITY].confidence,),
        notes=(note,),
    )


def _trace_candidates(view: _View, r: StateProfile, q: StateProfile) -> list[_Candidate]:
    note = (
        "A firearm trace is police cooperation: it yields intelligence, not evidence; follow up "
        "with "
        "an MLA request (measure evidence) to use the results in court."
    )
    if view.both(r.iso, q.iso, IC.FP):
        return [
            _Candidate(
                (IC.FP.value,),
                IC.FP,
                RANK_GLOBAL,
                tuple(view.support(r.iso, q.iso, IC.FP)),
                (
                    "Both are Firearms Protocol parties: tracing cooperation under art. 12(4). "
                    f"{note}",
                ),
            )
        ]
    if view.both(r.iso, q.iso, IC.UNTOC):
        return [
            _Candidate(
                (IC.UNTOC.value,),
                IC.UNTOC,
                RANK_GLOBAL,
                tuple(view.support(r.iso, q.iso, IC.UNTOC)),
                (f"Both are UNTOC parties: law-enforcement cooperation under art. 27. {note}",),
            )
        ]
    return []


def _jit_candidates(
    view: _View, req: RequestFacts, r: StateProfile, q: StateProfile
) -> list[_Candidate]:
    found: list[_Candidate] = []
    if r.eu_member and q.eu_member and view.both(r.iso, q.iso, IC.EU_MLA2000):
        found.append(
            _Candidate(
                (IC.EU_MLA2000.value,),
                IC.EU_MLA2000,
                RANK_EU_FALLBACK,
                tuple(view.support(r.iso, q.iso, IC.EU_MLA2000)),
                (
                    "A joint investigation team is not an EIO measure (Directive 2014/41/EU art. "
                    "3): "
                    "it is set up by agreement under the EU MLA Convention 2000 art. 13 (and FD "
                    "2002/465/JHA), with Eurojust support.",
                ),
            )
        )
    if view.both(r.iso, q.iso, IC.ECMA59) and view.both(r.iso, q.iso, IC.ECMA59_2AP):
        codes = (IC.ECMA59, IC.ECMA59_2AP)
        found.append(
            _Candidate(
                tuple(c.value for c in codes),
                IC.ECMA59_2AP,
                RANK_REGIONAL,
                tuple(c for code in codes for c in view.support(r.iso, q.iso, code)),
                (
                    "A joint investigation team under the 2nd Additional Protocol to the ECMA "
                    "(art. 20).",
                ),
            )
        )
    untoc, _ = _untoc_layer(view, req, r, q)
    if untoc is not None:
        found.append(
            _Candidate(
                (IC.UNTOC.value,),
                IC.UNTOC,
                RANK_GLOBAL,
                untoc.support,
                ("A joint investigation body under UNTOC art. 19 (by agreement or case by case).",),
            )
        )
    return found


def _answer(view: _View, req: RequestFacts, r: StateProfile, q: StateProfile) -> _Answer:
    """The ranked candidates under one reading of the facts."""
    measure = req.effective_measure
    notes: list[str] = []
    candidates: list[_Candidate] = []
    if measure is Measure.FIREARM_TRACE:
        candidates = _trace_candidates(view, r, q)
    elif measure is Measure.JIT:
        candidates = _jit_candidates(view, req, r, q)
    else:
        eu = _eu_layer(view, req, r, q)
        coe, others = _regional_layer(view, req, r, q)
        treaties = _usable_treaties(view, req, r, q)
        bilateral: _Candidate | None = None
        if treaties and coe is not None:
            # ECE art. 28(1)-(2) / ECMA art. 26(1)-(3): between Parties, bilateral agreements only
            # supplement or facilitate the Convention, so they are applied alongside it.
            article = (
                "ECE art. 28(2)"
                if req.request_type is RequestType.EXTRADITION
                else "ECMA art. 26(3)"
            )
            coe = _Candidate(
                basis=(*coe.basis, *(t.basis_code for t in treaties)),
                channel_from=coe.channel_from,
                rank=coe.rank,
                support=(*coe.support, *_treaty_support(view, treaties)),
                notes=(
                    *coe.notes,
                    f"{', '.join(t.basis_code for t in treaties)} "
                    f"({'; '.join(t.scope for t in treaties)}) "
                    f"supplements the Convention between the Parties ({article}).",
                ),
                treaties=tuple(treaties),
            )
        elif treaties:
            bilateral = _Candidate(
                basis=tuple(t.basis_code for t in treaties),
                channel_from=IC.BILATERAL,
                rank=RANK_BILATERAL,
                support=tuple(_treaty_support(view, treaties)),
                notes=(
                    f"The bilateral treaty {'; '.join(t.scope for t in treaties)} is the more "
                    "specific "
                    "basis and is preferred; multilateral instruments remain alternative bases "
                    "(legal-cooperation.md §3 step 3).",
                ),
                treaties=tuple(treaties),
            )
        untoc, untoc_note = _untoc_layer(view, req, r, q)
        candidates = [c for c in (eu, bilateral, coe, *others, untoc) if c is not None]
        if untoc_note and all(c.rank >= RANK_GLOBAL for c in candidates):
            notes.append(untoc_note)
    if not candidates:
        fallback = _reciprocity(view, req, q)
        if measure is Measure.JIT:
            # A joint team needs an agreement (EU MLA 2000 art. 13; 2nd AP art. 20; UNTOC art. 19).
            fallback = replace(fallback, review="a joint investigation team needs an agreement")
        candidates = [fallback]
    candidates.sort(key=lambda c: c.rank)
    chosen_rank = candidates[0].rank
    exclusions: list[Confidence] = []
    for code, rank in _INSTRUMENT_RANK.items():
        instrument = view.facts.instruments[code]
        if rank >= chosen_rank or req.request_type not in instrument.covers:
            continue
        if instrument.firearms_only and req.offence not in FP_OFFENCES:
            continue
        if view.both(r.iso, q.iso, code):
            continue
        for state in (r.iso, q.iso):
            row = view.facts.membership(state, code)
            if row is None or (state, code) in view.forced:
                exclusions.append(Confidence.I)
            elif row.status.value != "party":
                exclusions.append(row.confidence)
    return _Answer(tuple(candidates), tuple(exclusions), tuple(notes))


def _channel(
    view: _View, candidate: _Candidate, req: RequestFacts, r: StateProfile, q: StateProfile
) -> Channel:
    both_interpol = r.interpol_member and q.interpol_member
    measure = req.effective_measure
    if measure is Measure.FIREARM_TRACE:
        return Channel.INTERPOL if both_interpol else Channel.DIPLOMATIC
    instrument = view.facts.instruments[candidate.channel_from]
    channel = instrument.measure_channels.get(measure.value)
    if channel is None:
        base = req.request_type.value
        if measure is Measure.PROVISIONAL_ARREST:
            key = "provisional_arrest"
        else:
            key = f"{base}_urgent" if req.urgent else base
        channel = instrument.channels.get(key) or instrument.channels.get(base)
    if channel is None:
        channel = Channel.DIPLOMATIC
    if channel is Channel.INTERPOL and not both_interpol:
        # ECE art. 16(3): the diplomatic channel is the alternative to INTERPOL.
        channel = Channel.DIPLOMATIC
    return channel


def _key(
    view: _View, answer: _Answer, req: RequestFacts, r: StateProfile, q: StateProfile
) -> tuple[Any, ...]:
    chosen = answer.chosen
    return (chosen.basis, _channel(view, chosen, req, r, q))


# ------------------------------------------------------------------------------------------------
# Uncertainty


@dataclass(frozen=True)
class _Uncertainty:
    description: str
    basis: tuple[str, ...]
    channel: Channel


def _describe_rows(facts: LegalFacts, code: InstrumentCode, states: Sequence[str]) -> str:
    parts = []
    for state in states:
        row = facts.membership(state, code)
        parts.append(
            f"{state}: no row (unknown)"
            if row is None
            else f"{state}: {row.status.value} ({row.confidence})"
        )
    return ", ".join(parts)


def _uncertainties(
    facts: LegalFacts,
    req: RequestFacts,
    r: StateProfile,
    q: StateProfile,
    base_key: tuple[Any, ...],
) -> list[_Uncertainty]:
    found: list[_Uncertainty] = []
    for code in _MEMBERSHIP_INSTRUMENTS:
        unresolved = [
            s
            for s in (r.iso, q.iso)
            if (row := facts.membership(s, code)) is None or row.unresolved
        ]
        if not unresolved:
            continue
        for value in (True, False):
            view = _View(facts, forced={(s, code): value for s in unresolved})
            answer = _answer(view, req, r, q)
            key = _key(view, answer, req, r, q)
            if key != base_key:
                party = "parties" if len(unresolved) > 1 else "a party"
                reading = f"were {party}" if value else f"were not {party}"
                found.append(
                    _Uncertainty(
                        f"{code.value} ({_describe_rows(facts, code, unresolved)}): if "
                        f"{' and '.join(unresolved)} {reading}, the basis would be "
                        f"{' + '.join(key[0])} via {key[1].value}",
                        key[0],
                        key[1],
                    )
                )
    for treaty in facts.bilaterals(r.iso, q.iso):
        if treaty.confidence is not Confidence.I:
            continue
        view = _View(facts, dropped=frozenset({treaty.basis_code}))
        answer = _answer(view, req, r, q)
        key = _key(view, answer, req, r, q)
        if key != base_key:
            found.append(
                _Uncertainty(
                    f"{treaty.basis_code} ({treaty.scope}; confidence I, {treaty.source}): "
                    "without it "
                    f"the basis would be {' + '.join(key[0])} via {key[1].value}",
                    key[0],
                    key[1],
                )
            )
    return found


# ------------------------------------------------------------------------------------------------
# The decision


def _route(channel: Channel | None, r: str, q: str) -> tuple[str, ...]:
    if channel is None:
        return ()
    return tuple(step.format(r=r, q=q) for step in ROUTES[channel])


def _timers(
    facts: LegalFacts, basis: Sequence[str], treaties: Sequence[BilateralTreaty]
) -> list[Timer]:
    timers: list[Timer] = []
    for code in dict.fromkeys(_basis_instruments(basis)):
        timers.extend(facts.instruments[code].timers)
    for timer in facts.instruments[IC.BILATERAL].pair_timers:
        if any(timer.pair == t.pair and timer.pair_type == t.type.value for t in treaties):
            timers.append(timer)
    return timers


def _required_fields(
    facts: LegalFacts,
    req: RequestFacts,
    basis: Sequence[str],
    treaties: Sequence[BilateralTreaty],
    extra: Iterable[str],
) -> tuple[str, ...]:
    measure = req.effective_measure
    kind = req.request_type.value
    key = "provisional_arrest" if measure is Measure.PROVISIONAL_ARREST else kind
    names: list[str] = []
    codes = _basis_instruments(basis) or [
        IC.UNTOC if req.request_type is RequestType.MLA else IC.ECE57
    ]
    for code in codes:
        required = facts.instruments[code].required_fields
        names.extend(required.get(key) or required.get(kind) or ())
    for pair_fields in facts.instruments[IC.BILATERAL].pair_required_fields:
        if any(pair_fields.pair == t.pair and pair_fields.type is t.type for t in treaties):
            names.extend(pair_fields.fields)
    names.extend(MEASURE_FIELDS.get(measure, ()))
    if req.urgent:
        names.append("urgency_reasons")  # UNTOC art. 18(24); EIO art. 12(2)
    names.extend(extra)
    dropped = set(NOT_FOR_MEASURE.get(measure, ()))
    return in_document_order(n for n in names if n not in dropped)


def _deadline_text(deadlines: Sequence[Deadline]) -> str:
    if not deadlines:
        return ""
    parts = [
        f"{d.name} {d.days} days after {d.starts_on}"
        + (f" ({d.instrument} {d.article})" if d.kind.value == "hard" else "")
        for d in deadlines
    ]
    hard = any(d.kind.value == "hard" for d in deadlines)
    label = "Deadlines" if hard else "No deadline in days applies; chase reminders"
    return f"{label}: {'; '.join(parts)}."


def _unroutable(facts: LegalFacts, req: RequestFacts, problem: str) -> RoutingDecision:
    q = facts.state(req.requested)
    return RoutingDecision(
        request_id=req.request_id,
        legal_basis=(),
        alternatives=(),
        channel=None,
        route=(),
        languages=q.languages if q else (),
        deadlines=(),
        flags=(Flag.MANUAL_REVIEW,),
        required_fields=(),
        confidence=Confidence.I,
        explanation=f"Manual review: {problem}",
    )


def _problem(facts: LegalFacts, req: RequestFacts) -> str:
    for role, iso in (("requesting", req.requesting), ("requested", req.requested)):
        if facts.state(iso) is None:
            return f"the {role} state {iso!r} is not in the reference data; add it to states.csv."
    if req.requesting == req.requested:
        return (
            f"the requesting and the requested state are both {req.requesting}; nothing to route."
        )
    measure = req.effective_measure
    if MEASURE_REQUEST_TYPE[measure] is not req.request_type:
        return (
            f"the measure {measure.value} belongs to {MEASURE_REQUEST_TYPE[measure].value} "
            "requests, "
            f"not {req.request_type.value}."
        )
    return ""


def route_request(
    facts: LegalFacts, request: RequestFacts, *, policy: ReminderPolicy = DEFAULT_POLICY
) -> RoutingDecision:
    """The routing decision for one request (pure; never raises for known states)."""
    problem = _problem(facts, request)
    if problem:
        return _unroutable(facts, request, problem)
    r = facts.states[request.requesting]
    q = facts.states[request.requested]
    measure = request.effective_measure
    base_view = _View(facts)
    base = _answer(base_view, request, r, q)
    base_key = _key(base_view, base, request, r, q)
    uncertain = _uncertainties(facts, request, r, q, base_key)
    chosen = base.chosen

    flags: list[Flag] = []
    head = (
        f"{r.name} ({r.iso}) asks {q.name} ({q.iso}) for "
        + ("mutual legal assistance" if request.request_type is RequestType.MLA else "extradition")
        + f" ({measure.value}{', urgent' if request.urgent else ''}; offence "
        f"{request.offence.value}, "
        f"maximum {request.max_penalty_years:g} years)."
    )
    basis_notes: list[str] = []
    review_notes: list[str] = []
    special = [s for s in (r, q) if s.special_flag == Flag.MANUAL_REVIEW.value]
    reciprocity_unproven = chosen.basis == (IC.RECIPROCITY.value,) and bool(uncertain)
    alternatives: list[tuple[str, ...]]
    legal_basis: tuple[str, ...]
    channel: Channel | None
    if special or reciprocity_unproven:
        legal_basis, channel = (), None
        alternatives = [c.basis for c in base.candidates]
        flags.append(Flag.MANUAL_REVIEW)
        for s in special:
            review_notes.append(
                f"Manual review: {s.name} is flagged MANUAL_REVIEW in the reference data "
                "(states.csv "
                f"special_flag; Council of Europe member: {'yes' if s.coe_member else 'no'}; "
                "INTERPOL "
                f"member: {'yes' if s.interpol_member else 'no'}; own nationals extradited: "
                f"{s.nationals_policy.value}). Candidate bases are listed as alternatives but not "
                "selected (legal-cooperation.md §3 step 0); facilitation through an international "
                "mission or liaison arrangement may be needed."
            )
        if reciprocity_unproven and not special:
            review_notes.append(
                "Manual review: no basis can be decided. Reciprocity needs every instrument to be "
                "known not to bind both States, but some memberships are unknown or uncertain (a "
                "missing row is unknown, not 'not party')."
            )
        confidence = Confidence.weakest(s.confidence for s in special) if special else Confidence.I
    else:
        legal_basis = chosen.basis
        channel = _channel(base_view, chosen, request, r, q)
        alternatives = [c.basis for c in base.candidates[1:]]
        basis_notes.extend(chosen.notes)
        key = (
            "provisional_arrest" if measure is Measure.PROVISIONAL_ARREST else request.request_type
        )
        articles = (
            ""
            if measure in (Measure.FIREARM_TRACE, Measure.JIT)  # their notes cite the articles
            else _articles(facts, legal_basis, str(key))
        )
        if articles:
            basis_notes.append(f"Provisions: {articles}.")
        if chosen.review:
            flags.append(Flag.MANUAL_REVIEW)
            review_notes.append(f"Manual review: {chosen.review}.")
        confidence = Confidence.weakest([*chosen.support, *base.exclusions])
    if uncertain:
        flags.append(Flag.MEMBERSHIP_UNCERTAIN)
        confidence = Confidence.I
        alternatives.extend(u.basis for u in uncertain)
        review_notes.append(
            "Membership uncertain — Cordon does not rely on it: "
            + "; ".join(dict.fromkeys(u.description for u in uncertain))
            + "."
        )

    channel_notes: list[str] = []
    if channel is not None:
        channel_notes.append(
            f"Channel: {channel.value} — {' → '.join(_route(channel, r.iso, q.iso))}."
        )
        # Urgency overlay (§3 step 6).
        advance = facts.instruments[chosen.channel_from].advance_copy
        if request.urgent and request.request_type is RequestType.EXTRADITION:
            if measure is not Measure.PROVISIONAL_ARREST:
                channel_notes.append(
                    "Urgent: ask for provisional arrest ahead of the formal request — INTERPOL Red "
                    "Notice or diffusion (ECE art. 16(3); EAW SIS alert art. 9(3); UNTOC art. "
                    "16(9)); "
                    "the provisional-arrest time limits run from the arrest."
                )
        elif (
            request.urgent
            and advance is Channel.INTERPOL
            and r.interpol_member
            and q.interpol_member
        ):
            cite = _ADVANCE_COPY_ARTICLES.get(chosen.channel_from, "practice")
            channel_notes.append(
                "Urgent: send an advance copy through INTERPOL and confirm in writing through "
                f"{channel.value} ({cite})."
            )

    checks = run_checks(
        facts,
        request_type=request.request_type,
        measure=measure,
        requesting=r,
        requested=q,
        basis=legal_basis,
        person_nationality=request.person_nationality,
        offence=request.offence,
        max_penalty_years=request.max_penalty_years,
        organised_group=request.organised_group,
        capital=request.capital,
        political_context=request.political_context,
        fp_common=base_view.both(r.iso, q.iso, IC.FP),
    )
    flags.extend(checks.flags)
    context_notes: list[str] = list(base.notes)
    if r.special_flag == "AES" or q.special_flag == "AES":
        context_notes.append(
            "Mali, Burkina Faso and Niger (AES) left ECOWAS with effect from 29 January 2025; "
            "whether "
            "the ECOWAS conventions still bind them is unresolved (I)."
        )

    treaties = chosen.treaties if legal_basis else ()
    deadlines = deadlines_for(
        _timers(facts, legal_basis, treaties),
        request_type=request.request_type.value,
        measures=request.timer_measures,
        urgent=request.urgent,
        policy=policy,
    )
    unique_alternatives = tuple(a for a in dict.fromkeys(alternatives) if a != legal_basis)
    tail = [_deadline_text(deadlines)]
    if unique_alternatives:
        tail.append(
            "Alternative bases: " + "; ".join(" + ".join(a) for a in unique_alternatives) + "."
        )
    notes = [
        head,
        *basis_notes,
        *channel_notes,
        *review_notes,
        *checks.notes,
        *context_notes,
        *tail,
    ]
    return RoutingDecision(
        request_id=request.request_id,
        legal_basis=legal_basis,
        alternatives=unique_alternatives,
        channel=channel,
        route=_route(channel, r.iso, q.iso),
        languages=q.languages,
        deadlines=deadlines,
        flags=tuple(f for f in Flag if f in flags),
        required_fields=_required_fields(
            facts, request, legal_basis, treaties, checks.required_fields
        ),
        confidence=confidence,
        explanation=" ".join(n for n in notes if n),
    )

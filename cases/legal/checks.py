"""Rule checks on a chosen legal basis (legal-cooperation.md §4): each yields flags, plain-language
notes citing the provision, and the extra document fields it makes necessary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cases.legal.catalogue import (
    COERCIVE_MEASURES,
    BilateralTreaty,
    BilateralType,
    Capital,
    DeathPenalty,
    Flag,
    InstrumentCode,
    LegalFacts,
    Measure,
    NationalsPolicy,
    Offence,
    RequestType,
    StateProfile,
)

# EAW art. 2(2) / EIO Annex D categories the offences map to (no dual-criminality check when the
# maximum penalty in the issuing state is at least three years).
EU_LIST_OFFENCES: dict[Offence, str] = {
    Offence.FIREARMS_TRAFFICKING: "illicit trafficking in weapons, munitions and explosives",
    Offence.PARTICIPATION_IN_OCG: "participation in a criminal organisation",
    Offence.MONEY_LAUNDERING: "laundering of the proceeds of crime",
    Offence.CORRUPTION: "corruption",
}
FP_OFFENCES: frozenset[Offence] = frozenset(
    {Offence.FIREARMS_TRAFFICKING, Offence.ILLICIT_MANUFACTURING, Offence.MARKING_TAMPERING}
)

# Where each instrument says which language a request must be in.
_LANGUAGE_RULES: dict[str, str] = {
    InstrumentCode.EIO: "EIO art. 5(2)",
    InstrumentCode.EAW: "EAW art. 8(2)",
    InstrumentCode.ECMA59: "ECMA art. 16 (by declaration)",
    InstrumentCode.ECMA59_2AP: "ECMA art. 16 (by declaration)",
    InstrumentCode.EU_MLA2000: "ECMA art. 16 (by declaration)",
    InstrumentCode.ECE57: "ECE art. 23 (the requested Party may require English or French)",
    InstrumentCode.UNTOC: "UNTOC art. 18(14)",
    InstrumentCode.IAMLA: "IAMLA art. 28 (I)",
}

# Where each basis allows refusing a political offence (legal-cooperation.md §4).
_POLITICAL_ARTICLES: dict[str, str] = {
    InstrumentCode.ECE57: "ECE art. 3",
    InstrumentCode.ECMA59: "ECMA art. 2(a)",
    InstrumentCode.ECMA59_2AP: "ECMA art. 2(a)",
    InstrumentCode.EU_MLA2000: "ECMA art. 2(a)",
    InstrumentCode.IAMLA: "IAMLA art. 9",
    InstrumentCode.UNTOC: "the requested State's law (UNTOC art. 16(7); only non-discrimination "
    "in art. 16(14))",
    InstrumentCode.CIFTA: "CIFTA (I)",
    InstrumentCode.ECOWAS_MLA: "the ECOWAS convention (I)",
    InstrumentCode.ECOWAS_EXT: "the ECOWAS convention (I)",
    InstrumentCode.RECIPROCITY: "the requested State's law",
}

_DP_IN_LAW = frozenset({DeathPenalty.RETENTIONIST, DeathPenalty.DE_FACTO_ABOLITIONIST})
_ABOLISHED_IN_LAW = frozenset({DeathPenalty.ABOLISHED, DeathPenalty.ABOLISHED_ORDINARY_CRIMES})


@dataclass(frozen=True)
class CheckResult:
    flags: tuple[Flag, ...] = ()
    notes: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()


@dataclass
class _Collector:
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)

    def result(self) -> CheckResult:
        return CheckResult(tuple(self.flags), tuple(self.notes), tuple(self.required))


# ------------------------------------------------------------------------------------------------
# Scope of the Western Balkans agreements on extraditing own nationals (bilateral.csv `scope`)

_THRESHOLD = re.compile(r"(>=|more than|>|at least)\s*(\d+(?:\.\d+)?)\s*y")


def nationals_agreement_covers(
    treaty: BilateralTreaty, offence: Offence, max_penalty_years: float, organised_group: bool
) -> tuple[bool | None, str]:
    """Does an EXTRADITION_NATIONALS agreement's scope cover this offence? (True, False or None =
    cannot tell), with the reason in words.

    The scope text is read clause by clause (`;` separates alternatives): a clause names what it
    covers ("organised crime", "corruption", "money laundering", "offences", "grave crimes",
    "firearms") and may set a penalty threshold (">=4 years", "more than 3 years").
    """
    text = treaty.scope.lower()
    if any(word in text for word in ("negotiat", "unverified", "not in force")):
        return None, f"its entry into force is not established ({treaty.scope})"
    recognised = False
    for clause in (c.strip() for c in text.split(";")):
        if not clause or clause.startswith("not ") or "prospective" in clause:
            continue
        subjects = {
            "organised crime": organised_group,
            "organized crime": organised_group,
            "corruption": offence is Offence.CORRUPTION,
            "money laundering": offence is Offence.MONEY_LAUNDERING,
            "firearm": offence in FP_OFFENCES,
            "arms": offence in FP_OFFENCES,
            "offences": True,
            "grave crimes": True,
            "all crimes": True,
        }
        named = [ok for word, ok in subjects.items() if word in clause]
        if not named:
            continue
        recognised = True
        match = _THRESHOLD.search(clause)
        if match:
            limit = float(match.group(2))
            meets = (
                max_penalty_years > limit
                if match.group(1) in (">", "more than")
                else (max_penalty_years >= limit)
            )
        else:
            meets = True
        if any(named) and meets:
            return True, f"its scope covers the offence ({treaty.scope})"
    if not recognised:
        return None, f"its scope could not be interpreted ({treaty.scope}); check it by hand"
    return False, f"its scope does not cover this offence ({treaty.scope})"


# ------------------------------------------------------------------------------------------------
# The checks


def _translation(c: _Collector, r: StateProfile, q: StateProfile, basis: Sequence[str]) -> None:
    if set(r.languages) & set(q.languages):
        return
    rules = [_LANGUAGE_RULES[b] for b in basis if b in _LANGUAGE_RULES]
    if basis and not rules:
        rules.append("the applicable treaty")
    cite = "; ".join(dict.fromkeys(rules)) or "the requested State's law"
    c.flags.append(Flag.TRANSLATION_REQUIRED)
    c.notes.append(
        f"Translation required: {q.name} works in {', '.join(q.languages)}, {r.name} in "
        f"{', '.join(r.languages)} ({cite}); transmission waits for the translation."
    )


def _nationals(
    c: _Collector,
    facts: LegalFacts,
    request_type: RequestType,
    person_nationality: str | None,
    r: StateProfile,
    q: StateProfile,
    basis: Sequence[str],
    offence: Offence,
    max_penalty_years: float,
    organised_group: bool,
) -> None:
    if request_type is not RequestType.EXTRADITION:
        return
    if not person_nationality:
        c.notes.append(
            "The person's nationality is not given: check the own-nationals rule of "
            f"{q.name} before transmission."
        )
        return
    if person_nationality != q.iso:
        return
    policy = q.nationals_policy
    if InstrumentCode.EAW in basis:
        c.notes.append(
            f"The person is a national of {q.name}: under the EAW own nationals are surrendered; "
            "the executing State may ask for the person's return to serve the sentence "
            "(EAW art. 5(3)) or enforce the sentence itself (art. 4(6))."
        )
        return
    if policy is NationalsPolicy.YES:
        c.notes.append(
            f"{q.name} extradites its own nationals (states.csv, {q.nationals_confidence})."
        )
        return
    lifting = [b for b in basis if b.endswith(":" + BilateralType.EXTRADITION_NATIONALS.value)]
    if lifting and policy is not NationalsPolicy.NO:
        c.notes.append(
            f"The person is a national of {q.name}; the bar on extraditing own nationals is lifted "
            f"by {', '.join(lifting)}, which supplements the multilateral basis (ECE art. 28(2))."
        )
        return
    reasons = []
    for treaty in facts.bilaterals(r.iso, q.iso):
        if treaty.type is BilateralType.EXTRADITION_NATIONALS:
            _, why = nationals_agreement_covers(treaty, offence, max_penalty_years, organised_group)
            reasons.append(f"{treaty.basis_code} does not apply: {why}")
    policy_words = {
        NationalsPolicy.NO: "does not extradite its own nationals",
        NationalsPolicy.EU_ONLY: "surrenders its own nationals only under the EAW "
        "(e.g. DE Basic Law art. 16(2))",
        NationalsPolicy.TREATY_ONLY: "extradites its own nationals only where a treaty allows it",
        NationalsPolicy.DISCRETIONARY: "may refuse to extradite its own nationals (discretion)",
    }[policy]
    c.flags.append(Flag.NATIONALS_BAR)
    c.notes.append(
        f"Own-nationals bar: the person is a national of {q.name}, which {policy_words} "
        f"(states.csv, {q.nationals_confidence}; ECE art. 6(1) lets a Party refuse its nationals)"
        + (f"; {'; '.join(reasons)}" if reasons else "")
        + ". Alternative (aut dedere aut judicare): if extradition is refused on nationality "
        "alone, "
        f"{q.name} must at the request of the requesting State submit the case to its own "
        "prosecutors without undue delay (UNTOC art. 16(10); ECE art. 6(2)) — prepare a transfer "
        "of proceedings; or seek conditional surrender (UNTOC art. 16(11)) or enforcement of the "
        "sentence in the requested State (art. 16(12))."
    )


def _death_penalty(
    c: _Collector,
    facts: LegalFacts,
    request_type: RequestType,
    capital: Capital,
    r: StateProfile,
    q: StateProfile,
    basis: Sequence[str],
) -> None:
    if request_type is not RequestType.EXTRADITION:
        return
    requested_refuses = q.death_penalty in _ABOLISHED_IN_LAW or (
        q.death_penalty is DeathPenalty.DE_FACTO_ABOLITIONIST
        and r.death_penalty is DeathPenalty.RETENTIONIST
    )
    if r.death_penalty not in _DP_IN_LAW or not requested_refuses:
        return
    if capital is Capital.NO:
        c.notes.append(
            "No death-penalty assurance needed: the offence is not punishable by death in "
            f"{r.name} "
            "(capital = no)."
        )
        return
    cites = []
    if InstrumentCode.ECE57 in basis:
        cites.append("ECE art. 11")
    bilateral = facts.instruments[InstrumentCode.BILATERAL]
    for sup in bilateral.eu_supplements:
        if q.eu_member and r.iso == sup.state:
            cites.append(sup.article)
    if any(code.startswith("BILATERAL:MX-US:") for code in basis):
        cites.append("US-MX Extradition Treaty art. 8 (I)")
    if q.eu_member:
        cites.append("EU Charter art. 19(2)")
    cites.append(f"the law of {q.name}")
    c.flags.append(Flag.DEATH_PENALTY_ASSURANCE)
    c.required.append("death_penalty_assurance")
    c.notes.append(
        f"Death-penalty assurance: {r.name} retains the death penalty in law "
        f"({r.death_penalty.value}, {r.death_penalty_confidence}) and {q.name} does not "
        f"({q.death_penalty.value}, {q.death_penalty_confidence}); unless the offence is shown "
        "not to "
        f"be capital (capital = {capital.value}), {q.name} will refuse without an assurance that "
        "the "
        f"death penalty will not be imposed or carried out ({'; '.join(cites)}). Move the request "
        "to "
        "assurance_requested when asked."
    )


def _dual_criminality(
    c: _Collector,
    facts: LegalFacts,
    request_type: RequestType,
    measure: Measure,
    offence: Offence,
    max_penalty_years: float,
    basis: Sequence[str],
    fp_common: bool,
) -> None:
    coercive = measure in COERCIVE_MEASURES
    if measure is Measure.FIREARM_TRACE:
        return  # police tracing (FP art. 12(4)) is not a request for legal assistance
    if not basis:
        c.flags.append(Flag.DUAL_CRIMINALITY_CHECK)
        c.notes.append(
            "Dual criminality: no basis is selected, so check it under the requested State's law."
        )
        return
    needing: list[str] = []
    exempt: list[str] = []
    multilateral = [b for b in basis if not b.startswith("BILATERAL:")]
    # A bilateral agreement supplementing a convention does not add its own test (ECE art. 28(2)).
    for code in multilateral or basis:
        key = InstrumentCode.BILATERAL if code.startswith("BILATERAL:") else InstrumentCode(code)
        rule = facts.instruments[key].dual_criminality
        if rule is None or rule.applies == "never":
            continue
        if rule.applies == "coercive" and request_type is RequestType.MLA and not coercive:
            continue
        if (
            rule.list_offence_exempt
            and offence in EU_LIST_OFFENCES
            and max_penalty_years >= rule.list_min_penalty_years
        ):
            exempt.append(f"{code} {rule.article}")
            continue
        needing.append(f"{code} {rule.article}")
    if exempt and not needing:
        c.notes.append(
            f"No dual-criminality check: '{EU_LIST_OFFENCES[offence]}' is a list offence "
            "punishable "
            f"by at least 3 years ({'; '.join(exempt)})."
        )
        return
    if not needing:
        return
    c.flags.append(Flag.DUAL_CRIMINALITY_CHECK)
    if request_type is RequestType.MLA:
        c.required.append("dual_criminality_statement")
    hint = (
        " Both States are Firearms Protocol parties, which must criminalise this conduct (FP art. "
        "5), "
        "so the check should pass."
        if fp_common and offence in FP_OFFENCES
        else ""
    )
    c.notes.append(
        "Dual criminality: the conduct must be punishable in the requested State too "
        f"({'; '.join(dict.fromkeys(needing))}).{hint}"
    )


def _political(
    c: _Collector,
    facts: LegalFacts,
    request_type: RequestType,
    political_context: bool,
    r: StateProfile,
    q: StateProfile,
    basis: Sequence[str],
) -> None:
    sahel = [s.name for s in (r, q) if s.special_flag == "AES"]
    if not (political_context or sahel):
        return
    allowing = []
    for code in basis:
        key = InstrumentCode.BILATERAL if code.startswith("BILATERAL:") else InstrumentCode(code)
        if facts.instruments[key].political_offence_exception.get(request_type.value, False):
            allowing.append(_POLITICAL_ARTICLES.get(key, f"{code} (the treaty)"))
    if basis and not allowing:
        return
    why = (
        "the case is marked as politically linked"
        if political_context
        else f"arms flows in {', '.join(sahel)} are linked to insurgency (Sahel)"
    )
    c.flags.append(Flag.POLITICAL_OFFENCE_RISK)
    c.notes.append(
        f"Political-offence risk: {why}; the requested State may refuse a political or politically "
        f"connected offence under {'; '.join(dict.fromkeys(allowing)) or 'its domestic law'} "
        "(there is no such exception under the EAW or the EIO). Frame the charges as firearms "
        "offences."
    )


def run_checks(
    facts: LegalFacts,
    *,
    request_type: RequestType,
    measure: Measure,
    requesting: StateProfile,
    requested: StateProfile,
    basis: Sequence[str],
    person_nationality: str | None,
    offence: Offence,
    max_penalty_years: float,
    organised_group: bool,
    capital: Capital,
    political_context: bool,
    fp_common: bool,
) -> CheckResult:
    """All rule checks of legal-cooperation.md §4 on one chosen basis."""
    c = _Collector()
    _nationals(
        c,
        facts,
        request_type,
        person_nationality,
        requesting,
        requested,
        basis,
        offence,
        max_penalty_years,
        organised_group,
    )
    _death_penalty(c, facts, request_type, capital, requesting, requested, basis)
    _dual_criminality(c, facts, request_type, measure, offence, max_penalty_years, basis, fp_common)
    _translation(c, requesting, requested, basis)
    _political(c, facts, request_type, political_context, requesting, requested, basis)
    if offence is Offence.CUSTOMS_SMUGGLING:
        c.notes.append(
            "Fiscal framing: a customs-only charge may be refused as a fiscal offence (ECMA art. "
            "2(a); "
            "ECE art. 5); UNTOC arts. 16(15) and 18(22) exclude this as the sole ground. Charge "
            "the "
            "conduct as a firearms offence where the facts allow."
        )
    return c.result()

"""Routing beyond the worked examples: EU exceptions, Western Balkans agreements, death penalty,
Kosovo and the AES states, reciprocity, scenario overrides, each instrument's channel and timers."""

from __future__ import annotations

import json

import pytest

from cases.legal.catalogue import (
    Channel,
    Confidence,
    Flag,
    InstrumentCode,
    Measure,
    RequestType,
)
from cases.legal.errors import InvalidRequest
from cases.legal.legal_facts import shipped_legal_facts
from cases.legal.routing import RequestFacts, RoutingDecision, make_request, route_request
from tests.cases.legal.conftest import scenario

# ------------------------------------------------------------------------------------------------
# Denmark and Ireland: outside the EIO, inside the EAW


@pytest.mark.parametrize(("r", "q"), [("DK", "DE"), ("DE", "DK"), ("IE", "HR"), ("SI", "IE")])
def test_denmark_and_ireland_are_outside_the_eio(route, r, q):
    # EIO recitals 44-45: DK and IE not bound; use ECMA 1959 + EU MLA Convention 2000.
    d = route("mla", r, q)
    assert "EIO" not in d.legal_basis
    assert d.legal_basis[0] == "ECMA59" and d.legal_basis[-1] == "EU_MLA2000"
    assert d.channel is Channel.DIRECT_JUDICIAL  # EU MLA Convention art. 6(1)
    assert not any(x.name == "recognition" for x in d.deadlines)  # no EIO art. 12 timers


@pytest.mark.parametrize(("r", "q"), [("DK", "DE"), ("DE", "IE")])
def test_denmark_and_ireland_are_inside_the_eaw(route, r, q):
    # 'EAW: All 27 EU MS (Denmark and Ireland included)'.
    d = route("extradition", r, q)
    assert d.legal_basis == ("EAW",)
    assert d.channel is Channel.DIRECT_JUDICIAL


def test_eaw_own_nationals_are_surrendered_with_no_bar(route):
    d = route("extradition", "AT", "DE", person_nationality="DE")
    assert Flag.NATIONALS_BAR not in d.flags  # EAW art. 4(6), 5(3) instead
    assert "art. 5(3)" in d.explanation
    assert Flag.DUAL_CRIMINALITY_CHECK not in d.flags  # EAW art. 2(2) list offence


# ------------------------------------------------------------------------------------------------
# EU ↔ Western Balkans and Western Balkans pairs


def test_eu_to_western_balkans_extradition_runs_under_ece57(route):
    d = route("extradition", "AT", "BA", person_nationality="BA")
    assert d.legal_basis == ("ECE57",)
    assert d.channel is Channel.MINISTRY_OF_JUSTICE  # ECE art. 12(1) as amended
    assert Flag.NATIONALS_BAR in d.flags  # BA extradites nationals only by treaty; none with AT
    assert Flag.TRANSLATION_REQUIRED in d.flags  # German to Bosnian/Croatian/Serbian


def test_eu_to_western_balkans_with_a_nationals_agreement(route):
    # HR (EU) asks RS for a Serbian national: the 2010 HR–RS agreement covers organised crime.
    d = route("extradition", "HR", "RS", person_nationality="RS", organised_group=True)
    assert d.legal_basis == ("ECE57", "BILATERAL:HR-RS:EXTRADITION_NATIONALS")
    assert Flag.NATIONALS_BAR not in d.flags


def test_western_balkans_agreement_on_offences_over_three_years(route):
    # ME–RS 2010 agreement: 'offences punishable by more than 3 years'.
    lifted = route("extradition", "ME", "RS", person_nationality="RS", max_penalty_years=10)
    assert "BILATERAL:ME-RS:EXTRADITION_NATIONALS" in lifted.legal_basis
    assert Flag.NATIONALS_BAR not in lifted.flags
    three = route("extradition", "ME", "RS", person_nationality="RS", max_penalty_years=3)
    assert Flag.NATIONALS_BAR in three.flags  # 3 years is not *more than* 3
    assert "does not cover" in three.explanation


def test_bosnia_serbia_agreement_thresholds(route):
    # BA–RS 2013: 'OC/corruption/money laundering >=4 years; other grave crimes >=5 years'.
    oc = route("extradition", "BA", "RS", person_nationality="RS", max_penalty_years=4)
    assert Flag.NATIONALS_BAR not in oc.flags
    no_group = dict(person_nationality="RS", organised_group=False, transnational=True)
    four = route("extradition", "BA", "RS", max_penalty_years=4, **no_group)
    assert Flag.NATIONALS_BAR in four.flags
    six = route("extradition", "BA", "RS", max_penalty_years=6, **no_group)
    assert Flag.NATIONALS_BAR not in six.flags


def test_western_balkans_pair_without_an_agreement_keeps_the_bar(route):
    # No AL–RS row at all.
    d = route("extradition", "AL", "RS", person_nationality="RS")
    assert d.legal_basis == ("ECE57",)
    assert Flag.NATIONALS_BAR in d.flags
    # MK–RS: 'negotiations 2011; signature/entry into force unverified' (I) — not applied.
    mk = route("extradition", "MK", "RS", person_nationality="RS")
    assert Flag.NATIONALS_BAR in mk.flags
    assert not any(b.startswith("BILATERAL:") for b in mk.legal_basis)
    assert "not established" in mk.explanation


def test_croatian_agreement_does_not_cover_non_organised_offences(route):
    d = route("extradition", "RS", "HR", person_nationality="HR", organised_group=False)
    assert d.legal_basis == ("ECE57",)
    assert Flag.NATIONALS_BAR in d.flags


def test_same_language_no_translation_within_the_former_yugoslav_languages(route):
    assert Flag.TRANSLATION_REQUIRED not in route("mla", "BA", "RS").flags  # BA lists sr
    assert Flag.TRANSLATION_REQUIRED in route("mla", "HR", "RS").flags  # hr vs sr


# ------------------------------------------------------------------------------------------------
# Death penalty


def test_retentionist_to_abolitionist_extradition_needs_an_assurance(route):
    # US (retentionist) asks MX (abolished): ECE art. 11-style assurance; US-MX art. 8 (I).
    d = route("extradition", "US", "MX")
    assert d.legal_basis == ("BILATERAL:MX-US:EXTRADITION",)
    assert Flag.DEATH_PENALTY_ASSURANCE in d.flags
    assert "US-MX Extradition Treaty art. 8" in d.explanation
    assert "death_penalty_assurance" in d.required_fields
    assert Flag.DEATH_PENALTY_ASSURANCE not in route("extradition", "US", "MX", capital="no").flags


@pytest.mark.parametrize(
    ("r", "q", "flagged"),
    [
        ("NG", "SN", True),  # retentionist → abolished
        ("MX", "US", False),  # abolitionist asks a retentionist
        ("JM", "TT", False),  # both retentionist
        ("DE", "AT", False),  # both abolished
    ],
)
def test_death_penalty_flag_only_from_retentionist_to_abolitionist(route, r, q, flagged):
    assert (Flag.DEATH_PENALTY_ASSURANCE in route("extradition", r, q).flags) is flagged


def test_no_death_penalty_flag_for_mla(route):
    assert Flag.DEATH_PENALTY_ASSURANCE not in route("mla", "US", "MX").flags


# ------------------------------------------------------------------------------------------------
# Kosovo and the AES states


@pytest.mark.parametrize(("r", "q"), [("XK", "DE"), ("AL", "XK"), ("XK", "MK")])
def test_kosovo_is_always_manual_review(route, r, q):
    for kind in ("mla", "extradition"):
        d = route(kind, r, q)
        assert Flag.MANUAL_REVIEW in d.flags
        assert d.legal_basis == () and d.channel is None


@pytest.mark.parametrize(("r", "q"), [("ML", "NE"), ("NE", "BF"), ("BF", "NG")])
def test_aes_states_fall_back_to_untoc_with_uncertain_ecowas(route, r, q):
    d = route("extradition", r, q)
    assert d.legal_basis[0] == "UNTOC"
    assert Flag.MEMBERSHIP_UNCERTAIN in d.flags
    assert ("ECOWAS_EXT",) in d.alternatives
    assert Flag.POLITICAL_OFFENCE_RISK in d.flags  # Sahel insurgency context, domestic law
    assert "UNTOC art. 16(7)" in d.explanation  # no political exception in art. 16 itself
    assert d.confidence is Confidence.I


def test_ecowas_member_pair_with_known_ratification_uses_ecowas():
    facts = shipped_legal_facts(
        scenario(
            memberships=(
                {"state": "SN", "instrument": "ECOWAS_MLA", "status": "party"},
                {"state": "CI", "instrument": "ECOWAS_MLA", "status": "party"},
            )
        )
    )
    d = route_request(facts, make_request(request_type="mla", requesting="SN", requested="CI"))
    assert d.legal_basis == ("ECOWAS_MLA",)
    assert d.channel is Channel.CENTRAL_AUTHORITY
    # The ECOWAS instrument entry itself is confidence I (channel rules unverified).
    assert d.confidence is Confidence.I


# ------------------------------------------------------------------------------------------------
# Reciprocity and missing facts (SPEC §6 rule)

QZ = {
    "iso": "IS",
    "name": "Iceland (test scenario)",
    "region": "XX",
    "languages": "is",
    "eu_member": "no",
    "coe_member": "no",
    "ecowas_member": "no",
    "interpol_member": "yes",
    "death_penalty": "abolished",
    "nationals_policy": "no",
    "special_flag": "",
}
ALL_INSTRUMENTS = [c.value for c in InstrumentCode if c.value not in ("BILATERAL", "RECIPROCITY")]


def _qz_facts(not_party, bilateral=(), **extra):
    return shipped_legal_facts(
        scenario(
            states=(QZ,),
            memberships=tuple(
                {"state": "IS", "instrument": code, "status": "not_party"} for code in not_party
            )
            + extra.get("memberships", ()),
            bilateral=tuple(bilateral),
        )
    )


def test_state_not_party_to_anything_and_no_bilateral_gives_reciprocity_via_diplomatic():
    facts = _qz_facts(ALL_INSTRUMENTS)
    for kind in ("mla", "extradition"):
        d = route_request(facts, make_request(request_type=kind, requesting="DE", requested="IS"))
        assert d.legal_basis == ("RECIPROCITY",), kind
        assert d.channel is Channel.DIPLOMATIC
        assert "ministry_of_foreign_affairs:IS" in d.route
        assert Flag.MANUAL_REVIEW not in d.flags
        assert "reciprocity_undertaking" in d.required_fields
        assert {x.name for x in d.deadlines} == {"chase_30", "chase_60", "chase_90"}


def test_a_missing_row_is_unknown_not_not_party():
    # IS has no UNTOC row: reciprocity cannot be established, nothing is decided.
    facts = _qz_facts([c for c in ALL_INSTRUMENTS if c != "UNTOC"])
    d = route_request(facts, make_request(request_type="mla", requesting="DE", requested="IS"))
    assert d.legal_basis == () and d.channel is None
    assert Flag.MANUAL_REVIEW in d.flags and Flag.MEMBERSHIP_UNCERTAIN in d.flags
    assert ("RECIPROCITY",) in d.alternatives
    assert any(alt[0] == "UNTOC" for alt in d.alternatives)
    assert "missing row is unknown" in d.explanation


def test_a_bilateral_treaty_beats_reciprocity():
    facts = _qz_facts(
        ALL_INSTRUMENTS, bilateral=({"a": "IS", "b": "DE", "type": "MLA", "scope": "MLAT 2020"},)
    )
    d = route_request(facts, make_request(request_type="mla", requesting="DE", requested="IS"))
    assert d.legal_basis == ("BILATERAL:DE-IS:MLA",)
    assert d.channel is Channel.CENTRAL_AUTHORITY


def test_scenario_adds_a_state_that_is_party_to_untoc_and_the_protocol():
    facts = _qz_facts(
        [c for c in ALL_INSTRUMENTS if c not in ("UNTOC", "FP")],
        memberships=(
            {"state": "IS", "instrument": "UNTOC", "status": "party"},
            {"state": "IS", "instrument": "FP", "status": "party"},
        ),
    )
    d = route_request(facts, make_request(request_type="mla", requesting="AT", requested="IS"))
    assert d.legal_basis == ("UNTOC", "FP")
    assert d.channel is Channel.CENTRAL_AUTHORITY
    assert d.languages == ("is",) and Flag.TRANSLATION_REQUIRED in d.flags
    assert d.confidence is Confidence.K  # scenario rows default to K


def test_scenario_override_resolves_an_uncertain_membership(route):
    before = route("mla", "HR", "RS")
    assert before.legal_basis == ("ECMA59",) and Flag.MEMBERSHIP_UNCERTAIN in before.flags
    facts = shipped_legal_facts(
        scenario(
            memberships=(
                {"state": "RS", "instrument": "ECMA59_2AP", "status": "party", "confidence": "V"},
                {"state": "RS", "instrument": "FP", "status": "party", "confidence": "V"},
            )
        )
    )
    after = route_request(facts, make_request(request_type="mla", requesting="HR", requested="RS"))
    assert after.legal_basis == ("ECMA59", "ECMA59_2AP")
    assert after.channel is Channel.DIRECT_JUDICIAL  # 2nd AP art. 4 (new ECMA art. 15)
    assert Flag.MEMBERSHIP_UNCERTAIN not in after.flags


# ------------------------------------------------------------------------------------------------
# Each instrument: its channel and its timers


def _timers(d: RoutingDecision) -> dict[str, tuple[int, str, str]]:
    return {x.name: (x.days, x.starts_on, x.kind.value) for x in d.deadlines}


CHASE = {
    "chase_30": (30, "transmitted", "soft"),
    "chase_60": (60, "transmitted", "soft"),
    "chase_90": (90, "transmitted", "soft"),
}


@pytest.mark.parametrize(
    ("kind", "r", "q", "options", "basis", "channel", "timers"),
    [
        (
            "mla",
            "DE",
            "AT",
            {},
            ("EIO",),
            Channel.DIRECT_JUDICIAL,
            {
                "acknowledgement": (7, "transmitted", "hard"),
                "recognition": (30, "transmitted", "hard"),
                "execution": (90, "accepted", "hard"),
            },
        ),
        (
            "extradition",
            "DE",
            "AT",
            {},
            ("EAW",),
            Channel.DIRECT_JUDICIAL,
            {
                "decision_after_consent": (10, "consent_given", "hard"),
                "decision": (60, "arrested", "hard"),
                "surrender": (10, "accepted", "hard"),
            },
        ),
        ("mla", "HR", "RS", {}, ("ECMA59",), Channel.MINISTRY_OF_JUSTICE, CHASE),
        ("mla", "AL", "BA", {}, ("ECMA59", "ECMA59_2AP"), Channel.DIRECT_JUDICIAL, CHASE),
        (
            "mla",
            "DK",
            "HR",
            {},
            ("ECMA59", "ECMA59_2AP", "EU_MLA2000"),
            Channel.DIRECT_JUDICIAL,
            CHASE,
        ),
        (
            "extradition",
            "SI",
            "RS",
            {},
            ("ECE57",),
            Channel.MINISTRY_OF_JUSTICE,
            {
                "missed_surrender_may_release": (15, "surrender_date_missed", "hard"),
                "missed_surrender_must_release": (30, "surrender_date_missed", "hard"),
                **CHASE,
            },
        ),
        (
            "extradition",
            "SI",
            "RS",
            {"measure": "provisional_arrest"},
            ("ECE57",),
            Channel.INTERPOL,
            {
                "provisional_arrest_may_release": (18, "arrested", "hard"),
                "provisional_arrest_must_release": (40, "arrested", "hard"),
                "consent_notice": (10, "arrested", "soft"),
                "missed_surrender_may_release": (15, "surrender_date_missed", "hard"),
                "missed_surrender_must_release": (30, "surrender_date_missed", "hard"),
                **CHASE,
            },
        ),
        ("mla", "TT", "JM", {}, ("IAMLA",), Channel.CENTRAL_AUTHORITY, CHASE),
        ("mla", "NG", "DE", {}, ("UNTOC", "FP"), Channel.CENTRAL_AUTHORITY, CHASE),
        ("extradition", "NG", "DE", {}, ("UNTOC", "FP"), Channel.DIPLOMATIC, CHASE),
        ("mla", "MX", "US", {}, ("BILATERAL:MX-US:MLA",), Channel.CENTRAL_AUTHORITY, CHASE),
        (
            "extradition",
            "US",
            "MX",
            {},
            ("BILATERAL:MX-US:EXTRADITION",),
            Channel.DIPLOMATIC,
            CHASE,
        ),
        (
            "extradition",
            "US",
            "MX",
            {"measure": "provisional_arrest"},
            ("BILATERAL:MX-US:EXTRADITION",),
            Channel.INTERPOL,
            {"provisional_arrest_formal_request": (60, "arrested", "hard"), **CHASE},
        ),
        ("mla", "DE", "AT", {"measure": "firearm_trace"}, ("FP",), Channel.INTERPOL, CHASE),
        ("mla", "DE", "AT", {"measure": "jit"}, ("EU_MLA2000",), Channel.DIRECT_JUDICIAL, CHASE),
    ],
)
def test_each_instrument_gives_its_channel_and_timers(
    route, kind, r, q, options, basis, channel, timers
):
    d = route(kind, r, q, **options)
    assert d.legal_basis == basis
    assert d.channel is channel
    assert _timers(d) == timers


def test_eio_provisional_measure_has_the_24_hour_decision(route):
    d = route("mla", "DE", "AT", measure="provisional_measure", urgent=True)
    assert _timers(d)["provisional_measure_decision"] == (1, "transmitted", "hard")
    assert d.channel is Channel.DIRECT_JUDICIAL
    assert "urgency_reasons" in d.required_fields


def test_urgent_ecma_request_goes_direct_between_judicial_authorities(route):
    # ECMA art. 15(2): urgent letters rogatory judicial → judicial.
    assert route("mla", "HR", "RS", urgent=True).channel is Channel.DIRECT_JUDICIAL
    assert [x.days for x in route("mla", "HR", "RS", urgent=True).deadlines] == [7, 14, 21]


def test_urgent_extradition_adds_provisional_arrest_timers_and_interpol_advice(route):
    d = route("extradition", "SI", "RS", urgent=True)
    assert d.channel is Channel.MINISTRY_OF_JUSTICE  # the formal request itself
    assert _timers(d)["provisional_arrest_must_release"] == (40, "arrested", "hard")
    assert "INTERPOL Red Notice" in d.explanation


def test_urgent_untoc_mla_sends_an_interpol_advance_copy(route):
    d = route("mla", "NG", "DE", urgent=True)
    assert d.channel is Channel.CENTRAL_AUTHORITY
    assert "advance copy through INTERPOL" in d.explanation


def test_ecma_temporary_transfer_stays_with_the_ministries(route):
    # 2nd AP art. 4 (new ECMA art. 15(3)): transfers of detained persons MoJ to MoJ.
    assert route("mla", "AL", "BA", measure="temp_transfer").channel is (
        Channel.MINISTRY_OF_JUSTICE
    )


def test_jit_is_not_an_eio_measure(route):
    d = route("mla", "DE", "AT", measure="jit")
    assert "EIO" not in d.legal_basis
    assert "art. 3" in d.explanation


# ------------------------------------------------------------------------------------------------
# Rule checks


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        ({"measure": "search_seizure"}, False),  # Annex D, 10 years
        ({"measure": "search_seizure", "max_penalty_years": 2}, True),  # under 3 years
        ({"measure": "search_seizure", "offence": "other"}, True),  # not a list offence
        ({"measure": "evidence", "offence": "other"}, False),  # non-coercive: art. 11(2)
    ],
)
def test_eio_dual_criminality_exemption(route, options, flagged):
    assert (Flag.DUAL_CRIMINALITY_CHECK in route("mla", "DE", "AT", **options).flags) is flagged


def test_political_offence_risk_where_the_basis_allows_the_exception(facts):
    ece = route_request(
        facts,
        make_request(
            request_type="extradition", requesting="SI", requested="RS", political_context=True
        ),
    )
    assert Flag.POLITICAL_OFFENCE_RISK in ece.flags  # ECE art. 3
    eaw = route_request(
        facts,
        make_request(
            request_type="extradition", requesting="DE", requested="AT", political_context=True
        ),
    )
    assert Flag.POLITICAL_OFFENCE_RISK not in eaw.flags  # no political exception in the EAW


def test_untoc_needs_a_transnational_organised_offence(route):
    d = route("mla", "NG", "DE", transnational=False)
    assert "UNTOC" not in d.legal_basis
    assert "art. 3(1)" in d.explanation


# ------------------------------------------------------------------------------------------------
# Inputs and output shape


def test_decision_dict_has_exactly_the_contract_keys_and_is_json(route):
    data = route("mla", "DE", "AT").to_dict()
    assert list(data) == [
        "request_id",
        "legal_basis",
        "alternatives",
        "channel",
        "route",
        "languages",
        "deadlines",
        "flags",
        "required_fields",
        "confidence",
        "explanation",
    ]
    assert set(data["deadlines"][0]) == {"name", "days", "starts_on", "due", "kind"}
    assert json.loads(json.dumps(data)) == data
    assert RoutingDecision.from_dict(data).to_dict() == data


def test_the_full_form_round_trips_with_the_deadlines_ending_events(route):
    decision = route("mla", "DE", "AT")
    stored = json.loads(json.dumps(decision.to_dict(full=True)))
    assert RoutingDecision.from_dict(stored) == decision
    recognition = next(d for d in stored["deadlines"] if d["name"] == "recognition")
    assert recognition["ends_on"] == ["accepted", "refused"]


def test_request_id_is_carried_through(facts):
    request = make_request(
        request_type="mla", requesting="DE", requested="AT", request_id="REQ-2026-000042"
    )
    assert route_request(facts, request).to_dict()["request_id"] == "REQ-2026-000042"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"request_type": "letter"}, "type 'letter' is not one of mla, extradition"),
        ({"measure": "surrender"}, "belongs to extradition"),
        ({"requested": "ZX1"}, "requested state 'ZX1' is not an ISO 3166-1"),
        ({"requested": "DE"}, "both DE"),
        ({"capital": "maybe"}, "capital 'maybe' is not one of"),
        ({"offence": "arson"}, "offence 'arson' is not one of"),
        ({"person_nationality": "Serbian"}, "person_nationality 'Serbian' is not an ISO"),
    ],
)
def test_bad_options_are_refused_naming_the_field(options, message):
    base = {"request_type": "mla", "requesting": "DE", "requested": "AT"}
    with pytest.raises(InvalidRequest, match=message):
        make_request(**{**base, **options})


def test_unknown_or_inconsistent_requests_come_back_for_manual_review(facts):
    for request in (
        RequestFacts(RequestType.MLA, "DE", "FR"),  # FR not in the reference data
        RequestFacts(RequestType.MLA, "DE", "DE"),
        RequestFacts(RequestType.MLA, "DE", "AT", measure=Measure.SURRENDER),
    ):
        d = route_request(facts, request)
        assert d.flags == (Flag.MANUAL_REVIEW,) and d.channel is None
        assert d.explanation.startswith("Manual review:")


def test_jit_without_an_instrument_goes_to_manual_review():
    facts = _qz_facts(ALL_INSTRUMENTS)
    d = route_request(
        facts, make_request(request_type="mla", requesting="DE", requested="IS", measure="jit")
    )
    assert d.legal_basis == ("RECIPROCITY",)
    assert Flag.MANUAL_REVIEW in d.flags
    assert "needs an agreement" in d.explanation


def test_firearm_trace_is_police_cooperation_not_mla(route):
    d = route("mla", "DE", "AT", measure="firearm_trace")
    assert d.legal_basis == ("FP",) and d.channel is Channel.INTERPOL  # FP art. 12(4)
    assert Flag.DUAL_CRIMINALITY_CHECK not in d.flags
    assert "intelligence, not evidence" in d.explanation
    # Kosovo stays manual review even for a trace (not an INTERPOL member either).
    assert route("mla", "XK", "AT", measure="firearm_trace").channel is None

"""Loading the shipped reference data and merging a scenario's overrides into it."""

from __future__ import annotations

from datetime import date

import pytest

from cases.legal.catalogue import (
    BilateralType,
    Channel,
    Confidence,
    InstrumentCode,
    Layer,
    MembershipStatus,
    NationalsPolicy,
    RequestType,
    build_legal_facts,
    load_instruments,
    load_legal_facts,
    merge_rows,
    merge_scenario,
    shipped_rows,
)
from cases.legal.errors import ReferenceDataError
from tests.cases.legal.conftest import scenario

QZ_STATE = {
    "iso": "QZ",
    "name": "Qzland (test scenario)",
    "region": "XX",
    "languages": "qz",
    "eu_member": "no",
    "coe_member": "no",
    "ecowas_member": "no",
    "interpol_member": "yes",
    "death_penalty": "abolished",
    "nationals_policy": "no",
    "special_flag": "",
}


def test_shipped_facts_load_with_provenance(facts):
    assert len(facts.states) == 24
    de = facts.state("DE")
    assert de is not None and de.eu_member and de.languages == ("de",)
    assert de.nationals_policy is NationalsPolicy.EU_ONLY
    row = facts.membership("DK", InstrumentCode.EIO)
    assert row is not None and row.status is MembershipStatus.NOT_PARTY
    assert row.source and row.as_of == date(2026, 11, 26) and row.confidence is Confidence.K
    # Bilateral pairs are stored in alphabetical order whatever the CSV says.
    codes = {t.basis_code for t in facts.bilateral}
    assert "BILATERAL:HR-RS:EXTRADITION_NATIONALS" in codes
    assert "BILATERAL:MX-US:EXTRADITION" in codes


def test_eu_only_instruments_do_not_bind_non_eu_states(facts):
    # EU_MLA2000 has rows only for EU states; for a non-EU state it is "not party" by definition,
    # taken from states.csv (not "unknown", which would block reciprocity everywhere).
    row = facts.membership("RS", InstrumentCode.EU_MLA2000)
    assert row is not None and row.status is MembershipStatus.NOT_PARTY
    assert "not one" in row.source
    # ...but a missing row for an instrument that is not EU-only stays unknown (None).
    assert facts.membership("RS", InstrumentCode.ATT) is not None
    no_row = build_legal_facts(
        [r for r in shipped_rows()["states"]],
        [
            r
            for r in shipped_rows()["memberships"]
            if r["state"] != "RS" or r["instrument"] != "UNTOC"
        ],
        shipped_rows()["bilateral"],
    )
    assert no_row.membership("RS", InstrumentCode.UNTOC) is None


def test_instruments_carry_channels_timers_and_required_fields():
    instruments = load_instruments()
    eio = instruments[InstrumentCode.EIO]
    assert eio.layer is Layer.EU and eio.covers == {RequestType.MLA}
    assert eio.channels["mla"] is Channel.DIRECT_JUDICIAL
    assert {t.name: t.days for t in eio.timers}["recognition"] == 30  # EIO art. 12(3)
    assert "proportionality_justification" in eio.required_fields["mla"]  # EIO art. 6
    ece = instruments[InstrumentCode.ECE57]
    assert ece.channels["provisional_arrest"] is Channel.INTERPOL  # ECE art. 16(3)
    for entry in instruments.values():
        assert entry.source and entry.as_of and entry.confidence in Confidence


def test_scenario_row_defaults_source_as_of_and_confidence():
    rows = merge_rows(
        "memberships",
        shipped_rows()["memberships"],
        [{"state": "RS", "instrument": "ECMA59_2AP", "status": "party"}],
        scenario="balkans",
        load_date=date(2026, 11, 30),
    )
    overridden = [r for r in rows if r["state"] == "RS" and r["instrument"] == "ECMA59_2AP"]
    assert overridden == [
        {
            "state": "RS",
            "instrument": "ECMA59_2AP",
            "status": "party",
            "source": "scenario balkans",
            "as_of": "2026-11-30",
            "confidence": "K",
        }
    ]
    assert len(rows) == len(shipped_rows()["memberships"])  # replaced, not added


def test_scenario_override_replaces_a_bilateral_row_given_in_either_order():
    base = shipped_rows()
    merged = merge_scenario(
        base,
        scenario(
            bilateral=(
                {
                    "a": "RS",
                    "b": "MK",
                    "type": "EXTRADITION_NATIONALS",
                    "scope": "organised crime",
                    "in_force": "2012",
                },
            )
        ),
    )
    rows = [r for r in merged["bilateral"] if {r["a"], r["b"]} == {"MK", "RS"}]
    assert len(rows) == 1 and rows[0]["scope"] == "organised crime"
    assert rows[0]["source"] == "scenario test" and rows[0]["confidence"] == "K"


def test_scenario_adds_a_state_with_memberships():
    facts = load_legal_facts(
        scenario(
            states=(QZ_STATE,),
            memberships=({"state": "QZ", "instrument": "UNTOC", "status": "party"},),
        )
    )
    qz = facts.state("QZ")
    assert qz is not None and qz.name.startswith("Qzland")
    assert qz.confidence is Confidence.K and qz.source == "scenario test"
    assert qz.as_of == date(2026, 11, 30)
    assert qz.death_penalty_confidence is Confidence.K
    assert facts.membership("QZ", InstrumentCode.UNTOC).status is MembershipStatus.PARTY
    assert facts.state("DE") is not None  # the shipped states are still there


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"states": ({**QZ_STATE, "death_penalty": "sometimes"},)}, "column death_penalty"),
        ({"states": ({**QZ_STATE, "iso": "Q1"},)}, "ISO 3166-1"),
        ({"states": ({k: v for k, v in QZ_STATE.items() if k != "languages"},)}, "languages"),
        (
            {"memberships": ({"state": "QZ", "instrument": "UNTOC", "status": "party"},)},
            "no row in states",
        ),
        (
            {"memberships": ({"state": "DE", "instrument": "NATO", "status": "party"},)},
            "column instrument",
        ),
        ({"bilateral": ({"a": "DE", "b": "DE", "type": "MLA", "scope": "x"},)}, "two states"),
        ({"bilateral": ({"a": "DE", "b": "AT", "type": "TRADE", "scope": "x"},)}, "column type"),
    ],
)
def test_bad_rows_are_refused_with_the_row_and_column(rows, message):
    with pytest.raises(ReferenceDataError, match=message):
        load_legal_facts(scenario(**rows))


def test_bilateral_types_cover_the_shipped_rows(facts):
    kinds = {t.type for t in facts.bilateral}
    assert kinds == set(BilateralType)

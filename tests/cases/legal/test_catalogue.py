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
)
from cases.legal.errors import ReferenceDataError
from cases.legal.legal_facts import shipped_legal_facts
from cases.reference.files import ScenarioFileError
from cases.reference.loading import shipped_records
from tests.cases.legal.conftest import scenario

QZ_STATE = {
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
    files = shipped_records()
    no_row = build_legal_facts(
        files["states.csv"],
        [r for r in files["memberships.csv"] if (r.state, r.instrument) != ("RS", "UNTOC")],
        files["bilateral.csv"],
        files["instruments.yaml"],
    )
    assert no_row.membership("RS", InstrumentCode.UNTOC) is None


def test_instruments_carry_channels_timers_and_required_fields(facts):
    instruments = facts.instruments
    eio = instruments[InstrumentCode.EIO]
    assert eio.layer is Layer.EU and eio.covers == {RequestType.MLA}
    assert eio.channels["mla"] is Channel.DIRECT_JUDICIAL
    assert {t.name: t.days for t in eio.timers}["recognition"] == 30  # EIO art. 12(3)
    assert "proportionality_justification" in eio.required_fields["mla"]  # EIO art. 6
    ece = instruments[InstrumentCode.ECE57]
    assert ece.channels["provisional_arrest"] is Channel.INTERPOL  # ECE art. 16(3)
    for entry in instruments.values():
        assert entry.source and entry.as_of and entry.confidence in Confidence


def test_scenario_row_defaults_source_as_of_and_confidence(facts):
    shipped = facts.membership("RS", InstrumentCode.ECMA59_2AP)
    assert shipped is not None and shipped.source != "scenario balkans"
    overridden = shipped_legal_facts(
        scenario(
            name="balkans",
            memberships=({"state": "RS", "instrument": "ECMA59_2AP", "status": "party"},),
        )
    )
    row = overridden.membership("RS", InstrumentCode.ECMA59_2AP)
    assert row is not None and row.status is MembershipStatus.PARTY
    assert (row.source, row.as_of, row.confidence) == (
        "scenario balkans",
        date(2026, 11, 30),
        Confidence.K,
    )
    assert len(overridden.memberships) == len(facts.memberships)  # replaced, not added


def test_scenario_override_replaces_a_bilateral_row_given_in_either_order(facts):
    assert len(facts.bilaterals("MK", "RS")) == 1
    merged = shipped_legal_facts(
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
        )
    )
    rows = merged.bilaterals("RS", "MK")
    assert len(rows) == 1 and rows[0].scope == "organised crime"
    assert rows[0].source == "scenario test" and rows[0].confidence is Confidence.K


def test_scenario_adds_a_state_with_memberships():
    facts = shipped_legal_facts(
        scenario(
            states=(QZ_STATE,),
            memberships=({"state": "IS", "instrument": "UNTOC", "status": "party"},),
        )
    )
    iceland = facts.state("IS")
    assert iceland is not None and iceland.name.startswith("Iceland")
    assert iceland.confidence is Confidence.K and iceland.source == "scenario test"
    assert iceland.as_of == date(2026, 11, 30)
    assert iceland.death_penalty_confidence is Confidence.K
    assert facts.membership("IS", InstrumentCode.UNTOC).status is MembershipStatus.PARTY
    assert facts.state("DE") is not None  # the shipped states are still there


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"states": ({**QZ_STATE, "death_penalty": "sometimes"},)}, "states.csv:2: death_penalty"),
        ({"states": ({**QZ_STATE, "iso": "Q1"},)}, "states.csv:2: iso: .*ISO 3166-1"),
        ({"states": ({**QZ_STATE, "languages": "is|zz-zz"},)}, "states.csv:2: languages"),
        (
            {"memberships": ({"state": "DE", "instrument": "NATO", "status": "party"},)},
            "memberships.csv:2: instrument: unknown instrument 'NATO'",
        ),
        (
            {"bilateral": ({"a": "DE", "b": "DE", "type": "MLA", "scope": "x"},)},
            "bilateral.csv:2: .*two different states",
        ),
        (
            {"bilateral": ({"a": "DE", "b": "AT", "type": "TRADE", "scope": "x"},)},
            "bilateral.csv:2: type",
        ),
    ],
)
def test_bad_rows_are_refused_with_the_file_line_and_column(rows, message):
    # the same parser as `cordon load` (cases.reference.loading): file:line: column: reason
    with pytest.raises(ScenarioFileError, match=message):
        shipped_legal_facts(scenario(**rows))


def test_a_membership_of_a_state_without_a_row_is_refused():
    with pytest.raises(ReferenceDataError, match="state IS has no row in states"):
        shipped_legal_facts(
            scenario(memberships=({"state": "IS", "instrument": "UNTOC", "status": "party"},))
        )


def test_bilateral_types_cover_the_shipped_rows(facts):
    kinds = {t.type for t in facts.bilateral}
    assert kinds == set(BilateralType)

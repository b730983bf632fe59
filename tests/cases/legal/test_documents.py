"""Letters of request and extradition requests: complete ones render, incomplete ones are refused
naming each missing field, and user text never becomes template source."""

from __future__ import annotations

from datetime import date

import pytest

from cases.kernel.errors import Conflict, Invalid
from cases.legal.documents import TEMPLATES_DIR, missing_fields, render_document
from cases.legal.errors import MissingFields
from cases.legal.routing import make_request, route_request

ISSUED = date(2026, 12, 1)


def _case(facts, kind, r, q, **options):
    request = make_request(
        request_type=kind, requesting=r, requested=q, request_id="REQ-2026-000042", **options
    )
    return request, route_request(facts, request)


def _complete(decision):
    return {name: f"<{name} text>" for name in decision.required_fields}


def test_templates_live_in_the_repository_templates_documents_folder():
    assert TEMPLATES_DIR.name == "documents" and TEMPLATES_DIR.parent.name == "templates"
    assert (TEMPLATES_DIR / "letter_of_request.txt.j2").is_file()
    assert (TEMPLATES_DIR / "extradition_request.txt.j2").is_file()


def test_letter_of_request_renders_every_required_field(facts):
    request, decision = _case(facts, "mla", "DE", "AT", measure="search_seizure")
    # EIO Annex A content (legal-cooperation.md §5.1) plus the coercive-measure details.
    for name in (
        "requesting_authority",
        "offences",
        "summary_of_facts",
        "assistance_sought",
        "purpose",
        "proportionality_justification",
        "coercive_measure_details",
    ):
        assert name in decision.required_fields
    text = render_document(facts, request, decision, _complete(decision), issued_on=ISSUED)
    for name in decision.required_fields:
        assert f"<{name} text>" in text, name
    assert text.startswith("EUROPEAN INVESTIGATION ORDER")
    assert "REQ-2026-000042" in text and "2026-12-01" in text
    assert "Directive 2014/41/EU" in text
    assert "illicit trafficking in weapons, munitions and explosives" in text  # Annex D
    assert "recognition: 30 days after transmitted" in text


def test_extradition_request_renders_every_required_field(facts):
    request, decision = _case(facts, "extradition", "US", "MX", person_nationality="MX")
    # ECE art. 12(2) content, US-MX art. 10(3)(b) committal evidence, death-penalty assurance.
    for name in (
        "arrest_warrant_or_judgment",
        "statement_of_offences",
        "text_of_enactments",
        "person_description",
        "penalty",
        "committal_evidence",
        "death_penalty_assurance",
    ):
        assert name in decision.required_fields
    fields = _complete(decision)
    fields["person_description"] = ["Juan Pérez, MX, born 1979", "tattoo on left forearm"]
    text = render_document(facts, request, decision, fields, issued_on=ISSUED)
    assert text.startswith("REQUEST FOR EXTRADITION")
    assert "    - Juan Pérez, MX, born 1979\n    - tattoo on left forearm" in text
    for name in decision.required_fields:
        if name != "person_description":
            assert f"<{name} text>" in text, name
    assert "Extradition Treaty of 4 May 1978" in text
    assert "es" in text and "translation" in text


def test_eaw_and_provisional_arrest_titles(facts):
    request, decision = _case(facts, "extradition", "DE", "AT")
    text = render_document(facts, request, decision, _complete(decision), issued_on=ISSUED)
    assert text.startswith("EUROPEAN ARREST WARRANT")
    request, decision = _case(facts, "extradition", "SI", "RS", measure="provisional_arrest")
    assert "intent_to_request_extradition" in decision.required_fields  # ECE art. 16(2)
    text = render_document(facts, request, decision, _complete(decision), issued_on=ISSUED)
    assert text.startswith("REQUEST FOR PROVISIONAL ARREST")


@pytest.mark.parametrize(
    ("kind", "r", "q", "document"),
    [("mla", "DE", "AT", "letter of request"), ("extradition", "SI", "RS", "extradition request")],
)
def test_incomplete_documents_are_refused_naming_each_missing_field(facts, kind, r, q, document):
    request, decision = _case(facts, kind, r, q)
    fields = _complete(decision)
    del fields["signature"]
    fields["requesting_authority"] = "   "  # blank counts as missing
    fields["case_reference"] = []
    with pytest.raises(MissingFields) as error:
        render_document(facts, request, decision, fields, issued_on=ISSUED)
    assert error.value.fields == ("requesting_authority", "case_reference", "signature")
    message = str(error.value)
    assert document in message
    for name in ("requesting_authority", "case_reference", "signature"):
        assert name in message
    assert missing_fields(decision, fields) == error.value.fields


def test_user_text_is_never_template_source(facts):
    request, decision = _case(facts, "mla", "DE", "AT")
    fields = _complete(decision)
    fields["summary_of_facts"] = "Rifles {{ 7*7 }} {% for x in range(3) %}X{% endfor %}"
    fields["purpose"] = "{{ fields }}"
    text = render_document(facts, request, decision, fields, issued_on=ISSUED)
    assert "Rifles {{ 7*7 }} {% for x in range(3) %}X{% endfor %}" in text
    assert "{{ fields }}" in text
    assert "49" not in text and "XXX" not in text


def test_unknown_field_names_are_refused(facts):
    request, decision = _case(facts, "mla", "DE", "AT")
    with pytest.raises(Invalid, match="unknown document field\\(s\\): signatur"):
        render_document(facts, request, decision, {**_complete(decision), "signatur": "x"})


def test_no_document_without_a_decided_basis(facts):
    request, decision = _case(facts, "mla", "RS", "XK")
    with pytest.raises(Conflict, match="no legal basis"):
        render_document(facts, request, decision, {})

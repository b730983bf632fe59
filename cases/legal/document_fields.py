"""The content fields of a letter of request and of an extradition request (§5 of
legal-cooperation.md).

Which of them a request must fill in comes from the instruments (instruments.yaml
`required_fields`), the measure and the rule checks; this module only names them, in document order,
with the provision that asks for each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cases.legal.catalogue import Measure


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    source: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "requesting_authority",
        "Requesting authority (name, function, contact details)",
        "UNTOC art. 18(15)(a); ECMA art. 14(1)(a); ECE art. 12(1); EAW art. 8(1)(b)",
    ),
    FieldSpec(
        "validating_authority",
        "Validating judicial authority",
        "EIO art. 2(c)(ii) (where the issuing authority is not a judge or prosecutor)",
    ),
    FieldSpec(
        "addressee",
        "Addressee (central or competent authority of the requested State)",
        "OAS MLA form 'To'; UNODC Directory of Competent National Authorities",
    ),
    FieldSpec("case_reference", "Case reference / operation name", "OAS MLA form 'Reference'"),
    FieldSpec(
        "urgency_reasons",
        "Urgency: reasons and the date by which assistance is needed",
        "UNTOC art. 18(24); EIO art. 12(2), Annex A section B",
    ),
    FieldSpec("confidentiality", "Confidentiality requirement and reasons", "UNTOC art. 18(20)"),
    FieldSpec(
        "nature_of_proceedings",
        "Nature and stage of the proceedings (investigation, prosecution, trial)",
        "UNTOC art. 18(15)(b); IAMLA art. 26(a); EIO Annex A section F",
    ),
    FieldSpec(
        "conducting_authority",
        "Authority conducting the investigation or proceedings",
        "UNTOC art. 18(15)(b)",
    ),
    FieldSpec(
        "offences",
        "Offences: legal qualification, text of the provisions, maximum penalty",
        "ECMA art. 14(2); IAMLA art. 26(a); EIO Annex A section G",
    ),
    FieldSpec(
        "summary_of_facts",
        "Summary of the facts (who, what, when, where; weapons, serial numbers, routes)",
        "UNTOC art. 18(15)(c); ECMA art. 14(2); IAMLA art. 26(a)",
    ),
    FieldSpec(
        "persons_concerned",
        "Persons concerned: identity, date of birth, nationality, location, role",
        "UNTOC art. 18(15)(e); ECMA art. 14(1)(c); EIO Annex A section E",
    ),
    FieldSpec(
        "assistance_sought",
        "Assistance sought (measures, objects, records, holders, periods)",
        "UNTOC art. 18(15)(d); IAMLA art. 26(d); EIO Annex A section C",
    ),
    FieldSpec(
        "coercive_measure_details",
        "Coercive measure details (premises, items to seize, accounts)",
        "EIO Annex A section H; US MLAT models",
    ),
    FieldSpec(
        "service_details",
        "Service: person to be served, address, manner of service",
        "ECMA art. 14(1)(d)",
    ),
    FieldSpec(
        "procedures_to_follow",
        "Procedures or formalities to follow (oath, presence of officials, chain of custody)",
        "UNTOC art. 18(15)(d), 18(17); ECMA art. 3(2); IAMLA art. 26(c); EIO Annex A section I",
    ),
    FieldSpec(
        "purpose",
        "Purpose of the request and the link between evidence and case",
        "UNTOC art. 18(15)(f); IAMLA art. 26(b)",
    ),
    FieldSpec("questions_for_witnesses", "Questions for witnesses", "US-HK draft MLAT art. 4"),
    FieldSpec(
        "dual_criminality_statement",
        "Dual criminality: the corresponding offence in the requested State",
        "ECMA art. 5; IAMLA art. 5; UNTOC art. 18(9)",
    ),
    FieldSpec(
        "proportionality_justification",
        "Necessity and proportionality of the measure",
        "EIO art. 6(1)",
    ),
    FieldSpec(
        "reciprocity_undertaking",
        "Undertaking to grant reciprocity in a similar case",
        "requested State's domestic law (e.g. Swiss IMAC art. 8)",
    ),
    FieldSpec("use_limitation", "Use-limitation acknowledgement", "UNTOC art. 18(19)"),
    FieldSpec("costs", "Costs and witness allowances", "ECMA arts. 9-10; UNTOC art. 18(28)"),
    FieldSpec(
        "person_description",
        "Person sought: identity, nationality, description, photographs, fingerprints",
        "ECE art. 12(2)(c); EAW art. 8(1)(a)",
    ),
    FieldSpec(
        "arrest_warrant_or_judgment",
        "Arrest warrant or enforceable judgment (original or authenticated copy)",
        "ECE art. 12(2)(a); EAW art. 8(1)(c); US-MX art. 10(3)(a)",
    ),
    FieldSpec(
        "intent_to_request_extradition",
        "Statement that a request for extradition will follow",
        "ECE art. 16(2)",
    ),
    FieldSpec(
        "statement_of_offences",
        "Statement of the offences: time, place, legal description, provisions",
        "ECE art. 12(2)(b); EAW art. 8(1)(d)-(e)",
    ),
    FieldSpec(
        "text_of_enactments",
        "Text of the enactments (offence, penalty, limitation)",
        "ECE art. 12(2)(c)",
    ),
    FieldSpec(
        "penalty",
        "Penalty: maximum, or the sentence imposed and the remainder to serve",
        "ECE art. 2; EAW art. 8(1)(f); US-MX art. 10(4)",
    ),
    FieldSpec(
        "committal_evidence",
        "Evidence that would justify committal under the requested State's law",
        "US-MX Extradition Treaty art. 10(3)(b); common-law committal",
    ),
    FieldSpec("in_absentia_information", "Trial in absentia information", "EAW art. 4a"),
    FieldSpec(
        "death_penalty_assurance",
        "Assurance that the death penalty will not be imposed or carried out",
        "ECE art. 11; EU-US Extradition Agreement art. 13; EU Charter art. 19(2)",
    ),
    FieldSpec("speciality_undertaking", "Speciality undertaking", "ECE art. 14; EAW art. 27"),
    FieldSpec(
        "property_to_be_seized",
        "Property to be seized and handed over (arms, ammunition, proceeds)",
        "ECE art. 20; EAW art. 8(1)(g)",
    ),
    FieldSpec("signature", "Signature, date, seal", "practice; EIO art. 2(c) validation"),
)

FIELD_BY_NAME = {f.name: f for f in FIELDS}
FIELD_ORDER = {f.name: i for i, f in enumerate(FIELDS)}

# Measure-specific fields (legal-cooperation.md §5.1 "req for service", "req for coercive").
MEASURE_FIELDS: dict[Measure, tuple[str, ...]] = {
    Measure.SERVICE: ("service_details",),  # ECMA art. 14(1)(d)
    Measure.SEARCH_SEIZURE: ("coercive_measure_details",),
    Measure.PROVISIONAL_MEASURE: ("coercive_measure_details",),
    Measure.BANK_INFO: ("coercive_measure_details",),
    Measure.INTERCEPTION: ("coercive_measure_details",),
    Measure.CONTROLLED_DELIVERY: ("coercive_measure_details",),
    Measure.TEMP_TRANSFER: ("persons_concerned",),
    Measure.VIDEO_HEARING: ("persons_concerned",),
}
# UNTOC art. 18(15)(c): a summary of the facts is not needed for service of documents.
NOT_FOR_MEASURE: dict[Measure, tuple[str, ...]] = {Measure.SERVICE: ("summary_of_facts",)}


def in_document_order(names: Iterable[str]) -> tuple[str, ...]:
    """Distinct field names in the order they appear in a document."""
    return tuple(sorted(set(names), key=lambda n: (FIELD_ORDER.get(n, len(FIELD_ORDER)), n)))

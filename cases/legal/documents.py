"""Render the letter of request (MLA) and the extradition request from Jinja2 templates.

Every field the routing decision lists in `required_fields` (from the instruments, the measure and
the rule checks, legal-cooperation.md §5) must be filled in; otherwise rendering refuses with
`MissingFields`, naming each one. User text is only ever a template variable, never template
source: `{{ 7*7 }}` typed into a field is printed as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cases.kernel.errors import Conflict, Invalid
from cases.legal.catalogue import InstrumentCode, LegalFacts, Measure, RequestType
from cases.legal.checks import EU_LIST_OFFENCES
from cases.legal.document_fields import FIELD_BY_NAME, FIELDS
from cases.legal.errors import MissingFields
from cases.legal.routing import RequestFacts, RoutingDecision

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "documents"

DOCUMENT_TEMPLATES: dict[str, str] = {
    "letter_of_request": "letter_of_request.txt.j2",
    "extradition_request": "extradition_request.txt.j2",
}


def document_kind(request_type: RequestType) -> str:
    """`letter_of_request` for MLA, `extradition_request` for extradition."""
    return "letter_of_request" if request_type is RequestType.MLA else "extradition_request"


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text documents; values are never template source
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _normalise(value: Any) -> str | list[str] | None:
    """A field value as text or a list of lines; None when empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        lines = [f"{k}: {v}" for k, v in value.items() if str(v).strip()]
        return lines or None
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return items or None
    return str(value)


def normalise_fields(fields: Mapping[str, Any]) -> dict[str, str | list[str] | None]:
    """Every known field (None when absent); unknown names are refused: typos must not vanish."""
    unknown = sorted(set(fields) - set(FIELD_BY_NAME))
    if unknown:
        raise Invalid(
            f"unknown document field(s): {', '.join(unknown)} — known fields: "
            f"{', '.join(f.name for f in FIELDS)}"
        )
    return {f.name: _normalise(fields.get(f.name)) for f in FIELDS}


def missing_fields(decision: RoutingDecision, fields: Mapping[str, Any]) -> tuple[str, ...]:
    """The required fields of the decision that are empty, in document order."""
    values = normalise_fields(fields)
    return tuple(name for name in decision.required_fields if values.get(name) is None)


def _basis_entries(facts: LegalFacts, decision: RoutingDecision, key: str) -> list[dict[str, str]]:
    entries = []
    for code in decision.legal_basis:
        instrument_code = (
            InstrumentCode.BILATERAL if code.startswith("BILATERAL:") else InstrumentCode(code)
        )
        instrument = facts.instruments[instrument_code]
        name = instrument.name
        if code.startswith("BILATERAL:"):
            _, pair, kind = code.split(":")
            a, b = pair.split("-")
            scope = next((t.scope for t in facts.bilaterals(a, b) if t.basis_code == code), "")
            name = f"Bilateral agreement {pair} ({kind.replace('_', ' ').lower()}): {scope}"
        articles = instrument.articles.get(key) or instrument.articles.get(
            "extradition" if key == "provisional_arrest" else key, ""
        )
        entries.append({"code": code, "name": name, "articles": articles})
    return entries


def render_document(
    facts: LegalFacts,
    request: RequestFacts,
    decision: RoutingDecision,
    fields: Mapping[str, Any],
    *,
    issued_on: date | None = None,
    templates_dir: Path = TEMPLATES_DIR,
) -> str:
    """The letter of request or extradition request as text; `MissingFields` if incomplete."""
    kind = document_kind(request.request_type)
    if not decision.legal_basis or decision.channel is None:
        raise Conflict(
            f"cannot render the {kind.replace('_', ' ')}: the routing decision has no legal basis "
            "(manual review) — decide the basis first"
        )
    values = normalise_fields(fields)
    missing = tuple(name for name in decision.required_fields if values[name] is None)
    if missing:
        raise MissingFields(kind, missing)
    measure = request.effective_measure
    key = "provisional_arrest" if measure is Measure.PROVISIONAL_ARREST else request.request_type
    requesting = facts.states[request.requesting]
    requested = facts.states[request.requested]
    eu_list = (
        EU_LIST_OFFENCES.get(request.offence)
        if {"EIO", "EAW"} & set(decision.legal_basis) and request.max_penalty_years >= 3
        else None
    )
    context = {
        "kind": kind,
        "request_id": request.request_id or decision.request_id or "(not yet numbered)",
        "issued_on": (issued_on or date.today()).isoformat(),
        "requesting_state": {"iso": requesting.iso, "name": requesting.name},
        "requested_state": {"iso": requested.iso, "name": requested.name},
        "request": {
            "type": request.request_type.value,
            "measure": measure.value,
            "offence": request.offence.value,
            "max_penalty_years": f"{request.max_penalty_years:g}",
            "urgent": request.urgent,
            "person_nationality": request.person_nationality or "",
        },
        "eaw": InstrumentCode.EAW.value in decision.legal_basis,
        "eio": InstrumentCode.EIO.value in decision.legal_basis,
        "provisional_arrest": measure is Measure.PROVISIONAL_ARREST,
        "basis": _basis_entries(facts, decision, str(key)),
        "channel": decision.channel.value,
        "route": list(decision.route),
        "languages": list(decision.languages),
        "translation_required": "TRANSLATION_REQUIRED" in decision.flags,
        "eu_list_offence": eu_list,
        "deadlines": [d.to_dict() for d in decision.deadlines if d.kind.value == "hard"],
        "fields": values,
        "labels": {f.name: f.label for f in FIELDS},
    }
    template = _environment(str(templates_dir)).get_template(DOCUMENT_TEMPLATES[kind])
    return template.render(context)

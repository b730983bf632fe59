"""The legal facts as the database holds them: shipped reference rows with a scenario's overrides.

`cordon init` loads the shipped files into `states`, `memberships`, `bilateral_treaties` and
`instruments` (origin `shipped`); `cordon load` adds a scenario's rows (origin `scenario`). Here the
two are merged as the core merges files (`merge_rows`: a scenario row replaces the shipped row with
the same key) and bundled as `LegalFacts` for the router.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from cases.kernel.models import TaskForce
from cases.legal.catalogue import (
    InstrumentCode,
    LegalFacts,
    build_legal_facts,
    merge_rows,
    parse_instrument,
)
from cases.reference.models import BilateralTreaty, Instrument, Membership, Origin, State


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(getattr(value, "value", value))  # enums


def _row(record: Any) -> dict[str, str]:
    """A table row as the CSV row the core parses (booleans yes/no, languages a|b, dates ISO)."""
    return {
        name: _text(getattr(record, name)) for name in type(record).model_fields if name != "origin"
    }


def _merged(
    session: Session, table: str, model: Any, scenario: str, today: date
) -> list[dict[str, str]]:
    rows = session.exec(select(model)).all()
    shipped = [_row(r) for r in rows if r.origin == Origin.SHIPPED]
    overrides = [_row(r) for r in rows if r.origin == Origin.SCENARIO]
    return merge_rows(table, shipped, overrides, scenario=scenario, load_date=today)


def _instruments(session: Session) -> dict[InstrumentCode, Any]:
    instruments = {}
    for record in session.exec(select(Instrument)).all():
        raw = {
            **record.details,
            "code": record.code,
            "name": record.name,
            "layer": record.layer,
            "covers": record.covers,
            "source": record.source,
            "as_of": record.as_of.isoformat(),
            "confidence": _text(record.confidence),
        }
        parsed = parse_instrument(raw)
        instruments[parsed.code] = parsed
    return instruments


def legal_facts(session: Session, today: date | None = None) -> LegalFacts:
    """The facts the router decides on, read from the reference tables."""
    task_force = session.get(TaskForce, 1)
    scenario = task_force.name if task_force else "scenario"
    on = today or date.today()
    return build_legal_facts(
        _merged(session, "states", State, scenario, on),
        _merged(session, "memberships", Membership, scenario, on),
        _merged(session, "bilateral", BilateralTreaty, scenario, on),
        _instruments(session) or None,  # None: the shipped instruments.yaml
    )

"""The legal facts the router decides on: shipped reference records with a scenario's overrides.

`cordon init` loads the shipped files into `states`, `memberships`, `bilateral_treaties` and
`instruments` (origin `shipped`); `cordon load` adds a scenario's rows (origin `scenario`). A
scenario's row replaces the shipped row with the same key. `legal_facts` reads the merged records
from the database; `shipped_legal_facts` reads the same files with the same parsers straight from
the package, for the pure router and its tests (optionally with a scenario's rows laid over them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from cases.legal.catalogue import LegalFacts, build_legal_facts
from cases.reference.files import Problem, ScenarioFileError, validate_row
from cases.reference.loading import (
    BilateralRow,
    MembershipRow,
    StateRow,
    reject_unknown_instruments,
    shipped_records,
)
from cases.reference.models import (
    BilateralTreatyRecord,
    Confidence,
    InstrumentRecord,
    MembershipRecord,
    Origin,
    State,
)

KEYS: dict[type, tuple[str, ...]] = {
    State: ("iso",),
    MembershipRecord: ("state", "instrument"),
    BilateralTreatyRecord: ("a", "b", "type"),
}


def _merged(records: Iterable[Any]) -> list[Any]:
    """Shipped records with scenario records laid over them (same key replaces, new key adds)."""
    ordered = sorted(records, key=lambda r: r.origin == Origin.SCENARIO)  # shipped first
    merged: dict[tuple[Any, ...], Any] = {}
    for record in ordered:
        merged[tuple(getattr(record, k) for k in KEYS[type(record)])] = record
    return list(merged.values())


def legal_facts(session: Session) -> LegalFacts:
    """The facts the router decides on, read from the reference tables."""
    return build_legal_facts(
        _merged(session.exec(select(State)).all()),
        _merged(session.exec(select(MembershipRecord)).all()),
        _merged(session.exec(select(BilateralTreatyRecord)).all()),
        session.exec(select(InstrumentRecord)).all(),
    )


# --- straight from the shipped files ---------------------------------------------------------


@dataclass(frozen=True)
class ScenarioOverrides:
    """A scenario's override or addition rows (SPEC §3 `states.csv`, `memberships.csv`,
    `bilateral.csv`) as column → text mappings, as `cordon load` reads them."""

    name: str
    load_date: date
    states: tuple[Mapping[str, Any], ...] = ()
    memberships: tuple[Mapping[str, Any], ...] = ()
    bilateral: tuple[Mapping[str, Any], ...] = ()


def _scenario_records(
    model: type[StateRow | MembershipRow | BilateralRow],
    file: str,
    rows: Sequence[Mapping[str, Any]],
    scenario: ScenarioOverrides,
    instruments: set[str],
) -> list[Any]:
    problems: list[Problem] = []
    validated: list[tuple[int, BaseModel]] = []
    for line, values in enumerate(rows, start=2):
        row = validate_row(
            model,
            {k: v for k, v in values.items() if v not in (None, "")},
            file=file,
            line=line,
            problems=problems,
        )
        if row is not None:
            validated.append((line, row))
    if problems:
        raise ScenarioFileError(problems)
    if model is MembershipRow:
        reject_unknown_instruments(instruments, validated, file)  # type: ignore[arg-type]
    # SPEC §3: a scenario's fact rows default to the load date, `scenario <name>` and K
    defaults = {
        "source": f"scenario {scenario.name}",
        "as_of": scenario.load_date,
        "confidence": Confidence.KNOWN,
    }
    records = [row.to_table(defaults, origin=Origin.SCENARIO) for _, row in validated]  # type: ignore[attr-defined]
    return records


def shipped_legal_facts(scenario: ScenarioOverrides | None = None) -> LegalFacts:
    """The shipped facts, read from the package's files, with a scenario's rows when given."""
    files = shipped_records()
    states, memberships = files["states.csv"], files["memberships.csv"]
    bilateral, instruments = files["bilateral.csv"], files["instruments.yaml"]
    if scenario is not None:
        codes = {r.code for r in instruments}
        states += _scenario_records(StateRow, "states.csv", scenario.states, scenario, codes)
        memberships += _scenario_records(
            MembershipRow, "memberships.csv", scenario.memberships, scenario, codes
        )
        bilateral += _scenario_records(
            BilateralRow, "bilateral.csv", scenario.bilateral, scenario, codes
        )
    return build_legal_facts(_merged(states), _merged(memberships), _merged(bilateral), instruments)

"""Helpers shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cases.db import read_session, unit_of_work
from cases.intake import RawLine
from cases.service import IntakeOutcome, StoreResult, open_or_merge, store_alerts
from flows.intake import intake_reference
from flows.load_scenario import SCENARIO_FILES, load_scenario_file


def load_files(directory: Path) -> list[dict[str, Any]]:
    """Each present scenario file through the flow's task body (no Prefect), in the flow's order."""
    return [
        load_scenario_file.fn(str(directory), name)
        for name, _, _ in SCENARIO_FILES
        if (directory / name).is_file()
    ]


# --- alerts ---------------------------------------------------------------------------------------

_refs = iter(range(1, 10**9))


def make_alert(**fields: Any) -> dict[str, Any]:
    """A valid alert (SPEC §5, v1) for the mini scenario; ``fields`` override or add
    (a value of None removes the field)."""
    alert: dict[str, Any] = {
        "source": "HR-customs",
        "source_ref": f"T-{next(_refs):06d}",
        "observed_at": "2026-11-20T10:15:00+01:00",
        "jurisdiction": "HR",
        "corridor": "RS-HR-BATROVCI",
        "kind": "consignment",
        "indicators": ["hs_chapter_93"],
        "subjects": [],
    }
    alert.update(fields)
    return {k: v for k, v in alert.items() if v is not None}


def raw_lines(*alerts: dict[str, Any] | str, origin: str = "test.jsonl") -> list[RawLine]:
    return [
        RawLine(origin, n, a if isinstance(a, str) else json.dumps(a, ensure_ascii=False))
        for n, a in enumerate(alerts, start=1)
    ]


def ingest_alerts(
    *alerts: dict[str, Any] | str, origin: str = "test.jsonl"
) -> tuple[StoreResult, IntakeOutcome]:
    """Both intake steps on these alerts, each in its own unit of work, as the flow runs them."""
    with read_session() as session:
        reference = intake_reference(session)
    with unit_of_work() as session:
        stored = store_alerts(session, raw_lines(*alerts, origin=origin), reference)
    with unit_of_work() as session:
        outcome = open_or_merge(session, reference)
    return stored, outcome

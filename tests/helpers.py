"""Helpers shared by the tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cases.intake.merge import IntakeOutcome, open_or_merge
from cases.intake.store import StoreResult, store_alerts
from cases.intake.validation import RawLine
from cases.kernel.actor import OPERATOR
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.events import subscribe, unsubscribe
from cordon.cli import main
from flows.intake import intake_reference
from flows.load_scenario import SCENARIO_FILES, load_scenario_file


@contextmanager
def published_events() -> Iterator[list[Any]]:
    """The domain events every unit of work delivers while the block runs (to the outbox too)."""
    seen: list[Any] = []

    def record(session: Any, events: list[Any]) -> None:
        seen.extend(events)

    subscribe(record)
    try:
        yield seen
    finally:
        unsubscribe(record)


def load_files(directory: Path) -> list[dict[str, Any]]:
    """Each present scenario file through the flow's task body (no Prefect), in the flow's order."""
    return [
        load_scenario_file.fn(str(directory), name)
        for name, _, _ in SCENARIO_FILES
        if (directory / name).is_file()
    ]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``cordon ARGS`` in this process (flows use the test's Prefect server)."""
    old_argv = sys.argv
    sys.argv = ["cordon", *args]
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    finally:
        sys.argv = old_argv
    out, err = capsys.readouterr()
    return code, out, err


def cli_ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``cordon ARGS`` that must succeed: its stdout."""
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    return out


def cli_refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``cordon ARGS`` that must be refused: the one line it prints on stderr."""
    code, out, err = cli(capsys, *args)
    lines = err.strip().splitlines()
    assert code != 0 and out == "" and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- legal requests ------------------------------------------------------------------------------

AUDITOR = "olga@audit.example"  # SI auditor: sees every request
HR_PROSECUTOR = "ivo.babic@dorh.hr.example"
RS_PROSECUTOR = "tamara.savic@rjt.rs.example"
SI_CENTRAL_AUTHORITY = "urska.kos@mp.si.example"
HR_ANALYST = "petra.jukic@carina.hr.example"
HR_COORDINATOR = "ana.kovac@carina.hr.example"
RS_COORDINATOR = "marko.petrovic@upravacarina.rs.example"
SI_COORDINATOR = "maja.novak@fu.si.example"
# A request goes through these statuses before it is transmitted (translation required).
TO_TRANSMITTED = ("legal_review", "translation_pending", "ready", "transmitted")


def legal_scenario(engine: Any, directory: Path) -> None:
    """The mini scenario (HR, RS, SI) with an auditor, an RS prosecutor, an SI central authority
    and an HR analyst, and two cases: CASE-2026-000001 (lead HR; HR, RS, SI participate; score
    0.9) and CASE-2026-000002 (lead RS, lead-only sharing; 0.7)."""
    from cases.kernel.db import unit_of_work
    from cases.kernel.models import Case, CaseJurisdiction, Contact, Counter, Role, Sharing

    load_files(directory)
    with unit_of_work(engine) as session:
        session.add(Contact(email=AUDITOR, name="Olga", jurisdiction="SI", role=Role.AUDITOR))
        session.add(
            Contact(email=RS_PROSECUTOR, name="Tamara", jurisdiction="RS", role=Role.PROSECUTOR)
        )
        session.add(
            Contact(
                email=SI_CENTRAL_AUTHORITY,
                name="Urška",
                jurisdiction="SI",
                role=Role.CENTRAL_AUTHORITY,
            )
        )
        session.add(Contact(email=HR_ANALYST, name="Petra", jurisdiction="HR", role=Role.ANALYST))
        for case_id, lead, participants, sharing, score in [
            ("CASE-2026-000001", "HR", ["HR", "RS", "SI"], Sharing.PARTICIPANTS, 0.9),
            ("CASE-2026-000002", "RS", ["RS"], Sharing.LEAD, 0.7),
        ]:
            session.add(
                Case(
                    id=case_id,
                    title=f"case {case_id}",
                    lead_jurisdiction=lead,
                    sharing=sharing,
                    score=score,
                )
            )
            session.flush()
            for jurisdiction in participants:
                session.add(CaseJurisdiction(case_id=case_id, jurisdiction=jurisdiction))
        session.add(Counter(name="CASE-2026", value=2))  # cases intake opens come after these


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
        stored = store_alerts(session, OPERATOR, raw_lines(*alerts, origin=origin), reference)
    with unit_of_work() as session:
        outcome = open_or_merge(session, OPERATOR, reference)
    return stored, outcome

"""Helpers shared by the tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from cordon.cli import main
from flows.load_scenario import SCENARIO_FILES, load_scenario_file


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


# --- legal requests ------------------------------------------------------------------------------

AUDITOR = "olga@audit.example"  # SI auditor: sees every request
HR_PROSECUTOR = "ivo.babic@dorh.hr.example"
HR_COORDINATOR = "ana.kovac@carina.hr.example"
RS_COORDINATOR = "marko.petrovic@upravacarina.rs.example"
SI_COORDINATOR = "maja.novak@fu.si.example"
# A request goes through these statuses before it is transmitted (translation required).
TO_TRANSMITTED = ("legal_review", "translation_pending", "ready", "transmitted")


def legal_scenario(engine: Any, directory: Path) -> None:
    """The mini scenario (HR, RS, SI) with an auditor and two cases: CASE-2026-000001 (lead HR;
    HR, RS, SI participate; score 0.9) and CASE-2026-000002 (lead RS, lead-only sharing; 0.7)."""
    from cases.db import unit_of_work
    from cases.models import Case, CaseJurisdiction, Contact, Role, Sharing

    load_files(directory)
    with unit_of_work(engine) as session:
        session.add(Contact(email=AUDITOR, name="Olga", jurisdiction="SI", role=Role.AUDITOR))
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

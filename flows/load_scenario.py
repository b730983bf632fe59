"""Flow ``load_scenario``: load a scenario directory, one task and transaction per file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, task
from sqlmodel import Session

from cases.kernel import audit
from cases.kernel.actor import flow_operator
from cases.kernel.db import get_engine, unit_of_work
from cases.reference.files import ScenarioFileError
from cases.reference.install import ensure_database
from cases.reference.sync import FileLoad
from cases.scenario.loading import (
    load_bilateral_overrides,
    load_contacts,
    load_membership_overrides,
    load_state_overrides,
    load_task_force,
    load_watchlist,
)
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from interdiction.scenario import load_agreements, load_corridors, load_teams

Loader = Callable[[Session, Path], FileLoad]

# In dependency order: members before teams, contacts before team leads, corridors before
# agreements. (file, loader, required)
SCENARIO_FILES: list[tuple[str, Loader, bool]] = [
    ("scenario.yaml", load_task_force, True),
    ("states.csv", load_state_overrides, False),
    ("memberships.csv", load_membership_overrides, False),
    ("bilateral.csv", load_bilateral_overrides, False),
    ("contacts.csv", load_contacts, True),
    ("corridors.csv", load_corridors, True),
    ("teams.csv", load_teams, True),
    ("agreements.csv", load_agreements, True),
    ("watchlist.csv", load_watchlist, False),
]
NOT_LOADED_HERE = {"alerts.jsonl"}  # `cordon ingest` takes alerts


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def prepare_database() -> None:
    ensure_database(get_engine())


@task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
)
def load_scenario_file(directory: str, name: str) -> dict[str, Any]:
    """Load one file atomically; its problems are returned, not raised (they are the user's)."""
    loader = next(loader for file, loader, _ in SCENARIO_FILES if file == name)
    path = Path(directory) / name
    try:
        with unit_of_work() as session:
            load = loader(session, path)
            audit.record(
                session,
                action="scenario.file_loaded",
                actor=flow_operator("load_scenario").label,
                entity_type="scenario_file",
                entity_id=name,
                after={**load.to_dict(), "directory": str(Path(directory).resolve())},
            )
    except ScenarioFileError as error:
        return {"file": name, "loaded": False, "problems": [str(p) for p in error.problems]}
    return {"file": name, "loaded": True, **load.to_dict(), "problems": []}


@flow(name="load_scenario")
def load_scenario(directory: str) -> dict[str, Any]:
    """Load every scenario file in ``directory``; a bad file loads nothing, the others load."""
    prepare_database()
    base = Path(directory)
    known = {name for name, _, _ in SCENARIO_FILES} | NOT_LOADED_HERE
    files: list[dict[str, Any]] = []
    for name, _, required in SCENARIO_FILES:
        if (base / name).is_file():
            files.append(load_scenario_file(directory, name))
        elif required:
            problem = f"{name}:1: -: missing (every scenario needs {name})"
            files.append({"file": name, "loaded": False, "problems": [problem]})
    ignored = sorted(
        p.name
        for p in base.iterdir()
        if p.suffix in (".csv", ".yaml", ".yml") and p.name not in known
    )
    problems = [p for f in files for p in f["problems"]]
    return {"directory": str(base), "ok": not problems, "files": files, "ignored": ignored}

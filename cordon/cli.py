"""The ``cordon`` command: the front door to the flows and the domain packages.

Each command module registers its commands on ``cordon.app.app``; importing it here is enough.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cases.kernel.errors import CordonError, ErrorKind, Invalid
from cordon import (  # noqa: F401  (importing a command module registers its commands)
    cases_commands,
    credentials_commands,
    notify_commands,
    plan_commands,
    requests_commands,
)
from cordon.app import AsOption, ExitWith, JsonOption, acting, app, options, ready_engine, run_flow
from cordon.output import console, emit_json, error_line
from cordon.runtime import VAR_DIR

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


# --- init, load ----------------------------------------------------------------------------------


@app.command()
def init(json_output: JsonOption = False) -> None:
    """Create or upgrade the schema and load the shipped reference data."""
    from cases.kernel.db import get_engine
    from cases.reference.install import init_database

    report = init_database(get_engine())
    if json_output:
        emit_json(report.to_dict())
        return
    console.print(f"schema at revision {report.revision} (was {report.revision_before or 'empty'})")
    for load in report.reference:
        console.print(
            f"  {load.file}: {load.inserted} new, {load.updated} updated, {load.removed} removed"
        )
    if not report.reference:
        console.print("  reference data is current")


@app.command()
def load(
    directory: Annotated[Path, typer.Argument(help="A scenario directory (SPEC §3).")],
    json_output: JsonOption = False,
) -> None:
    """Load a scenario directory; each file loads completely or not at all."""
    if not directory.is_dir():
        raise Invalid(f"no scenario directory {str(directory)!r}")
    ready_engine()
    from flows.load_scenario import load_scenario

    report = run_flow(load_scenario, directory=str(directory))
    if json_output:
        emit_json(report)
    else:
        print_load_report(report)
    if not report["ok"]:
        raise ExitWith(1)


def print_load_report(report: dict[str, Any]) -> None:
    table = Table(title=f"Scenario {report['directory']}", title_justify="left")
    for column in ("file", "loaded", "new", "updated", "removed", "unchanged"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for f in report["files"]:
        counts = [str(f.get(k, "")) for k in ("inserted", "updated", "removed", "unchanged")]
        table.add_row(f["file"], "yes" if f["loaded"] else "[red]no[/red]", *counts)
    console.print(table)
    for f in report["files"]:
        for problem in f["problems"]:
            error_line(problem)
    for name in report["ignored"]:
        console.print(f"ignored {name}: not a scenario file", markup=False)


# --- audit ---------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(as_email: AsOption = None, json_output: JsonOption = False) -> None:
    """Recompute the hash chain; name the first broken link (auditors and the operator)."""
    from cases.kernel.audit import verify

    with acting(as_email, writes=False) as (session, actor):
        report = verify(session, actor)
    if json_output:
        emit_json(report.to_dict())
    elif report.ok:
        console.print(f"audit log intact: {report.events} events, head {report.head}")
    if not report.ok:
        if not json_output:
            error_line(f"audit log broken at event {report.first_broken}: {report.reason}")
        raise ExitWith(1)


@audit_app.command("log")
def audit_log(
    case: Annotated[str | None, typer.Option("--case", help="Only this case's history.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the newest N events.")] = None,
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print audit events in chain order (as --as may read them: auditors and the operator all,
    others those of the cases and requests they can see)."""
    from cases.casework.service import audit_events
    from cases.kernel.audit import event_to_dict

    with acting(as_email, writes=False) as (session, actor):
        events = audit_events(session, actor, case_id=case, limit=limit)
    if json_output:
        emit_json([event_to_dict(e) for e in events])
        return
    table = Table(title_justify="left")
    for column in ("seq", "at", "actor", "action", "entity"):
        table.add_column(column)
    for e in events:
        table.add_row(str(e.seq), e.at, e.actor, e.action, f"{e.entity_type} {e.entity_id}")
    console.print(table)


# --- demo ----------------------------------------------------------------------------------------


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="The scenario to run.")] = Path(
        "examples/balkans"
    ),
    json_output: JsonOption = False,
) -> None:
    """Run the whole operations cycle on a scenario and print a summary."""
    if not directory.is_dir():
        raise Invalid(f"no scenario directory {str(directory)!r}")
    ready_engine()
    from flows.operations_cycle import operations_cycle

    summary = run_flow(operations_cycle, directory=str(directory))
    if json_output:
        emit_json(summary)
    else:
        from cordon.summary import print_summary

        print_summary(summary)
    if not summary["ok"]:
        raise ExitWith(1)


# --- entry point ---------------------------------------------------------------------------------

EXIT_STATUS = {
    ErrorKind.INVALID: 2,  # SPEC §10.1
    ErrorKind.FORBIDDEN: 3,
    ErrorKind.NOT_FOUND: 4,
    ErrorKind.CONFLICT: 5,
    ErrorKind.UNAVAILABLE: 69,  # EX_UNAVAILABLE: a part Cordon needs is down
}


def main() -> None:
    """Console script: user mistakes become one line on stderr and a non-zero exit status."""
    try:
        app()  # Typer itself answers --help and usage errors, and exits
    except ExitWith as done:
        sys.exit(done.code)
    except CordonError as error:
        error_line(str(error))
        sys.exit(EXIT_STATUS[error.kind])
    except KeyboardInterrupt:
        error_line("interrupted")
        sys.exit(130)
    except Exception as error:  # a defect, not a user mistake: keep the details in the log
        if options.verbose:
            raise
        log = VAR_DIR / "log" / "cordon.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(error)))
        logging.shutdown()
        error_line(f"internal error: {error} (details in {log}; run with --verbose to see them)")
        sys.exit(70)

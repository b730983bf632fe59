"""``cordon ingest``, ``cordon quarantine …`` and ``cordon cases …`` (SPEC §5).

User text (titles, names, reasons, raw lines) is printed as plain text, never as Rich markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from cases.kernel.errors import Invalid
from cases.kernel.models import CaseOutcome, CaseStatus, Sharing
from cordon.app import AsOption, ByOption, JsonOption, acting, app, ready_engine, run_flow
from cordon.output import console, emit_json, emit_model

cases_app = typer.Typer(
    help="The case queue: list, show, transition, link, split, sharing, notes.",
    no_args_is_help=True,
)
quarantine_app = typer.Typer(help="Alert lines that failed validation.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(quarantine_app, name="quarantine")

# --- ingest ---------------------------------------------------------------------------------------


@app.command()
def ingest(
    file: Annotated[str, typer.Argument(help="A JSON-Lines file of alerts, or - for stdin.")],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Lines per batch (one transaction each).")
    ] = 2000,
    json_output: JsonOption = False,
) -> None:
    """Run the intake flow: validate, quarantine, deduplicate, score, correlate, open or merge."""
    if file != "-" and not Path(file).is_file():
        raise Invalid(f"no alerts file {file!r}")
    ready_engine()
    from flows.intake import intake

    summary = run_flow(intake, path=file, batch_size=batch_size)
    if json_output:
        emit_json(summary)
        return
    print_ingest_summary(summary)


INGEST_COUNTS = (
    "received",
    "accepted",
    "rejected",
    "duplicates",
    "cases_opened",
    "alerts_merged",
    "watch",
)
"""The counts of SPEC §5's ingest summary, in the order people read them."""


def print_ingest_summary(summary: dict[str, Any]) -> None:
    table = Table(title="Ingest", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for name in INGEST_COUNTS:
        table.add_row(name.replace("_", " "), str(summary[name]))
    console.print(table)
    if summary["case_ids"]:
        console.print(Text(f"cases opened or changed: {', '.join(summary['case_ids'])}"))
    for rejection in summary["rejections"]:
        console.print(Text(f"quarantined line {rejection['line']}: {rejection['reason']}"))


# --- quarantine -----------------------------------------------------------------------------------


@quarantine_app.command("list")
def quarantine_list(
    show_all: Annotated[
        bool, typer.Option("--all", help="Replayed lines too, not only open ones.")
    ] = False,
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Quarantined lines: origin file, line number, reason, raw text."""
    from cases.intake.models import QuarantineStatus
    from cases.intake.quarantine import quarantine_items

    with acting(as_email, writes=False) as (session, actor):
        items = quarantine_items(session, actor, status=None if show_all else QuarantineStatus.OPEN)
    if json_output:
        emit_json(items)
        return
    table = Table(title_justify="left")
    for column in ("id", "origin", "line", "status", "reason", "raw text"):
        table.add_column(column)
    for q in items:
        raw = q["raw_text"] if len(q["raw_text"]) <= 80 else q["raw_text"][:77] + "..."
        table.add_row(
            str(q["id"]),
            Text(q["origin"]),
            str(q["line"]),
            q["status"],
            Text(q["reason"]),
            Text(raw),
        )
    console.print(table)


@quarantine_app.command("replay")
def quarantine_replay(
    fixed: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Corrected lines to ingest in place of the quarantined ones "
            "(matched by source and source_ref).",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Re-ingest open quarantined lines: validate them again (after a reference-data or corridor
    fix), or ingest corrected re-sends with --from."""
    if fixed is not None and not fixed.is_file():
        raise Invalid(f"no file {str(fixed)!r}")
    ready_engine()
    from flows.intake import replay_quarantine

    summary = run_flow(replay_quarantine, fixed_path=str(fixed) if fixed else None)
    if json_output:
        emit_json(summary)
        return
    print_ingest_summary(summary)
    console.print(f"replayed: {summary['replayed']}")


# --- cases ----------------------------------------------------------------------------------------


@cases_app.command("list")
def cases_list(
    status: Annotated[
        CaseStatus | None, typer.Option("--status", help="Only cases in this status.")
    ] = None,
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """The case queue, highest priority first."""
    from cases.casework.service import list_cases

    with acting(as_email, writes=False) as (session, actor):
        cases = list_cases(session, actor, status=status)
    items = [c.model_dump(mode="json") for c in cases]
    if json_output:
        emit_json(items)
        return
    console.print(case_table(items))


def case_table(items: list[dict[str, Any]], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("id", "pri", "score", "status", "lead", "jurisdictions", "alerts", "title"):
        table.add_column(column, justify="right" if column in ("score", "alerts") else "left")
    for c in items:
        table.add_row(
            c["id"],
            c["priority"],
            f"{c['score']:.3f}",
            c["status"],
            c["lead_jurisdiction"],
            " ".join(c["jurisdictions"]),
            str(c["alert_count"]),
            Text(c["title"]),
        )
    return table


@cases_app.command("show")
def cases_show(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """One case: alerts, subjects, why it was flagged, related cases, notes, timeline."""
    from cases.casework.service import show_case

    with acting(as_email, writes=False) as (session, actor):
        case = show_case(session, actor, case_id).model_dump(mode="json")
    if json_output:
        emit_json(case)
        return
    print_case(case)


def print_case(case: dict[str, Any]) -> None:
    out = console.print
    out(Text(f"{case['id']}  {case['title']}", style="bold"))
    out(
        Text(
            f"status {case['status']}"
            + (f" ({case['outcome']})" if case["outcome"] else "")
            + f" · priority {case['priority']} · score {case['score']:.3f}"
            + f" · lead {case['lead_jurisdiction']}"
            + f" · jurisdictions {' '.join(case['jurisdictions'])}"
            + f" · corridors {' '.join(case['corridors']) or '-'} · opened {case['opened_at']}"
        )
    )
    why = Table(title="Why flagged", title_justify="left")
    for column in ("indicator", "weight", "reported by"):
        why.add_column(column)
    for row in case["score_breakdown"]:
        reporters = ", ".join(f"{a['source']}:{a['source_ref']}" for a in row["alerts"])
        why.add_row(row["indicator"], f"{row['weight']:.2f}", Text(reporters))
    out(why)
    alerts = Table(title="Alerts", title_justify="left")
    for column in ("source", "source_ref", "observed", "jurisdiction", "indicators"):
        alerts.add_column(column)
    for a in case["alerts"]:
        alerts.add_row(
            Text(a["source"]),
            Text(a["source_ref"]),
            a["observed_at"],
            a["jurisdiction"],
            Text(" ".join(a["indicators"])),
        )
    out(alerts)
    subjects = Table(title="Subjects", title_justify="left")
    for column in ("type", "identifier", "name", "country"):
        subjects.add_column(column)
    for s in case["subjects"]:
        subjects.add_row(s["type"], Text(s["key"] or "-"), Text(s["name"]), s["country"] or "")
    out(subjects)
    for r in case["related"]:
        out(Text(f"related: {r['id']} ({r['note'] or r['kind']})"))
    for p in case["possible_links"]:
        out(Text(f"possible link: {p['id']} — {p['subject_type']} {p['name']!r}: {p['reason']}"))
    for n in case["notes"]:
        out(Text(f"note {n['at']} by {n['author']}: {n['text']}"))
    for e in case["timeline"]:
        out(Text(f"{e['at']}  {e['action']}  by {e['actor']}"))


@cases_app.command("transition")
def cases_transition(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    status: Annotated[CaseStatus, typer.Argument(help="The new status.")],
    outcome: Annotated[
        CaseOutcome | None, typer.Option("--outcome", help="Required when closing.")
    ] = None,
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Move a case along new → triage → investigating → interdiction_planned → action_taken →
    referred → closed (closing needs --outcome)."""
    from cases.casework.service import transition_case

    with acting(by, writes=True) as (session, actor):
        state = transition_case(session, actor, case_id=case_id, status=status, outcome=outcome)
    if json_output:
        emit_model(state)
    else:
        console.print(Text(f"{state.id} is now {status}" + (f" ({outcome})" if outcome else "")))


@cases_app.command("link")
def cases_link(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    other_id: Annotated[str, typer.Argument(help="The related case.")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Mark two cases as related."""
    from cases.casework.service import link_case

    with acting(by, writes=True) as (session, actor):
        linked = link_case(session, actor, case_id=case_id, other_id=other_id)
    if json_output:
        emit_model(linked)
    else:
        state = "now" if linked.created else "already"
        console.print(f"{linked.id} and {linked.related} are {state} related", markup=False)


@cases_app.command("split")
def cases_split(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    alerts: Annotated[
        str, typer.Option("--alerts", help="SOURCE:REF,... — the alerts to move to a new case.")
    ],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Undo a wrong merge: move alerts to a new case and recompute both cases."""
    from cases.casework.service import split_case

    with acting(by, writes=True) as (session, actor):
        split = split_case(session, actor, case_id=case_id, alerts=alerts.split(","))
    if json_output:
        emit_model(split)
    else:
        console.print(
            Text(f"moved {len(split.moved)} alert(s) from {split.id} to {split.new_case}")
        )


@cases_app.command("sharing")
def cases_sharing(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    level: Annotated[Sharing, typer.Argument(help="lead, participants or taskforce.")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Who may see the case: its lead jurisdiction, its participants, or the whole task force."""
    from cases.casework.service import set_sharing

    with acting(by, writes=True) as (session, actor):
        shared = set_sharing(session, actor, case_id=case_id, level=level)
    if json_output:
        emit_model(shared)
    else:
        state = "now" if shared.changed else "already"
        console.print(f"{shared.id} is {state} shared with: {shared.sharing}", markup=False)


@cases_app.command("note")
def cases_note(
    case_id: Annotated[str, typer.Argument(help="CASE-YYYY-NNNNNN")],
    text: Annotated[str, typer.Argument(help="The note.")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add a note to a case."""
    from cases.casework.service import add_note

    with acting(by, writes=True) as (session, actor):
        noted = add_note(session, actor, case_id=case_id, text=text)
    if json_output:
        emit_model(noted)
    else:
        console.print(f"note added to {noted.id}", markup=False)

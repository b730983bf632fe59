"""The summary ``cordon demo`` prints."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from cordon.cases_commands import INGEST_COUNTS
from cordon.output import console, error_line


def print_summary(result: dict[str, Any]) -> None:
    summary = result["summary"]
    table = Table(
        title=f"Task force {summary['task_force']}", title_justify="left", show_header=False
    )
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("members", " ".join(summary["members"]))
    table.add_row("contacts", str(summary["contacts"]))
    for role, count in summary["contacts_by_role"].items():
        table.add_row(f"  {role}", str(count))
    table.add_row("corridors", str(summary["corridors"]))
    table.add_row("teams", str(summary["teams"]))
    for kind, count in summary["teams_by_kind"].items():
        table.add_row(f"  {kind}", str(count))
    table.add_row("agreements", str(summary["agreements"]))
    table.add_row("watchlist entries", str(summary["watchlist"]))
    audit = summary["audit"]
    table.add_row("audit log", f"{audit['events']} events, {'intact' if audit['ok'] else 'BROKEN'}")
    console.print(table)
    if result.get("ingest"):
        print_ingest(result["ingest"])
        print_queue(summary)
    print_requests(result["requests"])
    if result.get("plan"):
        from cordon.plan_commands import print_plan

        print_plan(result["plan"])
    mail = result.get("notifications")
    if mail is not None:
        console.print(
            f"e-mail: {mail['sent']} sent, {mail['failed']} failed, {mail['pending']} pending"
            f" → {mail['mail']}",
            markup=False,
        )
    for f in result["load"]["files"]:
        for problem in f["problems"]:
            error_line(problem)


def print_requests(requests: dict[str, Any]) -> None:
    """The legal requests the demo opened, with their routing decisions."""
    if not requests["requests"]:
        console.print(requests["note"], markup=False)
        return
    table = Table(title="Legal requests", title_justify="left")
    columns = ("request", "type", "from→to", "legal basis", "channel", "flags", "first deadline")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("request", "from→to"))
    for r in requests["requests"]:
        first = r["first_deadline"]
        table.add_row(
            r["request_id"],
            "\n".join(filter(None, (r["type"], r["measure"]))),
            f"{r['requesting']}→{r['requested']}",
            "\n".join(r["legal_basis"]) or "— (manual review)",
            r["channel"] or "—",
            "\n".join(r["flags"]) or "—",
            "—"
            if first is None
            else f"{first['name']}: {first['days']} d after {first['starts_on']}",
        )
    console.print(table)


def print_ingest(ingest: dict[str, Any]) -> None:
    counts = ", ".join(f"{ingest[k]} {k.replace('_', ' ')}" for k in INGEST_COUNTS)
    console.print(Text(f"Ingest of alerts.jsonl: {counts}"))


def print_queue(summary: dict[str, Any]) -> None:
    """The top of the case queue, and why each case was opened."""
    table = Table(
        title=f"Case queue: {summary['open_cases']} new cases, top {len(summary['queue'])}",
        title_justify="left",
    )
    for column in ("case", "pri", "score", "lead", "jurisdictions", "title", "opened because"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for case in summary["queue"]:
        table.add_row(
            case["id"],
            case["priority"],
            f"{case['score']:.3f}",
            case["lead_jurisdiction"],
            " ".join(case["jurisdictions"]),
            Text(case["title"]),
            Text("; ".join(case["reasons"])),
        )
    console.print(table)

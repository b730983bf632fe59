"""The summary ``cordon demo`` prints."""

from __future__ import annotations

from typing import Any

from rich.table import Table

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

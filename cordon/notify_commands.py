"""``cordon notify …``: send the outbox and look into it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cases.kernel.errors import Invalid
from cordon.app import AsOption, JsonOption, acting, app, ready_engine, run_flow
from cordon.output import console, emit_json

notify_app = typer.Typer(
    help="E-mail notifications: the outbox and its delivery.", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")

STATUSES = ("pending", "sending", "sent", "failed")


@notify_app.command("dispatch")
def notify_dispatch(
    digests_through: Annotated[
        str | None,
        typer.Option(
            "--digests-through",
            help="Build daily digests up to this day (YYYY-MM-DD, UTC); default: yesterday.",
        ),
    ] = None,
    no_digests: Annotated[
        bool, typer.Option("--no-digests", help="Send what is due; build no digests.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Send every due message of the outbox to CORDON_MAIL_URL."""
    through = None
    if digests_through is not None:
        try:
            through = date.fromisoformat(digests_through)
        except ValueError as exc:
            raise Invalid(
                f"--digests-through {digests_through!r} is not a date: use YYYY-MM-DD"
            ) from exc
    from cases.kernel.settings import get_settings
    from notifications.smtp import parse_mail_url

    parse_mail_url(get_settings().mail_url)  # a bad CORDON_MAIL_URL is one line, before Prefect
    ready_engine()
    from flows.dispatch_notifications import dispatch_notifications

    result = run_flow(dispatch_notifications, digests=not no_digests, digests_through=through)
    if json_output:
        emit_json({key: result[key] for key in ("sent", "failed", "pending")})
        return
    console.print(
        f"{result['sent']} sent, {result['failed']} failed, {result['pending']} pending "
        f"→ {result['mail']}",
        markup=False,
    )
    if result["digest_items_waiting"]:
        console.print(f"{result['digest_items_waiting']} item(s) wait for a later daily digest")


@notify_app.command("list")
def notify_list(
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only messages in this status: " + ", ".join(STATUSES)),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N messages.")] = None,
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """The outbox: every message, its status, attempts and the server's last answer."""
    from notifications.dispatcher import list_messages, message_to_dict
    from notifications.models import OutboxStatus

    if status is not None and status not in STATUSES:
        raise Invalid(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    with acting(as_email, writes=False) as (session, actor):
        messages = [
            message_to_dict(m)
            for m in list_messages(
                session, actor, status=OutboxStatus(status) if status else None, limit=limit
            )
        ]
    if json_output:
        emit_json(messages)
        return
    table = Table(title_justify="left")
    for column in ("id", "status", "to", "subject", "tries", "last answer"):
        table.add_column(column)
    for m in messages:
        table.add_row(  # user text is never read as Rich markup
            str(m["id"]),
            m["status"],
            Text(m["recipient"]),
            Text(m["subject"]),
            str(m["attempts"]),
            Text(m["last_answer"] or ""),
        )
    console.print(table)

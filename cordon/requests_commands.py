"""`cordon requests …`: MLA and extradition requests (SPEC §6).

Each command is one unit of work around one use case of `cases.legal`, acting as the contact it
names (`--by`, `--as`) or as the operator; `requests route` and `requests watch` run the flows.
Domain events a change causes (`RequestTransmitted`) reach the outbox in that unit of work.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from cases.kernel.errors import Invalid
from cordon.app import AsOption, ByOption, JsonOption, acting, app, ready_engine, run_flow
from cordon.output import console, emit_json, emit_model

requests_app = typer.Typer(help="MLA and extradition requests: routing, deadlines, evidence.")
evidence_app = typer.Typer(help="Evidence a request asks for, with its chain of custody.")
app.add_typer(requests_app, name="requests", no_args_is_help=True)
requests_app.add_typer(evidence_app, name="evidence", no_args_is_help=True)

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="Compute deadlines as of this date (YYYY-MM-DD); default: today."),
]


def _day(value: str | None, option: str) -> date | None:
    from cases.legal.service import parse_day

    if value is None:
        return None
    try:
        return parse_day(value, option)
    except Invalid:
        raise Invalid(
            f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-01"
        ) from None


def _today(now: str | None) -> date:
    from cases.kernel.columns import today_utc

    return _day(now, "--now") or today_utc()


def _moment(value: str | None) -> datetime:
    """A custody timestamp: ISO 8601 with a UTC offset; default now."""
    from cases.kernel.columns import utcnow

    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid(
            f"--at {value!r} is not a time with a UTC offset: use e.g. 2026-12-03T10:15+01:00"
        )
    return moment


# --- open, show, list ----------------------------------------------------------------------------


@requests_app.command("open")
def open_command(
    case: Annotated[str, typer.Option("--case", help="The case the request belongs to.")],
    request_type: Annotated[str, typer.Option("--type", help="mla or extradition.")],
    requesting: Annotated[str, typer.Option("--from", help="Requesting state (ISO code).")],
    requested: Annotated[str, typer.Option("--to", help="Requested state (ISO code).")],
    measure: Annotated[
        str | None, typer.Option("--measure", help="e.g. evidence, search_seizure, surrender.")
    ] = None,
    person_nationality: Annotated[
        str | None, typer.Option("--person-nationality", help="Nationality of the person sought.")
    ] = None,
    urgent: Annotated[bool, typer.Option("--urgent", help="Urgent request.")] = False,
    offence: Annotated[str, typer.Option("--offence")] = "firearms_trafficking",
    max_penalty_years: Annotated[float, typer.Option("--max-penalty-years")] = 10,
    transnational: Annotated[bool, typer.Option("--transnational/--no-transnational")] = True,
    organised_group: Annotated[bool, typer.Option("--organised-group/--no-organised-group")] = True,
    capital: Annotated[
        str, typer.Option("--capital", help="Punishable by death in the requesting state?")
    ] = "unknown",
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Open a request in draft on a case and route it."""
    from cases.legal.service import open_request

    with acting(by, writes=True) as (session, actor):
        _, decision = open_request(
            session,
            actor,
            case_id=case,
            request_type=request_type,
            requesting=requesting,
            requested=requested,
            measure=measure,
            person_nationality=person_nationality,
            urgent=urgent,
            offence=offence,
            max_penalty_years=max_penalty_years,
            transnational=transnational,
            organised_group=organised_group,
            capital=capital,
        )
    document = decision.to_dict()
    if json_output:
        emit_json(document)
    else:
        print_decision(document)


@requests_app.command("show")
def show_command(
    request_id: Annotated[str, typer.Argument(help="REQ-YYYY-NNNNNN")],
    as_email: AsOption = None,
    now: NowOption = None,
    json_output: JsonOption = False,
) -> None:
    """A request: its routing decision, status, deadlines with due dates, history, evidence."""
    from cases.legal.views import show_request

    with acting(as_email, writes=False) as (session, actor):
        view = show_request(session, actor, request_id, _today(now))
    if json_output:
        emit_json(view)
        return
    print_decision(view)
    console.print(f"status: {view['status']}", markup=False)
    for line in view["history"]:
        note = f" — {line['note']}" if line["note"] else ""
        console.print(f"  {line['on']}  {line['event']} ({line['actor']}){note}", markup=False)
    for item in view["evidence"]:
        console.print(
            f"evidence {item['id']}: {item['description']} [{item['status']}], "
            f"{len(item['custody'])} custody entries",
            markup=False,
        )
    if view["missing_fields"]:
        console.print(f"missing fields: {', '.join(view['missing_fields'])}", markup=False)


@requests_app.command("list")
def list_command(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only requests with a hard deadline past due.")
    ] = False,
    as_email: AsOption = None,
    now: NowOption = None,
    json_output: JsonOption = False,
) -> None:
    """The requests you may see, with their next and overdue deadlines."""
    from cases.legal.views import list_requests

    with acting(as_email, writes=False) as (session, actor):
        rows = list_requests(session, actor, _today(now), overdue_only=overdue)
    if json_output:
        emit_json(rows)
        return
    table = Table(title_justify="left")
    for column in ("request", "case", "type", "from→to", "basis", "channel", "status", "overdue"):
        table.add_column(column, overflow="fold", no_wrap=column in ("request", "from→to"))
    for row in rows:
        table.add_row(
            row["request_id"],
            row["case_id"] or "—",
            row["type"],
            f"{row['requesting']}→{row['requested']}",
            "\n".join(row["legal_basis"]) or "—",
            row["channel"] or "—",
            row["status"],
            "\n".join(f"{d['name']} (due {d['due']})" for d in row["overdue"]),
        )
    console.print(table)


def print_decision(view: dict[str, Any]) -> None:
    console.print(f"request {view['request_id']}", markup=False)
    basis = " + ".join(view["legal_basis"]) or "— (manual review)"
    console.print(f"  legal basis: {basis}", markup=False)
    console.print(f"  channel:     {view['channel'] or '—'}", markup=False)
    console.print(f"  route:       {' → '.join(view['route']) or '—'}", markup=False)
    console.print(f"  flags:       {', '.join(view['flags']) or '—'}", markup=False)
    for d in view["deadlines"]:
        due = d["due"] or f"waits for {d['starts_on']}"
        console.print(
            f"  deadline {d['name']}: {d['days']} days ({d['kind']}), {due}", markup=False
        )
    console.print(f"  {view['explanation']}", markup=False)


# --- lifecycle and documents ---------------------------------------------------------------------


@requests_app.command("advance")
def advance_command(
    request_id: Annotated[str, typer.Argument(help="REQ-YYYY-NNNNNN")],
    state: Annotated[
        str, typer.Argument(help="The next status, or a side event (arrested, consent_given, …).")
    ],
    at: Annotated[
        str | None, typer.Option("--at", help="The day it happened (YYYY-MM-DD); default today.")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    reason: Annotated[
        str | None, typer.Option("--reason", help="Refusal reason code (with `refused`).")
    ] = None,
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Move a request along its lifecycle, or record an event that starts a deadline."""
    from cases.legal.service import advance_request

    day = _day(at, "--at")
    with acting(by, writes=True) as (session, actor):
        step = advance_request(
            session, actor, request_id=request_id, state=state, at=day, note=note, reason=reason
        )
    if json_output:
        emit_model(step)
    else:
        console.print(f"{step.request_id}: {step.recorded} on {step.on}", markup=False)


def _field_values(pairs: list[str], fields_file: Path | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if fields_file is not None:
        try:
            loaded = yaml.safe_load(fields_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise Invalid(f"cannot read --fields {str(fields_file)!r}: {error}") from None
        if not isinstance(loaded, dict):
            raise Invalid(f"--fields {str(fields_file)!r}: expected a mapping FIELD: VALUE")
        values.update({str(k): v for k, v in loaded.items()})
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise Invalid(f"{pair!r} is not FIELD=VALUE (an empty VALUE clears the field)")
        values[name.strip()] = value
    if not values:
        raise Invalid("nothing to set: give FIELD=VALUE pairs or --fields FILE.yaml")
    return values


@requests_app.command("set")
def set_command(
    request_id: Annotated[str, typer.Argument(help="REQ-YYYY-NNNNNN")],
    pairs: Annotated[list[str] | None, typer.Argument(help="FIELD=VALUE …")] = None,
    fields_file: Annotated[
        Path | None, typer.Option("--fields", help="A YAML mapping of fields.")
    ] = None,
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Fill in the document fields of a request (legal-cooperation.md §5)."""
    from cases.legal.service import set_fields

    values = _field_values(pairs or [], fields_file)
    with acting(by, writes=True) as (session, actor):
        fields = set_fields(session, actor, request_id=request_id, values=values)
    if json_output:
        emit_json(fields)
    else:
        console.print(f"{len(values)} field(s) set; {len(fields)} filled in", markup=False)


@requests_app.command("document")
def document_command(
    request_id: Annotated[str, typer.Argument(help="REQ-YYYY-NNNNNN")],
    out: Annotated[Path | None, typer.Option("--out", help="Write it to this file.")] = None,
    as_email: AsOption = None,
) -> None:
    """Render the letter of request (MLA) or the extradition request (refused, naming them, while
    required fields are empty)."""
    from cases.legal.service import render_request_document

    with acting(as_email, writes=False) as (session, actor):
        kind, text = render_request_document(session, actor, request_id=request_id)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise Invalid(f"cannot write {str(out)!r}: {error.strerror or error}") from None
    console.print(f"{kind.replace('_', ' ')} written to {out}", markup=False)


# --- flows ---------------------------------------------------------------------------------------


@requests_app.command("route")
def route_command(json_output: JsonOption = False) -> None:
    """Run the route_requests flow: route drafts not yet routed or whose facts changed."""
    ready_engine()
    from flows.route_requests import route_requests

    result = run_flow(route_requests)
    if json_output:
        emit_json(result)
    else:
        console.print(f"routed: {', '.join(result['routed']) or 'nothing new'}", markup=False)


@requests_app.command("watch")
def watch_command(now: NowOption = None, json_output: JsonOption = False) -> None:
    """Run the watch_deadlines flow: reminder and overdue notices due now, each produced once."""
    ready_engine()
    from flows.watch_deadlines import watch_deadlines

    result = run_flow(watch_deadlines, now=now)
    if json_output:
        emit_json(result)
        return
    for notice in result["notices"]:
        console.print(
            f"{notice['request_id']}: {notice['kind']} {notice['deadline']} (due {notice['due']})",
            markup=False,
        )
    if not result["notices"]:
        console.print("no new deadline notices")


# --- evidence ------------------------------------------------------------------------------------

WhoOption = Annotated[
    str | None,
    typer.Option("--who", help="Who holds or handles the item; default: the contact of --by."),
]
WhereOption = Annotated[str, typer.Option("--where", help="Where (office, laboratory, store).")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When, ISO 8601 with offset; default now.")
]
FileOption = Annotated[
    Path | None, typer.Option("--file", help="The item's file: its SHA-256 is recorded.")
]
NoteOption = Annotated[str, typer.Option("--note")]


def _custody(
    evidence_id: int,
    action: str,
    who: str | None,
    where: str,
    at: str | None,
    file: Path | None,
    note: str,
    by: str | None,
    json_output: bool,
    reason: str = "",
) -> None:
    from cases.kernel.actor import Person
    from cases.legal.evidence_service import file_sha256, record_custody

    when = _moment(at)
    digest = file_sha256(file) if file is not None else None
    with acting(by, writes=True) as (session, actor):
        custodian = who if who is not None else actor.name if isinstance(actor, Person) else None
        if custodian is None:
            raise Invalid("name who holds the item: --who NAME (or act as a contact with --by)")
        item = record_custody(
            session,
            actor,
            evidence_id=evidence_id,
            action=action,
            who=custodian,
            when=when,
            where=where,
            sha256=digest,
            note=note,
            reason=reason,
        )
    if json_output:
        emit_json(item)
    else:
        hashed = f", sha256 {digest}" if digest else ""
        console.print(f"evidence {evidence_id}: {item['status']}{hashed}", markup=False)


@evidence_app.command("add")
def evidence_add(
    request_id: Annotated[str, typer.Argument(help="REQ-YYYY-NNNNNN")],
    description: Annotated[str, typer.Argument(help="What the request asks for.")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add an item the request asks for (status requested)."""
    from cases.legal.evidence_service import add_evidence

    with acting(by, writes=True) as (session, actor):
        item = add_evidence(session, actor, request_id=request_id, description=description)
    if json_output:
        emit_json(item)
    else:
        console.print(f"evidence {item['id']} requested: {item['description']}", markup=False)


@evidence_app.command("receive")
def evidence_receive(
    evidence_id: Annotated[int, typer.Argument(help="The evidence item's number.")],
    where: WhereOption,
    who: WhoOption = None,
    at: AtOption = None,
    file: FileOption = None,
    note: NoteOption = "",
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """The item arrived: the first chain-of-custody entry."""
    _custody(evidence_id, "received", who, where, at, file, note, by, json_output)


@evidence_app.command("custody")
def evidence_custody(
    evidence_id: Annotated[int, typer.Argument(help="The evidence item's number.")],
    action: Annotated[str, typer.Argument(help="transferred, examined or stored.")],
    where: WhereOption,
    who: WhoOption = None,
    at: AtOption = None,
    file: FileOption = None,
    note: NoteOption = "",
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """A hand-over, examination or storage while the item is held."""
    _custody(evidence_id, action, who, where, at, file, note, by, json_output)


@evidence_app.command("admit")
def evidence_admit(
    evidence_id: Annotated[int, typer.Argument(help="The evidence item's number.")],
    where: WhereOption,
    who: WhoOption = None,
    at: AtOption = None,
    file: FileOption = None,
    note: NoteOption = "",
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """The court admitted the item."""
    _custody(evidence_id, "admitted", who, where, at, file, note, by, json_output)


@evidence_app.command("reject")
def evidence_reject(
    evidence_id: Annotated[int, typer.Argument(help="The evidence item's number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it was rejected.")],
    where: WhereOption,
    who: WhoOption = None,
    at: AtOption = None,
    file: FileOption = None,
    note: NoteOption = "",
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """The item was rejected (inadmissible, wrong item, broken chain …)."""
    _custody(evidence_id, "rejected", who, where, at, file, note, by, json_output, reason)

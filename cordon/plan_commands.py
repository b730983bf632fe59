"""`cordon plan …` and `cordon outcomes record`: joint inspection plans (SPEC §7).

`cordon plan --start DATE --days N` runs the `plan_inspections` flow and stores a proposed plan;
`approve` and `publish` move it along, approval telling each team lead their shifts (the
`PlanApproved` event is enqueued in the same transaction); `outcomes record` feeds what an
inspection found back into the corridor's risk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cases.kernel.errors import Invalid
from cordon.app import AsOption, ByOption, JsonOption, acting, app, ready_engine, run_flow
from cordon.output import console, emit_json

plan_app = typer.Typer(
    help="Joint inspection plans: compute (--start, --days), approve, publish, show, list.",
    invoke_without_command=True,
)
outcomes_app = typer.Typer(help="What inspections found: feeds corridor risk.")
app.add_typer(plan_app, name="plan")
app.add_typer(outcomes_app, name="outcomes", no_args_is_help=True)

ExportOption = Annotated[
    Path | None, typer.Option("--export", help="Also write the roster to this CSV file.")
]
UNMET_SHOWN = 5


@plan_app.callback()
def plan_command(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--start", help="First day (YYYY-MM-DD); shift 0 at 00:00 UTC.")
    ] = None,
    days: Annotated[int | None, typer.Option("--days", help="How many days to plan.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="auto, highs or cpsat.")] = "auto",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may take.")
    ] = 30.0,
    mode: Annotated[str, typer.Option("--mode", help="coverage or randomized.")] = "coverage",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Which roster --mode randomized draws (0).")
    ] = None,
    export: ExportOption = None,
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Compute a plan for the loaded scenario and store it as proposed."""
    if ctx.invoked_subcommand is not None:
        return
    if start is None or days is None:
        raise Invalid(
            "cordon plan needs --start YYYY-MM-DD and --days N "
            "(or one of: approve, publish, show, list)"
        )
    from interdiction.proposal import plan_options

    plan_options(engine=engine, mode=mode, seed=seed, time_limit_s=time_limit)  # before solving
    _check_writable(export)
    ready_engine()
    from flows.plan_inspections import plan_inspections

    document = run_flow(
        plan_inspections,
        start=start,
        days=days,
        engine=engine.strip().lower(),
        time_limit_s=time_limit,
        mode=mode.strip().lower(),
        seed=seed,
        by=by,
    )
    _export(document["plan_id"], export, by)
    if json_output:
        emit_json(document)
    else:
        print_plan(document)
        if export is not None:
            console.print(f"roster written to {export}", markup=False)


@plan_app.command("approve")
def approve_command(
    plan_id: Annotated[str, typer.Argument(help="PLAN-YYYY-NNNNNN")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Approve a proposed plan: each team lead is told their own shifts."""
    from interdiction.plans import approve_plan
    from notifications.outbox import queued_for

    with acting(by, writes=True) as (session, actor):
        event = approve_plan(session, actor, plan_id=plan_id)
    with acting(None, writes=False) as (session, _):
        messages = queued_for(session, event.key)  # written when the approval committed
    leads = sorted({s.lead_email for s in event.assignments if s.lead_email})
    result = {
        "plan_id": event.plan_id,
        "plan_status": "approved",
        "team_leads": leads,
        "messages": messages,
    }
    if json_output:
        emit_json(result)
    else:
        console.print(
            f"{event.plan_id} approved; {len(event.assignments)} shifts for "
            f"{len(leads)} team leads ({messages} e-mail(s) queued: `cordon notify dispatch`)",
            markup=False,
        )


@plan_app.command("publish")
def publish_command(
    plan_id: Annotated[str, typer.Argument(help="PLAN-YYYY-NNNNNN")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Publish an approved plan (the roster is final)."""
    from interdiction.plans import publish_plan

    with acting(by, writes=True) as (session, actor):
        row = publish_plan(session, actor, plan_id=plan_id)
        result = {"plan_id": row.id, "plan_status": str(row.status)}
    if json_output:
        emit_json(result)
    else:
        console.print(f"{result['plan_id']} published", markup=False)


@plan_app.command("show")
def show_command(
    plan_id: Annotated[str, typer.Argument(help="PLAN-YYYY-NNNNNN")],
    export: ExportOption = None,
    as_email: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """A stored plan: its figures, coverage, unmet risk and recorded outcomes."""
    from interdiction.plans import plan_document

    _check_writable(export)
    with acting(as_email, writes=False) as (session, actor):
        document = plan_document(session, actor, plan_id)
    _export(document["plan_id"], export, as_email)
    if json_output:
        emit_json(document)
    else:
        print_plan(document)


@plan_app.command("list")
def list_command(as_email: AsOption = None, json_output: JsonOption = False) -> None:
    """The stored plans, newest first."""
    from interdiction.plans import list_plans

    with acting(as_email, writes=False) as (session, actor):
        plans = list_plans(session, actor)
    if json_output:
        emit_json(plans)
        return
    table = Table(title_justify="left")
    for column in ("plan", "state", "start", "days", "mode", "solved"):
        table.add_column(column, no_wrap=column in ("plan", "start"))
    for p in plans:
        table.add_row(
            p["plan_id"],
            p["plan_status"],
            p["start"],
            str(p["days"]),
            p["mode"],
            f"{p['status']} {p['objective']} (bound {p['bound']})",
        )
    console.print(table)


@outcomes_app.command("record")
def record_command(
    plan_id: Annotated[str, typer.Option("--plan", help="PLAN-YYYY-NNNNNN")],
    corridor: Annotated[str, typer.Option("--corridor", help="The corridor inspected.")],
    shift: Annotated[int, typer.Option("--shift", help="The plan's shift number.")],
    result: Annotated[str, typer.Option("--result", help="seized, nothing or not_done.")],
    by: ByOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record what an inspection of an approved plan found; the corridor's risk learns from it."""
    from interdiction.plans import record_outcome

    with acting(by, writes=True) as (session, actor):
        recorded = record_outcome(
            session, actor, plan_id=plan_id, corridor=corridor, shift=shift, result=result
        )
    if json_output:
        emit_json(recorded)
    else:
        console.print(
            f"{recorded['plan_id']} {recorded['corridor']} shift {recorded['shift']}: "
            f"{recorded['result']}; corridor risk {recorded['base_risk_before']} → "
            f"{recorded['base_risk_after']} (analysts: {recorded['analysts_base_risk']})",
            markup=False,
        )


def _check_writable(path: Path | None) -> None:
    """Refuse an --export path before any work is done (and before a plan is stored)."""
    if path is None:
        return
    if path.is_dir():
        raise Invalid(f"--export {str(path)!r} is a directory: name a .csv file")
    if not path.parent.is_dir():
        raise Invalid(f"--export {str(path)!r}: no directory {str(path.parent)!r}")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise Invalid(f"--export {str(path)!r}: {str(target)!r} is not writable")


def _export(plan_id: str, path: Path | None, email: str | None) -> None:
    if path is None:
        return
    from interdiction.plans import roster_csv

    with acting(email, writes=False) as (session, actor):
        text = roster_csv(session, actor, plan_id)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise Invalid(f"--export {str(path)!r}: {error.strerror}") from None


# --- printing ------------------------------------------------------------------------------------


def print_plan(document: dict[str, Any]) -> None:
    """Headline figures, coverage per corridor and the main reasons for unmet risk."""
    kpis = document["kpis"]
    gap = document["gap"]
    console.print(
        f"Plan {document['plan_id']} ({document.get('plan_status', 'proposed')}, "
        f"{document['mode']}): {document['days']} day(s) from {document['start']}, "
        f"{document['status']} by "
        f"{document['engine']} in {document['seconds']:.2f} s — objective "
        f"{document['objective']}, bound {document['bound']}"
        + ("" if gap is None else f", gap {100 * gap:.2f}%"),
        markup=False,
    )
    console.print(
        f"risk covered {kpis['coverage_pct']}%, jointly {kpis['joint_pct']}%; "
        f"{kpis['team_shifts_used']} team shifts of {kpis['team_shifts_available']} available",
        markup=False,
    )
    game = kpis.get("randomized")
    if game:
        console.print(
            f"randomized: roster #{game['sampled_roster']} drawn with seed {game['seed']} "
            f"(probability {game['sampled_probability']:.3f}; {game['support_size']} rosters in "
            "the mixture); worst "
            f"expected loss {game['worst_case_loss']} (lower bound "
            f"{game['worst_case_loss_lower_bound']}; the deterministic plan's "
            f"{game['deterministic_worst_case_loss']}), expected covered risk "
            f"{game['expected_covered_risk']} (deterministic {game['deterministic_covered_risk']});"
            " status and gap above compare this roster with the deterministic optimum",
            markup=False,
        )
    table = Table(title="Coverage per corridor", title_justify="left")
    for column in ("corridor", "risk", "covered", "joint", "shifts covered", "jurisdictions"):
        table.add_column(
            column,
            justify="left" if column in ("corridor", "jurisdictions") else "right",
            no_wrap=column == "corridor",
        )
    for row in coverage_per_corridor(document):
        table.add_row(
            row["corridor"],
            str(row["risk"]),
            f"{row['covered_pct']}%",
            f"{row['joint_pct']}%",
            f"{row['shifts_covered']}/{row['shifts']}",
            " ".join(row["jurisdictions"]),
        )
    console.print(table)
    by_reason = {r: v for r, v in kpis["unmet_risk_by_reason"].items() if v}
    if not by_reason:
        console.print("no unmet risk")
        return
    console.print(
        "unmet risk by reason: "
        + ", ".join(f"{r} {v}" for r, v in sorted(by_reason.items(), key=lambda kv: -kv[1])),
        markup=False,
    )
    for u in sorted(document["unmet"], key=lambda u: (-u["risk"], u["shift"], u["corridor"]))[
        :UNMET_SHOWN
    ]:
        console.print(
            f"  {u['corridor']} shift {u['shift']} ({u['part']}, risk {u['risk']}): "
            f"{u['reason']} — {u['evidence']}",
            markup=False,
        )


def coverage_per_corridor(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Per corridor: its risk over the plan, the share covered and covered jointly."""
    shifts = document["days"] * document["shifts_per_day"]
    rows: dict[str, dict[str, Any]] = {}
    for c in document["coverage"]:
        row = rows.setdefault(c["corridor"], _empty(c["corridor"]))
        row["risk"] += c["risk"]
        row["covered"] += c["risk"]
        row["joint"] += c["risk"] if c["joint"] else 0
        row["shifts_covered"] += 1
        row["jurisdictions"].update(c["jurisdictions"])
    for u in document["unmet"]:
        if u["part"] == "coverage":
            rows.setdefault(u["corridor"], _empty(u["corridor"]))["risk"] += u["risk"]
    result = []
    for row in sorted(rows.values(), key=lambda r: (-r["risk"], r["corridor"])):
        risk = row["risk"] or 1
        result.append(
            {
                "corridor": row["corridor"],
                "risk": row["risk"],
                "covered_pct": round(100 * row["covered"] / risk, 1),
                "joint_pct": round(100 * row["joint"] / risk, 1),
                "shifts_covered": row["shifts_covered"],
                "shifts": shifts,
                "jurisdictions": sorted(row["jurisdictions"]),
            }
        )
    return result


def _empty(corridor: str) -> dict[str, Any]:
    return {
        "corridor": corridor,
        "risk": 0,
        "covered": 0,
        "joint": 0,
        "shifts_covered": 0,
        "jurisdictions": set(),
    }

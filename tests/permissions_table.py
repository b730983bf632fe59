"""SPEC §10.1 as a table of attempts, shared by the CLI's and the HTTP API's tests: every write
use case, for every role × own or other jurisdiction × can or cannot see the case (and an unknown
address, an auditor and the operator).

The expectations are written from the SPEC's table in plain words (``may``), independently of
``cases.kernel.permissions.RULES`` — the table the code checks — so that a wrong row there fails
the tests. Each use case says how to attempt it on the CLI (``argv``) and over HTTP (``http``),
and, for a refusal over HTTP, whether the caller may see what it is about (403) or not (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlmodel import select

from cases.casework.service import set_sharing
from cases.kernel.actor import OPERATOR
from cases.kernel.columns import today_utc
from cases.kernel.credentials import issue_token
from cases.kernel.db import engine_for, make_engine, read_session, unit_of_work
from cases.kernel.models import Contact, Role, Sharing
from cases.kernel.settings import get_settings
from cases.legal.evidence_service import add_evidence
from cases.legal.service import advance_request, open_request
from cases.reference.install import init_database
from interdiction.inputs import planning_inputs
from interdiction.models import PlanAssignment, TeamRecord
from interdiction.plans import approve_plan, store_plan
from interdiction.proposal import propose_plan
from tests.helpers import TO_TRANSMITTED, ingest_alerts, load_files, make_alert

MEMBERS = {"HR", "RS", "SI"}


@dataclass(frozen=True)
class Who:
    """Someone at the console: a contact (``email``), the operator (None) or a stranger."""

    label: str
    email: str | None
    role: Role | None = None
    jurisdiction: str | None = None

    @property
    def contact(self) -> bool:
        return self.role is not None


PEOPLE = [
    Who("HR coordinator", "ana.kovac@carina.hr.example", Role.COORDINATOR, "HR"),
    Who("HR analyst", "petra.jukic@carina.hr.example", Role.ANALYST, "HR"),
    Who("HR prosecutor", "ivo.babic@dorh.hr.example", Role.PROSECUTOR, "HR"),
    Who("HR central authority", "ca@mpu.hr.example", Role.CENTRAL_AUTHORITY, "HR"),
    Who("HR team lead", "luka.horvat@carina.hr.example", Role.TEAM_LEAD, "HR"),
    Who("RS coordinator", "marko.petrovic@upravacarina.rs.example", Role.COORDINATOR, "RS"),
    Who("RS prosecutor", "tamara.savic@rjt.rs.example", Role.PROSECUTOR, "RS"),
    Who("RS team lead", "jelena.ilic@rjt.rs.example", Role.TEAM_LEAD, "RS"),
    Who("SI coordinator", "maja.novak@fu.si.example", Role.COORDINATOR, "SI"),
    Who("SI central authority", "urska.kos@mp.si.example", Role.CENTRAL_AUTHORITY, "SI"),
    Who("AT coordinator", "eva@bmi.at.example", Role.COORDINATOR, "AT"),  # not a member
    Who("auditor", "olga@audit.example", Role.AUDITOR, "SI"),
]
OPERATOR_AT_CONSOLE = Who("operator", None)
STRANGER = Who("unknown address", "nobody@example.org")
EVERYONE = [OPERATOR_AT_CONSOLE, *PEOPLE, STRANGER]
NEW_CONTACTS = [
    p
    for p in PEOPLE
    if p.label
    in {
        "HR analyst",
        "HR central authority",
        "RS prosecutor",
        "SI central authority",
        "AT coordinator",
        "auditor",
    }
]


@dataclass(frozen=True)
class World:
    """What the prepared database holds, as the expectations need it."""

    case: str  # lead HR; HR, RS, SI participate; shared with participants
    rs_case: str  # lead RS; RS only; shared with the lead only
    si_alert: str  # an alert of ``case`` (SOURCE:REF) a split may move
    draft: str  # REQ HR → SI on ``case``, a draft
    sent: str  # REQ HR → SI on ``case``, transmitted
    evidence: int  # an item ``sent`` asks for, not yet received
    proposed: str  # a plan to approve
    running: str  # an approved plan whose first shift has started
    inspection: tuple[str, int]  # a corridor and shift of ``running`` with HR-CUS-01 at it
    inspection_teams: frozenset[tuple[str, str | None]]  # its teams: (jurisdiction, lead e-mail)
    tokens: dict[str | None, str]  # each person's API token; None: the operator's

    def sees(self, who: Who, case: str) -> bool:
        """SPEC §10: the lead, the participants (unless lead-only), members for taskforce."""
        if who.role is None:
            return who.email is None
        if who.role is Role.AUDITOR:
            return True
        if case == self.case:
            return who.jurisdiction in {"HR", "RS", "SI"}
        return who.jurisdiction == "RS"


def casework(world: World, who: Who, *cases: str) -> bool:
    """Coordinators and analysts of the case's lead or a participating jurisdiction who can see
    it (link: both cases)."""
    if who.email is None:
        return True
    participants = {world.case: {"HR", "RS", "SI"}, world.rs_case: {"RS"}}
    return who.role in (Role.COORDINATOR, Role.ANALYST) and all(
        world.sees(who, c) and who.jurisdiction in participants[c] for c in cases
    )


def lawyers_of(state: str, who: Who) -> bool:
    return who.email is None or (
        who.role in (Role.PROSECUTOR, Role.CENTRAL_AUTHORITY) and who.jurisdiction == state
    )


def member_coordinator(who: Who) -> bool:
    return who.email is None or (who.role is Role.COORDINATOR and who.jurisdiction in MEMBERS)


def records_the_outcome(world: World, who: Who) -> bool:
    """The team lead of a team assigned to that inspection, or a coordinator of its jurisdiction."""
    if who.email is None:
        return True
    return any(
        (who.role is Role.TEAM_LEAD and lead == who.email)
        or (who.role is Role.COORDINATOR and who.jurisdiction == jurisdiction)
        for jurisdiction, lead in world.inspection_teams
    )


Http = Callable[["World"], tuple[str, str, dict[str, Any] | None]]


@dataclass(frozen=True)
class UseCase:
    name: str
    argv: Callable[[World], list[str]]
    may: Callable[[World, Who], bool]
    http: Http  # (method, path under /api/v1, JSON body)
    sees: Callable[[World, Who], bool] = lambda w, p: True  # the target, for 403 against 404
    flow: bool = False  # runs a Prefect flow (needs the test server)


def sees_request(world: World, who: Who) -> bool:
    """A request HR → SI is seen by HR and SI (and auditors, and the operator)."""
    return who.email is None or who.role is Role.AUDITOR or who.jurisdiction in ("HR", "SI")


RECEIVED = {"action": "received", "who": "Insp. Horvat", "where": "DORH Zagreb"}


def new_request(case: str, requesting: str, requested: str) -> dict[str, Any]:
    return {"case_id": case, "type": "mla", "requesting": requesting, "requested": requested}


def nothing_found(world: World) -> dict[str, Any]:
    corridor, shift = world.inspection
    return {"corridor": corridor, "shift": shift, "result": "nothing"}


def tomorrow() -> str:
    return (today_utc() + timedelta(days=1)).isoformat()


USE_CASES = [
    UseCase(
        "cases transition",
        lambda w: ["cases", "transition", w.case, "triage"],
        lambda w, p: casework(w, p, w.case),
        http=lambda w: ("POST", f"/cases/{w.case}/transition", {"status": "triage"}),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "cases transition (lead-only case)",
        lambda w: ["cases", "transition", w.rs_case, "triage"],
        lambda w, p: casework(w, p, w.rs_case),
        http=lambda w: ("POST", f"/cases/{w.rs_case}/transition", {"status": "triage"}),
        sees=lambda w, p: w.sees(p, w.rs_case),
    ),
    UseCase(
        "cases link",
        lambda w: ["cases", "link", w.case, w.rs_case],
        lambda w, p: casework(w, p, w.case, w.rs_case),
        http=lambda w: ("POST", f"/cases/{w.case}/links", {"other_id": w.rs_case}),
        # the first case is checked first: a refusal about it says nothing of the second
        sees=lambda w, p: (
            w.sees(p, w.case) and (not casework(w, p, w.case) or w.sees(p, w.rs_case))
        ),
    ),
    UseCase(
        "cases split",
        lambda w: ["cases", "split", w.case, "--alerts", w.si_alert],
        lambda w, p: casework(w, p, w.case),
        http=lambda w: ("POST", f"/cases/{w.case}/split", {"alerts": [w.si_alert]}),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "cases note",
        lambda w: ["cases", "note", w.case, "checked the manifest"],
        lambda w, p: casework(w, p, w.case),
        http=lambda w: ("POST", f"/cases/{w.case}/notes", {"text": "checked the manifest"}),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "cases sharing lead",
        lambda w: ["cases", "sharing", w.case, "lead"],
        lambda w, p: casework(w, p, w.case),
        http=lambda w: ("PUT", f"/cases/{w.case}/sharing", {"level": "lead"}),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "cases sharing taskforce",  # above participants: a coordinator of the lead jurisdiction
        lambda w: ["cases", "sharing", w.case, "taskforce"],
        lambda w, p: (
            casework(w, p, w.case)
            and (p.email is None or (p.role is Role.COORDINATOR and p.jurisdiction == "HR"))
        ),
        http=lambda w: ("PUT", f"/cases/{w.case}/sharing", {"level": "taskforce"}),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "requests open",
        lambda w: [
            "requests",
            "open",
            "--case",
            w.case,
            "--type",
            "mla",
            "--from",
            "HR",
            "--to",
            "SI",
        ],
        lambda w, p: lawyers_of("HR", p) and w.sees(p, w.case),
        http=lambda w: (
            "POST",
            "/requests",
            {"case_id": w.case, "type": "mla", "requesting": "HR", "requested": "SI"},
        ),
        sees=lambda w, p: w.sees(p, w.case),
    ),
    UseCase(
        "requests open (lead-only case)",
        lambda w: [
            "requests",
            "open",
            "--case",
            w.rs_case,
            "--type",
            "mla",
            "--from",
            "RS",
            "--to",
            "HR",
        ],
        lambda w, p: lawyers_of("RS", p) and w.sees(p, w.rs_case),
        http=lambda w: (
            "POST",
            "/requests",
            {"case_id": w.rs_case, "type": "mla", "requesting": "RS", "requested": "HR"},
        ),
        sees=lambda w, p: w.sees(p, w.rs_case),
    ),
    UseCase(
        "requests advance (requesting side)",
        lambda w: ["requests", "advance", w.draft, "legal_review"],
        lambda w, p: lawyers_of("HR", p),
        http=lambda w: ("POST", f"/requests/{w.draft}/events", {"state": "legal_review"}),
        sees=sees_request,
    ),
    UseCase(
        "requests set (document fields)",
        lambda w: ["requests", "set", w.draft, "purpose=to trace the rifles"],
        lambda w, p: lawyers_of("HR", p),
        http=lambda w: ("PATCH", f"/requests/{w.draft}/fields", {"purpose": "to trace the rifles"}),
        sees=sees_request,
    ),
    UseCase(
        "requests evidence add",
        lambda w: ["requests", "evidence", "add", w.sent, "Bank statements"],
        lambda w, p: lawyers_of("HR", p),
        http=lambda w: ("POST", f"/requests/{w.sent}/evidence", {"description": "Bank statements"}),
        sees=sees_request,
    ),
    UseCase(
        "requests advance (requested side)",
        lambda w: ["requests", "advance", w.sent, "acknowledged"],
        lambda w, p: lawyers_of("SI", p),
        http=lambda w: ("POST", f"/requests/{w.sent}/events", {"state": "acknowledged"}),
        sees=sees_request,
    ),
    UseCase(
        "requests evidence receive (custody)",
        lambda w: [
            "requests",
            "evidence",
            "receive",
            str(w.evidence),
            "--who",
            "Insp. Horvat",
            "--where",
            "DORH Zagreb",
        ],
        lambda w, p: (
            p.email is None
            or (p.role not in (None, Role.AUDITOR) and p.jurisdiction in ("HR", "SI"))
        ),
        http=lambda w: (
            "POST",
            f"/evidence/{w.evidence}/custody",
            {"action": "received", "who": "Insp. Horvat", "where": "DORH Zagreb"},
        ),
        sees=sees_request,
    ),
    UseCase(
        "plan approve",
        lambda w: ["plan", "approve", w.proposed],
        lambda w, p: member_coordinator(p),
        http=lambda w: ("POST", f"/plans/{w.proposed}/approve", None),
    ),
    UseCase(
        "plan publish",
        lambda w: ["plan", "publish", w.running],
        lambda w, p: member_coordinator(p),
        http=lambda w: ("POST", f"/plans/{w.running}/publish", None),
    ),
    UseCase(
        "outcomes record",
        lambda w: [
            "outcomes",
            "record",
            "--plan",
            w.running,
            "--corridor",
            w.inspection[0],
            "--shift",
            str(w.inspection[1]),
            "--result",
            "nothing",
        ],
        records_the_outcome,
        http=lambda w: (
            "POST",
            f"/plans/{w.running}/outcomes",
            {"corridor": w.inspection[0], "shift": w.inspection[1], "result": "nothing"},
        ),
    ),
    UseCase(
        "plan propose",
        lambda w: ["plan", "--start", tomorrow(), "--days", "1", "--time-limit", "10"],
        lambda w, p: member_coordinator(p),
        http=lambda w: ("POST", "/plans", {"start": tomorrow(), "days": 1, "time_limit_s": 10}),
        flow=True,
    ),
]


# --- the prepared database ---------------------------------------------------------------------


def prepare(url: str, scenario: Path) -> World:
    engine = make_engine(url)
    init_database(engine)
    engine.dispose()
    with pointing_at(url):
        load_files(scenario)
        with unit_of_work() as session:
            for p in NEW_CONTACTS:
                assert p.email and p.role and p.jurisdiction
                session.add(
                    Contact(email=p.email, name=p.label, jurisdiction=p.jurisdiction, role=p.role)
                )
        vessel = {"type": "vessel", "imo": "9387425", "name": "MV Drava"}
        si_alert = make_alert(
            source="SI-customs",
            jurisdiction="SI",
            corridor="HR-SI-BREGANA",
            indicators=["concealment"],
            subjects=[vessel],
        )
        _, opened = ingest_alerts(
            make_alert(indicators=["undeclared_arms"], subjects=[vessel]), si_alert
        )
        _, other = ingest_alerts(
            make_alert(
                source="RS-customs",
                jurisdiction="RS",
                corridor=None,
                indicators=["undeclared_arms"],
                subjects=[{"type": "vessel", "imo": "9074729"}],
            )
        )
        case, rs_case = opened.cases_opened[0], other.cases_opened[0]
        with unit_of_work() as session:
            set_sharing(session, OPERATOR, case_id=rs_case, level=Sharing.LEAD)
            draft, _ = open_request(
                session, OPERATOR, case_id=case, request_type="mla", requesting="HR", requested="SI"
            )
            sent, _ = open_request(
                session, OPERATOR, case_id=case, request_type="mla", requesting="HR", requested="SI"
            )
            draft_id, sent_id = draft.id, sent.id
        with unit_of_work() as session:
            for state in TO_TRANSMITTED:
                advance_request(session, OPERATOR, request_id=sent_id, state=state)
            evidence = add_evidence(session, OPERATOR, request_id=sent_id, description="Ledger")
        plans = {}
        for name, start in (
            ("proposed", today_utc() + timedelta(days=1)),
            ("running", today_utc() - timedelta(days=1)),
        ):
            with read_session() as session:
                inputs = planning_inputs(session, start, 3)
            plan = propose_plan(inputs.problem, time_limit_s=10)
            with unit_of_work() as session:
                plans[name] = str(store_plan(session, inputs, plan, actor=OPERATOR).plan_id)
        with unit_of_work() as session:
            approve_plan(session, OPERATOR, plan_id=plans["running"])
            tokens = {
                who.email: issue_token(session, OPERATOR, email=who.email)
                for who in [OPERATOR_AT_CONSOLE, *PEOPLE]
            }
        with read_session() as session:
            at = (
                session.exec(
                    select(PlanAssignment).where(
                        PlanAssignment.plan_id == plans["running"],
                        PlanAssignment.team == "HR-CUS-01",
                        PlanAssignment.shift == 0,
                    )
                ).first()
                or session.exec(
                    select(PlanAssignment).where(
                        PlanAssignment.plan_id == plans["running"], PlanAssignment.shift == 0
                    )
                ).first()
            )
            assert at is not None, "the running plan has an inspection in its first shift"
            teams = session.exec(
                select(TeamRecord)
                .join(PlanAssignment, PlanAssignment.team == TeamRecord.code)
                .where(
                    PlanAssignment.plan_id == plans["running"],
                    PlanAssignment.corridor == at.corridor,
                    PlanAssignment.shift == at.shift,
                )
            ).all()
            inspection_teams = frozenset((t.jurisdiction, t.lead_email) for t in teams)
            inspection = (at.corridor, at.shift)
    return World(
        case=case,
        rs_case=rs_case,
        si_alert=f"{si_alert['source']}:{si_alert['source_ref']}",
        draft=draft_id,
        sent=sent_id,
        evidence=int(evidence["id"]),
        proposed=plans["proposed"],
        running=plans["running"],
        inspection=inspection,
        inspection_teams=inspection_teams,
        tokens=tokens,
    )


class pointing_at:
    """CORDON_DATABASE_URL at ``url`` for a block (the CLI reads it)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        import os

        self.saved = os.environ.get("CORDON_DATABASE_URL")
        os.environ["CORDON_DATABASE_URL"] = self.url
        get_settings.cache_clear()
        engine_for.cache_clear()

    def __exit__(self, *_: Any) -> None:
        import os

        engine_for(self.url).dispose()
        engine_for.cache_clear()
        get_settings.cache_clear()
        if self.saved is None:
            os.environ.pop("CORDON_DATABASE_URL", None)
        else:
            os.environ["CORDON_DATABASE_URL"] = self.saved


def snapshot(url: str) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Row counts of every table but the audit log, and the audit log's events."""
    engine = make_engine(url)
    with engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        counts = {
            t: connection.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
            for t in tables
            if t != "audit_events"
        }
        events = [
            tuple(r)
            for r in connection.execute(
                text("SELECT action, actor, entity_id FROM audit_events ORDER BY seq")
            )
        ]
    engine.dispose()
    return counts, events  # type: ignore[return-value]

"""The requests `cordon demo` opens: a few realistic ones on the highest-scoring open cases.

One request per pattern, each on the best open case whose jurisdictions offer a fitting pair:
an EIO between two EU members (search and seizure), an extradition that an EU member asks of a
Western Balkans state for one of its nationals (the nationals bar, bilateral treaties), and MLA
between two Western Balkans states. Running the demo again opens nothing new: a request of the
same type between the same states on the same case is shown instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import permutations
from typing import Any

from sqlmodel import Session, col, select

from cases.kernel.actor import Actor
from cases.kernel.models import Case, CaseJurisdiction, CaseStatus
from cases.legal.catalogue import LegalFacts, StateProfile, TimerKind
from cases.legal.deadlines import Deadline
from cases.legal.legal_facts import legal_facts
from cases.legal.models import LegalRequest
from cases.legal.requests import stored_decision
from cases.legal.routing import RoutingDecision
from cases.legal.service import open_request


@dataclass(frozen=True)
class Pattern:
    request_type: str
    measure: str
    requesting_region: str
    requested_region: str
    national_of_requested: bool = False  # the person sought is a national of the requested state


PATTERNS = (
    Pattern("mla", "search_seizure", "EU", "EU"),
    Pattern("extradition", "surrender", "EU", "WB", national_of_requested=True),
    Pattern("mla", "evidence", "WB", "WB"),
)


@dataclass(frozen=True)
class OpenCase:
    case_id: str
    jurisdictions: tuple[str, ...]


@dataclass(frozen=True)
class DemoRequest:
    case_id: str
    request_type: str
    measure: str
    requesting: str
    requested: str
    person_nationality: str | None


def plan_demo_requests(
    cases: Sequence[OpenCase], states: Mapping[str, StateProfile]
) -> list[DemoRequest]:
    """For each pattern, the best case (in the order given) with a fitting pair of its
    jurisdictions; a case serves one pattern while another case could serve it. Pairs of states
    without a special flag (manual review) come first, then alphabetical order."""
    flagged = {iso for iso, state in states.items() if state.special_flag}

    def pairs(case: OpenCase, pattern: Pattern) -> list[tuple[str, str]]:
        fitting = [
            (a, b)
            for a, b in permutations(sorted(case.jurisdictions), 2)
            if a in states
            and b in states
            and states[a].region == pattern.requesting_region
            and states[b].region == pattern.requested_region
        ]
        return sorted(fitting, key=lambda p: (bool(flagged & set(p)), p))

    chosen: list[DemoRequest] = []
    used: set[str] = set()
    for pattern in PATTERNS:
        candidates = [(c, pairs(c, pattern)) for c in cases]
        candidates = [(c, p) for c, p in candidates if p]
        if not candidates:
            continue
        fresh = [(c, p) for c, p in candidates if c.case_id not in used]
        case, fitting = (fresh or candidates)[0]
        used.add(case.case_id)
        requesting, requested = fitting[0]
        chosen.append(
            DemoRequest(
                case_id=case.case_id,
                request_type=pattern.request_type,
                measure=pattern.measure,
                requesting=requesting,
                requested=requested,
                person_nationality=requested if pattern.national_of_requested else None,
            )
        )
    return chosen


def open_cases(session: Session, limit: int = 20) -> list[OpenCase]:
    """The open cases, highest score first, with their lead and participating jurisdictions."""
    cases = session.exec(
        select(Case)
        .where(col(Case.status) != CaseStatus.CLOSED)
        .order_by(col(Case.score).desc(), col(Case.opened_at), col(Case.id))
        .limit(limit)
    ).all()
    if not cases:
        return []
    found: dict[str, set[str]] = {c.id: {c.lead_jurisdiction} for c in cases}
    for link in session.exec(
        select(CaseJurisdiction).where(col(CaseJurisdiction.case_id).in_(list(found)))
    ).all():
        found[link.case_id].add(link.jurisdiction)
    return [OpenCase(c.id, tuple(sorted(found[c.id]))) for c in cases]


# The order in which the events that start deadlines usually happen.
_START_ORDER = (
    "transmitted",
    "acknowledged",
    "arrested",
    "consent_given",
    "formal_request_received",
    "accepted",
    "surrender_date_missed",
)


def first_deadline(deadlines: Sequence[Deadline]) -> Deadline | None:
    """The deadline that starts running first (a hard one before a chase on the same event)."""

    def order(d: Deadline) -> tuple[int, bool, int]:
        rank = _START_ORDER.index(d.starts_on) if d.starts_on in _START_ORDER else len(_START_ORDER)
        return (rank, d.kind is not TimerKind.HARD, d.days)

    return min(deadlines, key=order, default=None)


def _row(request: LegalRequest, decision: RoutingDecision, opened: bool) -> dict[str, Any]:
    first = first_deadline(decision.deadlines)
    return {
        "request_id": request.id,
        "case_id": request.case_id,
        "type": request.type,
        "measure": request.measure,
        "requesting": request.requesting,
        "requested": request.requested,
        "legal_basis": list(decision.legal_basis),
        "channel": decision.channel.value if decision.channel else None,
        "flags": [f.value for f in decision.flags],
        "first_deadline": None
        if first is None
        else {"name": first.name, "days": first.days, "starts_on": first.starts_on},
        "opened": opened,
    }


def open_demo_requests(
    session: Session, actor: Actor, *, today: date | None = None, facts: LegalFacts | None = None
) -> dict[str, Any]:
    """Open (once) the demo's requests, as ``actor`` (the operator's demo flow); returns them with
    their routing decisions."""
    cases = open_cases(session)
    if not cases:
        return {"requests": [], "note": "no open cases: no legal requests opened"}
    facts = facts or legal_facts(session)
    rows = []
    for wanted in plan_demo_requests(cases, facts.states):
        existing = session.exec(
            select(LegalRequest).where(
                col(LegalRequest.case_id) == wanted.case_id,
                col(LegalRequest.type) == wanted.request_type,
                col(LegalRequest.requesting) == wanted.requesting,
                col(LegalRequest.requested) == wanted.requested,
            )
        ).first()
        decision = stored_decision(existing) if existing else None
        if existing is not None and decision is not None:
            rows.append(_row(existing, decision, opened=False))
            continue
        request, decision = open_request(
            session,
            actor,
            case_id=wanted.case_id,
            request_type=wanted.request_type,
            requesting=wanted.requesting,
            requested=wanted.requested,
            measure=wanted.measure,
            person_nationality=wanted.person_nationality,
            today=today,
            facts=facts,
        )
        rows.append(_row(request, decision, opened=True))
    note = None if rows else "no open case has jurisdictions that fit a demo request"
    return {"requests": rows, "note": note}

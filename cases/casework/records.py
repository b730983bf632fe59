"""Reading and writing the case file in bulk: alerts as the case computations see them, new
case ids, a case's computed facts, related cases.

Writes go through SQLAlchemy Core, one statement per table per batch, not one per row: intake
opens and merges thousands of cases at a time, and a split recomputes two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    delete,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlmodel import Session

from cases.casework.facts import AlertFacts, CaseFacts, FactsReference, SubjectFacts, case_facts
from cases.casework.scoring import as_float
from cases.kernel import audit
from cases.kernel.actor import Actor
from cases.kernel.db import chunks, table
from cases.kernel.models import (
    Alert,
    AlertIdentifier,
    Case,
    CaseAlert,
    CaseCorridor,
    CaseJurisdiction,
    CaseLink,
    Subject,
    TaskForce,
)
from cases.reference.models import Indicator

ALERTS = table(Alert)
IDENTIFIERS = table(AlertIdentifier)
CASES = table(Case)
CASE_ALERTS = table(CaseAlert)
CASE_JURISDICTIONS = table(CaseJurisdiction)
CASE_CORRIDORS = table(CaseCorridor)
CASE_LINKS = table(CaseLink)
SUBJECTS = table(Subject)
INDICATORS = table(Indicator)


def load_alerts_where(session: Session, where: Any) -> dict[int, AlertFacts]:
    columns = (
        ALERTS.c.id,
        ALERTS.c.source,
        ALERTS.c.source_ref,
        ALERTS.c.observed_at,
        ALERTS.c.jurisdiction,
        ALERTS.c.corridor,
        ALERTS.c.corridor_jurisdictions,
        ALERTS.c.indicators,
        ALERTS.c.payload,
    )
    found: dict[int, AlertFacts] = {}
    for row in session.execute(select(*columns).where(where).order_by(ALERTS.c.id)):
        alert_id, source, ref, observed_at, jurisdiction, corridor, sides, indicators, payload = row
        subjects = [s for s in (payload or {}).get("subjects") or [] if isinstance(s, dict)]
        found[alert_id] = AlertFacts(
            id=alert_id,
            source=source,
            source_ref=ref,
            observed_at=observed_at,
            jurisdiction=jurisdiction,
            corridor=corridor,
            indicators=tuple(indicators or ()),
            subjects=tuple(subjects),
            corridor_jurisdictions=tuple(sides or ()),
        )
    return found


def load_alerts_by_id(session: Session, ids: Iterable[int]) -> dict[int, AlertFacts]:
    found: dict[int, AlertFacts] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update(load_alerts_where(session, ALERTS.c.id.in_(chunk)))
    return found


@dataclass(frozen=True)
class CaseReference:
    """The reference facts a case's facts are computed with (``FactsReference``)."""

    indicator_weights: Mapping[str, float]
    members: frozenset[str]


def facts_reference(session: Session) -> CaseReference:
    """The indicator weights (the catalogue with the task force's overrides) and the members."""
    weights = {
        code: weight
        for code, weight in session.execute(select(INDICATORS.c.code, INDICATORS.c.weight))
    }
    task_force = session.get(TaskForce, 1)
    if task_force is not None:
        weights.update({k: v for k, v in task_force.indicator_weights.items() if k in weights})
    return CaseReference(weights, frozenset(task_force.members if task_force else ()))


def allocate_case_ids(session: Session, year: int, count: int) -> list[str]:
    """``count`` new ``CASE-YYYY-NNNNNN`` ids, atomically (one upsert on the year's counter)."""
    if count <= 0:
        return []
    name = f"CASE-{year}"
    last = session.execute(
        text(
            "INSERT INTO counters (name, value) VALUES (:name, :count) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + :count RETURNING value"
        ),
        {"name": name, "count": count},
    ).scalar_one()
    return [f"{name}-{n:06d}" for n in range(last - count + 1, last + 1)]


def facts_for(alerts: Sequence[AlertFacts], reference: FactsReference) -> CaseFacts:
    return case_facts(
        alerts,
        weights=reference.indicator_weights,
        members=reference.members,
    )


def case_summary(case_id: str, facts: CaseFacts, alerts: Sequence[AlertFacts]) -> dict[str, Any]:
    """What the audit log keeps of a case's computed state."""
    return {
        "id": case_id,
        "title": facts.title,
        "score": as_float(facts.score),
        "priority": facts.priority.value,
        "lead_jurisdiction": facts.lead_jurisdiction,
        "jurisdictions": list(facts.jurisdictions),
        "corridors": list(facts.corridors),
        "alerts": sorted(a.label for a in alerts),
    }


def subject_row(case_id: str, subject: SubjectFacts) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "type": subject.type,
        "key": subject.key,
        "name": subject.name,
        "name_key": subject.name_key,
        "country": subject.country,
        "details": dict(subject.details),
    }


def write_case_facts(session: Session, case_id: str, facts: CaseFacts, *, now: datetime) -> None:
    """Make a stored case say what ``facts`` say: its columns, jurisdictions, corridors and
    subjects (rows no alert supports any more are removed, e.g. after a split)."""
    session.execute(
        update(CASES)
        .where(CASES.c.id == case_id)
        .values(
            title=facts.title,
            score=as_float(facts.score),
            priority=facts.priority.value,
            lead_jurisdiction=facts.lead_jurisdiction,
            score_breakdown=facts.score_breakdown,
            updated_at=now,
        )
    )
    _sync_column(session, CASE_JURISDICTIONS, "jurisdiction", case_id, set(facts.jurisdictions))
    _sync_column(session, CASE_CORRIDORS, "corridor", case_id, set(facts.corridors))
    stored = {
        (("key", key) if key else ("name", f"{kind}:{name_key}")): row_id
        for row_id, key, kind, name_key in session.execute(
            select(SUBJECTS.c.id, SUBJECTS.c.key, SUBJECTS.c.type, SUBJECTS.c.name_key).where(
                SUBJECTS.c.case_id == case_id
            )
        )
    }
    wanted = {s.identity: s for s in facts.subjects}
    gone = [row_id for identity, row_id in stored.items() if identity not in wanted]
    if gone:
        session.execute(delete(SUBJECTS).where(SUBJECTS.c.id.in_(gone)))
    new = [subject_row(case_id, s) for identity, s in wanted.items() if identity not in stored]
    if new:
        session.execute(insert(SUBJECTS), new)


def _sync_column(
    session: Session, target: Table, column: str, case_id: str, wanted: set[str]
) -> None:
    have = set(
        session.execute(select(target.c[column]).where(target.c.case_id == case_id)).scalars()
    )
    if have - wanted:
        session.execute(
            delete(target).where(target.c.case_id == case_id, target.c[column].in_(have - wanted))
        )
    if wanted - have:
        session.execute(
            insert(target), [{"case_id": case_id, column: value} for value in sorted(wanted - have)]
        )


def link_cases(
    session: Session, case_id: str, other_id: str, *, note: str = "", actor: Actor
) -> bool:
    """Record two cases as related (one row per pair); False when they already are."""
    if case_id == other_id:
        return False
    pair = [(case_id, other_id), (other_id, case_id)]
    found = session.execute(
        select(CASE_LINKS.c.case_id).where(
            tuple_(CASE_LINKS.c.case_id, CASE_LINKS.c.other_case_id).in_(pair)
        )
    ).first()
    if found:
        return False
    session.execute(
        insert(CASE_LINKS),
        [{"case_id": case_id, "other_case_id": other_id, "kind": "related", "note": note}],
    )
    audit.record(
        session,
        action="case.linked",
        entity_type="case",
        entity_id=case_id,
        case_id=case_id,
        actor=actor.label,
        after={"related": other_id, "note": note},
    )
    return True

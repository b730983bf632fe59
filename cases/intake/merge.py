"""Intake, step 2 against the store (SPEC §5 steps 4–7): correlate every ``pending`` alert with the
others, with stored ``watch`` alerts and with the subjects of open cases, then merge into open
cases, open new ones, or keep the alerts as ``watch``.

The domain events (``CaseOpened``, ``AlertsMerged``) are published into the unit of work, so the
notification outbox rows commit in the same transaction as the cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
    text,
    update,
)
from sqlmodel import Session

from cases.casework.facts import AlertFacts
from cases.casework.records import (
    ALERTS,
    CASE_ALERTS,
    CASE_CORRIDORS,
    CASE_JURISDICTIONS,
    CASES,
    IDENTIFIERS,
    SUBJECTS,
    allocate_case_ids,
    case_summary,
    facts_for,
    link_cases,
    load_alerts_by_id,
    load_alerts_where,
    subject_row,
    write_case_facts,
)
from cases.casework.scoring import as_float, distinct_score, reaches
from cases.intake.correlation import correlate
from cases.intake.validation import (
    IntakeReference,
)
from cases.kernel import audit
from cases.kernel.actor import Actor
from cases.kernel.columns import utcnow
from cases.kernel.db import bulk_insert, chunks
from cases.kernel.events import AlertsMerged, CaseOpened, publish
from cases.kernel.models import (
    AlertState,
    CaseStatus,
)
from cases.kernel.permissions import Action, authorize

_PG_INTAKE_LOCK = 7261003  # serialises open_or_merge between processes on PostgreSQL


@dataclass
class IntakeOutcome:
    """What ``open_or_merge`` did; ``events`` were published to the notification outbox."""

    events: list[CaseOpened | AlertsMerged] = field(default_factory=list)
    cases_opened: list[str] = field(default_factory=list)
    merged: dict[str, list[int]] = field(default_factory=dict)  # open case → new alerts it got
    alerts_in_new_cases: int = 0
    watch_ids: list[int] = field(default_factory=list)  # new alerts left as watch alerts
    joined_watch_ids: list[int] = field(default_factory=list)  # stored watch alerts now in a case

    @property
    def alerts_merged(self) -> int:
        """New alerts attached to a case that was open before this step."""
        return sum(len(ids) for ids in self.merged.values())

    @property
    def watch(self) -> int:
        return len(self.watch_ids)

    @property
    def case_ids(self) -> list[str]:
        return sorted(set(self.cases_opened) | set(self.merged))


@dataclass
class _OpenCase:
    id: str
    opened_at: datetime
    keys: set[str] = field(default_factory=set)


def open_or_merge(
    session: Session,
    actor: Actor,
    reference: IntakeReference,
    *,
    now: datetime | None = None,
    fresh: Mapping[int, tuple[AlertFacts, frozenset[str]]] | None = None,
) -> IntakeOutcome:
    """Take every ``pending`` alert through correlation and open-or-merge (SPEC §5 steps 4–7).

    ``fresh`` (``StoreResult.facts`` of the step before) saves reading those alerts back; pending
    alerts it does not hold (left by a run that died between the steps) are read from the store.
    """
    authorize(actor, Action.ALERTS_SUBMIT)
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_INTAKE_LOCK})
    outcome = IntakeOutcome()
    fresh = fresh or {}
    pending_ids = list(
        session.execute(
            select(ALERTS.c.id).where(ALERTS.c.state == AlertState.PENDING.value)
        ).scalars()
    )
    if not pending_ids:
        return outcome
    missing = [i for i in pending_ids if i not in fresh]
    pending = load_alerts_by_id(session, missing)
    keys = _identifiers(session, missing)
    for alert_id in pending_ids:
        if alert_id in fresh:
            pending[alert_id], alert_keys = fresh[alert_id]
            keys[alert_id] = set(alert_keys)
    watch_ids = _watch_closure(session, keys)
    watch = load_alerts_where(session, ALERTS.c.id.in_(sorted(watch_ids))) if watch_ids else {}
    open_cases = _open_cases_with(session, {k for ks in keys.values() for k in ks})

    nodes: dict[tuple[str, str], set[str]] = {("alert", str(i)): ks for i, ks in keys.items()}
    nodes.update({("alert", str(i)): keys.get(i, set()) for i in watch})
    nodes.update({("case", c.id): c.keys for c in open_cases.values()})
    for i in pending:
        nodes.setdefault(("alert", str(i)), set())

    writer = _CaseWriter(session, actor, reference, now)
    to_watch: list[int] = []
    groups = correlate(nodes)
    for group in sorted(
        groups, key=lambda g: min((int(v) for k, v in g if k == "alert"), default=0)
    ):
        alert_ids = sorted(int(v) for k, v in group if k == "alert")
        new_ids = [i for i in alert_ids if i in pending]
        if not new_ids:
            continue
        touched = sorted(
            (open_cases[v] for k, v in group if k == "case"), key=lambda c: (c.opened_at, c.id)
        )
        alerts = [pending.get(i) or watch[i] for i in alert_ids]
        if touched:
            target, others = touched[0], touched[1:]
            writer.merge(target.id, alerts, [o.id for o in others])
            outcome.merged[target.id] = new_ids
            outcome.joined_watch_ids.extend(i for i in alert_ids if i in watch)
            outcome.events.append(AlertsMerged(target.id, tuple(alert_ids)))
            continue
        score = distinct_score(
            (code for a in alerts for code in a.indicators), reference.indicator_weights
        )
        if reaches(score, reference.risk_threshold):
            writer.open(alerts)
            outcome.alerts_in_new_cases += len(new_ids)
            outcome.joined_watch_ids.extend(i for i in alert_ids if i in watch)
        else:
            to_watch.extend(new_ids)
    opened = writer.flush()
    outcome.cases_opened = opened
    outcome.events[:0] = [CaseOpened(case_id) for case_id in opened]
    outcome.watch_ids = to_watch
    for chunk in chunks(to_watch):
        session.execute(
            update(ALERTS).where(ALERTS.c.id.in_(chunk)).values(state=AlertState.WATCH.value)
        )
    publish(session, outcome.events)  # SPEC §5 step 7: the outbox rows commit with the cases
    return outcome


def _identifiers(session: Session, alert_ids: Sequence[int]) -> dict[int, set[str]]:
    keys: dict[int, set[str]] = {}
    for chunk in chunks(sorted(alert_ids)):
        rows = session.execute(
            select(IDENTIFIERS.c.alert_id, IDENTIFIERS.c.key).where(
                IDENTIFIERS.c.alert_id.in_(chunk)
            )
        )
        for alert_id, key in rows:
            keys.setdefault(alert_id, set()).add(key)
    return keys


def _watch_closure(session: Session, keys: dict[int, set[str]]) -> set[int]:
    """Stored watch alerts reachable from these identifiers, through each other's identifiers;
    ``keys`` gains their identifiers."""
    seen_keys = {k for ks in keys.values() for k in ks}
    frontier = sorted(seen_keys)
    found: set[int] = set()
    while frontier:
        sharing: set[int] = set()
        for chunk in chunks(frontier):  # by key first: the index on key, not a scan by state
            sharing.update(
                session.execute(
                    select(IDENTIFIERS.c.alert_id).where(IDENTIFIERS.c.key.in_(chunk))
                ).scalars()
            )
        new_ids: set[int] = set()
        for ids in chunks(sorted(sharing - found)):
            # by primary key, state checked here: a planner that picked the (unselective) state
            # index would scan every watch alert per query
            rows = session.execute(select(ALERTS.c.id, ALERTS.c.state).where(ALERTS.c.id.in_(ids)))
            new_ids.update(i for i, state in rows if state == AlertState.WATCH.value)
        if not new_ids:
            break
        found |= new_ids
        their = _identifiers(session, sorted(new_ids))
        keys.update(their)
        fresh = {k for ks in their.values() for k in ks} - seen_keys
        seen_keys |= fresh
        frontier = sorted(fresh)
    return found


def _open_cases_with(session: Session, keys: set[str]) -> dict[str, _OpenCase]:
    """Open cases with a subject carrying one of ``keys``: subjects by key, then their cases by
    primary key (a join filtered on status lets a planner scan all cases per query)."""
    by_case: dict[str, set[str]] = {}
    for chunk in chunks(sorted(keys)):
        rows = session.execute(
            select(SUBJECTS.c.case_id, SUBJECTS.c.key).where(SUBJECTS.c.key.in_(chunk))
        )
        for case_id, key in rows:
            by_case.setdefault(case_id, set()).add(key)
    found: dict[str, _OpenCase] = {}
    for ids in chunks(sorted(by_case)):
        rows = session.execute(
            select(CASES.c.id, CASES.c.opened_at, CASES.c.status).where(CASES.c.id.in_(ids))
        )
        for case_id, opened_at, status in rows:
            if status != CaseStatus.CLOSED.value:
                found[case_id] = _OpenCase(case_id, opened_at, by_case[case_id])
    return found


class _CaseWriter:
    """Collects the cases a batch opens and merges, then writes them table by table."""

    def __init__(
        self, session: Session, actor: Actor, reference: IntakeReference, now: datetime
    ) -> None:
        self.session = session
        self.actor = actor
        self.reference = reference
        self.now = now
        self.new_cases: list[list[AlertFacts]] = []
        self.audit_entries: list[dict[str, Any]] = []  # written together by flush()

    def open(self, alerts: list[AlertFacts]) -> None:
        self.new_cases.append(alerts)

    def merge(self, case_id: str, joining: list[AlertFacts], others: list[str]) -> None:
        """Attach ``joining`` to an open case now, and link the other cases it touched."""
        existing_ids = self.session.execute(
            select(CASE_ALERTS.c.alert_id).where(CASE_ALERTS.c.case_id == case_id)
        ).scalars()
        existing = load_alerts_by_id(self.session, existing_ids)
        score, priority = self.session.execute(
            select(CASES.c.score, CASES.c.priority).where(CASES.c.id == case_id)
        ).one()
        before_state = {"score": score, "priority": priority, "alert_count": len(existing)}
        alerts = [*existing.values(), *joining]
        facts = facts_for(alerts, self.reference)
        self._attach(case_id, joining)
        write_case_facts(self.session, case_id, facts, now=self.now)
        for other in others:
            link_cases(
                self.session,
                case_id,
                other,
                note="alerts of one group touched both",
                actor=self.actor,
            )
        self.audit_entries.append(
            dict(
                action="case.alerts_merged",
                actor=self.actor.label,
                entity_type="case",
                entity_id=case_id,
                case_id=case_id,
                before=before_state,
                after={
                    **case_summary(case_id, facts, alerts),
                    "added": sorted(a.label for a in joining),
                    "related": others,
                },
            )
        )

    def _attach(self, case_id: str, alerts: Sequence[AlertFacts]) -> None:
        ids = [a.id for a in alerts]
        bulk_insert(
            self.session,
            CASE_ALERTS,
            [{"alert_id": i, "case_id": case_id, "linked_at": self.now} for i in ids],
        )
        for chunk in chunks(ids):
            self.session.execute(
                update(ALERTS).where(ALERTS.c.id.in_(chunk)).values(state=AlertState.IN_CASE.value)
            )

    def flush(self) -> list[str]:
        """Write the new cases in bulk; their ids, in the order their first alerts arrived."""
        ids = allocate_case_ids(self.session, self.now.year, len(self.new_cases))
        cases: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        jurisdictions: list[dict[str, Any]] = []
        corridors: list[dict[str, Any]] = []
        subjects: list[dict[str, Any]] = []
        attached: list[int] = []
        for case_id, alerts in zip(ids, self.new_cases, strict=True):
            facts = facts_for(alerts, self.reference)
            cases.append(
                {
                    "id": case_id,
                    "title": facts.title,
                    "status": CaseStatus.NEW.value,
                    "outcome": None,
                    "priority": facts.priority.value,
                    "score": as_float(facts.score),
                    "lead_jurisdiction": facts.lead_jurisdiction,
                    "sharing": "participants",
                    "opened_at": self.now,
                    "updated_at": self.now,
                    "closed_at": None,
                    "score_breakdown": facts.score_breakdown,
                }
            )
            links.extend(
                {"alert_id": a.id, "case_id": case_id, "linked_at": self.now} for a in alerts
            )
            attached.extend(a.id for a in alerts)
            jurisdictions.extend(
                {"case_id": case_id, "jurisdiction": j} for j in facts.jurisdictions
            )
            corridors.extend({"case_id": case_id, "corridor": c} for c in facts.corridors)
            subjects.extend(subject_row(case_id, s) for s in facts.subjects)
            self.audit_entries.append(
                {
                    "action": "case.opened",
                    "actor": self.actor.label,
                    "entity_type": "case",
                    "entity_id": case_id,
                    "case_id": case_id,
                    "after": {
                        **case_summary(case_id, facts, alerts),
                        "score_breakdown": facts.score_breakdown,
                    },
                }
            )
        for rows, target in (
            (cases, CASES),
            (links, CASE_ALERTS),
            (jurisdictions, CASE_JURISDICTIONS),
            (corridors, CASE_CORRIDORS),
            (subjects, SUBJECTS),
        ):
            bulk_insert(self.session, target, rows)
        for chunk in chunks(attached):
            self.session.execute(
                update(ALERTS).where(ALERTS.c.id.in_(chunk)).values(state=AlertState.IN_CASE.value)
            )
        audit.record_many(self.session, self.audit_entries)
        self.new_cases, self.audit_entries = [], []
        return ids

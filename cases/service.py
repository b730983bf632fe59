"""Alert intake against the store (SPEC §5): store a batch, then open or merge cases.

Two service functions, each meant to run in its own unit of work (``cases.db.unit_of_work``):

- ``store_alerts`` — validate, quarantine, deduplicate on ``(source, source_ref)``, derive
  indicators and store the new alerts as ``pending`` with their identifiers;
- ``open_or_merge`` — correlate every ``pending`` alert with the others, with stored ``watch``
  alerts and with the subjects of open cases, then merge into open cases, open new ones, or keep
  the alerts as ``watch``. It returns the domain events (``CaseOpened``, ``AlertsMerged``) that the
  caller hands to the notification outbox in the same transaction.

Because new alerts wait as ``pending`` between the two, a run that dies after the first step
leaves no half-made case, and the next run (whose first step finds only duplicates) still takes
them through the second. Writes go through SQLAlchemy Core in bulk: one statement per table per
batch, not one per alert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlmodel import Session

from cases import audit
from cases.case_facts import AlertFacts, CaseFacts, SubjectFacts, case_facts
from cases.columns import utcnow
from cases.correlation import correlate
from cases.db import bulk_insert
from cases.events import AlertsMerged, CaseOpened
from cases.identifiers import watchlist_key
from cases.intake import (
    IntakeReference,
    RawLine,
    Rejection,
    ValidAlert,
    all_indicators,
    loose_source_ref,
    validate_line,
)
from cases.models import (
    Alert,
    AlertIdentifier,
    AlertState,
    Case,
    CaseAlert,
    CaseCorridor,
    CaseJurisdiction,
    CaseLink,
    CaseStatus,
    Embargo,
    Indicator,
    QuarantinedLine,
    QuarantineStatus,
    Subject,
    TaskForce,
    WatchlistEntry,
)
from cases.scoring import as_float, distinct_score, reaches

T = TypeVar("T")
IN_CHUNK = 500  # values per IN (...) list
_PG_INTAKE_LOCK = 7261003  # serialises open_or_merge between processes on PostgreSQL


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


ALERTS = table(Alert)
IDENTIFIERS = table(AlertIdentifier)
QUARANTINE = table(QuarantinedLine)
CASES = table(Case)
CASE_ALERTS = table(CaseAlert)
CASE_JURISDICTIONS = table(CaseJurisdiction)
CASE_CORRIDORS = table(CaseCorridor)
CASE_LINKS = table(CaseLink)
SUBJECTS = table(Subject)
INDICATORS = table(Indicator)
EMBARGOES = table(Embargo)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(session: Session, target: Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(target)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(target)


# --- reference data for a run ---------------------------------------------------------------------


def load_reference(
    session: Session, corridor_jurisdictions: Mapping[str, Sequence[str]]
) -> IntakeReference:
    """Weights (the catalogue, with the task force's overrides), embargoes, the watchlist, members
    and threshold. Corridors belong to ``interdiction``; the caller passes them in as plain data."""
    weights = {
        code: weight
        for code, weight in session.execute(select(INDICATORS.c.code, INDICATORS.c.weight))
    }
    task_force = session.get(TaskForce, 1)
    if task_force is not None:
        weights.update({k: v for k, v in task_force.indicator_weights.items() if k in weights})
    watchlist = set()
    for kind, identifier in session.execute(
        select(WatchlistEntry.type, WatchlistEntry.identifier)  # type: ignore[call-overload]
    ):
        try:
            watchlist.add(watchlist_key(kind, identifier))
        except ValueError:
            continue  # load_watchlist refuses such rows; nothing to match against
    return IntakeReference(
        indicator_weights=weights,
        corridor_jurisdictions={code: tuple(js) for code, js in corridor_jurisdictions.items()},
        embargoed=frozenset(session.execute(select(EMBARGOES.c.state)).scalars()),
        watchlist=frozenset(watchlist),
        members=frozenset(task_force.members if task_force else ()),
        risk_threshold=task_force.risk_threshold if task_force else 0.6,
    )


# --- step 1: store --------------------------------------------------------------------------------


@dataclass
class StoreResult:
    """What ``store_alerts`` did with one batch of lines."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)  # [{"line", "reason"}]
    alert_ids: list[int] = field(default_factory=list)
    replayed: list[int] = field(default_factory=list)  # quarantine ids that now passed
    # the stored alerts as step 2 sees them, so it need not read them back (bounded by the batch)
    facts: dict[int, tuple[AlertFacts, frozenset[str]]] = field(default_factory=dict, repr=False)


def store_alerts(
    session: Session,
    lines: Sequence[RawLine],
    reference: IntakeReference,
    *,
    now: datetime | None = None,
    quarantine_ids: Mapping[int, int] | None = None,
) -> StoreResult:
    """Validate a batch, quarantine what fails, store what is new as ``pending`` alerts.

    ``quarantine_ids`` (line number → quarantine row) marks a replay of quarantined lines: a line
    that now passes is marked ``replayed``, one that fails again keeps its row with the new reason.
    """
    now = now or utcnow()
    result = StoreResult(received=len(lines))
    valid: list[ValidAlert] = []
    rejections: list[Rejection] = []
    for line in lines:
        checked = validate_line(line, reference, now)
        (rejections if isinstance(checked, Rejection) else valid).append(checked)  # type: ignore[arg-type]
    result.rejected = len(rejections)
    result.rejections = [{"line": r.line_no, "reason": r.reason} for r in rejections]
    if quarantine_ids is None:
        _quarantine(session, rejections, now)
    else:
        _requarantine(session, rejections, quarantine_ids)

    unique: dict[tuple[str, str], ValidAlert] = {}
    for alert in valid:
        unique.setdefault((alert.source, alert.source_ref), alert)
    indicators = {k: all_indicators(a, reference) for k, a in unique.items()}
    rows = [
        {
            "source": a.source,
            "source_ref": a.source_ref,
            "observed_at": a.observed_at,
            "received_at": now,
            "jurisdiction": a.jurisdiction,
            "corridor": a.corridor,
            "kind": a.kind,
            "indicators": list(indicators[k]),
            "score": as_float(distinct_score(indicators[k], reference.indicator_weights)),
            "state": AlertState.PENDING.value,
            "payload": a.text or json.dumps(a.payload, ensure_ascii=False),
        }
        for k, a in unique.items()
    ]
    stored = _insert_new_alerts(session, rows)
    identifier_rows = [
        {"alert_id": stored[k], "key": key}
        for k, a in unique.items()
        if k in stored
        for key in a.keys
    ]
    if identifier_rows:
        bulk_insert(session, IDENTIFIERS, identifier_rows)
    result.accepted = len(stored)
    result.duplicates = len(valid) - len(stored)
    result.alert_ids = sorted(stored.values())
    for (source, ref), alert in unique.items():
        alert_id = stored.get((source, ref))
        if alert_id is not None:
            facts = AlertFacts(
                id=alert_id,
                source=source,
                source_ref=ref,
                observed_at=alert.observed_at,
                jurisdiction=alert.jurisdiction,
                corridor=alert.corridor,
                indicators=indicators[(source, ref)],
                subjects=tuple(alert.subjects),
                subject_keys=alert.subject_keys,
            )
            result.facts[alert_id] = (facts, frozenset(alert.keys))
    if quarantine_ids is not None:
        passed = [quarantine_ids[a.line_no] for a in valid if a.line_no in quarantine_ids]
        if passed:
            session.execute(
                update(QUARANTINE)
                .where(QUARANTINE.c.id.in_(passed))
                .values(status=QuarantineStatus.REPLAYED.value, replayed_at=now)
            )
        result.replayed = sorted(passed)
    if lines:
        audit.record(
            session,
            action="intake.batch_stored" if quarantine_ids is None else "quarantine.replayed",
            entity_type="alert_batch",
            entity_id=f"{lines[0].origin}:{lines[0].line_no}-{lines[-1].line_no}",
            after={
                "received": result.received,
                "accepted": result.accepted,
                "rejected": result.rejected,
                "duplicates": result.duplicates,
                "first_alert_id": result.alert_ids[0] if result.alert_ids else None,
                "last_alert_id": result.alert_ids[-1] if result.alert_ids else None,
                "rejected_lines": [r.line_no for r in rejections],
                "replayed": result.replayed,
            },
        )
    return result


def newest_alert_id(session: Session) -> int:
    return int(session.execute(select(func.max(ALERTS.c.id))).scalar() or 0)


def mark_fixed(session: Session, *, fixed_by: str, after_alert_id: int) -> int:
    """Open quarantined lines whose ``source`` and ``source_ref`` name an alert stored after
    ``after_alert_id`` were replaced by a fixed re-send: mark them ``replayed``."""
    stored = set(
        session.execute(
            select(ALERTS.c.source, ALERTS.c.source_ref).where(ALERTS.c.id > after_alert_id)
        )
    )
    marked = []
    for row_id, origin, line_no, raw_text in session.execute(
        select(QUARANTINE.c.id, QUARANTINE.c.origin, QUARANTINE.c.line_no, QUARANTINE.c.raw_text)
        .where(QUARANTINE.c.status == QuarantineStatus.OPEN.value)
        .order_by(QUARANTINE.c.id)
    ):
        if loose_source_ref(raw_text) in stored:
            marked.append(row_id)
            audit.record(
                session,
                action="quarantine.fixed",
                entity_type="quarantine",
                entity_id=str(row_id),
                after={"origin": origin, "line": line_no, "fixed_by": fixed_by},
            )
    if marked:
        session.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.id.in_(marked))
            .values(status=QuarantineStatus.REPLAYED.value, replayed_at=utcnow())
        )
    return len(marked)


def _insert_new_alerts(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Insert the rows whose ``(source, source_ref)`` is new; the ids of those inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on both databases. The payload goes in as the
    line's own JSON text (no second serialisation). On PostgreSQL the rows go through psycopg's
    pipelined ``executemany``: SQLAlchemy's multi-row VALUES statement is so long that psycopg
    parses it anew for every batch, which cost more than the insert itself.
    """
    stored: dict[tuple[str, str], int] = {}
    if not rows:
        return stored
    if session.get_bind().dialect.name == "postgresql":
        columns = list(rows[0])
        marks = ", ".join("%s::json" if c in ("indicators", "payload") else "%s" for c in columns)
        sql = (
            f"INSERT INTO alerts ({', '.join(columns)}) VALUES ({marks}) "
            "ON CONFLICT (source, source_ref) DO NOTHING RETURNING id, source, source_ref"
        )
        params = [
            tuple(json.dumps(r[c]) if c == "indicators" else r[c] for c in columns) for r in rows
        ]
        driver = session.connection().connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.executemany(sql, params, returning=True)
            while True:
                for alert_id, source, ref in cursor.fetchall():
                    stored[(source, ref)] = alert_id
                if not cursor.nextset():
                    break
        return stored
    text_param = bindparam("payload", type_=String)
    statement = (
        dialect_insert(session, ALERTS)
        .values(payload=text_param)
        .on_conflict_do_nothing(index_elements=["source", "source_ref"])
        .returning(ALERTS.c.id, ALERTS.c.source, ALERTS.c.source_ref)
    )
    for chunk in chunks(rows, 1000):
        for alert_id, source, ref in session.execute(statement, list(chunk)):
            stored[(source, ref)] = alert_id
    return stored


def _quarantine(session: Session, rejections: Sequence[Rejection], now: datetime) -> None:
    """A quarantine row per rejected line, unless the same line is already waiting there."""
    if not rejections:
        return
    waiting: set[tuple[str, int, str]] = set()
    origin = rejections[0].origin
    numbers = [r.line_no for r in rejections]
    for chunk in chunks(numbers):
        found = session.execute(
            select(
                QUARANTINE.c.origin,
                QUARANTINE.c.line_no,
                QUARANTINE.c.raw_text,
                QUARANTINE.c.status,
            ).where(QUARANTINE.c.origin == origin, QUARANTINE.c.line_no.in_(chunk))
        )
        waiting.update(
            (o, n, raw) for o, n, raw, status in found if status == QuarantineStatus.OPEN.value
        )
    rows = [
        {
            "origin": r.origin,
            "line_no": r.line_no,
            "raw_text": r.raw_text,
            "reason": r.reason,
            "status": QuarantineStatus.OPEN.value,
            "received_at": now,
        }
        for r in rejections
        if (r.origin, r.line_no, r.raw_text) not in waiting
    ]
    if rows:
        session.execute(insert(QUARANTINE), rows)


def _requarantine(
    session: Session, rejections: Sequence[Rejection], quarantine_ids: Mapping[int, int]
) -> None:
    """A replayed line that fails again keeps its quarantine row, with today's reason."""
    rows = [
        {"row_id": quarantine_ids[r.line_no], "new_reason": r.reason}
        for r in rejections
        if r.line_no in quarantine_ids
    ]
    if rows:
        session.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.id == bindparam("row_id"))
            .values(reason=bindparam("new_reason")),
            rows,
        )


# --- step 2: correlate, open or merge -------------------------------------------------------------


@dataclass
class IntakeOutcome:
    """What ``open_or_merge`` did; ``events`` go to the notification outbox."""

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
    reference: IntakeReference,
    *,
    now: datetime | None = None,
    fresh: Mapping[int, tuple[AlertFacts, frozenset[str]]] | None = None,
) -> IntakeOutcome:
    """Take every ``pending`` alert through correlation and open-or-merge (SPEC §5 steps 4–7).

    ``fresh`` (``StoreResult.facts`` of the step before) saves reading those alerts back; pending
    alerts it does not hold (left by a run that died between the steps) are read from the store.
    """
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
    watch = _load_alerts(session, ALERTS.c.id.in_(sorted(watch_ids))) if watch_ids else {}
    open_cases = _open_cases_with(session, {k for ks in keys.values() for k in ks})

    nodes: dict[tuple[str, str], set[str]] = {("alert", str(i)): ks for i, ks in keys.items()}
    nodes.update({("alert", str(i)): keys.get(i, set()) for i in watch})
    nodes.update({("case", c.id): c.keys for c in open_cases.values()})
    for i in pending:
        nodes.setdefault(("alert", str(i)), set())

    writer = _CaseWriter(session, reference, now)
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
    return outcome


def _load_alerts(session: Session, where: Any) -> dict[int, AlertFacts]:
    columns = (
        ALERTS.c.id,
        ALERTS.c.source,
        ALERTS.c.source_ref,
        ALERTS.c.observed_at,
        ALERTS.c.jurisdiction,
        ALERTS.c.corridor,
        ALERTS.c.indicators,
        ALERTS.c.payload,
    )
    found: dict[int, AlertFacts] = {}
    for row in session.execute(select(*columns).where(where).order_by(ALERTS.c.id)):
        alert_id, source, ref, observed_at, jurisdiction, corridor, indicators, payload = row
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
        )
    return found


def load_alerts_by_id(session: Session, ids: Iterable[int]) -> dict[int, AlertFacts]:
    found: dict[int, AlertFacts] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update(_load_alerts(session, ALERTS.c.id.in_(chunk)))
    return found


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


# --- writing cases --------------------------------------------------------------------------------


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


def facts_for(alerts: Sequence[AlertFacts], reference: IntakeReference) -> CaseFacts:
    return case_facts(
        alerts,
        weights=reference.indicator_weights,
        members=reference.members,
        corridor_jurisdictions=reference.corridor_jurisdictions,
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


class _CaseWriter:
    """Collects the cases a batch opens and merges, then writes them table by table."""

    def __init__(self, session: Session, reference: IntakeReference, now: datetime) -> None:
        self.session = session
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
            link_cases(self.session, case_id, other, note="alerts of one group touched both")
        self.audit_entries.append(
            dict(
                action="case.alerts_merged",
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


def link_cases(session: Session, case_id: str, other_id: str, *, note: str = "") -> bool:
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
        after={"related": other_id, "note": note},
    )
    return True

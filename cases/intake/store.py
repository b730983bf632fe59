"""Intake, step 1 against the store (SPEC §5): validate a batch, quarantine what fails,
deduplicate on ``(source, source_ref)``, derive indicators and store the new alerts as
``pending`` with their identifiers.

Because new alerts wait as ``pending`` until step 2 (``cases.intake.merge``), a run that dies after
this step leaves no half-made case, and the next run (whose first step finds only duplicates)
still takes them through step 2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlmodel import Session

from cases.casework.facts import AlertFacts
from cases.casework.records import ALERTS, IDENTIFIERS
from cases.casework.scoring import as_float, distinct_score
from cases.intake.models import QuarantinedLine, QuarantineStatus
from cases.intake.validation import (
    IntakeReference,
    RawLine,
    Rejection,
    ValidAlert,
    all_indicators,
    loose_source_ref,
    validate_line,
)
from cases.kernel import audit
from cases.kernel.actor import Actor, AlertSource
from cases.kernel.columns import utcnow
from cases.kernel.db import bulk_insert, chunks, dialect_insert, table
from cases.kernel.models import (
    AlertState,
)
from cases.kernel.permissions import Action, authorize

QUARANTINE = table(QuarantinedLine)


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
    actor: Actor,
    lines: Sequence[RawLine],
    reference: IntakeReference,
    *,
    now: datetime | None = None,
    quarantine_ids: Mapping[int, int] | None = None,
) -> StoreResult:
    """Validate a batch, quarantine what fails, store what is new as ``pending`` alerts.

    The operator submits alerts of any source; an alert source only its own (a line naming
    another ``source`` is quarantined with that reason). ``quarantine_ids`` (line number →
    quarantine row) marks a replay of quarantined lines: a line that now passes is marked
    ``replayed``, one that fails again keeps its row with the new reason.
    """
    authorize(actor, Action.ALERTS_SUBMIT)
    now = now or utcnow()
    result = StoreResult(received=len(lines))
    valid: list[ValidAlert] = []
    rejections: list[Rejection] = []
    for line in lines:
        checked = validate_line(line, reference, now)
        if isinstance(actor, AlertSource) and isinstance(checked, ValidAlert):
            checked = own_source(checked, actor)
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
            "corridor_jurisdictions": list(
                reference.corridor_jurisdictions.get(a.corridor or "", ())
            ),
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
                corridor_jurisdictions=reference.corridor_jurisdictions.get(
                    alert.corridor or "", ()
                ),
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
            actor=actor.label,
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


def own_source(alert: ValidAlert, source: AlertSource) -> ValidAlert | Rejection:
    """An alert source submits under its own name only (SPEC §13)."""
    if alert.source == source.name:
        return alert
    return Rejection(
        alert.origin,
        alert.line_no,
        alert.text,
        f"source: {alert.source!r} is not this key's source {source.name!r}",
    )


def mark_fixed(session: Session, actor: Actor, *, fixed_by: str, after_alert_id: int) -> int:
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
                actor=actor.label,
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
        json_columns = ("indicators", "corridor_jurisdictions", "payload")
        marks = ", ".join("%s::json" if c in json_columns else "%s" for c in columns)
        sql = (
            f"INSERT INTO alerts ({', '.join(columns)}) VALUES ({marks}) "
            "ON CONFLICT (source, source_ref) DO NOTHING RETURNING id, source, source_ref"
        )
        params = [
            tuple(json.dumps(r[c]) if c in json_columns[:2] else r[c] for c in columns)
            for r in rows
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

"""Flow ``intake``: a file of alerts → a short, explained case queue (SPEC §5).

Streams the file in batches; per batch two tasks, each one transaction:

1. ``store_batch`` — validate → quarantine → deduplicate → derive indicators → store as pending;
2. ``correlate_batch`` — correlate → open or merge → audit (→ notification outbox).

A crash between or inside the steps leaves no half-made case: each step commits whole or not at
all, and pending alerts wait for the next ``correlate_batch`` — of this run's next batch or of the
re-run, whose first step finds every line a duplicate. Tasks retry transient database errors only.
Flow ``replay_quarantine`` takes quarantined lines through the same two steps.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote
from sqlmodel import select

from cases.intake.merge import IntakeOutcome, open_or_merge
from cases.intake.models import QuarantinedLine, QuarantineStatus
from cases.intake.reference import load_reference
from cases.intake.store import StoreResult, mark_fixed, newest_alert_id, store_alerts
from cases.intake.validation import IntakeReference, RawLine, batched, read_lines
from cases.kernel.actor import Actor, flow_operator
from cases.kernel.credentials import registered_source
from cases.kernel.db import get_engine, read_session, unit_of_work
from cases.kernel.errors import Forbidden
from cases.reference.install import ensure_database
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from interdiction.models import CorridorRecord

BATCH_SIZE = 2000
INTAKE = flow_operator("intake")  # flows and scheduled runs act as the operator (SPEC §10.1)
T = TypeVar("T")


def as_is(value: T) -> T:
    """Hand a batch to a task untouched: Prefect would otherwise walk every nested object of it
    looking for futures to resolve."""
    return cast(T, quote(value))


DATABASE_TASK: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": DATABASE_RETRY_DELAYS_S,
    "retry_condition_fn": transient_database_error,
    "cache_policy": NO_CACHE,  # inputs are whole batches: hashing them would cost, never pay
}


@task(**DATABASE_TASK)
def prepare_intake() -> IntakeReference:
    """Schema current; the reference data this run validates and scores against."""
    ensure_database(get_engine())
    with read_session() as session:
        return intake_reference(session)


def intake_reference(session: Any) -> IntakeReference:
    """``cases`` knows no corridors (``interdiction`` does): hand them over as plain data."""
    corridors = {
        c.code: tuple(c.jurisdictions)
        for c in session.exec(select(CorridorRecord).where(CorridorRecord.active)).all()
    }
    return load_reference(session, corridors)


@task(**DATABASE_TASK)
def submitter(source: str | None) -> Actor:
    """Who submits the alerts: the alert source ``source`` (an HTTP push), or the operator."""
    if source is None:
        return INTAKE
    with read_session() as session:
        found = registered_source(session, source)
    if found is None:
        raise Forbidden(
            f"no active alert source {source!r}", actor=f"source:{source}", action="alerts.submit"
        )
    return found


@task(**DATABASE_TASK)
def store_batch(
    lines: list[RawLine],
    reference: IntakeReference,
    actor: Actor = INTAKE,
    quarantine_ids: dict[int, int] | None = None,
) -> StoreResult:
    """Step 1 in one transaction: validate, quarantine, deduplicate, store pending alerts."""
    with unit_of_work() as session:
        return store_alerts(session, actor, lines, reference, quarantine_ids=quarantine_ids)


@task(**DATABASE_TASK)
def correlate_batch(
    reference: IntakeReference, actor: Actor = INTAKE, stored: StoreResult | None = None
) -> IntakeOutcome:
    """Step 2 in one transaction: correlate pending alerts, open or merge cases, audit."""
    with unit_of_work() as session:
        # SPEC §5 step 7: the outbox rows of its events commit with the case changes
        return open_or_merge(session, actor, reference, fresh=stored.facts if stored else None)


class Summary:
    """The SPEC §5 ``--json`` object for one run, added up over its batches.

    Counts describe the run as a whole, whatever its batch size: ``cases_opened`` are the cases
    this run opened, ``alerts_merged`` the new alerts attached to cases open before the run, and
    ``watch`` the new alerts still watch alerts when the run ends (one that a later batch pulled
    into a case is not counted). Memory: the ids of this run's cases and watch alerts.
    """

    def __init__(self) -> None:
        self.counts = dict.fromkeys(("received", "accepted", "rejected", "duplicates"), 0)
        self.alerts_merged = 0
        self.opened: set[str] = set()
        self.changed: set[str] = set()
        self.watch: set[int] = set()
        self.rejections: list[dict[str, Any]] = []
        self.replayed = 0

    def add(self, stored: StoreResult, outcome: IntakeOutcome) -> None:
        for name in self.counts:
            self.counts[name] += getattr(stored, name)
        self.rejections.extend(stored.rejections)
        self.replayed += len(stored.replayed)
        self.opened.update(outcome.cases_opened)
        self.changed.update(outcome.case_ids)
        self.alerts_merged += sum(
            len(ids) for case_id, ids in outcome.merged.items() if case_id not in self.opened
        )
        self.watch.update(outcome.watch_ids)
        self.watch.difference_update(outcome.joined_watch_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "cases_opened": len(self.opened),
            "alerts_merged": self.alerts_merged,
            "watch": len(self.watch),
            "case_ids": sorted(self.changed),
            "rejections": self.rejections,
        }


@contextmanager
def open_alerts(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    with Path(path).open("rb") as handle:
        yield handle


def origin_of(path: str) -> str:
    return "-" if path == "-" else str(Path(path).resolve())


@flow(name="intake")
def intake(
    path: str,
    batch_size: int = BATCH_SIZE,
    source: str | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Ingest a JSON-Lines file of alerts (``-``: standard input) and return the summary.

    ``source``: the alert source that pushed the file over HTTP (its lines must name it), else
    the operator; ``origin``: how the quarantine names where the lines came from (default: the
    file's path)."""
    actor = submitter(source)
    reference = prepare_intake()
    summary = Summary()
    with open_alerts(path) as stream:
        for lines in batched(read_lines(stream, origin or origin_of(path)), batch_size):
            stored = store_batch(as_is(lines), reference, actor)
            summary.add(stored, correlate_batch(reference, actor, as_is(stored)))
    if summary.counts["received"] == 0:
        summary.add(StoreResult(), correlate_batch(reference, actor))  # finish a crashed run's work
    return summary.to_dict()


# --- quarantine replay ----------------------------------------------------------------------------


@task(**DATABASE_TASK)
def quarantined_lines(limit: int) -> list[tuple[int, RawLine]]:
    with read_session() as session:
        rows = session.exec(
            select(QuarantinedLine)
            .where(QuarantinedLine.status == QuarantineStatus.OPEN.value)
            .order_by(QuarantinedLine.id)  # type: ignore[arg-type]
            .limit(limit)
        ).all()
        return [(q.id or 0, RawLine(q.origin, q.line_no, q.raw_text)) for q in rows]


@task(**DATABASE_TASK)
def mark_fixed_lines(origin: str, after_alert_id: int) -> int:
    with unit_of_work() as session:
        return mark_fixed(session, INTAKE, fixed_by=origin, after_alert_id=after_alert_id)


@task(**DATABASE_TASK)
def last_alert_id() -> int:
    with read_session() as session:
        return newest_alert_id(session)


def replay_batches(
    rows: list[tuple[int, RawLine]], size: int
) -> Iterator[list[tuple[int, RawLine]]]:
    """Batches in which each line number occurs once (a file re-sent with another bad line at the
    same number has two quarantine rows for it)."""
    part: list[tuple[int, RawLine]] = []
    numbers: set[int] = set()
    for row_id, line in rows:
        if line.line_no in numbers or len(part) >= size:
            yield part
            part, numbers = [], set()
        part.append((row_id, line))
        numbers.add(line.line_no)
    if part:
        yield part


@flow(name="replay_quarantine")
def replay_quarantine(
    fixed_path: str | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, Any]:
    """Re-ingest open quarantined lines after a fix.

    Without ``fixed_path``: each open line's stored raw text is validated again against today's
    reference data and corridors; a line that passes is stored (and correlated) and marked
    ``replayed``, one that fails again stays open with its new reason. With ``fixed_path``: the
    corrected lines are ingested like any file, and each open quarantined line whose source and
    source_ref name an alert now stored is marked ``replayed``.
    """
    reference = prepare_intake()
    summary = Summary()
    if fixed_path is not None:
        start = last_alert_id()
        with open_alerts(fixed_path) as stream:
            for lines in batched(read_lines(stream, origin_of(fixed_path)), batch_size):
                stored = store_batch(as_is(lines), reference)
                summary.add(stored, correlate_batch(reference, INTAKE, as_is(stored)))
        summary.replayed += mark_fixed_lines(origin_of(fixed_path), start)
        return {**summary.to_dict(), "replayed": summary.replayed}
    waiting = quarantined_lines(1_000_000)
    by_origin: dict[str, list[tuple[int, RawLine]]] = {}
    for row_id, line in waiting:
        by_origin.setdefault(line.origin, []).append((row_id, line))
    for rows in by_origin.values():
        for part in replay_batches(rows, batch_size):
            ids = {line.line_no: row_id for row_id, line in part}
            stored = store_batch(as_is([line for _, line in part]), reference, INTAKE, ids)
            summary.add(stored, correlate_batch(reference, INTAKE, as_is(stored)))
    return {**summary.to_dict(), "replayed": summary.replayed}

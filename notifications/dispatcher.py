"""Claim → render → deliver → record: sending the outbox exactly once per dedupe key (SPEC §8).

The guarantee, precisely:

- **Claiming is exclusive.** A dispatcher claims a batch of due messages in one short transaction:
  ``pending`` ones whose ``next_attempt_at`` has come, and ``sending`` ones whose lease has expired.
  It moves them to ``sending`` with a lease of ``LEASE_S`` (10 minutes) and a fresh claim token. On
  PostgreSQL the claim reads with ``SELECT … FOR UPDATE SKIP LOCKED``, so two dispatchers running
  at once never claim the same row; on SQLite the unit of work starts with ``BEGIN IMMEDIATE``,
  which serialises claims.
- **Recording is conditional.** After sending, a second short transaction marks each message
  ``sent``/``failed``/``pending`` only where it is still ``sending`` under the same claim token.
- **A live dispatcher never sends on an expired lease.** It stops sending at ``lease − 1 minute``
  (a quarter of the lease when shorter) by its own monotonic clock; what it did not reach goes
  back to ``pending``.
- **Killed before sending**: the messages stay ``sending`` until the lease expires, then the next
  dispatcher sends them — once. Nothing was sent, so nothing is sent twice.
- **Killed between sending and recording** (the only window that cannot be closed without the
  receiving server taking part): the messages stay ``sending``; no dispatcher touches them while
  the lease runs; after it expires they are sent again. The worst case is therefore one duplicate
  delivery per crash, carrying the **same Message-ID** (derived from the dedupe key), so receivers
  and tests can drop it. The same holds when an SMTP connection breaks after the server accepted
  a message but before its answer arrived.

Transient failures (4xx, refused connections, timeouts) go back to ``pending`` with exponential
backoff: 30 s, 1 min, 2 min, … capped at 1 hour; after ``MAX_ATTEMPTS`` (30 claims, about a day)
a message is ``failed`` with the last answer. Permanent failures (5xx) are ``failed`` at once.
A message whose recipient may no longer see its case (sharing changed, contact deactivated) is
not sent: it is ``failed`` with ``withheld: …`` as its answer.

Daily digests: ``collect_digests`` turns each person's waiting digest items of a day into one
outbox message (dedupe key ``daily-digest:<day>|<email>``); items that arrive for a day whose
digest has already gone out move on to the next digest.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import Engine, Table, and_, bindparam, func, or_, text, update
from sqlmodel import Session, col, select

from cases.kernel.actor import Actor, Person
from cases.kernel.db import get_engine, read_session, unit_of_work
from cases.kernel.settings import get_settings
from cases.kernel.sharing import sees_everything
from notifications.models import DigestItem, MessageKind, OutboxMessage, OutboxStatus
from notifications.outbox import Viewers, insert_ignoring_duplicates
from notifications.render import (
    build_message,
    message_bytes,
    message_id_for,
    render,
    render_subject,
    sender_address,
)
from notifications.smtp import (
    DEFAULT_CONNECTIONS,
    Delivery,
    Envelope,
    MailTarget,
    Outcome,
    deliver,
    parse_mail_url,
    run_async,
)

LEASE_S = 600.0  # a batch of BATCH_SIZE messages takes seconds; ten minutes is ample
SEND_MARGIN_S = 60.0  # stop sending this long before the lease expires
BATCH_SIZE = 200
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
MAX_ATTEMPTS = 30  # 30 s … 1 h doubling, then hourly: about a day of retrying
_PG_DIGEST_LOCK = 7261006
_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_DIGEST_ITEMS: Table = DigestItem.__table__  # type: ignore[attr-defined]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    message_id: str
    kind: str
    recipient: str
    recipient_name: str
    language: str
    context: dict[str, Any]
    created_at: datetime
    attempts: int  # including this claim


@dataclass(frozen=True)
class Claim:
    """A batch of messages this dispatcher holds until ``lease_expires_at``."""

    token: str
    lease_expires_at: datetime
    send_deadline: float  # time.monotonic() after which nothing more is sent
    messages: tuple[ClaimedMessage, ...] = ()
    withheld: int = 0


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    retry: int = 0

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retry += other.retry


# --- claiming ------------------------------------------------------------------------------------


def _due(now: datetime) -> Any:
    return or_(
        and_(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.status) == OutboxStatus.SENDING,
            col(OutboxMessage.lease_expires_at) <= now,
        ),
    )


def withheld_reason(
    viewers: Viewers,
    recipient: str,
    *,
    case_id: str | None,
    request_id: str | None,
    context: dict[str, Any],
) -> str | None:
    """Why a message must not go out (any more): its recipient may not see what it is about."""
    if viewers.of(recipient) is None:
        return f"withheld: {recipient} is no longer an active contact"
    if case_id and not viewers.may_see_case(recipient, case_id):
        return f"withheld: {recipient} may no longer see {case_id}"
    request = context.get("request") if isinstance(context, dict) else None
    if request_id and isinstance(request, dict):
        requesting, requested = request.get("requesting", ""), request.get("requested", "")
        if not viewers.may_see_request(recipient, requesting, requested):
            return f"withheld: {recipient} may no longer see {request_id}"
    return None


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int = BATCH_SIZE,
    lease_s: float = LEASE_S,
) -> Claim:
    """Move up to ``limit`` due messages to ``sending`` under a new lease; return them."""
    query = select(OutboxMessage).where(_due(now)).order_by(col(OutboxMessage.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # rows another dispatcher is claiming right now are skipped, not waited for
        query = query.with_for_update(skip_locked=True)
    rows = session.exec(query).all()
    token = uuid.uuid4().hex
    lease_expires_at = now + timedelta(seconds=lease_s)
    send_deadline = time.monotonic() + lease_s - min(SEND_MARGIN_S, lease_s / 4)
    viewers = Viewers(session)
    by_recipient: dict[str, set[str]] = {}
    for row in rows:
        if row.case_id:
            by_recipient.setdefault(row.recipient, set()).add(row.case_id)
    for recipient, case_ids in by_recipient.items():
        viewers.decide_cases(recipient, case_ids)  # one query per person, not per message
    claimed: list[ClaimedMessage] = []
    withheld: list[dict[str, Any]] = []
    for row in rows:
        reason = withheld_reason(
            viewers,
            row.recipient,
            case_id=row.case_id,
            request_id=row.request_id,
            context=row.context,
        )
        if reason is not None:
            withheld.append({"b_id": row.id, "b_answer": reason})
            continue
        claimed.append(
            ClaimedMessage(
                id=int(row.id or 0),
                message_id=row.message_id,
                kind=str(row.kind),
                recipient=row.recipient,
                recipient_name=row.recipient_name,
                language=row.language,
                context=dict(row.context),
                created_at=row.created_at,
                attempts=row.attempts + 1,
            )
        )
    if claimed:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_([m.id for m in claimed]))
            .values(
                status=OutboxStatus.SENDING.value,
                lease_expires_at=lease_expires_at,
                claim_token=token,
                attempts=_OUTBOX.c.attempts + 1,
            )
        )
    if withheld:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == bindparam("b_id"))
            .values(status=OutboxStatus.FAILED.value, last_answer=bindparam("b_answer")),
            withheld,
        )
    for row in rows:
        session.expunge(row)  # the ORM copies are stale after the Core updates
    return Claim(token, lease_expires_at, send_deadline, tuple(claimed), len(withheld))


# --- rendering -----------------------------------------------------------------------------------


def render_claim(claim: Claim, *, sender: str) -> tuple[list[Envelope], list[Delivery]]:
    """Each claimed message as bytes to send; one that cannot be rendered fails (a defect)."""
    envelopes: list[Envelope] = []
    failures: list[Delivery] = []
    for message in claim.messages:
        try:
            rendered = render(
                message.kind,
                message.language,
                message.context,
                recipient_name=message.recipient_name,
            )
            email = build_message(
                rendered,
                sender=sender,
                recipient=message.recipient,
                recipient_name=message.recipient_name,
                message_id=message.message_id,
                created_at=message.created_at,
            )
        except Exception as error:  # a template or data defect must not stop the others
            answer = f"cannot render: {type(error).__name__}: {error}"
            failures.append(Delivery(message.id, Outcome.FAILED, answer))
            continue
        envelopes.append(
            Envelope(message.id, message.message_id, message.recipient, message_bytes(email))
        )
    return envelopes, failures


# --- recording -----------------------------------------------------------------------------------


def backoff_s(attempts: int) -> float:
    """Delay before the next try after ``attempts`` tries: 30 s, 1 min, 2 min, … ≤ 1 h."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))


def record_deliveries(
    session: Session, claim: Claim, deliveries: Sequence[Delivery], *, now: datetime
) -> Tally:
    """Write the outcomes, only on rows still held by this claim."""
    attempts = {m.id: m.attempts for m in claim.messages}
    tally = Tally()
    rows: list[dict[str, Any]] = []
    for delivery in deliveries:
        status, next_at, sent_at = OutboxStatus.PENDING, now, None
        answer = delivery.answer
        if delivery.outcome == Outcome.SENT:
            status, sent_at = OutboxStatus.SENT, now
            tally.sent += 1
        elif delivery.outcome == Outcome.FAILED:
            status = OutboxStatus.FAILED
            tally.failed += 1
        elif delivery.outcome == Outcome.RETRY:
            tries = attempts.get(delivery.outbox_id, 1)
            if tries >= MAX_ATTEMPTS:
                status, answer = OutboxStatus.FAILED, f"gave up after {tries} attempts: {answer}"
                tally.failed += 1
            else:
                next_at = now + timedelta(seconds=backoff_s(tries))
                tally.retry += 1
        else:  # UNSENT: not tried; due again at once
            tally.retry += 1
        rows.append(
            {
                "b_id": delivery.outbox_id,
                "b_status": status.value,
                "b_answer": answer[:2000],
                "b_next": next_at,
                "b_sent_at": sent_at,
            }
        )
    if rows:
        session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id == bindparam("b_id"),
                _OUTBOX.c.status == OutboxStatus.SENDING.value,
                _OUTBOX.c.claim_token == claim.token,
            )
            .values(
                status=bindparam("b_status"),
                last_answer=bindparam("b_answer"),
                next_attempt_at=bindparam("b_next"),
                sent_at=bindparam("b_sent_at"),
                lease_expires_at=None,
                claim_token=None,
            ),
            rows,
        )
    return tally


# --- digests -------------------------------------------------------------------------------------


def _mentioned_ids(items: Sequence[DigestItem]) -> list[str]:
    ids: list[str] = []
    for item in items:
        for found in (item.case_id, item.request_id, item.context.get("plan_id")):
            if found and found not in ids:
                ids.append(str(found))
    return ids


def collect_digests(session: Session, *, before: date, now: datetime, sender: str) -> int:
    """One outbox message per person and day for the waiting items of days before ``before``."""
    if session.get_bind().dialect.name == "postgresql":  # one collector at a time
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_DIGEST_LOCK})
    waiting = session.exec(
        select(DigestItem)
        .where(col(DigestItem.collected_at).is_(None), col(DigestItem.digest_date) < before)
        .order_by(
            col(DigestItem.recipient),
            col(DigestItem.digest_date),
            col(DigestItem.created_at),
            col(DigestItem.id),
        )
    ).all()
    viewers = Viewers(session)
    made = 0
    for (recipient, day), group in groupby(waiting, key=lambda i: (i.recipient, i.digest_date)):
        items: list[DigestItem] = []
        for item in group:
            reason = withheld_reason(
                viewers,
                item.recipient,
                case_id=item.case_id,
                request_id=item.request_id,
                context=item.context,
            )
            if reason is None:
                items.append(item)
            else:
                item.collected_at, item.note = now, reason
        if not items:
            continue
        last = items[-1]
        key = f"daily-digest:{day.isoformat()}|{recipient}"
        context = {
            "date": day.isoformat(),
            "ids": _mentioned_ids(items),
            "items": [{"kind": str(i.kind), **i.context} for i in items],
        }
        row = {
            "dedupe_key": key,
            "message_id": message_id_for(key, sender),
            "kind": MessageKind.DAILY_DIGEST.value,
            "recipient": recipient,
            "recipient_name": last.recipient_name,
            "language": last.language,
            "subject": render_subject(MessageKind.DAILY_DIGEST, last.language, context),
            "case_id": None,
            "request_id": None,
            "context": context,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        inserted = insert_ignoring_duplicates(session, _OUTBOX, [row])
        for item in items:
            if inserted:
                item.collected_at, item.outbox_id = now, inserted[0]
            else:  # that day's digest already went out: the item joins the next one
                item.note = f"arrived after the digest of {day.isoformat()}"
                item.digest_date = before
        made += bool(inserted)
    session.flush()
    return made


# --- reading -------------------------------------------------------------------------------------


def outbox_counts(session: Session) -> dict[str, int]:
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all():
        counts[str(status)] = int(count)
    counts["digest_waiting"] = int(
        session.exec(
            select(func.count())
            .select_from(DigestItem)
            .where(col(DigestItem.collected_at).is_(None))
        ).one()
    )
    return counts


def list_messages(
    session: Session,
    actor: Actor,
    *,
    status: OutboxStatus | None = None,
    limit: int | None = None,
) -> list[OutboxMessage]:
    """The outbox as ``actor`` may read it (SPEC §10.1): each contact their own messages, the
    operator and auditors every message."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if not sees_everything(actor):
        mine = actor.email if isinstance(actor, Person) else None
        query = query.where(col(OutboxMessage.recipient) == mine)
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def message_to_dict(message: OutboxMessage) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat().replace("+00:00", "Z") if moment else None

    return {
        "id": message.id,
        "status": str(message.status),
        "kind": str(message.kind),
        "recipient": message.recipient,
        "subject": message.subject,
        "case_id": message.case_id,
        "request_id": message.request_id,
        "message_id": message.message_id,
        "attempts": message.attempts,
        "next_attempt_at": iso(message.next_attempt_at),
        "last_answer": message.last_answer,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
    }


# --- the whole run, without Prefect (tests, bench; the flow composes the same steps) ------------


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # pending or sending after the run
    retried: int = 0
    withheld: int = 0
    digests: int = 0
    batches: int = 0
    deliveries: list[Delivery] = field(default_factory=list)

    def to_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "pending": self.pending}


def dispatch(
    *,
    engine: Engine | None = None,
    target: MailTarget | None = None,
    sender: str | None = None,
    now: datetime | Callable[[], datetime] | None = None,
    batch_size: int = BATCH_SIZE,
    connections: int = DEFAULT_CONNECTIONS,
    lease_s: float = LEASE_S,
    max_batches: int | None = None,
    digests_before: date | None = None,
    collect: bool = True,
) -> DispatchReport:
    """Collect due digests, then claim → render → deliver → record until nothing is due."""
    engine = engine or get_engine()
    settings = get_settings()
    target = target or parse_mail_url(settings.mail_url)
    sender = sender or settings.mail_from
    clock: Callable[[], datetime]
    if callable(now):
        clock = now
    else:
        fixed = now
        clock = (lambda: fixed) if fixed is not None else utcnow
    report = DispatchReport()
    if collect:
        with unit_of_work(engine) as session:
            before = digests_before or clock().date()
            report.digests = collect_digests(session, before=before, now=clock(), sender=sender)
    while max_batches is None or report.batches < max_batches:
        with unit_of_work(engine) as session:
            claim = claim_due(session, now=clock(), limit=batch_size, lease_s=lease_s)
        report.withheld += claim.withheld
        report.failed += claim.withheld
        if not claim.messages:
            if claim.withheld:
                continue
            break
        report.batches += 1
        envelopes, deliveries = render_claim(claim, sender=sender)
        deliveries += run_async(
            deliver(
                target,
                sender_address(sender),
                envelopes,
                connections=connections,
                send_deadline=claim.send_deadline,
            )
        )
        with unit_of_work(engine) as session:
            tally = record_deliveries(session, claim, deliveries, now=clock())
        report.sent += tally.sent
        report.failed += tally.failed
        report.retried += tally.retry
        report.deliveries += deliveries
        if all(d.outcome == Outcome.UNSENT for d in deliveries):
            break  # out of lease time without progress: leave the rest to the next run
    with read_session(engine) as session:
        counts = outbox_counts(session)
    report.pending = counts["pending"] + counts["sending"]
    return report

"""Flow ``dispatch_notifications``: send what the outbox holds (SPEC §8).

Collect the daily digests that are due, then batch after batch: claim → render → deliver →
record, until nothing is due. The exactly-once rules live in ``notifications.dispatcher``; this
flow only orders the steps. Database steps retry on transient database errors; delivery never
retries as a task, because each message's outcome (sent, retry later, failed) is recorded in the
outbox and the next run picks up what is due.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from cases.kernel.db import get_engine, read_session, unit_of_work
from cases.kernel.settings import get_settings
from cases.reference.install import ensure_database
from flows.retries import DATABASE_RETRY_DELAYS_S, transient_database_error
from notifications.dispatcher import (
    BATCH_SIZE,
    LEASE_S,
    Claim,
    Tally,
    claim_due,
    collect_digests,
    outbox_counts,
    record_deliveries,
    render_claim,
    utcnow,
)
from notifications.render import sender_address
from notifications.smtp import (
    DEFAULT_CONNECTIONS,
    Delivery,
    Envelope,
    Outcome,
    deliver,
    parse_mail_url,
    run_async,
)

database_step = task(
    retries=3,
    retry_delay_seconds=DATABASE_RETRY_DELAYS_S,
    retry_condition_fn=transient_database_error,
    cache_policy=NO_CACHE,  # every step reads or changes the outbox: never reuse a result
)


@database_step
def prepare_database() -> None:
    ensure_database(get_engine())


@database_step
def collect_due_digests(before: date) -> int:
    """One digest message per person and day, for the days before ``before``."""
    with unit_of_work() as session:
        return collect_digests(
            session, before=before, now=utcnow(), sender=get_settings().mail_from
        )


@database_step
def claim(batch_size: int, lease_s: float) -> Claim:
    with unit_of_work() as session:
        return claim_due(session, now=utcnow(), limit=batch_size, lease_s=lease_s)


@task(cache_policy=NO_CACHE)
def render(batch: Claim) -> tuple[list[Envelope], list[Delivery]]:
    return render_claim(batch, sender=get_settings().mail_from)


@task(cache_policy=NO_CACHE)
def send(batch: Claim, envelopes: list[Envelope], connections: int) -> list[Delivery]:
    """Deliver over SMTP (asyncio: a few reused connections) or to .eml files."""
    settings = get_settings()
    return run_async(
        deliver(
            parse_mail_url(settings.mail_url),
            sender_address(settings.mail_from),
            envelopes,
            connections=connections,
            send_deadline=batch.send_deadline,
        )
    )


@database_step
def record(batch: Claim, deliveries: list[Delivery]) -> Tally:
    with unit_of_work() as session:
        return record_deliveries(session, batch, deliveries, now=utcnow())


@database_step
def count() -> dict[str, int]:
    with read_session() as session:
        return outbox_counts(session)


@flow(name="dispatch_notifications")
def dispatch_notifications(
    batch_size: int = BATCH_SIZE,
    connections: int = DEFAULT_CONNECTIONS,
    max_batches: int = 100,
    digests: bool = True,
    digests_through: date | None = None,
) -> dict[str, Any]:
    """Send due outbox messages; with ``digests``, first build the digests up to
    ``digests_through`` (default: yesterday, UTC). Returns what this run sent and failed, and
    how many messages are still pending."""
    logger = get_run_logger()
    target = parse_mail_url(get_settings().mail_url)  # a bad CORDON_MAIL_URL stops here
    prepare_database()
    built = 0
    if digests:
        through = digests_through or utcnow().date() - timedelta(days=1)
        built = collect_due_digests(through + timedelta(days=1))
    total, withheld, batches = Tally(), 0, 0
    while batches < max_batches:
        batch = claim(batch_size, LEASE_S)
        withheld += batch.withheld
        if not batch.messages:
            if batch.withheld:
                continue
            break
        batches += 1
        envelopes, failures = render(batch)
        deliveries = failures + send(batch, envelopes, connections)
        total.add(record(batch, deliveries))
        if all(d.outcome == Outcome.UNSENT for d in deliveries):
            break
    counts = count()
    result = {
        "sent": total.sent,
        "failed": total.failed + withheld,
        "pending": counts["pending"] + counts["sending"],
        "retry_later": total.retry,
        "withheld": withheld,
        "digests_built": built,
        "digest_items_waiting": counts["digest_waiting"],
        "mail": target.describe(),
    }
    logger.info("notifications: %s", result)
    return result

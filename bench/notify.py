"""Benchmark: messages/s from Cordon's outbox to a real SMTP server (aiosmtpd) on loopback.

    .venv/bin/python bench/notify.py --messages 5000 [--connections 4] [--database URL]

The script starts the SMTP server in a subprocess of its own (so client and server each get a
core), creates a task force with two coordinators and ``messages / 2`` opened cases in a
temporary SQLite database (or ``--database``), and enqueues one message per coordinator and case.
It then sends the same outbox twice, through the same claim → render → deliver → record steps:

1. Cordon's dispatcher: a few SMTP connections (``--connections``), each reused for message after
   message, batches of ``--batch-size``;
2. the naive design: one SMTP connection per message (``aiosmtplib.send``), one after another.

It prints both rates (end to end, database included), the same comparison for the SMTP part
alone, the ratio, and checks on the server side that every Message-ID arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENDER = "Cordon <cordon@bench.example>"
SENDER_ADDRESS = "cordon@bench.example"


# --- the SMTP server (runs in its own process) ----------------------------------------------------


def serve(port: int, cert_dir: str | None) -> None:
    """aiosmtpd on 127.0.0.1:port; counts Message-IDs; answers 'report' lines on stdin.
    With ``cert_dir`` it offers STARTTLS (and requires it) with the certificate made there."""
    import ssl

    from aiosmtpd.controller import Controller

    options: dict[str, Any] = {}
    if cert_dir:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(f"{cert_dir}/server.pem")
        options = {"tls_context": context, "require_starttls": True}

    lock = threading.Lock()
    seen: dict[str, int] = {}

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content: bytes = envelope.content
            start = content.find(b"\nMessage-ID: ")
            end = content.find(b"\r\n", start + 1)
            message_id = content[start + 13 : end].decode("ascii", "replace")
            with lock:
                seen[message_id] = seen.get(message_id, 0) + 1
            return "250 2.0.0 queued"

    controller = Controller(
        Counting(), hostname="127.0.0.1", port=port, server_hostname="bench.test", **options
    )
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "report":
            with lock:
                report = {
                    "received": sum(seen.values()),
                    "unique": len(seen),
                    "duplicates": sum(c - 1 for c in seen.values()),
                }
                seen.clear()
            print(json.dumps(report), flush=True)
    controller.stop()


class ServerProcess:
    def __init__(self, port: int, cert_dir: str | None = None) -> None:
        tls = ["--cert-dir", cert_dir] if cert_dir else []
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), *tls],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            raise SystemExit(f"the SMTP server did not start: {ready!r}")

    def report(self) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


# --- the data ------------------------------------------------------------------------------------


def prepare(url: str, messages: int) -> Any:
    from cases.kernel.db import make_engine, unit_of_work
    from cases.kernel.events import CaseOpened
    from cases.kernel.models import Case, CaseJurisdiction, Contact, Role, TaskForce
    from cases.reference.install import init_database
    from notifications.outbox import enqueue

    engine = make_engine(url)
    init_database(engine)
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        session.add(TaskForce(name="bench", members=["HR", "RS"]))
        session.add(
            Contact(
                email="ana@hr.example",
                name="Ana",
                jurisdiction="HR",
                role=Role.COORDINATOR,
                language="hr",
            )
        )
        session.add(
            Contact(
                email="marko@rs.example", name="Marko", jurisdiction="RS", role=Role.COORDINATOR
            )
        )
    cases = (messages + 1) // 2
    for first in range(0, cases, 500):
        with unit_of_work(engine) as session:
            events = []
            for number in range(first, min(cases, first + 500)):
                case_id = f"CASE-2026-{number + 1:06d}"
                session.add(Case(id=case_id, title=f"Bench case {number}", lead_jurisdiction="HR"))
                session.add(CaseJurisdiction(case_id=case_id, jurisdiction="HR"))
                session.add(CaseJurisdiction(case_id=case_id, jurisdiction="RS"))
                events.append(CaseOpened(case_id))
            session.flush()
            enqueue(session, events, now=now)
    return engine


def reset(engine: Any) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE outbox SET status = 'pending', attempts = 0, sent_at = NULL,"
                " last_answer = NULL, claim_token = NULL, lease_expires_at = NULL"
            )
        )


# --- the two designs -----------------------------------------------------------------------------


async def one_connection_per_message(
    host: str, port: int, envelopes: Sequence[Any], *, starttls: bool = False
) -> list[Any]:
    """The naive design: connect, EHLO, send, QUIT for every single message."""
    import aiosmtplib

    from notifications.smtp import Delivery, Outcome, local_hostname

    results = []
    for envelope in envelopes:
        try:
            _, answer = await aiosmtplib.send(
                envelope.data,
                sender=SENDER_ADDRESS,
                recipients=[envelope.recipient],
                hostname=host,
                port=port,
                local_hostname=local_hostname(),
                start_tls=starttls,
            )
            results.append(Delivery(envelope.outbox_id, Outcome.SENT, answer))
        except Exception as error:
            results.append(Delivery(envelope.outbox_id, Outcome.RETRY, str(error)))
    return results


def run_outbox(
    engine: Any,
    send: Callable[[Sequence[Any]], Awaitable[list[Any]]],
    batch_size: int,
) -> tuple[float, float, int]:
    """claim → render → deliver → record until the outbox is empty; (total s, SMTP s, sent)."""
    from cases.kernel.db import unit_of_work
    from notifications.dispatcher import claim_due, record_deliveries, render_claim

    smtp_s, sent = 0.0, 0
    started = time.perf_counter()
    while True:
        now = datetime.now(UTC)
        with unit_of_work(engine) as session:
            claim = claim_due(session, now=now, limit=batch_size)
        if not claim.messages:
            break
        envelopes, failures = render_claim(claim, sender=SENDER)
        assert not failures, failures
        before = time.perf_counter()
        deliveries = asyncio.run(send(envelopes))
        smtp_s += time.perf_counter() - before
        with unit_of_work(engine) as session:
            sent += record_deliveries(session, claim, deliveries, now=datetime.now(UTC)).sent
    return time.perf_counter() - started, smtp_s, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--database", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--starttls",
        action="store_true",
        help="the server requires STARTTLS (a certificate made for the run with trustme)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cert-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.cert_dir)
        return

    from notifications.smtp import SmtpTarget, deliver

    with tempfile.TemporaryDirectory(prefix="cordon-bench-notify-") as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        os.environ["CORDON_DATABASE_URL"] = url
        print(f"preparing {args.messages} messages in {url.split('://')[0]} …", flush=True)
        engine = prepare(url, args.messages)
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cert_dir = None
        if args.starttls:
            import trustme

            ca = trustme.CA()
            ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
                f"{tmp}/server.pem"
            )
            ca.cert_pem.write_to_path(f"{tmp}/ca.pem")
            os.environ["SSL_CERT_FILE"] = f"{tmp}/ca.pem"  # the clients trust the run's CA
            cert_dir = tmp
        server = ServerProcess(port, cert_dir)
        target = SmtpTarget("127.0.0.1", port, starttls=args.starttls)
        try:

            async def cordon(envelopes: Sequence[Any]) -> list[Any]:
                return await deliver(
                    target, SENDER_ADDRESS, envelopes, connections=args.connections
                )

            async def naive(envelopes: Sequence[Any]) -> list[Any]:
                return await one_connection_per_message(
                    "127.0.0.1", port, envelopes, starttls=args.starttls
                )

            rows = []
            for name, send in (
                (f"Cordon: {args.connections} reused connections", cordon),
                ("naive: one connection per message", naive),
            ):
                reset(engine)
                total_s, smtp_s, sent = run_outbox(engine, send, args.batch_size)
                check = server.report()
                rows.append((name, sent, total_s, smtp_s, check))
        finally:
            server.stop()
            engine.dispose()

    print()
    security = "STARTTLS" if args.starttls else "plain SMTP"
    print(f"{args.messages} messages, {security}, aiosmtpd on loopback in its own process")
    print(f"{'design':40} {'sent':>6} {'msg/s end-to-end':>17} {'msg/s SMTP only':>16}  server")
    for name, sent, total_s, smtp_s, check in rows:
        print(
            f"{name:40} {sent:>6} {sent / total_s:>17.0f} {sent / smtp_s:>16.0f}  "
            f"{check['unique']} unique Message-IDs, {check['duplicates']} duplicates"
        )
    (_, _, cordon_total, cordon_smtp, _), (_, _, naive_total, naive_smtp, _) = rows
    print()
    print(
        f"ratio Cordon / naive: {naive_total / cordon_total:.1f}x end to end, "
        f"{naive_smtp / cordon_smtp:.1f}x for the SMTP part alone"
    )
    if any(check["duplicates"] or check["unique"] != sent for _, sent, _, _, check in rows):
        raise SystemExit("the server saw duplicates or missing messages")


if __name__ == "__main__":
    main()

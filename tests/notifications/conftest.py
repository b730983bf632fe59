"""Real parts for the notification tests: an aiosmtpd server on loopback, contacts and cases."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine
from sqlmodel import Session

from cases.kernel.db import unit_of_work
from cases.kernel.models import (
    Alert,
    AlertKind,
    AlertState,
    Case,
    CaseAlert,
    CaseJurisdiction,
    Sharing,
)
from cases.kernel.settings import get_settings
from notifications.smtp import SmtpTarget
from tests.conftest import FIXTURES, PostgresDatabases, fresh_database_url, use_database
from tests.helpers import load_files

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # "now" in the tests: the clock is passed in
SENDER = "Cordon <cordon@taskforce.example>"

CONTACTS = """email,name,jurisdiction,role,language,digest
ana.kovac@carina.hr.example,Ana Kovač,HR,coordinator,hr,immediate
petra.dnevno@carina.hr.example,Petra Dnevno,HR,coordinator,en,daily
ivo.babic@dorh.hr.example,Ivo Babić,HR,prosecutor,hr,daily
marko.petrovic@upravacarina.rs.example,Marko Petrović,RS,coordinator,de,immediate
jelena.ilic@rjt.rs.example,Jelena Ilić,RS,team_lead,sr,immediate
luka.horvat@carina.hr.example,Luka Horvat,HR,team_lead,hr,immediate
maja.novak@fu.si.example,Maja Novak,SI,coordinator,sl,immediate
ca@mpravde.rs.example,Ministarstvo pravde RS,RS,central_authority,sr,immediate
ca@mp.si.example,Ministrstvo za pravosodje SI,SI,central_authority,sl,immediate
nikola.jovic@rjt.rs.example,Nikola Jović,RS,prosecutor,en,immediate
revizor@oversight.example,Revizor,HR,auditor,en,immediate
"""


# --- an SMTP server on loopback ------------------------------------------------------------------


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage
    authenticated_as: bytes | None
    over_tls: bool

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    """Accepts mail and remembers it; answers chosen RCPTs with a refusal."""

    received: list[Received] = field(default_factory=list)
    rcpt_answers: dict[str, str] = field(default_factory=dict)
    data_delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        answer = self.rcpt_answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay_s:
            await asyncio.sleep(self.data_delay_s)
        message = BytesParser(policy=default).parsebytes(envelope.content)
        with self.lock:
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    message,  # type: ignore[arg-type]
                    getattr(session.auth_data, "login", None),
                    session.ssl is not None,
                )
            )
        return "250 2.0.0 queued"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)

    def by_recipient(self) -> dict[str, list[Received]]:
        found: dict[str, list[Received]] = {}
        with self.lock:
            for r in self.received:
                for rcpt in r.recipients:
                    found.setdefault(rcpt, []).append(r)
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int
    controller: Controller | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> SmtpTarget:
        return SmtpTarget(host="127.0.0.1", port=self.port, timeout_s=10)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="smtp.test",  # no DNS lookup per connection
            ready_timeout=10,
            **self.options,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(RecordingHandler(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server() -> Iterator[SmtpServer]:
    """A server whose port refuses connections until the test starts it."""
    server = SmtpServer(RecordingHandler(), free_port())
    yield server
    server.stop()


@dataclass
class TlsServer(SmtpServer):
    ca_file: Path = Path()
    username: str = "cordon"
    password: str = "s3cret!"


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[TlsServer]:
    """STARTTLS required, AUTH required over TLS; a self-signed CA made for this test."""
    import trustme

    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and auth_data == (b"cordon", b"s3cret!")
        return AuthResult(success=good, handled=False, auth_data=auth_data)

    server = TlsServer(
        RecordingHandler(),
        free_port(),
        options={
            "tls_context": context,
            "require_starttls": True,
            "auth_required": True,
            "auth_require_tls": True,
            "authenticator": authenticator,
        },
        ca_file=ca_file,
    )
    server.start()
    yield server
    server.stop()


# --- databases, contacts and cases -------------------------------------------------------------


@pytest.fixture
def postgresql_database(
    template_databases: dict[str, str],
    postgres: PostgresDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Engine]:
    """A fresh PostgreSQL database (for what only PostgreSQL does: SKIP LOCKED)."""
    url = fresh_database_url("postgresql", template_databases, postgres, tmp_path)
    yield from use_database(url, monkeypatch)


@pytest.fixture
def mail_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], None]:
    """Point CORDON_MAIL_URL somewhere (default: .eml files in the test's directory)."""

    def point(url: str) -> None:
        monkeypatch.setenv("CORDON_MAIL_URL", url)
        get_settings.cache_clear()

    monkeypatch.setenv("CORDON_MAIL_FROM", SENDER)
    point(f"file:{tmp_path / 'mail'}")
    return point


def load_task_force(engine: Engine, tmp_path: Path) -> None:
    """The mini scenario (members HR, RS, SI) with the contacts above."""
    directory = tmp_path / "scenario"
    shutil.copytree(FIXTURES / "mini", directory)
    (directory / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    results = load_files(directory)
    assert all(r["loaded"] for r in results), results


@pytest.fixture
def task_force(database: Engine, tmp_path: Path, mail_settings: Any) -> Engine:
    load_task_force(database, tmp_path)
    return database


def add_case(
    session: Session,
    case_id: str,
    *,
    lead: str,
    participants: tuple[str, ...] = (),
    sharing: Sharing = Sharing.PARTICIPANTS,
    title: str = "Rifles in a consignment of machine parts",
) -> Case:
    case = Case(
        id=case_id, title=title, lead_jurisdiction=lead, sharing=sharing, score=0.93, opened_at=T0
    )
    session.add(case)
    session.flush()
    for jurisdiction in {lead, *participants}:
        session.add(CaseJurisdiction(case_id=case_id, jurisdiction=jurisdiction))
    session.flush()
    return case


def add_alert(session: Session, case_id: str, ref: str, *, description: str = "") -> int:
    alert = Alert(
        source="HR-customs",
        source_ref=ref,
        observed_at=T0,
        jurisdiction="HR",
        kind=AlertKind.CONSIGNMENT,
        indicators=["hs_chapter_93", "euc_mismatch"],
        state=AlertState.IN_CASE,
        payload={"description": description},
    )
    session.add(alert)
    session.flush()
    assert alert.id is not None
    session.add(CaseAlert(alert_id=alert.id, case_id=case_id))
    session.flush()
    return alert.id


def in_unit_of_work(engine: Engine, work: Callable[[Session], Any]) -> Any:
    with unit_of_work(engine) as session:
        return work(session)


@pytest.fixture
def sqlite_task_force(sqlite_database: Engine, tmp_path: Path, mail_settings: Any) -> Engine:
    load_task_force(sqlite_database, tmp_path)
    return sqlite_database


@pytest.fixture
def postgresql_task_force(
    postgresql_database: Engine, tmp_path: Path, mail_settings: Any
) -> Engine:
    load_task_force(postgresql_database, tmp_path)
    return postgresql_database


def open_cases(engine: Engine, count: int, *, now: datetime = T0, first: int = 1) -> set[str]:
    """``count`` cases led by HR with RS taking part, each announced: 2 immediate messages each
    (Ana, Marko) and a digest item for Petra. Returns the Message-IDs of the outbox."""
    from sqlmodel import select

    from cases.kernel.events import CaseOpened
    from notifications.models import OutboxMessage
    from notifications.outbox import enqueue

    with unit_of_work(engine) as session:
        events = []
        for number in range(first, first + count):
            case_id = f"CASE-2026-{number:06d}"
            add_case(session, case_id, lead="HR", participants=("RS",), title=f"Case {number}")
            events.append(CaseOpened(case_id))
        enqueue(session, events, now=now)
    with unit_of_work(engine) as session:
        return {m.message_id for m in session.exec(select(OutboxMessage)).all()}

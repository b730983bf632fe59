"""Delivering rendered messages: to an SMTP server with aiosmtplib, or as ``.eml`` files.

``CORDON_MAIL_URL`` says where mail goes:

- ``file:DIR`` (default ``file:./var/mail``): each message is written to ``DIR/<message-id>.eml``
  atomically (a temporary file renamed into place), so a resend overwrites the same file;
- ``smtp://[user:password@]host:port[?starttls=true|tls=true]``: a few connections (default 4),
  each opened once per batch and reused for message after message; STARTTLS or implicit TLS and
  AUTH when configured. Certificates are verified against the system's trust store
  (``SSL_CERT_FILE`` names another bundle).

Each message gets one ``Delivery`` outcome: ``sent`` (the server accepted it), ``retry`` (4xx,
refused or dropped connection, timeout: try again later), ``failed`` (5xx: the server's answer is
kept) or ``unsent`` (not tried because the batch's lease was running out). A connection that
cannot be opened marks the rest of the batch ``retry`` without hammering the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import socket
import ssl
import time
import uuid
from collections import deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from cases.kernel.errors import Invalid

DEFAULT_CONNECTIONS = 4
SMTP_TIMEOUT_S = 30.0
T = TypeVar("T")


class MailUrlError(Invalid):
    """CORDON_MAIL_URL cannot be understood."""


@dataclass(frozen=True)
class FileTarget:
    directory: Path

    def describe(self) -> str:
        return f"{self.directory}/ (.eml files)"


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout_s: float = SMTP_TIMEOUT_S

    def describe(self) -> str:
        user = f"{self.username}@" if self.username else ""
        security = " (TLS)" if self.tls else " (STARTTLS)" if self.starttls else ""
        return f"smtp://{user}{self.host}:{self.port}{security}"


MailTarget = FileTarget | SmtpTarget

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_mail_url(url: str) -> MailTarget:
    """``file:DIR`` or ``smtp://[user:password@]host:port[?starttls=true|tls=true]``."""
    url = url.strip()
    hint = "use file:DIR or smtp://[user:password@]host:port[?starttls=true|tls=true]"
    if url.startswith("file:"):
        path = url.removeprefix("file:")
        if path.startswith("//"):  # file:///abs/dir
            path = urlsplit(url).path
        if not path:
            raise MailUrlError(f"CORDON_MAIL_URL {url!r} names no directory: {hint}")
        return FileTarget(Path(unquote(path)))
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise MailUrlError(f"CORDON_MAIL_URL {url!r} is not a mail URL: {hint}")
    options: dict[str, bool] = {}
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        value = values[-1].lower()
        if name not in ("starttls", "tls") or value not in _TRUE | _FALSE:
            raise MailUrlError(f"CORDON_MAIL_URL option {name}={values[-1]!r} unknown: {hint}")
        options[name] = value in _TRUE
    if options.get("starttls") and options.get("tls"):
        raise MailUrlError("CORDON_MAIL_URL: choose starttls=true or tls=true, not both")
    try:
        port = parts.port
    except ValueError as exc:
        raise MailUrlError(f"CORDON_MAIL_URL {url!r} has a bad port: {hint}") from exc
    tls = options.get("tls", False)
    starttls = options.get("starttls", False)
    return SmtpTarget(
        host=parts.hostname,
        port=port or (465 if tls else 587 if starttls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=starttls,
        tls=tls,
    )


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNSENT = "unsent"


@dataclass(frozen=True)
class Envelope:
    """One rendered message ready to go: who to, and its exact bytes."""

    outbox_id: int
    message_id: str
    recipient: str
    data: bytes


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    outcome: Outcome
    answer: str


def classify(code: int, message: str) -> tuple[Outcome, str]:
    """5xx is permanent, everything else (4xx, odd codes) is worth another try."""
    answer = f"{code} {message}".strip()
    return (Outcome.FAILED if 500 <= code < 600 else Outcome.RETRY), answer


@lru_cache(maxsize=1)
def local_hostname() -> str:
    """Our EHLO name, looked up once (aiosmtplib would ask DNS on every connection)."""
    return socket.getfqdn() or "localhost"


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


# --- files ---------------------------------------------------------------------------------------


def eml_name(message_id: str) -> str:
    """A file name for a Message-ID: ``<abc@host>`` → ``abc@host.eml``."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<>")) + ".eml"


def deliver_files(
    directory: Path, envelopes: Sequence[Envelope], *, send_deadline: float | None = None
) -> list[Delivery]:
    """Write each message to ``directory/<message-id>.eml`` atomically (temp file + rename)."""
    results: list[Delivery] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return [Delivery(e.outbox_id, Outcome.RETRY, _reason(error)) for e in envelopes]
    for envelope in envelopes:
        if send_deadline is not None and time.monotonic() >= send_deadline:
            results.append(Delivery(envelope.outbox_id, Outcome.UNSENT, "lease running out"))
            continue
        final = directory / eml_name(envelope.message_id)
        temporary = directory / f".{final.name}.{uuid.uuid4().hex}.tmp"
        try:
            with temporary.open("wb") as handle:
                handle.write(envelope.data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            results.append(Delivery(envelope.outbox_id, Outcome.RETRY, _reason(error)))
            continue
        results.append(Delivery(envelope.outbox_id, Outcome.SENT, f"written to {final}"))
    return results


# --- SMTP ----------------------------------------------------------------------------------------

_CONNECTION_TROUBLE = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
    ssl.SSLError,
    OSError,
)


async def open_connection(target: SmtpTarget) -> aiosmtplib.SMTP:
    """Connect, say EHLO, STARTTLS and AUTH as configured."""
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.tls,
        start_tls=target.starttls,
        timeout=target.timeout_s,
        local_hostname=local_hostname(),
    )
    await client.connect()
    return client


async def _close(client: aiosmtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        if client.is_connected:
            await client.quit()
    except Exception:
        client.close()


async def deliver_smtp(
    target: SmtpTarget,
    sender: str,
    envelopes: Sequence[Envelope],
    *,
    connections: int = DEFAULT_CONNECTIONS,
    send_deadline: float | None = None,
) -> list[Delivery]:
    """Send over at most ``connections`` SMTP connections, each reused for many messages."""
    queue = deque(envelopes)
    results: dict[int, Delivery] = {}
    server_down: list[str] = []  # the first connection failure, shared by the workers

    def settle(envelope: Envelope, outcome: Outcome, answer: str) -> None:
        results[envelope.outbox_id] = Delivery(envelope.outbox_id, outcome, answer)

    async def worker() -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while queue and not server_down:
                if send_deadline is not None and time.monotonic() >= send_deadline:
                    return
                envelope = queue.popleft()
                if client is None:
                    try:
                        client = await open_connection(target)
                    except aiosmtplib.SMTPResponseException as error:  # e.g. 535 bad AUTH
                        server_down.append(f"{error.code} {error.message}")
                        settle(envelope, Outcome.RETRY, server_down[0])
                        return
                    except (*_CONNECTION_TROUBLE, aiosmtplib.SMTPException) as error:
                        reason = f"cannot connect to {target.describe()}: {_reason(error)}"
                        server_down.append(reason)
                        settle(envelope, Outcome.RETRY, server_down[0])
                        return
                try:
                    _, answer = await client.sendmail(sender, [envelope.recipient], envelope.data)
                    settle(envelope, Outcome.SENT, answer)
                except aiosmtplib.SMTPRecipientsRefused as error:
                    refused = error.recipients[0]
                    settle(envelope, *classify(refused.code, refused.message))
                except aiosmtplib.SMTPResponseException as error:
                    settle(envelope, *classify(error.code, error.message))
                    if error.code == 421:  # the server is closing this connection
                        await _close(client)
                        client = None
                except _CONNECTION_TROUBLE as error:
                    settle(envelope, Outcome.RETRY, _reason(error))
                    await _close(client)
                    client = None  # the next message opens a new connection
                except (ValueError, UnicodeError, aiosmtplib.SMTPNotSupported) as error:
                    reason = f"cannot send to this address: {_reason(error)}"
                    settle(envelope, Outcome.FAILED, reason)
                except aiosmtplib.SMTPException as error:  # anything else: start afresh later
                    settle(envelope, Outcome.RETRY, _reason(error))
                    await _close(client)
                    client = None
        finally:
            await _close(client)

    workers = max(1, min(connections, len(envelopes)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    leftover = server_down[0] if server_down else "lease running out"
    for envelope in envelopes:
        if envelope.outbox_id not in results:
            outcome = Outcome.RETRY if server_down else Outcome.UNSENT
            settle(envelope, outcome, leftover)
    return [results[e.outbox_id] for e in envelopes]


async def deliver(
    target: MailTarget,
    sender: str,
    envelopes: Sequence[Envelope],
    *,
    connections: int = DEFAULT_CONNECTIONS,
    send_deadline: float | None = None,
) -> list[Delivery]:
    """Deliver ``envelopes`` to ``target``; one outcome per envelope, in order."""
    if not envelopes:
        return []
    if isinstance(target, FileTarget):
        return await asyncio.to_thread(
            deliver_files, target.directory, envelopes, send_deadline=send_deadline
        )
    return await deliver_smtp(
        target, sender, envelopes, connections=connections, send_deadline=send_deadline
    )


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

"""Rendering e-mails from ``templates/email/``: subject, text and HTML, in the reader's language.

Templates live in ``templates/email/<language>/<kind>.{subject.txt,txt,html}``; a language that
lacks a template falls back to English. HTML is autoescaped. User text (case titles, alert
descriptions, names) only ever reaches a template as a variable, never as template source, so
``{{ 7*7 }}`` in a title stays literally that. Header values pass through ``header_safe``, which
drops CR, LF and every other line-breaking or control character.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"
FALLBACK_LANGUAGE = "en"
SUBJECT_MAX_CHARS = 250


# RFC 5322 text with CRLF line ends. Messages are built with ``email.mime`` (the compat32 API):
# measured here at about a quarter of the time EmailMessage's header registry takes (0.6 ms
# against 2.4 ms a message). Bodies are quoted-printable UTF-8, so any server takes them.
MAIL_POLICY = compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.header_encoding = QP
_UTF8_QP.body_encoding = QP


def _header_text(value: str) -> str | Header:
    """ASCII as it is; anything else as an RFC 2047 encoded word."""
    return value if value.isascii() else Header(value, _UTF8_QP)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str  # the language actually used (after fallback)


def header_safe(value: str, *, max_chars: int | None = None) -> str:
    """One line: CR, LF, U+2028 and other control/separator characters become spaces."""
    # isprintable: no control, format or separator character but the plain space
    value = value.strip()
    cleaned = value if value.isprintable() else _without_controls(value)
    line = " ".join(cleaned.split())
    if max_chars is not None and len(line) > max_chars:
        line = line[: max_chars - 1].rstrip() + "…"
    return line


def _without_controls(value: str) -> str:
    return "".join(
        ""
        if unicodedata.category(ch) == "Cf"  # invisible formatting (bidi overrides, ZWSP)
        else " "
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch.isspace()
        else ch
        for ch in value
    )


def primary_language(tag: str | None) -> str:
    """``hr-HR`` → ``hr``; empty → English."""
    if not tag:
        return FALLBACK_LANGUAGE
    return tag.strip().replace("_", "-").split("-")[0].lower() or FALLBACK_LANGUAGE


def _when(value: Any) -> str:
    """An ISO timestamp as ``2026-11-27 06:00 UTC``; dates and other values unchanged."""
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=lambda name: bool(name and name.endswith(".html")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the code; no stat() per message
    )
    env.filters["when"] = _when
    return env


def _template_for(kind: str, language: str, part: str) -> tuple[Any, str]:
    env = environment()
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        try:
            return env.get_template(f"{lang}/{kind}.{part}"), lang
        except TemplateNotFound:
            continue
    raise TemplateNotFound(f"{FALLBACK_LANGUAGE}/{kind}.{part}")


@lru_cache(maxsize=256)
def template_language(kind: str, language: str) -> str:
    """The language whose subject template ``kind`` uses for ``language`` (or the fallback)."""
    return _template_for(kind, primary_language(language), "subject.txt")[1]


def render_subject(kind: str, language: str, context: dict[str, Any]) -> str:
    template, _ = _template_for(kind, primary_language(language), "subject.txt")
    return header_safe(template.render(**context), max_chars=SUBJECT_MAX_CHARS)


def render(
    kind: str, language: str, context: dict[str, Any], *, recipient_name: str = ""
) -> Rendered:
    """Subject, text and HTML of one message, in ``language`` or else English."""
    language = primary_language(language)
    variables = {**context, "recipient_name": recipient_name}
    text_template, used = _template_for(kind, language, "txt")
    html_template, _ = _template_for(kind, used, "html")
    return Rendered(
        subject=render_subject(kind, used, variables),
        text=text_template.render(**variables),
        html=html_template.render(**variables, lang=used),
        language=used,
    )


def message_id_for(dedupe_key: str, sender: str) -> str:
    """The Message-ID of a dedupe key: the same key always gives the same id."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{_domain_of(sender)}>"


@lru_cache(maxsize=16)
def _domain_of(sender: str) -> str:
    return header_safe(parseaddr(sender)[1].rpartition("@")[2] or "localhost")


def sender_address(sender: str) -> str:
    """The bare address in ``CORDON_MAIL_FROM`` (which may be ``Name <addr>``)."""
    return parseaddr(sender)[1] or sender.strip()


def build_message(
    rendered: Rendered,
    *,
    sender: str,
    recipient: str,
    recipient_name: str,
    message_id: str,
    created_at: datetime,
) -> Message:
    """An RFC 5322 multipart/alternative message; identical bytes every time it is built."""
    name, address = parseaddr(header_safe(sender))
    boundary = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:24]
    message = MIMEMultipart("alternative", boundary=f"=_cordon_{boundary}")
    message["From"] = formataddr((name or "Cordon", address or "cordon@localhost"), _UTF8_QP)
    message["To"] = formataddr((header_safe(recipient_name), recipient), _UTF8_QP)
    subject = header_safe(rendered.subject, max_chars=SUBJECT_MAX_CHARS)
    message["Subject"] = _header_text(subject)  # type: ignore[assignment]  # a Header is fine
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message["Content-Language"] = rendered.language
    message.attach(_text_part(rendered.text, "plain"))
    message.attach(_text_part(rendered.html, "html"))
    return message


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text, _UTF8_QP)  # sets charset=utf-8 and quoted-printable
    return part


def message_bytes(message: Message) -> bytes:
    return message.as_bytes(policy=MAIL_POLICY)

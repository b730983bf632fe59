"""Rendering: escaping, header injection, template injection, languages, RFC 5322 structure."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest

from notifications.models import MessageKind
from notifications.render import (
    build_message,
    header_safe,
    message_bytes,
    message_id_for,
    render,
    render_subject,
)
from tests.notifications.conftest import T0

HOSTILE = "Rifles <script>alert('x')</script> & {{ 7*7 }} {% raw %}\r\nBcc: victim@example.org"


def case_context(title: str = "Rifles in machine parts") -> dict[str, Any]:
    return {
        "case": {
            "id": "CASE-2026-000042",
            "title": title,
            "status": "new",
            "priority": "p1",
            "score": 0.93,
            "lead_jurisdiction": "HR",
            "jurisdictions": ["HR", "RS"],
            "corridors": ["RS-HR-BATROVCI"],
            "alert_count": 2,
            "opened_at": "2026-11-20T09:00:00Z",
        }
    }


def parsed(kind: str, language: str, context: dict[str, Any], name: str = "Ana Kovač") -> Any:
    rendered = render(kind, language, context, recipient_name=name)
    message_id = message_id_for(f"test:{kind}|ana@example.org", "cordon@taskforce.example")
    message = build_message(
        rendered,
        sender="Cordon <cordon@taskforce.example>",
        recipient="ana@example.org",
        recipient_name=name,
        message_id=message_id,
        created_at=T0,
    )
    raw = message_bytes(message)
    return BytesParser(policy=default).parsebytes(raw), raw


def bodies(message: Any) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_user_text_is_escaped_in_html_and_never_evaluated() -> None:
    message, _ = parsed(MessageKind.CASE_OPENED, "en", case_context(HOSTILE))
    text, html = bodies(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;" in html
    for body in (text, html):
        assert "{{ 7*7 }}" in body and "49" not in body
        assert "{% raw %}" in body
    assert "<script>alert('x')</script>" in text  # plain text is not HTML: shown as typed


def test_a_subject_from_text_with_cr_lf_carries_neither_and_injects_no_header() -> None:
    message, raw = parsed(MessageKind.CASE_OPENED, "en", case_context(HOSTILE))
    subject = str(message["Subject"]).strip()  # a folded header parses with a leading space
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("[Cordon] CASE-2026-000042 opened (P1): Rifles")
    assert "{{ 7*7 }}" in subject
    assert message["Bcc"] is None
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in header_block


def test_a_recipient_name_with_cr_lf_injects_no_header() -> None:
    message, raw = parsed(
        MessageKind.CASE_OPENED, "en", case_context(), name="Ana\r\nBcc: victim@example.org"
    )
    assert message["Bcc"] is None
    assert message["To"].addresses[0].addr_spec == "ana@example.org"
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(
    "value",
    ["a\rb", "a\nb", "a\r\nb", "a\u2028b", "a\u2029b", "a\x85b", "a\x0bb", "a\x00b"],
)
def test_header_values_lose_every_line_break(value: str) -> None:
    assert header_safe(value) == "a b"


def test_the_message_is_multipart_alternative_with_a_deterministic_message_id() -> None:
    message, raw = parsed(MessageKind.CASE_OPENED, "en", case_context())
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    expected = message_id_for(
        f"test:{MessageKind.CASE_OPENED}|ana@example.org", "x@taskforce.example"
    )
    assert message["Message-ID"] == expected
    assert expected.endswith("@taskforce.example>")
    _, again = parsed(MessageKind.CASE_OPENED, "en", case_context())
    assert again == raw  # built twice, byte for byte the same (a resend is the same message)
    assert raw.count(b"\r\n") > 10 and b"\n" not in raw.replace(b"\r\n", b"")


def test_the_recipients_language_is_used_and_english_is_the_fallback() -> None:
    croatian, _ = parsed(MessageKind.CASE_OPENED, "hr", case_context())
    assert croatian["Subject"].strip().startswith("[Cordon] Otvoren predmet CASE-2026-000042")
    assert croatian["Content-Language"] == "hr"
    text, html = bodies(croatian)
    assert "Vodeća jurisdikcija" in text and 'lang="hr"' in html
    for language in ("de", "hr-HR", "", "xx"):
        rendered = render(MessageKind.CASE_OPENED, language, case_context())
        expected = "hr" if language == "hr-HR" else "en"
        assert rendered.language == expected, language
    german = render(MessageKind.CASE_OPENED, "de", case_context())
    assert german.subject.startswith("[Cordon] CASE-2026-000042 opened")


REQUEST = {"id": "REQ-2026-000007", "requesting": "HR", "requested": "RS"}


@pytest.mark.parametrize("language", ["en", "hr"])
@pytest.mark.parametrize(
    ("kind", "context", "ids"),
    [
        (MessageKind.CASE_OPENED, case_context(), ["CASE-2026-000042"]),
        (
            MessageKind.REQUEST_TRANSMITTED,
            {
                "request": {**REQUEST, "type": "mla", "transmitted_on": "2026-11-20"},
                "case": None,
                "role": "central_authority",
            },
            ["REQ-2026-000007"],
        ),
        (
            MessageKind.DEADLINE_APPROACHING,
            {
                "request": REQUEST,
                "case": {"id": "CASE-2026-000042", "title": "t"},
                "deadline": {"name": "recognition", "due": "2026-11-23", "days_left": 3},
            },
            ["REQ-2026-000007", "CASE-2026-000042"],
        ),
        (
            MessageKind.DEADLINE_OVERDUE,
            {
                "request": REQUEST,
                "case": None,
                "deadline": {"name": "execution", "due": "2026-11-1"},
            },
            ["REQ-2026-000007"],
        ),
        (
            MessageKind.DAILY_DIGEST,
            {
                "date": "2026-11-20",
                "ids": ["CASE-2026-000042", "REQ-2026-000007"],
                "items": [
                    {"kind": "alerts_merged", **case_context(), "alerts": []},
                    {
                        "kind": "deadline_overdue",
                        "request": REQUEST,
                        "case": None,
                        "deadline": {"name": "execution", "due": "2026-11-01"},
                    },
                ],
            },
            ["CASE-2026-000042", "REQ-2026-000007"],
        ),
    ],
)
def test_every_subject_names_the_case_or_request(
    kind: str, context: dict[str, Any], ids: list[str], language: str
) -> None:
    subject = render_subject(kind, language, context)
    for found in ids:
        assert found in subject
    rendered = render(kind, language, context, recipient_name="Ana")
    assert rendered.language == language
    for found in ids:
        assert found in rendered.text and found in rendered.html


def test_non_ascii_subjects_and_names_arrive_as_written() -> None:
    title = "Puške Zastava M70 — Šid/Tovarnik, ćevapi d.o.o."
    message, raw = parsed(MessageKind.CASE_OPENED, "hr", case_context(title), name="Željka Čolić")
    assert raw.isascii()  # RFC 2047 words and quoted-printable: any server takes it
    assert title in str(message["Subject"])
    assert message["To"].addresses[0].display_name == "Željka Čolić"
    text, html = bodies(message)
    assert title in text and "Željka Čolić" in text
    assert "Puške Zastava M70" in html

"""The notification tables: the outbox of e-mails to send and the items that wait for a digest.

An ``OutboxMessage`` is one e-mail to one person. It is written in the same transaction as the
change that causes it (``notifications.outbox.enqueue``) and carries everything needed to render
and send it later: the recipient, their language, the kind of message and a snapshot of the facts
(``context``). Its ``dedupe_key`` (event key + recipient) is unique, and its ``Message-ID`` is
derived from that key, so the same happening can never become two different e-mails.

A ``DigestItem`` is one thing a ``digest=daily`` contact (or anybody, for merged alerts) will read
in their digest of ``digest_date``; once a day the items of each person are collected into one
outbox message.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from cases.kernel.columns import UtcDateTime, json_column, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (first time, or again after a transient failure)
    SENDING = "sending"  # claimed by a dispatcher until ``lease_expires_at``
    SENT = "sent"  # the server accepted it
    FAILED = "failed"  # permanently refused (5xx), or given up on


class MessageKind(StrEnum):
    CASE_OPENED = "case_opened"
    ALERTS_MERGED = "alerts_merged"  # only ever a digest item
    REQUEST_TRANSMITTED = "request_transmitted"
    DEADLINE_APPROACHING = "deadline_approaching"
    DEADLINE_OVERDUE = "deadline_overdue"
    PLAN_ASSIGNMENT = "plan_assignment"
    DAILY_DIGEST = "daily_digest"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("uq_outbox_dedupe_key", "dedupe_key", unique=True),
        Index("uq_outbox_message_id", "message_id", unique=True),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_case_id", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_type=Text)  # "<event key>|<recipient>"
    message_id: str = Field(sa_type=Text)  # "<sha256(dedupe_key)[:32]@domain>"
    kind: MessageKind = Field(sa_type=String)
    recipient: str  # the contact's e-mail address
    recipient_name: str = ""
    language: str = "en"
    subject: str = Field(sa_type=Text)  # rendered at enqueue time, for `notify list`
    case_id: str | None = None  # only when the recipient may see the case
    request_id: str | None = None
    context: dict[str, Any] = json_column(default_factory=dict)  # what the templates render
    status: OutboxStatus = Field(sa_type=String, default=OutboxStatus.PENDING)
    attempts: int = 0  # claims so far (a dispatcher that died mid-send counts too)
    next_attempt_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claim_token: str | None = None  # which claim holds the lease
    last_answer: str | None = Field(default=None, sa_type=Text)  # the server's last reply
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class DigestItem(SQLModel, table=True):
    """One entry of somebody's daily digest; ``collected_at`` is set once a digest took it."""

    __tablename__ = "digest_items"
    __table_args__ = (
        Index("uq_digest_items_dedupe_key", "dedupe_key", unique=True),
        Index("ix_digest_items_waiting", "collected_at", "digest_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_type=Text)
    kind: MessageKind = Field(sa_type=String)
    recipient: str
    recipient_name: str = ""
    language: str = "en"
    digest_date: date  # the (UTC) day whose digest it belongs to
    case_id: str | None = None
    request_id: str | None = None
    context: dict[str, Any] = json_column(default_factory=dict)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    collected_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")  # the digest it went into
    note: str | None = None  # why it went into no digest (withheld), or a later day's

"""Turning domain events into outbox messages, in the transaction of the change (SPEC §8).

``enqueue(session, events)`` is what a flow calls inside its unit of work, right after the change
that produced the events. For each event it finds the people who must hear about it (by role and
jurisdiction, from ``contacts``), keeps only those whom ``cases.kernel.sharing`` lets see it, and
writes one outbox row per person — or, for ``digest=daily`` contacts and for merged alerts, one
digest item. Rows are inserted with ``ON CONFLICT (dedupe_key) DO NOTHING``: enqueueing the same
events again inserts nothing.

Who hears what:

========================  ==============================================================
CaseOpened                coordinators of the lead and participating jurisdictions
AlertsMerged              the same coordinators, in their daily digest (never immediately)
RequestTransmitted        central authority of the requested state; the requesting prosecutor
DeadlineApproaching/…     the requesting prosecutor
PlanApproved              each team lead, with the shifts of their own team(s) only
========================  ==============================================================

A recipient never learns of a case they may not see: case notices go only to those who pass
``can_see_case``; request notices to those who pass ``can_see_request``, with the case's id and
title only when they also pass ``can_see_case``. When a request event names no prosecutor, the
prosecutors of the requesting jurisdiction are told instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cases.kernel.actor import Person, person
from cases.kernel.errors import Forbidden
from cases.kernel.events import (
    AlertsMerged,
    CaseOpened,
    DeadlineApproaching,
    DeadlineOverdue,
    DomainEvent,
    PlanApproved,
    RequestTransmitted,
    subscribe,
)
from cases.kernel.models import (
    Alert,
    Case,
    CaseAlert,
    CaseCorridor,
    CaseJurisdiction,
    Contact,
    Digest,
    Role,
)
from cases.kernel.settings import get_settings
from cases.kernel.sharing import can_see_case, can_see_request, visible_cases
from notifications.models import DigestItem, MessageKind, OutboxMessage, OutboxStatus
from notifications.render import (
    message_id_for,
    primary_language,
    render_subject,
    template_language,
)

DEDUPE_KEY_MAX_CHARS = 400  # longer event keys (many merged alerts) keep a hash of their tail
DESCRIPTION_MAX_CHARS = 500


@dataclass(frozen=True)
class Notice:
    """One person to tell about one event, with what to tell them."""

    event_key: str
    kind: MessageKind
    contact: Contact
    context: dict[str, Any]
    case_id: str | None = None  # set only when the person may see the case
    request_id: str | None = None

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.event_key, self.contact.email)

    @property
    def to_digest(self) -> bool:
        return self.kind == MessageKind.ALERTS_MERGED or self.contact.digest == Digest.DAILY


def dedupe_key(event_key: str, recipient: str) -> str:
    key = f"{event_key}|{recipient}"
    if len(key) <= DEDUPE_KEY_MAX_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: DEDUPE_KEY_MAX_CHARS - 70]}…#{digest}"


@dataclass
class Viewers:
    """``cases.kernel.sharing``'s answers for contacts, each asked once per enqueue or claim."""

    session: Session
    cache: dict[str, Person | None] = field(default_factory=dict)
    cases_seen: dict[tuple[str, str], bool] = field(default_factory=dict)

    def of(self, email: str) -> Person | None:
        if email not in self.cache:
            try:
                self.cache[email] = person(self.session, email)
            except Forbidden:
                self.cache[email] = None  # unknown or deactivated: hears nothing
        return self.cache[email]

    def may_see_case(self, email: str, case_id: str) -> bool:
        key = (email, case_id)
        if key not in self.cases_seen:
            viewer = self.of(email)
            self.cases_seen[key] = viewer is not None and can_see_case(
                self.session, viewer, case_id
            )
        return self.cases_seen[key]

    def decide_cases(self, email: str, case_ids: Iterable[str]) -> None:
        """Ask ``cases.kernel.sharing`` about many cases for one person in one query per 500."""
        wanted = sorted({c for c in case_ids if (email, c) not in self.cases_seen})
        viewer = self.of(email)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            visible: set[str] = set()
            if viewer is not None:
                query = (
                    visible_cases(viewer)
                    .where(col(Case.id).in_(chunk))
                    .with_only_columns(col(Case.id))  # ids only: no case rows to build
                )
                visible = set(self.session.execute(query).scalars())
            for case_id in chunk:
                self.cases_seen[(email, case_id)] = case_id in visible

    def may_see_request(self, email: str, requesting: str, requested: str) -> bool:
        viewer = self.of(email)
        return viewer is not None and can_see_request(viewer, requesting, requested)


# --- recipients and what they are told ----------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def case_snapshots(session: Session, case_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What case messages say about each case (as of now), a few queries per 500 cases."""
    snapshots: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(case_ids))):
        cases = session.exec(select(Case).where(col(Case.id).in_(chunk))).all()
        jurisdictions: dict[str, set[str]] = {case.id: {case.lead_jurisdiction} for case in cases}
        for case_id, jurisdiction in session.exec(
            select(CaseJurisdiction.case_id, CaseJurisdiction.jurisdiction).where(
                col(CaseJurisdiction.case_id).in_(chunk)
            )
        ).all():
            jurisdictions[case_id].add(jurisdiction)
        corridors: dict[str, list[str]] = {case.id: [] for case in cases}
        for case_id, corridor in session.exec(
            select(CaseCorridor.case_id, CaseCorridor.corridor).where(
                col(CaseCorridor.case_id).in_(chunk)
            )
        ).all():
            corridors[case_id].append(corridor)
        alert_counts = dict(
            session.exec(
                select(CaseAlert.case_id, func.count())
                .where(col(CaseAlert.case_id).in_(chunk))
                .group_by(col(CaseAlert.case_id))
            ).all()
        )
        for case in cases:
            snapshots[case.id] = {
                "id": case.id,
                "title": case.title,
                "status": str(case.status),
                "priority": str(case.priority),
                "score": round(float(case.score), 4),
                "lead_jurisdiction": case.lead_jurisdiction,
                "jurisdictions": sorted(jurisdictions[case.id]),
                "corridors": sorted(corridors[case.id]),
                "alert_count": int(alert_counts.get(case.id, 0)),
                "opened_at": _iso(case.opened_at),
            }
    return snapshots


def case_snapshot(session: Session, case_id: str) -> dict[str, Any] | None:
    """What a case message says about one case (as of now)."""
    return case_snapshots(session, [case_id]).get(case_id)


def _active_contacts(
    session: Session, *, role: Role, jurisdictions: Iterable[str]
) -> list[Contact]:
    wanted = sorted(set(jurisdictions))
    if not wanted:
        return []
    return list(
        session.exec(
            select(Contact)
            .where(
                col(Contact.active),
                col(Contact.role) == role,
                col(Contact.jurisdiction).in_(wanted),
            )
            .order_by(col(Contact.email))
        ).all()
    )


def _contact(session: Session, email: str | None) -> Contact | None:
    if not email:
        return None
    contact = session.get(Contact, email.strip().lower()) or session.get(Contact, email.strip())
    return contact if contact is not None and contact.active else None


def _prosecutors(session: Session, email: str | None, requesting: str) -> list[Contact]:
    """The requesting prosecutor; when the event names none, the requesting state's prosecutors."""
    if email:
        named = _contact(session, email)
        return [named] if named is not None else []
    return _active_contacts(session, role=Role.PROSECUTOR, jurisdictions=[requesting])


def _case_notices(
    session: Session, viewers: Viewers, events: Sequence[CaseOpened | AlertsMerged]
) -> list[Notice]:
    """Coordinators of each case's jurisdictions who may see it; batched over all the events."""
    cases = case_snapshots(session, (event.case_id for event in events))
    alerts = _alert_snapshots(
        session, sorted({a for e in events if isinstance(e, AlertsMerged) for a in e.alert_ids})
    )
    involved = {j for case in cases.values() for j in case["jurisdictions"]}
    coordinators: dict[str, list[Contact]] = {}
    for contact in _active_contacts(session, role=Role.COORDINATOR, jurisdictions=involved):
        coordinators.setdefault(contact.jurisdiction, []).append(contact)
    for jurisdiction, contacts in coordinators.items():
        theirs = [c["id"] for c in cases.values() if jurisdiction in c["jurisdictions"]]
        for contact in contacts:
            viewers.decide_cases(contact.email, theirs)  # one query per person, not per case
    notices = []
    for event in events:
        case = cases.get(event.case_id)
        if case is None:
            continue
        context: dict[str, Any] = {"case": case}
        kind = MessageKind.CASE_OPENED
        if isinstance(event, AlertsMerged):
            kind = MessageKind.ALERTS_MERGED
            context["alerts"] = [alerts[a] for a in sorted(event.alert_ids) if a in alerts]
            context["alerts"].sort(key=lambda a: a["observed_at"] or "")
        recipients = sorted(
            (c for j in case["jurisdictions"] for c in coordinators.get(j, [])),
            key=lambda c: c.email,
        )
        notices += [
            Notice(event.key, kind, contact, context, case_id=event.case_id)
            for contact in recipients
            if viewers.may_see_case(contact.email, event.case_id)
        ]
    return notices


def _alert_snapshots(session: Session, alert_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    snapshots: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(alert_ids):
        for alert in session.exec(select(Alert).where(col(Alert.id).in_(chunk))).all():
            payload = alert.payload if isinstance(alert.payload, dict) else {}
            description = payload.get("description")
            assert alert.id is not None
            snapshots[alert.id] = {
                "source": alert.source,
                "source_ref": alert.source_ref,
                "kind": str(alert.kind),
                "jurisdiction": alert.jurisdiction,
                "observed_at": _iso(alert.observed_at),
                "indicators": list(alert.indicators),
                "description": str(description)[:DESCRIPTION_MAX_CHARS] if description else "",
            }
    return snapshots


def _request_notices(
    session: Session,
    viewers: Viewers,
    event: RequestTransmitted | DeadlineApproaching | DeadlineOverdue,
) -> list[Notice]:
    request: dict[str, Any] = {
        "id": event.request_id,
        "requesting": event.requesting,
        "requested": event.requested,
    }
    recipients: list[tuple[Contact, str]] = []
    if isinstance(event, RequestTransmitted):
        kind = MessageKind.REQUEST_TRANSMITTED
        request |= {"type": event.request_type, "transmitted_on": event.transmitted_on.isoformat()}
        extra: dict[str, Any] = {}
        authorities = _active_contacts(
            session, role=Role.CENTRAL_AUTHORITY, jurisdictions=[event.requested]
        )
        recipients += [(c, "central_authority") for c in authorities]
    elif isinstance(event, DeadlineApproaching):
        kind = MessageKind.DEADLINE_APPROACHING
        extra = {
            "deadline": {
                "name": event.deadline,
                "due": event.due.isoformat(),
                "days_left": event.days_left,
            }
        }
    else:
        kind = MessageKind.DEADLINE_OVERDUE
        extra = {"deadline": {"name": event.deadline, "due": event.due.isoformat()}}
    recipients += [
        (c, "prosecutor") for c in _prosecutors(session, event.prosecutor_email, event.requesting)
    ]

    notices: list[Notice] = []
    seen: set[str] = set()
    case = session.get(Case, event.case_id) if event.case_id else None
    for contact, role in recipients:
        if contact.email in seen:
            continue
        seen.add(contact.email)
        if not viewers.may_see_request(contact.email, event.requesting, event.requested):
            continue
        show_case = case is not None and viewers.may_see_case(contact.email, case.id)
        context = {
            "request": request,
            "case": {"id": case.id, "title": case.title} if show_case and case else None,
            "role": role,
            **extra,
        }
        notices.append(
            Notice(
                event.key,
                kind,
                contact,
                context,
                case_id=case.id if show_case and case else None,
                request_id=event.request_id,
            )
        )
    return notices


def _plan_notices(session: Session, event: PlanApproved) -> list[Notice]:
    by_lead: dict[str, list[dict[str, Any]]] = {}
    for shift in event.assignments:
        if not shift.lead_email:
            continue
        by_lead.setdefault(shift.lead_email.strip().lower(), []).append(
            {
                "team": shift.team,
                "corridor": shift.corridor,
                "shift": shift.shift,
                "starts_at": _iso(shift.starts_at),
            }
        )
    notices = []
    for email, shifts in sorted(by_lead.items()):
        contact = _contact(session, email)
        if contact is None:
            continue
        shifts.sort(key=lambda s: (s["shift"], s["team"]))
        context = {
            "plan_id": event.plan_id,
            "teams": sorted({s["team"] for s in shifts}),
            "shifts": shifts,
        }
        notices.append(Notice(event.key, MessageKind.PLAN_ASSIGNMENT, contact, context))
    return notices


def notices_for(session: Session, events: Iterable[DomainEvent]) -> list[Notice]:
    """Everyone to tell about ``events`` and what to tell each of them; writes nothing."""
    viewers = Viewers(session)
    events = list(events)
    case_events = [e for e in events if isinstance(e, CaseOpened | AlertsMerged)]
    notices: list[Notice] = _case_notices(session, viewers, case_events) if case_events else []
    for event in events:
        match event:
            case CaseOpened() | AlertsMerged():
                pass  # told above, all at once
            case RequestTransmitted() | DeadlineApproaching() | DeadlineOverdue():
                notices += _request_notices(session, viewers, event)
            case PlanApproved():
                notices += _plan_notices(session, event)
            case _:
                raise TypeError(f"not a domain event: {event!r}")
    return notices


# --- writing the outbox ---------------------------------------------------------------------------


def _insert_ignoring(session: Session, table: Table, *, key: str = "dedupe_key") -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING for SQLite and PostgreSQL."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    return insert(table)  # pragma: no cover - Cordon runs on SQLite and PostgreSQL only


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: list[dict[str, Any]], *, key: str = "dedupe_key"
) -> list[int]:
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite and PostgreSQL; the ids inserted."""
    if not rows:
        return []
    statement = _insert_ignoring(session, table, key=key)
    inserted: list[int] = []
    for row in rows:  # one by one: RETURNING says exactly which rows were new
        found = session.execute(statement.values(**row).returning(table.c.id)).first()
        if found is not None:
            inserted.append(int(found[0]))
    return inserted


def enqueue(session: Session, events: Iterable[DomainEvent], *, now: datetime | None = None) -> int:
    """Write the outbox rows and digest items for ``events``; how many were new.

    Every unit of work calls it with the events its use cases published, before it commits
    (``subscribe`` below). Re-running it with the same events inserts nothing (each row's dedupe
    key is the event's key plus the recipient).
    """
    now = now or datetime.now(UTC)
    sender = get_settings().mail_from
    messages: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    subjects = Subjects()
    for notice in notices_for(session, events):
        key = notice.dedupe_key
        language = primary_language(notice.contact.language)
        common: dict[str, Any] = {
            "dedupe_key": key,
            "kind": notice.kind.value,
            "recipient": notice.contact.email,
            "recipient_name": notice.contact.name,
            "language": language,
            "case_id": notice.case_id,
            "request_id": notice.request_id,
            "context": notice.context,
            "created_at": now,
        }
        if notice.to_digest:
            items.setdefault(key, {**common, "digest_date": digest_date_of(now)})
        else:
            messages.setdefault(
                key,
                {
                    **common,
                    "message_id": message_id_for(key, sender),
                    "subject": subjects.get(notice.kind, language, notice.context),
                    "status": OutboxStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                },
            )
    outbox_table: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
    digest_table: Table = DigestItem.__table__  # type: ignore[attr-defined]
    return insert_new(session, outbox_table, messages) + insert_new(session, digest_table, items)


def insert_new(session: Session, table: Table, rows: dict[str, dict[str, Any]]) -> int:
    """Insert the rows (by dedupe key) not stored yet, in one statement per 500; how many."""
    keys = sorted(rows)
    stored: set[str] = set()
    for chunk in _chunks(keys):
        stored.update(
            session.execute(select(table.c.dedupe_key).where(table.c.dedupe_key.in_(chunk)))
            .scalars()
            .all()
        )
    new = [rows[key] for key in keys if key not in stored]
    if new:
        # ON CONFLICT DO NOTHING still guards against a concurrent enqueue of the same events
        session.execute(_insert_ignoring(session, table), new)
    return len(new)


def queued_for(session: Session, event_key: str) -> int:
    """How many messages and digest items the event with ``event_key`` put into the outbox."""
    count = 0
    for table in (OutboxMessage.__table__, DigestItem.__table__):  # type: ignore[attr-defined]
        count += session.execute(
            select(func.count())
            .select_from(table)
            .where(table.c.dedupe_key.startswith(f"{event_key}|", autoescape=True))
        ).scalar_one()
    return count


class Subjects:
    """Subjects rendered once per event and template language, however many people are told
    (recipients whose language has no template share the English one)."""

    def __init__(self) -> None:
        self.rendered: dict[tuple[str, str, int], str] = {}

    def get(self, kind: MessageKind, language: str, context: dict[str, Any]) -> str:
        # the recipients of one event share its context object: its id names the event
        key = (kind.value, template_language(kind.value, language), id(context))
        if key not in self.rendered:
            self.rendered[key] = render_subject(kind, language, context)
        return self.rendered[key]


def digest_date_of(moment: datetime) -> date:
    """The (UTC) day a digest item belongs to."""
    return moment.astimezone(UTC).date()


# Every unit of work hands its published domain events to the outbox, in its own transaction.
subscribe(enqueue)

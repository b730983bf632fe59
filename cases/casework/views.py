"""Reading cases as the contract's shapes (SPEC §5), as an actor may see them.

Every case that leaves this module went through ``cases.kernel.sharing``: lists use
``visible_cases``, a single case is checked by the use case that shows it, and related or
possibly-linked cases the actor may not see are left out (an actor never learns of such a case,
not even its id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session, col

from cases.casework.identifiers import compact
from cases.casework.public import CaseAlert as CaseAlertItem
from cases.casework.public import (
    CaseDetail,
    CaseItem,
    CaseNoteItem,
    CaseSubject,
    PossibleLink,
    RelatedCase,
    ScoreRow,
    TimelineEntry,
)
from cases.kernel.actor import Actor
from cases.kernel.audit import history
from cases.kernel.columns import iso
from cases.kernel.db import chunks
from cases.kernel.errors import Invalid, NotFound
from cases.kernel.models import (
    Alert,
    Case,
    CaseAlert,
    CaseCorridor,
    CaseJurisdiction,
    CaseLink,
    CaseNote,
    CaseStatus,
    Priority,
    Subject,
)
from cases.kernel.sharing import can_see_case, case_visible_to, visible_cases
from cases.legal.views import requests_of_case

POSSIBLE_LINKS_SHOWN = 10

NAME_LINK_TYPES = ("company", "person", "vessel")


def _by_case(session: Session, column: Any, case_col: Any, ids: Sequence[str]) -> dict[str, list]:
    found: dict[str, list] = {i: [] for i in ids}
    for chunk in chunks(list(ids)):
        for case_id, value in session.execute(
            select(case_col, column).where(case_col.in_(chunk)).order_by(case_col, column)
        ):
            found[case_id].append(value)
    return found


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to; ``search`` finds a case id, an identifier or a name."""

    status: CaseStatus | None = None
    priority: Priority | None = None
    jurisdiction: str | None = None
    corridor: str | None = None
    search: str | None = None

    def where(self) -> list[Any]:
        conditions: list[Any] = []
        if self.status is not None:
            conditions.append(col(Case.status) == self.status.value)
        if self.priority is not None:
            conditions.append(col(Case.priority) == self.priority.value)
        if self.jurisdiction:
            conditions.append(
                exists().where(
                    col(CaseJurisdiction.case_id) == col(Case.id),
                    col(CaseJurisdiction.jurisdiction) == self.jurisdiction.strip().upper(),
                )
            )
        if self.corridor:
            conditions.append(
                exists().where(
                    col(CaseCorridor.case_id) == col(Case.id),
                    col(CaseCorridor.corridor) == self.corridor.strip().upper(),
                )
            )
        if self.search and (needle := compact(self.search)):
            pattern = f"%{needle}%"
            conditions.append(
                or_(
                    col(Case.id) == self.search.strip().upper(),
                    exists().where(
                        col(Subject.case_id) == col(Case.id),
                        or_(
                            func.upper(func.replace(col(Subject.key), ":", "")).like(pattern),
                            col(Subject.name_key).like(pattern),
                        ),
                    ),
                )
            )
        return conditions


def queue(
    session: Session,
    actor: Actor,
    narrowed: QueueFilter | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Case]:
    """The cases the actor may see: highest priority first, then score, then age."""
    query = visible_cases(actor).where(*(narrowed or QueueFilter()).where())
    query = query.order_by(
        col(Case.priority), col(Case.score).desc(), col(Case.opened_at), col(Case.id)
    )
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def queue_length(session: Session, actor: Actor, narrowed: QueueFilter | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Case)
        .where(case_visible_to(actor), *(narrowed or QueueFilter()).where())
    )
    return int(session.execute(query).scalar_one())


def case_items(session: Session, cases: Sequence[Case]) -> list[CaseItem]:
    """The queue's lines, a few queries for any number of cases."""
    ids = [c.id for c in cases]
    jurisdictions = _by_case(
        session, col(CaseJurisdiction.jurisdiction), col(CaseJurisdiction.case_id), ids
    )
    corridors = _by_case(session, col(CaseCorridor.corridor), col(CaseCorridor.case_id), ids)
    counts: dict[str, int] = {}
    for chunk in chunks(ids):
        counts.update(
            session.execute(
                select(col(CaseAlert.case_id), func.count())
                .where(col(CaseAlert.case_id).in_(chunk))
                .group_by(col(CaseAlert.case_id))
            ).all()
        )
    return [
        CaseItem(
            id=c.id,
            title=c.title,
            status=c.status,
            priority=c.priority,
            score=c.score,
            lead_jurisdiction=c.lead_jurisdiction,
            jurisdictions=jurisdictions[c.id],
            corridors=corridors[c.id],
            alert_count=counts.get(c.id, 0),
            opened_at=iso(c.opened_at),
        )
        for c in cases
    ]


def case_detail(session: Session, actor: Actor, case: Case) -> CaseDetail:
    """Everything about a case the actor may see (the caller checked they may see the case)."""
    item = case_items(session, [case])[0]
    alerts = session.execute(
        select(Alert)
        .join(CaseAlert, col(CaseAlert.alert_id) == col(Alert.id))
        .where(col(CaseAlert.case_id) == case.id)
        .order_by(col(Alert.observed_at), col(Alert.id))
    ).scalars()
    subjects = session.execute(
        select(Subject).where(col(Subject.case_id) == case.id).order_by(col(Subject.id))
    ).scalars()
    notes = session.execute(
        select(CaseNote).where(col(CaseNote.case_id) == case.id).order_by(col(CaseNote.id))
    ).scalars()
    return CaseDetail(
        **item.model_dump(),
        outcome=case.outcome,
        sharing=case.sharing,
        updated_at=iso(case.updated_at),
        closed_at=iso(case.closed_at),
        alerts=[
            CaseAlertItem(
                source=a.source,
                source_ref=a.source_ref,
                observed_at=iso(a.observed_at),
                jurisdiction=a.jurisdiction,
                kind=str(a.kind),
                indicators=a.indicators,
            )
            for a in alerts
        ],
        subjects=[
            CaseSubject(type=s.type, key=s.key, name=s.name, country=s.country, details=s.details)
            for s in subjects
        ],
        score_breakdown=[ScoreRow.model_validate(row) for row in case.score_breakdown],
        related=related_cases(session, actor, case.id),
        possible_links=possible_links(session, actor, case.id),
        requests=requests_of_case(session, case.id, actor),
        timeline=[
            TimelineEntry(at=e.at, actor=e.actor, action=e.action)
            for e in history(session, case_id=case.id)
        ],
        notes=[CaseNoteItem(author=n.author, at=iso(n.at), text=n.text) for n in notes],
    )


def related_cases(session: Session, actor: Actor, case_id: str) -> list[RelatedCase]:
    links = session.execute(
        select(CaseLink).where(
            or_(col(CaseLink.case_id) == case_id, col(CaseLink.other_case_id) == case_id)
        )
    ).scalars()
    related = []
    for link in links:
        other = link.other_case_id if link.case_id == case_id else link.case_id
        if can_see_case(session, actor, other):
            related.append(RelatedCase(id=other, kind=link.kind, note=link.note))
    return sorted(related, key=lambda r: r.id)


def possible_links(session: Session, actor: Actor, case_id: str) -> list[PossibleLink]:
    """Other open cases with a subject of the same type and name but other identifiers: a hint
    for the coordinator, never a merge (SPEC §5 step 4: names alone never merge)."""
    mine = [
        (s.type, s.name_key, s.key, s.name)
        for s in session.execute(select(Subject).where(col(Subject.case_id) == case_id)).scalars()
        if s.name_key and s.type in NAME_LINK_TYPES
    ]
    if not mine:
        return []
    my_keys = {key for _, _, key, _ in mine if key}
    names = sorted({n for _, n, _, _ in mine if n})
    candidates = session.execute(
        select(
            col(Subject.case_id),
            col(Subject.type),
            col(Subject.name_key),
            col(Subject.key),
            col(Subject.name),
        )
        .join(Case, col(Case.id) == col(Subject.case_id))
        .where(
            col(Subject.name_key).in_(names),
            col(Subject.case_id) != case_id,
            col(Case.status) != CaseStatus.CLOSED.value,
            case_visible_to(actor),
        )
        .order_by(col(Case.opened_at).desc(), col(Case.id))
        .limit(POSSIBLE_LINKS_SHOWN * 5)
    ).all()
    wanted = {(t, n) for t, n, _, _ in mine}
    found: dict[str, PossibleLink] = {}
    for other, kind, name_key, key, name in candidates:
        if (kind, name_key) not in wanted or (key and key in my_keys) or other in found:
            continue
        found[other] = PossibleLink(
            id=other,
            subject_type=kind,
            name=name,
            reason=f"same {kind} name, different or missing identifiers",
        )
        if len(found) >= POSSIBLE_LINKS_SHOWN:
            break
    return list(found.values())


def alerts_by_label(session: Session, labels: Iterable[str]) -> dict[str, int]:
    """``SOURCE:REF`` → alert id (the first ``:`` splits: sources carry none, refs may)."""
    found: dict[str, int] = {}
    for label in labels:
        source, sep, ref = label.partition(":")
        if not sep:
            raise Invalid(f"{label!r} is not SOURCE:SOURCE_REF (e.g. HR-customs:HR-C-2026-00017)")
        alert_id = session.execute(
            select(col(Alert.id)).where(col(Alert.source) == source, col(Alert.source_ref) == ref)
        ).scalar()
        if alert_id is None:
            raise NotFound(f"no alert {label!r}", entity="alert")
        found[label] = alert_id
    return found

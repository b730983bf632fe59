"""Reading cases as the contract's JSON shapes (SPEC §5), as a viewer sees them.

Every case that leaves this module went through ``cases.kernel.sharing``: lists use
``visible_cases``, a single case ``can_see_case``, and related or possibly-linked cases the viewer
may not see are left out (a viewer never learns of such a case, not even its id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from cases.kernel.audit import history
from cases.kernel.columns import iso
from cases.kernel.db import chunks
from cases.kernel.errors import CordonError
from cases.kernel.models import (
    Alert,
    Case,
    CaseAlert,
    CaseCorridor,
    CaseJurisdiction,
    CaseLink,
    CaseStatus,
    Subject,
)
from cases.kernel.sharing import Viewer, can_see_case, case_visible_to, visible_cases
from cases.legal.views import requests_of_case

POSSIBLE_LINKS_SHOWN = 10


NAME_LINK_TYPES = ("company", "person", "vessel")


class UnknownCase(CordonError):
    pass


def _by_case(session: Session, column: Any, case_col: Any, ids: Sequence[str]) -> dict[str, list]:
    found: dict[str, list] = {i: [] for i in ids}
    for chunk in chunks(list(ids)):
        for case_id, value in session.execute(
            select(case_col, column).where(case_col.in_(chunk)).order_by(case_col, column)
        ):
            found[case_id].append(value)
    return found


def case_items(session: Session, cases: Sequence[Case]) -> list[dict[str, Any]]:
    """List items: ``{"id", "title", "status", "priority", "score", "lead_jurisdiction",
    "jurisdictions", "corridors", "alert_count", "opened_at"}``."""
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
        {
            "id": c.id,
            "title": c.title,
            "status": str(c.status),
            "priority": str(c.priority),
            "score": c.score,
            "lead_jurisdiction": c.lead_jurisdiction,
            "jurisdictions": jurisdictions[c.id],
            "corridors": corridors[c.id],
            "alert_count": counts.get(c.id, 0),
            "opened_at": iso(c.opened_at),
        }
        for c in cases
    ]


def list_cases(
    session: Session, viewer: Viewer, *, status: CaseStatus | None = None
) -> list[dict[str, Any]]:
    """The case queue the viewer may see: highest priority first, then score, then age."""
    query = visible_cases(viewer)
    if status is not None:
        query = query.where(col(Case.status) == status.value)
    query = query.order_by(
        col(Case.priority), col(Case.score).desc(), col(Case.opened_at), col(Case.id)
    )
    return case_items(session, list(session.exec(query).all()))


def get_visible_case(session: Session, viewer: Viewer, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, viewer, case_id):
        raise UnknownCase(f"no case {case_id!r} (see `cordon cases list`)")
    return case


def show_case(session: Session, viewer: Viewer, case_id: str) -> dict[str, Any]:
    """A list item plus alerts, subjects, score breakdown, related cases, requests, timeline."""
    case = get_visible_case(session, viewer, case_id)
    item = case_items(session, [case])[0]
    alerts = session.execute(
        select(Alert)
        .join(CaseAlert, col(CaseAlert.alert_id) == col(Alert.id))
        .where(col(CaseAlert.case_id) == case_id)
        .order_by(col(Alert.observed_at), col(Alert.id))
    ).scalars()
    subjects = session.execute(
        select(Subject).where(col(Subject.case_id) == case_id).order_by(col(Subject.id))
    ).scalars()
    return {
        **item,
        "outcome": str(case.outcome) if case.outcome else None,
        "sharing": str(case.sharing),
        "updated_at": iso(case.updated_at),
        "closed_at": iso(case.closed_at),
        "alerts": [
            {
                "source": a.source,
                "source_ref": a.source_ref,
                "observed_at": iso(a.observed_at),
                "jurisdiction": a.jurisdiction,
                "kind": str(a.kind),
                "indicators": a.indicators,
            }
            for a in alerts
        ],
        "subjects": [
            {
                "type": s.type,
                "key": s.key,
                "name": s.name,
                "country": s.country,
                "details": s.details,
            }
            for s in subjects
        ],
        "score_breakdown": case.score_breakdown,
        "related": related_cases(session, viewer, case_id),
        "possible_links": possible_links(session, viewer, case_id),
        "requests": requests_of_case(session, case_id, viewer),
        "timeline": [
            {"at": e.at, "actor": e.actor, "action": e.action}
            for e in history(session, case_id=case_id)
        ],
    }


def related_cases(session: Session, viewer: Viewer, case_id: str) -> list[dict[str, Any]]:
    links = session.execute(
        select(CaseLink).where(
            or_(col(CaseLink.case_id) == case_id, col(CaseLink.other_case_id) == case_id)
        )
    ).scalars()
    related = []
    for link in links:
        other = link.other_case_id if link.case_id == case_id else link.case_id
        if can_see_case(session, viewer, other):
            related.append({"id": other, "kind": link.kind, "note": link.note})
    return sorted(related, key=lambda r: r["id"])


def possible_links(session: Session, viewer: Viewer, case_id: str) -> list[dict[str, Any]]:
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
            case_visible_to(viewer),
        )
        .order_by(col(Case.opened_at).desc(), col(Case.id))
        .limit(POSSIBLE_LINKS_SHOWN * 5)
    ).all()
    wanted = {(t, n) for t, n, _, _ in mine}
    found: dict[str, dict[str, Any]] = {}
    for other, kind, name_key, key, name in candidates:
        if (kind, name_key) not in wanted or (key and key in my_keys) or other in found:
            continue
        found[other] = {
            "id": other,
            "subject_type": kind,
            "name": name,
            "reason": f"same {kind} name, different or missing identifiers",
        }
        if len(found) >= POSSIBLE_LINKS_SHOWN:
            break
    return list(found.values())


def alerts_by_label(session: Session, labels: Iterable[str]) -> dict[str, int]:
    """``SOURCE:REF`` → alert id (the first ``:`` splits: sources carry none, refs may)."""
    found: dict[str, int] = {}
    for label in labels:
        source, sep, ref = label.partition(":")
        if not sep:
            raise CordonError(
                f"{label!r} is not SOURCE:SOURCE_REF (e.g. HR-customs:HR-C-2026-00017)"
            )
        alert_id = session.execute(
            select(col(Alert.id)).where(col(Alert.source) == source, col(Alert.source_ref) == ref)
        ).scalar()
        if alert_id is None:
            raise CordonError(f"no alert {label!r}")
        found[label] = alert_id
    return found

"""Who may see what (SPEC §10) — the one place every list, show and notification asks.

A case is seen by its lead jurisdiction; with sharing ``participants`` (the default) also by every
participating jurisdiction; with ``taskforce`` also by every member of the task force. Auditors,
and the operator at the console (no ``--as``), see everything. A legal request is seen by its
requesting and requested jurisdictions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from cases.kernel.errors import CordonError
from cases.kernel.models import Case, CaseJurisdiction, Contact, Role, Sharing, TaskForce


class UnknownContact(CordonError):
    pass


@dataclass(frozen=True)
class Viewer:
    """The person a question is answered for; ``email=None`` is the operator (sees everything)."""

    email: str | None = None
    jurisdiction: str | None = None
    role: Role | None = None
    in_taskforce: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.email is None or self.role == Role.AUDITOR


OPERATOR = Viewer()


def viewer_for(session: Session, email: str | None) -> Viewer:
    """The viewer behind ``--as EMAIL``; an unknown address is a user error."""
    if email is None:
        return OPERATOR
    contact = session.get(Contact, email.strip().lower()) or session.get(Contact, email.strip())
    if contact is None or not contact.active:
        raise UnknownContact(
            f"no contact {email!r}: --as takes an e-mail address from contacts.csv"
        )
    task_force = session.get(TaskForce, 1)
    members = set(task_force.members) if task_force else set()
    return Viewer(
        email=contact.email,
        jurisdiction=contact.jurisdiction,
        role=Role(contact.role),
        in_taskforce=contact.jurisdiction in members,
    )


def case_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` that keeps the cases ``viewer`` may see."""
    if viewer.sees_everything:
        return true()
    jurisdiction = viewer.jurisdiction
    participates = exists().where(
        col(CaseJurisdiction.case_id) == col(Case.id),
        col(CaseJurisdiction.jurisdiction) == jurisdiction,
    )
    return or_(
        col(Case.lead_jurisdiction) == jurisdiction,
        and_(col(Case.sharing) != Sharing.LEAD, participates),
        and_(col(Case.sharing) == Sharing.TASKFORCE, true() if viewer.in_taskforce else false()),
    )


def visible_cases(viewer: Viewer) -> SelectOfScalar[Case]:
    """``SELECT cases`` the viewer may see; add filters and ordering to it."""
    return select(Case).where(case_visible_to(viewer))


def can_see_case(session: Session, viewer: Viewer, case_id: str) -> bool:
    if viewer.sees_everything:
        return session.get(Case, case_id) is not None
    found = session.exec(visible_cases(viewer).where(col(Case.id) == case_id)).first()
    return found is not None


def can_see_request(viewer: Viewer, requesting: str, requested: str) -> bool:
    """A legal request is visible to its requesting and requested jurisdictions (and auditors)."""
    return viewer.sees_everything or viewer.jurisdiction in (requesting, requested)

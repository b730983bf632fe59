"""Who may see what (SPEC §10) — the one place every list, show and notification asks.

A case is seen by its lead jurisdiction; with sharing ``participants`` (the default) also by every
participating jurisdiction; with ``taskforce`` also by every member of the task force. Auditors
and the operator see everything; an alert source sees nothing. A legal request is seen by its
requesting and requested jurisdictions.

The rule exists twice on purpose, in two forms that a property test holds equal:
``may_see_case`` decides for one case in memory, ``case_visible_to`` is the same rule as a SQL
condition for lists.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from cases.kernel.actor import Actor, Operator, Person
from cases.kernel.models import Case, CaseJurisdiction, Role, Sharing


def sees_everything(actor: Actor) -> bool:
    """The operator and auditors see every case and request."""
    return isinstance(actor, Operator) or (isinstance(actor, Person) and actor.role is Role.AUDITOR)


def may_see_case(
    actor: Actor, *, lead: str, jurisdictions: Collection[str], sharing: Sharing | str
) -> bool:
    """The rule for one case: its lead, its participants (unless shared with the lead only), or
    every member of the task force when shared with the task force."""
    if sees_everything(actor):
        return True
    if not isinstance(actor, Person):
        return False
    j = actor.jurisdiction
    if j == lead:
        return True
    if sharing != Sharing.LEAD and j in jurisdictions:
        return True
    return sharing == Sharing.TASKFORCE and actor.in_taskforce


def case_visible_to(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` that keeps the cases ``actor`` may see (``may_see_case``)."""
    if sees_everything(actor):
        return true()
    if not isinstance(actor, Person):
        return false()
    jurisdiction = actor.jurisdiction
    participates = exists().where(
        col(CaseJurisdiction.case_id) == col(Case.id),
        col(CaseJurisdiction.jurisdiction) == jurisdiction,
    )
    return or_(
        col(Case.lead_jurisdiction) == jurisdiction,
        and_(col(Case.sharing) != Sharing.LEAD, participates),
        and_(col(Case.sharing) == Sharing.TASKFORCE, true() if actor.in_taskforce else false()),
    )


def visible_cases(actor: Actor) -> SelectOfScalar[Case]:
    """``SELECT cases`` the actor may see; add filters and ordering to it."""
    return select(Case).where(case_visible_to(actor))


def can_see_case(session: Session, actor: Actor, case_id: str) -> bool:
    if sees_everything(actor):
        return session.get(Case, case_id) is not None
    found = session.exec(
        select(col(Case.id)).where(col(Case.id) == case_id, case_visible_to(actor))
    ).first()
    return found is not None


def can_see_request(actor: Actor, requesting: str, requested: str) -> bool:
    """A legal request is visible to its requesting and requested jurisdictions (and auditors)."""
    if sees_everything(actor):
        return True
    return isinstance(actor, Person) and actor.jurisdiction in (requesting, requested)

"""What intake validates and scores against, read from the database once a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlmodel import Session

from cases.casework.identifiers import watchlist_key
from cases.casework.records import facts_reference
from cases.intake.validation import IntakeReference
from cases.kernel.db import table
from cases.kernel.models import TaskForce
from cases.reference.models import Embargo
from cases.scenario.models import WatchlistEntry

EMBARGOES = table(Embargo)


def load_reference(
    session: Session, corridor_jurisdictions: Mapping[str, Sequence[str]]
) -> IntakeReference:
    """Weights (the catalogue, with the task force's overrides), embargoes, the watchlist, members
    and threshold. Corridors belong to ``interdiction``; the caller passes them in as plain data."""
    case_reference = facts_reference(session)
    watchlist = set()
    for kind, identifier in session.execute(
        select(WatchlistEntry.type, WatchlistEntry.identifier)  # type: ignore[call-overload]
    ):
        try:
            watchlist.add(watchlist_key(kind, identifier))
        except ValueError:
            continue  # load_watchlist refuses such rows; nothing to match against
    task_force = session.get(TaskForce, 1)
    return IntakeReference(
        indicator_weights=case_reference.indicator_weights,
        corridor_jurisdictions={code: tuple(js) for code, js in corridor_jurisdictions.items()},
        embargoed=frozenset(session.execute(select(EMBARGOES.c.state)).scalars()),
        watchlist=frozenset(watchlist),
        members=case_reference.members,
        risk_threshold=task_force.risk_threshold if task_force else 0.6,
    )

"""What intake validates and scores against, read from the database once a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import (
    select,
)
from sqlmodel import Session

from cases.casework.identifiers import watchlist_key
from cases.intake.validation import (
    IntakeReference,
)
from cases.kernel.db import table
from cases.kernel.models import (
    TaskForce,
)
from cases.reference.models import Embargo, Indicator
from cases.scenario.models import WatchlistEntry

INDICATORS = table(Indicator)


EMBARGOES = table(Embargo)


def load_reference(
    session: Session, corridor_jurisdictions: Mapping[str, Sequence[str]]
) -> IntakeReference:
    """Weights (the catalogue, with the task force's overrides), embargoes, the watchlist, members
    and threshold. Corridors belong to ``interdiction``; the caller passes them in as plain data."""
    weights = {
        code: weight
        for code, weight in session.execute(select(INDICATORS.c.code, INDICATORS.c.weight))
    }
    task_force = session.get(TaskForce, 1)
    if task_force is not None:
        weights.update({k: v for k, v in task_force.indicator_weights.items() if k in weights})
    watchlist = set()
    for kind, identifier in session.execute(
        select(WatchlistEntry.type, WatchlistEntry.identifier)  # type: ignore[call-overload]
    ):
        try:
            watchlist.add(watchlist_key(kind, identifier))
        except ValueError:
            continue  # load_watchlist refuses such rows; nothing to match against
    return IntakeReference(
        indicator_weights=weights,
        corridor_jurisdictions={code: tuple(js) for code, js in corridor_jurisdictions.items()},
        embargoed=frozenset(session.execute(select(EMBARGOES.c.state)).scalars()),
        watchlist=frozenset(watchlist),
        members=frozenset(task_force.members if task_force else ()),
        risk_threshold=task_force.risk_threshold if task_force else 0.6,
    )

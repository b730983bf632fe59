"""Small seeded planning instances for tests (the bench has its own, larger generator)."""

from __future__ import annotations

import random
from decimal import Decimal

from interdiction.problem import Corridor, CorridorKind, PlanningProblem, Team, TeamKind


def problem(corridors, teams, agreements=(), days=1, shifts_per_day=1, factors=("1",), cases=None):
    """A hand-written instance: one shift a day and risk factor 1 unless told otherwise."""
    return PlanningProblem(
        corridors=tuple(corridors),
        teams=tuple(teams),
        agreements=frozenset(agreements),
        days=days,
        shifts_per_day=shifts_per_day,
        shift_risk_factors=tuple(Decimal(f) for f in factors),
        open_cases=cases or {},
    )


def random_problem(
    seed: int,
    *,
    corridors: int = 8,
    teams: int = 8,
    jurisdictions: int = 4,
    days: int = 3,
    shifts_per_day: int = 2,
) -> PlanningProblem:
    rng = random.Random(seed)
    codes = [f"J{i}" for i in range(jurisdictions)]
    corridor_list = []
    agreements = set()
    open_cases = {}
    for i in range(corridors):
        a = rng.randrange(jurisdictions)
        b = (a + 1) % jurisdictions
        kind = rng.choice(list(CorridorKind))
        sides = (codes[a],) if rng.random() < 0.15 else (codes[a], codes[b])
        code = f"C{i}"
        corridor_list.append(Corridor(code, kind, sides, rng.randint(0, 100)))
        if rng.random() < 0.3:
            agreements.add((rng.choice(codes), code))
        if rng.random() < 0.3:
            open_cases[code] = rng.randint(0, 6)
    team_list = [
        Team(f"T{i}", rng.choice(codes), rng.choice(list(TeamKind)), rng.randint(0, 4))
        for i in range(teams)
    ]
    factors = tuple(
        Decimal(rng.choice(["0.8", "1.0", "1.3", "1.5"])) for _ in range(shifts_per_day)
    )
    return PlanningProblem(
        corridors=tuple(corridor_list),
        teams=tuple(team_list),
        agreements=frozenset(agreements),
        days=days,
        shifts_per_day=shifts_per_day,
        shift_risk_factors=factors,
        open_cases=open_cases,
    )


def clustered_problem(seed: int, *, corridors: int = 10, teams: int = 12) -> PlanningProblem:
    """Few kinds, few max_shifts values: many interchangeable teams, so groups aggregate."""
    rng = random.Random(seed)
    codes = ["A", "B", "C"]
    corridor_list = []
    for i in range(corridors):
        a = rng.randrange(3)
        kind = rng.choice([CorridorKind.LAND, CorridorKind.LAND, CorridorKind.SEA])
        corridor_list.append(
            Corridor(f"C{i}", kind, (codes[a], codes[(a + 1) % 3]), rng.randint(1, 60))
        )
    team_list = [
        Team(
            f"T{i}",
            rng.choice(codes),
            rng.choice([TeamKind.CUSTOMS, TeamKind.BORDER_POLICE, TeamKind.MARITIME]),
            rng.choice([2, 3]),
        )
        for i in range(teams)
    ]
    return PlanningProblem(
        corridors=tuple(corridor_list),
        teams=tuple(team_list),
        agreements=frozenset({("C", "C0"), ("A", "C1")} if corridors > 1 else set()),
        days=4,
        shifts_per_day=2,
        shift_risk_factors=(Decimal("1.0"), Decimal("1.3")),
        open_cases={"C0": 2},
    )


def scarce_problem(seed: int) -> PlanningProblem:
    """One or two jurisdictions, a handful of teams with mixed max_shifts over a few days.

    Small, but where the LP relaxation is most often not integral (so the MIP must decide).
    """
    rng = random.Random(seed)
    codes = ["A", "B"][: rng.choice([1, 2])]
    corridor_list = tuple(
        Corridor(f"C{i}", rng.choice(["land", "sea", "postal"]), tuple(codes), rng.randint(1, 20))
        for i in range(rng.randint(2, 4))
    )
    team_list = tuple(
        Team(
            f"T{i}",
            rng.choice(codes),
            rng.choice(["customs", "border_police", "maritime", "xray"]),
            rng.randint(1, 3),
        )
        for i in range(rng.randint(2, 5))
    )
    return PlanningProblem(
        corridors=corridor_list,
        teams=team_list,
        agreements=frozenset(),
        days=rng.randint(2, 5),
        shifts_per_day=1,
        shift_risk_factors=(Decimal(1),),
    )

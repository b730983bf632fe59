"""Seeded planning instances with a plausible geography, for bench/plan.py.

Jurisdictions sit on a ring (each borders its two neighbours); the first half of the ring has a
coastline. Corridors lie on borders between neighbours: land crossings, ports/ferries (only where
one side is coastal), airports and postal hubs. A quarter of the corridors also carry a joint-
inspection agreement for a third jurisdiction (a neighbour of one side). Teams: customs, border
police, K9, X-ray and maritime units (maritime only on the coast); K9 units work at most 4 shifts a
week, the others 5. Risk is skewed low (a few hot corridors), some corridors have open cases.
"""

from __future__ import annotations

import random
from decimal import Decimal

from interdiction.problem import Corridor, CorridorKind, PlanningProblem, Team, TeamKind

SIZES: dict[str, tuple[int, int]] = {
    "small": (30, 24),
    "medium": (100, 60),
    "large": (200, 120),
    "xl": (400, 240),
}

MAX_SHIFTS = {
    TeamKind.CUSTOMS: 5,
    TeamKind.BORDER_POLICE: 5,
    TeamKind.K9: 4,
    TeamKind.XRAY: 5,
    TeamKind.MARITIME: 5,
}


def generate(
    corridor_count: int,
    team_count: int,
    *,
    seed: int = 1,
    jurisdiction_count: int = 8,
    days: int = 7,
    shifts_per_day: int = 2,
    shift_risk_factors: tuple[str, ...] = ("1.0", "1.3"),
    varied_max_shifts: bool = False,
) -> PlanningProblem:
    rng = random.Random(seed)
    jurisdictions = [f"J{i:02d}" for i in range(jurisdiction_count)]
    coastal = set(jurisdictions[: max(1, jurisdiction_count // 2)])
    borders = [
        (jurisdictions[i], jurisdictions[(i + 1) % jurisdiction_count])
        for i in range(jurisdiction_count)
    ]
    corridors: list[Corridor] = []
    agreements: set[tuple[str, str]] = set()
    open_cases: dict[str, int] = {}
    for i in range(corridor_count):
        a, b = borders[i % len(borders)]
        kind = rng.choices(
            [CorridorKind.LAND, CorridorKind.SEA, CorridorKind.AIR, CorridorKind.POSTAL],
            weights=[50, 15, 15, 20],
        )[0]
        if kind is CorridorKind.SEA and not ({a, b} & coastal):
            kind = CorridorKind.LAND
        code = f"{a}-{b}-{kind.value.upper()}-{i:04d}"
        base_risk = max(1, min(100, round(rng.betavariate(1.6, 4.0) * 100)))
        corridors.append(Corridor(code, kind, (a, b), base_risk))
        if rng.random() < 0.25:
            ia = jurisdictions.index(a)
            third = rng.choice(
                [
                    jurisdictions[(ia - 1) % jurisdiction_count],
                    jurisdictions[(ia + 2) % jurisdiction_count],
                ]
            )
            if third not in (a, b):
                agreements.add((third, code))
        if rng.random() < 0.2:
            open_cases[code] = rng.randint(1, 6)
    teams: list[Team] = []
    for i in range(team_count):
        j = jurisdictions[i % jurisdiction_count]
        kind = rng.choices(
            [
                TeamKind.CUSTOMS,
                TeamKind.BORDER_POLICE,
                TeamKind.K9,
                TeamKind.XRAY,
                TeamKind.MARITIME,
            ],
            weights=[35, 25, 10, 15, 15],
        )[0]
        if kind is TeamKind.MARITIME and j not in coastal:
            kind = TeamKind.CUSTOMS
        max_shifts = rng.randint(3, 6) if varied_max_shifts else MAX_SHIFTS[kind]
        teams.append(Team(f"{j}-{kind.value.upper()}-{i:03d}", j, kind, max_shifts))
    return PlanningProblem(
        corridors=tuple(corridors),
        teams=tuple(teams),
        agreements=frozenset(agreements),
        days=days,
        shifts_per_day=shifts_per_day,
        shift_risk_factors=tuple(Decimal(f) for f in shift_risk_factors),
        open_cases=open_cases,
    )


def instance(size: str, seed: int = 1, **options: object) -> PlanningProblem:
    corridor_count, team_count = SIZES[size]
    return generate(corridor_count, team_count, seed=seed, **options)  # type: ignore[arg-type]

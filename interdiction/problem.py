"""The joint-inspection planning problem (SPEC §7) and the optimisation model built from it.

The input is plain frozen dataclasses: corridors, teams, joint-inspection agreements, the shift grid
and the number of open cases per corridor. :func:`build_model` turns it once into a
:class:`PlanningModel`: every corridor-shift risk, every eligible (team, corridor) pair, and the
*team groups* — teams that are interchangeable for the optimizer.

Why teams group exactly: eligibility depends only on a team's jurisdiction and kind (SPEC §3), and
the objective only on which jurisdictions are present at a corridor-shift. Teams of one jurisdiction
with the same set of eligible corridors and the same ``max_shifts`` are therefore interchangeable.
One team's week is a 0/1 vector over shifts in P = {x : 0 ≤ x ≤ 1, x_s + x_{s+1} ≤ 1, Σx ≤ K}, an
interval (hence totally unimodular) system; by Baum and Trotter's integer decomposition theorem
every integral vector in n·P is the sum of n integral vectors of P. So a group of n teams can be
planned with integer per-shift counts W_s (W_s + W_{s+1} ≤ n, ΣW ≤ n·K) and split back into n
concrete team weeks without loss (see ``interdiction.rosters.split_group_shifts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

OPEN_CASES_CAP = 4
"""SPEC §7: open cases linked to a corridor count up to this many in the risk formula."""


class CorridorKind(StrEnum):
    LAND = "land"
    SEA = "sea"
    AIR = "air"
    POSTAL = "postal"


class TeamKind(StrEnum):
    CUSTOMS = "customs"
    BORDER_POLICE = "border_police"
    K9 = "k9"
    XRAY = "xray"
    MARITIME = "maritime"


# SPEC §3: which team kinds may inspect which corridor kinds.
COMPATIBLE_TEAM_KINDS: Mapping[CorridorKind, frozenset[TeamKind]] = MappingProxyType(
    {
        CorridorKind.SEA: frozenset({TeamKind.MARITIME, TeamKind.CUSTOMS}),
        CorridorKind.LAND: frozenset(
            {TeamKind.CUSTOMS, TeamKind.BORDER_POLICE, TeamKind.K9, TeamKind.XRAY}
        ),
        CorridorKind.AIR: frozenset(
            {TeamKind.CUSTOMS, TeamKind.BORDER_POLICE, TeamKind.K9, TeamKind.XRAY}
        ),
        CorridorKind.POSTAL: frozenset({TeamKind.CUSTOMS, TeamKind.XRAY}),
    }
)


@dataclass(frozen=True)
class Corridor:
    code: str
    kind: CorridorKind
    jurisdictions: tuple[str, ...]
    base_risk: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CorridorKind(self.kind))
        object.__setattr__(self, "jurisdictions", tuple(self.jurisdictions))
        if not self.code:
            raise ValueError("corridor code must not be empty")
        if not self.jurisdictions:
            raise ValueError(f"corridor {self.code}: needs at least one jurisdiction")
        if isinstance(self.base_risk, bool) or not isinstance(self.base_risk, int):
            raise ValueError(f"corridor {self.code}: base_risk must be an integer 0..100")
        if not 0 <= self.base_risk <= 100:
            raise ValueError(f"corridor {self.code}: base_risk {self.base_risk} is not in 0..100")


@dataclass(frozen=True)
class Team:
    code: str
    jurisdiction: str
    kind: TeamKind
    max_shifts: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TeamKind(self.kind))
        if not self.code:
            raise ValueError("team code must not be empty")
        if isinstance(self.max_shifts, bool) or not isinstance(self.max_shifts, int):
            raise ValueError(f"team {self.code}: max_shifts must be an integer ≥ 0")
        if self.max_shifts < 0:
            raise ValueError(f"team {self.code}: max_shifts {self.max_shifts} is negative")


@dataclass(frozen=True, order=True)
class Assignment:
    """Team ``team`` inspects corridor ``corridor`` in shift ``shift`` (0-based, time order)."""

    team: str
    corridor: str
    shift: int

    def to_dict(self) -> dict[str, object]:
        return {"team": self.team, "corridor": self.corridor, "shift": self.shift}


def _as_decimal(value: Decimal | float | int | str) -> Decimal:
    # str() first: 1.3 becomes Decimal("1.3"), not 1.3000000000000000444…
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class PlanningProblem:
    """Everything the optimizer needs; ``agreements`` are (jurisdiction, corridor code) pairs."""

    corridors: tuple[Corridor, ...]
    teams: tuple[Team, ...]
    agreements: frozenset[tuple[str, str]]
    days: int
    shifts_per_day: int
    shift_risk_factors: tuple[Decimal, ...]
    open_cases: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "corridors", tuple(self.corridors))
        object.__setattr__(self, "teams", tuple(self.teams))
        object.__setattr__(self, "agreements", frozenset(tuple(a) for a in self.agreements))
        object.__setattr__(
            self, "shift_risk_factors", tuple(_as_decimal(f) for f in self.shift_risk_factors)
        )
        object.__setattr__(self, "open_cases", MappingProxyType(dict(self.open_cases)))
        if self.days < 1 or self.shifts_per_day < 1:
            raise ValueError("days and shifts_per_day must be at least 1")
        if len(self.shift_risk_factors) != self.shifts_per_day:
            raise ValueError(
                f"shift_risk_factors has {len(self.shift_risk_factors)} values, "
                f"expected one per shift of the day ({self.shifts_per_day})"
            )
        if any(f < 0 for f in self.shift_risk_factors):
            raise ValueError("shift_risk_factors must not be negative")
        corridor_codes = [c.code for c in self.corridors]
        _require_unique("corridor", corridor_codes)
        _require_unique("team", [t.code for t in self.teams])
        known = set(corridor_codes)
        for jurisdiction, corridor in sorted(self.agreements):
            if corridor not in known:
                raise ValueError(f"agreement {jurisdiction}→{corridor}: unknown corridor")
        for corridor, count in self.open_cases.items():
            if corridor not in known:
                raise ValueError(f"open_cases: unknown corridor {corridor}")
            if count < 0:
                raise ValueError(f"open_cases[{corridor}] = {count} is negative")

    @property
    def shift_count(self) -> int:
        return self.days * self.shifts_per_day


def _require_unique(what: str, codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {what} code {code}")
        seen.add(code)


def kinds_compatible(corridor_kind: CorridorKind, team_kind: TeamKind) -> bool:
    return TeamKind(team_kind) in COMPATIBLE_TEAM_KINDS[CorridorKind(corridor_kind)]


def may_reach(team: Team, corridor: Corridor, agreements: frozenset[tuple[str, str]]) -> bool:
    """The team's jurisdiction touches the corridor or holds an agreement for it (SPEC §3)."""
    return (
        team.jurisdiction in corridor.jurisdictions
        or (team.jurisdiction, corridor.code) in agreements
    )


def is_eligible(team: Team, corridor: Corridor, agreements: frozenset[tuple[str, str]]) -> bool:
    """SPEC §7: the team may be assigned to the corridor at all."""
    return kinds_compatible(corridor.kind, team.kind) and may_reach(team, corridor, agreements)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def corridor_shift_risk(base_risk: int, shift_factor: Decimal, open_cases: int) -> int:
    """SPEC §7: r = round_half_up(base_risk × factor × (1 + 0.5 × min(open_cases, 4)))."""
    multiplier = 1 + Decimal("0.5") * min(open_cases, OPEN_CASES_CAP)
    return round_half_up(Decimal(base_risk) * _as_decimal(shift_factor) * multiplier)


@dataclass(frozen=True)
class TeamGroup:
    """Interchangeable teams: one jurisdiction, the same eligible corridors, the same max_shifts."""

    jurisdiction: str
    max_shifts: int
    team_codes: tuple[str, ...]
    corridors: tuple[int, ...]  # indices into PlanningModel.corridors

    @property
    def size(self) -> int:
        return len(self.team_codes)


@dataclass(frozen=True)
class PlanningModel:
    """The problem as optimisation data, indexed by position (corridor c, team t, shift s)."""

    problem: PlanningProblem
    corridors: tuple[Corridor, ...]
    teams: tuple[Team, ...]
    shift_count: int
    risk: tuple[tuple[int, ...], ...]  # risk[c][s]
    eligible_corridors: tuple[tuple[int, ...], ...]  # per team t: corridor indices
    groups: tuple[TeamGroup, ...]
    group_of_team: tuple[int, ...]  # -1: the team can never be planned
    groups_at_corridor: tuple[tuple[int, ...], ...]  # per corridor c: group indices
    corridor_index: Mapping[str, int]
    team_index: Mapping[str, int]

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        return tuple(sorted({t.jurisdiction for t in self.teams}))

    def max_presence(self, corridor: int) -> int:
        """How many jurisdictions can count at a corridor-shift: 0, 1 or 2 (a joint inspection)."""
        jurisdictions = {self.groups[g].jurisdiction for g in self.groups_at_corridor[corridor]}
        return min(2, len(jurisdictions))

    def total_risk(self) -> int:
        return sum(sum(row) for row in self.risk)


def build_model(problem: PlanningProblem, *, group_teams: bool = True) -> PlanningModel:
    """Index the problem; ``group_teams=False`` keeps every team in a group of its own (used to
    measure what aggregation buys; the optimum is the same)."""
    corridors = problem.corridors
    teams = problem.teams
    shift_count = problem.shift_count
    risk = tuple(
        tuple(
            corridor_shift_risk(
                corridor.base_risk,
                problem.shift_risk_factors[s % problem.shifts_per_day],
                problem.open_cases.get(corridor.code, 0),
            )
            for s in range(shift_count)
        )
        for corridor in corridors
    )
    eligible = tuple(
        tuple(
            c
            for c, corridor in enumerate(corridors)
            if is_eligible(team, corridor, problem.agreements)
        )
        for team in teams
    )
    # Teams with no eligible corridor or no shifts can never be planned: they join no group.
    keyed: dict[tuple[str, int, tuple[int, ...], int], list[int]] = {}
    for t, team in enumerate(teams):
        if eligible[t] and team.max_shifts > 0:
            alone = -1 if group_teams else t
            keyed.setdefault((team.jurisdiction, team.max_shifts, eligible[t], alone), []).append(t)
    groups: list[TeamGroup] = []
    group_of_team = [-1] * len(teams)
    for (jurisdiction, max_shifts, corridor_indices, _), members in sorted(keyed.items()):
        for t in members:
            group_of_team[t] = len(groups)
        groups.append(
            TeamGroup(
                jurisdiction=jurisdiction,
                max_shifts=max_shifts,
                team_codes=tuple(teams[t].code for t in members),
                corridors=corridor_indices,
            )
        )
    groups_at_corridor: list[list[int]] = [[] for _ in corridors]
    for g, group in enumerate(groups):
        for c in group.corridors:
            groups_at_corridor[c].append(g)
    return PlanningModel(
        problem=problem,
        corridors=corridors,
        teams=teams,
        shift_count=shift_count,
        risk=risk,
        eligible_corridors=eligible,
        groups=tuple(groups),
        group_of_team=tuple(group_of_team),
        groups_at_corridor=tuple(tuple(gs) for gs in groups_at_corridor),
        corridor_index=MappingProxyType({c.code: i for i, c in enumerate(corridors)}),
        team_index=MappingProxyType({t.code: i for i, t in enumerate(teams)}),
    )

"""Independent plan checker (SPEC §7): does a roster obey every rule, and what is it worth?

Deliberately shares no logic with the optimizer: it reads only the input dataclasses and
re-implements kind compatibility, eligibility (agreements included) and the risk formula here,
so a mistake in ``interdiction.problem`` or ``interdiction.solve`` cannot hide itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from interdiction.problem import Assignment, PlanningProblem


class Rule(StrEnum):
    UNKNOWN_TEAM = "unknown_team"
    UNKNOWN_CORRIDOR = "unknown_corridor"
    SHIFT_RANGE = "shift_range"
    KIND_COMPATIBILITY = "kind_compatibility"
    AGREEMENT = (
        "agreement"  # the team's jurisdiction neither touches the corridor nor has an agreement
    )
    ONE_CORRIDOR_PER_SHIFT = "one_corridor_per_shift"
    NO_CONSECUTIVE_SHIFTS = "no_consecutive_shifts"
    MAX_SHIFTS = "max_shifts"


@dataclass(frozen=True)
class Violation:
    rule: Rule
    message: str


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    objective: int  # Σ r[c,s] × (covered + joint) over the valid assignments
    covered_risk: int
    joint_risk: int

    @property
    def ok(self) -> bool:
        return not self.violations


# SPEC §3, written out again on purpose (see module docstring).
_TEAM_KINDS_FOR = {
    "sea": {"maritime", "customs"},
    "land": {"customs", "border_police", "k9", "xray"},
    "air": {"customs", "border_police", "k9", "xray"},
    "postal": {"customs", "xray"},
}


def risk_of(base_risk: int, factor: Decimal, open_cases: int) -> int:
    """SPEC §7 risk, exact in decimal arithmetic: open cases count up to 4, halves round up."""
    exact = Decimal(base_risk) * Decimal(str(factor)) * (1 + Decimal(min(open_cases, 4)) / 2)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_plan(problem: PlanningProblem, assignments: Iterable[Assignment]) -> CheckReport:
    teams = {t.code: t for t in problem.teams}
    corridors = {c.code: c for c in problem.corridors}
    shift_count = problem.days * problem.shifts_per_day
    violations: list[Violation] = []
    valid: list[Assignment] = []
    for a in assignments:
        team = teams.get(a.team)
        corridor = corridors.get(a.corridor)
        if team is None:
            violations.append(Violation(Rule.UNKNOWN_TEAM, f"{a}: no team {a.team!r}"))
            continue
        if corridor is None:
            violations.append(Violation(Rule.UNKNOWN_CORRIDOR, f"{a}: no corridor {a.corridor!r}"))
            continue
        if not isinstance(a.shift, int) or not 0 <= a.shift < shift_count:
            violations.append(
                Violation(Rule.SHIFT_RANGE, f"{a}: shift {a.shift} is outside 0..{shift_count - 1}")
            )
            continue
        if str(team.kind) not in _TEAM_KINDS_FOR[str(corridor.kind)]:
            violations.append(
                Violation(
                    Rule.KIND_COMPATIBILITY,
                    f"{a}: a {team.kind} team cannot inspect a {corridor.kind} corridor",
                )
            )
            continue
        if (
            team.jurisdiction not in corridor.jurisdictions
            and (
                team.jurisdiction,
                corridor.code,
            )
            not in problem.agreements
        ):
            violations.append(
                Violation(
                    Rule.AGREEMENT,
                    f"{a}: {team.jurisdiction} does not touch {corridor.code} "
                    "and has no agreement for it",
                )
            )
            continue
        valid.append(a)

    shifts_of: dict[str, dict[int, list[str]]] = {}
    for a in valid:
        shifts_of.setdefault(a.team, {}).setdefault(a.shift, []).append(a.corridor)
    for code, by_shift in sorted(shifts_of.items()):
        for shift, places in sorted(by_shift.items()):
            if len(places) > 1:
                violations.append(
                    Violation(
                        Rule.ONE_CORRIDOR_PER_SHIFT,
                        f"team {code} is at {len(places)} corridors in shift {shift}: "
                        f"{sorted(places)}",
                    )
                )
            if shift + 1 in by_shift:
                violations.append(
                    Violation(
                        Rule.NO_CONSECUTIVE_SHIFTS,
                        f"team {code} works consecutive shifts {shift} and {shift + 1}",
                    )
                )
        if len(by_shift) > teams[code].max_shifts:
            violations.append(
                Violation(
                    Rule.MAX_SHIFTS,
                    f"team {code} works {len(by_shift)} shifts, "
                    f"max_shifts is {teams[code].max_shifts}",
                )
            )

    present: dict[tuple[str, int], set[str]] = {}
    for a in valid:
        present.setdefault((a.corridor, a.shift), set()).add(teams[a.team].jurisdiction)
    covered_risk = 0
    joint_risk = 0
    for (code, shift), jurisdictions in present.items():
        corridor = corridors[code]
        r = risk_of(
            corridor.base_risk,
            problem.shift_risk_factors[shift % problem.shifts_per_day],
            problem.open_cases.get(code, 0),
        )
        covered_risk += r
        if len(jurisdictions) >= 2:
            joint_risk += r
    return CheckReport(
        violations=tuple(violations),
        objective=covered_risk + joint_risk,
        covered_risk=covered_risk,
        joint_risk=joint_risk,
    )

"""Why risk is left unmet in a plan (SPEC §7 reasons), decided per corridor-shift.

A corridor-shift with risk r > 0 is *unmet* when it is not jointly inspected:
- part ``coverage``: no team at all (the plan forgoes r for coverage and r for the joint bonus);
- part ``joint``: teams of one jurisdiction only (the plan forgoes the joint bonus r).
Both matter to a coordinator: the first is an open door, the second a missed joint inspection.
Each unmet entry reports the corridor-shift's risk r and one reason, decided in this order about
the teams that could fill the missing part — teams of a jurisdiction not already present:

1. ``NO_ELIGIBLE_TEAM`` — none of them is of a kind compatible with the corridor (SPEC §3).
2. ``NO_AGREEMENT`` — some are kind-compatible, but none of their jurisdictions touches the
   corridor or holds an agreement for it: an agreement would open it up.
3. ``SUPPLY_LIMIT`` — eligible teams exist but all of them are used up for that shift: each has
   worked all its max_shifts, or works the shift before or after (no consecutive shifts).
4. ``OUTCOMPETED`` — some eligible team was free for that shift (shifts to spare, not resting)
   but was on duty at another corridor in it: worth more there. (A free team idle in that shift
   — possible only in a plan not proven optimal — also counts here; the evidence says so.)

So when every team's max_shifts binds (the usual state of a stretched task force), uncovered
corridor-shifts read SUPPLY_LIMIT: more team-shifts would help. OUTCOMPETED means the teams had
shifts left and the plan chose to spend this shift elsewhere.

The evidence line names the teams concerned and, when the LP relaxation was solved, the shadow
price of one more shift for an eligible team (LP dual of its group's max_shifts row): the risk
points the plan would gain if that team could work one shift more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from interdiction.problem import (
    Assignment,
    PlanningProblem,
    Team,
    corridor_shift_risk,
    kinds_compatible,
    may_reach,
)


class UnmetReason(StrEnum):
    NO_AGREEMENT = "NO_AGREEMENT"
    NO_ELIGIBLE_TEAM = "NO_ELIGIBLE_TEAM"
    SUPPLY_LIMIT = "SUPPLY_LIMIT"
    OUTCOMPETED = "OUTCOMPETED"


class UnmetPart(StrEnum):
    COVERAGE = "coverage"  # nobody inspects the corridor-shift
    JOINT = "joint"  # one jurisdiction inspects it, a second is missing


@dataclass(frozen=True)
class UnmetRisk:
    corridor: str
    shift: int
    risk: int
    reason: UnmetReason
    part: UnmetPart
    evidence: str

    def to_dict(self) -> dict[str, object]:
        """SPEC §7's unmet entry, with which part is missing and the evidence for the reason."""
        return {
            "corridor": self.corridor,
            "shift": self.shift,
            "risk": self.risk,
            "reason": str(self.reason),
            "part": str(self.part),
            "evidence": self.evidence,
        }


def explain_unmet(
    problem: PlanningProblem,
    assignments: Iterable[Assignment],
    team_shift_value: Mapping[str, float] | None = None,
) -> list[UnmetRisk]:
    """Every corridor-shift with risk > 0 that is not jointly inspected, highest risk first."""
    teams = {t.code: t for t in problem.teams}
    shifts_of: dict[str, dict[int, str]] = {code: {} for code in teams}
    present: dict[tuple[str, int], set[str]] = {}
    for a in assignments:
        shifts_of[a.team][a.shift] = a.corridor
        present.setdefault((a.corridor, a.shift), set()).add(teams[a.team].jurisdiction)
    prices = team_shift_value or {}
    unmet: list[UnmetRisk] = []
    for corridor in problem.corridors:
        compatible = [t for t in problem.teams if kinds_compatible(corridor.kind, t.kind)]
        eligible = [t for t in compatible if may_reach(t, corridor, problem.agreements)]
        for s in range(problem.shift_count):
            here = present.get((corridor.code, s), set())
            if len(here) >= 2:
                continue
            r = corridor_shift_risk(
                corridor.base_risk,
                problem.shift_risk_factors[s % problem.shifts_per_day],
                problem.open_cases.get(corridor.code, 0),
            )
            if r <= 0:
                continue
            part = UnmetPart.JOINT if here else UnmetPart.COVERAGE
            others = [t for t in compatible if t.jurisdiction not in here]
            candidates = [t for t in eligible if t.jurisdiction not in here]
            reason, evidence = _reason(
                corridor.code, s, here, others, candidates, shifts_of, prices
            )
            unmet.append(UnmetRisk(corridor.code, s, r, reason, part, evidence))
    unmet.sort(key=lambda u: (-u.risk, u.corridor, u.shift))
    return unmet


def _reason(
    corridor: str,
    shift: int,
    here: set[str],
    compatible: list[Team],
    eligible: list[Team],
    shifts_of: Mapping[str, Mapping[int, str]],
    prices: Mapping[str, float],
) -> tuple[UnmetReason, str]:
    if not compatible:
        other = " other" if here else ""
        return UnmetReason.NO_ELIGIBLE_TEAM, f"no{other} team of a kind that can inspect {corridor}"
    if not eligible:
        outside = sorted({t.jurisdiction for t in compatible})
        return (
            UnmetReason.NO_AGREEMENT,
            f"compatible teams of {', '.join(outside)} lack an agreement for {corridor}",
        )
    resting: list[Team] = []
    at_max: list[Team] = []
    on_duty: list[Team] = []
    idle: list[Team] = []
    for t in eligible:
        worked = shifts_of[t.code]
        if len(worked) >= t.max_shifts:
            at_max.append(t)
        elif shift in worked:
            on_duty.append(t)
        elif shift - 1 in worked or shift + 1 in worked:
            resting.append(t)
        else:
            idle.append(t)
    if on_duty or idle:
        parts = [f"{t.code} at {shifts_of[t.code][shift]}" for t in on_duty[:3]]
        if idle:
            parts.append(f"{len(idle)} idle (plan not proven optimal)")
        return (
            UnmetReason.OUTCOMPETED,
            f"{len(on_duty) + len(idle)} eligible team(s) free in shift {shift} with shifts "
            "to spare: " + "; ".join(parts),
        )
    best: dict[str, float] = {}
    for t in eligible:
        best[t.jurisdiction] = max(best.get(t.jurisdiction, 0.0), prices.get(t.code, 0.0))
    price = "; ".join(
        f"one more shift for a team of {j} is worth ≈ {value:.1f}"
        for j, value in sorted(best.items())
        if value > 0
    )
    evidence = (
        f"all {len(eligible)} eligible team(s) used up: {len(at_max)} at max_shifts, "
        f"{len(resting)} resting (no consecutive shifts)"
    )
    return UnmetReason.SUPPLY_LIMIT, evidence + (f"; {price}" if price else "")

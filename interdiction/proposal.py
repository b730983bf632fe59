"""The inspection plan a coordinator reviews (SPEC §7): roster, coverage, unmet risk and KPIs.

``propose_plan`` is the domain entry point for ``cordon plan`` and the ``plan_inspections`` flow:
solve, explain, summarise. ``InspectionPlan.to_dict()`` is exactly SPEC §7's JSON object; the
store assigns ``plan_id`` later (``with_plan_id``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from cases.kernel.errors import Invalid
from interdiction.engines import CpSatSettings
from interdiction.explain import UnmetPart, UnmetReason, UnmetRisk, explain_unmet
from interdiction.models import PlanMode
from interdiction.problem import Assignment, PlanningModel, PlanningProblem, build_model
from interdiction.randomized import sample_roster, solve_mixed_strategy
from interdiction.solve import Engine, SolveResult, SolveStatus, relative_gap, solve_assignments

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class CorridorShiftCoverage:
    corridor: str
    shift: int
    teams: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    joint: bool
    risk: int

    def to_dict(self) -> dict[str, object]:
        return {
            "corridor": self.corridor,
            "shift": self.shift,
            "teams": list(self.teams),
            "jurisdictions": list(self.jurisdictions),
            "joint": self.joint,
            "risk": self.risk,
        }


@dataclass(frozen=True)
class InspectionPlan:
    status: SolveStatus
    objective: int | None
    bound: int | None
    gap: float | None
    engine: str
    seconds: float
    assignments: tuple[Assignment, ...]
    coverage: tuple[CorridorShiftCoverage, ...]
    unmet: tuple[UnmetRisk, ...]
    kpis: dict[str, object] = field(default_factory=dict)
    plan_id: str | None = None

    def with_plan_id(self, plan_id: str) -> InspectionPlan:
        return dataclasses.replace(self, plan_id=plan_id)

    def to_dict(self) -> dict[str, object]:
        """SPEC §7's JSON object, key for key."""
        return {
            "plan_id": self.plan_id,
            "status": str(self.status),
            "objective": self.objective,
            "bound": self.bound,
            "gap": None if self.gap is None else round(self.gap, 6),
            "engine": self.engine,
            "seconds": round(self.seconds, 3),
            "assignments": [a.to_dict() for a in self.assignments],
            "coverage": [c.to_dict() for c in self.coverage],
            "unmet": [u.to_dict() for u in self.unmet],
            "kpis": self.kpis,
        }


def propose_plan(
    problem: PlanningProblem,
    *,
    engine: Engine | str = Engine.AUTO,
    time_limit_s: float = 30.0,
    warm_start: Iterable[Assignment] = (),
    cpsat: CpSatSettings | None = None,
    plan_id: str | None = None,
) -> InspectionPlan:
    """Solve, explain what is left unmet, and summarise: a plan ready to be stored as proposed."""
    model = build_model(problem)
    result = solve_assignments(
        model, engine=engine, time_limit_s=time_limit_s, warm_start=warm_start, cpsat=cpsat
    )
    return plan_from_result(model, result, plan_id=plan_id)


def plan_from_result(
    model: PlanningModel,
    result: SolveResult,
    *,
    plan_id: str | None = None,
    extra_kpis: Mapping[str, object] | None = None,
) -> InspectionPlan:
    problem = model.problem
    coverage = corridor_shift_coverage(model, result.assignments)
    unmet = explain_unmet(problem, result.assignments, result.shadow_prices.team_shift_value)
    kpis = plan_kpis(model, result.assignments, coverage, unmet)
    kpis["shift_value_by_jurisdiction"] = {
        j: round(v, 2) for j, v in sorted(result.shadow_prices.jurisdiction_shift_value.items())
    }
    kpis["solver"] = {
        "formulation": str(result.formulation),
        "lp_bound": result.lp_bound,
        "solver_bound": result.solver_bound,
    }
    if extra_kpis:
        kpis.update(extra_kpis)
    return InspectionPlan(
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        engine=result.engine,
        seconds=result.seconds,
        assignments=result.assignments,
        coverage=tuple(coverage),
        unmet=tuple(unmet),
        kpis=kpis,
        plan_id=plan_id,
    )


def corridor_shift_coverage(
    model: PlanningModel, assignments: Iterable[Assignment]
) -> list[CorridorShiftCoverage]:
    teams_at: dict[tuple[str, int], list[str]] = {}
    for a in assignments:
        teams_at.setdefault((a.corridor, a.shift), []).append(a.team)
    coverage = []
    for (corridor, shift), codes in sorted(teams_at.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        jurisdictions = sorted({model.teams[model.team_index[t]].jurisdiction for t in codes})
        coverage.append(
            CorridorShiftCoverage(
                corridor=corridor,
                shift=shift,
                teams=tuple(sorted(codes)),
                jurisdictions=tuple(jurisdictions),
                joint=len(jurisdictions) >= 2,
                risk=model.risk[model.corridor_index[corridor]][shift],
            )
        )
    return coverage


def plan_kpis(
    model: PlanningModel,
    assignments: Iterable[Assignment],
    coverage: Iterable[CorridorShiftCoverage],
    unmet: Iterable[UnmetRisk],
) -> dict[str, object]:
    """Summary figures; risks are in the objective's units (Σ r over corridor-shifts)."""
    coverage = list(coverage)
    unmet = list(unmet)
    assignments = list(assignments)
    total_risk = model.total_risk()
    covered_risk = sum(c.risk for c in coverage)
    joint_risk = sum(c.risk for c in coverage if c.joint)
    longest_week = (model.shift_count + 1) // 2  # no two consecutive shifts
    by_reason = {str(reason): 0 for reason in UnmetReason}
    for u in unmet:
        by_reason[str(u.reason)] += u.risk

    def pct(part: int) -> float:
        return round(100.0 * part / total_risk, 2) if total_risk else 0.0

    return {
        "objective": covered_risk + joint_risk,
        "total_risk": total_risk,
        "covered_risk": covered_risk,
        "joint_risk": joint_risk,
        "coverage_pct": pct(covered_risk),
        "joint_pct": pct(joint_risk),
        "uncovered_risk": sum(u.risk for u in unmet if u.part is UnmetPart.COVERAGE),
        "missed_joint_risk": sum(u.risk for u in unmet if u.part is UnmetPart.JOINT),
        "corridor_shifts": len(model.corridors) * model.shift_count,
        "corridor_shifts_covered": len(coverage),
        "corridor_shifts_joint": sum(1 for c in coverage if c.joint),
        "team_shifts_used": len(assignments),
        "team_shifts_available": sum(min(t.max_shifts, longest_week) for t in model.teams),
        "teams_used": len({a.team for a in assignments}),
        "teams": len(model.teams),
        "unmet_risk_by_reason": by_reason,
    }


def propose_randomized_plan(
    problem: PlanningProblem,
    *,
    seed: int = 0,
    time_limit_s: float = 60.0,
    max_worst_case_loss: float | None = None,
    plan_id: str | None = None,
) -> InspectionPlan:
    """SPEC §7, mode randomized: one roster drawn with ``seed`` from the minimax mixture.

    ``objective``/``bound``/``status`` describe the drawn roster against the deterministic bound
    (it is FEASIBLE, OPTIMAL only if it happens to reach that bound); the game's figures — worst
    expected loss, its lower bound, expected covered risk beside the deterministic plan's — are in
    ``kpis["randomized"]``.
    """
    model = build_model(problem)
    mixed = solve_mixed_strategy(
        model, time_limit_s=time_limit_s, max_worst_case_loss=max_worst_case_loss
    )
    k = sample_roster(mixed, seed)
    roster = mixed.rosters[k]
    deterministic = mixed.deterministic
    bound = deterministic.bound
    status = (
        SolveStatus.OPTIMAL
        if bound is not None and roster.objective >= bound
        else SolveStatus.FEASIBLE
    )
    result = SolveResult(
        status=status,
        objective=roster.objective,
        bound=bound,
        gap=relative_gap(roster.objective, bound),
        engine="highs",
        formulation=deterministic.formulation,
        seconds=mixed.seconds,
        assignments=roster.assignments,
        solver_bound=deterministic.solver_bound,
        lp_bound=deterministic.lp_bound,
        shadow_prices=deterministic.shadow_prices,
    )
    game = {
        "worst_case_loss": round(mixed.worst_case_loss, 3),
        "worst_case_loss_lower_bound": round(mixed.lower_bound, 3),
        "worst_case_gap": round(mixed.gap, 6),
        "converged": mixed.converged,
        "expected_objective": round(mixed.expected_objective, 3),
        "expected_covered_risk": round(mixed.expected_covered_risk, 3),
        "deterministic_objective": deterministic.objective,
        "deterministic_covered_risk": mixed.deterministic_covered_risk,
        "deterministic_worst_case_loss": mixed.deterministic_worst_case_loss,
        "columns": len(mixed.rosters),
        "support_size": len(mixed.support),
        "iterations": mixed.iterations,
        "seed": seed,
        "sampled_roster": k,
        "sampled_probability": round(mixed.probabilities[k], 6),
    }
    return plan_from_result(model, result, plan_id=plan_id, extra_kpis={"randomized": game})


@dataclass(frozen=True)
class PlanOptions:
    """How a plan is to be computed, checked before any solving."""

    engine: Engine
    mode: PlanMode
    time_limit_s: float
    seed: int | None


def plan_options(*, engine: str, mode: str, seed: int | None, time_limit_s: float) -> PlanOptions:
    """Refuse options that do not fit together (``Invalid`` names the option and the choices)."""
    chosen_mode = _choice(PlanMode, mode, "mode")
    chosen_engine = _choice(Engine, engine, "engine")
    if chosen_mode is PlanMode.RANDOMIZED and chosen_engine is Engine.CPSAT:
        raise Invalid("mode randomized solves with HiGHS: choose engine auto or highs")
    if chosen_mode is PlanMode.COVERAGE and seed is not None:
        raise Invalid("a seed draws a roster of mode randomized: choose mode randomized")
    if not math.isfinite(time_limit_s) or time_limit_s <= 0:
        raise Invalid(f"time limit {time_limit_s}: give a positive number of seconds")
    return PlanOptions(chosen_engine, chosen_mode, time_limit_s, seed)


def _choice(kind: type[E], value: str, name: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        choices = ", ".join(str(member) for member in kind)
        raise Invalid(f"{name} {value!r}: use {choices}") from None

"""Solve the inspection planning problem (SPEC §7): a roster of assignments, with status and bound.

On the aggregated formulation (``interdiction.formulation``, the default) the steps are:
1. greedy plan (or the warm start, repaired) — an incumbent and a complete hint;
2. LP relaxation (HiGHS dual simplex): the bound, the shadow prices for explain, and a plan
   (its integral part completed greedily). On this model the LP vertex is usually integral, and
   then the plan meets floor(LP bound): optimal, proven, in well under a second;
3. otherwise an LP-guided neighbourhood MIP (variables of the groups and corridor-shifts with a
   fractional LP value free, the rest fixed at the LP value), which usually reaches the bound;
4. otherwise the full MIP with the best plan as start: ``highs`` (HiGHS through OR-Tools MathOpt),
   ``cpsat`` (CP-SAT as allocation.md §0 prescribes for 2 cores: explicit workers, ``max_lp_sym``,
   complete hint — plus floor(LP bound) as an objective cap, so it can stop on reaching it), or
   ``auto``: HiGHS for 3/4 of the remaining time, then CP-SAT from HiGHS's best plan if unproven.
With ``engine="cpsat"`` step 3 is skipped and CP-SAT runs whenever MIN_STEP_S is left. The
``textbook`` formulation is solved as is (no hint, no LP step): it is the comparison baseline.

Reporting rules: ``objective`` is recomputed from the returned roster; ``bound`` is the tighter of
the solver's proven bound and the LP relaxation's, rounded down to an integer (every plan's
objective is an integer); ``status`` is OPTIMAL only when objective = bound, i.e. proven — by the
MIP solver or by the LP bound. ``seconds`` is wall time from the call, model building included.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from interdiction.engines import CpSatSettings, EngineOutcome, solve_with_cpsat, solve_with_highs
from interdiction.formulation import (
    AggregatedProgram,
    Formulation,
    aggregated_program,
    restricted,
    textbook_program,
)
from interdiction.problem import Assignment, PlanningModel, PlanningProblem, build_model
from interdiction.rosters import (
    greedy_group_plan,
    group_counts_from_assignments,
    plan_value,
    rosters_from_group_counts,
)

MIN_STEP_S = 1.0
"""A solver step starts only with at least this much time left: solvers cannot always stop
within a few milliseconds of their limit on large models (presolve, root LP), and starting one
with almost no time left would overrun ``time_limit_s`` by far more than it could gain."""


class Engine(StrEnum):
    AUTO = "auto"
    HIGHS = "highs"
    CPSAT = "cpsat"


class SolveStatus(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class ShadowPrices:
    """LP duals as evidence for explain: what one more shift of a team would be worth."""

    team_shift_value: dict[str, float] = field(default_factory=dict)
    jurisdiction_shift_value: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SolveResult:
    status: SolveStatus
    objective: int | None
    bound: int | None
    gap: float | None
    engine: str
    formulation: Formulation
    seconds: float
    assignments: tuple[Assignment, ...]
    solver_bound: float | None = None
    lp_bound: float | None = None
    details: dict[str, object] = field(default_factory=dict)
    shadow_prices: ShadowPrices = field(default_factory=ShadowPrices)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound − objective| / max(1, |bound|) (allocation.md §4)."""
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(1.0, abs(bound))


def integer_bound(*bounds: float | None) -> int | None:
    known = [b for b in bounds if b is not None and math.isfinite(b)]
    if not known:
        return None
    return math.floor(min(known) + 1e-6)


def lp_relaxation(program: AggregatedProgram, time_limit_s: float = 60.0) -> EngineOutcome:
    """The LP relaxation of the aggregated program (bound and row duals)."""
    return solve_with_highs(
        program.program, time_limit_s=time_limit_s, integral_objective=False, relax=True
    )


def _chosen_from_values(
    program: AggregatedProgram, values: Sequence[float]
) -> set[tuple[int, int, int]]:
    return {key for key, value in zip(program.keys, values, strict=True) if value > 0.5}


def _hint(program: AggregatedProgram, chosen: Iterable[tuple[int, int, int]]) -> dict[int, float]:
    position = {key: i for i, key in enumerate(program.keys)}
    return {position[key]: 1.0 for key in chosen if key in position}


def solve_assignments(
    problem: PlanningProblem | PlanningModel,
    *,
    engine: Engine | str = Engine.AUTO,
    formulation: Formulation | str = Formulation.AGGREGATED,
    time_limit_s: float = 30.0,
    warm_start: Iterable[Assignment] = (),
    cpsat: CpSatSettings | None = None,
    lp_first: bool = True,
    verbose: bool = False,
) -> SolveResult:
    """Best roster found within ``time_limit_s`` (model building and roster splitting included)."""
    started = time.perf_counter()
    model = problem if isinstance(problem, PlanningModel) else build_model(problem)
    engine = Engine(engine)
    formulation = Formulation(formulation)
    settings = cpsat or CpSatSettings()
    if formulation is Formulation.TEXTBOOK:
        return _solve_textbook(model, engine, time_limit_s, settings, verbose, started)

    program = aggregated_program(model)
    lp = program.program
    incumbent = greedy_group_plan(model, start=group_counts_from_assignments(model, warm_start))
    details: dict[str, object] = {
        "variables": lp.variable_count,
        "constraints": len(lp.rows),
        "nonzeros": lp.nonzero_count,
        "groups": len(model.groups),
        "greedy_objective": _value(model, incumbent),
    }
    solver_bound: float | None = None
    lp_bound: float | None = None
    prices = ShadowPrices()
    engines_used: list[str] = []

    def remaining() -> float:
        return time_limit_s - (time.perf_counter() - started)

    def proven() -> bool:
        bound = integer_bound(solver_bound, lp_bound)
        return bound is not None and _value(model, incumbent) >= bound

    if lp_first:
        # The LP relaxation is tight here (often integral): it may prove optimality on its own,
        # it bounds CP-SAT, and its duals price the teams' shifts for explain.
        relaxed = lp_relaxation(program, time_limit_s=max(0.1, remaining()))
        details["lp"] = relaxed.details
        if relaxed.values is not None and relaxed.bound is not None:
            lp_bound = relaxed.bound
            if relaxed.row_duals is not None:
                prices = _shadow_prices(model, program, relaxed.row_duals)
            fractional = [
                key
                for key, v in zip(program.keys, relaxed.values, strict=True)
                if 1e-6 < v < 1 - 1e-6
            ]
            details["lp_fractional"] = len(fractional)
            whole = {
                key for key, v in zip(program.keys, relaxed.values, strict=True) if v >= 1 - 1e-6
            }
            rounded = greedy_group_plan(model, start=whole)
            if _value(model, rounded) > _value(model, incumbent):
                incumbent = rounded
            if (
                fractional
                and not proven()
                and engine is not Engine.CPSAT
                and remaining() > MIN_STEP_S
            ):
                step = time.perf_counter()
                found = _lp_neighbourhood(
                    program, relaxed.values, fractional, incumbent, 0.4 * remaining(), verbose
                )
                details["neighbourhood"] = {
                    "objective": None if found is None else _value(model, found),
                    "seconds": round(time.perf_counter() - step, 3),
                }
                if found is not None and _value(model, found) > _value(model, incumbent):
                    incumbent = found
        details["proved_by_lp"] = proven()
    if engine in (Engine.HIGHS, Engine.AUTO) and not proven() and remaining() > MIN_STEP_S:
        share = remaining() if engine is Engine.HIGHS else 0.75 * remaining()
        outcome = solve_with_highs(
            lp,
            time_limit_s=share,
            integral_objective=True,
            hint=_hint(program, incumbent),
            presolve=False,
            verbose=verbose,
        )
        engines_used.append("highs")
        details["highs"] = outcome.details
        solver_bound = outcome.bound
        if outcome.values is not None:
            found = _chosen_from_values(program, outcome.values)
            if _value(model, found) >= _value(model, incumbent):
                incumbent = found
    if remaining() > MIN_STEP_S and (
        engine is Engine.CPSAT or (engine is Engine.AUTO and not proven())
    ):
        outcome = solve_with_cpsat(
            lp,
            time_limit_s=max(0.1, remaining()),
            settings=settings,
            hint=_hint(program, incumbent),
            objective_cap=integer_bound(solver_bound, lp_bound),
            verbose=verbose,
        )
        engines_used.append("cpsat")
        details["cpsat"] = outcome.details
        if outcome.bound is not None:
            solver_bound = (
                outcome.bound if solver_bound is None else min(solver_bound, outcome.bound)
            )
        if outcome.values is not None:
            found = _chosen_from_values(program, outcome.values)
            if _value(model, found) >= _value(model, incumbent):
                incumbent = found
    if "cpsat" in engines_used and engine is Engine.CPSAT:
        engines_used = ["cpsat"]  # the LP only bounded and hinted it
    elif not engines_used:
        engines_used = ["highs"]  # the plan comes from the HiGHS LP (and neighbourhood MIP)
    assignments = tuple(rosters_from_group_counts(model, incumbent))
    objective = plan_value(model, assignments)
    bound = integer_bound(solver_bound, lp_bound)
    return _result(
        objective,
        bound,
        "+".join(engines_used),
        formulation,
        started,
        assignments,
        solver_bound,
        lp_bound,
        details,
        prices,
    )


def _lp_neighbourhood(
    program: AggregatedProgram,
    lp_values: Sequence[float],
    fractional: Sequence[tuple[int, int, int]],
    incumbent: set[tuple[int, int, int]],
    time_limit_s: float,
    verbose: bool,
) -> set[tuple[int, int, int]] | None:
    """Best plan that agrees with the LP solution away from its fractional part (RINS-like).

    Free: every variable of a team group or corridor-shift that has a fractional LP value; the
    rest keeps its (integral) LP value. Usually small, and usually reaches the LP bound, which
    then proves optimality. Not a proof by itself: it only supplies the plan. Skipped (the LP's
    result is None) when more than half the variables would be free.
    """
    groups = {g for g, _, _ in fractional}
    slots = {(c, s) for _, c, s in fractional}
    fixed = {
        i: 1 if value > 0.5 else 0
        for i, ((g, c, s), value) in enumerate(zip(program.keys, lp_values, strict=True))
        if g not in groups and (c, s) not in slots
    }
    if len(fixed) < program.program.variable_count / 2:
        return None
    sub, free = restricted(program.program, fixed)
    hint = {i: 1.0 for i, v in enumerate(free) if program.keys[v] in incumbent}
    outcome = solve_with_highs(
        sub,
        time_limit_s=max(0.1, time_limit_s),
        integral_objective=True,
        hint=hint,
        presolve=False,
        verbose=verbose,
    )
    chosen = {program.keys[i] for i, value in fixed.items() if value == 1}
    if outcome.values is None:
        return chosen
    return chosen | {
        program.keys[v] for v, value in zip(free, outcome.values, strict=True) if value > 0.5
    }


def _shadow_prices(
    model: PlanningModel, program: AggregatedProgram, duals: Sequence[float]
) -> ShadowPrices:
    """Per team: the LP value of one more shift (dual of its group's max_shifts row)."""
    team_shift_value: dict[str, float] = {}
    for g, group in enumerate(model.groups):
        row = program.group_total_rows.get(g)
        value = abs(duals[row]) if row is not None else 0.0
        for code in group.team_codes:
            team_shift_value[code] = value
    by_jurisdiction: dict[str, float] = {}
    for team in model.teams:
        value = team_shift_value.get(team.code, 0.0)
        by_jurisdiction[team.jurisdiction] = by_jurisdiction.get(team.jurisdiction, 0.0) + value
    return ShadowPrices(team_shift_value=team_shift_value, jurisdiction_shift_value=by_jurisdiction)


def _value(model: PlanningModel, chosen: Iterable[tuple[int, int, int]]) -> int:
    return sum(model.risk[c][s] for _, c, s in chosen)


def _result(
    objective: int | None,
    bound: int | None,
    engine: str,
    formulation: Formulation,
    started: float,
    assignments: tuple[Assignment, ...],
    solver_bound: float | None,
    lp_bound: float | None,
    details: dict[str, object],
    shadow_prices: ShadowPrices | None = None,
) -> SolveResult:
    if objective is None:
        status = SolveStatus.UNKNOWN
    elif bound is not None and objective >= bound:
        status = SolveStatus.OPTIMAL
        bound = objective  # a bound below a feasible objective can only be tolerance noise
    else:
        status = SolveStatus.FEASIBLE
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        engine=engine,
        formulation=formulation,
        seconds=time.perf_counter() - started,
        assignments=assignments,
        solver_bound=solver_bound,
        lp_bound=lp_bound,
        details=details,
        shadow_prices=shadow_prices or ShadowPrices(),
    )


def _solve_textbook(
    model: PlanningModel,
    engine: Engine,
    time_limit_s: float,
    settings: CpSatSettings,
    verbose: bool,
    started: float,
) -> SolveResult:
    """The plain formulation, solved as is: no hints, no aggregation (the comparison baseline)."""
    program = textbook_program(model)
    lp = program.program
    details: dict[str, object] = {
        "variables": lp.variable_count,
        "constraints": len(lp.rows),
        "nonzeros": lp.nonzero_count,
    }
    remaining = time_limit_s - (time.perf_counter() - started)
    if engine is Engine.CPSAT:
        outcome = solve_with_cpsat(lp, time_limit_s=remaining, settings=settings, verbose=verbose)
        name = "cpsat" if settings.tuned else "cpsat-default"
    else:
        outcome = solve_with_highs(
            lp, time_limit_s=remaining, integral_objective=True, verbose=verbose
        )
        name = "highs"
    details[name] = outcome.details
    assignments: tuple[Assignment, ...] = ()
    objective: int | None = None
    if outcome.values is not None:
        assignments = tuple(
            sorted(
                (
                    Assignment(model.teams[t].code, model.corridors[c].code, s)
                    for v, (t, c, s) in program.keys.items()
                    if outcome.values[v] > 0.5
                ),
                key=lambda a: (a.shift, a.corridor, a.team),
            )
        )
        objective = plan_value(model, assignments)
    return _result(
        objective,
        integer_bound(outcome.bound),
        name,
        Formulation.TEXTBOOK,
        started,
        assignments,
        outcome.bound,
        None,
        details,
    )

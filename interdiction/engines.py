"""Run a :class:`~interdiction.formulation.LinearProgram` on HiGHS (through MathOpt) or CP-SAT.

Both return an :class:`EngineOutcome`: the variable values of the best solution found, the
solver's objective and bound, and whether the solver itself claims optimality. Callers decide
what to report (see ``interdiction.solve``); nothing here knows about corridors or teams.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

from interdiction.formulation import LinearProgram


@dataclass
class EngineOutcome:
    values: list[float] | None  # None: no solution found
    objective: float | None
    bound: float | None  # a proven upper bound on the optimum (max problem); None: none known
    proven_optimal: bool
    seconds: float
    row_duals: list[float] | None = None
    details: dict[str, object] = field(default_factory=dict)


def _mathopt_model(
    lp: LinearProgram, relax: bool
) -> tuple[mathopt.Model, list[mathopt.Variable], list[mathopt.LinearConstraint]]:
    """The program as a MathOpt model, built through its proto (≈10× faster than Python terms)."""
    proto = model_pb2.ModelProto(name="inspection_plan")
    n = lp.variable_count
    proto.variables.ids.extend(range(n))
    proto.variables.lower_bounds.extend([0.0] * n)
    proto.variables.upper_bounds.extend(float(ub) for ub in lp.upper_bound)
    proto.variables.integers.extend(integer and not relax for integer in lp.integer)
    proto.objective.maximize = True
    weighted = [(i, k) for i, k in enumerate(lp.objective) if k != 0]
    proto.objective.linear_coefficients.ids.extend(i for i, _ in weighted)
    proto.objective.linear_coefficients.values.extend(float(k) for _, k in weighted)
    proto.linear_constraints.ids.extend(range(len(lp.rows)))
    proto.linear_constraints.lower_bounds.extend(row[2] for row in lp.rows)
    proto.linear_constraints.upper_bounds.extend(row[3] for row in lp.rows)
    row_ids: list[int] = []
    column_ids: list[int] = []
    coefficients: list[float] = []
    for r, (vs, ks, _, _) in enumerate(lp.rows):
        entries = sorted(zip(vs, ks, strict=True))  # the proto wants row-major, sorted columns
        row_ids.extend([r] * len(entries))
        column_ids.extend(v for v, _ in entries)
        coefficients.extend(float(k) for _, k in entries)
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row_ids)
    matrix.column_ids.extend(column_ids)
    matrix.coefficients.extend(coefficients)
    model = mathopt.Model.from_model_proto(proto)
    variables = [model.get_variable(i) for i in range(n)]
    constraints = [model.get_linear_constraint(r) for r in range(len(lp.rows))]
    return model, variables, constraints


def solve_with_highs(
    lp: LinearProgram,
    *,
    time_limit_s: float,
    integral_objective: bool,
    hint: Mapping[int, float] | None = None,
    relax: bool = False,
    relative_gap: float = 0.0,
    presolve: bool = True,
    verbose: bool = False,
) -> EngineOutcome:
    """HiGHS MIP (or its LP relaxation with ``relax``), proving optimality to integer precision.

    With an integral objective the absolute gap tolerance is just under 1, so HiGHS stops only
    when no better integer objective value can exist: its "optimal" is a proof, not a 1e-4 gap.

    ``presolve=False``: on large 0/1 models HiGHS's MIP presolve can run for minutes past the
    time limit (measured: 194–262 s against a 15 s limit on a 312k-variable model) and buys
    little on an already reduced formulation.
    """
    started = time.perf_counter()
    if lp.variable_count == 0:  # nothing to decide (e.g. no eligible team anywhere)
        feasible = all(lower <= 0 <= upper for _, _, lower, upper in lp.rows)
        return EngineOutcome(
            values=[] if feasible else None,
            objective=0.0 if feasible else None,
            bound=0.0 if feasible else None,
            proven_optimal=feasible,
            seconds=time.perf_counter() - started,
            row_duals=[0.0] * len(lp.rows) if feasible else None,
            details={"termination": "EMPTY"},
        )
    model, variables, constraints = _mathopt_model(lp, relax)
    built = time.perf_counter()
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.01, time_limit_s - (built - started))),
        relative_gap_tolerance=relative_gap,
        absolute_gap_tolerance=0.999 if integral_objective else 1e-6,
        enable_output=verbose,
        # A vertex (not an interior point) so that integral LP solutions are recognised as such.
        lp_algorithm=mathopt.LPAlgorithm.DUAL_SIMPLEX if relax else None,
        presolve=None if presolve else mathopt.Emphasis.OFF,
    )
    model_params = None
    if hint is not None and not relax:
        model_params = mathopt.ModelSolveParameters(
            solution_hints=[
                mathopt.SolutionHint(
                    variable_values={v: float(hint.get(i, 0.0)) for i, v in enumerate(variables)}
                )
            ]
        )
    result = mathopt.solve(
        model, mathopt.SolverType.HIGHS, params=params, model_params=model_params
    )
    reason = result.termination.reason
    values = None
    objective = None
    if result.has_primal_feasible_solution():
        by_var = result.variable_values()
        values = [by_var[v] for v in variables]
        objective = result.objective_value()
    bound = result.termination.objective_bounds.dual_bound
    duals = None
    if (
        relax
        and reason == mathopt.TerminationReason.OPTIMAL
        and result.has_dual_feasible_solution()
    ):
        dual_map = result.dual_values()
        duals = [dual_map[c] for c in constraints]
        bound = objective if objective is not None else bound
    return EngineOutcome(
        values=values,
        objective=objective,
        bound=None if bound is None or math.isinf(bound) else bound,
        proven_optimal=reason == mathopt.TerminationReason.OPTIMAL,
        seconds=time.perf_counter() - started,
        row_duals=duals,
        details={
            "termination": reason.name,
            "build_s": round(built - started, 3),
            "solve_s": round(time.perf_counter() - built, 3),
        },
    )


@dataclass(frozen=True)
class CpSatSettings:
    """CP-SAT parameters; ``tuned`` applies allocation.md §0/§7: set workers, add ``max_lp_sym``.

    ``tuned=False`` is CP-SAT's defaults (all cores, default portfolio) for comparison.
    """

    tuned: bool = True
    workers: int = 2
    seed: int = 0
    debug_hints: bool = False  # abort if the hint is not a feasible complete solution (tests)


def solve_with_cpsat(
    lp: LinearProgram,
    *,
    time_limit_s: float,
    settings: CpSatSettings = CpSatSettings(),
    hint: Mapping[int, float] | None = None,
    objective_cap: int | None = None,
    verbose: bool = False,
) -> EngineOutcome:
    """CP-SAT on the same program; needs integral objective coefficients.

    ``hint`` should give a value for every variable (complete hints are kept, partial ones are
    often lost — allocation.md §0.3). ``objective_cap`` adds a proven upper bound (e.g. floor of the
    LP relaxation) as a constraint, which lets CP-SAT stop as soon as it reaches it.
    """
    started = time.perf_counter()
    model = cp_model.CpModel()
    variables = [
        model.new_bool_var(f"v{i}") if ub == 1 else model.new_int_var(0, ub, f"v{i}")
        for i, ub in enumerate(lp.upper_bound)
    ]
    for vs, coefficients, lower, upper in lp.rows:
        if (
            upper == 1
            and lower == NEG_INF
            and all(k == 1 for k in coefficients)
            and all(lp.upper_bound[v] == 1 for v in vs)
        ):
            model.add_at_most_one(variables[v] for v in vs)
            continue
        expr = cp_model.LinearExpr.weighted_sum([variables[v] for v in vs], coefficients)
        lo = math.ceil(lower) if lower != NEG_INF else -(2**40)
        model.add_linear_constraint(expr, lo, math.floor(upper))
    weights = [round(k) for k in lp.objective]
    if any(abs(k - w) > 1e-9 for k, w in zip(lp.objective, weights, strict=True)):
        raise ValueError("CP-SAT needs integral objective weights")
    used = [i for i, k in enumerate(weights) if k != 0]
    objective_expr = cp_model.LinearExpr.weighted_sum(
        [variables[i] for i in used], [weights[i] for i in used]
    )
    model.maximize(objective_expr)
    if objective_cap is not None:
        model.add(objective_expr <= objective_cap)
    if hint is not None:
        for i, v in enumerate(variables):
            model.add_hint(v, round(hint.get(i, 0.0)))
    solver = cp_model.CpSolver()
    p = solver.parameters
    built = time.perf_counter()
    p.max_time_in_seconds = max(0.01, time_limit_s - (built - started))
    p.log_search_progress = verbose
    p.random_seed = settings.seed
    p.debug_crash_on_bad_hint = settings.debug_hints
    if settings.tuned:
        p.num_workers = settings.workers
        p.extra_subsolvers.append("max_lp_sym")
        p.absolute_gap_limit = 0.99  # integral objective: a gap below 1 is a proof
    status = solver.solve(model)
    values = None
    objective = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [float(solver.value(v)) for v in variables]
        objective = solver.objective_value
    bound = (
        solver.best_objective_bound if status != cp_model.UNKNOWN or objective is not None else None
    )
    if status == cp_model.INFEASIBLE:
        bound = None
    return EngineOutcome(
        values=values,
        objective=objective,
        bound=bound,
        proven_optimal=status == cp_model.OPTIMAL,
        seconds=time.perf_counter() - started,
        details={
            "termination": solver.status_name(status),
            "build_s": round(built - started, 3),
            "solve_s": round(time.perf_counter() - built, 3),
            "workers": p.num_workers,
        },
    )


NEG_INF = float("-inf")

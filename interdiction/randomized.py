"""Randomized plans against a trafficker who observes the plan (SPEC §7, mode randomized).

Zero-sum Stackelberg game (allocation.md §2.2–2.3). The trafficker picks one corridor-shift t; the
task force loses what its roster k fails to score there:

    loss_t(k) = r_t × (a_t − A_tk),   A_tk = covered + joint ∈ {0, 1, 2} under roster k,

where a_t ∈ {0, 1, 2} is the most any roster can score at t (2 if two jurisdictions have eligible
teams, 1 if one, 0 if none). Corridor-shifts that no plan can reach are thus not counted: they are
reported by explain (NO_ELIGIBLE_TEAM, NO_AGREEMENT), not traded off here. With a mixture p over
complete rosters the worst expected loss is v(p) = max_t r_t (a_t − Σ_k A_tk p_k).

Column generation minimises v over rosters:
- master LP: min v s.t. v + r_t Σ_k A_tk p_k ≥ r_t a_t (dual λ_t), Σ_k p_k = 1, p ≥ 0;
- duals: the master is degenerate and simplex duals sit on a single target, so an optimal dual
  spread as evenly as possible over the worst targets is computed (one more small LP), then
  smoothed towards the duals of the best lower bound so far (Wentges, ``SMOOTHING``);
- pricing: the deterministic model with weights λ_t r_t, solved by HiGHS on the aggregated
  formulation; its roster, with idle teams then filled greedily by plain risk, is a new column;
- lower bounds: (a) the compact LP min v over the aggregated LP polytope, which contains every
  mixture's coverage; (b) for any λ on the simplex, v* ≥ Σ_t λ_t r_t a_t − UB, UB the pricing
  solver's proven bound — valid even when pricing stops early. The best of both is reported.
It stops when the master value is within ``tolerance`` of the lower bound, or at the time or
column limit; the reported worst-case loss is that of the returned mixture, beside its bound.
A second LP then picks, among mixtures of the generated rosters within ``max_worst_case_loss``
(default: the minimum found), the one with the highest expected objective. Every column is a
complete, concrete roster (split exactly from group counts), so a sampled roster is always valid.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from interdiction.engines import solve_with_highs
from interdiction.formulation import LinearProgram, aggregated_program
from interdiction.problem import Assignment, PlanningModel, PlanningProblem, build_model
from interdiction.rosters import greedy_group_plan, rosters_from_group_counts
from interdiction.solve import Engine, SolveResult, solve_assignments

SMOOTHING = 0.8
"""Wentges dual smoothing: weight of the best-bound duals when pricing (0 = plain Kelley)."""

PRICING_GAP = 1e-4
"""Relative gap at which a pricing MIP may stop; the lower bound uses its proven bound anyway."""


@dataclass(frozen=True)
class Roster:
    assignments: tuple[Assignment, ...]
    scores: dict[tuple[int, int], int]  # (corridor, shift) → covered + joint
    objective: int
    covered_risk: int


@dataclass(frozen=True)
class MixedStrategy:
    rosters: tuple[Roster, ...]
    probabilities: tuple[float, ...]
    worst_case_loss: float
    lower_bound: float
    expected_objective: float
    expected_covered_risk: float
    deterministic: SolveResult
    deterministic_worst_case_loss: int
    deterministic_covered_risk: int
    iterations: int
    converged: bool
    seconds: float

    @property
    def support(self) -> list[int]:
        return [k for k, p in enumerate(self.probabilities) if p > 1e-9]

    @property
    def gap(self) -> float:
        return (self.worst_case_loss - self.lower_bound) / max(1.0, abs(self.worst_case_loss))


def _roster(model: PlanningModel, assignments: tuple[Assignment, ...]) -> Roster:
    present: dict[tuple[int, int], set[str]] = {}
    for a in assignments:
        c = model.corridor_index[a.corridor]
        jurisdiction = model.teams[model.team_index[a.team]].jurisdiction
        present.setdefault((c, a.shift), set()).add(jurisdiction)
    scores = {cs: min(2, len(js)) for cs, js in present.items()}
    return Roster(
        assignments=assignments,
        scores=scores,
        objective=sum(model.risk[c][s] * a for (c, s), a in scores.items()),
        covered_risk=sum(model.risk[c][s] for (c, s) in scores),
    )


def _targets(model: PlanningModel) -> list[tuple[int, int, int, int]]:
    """(corridor, shift, risk, most achievable score) for every corridor-shift a plan can reach."""
    targets = []
    for c in range(len(model.corridors)):
        reach = model.max_presence(c)
        for s in range(model.shift_count):
            if model.risk[c][s] > 0 and reach > 0:
                targets.append((c, s, model.risk[c][s], reach))
    return targets


def worst_case_loss(model: PlanningModel, roster: Roster) -> int:
    return max(
        (r * (reach - roster.scores.get((c, s), 0)) for c, s, r, reach in _targets(model)),
        default=0,
    )


def _master(
    targets: list[tuple[int, int, int, int]], rosters: list[Roster], loss_cap: float | None
) -> tuple[float, list[float], list[float]]:
    """Solve the master LP. Without ``loss_cap``: min v; returns (v, p, λ).

    With ``loss_cap``: max expected objective s.t. every loss ≤ cap; returns (cap, p, []).
    """
    lp = LinearProgram()
    worst = max((r * reach for _, _, r, reach in targets), default=0)
    if loss_cap is None:
        v = lp.add_variable(-1.0, upper_bound=worst + 1, integer=False)
        ps = [lp.add_variable(0.0, upper_bound=1, integer=False) for _ in rosters]
    else:
        v = -1
        ps = [lp.add_variable(float(k.objective), upper_bound=1, integer=False) for k in rosters]
    for c, s, r, reach in targets:
        vs = [p for p, k in zip(ps, rosters, strict=True) if k.scores.get((c, s), 0)]
        ks = [r * k.scores[(c, s)] for k in rosters if k.scores.get((c, s), 0)]
        if loss_cap is None:
            lp.add_row([v, *vs], [1, *ks], r * reach, math.inf, f"loss[{c},{s}]")
        elif vs or r * reach > loss_cap:
            lp.add_row(vs, ks, r * reach - loss_cap, math.inf, f"loss[{c},{s}]")
    lp.add_row(ps, [1] * len(ps), 1, 1, "mixture")
    outcome = solve_with_highs(lp, time_limit_s=60.0, integral_objective=False, relax=True)
    if outcome.values is None or outcome.row_duals is None:
        raise RuntimeError("master LP of the randomized plan failed: " + str(outcome.details))
    probabilities = [max(0.0, outcome.values[p]) for p in ps]
    total = sum(probabilities)
    probabilities = [p / total for p in probabilities]
    if loss_cap is not None:
        return loss_cap, probabilities, []
    duals = [max(0.0, -d) for d in outcome.row_duals[: len(targets)]]
    norm = sum(duals)
    weights = [d / norm for d in duals] if norm > 0 else [1.0 / len(targets)] * len(targets)
    return outcome.values[v], probabilities, weights


def _compact_bound(model: PlanningModel, targets: list[tuple[int, int, int, int]]) -> float | None:
    """min v over the LP relaxation of the roster polytope: a lower bound on the worst-case loss.

    Every mixture of rosters has coverage in the convex hull of rosters, which lies inside the
    aggregated model's LP polytope; so min_X max_t r_t (a_t − Σ_g X[g,t]) ≤ v*. That LP is tight
    here, so the bound is strong (column generation's own bounds come late and weaker).
    """
    program = aggregated_program(model)
    lp = program.program
    lp.objective = [0.0] * lp.variable_count
    top = max((r * reach for _, _, r, reach in targets), default=0)
    v = lp.add_variable(-1.0, upper_bound=top + 1, integer=False)
    at: dict[tuple[int, int], list[int]] = {}
    for i, (_, c, s) in enumerate(program.keys):
        at.setdefault((c, s), []).append(i)
    for c, s, r, reach in targets:
        xs = at.get((c, s), [])
        lp.add_row([v, *xs], [1] + [r] * len(xs), r * reach, math.inf, f"loss[{c},{s}]")
    outcome = solve_with_highs(lp, time_limit_s=60.0, integral_objective=False, relax=True)
    return None if outcome.values is None else outcome.values[v]


def _centred_duals(
    targets: list[tuple[int, int, int, int]],
    rosters: list[Roster],
    probabilities: list[float],
    value: float,
) -> list[float] | None:
    """An optimal dual of the master spread as evenly as possible over the worst targets.

    Simplex duals of this degenerate master tend to sit on one target, so pricing would add
    rosters that fix one corridor-shift at a time. Among all optimal duals (λ ≥ 0, Σλ = 1,
    Σ_t λ_t r_t a_t − max_k Σ_t λ_t r_t A_tk = value) this picks one maximising min λ_t over the
    targets at worst-case loss (the only ones an optimal dual may weigh).
    """
    cover = [
        sum(p * k.scores.get((c, s), 0) for p, k in zip(probabilities, rosters, strict=True))
        for c, s, _, _ in targets
    ]
    losses = [r * (reach - a) for (_, _, r, reach), a in zip(targets, cover, strict=True)]
    worst = [i for i, loss in enumerate(losses) if loss >= value - 1e-6 * max(1.0, value)]
    if not worst:
        return None
    lp = LinearProgram()
    top = max(r * reach for _, _, r, reach in targets)
    lam = [lp.add_variable(0.0, upper_bound=1, integer=False) for _ in worst]
    nu = lp.add_variable(0.0, upper_bound=top + 1, integer=False)  # max_k Σ λ r A_k
    spread = lp.add_variable(1.0, upper_bound=1, integer=False)
    lp.add_row(lam, [1] * len(lam), 1, 1, "simplex")
    for k in rosters:
        row = [
            (v, targets[i][2] * k.scores.get(targets[i][:2], 0))
            for v, i in zip(lam, worst, strict=True)
        ]
        row = [(v, coefficient) for v, coefficient in row if coefficient]
        lp.add_row([v for v, _ in row] + [nu], [c for _, c in row] + [-1], -math.inf, 0, "column")
    lp.add_row(
        [*lam, nu],
        [targets[i][2] * targets[i][3] for i in worst] + [-1],
        value - 1e-7 * max(1.0, value),
        math.inf,
        "optimal",
    )
    for v in lam:
        lp.add_row([v, spread], [1, -1], 0, math.inf, "spread")
    outcome = solve_with_highs(lp, time_limit_s=30.0, integral_objective=False, relax=True)
    if outcome.values is None:
        return None
    duals = [0.0] * len(targets)
    for v, i in zip(lam, worst, strict=True):
        duals[i] = max(0.0, outcome.values[v])
    total = sum(duals)
    return [d / total for d in duals] if total > 0 else None


def _price(
    model: PlanningModel,
    targets: list[tuple[int, int, int, int]],
    duals: list[float],
    time_limit_s: float,
) -> tuple[Roster | None, float | None, bool]:
    """Best roster for weights λ_t r_t: (roster, proven upper bound, proven optimal)."""
    weights = [[0.0] * model.shift_count for _ in model.corridors]
    for (c, s, r, _), dual in zip(targets, duals, strict=True):
        weights[c][s] = dual * r
    program = aggregated_program(model, weights)
    outcome = solve_with_highs(
        program.program,
        time_limit_s=max(0.2, time_limit_s - 0.3),
        integral_objective=False,
        relative_gap=PRICING_GAP,
    )
    if outcome.values is None:
        return None, outcome.bound, False
    chosen = {k for k, x in zip(program.keys, outcome.values, strict=True) if x > 0.5}
    # Teams the duals leave idle still inspect something: fill them greedily by plain risk
    # (this only adds presence, so the column's priced value is unchanged or higher).
    chosen = greedy_group_plan(model, start=chosen)
    roster = _roster(model, tuple(rosters_from_group_counts(model, chosen)))
    return roster, outcome.bound, outcome.proven_optimal


def solve_mixed_strategy(
    problem: PlanningProblem | PlanningModel,
    *,
    time_limit_s: float = 60.0,
    max_columns: int = 500,
    max_worst_case_loss: float | None = None,
    tolerance: float = 1e-3,
) -> MixedStrategy:
    started = time.perf_counter()
    model = problem if isinstance(problem, PlanningModel) else build_model(problem)
    deterministic = solve_assignments(
        model, engine=Engine.HIGHS, time_limit_s=max(1.0, time_limit_s / 3)
    )
    rosters = [_roster(model, deterministic.assignments)]
    targets = _targets(model)
    det_loss = worst_case_loss(model, rosters[0])
    value = float(det_loss)
    lower_bound = 0.0
    center: list[float] | None = None  # the duals that gave the best lower bound so far
    compact = _compact_bound(model, targets) if targets else None
    if compact is not None:
        lower_bound = compact
    iterations = 0
    converged = not targets

    def remaining() -> float:
        return time_limit_s - (time.perf_counter() - started)

    def priced_value(roster: Roster, duals: list[float]) -> float:
        return sum(
            d * r * roster.scores.get((c, s), 0)
            for (c, s, r, _), d in zip(targets, duals, strict=True)
        )

    while not converged and len(rosters) < max_columns and remaining() > 0.5:
        iterations += 1
        value, probabilities, master_duals = _master(targets, rosters, None)
        master_duals = _centred_duals(targets, rosters, probabilities, value) or master_duals
        # Wentges smoothing: price at a point between the best-bound duals and the master's.
        smoothed = (
            master_duals
            if center is None
            else [
                SMOOTHING * a + (1 - SMOOTHING) * b
                for a, b in zip(center, master_duals, strict=True)
            ]
        )
        best_existing = max(priced_value(k, master_duals) for k in rosters)
        column = None
        for duals in (smoothed, master_duals) if center is not None else (master_duals,):
            column, pricing_bound, proven = _price(model, targets, duals, remaining())
            if pricing_bound is not None:
                reachable = sum(
                    d * r * reach for (_, _, r, reach), d in zip(targets, duals, strict=True)
                )
                if reachable - pricing_bound > lower_bound:
                    lower_bound = reachable - pricing_bound
                    center = duals
            if value - lower_bound <= tolerance * max(1.0, value):
                converged = True
                break
            if column is not None and priced_value(column, master_duals) > best_existing + 1e-9:
                break  # an improving column (else: mispricing, retry with the master's duals)
            if duals is master_duals and proven:
                converged = True  # no roster improves on the master: it is optimal
            column = None
        if converged or column is None:
            break
        rosters.append(column)
    if iterations:
        value, _, _ = _master(targets, rosters, None)
    lower_bound = min(lower_bound, value)
    cap = value if max_worst_case_loss is None else max(value, max_worst_case_loss)
    _, probabilities, _ = _master(targets, rosters, cap * (1 + 1e-9) + 1e-9)
    achieved = max(
        (
            r
            * (
                reach
                - sum(
                    p * k.scores.get((c, s), 0) for p, k in zip(probabilities, rosters, strict=True)
                )
            )
            for c, s, r, reach in targets
        ),
        default=0.0,
    )
    return MixedStrategy(
        rosters=tuple(rosters),
        probabilities=tuple(probabilities),
        worst_case_loss=achieved,
        lower_bound=lower_bound,
        expected_objective=sum(
            p * k.objective for p, k in zip(probabilities, rosters, strict=True)
        ),
        expected_covered_risk=sum(
            p * k.covered_risk for p, k in zip(probabilities, rosters, strict=True)
        ),
        deterministic=deterministic,
        deterministic_worst_case_loss=det_loss,
        deterministic_covered_risk=rosters[0].covered_risk,
        iterations=iterations,
        converged=converged,
        seconds=time.perf_counter() - started,
    )


def sample_roster(mixed: MixedStrategy, seed: int) -> int:
    """Index of the roster drawn with probability p_k, reproducibly from ``seed``."""
    u = random.Random(seed).random()
    cumulative = 0.0
    support = mixed.support
    for k in support:
        cumulative += mixed.probabilities[k]
        if u < cumulative:
            return k
    return support[-1]

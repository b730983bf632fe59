"""Benchmark the inspection planner (SPEC §9): Cordon's solver against plain HiGHS and CP-SAT.

    python bench/plan.py --size small|medium|large|xl [--time-limit S] [--seed K] [--repeat N]

Every configuration solves the same generated instance in this one process, one after another;
each plan is re-checked by the independent checker. Columns: seconds (wall, model building and
roster splitting included), status, objective, bound, gap, and how much faster than plain HiGHS
on the textbook formulation (when that one did not finish, the ratio is a lower bound ">").
Timings on a shared machine are noisy: the load average is printed before and after.
Every row's seconds include building the model from the problem (grouping teams, risks).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plan_instances import SIZES, instance

from interdiction.check import check_plan
from interdiction.engines import CpSatSettings
from interdiction.problem import PlanningProblem, build_model
from interdiction.randomized import solve_mixed_strategy
from interdiction.solve import SolveResult, SolveStatus, solve_assignments


@dataclass(frozen=True)
class Config:
    name: str
    engine: str
    formulation: str
    lp_first: bool = True
    cpsat: CpSatSettings | None = None
    ours: bool = True
    group_teams: bool = True


CONFIGS = [
    Config("cordon auto (default)", "auto", "aggregated"),
    Config("cordon highs, MIP only (no LP-first)", "highs", "aggregated", lp_first=False),
    Config("cordon auto, teams not grouped", "auto", "aggregated", group_teams=False),
    Config("cordon cpsat (2 workers, max_lp_sym, hint)", "cpsat", "aggregated"),
    Config("plain HiGHS, textbook", "highs", "textbook", ours=False),
    Config(
        "default CP-SAT, textbook",
        "cpsat",
        "textbook",
        cpsat=CpSatSettings(tuned=False),
        ours=False,
    ),
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min)"


def run(config: Config, problem: PlanningProblem, time_limit_s: float) -> SolveResult:
    """Solve once; ``seconds`` is replaced by the wall time including ``build_model``."""
    started = time.perf_counter()
    result = solve_assignments(
        build_model(problem, group_teams=config.group_teams),
        engine=config.engine,
        formulation=config.formulation,
        time_limit_s=time_limit_s,
        lp_first=config.lp_first,
        cpsat=config.cpsat,
    )
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def randomized(problem: PlanningProblem, time_limit_s: float) -> None:
    mixed = solve_mixed_strategy(problem, time_limit_s=time_limit_s)
    valid = all(check_plan(problem, k.assignments).ok for k in mixed.rosters)
    deterministic = mixed.deterministic
    print(f"{'':34} {'deterministic':>14} {'randomized':>12}")
    print(
        f"{'worst-case expected loss':34} {mixed.deterministic_worst_case_loss:>14} "
        f"{mixed.worst_case_loss:>12.1f}"
    )
    print(f"{'  its lower bound':34} {'':>14} {mixed.lower_bound:>12.1f}")
    print(
        f"{'expected objective':34} {deterministic.objective!s:>14} "
        f"{mixed.expected_objective:>12.1f}"
    )
    print(
        f"{'expected covered risk':34} {mixed.deterministic_covered_risk:>14} "
        f"{mixed.expected_covered_risk:>12.1f}"
    )
    print(
        f"columns {len(mixed.rosters)}, support {len(mixed.support)}, "
        f"iterations {mixed.iterations}, converged {mixed.converged}, "
        f"gap {100 * mixed.gap:.2f}%, {mixed.seconds:.1f} s, every roster checked: {valid}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument(
        "--baseline-time-limit",
        type=float,
        help="seconds for plain HiGHS and default CP-SAT (default: --time-limit)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of Cordon's configurations")
    parser.add_argument(
        "--varied-max-shifts",
        action="store_true",
        help="max_shifts drawn 3..6 per team (fewer interchangeable teams)",
    )
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--randomized",
        action="store_true",
        help="instead: the randomized (Stackelberg) mode's figures beside the deterministic plan",
    )
    args = parser.parse_args()

    problem = instance(args.size, seed=args.seed, varied_max_shifts=args.varied_max_shifts)
    model = build_model(problem)
    jurisdictions = len({t.jurisdiction for t in problem.teams})
    print(
        f"instance {args.size} seed {args.seed}: {len(problem.corridors)} corridors × "
        f"{len(problem.teams)} teams × {problem.shift_count} shifts "
        f"({problem.days} days × {problem.shifts_per_day}), {jurisdictions} jurisdictions, "
        f"{len(model.groups)} team groups, {len(problem.agreements)} agreements"
        + (", varied max_shifts" if args.varied_max_shifts else "")
    )
    baseline = args.baseline_time_limit or args.time_limit
    print(f"time limit {args.time_limit:g} s per solve (baselines {baseline:g} s); {load()}")
    print()
    if args.randomized:
        randomized(problem, args.time_limit)
        print(load())
        return
    header = (
        f"{'configuration':44} {'seconds':>11} {'status':>9} {'objective':>10} {'bound':>10} "
        f"{'gap':>8} {'vars':>7} {'check':>5} {'vs plain HiGHS':>15}"
    )
    print(header)
    print("-" * len(header))
    rows: list[tuple[Config, list[SolveResult]]] = []
    for config in CONFIGS:
        if args.skip_baselines and not config.ours:
            continue
        limit = args.time_limit if config.ours else (args.baseline_time_limit or args.time_limit)
        runs = [run(config, problem, limit) for _ in range(args.repeat if config.ours else 1)]
        rows.append((config, runs))
    plain = next((runs[0] for config, runs in rows if config.name.startswith("plain")), None)
    for config, runs in rows:
        result = runs[-1]
        seconds = [r.seconds for r in runs]
        shown = (
            f"{statistics.median(seconds):11.2f}"
            if len(runs) == 1
            else f"{min(seconds):.2f}–{max(seconds):.2f}".rjust(11)
        )
        report = check_plan(problem, result.assignments)
        checked = "ok" if report.ok and report.objective == result.objective else "FAIL"
        ratio = ""
        if plain is not None and config.ours and result.status is SolveStatus.OPTIMAL:
            factor = plain.seconds / statistics.median(seconds)
            ratio = f"{factor:.1f}×" if plain.status is SolveStatus.OPTIMAL else f"> {factor:.1f}×"
        gap = "—" if result.gap is None else f"{100 * result.gap:.3f}%"
        print(
            f"{config.name:44} {shown} {result.status!s:>9} {result.objective!s:>10} "
            f"{result.bound!s:>10} {gap:>8} {result.details.get('variables', '')!s:>7} "
            f"{checked:>5} {ratio:>15}"
        )
    print()
    print(load())
    if args.repeat > 1:
        print(f"Cordon's rows: min–max over {args.repeat} runs; ratios use the median.")


if __name__ == "__main__":
    main()

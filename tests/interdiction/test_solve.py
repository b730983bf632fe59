"""The optimizer: hand-computed optima, engines agree, fast formulation = textbook, plans check."""

import pytest

from interdiction.check import check_plan
from interdiction.engines import CpSatSettings
from interdiction.problem import Assignment, Corridor, Team
from interdiction.solve import SolveStatus, solve_assignments
from tests.interdiction.instances import (
    clustered_problem,
    problem,
    random_problem,
    scarce_problem,
)


@pytest.mark.parametrize("engine", ["highs", "cpsat", "auto"])
@pytest.mark.parametrize("formulation", ["aggregated", "textbook"])
def test_joint_rule_changes_the_answer(engine, formulation):
    # Coverage alone would split the teams (10 + 15 = 25); together at C2 they score 15 + 15 = 30.
    p = problem(
        [Corridor("C1", "land", ("A", "B"), 10), Corridor("C2", "land", ("A", "B"), 15)],
        [Team("TA", "A", "customs", 1), Team("TB", "B", "customs", 1)],
    )
    result = solve_assignments(p, engine=engine, formulation=formulation, time_limit_s=10)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == result.bound == 30
    assert result.gap == 0
    assert set(result.assignments) == {Assignment("TA", "C2", 0), Assignment("TB", "C2", 0)}


@pytest.mark.parametrize("engine", ["highs", "cpsat"])
def test_nothing_eligible_gives_the_empty_plan_proven_optimal(engine):
    p = problem(
        [Corridor("MAIL", "postal", ("A",), 80), Corridor("ROAD", "land", ("B",), 50)],
        [Team("M", "A", "maritime", 3), Team("K", "A", "k9", 3)],  # k9: no agreement for ROAD
    )
    result = solve_assignments(p, engine=engine, time_limit_s=10)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == result.bound == 0
    assert result.assignments == ()


def test_no_consecutive_shifts_even_across_the_day_boundary():
    # Two days of one shift each: shifts 0 and 1 are consecutive; 0 and 2 are not.
    p = problem([Corridor("C", "land", ("A",), 10)], [Team("T", "A", "customs", 5)], days=3)
    result = solve_assignments(p, time_limit_s=10)
    assert result.objective == 20
    assert sorted(a.shift for a in result.assignments) == [0, 2]


def test_max_shifts_limits_the_plan_and_the_night_shift_wins():
    p = problem(
        [Corridor("C", "land", ("A",), 10)],
        [Team("T", "A", "customs", 1)],
        days=2,
        shifts_per_day=2,
        factors=("1.0", "1.5"),
    )
    result = solve_assignments(p, time_limit_s=10)
    assert result.objective == 15
    assert result.assignments[0].shift in (1, 3)


def test_agreement_opens_a_corridor():
    corridor = Corridor("C", "land", ("A", "B"), 40)
    teams = [Team("TA", "A", "customs", 1), Team("TC", "C", "customs", 1)]
    without = solve_assignments(problem([corridor], teams), time_limit_s=10)
    with_agreement = solve_assignments(problem([corridor], teams, [("C", "C")]), time_limit_s=10)
    assert without.objective == 40
    assert with_agreement.objective == 80


GENERATORS = {"random": random_problem, "clustered": clustered_problem, "scarce": scarce_problem}


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_fast_formulation_reaches_the_textbook_optimum(generator, seed):
    p = GENERATORS[generator](seed)
    fast = solve_assignments(p, engine="highs", time_limit_s=20)
    plain = solve_assignments(p, engine="highs", formulation="textbook", time_limit_s=20)
    assert fast.status is SolveStatus.OPTIMAL
    assert plain.status is SolveStatus.OPTIMAL
    assert fast.objective == plain.objective
    for result in (fast, plain):
        report = check_plan(p, result.assignments)
        assert report.ok, report.violations
        assert report.objective == result.objective


@pytest.mark.parametrize("seed", range(6))
def test_highs_and_cpsat_agree(seed):
    p = clustered_problem(seed, corridors=14, teams=16)
    highs = solve_assignments(p, engine="highs", time_limit_s=20)
    cpsat = solve_assignments(p, engine="cpsat", time_limit_s=20, lp_first=False)
    assert highs.status is cpsat.status is SolveStatus.OPTIMAL
    assert highs.objective == cpsat.objective
    assert check_plan(p, cpsat.assignments).ok


def test_untuned_cpsat_on_the_textbook_model_finds_a_valid_plan():
    # Default CP-SAT on few cores often cannot prove optimality (allocation.md §0.2): no status
    # claim here, only that its plan is valid and never better than the proven optimum.
    p = clustered_problem(3, corridors=5, teams=6)
    fast = solve_assignments(p, time_limit_s=20)
    default = solve_assignments(
        p, engine="cpsat", formulation="textbook", cpsat=CpSatSettings(tuned=False), time_limit_s=3
    )
    assert default.engine == "cpsat-default"
    assert default.objective is not None and default.objective <= fast.objective
    assert check_plan(p, default.assignments).ok
    if default.status is SolveStatus.OPTIMAL:
        assert default.objective == fast.objective


def test_when_the_lp_bound_is_not_reached_the_mip_proves_the_optimum():
    # One jurisdiction, five single-shift days. C1 (19) can be inspected every shift only by
    # alternating T0 {0,2,4} and T3 {1,3}; T1's single shift then adds C0 (3): 5×19 + 3 = 98.
    # The LP relaxation promises 99.5, so the LP alone cannot prove it.
    p = problem(
        [Corridor("C0", "postal", ("A",), 3), Corridor("C1", "land", ("A",), 19)],
        [
            Team("T0", "A", "customs", 3),
            Team("T1", "A", "xray", 1),
            Team("T2", "A", "maritime", 2),
            Team("T3", "A", "xray", 3),
        ],
        days=5,
    )
    for engine in ("highs", "auto"):
        result = solve_assignments(p, engine=engine, time_limit_s=20)
        assert result.lp_bound == pytest.approx(99.5)
        assert result.status is SolveStatus.OPTIMAL
        assert result.objective == result.bound == 98
        assert check_plan(p, result.assignments).ok
    plain = solve_assignments(p, formulation="textbook", time_limit_s=20)
    assert plain.objective == 98


def test_warm_start_is_kept_and_repaired():
    p = clustered_problem(5)
    first = solve_assignments(p, time_limit_s=20)
    # A stale plan: an unknown team, a shift out of range, and a rule broken on purpose.
    stale = [
        *first.assignments,
        Assignment("GHOST", "C0", 0),
        Assignment(first.assignments[0].team, "C0", 99),
    ]
    again = solve_assignments(p, warm_start=stale, time_limit_s=20)
    assert again.details["greedy_objective"] == first.objective
    assert again.objective == first.objective
    assert check_plan(p, again.assignments).ok


def test_without_the_lp_the_mip_still_proves_optimality():
    p = random_problem(7, corridors=12, teams=12)
    with_lp = solve_assignments(p, engine="highs", time_limit_s=20)
    without = solve_assignments(p, engine="highs", lp_first=False, time_limit_s=20)
    assert with_lp.objective == without.objective
    assert without.status is SolveStatus.OPTIMAL


def test_status_is_not_optimal_when_time_runs_out_without_proof():
    p = clustered_problem(11, corridors=30, teams=30)
    result = solve_assignments(
        p, engine="cpsat", formulation="textbook", time_limit_s=0.05, cpsat=CpSatSettings()
    )
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.UNKNOWN, SolveStatus.OPTIMAL)
    if result.status is not SolveStatus.OPTIMAL:
        assert result.bound is None or result.objective is None or result.bound > result.objective
    if result.objective is not None:
        assert check_plan(p, result.assignments).ok


@pytest.mark.parametrize("engine", ["auto", "highs", "cpsat"])
def test_a_tiny_time_limit_still_returns_a_valid_plan_with_an_honest_status(engine):
    p = random_problem(3, corridors=60, teams=50, jurisdictions=6, days=7)
    result = solve_assignments(p, engine=engine, time_limit_s=0.001)
    report = check_plan(p, result.assignments)
    assert report.ok
    assert report.objective == result.objective
    if result.status is SolveStatus.OPTIMAL:
        assert result.bound == result.objective
    else:
        assert result.status is SolveStatus.FEASIBLE
        assert result.bound is None or result.bound > result.objective


def test_same_input_same_plan():
    p = random_problem(12, corridors=20, teams=20)
    first = solve_assignments(p, time_limit_s=20)
    second = solve_assignments(p, time_limit_s=20)
    assert first.assignments == second.assignments


def test_cpsat_gets_a_complete_feasible_hint_from_a_previous_plan():
    # debug_crash_on_bad_hint aborts the process if the hint is incomplete or infeasible.
    p = clustered_problem(8, corridors=12, teams=12)
    first = solve_assignments(p, engine="highs", time_limit_s=10)
    again = solve_assignments(
        p,
        engine="cpsat",
        warm_start=first.assignments,
        cpsat=CpSatSettings(debug_hints=True),
        time_limit_s=10,
    )
    assert again.objective == first.objective
    assert again.status is SolveStatus.OPTIMAL

"""Randomized mode: a mixture of valid rosters with a smaller worst case for an observer."""

from decimal import Decimal

import pytest

from interdiction.check import check_plan
from interdiction.problem import Corridor, PlanningProblem, Team
from interdiction.proposal import propose_randomized_plan
from interdiction.randomized import sample_roster, solve_mixed_strategy
from tests.interdiction.instances import clustered_problem

TWO_DOORS = PlanningProblem(
    corridors=(Corridor("EAST", "land", ("A",), 10), Corridor("WEST", "land", ("A",), 10)),
    teams=(Team("T", "A", "customs", 1),),
    agreements=frozenset(),
    days=1,
    shifts_per_day=1,
    shift_risk_factors=(Decimal(1),),
)


def test_one_team_two_equal_doors_is_a_coin_flip():
    # Deterministic: one door always open, loss 10. Mixed 50/50: expected loss 5 at each door.
    mixed = solve_mixed_strategy(TWO_DOORS, time_limit_s=20)
    assert mixed.deterministic_worst_case_loss == 10
    assert mixed.worst_case_loss == pytest.approx(5)
    assert mixed.lower_bound == pytest.approx(5)
    assert mixed.converged
    assert sorted(round(mixed.probabilities[k], 6) for k in mixed.support) == [0.5, 0.5]
    assert mixed.expected_objective == pytest.approx(10)


def test_randomized_plan_is_a_valid_roster_with_a_smaller_worst_case():
    p = clustered_problem(2, corridors=8, teams=8)
    mixed = solve_mixed_strategy(p, time_limit_s=15)
    assert mixed.worst_case_loss <= mixed.deterministic_worst_case_loss + 1e-6
    assert mixed.lower_bound <= mixed.worst_case_loss + 1e-6
    assert sum(mixed.probabilities) == pytest.approx(1)
    for roster in mixed.rosters:
        report = check_plan(p, roster.assignments)
        assert report.ok, report.violations
        assert report.objective == roster.objective
    assert mixed.expected_objective <= mixed.deterministic.objective + 1e-6


def test_sampling_is_reproducible_from_the_seed():
    mixed = solve_mixed_strategy(TWO_DOORS, time_limit_s=20)
    draws = [sample_roster(mixed, seed) for seed in range(40)]
    assert draws == [sample_roster(mixed, seed) for seed in range(40)]
    assert set(draws) == set(mixed.support)


def test_randomized_plan_output_reports_the_game_beside_the_deterministic_plan():
    plan = propose_randomized_plan(TWO_DOORS, seed=3, time_limit_s=20)
    game = plan.kpis["randomized"]
    assert game["worst_case_loss"] == pytest.approx(5)
    assert game["deterministic_worst_case_loss"] == 10
    assert game["deterministic_objective"] == 10
    assert game["expected_objective"] == pytest.approx(10)
    assert game["seed"] == 3
    assert check_plan(TWO_DOORS, plan.assignments).ok
    assert list(plan.to_dict())[:3] == ["plan_id", "status", "objective"]


def test_allowing_more_worst_case_loss_buys_expected_coverage():
    p = clustered_problem(2, corridors=8, teams=8)
    strict = solve_mixed_strategy(p, time_limit_s=15)
    relaxed = solve_mixed_strategy(
        p, time_limit_s=15, max_worst_case_loss=strict.deterministic_worst_case_loss
    )
    assert relaxed.expected_objective >= strict.expected_objective - 1e-6
    assert relaxed.expected_objective == pytest.approx(strict.deterministic.objective)

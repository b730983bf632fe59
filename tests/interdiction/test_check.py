"""The independent checker rejects hand-broken plans, one rule at a time, and scores plans."""

from decimal import Decimal

import pytest

from interdiction.check import Rule, check_plan
from interdiction.problem import Assignment, Corridor, PlanningProblem, Team

PROBLEM = PlanningProblem(
    corridors=(
        Corridor("LAND", "land", ("A", "B"), 10),
        Corridor("PORT", "sea", ("A", "B"), 20),
        Corridor("POST", "postal", ("C",), 30),
    ),
    teams=(
        Team("A1", "A", "customs", 2),
        Team("B1", "B", "maritime", 3),
        Team("C1", "C", "xray", 3),
        Team("C2", "C", "k9", 3),
    ),
    agreements=frozenset({("C", "LAND")}),
    days=2,
    shifts_per_day=2,
    shift_risk_factors=(Decimal("1.0"), Decimal("1.5")),
    open_cases={"PORT": 1},
)

VALID = [
    Assignment("A1", "PORT", 0),
    Assignment("B1", "PORT", 0),
    Assignment("C1", "POST", 1),
    Assignment("C2", "LAND", 1),  # by agreement
    Assignment("A1", "LAND", 3),
]


def rules(assignments):
    return [v.rule for v in check_plan(PROBLEM, assignments).violations]


def test_valid_plan_passes_and_is_scored_from_scratch():
    report = check_plan(PROBLEM, VALID)
    assert report.ok
    # PORT s0: 20×1.0×1.5 = 30, joint → 60; POST s1: 30×1.5 = 45; LAND s1: 15; LAND s3: 15
    assert report.covered_risk == 30 + 45 + 15 + 15
    assert report.joint_risk == 30
    assert report.objective == 135


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        ([Assignment("ZZ", "LAND", 0)], Rule.UNKNOWN_TEAM),
        ([Assignment("A1", "NOWHERE", 0)], Rule.UNKNOWN_CORRIDOR),
        ([Assignment("A1", "LAND", 4)], Rule.SHIFT_RANGE),
        ([Assignment("A1", "LAND", -1)], Rule.SHIFT_RANGE),
        ([Assignment("B1", "LAND", 2)], Rule.KIND_COMPATIBILITY),  # maritime on land
        ([Assignment("C2", "POST", 2)], Rule.KIND_COMPATIBILITY),  # k9 at a postal hub
        ([Assignment("C1", "PORT", 2)], Rule.KIND_COMPATIBILITY),
        ([Assignment("A1", "POST", 2)], Rule.AGREEMENT),  # A does not touch POST, no agreement
        ([Assignment("A1", "LAND", 2), Assignment("A1", "PORT", 2)], Rule.ONE_CORRIDOR_PER_SHIFT),
        ([Assignment("B1", "PORT", 1), Assignment("B1", "PORT", 2)], Rule.NO_CONSECUTIVE_SHIFTS),
    ],
)
def test_each_broken_rule_is_named(broken, rule):
    assert rule in rules(broken)


def test_consecutive_shifts_across_the_day_boundary_are_refused():
    # shift 1 is the last of day 0, shift 2 the first of day 1
    assert rules([Assignment("C1", "POST", 1), Assignment("C1", "POST", 2)]) == [
        Rule.NO_CONSECUTIVE_SHIFTS
    ]


def test_max_shifts_is_enforced():
    plan = [Assignment("A1", "LAND", 0), Assignment("A1", "LAND", 2)]
    assert check_plan(PROBLEM, plan).ok
    team = PROBLEM.teams[0]
    tight = PlanningProblem(
        corridors=PROBLEM.corridors,
        teams=(Team(team.code, team.jurisdiction, team.kind, 1), *PROBLEM.teams[1:]),
        agreements=PROBLEM.agreements,
        days=2,
        shifts_per_day=2,
        shift_risk_factors=PROBLEM.shift_risk_factors,
    )
    assert [v.rule for v in check_plan(tight, plan).violations] == [Rule.MAX_SHIFTS]


def test_breaking_a_valid_plan_by_one_assignment_is_caught():
    assert rules([*VALID, Assignment("B1", "PORT", 1)]) == [Rule.NO_CONSECUTIVE_SHIFTS]
    assert rules([*VALID, Assignment("C1", "LAND", 1)]) == [Rule.ONE_CORRIDOR_PER_SHIFT]


def test_extra_teams_of_one_jurisdiction_add_nothing():
    two_same = [Assignment("C1", "LAND", 0), Assignment("C2", "LAND", 0)]
    assert check_plan(PROBLEM, two_same).objective == 10

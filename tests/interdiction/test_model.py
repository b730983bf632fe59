from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdiction.check import Rule, check_plan, risk_of
from interdiction.problem import (
    Assignment,
    Corridor,
    CorridorKind,
    PlanningProblem,
    Team,
    TeamKind,
    build_model,
    corridor_shift_risk,
    is_eligible,
    kinds_compatible,
    round_half_up,
)
from tests.interdiction.instances import problem


def test_risk_uses_open_cases_capped_at_four():
    assert corridor_shift_risk(40, Decimal("1.0"), 0) == 40
    assert corridor_shift_risk(40, Decimal("1.0"), 1) == 60
    assert corridor_shift_risk(40, Decimal("1.0"), 4) == 120
    assert corridor_shift_risk(40, Decimal("1.0"), 9) == 120


def test_risk_rounds_half_up_in_decimal():
    assert corridor_shift_risk(1, Decimal("0.5"), 0) == 1  # banker's rounding would give 0
    assert corridor_shift_risk(5, Decimal("1.1"), 0) == 6  # 5.5
    assert corridor_shift_risk(10, Decimal("1.15"), 0) == 12  # float 10*1.15 = 11.4999…
    assert corridor_shift_risk(3, Decimal("0.5"), 1) == 2  # 2.25
    assert round_half_up(Decimal("2.5")) == 3


def test_float_factors_are_read_as_their_decimal_text():
    p = PlanningProblem((Corridor("C", "land", ("A",), 10),), (), frozenset(), 1, 1, (1.15,))
    assert build_model(p).risk[0][0] == 12


def test_shift_factor_follows_the_shift_of_the_day():
    p = problem(
        [Corridor("C", CorridorKind.LAND, ("A", "B"), 50)],
        [],
        days=2,
        shifts_per_day=3,
        factors=("1.0", "0.8", "1.3"),
        cases={"C": 2},
    )
    assert build_model(p).risk[0] == (100, 80, 130, 100, 80, 130)


@pytest.mark.parametrize(
    ("corridor_kind", "allowed"),
    [
        ("sea", {"maritime", "customs"}),
        ("land", {"customs", "border_police", "k9", "xray"}),
        ("air", {"customs", "border_police", "k9", "xray"}),
        ("postal", {"customs", "xray"}),
    ],
)
def test_kind_compatibility_table(corridor_kind, allowed):
    for team_kind in TeamKind:
        assert kinds_compatible(CorridorKind(corridor_kind), team_kind) == (team_kind in allowed)


def test_eligibility_needs_touch_or_agreement_and_kind():
    corridor = Corridor("C", CorridorKind.LAND, ("A", "B"), 10)
    assert is_eligible(Team("t", "A", TeamKind.K9, 3), corridor, frozenset())
    assert not is_eligible(Team("t", "C", TeamKind.K9, 3), corridor, frozenset())
    assert is_eligible(Team("t", "C", TeamKind.K9, 3), corridor, frozenset({("C", "C")}))
    assert not is_eligible(Team("t", "A", TeamKind.MARITIME, 3), corridor, frozenset())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Corridor("C", "land", ("A",), 101), "not in 0..100"),
        (lambda: Corridor("C", "river", ("A",), 10), "river"),
        (lambda: Team("T", "A", "customs", -1), "negative"),
        (lambda: problem([Corridor("C", "land", ("A",), 1)] * 2, []), "duplicate corridor"),
        (lambda: problem([], [], agreements=[("A", "X")]), "unknown corridor"),
        (lambda: problem([], [], factors=("1", "2")), "one per shift"),
        (lambda: problem([Corridor("C", "land", ("A",), 1)], [], cases={"C": -1}), "negative"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_interchangeable_teams_form_one_group():
    corridors = [Corridor("C1", "land", ("A", "B"), 10), Corridor("C2", "sea", ("A", "B"), 10)]
    teams = [
        Team("bp1", "A", "border_police", 3),
        Team("k9", "A", "k9", 3),  # same eligibility as border police: same group
        Team("bp2", "A", "border_police", 2),  # other max_shifts: own group
        Team("cu", "A", "customs", 3),  # also eligible at the sea corridor
        Team("mar", "B", "maritime", 0),  # no shifts: never planned
    ]
    model = build_model(problem(corridors, teams))
    members = sorted(g.team_codes for g in model.groups)
    assert members == [("bp1", "k9"), ("bp2",), ("cu",)]
    assert model.group_of_team[4] == -1


codes = st.sampled_from(["A", "B", "C"])
corridor_strategy = st.builds(
    Corridor,
    code=st.just("X"),
    kind=st.sampled_from(list(CorridorKind)),
    jurisdictions=st.lists(codes, min_size=1, max_size=2, unique=True).map(tuple),
    base_risk=st.integers(0, 100),
)
team_strategy = st.builds(
    Team,
    code=st.just("T"),
    jurisdiction=codes,
    kind=st.sampled_from(list(TeamKind)),
    max_shifts=st.integers(1, 3),
)


@given(corridor_strategy, team_strategy, st.booleans())
def test_model_eligibility_agrees_with_the_independent_checker(corridor, team, agreement):
    agreements = {(team.jurisdiction, corridor.code)} if agreement else set()
    p = problem([corridor], [team], agreements=agreements)
    report = check_plan(p, [Assignment("T", "X", 0)])
    refused = {v.rule for v in report.violations} & {Rule.KIND_COMPATIBILITY, Rule.AGREEMENT}
    assert (not refused) == is_eligible(team, corridor, p.agreements)


@given(
    st.integers(0, 100),
    st.decimals(min_value=0, max_value=3, places=2),
    st.integers(0, 12),
)
def test_model_risk_agrees_with_the_independent_checker(base_risk, factor, cases):
    assert corridor_shift_risk(base_risk, factor, cases) == risk_of(base_risk, factor, cases)
    # open cases beyond four add nothing
    assert corridor_shift_risk(base_risk, factor, max(cases, 4)) == corridor_shift_risk(
        base_risk, factor, 4
    )

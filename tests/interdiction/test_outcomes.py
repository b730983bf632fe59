"""Outcomes feed back into corridor risk by a Beta–Bernoulli update."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdiction.outcomes import (
    InspectionResult,
    prior_belief,
    updated_base_risk,
    updated_base_risks,
)

results = st.lists(st.sampled_from(list(InspectionResult)), max_size=30)


def test_documented_examples():
    assert updated_base_risk(20, ["seized"]) == 27  # Beta(2, 8) → Beta(3, 8): 300/11
    assert updated_base_risk(20, ["nothing"] * 10) == 10  # Beta(2, 18)
    assert updated_base_risk(20, ["not_done"] * 5) == 20


def test_prior_has_the_base_risk_as_mean_and_the_documented_strength():
    belief = prior_belief(35)
    assert belief.mean == Fraction(35, 100)
    assert belief.alpha + belief.beta == 10
    assert prior_belief(35, prior_strength=40).alpha == 14


@given(st.integers(0, 100), results)
def test_risk_stays_in_range_and_order_does_not_matter(base_risk, outcome_list):
    risk = updated_base_risk(base_risk, outcome_list)
    assert 0 <= risk <= 100
    assert risk == updated_base_risk(base_risk, list(reversed(outcome_list)))


@given(st.integers(0, 100), results)
def test_a_seizure_never_lowers_risk_and_an_empty_inspection_never_raises_it(base, history):
    now = updated_base_risk(base, history)
    assert updated_base_risk(base, [*history, "seized"]) >= now
    assert updated_base_risk(base, [*history, "nothing"]) <= now
    assert updated_base_risk(base, [*history, "not_done"]) == now


def test_many_outcomes_dominate_the_prior():
    assert updated_base_risk(90, ["nothing"] * 1000) <= 1
    assert updated_base_risk(5, ["seized"] * 1000) >= 99


def test_per_corridor_update_and_unknown_corridor():
    risks = updated_base_risks({"A": 20, "B": 50}, [("A", "seized"), ("A", "nothing")])
    assert risks == {"A": 25, "B": 50}  # Beta(3, 9): 25
    with pytest.raises(ValueError, match="unknown corridor"):
        updated_base_risks({"A": 20}, [("Z", "seized")])
    with pytest.raises(ValueError):
        updated_base_risk(20, ["lost"])

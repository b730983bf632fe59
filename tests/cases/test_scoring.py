"""The scorer and the correlator are pure: exact noisy-OR, order-independent union–find."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from cases.casework.scoring import (
    Evidence,
    as_float,
    breakdown,
    distinct_score,
    noisy_or,
    priority_for,
    reaches,
)
from cases.intake.correlation import correlate
from cases.kernel.models import Priority

WEIGHTS = {
    "undeclared_arms": 0.9,
    "embargoed_destination": 0.8,
    "euc_forged": 0.8,
    "watchlist_hit": 0.7,
    "concealment": 0.6,
    "euc_mismatch": 0.6,
    "seal_tampered": 0.5,
    "broker_unlicensed": 0.5,
    "unusual_payment": 0.35,
    "ais_gap": 0.3,
    "route_deviation": 0.3,
    "vessel_renamed": 0.25,
    "hs_chapter_93": 0.2,
}


def test_scores_are_exact_at_the_threshold() -> None:
    assert distinct_score(["concealment"], WEIGHTS) == 0.6
    assert 1 - (1 - 0.25) * (1 - 0.2) < 0.4  # floats alone would miss a 0.4 threshold
    assert reaches(distinct_score(["vessel_renamed", "hs_chapter_93"], WEIGHTS), 0.4)
    assert reaches(distinct_score(["concealment"], WEIGHTS), 0.6)
    # 1 − 0.8·0.5 = 0.6 exactly; in floats 1 − (1−0.2)(1−0.5) is 0.6 too, but 0.2+0.5 paths differ
    assert reaches(distinct_score(["hs_chapter_93", "seal_tampered"], WEIGHTS), 0.6)
    assert reaches(distinct_score(["hs_chapter_93", "broker_unlicensed"], WEIGHTS), 0.6)
    assert not reaches(distinct_score(["ais_gap", "route_deviation"], WEIGHTS), 0.6)  # 0.51


def test_the_weak_signal_chain_reaches_the_threshold_only_with_its_third_alert() -> None:
    assert as_float(distinct_score(["ais_gap"], WEIGHTS)) == 0.3
    assert as_float(distinct_score(["ais_gap", "route_deviation"], WEIGHTS)) == 0.51
    three = distinct_score(["ais_gap", "route_deviation", "vessel_renamed"], WEIGHTS)
    assert as_float(three) == 0.6325 and reaches(three, 0.6)


def test_each_indicator_counts_once() -> None:
    assert distinct_score(["ais_gap", "ais_gap", "route_deviation"], WEIGHTS) == 0.51


def test_priorities() -> None:
    assert priority_for(0.9) == Priority.P1
    assert priority_for(0.75) == Priority.P2
    assert priority_for(0.749999) == Priority.P3


def test_the_breakdown_says_which_alerts_reported_what() -> None:
    score, rows = breakdown(
        [
            Evidence(
                "ME-customs", "UPC-1", ("hs_chapter_93", "euc_mismatch", "embargoed_destination")
            ),
            Evidence("RS-FIU", "APML-1", ("unusual_payment",)),
            Evidence("EU-EUC-check", "EUC-1", ("euc_forged", "embargoed_destination")),
        ],
        WEIGHTS,
    )
    assert as_float(score) == 0.99168  # 1 − 0.2·0.2·0.4·0.65·0.8: the README's LY story
    assert [r["indicator"] for r in rows] == [
        "embargoed_destination",
        "euc_forged",
        "euc_mismatch",
        "unusual_payment",
        "hs_chapter_93",
    ]
    assert rows[0] == {
        "indicator": "embargoed_destination",
        "weight": 0.8,
        "alerts": [
            {"source": "EU-EUC-check", "source_ref": "EUC-1"},
            {"source": "ME-customs", "source_ref": "UPC-1"},
        ],
    }


indicator_sets = st.lists(st.sampled_from(sorted(WEIGHTS)), max_size=8)


@given(indicator_sets)
def test_noisy_or_lies_in_0_1_and_ignores_order_and_repeats(codes: list[str]) -> None:
    score = distinct_score(codes, WEIGHTS)
    assert 0 <= score <= 1
    assert distinct_score(list(reversed(codes)) + codes, WEIGHTS) == score


@given(indicator_sets, st.sampled_from(sorted(WEIGHTS)))
def test_more_evidence_never_lowers_a_score(codes: list[str], extra: str) -> None:
    assert distinct_score([*codes, extra], WEIGHTS) >= distinct_score(codes, WEIGHTS)


@given(st.lists(st.floats(min_value=0, max_value=1), max_size=6))
def test_noisy_or_matches_its_formula(weights: list[float]) -> None:
    expected = 1.0
    for w in weights:
        expected *= 1 - w
    assert abs(noisy_or(weights) - (1 - expected)) < 1e-9


# --- correlation ----------------------------------------------------------------------------------

keys = st.sampled_from([f"vessel:{n}" for n in range(6)] + [f"company:RS:{n}" for n in range(6)])
node_keys = st.dictionaries(st.integers(0, 40), st.sets(keys, max_size=3), max_size=25)


@given(node_keys, st.randoms())
def test_correlation_does_not_depend_on_order(
    nodes: dict[int, set[str]], rnd: random.Random
) -> None:
    shuffled = list(nodes.items())
    rnd.shuffle(shuffled)
    assert correlate(nodes) == correlate(dict(shuffled))


@given(node_keys)
def test_correlation_is_the_transitive_closure_of_shared_keys(nodes: dict[int, set[str]]) -> None:
    groups = correlate(nodes)
    assert sorted(n for g in groups for n in g) == sorted(nodes)  # a partition
    where = {n: i for i, g in enumerate(groups) for n in g}
    for a, ka in nodes.items():
        for b, kb in nodes.items():
            if ka & kb:
                assert where[a] == where[b]
    for group in groups:  # and nothing more: each group is connected through shared keys
        members = sorted(group)
        reached, frontier = {members[0]}, [members[0]]
        while frontier:
            n = frontier.pop()
            for m in members:
                if m not in reached and nodes[n] & nodes[m]:
                    reached.add(m)
                    frontier.append(m)
        assert reached == set(group)

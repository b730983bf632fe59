"""Splitting a team group's per-shift counts into concrete team weeks is exact."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from interdiction.rosters import counts_fit_group, split_group_shifts


def valid_week(week, max_shifts):
    return sum(week) <= max_shifts and all(not (a and b) for a, b in itertools.pairwise(week))


def test_every_fitting_count_vector_splits_exhaustively_small():
    for shifts, size, max_shifts in itertools.product(range(1, 7), range(1, 4), range(0, 4)):
        for counts in itertools.product(range(size + 1), repeat=shifts):
            if not counts_fit_group(counts, size, max_shifts):
                continue
            weeks = split_group_shifts(counts, size, max_shifts)
            assert len(weeks) == size
            assert all(valid_week(w, max_shifts) for w in weeks)
            assert [sum(col) for col in zip(*weeks, strict=True)] == list(counts)


@st.composite
def group_weeks(draw):
    """Counts built as a sum of valid team weeks, so they are known to fit."""
    shifts = draw(st.integers(1, 14))
    size = draw(st.integers(1, 8))
    max_shifts = draw(st.integers(0, 7))
    counts = [0] * shifts
    for _ in range(size):
        week = [0] * shifts
        for s in draw(st.lists(st.integers(0, shifts - 1), unique=True, max_size=max_shifts)):
            if not (s > 0 and week[s - 1]) and not (s + 1 < shifts and week[s + 1]):
                week[s] = 1
        counts = [c + x for c, x in zip(counts, week, strict=True)]
    return counts, size, max_shifts


@given(group_weeks())
def test_split_recovers_valid_weeks_for_any_feasible_group(case):
    counts, size, max_shifts = case
    assert counts_fit_group(counts, size, max_shifts)
    weeks = split_group_shifts(counts, size, max_shifts)
    assert all(valid_week(w, max_shifts) for w in weeks)
    assert [sum(col) for col in zip(*weeks, strict=True)] == counts


def test_counts_that_do_not_fit_are_refused():
    assert not counts_fit_group([1, 1], 1, 5)  # consecutive
    assert not counts_fit_group([1, 0, 1, 0, 1], 1, 2)  # max_shifts
    assert not counts_fit_group([2], 1, 1)  # more than the group

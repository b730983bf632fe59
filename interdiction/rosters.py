"""Group shift counts ⇄ concrete team rosters, and a greedy plan for warm starts.

The optimizer plans a *team group* (interchangeable teams, see ``interdiction.problem``) as integer
counts: ``counts[s]`` teams of the group work in shift s. :func:`split_group_shifts` turns such
counts back into one week per team. It is exact: for counts with 0 ≤ W_s, W_s + W_{s+1} ≤ n and
ΣW ≤ n·K it always succeeds (Baum–Trotter integer decomposition of the totally unimodular
single-team system), peeling one team at a time with a small dynamic programme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from interdiction.problem import Assignment, PlanningModel

GroupCounts = dict[tuple[int, int, int], int]
"""(group, corridor, shift) → 1 when one team of the group inspects the corridor in that shift."""


def counts_fit_group(counts: Sequence[int], size: int, max_shifts: int) -> bool:
    """The counts are the sum of ``size`` feasible team weeks (no consecutive, ≤ max_shifts)."""
    if any(w < 0 or w > size for w in counts):
        return False
    if any(counts[s] + counts[s + 1] > size for s in range(len(counts) - 1)):
        return False
    return sum(counts) <= size * max_shifts


def _peel_one_week(counts: Sequence[int], size: int, max_shifts: int) -> tuple[int, ...]:
    """A 0/1 week x for one team such that counts − x still fits the other size − 1 teams."""
    rest = size - 1
    shift_count = len(counts)
    low = [max(0, w - rest) for w in counts]
    high = [min(1, w) for w in counts]
    pair_low = [counts[s] + counts[s + 1] - rest for s in range(shift_count - 1)]
    total_low = max(0, sum(counts) - rest * max_shifts)
    # reachable[s][(x_s, worked)] = predecessor state, for states after deciding shift s.
    reachable: list[dict[tuple[int, int], tuple[int, int] | None]] = []
    layer: dict[tuple[int, int], tuple[int, int] | None] = {}
    for x in range(low[0], high[0] + 1):
        if x <= max_shifts:
            layer[(x, x)] = None
    reachable.append(layer)
    for s in range(1, shift_count):
        layer = {}
        for prev_x, worked in reachable[-1]:
            for x in range(low[s], high[s] + 1):
                if prev_x + x > 1 or prev_x + x < pair_low[s - 1] or worked + x > max_shifts:
                    continue
                layer.setdefault((x, worked + x), (prev_x, worked))
        reachable.append(layer)
    final = [state for state in reachable[-1] if state[1] >= total_low]
    if not final:
        raise ValueError("shift counts do not decompose into team weeks (not in n·P)")
    state: tuple[int, int] | None = max(final, key=lambda st: st[1])
    week: list[int] = []
    for s in range(shift_count - 1, -1, -1):
        assert state is not None
        week.append(state[0])
        state = reachable[s][state]
    return tuple(reversed(week))


def split_group_shifts(counts: Sequence[int], size: int, max_shifts: int) -> list[tuple[int, ...]]:
    """Split per-shift counts of a group of ``size`` teams into one 0/1 week per team."""
    if not counts_fit_group(counts, size, max_shifts):
        raise ValueError("shift counts exceed what the group's teams can work")
    remaining = list(counts)
    weeks: list[tuple[int, ...]] = []
    for member in range(size, 0, -1):
        week = _peel_one_week(remaining, member, max_shifts)
        weeks.append(week)
        remaining = [w - x for w, x in zip(remaining, week, strict=True)]
    return weeks


def rosters_from_group_counts(
    model: PlanningModel, chosen: Iterable[tuple[int, int, int]]
) -> list[Assignment]:
    """Concrete assignments for chosen (group, corridor, shift) triples; exact by construction."""
    by_group_shift: dict[tuple[int, int], list[int]] = {}
    for g, c, s in chosen:
        by_group_shift.setdefault((g, s), []).append(c)
    assignments: list[Assignment] = []
    for g, group in enumerate(model.groups):
        counts = [len(by_group_shift.get((g, s), ())) for s in range(model.shift_count)]
        if not any(counts):
            continue
        weeks = split_group_shifts(counts, group.size, group.max_shifts)
        for s in range(model.shift_count):
            corridors = sorted(by_group_shift.get((g, s), ()))
            working = [code for code, week in zip(group.team_codes, weeks, strict=True) if week[s]]
            for team_code, c in zip(working, corridors, strict=True):
                assignments.append(Assignment(team_code, model.corridors[c].code, s))
    return sorted(assignments, key=lambda a: (a.shift, a.corridor, a.team))


def group_counts_from_assignments(
    model: PlanningModel, assignments: Iterable[Assignment]
) -> set[tuple[int, int, int]]:
    """Map a (previous) plan onto (group, corridor, shift) triples the aggregated model can use.

    Keeps at most one group per jurisdiction and two jurisdictions per corridor-shift (extra teams
    add nothing to the objective) and drops whatever the current problem no longer allows, so the
    result is always a feasible warm start.
    """
    chosen: set[tuple[int, int, int]] = set()
    present: dict[tuple[int, int], set[str]] = {}
    load: dict[tuple[int, int], int] = {}
    total: dict[int, int] = {}
    for a in sorted(assignments, key=lambda a: (a.shift, a.corridor, a.team)):
        t = model.team_index.get(a.team)
        c = model.corridor_index.get(a.corridor)
        if t is None or c is None or not 0 <= a.shift < model.shift_count:
            continue
        g = model.group_of_team[t]
        if g < 0 or c not in model.eligible_corridors[t] or model.risk[c][a.shift] <= 0:
            continue
        group = model.groups[g]
        here = present.setdefault((c, a.shift), set())
        if group.jurisdiction in here or len(here) >= 2:
            continue
        s = a.shift
        counts = [load.get((g, x), 0) for x in range(model.shift_count)]
        counts[s] += 1
        if not counts_fit_group(counts, group.size, group.max_shifts):
            continue
        load[(g, s)] = counts[s]
        total[g] = total.get(g, 0) + 1
        here.add(group.jurisdiction)
        chosen.add((g, c, s))
    return chosen


def greedy_group_plan(
    model: PlanningModel,
    weights: Sequence[Sequence[float]] | None = None,
    start: Iterable[tuple[int, int, int]] = (),
) -> set[tuple[int, int, int]]:
    """A quick feasible plan: fill corridor-shifts in order of weight, one jurisdiction at a time.

    Used as a complete warm start for the solvers (CP-SAT needs complete hints to keep them).
    """
    w = model.risk if weights is None else weights
    chosen = set(start)
    load: dict[tuple[int, int], int] = {}
    present: dict[tuple[int, int], set[str]] = {}
    for g, c, s in chosen:
        load[(g, s)] = load.get((g, s), 0) + 1
        present.setdefault((c, s), set()).add(model.groups[g].jurisdiction)
    used = {
        g: sum(load.get((g, s), 0) for s in range(model.shift_count))
        for g in range(len(model.groups))
    }
    slots = sorted(
        (
            (c, s)
            for c in range(len(model.corridors))
            for s in range(model.shift_count)
            if w[c][s] > 0
        ),
        key=lambda cs: (-w[cs[0]][cs[1]], cs),
    )
    for _round in range(2):  # first give every corridor-shift one team, then a second jurisdiction
        for c, s in slots:
            here = present.setdefault((c, s), set())
            if len(here) > _round:
                continue
            best: tuple[float, int] | None = None
            for g in model.groups_at_corridor[c]:
                group = model.groups[g]
                if group.jurisdiction in here or used[g] >= group.size * group.max_shifts:
                    continue
                prev_load = load.get((g, s - 1), 0)
                next_load = load.get((g, s + 1), 0)
                mine = load.get((g, s), 0) + 1
                if mine + prev_load > group.size or mine + next_load > group.size:
                    continue
                # Prefer the group with the most unused capacity left (keeps scarce teams free).
                slack = group.size * group.max_shifts - used[g]
                key = (-float(slack), g)
                if best is None or key < best:
                    best = key
            if best is not None:
                g = best[1]
                chosen.add((g, c, s))
                load[(g, s)] = load.get((g, s), 0) + 1
                used[g] += 1
                here.add(model.groups[g].jurisdiction)
    return chosen


def plan_value(model: PlanningModel, assignments: Iterable[Assignment]) -> int:
    """Σ r[c,s] × (covered + joint) of a plan, from the model's risk table."""
    present: dict[tuple[int, int], set[str]] = {}
    for a in assignments:
        c = model.corridor_index[a.corridor]
        present.setdefault((c, a.shift), set()).add(
            model.teams[model.team_index[a.team]].jurisdiction
        )
    return sum(model.risk[c][s] * min(2, len(js)) for (c, s), js in present.items())

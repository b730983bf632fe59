"""The planning problem as a solver-neutral linear program, in two formulations.

``aggregated`` (Cordon's): one 0/1 variable X[g,c,s] per *team group* g (see
``interdiction.problem``), eligible corridor c and shift s with positive weight. It rests on two
exact reductions:

1. Only presence counts. The objective r·(covered + joint) equals r·min(2, number of distinct
   jurisdictions present). Removing a team from a plan never breaks a constraint, so some optimal
   plan has at most one team per jurisdiction and at most two teams per corridor-shift. Under
   those two rows the value of a corridor-shift is exactly r·Σ_g X[g,c,s]: the objective becomes
   linear in X, with no covered/joint/presence variables. (The per corridor-shift rows form a
   truncated partition matroid, whose LP is the concave closure of min(2, #jurisdictions) — the
   tightest possible for this objective.)
2. Interchangeable teams aggregate exactly (Baum–Trotter, see ``interdiction.rosters``): per group,
   W_s = Σ_c X[g,c,s] with W_s + W_{s+1} ≤ n_g and Σ_s W_s ≤ n_g·K_g.

Variables whose weight is zero are left out (they cannot raise the objective).

``textbook``: the plain model of allocation.md §2.1 adapted to SPEC §7, for comparison — x[t,c,s]
per eligible team-corridor pair and shift, work[t,s], covered[c,s], presence z[c,s,j] and joint[c,s]
with 2·joint ≤ Σ_j z.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from interdiction.problem import PlanningModel


class Formulation(StrEnum):
    AGGREGATED = "aggregated"
    TEXTBOOK = "textbook"


@dataclass
class LinearProgram:
    """max Σ objective·v  s.t.  each row: lower ≤ Σ coefficient·v ≤ upper;  0 ≤ v ≤ upper_bound."""

    objective: list[float] = field(default_factory=list)
    upper_bound: list[int] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[list[int], list[int], float, float]] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)

    def add_variable(self, objective: float, upper_bound: int = 1, integer: bool = True) -> int:
        self.objective.append(objective)
        self.upper_bound.append(upper_bound)
        self.integer.append(integer)
        return len(self.objective) - 1

    def add_row(
        self, variables: list[int], coefficients: list[int], lower: float, upper: float, name: str
    ) -> int:
        self.rows.append((variables, coefficients, lower, upper))
        self.row_names.append(name)
        return len(self.rows) - 1

    @property
    def variable_count(self) -> int:
        return len(self.objective)

    @property
    def nonzero_count(self) -> int:
        return sum(len(row[0]) for row in self.rows)


NEG_INF = float("-inf")


@dataclass
class AggregatedProgram:
    program: LinearProgram
    keys: list[tuple[int, int, int]]  # variable index → (group, corridor, shift)
    group_total_rows: dict[int, int]  # group → row index of Σ_s W_s ≤ n·K (absent: not binding)
    group_pair_rows: dict[tuple[int, int], int]  # (group, s) → row of W_s + W_{s+1} ≤ n


def aggregated_program(
    model: PlanningModel, weights: Sequence[Sequence[float]] | None = None
) -> AggregatedProgram:
    w = model.risk if weights is None else weights
    lp = LinearProgram()
    keys: list[tuple[int, int, int]] = []
    index: dict[tuple[int, int, int], int] = {}
    for g, group in enumerate(model.groups):
        for c in group.corridors:
            for s in range(model.shift_count):
                if w[c][s] > 0:
                    index[(g, c, s)] = lp.add_variable(float(w[c][s]))
                    keys.append((g, c, s))
    # Per corridor-shift: one team per jurisdiction, two jurisdictions at most.
    for c in range(len(model.corridors)):
        by_jurisdiction: dict[str, list[int]] = {}
        for g in model.groups_at_corridor[c]:
            by_jurisdiction.setdefault(model.groups[g].jurisdiction, []).append(g)
        for s in range(model.shift_count):
            if w[c][s] <= 0:
                continue
            for jurisdiction, gs in by_jurisdiction.items():
                if len(gs) >= 2:
                    vs = [index[(g, c, s)] for g in gs]
                    lp.add_row(
                        vs,
                        [1] * len(vs),
                        NEG_INF,
                        1,
                        f"one_per_jurisdiction[{c},{s},{jurisdiction}]",
                    )
            if len(by_jurisdiction) >= 3:
                vs = [index[(g, c, s)] for g in model.groups_at_corridor[c]]
                lp.add_row(vs, [1] * len(vs), NEG_INF, 2, f"two_jurisdictions[{c},{s}]")
    # Per group: teams at work per shift, rest rule, shift limit.
    group_total_rows: dict[int, int] = {}
    group_pair_rows: dict[tuple[int, int], int] = {}
    for g, group in enumerate(model.groups):
        per_shift = [
            [index[(g, c, s)] for c in group.corridors if (g, c, s) in index]
            for s in range(model.shift_count)
        ]
        if model.shift_count == 1 and len(per_shift[0]) > group.size:
            lp.add_row(
                per_shift[0], [1] * len(per_shift[0]), NEG_INF, group.size, f"team_count[{g},0]"
            )
        for s in range(model.shift_count - 1):
            vs = per_shift[s] + per_shift[s + 1]
            if len(vs) > group.size:
                group_pair_rows[(g, s)] = lp.add_row(
                    vs, [1] * len(vs), NEG_INF, group.size, f"rest[{g},{s}]"
                )
        everything = [v for vs in per_shift for v in vs]
        if (
            group.max_shifts < (model.shift_count + 1) // 2
            and len(everything) > group.size * group.max_shifts
        ):
            group_total_rows[g] = lp.add_row(
                everything,
                [1] * len(everything),
                NEG_INF,
                group.size * group.max_shifts,
                f"max_shifts[{g}]",
            )
    return AggregatedProgram(lp, keys, group_total_rows, group_pair_rows)


@dataclass
class TextbookProgram:
    program: LinearProgram
    keys: dict[int, tuple[int, int, int]]  # x variable index → (team, corridor, shift)


def textbook_program(model: PlanningModel) -> TextbookProgram:
    lp = LinearProgram()
    shifts = range(model.shift_count)
    keys: dict[int, tuple[int, int, int]] = {}
    x_at: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (c, s) → [(team, var)]
    for t, team in enumerate(model.teams):
        if not model.eligible_corridors[t]:
            continue
        work = [lp.add_variable(0.0) for _ in shifts]
        for s in shifts:
            xs = []
            for c in model.eligible_corridors[t]:
                v = lp.add_variable(0.0)
                keys[v] = (t, c, s)
                xs.append(v)
                x_at.setdefault((c, s), []).append((t, v))
            lp.add_row([*xs, work[s]], [1] * len(xs) + [-1], 0, 0, f"work[{t},{s}]")
        for s in range(model.shift_count - 1):
            lp.add_row([work[s], work[s + 1]], [1, 1], NEG_INF, 1, f"rest[{t},{s}]")
        lp.add_row(work, [1] * len(work), NEG_INF, team.max_shifts, f"max_shifts[{t}]")
    for (c, s), present in sorted(x_at.items()):
        r = float(model.risk[c][s])
        covered = lp.add_variable(r)
        joint = lp.add_variable(r)
        lp.add_row(
            [covered] + [v for _, v in present],
            [1] + [-1] * len(present),
            NEG_INF,
            0,
            f"covered[{c},{s}]",
        )
        by_jurisdiction: dict[str, list[int]] = {}
        for t, v in present:
            by_jurisdiction.setdefault(model.teams[t].jurisdiction, []).append(v)
        zs = []
        for jurisdiction, vs in sorted(by_jurisdiction.items()):
            z = lp.add_variable(0.0, integer=False)
            zs.append(z)
            lp.add_row(
                [z, *vs], [1] + [-1] * len(vs), NEG_INF, 0, f"presence[{c},{s},{jurisdiction}]"
            )
        lp.add_row([joint, *zs], [2] + [-1] * len(zs), NEG_INF, 0, f"joint[{c},{s}]")
    return TextbookProgram(lp, keys)


def restricted(lp: LinearProgram, fixed: dict[int, int]) -> tuple[LinearProgram, list[int]]:
    """The program with the ``fixed`` variables substituted by their values.

    Returns the smaller program and, per new variable, its index in ``lp``. Rows left with no free
    variable are dropped (the caller fixes values that satisfy them).
    """
    free = [v for v in range(lp.variable_count) if v not in fixed]
    position = {v: i for i, v in enumerate(free)}
    sub = LinearProgram(
        objective=[lp.objective[v] for v in free],
        upper_bound=[lp.upper_bound[v] for v in free],
        integer=[lp.integer[v] for v in free],
    )
    for (vs, coefficients, lower, upper), name in zip(lp.rows, lp.row_names, strict=True):
        fixed_part = 0
        kept_vars: list[int] = []
        kept_coefficients: list[int] = []
        for v, k in zip(vs, coefficients, strict=True):
            if v in fixed:
                fixed_part += k * fixed[v]
            else:
                kept_vars.append(position[v])
                kept_coefficients.append(k)
        if kept_vars:
            sub.add_row(kept_vars, kept_coefficients, lower - fixed_part, upper - fixed_part, name)
    return sub, free

"""Learning corridor risk from inspection outcomes (SPEC §7 ``cordon outcomes record``).

Model: each inspection at a corridor is a Bernoulli trial that finds arms (``seized``) with
probability p, and a corridor's ``base_risk`` is 100·p. Belief about p is a Beta(α, β) distribution:

- prior: mean base_risk/100 with strength n₀ pseudo-inspections (default ``PRIOR_STRENGTH`` = 10),
  i.e. α₀ = n₀·base_risk/100, β₀ = n₀·(1 − base_risk/100);
- ``seized``   → α + 1 (evidence of trafficking through the corridor);
- ``nothing``  → β + 1 (an inspection that found nothing);
- ``not_done`` → no change (the inspection did not happen: no information);
- posterior mean α/(α+β); the updated base_risk is round_half_up(100·α/(α+β)), within 0..100.

The prior strength says how many inspections the analysts' base_risk is worth: with n₀ = 10, one
seizure at a corridor rated 20 moves it to round(100·3/11) = 27; ten empty inspections move it to
10. Arithmetic is exact (fractions), so the same outcomes always give the same risk.

Apply it to the analysts' base_risk with *all* outcomes recorded for the corridor so far — not to
a base_risk already updated by some of them, which would count those outcomes twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

PRIOR_STRENGTH = 10
"""Pseudo-inspections the prior base_risk is worth."""


class InspectionResult(StrEnum):
    SEIZED = "seized"
    NOTHING = "nothing"
    NOT_DONE = "not_done"


@dataclass(frozen=True)
class RiskBelief:
    """Beta(alpha, beta) belief about the chance that an inspection at the corridor seizes arms."""

    alpha: Fraction
    beta: Fraction

    @property
    def mean(self) -> Fraction:
        return self.alpha / (self.alpha + self.beta)

    @property
    def base_risk(self) -> int:
        """100 × posterior mean, rounded half up."""
        scaled = 100 * self.mean
        return int(scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)


def prior_belief(base_risk: int, prior_strength: int | Fraction = PRIOR_STRENGTH) -> RiskBelief:
    if not 0 <= base_risk <= 100:
        raise ValueError(f"base_risk {base_risk} is not in 0..100")
    if prior_strength <= 0:
        raise ValueError("prior_strength must be positive")
    strength = Fraction(prior_strength)
    mean = Fraction(base_risk, 100)
    return RiskBelief(alpha=strength * mean, beta=strength * (1 - mean))


def update_belief(belief: RiskBelief, result: InspectionResult | str) -> RiskBelief:
    result = InspectionResult(result)
    if result is InspectionResult.SEIZED:
        return RiskBelief(belief.alpha + 1, belief.beta)
    if result is InspectionResult.NOTHING:
        return RiskBelief(belief.alpha, belief.beta + 1)
    return belief


def updated_base_risk(
    base_risk: int,
    results: Iterable[InspectionResult | str],
    prior_strength: int | Fraction = PRIOR_STRENGTH,
) -> int:
    """The corridor's base_risk after the recorded outcomes (order does not matter)."""
    belief = prior_belief(base_risk, prior_strength)
    for result in results:
        belief = update_belief(belief, result)
    return belief.base_risk


def updated_base_risks(
    base_risks: Mapping[str, int],
    outcomes: Iterable[tuple[str, InspectionResult | str]],
    prior_strength: int | Fraction = PRIOR_STRENGTH,
) -> dict[str, int]:
    """New base_risk per corridor code from (corridor, result) outcomes; others unchanged."""
    results: dict[str, list[InspectionResult | str]] = {}
    for corridor, result in outcomes:
        if corridor not in base_risks:
            raise ValueError(f"outcome for unknown corridor {corridor}")
        results.setdefault(corridor, []).append(result)
    return {
        code: updated_base_risk(risk, results.get(code, ()), prior_strength)
        for code, risk in base_risks.items()
    }

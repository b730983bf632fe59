"""Risk scores (SPEC §5 step 3): noisy-OR over distinct indicators, and why a score is what it is.

``score = 1 − Π(1 − w_i)`` over the distinct indicators of a set of alerts: each indicator counts
once, however many alerts report it. Arithmetic is exact (``Fraction`` of the decimal weights), so
a group scoring exactly the threshold — ``concealment`` alone is 0.6 — reaches a 0.6 threshold
instead of falling a float rounding error short of it. Pure functions over plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from cases.models import Priority

SCORE_DECIMALS = 6  # stored and shown


@lru_cache(maxsize=1024)
def exact(weight: float) -> Fraction:
    """The decimal a weight was written as (0.6 → 3/5), not the binary float nearest to it."""
    return Fraction(repr(float(weight)))


def noisy_or(weights: Iterable[float]) -> Fraction:
    """``1 − Π(1 − w)``, exactly."""
    miss = Fraction(1)
    for weight in weights:
        miss *= 1 - exact(weight)
    return 1 - miss


def distinct_score(indicators: Iterable[str], weights: Mapping[str, float]) -> Fraction:
    """The noisy-OR over the distinct known indicators of ``indicators``."""
    return noisy_or(weights[code] for code in set(indicators) if code in weights)


def reaches(score: Fraction, threshold: float) -> bool:
    return score >= exact(threshold)


def as_float(score: Fraction) -> float:
    return round(float(score), SCORE_DECIMALS)


def priority_for(score: Fraction) -> Priority:
    """SPEC §5 step 6: p1 ≥ 0.9, p2 ≥ 0.75, p3 otherwise."""
    if score >= Fraction(9, 10):
        return Priority.P1
    if score >= Fraction(3, 4):
        return Priority.P2
    return Priority.P3


@dataclass(frozen=True)
class Evidence:
    """One alert's part in a score: who reported it and which indicators it carries."""

    source: str
    source_ref: str
    indicators: tuple[str, ...]


def breakdown(
    alerts: Sequence[Evidence], weights: Mapping[str, float]
) -> tuple[Fraction, list[dict[str, Any]]]:
    """The score of ``alerts`` together and, per distinct indicator, its weight and the alerts
    that reported it — strongest first ("why flagged")."""
    reported: dict[str, set[tuple[str, str]]] = {}
    for alert in alerts:
        for code in alert.indicators:
            if code in weights:
                reported.setdefault(code, set()).add((alert.source, alert.source_ref))
    score = noisy_or(weights[code] for code in reported)
    rows = [
        {
            "indicator": code,
            "weight": weights[code],
            "alerts": [{"source": s, "source_ref": r} for s, r in sorted(reported[code])],
        }
        for code in sorted(reported, key=lambda c: (-exact(weights[c]), c))
    ]
    return score, rows

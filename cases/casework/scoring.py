"""Risk scores (SPEC §5 step 3): noisy-OR over distinct indicators, and why a score is what it is.

``score = 1 − Π(1 − w_i)`` over the distinct indicators of a set of alerts: each indicator counts
once, however many alerts report it. Scores are rounded to 9 decimals, which makes them exact where
it matters: a group scoring exactly the threshold reaches it instead of missing it by a float
rounding error (``vessel_renamed`` with ``hs_chapter_93`` is 1 − 0.75·0.8 = 0.3999999999999999 in
floats, 0.4 here). Fractions would be exact too, and several times slower on the hot path.
Pure functions over plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cases.kernel.models import Priority

EXACT_DECIMALS = 9  # weights are decimals with a few places; float error is ~1e-16
SHOWN_DECIMALS = 6  # stored and shown


def noisy_or(weights: Iterable[float]) -> float:
    """``1 − Π(1 − w)``, rounded to 9 decimals."""
    miss = 1.0
    for weight in weights:
        miss *= 1.0 - weight
    return round(1.0 - miss, EXACT_DECIMALS)


def distinct_score(indicators: Iterable[str], weights: Mapping[str, float]) -> float:
    """The noisy-OR over the distinct known indicators of ``indicators``."""
    return noisy_or(weights[code] for code in set(indicators) if code in weights)


def reaches(score: float, threshold: float) -> bool:
    return score >= round(threshold, EXACT_DECIMALS)


def as_float(score: float) -> float:
    return round(score, SHOWN_DECIMALS)


def priority_for(score: float) -> Priority:
    """SPEC §5 step 6: p1 ≥ 0.9, p2 ≥ 0.75, p3 otherwise."""
    if score >= 0.9:
        return Priority.P1
    if score >= 0.75:
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
) -> tuple[float, list[dict[str, Any]]]:
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
        for code in sorted(reported, key=lambda c: (-weights[c], c))
    ]
    return score, rows

"""What a case's alerts say about it (SPEC §5 step 6), computed from the alerts alone.

Score, priority and the "why flagged" breakdown, lead and participating jurisdictions, corridors,
subjects and a title: a pure function of the case's alerts and the task force's reference data,
so opening, merging and splitting all recompute a case the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from cases.casework.identifiers import COUNTRY_FIELDS, key_of, name_key
from cases.casework.scoring import Evidence, breakdown, priority_for
from cases.kernel.models import Priority

SUBJECT_ORDER = ("company", "vessel", "person", "euc", "firearm")  # for the title


class FactsReference(Protocol):
    """What computing a case's facts needs besides its alerts: the indicator weights and the task
    force's members (``cases.casework.records.facts_reference`` reads them; intake's reference
    holds them too)."""

    @property
    def indicator_weights(self) -> Mapping[str, float]: ...

    @property
    def members(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class AlertFacts:
    """A stored alert as the case computations see it; ``id`` orders alerts of one file."""

    id: int
    source: str
    source_ref: str
    observed_at: datetime
    jurisdiction: str
    corridor: str | None
    indicators: tuple[str, ...]  # reported and derived
    subjects: tuple[Mapping[str, Any], ...] = ()
    subject_keys: tuple[str | None, ...] | None = None  # each subject's key, when known
    corridor_jurisdictions: tuple[str, ...] = ()  # the corridor's states when it arrived

    @property
    def label(self) -> str:
        return f"{self.source}:{self.source_ref}"


@dataclass(frozen=True)
class SubjectFacts:
    type: str
    key: str | None
    name: str
    name_key: str | None
    country: str | None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two subject rows of one case the same subject."""
        return ("key", self.key) if self.key else ("name", f"{self.type}:{self.name_key}")


@dataclass(frozen=True)
class CaseFacts:
    score: float
    priority: Priority
    score_breakdown: list[dict[str, Any]]
    lead_jurisdiction: str
    jurisdictions: tuple[str, ...]
    corridors: tuple[str, ...]
    subjects: tuple[SubjectFacts, ...]
    title: str


def first_alert(alerts: Sequence[AlertFacts]) -> AlertFacts:
    """Earliest ``observed_at``, then file order (the order alerts were stored)."""
    return min(alerts, key=lambda a: (a.observed_at, a.id))


def subjects_of(alerts: Sequence[AlertFacts]) -> tuple[SubjectFacts, ...]:
    """Each subject once: by strong identifier, or by type and name when it has none.

    Other names a subject went by (a renamed vessel) are kept in ``details["names"]``.
    """
    return _collect_subjects(alerts)[0]


def _collect_subjects(
    alerts: Sequence[AlertFacts],
) -> tuple[tuple[SubjectFacts, ...], dict[tuple[str, str], int]]:
    """The subjects, and in how many alerts each one appears."""
    found: dict[tuple[str, str], SubjectFacts] = {}
    names: dict[tuple[str, str], list[str]] = {}
    mentions: dict[tuple[str, str], int] = {}
    for alert in sorted(alerts, key=lambda a: (a.observed_at, a.id)):
        seen: set[tuple[str, str]] = set()
        keys = alert.subject_keys
        if keys is None or len(keys) != len(alert.subjects):
            keys = tuple(key_of(raw) for raw in alert.subjects)
        for raw, key in zip(alert.subjects, keys, strict=True):
            kind = str(raw.get("type") or "")
            name = str(raw.get("name") or "").strip()
            compact_name = name_key(name)
            if not key and not compact_name:
                continue
            identity = ("key", key) if key else ("name", f"{kind}:{compact_name}")
            known = names.setdefault(identity, [])
            if name and name not in known:
                known.append(name)
            if identity not in seen:
                seen.add(identity)
                mentions[identity] = mentions.get(identity, 0) + 1
            if identity in found:
                continue
            country_field = COUNTRY_FIELDS.get(kind)
            country = raw.get(country_field) if country_field else None
            found[identity] = SubjectFacts(
                type=kind,
                key=key,
                name=name,
                name_key=compact_name,
                country=str(country).strip().upper() if country else None,
                details={k: v for k, v in raw.items() if k not in ("type", "name")},
            )
    result = []
    for identity, subject in found.items():
        known = names[identity]
        details = dict(subject.details)
        if len(known) > 1:
            details["names"] = known
        name = known[0] if known else ""
        result.append(
            SubjectFacts(subject.type, subject.key, name, name_key(name), subject.country, details)
        )
    ordered = tuple(sorted(result, key=lambda s: (SUBJECT_ORDER.index(s.type), s.identity)))
    return ordered, mentions


def case_facts(
    alerts: Sequence[AlertFacts],
    *,
    weights: Mapping[str, float],
    members: frozenset[str] | set[str],
) -> CaseFacts:
    if not alerts:
        raise ValueError("a case needs at least one alert")
    score, rows = breakdown(
        [Evidence(a.source, a.source_ref, a.indicators) for a in alerts], weights
    )
    subjects, mentions = _collect_subjects(alerts)
    corridors = sorted({a.corridor for a in alerts if a.corridor})
    jurisdictions = {a.jurisdiction for a in alerts}
    for alert in alerts:
        jurisdictions.update(alert.corridor_jurisdictions)
    # member states among subject countries: company country, person nationality, EUC issuer
    jurisdictions.update(s.country for s in subjects if s.country and s.country in members)
    return CaseFacts(
        score=score,
        priority=priority_for(score),
        score_breakdown=rows,
        lead_jurisdiction=first_alert(alerts).jurisdiction,
        jurisdictions=tuple(sorted(jurisdictions)),
        corridors=tuple(corridors),
        subjects=subjects,
        title=title_for(rows, subjects, alerts, mentions),
    )


def title_for(
    rows: Sequence[Mapping[str, Any]],
    subjects: Sequence[SubjectFacts],
    alerts: Sequence[AlertFacts],
    mentions: Mapping[tuple[str, str], int],
) -> str:
    """The strongest indicator and the most telling subject — the identified subject most of the
    alerts name — e.g. ``Embargoed destination: Srem Metal d.o.o. (company RS:21458803)``."""
    reason = str(rows[0]["indicator"]).replace("_", " ").capitalize() if rows else "No indicator"
    keyed = [s for s in subjects if s.key] or list(subjects)
    if keyed:
        subject = min(keyed, key=lambda s: -mentions.get(s.identity, 0))
        what = subject.key.split(":", 1)[1] if subject.key else subject.type
        label = (
            f"{subject.name} ({subject.type} {what})" if subject.name else f"{subject.type} {what}"
        )
    else:
        label = first_alert(alerts).label
    return f"{reason}: {label}"


def _unnamed(subject: SubjectFacts) -> str:
    """A subject without a name, as its identifier was written (``Zastava M70-123456``)."""
    d = {k: str(v).strip() for k, v in subject.details.items() if isinstance(v, str | int)}
    match subject.type:
        case "firearm":
            return f"{d.get('make', '')} {d.get('model', '')} serial {d.get('serial', '')}".strip()
        case "euc":
            return f"EUC {d.get('number', '')} issued by {d.get('issuer', '')}"
        case "vessel":
            return f"vessel IMO {d.get('imo', '')}"
    return f"{subject.type} {subject.key or ''}".strip()

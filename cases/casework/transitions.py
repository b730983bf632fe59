"""A case's status chain (SPEC §5 step 6): which moves are allowed, as a pure rule.

``new → triage → investigating → interdiction_planned → action_taken → referred → closed``: one
step forward or back, ``closed`` from any open status with an outcome, and a closed case may be
reopened into ``triage``.
"""

from __future__ import annotations

from cases.kernel.errors import IllegalTransition, Invalid
from cases.kernel.models import CaseOutcome, CaseStatus

CHAIN = (
    CaseStatus.NEW,
    CaseStatus.TRIAGE,
    CaseStatus.INVESTIGATING,
    CaseStatus.INTERDICTION_PLANNED,
    CaseStatus.ACTION_TAKEN,
    CaseStatus.REFERRED,
    CaseStatus.CLOSED,
)


def allowed_transitions(current: CaseStatus) -> list[CaseStatus]:
    """One step forward or back along the chain, closing from any open status (with an
    outcome), and reopening a closed case into triage."""
    if current == CaseStatus.CLOSED:
        return [CaseStatus.TRIAGE]
    at = CHAIN.index(current)
    steps = [CHAIN[at - 1]] if at > 0 else []
    steps.append(CHAIN[at + 1])
    if CaseStatus.CLOSED not in steps:
        steps.append(CaseStatus.CLOSED)
    return steps


def check_transition(
    case_id: str, current: CaseStatus, status: CaseStatus, outcome: CaseOutcome | None
) -> None:
    """Refuse a move the chain does not allow, and an outcome that does not fit it."""
    if status not in allowed_transitions(current):
        allowed = ", ".join(allowed_transitions(current))
        raise IllegalTransition(
            f"{case_id} cannot go from {current} to {status} (from {current}: {allowed})"
        )
    if status == CaseStatus.CLOSED and outcome is None:
        outcomes = ", ".join(o.value for o in CaseOutcome)
        raise Invalid(f"closing {case_id} needs an outcome ({outcomes})")
    if status != CaseStatus.CLOSED and outcome is not None:
        raise Invalid(f"an outcome is for closing a case, not for moving it to {status}")

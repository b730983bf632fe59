"""Lifecycle of an MLA or extradition request as a transition table (SPEC §6;
legal-cooperation.md §6).

`draft → legal_review → translation_pending → ready → transmitted → acknowledged →
under_assessment → (info_requested | consultation | assurance_requested | postponed) →
accepted → in_execution → results_transmitted → closed`, plus `returned_deficient`,
`refused` (with a reason code), `withdrawn` and `lapsed`.

Decisions taken here (beyond the main line):
- `legal_review → ready` skips `translation_pending`, allowed only when no translation is required
  (the routing decision has no TRANSLATION_REQUIRED flag); `legal_review → draft` is the reviewer's
  rejection; `translation_pending`/`ready` may go back to `legal_review`.
- `transmitted → under_assessment` and `acknowledged → accepted`: many authorities never send a
  formal acknowledgement, and a recognition decision may come without an assessment step.
- The side states (info_requested, consultation, assurance_requested, postponed) return to
  `under_assessment` or end in `accepted` / `refused`; `postponed` is also reachable from `accepted`
  and `in_execution` and returns to `in_execution` (UNTOC art. 18(25), EIO art. 15).
- `returned_deficient → draft`: a deficient request is fixed and resubmitted (UKCA practice).
- `results_transmitted → in_execution`: partial results, more to come.
- `withdrawn` from any non-final state (UNTOC art. 18(24): say when assistance is no longer
  needed); `lapsed` from any state after transmission (a timer expired, e.g. provisional arrest
  day 40).
- Final: `closed`, `refused`, `withdrawn`, `lapsed`.

Deadlines start on events: reaching a status records the event of the same name (e.g.
`transmitted`, `acknowledged`, `accepted`); events that are not statuses (`arrested`,
`consent_given`, …) are side events recorded without changing the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from cases.legal.catalogue import RequestStatus, RequestType
from cases.legal.errors import IllegalTransition

S = RequestStatus


class RefusalReason(StrEnum):
    """Reason codes a refusal must carry (ECMA art. 19; ECE art. 18(2); UNTOC art. 18(23))."""

    POLITICAL_OFFENCE = "political_offence"  # ECE art. 3; ECMA art. 2(a); IAMLA art. 9
    MILITARY_OFFENCE = "military_offence"  # ECE art. 4; ECMA art. 1(2)
    FISCAL_OFFENCE = "fiscal_offence"  # ECE art. 5; ECMA art. 2(a)
    OWN_NATIONAL = "own_national"  # ECE art. 6; EAW art. 4(6)
    DEATH_PENALTY = "death_penalty"  # ECE art. 11
    NE_BIS_IN_IDEM = "ne_bis_in_idem"  # ECE art. 9; EAW art. 3(2); EIO art. 11(1)(d)
    LAPSE_OF_TIME = "lapse_of_time"  # ECE art. 10; EAW art. 4(4)
    DUAL_CRIMINALITY = "dual_criminality"  # ECE art. 2; EIO art. 11(1)(g); UNTOC 18(9)
    SOVEREIGNTY_ORDRE_PUBLIC = "sovereignty_ordre_public"  # ECMA art. 2(b); UNTOC 18(21)(b)
    NON_CONFORMITY = "non_conformity"  # UNTOC 18(21)(a)
    DOMESTIC_LAW_PROHIBITS = "domestic_law_prohibits"  # UNTOC 18(21)(c)-(d)
    FUNDAMENTAL_RIGHTS = "fundamental_rights"  # EIO art. 11(1)(f)
    IMMUNITY = "immunity"  # EIO art. 11(1)(a)
    TERRITORIALITY = "territoriality"  # ECE art. 7; EAW art. 4(7)
    PENDING_PROCEEDINGS = "pending_proceedings"  # ECE art. 8; EAW art. 4(2)
    PERSECUTION = "persecution"  # ECE art. 3(2); UNTOC 16(14)
    OTHER = "other"


FINAL_STATUSES: frozenset[RequestStatus] = frozenset({S.CLOSED, S.REFUSED, S.WITHDRAWN, S.LAPSED})
_SIDE_STATES = (S.INFO_REQUESTED, S.CONSULTATION, S.ASSURANCE_REQUESTED, S.POSTPONED)
_AFTER_TRANSMISSION = (
    S.TRANSMITTED,
    S.ACKNOWLEDGED,
    S.UNDER_ASSESSMENT,
    *_SIDE_STATES,
    S.ACCEPTED,
    S.IN_EXECUTION,
)

_EDGES: dict[RequestStatus, set[RequestStatus]] = {
    S.DRAFT: {S.LEGAL_REVIEW},
    S.LEGAL_REVIEW: {S.DRAFT, S.TRANSLATION_PENDING, S.READY},
    S.TRANSLATION_PENDING: {S.READY, S.LEGAL_REVIEW},
    S.READY: {S.TRANSMITTED, S.LEGAL_REVIEW},
    S.TRANSMITTED: {S.ACKNOWLEDGED, S.UNDER_ASSESSMENT, S.RETURNED_DEFICIENT, S.REFUSED},
    S.ACKNOWLEDGED: {S.UNDER_ASSESSMENT, S.ACCEPTED, S.RETURNED_DEFICIENT, S.REFUSED},
    S.UNDER_ASSESSMENT: {*_SIDE_STATES, S.ACCEPTED, S.REFUSED, S.RETURNED_DEFICIENT},
    S.INFO_REQUESTED: {S.UNDER_ASSESSMENT, S.ACCEPTED, S.REFUSED, S.RETURNED_DEFICIENT},
    S.CONSULTATION: {S.UNDER_ASSESSMENT, S.ACCEPTED, S.REFUSED},  # UNTOC 16(16), 18(26)
    S.ASSURANCE_REQUESTED: {S.UNDER_ASSESSMENT, S.ACCEPTED, S.REFUSED},  # ECE art. 11
    S.POSTPONED: {S.UNDER_ASSESSMENT, S.ACCEPTED, S.IN_EXECUTION, S.REFUSED},  # UNTOC 18(25)
    S.ACCEPTED: {S.IN_EXECUTION, S.POSTPONED},
    S.IN_EXECUTION: {S.RESULTS_TRANSMITTED, S.POSTPONED},
    S.RESULTS_TRANSMITTED: {S.CLOSED, S.IN_EXECUTION},
    S.RETURNED_DEFICIENT: {S.DRAFT, S.CLOSED},
    S.CLOSED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
    S.LAPSED: set(),
}
for _open in S:
    if _open not in FINAL_STATUSES:
        _EDGES[_open].add(S.WITHDRAWN)
for _sent in _AFTER_TRANSMISSION:
    _EDGES[_sent].add(S.LAPSED)

TRANSITIONS: Mapping[RequestStatus, frozenset[RequestStatus]] = MappingProxyType(
    {status: frozenset(targets) for status, targets in _EDGES.items()}
)


def allowed_targets(status: RequestStatus) -> frozenset[RequestStatus]:
    return TRANSITIONS[status]


def _status(value: RequestStatus | str) -> RequestStatus:
    try:
        return RequestStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in RequestStatus)
        raise IllegalTransition(f"unknown request status {value!r}: use one of {allowed}") from None


def advance(
    status: RequestStatus | str,
    target: RequestStatus | str,
    *,
    reason: RefusalReason | str | None = None,
    translation_required: bool = True,
) -> RequestStatus:
    """The new status, or `IllegalTransition` with one line naming what is allowed instead."""
    current, wanted = _status(status), _status(target)
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(t.value for t in TRANSITIONS[current])) or "none (final)"
        raise IllegalTransition(
            f"cannot move a request from {current.value} to {wanted.value}; allowed from "
            f"{current.value}: {allowed}"
        )
    if current is S.LEGAL_REVIEW and wanted is S.READY and translation_required:
        raise IllegalTransition(
            "cannot skip translation_pending: the routing decision requires a translation; "
            "move to translation_pending first"
        )
    if wanted is S.REFUSED:
        if reason is None:
            codes = ", ".join(r.value for r in RefusalReason)
            raise IllegalTransition(f"a refusal needs a reason code: one of {codes}")
        try:
            RefusalReason(reason)
        except ValueError:
            codes = ", ".join(r.value for r in RefusalReason)
            raise IllegalTransition(
                f"unknown refusal reason {reason!r}: use one of {codes}"
            ) from None
    elif reason is not None:
        raise IllegalTransition(f"a reason code belongs to a refusal only, not to {wanted.value}")
    return wanted


# ------------------------------------------------------------------------------------------------
# Events that start (or end) deadlines


class SideEvent(StrEnum):
    """Events of an extradition that are not request statuses, recorded with a date."""

    ARRESTED = "arrested"  # provisional or EAW arrest: EAW art. 17(3); ECE art. 16(4)
    CONSENT_GIVEN = "consent_given"  # EAW art. 17(2); ECE 3rd AP art. 6
    FORMAL_REQUEST_RECEIVED = "formal_request_received"  # ends ECE art. 16(4) provisional arrest
    SURRENDERED = "surrendered"  # EAW art. 23; ECE art. 18
    SURRENDER_DATE_MISSED = "surrender_date_missed"  # ECE art. 18(4)
    RELEASED = "released"


# Which event starts which deadline (the `starts_on` of instruments.yaml timers).
DEADLINE_START_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        S.TRANSMITTED.value: "EIO recognition (art. 12(3)) and acknowledgement (art. 16(1)); "
        "chase reminders where no hard deadline exists",
        S.ACKNOWLEDGED.value: "no hard deadline in the shipped instruments",
        S.ACCEPTED.value: "EIO execution (art. 12(4)); EAW surrender (art. 23(2))",
        SideEvent.ARRESTED.value: "EAW decision (art. 17(3)); ECE provisional arrest 18/40 days "
        "(art. 16(4)); 3rd AP consent notice (art. 6); bilateral provisional-arrest periods",
        SideEvent.CONSENT_GIVEN.value: "EAW decision after consent (art. 17(2))",
        SideEvent.SURRENDER_DATE_MISSED.value: "ECE release after a missed surrender (art. 18(4))",
    }
)

_SIDE_EVENT_NEEDS: Mapping[SideEvent, str] = MappingProxyType(
    {
        SideEvent.CONSENT_GIVEN: SideEvent.ARRESTED.value,
        SideEvent.RELEASED: SideEvent.ARRESTED.value,
        SideEvent.SURRENDERED: S.ACCEPTED.value,
        SideEvent.SURRENDER_DATE_MISSED: S.ACCEPTED.value,
    }
)


def event_name(value: RequestStatus | SideEvent | str) -> str:
    """The event name under which a status reached or a side event is recorded."""
    for enum in (RequestStatus, SideEvent):
        try:
            return str(enum(value).value)
        except ValueError:
            continue
    statuses = ", ".join(s.value for s in RequestStatus)
    sides = ", ".join(e.value for e in SideEvent)
    raise IllegalTransition(
        f"unknown event {value!r}: use a status ({statuses}) or a side event ({sides})"
    )


def record_event(
    events: Mapping[str, date],
    event: RequestStatus | SideEvent | str,
    at: date,
    *,
    request_type: RequestType | str | None = None,
    status: RequestStatus | str | None = None,
    overwrite: bool = False,
) -> dict[str, date]:
    """A new event map with `event` at `at`. The first occurrence counts unless `overwrite`.

    Side events are checked: they belong to extraditions, cannot be recorded on a final request,
    and some need an earlier event (consent needs an arrest; a surrender needs an accepted request).
    """
    name = event_name(event)
    if name in {e.value for e in SideEvent}:
        side = SideEvent(name)
        if request_type is not None and RequestType(request_type) is not RequestType.EXTRADITION:
            raise IllegalTransition(
                f"{name} is an extradition event; this request is an MLA request"
            )
        if status is not None and RequestStatus(status) in FINAL_STATUSES:
            raise IllegalTransition(f"cannot record {name}: the request is {RequestStatus(status)}")
        needed = _SIDE_EVENT_NEEDS.get(side)
        if needed is not None and needed not in events and name != needed:
            raise IllegalTransition(f"cannot record {name} before {needed}: record {needed} first")
    updated = dict(events)
    if overwrite or name not in updated:
        updated[name] = at
    return updated

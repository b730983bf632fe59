"""What each role may do (SPEC §10.1): the one table every use case checks against.

``RULES`` is the table; ``authorize`` applies it. A use case names its ``Action`` and describes
its target (``CaseScope``, ``RequestScope``, ``TeamScope``); whoever the door is — CLI, HTTP API,
web page or flow — the same row decides. Beyond this table, reading is decided by
``cases.kernel.sharing`` (what each person may see).

The operator may do everything; auditors read everything and write nothing; an alert source may
only submit alerts under its own name. A refusal is ``Forbidden``: one line naming who may, and a
``denied`` audit event (written by the unit of work that refused).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from cases.kernel.actor import Actor, AlertSource, Operator, Person
from cases.kernel.errors import Forbidden
from cases.kernel.models import Role


class Action(StrEnum):
    """Every use case that writes, and the reads that only some roles may make."""

    CASE_TRANSITION = "case.transition"
    CASE_LINK = "case.link"
    CASE_SPLIT = "case.split"
    CASE_NOTE = "case.note"
    CASE_SHARING = "case.sharing"
    CASE_SHARING_TASKFORCE = "case.sharing_taskforce"  # raising the level above participants
    REQUEST_OPEN = "request.open"
    REQUEST_REQUESTING_STEP = "request.requesting_step"  # legal_review … transmitted, withdrawn,
    #   document fields, evidence added
    REQUEST_REQUESTED_STEP = "request.requested_step"  # acknowledged … results_transmitted,
    #   refused, postponed, side events such as arrested
    EVIDENCE_CUSTODY = "request.evidence_custody"  # received, custody steps, admitted, rejected
    PLAN_PROPOSE = "plan.propose"
    PLAN_APPROVE = "plan.approve"
    PLAN_PUBLISH = "plan.publish"
    OUTCOME_RECORD = "plan.outcome"
    QUARANTINE_LIST = "quarantine.list"
    AUDIT_VERIFY = "audit.verify"
    ALERTS_SUBMIT = "alerts.submit"
    OPERATE = "operate"  # load scenarios, ingest files, replay the quarantine, run flows,
    #   manage contacts, users and alert sources


class Where(StrEnum):
    """Where the actor's jurisdiction must stand towards the target."""

    CASE = "a jurisdiction of the case (lead or participating) that can see it"
    CASE_LEAD = "the case's lead jurisdiction"
    REQUESTING_SEES_CASE = "the requesting state, able to see the case"
    REQUESTING = "the requesting state"
    REQUESTED = "the requested state"
    REQUEST_PARTY = "the requesting or the requested state"
    MEMBER = "a member jurisdiction of the task force"
    TEAM = "the team lead of the assigned team, or a coordinator of the team's jurisdiction"
    ANY = "any jurisdiction"
    OPERATOR = "nobody but the operator"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]  # empty: no contact at all (operator only)
    where: Where

    def describe(self) -> str:
        """The rule in a sentence, for refusals and the README."""
        if self.where is Where.OPERATOR:
            return "the operator only"
        if self.where is Where.TEAM:
            return Where.TEAM.value
        if self.roles == _WRITERS:
            return f"contacts (auditors excepted) of {self.where.value}"
        names = sorted(PLURAL[r] for r in self.roles)
        who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{who} of {self.where.value}"


PLURAL = {
    Role.COORDINATOR: "coordinators",
    Role.PROSECUTOR: "prosecutors",
    Role.CENTRAL_AUTHORITY: "central authorities",
    Role.TEAM_LEAD: "team leads",
    Role.ANALYST: "analysts",
    Role.AUDITOR: "auditors",
}
_CASEWORK = frozenset({Role.COORDINATOR, Role.ANALYST})
_LAWYERS = frozenset({Role.PROSECUTOR, Role.CENTRAL_AUTHORITY})
_WRITERS = frozenset(Role) - {Role.AUDITOR}  # auditors read everything and write nothing
_COORDINATORS = frozenset({Role.COORDINATOR})

RULES: dict[Action, Rule] = {
    Action.CASE_TRANSITION: Rule(_CASEWORK, Where.CASE),
    Action.CASE_LINK: Rule(_CASEWORK, Where.CASE),  # checked on both cases
    Action.CASE_SPLIT: Rule(_CASEWORK, Where.CASE),
    Action.CASE_NOTE: Rule(_CASEWORK, Where.CASE),
    Action.CASE_SHARING: Rule(_CASEWORK, Where.CASE),
    Action.CASE_SHARING_TASKFORCE: Rule(_COORDINATORS, Where.CASE_LEAD),
    Action.REQUEST_OPEN: Rule(_LAWYERS, Where.REQUESTING_SEES_CASE),
    Action.REQUEST_REQUESTING_STEP: Rule(_LAWYERS, Where.REQUESTING),
    Action.REQUEST_REQUESTED_STEP: Rule(_LAWYERS, Where.REQUESTED),
    Action.EVIDENCE_CUSTODY: Rule(_WRITERS, Where.REQUEST_PARTY),
    Action.PLAN_PROPOSE: Rule(_COORDINATORS, Where.MEMBER),
    Action.PLAN_APPROVE: Rule(_COORDINATORS, Where.MEMBER),
    Action.PLAN_PUBLISH: Rule(_COORDINATORS, Where.MEMBER),
    Action.OUTCOME_RECORD: Rule(frozenset({Role.TEAM_LEAD, Role.COORDINATOR}), Where.TEAM),
    Action.QUARANTINE_LIST: Rule(frozenset({Role.ANALYST, Role.AUDITOR}), Where.ANY),
    Action.AUDIT_VERIFY: Rule(frozenset({Role.AUDITOR}), Where.ANY),
    Action.ALERTS_SUBMIT: Rule(frozenset(), Where.OPERATOR),  # and alert sources, for their own
    Action.OPERATE: Rule(frozenset(), Where.OPERATOR),
}
"""SPEC §10.1, row by row. The README's "Who may do what" is rendered from it (a test checks)."""


# --- targets: what a rule is checked against --------------------------------------------------


@dataclass(frozen=True)
class CaseScope:
    """A case as permissions see it; ``visible``: whether the actor may see it at all."""

    case_id: str
    lead: str
    jurisdictions: frozenset[str]  # lead and participating
    visible: bool


@dataclass(frozen=True)
class RequestScope:
    """A request (or, for opening one, the request to be): ``visible``, whether the actor may
    see the request — or, when opening one, the case it is opened on."""

    request_id: str
    requesting: str
    requested: str
    visible: bool = True


@dataclass(frozen=True)
class TeamScope:
    """The team assigned to an inspection: its jurisdiction and team lead."""

    team: str
    jurisdiction: str
    lead_email: str | None


@dataclass(frozen=True)
class TaskForceScope:
    """The task force itself (plans): its member jurisdictions."""

    members: frozenset[str]


Target = CaseScope | RequestScope | TeamScope | TaskForceScope | None


def allowed(actor: Actor, action: Action, target: Target = None) -> bool:
    """Whether ``actor`` may do ``action`` to ``target`` under ``RULES``."""
    if isinstance(actor, Operator):
        return True
    if isinstance(actor, AlertSource):
        return action is Action.ALERTS_SUBMIT
    rule = RULES[action]
    if actor.role not in rule.roles:
        return False
    return _stands(actor, rule.where, target)


def _stands(person: Person, where: Where, target: Target) -> bool:
    j = person.jurisdiction
    match where, target:
        case Where.ANY, _:
            return True
        case Where.CASE, CaseScope():
            return target.visible and j in target.jurisdictions
        case Where.CASE_LEAD, CaseScope():
            return target.visible and j == target.lead
        case Where.REQUESTING_SEES_CASE, RequestScope():
            return target.visible and j == target.requesting
        case Where.REQUESTING, RequestScope():
            return j == target.requesting
        case Where.REQUESTED, RequestScope():
            return j == target.requested
        case Where.REQUEST_PARTY, RequestScope():
            return j in (target.requesting, target.requested)
        case Where.MEMBER, TaskForceScope():
            return j in target.members
        case Where.TEAM, TeamScope():
            if person.role is Role.TEAM_LEAD:
                return target.lead_email is not None and target.lead_email == person.email
            return j == target.jurisdiction
    return False


def authorize(actor: Actor, action: Action, target: Target = None, *, what: str = "") -> None:
    """Raise ``Forbidden`` unless ``RULES`` lets ``actor`` do ``action`` to ``target``.

    ``what`` names the target in the refusal ("case CASE-2026-000001"). When the actor may not
    see the target, the refusal says nothing about it beyond the name the actor gave.
    """
    if allowed(actor, action, target):
        return
    conceals = isinstance(target, CaseScope | RequestScope) and not target.visible
    who = "an alert source" if isinstance(actor, AlertSource) else actor.label
    rule = RULES[action]
    about = f" {what}" if what else ""
    raise Forbidden(
        f"{who} may not {_verb(action)}{about}: only {rule.describe()} may",
        actor=actor.label,
        action=action.value,
        entity_type=_entity_type(target),
        entity_id=_entity_id(target, what),
        conceals=conceals,
    )


def require_role(actor: Actor, action: Action, roles: Collection[Role]) -> None:
    """For reads some roles may make whatever the target (the quarantine, say)."""
    if isinstance(actor, Person) and actor.role in roles:
        return
    authorize(actor, action)


def _verb(action: Action) -> str:
    return {
        Action.CASE_TRANSITION: "move",
        Action.CASE_LINK: "link",
        Action.CASE_SPLIT: "split",
        Action.CASE_NOTE: "add a note to",
        Action.CASE_SHARING: "change the sharing level of",
        Action.CASE_SHARING_TASKFORCE: "share with the whole task force",
        Action.REQUEST_OPEN: "open a legal request on",
        Action.REQUEST_REQUESTING_STEP: "take the requesting side's steps on",
        Action.REQUEST_REQUESTED_STEP: "take the requested side's steps on",
        Action.EVIDENCE_CUSTODY: "record evidence custody on",
        Action.PLAN_PROPOSE: "propose an inspection plan",
        Action.PLAN_APPROVE: "approve",
        Action.PLAN_PUBLISH: "publish",
        Action.OUTCOME_RECORD: "record the outcome of",
        Action.QUARANTINE_LIST: "read the quarantine",
        Action.AUDIT_VERIFY: "verify the audit log",
        Action.ALERTS_SUBMIT: "submit alerts",
        Action.OPERATE: "do this",
    }[action]


def _entity_type(target: Target) -> str:
    match target:
        case CaseScope():
            return "case"
        case RequestScope():
            return "legal_request"
        case TeamScope():
            return "team"
    return ""


def _entity_id(target: Target, what: str) -> str:
    match target:
        case CaseScope():
            return target.case_id
        case RequestScope():
            return target.request_id
        case TeamScope():
            return target.team
    return what.split()[-1] if what else ""


README_ROWS: dict[Action, str] = {
    Action.CASE_TRANSITION: "case transition, link, split, notes, sharing level",
    Action.CASE_SHARING_TASKFORCE: "raise a case's sharing level above `participants`",
    Action.REQUEST_OPEN: "open a legal request on a case",
    Action.REQUEST_REQUESTING_STEP: (
        "requesting-side steps (`legal_review` … `transmitted`, `withdrawn`, `closed`, `lapsed`, "
        "document fields, evidence added)"
    ),
    Action.REQUEST_REQUESTED_STEP: (
        "requested-side steps (`acknowledged` … `results_transmitted`, `refused`, `postponed`, "
        "`returned_deficient`, side events such as `arrested`)"
    ),
    Action.EVIDENCE_CUSTODY: "evidence received, custody steps, admitted / rejected",
    Action.PLAN_PROPOSE: "propose, approve, publish a plan",
    Action.OUTCOME_RECORD: "record an inspection outcome",
    Action.QUARANTINE_LIST: "read the quarantine",
    Action.AUDIT_VERIFY: "verify the audit log",
    Action.OPERATE: (
        "load scenarios, ingest files, replay the quarantine, run flows; contacts, users, sources"
    ),
}


def rules_table() -> str:
    """The README's "Who may do what" table, from ``RULES`` (a test keeps the README equal)."""
    lines = ["| use case | who may (besides the operator) |", "|---|---|"]
    for action, words in README_ROWS.items():
        rule = RULES[action]
        who = "nobody" if rule.where is Where.OPERATOR else rule.describe()
        lines.append(f"| {words} | {who} |")
    return "\n".join(lines)

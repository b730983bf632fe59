"""Who is acting (SPEC §10.1): a contact, the operator or an alert source, resolved at the door.

Every use case takes an ``Actor`` and checks what it may do itself (``cases.kernel.permissions``);
no use case takes a free string for who acts, and none falls back to "everything" by default.

- ``Person``: an active contact (``contacts.csv``) acting under their own identity;
- ``Operator``: the installation's administrator — the person at the CLI who names nobody, the
  web's admin account, and scheduled flows;
- ``AlertSource``: a machine that submits alerts over HTTP under its own ``source`` name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cases.kernel.errors import Forbidden
from cases.kernel.models import Contact, Role, TaskForce


@dataclass(frozen=True)
class Operator:
    """The installation's administrator; ``via`` says through what (a flow's name, say)."""

    via: str = ""

    @property
    def label(self) -> str:
        """How the audit log names this actor."""
        return "operator" if not self.via else f"operator ({self.via})"


@dataclass(frozen=True)
class Person:
    """An active contact: what they may see and do follows from their role and jurisdiction."""

    email: str
    name: str
    jurisdiction: str
    role: Role
    in_taskforce: bool  # their jurisdiction is a member of the task force

    @property
    def label(self) -> str:
        return self.email


@dataclass(frozen=True)
class AlertSource:
    """A machine source of alerts (an HTTP API key): it only submits alerts under ``name``."""

    name: str
    jurisdiction: str | None = None

    @property
    def label(self) -> str:
        return f"source:{self.name}"


Actor = Operator | Person | AlertSource
OPERATOR = Operator()


def flow_operator(flow: str) -> Operator:
    """The operator acting through a flow (scheduled runs act as the operator)."""
    return Operator(via=flow)


def find_contact(session: Session, email: str) -> Contact | None:
    address = email.strip()
    return session.get(Contact, address.lower()) or session.get(Contact, address)


def person(session: Session, email: str) -> Person:
    """The active contact behind an e-mail address; anyone else is refused (``Forbidden``: an
    address that is no active contact acts as nobody)."""
    contact = find_contact(session, email)
    if contact is None or not contact.active:
        raise Forbidden(
            f"{email!r} is not an active contact: name a contact of contacts.csv",
            actor=_unknown_label(email),
            action="act",
        )
    task_force = session.get(TaskForce, 1)
    members = set(task_force.members) if task_force else set()
    return Person(
        email=contact.email,
        name=contact.name,
        jurisdiction=contact.jurisdiction,
        role=Role(contact.role),
        in_taskforce=contact.jurisdiction in members,
    )


def resolve(session: Session, email: str | None) -> Operator | Person:
    """The actor a door names: a contact by e-mail address, or the operator when it names nobody."""
    return OPERATOR if email is None else person(session, email)


def _unknown_label(email: str) -> str:
    """An address nobody holds, as the audit log records who tried (bounded, printable)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in email.strip())[:120]
    return f"unknown:{text}"

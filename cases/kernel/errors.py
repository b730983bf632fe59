"""The kinds of error a use case raises (SPEC §10.1), whatever the door it was called through.

Each error is one line that names what is wrong in the words of the domain ("closing needs an
outcome"), never in the words of one front door (a CLI flag, an HTTP field). Each front door maps
the kind once: the CLI to an exit status, the HTTP API to a status code.

- ``NotFound``: no such thing — or one the actor may not know exists (the two answers are equal);
- ``Forbidden``: the actor may not do this (a ``denied`` audit event records the attempt);
- ``Invalid``: the input is wrong; the message names the field and what is allowed;
- ``Conflict``: the thing's state does not allow the step (an illegal transition, a plan already
  approved);
- ``Unavailable``: not a user mistake but a part Cordon needs is down (the database, say).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"


class CordonError(Exception):
    """An error meant for the person who caused it: one line, no traceback."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID


class NotFound(CordonError):
    """``entity`` names what was looked for ("case"), so that a door may answer without echoing
    the id it was given (the HTTP API does)."""

    kind = ErrorKind.NOT_FOUND

    def __init__(self, message: str, *, entity: str = "") -> None:
        super().__init__(message)
        self.entity = entity


class Invalid(CordonError):
    kind = ErrorKind.INVALID


class Conflict(CordonError):
    kind = ErrorKind.CONFLICT


class Unavailable(CordonError):
    kind = ErrorKind.UNAVAILABLE


class IllegalTransition(Conflict):
    """A status change that a state machine (case, request, evidence) does not allow."""


class Forbidden(CordonError):
    """The actor may not do this. ``conceals``: the target is one the actor may not see (or none
    exists), so a door that can answer "not found" instead (HTTP 404) should; the message names
    neither its content nor whether it exists."""

    kind = ErrorKind.FORBIDDEN

    def __init__(
        self,
        message: str,
        *,
        actor: str,
        action: str,
        entity_type: str = "",
        entity_id: str = "",
        conceals: bool = False,
    ) -> None:
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.entity_type = entity_type
        self.entity_id = entity_id
        self.conceals = conceals
        self.recorded = False  # its denied event is written (once, however many doors it passes)

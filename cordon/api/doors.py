"""Who is calling, resolved once per request (SPEC §10.1, §13), and the session it works in.

People send ``Authorization: Bearer <token>`` (``cordon users token``; the web pages' session
cookie comes with the pages); alert sources send ``X-API-Key: <key>`` (``cordon sources add``).
No credentials, or unknown ones, answer 401. Reads run in a read session, writes in one unit of
work (a refusal there leaves a ``denied`` audit event; the outbox hears its domain events).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from cases.kernel.actor import Actor, AlertSource
from cases.kernel.credentials import actor_for_token, source_for_key
from cases.kernel.db import read_session, unit_of_work
from cordon.app import ready_engine

bearer = HTTPBearer(auto_error=False, description="A personal token: `cordon users token EMAIL`.")
api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An alert source's key: `cordon sources add`."
)


@dataclass(frozen=True)
class Door:
    """The request's session and the actor it acts as."""

    session: Session
    actor: Actor


def unauthenticated(message: str) -> HTTPException:
    return HTTPException(401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _person(session: Session, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    if credentials is None:
        raise unauthenticated("send a personal token: Authorization: Bearer <token>")
    actor = actor_for_token(session, credentials.credentials)
    if actor is None:
        raise unauthenticated("this token is unknown or revoked")
    return actor


def read_door(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Iterator[Door]:
    with read_session(ready_engine()) as session:
        yield Door(session, _person(session, credentials))


def write_door(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Iterator[Door]:
    import notifications.outbox  # noqa: F401  (the outbox hears the use cases' events)

    with unit_of_work(ready_engine()) as session:
        yield Door(session, _person(session, credentials))


def alert_source(key: Annotated[str | None, Security(api_key)]) -> AlertSource:
    """The alert source whose key this is; 401 otherwise."""
    if key is None:
        raise HTTPException(401, detail="send the source's key: X-API-Key: <key>")
    with read_session(ready_engine()) as session:
        source = source_for_key(session, key)
    if source is None:
        raise HTTPException(401, detail="this key is unknown or revoked")
    return source


Reading = Annotated[Door, Depends(read_door)]
Writing = Annotated[Door, Depends(write_door)]
Source = Annotated[AlertSource, Depends(alert_source)]

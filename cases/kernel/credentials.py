"""How people and machines prove who they are at the HTTP door (SPEC §13): passwords, personal
tokens, alert source keys. Only hashes are stored; a secret is shown once, when it is made.

A token or key is ``<prefix>_<public id>_<secret>``: the public id finds the row, and the SHA-256
of the secret is compared with ``hmac.compare_digest`` (in constant time). Passwords are argon2
hashes (pwdlib). Managing credentials is the operator's; every change is audited, never a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from cases.kernel import audit
from cases.kernel.actor import OPERATOR, Actor, AlertSource, Operator, Person, person
from cases.kernel.columns import iso, utcnow
from cases.kernel.countries import country_code
from cases.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from cases.kernel.models import Login, PersonalToken, SourceKey
from cases.kernel.permissions import Action, authorize

TOKEN_PREFIX = "cdt"
KEY_PREFIX = "cdk"
PASSWORD_MIN_CHARS = 12
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_hasher = PasswordHash.recommended()


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret(prefix: str) -> tuple[str, str, str]:
    """(the whole secret to show once, its public id, the SHA-256 of its secret part)."""
    public_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return f"{prefix}_{public_id}_{secret}", public_id, _sha256(secret)


def _split(presented: str, prefix: str) -> tuple[str, str] | None:
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


# --- personal tokens -------------------------------------------------------------------------


def issue_token(session: Session, actor: Actor, *, email: str | None) -> str:
    """A new bearer token for a contact (``email``) or for the operator (None), shown once."""
    authorize(actor, Action.OPERATE)
    holder = None if email is None else person(session, email).email
    whole, public_id, digest = _new_secret(TOKEN_PREFIX)
    session.add(PersonalToken(public_id=public_id, email=holder, secret_sha256=digest))
    audit.record(
        session,
        action="credentials.token_issued",
        entity_type="personal_token",
        entity_id=public_id,
        actor=actor.label,
        after={"holder": holder or OPERATOR.label},
    )
    return whole


def revoke_tokens(session: Session, actor: Actor, *, email: str | None) -> int:
    """Revoke every token of a contact (or of the operator); how many were still valid."""
    authorize(actor, Action.OPERATE)
    holder = None if email is None else email.strip().lower()
    live = session.exec(
        select(PersonalToken).where(
            col(PersonalToken.email) == holder if holder else col(PersonalToken.email).is_(None),
            col(PersonalToken.revoked_at).is_(None),
        )
    ).all()
    now = utcnow()
    for token in live:
        token.revoked_at = now
        session.add(token)
        audit.record(
            session,
            action="credentials.token_revoked",
            entity_type="personal_token",
            entity_id=token.public_id,
            actor=actor.label,
            after={"holder": token.email or OPERATOR.label},
        )
    return len(live)


def actor_for_token(session: Session, presented: str) -> Operator | Person | None:
    """Who a bearer token speaks for, or None (unknown, revoked, or its contact inactive)."""
    parts = _split(presented, TOKEN_PREFIX)
    if parts is None:
        return None
    row = session.get(PersonalToken, parts[0])
    if row is None or not hmac.compare_digest(row.secret_sha256, _sha256(parts[1])):
        return None
    if row.revoked_at is not None:
        return None
    if row.email is None:
        return OPERATOR
    try:
        return person(session, row.email)
    except Forbidden:
        return None


# --- passwords ------------------------------------------------------------------------------


def set_password(session: Session, actor: Actor, *, email: str, password: str) -> None:
    """A contact's password for the web pages (argon2); at least 12 characters."""
    authorize(actor, Action.OPERATE)
    holder = person(session, email)
    if len(password) < PASSWORD_MIN_CHARS:
        raise Invalid(f"a password needs at least {PASSWORD_MIN_CHARS} characters")
    login = session.get(Login, holder.email) or Login(email=holder.email, password_hash="")
    login.password_hash = _hasher.hash(password)
    login.updated_at = utcnow()
    session.add(login)
    audit.record(
        session,
        action="credentials.password_set",
        entity_type="login",
        entity_id=holder.email,
        actor=actor.label,
    )


def person_for_password(session: Session, email: str, password: str) -> Person | None:
    """The contact whose password this is, or None (the same answer for every failure)."""
    login = session.get(Login, email.strip().lower())
    if login is None:
        _hasher.hash(password)  # the same work as a real check: no timing hint
        return None
    valid, renewed = _hasher.verify_and_update(password, login.password_hash)
    if not valid:
        return None
    try:
        holder = person(session, login.email)
    except Forbidden:
        return None
    if renewed is not None:  # the hashing parameters moved on: store the stronger hash
        login.password_hash = renewed
        session.add(login)
    return holder


# --- alert sources --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceItem:
    name: str
    jurisdiction: str | None
    created_at: str | None
    revoked_at: str | None


def add_source(
    session: Session, actor: Actor, *, name: str, jurisdiction: str | None = None
) -> str:
    """A new alert source and its API key, shown once."""
    authorize(actor, Action.OPERATE)
    if not SOURCE_NAME.fullmatch(name):
        raise Invalid(
            f"source name {name!r}: letters, digits, '.', '-' and '_', at most 64, e.g. HR-customs"
        )
    if session.get(SourceKey, name) is not None:
        raise Conflict(f"source {name!r} exists: revoke it first to issue a new key")
    code = None
    if jurisdiction is not None:
        try:
            code = country_code(jurisdiction)
        except ValueError as error:
            raise Invalid(f"jurisdiction: {error}") from None
    whole, public_id, digest = _new_secret(KEY_PREFIX)
    session.add(SourceKey(name=name, jurisdiction=code, public_id=public_id, secret_sha256=digest))
    audit.record(
        session,
        action="credentials.source_added",
        entity_type="alert_source",
        entity_id=name,
        actor=actor.label,
        after={"jurisdiction": code},
    )
    return whole


def list_sources(session: Session, actor: Actor) -> Sequence[SourceItem]:
    authorize(actor, Action.OPERATE)
    rows = session.exec(select(SourceKey).order_by(col(SourceKey.name))).all()
    return [SourceItem(r.name, r.jurisdiction, iso(r.created_at), iso(r.revoked_at)) for r in rows]


def revoke_source(session: Session, actor: Actor, *, name: str) -> SourceItem:
    """Revoke a source's key; its name stays reserved (its alerts keep naming it)."""
    authorize(actor, Action.OPERATE)
    row = session.get(SourceKey, name)
    if row is None:
        raise NotFound(f"no alert source {name!r}", entity="alert source")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(
            session,
            action="credentials.source_revoked",
            entity_type="alert_source",
            entity_id=name,
            actor=actor.label,
        )
    return SourceItem(row.name, row.jurisdiction, iso(row.created_at), iso(row.revoked_at))


def registered_source(session: Session, name: str) -> AlertSource | None:
    """The alert source ``name`` while its key is valid."""
    row = session.get(SourceKey, name)
    if row is None or row.revoked_at is not None:
        return None
    return AlertSource(row.name, row.jurisdiction)


def source_for_key(session: Session, presented: str) -> AlertSource | None:
    parts = _split(presented, KEY_PREFIX)
    if parts is None:
        return None
    row = session.exec(select(SourceKey).where(col(SourceKey.public_id) == parts[0])).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _sha256(parts[1])):
        return None
    if row.revoked_at is not None:
        return None
    return AlertSource(row.name, row.jurisdiction)

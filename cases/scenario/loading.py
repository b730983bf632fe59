"""Loading the case-side files of a scenario directory (SPEC §3).

Each ``load_*`` function validates one whole file, raises ScenarioFileError naming every bad row,
and otherwise makes the tables hold exactly that file's rows. The caller gives each file its own
transaction, so a bad file loads nothing and the others load.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Session, select

from cases.casework.identifiers import watchlist_key
from cases.kernel.models import Contact, Digest, Role, TaskForce
from cases.reference.field_types import CountryCode, LanguageCode
from cases.reference.files import (
    Problem,
    ScenarioFileError,
    read_csv,
    read_yaml_mapping,
    reject_duplicates,
    validate_row,
)
from cases.reference.loading import (
    BilateralRow,
    MembershipRow,
    StateRow,
    reject_unknown_instruments,
    stored_instruments,
)
from cases.reference.models import (
    BilateralTreatyRecord,
    Confidence,
    Indicator,
    MembershipRecord,
    Origin,
    State,
)
from cases.reference.sync import FileLoad, Missing, sync_rows
from cases.scenario.models import WatchlistEntry

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SCENARIO_ROWS = {"origin": Origin.SCENARIO}


class NoTaskForce(ScenarioFileError):
    pass


def current_task_force(session: Session, file: str) -> TaskForce:
    """The loaded task force; a file that needs it before scenario.yaml loaded is an error."""
    task_force = session.get(TaskForce, 1)
    if task_force is None:
        raise NoTaskForce([Problem(file, 1, "-", "load scenario.yaml first (no task force yet)")])
    return task_force


# --- scenario.yaml -------------------------------------------------------------------------------


class TaskForceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    members: list[CountryCode] = Field(min_length=1)
    risk_threshold: float = Field(default=0.6, gt=0.0, le=1.0)
    shifts_per_day: int = Field(default=3, ge=1, le=24)
    shift_risk_factors: list[float] | None = None
    indicator_weights: dict[str, float] = Field(default_factory=dict)

    @field_validator("members")
    @classmethod
    def _no_repeats(cls, members: list[str]) -> list[str]:
        if len(set(members)) != len(members):
            raise ValueError("a member is listed twice")
        return members

    @field_validator("indicator_weights")
    @classmethod
    def _weights_are_probabilities(cls, weights: dict[str, float]) -> dict[str, float]:
        bad = [code for code, w in weights.items() if not 0.0 <= w <= 1.0]
        if bad:
            raise ValueError(f"weights must lie between 0 and 1 ({', '.join(bad)})")
        return weights

    @model_validator(mode="after")
    def _one_factor_per_shift(self) -> TaskForceSettings:
        if self.shift_risk_factors is None:
            default = [1.0, 0.8, 1.3]
            self.shift_risk_factors = (
                default if self.shifts_per_day == 3 else [1.0] * self.shifts_per_day
            )
        if len(self.shift_risk_factors) != self.shifts_per_day:
            raise ValueError(
                f"shift_risk_factors has {len(self.shift_risk_factors)} values; "
                f"shifts_per_day is {self.shifts_per_day}"
            )
        if any(f <= 0 for f in self.shift_risk_factors):
            raise ValueError("shift_risk_factors must be positive")
        return self


def read_task_force(path: Path) -> TaskForceSettings:
    data, lines = read_yaml_mapping(path)
    problems: list[Problem] = []
    settings = validate_row(TaskForceSettings, data, file=path.name, line=1, problems=problems)
    if settings is None:
        # point each problem at the line of its key
        problems = [
            Problem(p.file, lines.get(p.column.split(".")[0], 1), p.column, p.reason)
            for p in problems
        ]
        raise ScenarioFileError(problems)
    return settings


def load_task_force(session: Session, path: Path) -> FileLoad:
    settings = read_task_force(path)
    unknown = sorted(set(settings.indicator_weights) - _indicator_codes(session))
    if unknown:
        reason = f"unknown indicator {unknown[0]!r} in indicator_weights"
        raise ScenarioFileError([Problem(path.name, 1, "indicator_weights", reason)])
    row = TaskForce(id=1, **settings.model_dump())
    return sync_rows(session, TaskForce, [row], key=("id",), file=path.name)


def _indicator_codes(session: Session) -> set[str]:
    return set(session.exec(select(Indicator.code)).all())


# --- contacts.csv --------------------------------------------------------------------------------


class ContactRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    name: str
    jurisdiction: CountryCode
    role: Role
    language: LanguageCode = "en"
    digest: Digest = Digest.IMMEDIATE

    @field_validator("email")
    @classmethod
    def _looks_like_email(cls, value: str) -> str:
        if not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value.lower()


def load_contacts(session: Session, path: Path) -> FileLoad:
    rows = read_csv(path, ContactRow, optional_columns=("language", "digest"))
    reject_duplicates(rows, lambda r: r.email, "email", name=path.name)
    contacts = [Contact(**row.model_dump(), active=True) for _, row in rows]
    # deactivated, not deleted: teams, cases and the audit log refer to people
    return sync_rows(
        session, Contact, contacts, key=("email",), file=path.name, missing=Missing.DEACTIVATE
    )


# --- watchlist.csv -------------------------------------------------------------------------------


class WatchlistRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    identifier: str
    note: str = ""

    @model_validator(mode="after")
    def _well_formed(self) -> WatchlistRow:
        watchlist_key(self.type, self.identifier)  # raises ValueError naming the problem
        return self


def load_watchlist(session: Session, path: Path) -> FileLoad:
    rows = read_csv(path, WatchlistRow, optional_columns=("note",))
    reject_duplicates(
        rows, lambda r: watchlist_key(r.type, r.identifier), "identifier", name=path.name
    )
    entries = [WatchlistEntry(**row.model_dump()) for _, row in rows]
    return sync_rows(session, WatchlistEntry, entries, key=("type", "identifier"), file=path.name)


# --- overrides of the shipped legal facts: states.csv, memberships.csv, bilateral.csv ------------


def scenario_fact_defaults(session: Session, file: str, today: date) -> dict[str, Any]:
    """SPEC §3: a scenario's fact rows default to the load date, ``scenario <name>`` and K."""
    name = current_task_force(session, file).name
    return {"source": f"scenario {name}", "as_of": today, "confidence": Confidence.KNOWN}


def _fact_optional(model: type[BaseModel], required: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in model.model_fields if f not in required)


def load_state_overrides(session: Session, path: Path, today: date | None = None) -> FileLoad:
    rows = read_csv(path, StateRow, optional_columns=_fact_optional(StateRow, ("iso", "name")))
    reject_duplicates(rows, lambda r: r.iso, "iso", name=path.name)
    defaults = scenario_fact_defaults(session, path.name, today or date.today())
    states = [row.to_table(defaults, origin=Origin.SCENARIO) for _, row in rows]
    return sync_rows(
        session, State, states, key=("iso", "origin"), file=path.name, scope=SCENARIO_ROWS
    )


def load_membership_overrides(session: Session, path: Path, today: date | None = None) -> FileLoad:
    required = ("state", "instrument", "status")
    rows = read_csv(path, MembershipRow, optional_columns=_fact_optional(MembershipRow, required))
    reject_duplicates(rows, lambda r: (r.state, r.instrument), "instrument", name=path.name)
    reject_unknown_instruments(stored_instruments(session), rows, path.name)
    defaults = scenario_fact_defaults(session, path.name, today or date.today())
    memberships = [row.to_table(defaults, origin=Origin.SCENARIO) for _, row in rows]
    key = ("state", "instrument", "origin")
    return sync_rows(
        session, MembershipRecord, memberships, key=key, file=path.name, scope=SCENARIO_ROWS
    )


def load_bilateral_overrides(session: Session, path: Path, today: date | None = None) -> FileLoad:
    required = ("a", "b", "type")
    rows = read_csv(path, BilateralRow, optional_columns=_fact_optional(BilateralRow, required))
    reject_duplicates(rows, lambda r: (r.a, r.b, r.type), "type", name=path.name)
    defaults = scenario_fact_defaults(session, path.name, today or date.today())
    treaties = [row.to_table(defaults, origin=Origin.SCENARIO) for _, row in rows]
    key = ("a", "b", "type", "origin")
    return sync_rows(
        session, BilateralTreatyRecord, treaties, key=key, file=path.name, scope=SCENARIO_ROWS
    )


def describe_task_force(session: Session) -> dict[str, Any]:
    """What the loaded scenario holds on the case side, for summaries."""
    task_force = session.get(TaskForce, 1)
    contacts = session.exec(select(Contact).where(Contact.active)).all()
    roles: dict[str, int] = {}
    for contact in contacts:
        roles[contact.role] = roles.get(contact.role, 0) + 1
    return {
        "task_force": task_force.name if task_force else None,
        "members": task_force.members if task_force else [],
        "contacts": len(contacts),
        "contacts_by_role": dict(sorted(roles.items())),
        "watchlist": len(session.exec(select(WatchlistEntry)).all()),
    }

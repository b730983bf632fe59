"""The database: engines for SQLite and PostgreSQL, units of work, and schema migrations.

SQLite runs in WAL mode with foreign keys on. Python's sqlite3 module is switched to autocommit so
that Cordon issues BEGIN itself: a unit of work that writes starts with ``BEGIN IMMEDIATE`` and so
takes the write lock up front instead of failing half-way when another writer got there first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from cases.kernel import events
from cases.kernel.columns import UtcDateTime
from cases.kernel.errors import Forbidden, Unavailable
from cases.kernel.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseUnavailable(Unavailable):
    """The configured database cannot be reached or the URL is malformed."""


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # Cordon emits BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """A new engine for ``url``; SQLite files get their directory created."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"CORDON_DATABASE_URL is not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # missing driver or unknown dialect
        raise DatabaseUnavailable(f"cannot use CORDON_DATABASE_URL {url!r}: {exc}") from exc


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The engine for the configured ``CORDON_DATABASE_URL``."""
    return engine_for(get_settings().database_url)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One write transaction: everything inside commits together or not at all.

    Domain events published inside it reach their subscribers (the outbox) before the commit, in
    the same transaction. A refusal (``Forbidden``) rolls everything back and then records who
    tried what as a ``denied`` audit event in a transaction of its own.
    """
    engine = engine or get_engine()
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
    try:
        with Session(bind, expire_on_commit=False) as session, session.begin():
            try:
                yield session
                events.deliver(session)
            except BaseException:
                events.discard(session)
                raise
    except Forbidden as refused:
        record_denied(engine, refused)
        raise


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading; it writes nothing (but a refused read is audited as ``denied``)."""
    engine = engine or get_engine()
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except Forbidden as refused:
        record_denied(engine, refused)
        raise


def record_denied(engine: Engine, refused: Forbidden) -> None:
    """SPEC §10.1: a refused attempt writes nothing but this ``denied`` event (once)."""
    from cases.kernel import audit

    if refused.recorded:
        return
    refused.recorded = True
    with unit_of_work(engine) as session:
        audit.record(
            session,
            action="denied",
            entity_type=refused.entity_type or "use_case",
            entity_id=refused.entity_id or refused.action,
            actor=refused.actor,
            case_id=refused.entity_id if refused.entity_type == "case" else None,
            after={"attempted": refused.action, "reason": str(refused)},
        )


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_schema(engine: Engine) -> None:
    """Alembic ``upgrade head`` on ``engine`` (serialised between processes)."""
    from alembic import command

    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(7261001)"))
            connection.commit()
        try:
            with connection.begin():
                command.upgrade(_alembic_config(connection), "head")
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(7261001)"))
                connection.commit()


def check_reachable(engine: Engine) -> None:
    """Raise a one-line error when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot reach the database {engine.url.render_as_string(hide_password=True)}: "
            f"{reason} (check CORDON_DATABASE_URL)"
        ) from exc


def bulk_insert(session: Session, target: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``INSERT`` many rows with the driver's own ``executemany``, in the session's transaction.

    SQLAlchemy's executemany processes every value of every row through its column type; here
    each column's conversion is chosen once (JSON → text, aware timestamps → what the column
    stores), which makes writing thousands of rows several times cheaper. Every row has the
    first row's keys. No RETURNING: for rows whose generated ids are needed, use SQLAlchemy.
    """
    if not rows:
        return
    columns = list(rows[0])
    postgres = session.get_bind().dialect.name == "postgresql"
    converters = [_converter(target.c[name].type, postgres) for name in columns]
    if postgres:
        marks = ", ".join(
            "%s::json" if isinstance(target.c[n].type, JSON) else "%s" for n in columns
        )
    else:
        marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {target.name} ({', '.join(columns)}) VALUES ({marks})"
    pairs = list(zip(columns, converters, strict=True))
    params = [tuple(c(row[n]) if c else row[n] for n, c in pairs) for row in rows]
    session.connection().exec_driver_sql(sql, params)


def _converter(column_type: Any, postgres: bool) -> Callable[[Any], Any] | None:
    if isinstance(column_type, JSON):
        return _json_text
    if isinstance(column_type, UtcDateTime) and not postgres:
        return _sqlite_utc
    if isinstance(column_type, UtcDateTime):
        return _aware
    return None


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: Cordon stores aware UTC timestamps only")
    return value


def _sqlite_utc(value: datetime | None) -> str | None:
    """As SQLAlchemy's SQLite DATETIME stores it: naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # type: ignore[union-attr]


# --- small helpers for bulk SQL ---------------------------------------------------------------

T = TypeVar("T")


IN_CHUNK = 500  # values per IN (...) list


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(session: Session, target: Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(target)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(target)

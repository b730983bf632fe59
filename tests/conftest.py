"""Test fixtures: real SQLite and PostgreSQL databases, a real Prefect test server.

Prefect's environment must be set before prefect is imported (domain/prefect.md §4).
"""

from __future__ import annotations

import os
import tempfile

for _name, _value in {
    "PREFECT_HOME": tempfile.mkdtemp(prefix="cordon-prefect-test-"),
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    **{
        f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false"
        for service in (
            "SCHEDULER",
            "LATE_RUNS",
            "FOREMAN",
            "REPOSSESSOR",
            "PAUSE_EXPIRATIONS",
            "CANCELLATION_CLEANUP",
            "CLEANUP_RECONCILER",
            "EVENT_PERSISTER",
            "TRIGGERS",
        )
    },
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "0.5",
}.items():
    os.environ.setdefault(_name, _value)

import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import notifications.outbox  # noqa: E402, F401  (tests are a door: the outbox hears the events)
from cases.kernel.db import engine_for, make_engine  # noqa: E402
from cases.kernel.settings import get_settings  # noqa: E402
from cases.reference.install import init_database  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_ADMIN_URL = os.environ.get(
    "CORDON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One real Prefect API server (temporary database) for the whole session."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=90),
        # sync flows otherwise wait ~1 s each for the heartbeat thread (domain/prefect.md P1)
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


class PostgresDatabases:
    """Databases on the local server for this test session, dropped at its end.

    Tests reuse one database: before each test its tables are emptied and refilled from a copy
    of the freshly initialised state (schema ``cordon_template``). CREATE and DROP DATABASE
    cost about a second each here (DROP forces a checkpoint); a reset costs a few milliseconds.
    """

    TEMPLATE_SCHEMA = "cordon_template"

    def __init__(self) -> None:
        self.session_id = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        try:
            self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # a missing PostgreSQL fails the tests, it never skips them
            pytest.fail(f"PostgreSQL is required for the tests ({POSTGRES_ADMIN_URL}): {exc}")

    def url(self, name: str) -> str:
        return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        name = f"cordon_test_{self.session_id}_{len(self.created)}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        self.created.append(name)
        return name

    def create_initialised(self) -> str:
        """A database at the newest migration with the reference data, and a copy to reset to."""
        name = self.create()
        engine = make_engine(self.url(name))
        init_database(engine)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {self.TEMPLATE_SCHEMA}"))
            for table in self._tables(connection):
                connection.execute(
                    text(f'CREATE TABLE {self.TEMPLATE_SCHEMA}."{table}" AS TABLE public."{table}"')
                )
        engine.dispose()
        return name

    @staticmethod
    def _tables(connection: Any) -> list[str]:
        rows = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        )
        return list(rows.scalars())

    def reset(self, name: str) -> None:
        """Put ``name`` back into its freshly initialised state."""
        engine = create_engine(self.url(name))
        with engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            tables = self._tables(connection)
            quoted = ", ".join(f'public."{t}"' for t in tables)
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            for table in tables:
                connection.execute(
                    text(
                        f'INSERT INTO public."{table}" '
                        f'SELECT * FROM {self.TEMPLATE_SCHEMA}."{table}"'
                    )
                )
            sequences = connection.execute(
                text(
                    "SELECT c.relname, a.attname, pg_get_serial_sequence(c.relname, a.attname) "
                    "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 "
                    "AND pg_get_serial_sequence(c.relname, a.attname) IS NOT NULL"
                )
            ).all()
            for table, column, sequence in sequences:
                connection.execute(
                    text(
                        f"SELECT setval('{sequence}', COALESCE(MAX(\"{column}\"), 1), "
                        f'MAX("{column}") IS NOT NULL) FROM public."{table}"'
                    )
                )
        engine.dispose()

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in reversed(self.created):
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def template_databases(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresDatabases
) -> dict[str, str]:
    """A migrated database with the reference data loaded, per backend; tests get it fresh."""
    sqlite_file = tmp_path_factory.mktemp("template") / "cordon.db"
    engine = make_engine(f"sqlite:///{sqlite_file}")
    init_database(engine)
    engine.dispose()
    return {"sqlite": str(sqlite_file), "postgresql": postgres.create_initialised()}


def fresh_database_url(
    backend: str, template_databases: dict[str, str], postgres: PostgresDatabases, tmp_path: Path
) -> str:
    if backend == "sqlite":
        target = tmp_path / "cordon.db"
        shutil.copyfile(template_databases["sqlite"], target)
        return f"sqlite:///{target}"
    postgres.reset(template_databases["postgresql"])
    return postgres.url(template_databases["postgresql"])


def use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point CORDON_DATABASE_URL at ``url`` for one test; dispose of its engine afterwards."""
    monkeypatch.setenv("CORDON_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = engine_for(url)
    yield engine
    engine.dispose()
    engine_for.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def database(
    request: pytest.FixtureRequest,
    template_databases: dict[str, str],
    postgres: PostgresDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Engine]:
    """A fresh, initialised database on each backend, and CORDON_DATABASE_URL pointing at it."""
    url = fresh_database_url(request.param, template_databases, postgres, tmp_path)
    yield from use_database(url, monkeypatch)


@pytest.fixture
def sqlite_database(
    template_databases: dict[str, str],
    postgres: PostgresDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Engine]:
    """A fresh, initialised SQLite database (for tests whose subject is not the store)."""
    url = fresh_database_url("sqlite", template_databases, postgres, tmp_path)
    yield from use_database(url, monkeypatch)


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A copy of the small test scenario that a test may edit."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty directory; restore whatever the CLI put into the environment."""
    monkeypatch.chdir(tmp_path)
    saved = dict(os.environ)
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)

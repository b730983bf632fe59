"""Alembic environment: Cordon's migrations run on the connection ``cases.kernel.db`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import cases.intake.models
import cases.kernel.models
import cases.legal.models
import cases.reference.models
import cases.scenario.models  # noqa: F401
import interdiction.models  # noqa: F401
import notifications.models  # noqa: F401
from cases.kernel.db import make_engine
from cases.kernel.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(get_settings().database_url)
    with engine.begin() as new_connection:
        run_migrations(new_connection)

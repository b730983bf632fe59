"""Retry policy shared by the flows: retry what a second attempt can fix, nothing else."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

DATABASE_RETRY_DELAYS_S = [0.5, 2.0, 8.0]


def transient_database_error(task: Any, task_run: Any, state: Any) -> bool:
    """True for a locked SQLite file, a dropped PostgreSQL connection or a serialisation failure."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            state.result(raise_on_failure=True)
        except BaseException as raised:  # the task's own exception
            error = raised
    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)

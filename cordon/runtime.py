"""The process environment the CLI sets up before Prefect is imported (SPEC §2, §11)."""

from __future__ import annotations

import os
from pathlib import Path

LOGGING_CONFIG = Path(__file__).resolve().parent / "logging.yml"
VAR_DIR = Path("var")

# Measured in ../shared/domain/prefect.md §2b: the task-run recorder in batches of 100 removes the
# lag between a flow finishing and its task runs showing in the API; analytics off avoids a
# "database is locked" from the telemetry service on a cold ephemeral database.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "0.5",
}


def configure_environment(*, verbose: bool) -> None:
    """PREFECT_HOME under ./var/prefect (never ~/.prefect) and Prefect's log lines in var/log/."""
    (VAR_DIR / "log").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str((VAR_DIR / "prefect").resolve()))
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(LOGGING_CONFIG))

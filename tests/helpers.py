"""Helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.load_scenario import SCENARIO_FILES, load_scenario_file


def load_files(directory: Path) -> list[dict[str, Any]]:
    """Each present scenario file through the flow's task body (no Prefect), in the flow's order."""
    return [
        load_scenario_file.fn(str(directory), name)
        for name, _, _ in SCENARIO_FILES
        if (directory / name).is_file()
    ]

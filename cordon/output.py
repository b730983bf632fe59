"""How the CLI speaks: one JSON document with --json, Rich tables otherwise, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False)


def emit_json(document: Any) -> None:
    """One JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def emit_model(model: Any) -> None:
    """A typed result (pydantic) as its one JSON document."""
    emit_json(model.model_dump(mode="json"))


def error_line(message: str) -> None:
    """One line on stderr; user text in it is printed literally, never as markup."""
    errors.print(f"error: {message}", markup=False, soft_wrap=True)

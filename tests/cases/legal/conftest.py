"""Shared fixtures: the shipped legal facts and a helper routing a request from CLI options."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cases.legal.catalogue import LegalFacts, ScenarioOverrides, load_legal_facts


@pytest.fixture(scope="session")
def facts() -> LegalFacts:
    return load_legal_facts()


def scenario(name: str = "test", **rows: Any) -> ScenarioOverrides:
    """A scenario with override rows, loaded on a fixed date."""
    return ScenarioOverrides(name=name, load_date=date(2026, 11, 30), **rows)

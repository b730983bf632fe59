"""Shared fixtures: the shipped legal facts and a helper routing a request from CLI options."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from cases.legal.catalogue import LegalFacts
from cases.legal.legal_facts import ScenarioOverrides, shipped_legal_facts
from cases.legal.routing import RoutingDecision, make_request, route_request


@pytest.fixture(scope="session")
def facts() -> LegalFacts:
    return shipped_legal_facts()


@pytest.fixture(scope="session")
def route(facts: LegalFacts) -> Callable[..., RoutingDecision]:
    def _route(kind: str, r: str, q: str, **options: Any) -> RoutingDecision:
        return route_request(
            facts, make_request(request_type=kind, requesting=r, requested=q, **options)
        )

    return _route


def scenario(name: str = "test", **rows: Any) -> ScenarioOverrides:
    """A scenario with override rows, loaded on a fixed date."""
    return ScenarioOverrides(name=name, load_date=date(2026, 11, 30), **rows)

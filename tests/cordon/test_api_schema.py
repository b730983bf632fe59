"""Property-based testing of the HTTP API against its own published schema (schemathesis), on a
fixed seed and a bounded number of examples: no answer is a 5xx, and every answer matches the
schema — for a person who may do much (the operator's token) and one who may do little."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine

from cases.kernel.actor import OPERATOR
from cases.kernel.credentials import issue_token
from cases.kernel.db import unit_of_work
from tests.helpers import HR_COORDINATOR, legal_scenario
from tests.serving import http_app, serving

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.mark.parametrize("who", [None, HR_COORDINATOR], ids=["operator", "coordinator"])
def test_the_api_keeps_its_own_schema(
    sqlite_database: Engine, scenario_dir: Path, in_tmp: Path, who: str | None
) -> None:
    legal_scenario(sqlite_database, scenario_dir)
    with unit_of_work(sqlite_database) as session:
        token = issue_token(session, OPERATOR, email=who)
    with serving(http_app()) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        failures = []
        for operation in schema.get_all_operations():
            api_operation = operation.ok()
            if api_operation.path in ("/alerts", "/plans") and api_operation.method == "post":
                continue  # these run flows: exercised by their own tests

            @settings(
                max_examples=8,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=api_operation.as_strategy())
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}"},
                    checks=[not_a_server_error, response_schema_conformance],
                )

            try:
                check()
            except Exception as error:  # collect every operation's failure, then report all
                failures.append(f"{api_operation.method.upper()} {api_operation.path}: {error}")
        assert not failures, "\n".join(failures)

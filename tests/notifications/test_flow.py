"""A real run of the ``dispatch_notifications`` flow on the test Prefect server."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from sqlalchemy import Engine

from flows.dispatch_notifications import dispatch_notifications
from tests.notifications.conftest import SmtpServer, open_cases


@pytest.mark.usefixtures("prefect_server")
def test_the_flow_delivers_the_outbox_once(
    sqlite_task_force: Engine, smtp_server: SmtpServer, mail_settings: Any
) -> None:
    mail_settings(smtp_server.url)
    expected = open_cases(sqlite_task_force, 2)  # 4 messages; Petra's items wait for a digest

    first = dispatch_notifications(digests=False)
    assert (first["sent"], first["failed"], first["pending"]) == (4, 0, 0)
    assert first["digest_items_waiting"] == 2
    assert first["mail"] == f"smtp://127.0.0.1:{smtp_server.port}"
    assert smtp_server.handler.message_ids() == Counter(dict.fromkeys(expected, 1))

    second = dispatch_notifications()  # digests up to yesterday: the test's day is long past
    assert (second["sent"], second["digests_built"], second["digest_items_waiting"]) == (1, 1, 0)
    third = dispatch_notifications()
    assert third["sent"] == 0
    assert len(smtp_server.handler.received) == 5

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["dispatch_notifications"]))
        )
    assert len(runs) >= 3 and all(r.state is not None and r.state.is_completed() for r in runs)

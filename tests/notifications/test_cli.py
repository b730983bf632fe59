"""``cordon notify dispatch`` and ``cordon notify list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from cases.kernel.settings import get_settings
from tests.helpers import cli
from tests.notifications.conftest import open_cases


@pytest.mark.usefixtures("prefect_server")
def test_notify_dispatch_json_is_one_object_and_mail_lands_in_var_mail(
    sqlite_task_force: Engine,
    mail_settings: Any,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CORDON_MAIL_URL")  # the embedded default: file:./var/mail
    get_settings.cache_clear()
    expected = open_cases(sqlite_task_force, 1)
    code, out, err = cli(capsys, "notify", "dispatch", "--json", "--no-digests")
    assert code == 0, err
    assert json.loads(out) == {"sent": 2, "failed": 0, "pending": 0}  # exactly one document
    files = sorted(p.name for p in (in_tmp / "var" / "mail").glob("*.eml"))
    assert files == sorted(m.strip("<>") + ".eml" for m in expected)

    code, out, _ = cli(capsys, "notify", "list", "--status", "sent", "--json")
    listed = json.loads(out)
    assert code == 0 and {m["message_id"] for m in listed} == expected
    assert all(m["status"] == "sent" and m["subject"].startswith("[Cordon]") for m in listed)

    code, out, _ = cli(capsys, "notify", "dispatch")
    assert code == 0 and "1 sent, 0 failed, 0 pending" in out and "var/mail" in out  # the digest


def test_notify_mistakes_get_one_line(
    sqlite_task_force: Engine,
    mail_settings: Any,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = cli(capsys, "notify", "list", "--status", "lost")
    assert code == 2
    assert err.strip() == "error: --status 'lost' is not one of pending, sending, sent, failed"
    mail_settings("smtp://mail.example:25?starttls=perhaps")
    code, out, err = cli(capsys, "notify", "dispatch", "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "CORDON_MAIL_URL" in err

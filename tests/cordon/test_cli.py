"""The CLI: one clear line and a non-zero exit for user mistakes, one JSON document with --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cases.kernel.db import head_revision
from tests.helpers import cli

CORDON = [sys.executable, "-c", "from cordon.cli import main; main()"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        CORDON + args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


def test_init_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CORDON_DATABASE_URL"}
    done = subprocess.run(
        [*CORDON, "init", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["revision_before"] is None and report["revision"] == head_revision()
    assert {r["file"] for r in report["reference"]} >= {"states.csv", "memberships.csv"}
    assert (tmp_path / "var" / "cordon.db").is_file()


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["load", "no-such-dir"], {}, "error: no scenario directory 'no-such-dir'"),
        (
            ["audit", "verify"],
            {"CORDON_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nothing"},
            "error: cannot reach the database postgresql+psycopg://postgres@127.0.0.1:1/nothing",
        ),
        (
            ["audit", "verify"],
            {"CORDON_DATABASE_URL": "not a url"},
            "error: CORDON_DATABASE_URL is not",
        ),
    ],
)
def test_user_mistakes_get_one_line_and_no_traceback(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    done = run(args, tmp_path, **env)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(expected)
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("prefect_server")
def test_load_with_a_bad_row_exits_non_zero_and_names_it(
    database: Engine, scenario_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = scenario_dir / "teams.csv"
    teams.write_text(teams.read_text().replace("RS,border_police,4", "RS,border_police,-4"))
    code, out, err = cli(capsys, "load", str(scenario_dir), "--json")
    assert code == 1
    report = json.loads(out)  # exactly one JSON document on stdout
    assert not report["ok"]
    bad = {f["file"]: f["problems"] for f in report["files"] if f["problems"]}
    assert bad == {
        "teams.csv": ["teams.csv:3: max_shifts: Input should be greater than or equal to 0"]
    }
    assert "Traceback" not in err


@pytest.mark.usefixtures("prefect_server")
def test_load_prints_a_table_and_problems_on_stderr(
    database: Engine, scenario_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scenario_dir / "agreements.csv").write_text("jurisdiction,corridor\nSI,ATLANTIS\n")
    code, out, err = cli(capsys, "load", str(scenario_dir))
    assert code == 1
    assert "corridors.csv" in out and "teams.csv" in out
    assert (
        err.strip()
        == "error: agreements.csv:2: corridor: unknown corridor 'ATLANTIS' (not in corridors.csv)"
    )


def test_audit_verify_names_the_first_altered_event(
    database: Engine, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]
    with database.begin() as connection:
        connection.execute(text("UPDATE audit_events SET entity_id = 'forged' WHERE seq = 4"))
    code, out, err = cli(capsys, "audit", "verify")
    assert code == 1
    assert err.strip().startswith(
        "error: audit log broken at event 4: event 4 (reference.file_loaded"
    )
    code, out, _ = cli(capsys, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["first_broken"] == 4


def test_audit_log_prints_events_in_order(
    database: Engine, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "audit", "log", "--json", "--limit", "3")
    events = json.loads(out)
    assert code == 0 and [e["seq"] for e in events] == [5, 6, 7]
    assert all(e["action"] == "reference.file_loaded" for e in events)

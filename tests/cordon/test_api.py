"""The HTTP API on a real uvicorn server (SPEC §13), on SQLite and PostgreSQL: alert sources push,
people read what ``--as`` shows them, every refusal of the §10.1 table answers 403 or 404, no
credentials 401, nothing of a case reaches someone who may not see it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from cases.kernel.actor import OPERATOR
from cases.kernel.credentials import add_source, issue_token
from cases.kernel.db import make_engine, unit_of_work
from cases.reference.install import init_database
from cordon.api.alerts import MAX_BODY_BYTES
from tests.helpers import (
    AUDITOR,
    HR_ANALYST,
    HR_COORDINATOR,
    HR_PROSECUTOR,
    RS_COORDINATOR,
    SI_COORDINATOR,
    cli,
    cli_ok,
    legal_scenario,
    load_files,
    make_alert,
)
from tests.permissions_table import (
    OPERATOR_AT_CONSOLE,
    PEOPLE,
    USE_CASES,
    UseCase,
    World,
    pointing_at,
    snapshot,
)
from tests.serving import http_app, serving

pytestmark = pytest.mark.usefixtures("prefect_server")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "balkans"


@pytest.fixture(scope="session")
def api() -> Iterator[str]:
    """One real server for the session: each request reads CORDON_DATABASE_URL as it is then."""
    with serving(http_app()) as base:
        yield f"{base}/api/v1"


def call(api: str, method: str, path: str, token: str | None, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{api}{path}", json=body, headers=headers, timeout=300)


def token_for(engine: Engine, email: str | None) -> str:
    with unit_of_work(engine) as session:
        return issue_token(session, OPERATOR, email=email)


# --- alert sources ---------------------------------------------------------------------------


def example_lines_by_source() -> dict[str, list[str]]:
    """The example's alert lines, grouped by the source they name (lines naming none go with
    the first source: they are quarantined whoever sends them)."""
    groups: dict[str, list[str]] = {}
    orphans = []
    for line in (EXAMPLE / "alerts.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            alert = json.loads(line)
            source = alert.get("source") if isinstance(alert, dict) else None
        except ValueError:
            source = None
        if isinstance(source, str) and source.strip():
            groups.setdefault(source.strip(), []).append(line)
        else:
            orphans.append(line)
    first = sorted(groups)[0]
    groups[first].extend(orphans)
    return groups


def push(api: str, key: str, lines: list[str], content_type: str = "application/x-ndjson"):  # type: ignore[no-untyped-def]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return httpx.post(
        f"{api}/alerts",
        content=body,
        headers={"X-API-Key": key, "Content-Type": content_type},
        timeout=300,
    )


# alerts_merged counts alerts joining cases open before *that* push, so it depends on how the
# lines are split into pushes; the cases themselves do not (correlation is order-independent)
COUNTS = ("received", "accepted", "rejected", "duplicates", "cases_opened")


def test_sources_push_the_example_and_get_the_counts_of_cordon_ingest(
    database: Engine, api: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_files(EXAMPLE)
    groups = example_lines_by_source()
    with unit_of_work(database) as session:
        keys = {name: add_source(session, OPERATOR, name=name) for name in groups}
    pushed = dict.fromkeys(COUNTS, 0)
    for name, lines in sorted(groups.items()):
        answer = push(api, keys[name], lines)
        assert answer.status_code == 200, answer.text
        summary = answer.json()
        assert summary["case_ids"] == []  # a source learns counts, never case ids
        for count in COUNTS:
            pushed[count] += summary[count]
    # the CLI, on the same lines, in a database that has seen none of them
    elsewhere = f"sqlite:///{in_tmp / 'cli.db'}"
    engine = make_engine(elsewhere)
    init_database(engine)
    engine.dispose()
    with pointing_at(elsewhere):
        load_files(EXAMPLE)
        ingested = json.loads(cli_ok(capsys, "ingest", str(EXAMPLE / "alerts.jsonl"), "--json"))
    assert pushed == {count: ingested[count] for count in COUNTS}
    assert pushed["accepted"] > 300 and pushed["rejected"] > 0
    # posting again stores nothing: every valid line is a duplicate
    name, lines = max(groups.items(), key=lambda kv: len(kv[1]))
    again = push(api, keys[name], lines).json()
    assert again["accepted"] == 0 and again["duplicates"] == again["received"] - again["rejected"]


def test_a_source_may_push_only_its_own_alerts_and_a_json_array_works_too(
    database: Engine, api: str, scenario_dir: Path
) -> None:
    load_files(scenario_dir)
    with unit_of_work(database) as session:
        key = add_source(session, OPERATOR, name="HR-customs", jurisdiction="HR")
    mine, theirs = make_alert(), make_alert(source="RS-customs", jurisdiction="RS")
    answer = httpx.post(
        f"{api}/alerts",
        json=[mine, theirs],
        headers={"X-API-Key": key},
        timeout=300,
    )
    summary = answer.json()
    assert answer.status_code == 200 and (summary["accepted"], summary["rejected"]) == (1, 1)
    assert summary["rejections"] == [
        {"line": 2, "reason": "source: 'RS-customs' is not this key's source 'HR-customs'"}
    ]
    with database.connect() as connection:
        kept = connection.execute(text("SELECT origin, reason FROM quarantine")).one()
    assert kept.origin.startswith("api:HR-customs:") and "not this key's source" in kept.reason


def test_a_body_over_the_limit_is_refused_whole_and_bad_keys_are_401(
    database: Engine, api: str, scenario_dir: Path
) -> None:
    load_files(scenario_dir)
    with unit_of_work(database) as session:
        key = add_source(session, OPERATOR, name="HR-customs")
    line = json.dumps(make_alert()) + "\n"
    big = line * (MAX_BODY_BYTES // len(line) + 1)
    answer = httpx.post(f"{api}/alerts", content=big, headers={"X-API-Key": key}, timeout=300)
    assert answer.status_code == 413 and answer.json()["error"]["kind"] == "too_large"
    with database.connect() as connection:
        stored = connection.execute(text("SELECT COUNT(*) FROM alerts")).scalar_one()
        quarantined = connection.execute(text("SELECT COUNT(*) FROM quarantine")).scalar_one()
    assert (stored, quarantined) == (0, 0)
    for headers in ({}, {"X-API-Key": "cdk_nope_nope"}, {"X-API-Key": key[:-1] + "x"}):
        refused = httpx.post(f"{api}/alerts", content=line, headers=headers, timeout=60)
        assert refused.status_code == 401 and refused.json()["error"]["kind"] == "unauthenticated"
    with unit_of_work(database) as session:  # a person's token is no source key
        person = issue_token(session, OPERATOR, email=None)
    refused = httpx.post(
        f"{api}/alerts", content=line, headers={"Authorization": f"Bearer {person}"}, timeout=60
    )
    assert refused.status_code == 401


# --- people: what --as shows, the same JSON ---------------------------------------------------


def test_a_person_sees_over_http_exactly_what_as_shows(
    database: Engine, api: str, scenario_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legal_scenario(database, scenario_dir)
    alerts = in_tmp / "alerts.jsonl"
    alerts.write_text(
        "\n".join(
            json.dumps(a)
            for a in (make_alert(indicators=["undeclared_arms"]), make_alert(jurisdiction="YU"))
        )
        + "\n"
    )
    cli_ok(capsys, "ingest", str(alerts))
    request = json.loads(
        cli_ok(
            capsys,
            "requests",
            "open",
            "--case",
            "CASE-2026-000001",
            "--type",
            "mla",
            "--from",
            "HR",
            "--to",
            "SI",
            "--by",
            HR_PROSECUTOR,
            "--json",
        )
    )["request_id"]
    pairs = [
        (["cases", "list"], "/cases"),
        (["cases", "show", "CASE-2026-000001"], "/cases/CASE-2026-000001"),
        (["requests", "list", "--now", "2026-12-01"], "/requests?now=2026-12-01"),
        (
            ["requests", "show", request, "--now", "2026-12-01"],
            f"/requests/{request}?now=2026-12-01",
        ),
        (["notify", "list"], "/notifications"),
        (["audit", "log"], "/audit/events"),
        (["plan", "list"], "/plans"),
    ]
    for email in (HR_COORDINATOR, SI_COORDINATOR, RS_COORDINATOR, AUDITOR, HR_ANALYST):
        token = token_for(database, email)
        for argv, path in pairs:
            code, out, err = cli(capsys, *argv, "--as", email, "--json")
            answer = call(api, "GET", path, token)
            if code == 0:
                assert answer.status_code == 200, (email, path, answer.text)
                assert answer.json() == json.loads(out), (email, path)
            else:
                assert answer.status_code == {4: 404, 3: 403}[code], (email, path, err)
    analyst = token_for(database, HR_ANALYST)
    code, out, _ = cli(capsys, "quarantine", "list", "--as", HR_ANALYST, "--json")
    assert code == 0 and call(api, "GET", "/quarantine", analyst).json() == json.loads(out)
    coordinator = token_for(database, HR_COORDINATOR)
    assert call(api, "GET", "/quarantine", coordinator).status_code == 403


def test_no_credentials_answer_401_everywhere(api: str, database: Engine) -> None:
    schema = httpx.get(f"{api}/openapi.json", timeout=60).json()
    assert schema["paths"], "the API documents its endpoints"
    for path, methods in schema["paths"].items():
        concrete = path.replace("{case_id}", "CASE-2026-000001").replace("{request_id}", "REQ-1")
        concrete = concrete.replace("{plan_id}", "PLAN-1").replace("{evidence_id}", "1")
        for method in methods:
            answer = httpx.request(method, f"{api}{concrete}", timeout=60)
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["error"]["kind"] == "unauthenticated"


# --- the §10.1 table over HTTP ------------------------------------------------------------------


@pytest.mark.parametrize("use", USE_CASES, ids=lambda u: u.name)
def test_the_table_over_http(
    use: UseCase,
    prepared: tuple[Path, World],
    fresh: Callable[[], str],
    api: str,
) -> None:
    """Allowed: 200. Refused: 403 when the caller may see the target, else 404 — and nothing
    written but the ``denied`` event."""
    _, world = prepared
    for who in [OPERATOR_AT_CONSOLE, *PEOPLE]:
        url = fresh()
        before = snapshot(url)
        method, path, body = use.http(world)
        with pointing_at(url):
            answer = call(api, method, path, world.tokens[who.email], body)
        if who.email is None or use.may(world, who):
            assert answer.status_code == 200, (who.label, use.name, answer.text)
            continue
        expected = 403 if use.sees(world, who) else 404
        assert answer.status_code == expected, (who.label, use.name, answer.text)
        assert answer.json()["error"]["kind"] == ("forbidden" if expected == 403 else "not_found")
        counts, events = snapshot(url)
        assert counts == before[0], (who.label, use.name)
        assert [e[0] for e in events[len(before[1]) :]] == ["denied"]


# --- nothing of a case reaches someone who may not see it ----------------------------------------

OUTSIDER = "eva@bmi.at.example"  # an AT coordinator: no case of the scenario is theirs to see
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/cases/{case_id}/transition"): {"status": "triage"},
    ("POST", "/cases/{case_id}/links"): {"other_id": "CASE-2026-000002"},
    ("POST", "/cases/{case_id}/split"): {"alerts": ["HR-customs:T-1"]},
    ("PUT", "/cases/{case_id}/sharing"): {"level": "taskforce"},
    ("POST", "/cases/{case_id}/notes"): {"text": "who is this"},
    ("POST", "/requests"): {
        "case_id": "CASE-2026-000001",
        "type": "mla",
        "requesting": "AT",
        "requested": "HR",
    },
    ("POST", "/requests/{request_id}/events"): {"state": "acknowledged"},
    ("PATCH", "/requests/{request_id}/fields"): {"purpose": "curiosity"},
    ("POST", "/requests/{request_id}/evidence"): {"description": "everything"},
    ("POST", "/evidence/{evidence_id}/custody"): {
        "action": "received",
        "who": "me",
        "where": "Vienna",
    },
    ("POST", "/plans"): {"start": "2026-12-01", "days": 1, "time_limit_s": 5},
    ("POST", "/plans/{plan_id}/outcomes"): {
        "corridor": "RS-HR-BATROVCI",
        "shift": 0,
        "result": "seized",
    },
}


def test_an_outsider_learns_nothing_of_a_case_from_any_endpoint(
    database: Engine, api: str, scenario_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legal_scenario(database, scenario_dir)
    from cases.kernel.models import Contact, Role

    with unit_of_work(database) as session:
        session.add(Contact(email=OUTSIDER, name="Eva", jurisdiction="AT", role=Role.COORDINATOR))
    secret = {
        "type": "company",
        "name": "Srem Metal d.o.o.",
        "country": "RS",
        "registration": "21458803",
    }
    alerts = in_tmp / "alerts.jsonl"
    alerts.write_text(json.dumps(make_alert(indicators=["undeclared_arms"], subjects=[secret])))
    cli_ok(capsys, "ingest", str(alerts))
    request = json.loads(
        cli_ok(
            capsys,
            "requests",
            "open",
            "--case",
            "CASE-2026-000001",
            "--type",
            "mla",
            "--from",
            "HR",
            "--to",
            "SI",
            "--json",
        )
    )["request_id"]
    cli_ok(capsys, "requests", "evidence", "add", request, "Ledger")
    hidden = [
        "CASE-2026-000001",
        "CASE-2026-000002",
        "CASE-2026-000003",
        request,
        "Srem Metal",
        "21458803",
        "case CASE-2026",
    ]
    with database.connect() as connection:
        hidden += [t for (t,) in connection.execute(text("SELECT title FROM cases"))]
    token = token_for(database, OUTSIDER)
    schema = httpx.get(f"{api}/openapi.json", timeout=60).json()
    values = {
        "{case_id}": "CASE-2026-000003",
        "{request_id}": request,
        "{plan_id}": "PLAN-2026-000001",
        "{evidence_id}": "1",
    }
    asked = 0
    for path, methods in schema["paths"].items():
        concrete = path
        for name, value in values.items():
            concrete = concrete.replace(name, value)
        for method in methods:
            if path == "/alerts":
                continue  # a source's door, not a person's
            body = BODIES.get((method.upper(), path))
            answer = call(api, method.upper(), concrete, token, body)
            asked += 1
            assert answer.status_code < 500, (method, path, answer.text)
            for text_ in hidden:
                assert text_ not in answer.text, (method, path, text_, answer.text[:300])
    assert asked >= 20

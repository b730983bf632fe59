"""`cordon requests …` in-process, on SQLite and PostgreSQL: one JSON document with --json, one
line on stderr and a non-zero exit for a mistake."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, text

from tests.helpers import (
    AUDITOR,
    HR_COORDINATOR,
    HR_PROSECUTOR,
    RS_COORDINATOR,
    SI_COORDINATOR,
    TO_TRANSMITTED,
    cli,
    cli_ok,
    cli_refused,
    legal_scenario,
)

CASE = "CASE-2026-000001"
DECISION_KEYS = [
    "request_id",
    "legal_basis",
    "alternatives",
    "channel",
    "route",
    "languages",
    "deadlines",
    "flags",
    "required_fields",
    "confidence",
    "explanation",
]


@pytest.fixture
def legal(database: Engine, scenario_dir: Path, in_tmp: Path) -> Engine:
    legal_scenario(database, scenario_dir)
    return database


def open_request(capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    return json.loads(
        cli_ok(capsys, "requests", "open", "--case", CASE, "--from", "HR", *options, "--json")
    )


def show(capsys: pytest.CaptureFixture[str], request_id: str, *options: str) -> dict:
    return json.loads(cli_ok(capsys, "requests", "show", request_id, *options, "--json"))


def test_open_prints_the_contract_decision_and_show_adds_due_dates(
    legal: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    eio = open_request(capsys, "--type", "mla", "--to", "SI", "--by", HR_PROSECUTOR)
    assert list(eio) == DECISION_KEYS
    assert re.fullmatch(r"REQ-\d{4}-000001", eio["request_id"]) and eio["legal_basis"] == ["EIO"]
    assert eio["channel"] == "DIRECT_JUDICIAL"
    assert {
        "name": "recognition",
        "days": 30,
        "starts_on": "transmitted",
        "due": None,
        "kind": "hard",
    } in eio["deadlines"]
    days = ("2026-11-20", "2026-11-25", "2026-11-30", "2026-12-01")
    for state, day in zip(TO_TRANSMITTED, days, strict=True):
        cli_ok(capsys, "requests", "advance", eio["request_id"], state, "--at", day)
    view = show(capsys, eio["request_id"])
    assert view["status"] == "transmitted"
    assert {
        "name": "recognition",
        "days": 30,
        "starts_on": "transmitted",
        "due": "2026-12-31",
        "kind": "hard",
    } in view["deadlines"]
    assert [(h["event"], h["on"]) for h in view["history"]][1:] == list(
        zip(TO_TRANSMITTED, days, strict=True)
    )

    eaw = open_request(capsys, "--type", "extradition", "--to", "SI")
    assert eaw["legal_basis"] == ["EAW"]
    cli_ok(capsys, "requests", "advance", eaw["request_id"], "arrested", "--at", "2026-12-01")
    cli_ok(capsys, "requests", "advance", eaw["request_id"], "consent_given", "--at", "2026-12-03")
    view = show(capsys, eaw["request_id"])
    due = {d["name"]: d["due"] for d in view["deadlines"]}
    assert due == {
        "decision": "2027-01-30",
        "decision_after_consent": "2026-12-13",
        "surrender": None,
    }
    assert view["status"] == "draft"


def test_illegal_transitions_get_one_line_and_every_transition_is_audited(
    legal: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = open_request(capsys, "--type", "mla", "--to", "SI")["request_id"]
    line = cli_refused(capsys, "requests", "advance", request_id, "transmitted")
    assert line == (
        "error: cannot move a request from draft to transmitted; allowed from draft: "
        "legal_review, withdrawn"
    )
    assert cli_refused(capsys, "requests", "advance", request_id, "sent").startswith(
        "error: unknown event 'sent': use a status (draft, "
    )
    assert cli_refused(
        capsys, "requests", "advance", request_id, "legal_review", "--at", "1st Dec"
    ) == ("error: --at '1st Dec' is not a date: use YYYY-MM-DD, e.g. 2026-12-01")
    assert cli_refused(capsys, "requests", "show", "REQ-2026-999999").startswith(
        "error: no request 'REQ-2026-999999'"
    )
    assert cli_refused(
        capsys, "requests", "advance", request_id, "legal_review", "--by", "x@y.org"
    ) == ("error: 'x@y.org' is not an active contact: name a contact of contacts.csv")
    cli_ok(
        capsys, "requests", "advance", request_id, "legal_review", "--note", "checked by the chief"
    )
    cli_ok(capsys, "requests", "advance", request_id, "withdrawn", "--by", HR_PROSECUTOR)
    with legal.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT actor, after FROM audit_events WHERE entity_id = :id"
                " AND action = 'request.advanced' ORDER BY seq"
            ),
            {"id": request_id},
        ).all()
    afters = [json.loads(a) if isinstance(a, str) else a for _, a in rows]
    assert [(actor, a["status"]) for (actor, _), a in zip(rows, afters, strict=True)] == [
        ("operator", "legal_review"),
        (HR_PROSECUTOR, "withdrawn"),
    ]
    assert afters[0]["note"] == "checked by the chief"
    code, out, _ = cli(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]


def test_as_shows_requests_to_requesting_and_requested_jurisdictions_and_auditors(
    legal: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = open_request(capsys, "--type", "mla", "--to", "SI")["request_id"]
    for email in (HR_COORDINATOR, SI_COORDINATOR, AUDITOR):
        assert show(capsys, request_id, "--as", email)["request_id"] == request_id
        listed = json.loads(cli_ok(capsys, "requests", "list", "--as", email, "--json"))
        assert [r["request_id"] for r in listed] == [request_id]
    line = cli_refused(capsys, "requests", "show", request_id, "--as", RS_COORDINATOR)
    assert line == f"error: no request '{request_id}'"  # as if it did not exist
    assert json.loads(cli_ok(capsys, "requests", "list", "--as", RS_COORDINATOR, "--json")) == []
    assert cli_refused(capsys, "requests", "document", request_id, "--as", RS_COORDINATOR) == (
        f"error: no request '{request_id}'"
    )
    assert cli_refused(capsys, "requests", "list", "--as", "nobody@example.org") == (
        "error: 'nobody@example.org' is not an active contact: name a contact of contacts.csv"
    )


def test_list_overdue_lists_exactly_the_overdue_requests(
    legal: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    late, met, waiting = (
        open_request(capsys, "--type", "mla", "--to", "SI")["request_id"] for _ in range(3)
    )
    for request_id in (late, met):
        for state in TO_TRANSMITTED:
            cli_ok(capsys, "requests", "advance", request_id, state, "--at", "2026-12-01")
    cli_ok(capsys, "requests", "advance", met, "acknowledged", "--at", "2026-12-05")

    def overdue(now: str) -> dict[str, list[str]]:
        rows = json.loads(cli_ok(capsys, "requests", "list", "--overdue", "--now", now, "--json"))
        return {r["request_id"]: [d["name"] for d in r["overdue"]] for r in rows}

    assert overdue("2026-12-08") == {}
    assert overdue("2026-12-09") == {late: ["acknowledgement"]}
    assert overdue("2027-01-01") == {late: ["acknowledgement", "recognition"], met: ["recognition"]}
    everything = json.loads(cli_ok(capsys, "requests", "list", "--now", "2027-01-01", "--json"))
    assert [r["request_id"] for r in everything] == [late, met, waiting]
    table = cli_ok(capsys, "requests", "list", "--overdue", "--now", "2027-01-01")
    assert late in table and waiting not in table


def test_documents_render_when_complete_and_refuse_naming_the_missing_fields(
    legal: Engine,
    capsys: pytest.CaptureFixture[str],
    in_tmp: Path,
) -> None:
    mla = open_request(capsys, "--type", "mla", "--to", "SI", "--measure", "search_seizure")
    extradition = open_request(
        capsys, "--type", "extradition", "--to", "RS", "--person-nationality", "RS"
    )
    assert extradition["legal_basis"] == ["ECE57", "BILATERAL:HR-RS:EXTRADITION_NATIONALS"]
    for request in (mla, extradition):
        line = cli_refused(capsys, "requests", "document", request["request_id"])
        assert line.startswith("error: cannot render the ")
        assert line.endswith(
            f"missing required field(s): {', '.join(request['required_fields'])} — fill them in "
            "and render again"
        )
    # the MLA request: fields on the command line; the extradition request: a YAML file
    pairs = [f"{name}=<{name}>" for name in mla["required_fields"]]
    cli_ok(capsys, "requests", "set", mla["request_id"], *pairs[1:])
    line = cli_refused(capsys, "requests", "document", mla["request_id"])
    assert line.endswith(
        f"missing required field(s): {mla['required_fields'][0]} — fill them in and render again"
    )
    cli_ok(capsys, "requests", "set", mla["request_id"], pairs[0])
    letter = cli_ok(capsys, "requests", "document", mla["request_id"])
    assert letter.startswith("EUROPEAN INVESTIGATION ORDER") and mla["request_id"] in letter
    assert all(f"<{name}>" in letter for name in mla["required_fields"])

    fields = in_tmp / "fields.yaml"
    values = {name: f"<{name}>" for name in extradition["required_fields"]}
    values["person_description"] = ["Dragan Petrović, RS, born 1981", "scar on the left hand"]
    fields.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    cli_ok(capsys, "requests", "set", extradition["request_id"], "--fields", str(fields))
    out = in_tmp / "extradition.txt"
    cli_ok(capsys, "requests", "document", extradition["request_id"], "--out", str(out))
    document = out.read_text(encoding="utf-8")
    assert document.startswith("REQUEST FOR EXTRADITION") and extradition["request_id"] in document
    assert "    - Dragan Petrović, RS, born 1981\n    - scar on the left hand" in document
    assert cli_refused(capsys, "requests", "set", mla["request_id"], "purpose") == (
        "error: 'purpose' is not FIELD=VALUE (an empty VALUE clears the field)"
    )


def test_evidence_with_chain_of_custody_and_file_hashes(
    legal: Engine,
    capsys: pytest.CaptureFixture[str],
    in_tmp: Path,
) -> None:
    request_id = open_request(capsys, "--type", "mla", "--to", "SI")["request_id"]
    item = json.loads(
        cli_ok(capsys, "requests", "evidence", "add", request_id, "Bank statements 2026", "--json")
    )
    assert item["status"] == "requested"
    scan = in_tmp / "statements.pdf"
    scan.write_bytes(b"%PDF statements")
    custody = ["--who", "Insp. Novak", "--where", "Specialised Prosecutor's Office, Ljubljana"]
    evidence_id = str(item["id"])
    cli_ok(
        capsys,
        "requests",
        "evidence",
        "receive",
        evidence_id,
        *custody,
        "--at",
        "2026-12-10T09:15+01:00",
        "--file",
        str(scan),
    )
    cli_ok(
        capsys,
        "requests",
        "evidence",
        "custody",
        evidence_id,
        "stored",
        *custody,
        "--at",
        "2026-12-10T10:00+01:00",
    )
    assert (
        cli_refused(
            capsys,
            "requests",
            "evidence",
            "receive",
            evidence_id,
            *custody,
            "--at",
            "2026-12-10T09:15",
        )
        == "error: --at '2026-12-10T09:15' is not a time with a UTC offset: "
        "use e.g. 2026-12-03T10:15+01:00"
    )
    assert cli_refused(
        capsys, "requests", "evidence", "admit", evidence_id, *custody, "--file", "missing.pdf"
    ).startswith("error: cannot read 'missing.pdf' to hash it")
    cli_ok(
        capsys,
        "requests",
        "evidence",
        "reject",
        evidence_id,
        "--reason",
        "seal broken",
        *custody,
        "--at",
        "2026-12-11T08:00+01:00",
    )
    (shown,) = show(capsys, request_id)["evidence"]
    assert shown["status"] == "rejected" and shown["rejection_reason"] == "seal broken"
    digest = hashlib.sha256(b"%PDF statements").hexdigest()
    assert [(c["action"], c["when"], c["sha256"]) for c in shown["custody"]] == [
        ("received", "2026-12-10T08:15:00+00:00", digest),
        ("stored", "2026-12-10T09:00:00+00:00", None),
        ("rejected", "2026-12-11T07:00:00+00:00", None),
    ]
    assert cli_refused(capsys, "requests", "evidence", "admit", evidence_id, *custody).startswith(
        f"error: evidence item {evidence_id} is rejected: cannot move to admitted"
    )

"""Validation of alert lines (SPEC §5 step 1) and derived indicators — pure, no database."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from cases.intake.validation import (
    MAX_LINE_BYTES,
    IntakeReference,
    RawLine,
    Rejection,
    ValidAlert,
    all_indicators,
    batched,
    read_lines,
    validate_line,
)
from tests.helpers import make_alert

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WEIGHTS = {
    "undeclared_arms": 0.9,
    "embargoed_destination": 0.8,
    "euc_forged": 0.8,
    "watchlist_hit": 0.7,
    "euc_mismatch": 0.6,
    "concealment": 0.6,
    "hs_chapter_93": 0.2,
    "ais_gap": 0.3,
}
REFERENCE = IntakeReference(
    indicator_weights=WEIGHTS,
    corridor_jurisdictions={"RS-HR-BATROVCI": ("HR", "RS"), "HR-PORT-RIJEKA": ("HR",)},
    embargoed=frozenset({"LY", "YE"}),
    watchlist=frozenset({"vessel:9074729", "company:RS:20123456"}),
    members=frozenset({"HR", "RS", "SI"}),
)


def check(alert: dict | str) -> ValidAlert | Rejection:
    text = alert if isinstance(alert, str) else json.dumps(alert)
    return validate_line(RawLine("f.jsonl", 7, text), REFERENCE, NOW)


def test_a_valid_alert_passes_and_keeps_unknown_fields() -> None:
    alert = make_alert(
        awb="020-48213377",
        subjects=[{"type": "vessel", "imo": " 9387425", "name": "ADRIATIC DAWN"}],
    )
    checked = check(alert)
    assert isinstance(checked, ValidAlert), checked
    assert checked.payload["awb"] == "020-48213377"
    assert checked.keys == ("vessel:9387425",)
    assert checked.observed_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert (checked.origin, checked.line_no) == ("f.jsonl", 7)


# One rule per case: what the line looks like, and the start of the reason it is quarantined for.
RULES = [
    pytest.param('{"source": "HR-customs", "source_ref": ', "not valid JSON", id="broken-json"),
    pytest.param("[1, 2, 3]", "a JSON array, not an alert object", id="not-an-object"),
    pytest.param('{"source": "x", "score": NaN}', "not valid JSON (NaN is not JSON", id="NaN"),
    pytest.param(make_alert(source_ref=None), "source_ref: missing required field", id="no-ref"),
    pytest.param(make_alert(source="  "), "source: missing required field", id="blank-source"),
    pytest.param(make_alert(kind=None), "kind: missing required field", id="no-kind"),
    pytest.param(make_alert(kind="shipment"), "kind: unknown kind 'shipment'", id="bad-kind"),
    pytest.param(make_alert(jurisdiction="YU"), "jurisdiction: unknown country code 'YU'", id="YU"),
    pytest.param(make_alert(jurisdiction=12), "jurisdiction: must be a string", id="not-a-string"),
    pytest.param(
        make_alert(observed_at="2026-11-15T05:34:37"),
        "observed_at: '2026-11-15T05:34:37' has no UTC offset",
        id="no-offset",
    ),
    pytest.param(
        make_alert(observed_at="2026-11-27T13:00:01+00:00"),
        "observed_at: '2026-11-27T13:00:01+00:00' is more than a day in the future",
        id="future",
    ),
    pytest.param(
        make_alert(observed_at="yesterday"), "observed_at: 'yesterday' is not an ISO 8601", id="iso"
    ),
    pytest.param(
        make_alert(indicators=["hs_chapter_93", "weapons_suspected"]),
        "indicators[1]: unknown indicator 'weapons_suspected'",
        id="unknown-indicator",
    ),
    pytest.param(
        make_alert(indicators=["watchlist_hit"]),
        "indicators[0]: 'watchlist_hit' is derived by Cordon",
        id="derived-indicator-sent",
    ),
    pytest.param(
        make_alert(corridor="RS-HU-HORGOS"),
        "corridor: unknown corridor 'RS-HU-HORGOS'",
        id="unknown-corridor",
    ),
    pytest.param(
        make_alert(subjects=[{"type": "vessel", "imo": "9387426"}]),
        "subjects[0].imo: '9387426' is not an IMO number with a valid check digit",
        id="imo-check-digit",
    ),
    pytest.param(
        make_alert(subjects=[{"type": "person", "nationality": "XX", "document": "A1"}]),
        "subjects[0].nationality: unknown country code 'XX'",
        id="nationality",
    ),
    pytest.param(
        make_alert(subjects=[{"type": "aircraft", "name": "X"}]),
        "subjects[0].type: unknown subject type 'aircraft'",
        id="subject-type",
    ),
    pytest.param(
        make_alert(consignment={"destination": "UK"}),
        "consignment.destination: unknown country code 'UK'",
        id="destination",
    ),
]


@pytest.mark.parametrize(("line", "reason"), RULES)
def test_each_rule_rejects_with_a_reason(line: dict | str, reason: str) -> None:
    checked = check(line)
    assert isinstance(checked, Rejection), checked
    assert checked.reason.startswith(reason), checked.reason
    assert checked.line_no == 7 and checked.raw_text == (
        line if isinstance(line, str) else json.dumps(line)
    )


def test_a_day_ahead_is_tolerated() -> None:
    assert isinstance(check(make_alert(observed_at="2026-11-27T12:00:00Z")), ValidAlert)


def test_lowercase_country_codes_and_xk_are_accepted() -> None:
    checked = check(make_alert(jurisdiction="xk"))
    assert isinstance(checked, ValidAlert) and checked.jurisdiction == "XK"


def test_reading_numbers_lines_from_one_skips_blank_ones_and_flags_bad_bytes() -> None:
    data = b'{"a": 1}\n\n   \n{"b": 2}\r\n\xff\xfe oops\n{"c": 3}'
    lines = list(read_lines(io.BytesIO(data), "x"))
    assert [(line.line_no, line.text) for line in lines][:2] == [(1, '{"a": 1}'), (4, '{"b": 2}')]
    assert lines[2].line_no == 5 and lines[2].not_utf8
    assert lines[3].line_no == 6 and lines[3].text == '{"c": 3}'
    checked = validate_line(lines[2], REFERENCE, NOW)
    assert isinstance(checked, Rejection) and checked.reason == "line is not valid UTF-8"


def test_a_line_over_one_mib_is_rejected_without_being_kept_whole() -> None:
    huge = json.dumps(make_alert(description="x" * (MAX_LINE_BYTES + 10)))
    ok = json.dumps(make_alert())
    lines = list(read_lines(io.BytesIO(f"{ok}\n{huge}\n{ok}\n".encode()), "x"))
    assert [line.line_no for line in lines] == [1, 2, 3]
    assert len(lines[1].text) == 64 * 1024
    checked = validate_line(lines[1], REFERENCE, NOW)
    assert isinstance(checked, Rejection)
    assert checked.reason.startswith(f"line of {len(huge)} bytes is over the 1 MiB limit")
    assert isinstance(validate_line(lines[2], REFERENCE, NOW), ValidAlert)


def test_batches_keep_every_line_in_order() -> None:
    lines = [RawLine("x", n, "{}") for n in range(1, 8)]
    assert [[line.line_no for line in b] for b in batched(lines, 3)] == [[1, 2, 3], [4, 5, 6], [7]]


@pytest.mark.parametrize(
    ("fields", "derived"),
    [
        ({"consignment": {"destination": "LY"}}, ("embargoed_destination",)),
        (
            {"subjects": [{"type": "euc", "number": "E-1", "issuer": "YE"}]},
            ("embargoed_destination",),
        ),
        ({"subjects": [{"type": "vessel", "imo": "IMO 9074729"}]}, ("watchlist_hit",)),
        (
            {"subjects": [{"type": "company", "country": "RS", "registration": " 2012 3456"}]},
            ("watchlist_hit",),
        ),
        ({"consignment": {"origin": "LY", "transit": ["YE"], "destination": "AT"}}, ()),
        ({"subjects": [{"type": "company", "name": "Balkan Trade d.o.o.", "country": "RS"}]}, ()),
    ],
)
def test_derived_indicators(fields: dict, derived: tuple[str, ...]) -> None:
    checked = check(make_alert(indicators=["hs_chapter_93"], **fields))
    assert isinstance(checked, ValidAlert), checked
    assert all_indicators(checked, REFERENCE) == ("hs_chapter_93", *derived)

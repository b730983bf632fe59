"""Intake against the store (SQLite and PostgreSQL): dedup, correlation, open or merge, case fields,
sharing, a crash between the steps, the case lifecycle and the quarantine."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from cases.casework.service import link_case, list_cases, show_case, split_case, transition_case
from cases.intake.merge import open_or_merge
from cases.intake.store import store_alerts
from cases.intake.validation import RawLine, batched, read_lines
from cases.kernel.actor import OPERATOR, resolve
from cases.kernel.db import read_session, unit_of_work
from cases.kernel.errors import IllegalTransition, Invalid, NotFound
from cases.kernel.events import AlertsMerged, CaseOpened
from cases.kernel.models import CaseOutcome, CaseStatus
from cordon.cases_commands import print_case
from flows.intake import Summary, intake_reference
from tests.helpers import ingest_alerts, load_files, make_alert, published_events, raw_lines

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "balkans"


@pytest.fixture
def mini(database: Engine, scenario_dir: Path) -> Engine:
    """The mini scenario (members HR, RS, SI; watchlist vessel 9074729, company RS:20123456)."""
    assert all(r["loaded"] for r in load_files(scenario_dir))
    return database


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one()


def cases_by_alerts(engine: Engine) -> set[frozenset[str]]:
    """Every case as the set of its alerts' ``source:ref`` (a partition, independent of ids)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT ca.case_id, a.source, a.source_ref FROM case_alerts ca "
                "JOIN alerts a ON a.id = ca.alert_id"
            )
        ).all()
    groups: dict[str, set[str]] = {}
    for case_id, source, ref in rows:
        groups.setdefault(case_id, set()).add(f"{source}:{ref}")
    return {frozenset(g) for g in groups.values()}


def show(case_id: str) -> dict[str, Any]:
    with read_session() as session:
        return show_case(session, OPERATOR, case_id).model_dump(mode="json")


# --- dedup ----------------------------------------------------------------------------------------


def test_reingesting_opens_nothing_and_stores_nothing(mini: Engine) -> None:
    alerts = [make_alert(indicators=["concealment"]), make_alert(), "{not json"]
    stored, outcome = ingest_alerts(*alerts)
    assert (stored.accepted, stored.rejected, stored.duplicates) == (2, 1, 0)
    assert len(outcome.cases_opened) == 1 and outcome.watch == 1
    tables = ("alerts", "alert_identifiers", "cases", "case_alerts", "subjects", "quarantine")
    before = {t: count(mini, t) for t in tables}
    stored, outcome = ingest_alerts(*alerts)
    assert (stored.accepted, stored.rejected, stored.duplicates) == (0, 1, 2)
    assert outcome.events == [] and outcome.case_ids == []
    assert {t: count(mini, t) for t in tables} == before


def test_a_repeat_within_one_batch_is_a_duplicate(mini: Engine) -> None:
    alert = make_alert(indicators=["concealment"])
    stored, outcome = ingest_alerts(alert, {**alert, "description": "re-sent"})
    assert (stored.accepted, stored.duplicates) == (1, 1)
    assert len(outcome.cases_opened) == 1


# --- correlation ----------------------------------------------------------------------------------

SPELLINGS = [
    pytest.param(
        {"type": "vessel", "imo": "9387425", "name": "ADRIATIC DAWN"},
        {"type": "vessel", "imo": " IMO 9387425 ", "name": "SEA FALCON"},
        id="vessel",
    ),
    pytest.param(
        {"type": "company", "name": "Srem Metal", "country": "RS", "registration": "21458803"},
        {"type": "company", "name": "SREM METAL DOO", "country": "RS", "registration": "2145 8803"},
        id="company",
    ),
    pytest.param(
        {"type": "person", "name": "Ivan Horvat", "nationality": "RS", "document": "P1234567"},
        {"type": "person", "name": "I. Horvat", "nationality": "rs", "document": "p123 4567"},
        id="person",
    ),
    pytest.param(
        {"type": "euc", "number": "MOD-EUC-2026-0117", "issuer": "AE"},
        {"type": "euc", "number": "mod-euc-2026-0117 ", "issuer": "AE"},
        id="euc",
    ),
    pytest.param(
        {"type": "firearm", "make": "Zastava", "serial": "M70-123456", "model": "M70"},
        {"type": "firearm", "make": "ZASTAVA ", "serial": "m70-1234 56"},
        id="firearm",
    ),
]


@pytest.mark.parametrize(("first", "second"), SPELLINGS)
def test_each_identifier_kind_merges_a_later_file_into_the_open_case(
    mini: Engine, first: dict, second: dict
) -> None:
    _, opened = ingest_alerts(make_alert(indicators=["concealment"], subjects=[first]), origin="a")
    assert len(opened.cases_opened) == 1
    case_id = opened.cases_opened[0]
    later = make_alert(
        source="RS-customs", jurisdiction="RS", indicators=["seal_tampered"], subjects=[second]
    )
    stored, merged = ingest_alerts(later, origin="b")
    assert merged.cases_opened == [] and merged.alerts_merged == 1
    assert merged.case_ids == [case_id]
    assert merged.events == [AlertsMerged(case_id, tuple(stored.alert_ids))]
    case = show(case_id)
    assert case["alert_count"] == 2 and case["score"] == 0.8  # 1 − 0.4·0.5
    assert len([s for s in case["subjects"] if s["type"] == first["type"]]) == 1


def test_names_alone_never_merge_but_are_suggested(mini: Engine) -> None:
    a = make_alert(
        indicators=["concealment"],
        subjects=[
            {
                "type": "company",
                "name": "Adria Logistik d.o.o.",
                "country": "HR",
                "registration": "48213970562",
            }
        ],
    )
    b = make_alert(
        source="SI-customs",
        jurisdiction="SI",
        corridor="HR-SI-BREGANA",
        indicators=["concealment"],
        subjects=[
            {
                "type": "company",
                "name": "ADRIA LOGISTIK D.O.O.",
                "country": "SI",
                "registration": "6849271000",
            }
        ],
    )
    _, outcome = ingest_alerts(a, b)
    assert len(outcome.cases_opened) == 2
    first, second = outcome.cases_opened
    links = show(first)["possible_links"]
    assert [(p["id"], p["subject_type"]) for p in links] == [(second, "company")]
    assert show(first)["related"] == []


def test_alerts_of_one_batch_that_share_an_identifier_open_one_case(mini: Engine) -> None:
    vessel = {"type": "vessel", "imo": "9387425"}
    _, outcome = ingest_alerts(
        make_alert(indicators=["ais_gap"], subjects=[vessel]),
        make_alert(indicators=["concealment"], subjects=[vessel]),
        make_alert(indicators=["ais_gap"], subjects=[{"type": "vessel", "imo": "9173563"}]),
    )
    assert len(outcome.cases_opened) == 1 and outcome.watch == 1
    assert show(outcome.cases_opened[0])["alert_count"] == 2


def test_weak_signals_wait_as_watch_alerts_until_the_third_opens_a_case(mini: Engine) -> None:
    def vessel_alert(indicator: str, imo: str, name: str, day: int) -> dict:
        return make_alert(
            source="SI-vessel-tracking",
            jurisdiction="SI",
            corridor="HR-PORT-RIJEKA",
            kind="vessel",
            observed_at=f"2026-11-{day:02d}T08:00:00Z",
            indicators=[indicator],
            subjects=[{"type": "vessel", "imo": imo, "name": name}],
        )

    _, first = ingest_alerts(vessel_alert("ais_gap", "9387425", "ADRIATIC DAWN", 3), origin="1")
    _, second = ingest_alerts(vessel_alert("route_deviation", " 9387425", "ADRIATIC DAWN", 11))
    assert first.cases_opened == second.cases_opened == [] and first.watch == second.watch == 1
    assert count(mini, "alerts", "WHERE state = 'watch'") == 2
    _, third = ingest_alerts(vessel_alert("vessel_renamed", "9387425 ", "SEA FALCON", 19))
    assert len(third.cases_opened) == 1 and third.watch == 0
    assert len(third.joined_watch_ids) == 2
    case = show(third.cases_opened[0])
    assert case["score"] == 0.6325 and case["alert_count"] == 3
    assert case["subjects"][0]["details"]["names"] == ["ADRIATIC DAWN", "SEA FALCON"]
    assert count(mini, "alerts", "WHERE state = 'watch'") == 0


def test_a_group_touching_two_open_cases_merges_into_the_oldest(mini: Engine) -> None:
    vessel = {"type": "vessel", "imo": "9387425"}
    company = {"type": "company", "country": "RS", "registration": "21458803"}
    _, a = ingest_alerts(make_alert(indicators=["concealment"], subjects=[vessel]))
    _, b = ingest_alerts(make_alert(indicators=["concealment"], subjects=[company]))
    _, c = ingest_alerts(make_alert(indicators=["ais_gap"], subjects=[company, vessel]))
    oldest, younger = a.cases_opened[0], b.cases_opened[0]
    assert c.case_ids == [oldest] and c.alerts_merged == 1
    assert show(oldest)["alert_count"] == 2 and show(younger)["alert_count"] == 1
    assert [r["id"] for r in show(oldest)["related"]] == [younger]
    assert [r["id"] for r in show(younger)["related"]] == [oldest]


def test_a_closed_case_takes_no_new_alerts(mini: Engine) -> None:
    vessel = {"type": "vessel", "imo": "9387425"}
    _, a = ingest_alerts(make_alert(indicators=["concealment"], subjects=[vessel]))
    with unit_of_work() as session:
        transition_case(
            session,
            OPERATOR,
            case_id=a.cases_opened[0],
            status=CaseStatus.CLOSED,
            outcome=CaseOutcome.SEIZED,
        )
    _, b = ingest_alerts(make_alert(indicators=["undeclared_arms"], subjects=[vessel]))
    assert len(b.cases_opened) == 1 and b.cases_opened != a.cases_opened


# --- scores and case fields -----------------------------------------------------------------------


def test_embargo_and_watchlist_are_derived_and_explained(mini: Engine) -> None:
    embargo = make_alert(indicators=[], consignment={"destination": "LY"})
    hit = make_alert(
        indicators=[],
        subjects=[
            {
                "type": "company",
                "name": "Balkan Trade",
                "country": "RS",
                "registration": " 2012 3456",
            }
        ],
    )
    noise = make_alert(indicators=["hs_chapter_93"], consignment={"origin": "LY"})
    _, outcome = ingest_alerts(embargo, hit, noise)
    assert len(outcome.cases_opened) == 2 and outcome.watch == 1
    by_reason = {show(c)["score_breakdown"][0]["indicator"]: show(c) for c in outcome.cases_opened}
    assert set(by_reason) == {"embargoed_destination", "watchlist_hit"}
    assert by_reason["watchlist_hit"]["score"] == 0.7  # the hit alone opens a case
    assert by_reason["embargoed_destination"]["score_breakdown"] == [
        {
            "indicator": "embargoed_destination",
            "weight": 0.8,
            "alerts": [{"source": embargo["source"], "source_ref": embargo["source_ref"]}],
        }
    ]
    with mini.connect() as connection:
        indicators = connection.execute(
            text("SELECT indicators FROM alerts WHERE source_ref = :r"), {"r": hit["source_ref"]}
        ).scalar_one()
    assert "watchlist_hit" in (
        indicators if isinstance(indicators, list) else json.loads(indicators)
    )


def test_a_scenario_may_override_weights(mini: Engine, scenario_dir: Path) -> None:
    yaml = scenario_dir / "scenario.yaml"
    yaml.write_text(yaml.read_text() + "indicator_weights: {concealment: 0.5}\n")
    assert all(r["loaded"] for r in load_files(scenario_dir))
    _, outcome = ingest_alerts(make_alert(indicators=["concealment"]))
    assert outcome.cases_opened == [] and outcome.watch == 1


def test_case_fields(mini: Engine) -> None:
    later = make_alert(
        source="RS-customs",
        jurisdiction="RS",
        observed_at="2026-11-20T12:00:00+01:00",
        corridor="HR-SI-BREGANA",
        indicators=["undeclared_arms"],
        subjects=[
            {"type": "company", "name": "Srem Metal", "country": "RS", "registration": "21458803"},
            {"type": "person", "name": "Ivan Horvat", "nationality": "AT", "document": "P1"},
        ],
        consignment={"origin": "BA", "destination": "SI", "transit": ["ME"]},
    )
    earlier = make_alert(
        source="IT-guardia-di-finanza",
        jurisdiction="IT",
        observed_at="2026-11-20T09:00:00Z",  # 10:00 CET: before the RS alert
        corridor=None,
        indicators=["euc_mismatch"],
        subjects=[{"type": "company", "country": "RS", "registration": "2145-8803"}],
    )
    _, outcome = ingest_alerts(later, earlier)
    case = show(outcome.cases_opened[0])
    assert case["lead_jurisdiction"] == "IT"  # a partner outside the task force may lead
    # alert jurisdictions + corridor states + member subject countries; not AT (not a member),
    # not consignment origin BA, transit ME or destination SI
    assert case["jurisdictions"] == ["HR", "IT", "RS", "SI"]
    assert case["corridors"] == ["HR-SI-BREGANA"]
    assert case["priority"] == "p1" and case["score"] == 0.96
    assert case["title"] == "Undeclared arms: Srem Metal (company RS:21458803)"
    assert [a["source"] for a in case["alerts"]] == ["IT-guardia-di-finanza", "RS-customs"]
    assert case["requests"] == [] and case["status"] == "new"
    assert [e["action"] for e in case["timeline"]] == ["case.opened"]


def test_case_ids_count_up_per_year(mini: Engine) -> None:
    _, outcome = ingest_alerts(*(make_alert(indicators=["concealment"]) for _ in range(3)))
    numbers = [int(c.rsplit("-", 1)[1]) for c in outcome.cases_opened]
    assert numbers == [1, 2, 3] and all(c.startswith("CASE-20") for c in outcome.cases_opened)
    _, more = ingest_alerts(make_alert(indicators=["concealment"]))
    assert more.cases_opened[0].endswith("-000004")
    assert more.events == [CaseOpened(more.cases_opened[0])]


# --- sharing --------------------------------------------------------------------------------------


def test_as_hides_cases_of_other_jurisdictions(mini: Engine) -> None:
    _, outcome = ingest_alerts(make_alert(indicators=["concealment"]))  # HR, corridor HR|RS
    case_id = outcome.cases_opened[0]
    with read_session() as session:
        hr = resolve(session, "ana.kovac@carina.hr.example")
        rs = resolve(session, "marko.petrovic@upravacarina.rs.example")
        si = resolve(session, "maja.novak@fu.si.example")
        assert [c.id for c in list_cases(session, hr)] == [case_id]
        assert [c.id for c in list_cases(session, rs)] == [case_id]
        assert list_cases(session, si) == []
        with pytest.raises(NotFound):
            show_case(session, si, case_id)
        assert show_case(session, rs, case_id).id == case_id


def test_related_and_suggested_cases_are_shown_only_when_visible(mini: Engine) -> None:
    name = {"type": "company", "name": "Adria Logistik", "country": "HR", "registration": "1"}
    other = {**name, "country": "SI", "registration": "2"}
    _, a = ingest_alerts(make_alert(indicators=["concealment"], subjects=[name]))
    _, b = ingest_alerts(
        make_alert(
            source="SI-customs",
            jurisdiction="SI",
            corridor=None,
            indicators=["concealment"],
            subjects=[other],
        )
    )
    with unit_of_work() as session:
        link_case(session, OPERATOR, case_id=a.cases_opened[0], other_id=b.cases_opened[0])
    with read_session() as session:
        hr = resolve(session, "ana.kovac@carina.hr.example")
        seen = show_case(session, hr, a.cases_opened[0]).model_dump(mode="json")
    assert seen["related"] == [] and seen["possible_links"] == []  # the SI case is not HR's
    assert [r["id"] for r in show(a.cases_opened[0])["related"]] == b.cases_opened


# --- literal text ---------------------------------------------------------------------------------

NASTY = ["{{ 7*7 }}", "<script>alert(1)</script>", "'; DROP TABLE cases; --", "[red]x[/red]"]


def test_strings_are_stored_and_shown_literally(
    mini: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    alert = make_alert(
        source=NASTY[2],
        source_ref=NASTY[0],
        indicators=["concealment"],
        description=NASTY[1],
        subjects=[
            {
                "type": "company",
                "name": NASTY[3] + NASTY[1],
                "country": "HR",
                "registration": NASTY[0],
            }
        ],
    )
    _, outcome = ingest_alerts(alert)
    case = show(outcome.cases_opened[0])
    assert case["alerts"][0]["source"] == NASTY[2]
    assert case["alerts"][0]["source_ref"] == NASTY[0]
    assert case["subjects"][0]["name"] == NASTY[3] + NASTY[1]
    assert NASTY[3] + NASTY[1] in case["title"]
    with mini.connect() as connection:
        payload = connection.execute(text("SELECT payload FROM alerts")).scalar_one()
    payload = payload if isinstance(payload, dict) else json.loads(payload)
    assert payload["description"] == NASTY[1]
    assert count(mini, "cases") == 1
    print_case(case)
    assert f"{case['id']}  {case['title']}" in capsys.readouterr().out  # no markup, no escaping


# --- a crash between and inside the steps ---------------------------------------------------------


def example_lines(shuffle: int | None = None) -> list[RawLine]:
    with (EXAMPLE / "alerts.jsonl").open("rb") as handle:
        lines = list(read_lines(handle, str(EXAMPLE / "alerts.jsonl")))
    if shuffle is not None:
        random.Random(shuffle).shuffle(lines)
    return lines


def ingest_lines(lines: list[RawLine], batch_size: int = 2000) -> dict[str, Any]:
    with read_session() as session:
        reference = intake_reference(session)
    summary = Summary()
    for batch in batched(lines, batch_size):
        with unit_of_work() as session:
            stored = store_alerts(session, OPERATOR, batch, reference)
        with unit_of_work() as session:
            summary.add(stored, open_or_merge(session, OPERATOR, reference))
    return summary.to_dict()


@pytest.fixture
def balkans(database: Engine) -> Engine:
    assert all(r["loaded"] for r in load_files(EXAMPLE))
    return database


def test_the_example_gives_the_expected_queue_and_a_second_ingest_nothing(balkans: Engine) -> None:
    summary = ingest_lines(example_lines())
    assert {k: v for k, v in summary.items() if k not in ("case_ids", "rejections")} == {
        "received": 360,
        "accepted": 334,
        "rejected": 12,
        "duplicates": 14,
        "cases_opened": 111,
        "alerts_merged": 0,
        "watch": 155,
    }
    assert [r["line"] for r in summary["rejections"]] == [
        12,
        29,
        67,
        96,
        126,
        150,
        185,
        213,
        236,
        262,
        305,
        318,
    ]
    with balkans.connect() as connection:
        priorities = dict(
            connection.execute(text("SELECT priority, count(*) FROM cases GROUP BY priority")).all()
        )
    assert priorities == {"p1": 49, "p2": 22, "p3": 40}
    assert count(balkans, "case_alerts") == 179
    again = ingest_lines(example_lines())
    assert (again["duplicates"], again["rejected"], again["cases_opened"]) == (348, 12, 0)
    assert count(balkans, "quarantine") == 12


def test_a_crash_between_the_steps_is_completed_by_the_rerun(balkans: Engine) -> None:
    lines = example_lines()
    with read_session() as session:
        reference = intake_reference(session)
    with unit_of_work() as session:
        store_alerts(session, OPERATOR, lines[:200], reference)
    # the process dies here: 200 lines stored as pending, not correlated
    assert count(balkans, "cases") == 0
    rerun = ingest_lines(lines)
    assert rerun["duplicates"] >= 190 and rerun["cases_opened"] == 111
    assert count(balkans, "alerts", "WHERE state = 'pending'") == 0
    assert count(balkans, "case_alerts") == 179


def test_a_failure_inside_open_or_merge_leaves_no_half_made_case(
    balkans: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.intake import merge as service

    lines = example_lines()
    with read_session() as session:
        reference = intake_reference(session)
    with unit_of_work() as session:
        store_alerts(session, OPERATOR, lines, reference)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service._CaseWriter, "flush", broken)  # after the alerts were grouped
    with pytest.raises(RuntimeError), unit_of_work() as session:
        open_or_merge(session, OPERATOR, reference)
    assert (
        count(balkans, "cases") == count(balkans, "case_alerts") == count(balkans, "subjects") == 0
    )
    assert count(balkans, "alerts", "WHERE state = 'pending'") == 334
    monkeypatch.undo()
    with unit_of_work() as session:
        outcome = open_or_merge(session, OPERATOR, reference)
    assert len(outcome.cases_opened) == 111 and count(balkans, "case_alerts") == 179


def test_the_same_alerts_in_another_order_give_the_same_cases(balkans: Engine) -> None:
    ingest_lines(example_lines())
    expected = cases_by_alerts(balkans)
    with balkans.begin() as connection:
        for table in (
            "case_links",
            "case_alerts",
            "case_jurisdictions",
            "case_corridors",
            "subjects",
            "cases",
            "alert_identifiers",
            "alerts",
            "quarantine",
        ):
            connection.execute(text(f"DELETE FROM {table}"))
    ingest_lines(example_lines(shuffle=7), batch_size=50)
    assert cases_by_alerts(balkans) == expected


# --- lifecycle ------------------------------------------------------------------------------------


def test_transitions_follow_the_chain_and_closing_needs_an_outcome(mini: Engine) -> None:
    _, outcome = ingest_alerts(make_alert(indicators=["concealment"]))
    case_id = outcome.cases_opened[0]
    with unit_of_work() as session:
        transition_case(session, OPERATOR, case_id=case_id, status=CaseStatus.TRIAGE)
    for status, outcome_, message in [
        (CaseStatus.NEW, CaseOutcome.SEIZED, "an outcome is for closing"),
        (CaseStatus.CLOSED, None, f"closing {case_id} needs an outcome"),
    ]:
        with pytest.raises(Invalid, match=message), unit_of_work() as session:
            transition_case(session, OPERATOR, case_id=case_id, status=status, outcome=outcome_)
    with unit_of_work() as session:
        transition_case(
            session,
            OPERATOR,
            case_id=case_id,
            status=CaseStatus.CLOSED,
            outcome=CaseOutcome.FALSE_POSITIVE,
        )
    with (
        pytest.raises(IllegalTransition, match="cannot go from closed to referred"),
        unit_of_work() as session,
    ):
        transition_case(session, OPERATOR, case_id=case_id, status=CaseStatus.REFERRED)
    case = show(case_id)
    assert (case["status"], case["outcome"]) == ("closed", "false_positive")
    assert [e["action"] for e in case["timeline"]] == ["case.opened", *["case.transitioned"] * 2]


def test_split_undoes_a_wrong_merge(mini: Engine) -> None:
    vessel = {"type": "vessel", "imo": "9387425"}
    first = make_alert(indicators=["concealment"], subjects=[vessel])
    wrong = make_alert(
        source="SI-customs",
        jurisdiction="SI",
        corridor="HR-SI-BREGANA",
        indicators=["undeclared_arms"],
        subjects=[vessel, {"type": "person", "nationality": "SI", "document": "PX1"}],
    )
    _, a = ingest_alerts(first)
    ingest_alerts(wrong)
    case_id = a.cases_opened[0]
    assert show(case_id)["score"] == 0.96
    label = f"{wrong['source']}:{wrong['source_ref']}"
    with published_events() as events, unit_of_work() as session:
        new_id = split_case(session, OPERATOR, case_id=case_id, alerts=[label]).new_case
    assert events == [CaseOpened(new_id)]
    old, new = show(case_id), show(new_id)
    assert (old["alert_count"], old["score"], old["jurisdictions"]) == (1, 0.6, ["HR", "RS"])
    assert [s["key"] for s in old["subjects"]] == ["vessel:9387425"]
    assert (new["alert_count"], new["score"], new["jurisdictions"]) == (1, 0.9, ["HR", "SI"])
    assert [r["id"] for r in old["related"]] == [new_id]
    with pytest.raises(Invalid, match="leave"), unit_of_work() as session:
        split_case(session, OPERATOR, case_id=new_id, alerts=[label])


# --- quarantine -----------------------------------------------------------------------------------


def test_quarantined_lines_keep_origin_line_text_and_reason(mini: Engine) -> None:
    bad = make_alert(corridor="RS-HU-HORGOS")
    worse = make_alert(jurisdiction="YU")
    ingest_alerts(make_alert(), bad, worse, origin="/data/day1.jsonl")
    with mini.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT origin, line_no, raw_text, reason, status FROM quarantine ORDER BY line_no"
            )
        ).all()
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("/data/day1.jsonl", 2, "open"),
        ("/data/day1.jsonl", 3, "open"),
    ]
    assert rows[0][2] == json.dumps(bad) and rows[0][3].startswith("corridor: unknown corridor")


def test_replay_stores_lines_that_pass_now_and_keeps_the_others(
    mini: Engine, scenario_dir: Path
) -> None:
    bad = make_alert(corridor="HR-SI-OBREZJE", indicators=["concealment"])
    worse = make_alert(jurisdiction="YU")
    ingest_alerts(bad, worse)
    corridors = scenario_dir / "corridors.csv"
    corridors.write_text(
        corridors.read_text()
        + "HR-SI-OBREZJE,Obrezje old road,land,HR|SI,40,,45.8,15.6,test,2026-11-26,I\n"
    )
    assert all(r["loaded"] for r in load_files(scenario_dir))
    with read_session() as session:
        reference = intake_reference(session)
        rows = session.execute(
            text("SELECT id, origin, line_no, raw_text FROM quarantine ORDER BY id")
        ).all()
    lines = [RawLine(origin, line_no, raw) for _, origin, line_no, raw in rows]
    with unit_of_work() as session:
        replayed = {r[2]: r[0] for r in rows}
        stored = store_alerts(session, OPERATOR, lines, reference, quarantine_ids=replayed)
    with unit_of_work() as session:
        outcome = open_or_merge(session, OPERATOR, reference)
    assert (stored.accepted, stored.rejected, len(stored.replayed)) == (1, 1, 1)
    assert len(outcome.cases_opened) == 1
    assert show(outcome.cases_opened[0])["jurisdictions"] == ["HR", "SI"]
    with mini.connect() as connection:
        statuses = connection.execute(
            text("SELECT line_no, status, reason FROM quarantine ORDER BY line_no")
        ).all()
    assert [(s[0], s[1]) for s in statuses] == [(1, "replayed"), (2, "open")]
    assert count(mini, "quarantine") == 2


def test_raw_lines_helper_numbers_from_one() -> None:
    assert [line.line_no for line in raw_lines("a", "b")] == [1, 2]

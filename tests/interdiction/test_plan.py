"""The plan a coordinator sees: SPEC §7 JSON, coverage, unmet risk and KPIs that add up."""

import json

from interdiction.check import check_plan
from interdiction.explain import UnmetPart
from interdiction.proposal import propose_plan
from tests.interdiction.instances import clustered_problem, random_problem

SPEC_KEYS = [
    "plan_id",
    "status",
    "objective",
    "bound",
    "gap",
    "engine",
    "seconds",
    "assignments",
    "coverage",
    "unmet",
    "kpis",
]


def test_plan_json_has_exactly_the_spec_keys():
    plan = propose_plan(clustered_problem(1), time_limit_s=10)
    document = json.loads(json.dumps(plan.to_dict()))
    assert list(document) == SPEC_KEYS
    assert document["plan_id"] is None
    assert document["status"] == "OPTIMAL"
    assert document["engine"] == "highs"
    assert document["objective"] == document["bound"]
    assert document["gap"] == 0
    assert document["assignments"]
    assert all(list(a) == ["team", "corridor", "shift"] for a in document["assignments"])
    assert all(
        list(c) == ["corridor", "shift", "teams", "jurisdictions", "joint", "risk"]
        for c in document["coverage"]
    )
    # SPEC's four keys first; then which part is missing and the evidence for the reason
    assert all(
        list(u) == ["corridor", "shift", "risk", "reason", "part", "evidence"]
        for u in document["unmet"]
    )
    assert plan.with_plan_id("PLAN-7").to_dict()["plan_id"] == "PLAN-7"


def test_coverage_unmet_and_kpis_add_up():
    for seed in range(5):
        p = random_problem(seed, corridors=10, teams=10)
        plan = propose_plan(p, time_limit_s=10)
        report = check_plan(p, plan.assignments)
        assert report.ok
        k = plan.kpis
        assert k["objective"] == plan.objective == report.objective
        assert k["covered_risk"] == report.covered_risk
        assert k["joint_risk"] == report.joint_risk
        # every corridor-shift with risk is jointly inspected, or listed as unmet exactly once
        unmet = {(u.corridor, u.shift) for u in plan.unmet}
        assert len(unmet) == len(plan.unmet)
        joint = {(c.corridor, c.shift) for c in plan.coverage if c.joint}
        assert not unmet & joint
        assert k["total_risk"] == sum(c.risk for c in plan.coverage if c.joint) + sum(
            u.risk for u in plan.unmet
        )
        assert k["uncovered_risk"] == sum(
            u.risk for u in plan.unmet if u.part is UnmetPart.COVERAGE
        )
        assert k["covered_risk"] == k["total_risk"] - k["uncovered_risk"]
        assert k["team_shifts_used"] == len(plan.assignments)
        assert k["team_shifts_used"] <= k["team_shifts_available"]
        assert sum(k["unmet_risk_by_reason"].values()) == sum(u.risk for u in plan.unmet)


def test_every_engine_gives_a_checked_plan():
    p = clustered_problem(4, corridors=12, teams=14)
    objectives = set()
    for engine in ("auto", "highs", "cpsat"):
        plan = propose_plan(p, engine=engine, time_limit_s=10)
        assert check_plan(p, plan.assignments).ok
        assert plan.engine == engine if engine != "auto" else plan.engine.startswith("highs")
        objectives.add(plan.objective)
    assert len(objectives) == 1

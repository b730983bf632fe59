"""Each unmet-risk reason, produced by an instance built to show it."""

from decimal import Decimal

from interdiction.explain import UnmetPart, UnmetReason, explain_unmet
from interdiction.problem import Corridor, PlanningProblem, Team
from interdiction.proposal import propose_plan


def problem(corridors, teams, agreements=(), days=1):
    return PlanningProblem(
        corridors=tuple(corridors),
        teams=tuple(teams),
        agreements=frozenset(agreements),
        days=days,
        shifts_per_day=1,
        shift_risk_factors=(Decimal(1),),
    )


def reasons(p):
    plan = propose_plan(p, time_limit_s=10)
    return {(u.corridor, u.shift, u.part): u for u in plan.unmet}


def test_no_eligible_team_when_no_team_kind_fits():
    p = problem([Corridor("MAIL", "postal", ("A",), 30)], [Team("M", "A", "maritime", 3)])
    unmet = reasons(p)[("MAIL", 0, UnmetPart.COVERAGE)]
    assert unmet.reason is UnmetReason.NO_ELIGIBLE_TEAM
    assert unmet.risk == 30


def test_no_agreement_when_compatible_teams_may_not_go_there():
    p = problem([Corridor("ROAD", "land", ("A", "B"), 40)], [Team("TC", "C", "k9", 3)])
    unmet = reasons(p)[("ROAD", 0, UnmetPart.COVERAGE)]
    assert unmet.reason is UnmetReason.NO_AGREEMENT
    assert "C" in unmet.evidence


def test_supply_limit_when_the_only_team_rests_or_is_used_up():
    # One team allowed one shift out of three: whichever it works, the other two shifts are
    # uncovered because the team rests next to its shift or has used its max_shifts.
    p = problem([Corridor("ROAD", "land", ("A",), 20)], [Team("T", "A", "customs", 1)], days=3)
    uncovered = [u for u in reasons(p).values() if u.part is UnmetPart.COVERAGE]
    assert len(uncovered) == 2
    assert {u.reason for u in uncovered} == {UnmetReason.SUPPLY_LIMIT}
    evidence = " ".join(u.evidence for u in uncovered)
    assert "1 at max_shifts" in evidence
    assert "worth ≈ 20.0" in evidence  # the LP shadow price of one more shift is quoted


def test_outcompeted_when_a_team_with_shifts_to_spare_was_worth_more_elsewhere():
    corridors = [Corridor("HOT", "land", ("A",), 50), Corridor("COLD", "land", ("A",), 10)]
    spare = reasons(problem(corridors, [Team("T", "A", "customs", 2)]))
    assert spare[("COLD", 0, UnmetPart.COVERAGE)].reason is UnmetReason.OUTCOMPETED
    assert "T at HOT" in spare[("COLD", 0, UnmetPart.COVERAGE)].evidence
    assert ("HOT", 0, UnmetPart.COVERAGE) not in spare
    # The same team with a single shift has none to spare: that is a supply limit.
    none_left = reasons(problem(corridors, [Team("T", "A", "customs", 1)]))
    assert none_left[("COLD", 0, UnmetPart.COVERAGE)].reason is UnmetReason.SUPPLY_LIMIT


def test_missed_joint_inspection_is_reported_with_its_reason():
    corridor = Corridor("PORT", "sea", ("A", "B"), 25)
    only_a = problem([corridor], [Team("TA", "A", "customs", 1), Team("TB", "B", "k9", 1)])
    unmet = reasons(only_a)[("PORT", 0, UnmetPart.JOINT)]
    assert unmet.reason is UnmetReason.NO_ELIGIBLE_TEAM  # B has no team that can board ships
    with_c = problem([corridor], [Team("TA", "A", "customs", 1), Team("TC", "C", "maritime", 1)])
    assert reasons(with_c)[("PORT", 0, UnmetPart.JOINT)].reason is UnmetReason.NO_AGREEMENT
    agreed = problem(
        [corridor], [Team("TA", "A", "customs", 1), Team("TC", "C", "maritime", 1)], [("C", "PORT")]
    )
    assert reasons(agreed) == {}


def test_an_idle_eligible_team_in_a_poor_plan_counts_as_outcompeted():
    p = problem([Corridor("ROAD", "land", ("A",), 20)], [Team("T", "A", "customs", 1)])
    (unmet,) = explain_unmet(p, [])
    assert unmet.reason is UnmetReason.OUTCOMPETED
    assert "idle" in unmet.evidence


def test_zero_risk_corridor_shifts_are_not_unmet():
    p = problem([Corridor("QUIET", "land", ("A",), 0)], [])
    assert explain_unmet(p, []) == []

"""The README's "Who may do what" is the table the code checks, not a second copy of it."""

from __future__ import annotations

from pathlib import Path

from cases.kernel.permissions import README_ROWS, RULES, Action, rules_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_shows_the_rules_the_code_checks() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- permissions -->\n", 1)[1].split("\n<!-- /permissions -->", 1)[0]
    assert block == rules_table()


def test_every_rule_is_in_the_readme_table_or_shares_a_row() -> None:
    shared = {  # one README row stands for several actions with the same rule
        Action.CASE_LINK: Action.CASE_TRANSITION,
        Action.CASE_SPLIT: Action.CASE_TRANSITION,
        Action.CASE_NOTE: Action.CASE_TRANSITION,
        Action.CASE_SHARING: Action.CASE_TRANSITION,
        Action.PLAN_APPROVE: Action.PLAN_PROPOSE,
        Action.PLAN_PUBLISH: Action.PLAN_PROPOSE,
        Action.ALERTS_SUBMIT: Action.OPERATE,
    }
    for action in RULES:
        shown = action if action in README_ROWS else shared[action]
        assert RULES[action] == RULES[shown], action

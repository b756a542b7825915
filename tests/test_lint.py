from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import smartgoals
from smartgoals._lint import all_rules
from tests.conftest import AS_OF, EXAMPLE_GOALS

CASES = sorted((Path(__file__).parent / "cases" / "lint").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_lint_rule_case(case, goal_file):
    spec = yaml.safe_load(case.read_text())
    failing = smartgoals.lint(smartgoals.load(goal_file(spec["fail"], "fail.yaml")), as_of=AS_OF)
    found = [f for f in failing if f.code == spec["rule"]]
    assert [(f.span.line, f.span.column, f.message) for f in found] == [
        (spec["line"], spec["column"], spec["message"])
    ]
    passing = smartgoals.lint(smartgoals.load(goal_file(spec["pass"], "pass.yaml")), as_of=AS_OF)
    assert not [f for f in passing if f.code == spec["rule"]]


def test_every_rule_has_a_case_and_examples():
    assert {r.code for r in all_rules()} == {c.stem for c in CASES}
    for rule in all_rules():
        assert "Bad:" in rule.doc, rule.code
        assert "Good:" in rule.doc, rule.code
        assert rule.name.split(".")[0] in (
            "specific",
            "measurable",
            "achievable",
            "relevant",
            "time_bound",
        )


def test_rule_codes_unique():
    codes = [r.code for r in all_rules()]
    assert len(codes) == len(set(codes))


def test_examples_have_no_lint_errors():
    findings = smartgoals.lint(smartgoals.load(EXAMPLE_GOALS), as_of=AS_OF)
    assert not [f for f in findings if f.severity == "error"]


def test_finding_on_a_default_is_given_once_naming_the_goals(goal_file):
    path = goal_file("""\
        defaults: {owner: o@example.com, metric: csat, target: 90%, start: 2026-01-01,
                   deadline: 2026-06-30, objective: Keep customers}
        goals:
          - {id: a, title: CSAT of gold customers at 90%, where: {tier: gold}}
          - {id: b, title: CSAT of silver customers at 90%, where: {tier: silver}}
          - {id: c, title: CSAT of bronze customers at 90%, where: {tier: bronze}, deadline: 2026-05-31}
        """)
    found = [f for f in smartgoals.lint(smartgoals.load(path), as_of=AS_OF) if f.code == "T502"]
    assert [(f.span.line, f.message) for f in found] == [
        (
            2,
            "deadline 2026-06-30 has passed (145 days ago): archive the goal or set a new "
            "deadline (goals a, b)",
        ),
        (
            6,
            "deadline 2026-05-31 has passed (175 days ago): archive the goal or set a new deadline",
        ),
    ]


@pytest.mark.parametrize(
    ("title", "fires"),
    [
        ("Answer chats within two minutes", True),
        ("Answer all requests within two minutes", False),
        ("First response across every channel", False),
        ("Answer overall within two minutes", False),
        ("Answer tall requests quickly", True),  # 'all' inside a word does not count
    ],
)
def test_unsegmented_metric_accepts_a_title_that_says_all(goal_file, title, fires):
    path = goal_file(
        f"goals:\n  - {{id: g, title: {title}, owner: o, metric: first_response_time, "
        "threshold: 90% within 2 minutes, start: 2026-10-01, deadline: 2026-12-31}\n"
    )
    found = [f for f in smartgoals.lint(smartgoals.load(path), as_of=AS_OF) if f.code == "S103"]
    assert bool(found) is fires

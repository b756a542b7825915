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


VAGUE_GOALS = """\
goals:
  - id: a
    title: Reply faster
    owner: o@example.com
    metric: first_response_time
    threshold: 90% within 2 minutes
    deadline: 2026-06-30
  - id: b  # smartgoals: ignore S103 time_bound.deadline_passed
    title: Reply faster
    owner: o@example.com
    metric: first_response_time
    threshold: 90% within 2 minutes
    deadline: 2026-06-30
  # smartgoals: ignore
  - id: c
    title: Reply faster
    owner: o@example.com
    metric: first_response_time
    threshold: 90% within 2 minutes
    deadline: 2026-06-30
"""


def codes_by_goal(findings) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in findings:
        found.setdefault(finding.goal, set()).add(finding.code)
    return found


def test_ignore_comments_silence_rules_on_their_goal_only(goal_file):
    found = codes_by_goal(smartgoals.lint(goal_file(VAGUE_GOALS), as_of=AS_OF))
    assert {"S103", "T502"} <= found["a"]
    assert found["b"] == found["a"] - {"S103", "T502"}
    assert "c" not in found


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["S103"], [], {"S103"}),
        (["s103"], [], {"S103"}),
        (["T5"], [], {"T501", "T502"}),
        (["time_bound.deadline_passed"], [], {"T502"}),
        (["time_bound"], ["T501"], {"T502"}),
        (["measurable.where_on_unknown_label"], [], set()),  # an old name still selects
        ([], ["S", "T", "R", "M", "A"], set()),
    ],
)
def test_select_and_ignore(goal_file, select, ignore, expected):
    findings = smartgoals.lint(goal_file(VAGUE_GOALS), as_of=AS_OF, select=select, ignore=ignore)
    assert {f.code for f in findings if f.goal == "a"} == expected


def test_unknown_rule_selector_is_a_usage_error(goal_file):
    with pytest.raises(smartgoals.UsageError, match="no lint rule 'Z9'"):
        smartgoals.lint(goal_file(VAGUE_GOALS), as_of=AS_OF, select=["Z9"])


def test_lint_cli_select_ignore_and_output(goal_file, tmp_path):
    from click.testing import CliRunner

    from smartgoals.cli import cli

    path = goal_file(VAGUE_GOALS)
    out = tmp_path / "lint.txt"
    args = ["lint", str(path), "--as-of", "2026-11-22", "--select", "T", "--ignore", "T501"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = out.read_text().splitlines()
    assert lines
    assert all(" T502 " in line for line in lines)
    bad = CliRunner().invoke(cli, ["lint", str(path), "--select", "nonsense"])
    assert bad.exit_code == 2
    assert "no lint rule 'nonsense'" in bad.stderr

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

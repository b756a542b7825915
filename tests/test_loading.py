from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import smartgoals
from smartgoals import GoalFileError, GoalKind, Window
from smartgoals._errors import SourceSpan
from tests.conftest import EXAMPLE_GOALS

CASES = sorted((Path(__file__).parent / "cases" / "bad_input").glob("*.yaml"))

DESIGN_EXAMPLE = """\
defaults:
  owner: support-lead@example.com
  timezone: Europe/Berlin
  window: 28d

calendars:
  berlin-office:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-18:00"}
    holidays: {country: DE}
    closed: [2026-12-24, 2026-12-31]

goals:
  - id: chat-first-response
    title: Answer chat requests within two minutes
    owner: alice@example.com
    team: chat
    metric: first_response_time
    where: {channel: chat}
    threshold: 90% within 2 minutes
    kind: maintain
    start: 2026-10-01
    deadline: 2026-12-31
    objective: Cut churn among chat-first customers
    review: FREQ=WEEKLY;BYDAY=MO

  - id: csat-q4
    title: Raise CSAT to 90% satisfied
    metric: csat
    target: ">= 90%"
    baseline: 82%
    start: 2026-10-01
    deadline: 2026-12-31
    window: month
    milestones:
      - {by: 2026-10-31, target: 85%}
      - {by: 2026-11-30, target: 88%}
    objective: Retain existing customers

  - id: gold-nps
    title: Gold customers recommend us
    metric: nps
    where: {tier: gold}
    target: ">= 45"
    deadline: 2027-06-30
    window: quarter
    objective: Grow expansion revenue from gold accounts
"""


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_input_messages(case, tmp_path):
    spec = yaml.safe_load(case.read_text())
    for name, text in spec["files"].items():
        (tmp_path / name).write_text(text)
    with pytest.raises(GoalFileError) as info:
        smartgoals.load(tmp_path)
    messages = [str(p).replace(f"{tmp_path}/", "") for p in info.value.problems]
    assert messages == spec["errors"]


def test_load_design_example_unchanged(goal_file):
    goals = smartgoals.load(goal_file(DESIGN_EXAMPLE))
    chat, csat, nps = goals
    assert chat.threshold is not None
    assert chat.threshold.share == 0.9
    assert chat.threshold.limit.value == 120
    assert chat.kind is GoalKind.MAINTAIN
    assert chat.window == Window("rolling", 28)
    assert chat.timezone == "Europe/Berlin"
    assert csat.target is not None
    assert (csat.target.comparison, csat.target.value) == (">=", 0.9)
    assert csat.baseline == 0.82
    assert csat.owner == "support-lead@example.com"
    assert [m.by.isoformat() for m in csat.milestones] == ["2026-10-31", "2026-11-30"]
    assert nps.target is not None
    assert nps.target.value == 45
    assert nps.where == {"tier": "gold"}
    assert set(goals.calendars) == {"berlin-office"}


def test_load_keeps_positions_of_defaults(goal_file):
    path = goal_file(DESIGN_EXAMPLE)
    goals = smartgoals.load(path)
    csat = goals.get("csat-q4")
    assert csat.span == SourceSpan(str(path), 27, 5)
    assert csat.field_span("owner") == SourceSpan(str(path), 2, 10)
    assert csat.field_span("metric") == SourceSpan(str(path), 29, 13)


def test_load_examples_folder_sorted_recursive():
    goals = smartgoals.load(EXAMPLE_GOALS)
    assert [Path(f).name for f in goals.files] == [
        "operations.yaml",
        "satisfaction.yaml",
        "service.yaml",
    ]
    assert len(goals) == 14


def test_load_empty_folder_is_an_error(tmp_path):
    with pytest.raises(GoalFileError, match="no goal files"):
        smartgoals.load(tmp_path)


def test_select_keeps_children():
    goals = smartgoals.load(EXAMPLE_GOALS)
    selected = goals.select(ids=("chat-team-csat",))
    assert [g.id for g in selected] == ["chat-team-csat", "chat-csat-alice", "chat-csat-carol"]
    assert {g.id for g in goals.select(tags=("phone",))} == {"phone-abandonment", "phone-wait-2027"}
    # a template owned by its label is kept: one of its children may be dave's
    assert [g.id for g in goals.select(owners=("dave@example.com",))] == [
        "chat-agent-first-response",
        "email-resolution",
    ]


def test_custom_metrics_declared_and_used(goal_file):
    path = goal_file("""\
        metrics:
          refund_rate:
            ratio: {numerator: refunds, denominator: orders}
            unit: share
            better: lower
        goals:
          - id: refunds
            title: Keep refunds under 2% of orders
            owner: finance@example.com
            metric: refund_rate
            target: 2%
            deadline: 2026-12-31
        """)
    goals = smartgoals.load(path)
    goal = goals.get("refunds")
    assert goal.target is not None
    assert (goal.target.comparison, goal.target.value) == ("<=", 0.02)
    assert goals.metrics["refund_rate"].inputs == ("refunds", "orders")


def test_custom_metric_cannot_shadow_builtin(goal_file):
    path = goal_file(
        "metrics:\n  csat: {series: x, aggregation: mean, better: higher}\ngoals: []\n"
    )
    with pytest.raises(GoalFileError, match="built in"):
        smartgoals.load(path)


def test_calendar_hours_parsed(goal_file):
    path = goal_file("""\
        calendars:
          office:
            timezone: Europe/Berlin
            hours: {mon-fri: "09:00-18:00", sat: "10:00-14:00"}
            holidays: {country: NO}
        goals: []
        """)
    calendar = smartgoals.load(path).calendars["office"]
    assert sorted(calendar.hours) == [0, 1, 2, 3, 4, 5]
    assert calendar.holidays is not None
    assert calendar.holidays.country == "NO"

"""Roll-up and for_each: parents report on their children; children are cut from the parent's cells."""

from __future__ import annotations

import json
from datetime import date

import pytest

import smartgoals
from smartgoals import Status
from tests.test_verdict import answers, daily, frame


def two_agents():
    """Four weeks of CSAT of team t: agent a scores 9 of 10 satisfied a day, agent b 8 of 10."""
    rows = [
        {**r, "agent": "a", "team": "t"}
        for r in daily(date(2026, 10, 25), date(2026, 11, 22), 9, 1)
    ]
    rows += [
        {**r, "agent": "b", "team": "t"}
        for r in daily(date(2026, 10, 25), date(2026, 11, 22), 8, 2)
    ]
    return frame(rows)


def test_roll_up_worst_child_and_weighted_progress(goal_file):
    path = goal_file("""\
        defaults: {owner: lead@example.com, metric: csat, target: ">= 90%", baseline: 80%,
                   start: 2026-10-01, deadline: 2026-12-31, timezone: Europe/Berlin}
        goals:
          - {id: team, title: Team CSAT, where: {team: nobody}}
          - {id: a, title: A, parent: team, where: {agent: a}, weight: 3}
          - {id: b, title: B, parent: team, where: {agent: b}, kind: maintain}
        """)
    report = smartgoals.evaluate(path, two_agents(), as_of=date(2026, 11, 22))
    team, a, b = report.goals
    assert (a.status, b.status) == (Status.ACHIEVED, Status.BREACHED)
    assert team.status is Status.BREACHED
    assert team.progress == pytest.approx((3 * 1.0 + 1 * 0.0) / 4)
    assert team.share_on_track == pytest.approx(3 / 4)


def test_a_parent_of_parents_rolls_up_after_them(goal_file):
    # NOTE: the org goal reads the team goal as rolled up, and a team's for_each children under it
    path = goal_file("""\
        defaults: {owner: lead@example.com, metric: csat, target: ">= 90%", baseline: 80%,
                   start: 2026-10-01, deadline: 2026-12-31, timezone: Europe/Berlin}
        goals:
          - {id: org, title: Org CSAT, where: {team: nobody}}
          - {id: team, title: Team CSAT, parent: org, where: {team: nobody}}
          - {id: agents, title: Agents, parent: team, for_each: agent, where: {team: t}}
        """)
    report = smartgoals.evaluate(path, two_agents(), as_of=date(2026, 11, 22))
    org, team, agents = (report.get(i) for i in ("org", "team", "agents"))
    assert (org.children, team.children) == (("team",), ("agents",))
    assert team.status is agents.status is org.status
    assert org.progress == team.progress == agents.progress


def test_for_each_expands_per_agent_and_rolls_up(goal_file):
    path = goal_file("""\
        goals:
          - id: agent-csat
            title: Each chat agent keeps CSAT at 85%
            owner: agent
            metric: csat
            where: {team: chat}
            for_each: agent
            target: 85%
            kind: maintain
            min_events: 10
            timezone: Europe/Berlin
            deadline: 2026-12-31
        """)
    agents = {"ann@example.com": 9, "Bo Li": 8, "cy": 10}
    rows = [
        {**r, "team": "chat", "agent": agent}
        for agent, good in agents.items()
        for r in daily(date(2026, 11, 16), date(2026, 11, 22), good, 10 - good)
    ]
    rows += [{**r, "team": "email", "agent": "dee"} for r in answers(date(2026, 11, 20), 5, 5)]
    report = smartgoals.evaluate(path, frame(rows), as_of=date(2026, 11, 22))
    ids = [g.id for g in report.goals]
    assert ids == ["agent-csat", "agent-csat/ann@example.com", "agent-csat/bo-li", "agent-csat/cy"]
    team, ann, bo, cy = report.goals
    assert (ann.status, bo.status, cy.status) == (Status.ON_TRACK, Status.BREACHED, Status.ON_TRACK)
    assert (ann.owner, ann.parent) == ("ann@example.com", "agent-csat")
    assert team.value == pytest.approx(27 * 7 / 210)
    assert team.children == ("agent-csat/ann@example.com", "agent-csat/bo-li", "agent-csat/cy")
    assert team.share_on_track == pytest.approx(2 / 3)


def test_for_each_scales_to_500_agents(goal_file):
    path = goal_file("""\
        goals:
          - id: agent-csat
            title: Each agent keeps CSAT at 80%
            owner: lead@example.com
            metric: csat
            for_each: agent
            target: 80%
            kind: maintain
            min_events: 5
            timezone: Europe/Berlin
            deadline: 2026-12-31
        """)
    rows = [
        {**r, "agent": f"agent{n:03}@example.com"}
        for n in range(500)
        for r in answers(date(2026, 11, 20), 3 + n % 4, 1)
    ]
    report = smartgoals.evaluate(path, frame(rows), as_of=date(2026, 11, 22))
    assert len(report.goals) == 501
    team = report.get("agent-csat")
    assert len(team.children) == 500
    assert team.events == len(rows)
    assert team.share_on_track == pytest.approx(375 / 500)


AGENTS_GOAL = """\
goals:
  - id: agent-csat
    title: Each chat agent keeps CSAT at 85%
    owner: {owner}
    metric: csat
    for_each: agent
    target: 85%
    kind: maintain
    min_events: 10
    timezone: Europe/Berlin
    deadline: 2026-12-31
"""


def agent_rows() -> list[dict]:
    return [
        {**r, "agent": agent}
        for agent, good in {"ann": 9, "bo": 8}.items()
        for r in daily(date(2026, 11, 16), date(2026, 11, 22), good, 10 - good)
    ]


@pytest.mark.parametrize(
    ("owner", "owners"),
    [("lead@example.com", ["lead@example.com"] * 3), ("agent", ["each agent", "ann", "bo"])],
    ids=["parent-owner-kept", "label-as-owner"],
)
def test_for_each_children_owner_and_segment(goal_file, owner, owners):
    path = goal_file(AGENTS_GOAL.format(owner=owner))
    report = smartgoals.evaluate(path, frame(agent_rows()), as_of=date(2026, 11, 22))
    assert [g.owner for g in report.goals] == owners
    assert [g.segment for g in report.goals] == [None, {"agent": "ann"}, {"agent": "bo"}]
    assert report.to_dict()["goals"][1]["segment"] == {"agent": "ann"}


def test_for_each_children_are_selectable(goal_file, tmp_path):
    from click.testing import CliRunner

    from smartgoals.cli import cli

    path = goal_file(AGENTS_GOAL.format(owner="agent"))
    data = tmp_path / "csat.csv"
    frame(agent_rows()).to_csv(data, index=False)
    common = ["check", str(path), "--data", str(data), "--as-of", "2026-11-22", "--format", "json"]
    for extra, ids in [
        (["--goal", "agent-csat/bo"], ["agent-csat/bo"]),
        (["--owner", "ann"], ["agent-csat/ann"]),
        (["--goal", "agent-csat"], ["agent-csat", "agent-csat/ann", "agent-csat/bo"]),
    ]:
        result = CliRunner().invoke(cli, [*common, *extra])
        assert result.exit_code in (0, 1), result.stderr
        assert [g["id"] for g in json.loads(result.stdout)["goals"]] == ids
    missing = CliRunner().invoke(cli, [*common, "--goal", "agent-csat/cy"])
    assert missing.exit_code == 2
    assert "no goal with id 'agent-csat/cy'" in missing.stderr

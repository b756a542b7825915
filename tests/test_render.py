"""Every report format on the bundled example: golden files, schemas, positions, self-containment."""

from __future__ import annotations

import json
import math
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import smartgoals
from smartgoals import Status
from smartgoals._render import FORMATS, RenderOptions, render, render_bytes
from smartgoals._status import DEFAULT_FAIL_ON
from tests.conftest import AS_OF, EXAMPLE_DATA, EXAMPLE_GOALS, ROOT

GOLDEN = Path(__file__).parent / "golden"
JUNIT_XSD = ROOT.parent / "shared" / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def report() -> smartgoals.Report:
    relative = EXAMPLE_GOALS.relative_to(ROOT)
    old = Path.cwd()
    os.chdir(ROOT)  # NOTE: goal files named relative to the repository, as the CLI would show them
    try:
        return smartgoals.evaluate(
            str(relative), [str(p.relative_to(ROOT)) for p in EXAMPLE_DATA], as_of=AS_OF
        )
    finally:
        os.chdir(old)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SMARTGOALS_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; set SMARTGOALS_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize("fmt", ["markdown", "junit"])
def test_golden_files(report, fmt):
    check_golden(f"report.{'md' if fmt == 'markdown' else 'junit.xml'}", render(report, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_bytes_for_a_file_are_the_text_in_utf8(report, fmt):
    options = RenderOptions(color=False)
    assert render_bytes(report, fmt, options) == render(report, fmt, options).encode()


def test_every_format_names_every_goal(report):
    for fmt in ("table", "json", "markdown", "junit", "html"):
        text = render(report, fmt)
        for goal in report.goals:
            assert goal.id in text, (fmt, goal.id)


def test_json_validates_against_published_schema(report):
    import jsonschema

    jsonschema.validate(json.loads(render(report, "json")), smartgoals.report_schema())


def test_junit_validates_against_xsd(report):
    if not JUNIT_XSD.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no JUnit schema at {JUNIT_XSD}: CI checks out shared/ beside the project")
        pytest.skip(f"no JUnit schema at {JUNIT_XSD}")
    import xmlschema

    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    for policy in (DEFAULT_FAIL_ON, frozenset({Status.AT_RISK})):
        schema.validate(render(report, "junit", RenderOptions(fail_on=policy)))


def test_junit_failures_follow_policy(report):
    import xml.etree.ElementTree as ET

    for policy in (DEFAULT_FAIL_ON, frozenset({Status.AT_RISK, Status.MISSED})):
        root = ET.fromstring(render(report, "junit", RenderOptions(fail_on=policy)))
        failed = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
        skipped = {c.get("name") for c in root.iter("testcase") if c.find("skipped") is not None}
        assert failed == {g.id for g in report.failing(policy)}
        assert skipped == {g.id for g in report.goals if g.status is Status.NOT_STARTED}
        assert int(root.get("failures", "")) == len(failed)
        assert {s.get("name") for s in root.iter("testsuite")} == {g.file for g in report.goals}
        for case in root.iter("testcase"):
            assert set(case.attrib) == {"name", "classname", "time"}


def test_github_annotations_point_at_goal_lines(report):
    goals = smartgoals.load(EXAMPLE_GOALS)
    lines = render(report, "github").splitlines()
    expected = {g.id for g in report.failing()} | {
        g.id for g in report.goals if g.status is Status.AT_RISK
    }
    assert len(lines) == len(expected)
    for line in lines:
        match = re.fullmatch(
            r"::(error|warning) file=([^,]+),line=(\d+),title=(\S+) [^:]+::(.+)", line
        )
        assert match, line
        level, file, number, goal_id, _ = match.groups()
        goal = goals.get(goal_id.split("/")[0])  # a for_each child points at its template
        assert goal.span is not None
        assert (Path(file).name, int(number)) == (Path(goal.span.file).name, goal.span.line)
        assert level == ("warning" if goal_id == "csat-q4" else "error")


def test_github_escapes_messages():
    from smartgoals._render.github_format import annotation

    assert (
        annotation("error", "a,b:c.yaml", 3, "t", "50% done\nnext")
        == "::error file=a%2Cb%3Ac.yaml,line=3,title=t::50%25 done%0Anext\n"
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(report):
    page = render(report, "html")
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert not (
            tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src")
        )
        assert not (tag == "link" and attrs.get("href"))
    assert "url(" not in page
    assert "@import" not in page
    articles = [str(attrs["data-goal"]) for tag, attrs in parser.tags if tag == "article"]
    assert sorted(articles) == sorted(g.id for g in report.goals)
    drawn = page.count('<svg class="chart"') + page.count('<p class="nochart">')
    assert drawn == len(report.goals)
    assert page.count('<p class="nochart">') == sum(not (g.weekly or g.daily) for g in report.goals)


def test_html_leaderboard_ranks_owners(report):
    from smartgoals._render.html_format import leaderboard

    standings = leaderboard(report.goals)
    assert {s.owner for s in standings} == {g.owner for g in report.goals if not g.children}
    keys = [(s.attainment, s.score) for s in standings]
    assert keys == sorted(
        keys, key=lambda k: (k[0] if k[0] is not None else -1, k[1] or -1), reverse=True
    )
    # an owner whose goals are all on track ranks first, whatever their progress
    assert standings[0].attainment == 1.0


def test_html_agent_ranking(report):
    from smartgoals._render.html_format import against_target

    page = render(report, "html")
    children = [g for g in report.goals if g.parent == "chat-agent-first-response"]
    ranked = sorted(children, key=lambda g: -(against_target(g) or 0))
    board = page[page.index("<h2>Within teams</h2>") : page.index("<h2>Team chat</h2>")]
    positions = [board.index(f'href="#goal-{g.id}"') for g in ranked]
    assert positions == sorted(positions)


def test_html_does_not_rank_low_volume_agents(goal_file, ticket_events):
    path = goal_file(
        "goals:\n  - {id: agents, owner: agent, metric: csat, for_each: agent, target: 80%,"
        " kind: maintain, deadline: 2026-12-31, min_events: 200}\n"
    )
    report = smartgoals.evaluate(path, ticket_events, as_of=AS_OF)
    page = render(report, "html")
    assert "Not ranked (fewer than 200 events)" in page


def test_markdown_stays_readable_at_200_goals(goal_file, ticket_events):
    lines = [
        "defaults: {owner: lead@example.com, metric: csat, target: 50%, kind: maintain,",
        "           deadline: 2026-12-31, timezone: Europe/Berlin}",
        "goals:",
    ]
    lines += [f"  - {{id: g{i:03}, title: Goal {i}, team: team-{i % 4}}}" for i in range(200)]
    report = smartgoals.evaluate(goal_file("\n".join(lines) + "\n"), ticket_events, as_of=AS_OF)
    text = render(report, "markdown")
    assert text.count("<details>") == 4
    assert len(text.splitlines()) < 300
    assert all(f"`g{i:03}`" in text for i in range(200))


def test_markdown_and_table_name_unmatched_filters(goal_file, ticket_events):
    path = goal_file(
        "goals:\n  - {id: web, owner: o, metric: first_response_time, where: {channel: Chat},"
        " threshold: 90% within 2 minutes, deadline: 2026-12-31}\n"
    )
    report = smartgoals.evaluate(path, ticket_events, as_of=AS_OF)
    for fmt in ("markdown", "table"):
        text = render(report, fmt)
        assert "no row has channel 'Chat'" in text, fmt
        assert "did you mean 'chat'" in text, fmt
        assert f"{len(ticket_events):,} rows read" in text, fmt


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "junit", "github", "html"])
def test_saved_json_renders_like_the_run(report, fmt):
    saved = json.loads(render(report, "json"))
    again = smartgoals.Report.from_dict(saved)
    assert render(again, fmt) == render(report, fmt)


def test_render_command_and_bad_reports(report, tmp_path):
    from click.testing import CliRunner

    from smartgoals.cli import cli

    saved = tmp_path / "report.json"
    saved.write_text(render(report, "json"), encoding="utf-8")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["render", str(saved), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == render(report, "html")
    for text, fragment in [
        ("[]", "expected an object"),
        ("{", "not JSON"),
        ('{"goals": []}', "not a smartgoals JSON report"),
    ]:
        saved.write_text(text)
        result = CliRunner().invoke(cli, ["render", str(saved)])
        assert result.exit_code == 2
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr


def with_status(goal, status, value, **fields):
    import dataclasses

    return dataclasses.replace(goal, status=status, value=value, **fields)


def test_changes_between_reports_by_kind(report):
    from smartgoals._results import changes_between

    base = report.get("csat-q4")
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    before = [
        with_status(base, Status.ON_TRACK, 0.86, id="a", met=False),
        with_status(base, Status.BREACHED, 0.80, id="b", met=False),
        with_status(base, Status.ON_TRACK, 0.88, id="c", met=False),
        with_status(base, Status.ON_TRACK, 0.880, id="d", met=False),
        with_status(base, Status.ON_TRACK, 0.88, id="e", met=False),
        with_status(base, Status.AT_RISK, 0.85, id="g", met=False),
    ]
    after = [
        with_status(base, Status.BREACHED, 0.84, id="a", met=False),  # newly failing
        with_status(base, Status.ON_TRACK, 0.86, id="b", met=False),  # recovered
        with_status(base, Status.ON_TRACK, 0.895, id="c", met=False),  # moved 1.5 points
        with_status(base, Status.ON_TRACK, 0.885, id="d", met=False),  # moved 0.5 points: quiet
        with_status(base, Status.ACHIEVED, 0.91, id="e", met=True),  # achieved
        with_status(base, Status.ON_TRACK, 0.88, id="f", met=False),  # added
        with_status(base, Status.ACHIEVED, 0.92, id="g", met=True),  # out of trouble, achieved
    ]
    import dataclasses

    old = dataclasses.replace(report, goals=tuple(before))
    new = dataclasses.replace(report, goals=tuple(after))
    kinds = {c.goal: c.kind for c in changes_between(old, new)}
    assert kinds == {
        "a": "failing",
        "b": "recovered",
        "c": "moved",
        "e": "achieved",
        "f": "added",
        "g": "achieved",
    }
    gone = {c.goal: c.kind for c in changes_between(new, old)}
    assert gone["f"] == "retired"
    assert ids  # every id above is used


def test_compare_in_every_format(tmp_path):
    from click.testing import CliRunner

    from smartgoals.cli import cli

    data = [a for p in EXAMPLE_DATA for a in ("--data", str(p))]
    previous = tmp_path / "previous.json"
    runner = CliRunner()
    runner.invoke(
        cli,
        [
            "check",
            str(EXAMPLE_GOALS),
            *data,
            "--as-of",
            "2026-11-08",
            "-o",
            str(previous),
            "--format",
            "json",
        ],
    )
    args = ["check", str(EXAMPLE_GOALS), *data, "--as-of", "2026-11-22", "--compare", str(previous)]
    document = json.loads(runner.invoke(cli, [*args, "--format", "json"]).stdout)
    import jsonschema

    jsonschema.validate(document, smartgoals.report_schema())
    changes = {c["goal"]: c for c in document["changes"]["goals"]}
    assert document["changes"]["since"] == "2026-11-08"
    assert changes["csat-q4"]["kind"] == "at_risk"
    assert changes["chat-team-csat"]["kind"] == "recovered"
    for fmt in ("table", "markdown", "junit", "github", "html"):
        text = runner.invoke(cli, [*args, "--format", fmt]).stdout
        assert "Since 2026-11-08" in text, fmt
        assert "csat-q4 newly at risk" in text, fmt
        saved = smartgoals.Report.from_dict(document)
        assert render(saved, fmt) == text, fmt


@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-6, 1e6, allow_nan=False),
)
def test_nice_ticks_are_round_and_cover_the_range(low, span):
    from smartgoals._render.chart import nice_ticks

    ticks = nice_ticks(low, low + span)
    assert 1 <= len(ticks) <= 11
    assert all(low - 1e-9 * span <= t <= low + span * (1 + 1e-9) for t in ticks)
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step))
        # NOTE: a step far below the values' magnitude carries their rounding error
        tolerance = 1e-9 + 1e-14 * max(abs(t) for t in ticks) / step
        assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < tolerance


def test_chart_value_labels_keep_apart(report):
    from smartgoals._render.chart import MIN_GAP, _Frame, value_ticks

    for goal in report.goals:
        frame = _Frame(goal.deadline, goal.deadline, goal.target * 0.99, goal.target * 1.01 + 1e-9)
        ys = sorted(frame.y(v) for v in value_ticks(frame, goal))
        assert all(b - a >= MIN_GAP for a, b in zip(ys, ys[1:], strict=False)), goal.id
        assert goal.target in value_ticks(frame, goal)

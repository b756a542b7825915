"""``--format junit``: JUnit XML that GitLab, Jenkins, Azure and GitHub test reporters accept.

One ``<testsuite>`` per goal file, one ``<testcase name=GOAL_ID classname=FILE_STEM>`` per goal.
A goal is a failure exactly when it fails the ``--fail-on`` policy, skipped when not started, and
passes otherwise. Test cases carry no ``file`` or ``line`` attributes (the JUnit schema refuses
them): the position is in the failure text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from pathlib import Path

from smartgoals._render import RenderOptions
from smartgoals._render.text import change_line, changes_title, show
from smartgoals._results import GoalResult, Report
from smartgoals._status import Status


def _case(goal: GoalResult, options: RenderOptions, change: str | None) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", name=goal.id, classname=Path(goal.file or "goals").stem, time="0")
    message = "; ".join([*goal.reasons, *([change] if change else [])])
    if goal.status is Status.NOT_STARTED:
        ET.SubElement(case, "skipped", message=message)
        return case, "skipped"
    if goal.status in options.fail_on:
        failure = ET.SubElement(case, "failure", type=goal.status.value, message=message)
        failure.text = "\n".join(
            [
                f"{goal.file}:{goal.line}: {goal.id} is {goal.status.value}",
                f"value {show(goal, goal.value)}, target {goal.comparison} {show(goal, goal.target)}, "
                f"{goal.events:,} events, window {goal.window_start.date()} to {goal.window_end.date()}",
                *goal.reasons,
                *([change] if change else []),
            ]
        )
        return case, "failure"
    out = ET.SubElement(case, "system-out")
    out.text = f"{goal.status.value}: {message}"
    return case, "pass"


def render(report: Report, options: RenderOptions) -> str:
    """The report as a JUnit XML document."""
    root = ET.Element("testsuites", name="smartgoals", time="0")
    changes = {
        c.goal: f"{changes_title(report).split(':')[0]}: {change_line(c)}" for c in report.changes
    }
    totals = {"tests": 0, "failure": 0}
    by_file = sorted(report.goals, key=lambda g: g.file or "")
    for file, goals in groupby(by_file, key=lambda g: g.file or "goals"):
        suite = ET.SubElement(
            root, "testsuite", name=file, time="0", timestamp=report.as_of.isoformat()
        )
        counts = {"failure": 0, "skipped": 0}
        for goal in goals:
            case, outcome = _case(goal, options, changes.get(goal.id))
            suite.append(case)
            counts[outcome] = counts.get(outcome, 0) + 1
        tests = len(suite)
        suite.set("tests", str(tests))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        totals["tests"] += tests
        totals["failure"] += counts["failure"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failure"]))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

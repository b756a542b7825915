"""``--format github``: GitHub Actions workflow commands that annotate goals in their YAML files.

``::error`` for each goal that fails the ``--fail-on`` policy, ``::warning`` for at-risk goals
outside it; every annotation names the goal's file and line. Goals without a position (built in
Python) get no annotation.
"""

from __future__ import annotations

from smartgoals._render import RenderOptions
from smartgoals._render.text import change_line, changes_title
from smartgoals._results import GoalResult, Report
from smartgoals._status import Status


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, file: str, line: int, title: str, message: str) -> str:
    """One workflow command: ``::level file=..,line=..,title=..::message``."""
    return (
        f"::{level} file={escape_property(file)},line={line},"
        f"title={escape_property(title)}::{escape_data(message)}\n"
    )


def _level(goal: GoalResult, options: RenderOptions) -> str | None:
    if goal.status in options.fail_on:
        return "error"
    return "warning" if goal.status is Status.AT_RISK else None


def render(report: Report, options: RenderOptions) -> str:
    """The failing and at-risk goals as workflow commands."""
    lines = []
    for goal in report.goals:
        level = _level(goal, options)
        if level is None or goal.file is None or goal.line is None:
            continue
        title = f"{goal.id} {goal.status.value.replace('_', ' ')}"
        lines.append(annotation(level, goal.file, goal.line, title, "; ".join(goal.reasons)))
    if report.compared_with is not None:
        summary = "\n".join([changes_title(report), *(change_line(c) for c in report.changes)])
        lines.append(f"::notice title=smartgoals changes::{escape_data(summary)}\n")
    return "".join(lines)

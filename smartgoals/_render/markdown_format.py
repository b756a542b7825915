"""``--format markdown``: for a job summary or a pull-request comment.

A summary line, then "needs attention" (breached, missed, at risk and no-data goals with their
reasons), then one table per team. Goals that need nothing are folded into ``<details>`` once a
team has more than `FOLD_AFTER` of them, so the page stays readable at hundreds of goals.
"""

from __future__ import annotations

from itertools import groupby

from smartgoals._render import RenderOptions
from smartgoals._render.text import (
    ATTENTION,
    change_line,
    changes_title,
    rows_line,
    show,
    standing,
    summary_line,
)
from smartgoals._results import GoalResult, Report
from smartgoals._status import count_statuses

FOLD_AFTER = 8
HEADER = (
    "| status | goal | owner | value / target | progress / held | deadline | forecast |\n"
    "|---|---|---|---|---|---|---|"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(goal: GoalResult) -> str:
    title = f" — {_cell(goal.title)}" if goal.title else ""
    return (
        f"| {goal.status.look.icon} {goal.status.value} | `{goal.id}`{title} | {_cell(goal.owner)} "
        f"| {show(goal, goal.value)} / {goal.comparison} {show(goal, goal.target)} "
        f"| {standing(goal)} "
        f"| {goal.deadline.isoformat()} | {show(goal, goal.forecast)} |"
    )


def _attention(goals: list[GoalResult]) -> list[str]:
    lines = ["## Needs attention", ""]
    for goal in sorted(goals, key=lambda g: (g.status.severity, g.id)):
        where = f" ({goal.file}:{goal.line})" if goal.file else ""
        lines.append(
            f"- {goal.status.look.icon} **`{goal.id}`** {goal.status.label}"
            f" — {_cell('; '.join(goal.reasons))}{where}"
        )
    return [*lines, ""]


def _team(name: str, goals: list[GoalResult], options: RenderOptions) -> list[str]:
    lines = [f"## {name}", ""]
    ordered = sorted(goals, key=lambda g: (g.status.severity, g.id))
    shown = [g for g in ordered if g.status in ATTENTION or g.status in options.fail_on]
    quiet = [g for g in ordered if g not in shown]
    if len(quiet) <= FOLD_AFTER:
        shown, quiet = ordered, []
    if shown:
        lines += [HEADER, *(_row(g) for g in shown), ""]
    if quiet:
        counts = summary_line(count_statuses(g.status for g in quiet))
        lines += [
            f"<details><summary>{len(quiet)} more goals: {counts}</summary>",
            "",
            HEADER,
            *(_row(g) for g in quiet),
            "",
            "</details>",
            "",
        ]
    return lines


def render(report: Report, options: RenderOptions) -> str:
    """The report as GitHub-flavoured Markdown."""
    lines = [
        f"# smartgoals · as of {report.as_of_date.isoformat()}",
        "",
        f"**{len(report.goals)} goals:** {summary_line(report.summary)}",
        "",
    ]
    if report.compared_with is not None:
        lines += [f"## {changes_title(report)}", ""]
        lines += [f"- {_cell(change_line(c))}" for c in report.changes]
        lines.append("")
    attention = [g for g in report.goals if g.status in ATTENTION]
    if attention:
        lines += _attention(attention)
    by_team = sorted(report.goals, key=lambda g: (g.team or "", g.id))
    for team, goals in groupby(by_team, key=lambda g: g.team or ""):
        lines += _team(f"Team {team}" if team else "No team", list(goals), options)
    if report.data_quality or report.unmatched:
        lines += ["## Data quality", ""]
        lines += [f"- {_cell(rows_line(q))}" for q in report.data_quality]
        lines += [f"- `{u.goal}`: {_cell(u.sentence)}" for u in report.unmatched]
        lines.append("")
    return "\n".join(lines)

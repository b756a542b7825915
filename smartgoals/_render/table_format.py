"""``--format table``: a coloured terminal table, one row per goal, with a sparkline of its history.

The table fits the terminal: the target is never cut. When the terminal is narrow the weekly
sparkline goes first, then the forecast, the budget, the owner and the deadline; goal ids are
shortened last.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from smartgoals._render import RenderOptions, sparkline
from smartgoals._render.text import (
    budget_left,
    change_line,
    changes_title,
    rows_line,
    show,
    standing,
)
from smartgoals._results import GoalResult, Report

DROPPED_FIRST = ("weekly", "forecast", "budget", "owner", "deadline")
SHORTEST = {"goal": 12, "owner": 8}
RIGHT = ("value", "target", "budget", "forecast")


def _cells(goal: GoalResult, failing: bool) -> dict[str, Text | str]:
    return {
        "status": Text(
            ("✗ " if failing else "  ") + goal.status.value, style=goal.status.look.style
        ),
        "goal": Text(goal.id, style="bold"),
        "owner": goal.owner.split("@")[0],
        "value": show(goal, goal.value),
        "target": f"{goal.comparison} {show(goal, goal.target)}",
        "progress / held": standing(goal),
        "budget": budget_left(goal),
        "deadline": goal.deadline.isoformat(),
        "forecast": show(goal, goal.forecast),
        "weekly": sparkline([p.value for p in goal.weekly[-10:]]),
    }


def _width(name: str, rows: list[dict[str, Text | str]]) -> int:
    return max([len(name), *(len(str(row[name])) for row in rows)])


def _columns(rows: list[dict[str, Text | str]], width: int) -> dict[str, int]:
    """The columns that fit `width`, with their widths, dropping the least needed first.

    Columns are dropped (weekly, forecast, budget, owner, deadline) until the goal id fits whole
    beside an owner of at least 8 characters; only when nothing is left to drop is the id cut.
    Every other column keeps its full width, so a value or a target is never cut.
    """
    names = list(rows[0]) if rows else ["status", "goal"]
    if "budget" in names and not any(str(row["budget"]) for row in rows):
        names.remove("budget")
    for dropped in (None, *DROPPED_FIRST):
        if dropped in names:
            names.remove(dropped)
        widths = {n: _width(n, rows) for n in names}
        if "owner" in widths:
            widths["owner"] = min(widths["owner"], 16)
        fixed = sum(w for n, w in widths.items() if n not in SHORTEST) + 2 * (len(names) - 1)
        room = width - fixed
        owner_least = SHORTEST["owner"] if "owner" in widths else 0
        if room >= widths["goal"] + owner_least:
            break
    goal = max(min(widths["goal"], room - owner_least), SHORTEST["goal"])
    widths["goal"] = goal
    if "owner" in widths:
        widths["owner"] = max(min(widths["owner"], room - goal), SHORTEST["owner"])
    return widths


def render(report: Report, options: RenderOptions) -> str:
    """The report as a rich table (ANSI colours only when `options.color`)."""
    rows = [_cells(g, g.status in options.fail_on) for g in report.goals]
    table = Table(
        title=f"smartgoals · as of {report.as_of_date}",
        title_justify="left",
        box=None,
        padding=(0, 1),
        pad_edge=False,
        header_style="bold",
    )
    widths = _columns(rows, options.width)
    names = list(widths)
    for name in names:
        table.add_column(
            name,
            justify="right" if name in RIGHT else "left",
            no_wrap=True,
            overflow="ellipsis",
            width=widths[name],
        )
    for row in rows:
        table.add_row(*(row[name] for name in names))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        highlight=False,
    )
    console.print(table)
    console.print("  ".join(f"{name}: {n}" for name, n in report.summary.items() if n))
    if report.compared_with is not None:
        console.print(changes_title(report), style="bold", markup=False)
        for change in report.changes:
            console.print(f"  {change_line(change)}", markup=False)
    for quality in report.data_quality:
        style = "yellow" if quality.rejected else "dim"
        console.print(rows_line(quality), style=style, markup=False)
    for finding in report.unmatched:
        console.print(f"{finding.goal}: {finding.sentence}", style="yellow", markup=False)
    return buffer.getvalue()

"""``--format table``: a coloured terminal table, one row per goal, with a sparkline of its history."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from smartgoals._render import RenderOptions, sparkline
from smartgoals._render.text import percent, show
from smartgoals._results import Report


def render(report: Report, options: RenderOptions) -> str:
    """The report as a rich table (ANSI colours only when `options.color`)."""
    table = Table(
        title=f"smartgoals · as of {report.as_of_date}", title_justify="left", pad_edge=False
    )
    table.add_column("status", no_wrap=True, min_width=13)
    table.add_column(
        "goal", no_wrap=True, min_width=min(max((len(g.id) for g in report.goals), default=4), 32)
    )
    table.add_column("owner", max_width=14, overflow="ellipsis", no_wrap=True)
    for name in ("value", "target", "progress / expected"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("deadline", no_wrap=True, min_width=10)
    table.add_column("forecast", justify="right", no_wrap=True)
    table.add_column("weekly", no_wrap=True, min_width=10)
    for goal in report.goals:
        failing = goal.status in options.fail_on
        status = Text(("✗ " if failing else "  ") + goal.status.value, style=goal.status.look.style)
        table.add_row(
            status,
            Text(goal.id, style="bold"),
            goal.owner.split("@")[0],
            show(goal, goal.value),
            f"{goal.comparison} {show(goal, goal.target)}",
            f"{percent(goal.progress)} / {percent(goal.expected_progress)}",
            goal.deadline.isoformat(),
            show(goal, goal.forecast),
            sparkline([p.value for p in goal.weekly[-10:]]),
        )

    summary = "  ".join(f"{name}: {count}" for name, count in report.summary.items() if count)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        highlight=False,
    )
    console.print(table)
    console.print(summary)
    for quality in report.data_quality:
        if quality.rejected:
            reasons = ", ".join(f"{n:,} {r}" for r, n in sorted(quality.rejected.items()))
            console.print(f"[yellow]{quality.source}: rejected {reasons}[/yellow]")
    return buffer.getvalue()

"""Shared wording for the text formats: statuses, values in their unit, percentages."""

from __future__ import annotations

from smartgoals._results import GoalResult
from smartgoals._status import ATTENTION, Status
from smartgoals._units import format_value, shown_share


def show(goal: GoalResult, value: float | None) -> str:
    """A goal's value or target for people, in its unit (a share for thresholds)."""
    if value is None:
        return "–"
    return shown_share(value) if goal.threshold is not None else format_value(value, goal.unit)


def percent(value: float | None) -> str:
    """A fraction as a whole percentage, or a dash."""
    return "–" if value is None else f"{value:.0%}"


def summary_line(counts: dict[str, int]) -> str:
    """``🔴 2 breached · 🟡 1 at risk · ...`` for the statuses that occur, worst first."""
    parts = [
        f"{Status(name).look.icon} {count} {Status(name).label}"
        for name, count in counts.items()
        if count
    ]
    return " · ".join(parts) or "no goals"


__all__ = ["ATTENTION", "percent", "show", "summary_line"]

"""Shared wording for the text formats: statuses, values in their unit, percentages."""

from __future__ import annotations

from smartgoals._evaluate import format_value, shown_share
from smartgoals._metrics import BUILTIN_METRICS, Aggregation, MetricSpec, Unit
from smartgoals._results import GoalResult, Status

ICONS = {
    Status.ACHIEVED: "✅",
    Status.ON_TRACK: "🟢",
    Status.AT_RISK: "🟡",
    Status.BREACHED: "🔴",
    Status.MISSED: "⛔",
    Status.NO_DATA: "⚪",
    Status.NOT_STARTED: "⏳",
}
ATTENTION = (Status.BREACHED, Status.MISSED, Status.AT_RISK, Status.NO_DATA)


def _spec(goal: GoalResult) -> MetricSpec:
    spec = BUILTIN_METRICS.get(goal.metric)
    if spec is not None:
        return spec
    return MetricSpec(goal.metric, goal.metric, Unit(goal.unit), "higher", Aggregation.MEAN)


def show(goal: GoalResult, value: float | None) -> str:
    """A goal's value or target for people, in its unit (a share for thresholds)."""
    if value is None:
        return "–"
    return shown_share(value) if goal.threshold is not None else format_value(value, _spec(goal))


def percent(value: float | None) -> str:
    """A fraction as a whole percentage, or a dash."""
    return "–" if value is None else f"{value:.0%}"


def summary_line(counts: dict[str, int]) -> str:
    """``🔴 2 breached · 🟡 1 at risk · ...`` for the statuses that occur, worst first."""
    parts = [
        f"{ICONS[Status(name)]} {count} {name.replace('_', ' ')}"
        for name, count in counts.items()
        if count
    ]
    return " · ".join(parts) or "no goals"


__all__ = ["ATTENTION", "ICONS", "percent", "show", "summary_line"]

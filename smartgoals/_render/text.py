"""Shared wording for the text formats: statuses, values in their unit, percentages."""

from __future__ import annotations

from smartgoals._results import GoalResult, SourceQuality
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


def standing(goal: GoalResult) -> str:
    """Where a goal stands: progress against the expected path (achieve), or how often it held.

    ``29% / 65%`` (progress / expected) for `achieve` goals; ``held 18/21 wk`` for `maintain` goals
    (``–`` before a first complete week).
    """
    if goal.compliance is None:
        return f"{percent(goal.progress)} / {percent(goal.expected_progress)}"
    if goal.compliance.weeks == 0:
        return "–"
    return f"held {goal.compliance.weeks_met}/{goal.compliance.weeks} wk"


def budget_left(goal: GoalResult) -> str:
    """The error budget left of a service standard (``64%``, ``-24%`` when overspent), else ""."""
    budget = goal.error_budget
    return "" if budget is None or budget.remaining is None else f"{budget.remaining:.0%}"


def rows_line(quality: SourceQuality) -> str:
    """What happened to a source's rows, in one line (used, rejected and skipped by reason)."""
    parts = [f"{quality.used:,} used"]
    for word, total, reasons in (
        ("rejected", quality.rejected_total, quality.rejected),
        ("skipped", quality.skipped_total, quality.skipped),
    ):
        detail = ", ".join(f"{n:,} {r}" for r, n in sorted(reasons.items()))
        parts.append(f"{total:,} {word}" + (f" ({detail})" if detail else ""))
    return f"{quality.source}: {quality.read:,} rows read: " + ", ".join(parts)


def summary_line(counts: dict[str, int]) -> str:
    """``🔴 2 breached · 🟡 1 at risk · ...`` for the statuses that occur, worst first."""
    parts = [
        f"{Status(name).look.icon} {count} {Status(name).label}"
        for name, count in counts.items()
        if count
    ]
    return " · ".join(parts) or "no goals"


__all__ = [
    "ATTENTION",
    "budget_left",
    "percent",
    "rows_line",
    "show",
    "standing",
    "summary_line",
]

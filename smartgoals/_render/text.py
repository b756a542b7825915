"""Shared wording for the text formats: statuses, values in their unit, percentages."""

from __future__ import annotations

from datetime import datetime

from smartgoals._results import Change, GoalResult, Report, SourceQuality
from smartgoals._status import ATTENTION, Status
from smartgoals._units import format_value


def show(goal: GoalResult, value: float | None) -> str:
    """A goal's value or target for people, in its unit (a share for thresholds)."""
    if value is None:
        return "–"
    return format_value(value, goal.value_unit)


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


CHANGE_WORDS = {
    "failing": "newly failing",
    "at_risk": "newly at risk",
    "no_data": "newly without enough data",
    "recovered": "recovered",
    "achieved": "achieved",
    "moved": "value moved",
    "added": "new goal",
    "retired": "no longer in the goals",
}


def change_line(change: Change) -> str:
    """One change in words: ``chat-first-response newly failing (on_track → breached, 90.4% → 87.6%)``."""

    def value(v: float | None) -> str:
        return "–" if v is None else format_value(v, change.unit)

    before = "–" if change.before is None else change.before.value
    after = "–" if change.after is None else change.after.value
    states = f"{before} → {after}" if before != after else after
    return (
        f"{change.goal} {CHANGE_WORDS[change.kind]} "
        f"({states}, {value(change.value_before)} → {value(change.value_after)})"
    )


def changes_title(report: Report) -> str:
    """``Since 2026-11-15: 1 newly failing, 2 recovered`` (or that nothing changed)."""
    assert report.compared_with is not None
    since = report.compared_with
    day = since.date() if isinstance(since, datetime) else since
    counts: dict[str, int] = {}
    for change in report.changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    parts = (
        ", ".join(f"{n} {CHANGE_WORDS[k]}" for k, n in counts.items()) or "no change worth a look"
    )
    return f"Since {day.isoformat()}: {parts}"

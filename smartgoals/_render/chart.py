"""One small inline SVG chart per goal: history, target, expected path, forecast, deadline.

Plain SVG written here rather than a charting library: the page must load nothing at view time,
and an inline chart of a few kilobytes needs neither JavaScript nor a bundled library of hundreds.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from smartgoals._render.text import show
from smartgoals._results import GoalResult

WIDTH, HEIGHT = 420, 170
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 26


class _Frame:
    """Maps dates and values to pixels."""

    def __init__(self, first: date, last: date, low: float, high: float) -> None:
        span = high - low or abs(high) or 1.0
        self.first, self.days = first, max((last - first).days, 1)
        self.low, self.high = low - span * 0.08, high + span * 0.08

    def x(self, day: date) -> float:
        return LEFT + (day - self.first).days / self.days * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return TOP + (self.high - value) / (self.high - self.low) * (HEIGHT - TOP - BOTTOM)


def _history(goal: GoalResult) -> list[tuple[date, float]]:
    points = goal.weekly or goal.daily
    return [
        (p.start + timedelta(days=3 if goal.weekly else 0), p.value)
        for p in points
        if p.value is not None
    ]


def _expected_path(goal: GoalResult) -> list[tuple[date, float]]:
    if goal.start is None or goal.baseline is None:
        return []
    return [(goal.start, goal.baseline), *goal.milestones, (goal.deadline, goal.target)]


def _polyline(frame: _Frame, points: list[tuple[date, float]], css: str) -> str:
    coords = " ".join(f"{frame.x(d):.1f},{frame.y(v):.1f}" for d, v in points)
    return f'<polyline class="{css}" points="{coords}"/>'


def chart_svg(goal: GoalResult, as_of: date) -> str:
    """The goal's chart as an SVG element (with a title and description for screen readers)."""
    history, expected = _history(goal), _expected_path(goal)
    values = [v for _, v in history + expected] + [goal.target]
    values += list(goal.forecast_interval or ()) + ([goal.value] if goal.value is not None else [])
    days = [d for d, _ in history + expected] + [goal.deadline, as_of]
    first = min(days + [goal.start] if goal.start else days)
    frame = _Frame(first, goal.deadline, min(values), max(values))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="t-{escape(goal.id)}">',
        f'<title id="t-{escape(goal.id)}">{escape(goal.id)}: {escape(_describe(goal))}</title>',
        _axes(frame, goal, first, (min(values), max(values))),
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{frame.y(goal.target):.1f}" '
        f'y2="{frame.y(goal.target):.1f}"/>',
    ]
    if expected:
        parts.append(_polyline(frame, expected, "expected"))
    if history and goal.forecast is not None and goal.forecast_interval is not None:
        parts.append(_forecast(frame, goal, history[-1]))
    if history:
        parts.append(_polyline(frame, history, "actual"))
        parts += [
            f'<circle class="actual" cx="{frame.x(d):.1f}" cy="{frame.y(v):.1f}" r="2.2"/>'
            for d, v in history
        ]
    today = min(as_of, goal.deadline)
    parts += [
        f'<line class="deadline" x1="{frame.x(goal.deadline):.1f}" x2="{frame.x(goal.deadline):.1f}"'
        f' y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>',
        f'<line class="today" x1="{frame.x(today):.1f}" x2="{frame.x(today):.1f}" y1="{TOP}" '
        f'y2="{HEIGHT - BOTTOM}"/>',
        "</svg>",
    ]
    return "".join(parts)


def _forecast(frame: _Frame, goal: GoalResult, last: tuple[date, float]) -> str:
    assert goal.forecast is not None
    assert goal.forecast_interval is not None
    low, high = goal.forecast_interval
    x0, y0 = frame.x(last[0]), frame.y(last[1])
    x1 = frame.x(goal.deadline)
    band = f"{x0:.1f},{y0:.1f} {x1:.1f},{frame.y(high):.1f} {x1:.1f},{frame.y(low):.1f}"
    return (
        f'<polygon class="band" points="{band}"/><line class="forecast" x1="{x0:.1f}" '
        f'y1="{y0:.1f}" x2="{x1:.1f}" y2="{frame.y(goal.forecast):.1f}"/>'
    )


def _axes(frame: _Frame, goal: GoalResult, first: date, extremes: tuple[float, float]) -> str:
    bottom = HEIGHT - BOTTOM
    labels = [
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>',
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 8}">{first.isoformat()}</text>',
        f'<text class="tick end" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}">'
        f"{goal.deadline.isoformat()}</text>",
    ]
    for value in sorted({extremes[0], goal.target, extremes[1]}):
        labels.append(
            f'<text class="tick end" x="{LEFT - 6}" y="{frame.y(value) + 4:.1f}">'
            f"{escape(show(goal, value))}</text>"
        )
    return "".join(labels)


def _describe(goal: GoalResult) -> str:
    forecast = f", forecast {show(goal, goal.forecast)}" if goal.forecast is not None else ""
    return (
        f"value {show(goal, goal.value)} against target {goal.comparison} "
        f"{show(goal, goal.target)}{forecast}, deadline {goal.deadline}"
    )


__all__ = ["chart_svg"]

"""Small inline SVG charts: one per goal (history, target, expected path, forecast) and sparklines.

Plain SVG written here rather than a charting library: the page must load nothing at view time,
and an inline chart of a few kilobytes needs neither JavaScript nor a bundled library of hundreds.
Value ticks are "nice" numbers (1, 2 or 5 times a power of ten) at least `MIN_GAP` pixels apart and
from the target's label, so labels never overlap; weeks with fewer than `min_events` events are
drawn faded, and the legend names what is drawn (weekly or daily values).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from html import escape

from smartgoals._render.text import show
from smartgoals._results import GoalResult, Point
from smartgoals._status import Status

WIDTH, HEIGHT = 380, 170
LEFT, RIGHT, TOP, BOTTOM = 54, 10, 10, 24
MIN_GAP = 14  # NOTE: pixels between value labels of 11px text


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


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round values (1, 2 or 5 × 10^k steps) covering ``[low, high]``."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step)
    last = math.floor(high / step + 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def history_of(goal: GoalResult) -> tuple[str, list[Point]]:
    """What the chart draws: ``("weekly", points)`` or, with no weekly values, the daily ones."""
    weekly = [p for p in goal.weekly if p.value is not None]
    if weekly:
        return "weekly", weekly
    return "daily", [p for p in goal.daily if p.value is not None]


def _midpoint(kind: str, point: Point) -> date:
    return point.start + timedelta(days=3) if kind == "weekly" else point.start


def _expected_path(goal: GoalResult) -> list[tuple[date, float]]:
    if goal.start is None or goal.baseline is None or goal.kind != "achieve":
        return []
    return [(goal.start, goal.baseline), *goal.milestones, (goal.deadline, goal.target)]


def _polyline(frame: _Frame, points: list[tuple[date, float]], css: str) -> str:
    coords = " ".join(f"{frame.x(d):.1f},{frame.y(v):.1f}" for d, v in points)
    return f'<polyline class="{css}" points="{coords}"/>'


def no_chart_message(goal: GoalResult) -> str | None:
    """Why a goal has no chart (nothing to draw), or None when it has one."""
    if history_of(goal)[1]:
        return None
    if goal.status is Status.NOT_STARTED:
        return f"Not started: it starts on {goal.start}; no values to draw yet."
    return "No values to draw: no events in any week or day of the history yet."


def chart_svg(goal: GoalResult, as_of: date) -> str:
    """The goal's chart as an SVG element with its legend, or a message when there is nothing."""
    message = no_chart_message(goal)
    if message is not None:
        return f'<p class="nochart">{escape(message)}</p>'
    kind, points = history_of(goal)
    history = [(_midpoint(kind, p), p.value) for p in points if p.value is not None]
    expected = _expected_path(goal)
    values = [v for _, v in history + expected] + [goal.target]
    values += list(goal.forecast_interval or ()) + ([goal.value] if goal.value is not None else [])
    days = [d for d, _ in history + expected] + [goal.deadline, min(as_of, goal.deadline)]
    first = min(days + [goal.start] if goal.start else days)
    frame = _Frame(first, goal.deadline, min(values), max(values))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t-{escape(goal.id)}">',
        f'<title id="t-{escape(goal.id)}">{escape(goal.id)}: {escape(_describe(goal))}</title>',
        _axes(frame, goal, first),
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{frame.y(goal.target):.1f}" '
        f'y2="{frame.y(goal.target):.1f}"/>',
    ]
    if expected:
        parts.append(_polyline(frame, expected, "expected"))
    if goal.forecast is not None and goal.forecast_interval is not None:
        parts.append(_forecast(frame, goal, history[-1]))
    parts.append(_polyline(frame, history, "actual"))
    low = {p.start for p in points if p.events < goal.min_events}
    parts += [
        f'<circle class="actual{" low" if p.start in low else ""}" cx="{frame.x(d):.1f}" '
        f'cy="{frame.y(v):.1f}" r="2.4"/>'
        for p, (d, v) in zip(points, history, strict=True)
    ]
    today = min(as_of, goal.deadline)
    parts += [
        f'<line class="deadline" x1="{frame.x(goal.deadline):.1f}" x2="{frame.x(goal.deadline):.1f}"'
        f' y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>',
        f'<line class="today" x1="{frame.x(today):.1f}" x2="{frame.x(today):.1f}" y1="{TOP}" '
        f'y2="{HEIGHT - BOTTOM}"/>',
        "</svg>",
    ]
    return "".join(parts) + _legend(goal, kind, bool(expected), bool(low))


def _legend(goal: GoalResult, kind: str, expected: bool, low: bool) -> str:
    items = [
        f'<span class="l-actual">━ {kind} value</span>',
        '<span class="l-target">╌ target</span>',
    ]
    if expected:
        items.append('<span class="l-expected">┈ expected path</span>')
    if goal.forecast is not None:
        items.append('<span class="l-actual">▞ forecast</span>')
    if low:
        items.append(f'<span class="l-low">○ under {goal.min_events} events</span>')
    items.append("<span>│ deadline</span>")
    return f'<p class="legend">{" ".join(items)}</p>'


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


def value_ticks(frame: _Frame, goal: GoalResult) -> list[float]:
    """The value labels: the target, and round values no closer than `MIN_GAP` to any other."""
    chosen = [goal.target]
    for value in nice_ticks(frame.low, frame.high):
        if all(abs(frame.y(value) - frame.y(other)) >= MIN_GAP for other in chosen):
            chosen.append(value)
    return sorted(chosen)


def _axes(frame: _Frame, goal: GoalResult, first: date) -> str:
    bottom = HEIGHT - BOTTOM
    labels = [
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>',
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 7}">{first.isoformat()}</text>',
        f'<text class="tick end" x="{WIDTH - RIGHT}" y="{HEIGHT - 7}">'
        f"{goal.deadline.isoformat()}</text>",
    ]
    for value in value_ticks(frame, goal):
        css = "tick end target-label" if value == goal.target else "tick end"
        labels.append(
            f'<text class="{css}" x="{LEFT - 5}" y="{frame.y(value) + 4:.1f}">'
            f"{escape(show(goal, value))}</text>"
        )
    return "".join(labels)


def _describe(goal: GoalResult) -> str:
    forecast = f", forecast {show(goal, goal.forecast)}" if goal.forecast is not None else ""
    return (
        f"value {show(goal, goal.value)} against target {goal.comparison} "
        f"{show(goal, goal.target)}{forecast}, deadline {goal.deadline}"
    )


def sparkline_svg(goal: GoalResult) -> str:
    """A small inline line of the goal's weekly (or daily) values, low-volume points faded."""
    _, points = history_of(goal)
    values = [p.value for p in points if p.value is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = 78 / (len(values) - 1)
    coords = " ".join(
        f"{1 + i * step:.1f},{19 - (v - low) / span * 17:.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" viewBox="0 0 80 20" width="80" height="20" aria-hidden="true">'
        f'<polyline points="{coords}"/></svg>'
    )


__all__ = [
    "chart_svg",
    "history_of",
    "nice_ticks",
    "no_chart_message",
    "sparkline_svg",
    "value_ticks",
]

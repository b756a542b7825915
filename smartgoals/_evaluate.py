"""Evaluation: ``(goals, period table, as_of) -> results``. Pure: no file, clock or network access.

Semantics follow design §5: half-open windows of local days, value and met over the judged window
(the window ending at the deadline once it has passed), progress from the baseline, expected progress
along the path through the milestones, weekly history with a Theil–Sen trend, forecast and
p_success, error budgets and burn rates for threshold goals, the at-risk rules, the status order,
and the roll-up of team goals.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from smartgoals._calendar import (
    BusinessClock,
    day_date,
    day_number,
    local_midnight_us,
    period_start,
    previous_window,
    to_us,
    window_days,
)
from smartgoals._forecast import Trend, p_success, theil_sen
from smartgoals._metrics import Aggregation, MetricSpec
from smartgoals._model import Goal, GoalKind, GoalSet, milestone_values
from smartgoals._period import PeriodTable, Stats
from smartgoals._results import Compliance, ErrorBudget, GoalResult, Point, Status

AsOf = date | datetime
TREND_WEEKS = 8
HISTORY_WEEKS = 26
HISTORY_DAYS = 92


def min_events(goal: Goal, spec: MetricSpec) -> int:
    """The goal's `min_events`, or its default: 30 events, or 1 reading for point-in-time metrics."""
    if goal.min_events is not None:
        return goal.min_events
    return 1 if spec.aggregation is Aggregation.LAST else 30


def _local(as_of: datetime, tz: str) -> datetime:
    """A timestamp `as_of` in zone `tz` (a naive one is read as wall time in `tz`)."""
    zone = ZoneInfo(tz)
    return (as_of if as_of.tzinfo else as_of.replace(tzinfo=zone)).astimezone(zone)


def as_of_us(as_of: AsOf, tz: str) -> int:
    """The instant of `as_of` in epoch µs: a date means the end of that day in `tz`."""
    if isinstance(as_of, datetime):
        return to_us(_local(as_of, tz))
    return local_midnight_us(day_number(as_of) + 1, tz)


def as_of_end_day(as_of: AsOf, tz: str) -> int:
    """The exclusive end day of windows at `as_of` (the day after as_of's local date)."""
    day = _local(as_of, tz).date() if isinstance(as_of, datetime) else as_of
    return day_number(day) + 1


def _local_days(as_of: AsOf, tz: str) -> float:
    """`as_of` as fractional local epoch days in `tz` (a date means the end of that day)."""
    if not isinstance(as_of, datetime):
        return float(day_number(as_of) + 1)
    local = _local(as_of, tz).replace(tzinfo=None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day_number(local.date()) + (local - midnight) / timedelta(days=1)


@dataclasses.dataclass
class _Measured:
    value: float | None
    events: int
    good: int | None = None
    pending: int | None = None
    open_events: int | None = None


class _Series:
    """A goal's daily statistics (one per input series), summed over day ranges."""

    def __init__(self, dailies: list[dict[int, Stats]]) -> None:
        self.dailies = dailies
        self.days = [sorted(d) for d in dailies]

    def window(self, first: int, end: int) -> list[Stats]:
        """The statistics of days ``[first, end)``, per input series (read-only)."""
        if end - first == 1:
            return [daily.get(first, _EMPTY) for daily in self.dailies]
        result = []
        for daily, days in zip(self.dailies, self.days, strict=True):
            stats = Stats()
            for day in days[bisect_left(days, first) : bisect_left(days, end)]:
                stats.add(daily[day])
            result.append(stats)
        return result


_EMPTY = Stats()


class _SeriesCache:
    """Daily statistics per (series, filter, time zone), shared by the goals of one evaluation."""

    def __init__(self, table: PeriodTable) -> None:
        self.table = table
        self.dailies: dict[tuple[str, str, str], dict[int, Stats]] = {}

    def series(self, goal: Goal, spec: MetricSpec) -> _Series:
        dailies = []
        for name in spec.inputs:
            key = (name, repr(sorted(goal.where.items())), goal.timezone)
            if key not in self.dailies:
                self.dailies[key] = self.table.daily(name, goal.where, goal.timezone)
            dailies.append(self.dailies[key])
        return _Series(dailies)


def _measure(
    goal: Goal, spec: MetricSpec, stats: list[Stats], end_us: int, clock: BusinessClock | None
) -> _Measured:
    main = stats[0]
    if goal.threshold is not None:
        return _measure_threshold(goal, main, end_us, clock)
    aggregation = spec.aggregation
    if aggregation is Aggregation.DURATION:
        open_count = int(round(sum(main.open.values())))
        return _Measured(_statistic(goal, main), int(round(main.n)), open_events=open_count)
    if aggregation is Aggregation.RATIO:
        numerator, denominator = stats
        value = numerator.sum / denominator.sum if denominator.sum > 0 else None
        return _Measured(value, int(round(denominator.sum)))
    if aggregation is Aggregation.VOLUME:
        return _Measured(main.rows, int(round(main.rows)))
    if aggregation is Aggregation.LAST:
        return _Measured(main.last[1] if main.last else None, int(round(main.rows)))
    events = int(round(main.n))
    if main.n <= 0:
        return _Measured(None, 0)
    if aggregation is Aggregation.SHARE_AT_LEAST:
        assert spec.good_from is not None
        return _Measured(main.good[(">=", spec.good_from)] / main.n, events)
    if aggregation is Aggregation.NPS:
        return _Measured(100 * (main.good[(">=", 9.0)] - main.good[("<=", 6.0)]) / main.n, events)
    return _Measured(main.sum / main.n, events)


def _statistic(goal: Goal, stats: Stats) -> float | None:
    if stats.n <= 0:
        return None
    if goal.statistic == "mean":
        return stats.sum / stats.n
    q = 0.5 if goal.statistic == "median" else float(goal.statistic[1:]) / 100
    return stats.quantile(q)


def _measure_threshold(
    goal: Goal, stats: Stats, end_us: int, clock: BusinessClock | None
) -> _Measured:
    assert goal.threshold is not None
    limit = goal.threshold.limit.value
    comparison = goal.threshold.comparison
    good = stats.good.get((comparison, limit), 0.0)
    limit_us = limit * 1_000_000
    expired = pending = 0.0
    for created, count in stats.open.items():
        elapsed = clock.elapsed(created, end_us) if clock else end_us - created
        late = elapsed > limit_us if comparison == "<=" else elapsed >= limit_us
        if late:
            expired += count
        else:
            pending += count
    events = stats.n + expired
    value = good / events if events > 0 else None
    return _Measured(value, int(round(events)), int(round(good)), int(round(pending)))


def evaluate_table(
    goals: GoalSet,
    table: PeriodTable,
    as_of: AsOf,
    clocks: dict[str, BusinessClock] | None = None,
) -> list[GoalResult]:
    """Evaluate every goal of `goals` against `table` at `as_of`; roll team goals up.

    A goal with `for_each` is first expanded into one child goal per value of its label. `clocks`
    maps a series to the business clock its open events age by (the goal's `calendar` wins).
    """
    goals = expand_for_each(goals, table)
    cache = _SeriesCache(table)
    clocks = clocks or {}
    results = [_Evaluation(goal, goals, cache, as_of, clocks).result() for goal in goals]
    return _roll_up(goals, results)


def expand_for_each(goals: GoalSet, table: PeriodTable) -> GoalSet:
    """Expand each `for_each` goal into one goal per value of its label found in the data.

    Each child has the template's metric, target and window, the filter ``{label: value}`` added,
    the id ``<template id>/<value>`` and the template's owner (the value itself when the template
    names the label as its owner: ``owner: agent``); the template stays as their parent, with its
    own value from the pooled events.
    """
    expanded: list[Goal] = []
    for goal in goals:
        expanded.append(goal)
        if goal.for_each is None:
            continue
        label = goal.for_each
        series = goals.metrics[goal.metric].inputs[0]
        for value in table.label_values(series, goal.where, label):
            child = goal.model_copy(
                update={
                    "id": f"{goal.id}/{_slug(value)}",
                    "owner": value if goal.owner == label else goal.owner,
                    "parent": goal.id,
                    "for_each": None,
                    "where": {**goal.where, label: value},
                    "title": f"{goal.title or goal.id}: {value}",
                }
            )
            child._segment = {label: value}
            expanded.append(child)
    return GoalSet(tuple(expanded), goals.metrics, goals.calendars, goals.files, goals.sources)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_.@-]+", "-", value.lower()).strip("-") or "none"


class _Evaluation:
    """The evaluation of one goal (a class only to share the windows between small steps)."""

    def __init__(
        self,
        goal: Goal,
        goals: GoalSet,
        cache: _SeriesCache,
        as_of: AsOf,
        clocks: dict[str, BusinessClock],
    ) -> None:
        self.goal, self.spec, self.as_of = goal, goals.metrics[goal.metric], as_of
        self.clock = clocks.get(f"calendar:{goal.calendar}") or clocks.get(self.spec.inputs[0])
        self.tz = goal.timezone
        self.min_events = min_events(goal, self.spec)
        self.series = cache.series(goal, self.spec)
        self.start = day_number(goal.start) if goal.start else None
        self.deadline_end = day_number(goal.deadline) + 1
        self.now_us = as_of_us(as_of, self.tz)
        self.now_day = _local_days(as_of, self.tz)
        self.final = self.now_us >= local_midnight_us(self.deadline_end, self.tz)
        self.end = (
            self.deadline_end
            if self.final
            else min(as_of_end_day(as_of, self.tz), self.deadline_end)
        )
        self.end_us = min(self.now_us, local_midnight_us(self.end, self.tz))
        self.milestones = milestone_values(goal, {goal.metric: self.spec})
        self.measured: dict[tuple[int, int], _Measured] = {}

    def not_started(self) -> bool:
        """Whether as_of's local date is before the start day (its end is still before)."""
        return self.start is not None and as_of_end_day(self.as_of, self.tz) <= self.start

    def measure(self, first: int, end: int) -> _Measured:
        """The goal's measure over days ``[first, end)`` (memoised: windows recur)."""
        if (first, end) not in self.measured:
            # NOTE: every window knows what was known at as_of: an event still open then is aged
            # to as_of, whichever week or day it was created in.
            stats = self.series.window(first, end)
            self.measured[first, end] = _measure(
                self.goal, self.spec, stats, self.now_us, self.clock
            )
        return self.measured[first, end]

    def result(self) -> GoalResult:
        goal = self.goal
        first, end = window_days(goal.window, self.end, self.start)
        current = self.measure(first, end)
        baseline = self.baseline()
        target = goal.target_value
        met = None if current.value is None else _met(goal, current.value)
        achieve = goal.kind is GoalKind.ACHIEVE
        progress = _progress(goal, current.value, baseline, met) if achieve else None
        expected = self.expected_progress(baseline) if achieve else None
        weekly = self.weekly()
        judged = [p for p in weekly if p.value is not None and p.events >= max(self.min_events, 1)]
        recent = [(p.start, p.value) for p in judged[-TREND_WEEKS:] if p.value is not None]
        trend = theil_sen([(d.toordinal() + 3.5) / 7 for d, _ in recent], [v for _, v in recent])
        forecast, interval, chance = self.forecast(trend) if not self.final else (None, None, None)
        budget = self.error_budget(current) if goal.threshold is not None else None
        status, why = self.status(current, met, progress, expected, forecast, trend, budget)
        return GoalResult(
            id=goal.id,
            title=goal.title,
            owner=goal.owner,
            team=goal.team,
            metric=goal.metric,
            unit=self.spec.unit.value,
            kind=goal.kind.value,
            status=status,
            value=current.value,
            target=target,
            comparison=goal.comparison,
            met=met,
            events=current.events,
            window_start=self.local(first),
            window_end=self.local(end),
            window=str(goal.window),
            baseline=baseline,
            progress=progress,
            expected_progress=expected,
            forecast=forecast if current.events else None,
            forecast_interval=interval if current.events else None,
            p_success=chance if current.events else None,
            deadline=goal.deadline,
            start=goal.start,
            reasons=tuple(self.reasons(current, first, end, forecast, why)),
            file=goal.span.file if goal.span else None,
            line=goal.span.line if goal.span else None,
            parent=goal.parent,
            tags=goal.tags,
            statistic=goal.statistic
            if self.spec.aggregation is Aggregation.DURATION and goal.threshold is None
            else None,
            threshold=_threshold_dict(goal),
            good=current.good,
            pending=current.pending,
            open_events=current.open_events,
            error_budget=budget,
            trend=None
            if trend is None
            else {
                "slope_per_week": trend.slope,
                "slope_low": trend.slope_low,
                "slope_high": trend.slope_high,
            },
            weekly=tuple(weekly),
            daily=tuple(self.daily()),
            milestones=tuple(self.milestones),
            segment=goal.segment,
            min_events=self.min_events,
            compliance=None if achieve else self.compliance(),
        )

    def local(self, day: int) -> datetime:
        return datetime.combine(day_date(day), time(), tzinfo=ZoneInfo(self.tz))

    def baseline(self) -> float | None:
        if self.goal.baseline is not None:
            return self.goal.baseline
        if self.start is None:
            return None
        first, end = previous_window(self.goal.window, self.start)
        measured = self.measure(first, end)
        return measured.value if measured.events >= max(self.min_events, 1) else None

    def expected_progress(self, baseline: float | None) -> float | None:
        if self.start is None:
            return None
        span = self.deadline_end - self.start
        now = min(max(self.now_day - self.start, 0.0), float(span))
        points = [(0.0, 0.0)]
        target = self.goal.target_value
        if baseline is not None and target != baseline:
            for by, value in self.milestones:
                points.append(
                    (
                        float(day_number(by) + 1 - self.start),
                        (value - baseline) / (target - baseline),
                    )
                )
        points.append((float(span), 1.0))
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if now <= x1:
                return y0 if x1 == x0 else y0 + (y1 - y0) * (now - x0) / (x1 - x0)
        return 1.0  # pragma: no cover - now is clipped to the span

    def last_complete_week_end(self) -> int:
        """The Monday that ends the last week complete at as_of (or at the deadline)."""
        monday = period_start(self.end, "week")
        if local_midnight_us(monday, self.tz) > self.now_us:
            monday -= 7  # NOTE: as_of is a moment on a Sunday: that week is not over yet
        return monday

    def weekly(self) -> list[Point]:
        last_week = self.last_complete_week_end() - 7
        first_week = last_week - 7 * (HISTORY_WEEKS - 1)
        if self.start is not None:
            first_week = max(first_week, period_start(self.start, "week"))
        points = []
        for week in range(first_week, last_week + 1, 7):
            measured = self.measure(week, week + 7)
            if measured.value is not None:
                points.append(Point(day_date(week), measured.value, measured.events))
        return points

    def compliance(self) -> Compliance:
        """The weeks (Monday–Sunday) from start to as_of at whose end the goal met its target."""
        last_end = self.last_complete_week_end()
        if self.start is not None:
            first_end = period_start(self.start, "week") + 7
        else:
            first_end = last_end - 7 * (HISTORY_WEEKS - 1)
        weeks = met = 0
        for week_end in range(first_end, last_end + 1, 7):
            measured = self.measure(*window_days(self.goal.window, week_end, self.start))
            if measured.value is None or measured.events < max(self.min_events, 1):
                continue
            weeks += 1
            met += _met(self.goal, measured.value)
        return Compliance(met, weeks)

    def daily(self) -> list[Point]:
        first = self.end - HISTORY_DAYS
        if self.start is not None:
            first = max(first, self.start)
        points = []
        for day in range(first, self.end):
            measured = self.measure(day, day + 1)
            if measured.events:
                points.append(Point(day_date(day), measured.value, measured.events))
        return points

    def forecast(
        self, trend: Trend | None
    ) -> tuple[float | None, tuple[float, float] | None, float | None]:
        if trend is None:
            return None, None, None
        x = (day_date(self.deadline_end).toordinal()) / 7
        value = trend.at(x)
        low, high = trend.interval_at(x)
        low, high = min(low, value), max(high, value)
        chance = p_success(value, low, high, self.goal.target_value, self.goal.comparison)
        # NOTE: a line can run past what the metric can be (CSAT above 100%); the forecast and its
        # interval are clipped to the possible range, after p_success is taken from the line.
        bottom, top = (0.0, 1.0) if self.goal.threshold is not None else self.spec.value_range

        def clip(v: float) -> float:
            return min(max(v, bottom), top)

        return clip(value), (clip(low), clip(high)), chance

    def error_budget(self, current: _Measured) -> ErrorBudget | None:
        assert self.goal.threshold is not None
        share = self.goal.threshold.share
        if current.events == 0 or current.good is None:
            return None
        allowed = (1 - share) * current.events
        bad = current.events - current.good
        consumed = bad / allowed if allowed > 0 else None
        rates = {}
        for label, days in (("1d", 1), ("7d", 7)):
            recent = self.measure(self.end - days, self.end)
            rates[label] = (
                None if recent.value is None or share >= 1 else (1 - recent.value) / (1 - share)
            )
        return ErrorBudget(
            allowed, bad, consumed, None if consumed is None else 1 - consumed, rates
        )

    def days_to_review(self) -> float:
        if self.goal.review is None:
            return 7.0
        zone = ZoneInfo(self.tz)
        first = datetime.combine(self.goal.start or day_date(self.end - 1), time())
        now = (datetime.fromtimestamp(self.now_us / 1e6, zone)).replace(tzinfo=None)
        following = rrulestr(self.goal.review, dtstart=first).after(now)
        if following is None:
            return 7.0
        return max((following - now) / timedelta(days=1), 0.0)

    def status(
        self,
        current: _Measured,
        met: bool | None,
        progress: float | None,
        expected: float | None,
        forecast: float | None,
        trend: Trend | None,
        budget: ErrorBudget | None,
    ) -> tuple[Status, str | None]:
        goal = self.goal
        if self.not_started():
            return Status.NOT_STARTED, None
        if current.events < self.min_events or current.value is None:
            return Status.NO_DATA, None
        if self.final:
            return (Status.ACHIEVED if met else Status.MISSED), None
        if goal.kind is GoalKind.ACHIEVE:
            if met:
                return Status.ACHIEVED, None
            return self.achieve_risk(progress, expected, forecast)
        if not met:
            return Status.BREACHED, None
        return self.maintain_risk(current, forecast, trend, budget)

    def achieve_risk(
        self, progress: float | None, expected: float | None, forecast: float | None
    ) -> tuple[Status, str | None]:
        tolerance = self.goal.at_risk.tolerance
        if progress is None or expected is None or expected - progress <= tolerance:
            return Status.ON_TRACK, None
        if forecast is not None and _met(self.goal, forecast):
            return Status.ON_TRACK, None
        return Status.AT_RISK, (
            f"progress {progress:.0%} is behind the expected {expected:.0%} "
            f"by more than {tolerance:.0%}"
        )

    def maintain_risk(
        self,
        current: _Measured,
        forecast: float | None,
        trend: Trend | None,
        budget: ErrorBudget | None,
    ) -> tuple[Status, str | None]:
        if budget is not None and budget.consumed is not None:
            burn = budget.burn_rates.get("7d")
            recent = self.measure(self.end - 7, self.end)
            consumed = budget.consumed
            if (
                burn is not None
                and recent.events >= self.min_events
                and burn > 1
                and burn > consumed
            ):
                first, end = window_days(self.goal.window, self.end, self.start)
                days_left = (end - first) * (1 - consumed) / (burn - consumed)
                if days_left <= self.days_to_review():
                    return Status.AT_RISK, (
                        f"at the 7-day burn rate of {burn:.1f}× the error "
                        f"budget runs out in {days_left:.1f} days, before the "
                        "next review"
                    )
        if trend is not None and forecast is not None and not _met(self.goal, forecast):
            worsening = (
                trend.slope_high < 0 if self.goal.comparison == ">=" else trend.slope_low > 0
            )
            if worsening:
                return (
                    Status.AT_RISK,
                    "the trend is worsening and misses the target by the deadline",
                )
        return Status.ON_TRACK, None

    def reasons(
        self, current: _Measured, first: int, end: int, forecast: float | None, why: str | None
    ) -> list[str]:
        goal, spec = self.goal, self.spec
        days = end - first
        span = f"over {days} day{'s' if days != 1 else ''} to {day_date(end - 1).isoformat()}"
        if self.not_started():
            return [f"starts on {goal.start}"]
        if current.value is None or current.events < self.min_events:
            return [f"{current.events:,} events {span}; at least {self.min_events} needed to judge"]
        shown = self.show(current.value)
        if goal.threshold is not None:
            what = (
                f"{shown} of {current.events:,} events {goal.threshold.rule} {span}; "
                f"target {shown_share(goal.threshold.share)}"
            )
        else:
            what = (
                f"{spec.title} {shown} {span} from {current.events:,} events; target "
                f"{goal.comparison} {self.show(goal.target_value)}"
            )
        sentences = [what]
        if current.pending:
            sentences.append(f"{current.pending:,} open events still within the limit are pending")
        if current.open_events:
            sentences.append(f"{current.open_events:,} open events are not counted")
        if forecast is not None and not self.final:
            sentences.append(f"trend reaches {self.show(forecast)} by {goal.deadline}")
        if why:
            sentences.append(why)
        return sentences

    def show(self, value: float) -> str:
        if self.goal.threshold is not None:
            return shown_share(value)
        return format_value(value, self.spec)


def shown_share(value: float) -> str:
    """A share for people: ``87.2%``."""
    return f"{value * 100:.1f}%"


def format_value(value: float, spec: MetricSpec) -> str:
    """A value in the metric's unit, rounded for people: ``87.2%``, ``2 min 5s``, ``45.0``."""
    unit = spec.unit.value
    if unit == "share":
        return shown_share(value)
    if unit == "seconds":
        return _seconds(value)
    if unit == "points":
        return f"{value:.1f}"
    if unit == "count" and value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    if value < 172800:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


def _threshold_dict(goal: Goal) -> dict[str, object] | None:
    if goal.threshold is None:
        return None
    return {
        "share": goal.threshold.share,
        "limit": goal.threshold.limit.value,
        "comparison": goal.threshold.comparison,
        "text": str(goal.threshold),
    }


def _met(goal: Goal, value: float) -> bool:
    target = goal.target_value
    return value >= target if goal.comparison == ">=" else value <= target


def _progress(goal: Goal, value: float | None, baseline: float | None, met: bool | None) -> float | None:
    """Achieve goals: the distance covered from baseline to target, clipped; 1 exactly when met."""
    if value is None:
        return None
    if met:
        return 1.0
    if baseline is None:
        return None
    if _met(goal, baseline):
        return 0.0  # NOTE: no distance to cover, and the target is not met now
    share = (value - baseline) / (goal.target_value - baseline)
    return min(max(share, 0.0), 1.0)


def _roll_up(goals: GoalSet, results: list[GoalResult]) -> list[GoalResult]:
    by_id = {r.id: r for r in results}
    weights = {g.id: g.weight for g in goals}
    children: dict[str, list[str]] = {}
    for goal in goals:
        if goal.parent is not None:
            children.setdefault(goal.parent, []).append(goal.id)
    ordered = _deepest_first(children)
    for parent in ordered:
        kids = [by_id[k] for k in children[parent] if k in by_id]
        if parent not in by_id or not kids:
            continue
        own = by_id[parent]
        total = sum(weights[k.id] for k in kids)
        scored = [(weights[k.id], p) for k in kids if (p := _child_progress(k)) is not None]
        progress = own.progress
        if scored:
            progress = sum(w * p for w, p in scored) / sum(w for w, _ in scored)
        good = sum(weights[k.id] for k in kids if k.status in (Status.ON_TRACK, Status.ACHIEVED))
        status = own.status
        if own.status in (Status.NO_DATA, Status.NOT_STARTED):
            status = _worst(k.status for k in kids)
        by_id[parent] = dataclasses.replace(
            own,
            progress=progress,
            status=status,
            children=tuple(k.id for k in kids),
            share_on_track=good / total if total else None,
            reasons=(
                *own.reasons,
                f"{good / total:.0%} of {len(kids)} child goals on track "
                f"(weighted); worst: {_worst(k.status for k in kids).value}",
            ),
        )
    return [by_id[r.id] for r in results]


def _child_progress(child: GoalResult) -> float | None:
    """A child's share in its parent's progress: its progress, or for `maintain` 1 when met now."""
    if child.kind == GoalKind.MAINTAIN.value:
        return None if child.met is None else float(child.met)
    return child.progress


def _worst(statuses: Iterable[Status]) -> Status:
    return min(statuses, key=lambda s: s.severity)


def _deepest_first(children: dict[str, list[str]]) -> list[str]:
    depth: dict[str, int] = {}

    def height(node: str, seen: frozenset[str] = frozenset()) -> int:
        if node in depth:
            return depth[node]
        if node in seen:
            return 0
        depth[node] = 1 + max((height(c, seen | {node}) for c in children.get(node, [])), default=0)
        return depth[node]

    return sorted(children, key=height)


__all__ = ["AsOf", "as_of_end_day", "as_of_us", "evaluate_table", "format_value", "min_events"]

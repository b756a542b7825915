"""Evaluation: ``(goals, period table, as_of) -> results``. Pure: no file, clock or network access.

Goals are evaluated in groups that share a timeline (`_timeline`): a goal on its own, or the
children of a `for_each` goal, cut from the same cells by their label value. For a group the cells
of its segments are summed per member and day, turned into prefix sums, and every window the
timeline reads — current, baseline, burn rates, weekly and daily history, compliance — is a
difference of two prefix sums, for all members at once. The goal's measure (`MetricSpec.measure`)
turns those sums into values; then each member's result is assembled: met, progress, expected
progress, history, trend and forecast, error budget, status (`_verdict`) and reasons. Parents are
rolled up last (`_rollup`). So the cost follows the cells read, not the number of goals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.rrule import rrulestr
from numpy.typing import NDArray

from smartgoals._calendar import AsOf, day_date, day_number
from smartgoals._forecast import TREND_WEEKS, Trend, forecast_at, theil_sen
from smartgoals._metrics import Aggregation, Measure, Measured, MetricSpec, Totals
from smartgoals._model import Goal, GoalKind, GoalSet, milestone_values
from smartgoals._period import Cells, PeriodTable, window_quantiles
from smartgoals._results import Compliance, ErrorBudget, GoalResult, History
from smartgoals._rollup import roll_up
from smartgoals._timeline import Timeline, WindowIndex, timeline
from smartgoals._units import shown_share
from smartgoals._verdict import Findings, verdict

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def min_events(goal: Goal, spec: MetricSpec) -> int:
    """The goal's `min_events`, or its default: 30 events, or 1 reading for point-in-time metrics."""
    if goal.min_events is not None:
        return goal.min_events
    return 1 if spec.aggregation is Aggregation.LAST else 30


def evaluate_table(goals: GoalSet, table: PeriodTable, as_of: AsOf) -> list[GoalResult]:
    """Evaluate every goal of `goals` against `table` at `as_of`; roll team goals up.

    A goal with `for_each` is expanded into one child per value of its label found in its cells:
    id ``<goal id>/<value>``, the goal's owner (the value itself when the goal names the label as
    its owner: ``owner: agent``), its segment ``{label: value}``; the goal stays as their parent,
    with its own value from the pooled events.

    Raises:
        ValueError: `table` was not aggregated for these goals.
    """
    if table.plan is None:
        raise ValueError("the period table has no plan: build it with smartgoals' aggregation")
    results: list[GoalResult] = []
    weights: dict[str, float] = {}
    for goal in goals:
        if goal.id not in table.plan.goal_views:
            raise ValueError(f"the period table was not aggregated for goal {goal.id!r}")
        group = _Group(goal, goals, table, as_of, None)
        results += group.results()
        weights[goal.id] = goal.weight
        if goal.for_each is not None:
            children = _Group(goal, goals, table, as_of, goal.for_each)
            for result in children.results():
                results.append(result)
                weights[result.id] = goal.weight
    return roll_up(results, weights)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_.@-]+", "-", value.lower()).strip("-") or "none"


@dataclass(frozen=True)
class _Member:
    """One goal of a group: the goal itself, or one child of a for_each goal."""

    id: str
    owner: str
    title: str | None
    parent: str | None
    segment: dict[str, str] | None


class _Group:
    """Goals that share a timeline: one goal, or the children of a for_each goal."""

    def __init__(
        self, goal: Goal, goals: GoalSet, table: PeriodTable, as_of: AsOf, label: str | None
    ) -> None:
        assert table.plan is not None
        self.goal, self.as_of, self.label = goal, as_of, label
        self.spec = goals.metrics[goal.metric]
        self.measure = goal.measure(self.spec)
        self.min_events = min_events(goal, self.spec)
        self.line = timeline(goal, as_of)
        self.index = WindowIndex.of(self.line)
        view = table.plan.goal_views[goal.id]
        self.cells = [table.cells(view, series) for series in self.spec.inputs]
        windows = np.array(self.line.windows(), dtype=np.int64).reshape(-1, 2)
        self.first_day = int(windows[:, 0].min())
        self.days = max(self.line.end - self.first_day, 1)
        self.firsts = np.clip(windows[:, 0] - self.first_day, 0, self.days)
        self.ends = np.clip(windows[:, 1] - self.first_day, 0, self.days)
        self.members = self._members()
        self.milestones = milestone_values(goal, {goal.metric: self.spec})

    def _members(self) -> list[_Member]:
        goal = self.goal
        if self.label is None:
            return [_Member(goal.id, goal.owner, goal.title, goal.parent, goal.segment)]
        main = self.cells[0]
        values = [] if main is None else main.values_of(self.label, main.matching(goal.where))
        return [
            _Member(
                f"{goal.id}/{_slug(value)}",
                value if goal.owner == self.label else goal.owner,
                f"{goal.title or goal.id}: {value}",
                goal.id,
                {self.label: value},
            )
            for value in values
        ]

    def member_of_segment(self, cells: Cells) -> Ints:
        """Per segment of `cells`, the member it belongs to (-1: none)."""
        matching = cells.matching(self.goal.where)
        if self.label is None:
            return np.where(matching, 0, -1).astype(np.int64)
        numbers = {m.segment[self.label]: i for i, m in enumerate(self.members) if m.segment}
        position = cells.labels.index(self.label)
        member = np.fromiter(
            (numbers.get(s[position], -1) for s in cells.segments),
            dtype=np.int64,
            count=len(cells.segments),
        )
        return np.where(matching, member, -1)

    # -- sums over windows, for every member at once -------------------------------------------

    def totals(self) -> Totals:
        """The sums of every window for every member (arrays shaped (members, windows))."""
        parts = [self._totals(cells, i == 0) for i, cells in enumerate(self.cells)]
        main = parts[0]
        if len(parts) > 1:
            main.other = parts[1]
        return main

    def _totals(self, cells: Cells | None, main: bool) -> Totals:
        shape = (len(self.members), len(self.firsts))
        zeros = np.zeros(shape)
        if cells is None or not len(self.members):
            empty = Totals(zeros, zeros, zeros, zeros)
            empty.good = {c: zeros for c in self.measure.conditions}
            empty.quantile = np.full(shape, np.nan)
            empty.last = np.full(shape, np.nan)
            return empty
        member = self.member_of_segment(cells)
        rows = cells.rows_of(np.flatnonzero(member >= 0))
        day = cells.day[rows] - self.first_day
        inside = (day >= 0) & (day < self.days)
        rows, day = rows[inside], day[inside]
        flat = member[cells.seg[rows]] * self.days + day

        def windows(values: Floats) -> Floats:
            return self._windows(flat, values[rows])

        totals = Totals(
            windows(cells.sums["rows"]),
            windows(cells.sums["n"]),
            windows(cells.sums["sum"]),
            windows(cells.sums["open"]),
        )
        if main:
            totals.good = {c: windows(cells.good[c]) for c in self.measure.conditions}
            if self.measure.expiry is not None:
                key = (self.measure.expiry, self.goal.calendar)
                if key in cells.expired:
                    totals.expired = {self.measure.expiry: windows(cells.expired[key])}
            if self.measure.quantile_q is not None:
                totals.quantile = self._quantiles(cells, member, self.measure.quantile_q)
            if self.measure.last:
                totals.last = self._latest(cells, member)
        return totals

    def _dense(self, flat: Ints, values: Floats) -> Floats:
        size = len(self.members) * self.days
        dense = np.bincount(flat, weights=values, minlength=size)
        return dense.reshape(len(self.members), self.days)

    def _windows(self, flat: Ints, values: Floats) -> Floats:
        """Per member, the sum of `values` over each window (a day's own sum for one-day windows)."""
        dense = self._dense(flat, values)
        prefix = np.zeros((dense.shape[0], self.days + 1))
        np.cumsum(dense, axis=1, out=prefix[:, 1:])
        sums = prefix[:, self.ends] - prefix[:, self.firsts]
        single = (self.ends - self.firsts == 1).nonzero()[0]
        sums[:, single] = dense[:, self.firsts[single]]
        return sums

    def _quantiles(self, cells: Cells, member_of: Ints, q: float) -> Floats:
        """Per member and window, the nearest-rank `q` quantile from the histogram buckets."""
        seg, day, bucket, count, low, high = cells.hist
        member = member_of[seg]
        day = day - self.first_day
        keep = (member >= 0) & (day >= 0) & (day < self.days)
        member, day, bucket, count = member[keep], day[keep], bucket[keep], count[keep]
        low, high = low[keep], high[keep]
        result = np.full((len(self.members), len(self.firsts)), np.nan)
        lowest, highest = self._daily_extremes(member, day, low, high)
        order = np.argsort(member, kind="stable")
        bounds = np.searchsorted(member[order], np.arange(len(self.members) + 1))
        for m in range(len(self.members)):
            rows = order[bounds[m] : bounds[m + 1]]
            if len(rows):
                result[m] = window_quantiles(
                    day[rows], bucket[rows], count[rows], self.days, self.firsts, self.ends, q
                )
        return np.minimum(np.maximum(result, lowest), highest)

    def _daily_extremes(
        self, member: Ints, day: Ints, low: Floats, high: Floats
    ) -> tuple[Floats, Floats]:
        """Per member and window, the smallest and largest answered value."""
        shape = (len(self.members), self.days)
        lows, highs = np.full(shape, np.inf), np.full(shape, -np.inf)
        np.minimum.at(lows, (member, day), low)
        np.maximum.at(highs, (member, day), high)
        return (
            _range_reduce(lows, self.firsts, self.ends, np.minimum, np.inf),
            _range_reduce(highs, self.firsts, self.ends, np.maximum, -np.inf),
        )

    def _latest(self, cells: Cells, member_of: Ints) -> Floats:
        """Per member and window, the latest reading (NaN without one)."""
        seg, day, instant, value = cells.readings
        member = member_of[seg]
        day = day - self.first_day
        keep = (member >= 0) & (day >= 0) & (day < self.days)
        member, day, instant, value = member[keep], day[keep], instant[keep], value[keep]
        order = np.lexsort((value, instant, day, member))
        member, day, value = member[order], day[order], value[order]
        last = np.r_[(member[1:] != member[:-1]) | (day[1:] != day[:-1]), True] if len(day) else []
        member, day, value = member[last], day[last], value[last]
        shape = (len(self.members), self.days)
        has, values = np.zeros(shape, dtype=bool), np.full(shape, np.nan)
        has[member, day] = True
        values[member, day] = value
        index = np.where(has, np.arange(self.days), -1)
        latest = np.maximum.accumulate(index, axis=1)
        last_day = np.where(self.ends > 0, self.ends - 1, 0)
        found = latest[:, last_day]
        valid = (found >= self.firsts) & (self.ends > self.firsts)
        rows = np.arange(shape[0])[:, None]
        return np.where(valid, values[rows, np.maximum(found, 0)], np.nan)

    # -- one result per member -----------------------------------------------------------------

    def results(self) -> list[GoalResult]:
        """The result of every member."""
        if not self.members:
            return []
        measured = self.measure.evaluate(self.totals())
        return [self._result(m, member, measured) for m, member in enumerate(self.members)]

    def _result(self, m: int, member: _Member, measured: Measured) -> GoalResult:
        goal, line, index = self.goal, self.line, self.index
        value, events = _value(measured, m, index.CURRENT), int(measured.events[m, index.CURRENT])
        good = _optional(measured.good, m, index.CURRENT)
        baseline = self._baseline(measured, m)
        target = self.measure.target
        met = None if value is None else target.met_by(value)
        achieve = goal.kind is GoalKind.ACHIEVE
        progress = _progress(value, baseline, met, self.measure) if achieve else None
        expected = self._expected_progress(baseline) if achieve else None
        weekly = self._history(measured, m, index.weeks, self.line.weeks, need_value=True)
        trend = self._trend(weekly)
        forecast, interval, chance = (
            forecast_at(trend, self._deadline_x, self.measure) if not line.final else (None, None, None)
        )
        budget = self._error_budget(measured, m, events, good)
        first, end = line.current
        status, why = verdict(
            Findings(
                line.not_started,
                line.final,
                achieve,
                value,
                events,
                self.min_events,
                target,
                progress,
                expected,
                goal.at_risk.tolerance,
                forecast,
                trend,
                budget,
                int(measured.events[m, index.LAST_WEEK]),
                end - first,
                self._days_to_review,
            )
        )
        pending = _optional(measured.pending, m, index.CURRENT)
        open_events = _optional(measured.open_events, m, index.CURRENT)
        return GoalResult(
            id=member.id,
            title=member.title,
            owner=member.owner,
            team=goal.team,
            metric=goal.metric,
            unit=self.spec.unit.value,
            kind=goal.kind.value,
            status=status,
            value=value,
            target=target.value,
            comparison=target.comparison,
            met=met,
            events=events,
            window_start=self._local(first),
            window_end=self._local(end),
            window=str(goal.window),
            baseline=baseline,
            progress=progress,
            expected_progress=expected,
            forecast=forecast if events else None,
            forecast_interval=interval if events else None,
            p_success=chance if events else None,
            deadline=goal.deadline,
            start=goal.start,
            reasons=tuple(self._reasons(value, events, pending, open_events, forecast, why)),
            file=goal.span.file if goal.span else None,
            line=goal.span.line if goal.span else None,
            parent=member.parent,
            tags=goal.tags,
            statistic=goal.statistic if self._has_statistic else None,
            threshold=_threshold_dict(goal),
            good=good,
            pending=pending,
            open_events=open_events,
            error_budget=budget,
            trend=None if trend is None else _trend_dict(trend),
            weekly=weekly,
            daily=self._history(measured, m, index.days, self.line.days, need_value=False),
            milestones=tuple(self.milestones),
            segment=member.segment,
            min_events=self.min_events,
            compliance=None if achieve else self._compliance(measured, m),
        )

    @property
    def _has_statistic(self) -> bool:
        return self.spec.aggregation is Aggregation.DURATION and self.goal.threshold is None

    def _local(self, day: int) -> datetime:
        return datetime.combine(day_date(day), time(), tzinfo=ZoneInfo(self.line.tz))

    def _baseline(self, measured: Measured, m: int) -> float | None:
        if self.goal.baseline is not None:
            return self.goal.baseline
        if self.line.baseline is None:
            return None
        value = _value(measured, m, self.index.BASELINE)
        enough = measured.events[m, self.index.BASELINE] >= max(self.min_events, 1)
        return value if enough else None

    def _expected_progress(self, baseline: float | None) -> float | None:
        line = self.line
        if line.start is None:
            return None
        span = line.deadline_end - line.start
        now = min(max(line.now_days - line.start, 0.0), float(span))
        points = [(0.0, 0.0)]
        target = self.measure.target.value
        if baseline is not None and target != baseline:
            for by, value in self.milestones:
                x = float(day_number(by) + 1 - line.start)
                points.append((x, (value - baseline) / (target - baseline)))
        points.append((float(span), 1.0))
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if now <= x1:
                return y0 if x1 == x0 else y0 + (y1 - y0) * (now - x0) / (x1 - x0)
        return 1.0  # pragma: no cover - now is clipped to the span

    def _history(
        self, measured: Measured, m: int, where: slice, days: tuple[int, ...], *, need_value: bool
    ) -> History:
        values = measured.value[m, where]
        events = measured.events[m, where]
        keep = ~np.isnan(values) if need_value else events != 0
        return History(np.asarray(days, dtype=np.int64)[keep], values[keep], events[keep])

    def _trend(self, weekly: History) -> Trend | None:
        judged = [p for p in weekly if p.value is not None and p.events >= max(self.min_events, 1)]
        recent = judged[-TREND_WEEKS:]
        xs = [(p.start.toordinal() + 3.5) / 7 for p in recent]
        return theil_sen(xs, [p.value for p in recent if p.value is not None])

    @cached_property
    def _deadline_x(self) -> float:
        return day_date(self.line.deadline_end).toordinal() / 7

    def _error_budget(
        self, measured: Measured, m: int, events: int, good: int | None
    ) -> ErrorBudget | None:
        if self.goal.threshold is None or events == 0 or good is None:
            return None
        share = self.goal.threshold.share
        allowed = (1 - share) * events
        bad = events - good
        consumed = bad / allowed if allowed > 0 else None
        rates = {}
        for label, column in (("1d", self.index.LAST_DAY), ("7d", self.index.LAST_WEEK)):
            recent = _value(measured, m, column)
            rates[label] = None if recent is None or share >= 1 else (1 - recent) / (1 - share)
        remaining = None if consumed is None else 1 - consumed
        return ErrorBudget(allowed, bad, consumed, remaining, rates)

    def _compliance(self, measured: Measured, m: int) -> Compliance:
        values = measured.value[m, self.index.compliance]
        events = measured.events[m, self.index.compliance]
        judged = ~np.isnan(values) & (events >= max(self.min_events, 1))
        met = sum(self.measure.met_by(float(v)) for v in values[judged])
        return Compliance(int(met), int(judged.sum()))

    @cached_property
    def _days_to_review(self) -> float:
        if self.goal.review is None:
            return 7.0
        zone = ZoneInfo(self.line.tz)
        first = datetime.combine(self.goal.start or day_date(self.line.end - 1), time())
        now = datetime.fromtimestamp(self.line.now_us / 1e6, zone).replace(tzinfo=None)
        following = rrulestr(self.goal.review, dtstart=first).after(now)
        if following is None:
            return 7.0
        return max((following - now) / timedelta(days=1), 0.0)

    def _reasons(
        self,
        value: float | None,
        events: int,
        pending: int | None,
        open_events: int | None,
        forecast: float | None,
        why: str | None,
    ) -> list[str]:
        goal, line = self.goal, self.line
        first, end = line.current
        days = end - first
        span = f"over {days} day{'s' if days != 1 else ''} to {day_date(end - 1).isoformat()}"
        if line.not_started:
            return [f"starts on {goal.start}"]
        if value is None or events < self.min_events:
            return [f"{events:,} events {span}; at least {self.min_events} needed to judge"]
        shown = self.measure.show(value)
        if goal.threshold is not None:
            what = (
                f"{shown} of {events:,} events {goal.threshold.rule} {span}; "
                f"target {shown_share(goal.threshold.share)}"
            )
        else:
            target = self.measure.target
            what = (
                f"{self.spec.title} {shown} {span} from {events:,} events; target "
                f"{target.comparison} {self.measure.show(target.value)}"
            )
        sentences = [what]
        if pending:
            sentences.append(f"{pending:,} open events still within the limit are pending")
        if open_events:
            sentences.append(f"{open_events:,} open events are not counted")
        if forecast is not None and not line.final:
            sentences.append(f"trend reaches {self.measure.show(forecast)} by {goal.deadline}")
        if why:
            sentences.append(why)
        return sentences


def _range_reduce(
    values: Floats, firsts: Ints, ends: Ints, ufunc: np.ufunc, empty: float
) -> Floats:
    """Per row of `values`, `ufunc` reduced over each day range ``[first, end)`` (sparse table)."""
    levels = [values]
    width = 1
    while width * 2 <= values.shape[1]:
        previous = levels[-1]
        levels.append(ufunc(previous[:, :-width], previous[:, width:]))
        width *= 2
    lengths = ends - firsts
    result = np.full((values.shape[0], len(firsts)), empty)
    for level, table in enumerate(levels):
        size = 1 << level
        chosen = np.flatnonzero((lengths >= size) & (lengths < size * 2))
        if len(chosen):
            left = table[:, firsts[chosen]]
            right = table[:, ends[chosen] - size]
            result[:, chosen] = ufunc(left, right)
    return result


def _value(measured: Measured, m: int, column: int) -> float | None:
    value = float(measured.value[m, column])
    return None if value != value else value


def _optional(values: Ints | None, m: int, column: int) -> int | None:
    return None if values is None else int(values[m, column])


def _progress(
    value: float | None, baseline: float | None, met: bool | None, measure: Measure
) -> float | None:
    """Achieve goals: the distance covered from baseline to target, clipped; 1 exactly when met."""
    if value is None:
        return None
    if met:
        return 1.0
    if baseline is None:
        return None
    if measure.met_by(baseline):
        return 0.0  # NOTE: no distance to cover, and the target is not met now
    share = (value - baseline) / (measure.target.value - baseline)
    return min(max(share, 0.0), 1.0)


def _threshold_dict(goal: Goal) -> dict[str, object] | None:
    if goal.threshold is None:
        return None
    return {
        "share": goal.threshold.share,
        "limit": goal.threshold.limit.value,
        "comparison": goal.threshold.comparison,
        "text": str(goal.threshold),
    }


def _trend_dict(trend: Trend) -> dict[str, float]:
    return {"slope_per_week": trend.slope, "slope_low": trend.slope_low, "slope_high": trend.slope_high}


__all__ = ["evaluate_table", "min_events"]

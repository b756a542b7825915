"""Evaluation: ``(goals, period table, as_of) -> results``. Pure: no file, clock or network access.

Goals are evaluated in *batches*: all goals (and `for_each` children) that read the same view and
series alike — the same measure shape, timeline and `min_events` — whatever their filters and
targets. For a batch, `_windows` sums the cells of each member's segments over every window the
timeline reads (current, baseline, burn rates, weekly and daily history, compliance), for all
members at once. The measure (`MetricSpec.measure`) turns the sums into values, the trend is
fitted for every member at once, and then each member's result is assembled: met, progress,
expected progress, forecast, error budget, status (`_verdict`) and reasons. Parents are rolled up
last (`_rollup`). So the cost follows the cells read, not the number of goals.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.rrule import rrulestr
from numpy.typing import NDArray

from smartgoals._calendar import AsOf, day_date, day_number
from smartgoals._forecast import TREND_WEEKS, Trend, forecast_at, theil_sen_rows
from smartgoals._measures import Measure, Measured
from smartgoals._metrics import Aggregation, MetricSpec
from smartgoals._model import Goal, GoalKind, GoalSet, milestone_values
from smartgoals._period import Cells, PeriodTable
from smartgoals._results import (
    Compliance,
    ErrorBudget,
    GoalResult,
    History,
    PeriodStarts,
    Unmatched,
)
from smartgoals._rollup import roll_up
from smartgoals._timeline import Timeline, WindowIndex, timeline
from smartgoals._units import Standard, Target
from smartgoals._verdict import Findings, verdict
from smartgoals._windows import Selection, WindowSums

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
ORDINAL_OF_EPOCH = date(1970, 1, 1).toordinal()


def min_events(goal: Goal, spec: MetricSpec) -> int:
    """The goal's `min_events`, or its default: 30 events, or 1 reading for point-in-time metrics."""
    if goal.min_events is not None:
        return goal.min_events
    return 1 if spec.aggregation is Aggregation.LAST else 30


def evaluate_table(
    goals: GoalSet,
    table: PeriodTable,
    as_of: AsOf,
    unmatched: Sequence[Unmatched] | None = None,
) -> list[GoalResult]:
    """Evaluate every goal of `goals` against `table` at `as_of`; roll team goals up.

    A goal with `for_each` is expanded into one child per value of its label found in its cells:
    id ``<goal id>/<value>``, the goal's owner (the value itself when the goal names the label as
    its owner: ``owner: agent``), its segment ``{label: value}``; the goal stays as their parent,
    with its own value from the pooled events. A goal whose filters match no row (`unmatched`,
    found here when not given) says so among its reasons.

    Raises:
        ValueError: `table` was not aggregated for these goals.
    """
    plan = table.plan
    if plan is None:
        raise ValueError("the period table has no plan: build it with smartgoals' aggregation")
    batches: dict[tuple[Any, ...], _Batch] = {}
    order: list[str] = []
    weights: dict[str, float] = {}
    hints: dict[str, list[str]] = {}
    for finding in unmatched_filters(goals, table) if unmatched is None else unmatched:
        hints.setdefault(finding.goal, []).append(finding.sentence)
    for goal in goals:
        if goal.id not in plan.goal_views:
            raise ValueError(f"the period table was not aggregated for goal {goal.id!r}")
        spec = goals.metrics[goal.metric]
        measure = goal.measure(spec)
        line = timeline(goal, as_of)
        view = plan.goal_views[goal.id]
        key = (view, spec.inputs, _shape(measure), line, min_events(goal, spec), goal.calendar)
        batch = batches.get(key)
        if batch is None:
            cells = [table.cells(view, series) for series in spec.inputs]
            batch = batches[key] = _Batch(
                spec, line, cells, min_events(goal, spec), measure, goal.calendar
            )
        order.append(goal.id)
        weights[goal.id] = goal.weight
        batch.add(goal, measure)
        if goal.for_each is not None:
            for child in batch.add_children(goal, measure, goal.for_each):
                order.append(child)
                weights[child] = goal.weight
    results: dict[str, GoalResult] = {}
    ready = [batch for batch in batches.values() if batch.members]
    points = [batch.measure_windows() for batch in ready]
    # NOTE: the trends of every batch in one call: its cost is mostly per call, not per goal
    trends = theil_sen_rows(*map(np.concatenate, zip(*points, strict=True))) if ready else []
    first = 0
    for batch in ready:
        size = len(batch.members)
        results.update((r.id, r) for r in batch.results(trends[first : first + size]))
        first += size
    for goal_id, sentences in hints.items():
        result = results[goal_id]
        results[goal_id] = dataclasses.replace(result, reasons=(*result.reasons, *sentences))
    return roll_up([results[i] for i in order], weights)


def unmatched_filters(goals: GoalSet, table: PeriodTable) -> list[Unmatched]:
    """The `where` values, and the `for_each` labels, that no row of a goal's data has.

    Each finding names the values the data has instead, with a close one as a suggestion (a value
    differing only in case, else a near spelling): ``where: {channel: Web}`` on data with ``web``.
    """
    plan = table.plan
    assert plan is not None
    seen_in = cache(table.seen)  # NOTE: goals of one team share their views and labels
    found = []
    for goal in goals:
        view, series = plan.goal_views[goal.id], goals.metrics[goal.metric].inputs[0]
        for label, wanted in goal.where.items():
            seen = seen_in(view, series, label)
            for value in [wanted] if isinstance(wanted, str) else wanted:
                if value not in seen:
                    found.append(
                        Unmatched(goal.id, label, value, _by_rows(seen), _close(value, seen))
                    )
        if goal.for_each is not None and not seen_in(view, series, goal.for_each):
            found.append(Unmatched(goal.id, goal.for_each, None, ()))
    return found


def _by_rows(seen: dict[str, int]) -> tuple[str, ...]:
    return tuple(sorted(seen, key=lambda v: (-seen[v], v)))


def _close(value: str, seen: dict[str, int]) -> str | None:
    """A seen value differing from `value` only in case, else the closest spelling, if any."""
    import difflib

    same = [v for v in _by_rows(seen) if v.casefold() == value.casefold()]
    if same:
        return same[0]
    close = difflib.get_close_matches(value, list(seen), n=1, cutoff=0.7)
    return close[0] if close else None


def _shape(measure: Measure) -> tuple[Any, ...]:
    """What decides how a measure reads its events (its target does not)."""
    return (
        type(measure),
        measure.series,
        measure.conditions,
        measure.expiry,
        measure.quantile_q,
        measure.last,
    )


_NOT_IN_SLUG = re.compile(r"[^a-z0-9_.@-]+")


@lru_cache(maxsize=1 << 16)  # NOTE: the same agents recur in every for_each goal
def _slug(value: str) -> str:
    return _NOT_IN_SLUG.sub("-", value.lower()).strip("-") or "none"


@dataclass(frozen=True)
class _Written:
    """What a goal's results take from the goal as written (shared by for_each children)."""

    file: str | None
    line: int | None
    threshold: dict[str, object] | None
    statistic: str | None
    window: str
    window_start: datetime
    window_end: datetime
    milestones: tuple[tuple[date, float], ...]


@dataclass(slots=True)  # NOTE: not frozen, which costs a setattr call per field and child
class _Member:
    """One goal of a batch: a goal as written, or one child of a for_each goal."""

    goal: Goal
    measure: Measure
    written: _Written
    id: str
    owner: str
    title: str | None
    parent: str | None
    segment: dict[str, str] | None


@dataclass
class _Batch:
    """Goals that read the same cells alike; evaluated together."""

    spec: MetricSpec
    line: Timeline
    cells: list[Cells | None]
    min_events: int
    measure: Measure
    calendar: str | None
    members: list[_Member] = field(default_factory=list)
    selection: Selection = field(default_factory=Selection)

    def __post_init__(self) -> None:
        self.index = WindowIndex.of(self.line)
        self._written_fields: dict[str, dict[str, Any]] = {}

    def _written(self, goal: Goal, measure: Measure) -> _Written:
        first, end = self.line.current
        span = goal.span
        return _Written(
            span.file if span else None,
            span.line if span else None,
            None if measure.standard is None else _standard_dict(measure.standard),
            measure.statistic,
            str(goal.window),
            self._local(first),
            self._local(end),
            tuple(milestone_values(goal, {goal.metric: self.spec})),
        )

    def add(self, goal: Goal, measure: Measure) -> None:
        """Add a goal as written."""
        self.selection.add(goal.where)
        written = self._written(goal, measure)
        self.members.append(
            _Member(
                goal,
                measure,
                written,
                goal.id,
                # NOTE: a for_each goal owned by its label ("owner: agent") is owned by each child
                f"each {goal.owner}"
                if goal.for_each and goal.owner == goal.for_each
                else goal.owner,
                goal.title,
                goal.parent,
                goal.segment,
            )
        )

    def add_children(self, goal: Goal, measure: Measure, label: str) -> list[str]:
        """Add one child of `goal` per value of `label` in its cells; return their ids."""
        main = self.cells[0]
        values = [] if main is None else main.values_of(label, main.matching(goal.where))
        written = self.members[-1].written
        first = len(self.members)
        for value in values:
            self.members.append(
                _Member(
                    goal,
                    measure,
                    written,
                    f"{goal.id}/{_slug(value)}",
                    value if goal.owner == label else goal.owner,
                    f"{goal.title or goal.id}: {value}",
                    goal.id,
                    {label: value},
                )
            )
        self.selection.add_family(goal.where, label, values)
        return [m.id for m in self.members[first:]]

    # -- one result per member -----------------------------------------------------------------

    def measure_windows(self) -> tuple[Floats, Floats]:
        """Sum and measure every member's windows; return the points of their trends.

        The points are each member's last judged weeks, for `theil_sen_rows`: ``(xs, ys)``.
        """
        sums = WindowSums(self.line, self.selection, self.measure, self.calendar)
        self._measured = measured = self.measure.evaluate(sums.totals(self.cells))
        weeks = self.index.weeks
        days = np.asarray(self.line.weeks, dtype=np.int64)
        values, events = measured.value[:, weeks], measured.events[:, weeks]
        judged = ~np.isnan(values) & (events >= max(self.min_events, 1))
        rank = np.cumsum(judged[:, ::-1], axis=1)[:, ::-1]  # NOTE: 1 for the last judged week
        chosen = judged & (rank <= TREND_WEEKS)
        rows, columns = np.nonzero(chosen)
        slots = TREND_WEEKS - rank[rows, columns]
        xs = np.full((len(values), TREND_WEEKS), np.nan)
        ys = np.full((len(values), TREND_WEEKS), np.nan)
        xs[rows, slots] = (days[columns] + ORDINAL_OF_EPOCH + 3.5) / 7
        ys[rows, slots] = values[rows, columns]
        return xs, ys

    def results(self, trends: Sequence[Trend | None]) -> list[GoalResult]:
        """The result of every member, after `measure_windows`, with the trends of its points."""
        measured, index = self._measured, self.index
        weekly_days = np.asarray(self.line.weeks, dtype=np.int64)
        weekly_values = measured.value[:, index.weeks]
        weekly_events = measured.events[:, index.weeks]
        compliance = self._compliance(measured)
        daily_days = np.asarray(self.line.days, dtype=np.int64)
        daily_values, daily_events = measured.value[:, index.days], measured.events[:, index.days]
        has_value, has_events = ~np.isnan(weekly_values), daily_events != 0
        columns = _Columns.of(measured, index)
        weeks, days = PeriodStarts(weekly_days), PeriodStarts(daily_days)
        return [
            self._result(
                m,
                member,
                columns,
                trends[m],
                compliance[m],
                History(weeks, weekly_values[m], weekly_events[m], has_value[m]),
                History(days, daily_values[m], daily_events[m], has_events[m]),
            )
            for m, member in enumerate(self.members)
        ]

    def _compliance(self, measured: Measured) -> list[Compliance | None]:
        values = measured.value[:, self.index.compliance]
        events = measured.events[:, self.index.compliance]
        judged = ~np.isnan(values) & (events >= max(self.min_events, 1))
        met = np.zeros_like(judged)
        for target, rows in _by_target(self.members).items():
            met[rows] = judged[rows] & target.met_by(values[rows])
        weeks, held = judged.sum(axis=1).tolist(), met.sum(axis=1).tolist()
        shared: dict[tuple[int, int], Compliance] = {}  # NOTE: immutable, and few are distinct
        return [
            None
            if m.goal.kind is GoalKind.ACHIEVE
            else shared.get(pair) or shared.setdefault(pair, Compliance(*pair))
            for m, pair in zip(self.members, zip(held, weeks, strict=True), strict=True)
        ]

    def _result(
        self,
        m: int,
        member: _Member,
        columns: _Columns,
        trend: Trend | None,
        compliance: Compliance | None,
        weekly: History,
        daily: History,
    ) -> GoalResult:
        goal, line, measure = member.goal, self.line, member.measure
        value, events, good = columns.value[m], columns.events[m], columns.good[m]
        baseline = self._baseline(member, columns, m)
        target = measure.target
        met = None if value is None else target.met_by(value)
        achieve = goal.kind is GoalKind.ACHIEVE
        progress = _progress(value, baseline, met, measure) if achieve else None
        expected = self._expected_progress(member, baseline) if achieve else None
        forecast, interval, chance = (None, None, None)
        if not line.final:
            forecast, interval, chance = forecast_at(trend, self._deadline_x, measure)
        budget = self._error_budget(measure.standard, columns, m, events, good)
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
                columns.last_week_events[m],
                end - first,
                self._days_to_review(goal),
            )
        )
        pending, open_events = columns.pending[m], columns.open_events[m]
        return GoalResult._built(
            **self._as_written(member),
            id=member.id,
            title=member.title,
            owner=member.owner,
            status=status,
            value=value,
            met=met,
            events=events,
            baseline=baseline,
            progress=progress,
            expected_progress=expected,
            forecast=forecast if events else None,
            forecast_interval=interval if events else None,
            p_success=chance if events else None,
            reasons=tuple(
                self._reasons(member, value, events, pending, open_events, forecast, why)
            ),
            parent=member.parent,
            good=good,
            pending=pending,
            open_events=open_events,
            error_budget=budget,
            trend=None if trend is None else _trend_dict(trend),
            weekly=weekly,
            daily=daily,
            segment=member.segment,
            compliance=compliance,
        )

    def _as_written(self, member: _Member) -> dict[str, Any]:
        """The fields of a result that its goal as written decides (shared by for_each children)."""
        found = self._written_fields.get(member.goal.id)
        if found is None:
            goal, written, target = member.goal, member.written, member.measure.target
            found = self._written_fields[goal.id] = {
                "team": goal.team,
                "metric": goal.metric,
                "unit": self.spec.unit.value,
                "kind": goal.kind.value,
                "target": target.value,
                "comparison": target.comparison,
                "window_start": written.window_start,
                "window_end": written.window_end,
                "window": written.window,
                "deadline": goal.deadline,
                "start": goal.start,
                "file": written.file,
                "line": written.line,
                "tags": goal.tags,
                "statistic": written.statistic,
                "threshold": written.threshold,
                "milestones": written.milestones,
                "min_events": self.min_events,
            }
        return found

    def _local(self, day: int) -> datetime:
        return datetime.combine(day_date(day), time(), tzinfo=ZoneInfo(self.line.tz))

    def _baseline(self, member: _Member, columns: _Columns, m: int) -> float | None:
        if member.goal.baseline is not None:
            return member.goal.baseline
        if self.line.baseline is None:
            return None
        enough = columns.baseline_events[m] >= max(self.min_events, 1)
        return columns.baseline[m] if enough else None

    def _expected_progress(self, member: _Member, baseline: float | None) -> float | None:
        line = self.line
        if line.start is None:
            return None
        target = member.measure.target.value
        milestones = member.written.milestones
        if baseline is None or target == baseline or not milestones:
            return self._straight_progress  # NOTE: the same for every member of the batch
        return self._along(
            [
                (float(day_number(by) + 1 - line.start), (value - baseline) / (target - baseline))
                for by, value in milestones
            ]
        )

    @cached_property
    def _span(self) -> str:
        """The judged window in words, the same for every member: ``over 28 days to 2026-11-22``."""
        first, end = self.line.current
        days = end - first
        return f"over {days} day{'s' if days != 1 else ''} to {day_date(end - 1).isoformat()}"

    @cached_property
    def _straight_progress(self) -> float:
        """The expected progress on a straight path from start to deadline."""
        return self._along([])

    def _along(self, milestones: list[tuple[float, float]]) -> float:
        """The progress expected at as_of on the path from (0, 0) to (span, 1) via `milestones`.

        Points are (days from the start, share of the distance from baseline to target).
        """
        line = self.line
        assert line.start is not None
        span = float(line.deadline_end - line.start)
        now = min(max(line.now_days - line.start, 0.0), span)
        points = [(0.0, 0.0), *milestones, (span, 1.0)]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if now <= x1:
                return y0 if x1 == x0 else y0 + (y1 - y0) * (now - x0) / (x1 - x0)
        return 1.0  # pragma: no cover - now is clipped to the span

    @cached_property
    def _deadline_x(self) -> float:
        return day_date(self.line.deadline_end).toordinal() / 7

    def _error_budget(
        self, standard: Standard | None, columns: _Columns, m: int, events: int, good: int | None
    ) -> ErrorBudget | None:
        if standard is None or events == 0 or good is None:
            return None
        share = standard.share
        allowed = (1 - share) * events
        bad = events - good
        consumed = bad / allowed if allowed > 0 else None
        rates = {}
        for label, recent in (("1d", columns.last_day[m]), ("7d", columns.last_week[m])):
            rates[label] = None if recent is None or share >= 1 else (1 - recent) / (1 - share)
        remaining = None if consumed is None else 1 - consumed
        return ErrorBudget(allowed, bad, consumed, remaining, rates)

    def _days_to_review(self, goal: Goal) -> float:
        if goal.review is None:
            return 7.0
        return _days_to_review(
            goal.review, goal.start, self.line.end, self.line.now_us, self.line.tz
        )

    def _reasons(
        self,
        member: _Member,
        value: float | None,
        events: int,
        pending: int | None,
        open_events: int | None,
        forecast: float | None,
        why: str | None,
    ) -> list[str]:
        goal, line, measure, span = member.goal, self.line, member.measure, self._span
        if line.not_started:
            return [f"starts on {goal.start}"]
        if value is None or events < self.min_events:
            return [f"{events:,} events {span}; at least {self.min_events} needed to judge"]
        sentences = [measure.describe(value, events, span, self.spec.title)]
        if pending:
            sentences.append(f"{pending:,} open events still within the limit are pending")
        if open_events:
            sentences.append(f"{open_events:,} open events are not counted")
        if forecast is not None and not line.final:
            sentences.append(f"trend reaches {measure.show(forecast)} by {goal.deadline}")
        if why:
            sentences.append(why)
        return sentences


_REVIEWS: dict[tuple[str, date | None, int, int, str], float] = {}


def _days_to_review(rule: str, start: date | None, end: int, now_us: int, tz: str) -> float:
    """Days from as_of to the next check-in of an RRULE expanded from the goal's start."""
    key = (rule, start, end, now_us, tz)
    if key not in _REVIEWS:
        zone = ZoneInfo(tz)
        first = datetime.combine(start or day_date(end - 1), time())
        now = datetime.fromtimestamp(now_us / 1e6, zone).replace(tzinfo=None)
        following = rrulestr(rule, dtstart=first).after(now)
        days = 7.0 if following is None else max((following - now) / timedelta(days=1), 0.0)
        _REVIEWS[key] = days
    return _REVIEWS[key]


def _by_target(members: list[_Member]) -> dict[Target, Ints]:
    """The members of each target (a for_each family shares one)."""
    rows: dict[Target, list[int]] = {}
    for m, member in enumerate(members):
        rows.setdefault(member.measure.target, []).append(m)
    return {target: np.array(chosen) for target, chosen in rows.items()}


@dataclass(frozen=True)
class _Columns:
    """The windows every member's result reads, as plain Python values (None: no value)."""

    value: list[float | None]
    events: list[int]
    good: list[int | None]
    pending: list[int | None]
    open_events: list[int | None]
    baseline: list[float | None]
    baseline_events: list[int]
    last_day: list[float | None]
    last_week: list[float | None]
    last_week_events: list[int]

    @classmethod
    def of(cls, measured: Measured, index: WindowIndex) -> _Columns:
        """The columns of `measured`."""

        def values(column: int) -> list[float | None]:
            return [None if v != v else v for v in measured.value[:, column].tolist()]

        def counts(array: Ints | None, column: int) -> list[int | None]:
            if array is None:
                return [None] * len(measured.value)
            return list(array[:, column].tolist())

        return cls(
            values(index.CURRENT),
            measured.events[:, index.CURRENT].tolist(),
            counts(measured.good, index.CURRENT),
            counts(measured.pending, index.CURRENT),
            counts(measured.open_events, index.CURRENT),
            values(index.BASELINE),
            measured.events[:, index.BASELINE].tolist(),
            values(index.LAST_DAY),
            values(index.LAST_WEEK),
            measured.events[:, index.LAST_WEEK].tolist(),
        )


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


def _standard_dict(standard: Standard) -> dict[str, object]:
    return {
        "share": standard.share,
        "limit": standard.limit.value,
        "comparison": standard.comparison,
        "text": str(standard),
    }


def _trend_dict(trend: Trend) -> dict[str, float]:
    return {
        "slope_per_week": trend.slope,
        "slope_low": trend.slope_low,
        "slope_high": trend.slope_high,
    }


__all__ = ["evaluate_table", "min_events", "unmatched_filters"]

"""The only code that touches raw events: one narwhals group-by per source, into a `PeriodTable`.

The input is a *normalized* frame (see `_sources`): ``_us`` (event instant, epoch microseconds UTC, or
null when the timestamp could not be read), ``metric``, ``value`` (float or null), ``_w`` (the row's
weight: its ``count``, 1 without one), ``_reject`` (a reason found while reading, or null), ``_naive``
(1 when the timestamp carried no offset) and the label columns. Everything below is written once
against narwhals, so it runs in the engine that holds the data; only the small table comes back.

One pass serves every goal: the group-by key is series × labels × local day (per time zone) ×
``_event`` (the instant of an open duration event or of a point-in-time reading, else null) ×
``_bucket`` (histogram bucket, only for series with quantile goals) × ``_why`` (the reason a row was
rejected, else null). Rejected rows are counted in the same pass, so nothing is dropped unseen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw

from smartgoals._calendar import US_PER_DAY, Offsets, day_number, offsets_between
from smartgoals._evaluate import AsOf, as_of_end_day, as_of_us
from smartgoals._metrics import Aggregation, MetricSpec
from smartgoals._model import Goal, GoalSet
from smartgoals._period import (
    MAX_OCTAVE,
    MIN_OCTAVE,
    OVERFLOW_BUCKET,
    SUB_BUCKETS,
    UNDERFLOW_BUCKET,
    ZERO_BUCKET,
    CellKey,
    Condition,
    PeriodTable,
    Stats,
)
from smartgoals._sources import utc_offset

REASON_TIMESTAMP = "timestamp missing or unreadable"
REASON_METRIC = "unknown metric"
REASON_NOT_FINITE = "value is NaN or infinite"
REASON_NEGATIVE = "negative duration"
REASON_RANGE = "value outside the metric's range"
REASON_COUNT = "count is not a non-negative number"
LOOKBACK_DAYS = 400


Filter = tuple[tuple[str, tuple[str, ...]], ...]  # a goal's `where`: (label, allowed values)


@dataclass(frozen=True)
class SeriesPlan:
    """What to aggregate for one data series (a value of the ``metric`` column).

    Attributes:
        name: the series.
        conditions: the (comparison, limit) pairs whose good counts some goal needs.
        labels: the labels some goal on this series filters or expands by (others are not kept).
        filters: the goals' filters; a row is kept when it matches any (an empty one matches all).
        histogram: the filters of quantile goals; buckets are computed for rows matching any.
        open_events: an empty value is an open event whose creation instant is kept.
        last: a point-in-time series whose readings keep their instants.
        event_range: the possible values of one event (others are rejected).
    """

    name: str
    conditions: tuple[Condition, ...] = ()
    labels: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ((),)
    histogram: tuple[Filter, ...] = ()
    open_events: bool = False
    last: bool = False
    event_range: tuple[float, float] = (-math.inf, math.inf)


@dataclass(frozen=True)
class Plan:
    """Everything the one pass must compute, derived from the goals.

    Attributes:
        series: per data series used by some goal, what to aggregate.
        known: every series name of the catalog (others are rejected as unknown metrics).
        offsets: per time zone in use, its UTC offsets over the span.
        first_us: events before this instant are out of every window and skipped.
        end_us: events at or after this instant (the latest as-of) are skipped.
    """

    series: dict[str, SeriesPlan]
    known: frozenset[str]
    offsets: tuple[Offsets, ...]
    first_us: int
    end_us: int

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label column some goal uses."""
        return tuple(sorted({label for s in self.series.values() for label in s.labels}))


@dataclass
class _Needs:
    conditions: set[Condition] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    filters: set[Filter] = field(default_factory=set)
    histogram: set[Filter] = field(default_factory=set)
    specs: list[MetricSpec] = field(default_factory=list)


def _filter_of(goal: Goal) -> Filter:
    return tuple(
        sorted(
            (label, (v,) if isinstance(v, str) else tuple(sorted(v)))
            for label, v in goal.where.items()
        )
    )


def build_plan(goals: GoalSet, as_of: AsOf, data_timezone: str) -> Plan:
    """The single aggregation pass that serves every goal of `goals` at `as_of`."""
    needs: dict[str, _Needs] = {}
    for goal in goals:
        spec = goals.metrics[goal.metric]
        for series in spec.inputs:
            need = needs.setdefault(series, _Needs())
            need.specs.append(spec)
            need.labels |= set(goal.where) | ({goal.for_each} if goal.for_each else set())
            need.filters.add(_filter_of(goal))
            need.conditions |= _conditions(goal, spec)
            if (
                spec.aggregation is Aggregation.DURATION
                and goal.threshold is None
                and goal.statistic != "mean"
            ):
                need.histogram.add(_filter_of(goal))
    plans = {name: _series_plan(name, need) for name, need in needs.items()}
    zones = sorted({goal.timezone for goal in goals}) or [data_timezone]
    ends = [as_of_end_day(as_of, g.timezone) for g in goals] or [
        as_of_end_day(as_of, data_timezone)
    ]
    starts = [
        min(day_number(g.start) if g.start else e, e) for g, e in zip(goals, ends, strict=True)
    ]
    first_day, last_day = min(starts or ends) - LOOKBACK_DAYS, max(ends) + 1
    offsets = tuple(offsets_between(z, first_day - 2, last_day + 2) for z in zones)
    end_us = max(
        (as_of_us(as_of, goal.timezone) for goal in goals), default=as_of_us(as_of, data_timezone)
    )
    known = frozenset(s for spec in goals.metrics.values() for s in spec.inputs)
    return Plan(plans, known, offsets, (first_day - 2) * US_PER_DAY, end_us)


def _conditions(goal: Goal, spec: MetricSpec) -> set[Condition]:
    if goal.threshold is not None:
        return {(goal.threshold.comparison, goal.threshold.limit.value)}
    if spec.aggregation is Aggregation.SHARE_AT_LEAST and spec.good_from is not None:
        return {(">=", float(spec.good_from))}
    if spec.aggregation is Aggregation.NPS:
        return {(">=", 9.0), ("<=", 6.0)}
    return set()


def _series_plan(name: str, need: _Needs) -> SeriesPlan:
    kinds = {spec.aggregation for spec in need.specs}
    low = max(spec.event_range[0] for spec in need.specs)
    high = min(spec.event_range[1] for spec in need.specs)
    filters = ((),) if () in need.filters else tuple(sorted(need.filters))
    histogram = ((),) if () in need.histogram else tuple(sorted(need.histogram))
    return SeriesPlan(
        name,
        tuple(sorted(need.conditions)),
        tuple(sorted(need.labels)),
        filters,
        histogram,
        open_events=Aggregation.DURATION in kinds,
        last=Aggregation.LAST in kinds,
        event_range=(low, high),
    )


def _isin(column: str, values: Sequence[str]) -> nw.Expr:
    return nw.col(column).is_in(list(values)) if values else nw.lit(value=False)


def _reason(plan: Plan) -> nw.Expr:
    """Why a row cannot be used (the first rule that applies), or null."""
    value, weight = nw.col("value"), nw.col("_w")
    duration = [s.name for s in plan.series.values() if s.open_events]
    rules = [
        (~nw.col("_reject").is_null(), nw.col("_reject")),
        (nw.col("_us").is_null(), nw.lit(REASON_TIMESTAMP)),
        (~_isin("metric", sorted(plan.known)), nw.lit(REASON_METRIC)),
        # NOTE: pandas writes a missing value as NaN (is_null is true for it), so only a NaN that
        # is not null is rejected; engines with real nulls keep the two apart.
        (
            ~value.is_null() & (value.is_nan() | (value.abs() == math.inf)).fill_null(value=False),
            nw.lit(REASON_NOT_FINITE),
        ),
        (_isin("metric", duration) & (value < 0).fill_null(value=False), nw.lit(REASON_NEGATIVE)),
        (_out_of_range(plan), nw.lit(REASON_RANGE)),
        (weight.is_null() | (weight < 0).fill_null(value=False), nw.lit(REASON_COUNT)),
    ]
    expr: nw.Expr = nw.lit(None, dtype=nw.String())
    for condition, reason in reversed(rules):
        expr = nw.when(condition).then(reason).otherwise(expr)
    return expr


def _out_of_range(plan: Plan) -> nw.Expr:
    expr: nw.Expr = nw.lit(value=False)
    for series in plan.series.values():
        low, high = series.event_range
        if math.isfinite(low) or math.isfinite(high):
            value = nw.col("value")
            outside = (value < low) | (value > high)
            expr = expr | ((nw.col("metric") == series.name) & outside.fill_null(value=False))
    return expr


def _local_day(offsets: Offsets) -> nw.Expr:
    us = nw.col("_us")
    return (us + utc_offset(offsets, us)) // US_PER_DAY


def _bucket() -> nw.Expr:
    """The expression of `bucket_of`: comparisons with powers of two, one exact multiplication."""
    value = nw.col("value")
    expr: nw.Expr = nw.lit(OVERFLOW_BUCKET)
    for octave in range(MAX_OCTAVE, MIN_OCTAVE - 1, -1):
        index = (value * 2.0 ** (6 - octave)).floor() + (octave * SUB_BUCKETS - SUB_BUCKETS)
        expr = nw.when(value < 2.0 ** (octave + 1)).then(index).otherwise(expr)
    expr = nw.when(value < 2.0**MIN_OCTAVE).then(nw.lit(UNDERFLOW_BUCKET)).otherwise(expr)
    return nw.when(value <= 0).then(nw.lit(ZERO_BUCKET)).otherwise(expr)


def _matches(filters: tuple[Filter, ...]) -> nw.Expr:
    """Rows matching any of `filters` (an empty filter matches every row)."""
    if () in filters:
        return nw.lit(value=True)
    expr: nw.Expr = nw.lit(value=False)
    for where in filters:
        test: nw.Expr = nw.lit(value=True)
        for label, values in where:
            test = test & nw.col(label).is_in(list(values)).fill_null(value=False)
        expr = expr | test
    return expr


def _per_series(plan: Plan, part: Callable[[SeriesPlan], tuple[Filter, ...]]) -> nw.Expr:
    """Rows of some series that match that series' filters chosen by `part`."""
    expr: nw.Expr = nw.lit(value=False)
    for series in plan.series.values():
        filters = part(series)
        if filters:
            expr = expr | ((nw.col("metric") == series.name) & _matches(filters))
    return expr


def _condition_expr(series: str, condition: Condition) -> nw.Expr:
    comparison, limit = condition
    value = nw.col("value")
    test = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[comparison]
    return (nw.col("metric") == series) & test.fill_null(value=False)


def aggregate(frame: Any, plan: Plan, source: str) -> PeriodTable:
    """Aggregate a normalized frame (any narwhals-supported engine) into a `PeriodTable`."""
    lf = _as_known_at_as_of(nw.from_native(frame).lazy(), plan)
    ok = nw.col("_why").is_null()
    value = nw.col("value")
    answered = ok & ~value.is_null()
    in_span = (nw.col("_us") >= plan.first_us) & (nw.col("_us") < plan.end_us)
    open_series = sorted(s.name for s in plan.series.values() if s.open_events)
    last_series = sorted(s.name for s in plan.series.values() if s.last)
    conditions = [(s.name, c) for s in plan.series.values() for c in s.conditions]

    lf = lf.with_columns(_why=_reason(plan))
    lf = lf.filter(~ok | (in_span & _per_series(plan, lambda s: s.filters)))
    keep_event = ok & (
        (_isin("metric", open_series) & value.is_null()) | _isin("metric", last_series)
    )
    columns: dict[str, nw.Expr] = {
        "_event": nw.when(keep_event)
        .then(nw.col("_us").cast(nw.Float64()))
        .otherwise(nw.lit(None, dtype=nw.Float64())),  # NOTE: µs < 2**53 until 2255: exact
        "_bucket": nw.when(answered & _per_series(plan, lambda s: s.histogram))
        .then(_bucket())
        .otherwise(nw.lit(None, dtype=nw.Float64())),
        "_n": nw.when(answered).then(nw.col("_w")).otherwise(nw.lit(0.0)),
        "_s": nw.when(answered).then(value * nw.col("_w")).otherwise(nw.lit(0.0)),
        "_s2": nw.when(answered).then(value * value * nw.col("_w")).otherwise(nw.lit(0.0)),
        "_v": nw.when(answered).then(value).otherwise(nw.lit(None, dtype=nw.Float64())),
        "_rows": nw.when(ok).then(nw.col("_w")).otherwise(nw.lit(1.0)),
        "_timed": nw.when(nw.col("_us").is_null()).then(nw.lit(0)).otherwise(nw.lit(1)),
    }
    for i, offsets in enumerate(plan.offsets):
        columns[f"_day{i}"] = nw.when(ok).then(_local_day(offsets)).otherwise(nw.lit(None))
    for i, (series, condition) in enumerate(conditions):
        columns[f"_good{i}"] = (
            nw.when(answered & _condition_expr(series, condition))
            .then(nw.col("_w"))
            .otherwise(nw.lit(0.0))
        )
    for label in plan.labels:
        # NOTE: a label is kept only for the series some goal filters by it, so that labels
        # other series do not need never multiply their groups.
        using = sorted(s.name for s in plan.series.values() if label in s.labels)
        columns[label] = (
            nw.when(ok & _isin("metric", using))
            .then(nw.col(label))
            .otherwise(nw.lit(None, dtype=nw.String()))
        )
    lf = lf.with_columns(**columns)
    keys = [
        "metric",
        *plan.labels,
        *(f"_day{i}" for i in range(len(plan.offsets))),
        "_event",
        "_bucket",
        "_why",
    ]
    aggs = [
        nw.col("_rows").sum(),
        nw.col("_n").sum(),
        nw.col("_s").sum(),
        nw.col("_s2").sum(),
        nw.col("_v").min().alias("_min"),
        nw.col("_v").max().alias("_max"),
        nw.col("_naive").sum(),
        nw.col("_timed").sum(),
        *(nw.col(f"_good{i}").sum() for i in range(len(conditions))),
    ]
    grouped = lf.group_by(*keys, drop_null_keys=False).agg(*aggs)
    return _to_table(_columns(grouped), plan, conditions, source)


def _as_known_at_as_of(lf: nw.LazyFrame[Any], plan: Plan) -> nw.LazyFrame[Any]:
    """Empty the value of a duration event that ended after as_of: it was still open then."""
    duration = [s.name for s in plan.series.values() if s.open_events]
    value = nw.col("value")
    late = (
        _isin("metric", duration)
        & (value >= 0)
        & (value < math.inf)
        & (nw.col("_us").cast(nw.Float64()) + value * 1_000_000 > plan.end_us)
    ).fill_null(value=False)
    return lf.with_columns(
        value=nw.when(late).then(nw.lit(None, dtype=nw.Float64())).otherwise(value)
    )


def _columns(grouped: nw.LazyFrame[Any]) -> dict[str, list[Any]]:
    """The (small) grouped result as Python lists, column by column."""
    if grouped.implementation is nw.Implementation.DUCKDB:
        # NOTE: narwhals collects DuckDB results through PyArrow, which the embedded engine must
        # not require; the grouped table is small, so plain Python rows serve.
        relation = grouped.to_native()
        rows = relation.fetchall()
        return {name: [row[i] for row in rows] for i, name in enumerate(relation.columns)}
    return grouped.collect().to_dict(as_series=False)


def _number(value: Any) -> float | None:
    if value is None or value != value:  # NOTE: value != value is the fast NaN test
        return None
    return float(value)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _to_table(
    columns: dict[str, list[Any]],
    plan: Plan,
    conditions: list[tuple[str, Condition]],
    source: str,
) -> PeriodTable:
    """Fold the grouped rows into cells (rows of one cell differ only in event or bucket)."""
    table = PeriodTable(
        tuple(o.tz for o in plan.offsets), {s.name: s.conditions for s in plan.series.values()}
    )
    day_columns = [columns[f"_day{j}"] for j in range(len(plan.offsets))]
    label_columns = [(label, columns[label]) for label in plan.labels]
    goods = [
        (series, condition, columns[f"_good{i}"])
        for i, (series, condition) in enumerate(conditions)
    ]
    rows, n, total, total_sq = columns["_rows"], columns["_n"], columns["_s"], columns["_s2"]
    low, high, event, bucket = (
        columns["_min"],
        columns["_max"],
        columns["_event"],
        columns["_bucket"],
    )
    table.naive_timestamps = int(sum(_number(v) or 0 for v in columns["_naive"]))
    table.timed_rows = int(sum(_number(v) or 0 for v in columns["_timed"]))
    for i, (series, why) in enumerate(zip(columns["metric"], columns["_why"], strict=True)):
        if _text(why) is not None:
            reason = f"{why} ({series})" if why in (REASON_RANGE, REASON_NEGATIVE) else str(why)
            table.rejected[(source, reason)] = table.rejected.get((source, reason), 0) + int(
                rows[i]
            )
            continue
        key = CellKey(
            series,
            tuple((label, _text(values[i])) for label, values in label_columns),
            tuple(int(days[i]) for days in day_columns),
        )
        stats = table.cells.get(key)
        if stats is None:
            stats = table.cells[key] = Stats()
        answered = _number(n[i]) or 0.0
        stats.rows += _number(rows[i]) or 0.0
        stats.n += answered
        stats.sum += _number(total[i]) or 0.0
        stats.sum_sq += _number(total_sq[i]) or 0.0
        smallest, largest = _number(low[i]), _number(high[i])
        if smallest is not None and largest is not None:
            stats.min, stats.max = min(stats.min, smallest), max(stats.max, largest)
        for name, condition, values in goods:
            if name == series:
                stats.good[condition] = stats.good.get(condition, 0.0) + (_number(values[i]) or 0.0)
        where = _number(bucket[i])
        if where is not None:
            stats.hist[int(where)] = stats.hist.get(int(where), 0.0) + answered
        instant = _number(event[i])
        if instant is not None:
            _add_event(stats, plan.series[series], int(instant), answered, largest, rows[i])
    return table


def _add_event(
    stats: Stats, series: SeriesPlan, instant: int, answered: float, value: float | None, rows: Any
) -> None:
    """Keep an open event's creation instant, or a reading's instant and value."""
    if series.last and answered > 0 and value is not None:
        reading = (instant, value)
        if stats.last is None or reading > stats.last:
            stats.last = reading
    elif series.open_events and answered == 0:
        stats.open[instant] = stats.open.get(instant, 0.0) + (_number(rows) or 0.0)


__all__ = ["LOOKBACK_DAYS", "Plan", "SeriesPlan", "aggregate", "build_plan"]

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw

from smartgoals._calendar import US_PER_DAY, Offsets
from smartgoals._metrics import Aggregation, MetricSpec
from smartgoals._period import (
    MAX_DECADE,
    MIN_DECADE,
    OVERFLOW_BUCKET,
    UNDERFLOW_BUCKET,
    ZERO_BUCKET,
    CellKey,
    Condition,
    PeriodTable,
    Stats,
)

REASON_TIMESTAMP = "timestamp missing or unreadable"
REASON_METRIC = "unknown metric"
REASON_NOT_FINITE = "value is NaN or infinite"
REASON_NEGATIVE = "negative duration"
REASON_RANGE = "value outside the metric's range"
REASON_COUNT = "count is not a non-negative number"


@dataclass(frozen=True)
class SeriesPlan:
    """What to aggregate for one data series (a value of the ``metric`` column)."""

    name: str
    conditions: tuple[Condition, ...] = ()
    histogram: bool = False
    events: bool = False  # keep the instant of open events (durations) or readings (last)
    open_events: bool = False
    last: bool = False
    event_range: tuple[float, float] = (-math.inf, math.inf)
    negative_is_error: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything the one pass must compute, derived from the goals.

    Attributes:
        series: per data series used by some goal, what to aggregate.
        known: every series name of the catalog (others are rejected as unknown metrics).
        labels: label columns some goal filters on.
        offsets: per time zone in use, its UTC offsets over the span.
        first_us: events before this instant are out of every window and skipped.
        end_us: events at or after this instant (the latest as-of) are skipped.
    """

    series: dict[str, SeriesPlan]
    known: frozenset[str]
    labels: tuple[str, ...]
    offsets: tuple[Offsets, ...]
    first_us: int
    end_us: int
    histogram_series: frozenset[str] = field(default_factory=frozenset)


def plan_series(
    specs: Sequence[MetricSpec], conditions: dict[str, set[Condition]], quantiles: set[str]
) -> dict[str, SeriesPlan]:
    """The per-series plan for the metrics in use."""
    plans: dict[str, SeriesPlan] = {}
    for spec in specs:
        for series in spec.inputs:
            duration = spec.aggregation is Aggregation.DURATION
            last = spec.aggregation is Aggregation.LAST
            plans[series] = SeriesPlan(
                series,
                tuple(sorted(conditions.get(series, set()))),
                series in quantiles,
                events=duration or last,
                open_events=duration,
                last=last,
                event_range=spec.event_range
                if spec.inputs == (spec.name,) or len(spec.inputs) == 1
                else (-math.inf, math.inf),
                negative_is_error=duration,
            )
    return plans


def _isin(column: str, values: Sequence[str]) -> nw.Expr:
    return nw.col(column).is_in(list(values)) if values else nw.lit(value=False)


def _reason(plan: Plan) -> nw.Expr:
    """Why a row cannot be used (the first rule that applies), or null."""
    value, weight = nw.col("value"), nw.col("_w")
    duration = [s.name for s in plan.series.values() if s.negative_is_error]
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
    offset: nw.Expr = nw.lit(offsets.offsets[-1])
    for bound, before in reversed(list(zip(offsets.bounds, offsets.offsets, strict=False))):
        offset = nw.when(us < bound).then(nw.lit(before)).otherwise(offset)
    return (us + offset) // US_PER_DAY


def _bucket() -> nw.Expr:
    value = nw.col("value")
    expr: nw.Expr = nw.lit(OVERFLOW_BUCKET)
    for decade in range(MAX_DECADE, MIN_DECADE - 1, -1):
        scaled = value / 10.0 ** (decade - 2) if decade >= 2 else value * 10.0 ** (2 - decade)
        expr = (
            nw.when(value < 10.0 ** (decade + 1))
            .then(scaled.floor() + decade * 1000)
            .otherwise(expr)
        )
    expr = nw.when(value < 10.0**MIN_DECADE).then(nw.lit(UNDERFLOW_BUCKET)).otherwise(expr)
    return nw.when(value <= 0).then(nw.lit(ZERO_BUCKET)).otherwise(expr)


def _condition_expr(series: str, condition: Condition) -> nw.Expr:
    comparison, limit = condition
    value = nw.col("value")
    test = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[comparison]
    return (nw.col("metric") == series) & test.fill_null(value=False)


def aggregate(frame: Any, plan: Plan, source: str) -> PeriodTable:
    """Aggregate a normalized frame (any narwhals-supported engine) into a `PeriodTable`."""
    lf = nw.from_native(frame).lazy()
    ok = nw.col("_why").is_null()
    value = nw.col("value")
    answered = ok & ~value.is_null()
    in_use = _isin("metric", sorted(plan.series))
    in_span = (nw.col("_us") >= plan.first_us) & (nw.col("_us") < plan.end_us)
    hist_series = sorted(s.name for s in plan.series.values() if s.histogram)
    sorted(s.name for s in plan.series.values() if s.events)
    open_series = sorted(s.name for s in plan.series.values() if s.open_events)
    last_series = sorted(s.name for s in plan.series.values() if s.last)
    conditions = [(s.name, c) for s in plan.series.values() for c in s.conditions]

    lf = lf.with_columns(_why=_reason(plan))
    lf = lf.filter(~ok | (in_use & in_span))
    keep_event = ok & (
        (_isin("metric", open_series) & value.is_null()) | _isin("metric", last_series)
    )
    columns: dict[str, nw.Expr] = {
        "_event": nw.when(keep_event)
        .then(nw.col("_us").cast(nw.Float64()))
        .otherwise(nw.lit(None, dtype=nw.Float64())),  # NOTE: µs < 2**53 until 2255: exact
        "_bucket": nw.when(answered & _isin("metric", hist_series))
        .then(_bucket())
        .otherwise(nw.lit(None, dtype=nw.Float64())),
        "_n": nw.when(answered).then(nw.col("_w")).otherwise(nw.lit(0.0)),
        "_s": nw.when(answered).then(value * nw.col("_w")).otherwise(nw.lit(0.0)),
        "_s2": nw.when(answered).then(value * value * nw.col("_w")).otherwise(nw.lit(0.0)),
        "_v": nw.when(answered).then(value).otherwise(nw.lit(None, dtype=nw.Float64())),
        "_rows": nw.when(ok).then(nw.col("_w")).otherwise(nw.lit(1.0)),
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
        columns[label] = nw.when(ok).then(nw.col(label)).otherwise(nw.lit(None, dtype=nw.String()))
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
        *(nw.col(f"_good{i}").sum() for i in range(len(conditions))),
    ]
    result = lf.group_by(*keys, drop_null_keys=False).agg(*aggs).collect()
    return _to_table(result.to_dict(as_series=False), plan, conditions, source)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _to_table(
    columns: dict[str, list[Any]], plan: Plan, conditions: list[tuple[str, Condition]], source: str
) -> PeriodTable:
    table = PeriodTable(
        tuple(o.tz for o in plan.offsets), {s.name: s.conditions for s in plan.series.values()}
    )
    for i in range(len(columns["metric"])):
        row = {name: values[i] for name, values in columns.items()}
        table.naive_timestamps += int(_number(row["_naive"]) or 0)
        why = row["_why"]
        if why is not None and not (isinstance(why, float) and math.isnan(why)):
            reason = f"{why} ({row['metric']})" if why in (REASON_RANGE, REASON_NEGATIVE) else why
            key = (source, reason)
            table.rejected[key] = table.rejected.get(key, 0) + int(_number(row["_rows"]) or 0)
            continue
        series = row["metric"]
        days = tuple(int(row[f"_day{j}"]) for j in range(len(plan.offsets)))
        labels = tuple((label, _text(row[label])) for label in plan.labels)
        table.add_cell(CellKey(series, labels, days), _stats(row, plan.series[series], conditions))
    return table


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _stats(
    row: dict[str, Any], series: SeriesPlan, conditions: list[tuple[str, Condition]]
) -> Stats:
    n = _number(row["_n"]) or 0.0
    stats = Stats(
        rows=_number(row["_rows"]) or 0.0,
        n=n,
        sum=_number(row["_s"]) or 0.0,
        sum_sq=_number(row["_s2"]) or 0.0,
    )
    low, high = _number(row["_min"]), _number(row["_max"])
    if low is not None and high is not None:
        stats.min, stats.max = low, high
    for i, (name, condition) in enumerate(conditions):
        if name == series.name:
            stats.good[condition] = _number(row[f"_good{i}"]) or 0.0
    bucket, event = _number(row["_bucket"]), _number(row["_event"])
    if bucket is not None:
        stats.hist[int(bucket)] = n
    if event is not None:
        if series.last and low is not None:
            stats.last = (int(event), high if high is not None else low)
        elif series.open_events and n == 0:
            stats.open[int(event)] = stats.rows
    return stats


__all__ = ["Plan", "SeriesPlan", "aggregate", "plan_series"]

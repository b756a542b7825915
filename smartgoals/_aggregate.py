"""The only code that touches raw events: one pass over a normalized frame into a `PeriodTable`.

Written once with narwhals, so it runs in the engine that holds the data; only the grouped table
comes back. The pass computes, per row, why it is not used (rejected: it cannot be; skipped: no goal
reads it) and, per view of the plan (`_plan`), its keys — the view's labels, the local day, a
histogram bucket for series with quantile goals, the instant of a point-in-time reading — and the
values every goal needs: events, answered events, sums, open events, good events per condition, and
open events that had missed a limit by as_of (aged on the wall clock or a business clock). The
engine groups the rows once per view in the same scan (`_engines.group`); the first grouping also
counts every row by its reason, so rows read = used + rejected + skipped.

What was known at as_of: a duration event that ended after as_of (``timestamp + value``) is still
open, and events after as_of are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from smartgoals._calendar import Clocks
from smartgoals._engines import SET_COLUMN, Aggregate, GroupingSet, group
from smartgoals._expressions import local_day, with_business_time
from smartgoals._period import (
    MAX_OCTAVE,
    MIN_OCTAVE,
    NO_KEY,
    OVERFLOW_BUCKET,
    SUB_BUCKETS,
    UNDERFLOW_BUCKET,
    ZERO_BUCKET,
    Accounts,
    Grouped,
    PeriodTable,
)
from smartgoals._plan import Expiry, Filter, Plan, ViewPlan
from smartgoals._readers import Normalized
from smartgoals._units import Condition

REASON_TIMESTAMP = "timestamp missing or unreadable"
REASON_METRIC = "unknown metric"
REASON_NOT_FINITE = "value is NaN or infinite"
REASON_NEGATIVE = "negative duration"
REASON_RANGE = "value outside the metric's range"
REASON_COUNT = "count is not a non-negative number"
SKIP_UNUSED = "metric no goal reads"
SKIP_AFTER = "after as_of"
SKIP_BEFORE = "before every goal's period"
SKIP_FILTER = "matches no goal's filter"
SKIP_REASONS = (SKIP_UNUSED, SKIP_AFTER, SKIP_BEFORE, SKIP_FILTER)
PER_SERIES = (REASON_RANGE, REASON_NEGATIVE)  # NOTE: reported with the series they occur in

READ, EVENTS, ANSWERED, TOTAL, SQUARES, OPEN = "_read", "_events", "_n", "_sum", "_sum_sq", "_open"
LOW, HIGH, NAIVE, TIMED = "_low", "_high", "_naive_rows", "_timed_rows"
WHY, METRIC, DAY, BUCKET, INSTANT = "_why", "metric", "_day", "_bucket", "_instant"


@dataclass(frozen=True)
class _Columns:
    """The good and expired-event columns of one pass, numbered."""

    good: tuple[tuple[str, Condition], ...]
    expired: tuple[tuple[str, Expiry, str], ...]  # (series, (condition, calendar), time zone)


def aggregate(source: Normalized, plan: Plan, clocks: Clocks) -> PeriodTable:
    """Aggregate one normalized source into a `PeriodTable` (accounts under `source.name`)."""
    columns = _columns_of(plan)
    lf = _known_at_as_of(source.frame, plan)
    lf = lf.with_columns(_rejected=_rejection(plan))
    lf = lf.with_columns(**{WHY: _why(plan)})
    lf = _with_ages(lf, plan, source, clocks, columns)
    lf = lf.with_columns(
        **_values(plan, columns), **_expired_columns(plan, source, clocks, columns)
    )
    lf = lf.with_columns(_all=nw.lit(value=True), **_view_columns(plan))
    sets = _sets(plan)
    aggregates = _aggregates(columns)
    integer_keys = frozenset(
        k for s in sets for k in s.keys if k.startswith((DAY, BUCKET, INSTANT))
    )
    result = group(lf, sets, aggregates, integer_keys)
    return _table(result, plan, columns, source.name)


def _columns_of(plan: Plan) -> _Columns:
    good = sorted(
        {(s, c) for v in plan.views for s, n in v.series.items() for c in n.conditions},
        key=lambda x: (x[0], x[1].comparison, x[1].limit),
    )
    expired = sorted(
        {(s, e, v.key.tz) for v in plan.views for s, n in v.series.items() for e in n.expiries},
        key=lambda x: (x[0], x[1][0].comparison, x[1][0].limit, x[1][1] or "", x[2]),
    )
    return _Columns(tuple(good), tuple(expired))


def _isin(column: str, values: Sequence[str]) -> nw.Expr:
    return nw.col(column).is_in(list(values)) if values else nw.lit(value=False)


def _duration_series(plan: Plan) -> list[str]:
    return sorted({s for v in plan.views for s, n in v.series.items() if n.open_events})


def _known_at_as_of(lf: nw.LazyFrame[Any], plan: Plan) -> nw.LazyFrame[Any]:
    """Empty the value of a duration event that ended after as_of: it was still open then."""
    value = nw.col("value")
    late = (
        _isin(METRIC, _duration_series(plan))
        & (value >= 0)
        & (value < math.inf)
        & (nw.col("_us").cast(nw.Float64()) + value * 1_000_000 > plan.known_us)
    ).fill_null(value=False)
    return lf.with_columns(
        value=nw.when(late).then(nw.lit(None, dtype=nw.Float64())).otherwise(value)
    )


def _rejection(plan: Plan) -> nw.Expr:
    """Why a row cannot be used (the first rule that applies), or null."""
    value, weight = nw.col("value"), nw.col("_w")
    rules = [
        (~nw.col("_reject").is_null(), nw.col("_reject")),
        (nw.col("_us").is_null(), nw.lit(REASON_TIMESTAMP)),
        (~_isin(METRIC, sorted(plan.known)), nw.lit(REASON_METRIC)),
        # NOTE: pandas writes a missing value as NaN (is_null is true for it), so only a NaN that
        # is not null is rejected; engines with real nulls keep the two apart.
        (
            ~value.is_null() & (value.is_nan() | (value.abs() == math.inf)).fill_null(value=False),
            nw.lit(REASON_NOT_FINITE),
        ),
        (
            _isin(METRIC, _duration_series(plan)) & (value < 0).fill_null(value=False),
            nw.lit(REASON_NEGATIVE),
        ),
        (_out_of_range(plan), nw.lit(REASON_RANGE)),
        (weight.is_null() | (weight < 0).fill_null(value=False), nw.lit(REASON_COUNT)),
    ]
    return _first_of(rules)


def _first_of(rules: list[tuple[nw.Expr, nw.Expr]]) -> nw.Expr:
    expr: nw.Expr = nw.lit(None, dtype=nw.String())
    for condition, reason in reversed(rules):
        expr = nw.when(condition).then(reason).otherwise(expr)
    return expr


def _out_of_range(plan: Plan) -> nw.Expr:
    expr: nw.Expr = nw.lit(value=False)
    ranges: dict[str, tuple[float, float]] = {}
    for view in plan.views:
        for name, needs in view.series.items():
            low, high = ranges.get(name, needs.event_range)
            ranges[name] = (max(low, needs.event_range[0]), min(high, needs.event_range[1]))
    for name, (low, high) in sorted(ranges.items()):
        if math.isfinite(low) or math.isfinite(high):
            value = nw.col("value")
            outside = (value < low) | (value > high)
            expr = expr | ((nw.col(METRIC) == name) & outside.fill_null(value=False))
    return expr


def _matches(filters: frozenset[Filter]) -> nw.Expr:
    """Rows matching any of `filters` (an empty filter matches every row)."""
    if () in filters:
        return nw.lit(value=True)
    expr: nw.Expr = nw.lit(value=False)
    for where in sorted(filters):
        test: nw.Expr = nw.lit(value=True)
        for label, values in where:
            test = test & nw.col(label).is_in(list(values)).fill_null(value=False)
        expr = expr | test
    return expr


def _in_span(plan: Plan, view: ViewPlan, series: str) -> nw.Expr:
    needs = view.series[series]
    first = needs.first_day * 86_400_000_000 - max(plan.offsets[view.key.tz].offsets)
    us = nw.col("_us")
    return (us >= first) & (us < plan.as_of_us(view.key.tz))


def _why(plan: Plan) -> nw.Expr:
    """The rejection, else why no goal reads the row (skipped), else null: the row is used."""
    read = sorted(plan.series)
    us = nw.col("_us")
    before = nw.lit(value=True)
    matched = nw.lit(value=False)
    for name in read:
        first, _ = plan.span_us(name)
        before = before & ~((nw.col(METRIC) == name) & (us >= first))
        for view in plan.views:
            if name in view.series:
                matched = matched | (
                    (nw.col(METRIC) == name)
                    & _in_span(plan, view, name)
                    & _matches(view.series[name].filters)
                )
    rules = [
        (~nw.col("_rejected").is_null(), nw.col("_rejected")),
        (~_isin(METRIC, read), nw.lit(SKIP_UNUSED)),
        (us >= plan.known_us, nw.lit(SKIP_AFTER)),
        (before, nw.lit(SKIP_BEFORE)),
        (~matched, nw.lit(SKIP_FILTER)),
    ]
    return _first_of(rules)


def _age_column(expiry: Expiry, series: str, source: Normalized) -> str | None:
    calendar = expiry[1] or source.calendars.get(series)
    return None if calendar is None else f"_business_{calendar}"


def _with_ages(
    lf: nw.LazyFrame[Any], plan: Plan, source: Normalized, clocks: Clocks, columns: _Columns
) -> nw.LazyFrame[Any]:
    """Add the business time of each event's instant, for the calendars open events age by."""
    calendars = sorted(
        {name.removeprefix("_business_") for s, e, _ in columns.expired if (name := _age_column(e, s, source))}
    )
    for calendar in calendars:
        clock = clocks.get(calendar)
        assert clock is not None
        lf = with_business_time(lf, clock, "_us", f"_business_{calendar}")
    return lf


def _values(plan: Plan, columns: _Columns) -> dict[str, nw.Expr]:
    """The per-row inputs of the sums."""
    usable = nw.col("_rejected").is_null()
    value, weight = nw.col("value"), nw.col("_w")
    answered = usable & ~value.is_null()
    opened = usable & value.is_null() & _isin(METRIC, _duration_series(plan))
    zero, none = nw.lit(0.0), nw.lit(None, dtype=nw.Float64())
    result = {
        READ: nw.lit(1.0),
        EVENTS: nw.when(usable).then(weight).otherwise(zero),
        ANSWERED: nw.when(answered).then(weight).otherwise(zero),
        TOTAL: nw.when(answered).then(value * weight).otherwise(zero),
        SQUARES: nw.when(answered).then(value * value * weight).otherwise(zero),
        OPEN: nw.when(opened).then(weight).otherwise(zero),
        LOW: nw.when(answered).then(value).otherwise(none),
        NAIVE: nw.col("_naive").cast(nw.Float64()),
        TIMED: nw.when(nw.col("_us").is_null()).then(zero).otherwise(nw.lit(1.0)),
    }
    result[HIGH] = result[LOW]
    for i, (series, condition) in enumerate(columns.good):
        meets = _condition(condition, value)
        result[f"_good{i}"] = (
            nw.when(answered & (nw.col(METRIC) == series) & meets).then(weight).otherwise(zero)
        )
    return result


def _condition(condition: Condition, value: nw.Expr) -> nw.Expr:
    limit = condition.limit
    test = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[condition.comparison]
    return test.fill_null(value=False)


def _view_columns(plan: Plan) -> dict[str, nw.Expr]:
    """Per view: its keys, null for rows it does not keep."""
    usable = nw.col("_rejected").is_null()
    columns: dict[str, nw.Expr] = {}
    for i, view in enumerate(plan.views):
        names = sorted(view.series)
        in_view = usable & _isin(METRIC, names)
        kept: nw.Expr = nw.lit(value=False)
        hist: nw.Expr = nw.lit(value=False)
        last: nw.Expr = nw.lit(value=False)
        for name in names:
            needs = view.series[name]
            this = (nw.col(METRIC) == name) & _in_span(plan, view, name) & _matches(needs.filters)
            kept = kept | this
            if needs.histogram:
                hist = hist | this
            if needs.last:
                last = last | this
        kept = in_view & kept
        columns[f"_in{i}"] = in_view
        columns[f"{METRIC}{i}"] = nw.when(in_view).then(nw.col(METRIC)).otherwise(nw.lit(None, dtype=nw.String()))
        for label in view.key.labels:
            columns[f"{label}{i}"] = (
                nw.when(in_view).then(nw.col(label)).otherwise(nw.lit(None, dtype=nw.String()))
            )
        columns[f"{DAY}{i}"] = (
            nw.when(kept)
            .then(local_day(plan.offsets[view.key.tz], nw.col("_us")))
            .otherwise(nw.lit(NO_KEY))
        )
        answered = kept & hist & ~nw.col("value").is_null()
        columns[f"{BUCKET}{i}"] = (
            nw.when(answered).then(_bucket().cast(nw.Int64())).otherwise(nw.lit(NO_KEY))
        )
        columns[f"{INSTANT}{i}"] = (
            nw.when(kept & last).then(nw.col("_us")).otherwise(nw.lit(NO_KEY))
        )
    return columns


def _bucket() -> nw.Expr:
    """The expression of `bucket_of`: comparisons with powers of two, one exact multiplication."""
    value = nw.col("value")
    expr: nw.Expr = nw.lit(OVERFLOW_BUCKET)
    for octave in range(MAX_OCTAVE, MIN_OCTAVE - 1, -1):
        index = (value * 2.0 ** (6 - octave)).floor() + (octave * SUB_BUCKETS - SUB_BUCKETS)
        expr = nw.when(value < 2.0 ** (octave + 1)).then(index).otherwise(expr)
    expr = nw.when(value < 2.0**MIN_OCTAVE).then(nw.lit(UNDERFLOW_BUCKET)).otherwise(expr)
    return nw.when(value <= 0).then(nw.lit(ZERO_BUCKET)).otherwise(expr)


def _sets(plan: Plan) -> list[GroupingSet]:
    """One grouping per view; the first also groups every row by why it is not used."""
    sets = []
    for i, view in enumerate(plan.views):
        keys = {METRIC: f"{METRIC}{i}", DAY: f"{DAY}{i}", BUCKET: f"{BUCKET}{i}"}
        keys[INSTANT] = f"{INSTANT}{i}"
        keys.update({label: f"{label}{i}" for label in view.key.labels})
        if i == 0:
            keys[WHY] = WHY
            keys["_metric_read"] = METRIC
        sets.append(GroupingSet("_all" if i == 0 else f"_in{i}", keys))
    if not sets:
        sets.append(GroupingSet("_all", {WHY: WHY, "_metric_read": METRIC}))
    return sets


def _aggregates(columns: _Columns) -> list[Aggregate]:
    sums = [READ, EVENTS, ANSWERED, TOTAL, SQUARES, OPEN, NAIVE, TIMED]
    result = [Aggregate(name, name, "sum") for name in sums]
    result += [Aggregate(LOW, LOW, "min", math.inf), Aggregate(HIGH, HIGH, "max", -math.inf)]
    result += [Aggregate(f"_good{i}", f"_good{i}", "sum") for i in range(len(columns.good))]
    result += [Aggregate(f"_expired{i}", f"_expired{i}", "sum") for i in range(len(columns.expired))]
    return result


def _table(result: dict[str, Any], plan: Plan, columns: _Columns, name: str) -> PeriodTable:
    table = PeriodTable(plan)
    sets = result[SET_COLUMN].astype(np.int64)
    table.accounts[name] = _accounts(result, sets == 0)
    for i, view in enumerate(plan.views):
        rows = sets == i
        metric = result[METRIC][rows]
        day = result[DAY][rows].astype(np.int64)
        for series in sorted(view.series):
            chosen = np.flatnonzero(rows)[(metric == series) & (day != NO_KEY)]
            _seen(table.accounts[name], result, np.flatnonzero(rows)[metric == series], view, series)
            if len(chosen):
                table.add(i, series, _grouped(result, chosen, view, series, columns))
    return table


def _grouped(
    result: dict[str, Any], rows: np.ndarray[Any, Any], view: ViewPlan, series: str, columns: _Columns
) -> Grouped:
    labels = view.key.labels
    values = list(zip(*(result[label][rows].tolist() for label in labels), strict=True)) if labels else [()] * len(rows)
    sums = {
        "rows": result[EVENTS][rows],
        "n": result[ANSWERED][rows],
        "sum": result[TOTAL][rows],
        "sum_sq": result[SQUARES][rows],
        "open": result[OPEN][rows],
    }
    needs = view.series[series]
    good = {c: result[f"_good{i}"][rows] for i, (s, c) in enumerate(columns.good) if s == series and c in needs.conditions}
    expired = {
        e: result[f"_expired{i}"][rows]
        for i, (s, e, tz) in enumerate(columns.expired)
        if s == series and tz == view.key.tz and e in needs.expiries
    }
    return Grouped(
        labels,
        values,
        result[DAY][rows].astype(np.int64),
        result[BUCKET][rows].astype(np.int64),
        result[INSTANT][rows].astype(np.int64),
        {k: np.asarray(v, dtype=np.float64) for k, v in sums.items()},
        np.asarray(result[LOW][rows], dtype=np.float64),
        np.asarray(result[HIGH][rows], dtype=np.float64),
        {c: np.asarray(v, dtype=np.float64) for c, v in good.items()},
        {e: np.asarray(v, dtype=np.float64) for e, v in expired.items()},
    )


def _accounts(result: dict[str, Any], rows: np.ndarray[Any, Any]) -> Accounts:
    accounts = Accounts()
    why = result[WHY][rows]
    metric = result["_metric_read"][rows]
    read = result[READ][rows]
    accounts.read = int(round(float(read.sum())))
    accounts.naive_timestamps = int(round(float(result[NAIVE][rows].sum())))
    accounts.timed_rows = int(round(float(result[TIMED][rows].sum())))
    for reason, series, count in zip(why.tolist(), metric.tolist(), read.tolist(), strict=True):
        if reason is None:
            continue
        bucket = accounts.skipped if reason in SKIP_REASONS else accounts.rejected
        shown = f"{reason} ({series})" if reason in PER_SERIES else str(reason)
        bucket[shown] = bucket.get(shown, 0) + int(round(count))
    return accounts


def _seen(
    accounts: Accounts, result: dict[str, Any], rows: np.ndarray[Any, Any], view: ViewPlan, series: str
) -> None:
    """Count the label values seen in the rows of a view's series (matched or not)."""
    counts = result[READ][rows]
    for label in view.key.labels:
        seen = accounts.seen.setdefault((series, label), {})
        for value, count in zip(result[label][rows].tolist(), counts.tolist(), strict=True):
            if value is not None:
                seen[value] = seen.get(value, 0) + int(round(count))


def _expired_columns(
    plan: Plan, source: Normalized, clocks: Clocks, columns: _Columns
) -> dict[str, nw.Expr]:
    """Per (series, condition, calendar, time zone): open events whose age at as_of fails."""
    usable = nw.col("_rejected").is_null()
    opened = usable & nw.col("value").is_null()
    result = {}
    for i, (series, expiry, tz) in enumerate(columns.expired):
        condition, _ = expiry
        now = plan.as_of_us(tz)
        column = _age_column(expiry, series, source)
        if column is None:
            age = nw.lit(now) - nw.col("_us")
        else:
            clock = clocks.get(column.removeprefix("_business_"))
            assert clock is not None
            age = nw.lit(clock.at(now)) - nw.col(column)
        limit = condition.limit * 1_000_000
        late = age > limit if condition.comparison == "<=" else age >= limit
        result[f"_expired{i}"] = (
            nw.when(opened & (nw.col(METRIC) == series) & late.fill_null(value=False))
            .then(nw.col("_w"))
            .otherwise(nw.lit(0.0))
        )
    return result


__all__ = [
    "PER_SERIES",
    "REASON_COUNT",
    "REASON_METRIC",
    "REASON_NEGATIVE",
    "REASON_NOT_FINITE",
    "REASON_RANGE",
    "REASON_TIMESTAMP",
    "SKIP_REASONS",
    "aggregate",
]

"""The only code that touches raw events: one pass over a normalized frame into a `PeriodTable`.

Written once with narwhals, so it runs in the engine that holds the data; only the grouped table
comes back. Per row the pass decides why the row is not used — *rejected*: it cannot be (an
unreadable timestamp, NaN, a negative duration, ...); *skipped*: no goal reads it (a metric no goal
uses, before every goal's period, after as_of, matching no goal's filter) — and, per view of the
plan (`_plan`), its keys: the view's labels, the local day, a histogram bucket for series with
quantile goals, the instant of a point-in-time reading. The engine groups the rows once per view in
the same scan (`_engines.group`), summing events, answered events, values, good events per
condition and open events that had missed a limit by as_of (aged on the wall clock or a business
clock); the first grouping also counts every row by its reason, so that rows read = used + rejected
+ skipped, and a row's label values are kept even where its day is not, for "did you mean" hints.

What was known at as_of: a duration event that ended after as_of (``timestamp + value``) is still
open, and events after as_of are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from smartgoals._calendar import Clocks
from smartgoals._engines import (
    HASH_COLUMN,
    SET_COLUMN,
    Aggregate,
    Arrangement,
    Columns,
    GroupingSet,
    Groups,
    Texts,
    group,
)
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
    in_order,
)
from smartgoals._plan import Expiry, Filter, Plan, ViewPlan
from smartgoals._readers import Normalized
from smartgoals._units import Condition

REASON_TIMESTAMP = "timestamp missing or unreadable"
REASON_METRIC = "unknown metric"
REASON_NO_METRIC = "metric missing"
REASON_NOT_FINITE = "value is NaN or infinite"
REASON_NEGATIVE = "negative duration"
REASON_RANGE = "value outside the metric's range"
REASON_COUNT = "count is not a number from 0 to 10^15"
MAX_COUNT = 1e15  # NOTE: a larger count (or infinity) is a broken cell, and would overflow int64
SKIP_UNUSED = "metric no goal reads"
SKIP_AFTER = "after as_of"
SKIP_BEFORE = "before every goal's period"
SKIP_FILTER = "matches no goal's filter"
SKIP_REASONS = (SKIP_UNUSED, SKIP_AFTER, SKIP_BEFORE, SKIP_FILTER)
PER_SERIES = (REASON_RANGE, REASON_NEGATIVE)  # NOTE: reported with the series they occur in

# Names of the projected columns and of the grouped table's columns.
METRIC, SERIES, REASON, NAIVE, READ = "metric", "_series", "_reason", "_naive_key", "_read"
LABEL, OTHER = "_label", "_other_metric"
# NOTE: series codes of a known metric no goal reads, of an unknown one, of an empty one
UNUSED, UNKNOWN, MISSING = -2, -3, -4
DAY, BUCKET, INSTANT = "_day", "_bucket", "_instant"
EMPTY, WEIGHT, TOTAL, LOW, HIGH = "_empty", "_weight", "_total", "_low", "_high"
US = "_us"


@dataclass(frozen=True)
class _Slots:
    """Columns shared by series: the k-th good-event condition (or expiry) of each series.

    A row belongs to one series, so the good counts of different series can share columns.
    """

    good: dict[str, tuple[Condition, ...]]
    expired: dict[tuple[str, str], tuple[Expiry, ...]]  # (series, time zone) -> expiries

    @classmethod
    def of(cls, plan: Plan) -> _Slots:
        good: dict[str, set[Condition]] = {}
        expired: dict[tuple[str, str], set[Expiry]] = {}
        for view in plan.views:
            for name, needs in view.series.items():
                good.setdefault(name, set()).update(needs.conditions)
                if needs.expiries:
                    expired.setdefault((name, view.key.tz), set()).update(needs.expiries)
        return cls(
            {s: tuple(sorted(c, key=_condition_order)) for s, c in good.items()},
            {k: tuple(sorted(e, key=_expiry_order)) for k, e in expired.items()},
        )

    def columns(self, tz: str) -> int:
        """How many slot columns the rows of time zone `tz` need."""
        goods = max((len(c) for c in self.good.values()), default=0)
        return max([goods, *(len(e) for (_, z), e in self.expired.items() if z == tz)])


def _condition_order(condition: Condition) -> tuple[str, float]:
    return condition.comparison, condition.limit


def _expiry_order(expiry: Expiry) -> tuple[str, float, str]:
    return expiry[0].comparison, expiry[0].limit, expiry[1] or ""


def aggregate(source: Normalized, plan: Plan, clocks: Clocks) -> PeriodTable:
    """Aggregate one normalized source into a `PeriodTable` (accounts under `source.name`)."""
    slots = _Slots.of(plan)
    lf = source.frame.with_columns(
        **{SERIES: _series_code(plan)}, **_label_codes(plan), **_blank_as_missing(plan)
    )
    lf = _known_at_as_of(lf, plan)
    lf = lf.with_columns(_rejected=_rejection(plan))
    zones = sorted({view.key.tz for view in plan.views})
    lf = lf.with_columns(
        **{f"{DAY}@{z}": local_day(plan.offsets[z], nw.col(US)) for z in zones},
        **{f"_span{i}": _span(plan, view) for i, view in enumerate(plan.views)},
    )
    lf = lf.with_columns(**{f"_kept{i}": _kept(plan, v, i) for i, v in enumerate(plan.views)})
    lf = lf.with_columns(**{REASON: _reason(plan), f"{BUCKET}@": _bucket_tree(plan)}, **_values())
    lf = _with_ages(lf, source, clocks, slots)
    lf = lf.with_columns(**_slot_columns(plan, source, clocks, slots), **_keys(plan))
    sets = _sets(plan, slots)
    integer_keys = frozenset({SERIES, DAY, BUCKET, INSTANT, NAIVE, EMPTY})
    width = max((len(view.key.labels) for view in plan.views), default=0)
    labels = [f"{LABEL}{j}" for j in range(width)]
    hashed = [*labels, OTHER, REASON]
    groups = group(
        lf,
        sets,
        _aggregates(slots, zones),
        integer_keys,
        Arrangement((SET_COLUMN, SERIES), _within_block),
        hashed,
        source.connection,
    )
    return _table(groups, hashed, plan, slots, source.name)


def _codes(plan: Plan) -> dict[str, int]:
    """A small integer per series goals read (comparisons of integers are cheap in any engine)."""
    return {name: i for i, name in enumerate(sorted(plan.series))}


def _series_code(plan: Plan) -> nw.Expr:
    """The row's series code, or `UNUSED`, `MISSING` (empty or blank) or `UNKNOWN` for its metric.

    Names are matched as written first; only a row that matches none is matched again with its
    spaces trimmed (`` csat``), so the common case costs no string operation.
    """
    metric = nw.col(METRIC)
    trimmed = metric.str.strip_chars()
    unused = sorted(plan.known - plan.series)
    rules: list[tuple[nw.Expr, int]] = []
    for name_of in (metric, trimmed):
        rules += [(name_of == name, code) for name, code in _codes(plan).items()]
        if unused:
            rules.append((name_of.is_in(unused), UNUSED))
    rules.append((metric.is_null() | (trimmed == ""), MISSING))
    expr: Any = None
    for test, code in rules:
        expr = nw.when(test).then(nw.lit(code)) if expr is None else expr.when(test).then(code)
    series: nw.Expr = expr.otherwise(nw.lit(UNKNOWN)).cast(nw.Int64())
    return series


def _is(plan: Plan, series: str) -> nw.Expr:
    return nw.col(SERIES) == _codes(plan)[series]


def _among(plan: Plan, names: Sequence[str]) -> nw.Expr:
    """Rows of any of the series `names`."""
    return _any(_is(plan, name) for name in sorted(set(names)))


def _any(terms: Iterable[nw.Expr]) -> nw.Expr:
    result: nw.Expr | None = None
    for term in terms:
        result = term if result is None else result | term
    return nw.lit(value=False) if result is None else result


def _all(terms: Iterable[nw.Expr]) -> nw.Expr:
    result: nw.Expr | None = None
    for term in terms:
        result = term if result is None else result & term
    return nw.lit(value=True) if result is None else result


def _filter_values(plan: Plan) -> dict[str, list[str]]:
    """Per label some filter tests, the values filters name (numbered in this order)."""
    values: dict[str, set[str]] = {}
    for view in plan.views:
        for needs in view.series.values():
            for where in needs.filters | needs.histogram:
                for label, allowed in where:
                    values.setdefault(label, set()).update(allowed)
    return {label: sorted(v) for label, v in sorted(values.items())}


def _label_codes(plan: Plan) -> dict[str, nw.Expr]:
    """Per filtered label, the number of the row's value among the values filters name.

    -1 stands for any other value; so every filter is a comparison of integers.
    """
    columns = {}
    for label, values in _filter_values(plan).items():
        expr: Any = None
        for code, value in enumerate(values):
            test = nw.col(label) == value
            expr = nw.when(test).then(nw.lit(code)) if expr is None else expr.when(test).then(code)
        columns[f"_code@{label}"] = expr.otherwise(nw.lit(-1)).cast(nw.Int64())
    return columns


def _blank_as_missing(plan: Plan) -> dict[str, nw.Expr]:
    """An empty label value is no value, as an empty CSV field is, whatever the source."""
    return {label: nw.when(nw.col(label) != "").then(nw.col(label)) for label in plan.labels}


def _one_of(plan: Plan, label: str, values: Sequence[str]) -> nw.Expr:
    """The row's `label` is one of `values` (compared by number)."""
    numbers = _filter_values(plan)[label]
    codes = sorted(numbers.index(v) for v in values)
    column = nw.col(f"_code@{label}")
    if codes == list(range(codes[0], codes[-1] + 1)):
        return (
            (column >= codes[0]) & (column <= codes[-1]) if len(codes) > 1 else column == codes[0]
        )
    return _any(column == c for c in codes)


def _duration_series(plan: Plan) -> list[str]:
    return sorted({s for v in plan.views for s, n in v.series.items() if n.open_events})


def _known_at_as_of(lf: nw.LazyFrame[Any], plan: Plan) -> nw.LazyFrame[Any]:
    """Empty the value of a duration event that ended after as_of: it was still open then."""
    value = nw.col("value")
    # NOTE: instants far from as_of are clipped first so that the float is exact (2^52 µs is
    # 142 years) and engines with checked casts (PyArrow) accept dates near year 1 or 9999.
    near = nw.col(US).clip(plan.known_us - 2**52, plan.known_us + 1).cast(nw.Float64())
    late = (
        _among(plan, _duration_series(plan))
        & (value >= 0)
        & (value < math.inf)
        & (near + value * 1_000_000 > plan.known_us)
    ).fill_null(value=False)
    return lf.with_columns(
        value=nw.when(late).then(nw.lit(None, dtype=nw.Float64())).otherwise(value)
    )


def _first_of(rules: list[tuple[nw.Expr, nw.Expr]]) -> nw.Expr:
    expr: nw.Expr = nw.lit(None, dtype=nw.String())
    for condition, reason in reversed(rules):
        expr = nw.when(condition).then(reason).otherwise(expr)
    return expr


def _rejection(plan: Plan) -> nw.Expr:
    """Why a row cannot be used (the first rule that applies), or null."""
    value, weight = nw.col("value"), nw.col("_count")
    return _first_of(
        [
            (~nw.col("_reject").is_null(), nw.col("_reject")),
            (nw.col(US).is_null(), nw.lit(REASON_TIMESTAMP)),
            (nw.col(SERIES) == MISSING, nw.lit(REASON_NO_METRIC)),
            (nw.col(SERIES) == UNKNOWN, nw.lit(REASON_METRIC)),
            # NOTE: pandas writes a missing value as NaN (is_null is true for it), so only a NaN
            # that is not null is rejected; engines with real nulls keep the two apart.
            (
                ~value.is_null()
                & (value.is_nan() | (value.abs() == math.inf)).fill_null(value=False),
                nw.lit(REASON_NOT_FINITE),
            ),
            (
                _among(plan, _duration_series(plan)) & (value < 0).fill_null(value=False),
                nw.lit(REASON_NEGATIVE),
            ),
            (_out_of_range(plan), nw.lit(REASON_RANGE)),
            (
                weight.is_null()
                | (weight.is_nan() | (weight < 0) | (weight > MAX_COUNT)).fill_null(value=False),
                nw.lit(REASON_COUNT),
            ),
        ]
    )


def _out_of_range(plan: Plan) -> nw.Expr:
    ranges: dict[str, tuple[float, float]] = {}
    for view in plan.views:
        for name, needs in view.series.items():
            low, high = ranges.get(name, needs.event_range)
            ranges[name] = (max(low, needs.event_range[0]), min(high, needs.event_range[1]))
    value = nw.col("value")
    return _any(
        _is(plan, name) & ((value < low) | (value > high)).fill_null(value=False)
        for name, (low, high) in sorted(ranges.items())
        if math.isfinite(low) or math.isfinite(high)
    )


def _matches(plan: Plan, filters: frozenset[Filter]) -> nw.Expr:
    """Rows matching any of `filters` (an empty filter matches every row).

    Filters on one label are merged into one test of the union of their values.
    """
    if () in filters:
        return nw.lit(value=True)
    singles: dict[str, set[str]] = {}
    terms = []
    for where in sorted(filters):
        if len(where) == 1:
            label, values = where[0]
            singles.setdefault(label, set()).update(values)
        else:
            terms.append(_all(_one_of(plan, label, values) for label, values in where))
    terms += [_one_of(plan, label, sorted(v)) for label, v in sorted(singles.items())]
    return _any(terms)


def _span(plan: Plan, view: ViewPlan) -> nw.Expr:
    """Usable rows of `view`'s series within the days its goals read."""
    us = nw.col(US)
    terms = []
    for name, needs in sorted(view.series.items()):
        first = needs.first_day * 86_400_000_000 - max(plan.offsets[view.key.tz].offsets)
        terms.append(_is(plan, name) & (us >= first))
    before_as_of = us < plan.as_of_us(view.key.tz)
    return nw.col("_rejected").is_null() & (before_as_of & _any(terms)).fill_null(value=False)


def _kept(plan: Plan, view: ViewPlan, index: int) -> nw.Expr:
    """Rows some goal of `view` reads: within its span and matching a filter of their series."""
    matched = _any(
        _is(plan, name) & _matches(plan, needs.filters)
        for name, needs in sorted(view.series.items())
    )
    return nw.col(f"_span{index}") & matched.fill_null(value=False)


def _reason(plan: Plan) -> nw.Expr:
    """The rejection, else null when some view keeps the row, else why no goal reads it."""
    kept = _any(nw.col(f"_kept{i}") for i in range(len(plan.views)))
    us = nw.col(US)
    started = _any(_is(plan, name) & (us >= plan.span_us(name)[0]) for name in sorted(plan.series))
    return _first_of(
        [
            (~nw.col("_rejected").is_null(), nw.col("_rejected")),
            (kept, nw.lit(None, dtype=nw.String())),
            (nw.col(SERIES) < 0, nw.lit(SKIP_UNUSED)),
            (us >= plan.known_us, nw.lit(SKIP_AFTER)),
            (~started.fill_null(value=False), nw.lit(SKIP_BEFORE)),
            (nw.lit(value=True), nw.lit(SKIP_FILTER)),
        ]
    )


def _histogram_series(plan: Plan) -> list[str]:
    return sorted({s for v in plan.views for s, n in v.series.items() if n.histogram})


def _in_histogram(plan: Plan, view: ViewPlan) -> nw.Expr:
    """Rows of `view` whose histogram bucket some quantile goal of the view needs."""
    return _any(
        _is(plan, name) & _matches(plan, needs.histogram)
        for name, needs in sorted(view.series.items())
        if needs.histogram
    ).fill_null(value=False)


def _bucket_tree(plan: Plan) -> nw.Expr:
    """`bucket_of` for rows of histogram series, in the engine.

    A balanced tree of comparisons with powers of two finds the octave, then one exact
    multiplication by a power of two the step within it.
    """
    value = nw.col("value")

    def octave_between(low: int, high: int) -> nw.Expr:  # octaves low..high, value >= 2^low
        if low == high:
            return (value * 2.0 ** (6 - low)).floor() + (low * SUB_BUCKETS - SUB_BUCKETS)
        middle = (low + high + 1) // 2
        return (
            nw.when(value < 2.0**middle)
            .then(octave_between(low, middle - 1))
            .otherwise(octave_between(middle, high))
        )

    expr = (
        nw.when(value <= 0)
        .then(nw.lit(ZERO_BUCKET))
        .when(value < 2.0**MIN_OCTAVE)
        .then(nw.lit(UNDERFLOW_BUCKET))
        .when(value >= 2.0 ** (MAX_OCTAVE + 1))
        .then(nw.lit(OVERFLOW_BUCKET))
        .otherwise(octave_between(MIN_OCTAVE, MAX_OCTAVE))
    )
    wanted = _among(plan, _histogram_series(plan)) & ~value.is_null()
    # NOTE: cast last: an eager engine computes every branch, NaN included, before choosing
    return nw.when(wanted.fill_null(value=False)).then(expr).otherwise(NO_KEY).cast(nw.Int64())


def _values() -> dict[str, nw.Expr]:
    """The per-row inputs of the sums.

    Rows with a value and rows without one (open events, no answer) are grouped apart (the
    ``_empty`` key), so one weight column serves both events and answered events.
    """
    usable = nw.col("_rejected").is_null()
    value, weight = nw.col("value"), nw.col("_count")
    answered = usable & ~value.is_null()
    return {
        EMPTY: nw.when(value.is_null()).then(nw.lit(1)).otherwise(nw.lit(0)),
        WEIGHT: nw.when(usable).then(weight).otherwise(nw.lit(0.0)),
        TOTAL: nw.when(answered).then(value * weight).otherwise(nw.lit(0.0)),
        LOW: nw.when(answered).then(value).otherwise(nw.lit(None, dtype=nw.Float64())),
    }


def _condition(condition: Condition, value: nw.Expr) -> nw.Expr:
    good: nw.Expr = condition.holds(value)
    return good.fill_null(value=False)


def _calendar_of(expiry: Expiry, series: str, source: Normalized) -> str | None:
    """The calendar an open event ages by: the goal's, else the one its source measures it in."""
    return expiry[1] or source.calendars.get(series)


def _with_ages(
    lf: nw.LazyFrame[Any], source: Normalized, clocks: Clocks, slots: _Slots
) -> nw.LazyFrame[Any]:
    """Add the business time of each event's instant, for the calendars open events age by."""
    calendars = sorted(
        {
            calendar
            for (series, _), expiries in slots.expired.items()
            for expiry in expiries
            if (calendar := _calendar_of(expiry, series, source)) is not None
        }
    )
    for calendar in calendars:
        clock = clocks.get(calendar)
        assert clock is not None
        lf = with_business_time(lf, clock, US, f"_business_{calendar}")
    return lf


def _slot_columns(
    plan: Plan, source: Normalized, clocks: Clocks, slots: _Slots
) -> dict[str, nw.Expr]:
    """Per time zone and slot k, the weight of the rows meeting the slot's condition.

    For a row with a value: when it meets the k-th condition of its series; for an open event:
    when its age at as_of already fails the k-th expiry of its series.
    """
    usable, value = nw.col("_rejected").is_null(), nw.col("value")
    answered, opened = usable & ~value.is_null(), usable & value.is_null()
    result = {}
    for tz in sorted({view.key.tz for view in plan.views}):
        for k in range(slots.columns(tz)):
            meets = _any(
                _is(plan, series) & _condition(conditions[k], value)
                for series, conditions in sorted(slots.good.items())
                if k < len(conditions)
            )
            late = _any(
                _is(plan, series) & _missed(plan, tz, expiries[k], series, source, clocks)
                for (series, zone), expiries in sorted(slots.expired.items())
                if zone == tz and k < len(expiries)
            )
            result[f"_slot{k}@{tz}"] = (
                nw.when(answered & meets.fill_null(value=False))
                .then(nw.col("_count"))
                .when(opened & late.fill_null(value=False))
                .then(nw.col("_count"))
                .otherwise(nw.lit(0.0))
            )
    return result


def _missed(
    plan: Plan, tz: str, expiry: Expiry, series: str, source: Normalized, clocks: Clocks
) -> nw.Expr:
    """Whether an open event's age at as_of (in `tz`) already fails `expiry`'s condition."""
    condition, now = expiry[0], plan.as_of_us(tz)
    calendar = _calendar_of(expiry, series, source)
    if calendar is None:
        age = nw.lit(now) - nw.col(US)
    else:
        clock = clocks.get(calendar)
        assert clock is not None
        age = nw.lit(clock.at(now)) - nw.col(f"_business_{calendar}")
    # NOTE: ages are whole microseconds, so an integer bound is exact and needs no cast to float
    # (which engines with checked casts refuse for instants far from now)
    limit = condition.limit * 1_000_000
    if condition.comparison == "<=":
        return age > math.floor(limit)
    return age >= math.ceil(limit)


def _keys(plan: Plan) -> dict[str, nw.Expr]:
    """Per view: a row's day, bucket and, where the view keeps readings, instant (else `NO_KEY`).

    Series and labels are keys as they are.
    """
    columns: dict[str, nw.Expr] = {
        # NOTE: the name of a metric no goal reads (or an unknown one), for the accounts
        OTHER: nw.when(nw.col(SERIES) < 0)
        .then(nw.col(METRIC))
        .otherwise(nw.lit(None, dtype=nw.String())),
        NAIVE: nw.when(nw.col(US).is_null()).then(nw.lit(NO_KEY)).otherwise(nw.col("_naive")),
    }
    for i, view in enumerate(plan.views):
        kept = nw.col(f"_kept{i}")
        readings = _readings(view)
        day = nw.col(f"{DAY}@{view.key.tz}")
        columns[f"{DAY}{i}"] = nw.when(kept).then(day).otherwise(NO_KEY).cast(nw.Int64())
        columns[f"{BUCKET}{i}"] = (
            nw.when(kept & _in_histogram(plan, view))
            .then(nw.col(f"{BUCKET}@"))
            .otherwise(NO_KEY)
            .cast(nw.Int64())
        )
        if readings:
            columns[f"{INSTANT}{i}"] = (
                nw.when(kept & _among(plan, readings))
                .then(nw.col(US))
                .otherwise(NO_KEY)
                .cast(nw.Int64())
            )
    return columns


def _readings(view: ViewPlan) -> list[str]:
    """The series of a view that keep their readings' instants (the latest reading is the value)."""
    return [name for name in sorted(view.series) if view.series[name].last]


def _sets(plan: Plan, slots: _Slots) -> list[GroupingSet]:
    """One grouping counting every row by why it is not used, then one per view.

    A view groups the rows within its span, kept or not: the label values of rows no filter
    matches are hints for "did you mean". The accounts only count rows, and a view sums only the
    slot columns of its own conditions: 7 aggregates fewer per row for the accounts, and at 10
    million events and 1,009 goals, 4.6 of the 6.7 million slot sums nobody read.
    """
    accounts = {SERIES: SERIES, REASON: REASON, OTHER: OTHER, NAIVE: NAIVE}
    sets = [GroupingSet(None, accounts, frozenset({READ}))]
    for i, view in enumerate(plan.views):
        keys = {SERIES: SERIES, EMPTY: EMPTY, DAY: f"{DAY}{i}", BUCKET: f"{BUCKET}{i}"}
        if _readings(view):
            keys[INSTANT] = f"{INSTANT}{i}"  # NOTE: else no instant: one key and column less
        keys.update({f"{LABEL}{j}": label for j, label in enumerate(view.key.labels)})
        read = {READ, WEIGHT, TOTAL, LOW, HIGH}
        for series in view.series:
            good, expired = _slots_read(view, series, slots)
            read.update(good.values(), expired.values())
        sets.append(GroupingSet(f"_span{i}", keys, frozenset(read)))
    return sets


def _slots_read(
    view: ViewPlan, series: str, slots: _Slots
) -> tuple[dict[Condition, str], dict[Expiry, str]]:
    """The slot columns a view reads for `series`: per condition and per expiry.

    A column can serve both: it counts answered events meeting its condition and open events
    that had failed its expiry by as_of.
    """
    needs, tz = view.series[series], view.key.tz
    good = {
        c: f"_slot{k}@{tz}"
        for k, c in enumerate(slots.good.get(series, ()))
        if c in needs.conditions
    }
    expired = {
        e: f"_slot{k}@{tz}"
        for k, e in enumerate(slots.expired.get((series, tz), ()))
        if e in needs.expiries
    }
    return good, expired


def _aggregates(slots: _Slots, zones: list[str]) -> list[Aggregate]:
    result = [Aggregate(READ, READ, "count")]
    result += [Aggregate(name, name, "sum") for name in (WEIGHT, TOTAL)]
    result += [Aggregate(LOW, LOW, "min", math.inf), Aggregate(HIGH, LOW, "max", -math.inf)]
    result += [
        Aggregate(f"_slot{k}@{z}", f"_slot{k}@{z}", "sum")
        for z in zones
        for k in range(slots.columns(z))
    ]
    return result


def _table(groups: Groups, hashed: list[str], plan: Plan, slots: _Slots, name: str) -> PeriodTable:
    table = PeriodTable(plan)
    texts = groups.texts
    table.accounts[name] = _accounts(_accounted(groups.blocks), plan, texts, hashed)
    codes = _codes(plan)
    for i, view in enumerate(plan.views):
        for series in sorted(view.series):
            block = groups.blocks.get((i + 1, codes[series]), {})
            unmatched = table.unmatched.setdefault((i, series), [])
            if not block:
                continue
            # NOTE: the rows whose day is kept come first in a block
            kept = int(np.count_nonzero(block[DAY] != NO_KEY))
            if kept:
                table.add(i, series, _grouped(block, slice(0, kept), view, series, slots, texts))
            unmatched.extend(_labelled(block, slice(kept, len(block[DAY])), view, texts))
    return table


def _accounted(blocks: dict[tuple[int, ...], Columns]) -> Columns:
    """The groups of the accounts (set 0), whatever their series, with the series as a column."""
    parts = [(series, columns) for (index, series), columns in blocks.items() if index == 0]
    if not parts:
        return {}
    result = {name: np.concatenate([p[name] for _, p in parts]) for name in parts[0][1]}
    result[SERIES] = np.concatenate([np.full(len(p[READ]), code) for code, p in parts])
    return result


def _within_block(columns: Columns, texts: Texts | None) -> list[np.ndarray[Any, Any]]:
    """The order of the groups of one set and series: the rows whose day is kept first.

    With label hashes, by hash, day and bucket too: a block's segments are then runs of rows,
    and its cells fold without a sort of their own. The accounts' blocks may have no day
    column (their set has no day): their rows stay in the order they came.
    """
    if DAY not in columns:
        return [np.zeros(len(columns[READ]), dtype=bool)]
    keys = [columns[DAY] == NO_KEY]
    if texts is not None:
        hashes = columns[HASH_COLUMN]
        known = np.sort(np.fromiter(texts, dtype=hashes.dtype, count=len(texts)))
        keys += [_hash_ranks(known, hashes), columns[DAY], columns[BUCKET]]
    return keys


_SLICE_BITS = 16  # NOTE: the table of slices: 65,536 entries
_MOST_STEPS = 8  # NOTE: more hashes in one slice: a binary search after all


def _hash_ranks(known: np.ndarray[Any, Any], hashes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The position of each of `hashes` in `known` (sorted, and holding every one of them).

    A binary search per group (``np.searchsorted``) is the slow way at millions of groups. Hashes
    are spread evenly, so their top 16 bits index a table of where each slice of `known` starts,
    and the few hashes of a slice are stepped over: 4 times faster.
    """
    shift = np.uint64(64 - _SLICE_BITS)
    # NOTE: a slice starts after the hashes of the slices before it (counted, not searched for)
    per_slice = np.bincount(np.right_shift(known, shift).view(np.int64), minlength=1 << _SLICE_BITS)
    first = np.zeros(1 << _SLICE_BITS, dtype=np.int64)
    np.cumsum(per_slice[:-1], out=first[1:])
    widest = int(per_slice.max(initial=0))
    if widest > _MOST_STEPS:
        return np.searchsorted(known, hashes)
    # NOTE: two arrays for every step, in place: fresh memory costs more than the steps
    step = np.right_shift(hashes, shift)
    rank: np.ndarray[Any, Any] = np.take(first, step.view(np.int64), mode="clip")
    for _ in range(widest - 1):
        # NOTE: never past its own hash, so always within known
        rank += np.take(known, rank, out=step, mode="clip") != hashes
    return rank


def _grouped(
    result: dict[str, Any],
    rows: slice,
    view: ViewPlan,
    series: str,
    slots: _Slots,
    texts: Texts | None,
) -> Grouped:
    labels = view.key.labels
    segments, segment = _segments(result, rows, len(labels), texts)
    needs = view.series[series]
    weight = np.asarray(result[WEIGHT][rows], dtype=np.float64)
    empty = result[EMPTY][rows] == 1

    def slot(name: str) -> np.ndarray[Any, Any]:
        return np.asarray(result[name][rows], dtype=np.float64)

    good_slots, expired_slots = _slots_read(view, series, slots)
    good = {c: np.where(empty, 0.0, slot(name)) for c, name in good_slots.items()}
    expired = {e: np.where(empty, slot(name), 0.0) for e, name in expired_slots.items()}
    return Grouped(
        labels,
        segments,
        segment,
        np.asarray(result[DAY][rows], dtype=np.int64),
        np.asarray(result[BUCKET][rows], dtype=np.int64),
        _instants(result, rows),
        {
            "read": np.asarray(result[READ][rows], dtype=np.float64),
            "rows": weight,
            "n": np.where(empty, 0.0, weight),
            "sum": np.asarray(result[TOTAL][rows], dtype=np.float64),
            # NOTE: an event of a duration series without a value is open
            "open": np.where(empty, weight, 0.0) if needs.open_events else np.zeros(len(weight)),
        },
        np.asarray(result[LOW][rows], dtype=np.float64),
        np.asarray(result[HIGH][rows], dtype=np.float64),
        good,
        expired,
    )


def _instants(result: dict[str, Any], rows: slice) -> np.ndarray[Any, Any]:
    """The reading instant of each of `rows` (`NO_KEY` for all when no view keeps readings)."""
    if INSTANT not in result:
        return np.full(rows.stop - rows.start, NO_KEY, dtype=np.int64)
    return np.asarray(result[INSTANT][rows], dtype=np.int64)


def _accounts(result: Columns, plan: Plan, texts: Texts | None, hashed: list[str]) -> Accounts:
    accounts = Accounts()
    if not result:
        return accounts
    read = np.asarray(result[READ], dtype=np.float64)
    naive = result[NAIVE].astype(np.int64)
    accounts.read = int(round(float(read.sum())))
    accounts.naive_timestamps = int(round(float(read[naive == 1].sum())))
    accounts.timed_rows = int(round(float(read[naive != NO_KEY].sum())))
    names = {code: name for name, code in _codes(plan).items()}
    why, other = (_text(result, texts, hashed.index(c), c) for c in (REASON, OTHER))
    code = result[SERIES]
    reasons = np.flatnonzero(why != None)  # noqa: E711 - an element-wise test for null
    for reason, number, name, count in zip(
        why[reasons].tolist(),
        code[reasons].tolist(),
        other[reasons].tolist(),
        read[reasons].tolist(),
        strict=True,
    ):
        series = names.get(number, name)
        bucket = accounts.skipped if reason in SKIP_REASONS else accounts.rejected
        shown = f"{reason} ({series})" if reason in PER_SERIES else str(reason)
        bucket[shown] = bucket.get(shown, 0) + int(round(count))
    return accounts


def _text(result: Columns, texts: Texts | None, at: int, name: str) -> np.ndarray[Any, Any]:
    """The text key `name` (at position `at` of the hashed ones) of each group."""
    if texts is None:
        return np.asarray(result[name])
    hashes = result[HASH_COLUMN].tolist()
    return np.array([texts[h][at] for h in hashes], dtype=object)


def _segments(
    result: dict[str, Any], rows: slice, width: int, texts: Texts | None
) -> tuple[list[tuple[str | None, ...]], np.ndarray[Any, Any]]:
    """The distinct label values of `rows` (label slots 0 .. width-1) and each row's segment."""
    if not width:
        return [()], np.zeros(rows.stop - rows.start, dtype=np.int64)
    if texts is not None:
        hashes = result[HASH_COLUMN][rows]
        first, segment = _numbered(hashes)
        return [texts[h][:width] for h in hashes[first].tolist()], segment
    index: dict[tuple[str | None, ...], int] = {}
    segment = np.fromiter(
        (index.setdefault(k, len(index)) for k in _label_rows(result, rows, width)),
        np.int64,
        rows.stop - rows.start,
    )
    return list(index), segment


def _label_rows(
    result: dict[str, Any], rows: slice, width: int
) -> Iterator[tuple[str | None, ...]]:
    """The label values of each row, from the groups' own text columns."""
    return zip(*(result[f"{LABEL}{j}"][rows].tolist() for j in range(width)), strict=True)


def _numbered(hashes: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A row of each distinct hash (in hash order) and each row's number among them.

    ``np.unique`` with ``return_index`` sorts stably; any row of a hash will do here, and NumPy's
    vectorised quicksort is several times faster. Hashes in order already need no sort.
    """
    new = np.ones(len(hashes), dtype=bool)
    if in_order(hashes):
        np.not_equal(hashes[1:], hashes[:-1], out=new[1:])
        return np.flatnonzero(new), np.cumsum(new) - 1
    order = np.argsort(hashes)
    ordered = hashes[order]
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    number = np.empty(len(hashes), dtype=np.int64)
    number[order] = np.cumsum(new) - 1
    return order[new], number


def _labelled(
    result: dict[str, Any], rows: slice, view: ViewPlan, texts: Texts | None
) -> list[tuple[tuple[str | None, ...], int]]:
    """The label values and rows of groups a view does not keep (for "did you mean" hints)."""
    width = len(view.key.labels)
    if not width:
        return []
    counts = np.rint(np.asarray(result[READ][rows], dtype=np.float64)).astype(int).tolist()
    if texts is None:
        return list(zip(_label_rows(result, rows, width), counts, strict=True))
    hashes = result[HASH_COLUMN][rows].tolist()
    return [(texts[h][:width], count) for h, count in zip(hashes, counts, strict=True)]


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

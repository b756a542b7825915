from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartgoals._period import (
    QUANTILE_RELATIVE_ERROR,
    CellKey,
    PeriodTable,
    Stats,
    bucket_midpoint,
    bucket_of,
    merged,
)

values = st.floats(min_value=0.001, max_value=1e8, allow_nan=False)


def stats_of(xs: list[float]) -> Stats:
    result = Stats()
    for x in xs:
        result.add(
            Stats(
                rows=1,
                n=1,
                sum=x,
                sum_sq=x * x,
                min=x,
                max=x,
                good={("<=", 120.0): float(x <= 120)},
                hist={bucket_of(x): 1.0},
            )
        )
    return result


@given(values)
def test_bucket_midpoint_within_documented_error(value):
    assert (
        abs(bucket_midpoint(bucket_of(value)) - value) <= QUANTILE_RELATIVE_ERROR * value * 1.0001
    )


@given(values, values)
def test_buckets_are_monotonic(a, b):
    if a <= b:
        assert bucket_of(a) <= bucket_of(b)


@given(st.lists(values, min_size=1, max_size=200), st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_quantile_within_error_of_nearest_rank(xs, q):
    exact = sorted(xs)[max(math.ceil(q * len(xs)) - 1, 0)]
    estimate = stats_of(xs).quantile(q)
    assert estimate is not None
    assert estimate == pytest.approx(exact, rel=QUANTILE_RELATIVE_ERROR * 1.01)


@given(st.lists(st.lists(values, max_size=20), min_size=3, max_size=3))
def test_stats_merge_is_associative(parts):
    a, b, c = (stats_of(p) for p in parts)
    left = merged([merged([a, b]), c])
    right = merged([a, merged([b, c])])
    assert (left.rows, left.n, left.min, left.max, left.good, left.hist) == (
        right.rows,
        right.n,
        right.min,
        right.max,
        right.good,
        right.hist,
    )
    assert left.sum == pytest.approx(right.sum, rel=1e-12)


def test_stats_last_takes_latest_reading():
    a = Stats(last=(10, 5.0))
    assert merged([a, Stats(last=(20, 7.0)), Stats(last=(15, 9.0))]).last == (20, 7.0)


def test_period_table_merge_and_filter():
    key = CellKey("csat", (("channel", "chat"),), (100,))
    other = CellKey("csat", (("channel", "email"),), (101,))
    left, right = PeriodTable(("UTC",)), PeriodTable(("UTC",))
    left.add_cell(key, stats_of([4.0, 5.0]))
    right.add_cell(key, stats_of([3.0]))
    right.add_cell(other, stats_of([1.0]))
    right.rejected[("b.csv", "unknown metric")] = 2
    table = left.merge(right)
    assert table.daily("csat", {"channel": "chat"}, "UTC")[100].n == 3
    assert set(table.daily("csat", {"channel": ["chat", "email"]}, "UTC")) == {100, 101}
    assert table.rejected == {("b.csv", "unknown metric"): 2}
    with pytest.raises(ValueError, match="different time zones"):
        table.merge(PeriodTable(("Europe/Berlin",)))

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartgoals._period import (
    NO_KEY,
    QUANTILE_RELATIVE_ERROR,
    Grouped,
    PeriodTable,
    _BitCounts,
    _distinct_ranks,
    bucket_midpoint,
    bucket_midpoints,
    bucket_of,
    in_order,
    merged,
    range_quantiles,
    stable_order,
)
from smartgoals._units import Condition

values = st.floats(min_value=0.001, max_value=1e8, allow_nan=False)
WITHIN = Condition("<=", 120.0)


def grouped(
    xs: list[float], day: int = 100, label: str = "chat", instant: list[int] | None = None
) -> Grouped:
    """One group per event, as an engine would return them ungrouped."""
    n = len(xs)
    array = np.asarray(xs, dtype=np.float64)
    return Grouped(
        ("channel",),
        [(label,)],
        np.zeros(n, dtype=np.int64),
        np.full(n, day, dtype=np.int64),
        np.array([bucket_of(x) for x in xs], dtype=np.int64),
        np.asarray(instant if instant is not None else [NO_KEY] * n, dtype=np.int64),
        {
            "read": np.ones(n),
            "rows": np.ones(n),
            "n": np.ones(n),
            "sum": array,
            "open": np.zeros(n),
        },
        array.copy(),
        array.copy(),
        {WITHIN: (array <= 120).astype(np.float64)},
    )


def table_of(*parts: Grouped) -> PeriodTable:
    table = PeriodTable()
    for part in parts:
        table.add(0, "csat", part)
    return table


key_families = [
    st.integers(-(2**40), 2**40),
    st.integers(0, 5),  # many ties
    st.sampled_from([0, 5, NO_KEY]),  # no key, among small values
    st.sampled_from([-(2**62), 0, 2**62, NO_KEY - 1]),  # a range too wide to combine
]
keys = st.one_of(key_families)


@st.composite
def key_columns(draw: st.DrawFn) -> list[list[int]]:
    """1 to 3 key columns of one length, each of one family of `keys` or of all of them."""
    size = draw(st.integers(0, 300))
    families = [keys, *key_families]
    return [
        draw(st.lists(draw(st.sampled_from(families)), min_size=size, max_size=size))
        for _ in range(draw(st.integers(1, 3)))
    ]


def narrowest(column: list[int]) -> np.ndarray:
    """The column as booleans or 32-bit integers where its values allow, as engines send keys."""
    if set(column) <= {0, 1}:
        return np.asarray(column, dtype=bool)
    if all(abs(v) < 2**31 for v in column):
        return np.asarray(column, dtype=np.int32)
    return np.asarray(column, dtype=np.int64)


@given(key_columns(), st.booleans())
def test_stable_order_is_a_stable_sort_by_every_key(columns, narrow):
    rows = list(zip(*columns, strict=True))
    arrays = [narrowest(c) if narrow else np.asarray(c, dtype=np.int64) for c in columns]
    expected = sorted(range(len(rows)), key=lambda i: rows[i])  # NOTE: Python's sort is stable
    assert stable_order(*arrays).tolist() == expected


def test_stable_order_puts_no_key_first_without_widening_the_key():
    day = np.array([3, NO_KEY, 1, NO_KEY, 3])
    assert stable_order(day).tolist() == [1, 3, 2, 0, 4]


@given(st.integers(1, 3).flatmap(lambda k: st.lists(st.tuples(*[keys] * k), max_size=60)))
def test_in_order_says_whether_the_rows_are_sorted(rows):
    columns = [np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True)] or [
        np.zeros(0, dtype=np.int64)
    ]
    assert in_order(*columns) == (rows == sorted(rows))


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), values), min_size=1, max_size=80),
    st.randoms(use_true_random=False),
)
def test_cells_fold_alike_sorted_or_not(events, seed):
    """Rows that come sorted fold without a sort of their own, to the same cells."""

    def part(rows: list[tuple[int, int, float]]) -> Grouped:
        xs = [x for _, _, x in rows]
        g = grouped(xs)
        g.segments = [(f"s{i}",) for i in range(4)]
        g.segment = np.array([s for s, _, _ in rows], dtype=np.int64)
        g.day = np.array([100 + d for _, d, _ in rows], dtype=np.int64)
        return g

    ordered = sorted(events, key=lambda e: (e[0], e[1], bucket_of(e[2])))
    shuffled = list(ordered)
    seed.shuffle(shuffled)
    a, b = table_of(part(ordered)).cells(0, "csat"), table_of(part(shuffled)).cells(0, "csat")
    assert a is not None
    assert b is not None
    assert (a.seg.tolist(), a.day.tolist()) == (b.seg.tolist(), b.day.tolist())
    for name in ("rows", "n"):
        assert a.sums[name].tolist() == b.sums[name].tolist()
    assert a.sums["sum"] == pytest.approx(b.sums["sum"], rel=1e-12)
    assert [h.tolist() for h in a.hist[:4]] == [h.tolist() for h in b.hist[:4]]


@given(values)
def test_bucket_midpoint_within_documented_error(value):
    assert (
        abs(bucket_midpoint(bucket_of(value)) - value) <= QUANTILE_RELATIVE_ERROR * value * 1.0001
    )


@given(st.lists(values, min_size=1, max_size=50))
def test_bucket_midpoints_vectorised_match(xs):
    buckets = np.array([bucket_of(x) for x in xs] + [bucket_of(0.0), bucket_of(1e-9)])
    assert bucket_midpoints(buckets).tolist() == [bucket_midpoint(int(b)) for b in buckets]


@given(values, values)
def test_buckets_are_monotonic(a, b):
    if a <= b:
        assert bucket_of(a) <= bucket_of(b)


@given(st.lists(values, min_size=1, max_size=200), st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_quantile_within_error_of_nearest_rank(xs, q):
    exact = sorted(xs)[max(math.ceil(q * len(xs)) - 1, 0)]
    cells = table_of(grouped(xs)).cells(0, "csat")
    assert cells is not None
    _, _, bucket, count, _, _ = cells.hist
    found, total = range_quantiles(
        np.searchsorted(np.unique(bucket), bucket), count, np.array([0]), np.array([len(bucket)]), q
    )
    estimate = bucket_midpoint(int(np.unique(bucket)[found[0]]))
    estimate = min(max(estimate, min(xs)), max(xs))
    assert total[0] == len(xs)
    assert estimate == pytest.approx(exact, rel=QUANTILE_RELATIVE_ERROR * 1.01)


@given(st.lists(st.booleans(), max_size=300))
def test_bit_counts_are_prefix_sums_of_the_flags(flags):
    counts = _BitCounts(len(flags))
    counts.count(np.array(flags, dtype=bool))
    assert counts.at(np.arange(len(flags) + 1)).tolist() == [
        sum(flags[:p]) for p in range(len(flags) + 1)
    ]
    assert counts.total == sum(flags)


# NOTE: small and wide values (16- and 32-bit levels); counts, fractions and counts past 2^31
quantile_rows = st.tuples(
    st.sampled_from([40, 2**20]), st.sampled_from([st.integers(1, 5), st.just(0.5), st.just(2**31)])
).flatmap(
    lambda kind: st.lists(
        st.tuples(st.integers(0, kind[0]), kind[1] | st.integers(1, 5)), min_size=1, max_size=80
    )
)


@given(
    quantile_rows,
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), min_size=1, max_size=20),
    st.sampled_from([0.01, 0.5, 0.9, 1.0]),
)
def test_range_quantiles_match_a_sorted_walk(rows, ranges, q):
    values = np.array([v for v, _ in rows], dtype=np.int64)
    weights = np.array([w for _, w in rows], dtype=np.float64)
    starts = np.array([min(a, b, len(rows)) for a, b in ranges], dtype=np.int64)
    ends = np.array([min(max(a, b), len(rows)) for a, b in ranges], dtype=np.int64)
    found, total = range_quantiles(values, weights, starts, ends, q)
    for start, end, value, weight in zip(starts, ends, found, total, strict=True):
        assert weight == weights[start:end].sum()
        if end <= start:
            continue
        rank, seen = max(q * weights[start:end].sum(), 1e-12), 0.0
        for v, w in sorted(
            zip(values[start:end].tolist(), weights[start:end].tolist(), strict=False)
        ):
            seen += w
            if seen >= rank - 1e-9:
                assert value == v
                break


@given(st.lists(st.lists(values, max_size=20), min_size=3, max_size=3))
def test_period_table_merge_is_associative(parts):
    a, b, c = (table_of(grouped(p)) for p in parts)
    left = merged([merged([a, b]), c]).cells(0, "csat")
    right = merged([a, merged([b, c])]).cells(0, "csat")
    assert left is not None
    assert right is not None
    assert (left.sums["rows"].tolist(), left.sums["n"].tolist()) == (
        right.sums["rows"].tolist(),
        right.sums["n"].tolist(),
    )
    assert left.good[WITHIN].tolist() == right.good[WITHIN].tolist()
    assert [h.tolist() for h in left.hist] == [h.tolist() for h in right.hist]
    assert left.sums["sum"] == pytest.approx(right.sums["sum"], rel=1e-12)


def test_readings_keep_the_latest():
    part = grouped([5.0, 7.0, 9.0], instant=[10, 20, 15])
    cells = table_of(part).cells(0, "csat")
    assert cells is not None
    _, _, instant, value = cells.readings
    assert (instant.tolist(), value.tolist()) == ([20], [7.0])


def test_period_table_merge_and_filter():
    left = table_of(grouped([4.0, 5.0], day=100, label="chat"))
    right = table_of(grouped([3.0], day=100, label="chat"), grouped([1.0], day=101, label="email"))
    table = left.merge(right)
    cells = table.cells(0, "csat")
    assert cells is not None
    chat = cells.matching({"channel": "chat"})
    rows = cells.rows_of(np.flatnonzero(chat))
    assert (cells.day[rows].tolist(), cells.sums["n"][rows].tolist()) == ([100], [3.0])
    both = cells.rows_of(np.flatnonzero(cells.matching({"channel": ["chat", "email"]})))
    assert sorted(cells.day[both].tolist()) == [100, 101]
    assert cells.values_of("channel", np.ones(len(cells.segments), dtype=bool)) == ["chat", "email"]


@given(
    st.lists(st.integers(-2_000, 2_000) | st.sampled_from([-1_000_000, 1_000_000]), max_size=300)
)
def test_distinct_ranks_match_sorting(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    distinct, ranks = _distinct_ranks(array)
    expected = np.unique(array)
    assert distinct.tolist() == expected.tolist()
    assert ranks.tolist() == np.searchsorted(expected, array).tolist()
    assert distinct.dtype == ranks.dtype == np.int64

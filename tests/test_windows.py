from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from unittest.mock import patch

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from smartgoals import _windows as windows_module
from smartgoals._measures import Mean, Statistic
from smartgoals._period import NO_KEY, Grouped, PeriodTable, bucket_midpoint, bucket_of
from smartgoals._timeline import Timeline
from smartgoals._units import Condition, Target, Unit
from smartgoals._windows import Selection, WindowSums, range_reduce

CHANNELS = ("chat", "email", "phone")
AGENTS = ("ana", "bo", "cy")
WITHIN = Condition("<=", 120.0)


@dataclass(frozen=True)
class Line:
    """The two things window sums read of a timeline: its windows and its end day."""

    ranges: tuple[tuple[int, int], ...]
    end: int

    def windows(self) -> list[tuple[int, int]]:
        return list(self.ranges)


def line(ranges: tuple[tuple[int, int], ...], end: int) -> Timeline:
    return cast(Timeline, Line(ranges, end))


events = st.lists(
    st.tuples(
        st.integers(0, 20),  # day
        st.sampled_from(CHANNELS),
        st.sampled_from(AGENTS),
        st.floats(1, 500, allow_nan=False),
    ),
    max_size=60,
)
ranges = st.lists(
    st.tuples(st.integers(-3, 22), st.integers(1, 10)).map(lambda r: (r[0], r[0] + r[1])),
    min_size=1,
    max_size=6,
)


def cells_of(rows: list[tuple[int, str, str, float]]):
    """The cells of `rows`, one group per event, as an engine would return them ungrouped."""
    segments: list[tuple[str | None, ...]] = sorted({(c, a) for _, c, a, _ in rows})
    n = len(rows)
    values = np.array([v for *_, v in rows], dtype=np.float64)
    grouped = Grouped(
        ("channel", "agent"),
        segments,
        np.array([segments.index((c, a)) for _, c, a, _ in rows], dtype=np.int64),
        np.array([d for d, *_ in rows], dtype=np.int64),
        np.array([bucket_of(v) for v in values], dtype=np.int64),
        np.full(n, NO_KEY, dtype=np.int64),
        {
            "read": np.ones(n),
            "rows": np.ones(n),
            "n": np.ones(n),
            "sum": values,
            "open": np.zeros(n),
        },
        values.copy(),
        values.copy(),
        {WITHIN: (values <= 120).astype(np.float64)},
    )
    table = PeriodTable()
    table.add(0, "handle_time", grouped)
    return table.cells(0, "handle_time")


@given(events, ranges)
def test_window_sums_match_a_walk_over_the_events(rows, windows):
    cells = cells_of(rows)
    selection = Selection()
    selection.add({})
    selection.add({"channel": "chat"})
    selection.add({"channel": ["chat", "email"]})
    agents = sorted({a for _, c, a, _ in rows if c != "phone"})
    selection.add_family({"channel": ["chat", "email"]}, "agent", agents)
    members = [
        lambda c, a: True,
        lambda c, a: c == "chat",
        lambda c, a: c in ("chat", "email"),
        *(lambda c, a, name=name: c != "phone" and a == name for name in agents),
    ]
    measure = Mean(("handle_time",), Target("<=", 100.0), Unit.SECONDS, (0, 1e9), (WITHIN,))
    sums = WindowSums(line(tuple(windows), 21), selection, measure, None)
    totals = sums.totals([cells])
    assert totals.n.shape == (selection.size, len(windows))
    for m, reads in enumerate(members):
        for w, (first, end) in enumerate(windows):
            chosen = [v for d, c, a, v in rows if reads(c, a) and first <= d < min(end, 21)]
            assert totals.n[m, w] == len(chosen)
            assert np.isclose(totals.sum[m, w], sum(chosen))
            assert totals.good[WITHIN][m, w] == sum(v <= 120 for v in chosen)


@given(events, ranges, st.sampled_from([0.5, 0.9]))
def test_quantiles_do_not_depend_on_how_segments_split_the_events(rows, windows, q):
    split = cells_of(rows)
    merged = cells_of([(d, "any", "any", v) for d, c, _, v in rows if c != "phone"])
    measure = Statistic(("handle_time",), Target("<=", 100.0), Unit.SECONDS, (0, 1e9), quantile_q=q)
    found = []
    readers: list[tuple[Any, dict[str, str | list[str]]]] = [
        (split, {"channel": ["chat", "email"]}),
        (merged, {}),
    ]
    for cells, where in readers:
        selection = Selection()
        selection.add(where)
        sums = WindowSums(line(tuple(windows), 21), selection, measure, None)
        quantile = sums.totals([cells]).quantile
        assert quantile is not None
        found.append(quantile)
    assert np.array_equal(found[0], found[1], equal_nan=True)


repeated = st.lists(  # NOTE: few days and values: cells of several events, so weights above 1
    st.tuples(
        st.integers(0, 5),
        st.just("chat"),
        st.sampled_from(AGENTS),
        st.sampled_from([10.0, 11.0, 50.0, 52.0, 100.0, 101.0, 400.0, 3000.0]),
    ),
    max_size=60,
)


MOSTLY_ANA = [(0, "chat", "ana", 10.0)] * 5 + [(0, "chat", "bo", 400.0), (0, "chat", "cy", 400.0)]
WAYS = {  # NOTE: (GRID_CELLS, DENSE_CELLS, RANK_BLOCK): a grid, or a wavelet matrix
    "grid": (1 << 21, 1 << 16, 32),
    "grid, blocks of two buckets": (1 << 21, 1 << 16, 2),
    "grid, blocks of three buckets": (1 << 21, 1 << 16, 3),
    "wavelet, rows added up": (0, 1 << 16, 32),
    "wavelet, rows sorted": (0, 0, 32),
}


def nearest_rank(values: list[float], q: float) -> float:
    """The nearest-rank `q` quantile of the values' bucket midpoints, within their extremes."""
    if not values:
        return float("nan")
    buckets = sorted(bucket_of(v) for v in values)
    wanted = max(q * len(buckets), 1e-12)
    found = next(b for i, b in enumerate(buckets, 1) if i >= wanted - 1e-9)
    return min(max(bucket_midpoint(found), min(values)), max(values))


@given(repeated, ranges, st.sampled_from([0.5, 0.9]), st.sampled_from(sorted(WAYS)))
@example(MOSTLY_ANA, [(0, 3)], 0.5, "grid")
@example(MOSTLY_ANA, [(0, 3)], 0.5, "grid, blocks of three buckets")
@example(MOSTLY_ANA, [(0, 3)], 0.5, "wavelet, rows added up")
@example(MOSTLY_ANA, [(0, 3)], 0.5, "wavelet, rows sorted")
def test_quantiles_of_a_parent_and_its_children_match_a_walk(rows, windows, q, way):
    """A for_each parent reads every child's segment; each way of ranking gives the same."""
    agents = sorted({a for _, _, a, _ in rows})
    measure = Statistic(("handle_time",), Target("<=", 100.0), Unit.SECONDS, (0, 1e9), quantile_q=q)
    selection = Selection()
    selection.add({})
    selection.add_family({}, "agent", agents)
    grid, dense, block = WAYS[way]
    with (
        patch.object(windows_module, "GRID_CELLS", grid),
        patch.object(windows_module, "DENSE_CELLS", dense),
        patch.object(windows_module, "RANK_BLOCK", block),
    ):
        sums = WindowSums(line(tuple(windows), 21), selection, measure, None)
        found = sums.totals([cells_of(rows)]).quantile
    assert found is not None
    readers = [lambda a: True, *(lambda a, name=name: a == name for name in agents)]
    expected = [
        [
            nearest_rank([v for d, _, a, v in rows if reads(a) and first <= d < min(end, 21)], q)
            for first, end in windows
        ]
        for reads in readers
    ]
    assert np.array_equal(found, np.array(expected), equal_nan=True)


def test_window_sums_without_cells_are_zero():
    selection = Selection()
    selection.add({})
    measure = Mean(("handle_time",), Target("<=", 100.0), Unit.SECONDS, (0, 1e9))
    totals = WindowSums(line(((0, 7),), 7), selection, measure, None).totals([None])
    assert totals.rows.tolist() == [[0.0]]
    assert totals.n.tolist() == [[0.0]]


@given(
    st.lists(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30), min_size=1, max_size=3),
    st.data(),
)
def test_range_reduce_matches_min_and_max_of_each_range(table, data):
    width = min(len(row) for row in table)
    values = np.array([row[:width] for row in table])
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, width), st.integers(0, width)).map(sorted), max_size=8)
    )
    firsts = np.array([p[0] for p in pairs], dtype=np.int64)
    ends = np.array([p[1] for p in pairs], dtype=np.int64)
    low = range_reduce(values, firsts, ends, np.minimum, np.inf)
    high = range_reduce(values, firsts, ends, np.maximum, -np.inf)
    for r, row in enumerate(values.tolist()):
        for w, (first, end) in enumerate(pairs):
            assert low[r, w] == min(row[first:end], default=np.inf)
            assert high[r, w] == max(row[first:end], default=-np.inf)

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from smartgoals._forecast import p_success, theil_sen, theil_sen_rows
from smartgoals._units import Target


def test_theil_sen_needs_four_points():
    assert theil_sen([1, 2, 3], [1, 2, 3]) is None


@given(st.lists(st.floats(min_value=-100, max_value=100, allow_nan=False), min_size=4, max_size=12))
def test_theil_sen_matches_scipy(ys):
    xs = [float(i) for i in range(len(ys))]
    trend = theil_sen(xs, ys)
    assert trend is not None
    reference = stats.theilslopes(ys, xs, alpha=0.90, method="joint")
    assert trend.slope == pytest.approx(reference.slope, abs=1e-9)
    assert trend.intercept == pytest.approx(reference.intercept, abs=1e-9)
    assert trend.slope_low == pytest.approx(reference.low_slope, abs=1e-9)
    assert trend.slope_high == pytest.approx(reference.high_slope, abs=1e-9)


def test_trend_on_a_line_is_exact():
    trend = theil_sen([0, 1, 2, 3, 4], [1, 3, 5, 7, 9])
    assert trend is not None
    assert (trend.slope, trend.intercept, trend.at(10)) == (2, 1, 21)
    assert trend.interval_at(10) == (21, 21)


def test_p_success_symmetry():
    assert p_success(0.9, 0.85, 0.95, Target(">=", 0.9)) == pytest.approx(0.5)
    assert p_success(0.95, 0.9, 1.0, Target(">=", 0.9)) > 0.9
    assert p_success(0.95, 0.9, 1.0, Target("<=", 0.9)) < 0.1
    assert p_success(1.0, 1.0, 1.0, Target(">=", 0.9)) == 1.0


def test_p_success_normal_tail():
    sigma = 0.1 / (2 * 1.6448536269514722)
    expected = 0.5 * (1 + math.erf((0.9 - 0.88) / sigma / math.sqrt(2)))
    assert p_success(0.9, 0.85, 0.95, Target(">=", 0.88)) == pytest.approx(expected)


cell = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 9), st.integers(-3, 3).map(lambda y: y / 4)),  # NOTE: ties
)


@given(st.lists(st.lists(cell, min_size=8, max_size=8), min_size=1, max_size=6))
def test_trends_of_many_rows_match_one_row_at_a_time(rows):
    import numpy as np

    xs = np.array([[np.nan if c is None else c[0] for c in row] for row in rows], dtype=float)
    ys = np.array([[np.nan if c is None else c[1] for c in row] for row in rows], dtype=float)
    for row, trend in zip(rows, theil_sen_rows(xs, ys), strict=True):
        points = [c for c in row if c is not None]
        alone = theil_sen([float(x) for x, _ in points], [y for _, y in points])
        if alone is None:
            assert trend is None
        else:
            assert trend is not None
            for field in ("slope", "intercept", "slope_low", "slope_high", "center_x", "center_y"):
                assert getattr(trend, field) == pytest.approx(getattr(alone, field), abs=1e-12)
            assert trend.points == alone.points

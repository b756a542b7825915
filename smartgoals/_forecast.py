"""Trend and forecast: a Theil–Sen line with Sen's rank interval for its slope. Pure math, no I/O.

- slope: the median of the pairwise slopes ``(y_j − y_i) / (x_j − x_i)``;
- intercept: the median of ``y − slope · x`` (Conover's estimator);
- 90 % interval of the slope (Sen 1968, Gilbert 1987): with ``N`` pairwise slopes sorted and
  ``C = z · sqrt(n(n−1)(2n+5)/18)`` (z = 1.645, less Sen's correction for ties), the slopes of
  0-based rank ``round((N − C)/2) − 1`` and ``round((N + C)/2)`` (the ranks SciPy's
  ``theilslopes`` uses).
- forecast at x: the line's value; its interval pivots the lower and upper slopes about the median
  point of the data.
- p_success: the probability the deadline value meets the target, taking the forecast as normal with
  the interval as its central 90 %.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from statistics import median

import numpy as np
from numpy.typing import NDArray

from smartgoals._measures import Measure
from smartgoals._units import Target

Z90 = 1.6448536269514722
MIN_POINTS = 4
TREND_WEEKS = 8


@dataclass(frozen=True)
class Trend:
    """A Theil–Sen line ``y = intercept + slope · x`` with the 90 % interval of its slope."""

    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    center_x: float
    center_y: float
    points: int

    def at(self, x: float) -> float:
        """The line's value at `x`."""
        return self.intercept + self.slope * x

    def interval_at(self, x: float) -> tuple[float, float]:
        """The forecast interval at `x`, from the slope interval about the median point."""
        dx = x - self.center_x
        ends = (self.center_y + self.slope_low * dx, self.center_y + self.slope_high * dx)
        return min(ends), max(ends)


def theil_sen(xs: list[float], ys: list[float]) -> Trend | None:
    """The Theil–Sen trend of the points, or None with fewer than `MIN_POINTS` distinct x."""
    n = len(xs)
    if n < MIN_POINTS or len(set(xs)) < MIN_POINTS:
        return None
    slopes = sorted(
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(n)
        for j in range(i + 1, n)
        if xs[j] != xs[i]
    )
    slope = median(slopes)
    intercept = median(y - slope * x for x, y in zip(xs, ys, strict=True))
    count = len(slopes)
    c = Z90 * math.sqrt(_variance(n, xs, ys))
    low = max(round((count - c) / 2) - 1, 0)
    high = min(round((count + c) / 2), count - 1)
    return Trend(slope, intercept, slopes[low], slopes[high], median(xs), median(ys), n)


def theil_sen_rows(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> list[Trend | None]:
    """`theil_sen` of every row at once: a row's points are its columns where `ys` is not NaN.

    Gives what `theil_sen` gives for each row's points (the same arithmetic and medians), for many
    goals in a few array operations.
    """
    rows, width = ys.shape
    if rows == 0 or width < 2:
        return [None] * rows
    valid = ~np.isnan(ys)
    xs = np.where(valid, xs, np.nan)
    first, second = np.triu_indices(width, 1)
    dx = xs[:, second] - xs[:, first]
    pair = valid[:, first] & valid[:, second] & (dx != 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = np.sort(np.where(pair, (ys[:, second] - ys[:, first]) / dx, np.nan), axis=1)
    count, n = pair.sum(axis=1), valid.sum(axis=1)
    x_sorted, y_sorted = np.sort(xs, axis=1), np.sort(ys, axis=1)
    usable = (n >= MIN_POINTS) & (_distinct(x_sorted, n) >= MIN_POINTS)
    slope = _medians(slopes, count)
    intercept = _medians(np.sort(ys - slope[:, None] * xs, axis=1), n)
    variance = (n * (n - 1) * (2 * n + 5) - _ties(x_sorted, n) - _ties(y_sorted, n)) / 18
    c = Z90 * np.sqrt(np.maximum(variance, 0.0))
    low = np.maximum(np.rint((count - c) / 2) - 1, 0).astype(np.int64)
    high = np.minimum(np.rint((count + c) / 2), count - 1).astype(np.int64)
    index = np.arange(rows)
    bounds = slopes[index, np.minimum(low, width - 1)], slopes[index, np.maximum(high, 0)]
    centers = _medians(x_sorted, n), _medians(y_sorted, n)
    trends: list[Trend | None] = [None] * rows
    for row in np.flatnonzero(usable).tolist():
        trends[row] = Trend(
            float(slope[row]),
            float(intercept[row]),
            float(bounds[0][row]),
            float(bounds[1][row]),
            float(centers[0][row]),
            float(centers[1][row]),
            int(n[row]),
        )
    return trends


def _medians(ordered: NDArray[np.float64], counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Per row, the median of its first `counts` values (rows sorted, NaN last)."""
    index = np.arange(len(counts))
    middle = np.clip(counts // 2, 0, ordered.shape[1] - 1)
    below = np.clip(counts // 2 - 1, 0, ordered.shape[1] - 1)
    odd = ordered[index, middle]
    even = (ordered[index, below] + ordered[index, middle]) / 2
    return np.where(counts % 2 == 1, odd, np.where(counts > 0, even, np.nan))


def _runs(
    ordered: NDArray[np.float64], counts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The row and length of every run of equal values among each row's first `counts` values."""
    width = ordered.shape[1]
    inside = np.arange(width)[None, :] < counts[:, None]
    rows, columns = np.nonzero(inside)
    values = ordered[rows, columns]
    start = np.ones(len(values), dtype=bool)
    start[1:] = (rows[1:] != rows[:-1]) | (values[1:] != values[:-1])
    starts = np.flatnonzero(start)
    lengths = np.diff(np.append(starts, len(values)))
    return rows[starts], lengths


def _distinct(ordered: NDArray[np.float64], counts: NDArray[np.int64]) -> NDArray[np.int64]:
    rows, _ = _runs(ordered, counts)
    distinct: NDArray[np.int64] = np.bincount(rows, minlength=len(counts))
    return distinct


def _ties(ordered: NDArray[np.float64], counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Sen's tie correction ``Σ k(k−1)(2k+5)`` over the runs of equal values of each row."""
    rows, k = _runs(ordered, counts)
    weights = (k * (k - 1) * (2 * k + 5)).astype(np.float64)
    ties = np.bincount(rows, weights=weights, minlength=len(counts))
    return ties.astype(np.float64)


def _variance(n: int, xs: list[float], ys: list[float]) -> float:
    """Sen's (1968, eq. 2.6) variance of the pairwise-slope count, corrected for tied values."""

    def ties(values: list[float]) -> float:
        return sum(k * (k - 1) * (2 * k + 5) for k in Counter(values).values() if k > 1)

    return (n * (n - 1) * (2 * n + 5) - ties(xs) - ties(ys)) / 18


def p_success(forecast: float, low: float, high: float, target: Target) -> float:
    """The probability that a value forecast as `forecast` in ``[low, high]`` meets the target."""
    sigma = (high - low) / (2 * Z90)
    if sigma <= 0:
        return 1.0 if target.met_by(forecast) else 0.0
    z = (forecast - target.value) / sigma
    above = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    return above if target.higher else 1 - above


def forecast_at(
    trend: Trend | None, x: float, measure: Measure
) -> tuple[float | None, tuple[float, float] | None, float | None]:
    """The trend's value at `x` (the deadline), its interval and p_success.

    A line can run past what the metric can be (CSAT above 100%): the forecast and its interval
    are clipped to the measure's possible range, after p_success is taken from the line.
    """
    if trend is None:
        return None, None, None
    value = trend.at(x)
    low, high = trend.interval_at(x)
    low, high = min(low, value), max(high, value)
    chance = p_success(value, low, high, measure.target)
    bottom, top = measure.value_range

    def clip(v: float) -> float:
        return min(max(v, bottom), top)

    return clip(value), (clip(low), clip(high)), chance


__all__ = [
    "MIN_POINTS",
    "TREND_WEEKS",
    "Trend",
    "forecast_at",
    "p_success",
    "theil_sen",
    "theil_sen_rows",
]

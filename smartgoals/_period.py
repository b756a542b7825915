"""The period table: the compact, mergeable summary of metric events that evaluation reads.

Aggregation reduces raw events to one `Stats` per metric × label combination × local day (one day
column per time zone in use). `Stats` merge associatively and commutatively (float sums up to
rounding), so tables from several files, engines or partitions combine into the same result.

Quantiles come from log-linear histogram buckets (as in HdrHistogram): each binary octave
``[2^k, 2^(k+1))`` holds 64 equal buckets of width ``2^(k-6)``, so a bucket's midpoint is within
1/128 (0.78 %) of every value in it. Buckets are assigned with exact comparisons against powers of two
and one multiplication by a power of two, which every engine computes exactly and alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

Condition = tuple[str, float]  # (comparison, limit): "<=", "<" or ">=" against the event's value

SUB_BUCKETS = 64
MIN_OCTAVE = -10
MAX_OCTAVE = 30
ZERO_BUCKET = -(10**6)
UNDERFLOW_BUCKET = -(10**5)
OVERFLOW_BUCKET = 10**6
QUANTILE_RELATIVE_ERROR = 1 / (2 * SUB_BUCKETS)


def bucket_of(value: float) -> int:
    """The histogram bucket of a value (the reference the engines' expressions must match)."""
    if value <= 0:
        return ZERO_BUCKET
    if value < 2.0**MIN_OCTAVE:
        return UNDERFLOW_BUCKET
    for octave in range(MIN_OCTAVE, MAX_OCTAVE + 1):
        if value < 2.0 ** (octave + 1):
            return octave * SUB_BUCKETS + math.floor(scaled(value, octave)) - SUB_BUCKETS
    return OVERFLOW_BUCKET


def scaled(value: float, octave: int) -> float:
    """``value / 2^(octave-6)``: exact, as a multiplication by a power of two."""
    return value * 2.0 ** (6 - octave)


def bucket_midpoint(bucket: int) -> float:
    """A representative value of a bucket: the midpoint of its range."""
    if bucket == ZERO_BUCKET:
        return 0.0
    if bucket == UNDERFLOW_BUCKET:
        return 2.0**MIN_OCTAVE / 2
    if bucket == OVERFLOW_BUCKET:
        return 2.0 ** (MAX_OCTAVE + 1)
    octave, step = divmod(bucket, SUB_BUCKETS)
    return (SUB_BUCKETS + step + 0.5) * 2.0 ** (octave - 6)


K = TypeVar("K")


def _add_counts(counts: dict[K, float], more: dict[K, float]) -> None:
    for key, count in more.items():
        counts[key] = counts.get(key, 0.0) + count


@dataclass
class Stats:
    """Counts and sums of the events of one cell or window; merge with `add`.

    Attributes:
        rows: events, answered or not (weighted by `count`).
        n: answered events (a value present).
        sum: sum of value × count over answered events.
        sum_sq: sum of value² × count.
        min: smallest value (inf when none).
        max: largest value (-inf when none).
        good: per condition, the answered events meeting it.
        hist: per histogram bucket, the answered events in it.
        open: per creation instant (epoch µs), the open (unanswered) events.
        last: the latest reading as ``(epoch µs, value)``, for point-in-time metrics.
    """

    rows: float = 0.0
    n: float = 0.0
    sum: float = 0.0
    sum_sq: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    good: dict[Condition, float] = field(default_factory=dict)
    hist: dict[int, float] = field(default_factory=dict)
    open: dict[int, float] = field(default_factory=dict)
    last: tuple[int, float] | None = None

    def add(self, other: Stats) -> Stats:
        """Merge `other` into this one (in place) and return self."""
        self.rows += other.rows
        self.n += other.n
        self.sum += other.sum
        self.sum_sq += other.sum_sq
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        _add_counts(self.good, other.good)
        _add_counts(self.hist, other.hist)
        _add_counts(self.open, other.open)
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last
        return self

    def copy(self) -> Stats:
        """An independent copy."""
        return Stats().add(self)

    def quantile(self, q: float) -> float | None:
        """The nearest-rank `q` quantile of answered values, within `QUANTILE_RELATIVE_ERROR`."""
        total = sum(self.hist.values())
        if total <= 0:
            return None
        rank = max(q * total, 1e-12)
        seen = 0.0
        for bucket in sorted(self.hist):
            seen += self.hist[bucket]
            if seen >= rank - 1e-9:
                return min(max(bucket_midpoint(bucket), self.min), self.max)
        return self.max  # pragma: no cover - the loop always reaches the total


def merged(parts: Iterable[Stats]) -> Stats:
    """The merge of several `Stats` (a new object)."""
    result = Stats()
    for part in parts:
        result.add(part)
    return result


Labels = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class CellKey:
    """Which events a cell holds: one series, one label combination, one local day per time zone."""

    series: str
    labels: Labels
    days: tuple[int, ...]


@dataclass
class PeriodTable:
    """Per series × labels × local day, the `Stats` of the events; plus rejected-row counts.

    Attributes:
        timezones: the time zones whose local days key the cells, in column order.
        conditions: per series, the conditions whose good counts were aggregated.
        cells: the statistics per cell.
        rejected: per (source, reason), the rows that could not be used.
        naive_timestamps: rows whose timestamps carried no offset (read in the data time zone).
        timed_rows: rows whose timestamp could be read (naive or not), for spotting a mix.
    """

    timezones: tuple[str, ...]
    conditions: dict[str, tuple[Condition, ...]] = field(default_factory=dict)
    cells: dict[CellKey, Stats] = field(default_factory=dict)
    rejected: dict[tuple[str, str], int] = field(default_factory=dict)
    naive_timestamps: int = 0
    timed_rows: int = 0
    _index: dict[str, list[tuple[dict[str, str | None], CellKey, Stats]]] | None = field(
        default=None, repr=False, compare=False
    )
    _index_size: int = field(default=0, repr=False, compare=False)

    def add_cell(self, key: CellKey, stats: Stats) -> None:
        """Merge `stats` into the cell `key`."""
        current = self.cells.get(key)
        if current is None:
            self.cells[key] = stats
        else:
            current.add(stats)

    def merge(self, other: PeriodTable) -> PeriodTable:
        """A new table holding the events of both (same time zones required)."""
        if other.timezones != self.timezones:
            raise ValueError("period tables with different time zones cannot be merged")
        result = PeriodTable(self.timezones, {**self.conditions, **other.conditions})
        for table in (self, other):
            for key, stats in table.cells.items():
                result.add_cell(key, stats.copy())
            for reason, count in table.rejected.items():
                result.rejected[reason] = result.rejected.get(reason, 0) + count
            result.naive_timestamps += table.naive_timestamps
            result.timed_rows += table.timed_rows
        return result

    def label_values(self, series: str, where: dict[str, str | list[str]], label: str) -> list[str]:
        """The distinct values of `label` among the cells of `series` under a filter, sorted."""
        wanted = {k: {v} if isinstance(v, str) else set(v) for k, v in where.items()}
        values = set()
        for key in self.cells:
            labels = dict(key.labels)
            if key.series == series and all(labels.get(k) in a for k, a in wanted.items()):
                value = labels.get(label)
                if value:
                    values.add(value)
        return sorted(values, key=lambda v: (v.lower(), v))

    def daily(self, series: str, where: dict[str, str | list[str]], tz: str) -> dict[int, Stats]:
        """The merged `Stats` per local day in `tz` of one series under a label filter."""
        column = self.timezones.index(tz)
        wanted = [(k, {v} if isinstance(v, str) else set(v)) for k, v in where.items()]
        days: dict[int, Stats] = {}
        for labels, key, stats in self._series_index().get(series, ()):
            if all(labels.get(k) in allowed for k, allowed in wanted):
                day = key.days[column]
                merged_day = days.get(day)
                if merged_day is None:
                    days[day] = stats.copy()
                else:
                    merged_day.add(stats)
        return days

    def _series_index(self) -> dict[str, list[tuple[dict[str, str | None], CellKey, Stats]]]:
        """Cells grouped by series, with their labels as a dict (built once, dropped on change)."""
        if self._index is None or self._index_size != len(self.cells):
            index: dict[str, list[tuple[dict[str, str | None], CellKey, Stats]]] = {}
            for key, stats in self.cells.items():
                index.setdefault(key.series, []).append((dict(key.labels), key, stats))
            self._index, self._index_size = index, len(self.cells)
        return self._index


__all__ = [
    "MAX_OCTAVE",
    "MIN_OCTAVE",
    "OVERFLOW_BUCKET",
    "QUANTILE_RELATIVE_ERROR",
    "SUB_BUCKETS",
    "UNDERFLOW_BUCKET",
    "ZERO_BUCKET",
    "CellKey",
    "Condition",
    "Labels",
    "PeriodTable",
    "Stats",
    "bucket_midpoint",
    "bucket_of",
    "merged",
    "scaled",
]

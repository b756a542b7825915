"""The period table: the compact, mergeable summary of metric events that evaluation reads.

Aggregation reduces raw events to `Cells` per view and series (`_plan`): columns of sums per segment
(one combination of the view's label values) and local day, sorted by segment and day, so that a
goal reads its own segments through an index and sums any number of windows from prefix sums.
Tables from several files, engines or partitions merge by concatenating their cells and folding
again; the fold adds up equal keys, so merging is associative and commutative (float sums up to
rounding).

Quantiles come from log-linear histogram buckets (as in HdrHistogram): each binary octave
``[2^k, 2^(k+1))`` holds 64 equal buckets of width ``2^(k-6)``, so a bucket's midpoint is within
1/128 (0.78 %) of every value in it. Buckets are assigned with exact comparisons against powers of two
and one multiplication by a power of two, which every engine computes exactly and alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartgoals._plan import Expiry, Plan
from smartgoals._units import Condition

SUB_BUCKETS = 64
MIN_OCTAVE = -10
MAX_OCTAVE = 30
ZERO_BUCKET = -(10**6)
UNDERFLOW_BUCKET = -(10**5)
OVERFLOW_BUCKET = 10**6
QUANTILE_RELATIVE_ERROR = 1 / (2 * SUB_BUCKETS)
NO_KEY = -(2**52)  # NOTE: "none" in integer keys (day, bucket, instant); exact as a float too

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Labels = tuple[str | None, ...]


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


def bucket_midpoints(buckets: Ints) -> Floats:
    """`bucket_midpoint` of every bucket of an array."""
    octave, step = np.divmod(buckets, SUB_BUCKETS)
    mids = (SUB_BUCKETS + step + 0.5) * np.exp2((octave - 6).astype(np.float64))
    mids = np.where(buckets == ZERO_BUCKET, 0.0, mids)
    mids = np.where(buckets == UNDERFLOW_BUCKET, 2.0**MIN_OCTAVE / 2, mids)
    return np.where(buckets == OVERFLOW_BUCKET, 2.0 ** (MAX_OCTAVE + 1), mids)


def range_quantiles(
    values: Ints, weights: Floats, starts: Ints, ends: Ints, q: float
) -> tuple[Ints, Floats]:
    """For each range ``values[start:end]``, the weighted nearest-rank `q` quantile, all at once.

    A weighted wavelet matrix over the values: each bit level partitions the positions stably by
    that bit and keeps prefix sums of the weights going to the zeros, so a query walks down the
    levels choosing the zeros or the ones — `O(log σ)` array operations for all queries together,
    however many goals and windows there are. The result is the smallest value whose cumulative
    weight reaches ``max(q × total, 1e-12)`` (within 1e-9), and each range's total weight (0: none).
    """
    # NOTE: weights are event counts; whole numbers add up exactly and much faster as integers
    weight = float(weights.sum(initial=0))
    whole = bool(np.all(weights == np.floor(weights))) and weight < 2**52
    # NOTE: every level is a few passes over the rows, bound by memory: the narrowest types that
    # hold the values, weights, their sums and positions, and the same buffers at every level
    summed: type[np.number[Any]] = np.float64
    if whole:
        summed = np.int32 if weight < 2**31 else np.int64
    current_weights = weights.astype(summed)
    levels = max(int(values.max(initial=0)).bit_length(), 1)
    current = values.astype(_narrowest(levels))
    size = len(values)
    total: NDArray[Any] = np.zeros(size + 1, dtype=summed)
    np.cumsum(current_weights, out=total[1:], dtype=summed)
    sums = (total[ends] - total[starts]).astype(np.float64)
    rank = np.maximum(q * sums, 1e-12)
    low, high = starts.copy(), ends.copy()
    found = np.zeros(len(starts), dtype=np.int64)
    zeros_before = _BitCounts(size)
    bit, zero = np.empty_like(current), np.empty(size, dtype=bool)
    order = np.empty(size, dtype=np.intp)
    spare, spare_weights = np.empty_like(current), np.empty_like(current_weights)
    for level in range(levels - 1, -1, -1):
        np.equal(np.bitwise_and(current, current.dtype.type(1 << level), out=bit), 0, out=zero)
        zeros_before.count(zero)
        zeros = zeros_before.total
        order[:zeros] = np.flatnonzero(zero)
        order[zeros:] = np.flatnonzero(np.logical_not(zero, out=zero))
        # NOTE: the zeros come first in the next level's order, so the weight of the zeros before
        # a position is the next level's weight before the zeros before it
        current_weights, spare_weights = (
            reordered(current_weights, order, spare_weights),
            current_weights,
        )
        np.cumsum(current_weights, out=total[1:], dtype=summed)
        low_zero, high_zero = zeros_before.at(low), zeros_before.at(high)
        in_zeros = total[high_zero] - total[low_zero]
        left = in_zeros >= rank - 1e-9
        rank = np.where(left, rank, rank - in_zeros)
        found |= np.where(left, 0, 1 << level)
        low = np.where(left, low_zero, zeros + low - low_zero)
        high = np.where(left, high_zero, zeros + high - high_zero)
        if level:  # NOTE: the last level needs no reordering of the values
            current, spare = reordered(current, order, spare), current
    return found, sums


def reordered(
    values: np.ndarray[Any, Any],
    order: np.ndarray[Any, Any],
    spare: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """`values` in `order` (a permutation), written into `spare` when it has room.

    Fresh memory costs a page fault per 4 KiB, more than the reordering itself, so each column
    goes into the memory of the one before. ``mode="clip"``: the indices are valid, and with
    ``"raise"`` NumPy writes into a temporary copy of `out` first.
    """
    if spare is not None and values.dtype != object and spare.itemsize == values.itemsize:
        out = spare.view(values.dtype)
    else:
        out = np.empty_like(values)
    return np.take(values, order, out=out, mode="clip")


class _BitCounts:
    """How many of the first `p` flags are set, for a few `p`: a popcount per 64 flags.

    A prefix sum over every flag is a sequential pass; packed into words, the flags are counted
    64 at a time, and a position's count is its word's prefix plus the bits below it.
    """

    def __init__(self, size: int) -> None:
        self.words = np.zeros((size + 63) // 64, dtype="<u8")
        self.prefix = np.zeros(len(self.words) + 1, dtype=np.int64)
        self.total = 0

    def count(self, flags: NDArray[np.bool_]) -> None:
        """Count the set `flags` (as many as `size`)."""
        self.words.view(np.uint8)[: (len(flags) + 7) // 8] = np.packbits(flags, bitorder="little")
        np.cumsum(np.bitwise_count(self.words), out=self.prefix[1:])
        self.total = int(self.prefix[-1])

    def at(self, positions: Ints) -> Ints:
        """The set flags before each of `positions` (0 to `size`)."""
        word = positions >> 6
        if not len(self.words):
            return np.zeros_like(positions)
        # NOTE: the position after the last full word has no bits below it in any word
        below = (np.uint64(1) << (positions & 63).astype(np.uint64)) - np.uint64(1)
        within = np.bitwise_count(self.words[np.minimum(word, len(self.words) - 1)] & below)
        counts: Ints = self.prefix[word] + within
        return counts


def _narrowest(bits: int) -> type[np.signedinteger[Any]]:
    """The narrowest signed integer type holding non-negative numbers of `bits` bits."""
    return np.int16 if bits < 16 else np.int32 if bits < 32 else np.int64


SUMS = ("read", "rows", "n", "sum", "open")


@dataclass
class Grouped:
    """Rows as the engine grouped them for one series of one view, before they are folded.

    Each row is one group: its segment (an index into `segments`, the distinct label values), its
    local day, its histogram bucket (`NO_KEY` when none) and its reading instant (`NO_KEY` when
    none), with the group's sums.
    """

    labels: tuple[str, ...]
    segments: list[Labels]
    segment: Ints
    day: Ints
    bucket: Ints
    instant: Ints
    sums: dict[str, Floats]
    low: Floats
    high: Floats
    good: dict[Condition, Floats] = field(default_factory=dict)
    expired: dict[Expiry, Floats] = field(default_factory=dict)

    @classmethod
    def concat(cls, parts: Sequence[Grouped]) -> Grouped:
        """The rows of every part (same labels and conditions)."""
        first = parts[0]

        def joined(get: str) -> NDArray[np.float64]:
            return np.concatenate([getattr(p, get) for p in parts])

        index: dict[Labels, int] = {}
        remapped = []
        for part in parts:
            mapping = np.array(
                [index.setdefault(v, len(index)) for v in part.segments] or [0], dtype=np.int64
            )
            remapped.append(mapping[part.segment])
        return cls(
            first.labels,
            list(index),
            np.concatenate(remapped),
            np.concatenate([p.day for p in parts]),
            np.concatenate([p.bucket for p in parts]),
            np.concatenate([p.instant for p in parts]),
            {k: np.concatenate([p.sums[k] for p in parts]) for k in SUMS},
            joined("low"),
            joined("high"),
            {c: np.concatenate([p.good[c] for p in parts]) for c in first.good},
            {c: np.concatenate([p.expired[c] for p in parts]) for c in first.expired},
        )


def stable_order(*keys: NDArray[Any]) -> Ints:
    """The stable order of rows by the keys, first key first (``np.lexsort(keys[::-1])``), fast.

    The keys (integers or booleans) are combined into one integer with each row's position as a
    last key: the combined keys are distinct, so NumPy's vectorised quicksort, several times
    faster than its stable sort, gives exactly the stable order. `NO_KEY` below a key's values
    counts as one less than the smallest, so that it does not widen the combined key.
    """
    size = len(keys[0])
    ranges = [_key_range(key) for key in keys]
    spans = [high - low + 1 for low, high, _ in ranges]
    if math.prod(spans) >= 2**62:
        return np.lexsort(keys[::-1])
    combined = np.zeros(size, dtype=np.int64)
    for key, (low, _, known), span in zip(keys, ranges, spans, strict=True):
        # NOTE: in place: a temporary per step costs more than the step at millions of rows
        combined *= span
        if known is None:
            combined += key
            combined -= low
        else:  # NOTE: rows without a key add 0, as the value `low` would
            np.add(combined, key, out=combined, where=known)
            np.subtract(combined, low, out=combined, where=known)
    if math.prod(spans) * max(size, 1) >= 2**62:
        return np.argsort(combined, kind="stable")
    combined *= size
    combined += np.arange(size)
    return np.argsort(combined)


def _key_range(key: NDArray[Any]) -> tuple[int, int, NDArray[np.bool_] | None]:
    """A key's smallest and largest value, and which rows have one when some are `NO_KEY`.

    With `NO_KEY` rows, the smallest value is one less than the smallest other value.
    """
    if not len(key):
        return 0, 0, None
    low, high = int(key.min()), int(key.max())
    if low != NO_KEY or high == NO_KEY:
        return low, high, None
    known = key != NO_KEY
    return int(key.min(where=known, initial=high)) - 1, high, known


def in_order(*keys: Ints) -> bool:
    """Whether the rows are sorted by the keys already, first key first."""
    if len(keys[0]) < 2:
        return True
    tied = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        after, before = key[1:], key[:-1]
        if bool(np.any(tied & (after < before))):
            return False
        tied &= after == before
    return True


def run_starts(*keys: NDArray[Any]) -> Ints:
    """The first index of each run of equal keys (the arrays sorted by them)."""
    change = np.zeros(len(keys[0]), dtype=bool)
    if len(change):
        change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


@dataclass
class Cells:
    """One series of one view: per segment and local day, the sums of its events.

    Attributes:
        labels: the view's label names.
        segments: the label values of each segment (a segment id indexes this list).
        seg, day: each cell's segment and day; cells are sorted by both.
        sums: per name in `SUMS`, the cells' sums: rows read, events (weighted by ``count``),
            answered events, the sum of their values, open events.
        good: per condition, the answered events meeting it.
        expired: per condition and calendar, the open events that had failed it by as_of.
        hist: the histogram ``(seg, day, bucket, n, low, high)`` sorted by the first three.
        readings: the latest reading of each cell that has one: ``(seg, day, instant, value)``.
    """

    labels: tuple[str, ...]
    segments: list[Labels]
    seg: Ints
    day: Ints
    sums: dict[str, Floats]
    good: dict[Condition, Floats]
    expired: dict[Expiry, Floats]
    hist: tuple[Ints, Ints, Ints, Floats, Floats, Floats]
    readings: tuple[Ints, Ints, Ints, Floats]
    _bounds: Ints | None = field(default=None, repr=False)
    _ranks: tuple[Ints, Ints] | None = field(default=None, repr=False)
    _extremes: tuple[Ints, Ints, Floats, Floats] | None = field(default=None, repr=False)
    _codes: dict[str, tuple[dict[str | None, int], Ints]] | None = field(default=None, repr=False)

    @classmethod
    def fold(cls, grouped: Grouped) -> Cells:
        """Fold grouped rows into cells: rows of the same segment and day are added up."""
        seg, segments = grouped.segment, grouped.segments
        # NOTE: one source's rows come sorted from the aggregation; merged sources are sorted here
        take = _sorter(seg, grouped.day)
        seg_o, day_o = take(seg), take(grouped.day)
        starts = run_starts(seg_o, day_o)

        def add(values: Floats) -> Floats:
            return np.add.reduceat(take(values), starts) if len(starts) else values[:0]

        return cls(
            grouped.labels,
            segments,
            seg_o[starts],
            day_o[starts],
            {k: add(v) for k, v in grouped.sums.items()},
            {c: add(v) for c, v in grouped.good.items()},
            {c: add(v) for c, v in grouped.expired.items()},
            _fold_hist(seg, grouped),
            _fold_readings(seg, grouped),
        )

    @property
    def bounds(self) -> Ints:
        """``bounds[s]:bounds[s + 1]`` are the cells of segment `s`."""
        if self._bounds is None:
            self._bounds = np.searchsorted(self.seg, np.arange(len(self.segments) + 1))
        return self._bounds

    @property
    def hist_ranks(self) -> tuple[Ints, Ints]:
        """The distinct histogram buckets in order, and each histogram row's rank among them."""
        if self._ranks is None:
            self._ranks = _distinct_ranks(self.hist[2])
        return self._ranks

    @property
    def hist_extremes(self) -> tuple[Ints, Ints, Floats, Floats]:
        """The histogram's smallest and largest value per segment and day: ``(seg, day, low, high)``.

        One row per segment and day: a day's buckets together.
        """
        if self._extremes is None:
            seg, day, _, _, low, high = self.hist
            runs = run_starts(seg, day)
            if len(runs):
                low, high = np.minimum.reduceat(low, runs), np.maximum.reduceat(high, runs)
            self._extremes = seg[runs], day[runs], low, high
        return self._extremes

    def codes(self, label: str) -> tuple[dict[str | None, int], Ints]:
        """The values of `label` numbered, and each segment's number."""
        if self._codes is None:
            self._codes = {}
        if label not in self._codes:
            position = self.labels.index(label)
            numbers: dict[str | None, int] = {}
            per_segment = np.fromiter(
                (numbers.setdefault(s[position], len(numbers)) for s in self.segments),
                dtype=np.int64,
                count=len(self.segments),
            )
            self._codes[label] = (numbers, per_segment)
        return self._codes[label]

    def matching(self, where: dict[str, str | list[str]]) -> NDArray[np.bool_]:
        """Per segment, whether it matches a `where` filter."""
        mask = np.ones(len(self.segments), dtype=bool)
        for label, wanted in where.items():
            numbers, per_segment = self.codes(label)
            allowed = [
                numbers[v]
                for v in ([wanted] if isinstance(wanted, str) else wanted)
                if v in numbers
            ]
            mask &= np.isin(per_segment, allowed)
        return mask

    def values_of(self, label: str, segments: NDArray[np.bool_]) -> list[str]:
        """The distinct non-empty values of `label` among `segments`, sorted as people read them."""
        position = self.labels.index(label)
        found = {self.segments[s][position] for s in np.flatnonzero(segments)}
        return sorted((v for v in found if v), key=lambda v: (v.lower(), v))

    def rows_of(self, segments: Ints) -> Ints:
        """The indices of the cells of `segments`."""
        starts, ends = self.bounds[segments], self.bounds[segments + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return offsets + np.arange(total)


def _distinct_ranks(values: Ints) -> tuple[Ints, Ints]:
    """The distinct values in order, and each value's rank among them.

    Buckets are small integers, so a table of which values occur ranks them without a sort
    (65 ms → 8 ms for 1.6 million histogram rows); spread-out values fall back to sorting.
    """
    if not len(values):
        return values[:0], np.zeros(0, dtype=np.int64)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * len(values) + 65_536:
        distinct = np.unique(values)
        return distinct, np.searchsorted(distinct, values)
    shifted = values - low
    present = np.zeros(span, dtype=bool)
    present[shifted] = True
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[shifted]


def _sorter(*keys: Ints) -> Callable[[NDArray[Any]], NDArray[Any]]:
    """A function putting an array of the rows in their stable order by `keys`."""
    if in_order(*keys):
        return lambda values: values
    order = stable_order(*keys)
    return lambda values: values[order]


def _fold_hist(seg: Ints, grouped: Grouped) -> tuple[Ints, Ints, Ints, Floats, Floats, Floats]:
    has = grouped.bucket != NO_KEY
    s, d, b = seg[has], grouped.day[has], grouped.bucket[has]
    n, low, high = grouped.sums["n"][has], grouped.low[has], grouped.high[has]
    take = _sorter(s, d, b)
    s, d, b, n, low, high = take(s), take(d), take(b), take(n), take(low), take(high)
    starts = run_starts(s, d, b)
    if len(starts) == len(s):  # NOTE: one row per bucket already, as from a single source
        return s, d, b, n, low, high
    return (
        s[starts],
        d[starts],
        b[starts],
        np.add.reduceat(n, starts),
        np.minimum.reduceat(low, starts),
        np.maximum.reduceat(high, starts),
    )


def _fold_readings(seg: Ints, grouped: Grouped) -> tuple[Ints, Ints, Ints, Floats]:
    """Per segment and day, the reading with the latest instant (the largest value on a tie)."""
    has = (grouped.instant != NO_KEY) & (grouped.sums["n"] > 0)
    s, d, t, v = seg[has], grouped.day[has], grouped.instant[has], grouped.high[has]
    order = np.lexsort((v, t, d, s))
    s, d, t, v = s[order], d[order], t[order], v[order]
    last = np.flatnonzero(np.r_[(s[1:] != s[:-1]) | (d[1:] != d[:-1]), True]) if len(s) else s
    return s[last], d[last], t[last], v[last]


@dataclass
class Accounts:
    """What happened to the rows of one source: rows read, and why some were not used.

    Attributes:
        read: every row read.
        rejected: rows that cannot be used, per reason.
        skipped: usable rows that no goal reads, per reason.
        naive_timestamps: rows whose timestamp carried no UTC offset (read in the data time zone).
        timed_rows: rows whose timestamp could be read, for spotting a mix of the two.
    """

    read: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    naive_timestamps: int = 0
    timed_rows: int = 0

    @property
    def used(self) -> int:
        """Rows some goal reads."""
        return self.read - sum(self.rejected.values()) - sum(self.skipped.values())

    def add(self, other: Accounts) -> None:
        """Add `other`'s counts to these."""
        self.read += other.read
        for mine, theirs in ((self.rejected, other.rejected), (self.skipped, other.skipped)):
            for reason, count in theirs.items():
                mine[reason] = mine.get(reason, 0) + count
        self.naive_timestamps += other.naive_timestamps
        self.timed_rows += other.timed_rows


@dataclass
class PeriodTable:
    """The cells of every view and series, and the accounts of every source read.

    Attributes:
        plan: the plan the table was aggregated for (which view each goal reads).
        grouped: per (view index, series), the grouped rows of every source (folded on demand).
        unmatched: per (view index, series), label values of rows no goal's filter matched, with
            their rows.
        accounts: per source, what happened to its rows.
    """

    plan: Plan | None = None
    grouped: dict[tuple[int, str], list[Grouped]] = field(default_factory=dict)
    unmatched: dict[tuple[int, str], list[tuple[Labels, int]]] = field(default_factory=dict)
    accounts: dict[str, Accounts] = field(default_factory=dict)
    _cells: dict[tuple[int, str], Cells] = field(default_factory=dict, repr=False)

    def add(self, view: int, series: str, grouped: Grouped) -> None:
        """Add one source's grouped rows of a view's series."""
        self.grouped.setdefault((view, series), []).append(grouped)
        self._cells.pop((view, series), None)

    def cells(self, view: int, series: str) -> Cells | None:
        """The folded cells of a view's series (None when no source had any)."""
        key = (view, series)
        if key not in self._cells:
            parts = self.grouped.get(key)
            if not parts:
                return None
            self._cells[key] = Cells.fold(Grouped.concat(parts) if len(parts) > 1 else parts[0])
        return self._cells[key]

    def fold(self) -> PeriodTable:
        """Fold the cells of every view and series now (they are otherwise folded when read)."""
        for view, series in list(self.grouped):
            cells = self.cells(view, series)
            if cells is not None:
                cells.hist_ranks  # noqa: B018 - computed and kept
        return self

    def merge(self, other: PeriodTable) -> PeriodTable:
        """A new table holding the events of both (built for the same plan)."""
        result = PeriodTable(self.plan or other.plan)
        for table in (self, other):
            for (view, series), parts in table.grouped.items():
                for part in parts:
                    result.add(view, series, part)
            for key, rows in table.unmatched.items():
                result.unmatched.setdefault(key, []).extend(rows)
            for source, accounts in table.accounts.items():
                result.accounts.setdefault(source, Accounts()).add(accounts)
        return result

    def seen(self, view: int, series: str, label: str) -> dict[str, int]:
        """The values of `label` in the rows of a view's series, with their rows (kept or not)."""
        counts: dict[str, int] = {}
        cells = self.cells(view, series)
        labels: list[tuple[Labels, int]] = list(self.unmatched.get((view, series), []))
        if cells is not None:
            read = np.bincount(cells.seg, weights=cells.sums["read"], minlength=len(cells.segments))
            labels += list(zip(cells.segments, np.rint(read).astype(int).tolist(), strict=True))
        if self.plan is None or label not in self.plan.views[view].key.labels:
            return counts
        position = self.plan.views[view].key.labels.index(label)
        for values, rows in labels:
            value = values[position]
            if value is not None:
                counts[value] = counts.get(value, 0) + rows
        return counts


def merged(tables: Iterable[PeriodTable]) -> PeriodTable:
    """The merge of several tables (a new table)."""
    result = PeriodTable()
    for table in tables:
        result = result.merge(table)
    return result


__all__ = [
    "MAX_OCTAVE",
    "MIN_OCTAVE",
    "NO_KEY",
    "OVERFLOW_BUCKET",
    "QUANTILE_RELATIVE_ERROR",
    "SUB_BUCKETS",
    "SUMS",
    "UNDERFLOW_BUCKET",
    "ZERO_BUCKET",
    "Accounts",
    "Cells",
    "Grouped",
    "Labels",
    "PeriodTable",
    "bucket_midpoint",
    "bucket_midpoints",
    "bucket_of",
    "merged",
    "range_quantiles",
    "reordered",
    "run_starts",
    "scaled",
    "in_order",
    "stable_order",
]

"""Window sums: what the events of many goals add up to over every window they read, at once.

The goals of one batch (`_evaluate`) read the same cells alike. A `Selection` says which segments
of the cells each member reads: a goal as written by its `where`, the children of a `for_each` goal
by their label's value. `WindowSums` sums each member's cells per day into one matrix, turns it into
prefix sums and reads every window of the timeline as a difference of two prefix sums, giving
arrays shaped ``(members, windows)``. Quantiles come from the histogram buckets, latest readings
from the readings kept per day. Pure NumPy: no file, clock or engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from smartgoals._measures import Measure, Totals
from smartgoals._period import Cells, bucket_midpoints, range_quantiles, run_starts, stable_order
from smartgoals._timeline import Timeline

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Where = dict[str, str | list[str]]

DENSE_CELLS = 1 << 16  # NOTE: a grid this small is always cheaper to add up in than a sort
GRID_CELLS = 1 << 21  # NOTE: 16 MiB of prefix sums: few members' windows are ranked in a grid
RANK_BLOCK = 32  # NOTE: buckets per block when a grid's windows are ranked block, then bucket


@dataclass(frozen=True)
class Family:
    """The children of a for_each goal: the member number of each value of `label`."""

    where: Where
    label: str
    numbers: dict[str, int]


@dataclass
class Selection:
    """Which segments of a cells table each member of a batch reads, members numbered from 0."""

    size: int = 0
    plain: list[tuple[int, Where]] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)

    def add(self, where: Where) -> None:
        """Add a member reading the segments matching `where`."""
        self.plain.append((self.size, where))
        self.size += 1

    def add_family(self, where: Where, label: str, values: list[str]) -> None:
        """Add one member per value of `label`, each reading its value's segments within `where`."""
        self.families.append(Family(where, label, {v: self.size + i for i, v in enumerate(values)}))
        self.size += len(values)

    def pairs(self, cells: Cells) -> tuple[Ints, Ints]:
        """(segment, member) for every segment a member reads."""
        segments, members = [], []
        masks: dict[str, NDArray[np.bool_]] = {}
        for index, where in self.plain:
            key = repr(sorted(where.items()))
            if key not in masks:
                masks[key] = cells.matching(where)
            chosen = np.flatnonzero(masks[key])
            segments.append(chosen)
            members.append(np.full(len(chosen), index, dtype=np.int64))
        for family in self.families:
            position = cells.labels.index(family.label)
            number = np.fromiter(
                (family.numbers.get(s[position] or "", -1) for s in cells.segments),
                dtype=np.int64,
                count=len(cells.segments),
            )
            number = np.where(cells.matching(family.where), number, -1)
            chosen = np.flatnonzero(number >= 0)
            segments.append(chosen)
            members.append(number[chosen])
        return np.concatenate(segments), np.concatenate(members)


@dataclass
class WindowSums:
    """Sums over the windows of a timeline for every member of a selection.

    Attributes:
        line: the windows read.
        selection: the members and the segments each reads.
        measure: what is summed besides events, answers and values (good counts, quantiles, ...).
        calendar: the calendar open events are aged in (None: wall-clock time).
    """

    line: Timeline
    selection: Selection
    measure: Measure
    calendar: str | None

    def __post_init__(self) -> None:
        windows = np.array(self.line.windows(), dtype=np.int64).reshape(-1, 2)
        self.first_day = int(windows[:, 0].min())
        self.days = max(self.line.end - self.first_day, 1)
        self.firsts = np.clip(windows[:, 0] - self.first_day, 0, self.days)
        self.ends = np.clip(windows[:, 1] - self.first_day, 0, self.days)

    def totals(self, cells: list[Cells | None]) -> Totals:
        """The sums of every window for every member (arrays shaped (members, windows)).

        `cells` holds the cells of each series the measure reads (None: no events of it).
        """
        parts = [self._totals(each, i == 0) for i, each in enumerate(cells)]
        main = parts[0]
        if len(parts) > 1:
            main.other = parts[1]
        return main

    def _totals(self, cells: Cells | None, main: bool) -> Totals:
        shape = (self.selection.size, len(self.firsts))
        if cells is None:
            zeros = np.zeros(shape)
            return Totals(
                zeros,
                zeros,
                zeros,
                zeros,
                good={c: zeros for c in self.measure.conditions},
                quantile=np.full(shape, np.nan),
                last=np.full(shape, np.nan),
            )
        segments, members = self.selection.pairs(cells)
        starts, ends = cells.bounds[segments], cells.bounds[segments + 1]
        rows = cells.rows_of(segments)
        member = np.repeat(members, ends - starts)
        day = cells.day[rows] - self.first_day
        inside = (day >= 0) & (day < self.days)
        rows, member, day = rows[inside], member[inside], day[inside]
        flat = member * self.days + day

        def windows(values: Floats) -> Floats:
            return self._windows(flat, values[rows])

        totals = Totals(
            windows(cells.sums["rows"]),
            windows(cells.sums["n"]),
            windows(cells.sums["sum"]),
            windows(cells.sums["open"]),
        )
        if main:
            measure = self.measure
            totals.good = {c: windows(cells.good[c]) for c in measure.conditions}
            expiry = (measure.expiry, self.calendar)
            if measure.expiry is not None and expiry in cells.expired:
                totals.expired = {measure.expiry: windows(cells.expired[expiry])}
            if measure.quantile_q is not None:
                totals.quantile = self._quantiles(cells, segments, members, measure.quantile_q)
            if measure.last:
                totals.last = self._latest(cells, segments, members)
        return totals

    def _windows(self, flat: Ints, values: Floats) -> Floats:
        """Per member, the sum of `values` over each window (a day's own sum for one-day windows)."""
        size = self.selection.size * self.days
        dense = np.bincount(flat, weights=values, minlength=size).reshape(-1, self.days)
        prefix = np.zeros((dense.shape[0], self.days + 1))
        np.cumsum(dense, axis=1, out=prefix[:, 1:])
        sums = prefix[:, self.ends] - prefix[:, self.firsts]
        single = (self.ends - self.firsts == 1).nonzero()[0]
        sums[:, single] = dense[:, self.firsts[single]]
        return sums

    def _pair_rows(
        self, segment_of_row: Ints, day_of_row: Ints, segments: Ints, members: Ints
    ) -> tuple[Ints, Ints, Ints]:
        """The rows (sorted by segment) each member reads within the batch's days.

        Returns (member, local day from the batch's first, row index) per row read.
        """
        bounds = np.searchsorted(segment_of_row, np.arange(int(segments.max(initial=-1)) + 2))
        lengths = bounds[segments + 1] - bounds[segments]
        offsets = bounds[segments] - np.concatenate([[0], np.cumsum(lengths)[:-1]])
        rows = np.repeat(offsets, lengths) + np.arange(int(lengths.sum()))
        member = np.repeat(members, lengths)
        day = day_of_row[rows] - self.first_day
        keep = (day >= 0) & (day < self.days)
        return member[keep], day[keep], rows[keep]

    def _quantiles(self, cells: Cells, segments: Ints, members: Ints, q: float) -> Floats:
        """Per member and window, the nearest-rank `q` quantile from the histogram buckets.

        Bucket midpoints are clipped to the window's smallest and largest value. Few members
        (team goals) read a grid of their bucket weights per day (`_grid_quantiles`); many members
        (a for_each family) read a wavelet matrix over their rows (`_wavelet_quantiles`).
        """
        seg, days, _, counts, _, _ = cells.hist
        distinct, ranks = cells.hist_ranks
        by_member = stable_order(members)
        segments, members = segments[by_member], members[by_member]
        if self._in_a_grid(seg, segments, len(distinct)):
            member, day, rows = self._pair_rows(seg, days, segments, members)
            found, total = self._grid_quantiles(
                member, day, ranks[rows], counts[rows], q, len(distinct)
            )
        else:
            found, total = self._wavelet_quantiles(
                seg, days, segments, members, ranks, counts, q, len(distinct)
            )
        midpoints = bucket_midpoints(distinct[found]) if len(distinct) else np.zeros(len(found))
        result = np.where(total > 0, midpoints, np.nan).reshape(self.selection.size, -1)
        runs, run_days, low, high = cells.hist_extremes
        member, day, rows = self._pair_rows(runs, run_days, segments, members)
        lowest = self._daily(member, day, low[rows], np.minimum, np.inf)
        highest = self._daily(member, day, high[rows], np.maximum, -np.inf)
        smallest = range_reduce(lowest, self.firsts, self.ends, np.minimum, np.inf)
        largest = range_reduce(highest, self.firsts, self.ends, np.maximum, -np.inf)
        return np.minimum(np.maximum(result, smallest), largest)

    def _in_a_grid(self, seg: Ints, segments: Ints, buckets: int) -> bool:
        """Whether ranking in a grid costs less than in a wavelet matrix over the rows read.

        Measured per batch: a grid cell costs about two thirds of what a row costs at each bit
        level of the wavelet matrix, whose fixed cost is about that of 50,000 cells.
        """
        cells = self.selection.size * max(self.days + 1, len(self.firsts)) * buckets
        if not 0 < cells <= GRID_CELLS:
            return False
        bounds = np.searchsorted(seg, np.stack([segments, segments + 1]))
        rows = int((bounds[1] - bounds[0]).sum())
        return cells < rows * max(buckets - 1, 1).bit_length() * 3 // 2 + 50_000

    def _grid_quantiles(
        self, member: Ints, day: Ints, rank: Ints, weight: Floats, q: float, buckets: int
    ) -> tuple[Ints, Floats]:
        """`range_quantiles` over prefix sums, per member and day, of each bucket's weight.

        Each window's weight per bucket is a difference of two prefix sums; its quantile is the
        first bucket whose cumulative weight reaches ``max(q × total, 1e-12)`` (within 1e-9). The
        bucket is found in two steps, over blocks of `RANK_BLOCK` buckets and then within one,
        so a window reads about 50 sums, not one per bucket (600 where values span 9 octaves).
        """
        size, days = self.selection.size, self.days
        blocks = -(-buckets // RANK_BLOCK)
        width = blocks * RANK_BLOCK
        # NOTE: day 0 of the grid stays empty, so that it holds prefix sums once added up
        counted = self._bucket_weights(member, day + 1, rank, weight, size, width, days + 1)
        prefix = counted.reshape(size, days + 1, width)
        for later in range(1, days + 1):  # NOTE: a day at a time: twice as fast as along axis 1
            np.add(prefix[:, later], prefix[:, later - 1], out=prefix[:, later])
        reader = np.repeat(np.arange(size), len(self.firsts))
        ends, firsts = np.tile(self.ends, size), np.tile(self.firsts, size)
        per_block = prefix.reshape(size, days + 1, blocks, RANK_BLOCK).sum(axis=3)
        coarse = per_block[reader, ends] - per_block[reader, firsts]
        np.cumsum(coarse, axis=1, out=coarse)
        total = coarse[:, -1].copy()
        rank_wanted = np.maximum(q * total, 1e-12) - 1e-9
        block = _first_reaching(coarse, rank_wanted)
        windows = np.arange(len(reader))
        before = np.where(block > 0, coarse[windows, block - 1], 0.0)
        columns = block[:, None] * RANK_BLOCK + np.arange(RANK_BLOCK)
        fine = prefix[reader[:, None], ends[:, None], columns]
        fine -= prefix[reader[:, None], firsts[:, None], columns]
        np.cumsum(fine, axis=1, out=fine)
        found = block * RANK_BLOCK + _first_reaching(fine, rank_wanted - before)
        return np.minimum(found, buckets - 1), total

    def _wavelet_quantiles(
        self,
        seg: Ints,
        days: Ints,
        segments: Ints,
        members: Ints,
        ranks: Ints,
        counts: Floats,
        q: float,
        buckets: int,
    ) -> tuple[Ints, Floats]:
        """`range_quantiles` over the rows each member reads.

        A member reading one segment reads its rows as they are, in day order. The rows of a
        member reading several (the parent of a for_each goal reads every child's) are added up
        per day and bucket first: a quantile depends only on each bucket's weight in the window,
        so they come once and in order, not once per segment and needing a sort.
        """
        several = np.bincount(members, minlength=self.selection.size) > 1
        shared = several[members]
        alone = self._pair_rows(seg, days, segments[~shared], members[~shared])
        joint = self._pair_rows(seg, days, segments[shared], members[shared])
        key = alone[0] * self.days + alone[1]
        joint_key, joint_ranks, joint_weights = self._summed(*joint, ranks, counts, buckets)
        return range_quantiles(
            np.concatenate([ranks[alone[2]], joint_ranks]),
            np.concatenate([counts[alone[2]], joint_weights]),
            *self._ranges(key, joint_key, several),
            q,
        )

    def _ranges(self, key: Ints, joint_key: Ints, several: NDArray[np.bool_]) -> tuple[Ints, Ints]:
        """Where each member's windows start and end among the rows of `key`, then `joint_key`.

        Members reading `several` segments read the rows after those of `key`.
        """
        everyone = np.arange(self.selection.size)[:, None] * self.days
        joint = np.repeat(several, len(self.firsts))
        starts, ends = (
            np.where(
                joint,
                len(key) + np.searchsorted(joint_key, wanted),
                np.searchsorted(key, wanted),
            )
            for wanted in ((everyone + self.firsts).ravel(), (everyone + self.ends).ravel())
        )
        return starts, ends

    def _summed(
        self, member: Ints, day: Ints, rows: Ints, ranks: Ints, counts: Floats, buckets: int
    ) -> tuple[Ints, Ints, Floats]:
        """(member and day key, bucket rank, weight) of `rows` added up per member, day and bucket.

        `member` is sorted; the result comes in key order. When the grid of members, days and
        buckets would be much larger than the rows, the rows are sorted as they are instead.
        """
        readers = member[run_starts(member)]
        cells = len(readers) * self.days * buckets
        if cells > max(2 * len(rows), DENSE_CELLS):
            key = member * self.days + day
            order = stable_order(key)
            return key[order], ranks[rows][order], counts[rows][order]
        local = np.searchsorted(readers, member)
        weights = self._bucket_weights(local, day, ranks[rows], counts[rows], len(readers), buckets)
        kept = np.flatnonzero(weights)
        place, rank = np.divmod(kept, buckets)
        keys: Ints = readers[place // self.days] * self.days + place % self.days
        return keys, rank.astype(np.int64, copy=False), weights[kept]

    def _bucket_weights(
        self,
        reader: Ints,
        day: Ints,
        rank: Ints,
        weight: Floats,
        readers: int,
        buckets: int,
        days: int | None = None,
    ) -> Floats:
        """The weight per reader (0 to `readers` - 1), day and bucket rank: a flat dense grid.

        The grid has `days` days (the batch's by default) of `buckets` ranks per reader.
        """
        days = self.days if days is None else days
        place = (reader * days + day) * buckets + rank
        cells = readers * days * buckets
        grid = np.bincount(place, weights=weight, minlength=cells)
        return grid.astype(np.float64, copy=False)

    def _daily(
        self, member: Ints, day: Ints, values: Floats, reduce: np.ufunc, empty: float
    ) -> Floats:
        """Per member and day, `reduce` over `values` of rows coming in runs of a member's day."""
        dense = np.full((self.selection.size, self.days), empty)
        if len(member):
            starts = run_starts(member, day)
            cells = member[starts] * self.days + day[starts]
            reduce.at(dense.reshape(-1), cells, reduce.reduceat(values, starts))
        return dense

    def _latest(self, cells: Cells, segments: Ints, members: Ints) -> Floats:
        """Per member and window, the latest reading (NaN without one)."""
        seg, days, instants, values = cells.readings
        member, day, rows = self._pair_rows(seg, days, segments, members)
        instant, value = instants[rows], values[rows]
        order = np.lexsort((value, instant, day, member))
        member, day, value = member[order], day[order], value[order]
        last = np.r_[(member[1:] != member[:-1]) | (day[1:] != day[:-1]), True] if len(day) else []
        member, day, value = member[last], day[last], value[last]
        shape = (self.selection.size, self.days)
        has, readings = np.zeros(shape, dtype=bool), np.full(shape, np.nan)
        has[member, day] = True
        readings[member, day] = value
        latest = np.maximum.accumulate(np.where(has, np.arange(self.days), -1), axis=1)
        found = latest[:, np.where(self.ends > 0, self.ends - 1, 0)]
        valid = (found >= self.firsts) & (self.ends > self.firsts)
        everyone = np.arange(shape[0])[:, None]
        return np.where(valid, readings[everyone, np.maximum(found, 0)], np.nan)


def _first_reaching(cumulative: Floats, wanted: Floats) -> Ints:
    """Per row, the first column whose cumulative sum reaches `wanted` (the last when none does)."""
    reached = cumulative >= wanted[:, None]
    first = np.argmax(reached, axis=1)
    found: Ints = np.where(reached[np.arange(len(first)), first], first, cumulative.shape[1] - 1)
    return found


def range_reduce(values: Floats, firsts: Ints, ends: Ints, ufunc: np.ufunc, empty: float) -> Floats:
    """Per row of `values`, `ufunc` reduced over each day range ``[first, end)`` (sparse table)."""
    levels = [values]
    width = 1
    while width * 2 <= values.shape[1]:
        previous = levels[-1]
        levels.append(ufunc(previous[:, :-width], previous[:, width:]))
        width *= 2
    lengths = ends - firsts
    result = np.full((values.shape[0], len(firsts)), empty)
    for level, table in enumerate(levels):
        size = 1 << level
        chosen = np.flatnonzero((lengths >= size) & (lengths < size * 2))
        if len(chosen):
            result[:, chosen] = ufunc(table[:, firsts[chosen]], table[:, ends[chosen] - size])
    return result


__all__ = ["Family", "Selection", "WindowSums", "range_reduce"]

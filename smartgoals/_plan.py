"""The aggregation plan: which views of the events the goals need, derived from the goals alone.

A *view* is a label set in a time zone: the events of its series grouped by those labels and the
local day. Each goal reads one view: one whose labels include the goal's `where` labels and its
`for_each` label (a goal on ``{team}`` reads the ``{team, agent}`` view its per-agent goals need,
summing the agents). So the engine groups the events once per view, whatever the number of goals,
and a view never multiplies labels that no goal of its series needs together.

Per series within a view the plan keeps the days any goal reads (`Timeline`), the event conditions
whose good counts are needed, the conditions open events are aged against (with the calendar that
ages them), whether a histogram is needed (quantiles) and whether readings keep their instants
(point-in-time metrics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from smartgoals._calendar import AsOf, Offsets, as_of_us, day_number, offsets_between
from smartgoals._metrics import Aggregation, MetricSpec
from smartgoals._model import Goal, GoalSet
from smartgoals._timeline import timeline
from smartgoals._units import Condition

Filter = tuple[tuple[str, tuple[str, ...]], ...]  # a goal's `where`: (label, allowed values)
Expiry = tuple[
    Condition, str | None
]  # a condition open events are aged against, and by which calendar


class ViewKey(NamedTuple):
    """A view: a label set in a time zone (the zone of its local days)."""

    labels: tuple[str, ...]
    tz: str


@dataclass(frozen=True)
class SeriesNeeds:
    """What one view must keep of one series.

    Attributes:
        first_day: the first local day any goal reads.
        end_day: the day after the last one.
        conditions: the conditions whose good counts are needed.
        expiries: the conditions open events are aged against at as_of, with their calendar
            (None: the calendar the source names for the series, else the wall clock).
        histogram: the filters of the goals that take quantiles: histogram buckets are kept for
            the rows matching any of them.
        last: readings keep their instants (the latest one is the value).
        open_events: an empty value is an open event (durations).
        filters: the goals' filters; a row is kept when it matches any (an empty one matches all).
        event_range: the possible values of one event.
    """

    first_day: int
    end_day: int
    conditions: frozenset[Condition] = frozenset()
    expiries: frozenset[Expiry] = frozenset()
    histogram: frozenset[Filter] = frozenset()
    last: bool = False
    open_events: bool = False
    filters: frozenset[Filter] = frozenset()
    event_range: tuple[float, float] = (-math.inf, math.inf)


@dataclass(frozen=True)
class ViewPlan:
    """One view and what it keeps of each of its series."""

    key: ViewKey
    series: dict[str, SeriesNeeds]


@dataclass(frozen=True)
class Plan:
    """Everything the one pass over the events must compute.

    Attributes:
        views: the views, in a fixed order.
        goal_views: the view each goal reads, by goal id (for_each children read their template's).
        known: every series of the catalog (rows of other metric names are rejected).
        as_of: the moment evaluated.
        known_us: the latest as_of instant over the goals' time zones: values known by then.
        offsets: per time zone in use (views and data), its UTC offsets over the span.
        first_us: rows before this instant are outside every goal's period.
    """

    views: tuple[ViewPlan, ...]
    goal_views: dict[str, int]
    known: frozenset[str]
    as_of: AsOf
    known_us: int
    offsets: dict[str, Offsets]
    first_us: int
    data_timezone: str = "UTC"
    volumes: frozenset[str] = frozenset()

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label column some view uses."""
        return tuple(sorted({label for view in self.views for label in view.key.labels}))

    @property
    def series(self) -> frozenset[str]:
        """Every series some goal reads."""
        return frozenset(name for view in self.views for name in view.series)

    def as_of_us(self, tz: str) -> int:
        """The as_of instant in time zone `tz` (a date means the end of that day there)."""
        return as_of_us(self.as_of, tz)

    def span_us(self, series: str) -> tuple[int, int]:
        """The instants ``[first, end)`` some view keeps of `series` (the widest over views)."""
        firsts, ends = [], []
        for view in self.views:
            needs = view.series.get(series)
            if needs is not None:
                firsts.append(_midnight(needs.first_day, self.offsets[view.key.tz]))
                ends.append(self.as_of_us(view.key.tz))
        return min(firsts), max(ends)


def _midnight(day: int, offsets: Offsets) -> int:
    """A lower bound of local midnight of `day` (the largest offset taken, so nothing is cut)."""
    return day * 86_400_000_000 - max(offsets.offsets)


def filter_of(goal: Goal) -> Filter:
    """A goal's `where` as sorted (label, values) pairs."""
    return tuple(
        sorted(
            (label, (v,) if isinstance(v, str) else tuple(sorted(v)))
            for label, v in goal.where.items()
        )
    )


def needed_labels(goal: Goal) -> tuple[str, ...]:
    """The labels a goal's view must have: its `where` labels and its `for_each` label."""
    return tuple(sorted(set(goal.where) | ({goal.for_each} if goal.for_each else set())))


@dataclass
class _Needs:
    first_day: int
    end_day: int
    conditions: set[Condition] = field(default_factory=set)
    expiries: set[Expiry] = field(default_factory=set)
    histogram: set[Filter] = field(default_factory=set)
    filters: set[Filter] = field(default_factory=set)
    specs: list[MetricSpec] = field(default_factory=list)

    def frozen(self) -> SeriesNeeds:
        kinds = {spec.aggregation for spec in self.specs}
        low = max(spec.event_range[0] for spec in self.specs)
        high = min(spec.event_range[1] for spec in self.specs)
        return SeriesNeeds(
            self.first_day,
            self.end_day,
            frozenset(self.conditions),
            frozenset(self.expiries),
            frozenset({()} if () in self.histogram else self.histogram),
            last=Aggregation.LAST in kinds,
            open_events=Aggregation.DURATION in kinds,
            filters=frozenset({()} if () in self.filters else self.filters),
            event_range=(low, high),
        )


def build_plan(goals: GoalSet, as_of: AsOf, data_timezone: str) -> Plan:
    """The single aggregation pass that serves every goal of `goals` at `as_of`."""
    chosen = _choose_views(goals)
    keys = sorted(set(chosen.values()))
    needs: dict[tuple[ViewKey, str], _Needs] = {}
    for goal in goals:
        spec = goals.metrics[goal.metric]
        measure = goal.measure(spec)
        line = timeline(goal, as_of)
        for position, series in enumerate(spec.inputs):
            need = needs.setdefault((chosen[goal.id], series), _Needs(line.first_day, line.end))
            need.first_day, need.end_day = (
                min(need.first_day, line.first_day),
                max(need.end_day, line.end),
            )
            need.specs.append(spec)
            need.filters.add(filter_of(goal))
            if position == 0:
                need.conditions |= set(measure.conditions)
                if measure.expiry is not None:
                    need.expiries.add((measure.expiry, goal.calendar))
                if measure.quantile_q is not None:
                    need.histogram.add(filter_of(goal))
    views = tuple(
        ViewPlan(key, {s: n.frozen() for (k, s), n in sorted(needs.items()) if k == key})
        for key in keys
    )
    index = {key: i for i, key in enumerate(keys)}
    zones = sorted({key.tz for key in keys} | {data_timezone})
    today = as_of.date() if isinstance(as_of, datetime) else as_of
    first = min((n.first_day for n in needs.values()), default=day_number(today))
    last = max((n.end_day for n in needs.values()), default=first + 1)
    offsets = {z: offsets_between(z, first - 2, last + 2) for z in zones}
    known_us = max((as_of_us(as_of, z) for z in {k.tz for k in keys}), default=0)
    if not keys:
        known_us = as_of_us(as_of, data_timezone)
    first_us = min(
        (_midnight(n.first_day, offsets[k.tz]) for (k, _), n in needs.items()), default=0
    )
    return Plan(
        views,
        {goal_id: index[key] for goal_id, key in chosen.items()},
        frozenset(s for spec in goals.metrics.values() for s in spec.inputs),
        as_of,
        known_us,
        offsets,
        first_us,
        data_timezone,
        frozenset(n for n, s in goals.metrics.items() if s.aggregation is Aggregation.VOLUME),
    )


def _choose_views(goals: GoalSet) -> dict[str, ViewKey]:
    """The view of each goal.

    Per series and time zone, the label sets goals need are merged into the largest ones
    containing them (a goal on ``{team}`` reads the ``{team, agent}`` view that
    per-agent goals need anyway), each set going to the smallest such superset; a quantile goal
    reads a view of exactly its labels.

    One grouping fewer saves a pass over every row; summing a few more cells per goal costs far
    less. Histogram buckets are the exception: kept per finer label values they would multiply.
    """
    wanted: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for goal in goals:
        for series in goals.metrics[goal.metric].inputs:
            wanted.setdefault((series, goal.timezone), set()).add(needed_labels(goal))
    chosen: dict[str, ViewKey] = {}
    for goal in goals:
        spec = goals.metrics[goal.metric]
        own = needed_labels(goal)
        if goal.measure(spec).quantile_q is not None:
            # NOTE: a quantile goal keeps its own view: its histogram would multiply with labels
            chosen[goal.id] = ViewKey(own, goal.timezone)
            continue
        sets = wanted[spec.inputs[0], goal.timezone]
        largest = [s for s in sets if not any(set(s) < set(other) for other in sets)]
        labels = min((s for s in largest if set(own) <= set(s)), key=lambda s: (len(s), s))
        chosen[goal.id] = ViewKey(labels, goal.timezone)
    return chosen


__all__ = [
    "Expiry",
    "Filter",
    "Plan",
    "SeriesNeeds",
    "ViewKey",
    "ViewPlan",
    "build_plan",
    "filter_of",
    "needed_labels",
]

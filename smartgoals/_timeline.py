"""A goal's timeline at as_of: its span, and every window of local days its evaluation reads.

The aggregation plan reads the same timeline to know which days to keep, so the two never disagree:
a goal is measured over its current window (the one ending at the deadline once that has passed),
its baseline window (before `start`, when no baseline is written), the last 1 and 7 days (burn rates),
each complete week of its history, each day of its daily history, and — for `maintain` goals — its
own window at the end of each complete week since `start` (compliance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from smartgoals._calendar import (
    AsOf,
    as_of_days,
    as_of_end_day,
    as_of_us,
    day_number,
    local_midnight_us,
    period_start,
    previous_window,
    window_days,
)
from smartgoals._model import Goal, GoalKind, Window

HISTORY_WEEKS = 26
HISTORY_DAYS = 92

DayRange = tuple[int, int]  # local epoch days [first, end)


@dataclass(frozen=True)
class Timeline:
    """Where a goal stands at as_of, in local epoch days of its time zone.

    Attributes:
        tz: the goal's time zone.
        start: its first day, when it has a start.
        deadline_end: the day after the deadline.
        now_us: the as_of instant.
        now_days: as_of in fractional local days (for expected progress).
        final: the deadline has passed: the goal is judged over the window ending there.
        not_started: as_of is before the start day.
        end: the exclusive end day of the windows read.
        current: the judged window.
        baseline: the window before start a baseline is measured over, if one is needed.
        weeks: the first days of the complete weeks of the history.
        days: the days of the daily history.
        compliance: the window at the end of each complete week since start (maintain goals).
    """

    tz: str
    start: int | None
    deadline_end: int
    now_us: int
    now_days: float
    final: bool
    not_started: bool
    end: int
    current: DayRange
    baseline: DayRange | None
    weeks: tuple[int, ...]
    days: tuple[int, ...]
    compliance: tuple[DayRange, ...]

    @property
    def recent(self) -> tuple[DayRange, DayRange]:
        """The last day and the last 7 days before `end` (burn rates)."""
        return (self.end - 1, self.end), (self.end - 7, self.end)

    def windows(self) -> list[DayRange]:
        """Every window the evaluation reads, in a fixed order (see `WindowIndex`)."""
        return [
            self.current,
            self.baseline or self.current,
            *self.recent,
            *((w, w + 7) for w in self.weeks),
            *((d, d + 1) for d in self.days),
            *self.compliance,
        ]

    @property
    def first_day(self) -> int:
        """The earliest day any window reads."""
        return min(first for first, _ in self.windows())


@dataclass(frozen=True)
class WindowIndex:
    """Where each kind of window sits in `Timeline.windows`."""

    weeks: slice
    days: slice
    compliance: slice

    CURRENT = 0
    BASELINE = 1
    LAST_DAY = 2
    LAST_WEEK = 3

    @classmethod
    def of(cls, timeline: Timeline) -> WindowIndex:
        """The index of `timeline`'s windows."""
        weeks = slice(4, 4 + len(timeline.weeks))
        days = slice(weeks.stop, weeks.stop + len(timeline.days))
        return cls(weeks, days, slice(days.stop, days.stop + len(timeline.compliance)))


def timeline(goal: Goal, as_of: AsOf) -> Timeline:
    """The timeline of `goal` at `as_of`."""
    maintain = goal.kind is GoalKind.MAINTAIN
    # NOTE: naive times that differ only in `fold` (the repeated hour at a DST change) are equal
    # keys, yet different instants
    fold = as_of.fold if isinstance(as_of, datetime) else 0
    return _timeline(
        goal.timezone,
        goal.start,
        goal.deadline,
        goal.window,
        goal.baseline is None,
        maintain,
        as_of,
        fold,
    )


@lru_cache(maxsize=1024)  # NOTE: the goals of a file share a few timelines
def _timeline(
    tz: str,
    first_day: date | None,
    deadline: date,
    window: Window,
    measured_baseline: bool,
    maintain: bool,
    as_of: AsOf,
    fold: int,
) -> Timeline:
    start = day_number(first_day) if first_day else None
    deadline_end = day_number(deadline) + 1
    now_us = as_of_us(as_of, tz)
    final = now_us >= local_midnight_us(deadline_end, tz)
    end = deadline_end if final else min(as_of_end_day(as_of, tz), deadline_end)
    last_week_end = _last_complete_week_end(end, now_us, tz)
    daily_first = end - HISTORY_DAYS if start is None else max(end - HISTORY_DAYS, start)
    baseline = None
    if measured_baseline and start is not None:
        baseline = previous_window(window, start)
    return Timeline(
        tz=tz,
        start=start,
        deadline_end=deadline_end,
        now_us=now_us,
        now_days=as_of_days(as_of, tz),
        final=final,
        not_started=start is not None and as_of_end_day(as_of, tz) <= start,
        end=end,
        current=window_days(window, end, start),
        baseline=baseline,
        weeks=_history_weeks(last_week_end, start),
        days=tuple(range(daily_first, end)),
        compliance=_compliance(window, last_week_end, start) if maintain else (),
    )


def _last_complete_week_end(end: int, now_us: int, tz: str) -> int:
    """The Monday that ends the last week complete at as_of (or at the deadline)."""
    monday = period_start(end, "week")
    if local_midnight_us(monday, tz) > now_us:
        monday -= 7  # NOTE: as_of is a moment on a Sunday: that week is not over yet
    return monday


def _history_weeks(last_week_end: int, start: int | None) -> tuple[int, ...]:
    last = last_week_end - 7
    first = last - 7 * (HISTORY_WEEKS - 1)
    if start is not None:
        first = max(first, period_start(start, "week"))
    return tuple(range(first, last + 1, 7))


def _compliance(window: Window, last_week_end: int, start: int | None) -> tuple[DayRange, ...]:
    if start is not None:
        first = period_start(start, "week") + 7
    else:
        first = last_week_end - 7 * (HISTORY_WEEKS - 1)
    return tuple(window_days(window, e, start) for e in range(first, last_week_end + 1, 7))


__all__ = ["HISTORY_DAYS", "HISTORY_WEEKS", "DayRange", "Timeline", "WindowIndex", "timeline"]

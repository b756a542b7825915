"""Expressions of time evaluated inside the engine, written once with narwhals.

Local days and business time are computed from integer epoch microseconds and a time zone's UTC
offsets as a step function (`Offsets`), so no engine's time-zone support is needed: narwhals cannot
convert time zones on DuckDB at all, and the engines would not agree on DST edges if it could.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from smartgoals._calendar import US_PER_DAY, BusinessClock, Offsets


def utc_offset(offsets: Offsets, instant: nw.Expr, *, wall_clock: bool = False) -> nw.Expr:
    """The UTC offset (µs) in force at `instant`, as a step expression over the zone's changes.

    `instant` is epoch µs in UTC, or wall-clock µs when `wall_clock` (an ambiguous wall time
    takes the offset before the change).
    """
    offset: nw.Expr = nw.lit(offsets.offsets[-1])
    for bound, before in reversed(list(zip(offsets.bounds, offsets.offsets, strict=False))):
        limit = bound + before if wall_clock else bound
        offset = nw.when(instant < limit).then(nw.lit(before)).otherwise(offset)
    return offset


def local_day(offsets: Offsets, instant: nw.Expr) -> nw.Expr:
    """The local epoch day in the zone of `offsets` of epoch µs `instant`."""
    return (instant + utc_offset(offsets, instant)) // US_PER_DAY


def local_to_utc(local_us: nw.Expr, offsets: Offsets) -> nw.Expr:
    """Wall-clock microseconds in the data time zone to UTC (an ambiguous time takes its first)."""
    return local_us - utc_offset(offsets, local_us, wall_clock=True)


def with_business_time(
    lf: nw.LazyFrame[Any], clock: BusinessClock, us: str, out: str
) -> nw.LazyFrame[Any]:
    """Add column `out`: `BusinessClock.at` of instant column `us`, computed in the engine.

    The intermediate values (local time, day, weekday) are materialised as columns, stage by stage,
    so that the engine sees column references, not the same long expression over and over.
    """
    offset = utc_offset(clock.offsets, nw.col(us))
    local, day, into, weekday = (f"{out}_local", f"{out}_day", f"{out}_into", f"{out}_weekday")
    lf = lf.with_columns((nw.col(us) + offset).alias(local))
    lf = lf.with_columns((nw.col(local) // US_PER_DAY).alias(day))
    lf = lf.with_columns(
        (nw.col(local) - nw.col(day) * US_PER_DAY).alias(into),
        ((nw.col(day) - clock.monday) % 7).alias(weekday),
    )
    total = ((nw.col(day) - clock.monday) // 7) * sum(clock.day_lengths) + _by_weekday(
        nw.col(weekday), [clock.prefix(d) for d in range(7)]
    )
    for holiday in clock.holidays:
        length = clock.day_lengths[(holiday - clock.monday) % 7]
        if length:
            total = total - nw.when(nw.col(day) > holiday).then(nw.lit(length)).otherwise(nw.lit(0))
    within: nw.Expr = nw.lit(0)
    for wd in range(6, -1, -1):
        today: nw.Expr = nw.lit(0)
        for start, end in clock.hours[wd]:
            today = today + (nw.col(into) - start).clip(0, end - start)
        within = nw.when(nw.col(weekday) == wd).then(today).otherwise(within)
    if clock.holidays:
        within = nw.when(nw.col(day).is_in(list(clock.holidays))).then(nw.lit(0)).otherwise(within)
    return lf.with_columns((total + within).alias(out)).drop(local, day, into, weekday)


def _by_weekday(weekday: nw.Expr, values: list[int]) -> nw.Expr:
    expr: nw.Expr = nw.lit(values[-1])
    for wd in range(5, -1, -1):
        expr = nw.when(weekday == wd).then(nw.lit(values[wd])).otherwise(expr)
    return expr


__all__ = ["local_day", "local_to_utc", "utc_offset", "with_business_time"]

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import narwhals.stable.v2 as nw
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smartgoals
from smartgoals._calendar import (
    business_clock,
    day_date,
    day_number,
    local_midnight_us,
    offsets_between,
    period_start,
    previous_window,
    to_us,
    window_days,
)
from smartgoals._expressions import local_day
from smartgoals._model import Window
from tests.conftest import AS_OF, EXAMPLE_GOALS

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
FIRST, LAST = day_number(date(2025, 12, 1)), day_number(date(2027, 2, 1))
instants = st.datetimes(
    min_value=datetime(2025, 12, 2), max_value=datetime(2027, 1, 30), timezones=st.just(UTC)
)


@given(instants, st.sampled_from(ZONES))
def test_local_day_matches_zoneinfo(moment, zone):
    offsets = offsets_between(zone, FIRST, LAST)
    expected = day_number(moment.astimezone(ZoneInfo(zone)).date())
    assert offsets.local_day(to_us(moment)) == expected


@pytest.mark.parametrize("zone", ZONES)
def test_engine_local_day_matches_reference(zone):
    offsets = offsets_between(zone, FIRST, LAST)
    moments = [
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC) + timedelta(minutes=37 * i)
        for i in range(0, 20000, 7)
    ]
    frame = nw.from_native(pl.DataFrame({"_us": [to_us(m) for m in moments]}))
    days = frame.select(local_day(offsets, nw.col("_us")).alias("day"))["day"].to_list()
    assert days == [offsets.local_day(to_us(m)) for m in moments]


def test_local_midnight_across_dst():
    spring = day_number(date(2026, 3, 29))
    assert (
        local_midnight_us(spring + 1, "Europe/Berlin") - local_midnight_us(spring, "Europe/Berlin")
        == 23 * 3600 * 10**6
    )


@pytest.mark.parametrize(
    ("window", "first"),
    [
        (Window("rolling", 28), date(2026, 10, 26)),
        (Window("week"), date(2026, 11, 16)),
        (Window("month"), date(2026, 11, 1)),
        (Window("quarter"), date(2026, 10, 1)),
        (Window("year"), date(2026, 1, 1)),
        (Window("to-date"), date(2026, 9, 15)),
    ],
)
def test_window_days_at_as_of(window, first):
    start, end = window_days(window, day_number(AS_OF) + 1, day_number(date(2026, 9, 15)))
    assert (day_date(start), day_date(end)) == (first, date(2026, 11, 23))


def test_previous_window_for_baselines():
    start = day_number(date(2026, 10, 1))
    assert day_date(previous_window(Window("month"), start)[0]) == date(2026, 9, 1)
    assert day_date(previous_window(Window("quarter"), start)[0]) == date(2026, 7, 1)
    assert day_date(previous_window(Window("rolling", 7), start)[0]) == date(2026, 9, 24)
    assert day_date(period_start(start + 3, "week")) == date(2026, 9, 28)


def test_naive_frame_read_in_data_timezone(ticket_events):
    goals = smartgoals.load(EXAMPLE_GOALS)
    naive = ticket_events.assign(
        timestamp=ticket_events["timestamp"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
    )
    aware = smartgoals.evaluate(goals, ticket_events, as_of=AS_OF)
    local = smartgoals.evaluate(goals, naive, as_of=AS_OF, data_timezone="Europe/Berlin")
    assert [(g.id, g.events, g.value) for g in aware.goals] == [
        (g.id, g.events, g.value) for g in local.goals
    ]


# --- business hours ------------------------------------------------------------------------------

SPAN = (day_number(date(2026, 2, 1)), day_number(date(2026, 12, 31)))
DST_DAYS = [
    date(2026, 3, 27),
    date(2026, 3, 8),
    date(2026, 4, 3),
    date(2026, 10, 23),
    date(2026, 11, 1),
    date(2026, 10, 2),
]


@st.composite
def calendars(draw: st.DrawFn) -> smartgoals.Calendar:
    """Random weekly hours (0–2 spans a day, whole minutes, 06:00–22:00) and closed days."""
    hours = {}
    for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        marks = sorted(
            draw(st.lists(st.integers(6 * 60, 22 * 60), min_size=0, max_size=4, unique=True))
        )
        spans = [
            f"{a // 60:02}:{a % 60:02}-{b // 60:02}:{b % 60:02}"
            for a, b in zip(marks[::2], marks[1::2], strict=False)
        ]
        if spans:
            hours[name] = ",".join(spans)
    closed = draw(st.lists(st.dates(date(2026, 2, 20), date(2026, 11, 20)), max_size=12))
    zone = draw(st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney"]))
    return smartgoals.Calendar.model_validate(
        {"timezone": zone, "hours": hours or {"mon": "09:00-17:00"}, "closed": closed}
    )


def minute_by_minute(calendar: smartgoals.Calendar, start: datetime, end: datetime) -> int:
    """Open minutes between two instants, counted one real minute at a time."""
    zone = ZoneInfo(calendar.timezone)
    minutes, moment = 0, start
    while moment < end:
        local = moment.astimezone(zone)
        if local.date() not in calendar.closed:
            wall = local.hour * 60 + local.minute
            for opens, closes in calendar.hours.get(local.weekday(), ()):
                if opens.hour * 60 + opens.minute <= wall < closes.hour * 60 + closes.minute:
                    minutes += 1
        moment += timedelta(minutes=1)
    return minutes


@given(
    calendars(),
    st.sampled_from(DST_DAYS),
    st.integers(0, 20 * 24 * 60),
    st.integers(0, 12 * 24 * 60),
)
def test_business_clock_matches_minute_by_minute(calendar, around, offset, length):
    clock = business_clock(calendar, *SPAN)
    start = datetime.combine(around, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert (
        clock.elapsed(to_us(start), to_us(end))
        == minute_by_minute(calendar, start, end) * 60_000_000
    )


def test_business_clock_friday_evening_to_monday_morning():
    calendar = smartgoals.Calendar.model_validate(
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": "09:00-18:00"},
            "holidays": {"country": "DE"},
        }
    )
    clock = business_clock(calendar, *SPAN)
    berlin = ZoneInfo("Europe/Berlin")
    friday, monday = (
        datetime(2026, 11, 20, 17, 50, tzinfo=berlin),
        datetime(2026, 11, 23, 9, 5, tzinfo=berlin),
    )
    assert clock.elapsed(to_us(friday), to_us(monday)) == 15 * 60_000_000
    christmas = (
        datetime(2026, 12, 24, 17, 0, tzinfo=berlin),
        datetime(2026, 12, 28, 10, 0, tzinfo=berlin),
    )
    assert clock.elapsed(*map(to_us, christmas)) == 120 * 60_000_000  # 25 and 26 Dec are holidays


@pytest.mark.parametrize("engine", ["polars", "duckdb", "pandas"])
def test_business_expression_matches_clock(engine):
    import duckdb
    import pandas as pd

    from smartgoals._expressions import with_business_time

    calendar = smartgoals.Calendar.model_validate(
        {
            "timezone": "America/New_York",
            "hours": {"mon-fri": "08:30-12:00,13:00-17:30", "sat": "10:00-14:00"},
            "holidays": {"country": "US"},
            "closed": ["2026-11-27"],
        }
    )
    clock = business_clock(calendar, *SPAN)
    moments = [
        to_us(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=997 * i)) for i in range(400)
    ]
    frame = pl.DataFrame({"us": moments})
    natives: dict[str, object] = {
        "polars": frame,
        "pandas": frame.to_pandas(),
        "duckdb": duckdb.sql("SELECT * FROM frame"),
    }
    lf = nw.from_native(natives[engine]).lazy()  # type: ignore[call-overload]
    result = with_business_time(lf, clock, "us", "b").collect()
    assert [int(v) for v in result["b"].to_list()] == [clock.at(us) for us in moments]
    del pd

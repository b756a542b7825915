from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import narwhals as nw
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smartgoals
from smartgoals._aggregate import _local_day
from smartgoals._calendar import (
    day_date,
    day_number,
    local_midnight_us,
    offsets_between,
    period_start,
    previous_window,
    to_us,
    window_days,
)
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
    days = frame.select(_local_day(offsets).alias("day"))["day"].to_list()
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

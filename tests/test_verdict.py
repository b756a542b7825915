"""Each status rule of design §5 on hand-made data: a case clearly inside it and one at its boundary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import smartgoals
from smartgoals import Status

BERLIN = ZoneInfo("Europe/Berlin")


def answers(day: date, good: int, bad: int, metric: str = "csat") -> list[dict]:
    """CSAT answers on `day`: `good` fives and `bad` twos."""
    start = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
    return [
        {
            "timestamp": start + timedelta(minutes=i),
            "metric": metric,
            "value": 5.0 if i < good else 2.0,
        }
        for i in range(good + bad)
    ]


def daily(first: date, last: date, good: int, bad: int) -> list[dict]:
    rows, day = [], first
    while day <= last:
        rows += answers(day, good, bad)
        day += timedelta(days=1)
    return rows


def frame(rows: list[dict]) -> pd.DataFrame:
    result = pd.DataFrame(rows)
    result["timestamp"] = pd.to_datetime(result["timestamp"], utc=True)
    return result


def goal_yaml(**fields: object) -> str:
    base: dict[str, object] = {
        "id": "g",
        "title": "CSAT goal",
        "owner": "o@example.com",
        "metric": "csat",
        "target": '">= 90%"',
        "timezone": "Europe/Berlin",
        "start": "2026-10-01",
        "deadline": "2026-12-31",
        "window": "28d",
    }
    base.update(fields)
    lines = "".join(f"    {k}: {v}\n" for k, v in base.items())
    return "goals:\n  - " + lines[4:]


def status(goal_file, rows: list[dict], as_of: date | datetime, **fields: object):
    path = goal_file(goal_yaml(**fields))
    return smartgoals.evaluate(path, frame(rows), as_of=as_of).get("g")


STEADY = daily(date(2026, 9, 1), date(2026, 11, 22), good=19, bad=1)  # 95% satisfied


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2026, 9, 30), Status.NOT_STARTED), (date(2026, 10, 1), Status.ACHIEVED)],
    ids=["day-before-start", "start-day"],
)
def test_status_not_started(goal_file, as_of, expected):
    assert status(goal_file, STEADY, as_of).status is expected


@pytest.mark.parametrize(
    ("answered", "expected"),
    [(29, Status.NO_DATA), (30, Status.ACHIEVED)],
    ids=["29-events", "30-events"],
)
def test_status_no_data_below_min_events(goal_file, answered, expected):
    rows = answers(date(2026, 11, 20), answered, 0)
    result = status(goal_file, rows, date(2026, 11, 22))
    assert result.status is expected
    if expected is Status.NO_DATA:
        assert "29 events" in result.reasons[0]


def test_status_no_data_with_no_events_has_nulls(goal_file):
    result = status(
        goal_file,
        [{"timestamp": datetime(2026, 1, 1, tzinfo=BERLIN), "metric": "csat", "value": 5.0}],
        date(2026, 11, 22),
    )
    assert (result.status, result.value, result.met, result.events) == (
        Status.NO_DATA,
        None,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 29), Status.ACHIEVED),
        (date(2026, 11, 30), Status.MISSED),
        (date(2027, 2, 1), Status.MISSED),
    ],
    ids=["day-before-deadline", "deadline-day", "long-after"],
)
def test_status_final_at_deadline(goal_file, as_of, expected):
    rows = daily(date(2026, 10, 1), date(2026, 11, 29), 19, 1) + answers(date(2026, 11, 30), 0, 900)
    rows += daily(date(2026, 12, 1), date(2027, 1, 31), 20, 0)
    result = status(goal_file, rows, as_of, deadline="2026-11-30", kind="maintain")
    assert result.status is (Status.ON_TRACK if expected is Status.ACHIEVED else expected)
    if as_of > date(2026, 11, 30):
        assert result.window_end.date() == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("good", "expected"),
    [(9, Status.ACHIEVED), (8, Status.ON_TRACK)],
    ids=["exactly-90", "below-90"],
)
def test_status_achieved_when_met_now(goal_file, good, expected):
    rows = daily(date(2026, 10, 25), date(2026, 11, 22), good, 10 - good)
    result = status(goal_file, rows, date(2026, 11, 22), at_risk="{tolerance: 1.0}")
    assert result.status is expected


@pytest.mark.parametrize(
    ("good", "expected"),
    [(9, Status.ON_TRACK), (8, Status.BREACHED)],
    ids=["exactly-90", "below-90"],
)
def test_status_breached_maintain(goal_file, good, expected):
    rows = daily(date(2026, 10, 25), date(2026, 11, 22), good, 10 - good)
    assert status(goal_file, rows, date(2026, 11, 22), kind="maintain").status is expected


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [(0.30, Status.AT_RISK), (0.45, Status.ON_TRACK)],
    ids=["gap-over-tolerance", "gap-within-tolerance"],
)
def test_status_at_risk_achieve_gap(goal_file, tolerance, expected):
    # 82% satisfied throughout: progress 0.2 from the 80% baseline, expected 53/92 = 0.58
    rows = daily(date(2026, 9, 1), date(2026, 11, 22), 41, 9)
    result = status(
        goal_file, rows, date(2026, 11, 22), baseline="80%", at_risk=f"{{tolerance: {tolerance}}}"
    )
    assert result.progress == pytest.approx(0.2)
    assert result.expected_progress == pytest.approx(53 / 92)
    assert result.status is expected


MILESTONES = "[{by: 2026-10-31, target: 85%}, {by: 2026-11-30, target: 88%}]"


@pytest.mark.parametrize(
    "as_of",
    [
        date(2026, 10, 1),
        date(2026, 10, 15),
        date(2026, 10, 31),
        date(2026, 11, 22),
        datetime(2026, 11, 22, 12, tzinfo=BERLIN),
        date(2026, 12, 10),
    ],
    ids=str,
)
def test_expected_progress_follows_the_milestones(goal_file, as_of):
    import numpy as np

    # NOTE: the path from baseline 80% to 90%: 85% by the end of Oct 31, 88% by the end of Nov 30
    rows = daily(date(2026, 9, 1), date(2026, 12, 10), 41, 9)
    result = status(goal_file, rows, as_of, baseline="80%", milestones=MILESTONES)
    start = datetime(2026, 10, 1, tzinfo=BERLIN)
    moment = (
        as_of
        if isinstance(as_of, datetime)
        else datetime.combine(as_of, datetime.min.time(), BERLIN) + timedelta(days=1)
    )
    now = (moment - start) / timedelta(days=1)
    days = [0, 31, 61, 92]  # NOTE: start, the ends of Oct 31, Nov 30 and the deadline Dec 31
    shares = [0.0, (0.85 - 0.8) / 0.1, (0.88 - 0.8) / 0.1, 1.0]
    assert result.expected_progress == pytest.approx(float(np.interp(now, days, shares)))


def test_status_achieve_gap_but_forecast_meets_is_on_track(goal_file):
    rows, day, share = [], date(2026, 9, 28), 0.35
    while day <= date(2026, 11, 22):  # rising 4.2 points a week: 66% now, 90% by the deadline
        good = round(50 * share)
        rows += answers(day, good, 50 - good)
        share += 0.006
        day += timedelta(days=1)
    result = status(goal_file, rows, date(2026, 11, 22), baseline="65%", window="7d")
    assert result.forecast is not None
    assert result.forecast >= 0.9
    assert result.expected_progress - result.progress > 0.15
    assert result.status is Status.ON_TRACK


CHAT = {
    "metric": "first_response_time",
    "target": None,
    "threshold": "90% within 2 minutes",
    "kind": "maintain",
}


def chat_rows(first: date, last: date, good: int, bad: int) -> list[dict]:
    rows, day = [], first
    while day <= last:
        start = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
        rows += [
            {
                "timestamp": start + timedelta(minutes=i),
                "metric": "first_response_time",
                "value": 30.0 if i < good else 600.0,
            }
            for i in range(good + bad)
        ]
        day += timedelta(days=1)
    return rows


def chat_status(goal_file, rows, **fields):
    path = goal_file(goal_yaml(**{**CHAT, **fields}).replace("    target: None\n", ""))
    return smartgoals.evaluate(path, frame(rows), as_of=date(2026, 11, 22)).get("g")


BURNING = chat_rows(date(2026, 10, 26), date(2026, 11, 15), 50, 0) + chat_rows(
    date(2026, 11, 16), date(2026, 11, 22), 35, 15
)


def test_status_at_risk_burn_rate(goal_file):
    # 3x burn in the last week; budget consumed 0.75 over 28 days runs out in about 3 days
    result = chat_status(goal_file, BURNING)
    assert result.met is True
    assert result.error_budget is not None
    assert result.error_budget.burn_rates["7d"] == pytest.approx(3.0)
    assert result.error_budget.consumed == pytest.approx(0.75)
    assert result.status is Status.AT_RISK


def test_status_burn_rate_after_next_review_is_on_track(goal_file):
    # the same burn, but the budget lasts past a review due within a day
    assert chat_status(goal_file, BURNING, review="FREQ=DAILY").status is Status.ON_TRACK


def test_status_at_risk_worsening_trend(goal_file):
    rows, week = [], date(2026, 9, 28)
    for i in range(8):  # weekly shares 97%, 95%, ... 83%: met now, heading under 80%
        good = 97 - 2 * i
        rows += daily(week, week + timedelta(days=6), good, 100 - good)
        week += timedelta(days=7)
    result = status(
        goal_file, rows, date(2026, 11, 22), kind="maintain", target='">= 80%"', window="7d"
    )
    assert result.met is True
    assert result.trend is not None
    assert result.trend["slope_high"] < 0
    assert result.status is Status.AT_RISK


def test_status_noisy_flat_trend_is_on_track(goal_file):
    rows, week = [], date(2026, 9, 28)
    for good in (90, 84, 91, 83, 90, 84, 91, 85):
        rows += daily(week, week + timedelta(days=6), good, 100 - good)
        week += timedelta(days=7)
    result = status(
        goal_file, rows, date(2026, 11, 22), kind="maintain", target='">= 80%"', window="7d"
    )
    assert result.status is Status.ON_TRACK


def test_error_budget_of_perfect_standard_is_null(goal_file):
    rows = chat_rows(date(2026, 10, 26), date(2026, 11, 22), 50, 0)
    result = chat_status(goal_file, rows, threshold="100% within 2 minutes")
    assert result.error_budget is not None
    assert (result.error_budget.consumed, result.error_budget.remaining) == (None, None)


# Progress (achieve goals): clipped to [0, 1], 1 exactly when the target is met now.


@pytest.mark.parametrize(
    ("good", "expected"),
    [(17, 0.5), (18, 1.0), (19, 1.0), (16, 0.0), (14, 0.0)],
    ids=["half-way", "met-exactly", "beyond-target", "at-baseline", "worse-than-baseline"],
)
def test_progress_is_clipped_and_one_when_met(goal_file, good, expected):
    # baseline 80%, target 90%: 17 of 20 satisfied (85%) is half the way
    rows = daily(date(2026, 10, 25), date(2026, 11, 22), good, 20 - good)
    result = status(goal_file, rows, date(2026, 11, 22), baseline="80%")
    share = good / 20
    assert result.value == pytest.approx(share)
    assert result.progress == pytest.approx(expected)
    assert (result.progress == 1.0) is (share >= 0.9)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(60.0, 1.0), (90.0, 0.5), (120.0, 0.0), (150.0, 0.0)],
    ids=["met-exactly", "half-way", "at-baseline", "worse"],
)
def test_progress_lower_is_better(goal_file, seconds, expected):
    rows = [
        {
            "timestamp": datetime(2026, 11, d, 12, tzinfo=BERLIN),
            "metric": "first_response_time",
            "value": seconds,
        }
        for d in range(1, 23)
    ]
    fields = {
        "metric": "first_response_time",
        "target": '"<= 60 seconds"',
        "baseline": "120 seconds",
        "min_events": 1,
    }
    result = status(goal_file, rows, date(2026, 11, 22), **fields)
    assert result.progress == pytest.approx(expected)


@pytest.mark.parametrize(("good", "expected"), [(19, 1.0), (17, 0.0)], ids=["met", "not-met"])
def test_progress_when_baseline_already_meets_target(goal_file, good, expected):
    rows = daily(date(2026, 10, 25), date(2026, 11, 22), good, 20 - good)
    result = status(goal_file, rows, date(2026, 11, 22), baseline="95%")
    assert result.progress == expected


# Compliance (maintain goals): the goal's value at the end of every complete week since start.


def weeks_of(good_per_week: list[int], *, first_monday: date = date(2026, 10, 5)) -> list[dict]:
    """One week of daily answers per item: `good` of 10 satisfied each day."""
    rows = []
    for n, good in enumerate(good_per_week):
        monday = first_monday + timedelta(weeks=n)
        rows += daily(monday, monday + timedelta(days=6), good, 10 - good)
    return rows


MAINTAIN = {"kind": "maintain", "start": "2026-10-05", "window": "7d", "min_events": 10}


@pytest.mark.parametrize(
    ("as_of", "weeks_met", "weeks"),
    [
        (date(2026, 11, 22), 5, 7),  # Sunday: the week just ending counts
        (date(2026, 11, 21), 4, 6),  # Saturday: that week is not complete
        (date(2026, 10, 11), 1, 1),  # the first Sunday after start
        (date(2026, 10, 10), 0, 0),  # no complete week yet
    ],
    ids=["sunday", "saturday", "first-week", "no-week-yet"],
)
def test_compliance_counts_complete_weeks(goal_file, as_of, weeks_met, weeks):
    rows = weeks_of([9, 9, 8, 9, 9, 7, 10])
    result = status(goal_file, rows, as_of, **MAINTAIN)
    assert result.compliance is not None
    assert (result.compliance.weeks_met, result.compliance.weeks) == (weeks_met, weeks)
    assert (result.progress, result.expected_progress) == (None, None)


def test_compliance_skips_weeks_below_min_events(goal_file):
    rows = weeks_of([9, 9, 9]) + answers(date(2026, 10, 26), 1, 8)  # week 4: 9 answers only
    result = status(goal_file, rows, date(2026, 11, 1), **MAINTAIN)
    assert (result.compliance.weeks_met, result.compliance.weeks) == (3, 3)
    assert len([p for p in result.weekly if p.start >= date(2026, 10, 5)]) == 4


def test_compliance_uses_the_goal_window_not_the_week(goal_file):
    # a 14-day window: week 2 alone is bad (70%), but together with week 1 it averages 80%
    rows = weeks_of([9, 7, 9])
    fields = {**MAINTAIN, "window": "14d", "target": '">= 80%"'}
    result = status(goal_file, rows, date(2026, 10, 25), **fields)
    assert (result.compliance.weeks_met, result.compliance.weeks) == (3, 3)


def test_no_forecast_after_the_deadline(goal_file):
    rows = daily(date(2026, 9, 1), date(2026, 11, 22), 17, 3)
    before = status(goal_file, rows, date(2026, 11, 29), deadline="2026-11-30")
    after = status(goal_file, rows, date(2026, 11, 30), deadline="2026-11-30")
    assert before.forecast is not None
    assert (after.forecast, after.forecast_interval, after.p_success) == (None, None, None)

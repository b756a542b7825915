from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import smartgoals
from smartgoals import Status
from smartgoals._results import GoalResult, History, PeriodStarts, Point
from tests.conftest import AS_OF

periods = st.lists(
    st.tuples(
        st.integers(-800, 30_000),  # the first day of a period (epoch days)
        st.one_of(st.just(float("nan")), st.floats(-1e9, 1e9, allow_nan=False)),
        st.integers(0, 10**6),
        st.booleans(),
    ),
    max_size=40,
)


def expected_points(rows: list[tuple[int, float, int, bool]]) -> list[dict[str, object]]:
    """The JSON points of the kept periods, written out one by one."""
    return [
        {
            "start": (date(1970, 1, 1) + timedelta(days=day)).isoformat(),
            "value": None if value != value else value,
            "events": events,
        }
        for day, value, events, kept in rows
        if kept
    ]


@given(periods)
def test_history_points_are_the_kept_periods_whatever_holds_the_days(rows):
    days = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows], dtype=np.float64)
    events = np.array([r[2] for r in rows], dtype=np.int64)
    keep = np.array([r[3] for r in rows], dtype=bool)
    expected = expected_points(rows)
    shared = PeriodStarts(days)
    histories = [
        History(days, values, events, keep),
        History(shared, values, events, keep),
        History(shared, values, events, keep),  # NOTE: the dates written once serve both
        History(days.tolist(), values.tolist(), events.tolist(), keep.tolist()),
    ]
    for history in histories:
        assert history.dicts() == expected
        read = list(history)  # NOTE: once read as points, the history keeps Python lists
        assert read == [
            Point(date.fromisoformat(str(p["start"])), p["value"], p["events"])  # type: ignore[arg-type]
            for p in expected
        ]
        assert history.dicts() == expected
    everything = History(shared, values, events)
    assert everything.dicts() == expected_points([(d, v, e, True) for d, v, e, _ in rows])


REQUIRED: dict[str, Any] = {
    f.name: None for f in dataclasses.fields(GoalResult) if f.default is dataclasses.MISSING
}


def test_a_built_result_is_the_one_the_constructor_makes():
    fields: dict[str, Any] = {
        **REQUIRED,
        "id": "frt",
        "status": Status.ON_TRACK,
        "value": 0.93,
        "tags": ("a",),
    }
    built = GoalResult._built(**fields)
    made = GoalResult(**fields)
    assert built == made
    assert vars(built) == vars(made)  # NOTE: every field set, the defaults too
    assert dataclasses.replace(built, value=0.5).value == 0.5


def test_every_evaluated_result_has_every_field(goal_file, ticket_events):
    path = goal_file(
        """\
defaults: {owner: ops@example.com, timezone: Europe/Berlin, window: 28d, start: 2026-09-01,
           deadline: 2026-12-31, min_events: 1}
goals:
  - {id: frt, metric: first_response_time, threshold: 90% within 2 min, kind: maintain}
  - {id: csat-agents, metric: csat, for_each: agent, target: 85%}
"""
    )
    report = smartgoals.evaluate(path, ticket_events, as_of=AS_OF)
    assert len(report.goals) > 2
    for result in report.goals:
        assert dataclasses.replace(result) == result

from __future__ import annotations

from datetime import date, datetime

import smartgoals
from smartgoals._timeline import timeline


def test_the_repeated_hour_of_a_dst_change_is_two_instants(goal_file):
    # NOTE: naive times that differ only in fold are equal (and hash alike) in Python, yet the
    # second 02:30 of 25 October in Berlin is an hour after the first
    goals = smartgoals.load(
        goal_file(
            """\
goals:
  - {id: frt, owner: ops, metric: first_response_time, threshold: 90% within 2 min,
     timezone: Europe/Berlin, deadline: 2026-12-31}
"""
        )
    )
    (goal,) = goals
    first = datetime(2026, 10, 25, 2, 30)
    second = first.replace(fold=1)
    assert first == second
    assert timeline(goal, second).now_us - timeline(goal, first).now_us == 3_600_000_000
    assert timeline(goal, date(2026, 10, 25)).now_us > timeline(goal, second).now_us

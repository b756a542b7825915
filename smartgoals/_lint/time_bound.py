"""T: a goal has a span that makes sense for its window."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from dateutil.rrule import rrulestr

from smartgoals._lint import LintContext, rule
from smartgoals._model import Goal

_PERIOD_DAYS = {"week": 7, "month": 28, "quarter": 90, "year": 365}


@rule("T501", "time_bound.start_missing", "warning", "deadline")
def start_missing(goal: Goal, context: LintContext) -> str | None:
    """No `start`: expected progress cannot be computed and the goal is never `not_started`.

    Bad: only ``deadline: 2026-12-31``. Good: ``start: 2026-10-01`` and ``deadline: 2026-12-31``.
    """
    if goal.start is None:
        return "no start date: add 'start:' so expected progress and not_started can be judged"
    return None


@rule("T502", "time_bound.deadline_passed", "warning", "deadline")
def deadline_passed(goal: Goal, context: LintContext) -> str | None:
    """The deadline has passed: the goal is final; archive it or set a new deadline.

    Bad: ``deadline: 2025-12-31`` checked in 2026. Good: a goal file of current goals.
    """
    if goal.deadline < context.as_of:
        return (
            f"deadline {goal.deadline} has passed ({(context.as_of - goal.deadline).days} days "
            "ago): archive the goal or set a new deadline"
        )
    return None


@rule("T503", "time_bound.span_shorter_than_window", "error", "window|start")
def span_shorter_than_window(goal: Goal, context: LintContext) -> str | None:
    """The span from start to deadline is shorter than one window, so no window fits in it.

    Bad: ``{start: 2026-12-01, deadline: 2026-12-10, window: 28d}``. Good: ``window: 7d``.
    """
    if goal.start is None or goal.window.kind == "to-date":
        return None
    span = (goal.deadline - goal.start).days + 1
    window = goal.window.days or _PERIOD_DAYS[goal.window.kind]
    if span < window:
        return (
            f"the span ({span} days) is shorter than the window {goal.window} ({window} days): "
            "use a shorter window or 'to-date'"
        )
    return None


@rule("T504", "time_bound.review_outside_span", "warning", "review")
def review_outside_span(goal: Goal, context: LintContext) -> str | None:
    """The `review` rule gives no check-in date before the deadline.

    Bad: ``review: FREQ=YEARLY;BYMONTH=3`` on a goal for October–December.
    Good: ``review: FREQ=WEEKLY;BYDAY=MO``.
    """
    if goal.review is None:
        return None
    first = datetime.combine(goal.start or context.as_of, time())
    end = datetime.combine(goal.deadline + timedelta(days=1), time())
    following = rrulestr(goal.review, dtstart=first).after(first, inc=True)
    if following is None or following >= end:
        return "the review rule gives no check-in before the deadline: review at least monthly"
    return None

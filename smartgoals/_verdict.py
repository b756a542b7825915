"""A goal's status: the rules of design §5, in order, over what the evaluation found.

1. ``not_started`` — as_of is before `start`;
2. ``no_data`` — fewer than `min_events` events in the judged window;
3. the deadline has passed: ``achieved`` when the target is met in the window ending there, else
   ``missed``;
4. ``achieved`` — an `achieve` goal whose target is met now;
5. ``breached`` — a `maintain` goal whose target is not met now;
6. ``at_risk`` — one of the at-risk rules fires (`achieve_risk`, `maintain_risk`);
7. ``on_track`` — everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartgoals._forecast import Trend
from smartgoals._results import ErrorBudget
from smartgoals._status import Status
from smartgoals._units import Target


@dataclass(slots=True)  # NOTE: not frozen: made once per goal, 10,000 times a run, and only read
class Findings:
    """What the status rules look at for one goal.

    Attributes:
        not_started: as_of is before the goal's start.
        final: the deadline has passed.
        achieve: an `achieve` goal (else `maintain`).
        value: the value over the judged window.
        events: the events of that window.
        min_events: the fewest events to judge by.
        target: what the value must meet.
        progress: progress toward the target (achieve goals).
        expected: expected progress at as_of (achieve goals).
        tolerance: how far progress may lag the expected path.
        forecast: the trend's value at the deadline.
        trend: the weekly trend.
        budget: the error budget (service standards).
        recent_events: events of the last 7 days (the 7-day burn rate needs `min_events`).
        window_days: the length of the judged window.
        days_to_review: days from as_of to the next review.
    """

    not_started: bool
    final: bool
    achieve: bool
    value: float | None
    events: int
    min_events: int
    target: Target
    progress: float | None = None
    expected: float | None = None
    tolerance: float = 0.15
    forecast: float | None = None
    trend: Trend | None = None
    budget: ErrorBudget | None = None
    recent_events: int = 0
    window_days: int = 0
    days_to_review: float = 7.0

    @property
    def met(self) -> bool:
        """Whether the value meets the target (False without a value)."""
        return self.value is not None and self.target.met_by(self.value)


def verdict(findings: Findings) -> tuple[Status, str | None]:
    """The goal's status, with the at-risk rule's reason when one fired."""
    if findings.not_started:
        return Status.NOT_STARTED, None
    if findings.events < findings.min_events or findings.value is None:
        return Status.NO_DATA, None
    if findings.final:
        return (Status.ACHIEVED if findings.met else Status.MISSED), None
    if findings.achieve:
        return (Status.ACHIEVED, None) if findings.met else achieve_risk(findings)
    if not findings.met:
        return Status.BREACHED, None
    return maintain_risk(findings)


def achieve_risk(findings: Findings) -> tuple[Status, str | None]:
    """At risk: progress lags the expected path by more than the tolerance.

    And the forecast, when there is one, misses the target.
    """
    progress, expected, tolerance = findings.progress, findings.expected, findings.tolerance
    if progress is None or expected is None or expected - progress <= tolerance:
        return Status.ON_TRACK, None
    if findings.forecast is not None and findings.target.met_by(findings.forecast):
        return Status.ON_TRACK, None
    return Status.AT_RISK, (
        f"progress {progress:.0%} is behind the expected {expected:.0%} by more than {tolerance:.0%}"
    )


def maintain_risk(findings: Findings) -> tuple[Status, str | None]:
    """At risk: the error budget runs out before the next review, or the trend surely worsens.

    The budget rule uses the 7-day burn rate; the trend rule needs the trend to miss the target
    at the deadline with the slope's 90 % interval wholly on the worsening side.
    """
    reason = _budget_runs_out(findings) or _worsening(findings)
    return (Status.AT_RISK, reason) if reason else (Status.ON_TRACK, None)


def _budget_runs_out(findings: Findings) -> str | None:
    budget = findings.budget
    if budget is None or budget.consumed is None:
        return None
    burn, consumed = budget.burn_rates.get("7d"), budget.consumed
    if (
        burn is None
        or findings.recent_events < findings.min_events
        or burn <= 1
        or burn <= consumed
    ):
        return None
    days_left = findings.window_days * (1 - consumed) / (burn - consumed)
    if days_left > findings.days_to_review:
        return None
    return (
        f"at the 7-day burn rate of {burn:.1f}× the error budget runs out in {days_left:.1f} "
        "days, before the next review"
    )


def _worsening(findings: Findings) -> str | None:
    trend, forecast = findings.trend, findings.forecast
    if trend is None or forecast is None or findings.target.met_by(forecast):
        return None
    worsening = trend.slope_high < 0 if findings.target.higher else trend.slope_low > 0
    return "the trend is worsening and misses the target by the deadline" if worsening else None


__all__ = ["Findings", "achieve_risk", "maintain_risk", "verdict"]

"""A: a goal asks for what the metric can plausibly do in the time given.

Plausible improvement per 30 days, from what support teams report as fast but real turnarounds:
5 percentage points for shares (CSAT, FCR, SLA), 10 points of NPS, 0.3 on a 1–5 or 1–7 score, and
a 30 % relative change for durations, counts, amounts and other numbers.
"""

from __future__ import annotations

from smartgoals._lint import LintContext, rule
from smartgoals._metrics import MetricSpec, Unit
from smartgoals._model import Goal, GoalKind
from smartgoals._units import format_value

ABSOLUTE_PER_MONTH = {Unit.SHARE: 0.05, Unit.POINTS: 10.0, Unit.SCORE: 0.3}
RELATIVE_PER_MONTH = 0.30


def plausible_change(spec: MetricSpec, baseline: float, days: int) -> float:
    """The largest change of `spec` from `baseline` that is plausible in `days` days."""
    months = max(days, 1) / 30.0
    if spec.unit in ABSOLUTE_PER_MONTH:
        return ABSOLUTE_PER_MONTH[spec.unit] * months
    return abs(baseline) * float(
        1 - (1 - RELATIVE_PER_MONTH) ** months
        if spec.better == "lower"
        else (1 + RELATIVE_PER_MONTH) ** months - 1
    )


@rule("A301", "achievable.too_steep", "warning", "target")
def too_steep(goal: Goal, context: LintContext) -> str | None:
    """The improvement from baseline to target per month is beyond what the metric plausibly moves.

    Bad: CSAT from 60% to 95% in one month. Good: CSAT from 82% to 90% over a quarter.
    """
    if goal.baseline is None or goal.start is None or goal.target is None:
        return None
    spec = context.spec(goal)
    days = (goal.deadline - goal.start).days
    needed = abs(goal.target.value - goal.baseline)
    limit = plausible_change(spec, goal.baseline, days)
    if needed > limit:
        return (
            f"moving {spec.name} by {format_value(needed, spec.unit)} in {days} days is steep "
            f"(plausible: about {format_value(limit, spec.unit)}); extend the deadline or lower the "
            "target"
        )
    return None


@rule("A302", "achievable.perfect_target", "warning", "target|threshold")
def perfect_target(goal: Goal, context: LintContext) -> str | None:
    """The target is the metric's best possible value: one bad event breaks it.

    Bad: ``threshold: 100% within 2 minutes``. Good: ``threshold: 95% within 2 minutes``.
    """
    spec = context.spec(goal)
    best = spec.value_range[1] if spec.better == "higher" else spec.value_range[0]
    if goal.threshold is not None and goal.threshold.share >= 1.0:
        return "a 100% standard has no error budget: a single slow event breaks it; aim for 95-99%"
    if goal.target is not None and goal.target.value == best and spec.unit is not Unit.SECONDS:
        return f"target {best:g} is the best {spec.name} can be: allow some room, e.g. 95%"
    return None


@rule("A303", "achievable.already_met", "error", "baseline")
def already_met(goal: Goal, context: LintContext) -> str | None:
    """An `achieve` goal whose baseline already meets its target asks for nothing.

    Bad: ``{baseline: 92%, target: ">= 90%"}``. Good: ``kind: maintain`` or a higher target.
    """
    if (
        goal.kind is GoalKind.ACHIEVE
        and goal.baseline is not None
        and goal.target is not None
        and goal.target.met_by(goal.baseline)
    ):
        return "the baseline already meets the target: raise the target or make it 'kind: maintain'"
    return None

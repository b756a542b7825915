"""The metric catalog: what each metric measures, in which unit, which way is better, how it aggregates.

A metric's *value* over a window is computed from the events of that window:

| aggregation | value over a window | events are |
|---|---|---|
| ``duration`` | mean (or median, pNN) of answered events; thresholds: share good | seconds; empty = open |
| ``share_at_least`` | share of answers ``>= good_from`` (CSAT: 4–5 on 1–5) | survey scores; empty = no answer |
| ``nps`` | % answers 9–10 minus % answers 0–6, in points | scores 0–10; empty = no answer |
| ``mean`` | weighted mean of values | scores or numbers; empty = no answer |
| ``rate`` | ``sum(value × count) / sum(count)`` | 0/1 outcomes or fractions |
| ``volume`` | ``sum(count)``, 1 per row without one | one row per contact; value unused |
| ``last`` | the last value in the window | point-in-time readings (backlog) |
| ``ratio`` | ``sum(numerator) / sum(denominator)`` over the window | two series of amounts |

A goal's *measure* (`MetricSpec.measure`) is chosen once from its metric, its `threshold` or
`statistic`, and its target: it names the event conditions whose good counts the aggregation must
keep, and turns the sums of any number of windows into values, all at once (arrays shaped
``(members, windows)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from smartgoals._measures import (
    DETRACTOR,
    PROMOTER,
    AnswerShare,
    GoodShare,
    Latest,
    Mean,
    Measure,
    NetPromoter,
    Ratio,
    Statistic,
    Volume,
)
from smartgoals._units import Condition, Standard, Target, Unit

Better = Literal["higher", "lower"]


class Aggregation(StrEnum):
    """How a metric turns events into a value (see the module docstring)."""

    DURATION = "duration"
    SHARE_AT_LEAST = "share_at_least"
    NPS = "nps"
    MEAN = "mean"
    RATE = "rate"
    VOLUME = "volume"
    LAST = "last"
    RATIO = "ratio"

    @property
    def per_event(self) -> bool:
        """Whether each event has a value a service standard can judge (``90% within 2 min``)."""
        return self not in (Aggregation.VOLUME, Aggregation.RATIO, Aggregation.LAST)


@dataclass(frozen=True)
class MetricSpec:
    """One metric of the catalog.

    Attributes:
        name: the name goals use.
        title: a short human name.
        unit: the unit of the metric's value.
        better: which direction is an improvement.
        aggregation: how events become a value.
        value_range: the possible values of the metric (targets outside it are load errors).
        event_range: the possible values of one event (rows outside it are rejected).
        good_from: for ``share_at_least``: the lowest score that counts as good.
        series: the data series (``metric`` column values) the metric reads; its own name by default.
        segments: labels this metric is usually broken down by (a lint hint).
        description: a sentence for the docs.
    """

    name: str
    title: str
    unit: Unit
    better: Better
    aggregation: Aggregation
    value_range: tuple[float, float] = (-math.inf, math.inf)
    event_range: tuple[float, float] = (-math.inf, math.inf)
    good_from: float | None = None
    series: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    description: str = ""
    custom: bool = field(default=False, compare=False)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The data series this metric reads (``metric`` column values)."""
        return self.series or (self.name,)

    @property
    def has_open_events(self) -> bool:
        """Whether an empty value is an open event (durations) rather than no answer."""
        return self.aggregation is Aggregation.DURATION

    @property
    def event_unit(self) -> Unit:
        """The unit of one event's value (a CSAT answer is a score, the metric a share)."""
        if self.aggregation in (Aggregation.SHARE_AT_LEAST, Aggregation.NPS):
            return Unit.SCORE
        return self.unit

    def measure(
        self, *, target: Target | None, standard: Standard | None, statistic: str = "mean"
    ) -> Measure:
        """The measure of a goal on this metric (a `standard` wins over a `target`)."""
        if standard is not None:
            expiry = standard.condition if self.has_open_events else None
            return GoodShare(
                self.inputs[:1],
                standard.target,
                Unit.SHARE,
                (0.0, 1.0),
                (standard.condition,),
                expiry,
                standard=standard,
            )
        assert target is not None
        kind, q = _MEASURES[self.aggregation], None
        conditions: tuple[Condition, ...] = ()
        if self.aggregation is Aggregation.SHARE_AT_LEAST:
            assert self.good_from is not None
            conditions = (Condition(">=", float(self.good_from)),)
        elif self.aggregation is Aggregation.NPS:
            conditions = (PROMOTER, DETRACTOR)
        elif self.aggregation is Aggregation.DURATION and statistic != "mean":
            q = 0.5 if statistic == "median" else float(statistic[1:]) / 100
        return kind(
            self.inputs,
            target,
            self.unit,
            self.value_range,
            conditions,
            quantile_q=q,
            last=self.aggregation is Aggregation.LAST,
            statistic=statistic if self.aggregation is Aggregation.DURATION else None,
        )


_MEASURES: dict[Aggregation, type[Measure]] = {
    Aggregation.DURATION: Statistic,
    Aggregation.SHARE_AT_LEAST: AnswerShare,
    Aggregation.NPS: NetPromoter,
    Aggregation.MEAN: Mean,
    Aggregation.RATE: Mean,
    Aggregation.VOLUME: Volume,
    Aggregation.LAST: Latest,
    Aggregation.RATIO: Ratio,
}
_NONNEG = (0.0, math.inf)
_SHARE = (0.0, 1.0)


def _duration(name: str, title: str, description: str) -> MetricSpec:
    return MetricSpec(
        name,
        title,
        Unit.SECONDS,
        "lower",
        Aggregation.DURATION,
        _NONNEG,
        _NONNEG,
        segments=("channel",),
        description=description,
    )


def _rate(name: str, title: str, better: Better, description: str) -> MetricSpec:
    return MetricSpec(
        name,
        title,
        Unit.SHARE,
        better,
        Aggregation.RATE,
        _SHARE,
        _SHARE,
        segments=("channel",),
        description=description,
    )


BUILTIN_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in [
        _duration(
            "first_response_time",
            "First response time",
            "Time from a request's creation to the first reply to the customer.",
        ),
        _duration(
            "next_response_time",
            "Next response time",
            "Time from a customer's follow-up message to the next reply.",
        ),
        _duration("resolution_time", "Resolution time", "Time from creation to resolution."),
        _duration("handle_time", "Handle time", "Time an agent spends working a contact."),
        _duration(
            "wait_time", "Wait time", "Time a caller or chatter waits before an agent answers."
        ),
        MetricSpec(
            "csat",
            "CSAT",
            Unit.SHARE,
            "higher",
            Aggregation.SHARE_AT_LEAST,
            _SHARE,
            (1, 5),
            good_from=4,
            description="Share of survey answers of 4 or 5 on a 1–5 scale (a 3 counts against).",
        ),
        MetricSpec(
            "csat_score",
            "CSAT score",
            Unit.SCORE,
            "higher",
            Aggregation.MEAN,
            (1, 5),
            (1, 5),
            series=("csat",),
            description="Mean CSAT answer on the 1–5 scale.",
        ),
        MetricSpec(
            "nps",
            "NPS",
            Unit.POINTS,
            "higher",
            Aggregation.NPS,
            (-100, 100),
            (0, 10),
            description="Percent promoters (9–10) minus percent detractors (0–6), −100..100.",
        ),
        MetricSpec(
            "ces",
            "Customer effort score",
            Unit.SCORE,
            "higher",
            Aggregation.MEAN,
            (1, 7),
            (1, 7),
            description="Mean answer on the 1–7 effort scale; higher is easier.",
        ),
        _rate(
            "fcr_rate",
            "First-contact resolution rate",
            "higher",
            "Share of contacts resolved without a follow-up contact (1 = resolved first time).",
        ),
        _rate("reopen_rate", "Reopen rate", "lower", "Share of solved tickets that were reopened."),
        _rate(
            "escalation_rate",
            "Escalation rate",
            "lower",
            "Share of tickets escalated to a higher tier.",
        ),
        _rate(
            "abandonment_rate",
            "Abandonment rate",
            "lower",
            "Share of calls or chats the customer left before an agent answered.",
        ),
        _rate(
            "sla_achievement",
            "SLA achievement",
            "higher",
            "Share of tickets that met their SLA (1 = met, 0 = breached).",
        ),
        _rate(
            "retention_rate",
            "Retention rate",
            "higher",
            "Share of customers kept over the period (1 = retained, 0 = churned).",
        ),
        MetricSpec(
            "ticket_volume",
            "Ticket volume",
            Unit.COUNT,
            "lower",
            Aggregation.VOLUME,
            _NONNEG,
            segments=("channel",),
            description="Number of tickets: the sum of `count`, 1 for a row without one.",
        ),
        MetricSpec(
            "backlog",
            "Backlog",
            Unit.COUNT,
            "lower",
            Aggregation.LAST,
            _NONNEG,
            _NONNEG,
            segments=("team",),
            description="Open tickets: the last reading in the window.",
        ),
        MetricSpec(
            "conversations_per_agent",
            "Conversations per agent",
            Unit.NUMBER,
            "higher",
            Aggregation.MEAN,
            _NONNEG,
            _NONNEG,
            segments=("team",),
            description="Conversations handled per agent and day, averaged over the window.",
        ),
        MetricSpec(
            "cost_per_contact",
            "Cost per contact",
            Unit.CURRENCY,
            "lower",
            Aggregation.RATIO,
            _NONNEG,
            _NONNEG,
            series=("cost", "contacts"),
            description="Total `cost` divided by total `contacts` over the window.",
        ),
    ]
}


__all__ = ["BUILTIN_METRICS", "Aggregation", "Better", "MetricSpec", "Unit"]

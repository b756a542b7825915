"""Measures: how a goal's value comes from the sums of its events, for many windows at once.

A measure is chosen once per goal by its metric (`MetricSpec.measure`): it names the event
conditions whose good counts the aggregation keeps, and turns the sums of any number of windows
into values, as arrays shaped ``(members, windows)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from smartgoals._units import Condition, Standard, Target, Unit, format_value, shown_share

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]


@dataclass
class Totals:
    """Sums of one series' events over windows, each an array shaped ``(members, windows)``.

    Attributes:
        rows: events, answered or not (weighted by ``count``).
        n: answered events.
        sum: sum of value × count over answered events.
        open: open (unanswered) events.
        good: per condition, the answered events meeting it.
        expired: per condition, the open events whose age at as_of already fails it.
        quantile: the measure's quantile of the answered values (NaN without any).
        last: the latest reading (NaN without any).
        other: the second series of a ratio (its denominator).
    """

    rows: Array
    n: Array
    sum: Array
    open: Array
    good: dict[Condition, Array] = field(default_factory=dict)
    expired: dict[Condition, Array] = field(default_factory=dict)
    quantile: Array | None = None
    last: Array | None = None
    other: Totals | None = None


@dataclass
class Measured:
    """A measure over windows: values (NaN for none) and the counts the report shows."""

    value: Array
    events: NDArray[np.int64]
    good: NDArray[np.int64] | None = None
    pending: NDArray[np.int64] | None = None
    open_events: NDArray[np.int64] | None = None


def _count(values: Array) -> NDArray[np.int64]:
    import numpy as np

    return np.rint(values).astype(np.int64)


def _divide(numerator: Array, denominator: Array) -> Array:
    """``numerator / denominator`` where the denominator is positive, else NaN."""
    import numpy as np

    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


@dataclass(frozen=True)
class Measure:
    """How a goal's value comes from its events, and what it is compared with.

    Attributes:
        series: the data series read (a ratio reads two).
        target: the value to reach or hold, with its direction.
        unit: the unit of the value (a share for service standards).
        value_range: the possible values (forecasts are clipped to it).
        conditions: the event conditions whose good counts are needed.
        expiry: the condition open events are aged against (service standards on durations).
        quantile_q: the quantile taken (None: no histogram needed).
        last: the value is the latest reading.
        standard: the service standard, for the share of good events (None for other measures).
        statistic: the statistic of durations as written (``mean``, ``median``, ``p90``).
    """

    series: tuple[str, ...]
    target: Target
    unit: Unit
    value_range: tuple[float, float]
    conditions: tuple[Condition, ...] = ()
    expiry: Condition | None = None
    quantile_q: float | None = None
    last: bool = False
    standard: Standard | None = None
    statistic: str | None = None

    def evaluate(self, totals: Totals) -> Measured:
        """The measure over the windows of `totals`."""
        raise NotImplementedError

    def show(self, value: float) -> str:
        """A value of this measure for people, in its unit."""
        return format_value(value, self.unit)

    def met_by(self, value: float) -> bool:
        """Whether `value` meets the target."""
        return self.target.met_by(value)

    def describe(self, value: float, events: int, span: str, title: str) -> str:
        """The headline sentence: ``Resolution time 5.2 h over 28 days ... ; target <= 6 h``."""
        return f"{title} {self.show(value)} {span} from {events:,} events; {self._target_text}"

    @cached_property
    def _target_text(self) -> str:
        """The end of the headline, the same for every goal of the measure (``target <= 6 h``)."""
        return f"target {self.target.comparison} {self.show(self.target.value)}"


@dataclass(frozen=True)
class GoodShare(Measure):
    """A service standard: good events over events, open events that missed the limit included."""

    def evaluate(self, totals: Totals) -> Measured:
        """Good ÷ (answered + expired open events); open events within the limit are pending."""
        import numpy as np

        (condition,) = self.conditions
        good = totals.good[condition]
        expired = totals.expired.get(condition, np.zeros_like(good))
        events = totals.n + expired
        return Measured(
            _divide(good, events),
            _count(events),
            _count(good),
            _count(totals.open - expired),
        )

    def show(self, value: float) -> str:
        """A share: ``87.2%``."""
        return shown_share(value)

    def describe(self, value: float, events: int, span: str, title: str) -> str:
        """``87.2% of 1,204 events within 2 min over 28 days to 2026-11-22; target 90%``."""
        rule, target = self._words
        return f"{self.show(value)} of {events:,} events {rule} {span}; {target}"

    @cached_property
    def _words(self) -> tuple[str, str]:
        """The event rule and the target in words (``within 2 min``, ``target 90%``)."""
        assert self.standard is not None
        return self.standard.rule, f"target {self.show(self.standard.share)}"


@dataclass(frozen=True)
class Statistic(Measure):
    """The mean (or a quantile) of answered durations; open events are left out and counted."""

    def evaluate(self, totals: Totals) -> Measured:
        """Mean or quantile of answered events."""
        import numpy as np

        if self.quantile_q is None:
            value = _divide(totals.sum, totals.n)
        else:
            assert totals.quantile is not None
            value = np.where(totals.n > 0, totals.quantile, np.nan)
        return Measured(value, _count(totals.n), open_events=_count(totals.open))


@dataclass(frozen=True)
class AnswerShare(Measure):
    """The share of answers meeting a condition (CSAT: 4 or 5 on 1–5)."""

    def evaluate(self, totals: Totals) -> Measured:
        """Good answers ÷ answers."""
        (condition,) = self.conditions
        return Measured(_divide(totals.good[condition], totals.n), _count(totals.n))


@dataclass(frozen=True)
class NetPromoter(Measure):
    """Percent promoters minus percent detractors, in points."""

    def evaluate(self, totals: Totals) -> Measured:
        """``100 × (promoters − detractors) ÷ answers``."""
        promoters, detractors = self.conditions
        spread = 100 * (totals.good[promoters] - totals.good[detractors])
        return Measured(_divide(spread, totals.n), _count(totals.n))


@dataclass(frozen=True)
class Mean(Measure):
    """The weighted mean of answered values (rates of 0/1 outcomes, scores, numbers)."""

    def evaluate(self, totals: Totals) -> Measured:
        """``sum(value × count) ÷ sum(count)``."""
        return Measured(_divide(totals.sum, totals.n), _count(totals.n))


@dataclass(frozen=True)
class Volume(Measure):
    """The number of events: the sum of ``count``."""

    def evaluate(self, totals: Totals) -> Measured:
        """``sum(count)`` (0 without events)."""
        return Measured(totals.rows.copy(), _count(totals.rows))


@dataclass(frozen=True)
class Latest(Measure):
    """The latest reading in the window (point-in-time metrics such as backlog)."""

    def evaluate(self, totals: Totals) -> Measured:
        """The last reading."""
        assert totals.last is not None
        return Measured(totals.last.copy(), _count(totals.rows))


@dataclass(frozen=True)
class Ratio(Measure):
    """The sum of one series over the sum of another (cost ÷ contacts)."""

    def evaluate(self, totals: Totals) -> Measured:
        """``sum(numerator) ÷ sum(denominator)``; events are the denominator's sum."""
        assert totals.other is not None
        return Measured(_divide(totals.sum, totals.other.sum), _count(totals.other.sum))


PROMOTER, DETRACTOR = Condition(">=", 9.0), Condition("<=", 6.0)


__all__ = [
    "DETRACTOR",
    "PROMOTER",
    "AnswerShare",
    "GoodShare",
    "Latest",
    "Mean",
    "Measure",
    "Measured",
    "NetPromoter",
    "Ratio",
    "Statistic",
    "Totals",
    "Volume",
]

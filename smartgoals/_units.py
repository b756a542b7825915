"""Quantities and service standards as people write them in goal files.

Grammar (case-insensitive, spaces optional between a number and its unit):

- duration: ``90s``, ``2 min``, ``2 minutes``, ``1.5h``, ``4 hours``, ``3 days``, ``1h 30min``, ISO 8601
  ``PT2M`` / ``P1DT2H``; a bare ``m`` is refused (minutes or months?). Stored as seconds.
- percentage: ``90%``, ``99.5 %``. Stored as a fraction (0.9).
- number: a YAML number or a numeric string (``4.5``, ``-20``).
- comparison: ``">= 4.5"``, ``"<= 6 min"``, ``">= 90%"``, or a bare quantity (direction left to the metric).
- service standard: ``<share> within <duration>`` (value <= limit), ``<share> under <duration>``
  (value < limit), ``<share> at least <number>`` (value >= limit), ``<share> at most <number>``
  (value <= limit).

Every parsed value prints back with `format_quantity` in a canonical form that parses to the same value.
Values in a metric's unit are shown to people with `format_value` (``87.2%``, ``2.5 min``, ``45.0``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class UnitError(ValueError):
    """Text that is not a quantity of the expected form; the message says what was expected."""


class QuantityKind(StrEnum):
    """What a parsed quantity measures."""

    DURATION = "duration"
    PERCENT = "percent"
    NUMBER = "number"


@dataclass(frozen=True)
class Quantity:
    """A number with its kind: seconds for durations, a fraction for percentages."""

    value: float
    kind: QuantityKind

    def __str__(self) -> str:
        return format_quantity(self)


Comparison = Literal[">=", "<="]
EventComparison = Literal["<=", "<", ">="]


class Unit(StrEnum):
    """The unit a metric's value is expressed in."""

    SECONDS = "seconds"
    SHARE = "share"
    POINTS = "points"
    SCORE = "score"
    COUNT = "count"
    CURRENCY = "currency"
    NUMBER = "number"


@dataclass(frozen=True)
class Target:
    """A target in the metric's unit: the value must be ``comparison value``."""

    comparison: Comparison
    value: float

    @overload
    def met_by(self, value: float) -> bool: ...
    @overload
    def met_by(self, value: NDArray[np.float64]) -> NDArray[np.bool_]: ...
    def met_by(self, value: Any) -> Any:
        """Whether `value` (a number, or each of an array) meets the target.

        The one place this is decided: status, progress, compliance and forecasts all ask here.
        """
        return value >= self.value if self.higher else value <= self.value

    @property
    def higher(self) -> bool:
        """Whether higher values are better (``>=``)."""
        return self.comparison == ">="


@dataclass(frozen=True)
class Condition:
    """What one event must satisfy: ``value <comparison> limit`` (a limit in the event's unit).

    Conditions are the keys of good-event counts: the aggregation counts the events meeting each
    condition some goal needs, and the goal reads its count back with the same object.
    """

    comparison: EventComparison
    limit: float

    def holds(self, value: Any) -> Any:
        """Whether an event of `value` meets the condition.

        `value` is a number (the answer is a bool) or a narwhals expression (one per row): the
        aggregation counts good events with this very test.
        """
        if self.comparison == "<=":
            return value <= self.limit
        return value < self.limit if self.comparison == "<" else value >= self.limit


@dataclass(frozen=True)
class Comparand:
    """A target as written: a comparison (or none, for a bare value) and a quantity."""

    comparison: Comparison | None
    quantity: Quantity


@dataclass(frozen=True)
class Standard:
    """A service standard: `share` of events must satisfy ``value <comparison> limit``."""

    share: float
    limit: Quantity
    comparison: EventComparison

    @property
    def rule(self) -> str:
        """The per-event rule in words: ``within 2 min``, ``under 20s``, ``at least 4``."""
        word = {"<=": "within", "<": "under", ">=": "at least"}[self.comparison]
        if self.comparison == "<=" and self.limit.kind is not QuantityKind.DURATION:
            word = "at most"
        return f"{word} {format_quantity(self.limit)}"

    @property
    def condition(self) -> Condition:
        """The condition an event must meet to count as good."""
        return Condition(self.comparison, self.limit.value)

    @property
    def target(self) -> Target:
        """The standard as a target on the share of good events."""
        return Target(">=", self.share)

    def __str__(self) -> str:
        return f"{format_quantity(Quantity(self.share, QuantityKind.PERCENT))} {self.rule}"


_SECONDS = {
    "ms": 0.001,
    "msec": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "wk": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_PART = re.compile(rf"\s*({_NUMBER})\s*([a-zA-Z]+)")
_ISO = re.compile(
    r"P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_DURATION_HINT = "a duration such as '90s', '2 min', '1.5 hours', '3 days' or 'PT2M'"


def parse_number(text: str | float) -> float:
    """Parse a plain number (a YAML number or a numeric string) and refuse NaN and infinities."""
    if isinstance(text, bool):
        raise UnitError(f"expected a number, got {text!r}")
    if isinstance(text, int | float):
        value = float(text)
    else:
        if not re.fullmatch(rf"\s*{_NUMBER}\s*", text):
            raise UnitError(f"expected a number, got {text!r}")
        value = float(text)
    if not math.isfinite(value):
        raise UnitError(f"expected a finite number, got {text!r}")
    return value


def parse_duration(text: str | float) -> float:
    """Parse a duration and return seconds.

    >>> parse_duration("2 minutes"), parse_duration("PT1H30M"), parse_duration("1h 30min")
    (120.0, 5400.0, 5400.0)
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise UnitError(f"expected {_DURATION_HINT}, got {text!r} (give the unit)")
    stripped = text.strip()
    iso = _ISO.fullmatch(stripped)
    if iso and stripped.upper() not in ("P", "PT") and not stripped.upper().endswith("T"):
        factors = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
        return sum(float(v) * factors[k] for k, v in iso.groupdict().items() if v)
    return _parse_duration_parts(stripped, text)


def _parse_duration_parts(stripped: str, original: str) -> float:
    total, position = 0.0, 0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        if match is None:
            raise UnitError(f"expected {_DURATION_HINT}, got {original!r}")
        number, unit = match.group(1), match.group(2).lower()
        if unit == "m":
            raise UnitError(f"ambiguous unit 'm' in {original!r}: write 'min' for minutes")
        if unit not in _SECONDS:
            raise UnitError(
                f"unknown duration unit {match.group(2)!r} in {original!r}; "
                f"expected {_DURATION_HINT}"
            )
        total += float(number) * _SECONDS[unit]
        position = match.end()
        while position < len(stripped) and stripped[position] in " ,":
            position += 1
    if not stripped:
        raise UnitError(f"expected {_DURATION_HINT}, got an empty string")
    if total < 0 or not math.isfinite(total):
        raise UnitError(f"expected a non-negative duration, got {original!r}")
    return total


def parse_percent(text: str) -> float:
    """Parse ``'90%'`` into the fraction 0.9 (exactly as the decimal text says)."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*%\s*", text)
    if match is None:
        raise UnitError(f"expected a percentage such as '90%', got {text!r}")
    try:
        return float(Decimal(match.group(1)) / 100)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise UnitError(f"expected a percentage such as '90%', got {text!r}") from exc


def parse_quantity(text: str | float) -> Quantity:
    """Parse a duration, a percentage or a plain number, whichever the text is."""
    if isinstance(text, bool):
        raise UnitError(f"expected a number, a percentage or a duration, got {text!r}")
    if isinstance(text, int | float):
        return Quantity(parse_number(text), QuantityKind.NUMBER)
    stripped = text.strip()
    if stripped.endswith("%"):
        return Quantity(parse_percent(stripped), QuantityKind.PERCENT)
    if re.fullmatch(rf"{_NUMBER}", stripped):
        return Quantity(parse_number(stripped), QuantityKind.NUMBER)
    try:
        return Quantity(parse_duration(stripped), QuantityKind.DURATION)
    except UnitError as exc:
        raise UnitError(
            f"expected a number, a percentage such as '90%' or {_DURATION_HINT}, got {text!r}"
        ) from exc


def parse_comparand(text: str | float) -> Comparand:
    """Parse a target: ``">= 90%"``, ``"<= 6 min"`` or a bare quantity."""
    if isinstance(text, str):
        match = re.fullmatch(r"\s*(>=|<=|=>|=<|>|<|==|=)?\s*(.*)", text)
        assert match is not None  # the pattern matches every string
        operator, rest = match.group(1), match.group(2)
        if operator in ("=>", "=<", ">", "<", "==", "="):
            raise UnitError(f"expected '>=' or '<=' before the value, got {operator!r} in {text!r}")
        return Comparand(operator, parse_quantity(rest))  # type: ignore[arg-type]
    return Comparand(None, parse_quantity(text))


_EVENT_COMPARISON: dict[str, EventComparison] = {
    "within": "<=",
    "under": "<",
    "at least": ">=",
    "at most": "<=",
}
_STANDARD = re.compile(
    r"\s*(\S+(?:\s*%)?)\s+(within|under|at\s+least|at\s+most)\s+(.+)", re.IGNORECASE
)


def parse_standard(text: str) -> Standard:
    """Parse a service standard such as ``"90% within 2 minutes"``.

    >>> parse_standard("80% under 20s")
    Standard(share=0.8, limit=Quantity(value=20.0, kind=<QuantityKind.DURATION: 'duration'>), comparison='<')
    """
    if not isinstance(text, str):
        raise UnitError(f"expected a service standard such as '90% within 2 minutes', got {text!r}")
    match = _STANDARD.fullmatch(text)
    if match is None:
        raise UnitError(
            "expected '<share> within|under <duration>' or '<share> at least|at most "
            f"<number>', such as '90% within 2 minutes'; got {text!r}"
        )
    share = parse_percent(match.group(1))
    if not 0.0 <= share <= 1.0:
        raise UnitError(f"a share must lie between 0% and 100%, got {match.group(1).strip()!r}")
    word = " ".join(match.group(2).lower().split())
    if word in ("within", "under"):
        limit = Quantity(parse_duration(match.group(3)), QuantityKind.DURATION)
    else:
        limit = parse_quantity(match.group(3))
    return Standard(share, limit, _EVENT_COMPARISON[word])


def format_quantity(quantity: Quantity) -> str:
    """Print a quantity in its canonical form, which `parse_quantity` reads back to the same value."""
    if quantity.kind is QuantityKind.PERCENT:
        return _format_percent(quantity.value)
    if quantity.kind is QuantityKind.DURATION:
        return format_duration(quantity.value)
    return _shortest(quantity.value)


def format_duration(seconds: float) -> str:
    """Print seconds in the largest whole unit: ``120 -> '2 min'``, ``90 -> '90s'``."""
    for size, unit in ((86400.0, "d"), (3600.0, "h"), (60.0, "min")):
        if seconds >= size and seconds % size == 0:
            return f"{_shortest(seconds / size)} {unit}"
    return f"{_shortest(seconds)}s"


def _format_percent(fraction: float) -> str:
    for digits in (15, 16, 17):
        text = f"{fraction * 100:.{digits}g}%"
        if parse_percent(text) == fraction:
            return text
    return f"{Decimal(fraction) * 100}%"


def _shortest(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def shown_share(value: float) -> str:
    """A share for people: ``87.2%``."""
    return f"{value * 100:.1f}%"


def format_value(value: float, unit: Unit | str) -> str:
    """A value in a metric's unit, rounded for people: ``87.2%``, ``2.1 min``, ``45.0``."""
    if unit == Unit.SHARE:
        return shown_share(value)
    if unit == Unit.SECONDS:
        return _seconds(value)
    if unit == Unit.POINTS:
        return f"{value:.1f}"
    if unit == Unit.COUNT:
        return f"{value:,.0f}" if value == int(value) or abs(value) >= 100 else f"{value:,.1f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    if value < 172800:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


__all__ = [
    "Comparand",
    "Comparison",
    "Condition",
    "EventComparison",
    "QuantityKind",
    "Quantity",
    "Standard",
    "Target",
    "Unit",
    "UnitError",
    "format_duration",
    "format_quantity",
    "format_value",
    "parse_comparand",
    "parse_duration",
    "parse_number",
    "parse_percent",
    "parse_quantity",
    "parse_standard",
    "shown_share",
]

"""Goal models: what a goal file may say, validated (pydantic v2, frozen, unknown keys refused).

The models do no I/O. Values that depend on the metric (a target's unit and direction) are resolved
against the metric catalog passed as validation context (``{"metrics": catalog}``), so a goal always
holds numbers in its metric's unit: a share as a fraction, a duration in seconds, NPS in points.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from dateutil.rrule import rrulestr
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from smartgoals._errors import SourceSpan
from smartgoals._mapping import SourceDef, check_timezone
from smartgoals._measures import Measure
from smartgoals._metrics import BUILTIN_METRICS, Aggregation, Better, MetricSpec
from smartgoals._units import (
    Comparand,
    Comparison,
    Quantity,
    QuantityKind,
    Standard,
    Target,
    Unit,
    UnitError,
    format_quantity,
    parse_comparand,
    parse_quantity,
    parse_standard,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
SLUG = r"^[a-z0-9][a-z0-9_.\-/@]*$"


class GoalKind(StrEnum):
    """Whether a goal is to be reached by its deadline or held throughout its span."""

    ACHIEVE = "achieve"
    MAINTAIN = "maintain"


@dataclass(frozen=True)
class Window:
    """What an evaluation looks at: ``rolling`` N days, a calendar period, or ``to-date``."""

    kind: Literal["rolling", "week", "month", "quarter", "year", "to-date"]
    days: int = 0

    def __str__(self) -> str:
        return f"{self.days}d" if self.kind == "rolling" else self.kind

    @classmethod
    def parse(cls, text: object) -> Window:
        """Parse ``7d``, ``28d``, ``week``, ``month``, ``quarter``, ``year`` or ``to-date``."""
        if isinstance(text, Window):
            return text
        if not isinstance(text, str):
            raise ValueError(f"expected a window such as '28d', 'month' or 'to-date', got {text!r}")
        value = text.strip().lower()
        if value in ("week", "month", "quarter", "year", "to-date"):
            return cls(value)  # type: ignore[arg-type]
        match = re.fullmatch(r"(\d+)\s*(d|days?)", value)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                "expected a window: a number of days such as '7d' or '28d', 'week', "
                f"'month', 'quarter', 'year' or 'to-date'; got {text!r}"
            )
        return cls("rolling", int(match.group(1)))


def _string_schema(description: str, examples: list[Any]) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": ["string", "number"], "description": description, "examples": examples}
    )


WindowField = Annotated[
    Window,
    BeforeValidator(Window.parse),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d+d|week|month|quarter|year|to-date)$",
            "examples": ["28d", "month", "to-date"],
        }
    ),
]
TargetField = Annotated[
    Target,
    _string_schema(
        "'>= 90%', '<= 6 min', or a bare value (the metric's better direction)",
        [">= 90%", "<= 6 min", 45],
    ),
]
StandardField = Annotated[
    Standard,
    _string_schema(
        "'<share> within|under <duration>' or '<share> at least|at most <n>'",
        ["90% within 2 minutes", "80% under 20s", "95% at least 4"],
    ),
]
QuantityField = Annotated[
    float, _string_schema("a value in the metric's unit", ["82%", 4.2, "5 min"])
]


_timezone = check_timezone


def _spec(info: ValidationInfo, metric: str | None) -> MetricSpec | None:
    catalog: dict[str, MetricSpec] = (info.context or {}).get("metrics", BUILTIN_METRICS)
    return catalog.get(metric or "")


def to_metric_unit(quantity: Quantity, spec: MetricSpec, *, what: str = "value") -> float:
    """Convert a parsed quantity to `spec`'s unit, refusing a unit that does not fit.

    Raises:
        ValueError: the quantity's kind does not fit the unit, or it lies outside the metric's range.
    """
    unit, value = spec.unit, quantity.value
    if unit is Unit.SECONDS and quantity.kind is QuantityKind.PERCENT:
        raise ValueError(
            f"{what} {format_quantity(quantity)} is a percentage, but {spec.name} is a "
            "duration; expected a duration such as '2 min'"
        )
    if unit is not Unit.SECONDS and quantity.kind is QuantityKind.DURATION:
        raise ValueError(
            f"{what} {format_quantity(quantity)} is a duration, but {spec.name} is "
            f"measured in {unit.value}"
        )
    if unit is not Unit.SHARE and quantity.kind is QuantityKind.PERCENT:
        raise ValueError(
            f"{what} {format_quantity(quantity)} is a percentage, but {spec.name} is "
            f"measured in {unit.value}; give a plain number"
        )
    low, high = spec.value_range
    if not low <= value <= high:
        raise ValueError(_out_of_range(quantity, spec, what))
    return value


def _out_of_range(quantity: Quantity, spec: MetricSpec, what: str) -> str:
    low, high = spec.value_range
    shown = "0%–100%" if spec.unit is Unit.SHARE else f"{low:g} to {high:g}"
    message = f"{what} {format_quantity(quantity)} is outside {spec.name}'s possible range {shown}"
    if spec.name == "csat" and quantity.kind is QuantityKind.NUMBER:
        message += " (did you mean csat_score, the mean answer on 1–5?)"
    return message


def resolve_target(raw: object, spec: MetricSpec) -> Target:
    """Parse a target as written and express it in the metric's unit and direction."""
    comparand: Comparand = parse_comparand(raw)  # type: ignore[arg-type]
    value = to_metric_unit(comparand.quantity, spec, what="target")
    comparison = comparand.comparison or (">=" if spec.better == "higher" else "<=")
    return Target(comparison, value)


class AtRiskPolicy(BaseModel):
    """How early a goal is called at risk."""

    model_config = _FROZEN
    tolerance: float = Field(
        0.15,
        ge=0,
        le=1,
        description=(
            "achieve goals: at risk when expected progress exceeds progress by more than this "
            "(and the forecast misses the target)"
        ),
    )


def one_or_many(values: str | Iterable[str]) -> frozenset[str]:
    """A filter's values: one string, or several."""
    return frozenset([values] if isinstance(values, str) else values)


FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(9998, 12, 31)


def check_date(value: date) -> date:
    """`value` when smartgoals can compute with it (windows before it, the end of its day)."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value} is outside the dates supported, {FIRST_DATE} to {LAST_DATE}")
    return value


GoalDate = Annotated[date, AfterValidator(check_date)]


class Milestone(BaseModel):
    """An intermediate target on the way to the deadline."""

    model_config = _FROZEN
    by: GoalDate
    target: Annotated[Any, _string_schema("a value in the metric's unit", ["85%", 4.2])]


class Goal(BaseModel):
    """One SMART goal, as written in a goal file (after `defaults:` are applied)."""

    model_config = _FROZEN

    id: str = Field(pattern=SLUG, description="unique slug, the goal's name everywhere")
    title: str | None = Field(None, description="what is wanted, in words")
    description: str | None = None
    owner: str = Field(min_length=1, description="who is accountable")
    team: str | None = None
    metric: str = Field(description="a built-in metric or one declared under `metrics:`")
    where: dict[str, str | list[str]] = Field(default_factory=dict, description="label filter")
    threshold: StandardField | None = None
    target: TargetField | None = None
    baseline: QuantityField | None = None
    start: GoalDate | None = None
    deadline: GoalDate
    kind: GoalKind = GoalKind.ACHIEVE
    window: WindowField = Window("rolling", 28)
    milestones: tuple[Milestone, ...] = ()
    review: str | None = Field(None, description="RFC 5545 RRULE for check-in dates")
    calendar: str | None = None
    objective: str | None = Field(None, description="the business objective it serves")
    parent: str | None = None
    weight: float = Field(1.0, gt=0)
    at_risk: AtRiskPolicy = AtRiskPolicy()
    tags: tuple[str, ...] = ()
    timezone: str = "UTC"
    statistic: str = Field("mean", pattern=r"^(mean|median|p\d{1,2}(\.\d+)?)$")
    min_events: int | None = Field(
        None,
        ge=0,
        description=(
            "fewer events in the judged window give no_data; default 30 (1 reading for backlog-like "
            "metrics)"
        ),
    )
    for_each: str | None = None

    _span: SourceSpan | None = PrivateAttr(default=None)
    _field_spans: dict[str, SourceSpan] = PrivateAttr(default_factory=dict)
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    _segment: dict[str, str] | None = PrivateAttr(default=None)

    @property
    def span(self) -> SourceSpan | None:
        """Where the goal is written (its first line), when it was loaded from a file."""
        return self._span

    def field_span(self, name: str) -> SourceSpan | None:
        """Where field `name` is written, falling back to the goal itself."""
        return self._field_spans.get(name, self._span)

    @property
    def segment(self) -> dict[str, str] | None:
        """For a goal expanded from `for_each`, its label and value (``{"agent": "alice"}``)."""
        return self._segment

    def written(self, name: str) -> Any:
        """Field `name` exactly as the YAML gave it (None when absent), for lint rules."""
        return self._raw.get(name)

    @property
    def goal_target(self) -> Target:
        """What the goal's value must meet: the stated share for thresholds, else the target."""
        if self.threshold is not None:
            return self.threshold.target
        assert self.target is not None
        return self.target

    @property
    def comparison(self) -> Comparison:
        """The direction the goal's value must go: ``>=`` for thresholds and higher-is-better."""
        return self.goal_target.comparison

    @property
    def target_value(self) -> float:
        """The goal's target value: the stated share for thresholds, else the target value."""
        return self.goal_target.value

    def measure(self, spec: MetricSpec) -> Measure:
        """The goal's measure on its metric `spec` (see `MetricSpec.measure`)."""
        return spec.measure(target=self.target, standard=self.threshold, statistic=self.statistic)

    @field_validator("where", mode="before")
    @classmethod
    def _where_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: [str(x) for x in v] if isinstance(v, list) else _label(v)
                for k, v in value.items()
            }
        return value

    @field_validator("where")
    @classmethod
    def _where_not_empty(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for label, wanted in value.items():
            if "" in ([wanted] if isinstance(wanted, str) else wanted):
                raise ValueError(
                    f"an empty value of {label!r} matches no row (an empty label value is no "
                    "value); leave the label out to match every value"
                )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _timezone(value)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str, info: ValidationInfo) -> str:
        catalog: dict[str, MetricSpec] = (info.context or {}).get("metrics", BUILTIN_METRICS)
        if value not in catalog:
            hint = did_you_mean(value, catalog) or (
                "; expected a built-in metric (first_response_time, csat, nps, ... see "
                "docs/metrics.md) or one declared under 'metrics:'"
            )
            raise ValueError(f"unknown metric {value!r}{hint}")
        return value

    @field_validator("threshold", mode="before")
    @classmethod
    def _parse_threshold(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, Standard):
            return value
        try:
            standard = parse_standard(value)
        except UnitError as exc:
            raise ValueError(str(exc)) from exc
        spec = _spec(info, info.data.get("metric"))
        if spec is not None:
            _check_limit(standard, spec)
        return standard

    @field_validator("target", mode="before")
    @classmethod
    def _parse_target(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, Target):
            return value
        spec = _spec(info, info.data.get("metric"))
        if spec is None:
            return Target(">=", 0.0)  # NOTE: the unknown metric is reported on its own node
        try:
            return resolve_target(value, spec)
        except UnitError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("baseline", mode="before")
    @classmethod
    def _parse_baseline(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, float):
            return value
        return _value_in_unit(value, info, "baseline")

    @field_validator("review")
    @classmethod
    def _valid_rrule(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                rrulestr(value, dtstart=datetime(2000, 1, 1))
            except (ValueError, TypeError) as exc:
                raise ValueError(
                    f"expected an RFC 5545 RRULE such as 'FREQ=WEEKLY;BYDAY=MO', got {value!r}"
                ) from exc
        return value

    @field_validator("deadline")
    @classmethod
    def _after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise ValueError(f"deadline {value} must be after start {start}")
        return value

    @field_validator("milestones")
    @classmethod
    def _milestones_in_span(cls, value: tuple[Milestone, ...], info: ValidationInfo) -> Any:
        _check_milestones(
            value,
            info.data.get("start"),
            info.data.get("deadline"),
            _spec(info, info.data.get("metric")),
        )
        return value

    @model_validator(mode="after")
    def _one_of_target_or_threshold(self) -> Goal:
        if (self.target is None) == (self.threshold is None):
            raise ValueError(
                "give exactly one of 'target' (a value to reach) or 'threshold' "
                "(a service standard such as '90% within 2 minutes')"
            )
        return self


def _label(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int | float | date) else value


def _value_in_unit(value: Any, info: ValidationInfo, what: str) -> float:
    spec = _spec(info, info.data.get("metric"))
    try:
        quantity = parse_quantity(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from exc
    if spec is None:
        return quantity.value
    return to_metric_unit(quantity, spec, what=what)


def _check_limit(standard: Standard, spec: MetricSpec) -> None:
    event_unit = spec.event_unit
    if not spec.aggregation.per_event:
        raise ValueError(
            f"{spec.name} is not measured per event; use 'target' instead of 'threshold'"
        )
    if event_unit is Unit.SECONDS and standard.limit.kind is not QuantityKind.DURATION:
        raise ValueError(
            f"{spec.name} is a duration: write the limit as a duration, such as "
            "'90% within 2 minutes'"
        )
    if event_unit is not Unit.SECONDS and standard.limit.kind is QuantityKind.DURATION:
        raise ValueError(
            f"{spec.name} is measured in {event_unit.value}, not time: write "
            "'<share> at least <number>' or '<share> at most <number>'"
        )


def _check_milestones(
    milestones: tuple[Milestone, ...],
    start: date | None,
    deadline: date | None,
    spec: MetricSpec | None,
) -> None:
    previous: date | None = None
    for milestone in milestones:
        if start is not None and milestone.by <= start:
            raise ValueError(f"milestone by {milestone.by} is not after start {start}")
        if deadline is not None and milestone.by > deadline:
            raise ValueError(f"milestone by {milestone.by} is after the deadline {deadline}")
        if previous is not None and milestone.by <= previous:
            raise ValueError(
                f"milestones must be in date order: {milestone.by} comes after {previous}"
            )
        previous = milestone.by
        if spec is None:
            continue
        try:
            to_metric_unit(parse_quantity(milestone.target), spec, what="milestone target")
        except UnitError as exc:
            raise ValueError(f"milestone by {milestone.by}: {exc}") from exc


def milestone_values(goal: Goal, catalog: dict[str, MetricSpec]) -> list[tuple[date, float]]:
    """The goal's milestones as ``(date, value in the metric's unit)``, in date order."""
    spec = catalog[goal.metric]
    return [(m.by, to_metric_unit(parse_quantity(m.target), spec)) for m in goal.milestones]


def did_you_mean(word: str, candidates: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _hours(value: Any) -> dict[int, tuple[tuple[time, time], ...]]:
    if not isinstance(value, dict):
        raise ValueError("expected weekly hours such as {mon-fri: '09:00-18:00'}")
    week: dict[int, tuple[tuple[time, time], ...]] = {}
    for days, spans in value.items():
        for day in _day_range(str(days)):
            week[day] = tuple(_time_span(s) for s in str(spans).split(","))
    return week


def _day_range(text: str) -> list[int]:
    parts = [p.strip().lower()[:3] for p in text.split("-")]
    if any(p not in _DAYS for p in parts) or len(parts) > 2:
        raise ValueError(f"expected days such as 'mon-fri' or 'sat', got {text!r}")
    first, last = _DAYS.index(parts[0]), _DAYS.index(parts[-1])
    return list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(last + 1)]


def _time_span(text: str) -> tuple[time, time]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if match is None:
        raise ValueError(f"expected hours such as '09:00-18:00', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59  # NOTE: '24:00' means the end of the day; minute precision suffices
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise ValueError(f"expected opening hours with start before end, got {text!r}")
    return time(h1, m1), time(h2, m2)


class HolidaySource(BaseModel):
    """Public holidays from the `holidays` package."""

    model_config = _FROZEN
    country: str = Field(description="ISO 3166-1 alpha-2 code, such as DE or US")
    subdiv: str | None = Field(None, description="state or province, such as BY")


class Calendar(BaseModel):
    """Business hours for durations measured between two timestamps."""

    model_config = _FROZEN
    timezone: str = "UTC"
    hours: Annotated[
        dict[int, tuple[tuple[time, time], ...]],
        BeforeValidator(_hours),
        WithJsonSchema(
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "examples": [{"mon-fri": "09:00-18:00"}],
            }
        ),
    ]
    holidays: HolidaySource | None = None
    closed: tuple[GoalDate, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _timezone(value)

    @field_validator("holidays")
    @classmethod
    def _known_country(cls, value: HolidaySource | None) -> HolidaySource | None:
        if value is not None:
            import holidays

            try:
                holidays.country_holidays(value.country, subdiv=value.subdiv)
            except NotImplementedError as exc:
                raise ValueError(
                    f"no holiday calendar for country {value.country!r}"
                    f"{'/' + value.subdiv if value.subdiv else ''}"
                ) from exc
        return value


class RatioDef(BaseModel):
    """A metric that divides the sums of two series over the window."""

    model_config = _FROZEN
    numerator: str
    denominator: str


class MetricDef(BaseModel):
    """A custom metric: a ratio of two series, or a built-in aggregation over a named series."""

    model_config = _FROZEN
    title: str | None = None
    description: str = ""
    unit: Unit = Unit.NUMBER
    better: Better
    ratio: RatioDef | None = None
    series: str | None = None
    aggregation: Literal["duration", "mean", "rate", "volume", "last"] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_definition(self) -> MetricDef:
        if (self.ratio is None) == (self.series is None):
            raise ValueError(
                "give either 'ratio: {numerator, denominator}' or 'series' with 'aggregation'"
            )
        if self.series is not None and self.aggregation is None:
            raise ValueError(
                "a series metric needs 'aggregation': duration, mean, rate, volume or last"
            )
        return self

    def spec(self, name: str) -> MetricSpec:
        """The catalog entry for this definition."""
        low = self.min if self.min is not None else (0.0 if self.unit is Unit.SHARE else -1e308)
        high = self.max if self.max is not None else (1.0 if self.unit is Unit.SHARE else 1e308)
        if self.ratio is not None:
            return MetricSpec(
                name,
                self.title or name,
                self.unit,
                self.better,
                Aggregation.RATIO,
                (low, high),
                series=(self.ratio.numerator, self.ratio.denominator),
                description=self.description,
                custom=True,
            )
        assert self.series is not None
        assert self.aggregation is not None
        unit = Unit.SECONDS if self.aggregation == "duration" else self.unit
        return MetricSpec(
            name,
            self.title or name,
            unit,
            self.better,
            Aggregation(self.aggregation),
            (low, high),
            series=(self.series,),
            description=self.description,
            custom=True,
        )


class GoalFile(BaseModel):
    """The sections of one goal file; `goals` after `defaults` are applied."""

    model_config = _FROZEN
    goals: tuple[Goal, ...] = ()
    defaults: dict[str, Any] = Field(default_factory=dict, description="any goal field but `id`")
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    metrics: dict[str, MetricDef] = Field(default_factory=dict)
    sources: dict[str, SourceDef] = Field(default_factory=dict, description="wide exports")


__all__ = [
    "SLUG",
    "AtRiskPolicy",
    "Calendar",
    "Goal",
    "GoalFile",
    "GoalKind",
    "GoalSet",
    "HolidaySource",
    "MetricDef",
    "Milestone",
    "RatioDef",
    "Target",
    "Window",
    "did_you_mean",
    "milestone_values",
    "resolve_target",
    "to_metric_unit",
]


@dataclass(frozen=True)
class GoalSet:
    """Validated goals from one or more files, with the calendars and metric catalog they use.

    Attributes:
        goals: every goal, in file order (files sorted by path).
        metrics: the metric catalog: built-in metrics plus those declared under `metrics:`.
        calendars: business-hours calendars declared under `calendars:`.
        files: the goal files read.
        sources: the wide exports declared under `sources:`.
        ignores: per file and line, the lint rules a ``# smartgoals: ignore`` comment names.
    """

    goals: tuple[Goal, ...]
    metrics: dict[str, MetricSpec]
    calendars: dict[str, Calendar]
    files: tuple[str, ...] = ()
    sources: dict[str, SourceDef] = field(default_factory=dict)
    ignores: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter(self.goals)

    def __len__(self) -> int:
        return len(self.goals)

    def measure(self, goal: Goal) -> Measure:
        """The measure of `goal` (its metric from this set's catalog)."""
        return goal.measure(self.metrics[goal.metric])

    def get(self, goal_id: str) -> Goal:
        """The goal with id `goal_id`; raise KeyError when there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    def select(
        self,
        *,
        ids: str | Iterable[str] = (),
        tags: str | Iterable[str] = (),
        owners: str | Iterable[str] = (),
    ) -> GoalSet:
        """The goals matching every given filter (any of its values), with their relatives.

        Each filter is a value or several. A selected goal keeps its children, so that a team
        goal still rolls up its members.
        """
        ids, tags, owners = one_or_many(ids), one_or_many(tags), one_or_many(owners)

        def wanted(goal: Goal) -> bool:
            # NOTE: a for_each template is kept when a child of it may be wanted: `--goal T/V`,
            # or `--owner` when each child is owned by its value; `Report.select` then narrows.
            template = goal.for_each is not None
            return (
                (
                    not ids
                    or goal.id in ids
                    or (template and any(i.startswith(goal.id + "/") for i in ids))
                )
                and (not tags or bool(set(tags) & set(goal.tags)))
                and (
                    not owners or goal.owner in owners or (template and goal.owner == goal.for_each)
                )
            )

        chosen = {g.id for g in self.goals if wanted(g)}
        grew = True
        while grew:
            children = {g.id for g in self.goals if g.parent in chosen} - chosen
            chosen |= children
            grew = bool(children)
        goals = tuple(g for g in self.goals if g.id in chosen)
        return dataclasses.replace(self, goals=goals)

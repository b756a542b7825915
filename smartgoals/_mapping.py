"""Source mappings: how a wide export (one row per ticket) maps to metric series, with ready presets.

An `Export` pairs data with its mapping: from Python (`Export(frame, preset=...)`) and from a goal
file's ``sources:`` alike.

A source names a file (or, from Python, a frame), its timestamp column, its label columns, and for each
metric either a numeric column (with a unit) or two timestamps whose difference is the duration
(wall clock, or business hours with a calendar). Binary satisfaction columns map good → satisfied
(5), bad → not satisfied (1), anything else → no answer.

Presets fill in the columns of common helpdesk exports; their metrics are used when the export has
the columns, while metrics written in the source are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smartgoals._errors import UsageError

_FROZEN = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
SATISFIED, NOT_SATISFIED = 5.0, 1.0


def check_timezone(value: str) -> str:
    """Return `value` when it is an IANA time zone; raise ValueError naming what is expected."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r}; expected an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc
    return value


class MetricColumn(BaseModel):
    """Where one metric's values come from in a wide export."""

    model_config = _FROZEN
    column: str | None = Field(None, description="a column holding the value")
    unit: Literal["seconds", "minutes", "hours", "days"] | None = Field(
        None, description="the unit of a duration column (converted to seconds)"
    )
    start: str | None = Field(None, alias="from", description="duration: the column it starts at")
    end: str | None = Field(None, alias="to", description="duration: the column it ends at")
    calendar: str | None = Field(None, description="business-hours calendar for from/to durations")
    good: tuple[str, ...] = Field((), description="binary satisfaction: values meaning satisfied")
    bad: tuple[str, ...] = Field(
        (), description="binary satisfaction: values meaning not satisfied"
    )

    @model_validator(mode="after")
    def _one_origin(self) -> MetricColumn:
        if (self.column is None) == (self.start is None or self.end is None):
            raise ValueError("give either 'column' or both 'from' and 'to'")
        if (
            self.start is not None
            and self.end is None
            or self.end is not None
            and self.start is None
        ):
            raise ValueError("a duration from two timestamps needs both 'from' and 'to'")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """The export columns this metric reads."""
        return tuple(c for c in (self.column, self.start, self.end) if c is not None)


class SourceDef(BaseModel):
    """A wide export and how it maps to metrics (the `sources:` section of smartgoals.yaml)."""

    model_config = _FROZEN
    file: str | None = Field(None, description="CSV, Parquet or JSON Lines file (glob allowed)")
    preset: Literal["zendesk", "freshdesk", "generic"] | None = None
    timestamp: str | None = Field(None, description="the column with each row's event time")
    timezone: str | None = Field(None, description="time zone of timestamps without an offset")
    labels: dict[str, str] = Field(default_factory=dict, description="label name: column")
    count: str | None = Field(None, description="a column with the number of events per row")
    id: str | None = Field(None, description="the ticket id column: repeated ids are duplicates")
    calendar: str | None = Field(None, description="default calendar for from/to durations")
    metrics: dict[str, MetricColumn] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    def resolved(self) -> ResolvedSource:
        """The mapping with the preset filled in (the source's own entries win)."""
        preset = PRESETS.get(self.preset or "", SourceDef())
        timestamp = self.timestamp or preset.timestamp
        if timestamp is None:
            raise ValueError(
                "a source needs 'timestamp' (the column with each row's time) or a preset"
            )
        if not self.metrics and not preset.metrics:
            raise ValueError(
                "a source needs 'metrics' (which column holds each metric) or a preset"
            )
        return ResolvedSource(
            timestamp=timestamp,
            timezone=self.timezone,
            labels={**preset.labels, **self.labels},
            count=self.count or preset.count,
            id=self.id or preset.id,
            optional_id=self.id is None,
            calendar=self.calendar,
            metrics={**preset.metrics, **self.metrics},
            optional=frozenset(set(preset.metrics) - set(self.metrics)),
            optional_labels=frozenset(set(preset.labels) - set(self.labels)),
        )


class ResolvedSource(BaseModel):
    """A source's mapping after its preset is applied."""

    model_config = ConfigDict(frozen=True)
    timestamp: str
    timezone: str | None
    labels: dict[str, str]
    count: str | None
    calendar: str | None
    metrics: dict[str, MetricColumn]
    id: str | None = None
    optional_id: bool = True
    optional: frozenset[str] = frozenset()
    optional_labels: frozenset[str] = frozenset()

    def calendar_of(self, metric: str) -> str | None:
        """The calendar a from/to duration metric is measured in (None: wall clock)."""
        column = self.metrics[metric]
        if column.start is None:
            return None
        return column.calendar or self.calendar

    def usable(self, columns: set[str], wanted: set[str]) -> ResolvedSource:
        """Keep the `wanted` metrics, dropping preset metrics and labels the export lacks."""
        metrics = {
            name: m
            for name, m in self.metrics.items()
            if name in wanted and (name not in self.optional or set(m.columns) <= columns)
        }
        labels = {
            name: c
            for name, c in self.labels.items()
            if name not in self.optional_labels or c in columns
        }
        ticket_id = self.id if self.id in columns or not self.optional_id else None
        return self.model_copy(update={"metrics": metrics, "labels": labels, "id": ticket_id})


def _minutes(column: str) -> MetricColumn:
    return MetricColumn(column=column, unit="minutes")


def _hours(column: str) -> MetricColumn:
    return MetricColumn(column=column, unit="hours")


PRESETS: dict[str, SourceDef] = {
    "zendesk": SourceDef(
        timestamp="Created at",
        id="Id",
        labels={
            "channel": "Via",
            "team": "Group",
            "agent": "Assignee",
            "priority": "Priority",
            "organization": "Organization",
        },
        metrics={
            "first_response_time": _minutes("First reply time in minutes"),
            "resolution_time": _minutes("Full resolution time in minutes"),
            "wait_time": _minutes("Requester wait time in minutes"),
            "csat": MetricColumn(
                column="Satisfaction Score", good=("Good", "good"), bad=("Bad", "bad")
            ),
        },
    ),
    "freshdesk": SourceDef(
        timestamp="Created time",
        id="Ticket ID",
        labels={
            "channel": "Source",
            "team": "Group",
            "agent": "Agent",
            "priority": "Priority",
            "company": "Company Name",
        },
        metrics={
            "first_response_time": _hours("First response time (in hrs)"),
            "resolution_time": _hours("Resolution time (in hrs)"),
        },
    ),
    "generic": SourceDef(
        timestamp="created_at",
        id="id",
        labels={"channel": "channel", "tier": "tier", "team": "team", "agent": "agent"},
        metrics={
            "first_response_time": MetricColumn(**{"from": "created_at", "to": "first_replied_at"}),
            "resolution_time": MetricColumn(**{"from": "created_at", "to": "solved_at"}),
            "csat": MetricColumn(column="csat"),
            "nps": MetricColumn(column="nps"),
        },
    ),
}


@dataclass(frozen=True, init=False)
class Export:
    """A wide export and its mapping: the data (a path or a frame) and its `SourceDef`.

    Example:
        ``smartgoals.Export(frame, preset="zendesk", timezone="Europe/Berlin")``

    Args:
        data: a CSV, Parquet or JSON Lines path, or a pandas, Polars, PyArrow or DuckDB frame.
        preset: ``zendesk``, ``freshdesk`` or ``generic``: the columns of that helpdesk's export.
        **mapping: any key of a ``sources:`` entry but ``file``: ``timestamp``, ``timezone``,
            ``labels``, ``count``, ``id``, ``calendar``, ``metrics``.

    Raises:
        UsageError: a mapping that is not a valid source definition.
    """

    data: Any
    source: SourceDef

    def __init__(self, data: Any, preset: str | None = None, **mapping: Any) -> None:
        if "file" in mapping:
            raise UsageError("Export: give the file as the first argument, not as 'file='")
        try:
            source = SourceDef.model_validate({"preset": preset, **mapping})
            source.resolved()
        except (ValueError, ValidationError) as exc:
            raise UsageError(f"Export mapping: {_first_error(exc)}") from exc
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "source", source)

    @classmethod
    def of(cls, data: Any, source: SourceDef) -> Export:
        """The export of `data` under a source definition (a ``sources:`` entry)."""
        export = cls.__new__(cls)
        object.__setattr__(export, "data", data)
        object.__setattr__(export, "source", source)
        return export

    @property
    def preset(self) -> str | None:
        """The preset the mapping starts from."""
        return self.source.preset


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"{where}: {error['msg']}" if where else str(error["msg"])
    return str(exc)


__all__ = [
    "NOT_SATISFIED",
    "PRESETS",
    "SATISFIED",
    "UNIT_SECONDS",
    "Export",
    "MetricColumn",
    "ResolvedSource",
    "SourceDef",
    "check_timezone",
]

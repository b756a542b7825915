"""Results: `GoalResult` per goal and the `Report` over them. The JSON contract lives here.

Results are values; failing is a decision: `Report.failing(policy)` says which goals fail a
``--fail-on`` policy, and the CLI maps that to an exit code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

from smartgoals._errors import UsageError
from smartgoals._status import DEFAULT_FAIL_ON, Status, count_statuses, parse_policy

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True)
class ErrorBudget:
    """The error budget of a threshold goal over its judged window (not clipped)."""

    allowed: float
    bad: int
    consumed: float | None
    remaining: float | None
    burn_rates: dict[str, float | None]


@dataclass(frozen=True)
class Compliance:
    """How often a `maintain` goal held: at the end of each complete week since its start."""

    weeks_met: int
    weeks: int


@dataclass(frozen=True)
class Point:
    """One period of a goal's history: its first day, its value and its events."""

    start: date
    value: float | None
    events: int


_EPOCH = date(1970, 1, 1)


class PeriodStarts:
    """The first days of a timeline's periods (epoch days), shared by many goals' histories.

    Their ISO dates are written once, when the first of those histories is shown.
    """

    __slots__ = ("_iso", "days")

    def __init__(self, days: NDArray[np.int64]) -> None:
        self.days = days
        self._iso: list[str] | None = None

    def iso(self) -> list[str]:
        """The ISO date of each day."""
        if self._iso is None:
            self._iso = [_iso_day(day) for day in self.days.tolist()]
        return self._iso


class History(Sequence[Point]):
    """A goal's values per period, kept as arrays and read as `Point`s (built when read).

    Args:
        days: the first local day of each period (epoch days).
        values: the value of each period (NaN for none).
        events: the events of each period.
        keep: which periods are part of the history (all when None).
    """

    __slots__ = ("_arrays", "_days", "_events", "_keep", "_values")

    def __init__(
        self,
        days: Sequence[int] | NDArray[np.int64] | PeriodStarts,
        values: Sequence[float] | NDArray[np.float64],
        events: Sequence[int] | NDArray[np.int64],
        keep: Sequence[bool] | NDArray[np.bool_] | None = None,
    ) -> None:
        self._days, self._values, self._events, self._keep = days, values, events, keep
        self._arrays: tuple[list[int], list[float], list[int]] | None = None

    def _lists(self) -> tuple[list[int], list[float], list[int]]:
        if self._arrays is None:
            import numpy as np

            shared = self._days.days if isinstance(self._days, PeriodStarts) else self._days
            days = np.asarray(shared, dtype=np.int64)
            values = np.asarray(self._values, dtype=np.float64)
            events = np.asarray(self._events, dtype=np.int64)
            if self._keep is not None:
                keep = np.asarray(self._keep, dtype=bool)
                days, values, events = days[keep], values[keep], events[keep]
            self._arrays = days.tolist(), values.tolist(), events.tolist()
        return self._arrays

    def __len__(self) -> int:
        return len(self._lists()[0])

    @overload
    def __getitem__(self, index: int) -> Point: ...

    @overload
    def __getitem__(self, index: slice) -> History: ...

    def __getitem__(self, index: int | slice) -> Point | History:
        days, values, events = self._lists()
        if isinstance(index, slice):
            return History(days[index], values[index], events[index])
        return _point(days[index], values[index], events[index])

    def __iter__(self) -> Iterator[Point]:
        days, values, events = self._lists()
        for day, value, count in zip(days, values, events, strict=True):
            yield _point(day, value, count)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"History({list(self)!r})"

    def dicts(self) -> list[dict[str, Any]]:
        """The points as JSON objects."""
        import numpy as np

        if self._arrays is not None or not isinstance(self._days, PeriodStarts):
            days, values, events = self._lists()
            starts: Iterable[str] = map(_iso_day, days)
        else:
            # NOTE: each ISO date written once per timeline; only the kept periods become lists
            starts = self._days.iso()
            values_array = np.asarray(self._values, dtype=np.float64)
            events_array = np.asarray(self._events, dtype=np.int64)
            if self._keep is not None:
                kept = np.flatnonzero(np.asarray(self._keep, dtype=bool))
                values_array, events_array = values_array[kept], events_array[kept]
                starts = [starts[i] for i in kept.tolist()]
            values, events = values_array.tolist(), events_array.tolist()
        return [
            {"start": s, "value": None if v != v else v, "events": e}
            for s, v, e in zip(starts, values, events, strict=True)
        ]


def _point(day: int, value: float, events: int) -> Point:
    return Point(_EPOCH + timedelta(days=day), None if value != value else value, events)


@lru_cache(maxsize=8192)
def _iso_day(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).isoformat()


EMPTY_HISTORY = History((), (), ())


@dataclass(frozen=True)
class GoalResult:
    """The evaluation of one goal at `as_of`. See `to_dict` for the JSON form."""

    id: str
    title: str | None
    owner: str
    team: str | None
    metric: str
    unit: str
    kind: str
    status: Status
    value: float | None
    target: float
    comparison: str
    met: bool | None
    events: int
    window_start: datetime
    window_end: datetime
    window: str
    baseline: float | None
    progress: float | None
    expected_progress: float | None
    forecast: float | None
    forecast_interval: tuple[float, float] | None
    p_success: float | None
    deadline: date
    start: date | None
    reasons: tuple[str, ...]
    file: str | None
    line: int | None
    parent: str | None = None
    tags: tuple[str, ...] = ()
    statistic: str | None = None
    threshold: dict[str, Any] | None = None
    good: int | None = None
    pending: int | None = None
    open_events: int | None = None
    error_budget: ErrorBudget | None = None
    trend: dict[str, float] | None = None
    weekly: Sequence[Point] = EMPTY_HISTORY
    daily: Sequence[Point] = EMPTY_HISTORY
    milestones: tuple[tuple[date, float], ...] = ()
    children: tuple[str, ...] = ()
    share_on_track: float | None = None
    min_events: int = 30
    compliance: Compliance | None = None
    segment: dict[str, str] | None = None

    @classmethod
    def _built(cls, **fields: Any) -> GoalResult:
        """A result from its fields by name, as the constructor makes it, five times faster.

        A frozen dataclass sets each of its 44 fields through ``object.__setattr__`` (6 µs a
        result, 60 ms for 10,000); this writes them at once. Fields left out take their defaults.
        """
        result = object.__new__(cls)
        vars(result).update(_RESULT_DEFAULTS, **fields)
        return result

    @property
    def value_unit(self) -> str:
        """The unit of `value` and `target`: ``share`` for service standards, else `unit`."""
        return "share" if self.threshold is not None else self.unit

    def to_dict(self) -> dict[str, Any]:
        """The goal's JSON object (design §6): numbers in the metric's unit, nulls when unknown."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "owner": self.owner,
            "team": self.team,
            "metric": self.metric,
            "unit": self.unit,
            "kind": self.kind,
            "status": self.status.value,
            "value": self.value,
            "target": self.target,
            "comparison": self.comparison,
            "met": self.met,
            "events": self.events,
            "window": {
                "kind": self.window,
                "start": self.window_start.isoformat(),
                "end": self.window_end.isoformat(),
            },
            "baseline": self.baseline,
            "progress": self.progress,
            "expected_progress": self.expected_progress,
            "forecast": self.forecast,
            "forecast_interval": list(self.forecast_interval) if self.forecast_interval else None,
            "p_success": self.p_success,
            "compliance": None
            if self.compliance is None
            else {"weeks_met": self.compliance.weeks_met, "weeks": self.compliance.weeks},
            "min_events": self.min_events,
            "start": _iso(self.start),
            "deadline": _iso(self.deadline),
            "reasons": list(self.reasons),
            "file": self.file,
            "line": self.line,
            "parent": self.parent,
            "tags": list(self.tags),
            "trend": self.trend,
            "milestones": [{"by": d.isoformat(), "target": v} for d, v in self.milestones],
            "history": {"weekly": _points(self.weekly), "daily": _points(self.daily)},
        }
        if self.statistic is not None:
            data["statistic"] = self.statistic
        if self.open_events is not None:
            data["open_events"] = self.open_events
        if self.threshold is not None:
            data["threshold"] = self.threshold
            data["good"] = self.good
            data["pending"] = self.pending
            data["error_budget"] = (
                None
                if self.error_budget is None
                else {
                    "allowed": self.error_budget.allowed,
                    "bad": self.error_budget.bad,
                    "consumed": self.error_budget.consumed,
                    "remaining": self.error_budget.remaining,
                    "burn_rates": self.error_budget.burn_rates,
                }
            )
        if self.children:
            data["children"] = list(self.children)
            data["share_on_track"] = self.share_on_track
        if self.segment is not None:
            data["segment"] = self.segment
        return data


_RESULT_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(GoalResult)
    if f.default is not dataclasses.MISSING
}


def _goal_from_dict(data: dict[str, Any]) -> GoalResult:
    """A `GoalResult` from its JSON object (the inverse of `GoalResult.to_dict`)."""
    window = data["window"]
    budget = data.get("error_budget")
    compliance = data.get("compliance")
    interval = data.get("forecast_interval")
    history = data.get("history", {})
    return GoalResult(
        id=data["id"],
        title=data["title"],
        owner=data["owner"],
        team=data["team"],
        metric=data["metric"],
        unit=data["unit"],
        kind=data["kind"],
        status=Status(data["status"]),
        value=data["value"],
        target=data["target"],
        comparison=data["comparison"],
        met=data["met"],
        events=data["events"],
        window_start=datetime.fromisoformat(window["start"]),
        window_end=datetime.fromisoformat(window["end"]),
        window=window["kind"],
        baseline=data["baseline"],
        progress=data["progress"],
        expected_progress=data["expected_progress"],
        forecast=data["forecast"],
        forecast_interval=None if interval is None else (interval[0], interval[1]),
        p_success=data["p_success"],
        deadline=date.fromisoformat(data["deadline"]),
        start=None if data["start"] is None else date.fromisoformat(data["start"]),
        reasons=tuple(data["reasons"]),
        file=data["file"],
        line=data["line"],
        parent=data.get("parent"),
        tags=tuple(data.get("tags", ())),
        statistic=data.get("statistic"),
        threshold=data.get("threshold"),
        good=data.get("good"),
        pending=data.get("pending"),
        open_events=data.get("open_events"),
        error_budget=None if budget is None else ErrorBudget(**budget),
        trend=data.get("trend"),
        weekly=_points_from(history.get("weekly", [])),
        daily=_points_from(history.get("daily", [])),
        milestones=tuple(
            (date.fromisoformat(m["by"]), m["target"]) for m in data.get("milestones", [])
        ),
        children=tuple(data.get("children", ())),
        share_on_track=data.get("share_on_track"),
        min_events=data.get("min_events", 30),
        compliance=None if compliance is None else Compliance(**compliance),
        segment=data.get("segment"),
    )


def _changes_from(data: dict[str, Any] | None) -> dict[str, Any]:
    if data is None:
        return {}
    since = data["since"]
    return {
        "compared_with": date.fromisoformat(since)
        if len(since) == 10
        else datetime.fromisoformat(since),
        "changes": tuple(
            Change(
                c["goal"],
                c["kind"],
                None if c["before"] is None else Status(c["before"]),
                None if c["after"] is None else Status(c["after"]),
                c["value_before"],
                c["value_after"],
                c["unit"],
            )
            for c in data["goals"]
        ),
    }


def _points_from(items: list[dict[str, Any]]) -> tuple[Point, ...]:
    return tuple(Point(date.fromisoformat(p["start"]), p["value"], p["events"]) for p in items)


@lru_cache(maxsize=4096)  # NOTE: the children of a for_each goal share its dates
def _iso(day: date | None) -> str | None:
    # NOTE: dates only: aware datetimes at one instant in two zones are equal keys
    return None if day is None else day.isoformat()


def _points(points: Sequence[Point]) -> list[dict[str, Any]]:
    if isinstance(points, History):
        return points.dicts()
    return [{"start": p.start.isoformat(), "value": p.value, "events": p.events} for p in points]


@dataclass(frozen=True)
class SourceQuality:
    """What happened to the rows of one data source: rows read = used + rejected + skipped.

    Attributes:
        source: the source's name (a file path, or ``<data 1: pandas DataFrame>``).
        rejected: rows that cannot be used, per reason (an unreadable timestamp, NaN, ...).
        naive_timestamps: rows whose timestamp had no UTC offset (read in the data time zone).
        read: every row read.
        skipped: usable rows that no goal reads, per reason (before every goal's period, ...).
    """

    source: str
    rejected: dict[str, int]
    naive_timestamps: int = 0
    read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        """All rejected rows of the source."""
        return sum(self.rejected.values())

    @property
    def skipped_total(self) -> int:
        """All skipped rows of the source."""
        return sum(self.skipped.values())

    @property
    def used(self) -> int:
        """Rows some goal reads."""
        return self.read - self.rejected_total - self.skipped_total

    def to_dict(self) -> dict[str, Any]:
        """The source's object in the JSON report."""
        return {
            "source": self.source,
            "rows_read": self.read,
            "rows_used": self.used,
            "rows_rejected": self.rejected_total,
            "rejected": dict(sorted(self.rejected.items())),
            "rows_skipped": self.skipped_total,
            "skipped": dict(sorted(self.skipped.items())),
            "naive_timestamps": self.naive_timestamps,
        }


@dataclass(frozen=True)
class Unmatched:
    """A `where` value (or a `for_each` label) no row of the data has.

    Attributes:
        goal: the goal that names it.
        label: the label.
        value: the value no row has (None: the label has no value at all, for `for_each`).
        seen: the values the data has, most rows first.
        suggestion: a value seen that is close (``Web`` for ``web``), if any.
    """

    goal: str
    label: str
    value: str | None
    seen: tuple[str, ...]
    suggestion: str | None = None

    @property
    def sentence(self) -> str:
        """The finding in words, for the goal's reasons."""
        shown = ", ".join(self.seen[:8]) + (", ..." if len(self.seen) > 8 else "")
        seen = f" (the data has {shown})" if self.seen else " (the data has no value for it)"
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else ""
        if self.value is None:
            return f"no row has a value of label {self.label!r}{seen}"
        return f"no row has {self.label} {self.value!r}{seen}{hint}"

    def to_dict(self) -> dict[str, Any]:
        """The finding's object in the JSON report."""
        return {
            "goal": self.goal,
            "label": self.label,
            "value": self.value,
            "seen": list(self.seen),
            "did_you_mean": self.suggestion,
        }


FAILING = frozenset({Status.BREACHED, Status.MISSED})
TROUBLE = FAILING | {Status.AT_RISK, Status.NO_DATA}
CHANGE_KINDS = (
    "failing",
    "at_risk",
    "no_data",
    "recovered",
    "achieved",
    "moved",
    "added",
    "retired",
)


@dataclass(frozen=True)
class Change:
    """What changed for one goal since a previous report.

    Attributes:
        goal: the goal's id.
        kind: ``failing`` (newly breached or missed), ``at_risk``, ``no_data``, ``recovered``
            (out of trouble), ``achieved``, ``moved`` (same status, a value move worth a look),
            ``added`` or ``retired`` (in one report only).
        before: the status in the previous report (None: not there).
        after: the status now (None: gone).
        value_before: the value in the previous report.
        value_after: the value now.
        unit: the unit of the values (a share for thresholds).
    """

    goal: str
    kind: str
    before: Status | None
    after: Status | None
    value_before: float | None
    value_after: float | None
    unit: str

    def to_dict(self) -> dict[str, Any]:
        """The change's object in the JSON report."""
        return {
            "goal": self.goal,
            "kind": self.kind,
            "before": None if self.before is None else self.before.value,
            "after": None if self.after is None else self.after.value,
            "value_before": self.value_before,
            "value_after": self.value_after,
            "unit": self.unit,
        }


def _change_kind(before: GoalResult, after: GoalResult) -> str | None:
    if after.status in FAILING and before.status not in FAILING:
        return "failing"
    if after.status is not before.status and after.status in (Status.AT_RISK, Status.NO_DATA):
        return after.status.value
    if before.status in TROUBLE and after.status in (Status.ON_TRACK, Status.ACHIEVED):
        return "achieved" if after.status is Status.ACHIEVED else "recovered"
    if after.status is Status.ACHIEVED and before.status is not Status.ACHIEVED:
        return "achieved"
    return "moved" if _moved(before, after) else None


def _moved(before: GoalResult, after: GoalResult) -> bool:
    """A value move worth a look: across the target, or by 1 point of a share or 5% of the target."""
    if before.value is None or after.value is None:
        return False
    if before.met is not after.met:
        return True
    step = 0.01 if after.value_unit == "share" else 0.05 * abs(after.target or after.value or 1.0)
    return abs(after.value - before.value) >= step


def changes_between(previous: Report, current: Report) -> tuple[Change, ...]:
    """The changes from `previous` to `current`, most urgent first (see `Change.kind`)."""
    old = {g.id: g for g in previous.goals}
    new = {g.id: g for g in current.goals}
    found = []
    for goal in current.goals:
        before = old.get(goal.id)
        kind = "added" if before is None else _change_kind(before, goal)
        if kind is not None:
            found.append(
                Change(
                    goal.id,
                    kind,
                    None if before is None else before.status,
                    goal.status,
                    None if before is None else before.value,
                    goal.value,
                    goal.value_unit,
                )
            )
    found += [
        Change(g.id, "retired", g.status, None, g.value, None, g.value_unit)
        for g in previous.goals
        if g.id not in new
    ]
    return tuple(sorted(found, key=lambda c: (CHANGE_KINDS.index(c.kind), c.goal)))


@dataclass(frozen=True)
class Report:
    """The results of one evaluation: every selected goal, and the quality of the data read."""

    as_of: date | datetime
    goals: tuple[GoalResult, ...]
    data_quality: tuple[SourceQuality, ...] = ()
    data_timezone: str | None = None
    notices: tuple[str, ...] = field(default=())
    unmatched: tuple[Unmatched, ...] = ()
    compared_with: date | datetime | None = None
    changes: tuple[Change, ...] = ()

    def compared(self, previous: Report) -> Report:
        """This report with what changed since `previous` (a report kept from an earlier run)."""
        return dataclasses.replace(
            self, compared_with=previous.as_of, changes=changes_between(previous, self)
        )

    @property
    def as_of_date(self) -> date:
        """The local date the report is as of (a date `as_of` means the end of that day)."""
        return self.as_of.date() if isinstance(self.as_of, datetime) else self.as_of

    @property
    def summary(self) -> dict[str, int]:
        """The number of goals per status (every status listed, zeros included)."""
        return count_statuses(g.status for g in self.goals)

    def failing(self, policy: str | Iterable[Status] = DEFAULT_FAIL_ON) -> list[GoalResult]:
        """The goals whose status is in `policy` (not_started never fails).

        `policy` is statuses, or their names as ``--fail-on`` takes them (``"breached,at_risk"``).
        """
        if isinstance(policy, str):
            try:
                policy = parse_policy(policy)
            except ValueError as exc:
                raise UsageError(f"policy: {exc}") from exc
        wanted = set(policy) - {Status.NOT_STARTED}
        return [goal for goal in self.goals if goal.status in wanted]

    def select(
        self,
        *,
        ids: str | Iterable[str] = (),
        tags: str | Iterable[str] = (),
        owners: str | Iterable[str] = (),
    ) -> Report:
        """The report of the goals matching every given filter (a value or several).

        A selected goal keeps its descendants; for_each children are selected like any goal
        (``--goal T/V``, ``--owner``).
        """
        from smartgoals._model import one_or_many  # NOTE: reports are read without pydantic

        ids, tags, owners = one_or_many(ids), one_or_many(tags), one_or_many(owners)
        chosen = {
            g.id
            for g in self.goals
            if (not ids or g.id in ids)
            and (not tags or bool(tags & set(g.tags)))
            and (not owners or g.owner in owners)
        }
        grew = True
        while grew:
            children = {g.id for g in self.goals if g.parent in chosen} - chosen
            chosen |= children
            grew = bool(children)
        return dataclasses.replace(self, goals=tuple(g for g in self.goals if g.id in chosen))

    def get(self, goal_id: str) -> GoalResult:
        """The result of goal `goal_id`; raise KeyError when there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report from its JSON object, as `to_dict` wrote it (for re-rendering a saved report).

        Raises:
            UsageError: an object that is not a smartgoals JSON report.
        """
        try:
            quality = data["data_quality"]
            text = data["as_of"]
            return cls(
                as_of=date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text),
                goals=tuple(_goal_from_dict(g) for g in data["goals"]),
                data_quality=tuple(
                    SourceQuality(
                        s["source"],
                        dict(s["rejected"]),
                        s["naive_timestamps"],
                        s["rows_read"],
                        dict(s["skipped"]),
                    )
                    for s in quality["sources"]
                ),
                data_timezone=quality.get("data_timezone"),
                unmatched=tuple(
                    Unmatched(
                        u["goal"], u["label"], u["value"], tuple(u["seen"]), u["did_you_mean"]
                    )
                    for u in quality.get("unmatched", [])
                ),
                **_changes_from(data.get("changes")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(
                f"not a smartgoals JSON report ({type(exc).__name__}: {exc}); write one with "
                "'smartgoals check --format json'"
            ) from exc

    def to_dict(self) -> dict[str, Any]:
        """The report as the JSON object of design §6 (a public contract).

        A report compared with an earlier one also has ``changes``: ``since`` (the earlier as_of)
        and ``goals``, one object per `Change`.
        """
        data = {
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "data_quality": {
                "rows_read": sum(s.read for s in self.data_quality),
                "rows_used": sum(s.used for s in self.data_quality),
                "rows_rejected": sum(s.rejected_total for s in self.data_quality),
                "rows_skipped": sum(s.skipped_total for s in self.data_quality),
                "data_timezone": self.data_timezone,
                "sources": [s.to_dict() for s in self.data_quality],
                "unmatched": [u.to_dict() for u in self.unmatched],
            },
            "goals": [goal.to_dict() for goal in self.goals],
        }
        if self.compared_with is not None:
            data["changes"] = {
                "since": self.compared_with.isoformat(),
                "goals": [c.to_dict() for c in self.changes],
            }
        return data


__all__ = [
    "Change",
    "EMPTY_HISTORY",
    "Compliance",
    "ErrorBudget",
    "GoalResult",
    "History",
    "PeriodStarts",
    "Point",
    "Report",
    "SourceQuality",
    "Unmatched",
]

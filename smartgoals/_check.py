"""The one-call API: goals and data in, a `Report` out.

`evaluate` loads goal files when given paths, plans one aggregation pass that serves every goal, runs
it per source (a file through the embedded DuckDB engine, or a caller's frame in its own engine),
merges the period tables and evaluates them.
"""

from __future__ import annotations

import glob
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smartgoals._aggregate import Plan, aggregate, build_plan
from smartgoals._calendar import US_PER_DAY, BusinessClock, Offsets, business_clock, offsets_between
from smartgoals._config import SourceDef
from smartgoals._errors import DataError, UsageError
from smartgoals._evaluate import AsOf, evaluate_table
from smartgoals._exports import Export, read_export_file, to_long, wide_frame
from smartgoals._loading import load
from smartgoals._metrics import Aggregation
from smartgoals._model import GoalSet
from smartgoals._period import PeriodTable
from smartgoals._results import Report, SourceQuality
from smartgoals._sources import first_row_with, normalize_frame, read_file, read_rows


def parse_as_of(value: AsOf | str) -> AsOf:
    """Read ``--as-of``: a date (``2026-11-22``) or an ISO 8601 timestamp."""
    if isinstance(value, date):
        return value
    try:
        if len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
        return datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise UsageError(
            f"as_of: expected a date such as 2026-11-22 or an ISO 8601 timestamp, got {value!r}"
        ) from exc


def evaluate(
    goals: GoalSet | str | PathLike[str] | Sequence[str | PathLike[str]],
    data: Any = None,
    *,
    as_of: AsOf | str,
    data_timezone: str | None = None,
) -> Report:
    """Evaluate goals against metric data.

    Args:
        goals: a loaded `GoalSet`, or goal file/folder paths to load.
        data: a file path (CSV, Parquet, JSON Lines), a pandas, Polars, PyArrow or DuckDB frame,
            plain rows (a list of dicts), an `Export` (a wide helpdesk export and its mapping),
            or a list of these; None reads the files of the goal files' `sources:`. Long data
            has ``timestamp``, ``metric``, ``value``, optional ``count`` and label columns.
        as_of: the date (end of that day in each goal's time zone) or timestamp to judge at.
        data_timezone: the time zone of timestamps without an offset; by default the goals' time
            zone when they all share one.

    Returns:
        A `Report` with one `GoalResult` per goal and the rows rejected per source.

    Raises:
        GoalFileError: goal files that cannot be loaded.
        DataError: data that cannot be read (a missing column, an unreadable file, ...).
    """
    goal_set = goals if isinstance(goals, GoalSet) else load(goals)
    moment = parse_as_of(as_of)
    items = _inputs(data, goal_set)
    tz = data_timezone or _shared_timezone(goal_set)
    plan = build_plan(goal_set, moment, tz or "UTC")
    clocks = _clocks(goal_set, plan, items)
    volumes = frozenset(
        name for name, spec in goal_set.metrics.items() if spec.aggregation is Aggregation.VOLUME
    )
    table = PeriodTable(tuple(o.tz for o in plan.offsets))
    quality = []
    for index, item in enumerate(items):
        if isinstance(item, Export):
            name, part = _aggregate_export(item, index, plan, tz, clocks, volumes)
        else:
            name, part = _aggregate_one(item, index, plan, tz)
        table = table.merge(part)
        quality.append(
            SourceQuality(
                name,
                {r: c for (s, r), c in part.rejected.items() if s == name},
                part.naive_timestamps,
            )
        )
    results = evaluate_table(goal_set, table, moment, clocks)
    notices = tuple(
        f"{q.source}: read {q.naive_timestamps:,} timestamps without an offset as {tz}"
        for q in quality
        if q.naive_timestamps
    )
    return Report(moment, tuple(results), tuple(quality), tz, notices)


def _inputs(data: Any, goals: GoalSet) -> list[Any]:
    """The data sources of a run: as given, else the files of the configured `sources:`."""
    if data is None or (isinstance(data, list | tuple) and not data):
        items: list[Any] = []
        for definition in goals.sources.values():
            if definition.file is None:
                continue
            files = sorted(glob.glob(definition.file)) or [definition.file]
            mapping = definition.model_dump(exclude={"file"}, exclude_none=True, by_alias=True)
            items += [Export(file, **mapping) for file in files]
        if not items:
            raise UsageError(
                "no data given: pass metric files with --data FILE, or declare "
                "'sources:' with a 'file' in the configuration"
            )
        return items
    return list(data) if isinstance(data, list | tuple) and not _are_rows(data) else [data]


def _clocks(goals: GoalSet, plan: Plan, items: list[Any]) -> dict[str, BusinessClock]:
    """Business clocks by ``calendar:<name>`` (for goals) and by series (for exports)."""
    first, last = plan.first_us // US_PER_DAY - 2, plan.end_us // US_PER_DAY + 2
    clocks = {
        f"calendar:{name}": business_clock(calendar, first, last)
        for name, calendar in goals.calendars.items()
    }
    for item in items:
        if not isinstance(item, Export):
            continue
        try:
            source = SourceDef.model_validate({"preset": item.preset, **item.mapping}).resolved()
        except (ValueError, ValidationError):
            continue  # NOTE: reported when the export is read
        for metric in source.metrics:
            calendar = source.calendar_of(metric)
            if calendar is not None and metric not in clocks and f"calendar:{calendar}" in clocks:
                clocks[metric] = clocks[f"calendar:{calendar}"]
    return clocks


def _aggregate_export(
    export: Export,
    index: int,
    plan: Plan,
    tz: str | None,
    clocks: dict[str, BusinessClock],
    volumes: frozenset[str],
) -> tuple[str, PeriodTable]:
    try:
        source = SourceDef.model_validate({"preset": export.preset, **export.mapping}).resolved()
    except (ValueError, ValidationError) as exc:
        raise UsageError(f"export mapping: {exc}") from exc
    data_tz = source.timezone or tz or "UTC"
    missing = {c for m in source.metrics for c in [source.calendar_of(m)] if c} - {
        k.removeprefix("calendar:") for k in clocks
    }
    if missing:
        raise UsageError(
            f"export mapping names calendar {sorted(missing)[0]!r}, which no goal "
            "file declares under 'calendars:'"
        )
    local = {
        **clocks,
        **{
            m: clocks[f"calendar:{c}"]
            for m in source.metrics
            if (c := source.calendar_of(m)) is not None
        },
    }
    metrics = set(plan.series)
    if isinstance(export.data, str | PathLike):
        name = str(export.data)
        source, wide, con = read_export_file(Path(export.data), source, metrics, data_tz)
        with con:
            table = aggregate(to_long(wide, source, local, plan.end_us, volumes), plan, name)
    else:
        name = f"<export {index + 1}: {type(export.data).__name__}>"
        source, wide = wide_frame(export.data, name, source, metrics, _data_offsets(plan, data_tz))
        table = aggregate(to_long(wide, source, local, plan.end_us, volumes), plan, name)
    _check_naive(table, name, source.timezone or tz, lambda: None)
    return name, table


def _are_rows(data: Any) -> bool:
    return isinstance(data, list | tuple) and bool(data) and isinstance(data[0], dict)


def _shared_timezone(goals: GoalSet) -> str | None:
    zones = {goal.timezone for goal in goals}
    return zones.pop() if len(zones) == 1 else None


def _aggregate_one(item: Any, index: int, plan: Plan, tz: str | None) -> tuple[str, PeriodTable]:
    data_tz = tz or "UTC"
    if isinstance(item, str | PathLike):
        path = Path(item)
        relation, con = read_file(path, plan.labels, data_tz)
        with con:
            table = aggregate(relation, plan, str(path))
            _check_naive(table, str(path), tz, lambda: _first_mixed_row(relation, con))
        return str(path), table
    if _are_rows(item):
        name = f"<rows {index + 1}>"
        with tempfile.TemporaryDirectory(prefix="smartgoals-") as folder:
            relation, con = read_rows(list(item), name, plan.labels, data_tz, Path(folder))
            with con:
                table = aggregate(relation, plan, name)
                _check_naive(table, name, tz, lambda: _first_mixed_row(relation, con))
        return name, table
    name = f"<data {index + 1}: {type(item).__module__.split('.')[0]} {type(item).__name__}>"
    frame = normalize_frame(item, name, plan.labels, _data_offsets(plan, data_tz))
    table = aggregate(frame, plan, name)
    _check_naive(table, name, tz, lambda: None)
    return name, table


def _data_offsets(plan: Plan, tz: str) -> Offsets:
    return offsets_between(tz, plan.first_us // US_PER_DAY - 2, plan.end_us // US_PER_DAY + 2)


def _check_naive(table: PeriodTable, name: str, tz: str | None, first_mixed: Any) -> None:
    if table.naive_timestamps and tz is None:
        raise DataError(
            f"{name}: {table.naive_timestamps:,} timestamps have no UTC offset and the "
            "goals do not share one time zone; say which with --data-timezone "
            "(or data_timezone=...)"
        )
    if 0 < table.naive_timestamps < table.timed_rows:
        row = first_mixed()
        where = f", first at data row {row}" if row else ""
        raise DataError(
            f"{name}: column 'timestamp' mixes timestamps with and without a UTC "
            f"offset{where}; write every timestamp the same way"
        )


def _first_mixed_row(relation: Any, con: Any) -> int | None:
    first = con.sql(
        f"SELECT _naive FROM ({relation.sql_query()}) WHERE _us IS NOT NULL LIMIT 1"
    ).fetchall()
    if not first:
        return None
    return first_row_with(
        relation.sql_query(), con, f"_us IS NOT NULL AND _naive <> {int(first[0][0])}"
    )


__all__ = ["evaluate", "parse_as_of"]

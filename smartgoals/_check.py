"""The one-call API: goals and data in, a `Report` out.

`evaluate` loads goal files when given paths, plans one aggregation pass that serves every goal, runs
it per source (a file through the embedded DuckDB engine, or a caller's frame in its own engine),
merges the period tables and evaluates them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import Any

from smartgoals._aggregate import Plan, aggregate, build_plan
from smartgoals._calendar import US_PER_DAY, Offsets, offsets_between
from smartgoals._errors import DataError, UsageError
from smartgoals._evaluate import AsOf, evaluate_table
from smartgoals._loading import load
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
    data: Any,
    *,
    as_of: AsOf | str,
    data_timezone: str | None = None,
) -> Report:
    """Evaluate goals against metric data.

    Args:
        goals: a loaded `GoalSet`, or goal file/folder paths to load.
        data: a file path (CSV, Parquet, JSON Lines), a pandas, Polars, PyArrow or DuckDB frame,
            plain rows (a list of dicts), or a list of such sources. The data is a long table:
            ``timestamp``, ``metric``, ``value``, optional ``count`` and label columns.
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
    items = data if isinstance(data, list | tuple) and not _are_rows(data) else [data]
    tz = data_timezone or _shared_timezone(goal_set)
    plan = build_plan(goal_set, moment, tz or "UTC")
    table = PeriodTable(tuple(o.tz for o in plan.offsets))
    quality = []
    for index, item in enumerate(items):
        name, part = _aggregate_one(item, index, plan, tz)
        table = table.merge(part)
        quality.append(
            SourceQuality(
                name,
                {r: c for (s, r), c in part.rejected.items() if s == name},
                part.naive_timestamps,
            )
        )
    results = evaluate_table(goal_set, table, moment)
    when = moment if isinstance(moment, datetime) else datetime.combine(moment, datetime.min.time())
    notices = tuple(
        f"{q.source}: read {q.naive_timestamps:,} timestamps without an offset as {tz}"
        for q in quality
        if q.naive_timestamps
    )
    return Report(when, tuple(results), tuple(quality), tz, notices)


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

"""The one-call API: goals and data in, a `Report` out.

`evaluate` loads goal files when given paths, plans one aggregation pass that serves every goal,
reads each input into a normalized frame (`_readers`) and aggregates it in its own engine, merges
the period tables and evaluates them.
"""

from __future__ import annotations

import glob
import tempfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartgoals._calendar import AsOf, Clocks, parse_as_of
from smartgoals._errors import DataError, UsageError
from smartgoals._loading import load
from smartgoals._mapping import Export
from smartgoals._model import GoalSet
from smartgoals._results import Report, SourceQuality

if TYPE_CHECKING:
    from smartgoals._period import Accounts, PeriodTable
    from smartgoals._plan import Plan
    from smartgoals._readers import Normalized

# NOTE: the engines (narwhals, DuckDB) and the evaluation core are imported when first used, so
# that `import smartgoals` and `smartgoals --help` stay quick.


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
            or a list of these. None reads the files of the goal files' ``sources:`` (each one an
            `Export`). Long data has ``timestamp``, ``metric``, ``value``, optional ``count`` and
            label columns.
        as_of: the date (end of that day in each goal's time zone) or timestamp to judge at.
        data_timezone: the time zone of timestamps without an offset; by default the goals' time
            zone when they all share one.

    Returns:
        A `Report` with one `GoalResult` per goal and what happened to the rows of each source.

    Raises:
        GoalFileError: goal files that cannot be loaded.
        DataError: data that cannot be read (a missing column, an unreadable file, ...).
        UsageError: an argument that cannot be used (an unknown time zone, a bad as_of, ...).
    """
    from smartgoals._evaluate import evaluate_table, unmatched_filters

    goal_set = goals if isinstance(goals, GoalSet) else load(goals)
    moment = parse_as_of(as_of)
    items = inputs(data, goal_set)
    tz = data_timezone or shared_timezone(goal_set)
    table = aggregate_inputs(goal_set, items, moment, tz)
    results = evaluate_table(goal_set, table, moment)
    quality = tuple(
        SourceQuality(name, dict(a.rejected), a.naive_timestamps, a.read, dict(a.skipped))
        for name, a in table.accounts.items()
    )
    notices = tuple(
        f"{q.source}: read {q.naive_timestamps:,} timestamps without an offset as {tz}"
        for q in quality
        if q.naive_timestamps
    )
    unmatched = tuple(unmatched_filters(goal_set, table))
    return Report(moment, tuple(results), quality, tz, notices, unmatched)


def inputs(data: Any, goals: GoalSet) -> list[Any]:
    """The data sources of a run: as given, else the files of the configured `sources:`."""
    if data is None or (isinstance(data, list | tuple) and not data):
        items: list[Any] = []
        for definition in goals.sources.values():
            if definition.file is None:
                continue
            files = sorted(glob.glob(definition.file)) or [definition.file]
            items += [Export.of(file, definition) for file in files]
        if not items:
            raise UsageError(
                "no data given: pass metric files with --data FILE, or declare "
                "'sources:' with a 'file' in the configuration"
            )
        return items
    rows = isinstance(data, list | tuple) and bool(data) and isinstance(data[0], dict)
    return list(data) if isinstance(data, list | tuple) and not rows else [data]


def shared_timezone(goals: GoalSet) -> str | None:
    """The time zone every goal shares, if they do."""
    zones = {goal.timezone for goal in goals}
    return zones.pop() if len(zones) == 1 else None


def aggregate_inputs(
    goals: GoalSet, items: Sequence[Any], as_of: AsOf, data_timezone: str | None
) -> PeriodTable:
    """Read and aggregate every input for `goals` at `as_of` into one period table."""
    from smartgoals._aggregate import aggregate
    from smartgoals._period import PeriodTable
    from smartgoals._plan import build_plan
    from smartgoals._readers import ReadContext, read

    plan = build_plan(goals, as_of, data_timezone or "UTC")
    clocks = _clocks(goals, plan)
    table = PeriodTable(plan)
    with tempfile.TemporaryDirectory(prefix="smartgoals-") as folder:
        context = ReadContext(
            plan.labels,
            plan.series,
            data_timezone,
            plan.offsets[data_timezone or "UTC"],
            plan.known_us,
            plan.volumes,
            clocks,
            Path(folder),
        )
        for index, item in enumerate(items):
            source = read(item, index, context)
            try:
                part = aggregate(source, plan, clocks)
                _check_naive(part.accounts[source.name], source, source.timezone or data_timezone)
            finally:
                source.close()
            table = table.merge(part)
    return table


def _clocks(goals: GoalSet, plan: Plan) -> Clocks:
    zones = plan.offsets.values()
    first = min(o.bounds[0] if o.bounds else 0 for o in zones) // 86_400_000_000
    days = [
        d for view in plan.views for n in view.series.values() for d in (n.first_day, n.end_day)
    ]
    first, last = (min(days), max(days)) if days else (first, first + 1)
    return Clocks.of(goals.calendars, first - 2, last + 2)


def _check_naive(accounts: Accounts, source: Normalized, tz: str | None) -> None:
    if accounts.naive_timestamps and tz is None:
        raise DataError(
            f"{source.name}: {accounts.naive_timestamps:,} timestamps have no UTC offset and the "
            "goals do not share one time zone; say which with --data-timezone "
            "(or data_timezone=...)"
        )
    if 0 < accounts.naive_timestamps < accounts.timed_rows:
        row = source.first_mixed_row()
        where = f", first at data row {row}" if row else ""
        raise DataError(
            f"{source.name}: column 'timestamp' mixes timestamps with and without a UTC "
            f"offset{where}; write every timestamp the same way"
        )


__all__ = ["aggregate_inputs", "evaluate", "inputs", "shared_timezone"]

"""The one-call API: goals and data in, a `Report` out.

`evaluate` loads goal files when given paths, plans one aggregation pass that serves every goal,
reads each input into a normalized frame (`_readers`) and aggregates it in its own engine, merges
the period tables and evaluates them.
"""

from __future__ import annotations

import glob
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartgoals._calendar import AsOf, Clocks, parse_as_of
from smartgoals._errors import DataError, SmartGoalsError, UsageError
from smartgoals._lint import Finding
from smartgoals._loading import load
from smartgoals._mapping import Export
from smartgoals._model import GoalSet
from smartgoals._results import Report, SourceQuality

if TYPE_CHECKING:
    from smartgoals._period import Accounts, PeriodTable
    from smartgoals._plan import Plan
    from smartgoals._readers import Normalized, ReadContext

# NOTE: the engines (narwhals, DuckDB) and the evaluation core are imported when first used, so
# that `import smartgoals` and `smartgoals --help` stay quick.

# The packages whose errors, raised while a source is read, are about the data (a ragged CSV row,
# a corrupt Parquet file, a value an engine cannot cast) rather than a fault of smartgoals.
ENGINE_MODULES = frozenset({"duckdb", "_duckdb", "polars", "pyarrow", "narwhals", "pandas"})


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

    goal_set = goals if isinstance(goals, GoalSet) else load(_goal_paths(goals))
    moment = parse_as_of(as_of)
    if data_timezone is not None:
        _check_data_timezone(data_timezone)
    if not goal_set.goals:
        return Report(moment, (), notices=("no goals to evaluate; no data read",))
    items, notes = _unique(inputs(data, goal_set))
    tz = data_timezone or shared_timezone(goal_set)
    table = aggregate_inputs(goal_set, items, moment, tz, notes)
    unmatched = tuple(unmatched_filters(goal_set, table))
    results = evaluate_table(goal_set, table, moment, unmatched)
    quality = tuple(
        SourceQuality(name, dict(a.rejected), a.naive_timestamps, a.read, dict(a.skipped))
        for name, a in table.accounts.items()
    )
    notices = tuple(notes) + tuple(
        f"{q.source}: read {q.naive_timestamps:,} timestamps without an offset as {tz}"
        for q in quality
        if q.naive_timestamps
    )
    return Report(moment, tuple(results), quality, tz, notices, unmatched)


def lint(
    goals: GoalSet | str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    as_of: date | datetime | str,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Finding]:
    """Run the SMART lint rules on every goal; findings sorted by position.

    A ``# smartgoals: ignore S103`` comment on a goal's lines (or the line above it) leaves out
    the findings of the rules it names (of every rule when it names none).

    Args:
        goals: a loaded `GoalSet`, or goal file/folder paths to load.
        as_of: the date of the run (for "deadline in the past"); a timestamp counts as its date.
        select: only these rules: codes (``S103``), code prefixes (``S``, ``T5``) or names
            (``specific``, ``time_bound.deadline_passed``); all when empty.
        ignore: not these rules (the same forms).

    Raises:
        GoalFileError: goal files that cannot be loaded.
        UsageError: an argument of the wrong kind, or a rule selector that names no rule.
    """
    from smartgoals._lint import lint as run_rules

    goal_set = goals if isinstance(goals, GoalSet) else load(_goal_paths(goals))
    moment = parse_as_of(as_of)
    day = moment.date() if isinstance(moment, datetime) else moment
    try:
        return run_rules(goal_set, as_of=day, select=select, ignore=ignore)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


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


def _goal_paths(goals: Any) -> Any:
    """Goal paths as given, or a `UsageError` naming what was passed instead."""
    paths = goals if isinstance(goals, list | tuple) else [goals]
    if not paths or not all(isinstance(p, str | PathLike) for p in paths):
        raise UsageError(
            f"goals: expected a GoalSet or goal file paths, got {type(goals).__name__}"
        )
    return goals


def _check_data_timezone(name: Any) -> None:
    from smartgoals._mapping import check_timezone

    if not isinstance(name, str):
        raise UsageError(f"data_timezone: expected a time zone name, got {type(name).__name__}")
    try:
        check_timezone(name)
    except ValueError as exc:
        raise UsageError(f"data timezone: {exc}") from exc


def _unique(items: list[Any]) -> tuple[list[Any], list[str]]:
    """The inputs with each file once (a file given twice would count its rows twice)."""
    from smartgoals._readers import identity, name_of

    seen: set[tuple[str, str | None]] = set()
    kept: list[Any] = []
    notices: list[str] = []
    for item in items:
        key = identity(item)
        if key is not None:
            if key in seen:
                notices.append(f"{name_of(item)}: given more than once; read once")
                continue
            seen.add(key)
        kept.append(item)
    return kept, notices


def shared_timezone(goals: GoalSet) -> str | None:
    """The time zone every goal shares, if they do."""
    zones = {goal.timezone for goal in goals}
    return zones.pop() if len(zones) == 1 else None


def aggregate_inputs(
    goals: GoalSet,
    items: Sequence[Any],
    as_of: AsOf,
    data_timezone: str | None,
    notices: list[str] | None = None,
) -> PeriodTable:
    """Read and aggregate every input for `goals` at `as_of` into one period table.

    A source that maps no metric the goals read is not read; `notices` gets a line saying so.
    """
    from smartgoals._period import PeriodTable
    from smartgoals._plan import build_plan
    from smartgoals._readers import ReadContext, unread

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
            reason = unread(item, plan.series)
            if reason is not None:
                if notices is not None:
                    notices.append(reason)
                continue
            table = table.merge(_aggregate_one(item, index, context, plan, clocks))
    return table


def _aggregate_one(
    item: Any, index: int, context: ReadContext, plan: Plan, clocks: Clocks
) -> PeriodTable:
    """Read and aggregate one input; an error of the engine becomes a `DataError` naming it."""
    from smartgoals._aggregate import aggregate
    from smartgoals._readers import file_of, name_of, read
    from smartgoals._readers.files import engine_error

    name = name_of(item)[:80]
    try:
        source = read(item, index, context)
        name = source.name
        try:
            part = aggregate(source, plan, clocks)
            _check_naive(
                part.accounts[source.name], source, source.timezone or context.data_timezone
            )
        finally:
            source.close()
    except SmartGoalsError:
        raise
    except Exception as exc:
        if "Interrupt" in type(exc).__name__ or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from exc  # NOTE: DuckDB turns Ctrl-C into an error of its own
        if type(exc).__module__.split(".")[0] not in ENGINE_MODULES:
            raise
        raise engine_error(name, exc, file_of(item)) from exc
    return part


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


__all__ = ["aggregate_inputs", "evaluate", "inputs", "lint", "shared_timezone"]

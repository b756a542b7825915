"""Wide exports in: one row per ticket, several metrics per row, mapped by a source definition.

`Export(data, preset=..., **mapping)` from Python and an entry of a goal file's ``sources:`` are the
same object (an `Export` holds its validated `SourceDef`) and are read by the same code.

The export is read once: DuckDB parses a file's columns (timestamps to epoch microseconds, numbers to
floats), or a caller's frame is taken as it is; then, written once with narwhals, each mapped metric
becomes a float column — a numeric column in seconds, a binary satisfaction column as 5 or 1, or the
difference of two timestamps on the wall clock or a business clock — and the columns are unpivoted
into the normalized long frame. An empty second timestamp is an open event, and so is one after
as_of (it was not known yet); an unreadable one rejects that metric's value, never the row's other
metrics. A volume metric mapped to a column counts that column's number per row.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw

from smartgoals._calendar import BusinessClock, Clocks, Offsets
from smartgoals._engines import epoch_microseconds, unpivot
from smartgoals._errors import DataError, UsageError
from smartgoals._expressions import local_to_utc, with_business_time
from smartgoals._mapping import (
    NOT_SATISFIED,
    SATISFIED,
    UNIT_SECONDS,
    Export,
    MetricColumn,
    ResolvedSource,
)
from smartgoals._readers import Normalized, ReadContext
from smartgoals._readers.files import cell_sql, count_sql, instant_sql, open_file, quote
from smartgoals._readers.frames import as_lazy

# NOTE: DuckDB's UNPIVOT drops nulls; an empty value (an open event) travels as this sentinel.
_NULL = -1.7976931348623157e308
# The parsed columns of one mapped metric: its value, its two timestamps, whether a cell was bad.
_VALUE, _FROM, _TO, _BAD = "_value@", "_from@", "_to@", "_bad@"


def _missing(name: str, source: ResolvedSource, columns: set[str]) -> None:
    """Raise `DataError` naming the first column of the mapping the export lacks."""
    needed = [source.timestamp, *(c for m in source.metrics.values() for c in m.columns)]
    if source.id is not None:
        needed.append(source.id)
    absent = [c for c in needed if c not in columns]
    if absent:
        role = "the source's id" if absent[0] == source.id else "named in the source mapping"
        raise DataError(
            f"{name}: column {absent[0]!r} is missing ({role}); "
            f"the export has {', '.join(map(repr, sorted(columns)))}"
        )


def read_export_file(
    path: Path, source: ResolvedSource, series: frozenset[str], data_timezone: str
) -> tuple[ResolvedSource, Any, Any]:
    """Open an export file with DuckDB as a wide frame of parsed columns (see `wide_sql`)."""
    con, scan, types = open_file(path, source.timezone or data_timezone)
    columns = set(types)
    usable = source.usable(columns, set(series))
    _missing(str(path), usable, columns)
    return usable, con.sql(wide_sql(scan, usable)), con


def wide_sql(scan: str, source: ResolvedSource) -> str:
    """SQL parsing an export's mapped columns: ``_us``, ``_naive``, ``_count``, labels, per metric."""
    us, naive = instant_sql(source.timestamp)
    parts = [f"{us} AS _us", f"{naive} AS _naive", f"{count_sql(source.count)} AS _count"]
    parts += [
        f"CAST({quote(col)} AS VARCHAR) AS {quote(label)}" for label, col in source.labels.items()
    ]
    if source.id is not None:
        # NOTE: the first row of an id in file order is kept; later ones are duplicates.
        scan = (
            f"(SELECT *, row_number() OVER (PARTITION BY {quote(source.id)} ORDER BY _ord) > 1 "
            f"AS _dup FROM (SELECT *, row_number() OVER () AS _ord FROM {scan}))"
        )
        parts.append("_dup")
    else:
        parts.append("false AS _dup")
    for name, metric in source.metrics.items():
        parts += _metric_sql(name, metric)
    return f"SELECT {', '.join(parts)} FROM {scan}"


def _metric_sql(name: str, metric: MetricColumn) -> list[str]:
    if metric.start is not None and metric.end is not None:
        (start, _), (end, _) = instant_sql(metric.start), instant_sql(metric.end)
        bad = (
            f"({cell_sql(metric.start)} IS NOT NULL AND {start} IS NULL) OR "
            f"({cell_sql(metric.end)} IS NOT NULL AND {end} IS NULL)"
        )
        return [
            f"{start} AS {quote(_FROM + name)}",
            f"{end} AS {quote(_TO + name)}",
            f"({bad}) AS {quote(_BAD + name)}",
        ]
    assert metric.column is not None
    raw = cell_sql(metric.column)
    if metric.good or metric.bad:
        good = ", ".join("'" + v.replace("'", "''") + "'" for v in metric.good) or "NULL"
        bad = ", ".join("'" + v.replace("'", "''") + "'" for v in metric.bad) or "NULL"
        value = (
            f"CASE WHEN {raw} IN ({good}) THEN {SATISFIED} WHEN {raw} IN ({bad}) "
            f"THEN {NOT_SATISFIED} END"
        )
        return [f"{value} AS {quote(_VALUE + name)}", f"false AS {quote(_BAD + name)}"]
    factor = UNIT_SECONDS.get(metric.unit or "seconds", 1.0)
    number = f"try_cast({raw} AS DOUBLE)"
    return [
        f"{number} * {factor} AS {quote(_VALUE + name)}",
        f"({raw} IS NOT NULL AND {number} IS NULL) AS {quote(_BAD + name)}",
    ]


def wide_frame(
    native: Any, name: str, source: ResolvedSource, series: frozenset[str], data_offsets: Offsets
) -> tuple[ResolvedSource, Any]:
    """A caller's wide frame (pandas, Polars, ...) parsed like `wide_sql` does a file."""
    try:
        frame = native if isinstance(native, nw.LazyFrame) else nw.from_native(native)
    except TypeError:
        frame = as_lazy(native, name)
    usable = source.usable(set(frame.columns), set(series))
    _missing(name, usable, set(frame.columns))
    eager = isinstance(frame, nw.DataFrame)
    if eager and usable.id is not None:
        # NOTE: duplicates are found in in-memory frames (the first row is kept); a lazy frame is
        # not scanned a second time for them.
        frame = frame.with_columns(_dup=~nw.col(usable.id).is_first_distinct())
    lf = frame.lazy()
    schema = lf.collect_schema()
    columns = [
        _frame_us(source.timestamp, schema, data_offsets, lf.implementation).alias("_us"),
        nw.lit(1 if _is_naive(schema[source.timestamp]) else 0).alias("_naive"),
        (
            nw.col(usable.count).cast(nw.Float64()).fill_null(1.0) if usable.count else nw.lit(1.0)
        ).alias("_count"),
    ]
    columns += [nw.col(col).cast(nw.String()).alias(label) for label, col in usable.labels.items()]
    duplicate = nw.col("_dup") if eager and usable.id is not None else nw.lit(value=False)
    columns.append(duplicate.alias("_dup"))
    for metric, mapping in usable.metrics.items():
        columns += _metric_frame(metric, mapping, schema, data_offsets, lf.implementation)
    return usable, lf.select(*columns)


def _is_naive(dtype: Any) -> bool:
    return isinstance(dtype, nw.Datetime) and dtype.time_zone is None


def _frame_us(column: str, schema: Any, offsets: Offsets, engine: nw.Implementation) -> nw.Expr:
    dtype = schema[column]
    if not isinstance(dtype, nw.Datetime):
        raise DataError(f"column {column!r} has type {dtype}; expected a datetime column")
    naive = dtype.time_zone is None
    us = epoch_microseconds(nw.col(column), naive=naive, engine=engine)
    return local_to_utc(us, offsets) if naive else us


def _metric_frame(
    name: str, metric: MetricColumn, schema: Any, offsets: Offsets, engine: nw.Implementation
) -> list[nw.Expr]:
    if metric.start is not None and metric.end is not None:
        return [
            _frame_us(metric.start, schema, offsets, engine).alias(_FROM + name),
            _frame_us(metric.end, schema, offsets, engine).alias(_TO + name),
            nw.lit(value=False).alias(_BAD + name),
        ]
    assert metric.column is not None
    column = nw.col(metric.column)
    if metric.good or metric.bad:
        value = (
            nw.when(column.cast(nw.String()).is_in(list(metric.good)))
            .then(nw.lit(SATISFIED))
            .otherwise(
                nw.when(column.cast(nw.String()).is_in(list(metric.bad)))
                .then(nw.lit(NOT_SATISFIED))
                .otherwise(nw.lit(None, dtype=nw.Float64()))
            )
        )
    else:
        if not schema[metric.column].is_numeric():
            raise DataError(
                f"column {metric.column!r} has type {schema[metric.column]}; expected "
                "numbers (convert it first, e.g. pandas.to_numeric(..., errors='coerce'))"
            )
        value = column.cast(nw.Float64()) * UNIT_SECONDS.get(metric.unit or "seconds", 1.0)
    return [value.alias(_VALUE + name), nw.lit(value=False).alias(_BAD + name)]


def to_long(
    wide: Any,
    source: ResolvedSource,
    clocks: dict[str, BusinessClock],
    known_until: int,
    volumes: frozenset[str] = frozenset(),
) -> nw.LazyFrame[Any]:
    """Unpivot a parsed wide export into the normalized long frame `_aggregate` reads.

    A duration whose end column is after `known_until` (as_of, epoch µs) is an open event; a volume
    metric mapped to a column counts that column's number per row.
    """
    lf = nw.from_native(wide).lazy() if not isinstance(wide, nw.LazyFrame) else wide
    values = {}
    for name, metric in source.metrics.items():
        if metric.start is None:
            value = nw.col(_VALUE + name)
        else:
            start, end = nw.col(_FROM + name), nw.col(_TO + name)
            clock = clocks.get(name) if source.calendar_of(name) else None
            if clock is None:
                value = (end - start) / 1_000_000
            else:
                lf = with_business_time(lf, clock, _FROM + name, _FROM + "business@" + name)
                lf = with_business_time(lf, clock, _TO + name, _TO + "business@" + name)
                value = (
                    nw.col(_TO + "business@" + name) - nw.col(_FROM + "business@" + name)
                ) / 1e6
            value = (
                nw.when(end > known_until)
                .then(nw.lit(None, dtype=nw.Float64()))
                .otherwise(value.cast(nw.Float64()))
            )
        # NOTE: a real value equal to the sentinel becomes -inf (rejected as not finite).
        values[_VALUE + name] = (
            nw.when(value.is_null())
            .then(nw.lit(_NULL))
            .otherwise(
                nw.when(value == _NULL)
                .then(nw.lit(float("-inf")))
                .otherwise(value.cast(nw.Float64()))
            )
        )
    labels = list(source.labels)
    bad = [_BAD + name for name in source.metrics]
    lf = lf.with_columns(**values).select("_us", "_naive", "_count", "_dup", *labels, *bad, *values)
    long = unpivot(lf, list(values))
    reason: nw.Expr = nw.lit(None, dtype=nw.String())
    for name, metric in source.metrics.items():
        unreadable = f"unreadable {', '.join(metric.columns)} ({name})"
        reason = (
            nw.when((nw.col("_metric") == _VALUE + name) & nw.col(_BAD + name))
            .then(nw.lit(unreadable))
            .otherwise(reason)
        )
    reason = (
        nw.when(nw.col("_dup"))
        .then(nw.lit(f"duplicate ticket (same {source.id})"))
        .otherwise(reason)
    )
    value = (
        nw.when(nw.col("_value") == _NULL)
        .then(nw.lit(None, dtype=nw.Float64()))
        .otherwise(nw.col("_value"))
    )
    weight, counted = (
        nw.col("_count"),
        [_VALUE + name for name in source.metrics if name in volumes],
    )
    if counted:
        is_volume = nw.col("_metric").is_in(counted)
        weight = nw.when(is_volume).then(weight * value).otherwise(weight)
        value = nw.when(is_volume).then(nw.lit(None, dtype=nw.Float64())).otherwise(value)
    return long.select(
        "_us",
        _metric_names(source).alias("metric"),
        value.alias("value"),
        weight.alias("_count"),
        reason.alias("_reject"),
        "_naive",
        *labels,
    )


def _metric_names(source: ResolvedSource) -> nw.Expr:
    """The metric of an unpivoted row, from the name of the value column it came from."""
    names = list(source.metrics)
    expr: nw.Expr = nw.lit(None, dtype=nw.String())
    for name in reversed(names):
        expr = nw.when(nw.col("_metric") == _VALUE + name).then(nw.lit(name)).otherwise(expr)
    return expr


class ExportReader:
    """An `Export`: a wide export file or frame with its mapping."""

    def accepts(self, data: Any) -> bool:
        """Exports only."""
        return isinstance(data, Export)

    def read(self, data: Any, index: int, context: ReadContext) -> Normalized:
        """The export unpivoted into the normalized long frame."""
        source = data.source.resolved()
        clocks = _metric_clocks(source, context.clocks)
        data_tz = source.timezone or context.data_timezone or "UTC"
        if isinstance(data.data, str | PathLike):
            name = str(data.data)
            usable, wide, con = read_export_file(Path(data.data), source, context.series, data_tz)
        else:
            name = f"<export {index + 1}: {type(data.data).__name__}>"
            usable, wide = wide_frame(data.data, name, source, context.series, context.offsets)
            con = None
        long = to_long(wide, usable, clocks, context.known_us, context.volumes)
        calendars = {m: c for m in usable.metrics if (c := usable.calendar_of(m)) is not None}
        close = _nothing if con is None else con.close
        return Normalized(name, long, calendars, source.timezone, close=close, connection=con)


def _nothing() -> None:
    return None


def _metric_clocks(source: ResolvedSource, clocks: Clocks) -> dict[str, BusinessClock]:
    """The business clock of each from/to metric measured in one."""
    result = {}
    for metric in source.metrics:
        calendar = source.calendar_of(metric)
        if calendar is None:
            continue
        if calendar not in clocks.calendars:
            raise UsageError(
                f"export mapping names calendar {calendar!r}, which no goal file declares "
                "under 'calendars:'"
            )
        result[metric] = clocks.calendars[calendar]
    return result


__all__ = ["ExportReader", "read_export_file", "to_long", "wide_frame", "wide_sql"]

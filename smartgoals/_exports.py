"""Wide exports in: one row per ticket, several metrics per row, mapped by a source definition.

The export is read once: DuckDB parses a file's columns (timestamps to epoch microseconds, numbers to
floats), or a caller's frame is taken as it is; then, written once with narwhals, each mapped metric
becomes a float column — a numeric column in seconds, a binary satisfaction column as 5 or 1, or the
difference of two timestamps on the wall clock or a business clock — and the columns are unpivoted
into the long table `_aggregate` reads. An empty second timestamp is an open event; an unreadable one
rejects that metric's value, never the row's other metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw

from smartgoals._calendar import EPOCH, US_PER_DAY, BusinessClock, Offsets
from smartgoals._config import NOT_SATISFIED, SATISFIED, UNIT_SECONDS, MetricColumn, ResolvedSource
from smartgoals._errors import DataError
from smartgoals._sources import OFFSET_PATTERN, local_to_utc, quote, scan_sql

# NOTE: DuckDB's UNPIVOT drops nulls; an empty value (an open event) travels as this sentinel.
_NULL = -1.7976931348623157e308


@dataclass(frozen=True)
class Export:
    """A wide export given from Python: the data (a path or a frame) and its mapping.

    Example:
        ``smartgoals.Export(frame, preset="zendesk", timezone="Europe/Berlin")``
    """

    data: Any
    preset: str | None = None
    mapping: dict[str, Any] = field(default_factory=dict)

    def __init__(self, data: Any, preset: str | None = None, **mapping: Any) -> None:
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "preset", preset)
        object.__setattr__(self, "mapping", mapping)


def _missing(name: str, source: ResolvedSource, columns: set[str]) -> None:
    needed = [source.timestamp, *(c for m in source.metrics.values() for c in m.columns)]
    absent = [c for c in needed if c not in columns]
    if absent:
        raise DataError(
            f"{name}: column {absent[0]!r} is missing (named in the source mapping); "
            f"the export has {', '.join(map(repr, sorted(columns)))}"
        )


def read_export_file(
    path: Path, source: ResolvedSource, metrics: set[str], data_timezone: str
) -> tuple[ResolvedSource, Any, Any]:
    """Open an export file with DuckDB as a wide frame of parsed columns (see `wide_sql`)."""
    import duckdb

    if not path.is_file():
        raise DataError(f"{path}: no such file")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET TimeZone = '{source.timezone or data_timezone}'")
    scan = scan_sql(con, path)
    try:
        columns = {str(r[0]) for r in con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    except duckdb.Error as exc:
        raise DataError(f"{path}: cannot read the file: {str(exc).splitlines()[0]}") from exc
    usable = source.usable(columns)
    usable = usable.model_copy(
        update={"metrics": {k: v for k, v in usable.metrics.items() if k in metrics}}
    )
    _missing(str(path), usable, columns)
    return usable, con.sql(wide_sql(scan, usable)), con


def _ts(column: str) -> tuple[str, str]:
    raw = f"nullif(trim(CAST({quote(column)} AS VARCHAR)), '')"
    return f"epoch_us(try_cast({raw} AS TIMESTAMPTZ))", raw


def wide_sql(scan: str, source: ResolvedSource) -> str:
    """SQL parsing an export's mapped columns: ``_us``, ``_naive``, ``_w``, labels, per metric."""
    us, raw = _ts(source.timestamp)
    parts = [
        f"{us} AS _us",
        f"CASE WHEN regexp_matches({raw}, '{OFFSET_PATTERN}') OR {raw} IS NULL THEN 0 "
        "ELSE 1 END AS _naive",
        (
            f"coalesce(try_cast(nullif(trim(CAST({quote(source.count)} AS VARCHAR)), '') AS DOUBLE),"
            " 1.0)"
            if source.count
            else "1.0"
        )
        + " AS _w",
    ]
    parts += [
        f"CAST({quote(col)} AS VARCHAR) AS {quote(label)}" for label, col in source.labels.items()
    ]
    for name, metric in source.metrics.items():
        parts += _metric_sql(name, metric)
    return f"SELECT {', '.join(parts)} FROM {scan}"


def _metric_sql(name: str, metric: MetricColumn) -> list[str]:
    if metric.start is not None and metric.end is not None:
        (start, start_raw), (end, end_raw) = _ts(metric.start), _ts(metric.end)
        bad = (
            f"({start_raw} IS NOT NULL AND {start} IS NULL) OR "
            f"({end_raw} IS NOT NULL AND {end} IS NULL)"
        )
        return [
            f"{start} AS {quote('_f_' + name)}",
            f"{end} AS {quote('_t_' + name)}",
            f"({bad}) AS {quote('_b_' + name)}",
        ]
    assert metric.column is not None
    raw = f"nullif(trim(CAST({quote(metric.column)} AS VARCHAR)), '')"
    if metric.good or metric.bad:
        good = ", ".join("'" + v.replace("'", "''") + "'" for v in metric.good) or "NULL"
        bad = ", ".join("'" + v.replace("'", "''") + "'" for v in metric.bad) or "NULL"
        value = (
            f"CASE WHEN {raw} IN ({good}) THEN {SATISFIED} WHEN {raw} IN ({bad}) "
            f"THEN {NOT_SATISFIED} END"
        )
        return [f"{value} AS {quote('_v_' + name)}", f"false AS {quote('_b_' + name)}"]
    factor = UNIT_SECONDS.get(metric.unit or "seconds", 1.0)
    number = f"try_cast({raw} AS DOUBLE)"
    return [
        f"{number} * {factor} AS {quote('_v_' + name)}",
        f"({raw} IS NOT NULL AND {number} IS NULL) AS {quote('_b_' + name)}",
    ]


def wide_frame(
    native: Any, name: str, source: ResolvedSource, metrics: set[str], data_offsets: Offsets
) -> tuple[ResolvedSource, Any]:
    """A caller's wide frame (pandas, Polars, ...) parsed like `wide_sql` does a file."""
    lf = nw.from_native(native).lazy() if not isinstance(native, nw.LazyFrame) else native
    schema = lf.collect_schema()
    usable = source.usable(set(schema.names()))
    usable = usable.model_copy(
        update={"metrics": {k: v for k, v in usable.metrics.items() if k in metrics}}
    )
    _missing(name, usable, set(schema.names()))
    columns = [
        _frame_us(source.timestamp, schema, data_offsets).alias("_us"),
        nw.lit(1 if schema[source.timestamp].time_zone is None else 0).alias("_naive"),  # type: ignore[attr-defined]
        (
            nw.col(usable.count).cast(nw.Float64()).fill_null(1.0) if usable.count else nw.lit(1.0)
        ).alias("_w"),
    ]
    columns += [nw.col(col).cast(nw.String()).alias(label) for label, col in usable.labels.items()]
    for metric, mapping in usable.metrics.items():
        columns += _metric_frame(metric, mapping, schema, data_offsets)
    return usable, lf.select(*columns)


def _frame_us(column: str, schema: Any, offsets: Offsets) -> nw.Expr:
    dtype = schema[column]
    if not isinstance(dtype, nw.Datetime):
        raise DataError(f"column {column!r} has type {dtype}; expected a datetime column")
    naive = dtype.time_zone is None
    us = (
        nw.col(column) - nw.lit(EPOCH.replace(tzinfo=None) if naive else EPOCH)
    ).dt.total_microseconds()
    return local_to_utc(us, offsets) if naive else us


def _metric_frame(name: str, metric: MetricColumn, schema: Any, offsets: Offsets) -> list[nw.Expr]:
    if metric.start is not None and metric.end is not None:
        return [
            _frame_us(metric.start, schema, offsets).alias(f"_f_{name}"),
            _frame_us(metric.end, schema, offsets).alias(f"_t_{name}"),
            nw.lit(value=False).alias(f"_b_{name}"),
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
        value = column.cast(nw.Float64()) * UNIT_SECONDS.get(metric.unit or "seconds", 1.0)
    return [value.alias(f"_v_{name}"), nw.lit(value=False).alias(f"_b_{name}")]


def business_expr(clock: BusinessClock, us: nw.Expr) -> nw.Expr:
    """The engine expression of `BusinessClock.at` (µs of business time up to instant `us`)."""
    offset: nw.Expr = nw.lit(clock.offsets.offsets[-1])
    for bound, before in reversed(
        list(zip(clock.offsets.bounds, clock.offsets.offsets, strict=False))
    ):
        offset = nw.when(us < bound).then(nw.lit(before)).otherwise(offset)
    local = us + offset
    day = local // US_PER_DAY
    into_day = local - day * US_PER_DAY
    weekday = (day - clock.monday) % 7
    weeks = (day - clock.monday) // 7
    total = weeks * sum(clock.day_lengths) + _by_weekday(
        weekday, [clock.prefix(d) for d in range(7)]
    )
    for holiday in clock.holidays:
        length = clock.day_lengths[(holiday - clock.monday) % 7]
        if length:
            total = total - nw.when(day > holiday).then(nw.lit(length)).otherwise(nw.lit(0))
    within: nw.Expr = nw.lit(0)
    for wd in range(6, -1, -1):
        today: nw.Expr = nw.lit(0)
        for start, end in clock.hours[wd]:
            today = today + (into_day - start).clip(0, end - start)
        within = nw.when(weekday == wd).then(today).otherwise(within)
    if clock.holidays:
        within = nw.when(day.is_in(list(clock.holidays))).then(nw.lit(0)).otherwise(within)
    return total + within


def _by_weekday(weekday: nw.Expr, values: list[int]) -> nw.Expr:
    expr: nw.Expr = nw.lit(values[-1])
    for wd in range(5, -1, -1):
        expr = nw.when(weekday == wd).then(nw.lit(values[wd])).otherwise(expr)
    return expr


def to_long(wide: Any, source: ResolvedSource, clocks: dict[str, BusinessClock]) -> Any:
    """Unpivot a parsed wide export into the normalized long frame `_aggregate` reads."""
    lf = nw.from_native(wide).lazy() if not isinstance(wide, nw.LazyFrame) else wide
    values = {}
    for name, metric in source.metrics.items():
        if metric.start is None:
            value = nw.col(f"_v_{name}")
        else:
            start, end = nw.col(f"_f_{name}"), nw.col(f"_t_{name}")
            calendar = source.calendar_of(name)
            if calendar is None:
                value = (end - start) / 1_000_000
            else:
                clock = clocks[calendar]
                value = (business_expr(clock, end) - business_expr(clock, start)) / 1_000_000
        # NOTE: a real value equal to the sentinel becomes -inf (rejected as not finite).
        values[f"_v_{name}"] = (
            nw.when(value.is_null())
            .then(nw.lit(_NULL))
            .otherwise(
                nw.when(value == _NULL)
                .then(nw.lit(float("-inf")))
                .otherwise(value.cast(nw.Float64()))
            )
        )
    labels = list(source.labels)
    bad = [f"_b_{name}" for name in source.metrics]
    lf = lf.with_columns(**values).select("_us", "_naive", "_w", *labels, *bad, *values)
    long = lf.unpivot(
        on=list(values),
        index=["_us", "_naive", "_w", *labels, *bad],
        variable_name="_metric",
        value_name="_value",
    )
    reason: nw.Expr = nw.lit(None, dtype=nw.String())
    for name, metric in source.metrics.items():
        unreadable = f"unreadable {', '.join(metric.columns)} ({name})"
        reason = (
            nw.when((nw.col("_metric") == f"_v_{name}") & nw.col(f"_b_{name}"))
            .then(nw.lit(unreadable))
            .otherwise(reason)
        )
    return long.select(
        "_us",
        nw.col("_metric").str.slice(3).alias("metric"),
        nw.when(nw.col("_value") == _NULL)
        .then(nw.lit(None, dtype=nw.Float64()))
        .otherwise(nw.col("_value"))
        .alias("value"),
        "_w",
        reason.alias("_reject"),
        "_naive",
        *labels,
    )


__all__ = ["Export", "business_expr", "read_export_file", "to_long", "wide_frame", "wide_sql"]

"""A caller's own frame, in any engine narwhals supports, normalized where it lives.

Only the small grouped table ever leaves the engine: a Spark or Dask frame is grouped on the
cluster, a lazy Polars frame is scanned once.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from smartgoals._engines import epoch_microseconds
from smartgoals._errors import DataError
from smartgoals._expressions import local_to_utc
from smartgoals._readers import Normalized, ReadContext, check_columns
from smartgoals._readers.files import REQUIRED, metric_type_message


def as_lazy(native: Any, name: str) -> nw.LazyFrame[Any]:
    """Any supported frame as a narwhals LazyFrame."""
    try:
        frame = (
            native if isinstance(native, nw.LazyFrame | nw.DataFrame) else nw.from_native(native)
        )
    except TypeError as exc:
        raise DataError(
            f"{name}: unsupported data of type {type(native).__name__}; pass a file "
            "path or a pandas, Polars, PyArrow or DuckDB frame"
        ) from exc
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def normalize_frame(native: Any, name: str, context: ReadContext) -> nw.LazyFrame[Any]:
    """A long frame as the normalized frame."""
    lf = as_lazy(native, name)
    schema = lf.collect_schema()
    check_columns(name, list(schema.names()), REQUIRED, context.labels)
    ts_dtype = schema["timestamp"]
    if not isinstance(ts_dtype, nw.Datetime):
        raise DataError(
            f"{name}: column 'timestamp' has type {ts_dtype}; expected a datetime "
            "column (parse text first, e.g. pandas.to_datetime(..., utc=True))"
        )
    if not isinstance(schema["metric"], nw.String | nw.Categorical | nw.Enum | nw.Unknown):
        raise DataError(metric_type_message(name, schema["metric"]))
    if not schema["value"].is_numeric():
        raise DataError(f"{name}: column 'value' has type {schema['value']}; expected numbers")
    naive = ts_dtype.time_zone is None
    us = epoch_microseconds(nw.col("timestamp"), naive=naive, engine=lf.implementation)
    if naive:
        us = local_to_utc(us, context.offsets)
    weight = nw.col("count").cast(nw.Float64()).fill_null(1.0) if "count" in schema else nw.lit(1.0)
    return lf.select(
        us.alias("_us"),
        nw.col("metric").cast(nw.String()),
        nw.col("value").cast(nw.Float64()),
        weight.alias("_count"),
        nw.lit(None, dtype=nw.String()).alias("_reject"),
        nw.lit(1 if naive else 0).alias("_naive"),
        *(nw.col(label).cast(nw.String()) for label in context.labels),
    )


class FrameReader:
    """Any frame narwhals supports: pandas, Polars, PyArrow, DuckDB, Dask, PySpark, ..."""

    def accepts(self, data: Any) -> bool:
        """Anything else (the frame is checked when read)."""
        return True

    def read(self, data: Any, index: int, context: ReadContext) -> Normalized:
        """The frame's normalized form, in its own engine."""
        name = f"<data {index + 1}: {type(data).__module__.split('.')[0]} {type(data).__name__}>"
        return Normalized(name, normalize_frame(data, name, context))


__all__ = ["FrameReader", "as_lazy", "normalize_frame"]

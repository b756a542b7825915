"""Readers: every kind of input becomes the one *normalized frame* the aggregation reads.

The normalized frame is the cut-off point between data in and evaluation. It is a narwhals
LazyFrame (in whatever engine holds the data) with these columns:

| column | type | meaning |
|---|---|---|
| ``_us`` | integer | the event instant, epoch microseconds UTC; null when the timestamp is unreadable |
| ``metric`` | text | the series (a metric name) |
| ``value`` | float | the value, null when empty (no answer, or an open duration event) |
| ``_count`` | float | the row's weight: its ``count``, 1 without one; null when unreadable |
| ``_reject`` | text | a reason the row cannot be used, found while reading, else null |
| ``_naive`` | integer | 1 when the timestamp carried no UTC offset (read in the data time zone) |
| labels | text | one column per label some goal filters or expands by |

One reader per input kind, each in its own module and tried in order: an `Export` (a wide helpdesk
export and its mapping), a file path (read lazily by DuckDB), plain rows (a list of dicts), and any
frame narwhals supports (pandas, Polars, PyArrow, DuckDB, Dask, PySpark, ...). A new kind of input
is one new module with a `Reader` and one entry in `READERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Protocol

import narwhals.stable.v2 as nw

from smartgoals._calendar import Clocks, Offsets
from smartgoals._errors import DataError
from smartgoals._mapping import Export

NORMALIZED = ("_us", "metric", "value", "_count", "_reject", "_naive")


@dataclass(frozen=True)
class ReadContext:
    """What every reader may need besides the data.

    Attributes:
        labels: the label columns goals use.
        series: the series goals read (an export maps only these).
        data_timezone: the time zone of timestamps without an offset (None: not known).
        offsets: that time zone's UTC offsets over the span read.
        known_us: the as_of instant: an export's duration that ends later is still open.
        volumes: the series that count events (an export column mapped to one is a count).
        clocks: the business clocks of the declared calendars.
        folder: a scratch folder, removed after the run.
    """

    labels: tuple[str, ...]
    series: frozenset[str]
    data_timezone: str | None
    offsets: Offsets
    known_us: int
    volumes: frozenset[str]
    clocks: Clocks
    folder: Path


@dataclass
class Normalized:
    """One source read: its normalized frame and what else the run needs to know of it.

    Attributes:
        name: the source's name in reports and messages.
        frame: the normalized frame (see the module docstring).
        calendars: per series, the calendar its durations are measured in (open events age by it).
        timezone: the time zone its naive timestamps were read in, when the source says so.
        first_mixed_row: finds the first row whose timestamp offset style differs from the first's.
        close: releases what the reader opened.
        connection: the DuckDB connection the reader opened, when the frame is a relation on it.
    """

    name: str
    frame: nw.LazyFrame[Any]
    calendars: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    first_mixed_row: Callable[[], int | None] = lambda: None
    close: Callable[[], None] = lambda: None
    connection: Any = None


class Reader(Protocol):
    """Turns one kind of input into a normalized frame."""

    def accepts(self, data: Any) -> bool:
        """Whether this reader reads `data`."""

    def read(self, data: Any, index: int, context: ReadContext) -> Normalized:
        """Read `data` (the `index`-th input of the run)."""


def readers() -> list[Reader]:
    """The readers, in the order they are tried."""
    from smartgoals._readers.exports import ExportReader
    from smartgoals._readers.files import FileReader
    from smartgoals._readers.frames import FrameReader
    from smartgoals._readers.rows import RowsReader

    return [ExportReader(), FileReader(), RowsReader(), FrameReader()]


def file_of(data: Any) -> Path | None:
    """The file an input reads: a path, or an export's path; None for frames and rows."""
    target = data.data if isinstance(data, Export) else data
    return Path(target) if isinstance(target, str | PathLike) else None


def identity(data: Any) -> tuple[str, str | None] | None:
    """What makes two file inputs the same (its resolved path and export preset), else None."""
    path = file_of(data)
    if path is None:
        return None
    return str(path.resolve()), data.preset if isinstance(data, Export) else None


def name_of(data: Any) -> str:
    """How messages name an input before it is read."""
    return str(data.data if isinstance(data, Export) else data)


def unread(data: Any, series: frozenset[str]) -> str | None:
    """Why an input need not be read at all (an export mapping no series the goals read)."""
    if isinstance(data, Export) and not set(data.source.resolved().metrics) & series:
        return f"{name_of(data)}: maps no metric the selected goals read; not read"
    return None


def read(data: Any, index: int, context: ReadContext) -> Normalized:
    """The normalized frame of one input, read by the first reader that accepts it.

    Raises:
        DataError: no reader accepts the input, or it cannot be read.
    """
    for reader in readers():
        if reader.accepts(data):
            return reader.read(data, index, context)
    raise DataError(
        f"data {index + 1}: unsupported data of type {type(data).__name__}; pass a file path, "
        "an Export, plain rows or a pandas, Polars, PyArrow or DuckDB frame"
    )


def check_columns(
    name: str, columns: list[str], required: tuple[str, ...], labels: tuple[str, ...]
) -> None:
    """Raise `DataError` naming the first required or label column `columns` lacks."""
    for column in (*required, *labels):
        if column not in columns:
            role = "a label some goal filters on ('where')" if column in labels else "required"
            raise DataError(
                f"{name}: column {column!r} is missing ({role}); the data has "
                f"{', '.join(map(repr, columns)) or 'no columns'}"
            )


__all__ = [
    "NORMALIZED",
    "Normalized",
    "ReadContext",
    "Reader",
    "check_columns",
    "file_of",
    "identity",
    "name_of",
    "read",
    "readers",
    "unread",
]

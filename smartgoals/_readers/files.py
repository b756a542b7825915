"""Long metric files (CSV, Parquet, JSON Lines; gzip too), read lazily by the embedded DuckDB engine.

DuckDB measured faster than Polars on 10M-row CSV and within 12 % on Parquet
(``benchmarks/engines.py``). Cells are read as text and parsed per row, so one bad cell rejects its
row and nothing else: ISO 8601 timestamps with an offset or ``Z`` are converted to UTC (mixed offsets,
as across DST, are normal); a timestamp without an offset is read in the data time zone (the
connection's); one that cannot be read rejects its row.

The SQL helpers here also parse the cells of wide exports (`exports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw

from smartgoals._errors import DataError
from smartgoals._readers import Normalized, ReadContext, check_columns

REQUIRED = ("timestamp", "metric", "value")
REASON_BAD_TIMESTAMP = "timestamp missing or unreadable"
REASON_BAD_VALUE = "value is not a number"
# NOTE: an offset (+01:00, -0500, +01), Z, or a zone name (Europe/Berlin) ends a timestamp
OFFSET_PATTERN = r"([A-Za-z]|[+-][0-9][0-9](:?[0-9][0-9])?)\s*$"


def open_file(path: Path, data_timezone: str) -> tuple[Any, str, dict[str, str]]:
    """Open a data file lazily with DuckDB: its connection, scan SQL and column types.

    Timestamps without an offset will be read in `data_timezone` (the connection's time zone).

    Raises:
        DataError: the path is not a readable file, or its header or format cannot be read.
    """
    import duckdb

    _check_is_file(path)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET TimeZone = '{data_timezone}'")
    try:
        scan = scan_sql(con, path)
        described = con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except duckdb.Error as exc:
        con.close()
        raise engine_error(str(path), exc, path) from exc
    except DataError:
        con.close()
        raise
    return con, scan, {str(row[0]): str(row[1]) for row in described}


def _check_is_file(path: Path) -> None:
    if path.is_file():
        return
    if path.is_dir():
        raise DataError(f"{path}: is a folder; pass the data files in it (e.g. {path}/*.csv)")
    if path.exists():
        raise DataError(f"{path}: not a regular file (a pipe or a device); save the data to a file")
    if path.is_symlink():
        raise DataError(f"{path}: a symbolic link to a file that does not exist")
    raise DataError(f"{path}: no such file")


def scan_sql(con: Any, path: Path) -> str:
    """The DuckDB table function that scans `path`, every column of text files as text."""
    quoted = str(path).replace("'", "''")
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith((".parquet", ".pq")):
        return f"read_parquet('{quoted}')"
    if suffix.endswith((".jsonl", ".ndjson", ".json", ".jsonl.gz", ".json.gz")):
        if _is_empty(path):
            raise DataError(f"{path}: the file is empty")
        names = [
            r[0]
            for r in con.sql(
                f"DESCRIBE SELECT * FROM read_json('{quoted}', format='newline_delimited')"
            ).fetchall()
        ]
        columns = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
        return f"read_json('{quoted}', format='newline_delimited', columns={{{columns}}})"
    delimiter, names = csv_header(path)
    columns = ", ".join("'" + n.replace("'", "''") + "': 'VARCHAR'" for n in names)
    sep = delimiter.replace("'", "''")
    # NOTE: the dialect comes from the header, so a ragged row anywhere is an error naming its
    # line (DuckDB's sniffer would take a file whose first row is ragged for one column).
    return (
        f"read_csv('{quoted}', header=true, auto_detect=false, delim='{sep}', quote='\"', "
        f"escape='\"', strict_mode=true, null_padding=false, columns={{{columns}}})"
    )


DELIMITERS = (",", ";", "\t", "|")


def _opened(path: Path) -> Any:
    import gzip

    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _is_empty(path: Path) -> bool:
    try:
        with _opened(path) as stream:
            return not stream.read(4096).strip()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the file: {exc}") from exc


def csv_header(path: Path) -> tuple[str, list[str]]:
    """A CSV file's delimiter (the most frequent of `DELIMITERS` in the header) and its columns.

    Raises:
        DataError: the file is empty, cannot be decoded, or names a column twice.
    """
    import csv

    try:
        with _opened(path) as stream:
            line = stream.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the file: {exc}") from exc
    if not line.strip():
        raise DataError(f"{path}: the file is empty (no header line)")
    delimiter = max(DELIMITERS, key=line.count)
    names = [n.strip() for n in next(csv.reader([line], delimiter=delimiter))]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"{path}: line 1: the header names column {name!r} twice")
        seen.add(name)
    return delimiter, names


def engine_error(name: str, exc: Exception, path: Path | None = None) -> DataError:
    """The one-line `DataError` for an error the engine raised reading source `name`.

    A CSV error names the line; a JSON Lines error names the first line that is not JSON.
    """
    import re

    text = str(exc)
    csv_line = re.search(r"CSV Error on Line: (\d+)", text)
    if csv_line:
        original = re.search(r"Original Line: (.*)", text)
        shown = f": {original.group(1)[:80]}" if original else ""
        return DataError(
            f"{name}: line {csv_line.group(1)}: the row has a different number of fields "
            f"than the header{shown}"
        )
    if "Malformed JSON" in text and path is not None:
        bad = _first_bad_json_line(path)
        if bad is not None:
            return DataError(f"{name}: line {bad[0]}: not a JSON object ({bad[1]})")
    first = next((line for line in text.splitlines() if line.strip()), type(exc).__name__)
    return DataError(f"{name}: cannot read the data: {first.strip()}")


def _first_bad_json_line(path: Path) -> tuple[int, str] | None:
    import json

    with _opened(path) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                if not isinstance(json.loads(line), dict):
                    return number, "a JSON value that is not an object"
            except json.JSONDecodeError as exc:
                return number, exc.msg
    return None


def quote(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def cell_sql(column: str) -> str:
    """SQL for a cell as trimmed text, NULL when empty."""
    return f"nullif(trim(CAST({quote(column)} AS VARCHAR)), '')"


def instant_sql(column: str) -> tuple[str, str]:
    """SQL for a text timestamp: its epoch µs (NULL when unreadable), and 1 when it had no offset.

    An unreadable timestamp is not counted as one without an offset.
    """
    text = cell_sql(column)
    us = f"epoch_us(try_cast({text} AS TIMESTAMPTZ))"
    return us, naive_sql(us, text)


def naive_sql(us: str, text: str) -> str:
    """SQL: 1 when the timestamp `text` was read (`us` is not NULL) but carried no UTC offset.

    A date alone (``2026-11-10``) has none, although it ends in ``-10``.
    """
    return (
        f"CASE WHEN {us} IS NULL OR suffix({text}, 'Z') THEN 0 "
        f"WHEN length(trim({text})) > 10 AND regexp_matches({text}, '{OFFSET_PATTERN}') THEN 0 "
        "ELSE 1 END"
    )


def count_sql(column: str | None) -> str:
    """SQL for a row's weight: 1 for an empty cell, its number, or NULL (rejected) if unreadable."""
    if column is None:
        return "1.0"
    text = cell_sql(column)
    return f"CASE WHEN {text} IS NULL THEN 1.0 ELSE try_cast({text} AS DOUBLE) END"


def first_row_with(relation_sql: str, con: Any, condition: str) -> int | None:
    """The 1-based data row number of the first row meeting `condition` (for error messages)."""
    rows = con.sql(
        f"SELECT rn FROM (SELECT row_number() OVER () AS rn, * FROM ({relation_sql})) "
        f"WHERE {condition} ORDER BY rn LIMIT 1"
    ).fetchall()
    return int(rows[0][0]) if rows else None


def normalize_sql(scan: str, types: dict[str, str], labels: tuple[str, ...]) -> str:
    """SQL for the normalized frame of a long file's scan."""
    ts_type = types["timestamp"].upper()
    if ts_type.startswith("TIMESTAMP WITH TIME ZONE"):
        us, naive = "epoch_us(timestamp)", "0"
    elif ts_type.startswith("TIMESTAMP") or ts_type == "DATE":
        us, naive = (
            "epoch_us(CAST(timestamp AS TIMESTAMPTZ))",
            "CASE WHEN _us IS NULL THEN 0 ELSE 1 END",
        )
    else:
        # NOTE: the flag reads the parsed `_us` column, so each timestamp is parsed once
        text = "nullif(CAST(timestamp AS VARCHAR), '')"
        us, naive = f"epoch_us(try_cast({text} AS TIMESTAMPTZ))", naive_sql("_us", text)
    count = count_sql("count" if "count" in types else None)
    label_sql = "".join(f", CAST({quote(label)} AS VARCHAR) AS {quote(label)}" for label in labels)
    if _is_number(types["value"]):
        # NOTE: a typed column (Parquet) holds numbers or nothing: no text to parse
        value, text, bad = "CAST(value AS DOUBLE)", "NULL", "FALSE"
    else:
        # NOTE: DuckDB's casts allow spaces around a number; only a failed cast pays for trim
        value, text = "try_cast(_text AS DOUBLE)", "nullif(CAST(value AS VARCHAR), '')"
        bad = "_text IS NOT NULL AND _value IS NULL AND trim(_text) <> ''"
    return f"""
        SELECT _us, CAST(metric AS VARCHAR) AS metric, _value AS value, {count} AS _count,
               CASE WHEN _us IS NULL THEN '{REASON_BAD_TIMESTAMP}'
                    WHEN {bad} THEN '{REASON_BAD_VALUE}' END AS _reject,
               {naive} AS _naive {label_sql}
        FROM (SELECT *, {us} AS _us, {value} AS _value FROM (SELECT *, {text} AS _text FROM {scan}))
    """


def metric_type_message(name: str, dtype: object) -> str:
    """The message for a `metric` column that does not hold text."""
    return f"{name}: column 'metric' has type {dtype}; expected text (metric names such as 'csat')"


def _is_number(sql_type: str) -> bool:
    kind = sql_type.upper()
    return kind in (
        "DOUBLE",
        "FLOAT",
        "REAL",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
    ) or kind.startswith(("DECIMAL", "UBIGINT", "UINTEGER"))


def read_long_file(path: Path, name: str, context: ReadContext) -> Normalized:
    """A long metric file as a normalized frame (a lazy DuckDB relation on its own connection)."""
    con, scan, types = open_file(path, context.data_timezone or "UTC")
    check_columns(name, list(types), REQUIRED, context.labels)
    if not types["metric"].upper().startswith(("VARCHAR", "ENUM", '"NULL"')):
        con.close()
        raise DataError(metric_type_message(name, types["metric"]))
    relation = con.sql(normalize_sql(scan, types, context.labels))
    return Normalized(
        name,
        nw.from_native(relation),
        first_mixed_row=lambda: first_mixed_row(relation, con),
        close=con.close,
        connection=con,
    )


def first_mixed_row(relation: Any, con: Any) -> int | None:
    """The first data row whose timestamp has (or lacks) an offset unlike the first row's."""
    first = con.sql(
        f"SELECT _naive FROM ({relation.sql_query()}) WHERE _us IS NOT NULL LIMIT 1"
    ).fetchall()
    if not first:
        return None
    return first_row_with(
        relation.sql_query(), con, f"_us IS NOT NULL AND _naive <> {int(first[0][0])}"
    )


class FileReader:
    """A path to a long metric file."""

    def accepts(self, data: Any) -> bool:
        """Strings and paths."""
        from os import PathLike

        return isinstance(data, str | PathLike)

    def read(self, data: Any, index: int, context: ReadContext) -> Normalized:
        """The file's normalized frame."""
        return read_long_file(Path(data), str(data), context)


__all__ = [
    "OFFSET_PATTERN",
    "REQUIRED",
    "FileReader",
    "cell_sql",
    "count_sql",
    "csv_header",
    "engine_error",
    "first_row_with",
    "instant_sql",
    "metric_type_message",
    "naive_sql",
    "normalize_sql",
    "open_file",
    "quote",
    "read_long_file",
    "scan_sql",
]

"""What differs between data engines, in one place. Everything else is written once with narwhals.

- **Grouping sets.** The aggregation groups the events once per view. DuckDB runs all groupings in
  one scan, a filtered ``GROUP BY`` per set over one materialized projection; other engines group
  per set and concatenate (Polars' lazy engine shares the scan between them).
- **Fetching.** The grouped table comes back as NumPy columns: from DuckDB with ``fetchnumpy`` (no
  PyArrow needed), from other engines through narwhals. DuckDB keeps the groups in a temporary
  table and sends their text keys once per distinct set of them (keyed by their hash), not once
  per group; a large table comes a block (set and series) at a time.
- **Epoch microseconds** of a datetime column: Spark has no duration arithmetic in narwhals.
- **Unpivot** of a DuckDB relation runs on its own connection (narwhals uses the default one).

A new engine that narwhals supports needs nothing here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from smartgoals._calendar import EPOCH
from smartgoals._period import NO_KEY, reordered, run_starts, stable_order

SET_COLUMN = "_set"


@dataclass(frozen=True)
class GroupingSet:
    """One grouping of the projected rows.

    Attributes:
        member: the column that is true for the rows this set groups (None: every row).
        keys: output key name -> the projected column holding it for this set.
        computes: the names of the aggregates this set computes (None: every one); its groups
            hold each other aggregate's `Aggregate.empty`.
    """

    member: str | None
    keys: dict[str, str]
    computes: frozenset[str] | None = None

    def lacks(self, aggregate: Aggregate) -> bool:
        """Whether this set leaves `aggregate` out."""
        return self.computes is not None and aggregate.name not in self.computes


@dataclass(frozen=True)
class Aggregate:
    """One aggregate of every group: ``how`` (count, sum, min or max) of a projected column."""

    name: str
    column: str
    how: str
    empty: float = 0.0  # NOTE: the value of a group without any (min and max of no values)


HASH_COLUMN = "_hash"
TEXT_HASH = "hash({})"  # NOTE: DuckDB's 64-bit hash of the text keys, as SQL

Texts = dict[int, tuple[str | None, ...]]
Columns = dict[str, np.ndarray[Any, Any]]


@dataclass(frozen=True)
class Arrangement:
    """The order the groups come back in: by `blocks`, then within each block by `within`.

    `blocks` are integer keys every set has. `within` gives the keys a block's rows are ordered
    by (stably), from the block's other columns and the texts of the hashes (None when the text
    keys are columns).
    """

    blocks: tuple[str, ...]
    within: Callable[[Columns, Texts | None], list[np.ndarray[Any, Any]]]


@dataclass(frozen=True)
class Groups:
    """The grouped rows as NumPy columns, block by block, and the texts of their hashes.

    `blocks` maps the values of an arrangement's block keys to the columns of that block's rows
    (without the block keys, perhaps without the keys and aggregates its set lacks), in the
    arrangement's order; the blocks come in the order of their keys. With `texts`, the hashed
    text keys are not columns: each group has ``_hash`` instead, and `texts` maps it to the
    values of those keys, in the order they were named.
    """

    blocks: dict[tuple[int, ...], Columns]
    texts: Texts | None = None


def group(
    lf: nw.LazyFrame[Any],
    sets: Sequence[GroupingSet],
    aggregates: Sequence[Aggregate],
    integer_keys: frozenset[str],
    arrangement: Arrangement,
    hashed: Sequence[str] = (),
    connection: Any = None,
) -> Groups:
    """Group `lf` by every set and return the groups in the order of `arrangement`.

    Missing integer keys come back as `NO_KEY`, missing text as None. With `hashed` (text keys),
    an engine that can returns ``_hash``, a 64-bit hash of those keys per group, and their text
    once per hash, so that Python neither makes nor holds a string per group. Two texts never
    share a hash there: on such a collision the groups come back with their text and no hash. A
    DuckDB relation's `connection`, when known, runs the grouping as one statement.
    """
    if lf.implementation is nw.Implementation.DUCKDB:
        return _group_duckdb(lf, sets, aggregates, integer_keys, hashed, connection, arrangement)
    return _arranged(_group_narwhals(lf, sets, aggregates, integer_keys), arrangement, None)


def _arranged(columns: Columns, arrangement: Arrangement, texts: Texts | None) -> Groups:
    """The groups of `columns` ordered by `arrangement` and cut into its blocks."""
    keys = [columns.pop(name) for name in arrangement.blocks]
    order = stable_order(*keys, *arrangement.within(columns, texts))
    _reorder(columns, order)
    keys = [reordered(key, order) for key in keys]
    bounds = [*run_starts(*keys).tolist(), len(order)]
    blocks = {
        tuple(int(key[start]) for key in keys): {n: v[start:end] for n, v in columns.items()}
        for start, end in zip(bounds[:-1], bounds[1:], strict=True)
    }
    return Groups(blocks, texts)


def _reorder(columns: Columns, order: np.ndarray[Any, Any]) -> None:
    """Put every column in `order`, in place, each into the memory of the one before.

    Fresh memory for every column would cost a page fault per 4 KiB, more than the reordering.
    """
    spare: np.ndarray[Any, Any] | None = None
    for name, values in list(columns.items()):
        columns[name] = reordered(values, order, spare)
        spare = values if values.dtype != object and values.flags.writeable else None


def _group_narwhals(
    lf: nw.LazyFrame[Any],
    sets: Sequence[GroupingSet],
    aggregates: Sequence[Aggregate],
    integer_keys: frozenset[str],
) -> dict[str, np.ndarray[Any, Any]]:
    names = sorted({name for s in sets for name in s.keys})
    parts = []
    for index, grouping in enumerate(sets):
        rows = lf if grouping.member is None else lf.filter(nw.col(grouping.member))
        renamed = {f"_k{index}_{name}": nw.col(column) for name, column in grouping.keys.items()}
        grouped = (
            rows.with_columns(**renamed)
            .group_by(*renamed, drop_null_keys=False)
            .agg(*(_narwhals_aggregate(a) for a in aggregates if not grouping.lacks(a)))
            .rename({f"_k{index}_{name}": name for name in grouping.keys})
        )
        missing = [name for name in names if name not in grouping.keys]
        grouped = grouped.with_columns(
            nw.lit(index).cast(nw.Int64()).alias(SET_COLUMN),
            *(_null_key(name, integer_keys) for name in missing),
            *(nw.lit(a.empty).alias(a.name) for a in aggregates if grouping.lacks(a)),
            *(nw.col(n).cast(nw.Int64()) for n in grouping.keys if n in integer_keys),
            *(nw.col(n).cast(nw.String()) for n in grouping.keys if n not in integer_keys),
        )
        counts = [nw.col(a.name).cast(nw.Int64()) for a in aggregates if a.how == "count"]
        grouped = grouped.with_columns(*counts) if counts else grouped
        parts.append(grouped.select(SET_COLUMN, *names, *(a.name for a in aggregates)))
    frame = nw.concat(parts, how="vertical").with_columns(
        *(nw.col(name).fill_null(NO_KEY) for name in names if name in integer_keys),
        *(nw.col(a.name).cast(nw.Float64()).fill_null(a.empty) for a in aggregates),
    )
    eager = frame.collect()
    return {name: _plain(eager.get_column(name).to_numpy()) for name in eager.columns}


def _null_key(name: str, integer_keys: frozenset[str]) -> nw.Expr:
    if name in integer_keys:
        return nw.lit(NO_KEY).cast(nw.Int64()).alias(name)
    return nw.lit(None, dtype=nw.String()).alias(name)


def _narwhals_aggregate(aggregate: Aggregate) -> nw.Expr:
    if aggregate.how == "count":
        return nw.len().alias(aggregate.name)
    column = nw.col(aggregate.column)
    reduced = {"sum": column.sum, "min": column.min, "max": column.max}[aggregate.how]()
    return reduced.alias(aggregate.name)


def _group_duckdb(
    lf: nw.LazyFrame[Any],
    sets: Sequence[GroupingSet],
    aggregates: Sequence[Aggregate],
    integer_keys: frozenset[str],
    hashed: Sequence[str],
    connection: Any,
    arrangement: Arrangement,
) -> Groups:
    """The groups kept in a temporary table, fetched as numbers, and the texts once per hash.

    Fetched with the groups, each text column would cost an object per group in Python and a
    string per group in DuckDB's result (220 MiB at 10 million events and 1,000 goals).
    """
    relation = lf.to_native()
    names = sorted({name for s in sets for name in s.keys})
    sql = _grouped_sql(sets, names, aggregates, integer_keys)
    if not hashed:
        return _arranged(_fetch(relation, sql, connection), arrangement, None)
    table = _quote(f"_smartgoals_groups_{uuid.uuid4().hex}")
    texts = ", ".join(map(_quote, hashed))
    _run(
        relation,
        f"SELECT *, {TEXT_HASH.format(texts)} AS {HASH_COLUMN} FROM ({sql})",
        connection,
        into=table,
    )

    def fetch(selection: str, rest: str = "") -> Columns:
        sql = f"SELECT {selection} FROM {table} {rest}"
        return _columns(_on_connection(relation, sql, connection))

    def groups(selection: str, known: Texts | None) -> Groups:
        if not _in_order(relation, connection):
            return _arranged(fetch(selection), arrangement, known)
        if fetch("count(*) AS n")["n"][0] >= _BLOCKWISE:
            lacking = [
                set(names) - set(s.keys) | {a.name for a in aggregates if s.lacks(a)} for s in sets
            ]
            blocks = _fetched_by_block(fetch, selection, arrangement, known, lacking)
            return Groups(blocks, known)
        # NOTE: a column at a time, DuckDB's result and its NumPy copy never hold every column at
        # once (300 MiB less at 10 million events, and faster)
        columns = {name: fetch(_quote(name))[name] for name in fetch(selection, "LIMIT 0")}
        return _arranged(columns, arrangement, known)

    try:
        dictionary = fetch(f"DISTINCT {HASH_COLUMN}, {texts}")
        hashes = dictionary[HASH_COLUMN].tolist()
        if len(set(hashes)) == len(hashes):
            values = zip(*(dictionary[name].tolist() for name in hashed), strict=True)
            known = dict(zip(hashes, values, strict=True))
            return groups(f"* EXCLUDE ({texts})", known)
        # NOTE: two texts share a 64-bit hash (vanishingly rare): the groups with their text
        return groups(f"* EXCLUDE ({HASH_COLUMN})", None)
    finally:
        _on_connection(relation, f"DROP TABLE IF EXISTS {table}", connection)


_BLOCKWISE = 1_000_000  # NOTE: fewer groups: a query per column is faster than one per block


def _fetched_by_block(
    fetch: Callable[[str, str], Columns],
    selection: str,
    arrangement: Arrangement,
    texts: Texts | None,
    lacking: list[set[str]],
) -> dict[tuple[int, ...], Columns]:
    """The blocks of the columns of `selection`, each fetched on its own and then ordered.

    The rows come in the order they were inserted (the caller checks), so a block's rows keep
    their order until `arrangement` orders them. A block is ordered within memory the caches
    hold, and DuckDB's result and its NumPy copy hold one block at a time, never the table: at
    2.2 million groups, 0.2–0.3 s faster than a column at a time and one order of the table.
    At 650,000 groups it is 40 ms slower (DuckDB's fixed cost per query and column).

    With `SET_COLUMN` among the block keys, a block has no column for the keys and aggregates its
    set is `lacking` (they hold only `NO_KEY`, None or the aggregate's empty value there).
    """
    found = fetch(f"DISTINCT {', '.join(map(_quote, arrangement.blocks))}", "ORDER BY ALL")
    names = [n for n in fetch(selection, "LIMIT 0") if n not in arrangement.blocks]
    blocks = {}
    for key in zip(*(values.tolist() for values in found.values()), strict=True):
        block = dict(zip(found, key, strict=True))
        skipped = lacking[block[SET_COLUMN]] if SET_COLUMN in block else set()
        where = " AND ".join(f"{_quote(n)} = {int(v)}" for n, v in block.items())
        wanted = [n for n in names if n not in skipped]
        columns = fetch(", ".join(map(_quote, wanted)), f"WHERE {where}")
        _reorder(columns, stable_order(*arrangement.within(columns, texts)))
        blocks[tuple(int(v) for v in key)] = columns
    return blocks


def _grouped_sql(
    sets: Sequence[GroupingSet],
    names: list[str],
    aggregates: Sequence[Aggregate],
    integer_keys: frozenset[str],
) -> str:
    """One GROUP BY per set over the rows it groups, the projected rows computed once.

    DuckDB streams the projection to every set's aggregation; each aggregates only its own rows.
    ``GROUP BY GROUPING SETS`` would hash every row into every set (the rows of other sets under
    a null marker): 5–9 % slower at 10 million events and 1,000 goals.
    """

    def reduced(a: Aggregate) -> str:
        if a.how == "count":
            return f"count(*)::DOUBLE AS {_quote(a.name)}"
        return f"coalesce({a.how}({_quote(a.column)}), {_sql_float(a.empty)}) AS {_quote(a.name)}"

    parts = []
    for index, grouping in enumerate(sets):
        keys = [f"{_quote(column)} AS {_quote(name)}" for name, column in grouping.keys.items()]
        keys += [reduced(a) for a in aggregates if not grouping.lacks(a)]
        where = "" if grouping.member is None else f" WHERE {_quote(grouping.member)}"
        parts.append(
            f"SELECT {index} AS {SET_COLUMN}, {', '.join(keys)} FROM rows{where} GROUP BY ALL"
        )
    outputs = [SET_COLUMN]
    outputs += [
        f"coalesce({_quote(n)}, {NO_KEY}) AS {_quote(n)}" if n in integer_keys else _quote(n)
        for n in names
    ]
    outputs += [
        f"coalesce({_quote(a.name)}, {_sql_float(a.empty)}) AS {_quote(a.name)}"
        if any(s.lacks(a) for s in sets)
        else _quote(a.name)
        for a in aggregates
    ]
    # NOTE: DuckDB hands every materialized column to every set's scan; only the read ones go
    read = [s.member for s in sets if s.member is not None]
    read += [column for s in sets for column in s.keys.values()]
    read += [a.column for a in aggregates if a.how != "count" and not all(s.lacks(a) for s in sets)]
    columns = ", ".join(map(_quote, dict.fromkeys(read)))
    return (
        f"WITH rows AS MATERIALIZED (SELECT {columns} FROM projected) SELECT {', '.join(outputs)} "
        f"FROM ({' UNION ALL BY NAME '.join(parts)})"
    )


def _fetch(relation: Any, query: str, connection: Any) -> dict[str, np.ndarray[Any, Any]]:
    """The rows of `query` over `relation` (named ``projected`` in it) as NumPy columns."""
    return _columns(_run(relation, query, connection))


def _run(relation: Any, query: str, connection: Any, *, into: str = "") -> Any:
    """Run `query` over `relation` (named ``projected`` in it); with `into`, into a temp table."""
    create = f"CREATE TEMP TABLE {into} AS " if into else ""
    if connection is None:
        return relation.query("projected", create + query)
    # NOTE: a query on a relation binds the relation's SQL several times; one statement on its
    # connection binds it once (60 ms less for a file of 70,000 events)
    named = f"WITH projected AS ({relation.sql_query()})"
    body = f"{named}, {query[5:]}" if query.startswith("WITH ") else f"{named} {query}"
    return connection.execute(create + body)


def _on_connection(relation: Any, sql: str, connection: Any) -> Any:
    """Run `sql`, which does not read the relation, on the relation's connection."""
    return relation.query("projected", sql) if connection is None else connection.execute(sql)


def _in_order(relation: Any, connection: Any) -> bool:
    """Whether queries without ORDER BY return a table's rows in the order they were inserted."""
    setting = "SELECT current_setting('preserve_insertion_order')"
    return bool(_on_connection(relation, setting, connection).fetchall()[0][0])


def _columns(result: Any) -> dict[str, np.ndarray[Any, Any]]:
    return {name: _filled(values) for name, values in result.fetchnumpy().items()}


def _sql_float(value: float) -> str:
    if value == float("inf"):
        return "'inf'::DOUBLE"
    if value == float("-inf"):
        return "'-inf'::DOUBLE"
    return repr(float(value))


def _filled(values: Any) -> np.ndarray[Any, Any]:
    """A plain array from DuckDB's (possibly masked) one; masked text becomes None."""
    if isinstance(values, np.ma.MaskedArray):
        data = np.asarray(values.data, dtype=values.dtype).copy()
        if values.dtype == object:
            data[np.ma.getmaskarray(values)] = None
        return data
    return np.asarray(values)


def _plain(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Text columns hold str or None, whatever an engine writes for null (NaN, pandas' NA)."""
    if values.dtype != object:
        return values
    return np.array([v if isinstance(v, str) else None for v in values.tolist()], dtype=object)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def epoch_microseconds(column: nw.Expr, *, naive: bool, engine: nw.Implementation) -> nw.Expr:
    """Microseconds since the Unix epoch of a datetime column, in any engine."""
    if engine is nw.Implementation.PYSPARK:
        # NOTE: narwhals has no duration arithmetic on Spark; whole seconds plus the microseconds.
        return column.cast(nw.Int64()) * 1_000_000 + column.dt.microsecond()
    epoch = EPOCH.replace(tzinfo=None) if naive else EPOCH
    return (column - nw.lit(epoch)).dt.total_microseconds()


def unpivot(lf: nw.LazyFrame[Any], on: list[str]) -> nw.LazyFrame[Any]:
    """Columns `on` to rows (``_metric``, ``_value``), keeping every other column and nulls."""
    if lf.implementation is nw.Implementation.DUCKDB:
        # NOTE: narwhals runs DuckDB's UNPIVOT on the default connection; a file's relation lives
        # on its own connection, so the statement is run on the relation itself.
        columns = ", ".join(_quote(c) for c in on)
        relation = lf.to_native().query(
            "wide", f"SELECT * FROM wide UNPIVOT INCLUDE NULLS (_value FOR _metric IN ({columns}))"
        )
        result: nw.LazyFrame[Any] = nw.from_native(relation)
        return result
    index = [c for c in lf.collect_schema().names() if c not in on]
    return lf.unpivot(on=on, index=index, variable_name="_metric", value_name="_value")


__all__ = [
    "HASH_COLUMN",
    "SET_COLUMN",
    "Aggregate",
    "GroupingSet",
    "Groups",
    "Texts",
    "epoch_microseconds",
    "group",
    "unpivot",
]

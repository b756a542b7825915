"""The bad-data corpus: every broken input is counted by reason or refused with a clear message.

Each case in ``tests/cases/bad_data/`` is one YAML file:

- the data, as ``csv:`` or ``jsonl:`` text, or as ``rows:`` (a list of mappings) that become a pandas,
  Polars, PyArrow and DuckDB frame and a Parquet file;
- ``formats:`` to narrow or widen that (``csv``, ``csv.gz``, ``jsonl``, ``parquet``, ``pandas``,
  ``polars``, ``pyarrow``, ``duckdb``);
- optionally ``goals:`` (a goal file), ``export:`` (the data is a wide export with this mapping),
  ``as_of:`` and ``data_timezone:``;
- ``expect:`` either ``error:`` (a fragment of the one-line message) or the accounting: ``used``,
  ``rejected`` and ``skipped`` by reason (and ``read`` for an export, one row per ticket and mapped
  metric); ``expect_<format>:`` overrides it for one format.

For every readable case the rows read equal the rows of the case, counted here independently, and
read = used + rejected + skipped.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import smartgoals
from smartgoals import Export

CASES = sorted((Path(__file__).parent / "cases" / "bad_data").glob("*.yaml"))
FRAMES = ("pandas", "polars", "pyarrow", "duckdb", "parquet")
GOALS = """\
defaults: {owner: o@example.com, deadline: 2026-12-31, timezone: UTC, min_events: 1, window: 28d}
goals:
  - {id: csat, title: CSAT on all channels, metric: csat, target: 80%}
  - {id: reply, title: Reply on all channels, metric: first_response_time,
     threshold: 90% within 2 minutes}
"""


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case


def formats_of(case: dict[str, Any]) -> list[str]:
    if "formats" in case:
        return list(case["formats"])
    if "csv" in case:
        return ["csv", "csv.gz"]
    if "jsonl" in case:
        return ["jsonl"]
    return list(FRAMES)


PARAMS = [
    pytest.param(path, fmt, id=f"{path.stem}-{fmt}")
    for path in CASES
    for fmt in formats_of(load_case(path))
]


def pandas_frame(case: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(case["rows"], columns=case.get("columns"))
    for column, kind in case.get("types", {}).items():
        if kind == "category":
            frame[column] = frame[column].astype("category")
        elif kind in ("string", "float64"):
            frame[column] = frame[column].astype(kind)
    for column in case.get("timestamps", ["timestamp"]):
        if column in frame and not case.get("types", {}).get(column):
            frame[column] = pd.to_datetime(
                frame[column], utc=True, errors="coerce", format="ISO8601"
            )
    return frame


def data_of(case: dict[str, Any], fmt: str, folder: Path) -> tuple[Any, int]:
    """The case's data in `fmt`, and its number of rows counted without smartgoals."""
    if fmt in ("csv", "csv.gz", "jsonl"):
        text = case["jsonl" if fmt == "jsonl" else "csv"]
        path = folder / f"data.{fmt}"
        raw = text.encode("utf-8")
        if fmt == "csv.gz" and not case.get("plain"):
            raw = gzip.compress(raw)
            raw = raw[: len(raw) // 2] if case.get("truncate") else raw
        path.write_bytes(raw)
        return str(path), count_rows(text, fmt)
    frame = pandas_frame(case)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if fmt == "pandas":
        data: Any = frame
    elif fmt == "polars":
        data = pl.from_arrow(table)
    elif fmt == "pyarrow":
        data = table
    elif fmt == "duckdb":
        data = duckdb.from_arrow(table)
    else:
        path = folder / "data.parquet"
        pq.write_table(table, path)
        data = str(path)
    return data, len(frame)


def count_rows(text: str, fmt: str) -> int:
    """The data rows of a text case, counted by pandas (-1 when pandas cannot read it either)."""
    if fmt == "jsonl":
        return sum(1 for line in text.splitlines() if line.strip())
    if not text.strip():
        return 0
    try:
        return len(pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python"))
    except pd.errors.ParserError:
        return -1


def run_case(case: dict[str, Any], fmt: str, folder: Path) -> tuple[smartgoals.Report, int]:
    goals_path = folder / "goals.yaml"
    goals_path.write_text(case.get("goals", GOALS), encoding="utf-8")
    data, rows = data_of(case, fmt, folder)
    if "export" in case:
        data = Export(data, **case["export"])
    report = smartgoals.evaluate(
        goals_path,
        data,
        as_of=case.get("as_of", "2026-11-22"),
        data_timezone=case.get("data_timezone"),
    )
    return report, rows


@pytest.mark.parametrize(("path", "fmt"), PARAMS)
def test_bad_data_case(path, fmt, tmp_path):
    case = load_case(path)
    expect = case.get(f"expect_{fmt.replace('.', '_')}", case["expect"])
    if "error" in expect:
        with pytest.raises(smartgoals.SmartGoalsError) as raised:
            run_case(case, fmt, tmp_path)
        message = str(raised.value)
        assert expect["error"] in message
        assert "\n" not in message.strip()
        return
    report, rows = run_case(case, fmt, tmp_path)
    (quality,) = report.data_quality
    assert quality.read == expect.get("read", rows)
    assert quality.read == quality.used + quality.rejected_total + quality.skipped_total
    assert quality.used == expect["used"]
    assert quality.rejected == expect.get("rejected", {})
    if "skipped" in expect:
        assert quality.skipped == expect["skipped"]
    json.dumps(report.to_dict(), allow_nan=False)


def test_corpus_is_large_and_covers_every_format():
    cases = [load_case(p) for p in CASES]
    assert len(CASES) >= 60
    covered = {fmt for case in cases for fmt in formats_of(case)}
    assert covered >= {"csv", "csv.gz", "jsonl", "parquet", *FRAMES}
    for path, case in zip(CASES, cases, strict=True):
        assert case.get("about"), path.name

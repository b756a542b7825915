"""The same goals over every engine and input form give the same report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smartgoals
from smartgoals import Report, _engines
from tests.conftest import AS_OF, EXAMPLE_GOALS, events_frame


def assert_same(left: Report, right: Report) -> None:
    """Identical statuses and counts; float values equal to a relative 1e-12."""
    assert [g.id for g in left.goals] == [g.id for g in right.goals]
    for a, b in zip(left.goals, right.goals, strict=True):
        assert (a.status, a.events, a.good, a.pending, a.open_events, a.met) == (
            b.status,
            b.events,
            b.good,
            b.pending,
            b.open_events,
            b.met,
        ), a.id
        for name in ("value", "progress", "forecast", "p_success", "baseline"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), (a.id, name)
            if x is not None:
                assert x == pytest.approx(y, rel=1e-12, abs=1e-12), (a.id, name)
        assert [(p.start, p.events) for p in a.weekly] == [(p.start, p.events) for p in b.weekly]


def to_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [
        {str(k): v for k, v in r.items()} | {"timestamp": r["timestamp"].isoformat()}
        for r in records
    ]


@pytest.fixture(scope="module")
def goals() -> smartgoals.GoalSet:
    return smartgoals.load(EXAMPLE_GOALS)


@pytest.fixture(scope="module")
def reference(goals, ticket_events) -> Report:
    return smartgoals.evaluate(goals, ticket_events, as_of=AS_OF)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.assign(timestamp=frame["timestamp"].map(lambda t: t.isoformat())).to_csv(
        path, index=False
    )
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_parquet(path)
    return path


CONVERSIONS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "polars": lambda f, _: pl.from_pandas(f),
    "polars-lazy": lambda f, _: pl.from_pandas(f).lazy(),
    "pyarrow": lambda f, _: pa.Table.from_pandas(f, preserve_index=False),
    "duckdb": lambda f, _: duckdb.from_arrow(pa.Table.from_pandas(f, preserve_index=False)),
    "rows": lambda f, _: to_rows(f),
    "csv-file": lambda f, tmp: str(write_csv(f, tmp / "events.csv")),
    "parquet-file": lambda f, tmp: str(write_parquet(f, tmp / "events.parquet")),
}


@pytest.mark.parametrize("engine", list(CONVERSIONS))
def test_engines_agree(engine, goals, ticket_events, reference, tmp_path):
    data = CONVERSIONS[engine](ticket_events, tmp_path)
    assert_same(reference, smartgoals.evaluate(goals, data, as_of=AS_OF))


def test_a_read_only_database_is_read_and_left_as_it_was(goals, ticket_events, reference, tmp_path):
    path = str(tmp_path / "events.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE events AS SELECT * FROM ticket_events")
    with duckdb.connect(path, read_only=True) as con:
        assert_same(reference, smartgoals.evaluate(goals, con.table("events"), as_of=AS_OF))
        tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert tables == [("events",)]  # NOTE: the temporary table of the groups is gone


def test_a_connection_free_to_reorder_rows_agrees(goals, ticket_events, reference):
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = false")
        events = con.from_arrow(pa.Table.from_pandas(ticket_events, preserve_index=False))
        assert_same(reference, smartgoals.evaluate(goals, events, as_of=AS_OF))


@pytest.mark.parametrize("text_hash", ["hash({})", "hash({}) % 3"])
def test_groups_fetched_block_by_block_give_the_same_report(
    goals, ticket_events, tmp_path, monkeypatch, text_hash
):
    data = str(write_parquet(ticket_events, tmp_path / "events.parquet"))
    monkeypatch.setattr(_engines, "TEXT_HASH", text_hash)  # NOTE: % 3: the texts as columns
    whole = smartgoals.evaluate(goals, data, as_of=AS_OF)
    fetched: list[int] = []
    by_block = _engines._fetched_by_block

    def spied(*args: Any) -> Any:
        blocks = by_block(*args)
        fetched.append(len(blocks))
        return blocks

    monkeypatch.setattr(_engines, "_BLOCKWISE", 0)
    monkeypatch.setattr(_engines, "_fetched_by_block", spied)
    # NOTE: the same order of the groups, so the same sums to the last bit
    assert smartgoals.evaluate(goals, data, as_of=AS_OF).to_dict() == whole.to_dict()
    assert len(fetched) == 1
    assert fetched[0] > 10


def test_dask_agrees(goals, ticket_events, reference):
    import dask.dataframe as dd

    data = dd.from_pandas(ticket_events, npartitions=4)
    assert_same(reference, smartgoals.evaluate(goals, data, as_of=AS_OF))


def test_pyspark_agrees(goals, ticket_events, reference, spark):
    data = spark.createDataFrame(ticket_events)
    assert_same(reference, smartgoals.evaluate(goals, data, as_of=AS_OF))


def test_reference_report_exercises_every_status(reference):
    assert set(reference.summary) == {s.value for s in smartgoals.Status}
    assert sum(reference.summary.values()) == len(reference.goals)


small = events_frame(per_day=8)
small_polars = pl.from_pandas(small)


@pytest.fixture(scope="module")
def small_reference(goals) -> Report:
    return smartgoals.evaluate(goals, small_polars, as_of=AS_OF)


@settings(max_examples=12)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_result_independent_of_row_order(goals, small_reference, seed):
    shuffled = small_polars.sample(fraction=1.0, shuffle=True, seed=seed)
    assert_same(small_reference, smartgoals.evaluate(goals, shuffled, as_of=AS_OF))


@settings(max_examples=12)
@given(
    st.lists(
        st.integers(min_value=1, max_value=len(small) - 1), min_size=1, max_size=4, unique=True
    )
)
def test_result_independent_of_splitting(goals, small_reference, cuts):
    bounds = [0, *sorted(cuts), len(small)]
    parts = [small_polars.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)]
    assert_same(small_reference, smartgoals.evaluate(goals, parts, as_of=AS_OF))


@settings(max_examples=15)
@given(st.integers(min_value=1, max_value=200), st.floats(min_value=0, max_value=120))
def test_adding_good_events_never_lowers_a_share(goals, extra, seconds):
    chat = goals.select(ids=("chat-first-response",))
    before = smartgoals.evaluate(chat, small, as_of=AS_OF).goals[0]
    good = pd.DataFrame(
        {
            "timestamp": [pd.Timestamp("2026-11-20T10:00:00Z")] * extra,
            "metric": "first_response_time",
            "value": seconds,
            "channel": "chat",
            "tier": "gold",
            "team": "chat",
            "agent": "alice",
            "count": float("nan"),
        }
    )
    after = smartgoals.evaluate(chat, [small, good], as_of=AS_OF).goals[0]
    assert before.value is not None
    assert after.value is not None
    assert after.value >= before.value
    assert after.events == before.events + extra


BLANK_GOALS = """
goals:
  - {id: chat, title: Chat, owner: ops, metric: first_response_time, where: {channel: chat},
     threshold: "80% within 2 minutes", deadline: 2026-12-31}
  - {id: each, title: Each, owner: ops, metric: first_response_time, for_each: channel,
     threshold: "80% within 2 minutes", deadline: 2026-12-31}
"""


def test_an_empty_label_is_no_value_in_every_source(tmp_path):
    (tmp_path / "goals.yaml").write_text(BLANK_GOALS)
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"]),
            "metric": "first_response_time",
            "value": [30.0, 300.0],
            "channel": ["", "email"],
        }
    )
    frame.to_csv(tmp_path / "events.csv", index=False)  # NOTE: the empty string is an empty field
    frame.to_parquet(tmp_path / "events.parquet")  # NOTE: and stays an empty string here
    goals = smartgoals.load(tmp_path / "goals.yaml")
    sources = [frame, pl.from_pandas(frame), str(tmp_path / "events.csv")]
    sources.append(str(tmp_path / "events.parquet"))
    reports = [smartgoals.evaluate(goals, s, as_of=AS_OF) for s in sources]
    for report in reports:
        assert [g.id for g in report.goals] == ["chat", "each", "each/email"]
        assert report.unmatched == reports[0].unmatched
        assert reports[0].unmatched[0].seen == ("email",)

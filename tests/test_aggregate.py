"""Turning the engine's grouped rows into segments: the label values decide, never the hash."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smartgoals
from smartgoals import _aggregate, _engines
from smartgoals._aggregate import LABEL, _hash_ranks, _numbered, _segments
from smartgoals._engines import HASH_COLUMN

label_values = st.sampled_from(["alice", "bob", "chat", "email", "", None])
rows = st.lists(st.tuples(label_values, label_values), max_size=60)


@given(rows)
def test_segments_from_the_groups_text(labels):
    result = {
        f"{LABEL}0": np.array([a for a, _ in labels], dtype=object),
        f"{LABEL}1": np.array([b for _, b in labels], dtype=object),
    }
    segments, segment = _segments(result, slice(0, len(labels)), 2, None)
    assert [segments[s] for s in segment.tolist()] == labels  # each row keeps its own values
    assert len(set(segments)) == len(segments)  # one segment per distinct pair of values
    assert segment.dtype == np.int64


@given(rows, st.integers(1, 2))
def test_segments_from_the_dictionary_of_hashes(labels, width):
    texts = {hash(v) % 2**63: v for v in set(labels)}
    hashes = np.array([hash(v) % 2**63 for v in labels], dtype=np.uint64)
    segments, segment = _segments({HASH_COLUMN: hashes}, slice(0, len(labels)), width, texts)
    assert [segments[s] for s in segment.tolist()] == [v[:width] for v in labels]
    assert len(set(hashes.tolist())) == len(segments)


hash_values = st.integers(0, 2**64 - 1)


@given(
    st.lists(hash_values, min_size=1, max_size=200, unique=True),
    st.integers(0, 16),
    st.lists(st.integers(0, 10**6), max_size=300),
)
def test_hash_ranks_are_positions_in_the_sorted_hashes(spread, crowded, picks):
    # NOTE: up to 17 hashes in the first one's slice: stepped over up to 8, searched beyond
    distinct = sorted(set(spread) | {(spread[0] & ~0xFFFF) + i for i in range(crowded)})
    known = np.array(distinct, dtype=np.uint64)
    hashes = known[[p % len(known) for p in picks]]
    assert _hash_ranks(known, hashes).tolist() == np.searchsorted(known, hashes).tolist()


def test_segments_without_labels_are_one():
    segments, segment = _segments({}, slice(0, 4), 0, None)
    assert segments == [()]
    assert segment.tolist() == [0, 0, 0, 0]


GOALS = """
goals:
  - {id: per-agent, title: Replies, owner: ops, metric: first_response_time,
     for_each: agent, threshold: "80% within 2 minutes", window: 7d, deadline: 2026-12-31}
  - {id: email, title: Email, owner: ops, metric: first_response_time, where: {channel: Email},
     threshold: "80% within 2 minutes", window: 7d, deadline: 2026-12-31}
"""


def _events(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-11-10", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 12 * 86_400, n), unit="s"),
            "metric": "first_response_time",
            "value": rng.lognormal(4, 1, n).round(1),
            "agent": [f"agent {i}" for i in rng.integers(0, 40, n)],
            "channel": rng.choice(["chat", "email"], n),
        }
    )


@pytest.mark.parametrize("text_hash", ["hash({}) % 3", "hash({})"])
def test_label_hashes_that_collide_change_nothing(tmp_path, monkeypatch, text_hash):
    (tmp_path / "goals.yaml").write_text(GOALS)
    _events(3_000).to_csv(tmp_path / "events.csv", index=False)
    goals = smartgoals.load(tmp_path / "goals.yaml")
    expected = smartgoals.evaluate(goals, _events(3_000), as_of=date(2026, 11, 22))
    monkeypatch.setattr(_engines, "TEXT_HASH", text_hash)
    hashed, group = [], _engines.group

    def spied(*args: Any) -> _engines.Groups:
        groups = group(*args)
        hashed.append(groups.texts is not None)
        return groups

    monkeypatch.setattr(_aggregate, "group", spied)
    report = smartgoals.evaluate(goals, str(tmp_path / "events.csv"), as_of=date(2026, 11, 22))
    assert without_sources(report) == without_sources(expected)
    assert len(report.goals) == 42
    assert report.unmatched == expected.unmatched
    assert [u.suggestion for u in report.unmatched] == ["email"]  # read from the label texts
    assert hashed == ["%" not in text_hash]  # on a collision the groups come with their text


BACKLOG = """
  - {id: backlog, title: Backlog, owner: ops, metric: backlog, where: {channel: chat},
     target: "<= 40", kind: maintain, window: 7d, deadline: 2026-12-31}
"""


@pytest.mark.parametrize("readings", [False, True])
def test_only_views_that_keep_readings_group_by_their_instant(tmp_path, monkeypatch, readings):
    events = _events(2_000)
    backlog = events.head(50).assign(
        timestamp=pd.date_range("2026-11-10", periods=50, freq="6h", tz="UTC"),
        metric="backlog",
        value=range(50),
        channel="chat",
    )
    (tmp_path / "goals.yaml").write_text(GOALS + (BACKLOG if readings else ""))
    goals = smartgoals.load(tmp_path / "goals.yaml")
    keys, group = [], _engines.group

    def spied(lf: Any, sets: Any, *args: Any) -> _engines.Groups:
        keys.append(["_instant" in s.keys for s in sets[1:]])
        return group(lf, sets, *args)

    monkeypatch.setattr(_aggregate, "group", spied)
    report = smartgoals.evaluate(goals, pd.concat([events, backlog]), as_of=date(2026, 11, 22))
    assert keys == [[False, readings]]  # NOTE: the per-agent view, then the one by channel
    if readings:
        (latest,) = [g for g in report.goals if g.id == "backlog"]
        assert latest.value == 49  # NOTE: the latest reading of the window


def without_sources(report: smartgoals.Report) -> dict:
    data = report.to_dict()
    data.pop("data_quality")
    return data


hashes = st.one_of(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1))  # NOTE: repeats, extremes


@given(st.lists(hashes, max_size=50), st.booleans())
def test_numbered_gives_each_row_the_number_of_its_hash(hashes, ordered):
    values = np.array(sorted(hashes) if ordered else hashes, dtype=np.int64)
    first, number = _numbered(values)
    distinct = sorted(set(values.tolist()))
    assert values[first].tolist() == distinct
    assert number.tolist() == [distinct.index(v) for v in values.tolist()]

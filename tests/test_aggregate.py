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
from smartgoals._aggregate import LABEL, _segments
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


def without_sources(report: smartgoals.Report) -> dict:
    data = report.to_dict()
    data.pop("data_quality")
    return data

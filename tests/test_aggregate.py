"""Turning the engine's grouped rows into segments: the label values decide, never the hash."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from smartgoals._aggregate import LABEL, _segments
from smartgoals._engines import HASH_COLUMN

label_values = st.sampled_from(["alice", "bob", "chat", "email", "", None])
rows = st.lists(st.tuples(label_values, label_values), max_size=60)


def grouped_result(labels: list[tuple[str | None, str | None]], hashes: list[int]) -> dict:
    return {
        f"{LABEL}0": np.array([a for a, _ in labels], dtype=object),
        f"{LABEL}1": np.array([b for _, b in labels], dtype=object),
        HASH_COLUMN: np.array(hashes, dtype=np.uint64),
    }


def distinct_hash(values: tuple[str | None, str | None]) -> int:
    return sum((len(v) + 7 if v is not None else 1) * 131**k for k, v in enumerate(values))


def colliding_hash(values: tuple[str | None, str | None]) -> int:
    return distinct_hash(values) % 3  # NOTE: different label values share a hash


@given(rows, st.sampled_from([distinct_hash, colliding_hash]))
def test_segments_follow_the_label_values(labels, hash_of):
    result = grouped_result(labels, [hash_of(v) for v in labels])
    segments, segment = _segments(result, slice(0, len(labels)), 2)
    assert [segments[s] for s in segment.tolist()] == labels  # each row keeps its own values
    assert len(set(segments)) == len(segments)  # one segment per distinct pair of values
    assert segment.dtype == np.int64


def test_segments_without_labels_are_one():
    segments, segment = _segments({}, slice(0, 4), 0)
    assert segments == [()]
    assert segment.tolist() == [0, 0, 0, 0]

"""Fuzzing: random goal documents and random event tables never break smartgoals.

Loading and evaluation raise nothing but `SmartGoalsError`; the JSON report validates against its
schema; every row read is used, rejected or skipped; results do not depend on row order, on how the
rows are split into files, or on the engine holding them.

The examples per property come from ``SMARTGOALS_FUZZ_EXAMPLES`` (default 30, about a minute for
the module on two cores); a longer run: ``SMARTGOALS_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import polars as pl
import pyarrow as pa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smartgoals

EXAMPLES = int(os.environ.get("SMARTGOALS_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
AS_OF = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
METRICS = ["csat", "nps", "first_response_time", "resolution_time", "ticket_volume", "backlog"]
GOALS = """\
defaults: {owner: o@example.com, deadline: 2026-12-31, timezone: Europe/Berlin, min_events: 1,
           start: 2026-10-01}
goals:
  - {id: csat, title: CSAT on all channels, metric: csat, target: 80%, baseline: 70%}
  - {id: chat-reply, metric: first_response_time, where: {channel: chat},
     threshold: 80% within 2 minutes, kind: maintain}
  - {id: p90, title: Resolution on all channels, metric: resolution_time, statistic: p90,
     target: "<= 1 day"}
  - {id: nps, metric: nps, target: 30, kind: maintain, window: week}
  - {id: volume, metric: ticket_volume, target: "<= 500", kind: maintain}
"""


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three draws in four from `common`, one from `rare`.

    Each column is mostly realistic (so that goals have events to judge), with a share of edge
    cases: dates far away, unknown metrics, NaN, infinities, huge and tiny numbers, unicode.
    """
    return st.integers(0, 3).flatmap(lambda i: rare if i == 0 else common)


instants = mostly(
    st.datetimes(datetime(2026, 10, 20), datetime(2026, 11, 23)),
    st.datetimes(datetime(1900, 1, 1), datetime(2262, 1, 1)),
).map(lambda d: d.replace(tzinfo=UTC))
numbers = mostly(
    st.one_of(st.integers(1, 5).map(float), st.floats(min_value=0, max_value=5000)),
    st.one_of(
        st.sampled_from([0.0, -0.0, -5.0, 1e-300, 1e300, 11.0]),
        st.floats(allow_nan=False, allow_infinity=True),
    ),
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "timestamp": instants,
            "metric": mostly(st.sampled_from(METRICS), st.text(max_size=8)),
            "value": mostly(numbers, st.none()),
            "channel": mostly(st.sampled_from(["chat", "email"]), st.text(max_size=6)),
            "count": mostly(st.none(), st.one_of(st.floats(min_value=0, max_value=50), numbers)),
        }
    ),
    min_size=1,
    max_size=60,
)


def frame_of(events: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(events, columns=["timestamp", "metric", "value", "channel", "count"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["value"] = frame["value"].astype("float64")
    frame["count"] = frame["count"].astype("float64")
    return frame


def csv_text(events: list[dict[str, Any]]) -> str:
    """The events as a CSV file, numbers written exactly (repr) and an empty cell for None."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, float):
            return repr(value)
        return '"' + str(value).replace('"', '""') + '"'

    lines = ["timestamp,metric,value,channel,count"]
    lines += [
        ",".join(cell(e[k]) for k in ("timestamp", "metric", "value", "channel", "count"))
        for e in events
    ]
    return "\n".join(lines) + "\n"


def goals_file(text: str = GOALS) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def goals_only(report: smartgoals.Report) -> list[dict[str, Any]]:
    return report.to_dict()["goals"]


def evaluate(goals: Path, data: Any) -> smartgoals.Report | None:
    """The report, or None when smartgoals refused the input with one of its own errors."""
    refused: smartgoals.SmartGoalsError | None = None
    try:
        return smartgoals.evaluate(goals, data, as_of=AS_OF)
    except smartgoals.SmartGoalsError as error:
        refused = error
    assert str(refused).strip(), "an error says what is wrong"
    return None


@FUZZ
@given(events=rows)
def test_random_tables_are_counted_and_reported(events):
    goals = goals_file()
    path = goals.parent / "events.csv"
    path.write_text(csv_text(events), encoding="utf-8")
    for data in (str(path), frame_of(events)):
        report = evaluate(goals, data)
        if report is None:
            continue
        (quality,) = report.data_quality
        assert quality.read == len(events)
        assert quality.read == quality.used + quality.rejected_total + quality.skipped_total
        document = json.loads(json.dumps(report.to_dict(), allow_nan=False))
        jsonschema.validate(document, smartgoals.report_schema())


@FUZZ
@given(events=rows, seed=st.randoms(use_true_random=False), cut=st.integers(0, 40))
def test_row_order_and_file_splits_do_not_matter(events, seed, cut):
    goals = goals_file()
    whole = evaluate(goals, frame_of(events))
    shuffled = list(events)
    seed.shuffle(shuffled)
    again = evaluate(goals, frame_of(shuffled))
    if whole is None or again is None:
        assert whole is again
        return
    assert goals_only(again) == goals_only(whole)
    cut = min(cut, len(events))
    parts = [frame_of(events[:cut]), frame_of(events[cut:])] if 0 < cut < len(events) else None
    if parts is not None:
        split = evaluate(goals, parts)
        assert split is not None
        assert goals_only(split) == goals_only(whole)
        assert sum(q.read for q in split.data_quality) == len(events)


def finite(value: Any) -> Any:
    return value if value is None or math.isfinite(value) else None


finite_rows = rows.map(lambda events: [{**e, "value": finite(e["value"])} for e in events])


@FUZZ
@given(events=finite_rows)
def test_engines_agree(events):
    goals = goals_file()
    frame = frame_of(events)
    path = goals.parent / "events.csv"
    path.write_text(csv_text(events), encoding="utf-8")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    results = [evaluate(goals, d) for d in (frame, pl.from_pandas(frame), table, str(path))]
    reports = [r for r in results if r is not None]
    assert len(reports) in (0, len(results))
    for other in reports[1:]:
        assert goals_only(other) == goals_only(reports[0])


goal_fields = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["a", "b-1", "team"]), st.text(max_size=6))},
    optional={
        "title": st.text(max_size=20),
        "owner": st.one_of(st.just("o@example.com"), st.text(max_size=4), st.integers()),
        "metric": st.one_of(st.sampled_from(METRICS), st.text(max_size=6)),
        "target": st.one_of(
            st.sampled_from(["90%", "<= 4 hours", 45, "4.5", "-3", "1e400", "", "≥ 9"]),
            st.floats(allow_nan=True),
        ),
        "threshold": st.sampled_from(["90% within 2 minutes", "80% under 60s", "1% within", "x"]),
        "deadline": st.one_of(
            st.dates().map(str), st.sampled_from(["2026-12-31", "9999-12-31", "tomorrow"])
        ),
        "start": st.one_of(st.dates().map(str), st.just("2026-10-01")),
        "kind": st.sampled_from(["achieve", "maintain", "both"]),
        "window": st.sampled_from(["28d", "0d", "week", "month", "to-date", "-1d", "99999d"]),
        "where": st.one_of(
            st.fixed_dictionaries({"channel": st.sampled_from(["chat", ["chat", "email"], ""])}),
            st.text(max_size=4),
        ),
        "for_each": st.sampled_from(["channel", "agent", ""]),
        "parent": st.sampled_from(["team", "a", "nobody"]),
        "min_events": st.one_of(st.integers(-5, 100), st.just("many")),
        "timezone": st.sampled_from(["Europe/Berlin", "UTC", "Mars/Base", ""]),
        "statistic": st.sampled_from(["p90", "median", "p0", "p101", "mean", "mode"]),
        "baseline": st.sampled_from(["70%", "2 hours", 3, "x"]),
        "milestones": st.lists(
            st.fixed_dictionaries(
                {"by": st.dates().map(str), "target": st.sampled_from(["85%", 1])}
            ),
            max_size=2,
        ),
        "review": st.sampled_from(["FREQ=WEEKLY", "FREQ=NEVER", ""]),
    },
)


@FUZZ
@given(goals=st.lists(goal_fields, max_size=4))
def test_random_goal_documents_load_or_fail_cleanly(goals):
    text = yaml.safe_dump({"goals": goals}, allow_unicode=True)
    path = goals_file(text)
    problems: list[smartgoals.Problem] = []
    try:
        loaded = smartgoals.load(path)
    except smartgoals.GoalFileError as error:
        problems = list(error.problems)
    if problems:
        assert all(p.span.line >= 1 for p in problems)
        return
    smartgoals.lint(loaded, as_of=AS_OF)
    events = [
        {"timestamp": AS_OF - timedelta(days=d), "metric": m, "value": v, "channel": "chat"}
        for d, (m, v) in enumerate([("csat", 5.0), ("first_response_time", 60.0), ("nps", 9.0)])
    ]
    report = evaluate(path, frame_of([{**e, "count": None} for e in events]))
    if report is not None:
        jsonschema.validate(json.loads(json.dumps(report.to_dict())), smartgoals.report_schema())

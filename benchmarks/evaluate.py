"""Time the pure evaluation of many goals over one period table, against aggregation of its data.

    python benchmarks/evaluate.py --goals 1000

Builds a goal file with N goals (thresholds, means, medians, CSAT, NPS over channels, tiers and
agents), aggregates one generated data set once, then times `evaluate_table` alone. Prints the
per-goal time and the ratio of evaluation to aggregation.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

import smartgoals
from smartgoals._aggregate import aggregate, build_plan
from smartgoals._evaluate import evaluate_table
from smartgoals._sample import daily_rows, ticket_rows
from smartgoals._sources import normalize_frame

KINDS = [
    "{metric: first_response_time, where: {channel: %s}, threshold: 90%% within 2 minutes}",
    "{metric: first_response_time, where: {channel: %s}, target: '<= 2 hours'}",
    "{metric: resolution_time, where: {channel: %s}, statistic: p90, target: '<= 1 day'}",
    "{metric: csat, where: {channel: %s}, target: 85%%, baseline: 80%%}",
    "{metric: nps, where: {channel: %s}, target: 40}",
]


def goal_file(count: int) -> str:
    """A goal file with `count` goals cycling through kinds, channels and agents."""
    lines = [
        "defaults: {owner: o@example.com, timezone: Europe/Berlin, start: 2026-09-01,",
        "           deadline: 2026-12-31, window: 28d}",
        "goals:",
    ]
    channels = ["chat", "email", "phone", "social"]
    for i in range(count):
        body = KINDS[i % len(KINDS)] % channels[(i // len(KINDS)) % len(channels)]
        lines.append(f"  - {{id: goal-{i}, title: Goal {i}, {body[1:]}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Aggregate once, evaluate N goals, print the times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--goals", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "goals.yaml"
        path.write_text(goal_file(args.goals))
        goals = smartgoals.load(path)
    rows = [
        *ticket_rows(date(2026, 6, 1), date(2026, 11, 23), 200),
        *daily_rows(date(2026, 6, 1), date(2026, 11, 23)),
    ]
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC"),
        pl.col("value").cast(pl.String).replace("", None).cast(pl.Float64),
        pl.col("count").cast(pl.String).replace("", None).cast(pl.Float64),
    )
    as_of = date(2026, 11, 22)
    plan = build_plan(goals, as_of, "Europe/Berlin")
    offsets = plan.offsets[0]
    started = time.perf_counter()
    table = aggregate(normalize_frame(frame, "bench", plan.labels, offsets), plan, "bench")
    aggregated = time.perf_counter() - started
    started = time.perf_counter()
    results = evaluate_table(goals, table, as_of)
    evaluated = time.perf_counter() - started
    print(f"{len(frame):,} rows, {len(table.cells):,} cells, {len(results):,} goals")
    print(
        f"aggregate {aggregated:.3f}s  evaluate {evaluated:.3f}s "
        f"({evaluated / len(results) * 1000:.2f} ms per goal, {evaluated / aggregated:.2f}x aggregate)"
    )


if __name__ == "__main__":
    main()

"""The benchmark workload: a seeded year of support events and goal files at three scales.

Events are long-format rows (``timestamp, metric, value, channel, tier, team, agent``) of six
metrics for 1,000 agents in ten teams of 100, over the year up to 2026-11-22. They are shaped like a
real export: more contacts on weekdays and in office hours, log-normal durations, 1 % of first
responses still open (an empty value), CSAT 1–5, NPS 0–10 from gold customers, first-contact
resolution as 0/1. Timestamps carry ``Z`` in CSV and are ``TIMESTAMPTZ`` in Parquet.

Goals, all in Europe/Berlin:

- S1: 100 team goals (service standards, p90 and median, means, CSAT, NPS, FCR; windows 7d, 28d,
  month and quarter; filters on channel, tier and team);
- S2: S1 plus 9 goals with ``for_each: agent`` within one team each (100 agents): 1,009 results;
- S3: S1 plus 10 goals with ``for_each: agent`` over all 1,000 agents: 10,110 results.
"""

from __future__ import annotations

from pathlib import Path

AS_OF = "2026-11-22"
END_S = 1_795_388_400  # 2026-11-23T00:00:00+01:00
AGENTS = 1_000
TEAMS = 10
CHANNELS = ("chat", "email", "phone", "social")
TIERS = ("gold", "silver", "bronze")
METRICS = ("first_response_time", "resolution_time", "handle_time", "csat", "nps", "fcr_rate")
SHARES = (0.42, 0.12, 0.16, 0.14, 0.04, 0.12)


def write_events(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` events to `path` (``.csv`` or ``.parquet``)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    metric = rng.choice(len(METRICS), rows, p=SHARES)
    day = rng.integers(0, 365, rows)
    weekend = ((day + 3) % 7) >= 5  # NOTE: day 0 is 2025-11-23, a Sunday; +3 puts Monday at 0
    keep = ~weekend | (rng.random(rows) < 0.5)
    day = np.where(keep, day, rng.integers(0, 365, rows))
    seconds = END_S - (365 - day) * 86_400 + rng.normal(13 * 3600, 3 * 3600, rows).clip(0, 86_399)
    agent = rng.integers(0, AGENTS, rows)
    channel = rng.choice(len(CHANNELS), rows, p=[0.44, 0.33, 0.2, 0.03])
    value = _values(rng, metric, rows)
    order = np.argsort(seconds, kind="stable")
    frame = pl.DataFrame(
        {
            "timestamp": pl.Series((seconds[order] * 1_000_000).astype("int64")).cast(
                pl.Datetime("us", "UTC")
            ),
            "metric": np.array(METRICS)[metric[order]],
            "value": value[order],
            "channel": np.array(CHANNELS)[channel[order]],
            "tier": np.array(TIERS)[rng.choice(3, rows, p=[0.15, 0.35, 0.5])],
            "team": np.array([f"team{t:02}" for t in range(TEAMS)])[agent[order] % TEAMS],
            "agent": np.array([f"agent{a:04}" for a in range(AGENTS)])[agent[order]],
        }
    ).with_columns(pl.col("value").fill_nan(None))
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(path)


def _values(rng, metric, rows):  # type: ignore[no-untyped-def]
    import numpy as np

    frt = rng.lognormal(np.log(60), 1.0, rows).round(1)
    frt = np.where(rng.random(rows) < 0.01, np.nan, frt)
    by_metric = [
        frt,
        rng.lognormal(np.log(8 * 3600), 0.9, rows).round(0),
        rng.lognormal(np.log(420), 0.5, rows).round(0),
        rng.choice([1, 2, 3, 4, 5], rows, p=[0.05, 0.05, 0.08, 0.32, 0.5]).astype(float),
        rng.integers(0, 11, rows).astype(float),
        (rng.random(rows) < 0.74).astype(float),
    ]
    return np.choose(metric, by_metric)


HEADER = """\
defaults:
  owner: support-lead@example.com
  timezone: Europe/Berlin
  start: 2026-07-01
  deadline: 2026-12-31
goals:
"""


def _team_goals() -> list[str]:
    segments = [f"channel: {c}" for c in CHANNELS] + [f"tier: {t}" for t in TIERS]
    segments += [f"team: team{t:02}" for t in range(TEAMS)]
    kinds = [
        "metric: first_response_time, threshold: 90% within 2 minutes, kind: maintain, window: 7d",
        "metric: first_response_time, threshold: 80% under 90s, kind: maintain, window: 28d",
        "metric: first_response_time, statistic: p90, target: '<= 10 min', window: 28d",
        "metric: resolution_time, statistic: median, target: '<= 9 hours', kind: maintain",
        "metric: handle_time, target: '<= 8 min', window: month",
        "metric: csat, target: '>= 85%', baseline: 80%, window: month",
        "metric: nps, target: 30, window: quarter",
        "metric: fcr_rate, target: '>= 75%', kind: maintain, window: month",
    ]
    goals = []
    for i in range(100):
        kind, segment = kinds[i % len(kinds)], segments[(i // len(kinds) + i) % len(segments)]
        goals.append(f"  - {{id: team-{i:03}, title: Team goal {i}, where: {{{segment}}}, {kind}}}")
    return goals


PER_AGENT = [
    "metric: first_response_time, threshold: 90% within 2 minutes, kind: maintain, window: 7d",
    "metric: first_response_time, threshold: 95% within 5 minutes, kind: maintain, window: 28d",
    "metric: csat, target: '>= 85%', kind: maintain, window: 28d, min_events: 10",
    "metric: csat, target: '>= 88%', baseline: 82%, window: quarter, min_events: 10",
    "metric: nps, target: 30, window: quarter, min_events: 5",
    "metric: fcr_rate, target: '>= 75%', kind: maintain, window: month",
    "metric: handle_time, target: '<= 8 min', kind: maintain, window: 28d",
    "metric: resolution_time, statistic: p90, target: '<= 1 day', window: 28d, min_events: 10",
    "metric: first_response_time, statistic: median, target: '<= 75s', window: 28d",
    "metric: csat, target: '>= 80%', kind: maintain, window: 7d, min_events: 5",
]


def goal_file(scenario: str) -> str:
    """The goal file of scenario S1, S2 or S3."""
    lines = _team_goals()
    if scenario == "S2":
        lines += [
            f"  - {{id: agents-{i}, title: Per agent {i}, owner: agent, where: {{team: team{i:02}}}, "
            f"for_each: agent, {PER_AGENT[i]}}}"
            for i in range(9)
        ]
    elif scenario == "S3":
        lines += [
            f"  - {{id: agents-{i}, title: Per agent {i}, owner: agent, for_each: agent, {kind}}}"
            for i, kind in enumerate(PER_AGENT)
        ]
    return HEADER + "\n".join(lines) + "\n"

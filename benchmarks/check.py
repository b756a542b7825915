"""Time ``smartgoals check`` on generated ticket data against baselines measured in the same run.

    python benchmarks/check.py --rows 1_000_000 --rows 10_000_000 [--soda PYTHON]

For each size and file format (CSV, Parquet) the same file is processed, each in a fresh process, by

- ``smartgoals``: ``smartgoals check examples/goals --data FILE --data examples/data/daily.csv``;
- ``floor``: one DuckDB group-by over the same columns (parse timestamps, day, counts and sums),
  the least any tool must do to read the data once;
- ``pandas``: a straightforward pandas script computing the example's goals one by one, as a user
  would write it without smartgoals;
- ``soda``: Soda Core on DuckDB running the checks it can express (with ``--soda``, the Python of an
  environment where ``soda-core-duckdb`` is installed).

It prints seconds and peak memory (MiB) per tool and their ratio to the floor. Ratios, not seconds,
are what to compare between machines.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = ROOT / "examples" / "goals"
DAILY = ROOT / "examples" / "data" / "daily.csv"
END = 1_795_388_400  # 2026-11-23T00:00:00+01:00


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` ticket events shaped like the bundled example (a year up to 2026-11-22)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    metrics = np.array(
        [
            "first_response_time",
            "resolution_time",
            "csat",
            "fcr_rate",
            "abandonment_rate",
            "wait_time",
            "nps",
        ]
    )
    metric = metrics[rng.choice(len(metrics), rows, p=[0.4, 0.14, 0.12, 0.12, 0.08, 0.08, 0.06])]
    channel = np.array(["chat", "email", "phone", "social"])[
        rng.choice(4, rows, p=[0.44, 0.36, 0.17, 0.03])
    ]
    value = rng.lognormal(3.7, 0.8, rows)
    value = np.where(metric == "resolution_time", rng.lognormal(10.0, 0.8, rows), value)
    value = np.where(
        metric == "csat", rng.choice([1, 2, 3, 4, 5], rows, p=[0.05, 0.05, 0.08, 0.32, 0.5]), value
    )
    value = np.where(metric == "nps", rng.integers(0, 11, rows), value)
    value = np.where(
        np.isin(metric, ["fcr_rate", "abandonment_rate"]),
        (rng.random(rows) < 0.75).astype(float),
        value,
    )
    value = np.where(
        (metric == "first_response_time") & (rng.random(rows) < 0.01), np.nan, value.round(1)
    )
    seconds = END - rng.integers(1, 365 * 86_400, rows)
    frame = pl.DataFrame(
        {
            "timestamp": pl.Series(np.sort(seconds) * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "metric": metric,
            "value": value,
            "channel": channel,
            "tier": np.array(["gold", "silver", "bronze"])[
                rng.choice(3, rows, p=[0.15, 0.35, 0.5])
            ],
            "team": np.where(channel == "social", "chat", channel),
            "agent": np.array(["alice", "bob", "carol", "dave", "erin", "frank", "grace"])[
                rng.integers(0, 7, rows)
            ],
            "count": pl.Series([None] * rows, dtype=pl.Float64),
        }
    ).with_columns(pl.col("value").fill_nan(None))
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(path)


FLOOR = """
import duckdb, sys
file = sys.argv[1]
con = duckdb.connect(); con.execute("SET TimeZone='Europe/Berlin'")
scan = (f"read_parquet('{file}')" if file.endswith('.parquet') else
        f"read_csv('{file}', header=true, all_varchar=true)")
con.sql(f'''SELECT metric, channel, tier, team, agent,
           CAST(try_cast(CAST(timestamp AS VARCHAR) AS TIMESTAMPTZ) AS DATE) AS day,
           count(*), count(value), sum(try_cast(value AS DOUBLE)),
           count(*) FILTER (WHERE try_cast(value AS DOUBLE) <= 120)
           FROM {scan} GROUP BY ALL''').fetchall()
"""

PANDAS = """
import sys, pandas as pd
file, daily_file = sys.argv[1], sys.argv[2]
df = pd.read_parquet(file) if file.endswith('.parquet') else pd.read_csv(file)
df['timestamp'] = pd.to_datetime(df['timestamp'], utc=True).dt.tz_convert('Europe/Berlin')
daily = pd.read_csv(daily_file)
daily['timestamp'] = pd.to_datetime(daily['timestamp'], utc=True).dt.tz_convert('Europe/Berlin')
end = pd.Timestamp('2026-11-23', tz='Europe/Berlin')
def window(frame, metric, start, **where):
    rows = frame[(frame.metric == metric) & (frame.timestamp >= start) & (frame.timestamp < end)]
    for label, value in where.items():
        rows = rows[rows[label] == value]
    return rows
d28, d7 = end - pd.Timedelta(days=28), end - pd.Timedelta(days=7)
month, quarter = pd.Timestamp('2026-11-01', tz='Europe/Berlin'), pd.Timestamp('2026-10-01', tz='Europe/Berlin')
results = {}
for goal, channel, limit, start in [('chat-first-response', 'chat', 120, d28),
                                    ('social-first-response', 'social', 900, d7)]:
    rows = window(df, 'first_response_time', start, channel=channel)
    expired = ((end - rows.timestamp[rows.value.isna()]).dt.total_seconds() > limit).sum()
    results[goal] = (rows.value <= limit).sum() / (rows.value.notna().sum() + expired)
results['email-resolution'] = window(df, 'resolution_time', d28, channel='email').value.median()
results['phone-abandonment'] = window(df, 'abandonment_rate', d28, channel='phone').value.mean()
results['phone-wait-2027'] = window(df, 'wait_time', d28, channel='phone').value.mean()
results['csat-q4'] = (window(df, 'csat', month).value >= 4).mean()
for goal, where in [('chat-team-csat', {'team': 'chat'}),
                    ('chat-csat-alice', {'team': 'chat', 'agent': 'alice'}),
                    ('chat-csat-carol', {'team': 'chat', 'agent': 'carol'})]:
    results[goal] = (window(df, 'csat', d28, **where).value >= 4).mean()
nps = window(df, 'nps', quarter, tier='gold').value
results['gold-nps'] = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
q3 = df[(df.metric == 'fcr_rate') & (df.timestamp >= pd.Timestamp('2026-07-01', tz='Europe/Berlin'))
        & (df.timestamp < pd.Timestamp('2026-10-01', tz='Europe/Berlin'))]
results['fcr-q3'] = q3.value.mean()
results['cost-per-contact'] = (window(daily, 'cost', month).value.sum()
                               / window(daily, 'contacts', month).value.sum())
results['email-backlog'] = window(daily, 'backlog', d7, team='email').sort_values('timestamp').value.iloc[-1]
assert len(results) == 13
"""

SODA_CHECKS = """
filter tickets [chat_frt]:
  where: metric = 'first_response_time' AND channel = 'chat'
filter tickets [email_resolution]:
  where: metric = 'resolution_time' AND channel = 'email'
filter tickets [csat]:
  where: metric = 'csat'
filter tickets [abandon]:
  where: metric = 'abandonment_rate' AND channel = 'phone'
checks for tickets [chat_frt]:
  - failed rows:
      name: first responses over 2 minutes
      fail condition: value > 120
  - missing_percent(value) < 10
checks for tickets [email_resolution]:
  - percentile(value, 0.5) <= 28800
checks for tickets [csat]:
  - avg(value) >= 4
checks for tickets [abandon]:
  - avg(value) <= 0.05
checks for tickets:
  - row_count > 0
"""


def run(argv: list[str]) -> tuple[float, float]:
    """Run a command under /usr/bin/time-like accounting: seconds and peak MiB of the child."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:]); dt = time.perf_counter() - t; "
        "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], capture_output=True, text=True, check=True
    )
    seconds, mib = out.stdout.split()[-2:]
    return float(seconds), float(mib)


def soda_command(python: str, folder: Path, data: Path) -> list[str]:
    """Write a Soda configuration over a DuckDB view of `data` and return the scan command."""
    import duckdb

    db = folder / "soda.duckdb"
    db.unlink(missing_ok=True)
    scan = (
        f"read_parquet('{data}')"
        if data.suffix == ".parquet"
        else f"read_csv('{data}', header=true, types={{'value': 'DOUBLE'}})"
    )
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE VIEW tickets AS SELECT * FROM {scan}")
    (folder / "configuration.yml").write_text(
        f"data_source bench:\n  type: duckdb\n  path: {db}\n  read_only: true\n"
    )
    (folder / "checks.yml").write_text(textwrap.dedent(SODA_CHECKS))
    soda = str(Path(python).parent / "soda")
    return [
        soda,
        "scan",
        "-d",
        "bench",
        "-c",
        str(folder / "configuration.yml"),
        str(folder / "checks.yml"),
    ]


def main() -> None:
    """Generate data, time every tool on it, print a table of seconds, memory and ratios."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), action="append")
    parser.add_argument("--format", choices=["csv", "parquet"], action="append")
    parser.add_argument("--soda", metavar="PYTHON", help="python of a soda-core-duckdb environment")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    smartgoals = str(Path(sys.executable).parent / "smartgoals")
    print(f"{'rows':>11} {'format':8} {'tool':11} {'seconds':>8} {'peak MiB':>9} {'x floor':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for rows in args.rows or [1_000_000]:
            for fmt in args.format or ["csv", "parquet"]:
                data = folder / f"tickets-{rows}.{fmt}"
                generate(data, rows)
                tools = {
                    "floor": [sys.executable, "-c", FLOOR, str(data)],
                    "smartgoals": [
                        smartgoals,
                        "check",
                        str(GOALS),
                        "--data",
                        str(data),
                        "--data",
                        str(DAILY),
                        "--as-of",
                        "2026-11-22",
                        "--format",
                        "json",
                        "--output",
                        str(folder / "report.json"),
                    ],
                }
                if not args.skip_pandas:
                    tools["pandas"] = [sys.executable, "-c", PANDAS, str(data), str(DAILY)]
                if args.soda:
                    tools["soda"] = soda_command(args.soda, folder, data)
                floor = None
                for name, argv in tools.items():
                    seconds, mib = min(run(argv) for _ in range(2))
                    floor = floor or seconds
                    print(
                        f"{rows:>11,} {fmt:8} {name:11} {seconds:8.2f} {mib:9.0f} "
                        f"{seconds / floor:8.2f}",
                        flush=True,
                    )
                data.unlink()


if __name__ == "__main__":
    main()

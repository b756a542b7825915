"""Compare Polars and DuckDB as the embedded engine for metric files.

Generates a long metric table (CSV and Parquet, explicit schemas) and times, in one run, the
aggregation smartgoals needs: parse timestamps, convert to a local day, then one group-by producing
counts, sums, sums of squares, min, max and a good-event count. Prints the time and peak memory of each
engine and the ratio of the slower to the faster.

    python benchmarks/engines.py --rows 10_000_000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TZ = "Europe/Berlin"


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` metric rows to ``path``.csv and ``path``.parquet with a seeded generator."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(7)
    start = 1_767_225_600  # 2026-01-01T00:00:00Z
    seconds = np.sort(rng.integers(0, 365 * 86_400, rows)) + start
    metrics = np.array(["first_response_time", "resolution_time", "csat", "handle_time"])
    values = rng.lognormal(4.0, 1.0, rows).round(3)
    values[rng.random(rows) < 0.02] = np.nan
    frame = pl.DataFrame(
        {
            "timestamp": pl.Series(seconds * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "metric": metrics[rng.integers(0, len(metrics), rows)],
            "value": values,
            "channel": np.array(["chat", "email", "phone", "social"])[rng.integers(0, 4, rows)],
            "tier": np.array(["gold", "silver", "bronze"])[rng.integers(0, 3, rows)],
        }
    ).with_columns(pl.col("value").fill_nan(None))
    frame.write_parquet(path.with_suffix(".parquet"))
    frame.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(
        path.with_suffix(".csv")
    )


def run_polars(file: str) -> int:
    """Aggregate ``file`` with Polars (lazy, streaming)."""
    import polars as pl

    schema = {
        "timestamp": pl.String,
        "metric": pl.String,
        "value": pl.Float64,
        "channel": pl.String,
        "tier": pl.String,
    }
    if file.endswith(".csv"):
        lf = pl.scan_csv(file, schema=schema).with_columns(
            pl.col("timestamp").str.to_datetime(
                "%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC", strict=False
            )
        )
    else:
        lf = pl.scan_parquet(file)
    v = pl.col("value")
    out = (
        lf.with_columns(day=pl.col("timestamp").dt.convert_time_zone(TZ).dt.date())
        .group_by("metric", "channel", "tier", "day")
        .agg(
            n=v.count(),
            open=v.is_null().sum(),
            sum=v.sum(),
            sum_sq=(v * v).sum(),
            min=v.min(),
            max=v.max(),
            good=(v <= 120).sum(),
        )
        .collect(engine="streaming")
    )
    return out.height


def run_duckdb(file: str) -> int:
    """Aggregate ``file`` with DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET TimeZone='{TZ}'")
    con.execute("SET enable_progress_bar=false")
    if file.endswith(".csv"):
        # NOTE: timestamps are read as text and cast per row, as the product must do to count
        # (not abort on) unparseable timestamps; Polars below does the same.
        source = (
            f"(SELECT * REPLACE (try_cast(timestamp AS TIMESTAMPTZ) AS timestamp) FROM "
            f"read_csv('{file}', header=true, columns={{'timestamp': 'VARCHAR', "
            "'metric': 'VARCHAR', 'value': 'DOUBLE', 'channel': 'VARCHAR', 'tier': 'VARCHAR'}))"
        )
    else:
        source = f"read_parquet('{file}')"
    sql = f"""
        SELECT metric, channel, tier, CAST(timezone('{TZ}', timestamp) AS DATE) AS day,
               count(value) AS n, count(*) - count(value) AS open, sum(value) AS sum,
               sum(value * value) AS sum_sq, min(value) AS min, max(value) AS max,
               count(*) FILTER (WHERE value <= 120) AS good
        FROM {source} GROUP BY ALL
    """
    return len(con.execute(sql).fetchall())


def measure(engine: str, file: str) -> tuple[float, float, int]:
    """Run one engine in a fresh process; return seconds, peak MiB and result rows."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(Path(__file__).parent)!r}); import engines as e; "
        f"t = time.perf_counter(); n = e.run_{engine}({file!r}); dt = time.perf_counter() - t; "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "print(dt, int(hwm.split()[1]) / 1024, n)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    seconds, mib, rows = out.stdout.splitlines()[-1].split()
    return float(seconds), float(mib), int(rows)


def main() -> None:
    """Generate the data and print one line per engine and format, plus the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "metrics"
        t = time.perf_counter()
        generate(base, args.rows)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s "
            f"(csv {os.path.getsize(base.with_suffix('.csv')) / 2**20:.0f} MiB, "
            f"parquet {os.path.getsize(base.with_suffix('.parquet')) / 2**20:.0f} MiB)"
        )
        for suffix in (".parquet", ".csv"):
            best: dict[str, tuple[float, float, int]] = {}
            for engine in ("polars", "duckdb"):
                runs = [measure(engine, str(base.with_suffix(suffix))) for _ in range(args.repeat)]
                best[engine] = min(runs)
                s, mib, rows = best[engine]
                print(f"{suffix[1:]:8} {engine:7} {s:7.2f}s  peak {mib:7.0f} MiB  groups {rows:,}")
            ratio = best["polars"][0] / best["duckdb"][0]
            print(f"{suffix[1:]:8} polars/duckdb time ratio {ratio:.2f}")


if __name__ == "__main__":
    main()

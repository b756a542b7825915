"""Time ``smartgoals check`` at the scale support organisations have, against baselines of the same run.

    python benchmarks/run.py --rows 1M [--rows 10M] [--format csv --format parquet]
                             [--scenario S1 ...] [--soda PYTHON] [--repeat 3] [--soda-repeat N]
                             [--json out.json]

For each size, file format and scenario (see `workload`), on the same generated file, each tool runs in
a fresh process and is timed end to end with its peak memory:

- ``check``: ``smartgoals check GOALS --data FILE --as-of 2026-11-22 --format json --output R``;
- ``floor``: the faster of one DuckDB and one Polars pass that parses timestamps and produces the
  per-day histogram table of the same columns (metric, labels, local day, log2 bucket: count and sum),
  the least any tool must do to read the data once;
- ``pandas``: a plain pandas script computing each goal's value one by one;
- ``soda``: Soda Core on DuckDB for the checks it can express (the team goals; with ``--soda``, the
  Python of an environment where ``soda-core-duckdb`` is installed; telemetry off);
- ``evaluate``: the evaluation alone (period table to results), in process, after one aggregation.

Every figure is the median of ``--repeat`` runs. Ratios to the floor of the same file are what to
compare between machines; `benchmarks/README.md` records them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402

FLOOR_DUCKDB = """
import duckdb, sys
file = sys.argv[1]
con = duckdb.connect(); con.execute("SET TimeZone='Europe/Berlin'")
scan = (f"read_parquet('{file}')" if file.endswith('.parquet') else
        f"read_csv('{file}', header=true, all_varchar=true)")
con.execute(f'''CREATE TABLE periods AS
    SELECT metric, channel, tier, team, agent, CAST(ts AS DATE) AS day,
           CASE WHEN v > 0 THEN floor(log2(v)) END AS bucket,
           count(*) AS rows, count(v) AS n, sum(v) AS total
    FROM (SELECT *, try_cast(CAST(timestamp AS VARCHAR) AS TIMESTAMPTZ) AS ts,
                 try_cast(value AS DOUBLE) AS v FROM {scan})
    GROUP BY ALL''')
print(con.sql('SELECT count(*) FROM periods').fetchall()[0][0])
"""

FLOOR_POLARS = """
import polars as pl, sys
file = sys.argv[1]
lf = pl.scan_parquet(file) if file.endswith('.parquet') else pl.scan_csv(file)
ts = pl.col('timestamp')
if not file.endswith('.parquet'):
    ts = ts.str.to_datetime('%Y-%m-%dT%H:%M:%S%z', time_zone='UTC', strict=False)
v = pl.col('value').cast(pl.Float64)
table = (lf.with_columns(day=ts.dt.convert_time_zone('Europe/Berlin').dt.date(),
                         bucket=pl.when(v > 0).then(v.log(2).floor()))
         .group_by('metric', 'channel', 'tier', 'team', 'agent', 'day', 'bucket')
         .agg(rows=pl.len(), n=v.count(), total=v.sum()).collect())
print(table.height)
"""

PANDAS = """
import sys, yaml, pandas as pd, re
file, goal_file, as_of = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_parquet(file) if file.endswith('.parquet') else pd.read_csv(file)
df['timestamp'] = pd.to_datetime(df['timestamp'], utc=True, format='ISO8601').dt.tz_convert('Europe/Berlin')
end = pd.Timestamp(as_of, tz='Europe/Berlin') + pd.Timedelta(days=1)
by_metric = {m: part for m, part in df.groupby('metric')}
doc = yaml.safe_load(open(goal_file))
def seconds(text):
    n, unit = re.fullmatch(r'([0-9.]+)\\s*([a-z]+)', text.strip()).groups()
    return float(n) * {'s': 1, 'seconds': 1, 'min': 60, 'minutes': 60, 'hours': 3600, 'day': 86400}[unit]
def window_start(kind):
    if kind.endswith('d'):
        return end - pd.Timedelta(days=int(kind[:-1]))
    day = (end - pd.Timedelta(days=1)).date()
    if kind == 'month':
        return pd.Timestamp(day.replace(day=1), tz='Europe/Berlin')
    return pd.Timestamp(day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1), tz='Europe/Berlin')
def value(goal, rows):
    if 'threshold' in goal:
        share, word, limit = re.fullmatch(r'([0-9.]+)% (within|under) (.+)', goal['threshold']).groups()
        limit = seconds(limit)
        good = (rows.value <= limit) if word == 'within' else (rows.value < limit)
        waited = (end - rows.timestamp[rows.value.isna()]).dt.total_seconds()
        return good.sum() / (rows.value.notna().sum() + (waited > limit).sum())
    if goal['metric'] == 'csat':
        return (rows.value >= 4).mean()
    if goal['metric'] == 'nps':
        return 100 * ((rows.value >= 9).mean() - (rows.value <= 6).mean())
    statistic = goal.get('statistic', 'mean')
    if statistic == 'mean':
        return rows.value.mean()
    q = 0.5 if statistic == 'median' else int(statistic[1:]) / 100
    return rows.value.quantile(q)
results = {}
for goal in doc['goals']:
    rows = by_metric[goal['metric']]
    rows = rows[(rows.timestamp >= window_start(goal.get('window', '28d'))) & (rows.timestamp < end)]
    for label, wanted in goal.get('where', {}).items():
        rows = rows[rows[label] == wanted]
    results[goal['id']] = value(goal, rows)
    if 'for_each' in goal:
        label = goal['for_each']
        for member in sorted(rows[label].unique()):
            results[goal['id'] + '/' + member] = value(goal, rows[rows[label] == member])
print(len(results))
"""

EVALUATE = """
import sys, time, statistics
from datetime import date
import smartgoals
from smartgoals._api import aggregate_inputs
from smartgoals._evaluate import evaluate_table
goals = smartgoals.load(sys.argv[2])
as_of = date.fromisoformat(sys.argv[3])
table = aggregate_inputs(goals, [sys.argv[1]], as_of, None)
table.fold()  # NOTE: a ready period table: its cells folded
times = []
for _ in range(int(sys.argv[4])):
    started = time.perf_counter()
    results = evaluate_table(goals, table, as_of)
    times.append(time.perf_counter() - started)
print(statistics.median(times), len(results))
"""


def parse_rows(text: str) -> int:
    """``1M``, ``10M``, ``500k`` or ``1_000_000``."""
    text = text.replace("_", "").strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def measure(argv: list[str], repeat: int, cwd: Path | None = None) -> dict[str, float]:
    """Run `argv` `repeat` times in fresh processes: median seconds and median peak MiB."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True); "
        "dt = time.perf_counter() - t; "
        "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.returncode); "
        "print(p.stdout[-300:], p.stderr[-2000:], file=sys.stderr)"
    )
    seconds, mib = [], []
    for _ in range(repeat):
        # NOTE: HOME points at the run's folder so that Soda reads its own telemetry switch there
        env = {**os.environ, "HOME": str(cwd)} if cwd else None
        out = subprocess.run(
            [sys.executable, "-c", wrapper, *argv],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
            env=env,
        )
        dt, peak, code = out.stdout.split()[-3:]
        if int(code) not in (0, 1, 2):
            raise RuntimeError(f"{argv[:3]} exited {code}: {out.stderr}")
        seconds.append(float(dt))
        mib.append(float(peak))
    return {"seconds": statistics.median(seconds), "peak_mib": statistics.median(mib)}


def soda_checks(goal_text: str, table: str) -> tuple[str, int]:
    """Soda checks for the team goals Soda can express (thresholds, shares, means, percentiles)."""
    import yaml

    filters, checks, count = [], [], 0
    for goal in yaml.safe_load(goal_text)["goals"]:
        if "for_each" in goal or goal["metric"] == "nps":
            continue  # NOTE: per-segment expansion and NPS have no Soda check
        ((label, wanted),) = goal["where"].items()
        window = goal.get("window", "28d")
        days = int(window[:-1]) if window.endswith("d") else {"month": 22, "quarter": 53}[window]
        name = goal["id"].replace("-", "_")
        filters.append(
            f"filter {table} [{name}]:\n  where: metric = '{goal['metric']}' AND {label} = "
            f"'{wanted}' AND timestamp >= TIMESTAMPTZ '2026-11-23 00:00:00+01' - INTERVAL {days} DAY"
        )
        checks.append(f"checks for {table} [{name}]:\n  - {_soda_check(goal)}")
        count += 1
    return "\n".join(filters + checks) + "\n", count


def _soda_check(goal: dict[str, object]) -> str:
    if "threshold" in goal:
        share, _, limit = str(goal["threshold"]).split(" ", 2)
        seconds = {"2 minutes": 120, "90s": 90}[limit]
        return f"invalid_percent(value) <= {100 - float(share[:-1]):g}:\n      valid max: {seconds}"
    if goal["metric"] == "csat":
        return "invalid_percent(value) <= 15:\n      valid min: 4"
    target = str(goal["target"]).replace("'", "")
    statistic = goal.get("statistic", "mean")
    bound = {"<= 10 min": "<= 600", "<= 9 hours": "<= 32400", "<= 8 min": "<= 480"}.get(target)
    if bound is None:
        bound = ">= 0.75"
    if statistic == "mean":
        return f"avg(value) {bound}"
    q = 0.5 if statistic == "median" else 0.9
    return f"percentile(value, {q}) {bound}"


def soda_command(python: str, folder: Path, data: Path, goal_text: str) -> tuple[list[str], int]:
    """A Soda scan over a DuckDB view of `data`, and how many goals it expresses."""
    db = folder / "soda.duckdb"
    db.unlink(missing_ok=True)
    scan = (
        f"read_parquet('{data}')"
        if data.suffix == ".parquet"
        else f"read_csv('{data}', header=true, types={{'value': 'DOUBLE', 'timestamp': 'TIMESTAMPTZ'}})"
    )
    # NOTE: the view is written by Soda's own DuckDB, whose storage version may differ from ours
    create = f"import duckdb; duckdb.connect({str(db)!r}).execute({f'CREATE VIEW tickets AS SELECT * FROM {scan}'!r})"
    subprocess.run([python, "-c", create], check=True)
    (folder / "configuration.yml").write_text(f"data_source bench:\n  type: duckdb\n  path: {db}\n")
    (folder / ".soda").mkdir(exist_ok=True)
    (folder / ".soda" / "config.yml").write_text("send_anonymous_usage_stats: false\n")
    checks, count = soda_checks(goal_text, "tickets")
    (folder / "checks.yml").write_text(checks)
    soda = str(Path(python).parent / "soda")
    config, checks_file = str(folder / "configuration.yml"), str(folder / "checks.yml")
    return [soda, "scan", "-d", "bench", "-c", config, checks_file], count


def run_file(
    data: Path, args: argparse.Namespace, folder: Path, records: list[dict[str, object]]
) -> None:
    """Every tool on one data file, for every scenario, added to `records` and saved after each."""
    smartgoals = str(Path(sys.executable).parent / "smartgoals")
    floors = {
        "duckdb": measure([sys.executable, "-c", FLOOR_DUCKDB, str(data)], args.repeat),
        "polars": measure([sys.executable, "-c", FLOOR_POLARS, str(data)], args.repeat),
    }
    engine = min(floors, key=lambda k: floors[k]["seconds"])
    floor = floors[engine]
    soda: dict[str, object] | None = None
    if args.soda:
        # NOTE: Soda expresses only the team goals, which every scenario shares: one measurement
        command, expressed = soda_command(args.soda, folder, data, workload.goal_file("S1"))
        soda = {
            **measure(command, args.soda_repeat or args.repeat, folder),
            "goals_expressed": expressed,
        }
    for scenario in args.scenario:
        goals = folder / f"{scenario}.yaml"
        goals.write_text(workload.goal_file(scenario))
        report = folder / "report.json"
        check = [smartgoals, "check", str(goals), "--data", str(data), "--as-of", workload.AS_OF]
        tools: dict[str, object] = {
            "check": measure([*check, "--format", "json", "--output", str(report)], args.repeat)
        }
        results = len(json.loads(report.read_text())["goals"])
        if scenario in args.pandas:
            tools["pandas"] = measure(
                [sys.executable, "-c", PANDAS, str(data), str(goals), workload.AS_OF], args.repeat
            )
        if soda:
            tools["soda"] = soda
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                EVALUATE,
                str(data),
                str(goals),
                workload.AS_OF,
                str(args.repeat),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        tools["evaluate"] = {"seconds": float(out.stdout.split()[0])}
        record = {
            "rows": args.current_rows,
            "format": data.suffix.lstrip("."),
            "scenario": scenario,
            "results": results,
            "floor": {"engine": engine, **floor, "all": floors},
            **tools,
        }
        record["ratios"] = _ratios(record)
        records.append(record)
        _print(record)
        save(args.json, records)


def save(path: Path, records: list[dict[str, object]]) -> None:
    """Write every figure so far, so that an interrupted run keeps what it measured."""
    path.write_text(json.dumps({"cpus": os.cpu_count(), "runs": records}, indent=2) + "\n")


def _ratios(record: dict[str, object]) -> dict[str, float]:
    floor = record["floor"]
    check = record["check"]
    assert isinstance(floor, dict)
    assert isinstance(check, dict)
    ratios = {
        "check_time_x_floor": check["seconds"] / floor["seconds"],
        "check_memory_x_floor": check["peak_mib"] / floor["peak_mib"],
    }
    for other in ("pandas", "soda"):
        if isinstance(record.get(other), dict):
            ratios[f"{other}_time_x_check"] = record[other]["seconds"] / check["seconds"]  # type: ignore[index]
    return ratios


def _print(record: dict[str, object]) -> None:
    floor, check, ratios = record["floor"], record["check"], record["ratios"]
    assert isinstance(floor, dict)
    assert isinstance(check, dict)
    assert isinstance(ratios, dict)
    extras = "  ".join(
        f"{name} {record[name]['seconds']:.2f}s"  # type: ignore[index]
        for name in ("pandas", "soda")
        if name in record
    )
    print(
        f"{record['rows']:>11,} {record['format']:8} {record['scenario']} "
        f"{record['results']:>6} results  floor({floor['engine']}) {floor['seconds']:.2f}s "
        f"{floor['peak_mib']:.0f} MiB  check {check['seconds']:.2f}s {check['peak_mib']:.0f} MiB "
        f"({ratios['check_time_x_floor']:.2f}x time, {ratios['check_memory_x_floor']:.2f}x memory)  "
        f"evaluate {record['evaluate']['seconds'] * 1000:.0f} ms  {extras}",  # type: ignore[index]
        flush=True,
    )


def main() -> None:
    """Generate the data, time every tool on it, print and save the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=parse_rows, action="append")
    parser.add_argument("--format", choices=["csv", "parquet"], action="append")
    parser.add_argument("--scenario", choices=["S1", "S2", "S3"], action="append")
    parser.add_argument(
        "--pandas", default="S1,S2", help="scenarios to run the pandas script on (default S1,S2)"
    )
    parser.add_argument("--soda", metavar="PYTHON", help="python of a soda-core-duckdb environment")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--soda-repeat",
        type=int,
        help="runs of Soda per file (default --repeat; Soda on CSV is slow)",
    )
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    args.scenario = args.scenario or ["S1", "S2", "S3"]
    args.pandas = [s for s in args.pandas.split(",") if s]
    os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("POLARS_MAX_THREADS", str(os.cpu_count() or 1))
    # NOTE: every tool runs with its bytecode cached, as an installed package has it
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    records: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="smartgoals-bench-") as tmp:
        folder = Path(tmp)
        for rows in args.rows or [1_000_000]:
            args.current_rows = rows
            for fmt in args.format or ["parquet", "csv"]:
                data = folder / f"events-{rows}.{fmt}"
                workload.write_events(data, rows)
                run_file(data, args, folder, records)
                data.unlink()
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

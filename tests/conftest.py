"""Shared fixtures: goal files written under tmp_path, seeded ticket events, a hypothesis profile."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from smartgoals._sample import daily_rows, ticket_rows

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")

AS_OF = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_GOALS = ROOT / "examples" / "goals"
EXAMPLE_DATA = [
    ROOT / "examples" / "data" / "tickets.csv.gz",
    ROOT / "examples" / "data" / "daily.csv",
]


@pytest.fixture
def goal_file(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text (dedented) to a file under tmp_path and return its path."""

    def write(text: str, name: str = "goals.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def events_frame(
    start: date = date(2026, 8, 1), end: date = date(2026, 11, 23), per_day: int = 40, seed: int = 7
) -> pd.DataFrame:
    """Seeded ticket and daily events as a pandas frame (UTC timestamps, NaN for no value)."""
    rows = [*ticket_rows(start, end, per_day, seed), *daily_rows(start, end, seed + 1)]
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    frame["value"] = pd.to_numeric(frame["value"].replace("", None), errors="coerce").astype(float)
    frame["count"] = pd.to_numeric(frame["count"], errors="coerce")
    for label in ("channel", "tier", "team", "agent"):
        frame[label] = frame[label].fillna("").astype(str)
    return frame


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run (skipped without Java, except under CI=true)."""
    import os
    import shutil

    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Java is needed for the PySpark tests")
        pytest.skip("Java is needed for the PySpark tests")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("smartgoals-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def ticket_events() -> pd.DataFrame:
    """About 16 weeks of seeded tickets, surveys, costs and backlog readings."""
    return events_frame()

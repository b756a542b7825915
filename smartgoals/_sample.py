"""A seeded generator of realistic support data: tickets, surveys, phone calls, costs and backlog.

Used by ``smartgoals init``, the test suite and the benchmarks, so all three see the same shapes.
Rows are long-table rows (``timestamp, metric, value, channel, tier, team, agent[, count]``) with
ISO 8601 timestamps carrying the Europe/Berlin offset (+01:00 in winter, +02:00 in summer).
"""

from __future__ import annotations

import csv
import gzip
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

COLUMNS = ("timestamp", "metric", "value", "channel", "tier", "team", "agent", "count")
TEAMS = {
    "chat": ("alice", "bob", "carol"),
    "email": ("dave", "erin"),
    "phone": ("frank", "grace"),
    "social": ("alice", "bob"),
}
TEAM_OF = {"chat": "chat", "email": "email", "phone": "phone", "social": "chat"}
CHANNELS = (("chat", 0.44), ("email", 0.36), ("phone", 0.17), ("social", 0.03))
TIERS = (("gold", 0.15), ("silver", 0.35), ("bronze", 0.50))
TZ = ZoneInfo("Europe/Berlin")

Row = dict[str, object]


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return round(median * math.exp(rng.gauss(0.0, sigma)), 1)


def _ramp(day: date, first: date, last: date, low: float, high: float) -> float:
    """A value moving linearly from `low` at `first` to `high` at `last` (flat outside)."""
    span = (last - first).days or 1
    t = min(max((day - first).days / span, 0.0), 1.0)
    return low + (high - low) * t


def _stamp(moment: datetime) -> str:
    return moment.astimezone(TZ).isoformat(timespec="seconds")


def ticket_rows(start: date, end: date, per_day: int = 100, seed: int = 7) -> Iterator[Row]:
    """Rows for every ticket created from `start` up to (not including) `end`."""
    rng = random.Random(seed)
    day = start
    while day < end:
        volume = per_day if day.weekday() < 5 else per_day // 2
        for _ in range(rng.randint(int(volume * 0.85), int(volume * 1.15))):
            yield from _ticket(rng, day, end)
        day += timedelta(days=1)


def _ticket(rng: random.Random, day: date, end: date) -> Iterator[Row]:
    channel, tier = _pick(rng, CHANNELS), _pick(rng, TIERS)
    team = TEAM_OF[channel]
    agent = rng.choice(TEAMS[channel])
    created = datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(
        seconds=rng.uniform(8 * 3600, 20 * 3600)
    )
    labels = {"channel": channel, "tier": tier, "team": team, "agent": agent}
    stamp = _stamp(created)
    if channel == "phone":
        abandon = rng.random() < _ramp(day, date(2026, 9, 1), end, 0.09, 0.084)
        yield {"timestamp": stamp, "metric": "abandonment_rate", "value": int(abandon), **labels}
        yield {
            "timestamp": stamp,
            "metric": "wait_time",
            "value": _lognormal(rng, 45, 0.6),
            **labels,
        }
        if abandon:
            return
    yield {
        "timestamp": stamp,
        "metric": "first_response_time",
        "value": _first_response(rng, channel, day, end),
        **labels,
    }
    if channel == "email":
        yield {
            "timestamp": stamp,
            "metric": "resolution_time",
            "value": _lognormal(rng, 6 * 3600, 0.8),
            **labels,
        }
    if date(2026, 7, 1) <= day < date(2026, 10, 1):
        yield {
            "timestamp": stamp,
            "metric": "fcr_rate",
            "value": int(rng.random() < 0.72),
            **labels,
        }
    if rng.random() < 0.3:
        yield {"timestamp": stamp, "metric": "csat", "value": _csat(rng, day, agent), **labels}
    if tier == "gold" and rng.random() < 0.25:
        yield {"timestamp": stamp, "metric": "nps", "value": _nps(rng), **labels}


def _first_response(rng: random.Random, channel: str, day: date, end: date) -> float | str:
    if channel in ("chat", "social"):
        # NOTE: a staffing gap in the last five weeks leaves 3% of chats unanswered: open events
        # that miss "within 2 minutes" although the answered chats still meet it.
        if (end - day).days <= 35 and rng.random() < 0.03:
            return ""
        return _lognormal(rng, 40, 0.8)
    if channel == "email":
        return _lognormal(rng, 3 * 3600, 0.7)
    return _lognormal(rng, 30, 0.5)


def _csat(rng: random.Random, day: date, agent: str) -> int:
    satisfied = _ramp(day, date(2026, 1, 1), date(2026, 10, 1), 0.80, 0.82)
    if day >= date(2026, 10, 1):
        satisfied = _ramp(day, date(2026, 10, 1), date(2026, 11, 22), 0.82, 0.875)
    if agent == "carol":
        satisfied -= 0.06
    if rng.random() < satisfied:
        return 5 if rng.random() < 0.6 else 4
    return rng.choice((1, 2, 3, 3))


def _nps(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.58:
        return rng.choice((9, 10))
    if draw < 0.89:
        return rng.choice((7, 8))
    return rng.randint(0, 6)


def daily_rows(start: date, end: date, seed: int = 11) -> Iterator[Row]:
    """Daily cost, contacts (pre-aggregated with `count`) and an 18:00 backlog reading per team."""
    rng = random.Random(seed)
    day = start
    while day < end:
        evening = _stamp(datetime(day.year, day.month, day.day, 18, tzinfo=TZ))
        contacts = rng.randint(80, 120) if day.weekday() < 5 else rng.randint(40, 60)
        blank = {"channel": "", "tier": "", "agent": ""}
        yield {
            "timestamp": evening,
            "metric": "contacts",
            "value": contacts,
            "team": "support",
            **blank,
        }
        yield {
            "timestamp": evening,
            "metric": "cost",
            "value": round(contacts * rng.uniform(4.1, 4.6), 2),
            "team": "support",
            **blank,
        }
        yield {
            "timestamp": evening,
            "metric": "ticket_volume",
            "value": "",
            "team": "support",
            "count": contacts,
            **blank,
        }
        for team, level in (("chat", 40), ("email", 150), ("phone", 25)):
            yield {
                "timestamp": evening,
                "metric": "backlog",
                "value": max(0, int(rng.gauss(level, level * 0.1))),
                "team": team,
                **blank,
            }
        day += timedelta(days=1)


def write_csv(path: Path, rows: Iterator[Row]) -> int:
    """Write rows as CSV (gzip-compressed when the name ends in .gz); return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_example_data(
    folder: Path,
    *,
    start: date = date(2025, 11, 23),
    end: date = date(2026, 11, 23),
    per_day: int = 100,
) -> list[Path]:
    """Write the bundled example's data files into `folder`; return their paths."""
    tickets, daily = folder / "tickets.csv.gz", folder / "daily.csv"
    write_csv(tickets, ticket_rows(start, end, per_day))
    write_csv(daily, daily_rows(start, end))
    return [tickets, daily]


SCHEMA_FILE = ".smartgoals.schema.json"
STARTER_GOALS = (
    f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
    + """\
# Starter goals: edit them, then run `smartgoals lint` and `smartgoals check`.
defaults:
  owner: support-lead@example.com
  timezone: Europe/Berlin
  window: 28d

goals:
  - id: chat-first-response
    title: Answer chat requests within two minutes
    team: chat
    metric: first_response_time
    where: {channel: chat}
    threshold: 90% within 2 minutes
    kind: maintain
    start: 2026-10-01
    deadline: 2026-12-31
    objective: Cut churn among chat-first customers
    review: FREQ=WEEKLY;BYDAY=MO

  - id: csat-q4
    title: Raise CSAT to 90% satisfied
    metric: csat
    target: ">= 90%"
    baseline: 82%
    start: 2026-10-01
    deadline: 2026-12-31
    window: month
    milestones:
      - {by: 2026-10-31, target: 85%}
      - {by: 2026-11-30, target: 88%}
    objective: Retain existing customers

  - id: cost-per-contact
    title: Keep cost per contact under 4.50 EUR every month
    metric: cost_per_contact
    target: "<= 4.50"
    kind: maintain
    window: month
    start: 2026-01-01
    deadline: 2026-12-31
    objective: Stay within the 2026 support budget
"""
)


def write_starter(folder: Path, schema: str) -> list[Path]:
    """Write starter goals (``goals/goals.yaml``), their JSON Schema and sample data (``data/``).

    The goal file's first line points editors (the YAML language server) at the schema.
    """
    goals = folder / "goals" / "goals.yaml"
    goals.parent.mkdir(parents=True, exist_ok=True)
    goals.write_text(STARTER_GOALS, encoding="utf-8")
    schema_file = goals.parent / SCHEMA_FILE
    schema_file.write_text(schema, encoding="utf-8")
    return [goals, schema_file, *write_example_data(folder / "data")]


ZENDESK_COLUMNS = (
    "Id",
    "Created at",
    "Via",
    "Group",
    "Assignee",
    "Priority",
    "Organization",
    "Status",
    "Solved at",
    "First reply time in minutes",
    "Full resolution time in minutes",
    "Satisfaction Score",
)


def zendesk_rows(start: date, end: date, per_day: int = 60, seed: int = 5) -> Iterator[Row]:
    """Rows of a Zendesk ticket CSV export: naive local timestamps, empty cells for open tickets."""
    rng = random.Random(seed)
    ticket, day = 1000, start
    while day < end:
        for _ in range(rng.randint(per_day // 2, per_day) if day.weekday() < 5 else per_day // 4):
            ticket += 1
            created = datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(
                seconds=rng.uniform(6 * 3600, 21 * 3600)
            )
            yield _zendesk_ticket(rng, ticket, created, end)
        day += timedelta(days=1)


def _zendesk_ticket(rng: random.Random, ticket: int, created: datetime, end: date) -> Row:
    via = rng.choice(("Chat", "Email", "Web form", "Phone"))
    reply = None if rng.random() < 0.04 else _lognormal(rng, 25 if via == "Chat" else 240, 1.0)
    hours = rng.lognormvariate(math.log(20), 1.1)
    solved = created + timedelta(hours=hours)
    open_ticket = rng.random() < 0.08 or solved.date() >= end
    score = rng.choices(("Good", "Bad", "Offered", "Unoffered", ""), (30, 6, 20, 34, 10))[0]
    return {
        "Id": ticket,
        "Created at": created.strftime("%Y-%m-%d %H:%M:%S"),
        "Via": via,
        "Group": rng.choice(("Support", "Billing")),
        "Assignee": rng.choice(TEAMS["chat"]),
        "Priority": rng.choice(("Low", "Normal", "High")),
        "Organization": "",
        "Status": "open" if open_ticket else "solved",
        "Solved at": "" if open_ticket else solved.strftime("%Y-%m-%d %H:%M:%S"),
        "First reply time in minutes": "" if reply is None else round(reply / 60, 2),
        "Full resolution time in minutes": "" if open_ticket else round(hours * 60, 1),
        "Satisfaction Score": "" if open_ticket else score,
    }


def write_zendesk_csv(path: Path, rows: Iterator[Row]) -> int:
    """Write Zendesk-style rows as a CSV export; return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ZENDESK_COLUMNS)
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


__all__ = [
    "COLUMNS",
    "STARTER_GOALS",
    "ZENDESK_COLUMNS",
    "daily_rows",
    "ticket_rows",
    "write_csv",
    "write_example_data",
    "write_starter",
    "write_zendesk_csv",
    "zendesk_rows",
]

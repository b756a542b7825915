"""Every formula against an independent pandas computation, and every status rule on hand-made data."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import smartgoals
from smartgoals import Status
from smartgoals._period import QUANTILE_RELATIVE_ERROR
from tests.conftest import AS_OF

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW_START = pd.Timestamp("2026-10-26", tz=BERLIN)
WINDOW_END = pd.Timestamp("2026-11-23", tz=BERLIN)

FORMULA_GOALS = """\
defaults: {owner: ops@example.com, timezone: Europe/Berlin, window: 28d, start: 2026-09-01,
           deadline: 2026-12-31, min_events: 1}
goals:
  - {id: chat-within, metric: first_response_time, where: {channel: chat}, threshold: 90% within 2 min}
  - {id: chat-under, metric: first_response_time, where: {channel: chat}, threshold: 80% under 60s}
  - {id: email-mean, metric: first_response_time, where: {channel: email}, target: "<= 4 hours"}
  - {id: email-median, metric: resolution_time, statistic: median, target: "<= 8 hours"}
  - {id: email-p90, metric: resolution_time, statistic: p90, target: "<= 20 hours"}
  - {id: csat, metric: csat, target: 90%}
  - {id: csat-gold, metric: csat, where: {tier: [gold, silver]}, target: 90%}
  - {id: csat-score, metric: csat_score, target: 4.5}
  - {id: csat-at-least-4, metric: csat_score, threshold: 80% at least 4}
  - {id: nps, metric: nps, target: 45}
  - {id: abandon, metric: abandonment_rate, target: 5%}
  - {id: volume, metric: ticket_volume, target: "<= 5000"}
  - {id: backlog, metric: backlog, where: {team: email}, target: "<= 200"}
  - {id: cost, metric: cost_per_contact, target: "<= 4.5"}
"""


DURATIONS = {"first_response_time", "resolution_time", "wait_time", "handle_time"}


def in_window(frame: pd.DataFrame, metric: str, **labels: object) -> pd.DataFrame:
    """The events of `metric` in the window, as known at as_of: a duration that ended after
    as_of (timestamp + value) is still open."""
    local = frame["timestamp"].dt.tz_convert(BERLIN)
    mask = (frame["metric"] == metric) & (local >= WINDOW_START) & (local < WINDOW_END)
    for label, value in labels.items():
        allowed = value if isinstance(value, list) else [value]
        mask &= frame[label].isin(allowed)
    rows = frame[mask].copy()
    if metric in DURATIONS:
        ended = rows["timestamp"] + pd.to_timedelta(rows["value"], unit="s")
        rows.loc[ended > WINDOW_END, "value"] = float("nan")
    return rows


def share_with_open(rows: pd.DataFrame, limit: float, strict: bool) -> float:
    answered = rows["value"].dropna()
    good = (answered < limit).sum() if strict else (answered <= limit).sum()
    opened = rows.loc[rows["value"].isna(), "timestamp"]
    elapsed = (WINDOW_END - opened).dt.total_seconds()
    expired = (elapsed >= limit).sum() if strict else (elapsed > limit).sum()
    return good / (len(answered) + expired)


def nearest_rank(values: pd.Series, q: float) -> float:
    ordered = sorted(values.dropna())
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


@pytest.fixture(scope="module")
def formula_report(ticket_events, tmp_path_factory):
    path = tmp_path_factory.mktemp("goals") / "goals.yaml"
    path.write_text(FORMULA_GOALS)
    return smartgoals.evaluate(path, ticket_events, as_of=AS_OF)


# NOTE: goals that share a batch (same metric, view and window) but not their targets or kind
BATCHED_GOALS = (
    FORMULA_GOALS
    + """\
  - {id: chat-90, metric: first_response_time, where: {channel: chat}, threshold: 90% within 2 min,
     kind: maintain}
  - {id: chat-60, metric: first_response_time, where: {channel: chat}, threshold: 60% within 2 min,
     kind: maintain}
  - {id: csat-chat, metric: csat, where: {channel: chat}, target: 90%}
  - {id: csat-email, metric: csat, where: {channel: [email, phone]}, target: 85%}
  - {id: csat-80, metric: csat, target: 80%, kind: maintain}
  - {id: csat-95, metric: csat, target: 95%, kind: maintain}
  - {id: csat-agents, metric: csat, for_each: agent, target: 85%, kind: maintain}
  - {id: p90-loose, metric: resolution_time, statistic: p90, target: "<= 20 hours", kind: maintain}
  - {id: p90-tight, metric: resolution_time, statistic: p90, target: "<= 2 hours", kind: maintain}
"""
)


def test_a_goal_does_not_depend_on_the_goals_evaluated_with_it(goal_file, ticket_events):
    # NOTE: goals of one batch are summed together; each must come out as if it ran alone
    goals = smartgoals.load(goal_file(BATCHED_GOALS))
    together = smartgoals.evaluate(goals, ticket_events, as_of=AS_OF)
    held = [together.get(i).compliance for i in ("csat-80", "csat-95")]
    assert held[0] != held[1]  # NOTE: the batch's members really are judged each by its own target
    for goal in goals:
        alone = smartgoals.evaluate(goals.select(ids=goal.id), ticket_events, as_of=AS_OF)
        for result in alone.goals:
            assert result.to_dict() == together.get(result.id).to_dict(), result.id


def test_formulas_match_pandas(formula_report, ticket_events):
    frame = ticket_events
    chat = in_window(frame, "first_response_time", channel="chat")
    email = in_window(frame, "first_response_time", channel="email")
    resolution = in_window(frame, "resolution_time")
    csat = in_window(frame, "csat")["value"]
    csat_top = in_window(frame, "csat", tier=["gold", "silver"])["value"]
    nps = in_window(frame, "nps")["value"]
    backlog = in_window(frame, "backlog", team="email").sort_values("timestamp")
    expected = {
        "chat-within": share_with_open(chat, 120, strict=False),
        "chat-under": share_with_open(chat, 60, strict=True),
        "email-mean": email["value"].mean(),
        "csat": (csat >= 4).mean(),
        "csat-gold": (csat_top >= 4).mean(),
        "csat-score": csat.mean(),
        "csat-at-least-4": (csat >= 4).mean(),
        "nps": 100 * ((nps >= 9).mean() - (nps <= 6).mean()),
        "abandon": in_window(frame, "abandonment_rate")["value"].mean(),
        "volume": in_window(frame, "ticket_volume")["count"].sum(),
        "backlog": backlog["value"].iloc[-1],
        "cost": in_window(frame, "cost")["value"].sum()
        / in_window(frame, "contacts")["value"].sum(),
    }
    for goal_id, value in expected.items():
        assert formula_report.get(goal_id).value == pytest.approx(value, rel=1e-12), goal_id
    for goal_id, q in (("email-median", 0.5), ("email-p90", 0.9)):
        exact = nearest_rank(resolution["value"], q)
        assert formula_report.get(goal_id).value == pytest.approx(
            exact, rel=QUANTILE_RELATIVE_ERROR
        )


def test_event_counts_match_pandas(formula_report, ticket_events):
    chat = in_window(ticket_events, "first_response_time", channel="chat")
    answered = int(chat["value"].notna().sum())
    opened = chat.loc[chat["value"].isna(), "timestamp"]
    expired = int(((WINDOW_END - opened).dt.total_seconds() > 120).sum())
    result = formula_report.get("chat-within")
    assert result.events == answered + expired
    assert result.good == int((chat["value"] <= 120).sum())
    assert result.pending == len(opened) - expired
    email = in_window(ticket_events, "first_response_time", channel="email")
    assert formula_report.get("email-mean").events == int(email["value"].notna().sum())
    assert formula_report.get("email-mean").open_events == int(email["value"].isna().sum())
    assert formula_report.get("csat").events == int(
        in_window(ticket_events, "csat")["value"].notna().sum()
    )


def test_error_budget_matches_definition(formula_report):
    result = formula_report.get("chat-within")
    budget = result.error_budget
    assert budget is not None
    assert result.good is not None
    assert budget.allowed == pytest.approx(0.1 * result.events)
    assert budget.bad == result.events - result.good
    assert budget.consumed == pytest.approx(budget.bad / budget.allowed)
    assert budget.remaining == pytest.approx(1 - budget.consumed)


def chats(day: date, answered: list[float], unanswered: int = 0, *, hour: int = 10) -> list[dict]:
    """Chat first-response rows on `day`: answered values, then unanswered (open) ones."""
    start = datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)
    rows = [
        {
            "timestamp": start + timedelta(minutes=i),
            "metric": "first_response_time",
            "value": v,
            "channel": "chat",
        }
        for i, v in enumerate(answered)
    ]
    rows += [
        {
            "timestamp": start + timedelta(minutes=len(answered) + i),
            "metric": "first_response_time",
            "value": None,
            "channel": "chat",
        }
        for i in range(unanswered)
    ]
    return rows


CHAT_GOAL = """\
goals:
  - id: chat
    title: Answer chats within two minutes
    owner: alice@example.com
    metric: first_response_time
    where: {channel: chat}
    threshold: 90% within 2 minutes
    kind: maintain
    window: 7d
    timezone: Europe/Berlin
    start: 2026-10-01
    deadline: 2026-12-31
"""


def frame_of(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["value"] = frame["value"].astype(float)
    return frame


def test_unanswered_chats_turn_met_into_breached(goal_file):
    goals = goal_file(CHAT_GOAL)
    answered = [60.0] * 910 + [300.0] * 90  # 91% within 2 minutes among answered chats
    met = smartgoals.evaluate(goals, frame_of(chats(date(2026, 11, 20), answered)), as_of=AS_OF)
    assert met.get("chat").status is Status.ON_TRACK
    trap = chats(date(2026, 11, 20), answered, unanswered=15)  # 1.5% of chats never answered
    breached = smartgoals.evaluate(goals, frame_of(trap), as_of=AS_OF).get("chat")
    assert breached.status is Status.BREACHED
    assert breached.value == pytest.approx(910 / 1015)
    assert breached.events == 1015
    assert breached.pending == 0


def test_open_event_within_limit_is_pending(goal_file):
    goals = goal_file(CHAT_GOAL)
    as_of = datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN)
    rows = chats(date(2026, 11, 20), [60.0] * 40)
    rows.append(
        {
            "timestamp": as_of - timedelta(seconds=30),
            "metric": "first_response_time",
            "value": None,
            "channel": "chat",
        }
    )
    rows.append(
        {
            "timestamp": as_of - timedelta(hours=1),
            "metric": "first_response_time",
            "value": None,
            "channel": "chat",
        }
    )
    result = smartgoals.evaluate(goals, frame_of(rows), as_of=as_of).get("chat")
    assert (result.events, result.pending, result.good) == (41, 1, 40)


def test_events_after_as_of_are_ignored(goal_file):
    goals = goal_file(CHAT_GOAL)
    rows = chats(date(2026, 11, 20), [60.0] * 40) + chats(date(2026, 11, 23), [600.0] * 40)
    result = smartgoals.evaluate(goals, frame_of(rows), as_of=AS_OF).get("chat")
    assert (result.events, result.value) == (40, 1.0)


# What is known at as_of: an answer that came later does not exist yet.


def chat_at(moment: datetime, seconds: float | None) -> dict:
    return {
        "timestamp": moment,
        "metric": "first_response_time",
        "value": seconds,
        "channel": "chat",
    }


@pytest.mark.parametrize(
    ("created", "answered_after", "counts"),
    [
        (timedelta(minutes=1), 240.0, (0, 1, 0)),  # answered later; 60 s old at as_of: pending
        (timedelta(minutes=10), 900.0, (1, 0, 0)),  # answered later; 10 min old: a miss already
        (timedelta(minutes=3), 180.0, (1, 0, 0)),  # answered exactly at as_of, too late: known
        (timedelta(minutes=3), 60.0, (1, 0, 1)),  # answered before as_of within the limit
        (timedelta(seconds=120), 300.0, (0, 1, 0)),  # open for exactly the limit: still pending
    ],
    ids=["pending", "expired", "ends-at-as-of", "answered", "age-equals-limit"],
)
def test_answers_after_as_of_are_not_known(goal_file, created, answered_after, counts):
    as_of = datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN)
    rows = [chat_at(as_of - created, answered_after)]
    result = smartgoals.evaluate(goal_file(CHAT_GOAL), frame_of(rows), as_of=as_of)
    chat = result.get("chat")
    assert (chat.events, chat.pending, chat.good) == counts


def test_history_ages_open_events_to_as_of(goal_file):
    # Chats in the last minute of a Sunday, never answered: at the end of their own week they
    # were seconds old (pending), at as_of two weeks later they are misses in that week's history.
    rows = chats(date(2026, 11, 2), [60.0] * 89)
    late = datetime(2026, 11, 8, 23, 59, tzinfo=BERLIN)
    rows += [chat_at(late + timedelta(seconds=i), None) for i in range(11)]
    rows += chats(date(2026, 11, 16), [60.0] * 100)
    goals = goal_file(CHAT_GOAL.replace("min_events", "x") + "    min_events: 10\n")
    chat = smartgoals.evaluate(goals, frame_of(rows), as_of=AS_OF).get("chat")
    week = next(p for p in chat.weekly if p.start == date(2026, 11, 2))
    assert week.value == pytest.approx(0.89)
    assert week.events == 100
    assert chat.compliance == smartgoals.Compliance(weeks_met=1, weeks=2)


def test_history_matches_the_headline_at_as_of(goal_file, ticket_events):
    goals = goal_file(CHAT_GOAL)
    chat = smartgoals.evaluate(goals, ticket_events, as_of=AS_OF).get("chat")
    last = chat.weekly[-1]
    assert last.start == date(2026, 11, 16)
    assert last.value == pytest.approx(chat.value, rel=1e-12)
    assert last.events == chat.events


# Set-ups that match nothing are named, with what the data has.


def test_where_value_with_no_row_is_named_with_a_suggestion(goal_file):
    goals = goal_file(CHAT_GOAL.replace("{channel: chat}", "{channel: Chat}"))
    rows = chats(date(2026, 11, 20), [60.0] * 40)
    rows += [{**r, "channel": "email"} for r in chats(date(2026, 11, 20), [60.0] * 10)]
    report = smartgoals.evaluate(goals, frame_of(rows), as_of=AS_OF)
    chat = report.get("chat")
    assert chat.status is Status.NO_DATA
    assert any("channel 'Chat'" in r and "did you mean 'chat'" in r for r in chat.reasons)
    (unmatched,) = report.unmatched
    assert (unmatched.goal, unmatched.label, unmatched.value) == ("chat", "channel", "Chat")
    assert unmatched.seen == ("chat", "email")
    assert unmatched.suggestion == "chat"
    assert report.to_dict()["data_quality"]["unmatched"][0]["did_you_mean"] == "chat"


def test_where_value_close_to_nothing_has_no_suggestion(goal_file):
    goals = goal_file(CHAT_GOAL.replace("{channel: chat}", "{channel: phone}"))
    report = smartgoals.evaluate(goals, frame_of(chats(date(2026, 11, 20), [60.0])), as_of=AS_OF)
    assert report.unmatched[0].suggestion is None

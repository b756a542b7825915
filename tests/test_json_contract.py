"""The JSON report of design §6 is a public contract: keys and types are pinned here."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest

import smartgoals
from smartgoals._render import render
from tests.conftest import AS_OF, EXAMPLE_DATA, EXAMPLE_GOALS

GOAL_KEYS = {
    "id",
    "title",
    "owner",
    "metric",
    "kind",
    "status",
    "value",
    "target",
    "comparison",
    "met",
    "events",
    "window",
    "baseline",
    "progress",
    "expected_progress",
    "forecast",
    "p_success",
    "deadline",
    "reasons",
    "file",
    "line",
}
THRESHOLD_KEYS = {"threshold", "good", "pending", "error_budget"}
BUDGET_KEYS = {"allowed", "bad", "consumed", "remaining", "burn_rates"}


@pytest.fixture(scope="module")
def report() -> dict:
    result = smartgoals.evaluate(EXAMPLE_GOALS, [str(p) for p in EXAMPLE_DATA], as_of=AS_OF)
    return json.loads(render(result, "json"))


def test_top_level_keys(report):
    assert set(report) == {"as_of", "summary", "data_quality", "goals"}
    assert set(report["summary"]) == {s.value for s in smartgoals.Status}
    assert report["as_of"] == AS_OF.isoformat()  # a date means its end, so it stays a date


def test_as_of_timestamp_keeps_its_offset():
    moment = datetime(2026, 11, 22, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    result = smartgoals.evaluate(EXAMPLE_GOALS, [str(p) for p in EXAMPLE_DATA], as_of=moment)
    assert json.loads(render(result, "json"))["as_of"] == "2026-11-22T10:30:00+01:00"


def test_goal_keys_and_types(report):
    for goal in report["goals"]:
        assert GOAL_KEYS <= set(goal), goal["id"]
        assert goal["status"] in {s.value for s in smartgoals.Status}
        assert isinstance(goal["target"], float | int)
        assert not isinstance(goal["target"], bool)
        assert goal["comparison"] in (">=", "<=")
        assert isinstance(goal["events"], int)
        assert set(goal["window"]) >= {"start", "end"}
        assert isinstance(goal["reasons"], list)
        assert goal["reasons"]
        assert goal["file"].endswith(".yaml")
        assert isinstance(goal["line"], int)
        if goal["baseline"] is not None:
            assert isinstance(goal["baseline"], float | int)


def test_threshold_goal_keys(report):
    chat = next(g for g in report["goals"] if g["id"] == "chat-first-response")
    assert THRESHOLD_KEYS <= set(chat)
    assert chat["threshold"]["share"] == 0.9
    assert chat["threshold"]["limit"] == 120.0
    assert chat["threshold"]["comparison"] == "<="
    assert isinstance(chat["good"], int)
    assert isinstance(chat["pending"], int)
    assert set(chat["error_budget"]) == BUDGET_KEYS
    assert set(chat["error_budget"]["burn_rates"]) == {"1d", "7d"}
    assert chat["error_budget"]["consumed"] > 1
    assert chat["error_budget"]["remaining"] < 0


def test_no_nan_or_infinity_anywhere(report):
    def walk(value):
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(report)


def test_no_events_gives_nulls(goal_file, ticket_events):
    path = goal_file(
        "goals:\n  - {id: g, owner: o, metric: first_response_time, where: {channel: fax},"
        " threshold: 90% within 2 min, deadline: 2026-12-31}\n"
    )
    data = json.loads(render(smartgoals.evaluate(path, ticket_events, as_of=AS_OF), "json"))
    goal = data["goals"][0]
    assert goal["status"] == "no_data"
    assert goal["events"] == 0
    for key in ("value", "met", "progress", "forecast", "p_success", "error_budget"):
        assert goal[key] is None, key

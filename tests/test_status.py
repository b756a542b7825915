"""Every status has its one row in the table of how reports show it."""

from __future__ import annotations

import re

import pytest

from smartgoals import Status, report_schema
from smartgoals._render.html_format import STYLE
from smartgoals._status import ATTENTION, LOOKS, count_statuses, parse_policy, worst


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_status_has_a_look(status):
    look = status.look
    assert look is LOOKS[status]
    assert look.icon
    assert look.style
    assert re.fullmatch(r"#[0-9a-f]{6}", look.colour)
    assert f".{status.value}{{border-top-color:{look.colour}}}" in STYLE


def test_status_table_has_no_other_rows():
    assert set(LOOKS) == set(Status)


def test_schema_enum_is_every_status():
    schema = report_schema()
    assert schema["properties"]["summary"]["required"] == [s.value for s in Status]
    goal = schema["properties"]["goals"]["items"]["properties"]["status"]
    assert goal["enum"] == [s.value for s in Status]


def test_severity_orders_worst_first():
    assert worst([Status.ON_TRACK, Status.BREACHED, Status.NO_DATA]) is Status.BREACHED
    assert [s.severity for s in Status] == list(range(len(Status)))
    assert ATTENTION == (Status.MISSED, Status.BREACHED, Status.AT_RISK, Status.NO_DATA)


def test_count_statuses_lists_every_status():
    assert count_statuses([Status.MISSED, Status.MISSED]) == {
        s.value: 2 if s is Status.MISSED else 0 for s in Status
    }


def test_parse_policy_refuses_statuses_that_never_fail():
    assert parse_policy("breached, at-risk") == {Status.BREACHED, Status.AT_RISK}
    with pytest.raises(ValueError, match="not_started"):
        parse_policy("not_started")

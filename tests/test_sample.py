from __future__ import annotations

import gzip
from datetime import date

from smartgoals._sample import daily_rows, ticket_rows, write_example_data
from tests.conftest import EXAMPLE_DATA


def test_committed_example_data_is_the_generators_output(tmp_path):
    tickets, daily = write_example_data(tmp_path)
    with gzip.open(tickets, "rt") as fresh, gzip.open(EXAMPLE_DATA[0], "rt") as committed:
        assert fresh.read() == committed.read()
    assert daily.read_text() == EXAMPLE_DATA[1].read_text()


def test_generator_is_seeded():
    first = list(ticket_rows(date(2026, 11, 1), date(2026, 11, 3), 20, seed=3))
    assert first == list(ticket_rows(date(2026, 11, 1), date(2026, 11, 3), 20, seed=3))
    assert first != list(ticket_rows(date(2026, 11, 1), date(2026, 11, 3), 20, seed=4))


def test_daily_rows_have_every_series():
    metrics = {row["metric"] for row in daily_rows(date(2026, 11, 1), date(2026, 11, 2))}
    assert metrics == {"contacts", "cost", "ticket_volume", "backlog"}

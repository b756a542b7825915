from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartgoals._units import (
    Condition,
    Quantity,
    QuantityKind,
    Target,
    UnitError,
    format_quantity,
    parse_comparand,
    parse_duration,
    parse_percent,
    parse_quantity,
    parse_standard,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("2 min", 120),
        ("2 minutes", 120),
        ("1.5h", 5400),
        ("4 hours", 14400),
        ("1 hour", 3600),
        ("3 days", 259200),
        ("PT2M", 120),
        ("P1DT2H", 93600),
        ("1h 30min", 5400),
        ("20 S", 20),
        ("2 MINUTES", 120),
        ("250ms", 0.25),
        ("1 week", 604800),
        ("PT0.5S", 0.5),
    ],
)
def test_parse_duration_accepts_common_forms(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 m", "ambiguous unit 'm'"),
        ("2 lightyears", "unknown duration unit"),
        ("PT", "expected a"),
        ("", "empty"),
        ("fast", "expected a"),
        ("-5 min", "non-negative"),
    ],
)
def test_parse_duration_refuses_with_reason(text, message):
    with pytest.raises(UnitError, match=message):
        parse_duration(text)


def test_parse_duration_bare_number_needs_unit():
    with pytest.raises(UnitError, match="give the unit"):
        parse_duration(120)


def test_parse_percent_is_exact_decimal():
    assert parse_percent("90%") == 0.9
    assert parse_percent("99.5 %") == 0.995


def test_parse_standard_kinds():
    within = parse_standard("90% within 2 minutes")
    assert (within.share, within.limit.value, within.comparison) == (0.9, 120.0, "<=")
    under = parse_standard("80% under 20s")
    assert (under.share, under.limit.value, under.comparison) == (0.8, 20.0, "<")
    least = parse_standard("95% at least 4")
    assert (least.limit, least.comparison) == (Quantity(4.0, QuantityKind.NUMBER), ">=")
    assert parse_standard("95% at most 3").comparison == "<="


@pytest.mark.parametrize(
    "text", ["120% within 2 min", "90 within 2 min", "90% in 2 min", "90% within"]
)
def test_parse_standard_refuses(text):
    with pytest.raises(UnitError):
        parse_standard(text)


def test_parse_comparand_directions():
    assert parse_comparand(">= 90%").comparison == ">="
    assert parse_comparand("<= 6 min").quantity == Quantity(360.0, QuantityKind.DURATION)
    assert parse_comparand(45).comparison is None
    with pytest.raises(UnitError, match="'>=' or '<='"):
        parse_comparand("> 4")


def test_parse_number_refuses_nan_and_bool():
    with pytest.raises(UnitError):
        parse_quantity(True)
    with pytest.raises(UnitError):
        parse_quantity(float("nan"))


units = st.sampled_from(["s", "sec", "seconds", "min", "minutes", "h", "hours", "d", "days", "w"])
decimals = st.decimals(
    min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False
)


@given(decimals, units)
def test_duration_round_trips(number, unit):
    quantity = parse_quantity(f"{number} {unit}")
    assert parse_quantity(format_quantity(quantity)) == quantity


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False))
def test_percent_round_trips(number):
    quantity = parse_quantity(f"{number}%")
    assert parse_quantity(format_quantity(quantity)) == quantity


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_number_round_trips(number):
    quantity = parse_quantity(number)
    assert parse_quantity(format_quantity(quantity)) == quantity


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    decimals,
    st.sampled_from(["within", "under"]),
)
def test_standard_round_trips(share, limit, word):
    standard = parse_standard(f"{share}% {word} {limit}s")
    assert parse_standard(str(standard)) == standard


@given(
    st.sampled_from([">=", "<="]),
    st.floats(-1e6, 1e6),
    st.lists(st.floats(-1e6, 1e6), max_size=20),
)
def test_target_met_by_an_array_is_met_by_each(comparison, value, values):
    import numpy as np

    target = Target(comparison, value)
    assert target.met_by(np.array(values, dtype=np.float64)).tolist() == [
        target.met_by(v) for v in values
    ]
    assert target.met_by(value)
    assert target.higher is (comparison == ">=")


@given(
    st.sampled_from(["<=", "<", ">="]),
    st.floats(0, 1e4),
    st.lists(st.floats(0, 1e4) | st.none(), max_size=20),
)
def test_condition_holds_alike_for_numbers_and_engine_rows(comparison, limit, values):
    import narwhals.stable.v2 as nw
    import polars as pl

    condition = Condition(comparison, limit)
    frame = nw.from_native(pl.DataFrame({"value": values}, schema={"value": pl.Float64}))
    rows = frame.select(condition.holds(nw.col("value")).alias("good"))["good"].to_list()
    assert rows == [None if v is None else condition.holds(v) for v in values]

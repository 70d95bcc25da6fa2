"""Numbers for readers: the cases issue 10 found in the book, and the rules of each quantity."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from causalxai.fmt import MISSING, QUANTITIES, fmt, fmt_table, rule

NB = "\u00a0"  # the no-break space between a number and its % / pp


# What the book printed, and what it prints now (issue 10, point 6) ------------------------------
@pytest.mark.parametrize(("value", "quantity", "expected"), [
    (-0.00002, "effect", "0"),  # was "-0.0000"
    (-0.0000, "number", "0"),  # negative zero
    (0.0, "pvalue", "< 0.001"),  # was "p = 0.0000"
    (9.1e-13, "number", "0"),  # was "9.1e-13"
    (3.2e-15, "effect", "0"),  # was "3.2e-15"
    (-3.2e-15, "effect", "0"),
    (5896.235, "count", "5,896"),  # failures, was "5896.235"
    (1183.8081, "money", "1,184"),  # dollars, was "1183.8081"
    (1452.0, "count", "1,452"),  # firms, was "1452.0"
    (-2.78, "points", f"-278{NB}pp"),  # a change of probability in points says its scale
])
def test_the_numbers_issue_10_found(value, quantity, expected):
    assert fmt(value, quantity) == expected


@pytest.mark.parametrize(("value", "quantity", "expected"), [
    # significant digits, at most 4 decimals
    (-0.825, "effect", "-0.825"), (0.006, "effect", "0.0060"), (-0.3, "effect", "-0.300"),
    (12.3456, "number", "12.3"), (123456.7, "number", "123,457"), (7, "number", "7"),
    (9.996, "number", "10.0"),  # rounding up to a new magnitude keeps 3 digits, not 4
    (0.00012, "probability", "0.0001"), (0.00004, "probability", "0"),
    # fixed decimals
    (0.87349, "auc", "0.873"), (-0.0001, "auc", "0.000"), (0.5, "auc", "0.500"),
    (0.0461, "score", "0.046"), (1.234, "ratio", "1.23"), (3.44, "kg", "3.4"),
    # shares in %, differences in points
    (0.0213, "percent", f"2.1{NB}%"), (0.2468, "percent", f"25{NB}%"),
    (0.994, "percent", f"99{NB}%"), (1, "percent", f"100{NB}%"), (0.0, "percent", f"0{NB}%"),
    (0.00004, "percent", f"0{NB}%"), (-0.032, "points", f"-3.2{NB}pp"),
    # p-values
    (0.0004, "pvalue", "< 0.001"), (0.001, "pvalue", "0.001"), (0.0123, "pvalue", "0.012"),
    (0.34, "pvalue", "0.34"),
    # integers, money, time
    (1452, "count", "1,452"), (-3.6, "count", "-4"), (2019, "year", "2019"),
    (2019.0, "year", "2019"), (999.5, "money", "1,000"), (7.26, "months", "7.3"),
    (12.4, "months", "12"), (0.44, "seconds", "0.4"), (38.2, "seconds", "38"),
    (4.55, "years", "4.5"),
])
def test_each_quantity_has_its_rule(value, quantity, expected):
    assert fmt(value, quantity) == expected


@pytest.mark.parametrize("missing", [float("nan"), np.nan, None, pd.NA, pd.NaT, np.float32("nan")])
def test_missing_values_are_a_dash_whatever_the_quantity(missing):
    assert MISSING == "—"
    for quantity in QUANTITIES:
        assert fmt(missing, quantity) == MISSING


def test_infinities_booleans_strings_dates_and_numpy_scalars():
    assert fmt(float("inf")) == "∞" and fmt(-np.inf, "effect") == "-∞"
    assert fmt(True) == "yes" and fmt(np.bool_(False), "count") == "no"
    assert fmt("abstained", "effect") == "abstained"  # text passes through any quantity
    assert fmt(0.5, "text") == "0.5"
    assert fmt(dt.date(2020, 3, 1)) == "2020-03-01"
    assert fmt(pd.Timestamp("2020-03-01")) == "2020-03-01"
    assert fmt(pd.Timestamp("2020-03-01 12:30")) == "2020-03-01T12:30:00"
    assert fmt(np.float32(0.5), "auc") == "0.500" and fmt(np.int64(1452)) == "1,452"
    assert fmt(("a", 1)) == "('a', 1)"  # not a number: str()


def test_signed_digits_and_decimals_overrides():
    assert fmt(0.12, signed=True) == "+0.120"
    assert fmt(-0.12, signed=True) == "-0.120"
    assert fmt(1e-9, signed=True) == "0"  # zero is never signed
    assert fmt(0.034, "points", signed=True) == f"+3.4{NB}pp"
    assert fmt(-0.8249, "effect", digits=2) == "-0.82"
    assert fmt(0.123456, decimals=5) == "0.12346"
    assert fmt(1234.5, "number", decimals=1) == "1,234.5"


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"quantity": "dollars"}, ValueError, r"unknown quantity 'dollars'; expected one of: number"),
    ({"digits": 0}, ValueError, "digits must be a positive integer, got 0"),
    ({"decimals": -1}, ValueError, "decimals must be a non-negative integer, got -1"),
])
def test_bad_options_are_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        fmt(1.0, **kwargs)


def test_rule_names_every_quantity():
    assert rule("percent").scale == 100
    with pytest.raises(ValueError, match="unknown quantity 'kilo'"):
        rule("kilo")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
       st.sampled_from(sorted(set(QUANTITIES) - {"text", "pvalue"})))
def test_never_scientific_never_negative_zero_and_close_to_the_value(value, quantity):
    text = fmt(value, quantity)
    assert "e" not in text.lower() or text == "yes"
    assert not text.startswith("-0") or text.strip("-0.") != ""
    assert text.lstrip("-").replace(",", "").replace(".", "").split(NB)[0].isdigit()
    q = rule(quantity)
    number = float(text.split(NB)[0].replace(",", "")) / q.scale
    resolution = 10.0 ** -q.decimals / q.scale
    # the text is the value rounded to at most its digits, within half a unit of its last place
    assert math.isclose(number, value, rel_tol=0.051, abs_tol=resolution)


def test_fmt_table_formats_column_by_column_and_row_by_row():
    board = pd.DataFrame({"median_rel_error": [0.021, 0.2468], "sign_rate": [0.99, 0.79],
                          "n": [1452.0, 3.0], "note": ["ok", None]},
                         index=["GraphDML[linear]", "ShapSlope"])
    out = fmt_table(board, {"median_rel_error": "percent", "sign_rate": "percent",
                            "n": "count"})
    assert out.index.equals(board.index) and out.columns.equals(board.columns)
    assert out.loc["ShapSlope"].tolist() == [f"25{NB}%", f"79{NB}%", "3", MISSING]
    assert out.loc["GraphDML[linear]", "n"] == "1,452"
    assert fmt_table(board[["n"]], "count")["n"].tolist() == ["1,452", "3"]
    metrics = pd.DataFrame({"a": [0.873, 1452.0], "b": [0.5, 2.0]}, index=["auc", "firms"])
    rows = fmt_table(metrics, {"auc": "auc", "firms": "count"}, by="row")
    assert rows.loc["auc"].tolist() == ["0.873", "0.500"]
    assert rows.loc["firms"].tolist() == ["1,452", "2"]


def test_fmt_table_errors_name_the_problem():
    frame = pd.DataFrame({"a": [1.0]})
    with pytest.raises(ValueError, match=r"quantities names column\(s\) 'b' .*columns: a"):
        fmt_table(frame, {"b": "count"})
    with pytest.raises(ValueError, match="unknown quantity 'percentage'"):
        fmt_table(frame, {"a": "percentage"})
    with pytest.raises(ValueError, match="by must be 'column' or 'row', got 'cols'"):
        fmt_table(frame, by="cols")
    with pytest.raises(ValueError, match="frame must be a pandas DataFrame, got list"):
        fmt_table([1, 2])

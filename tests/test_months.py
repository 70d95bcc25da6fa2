"""The one calendar-month helper: integer months, labels, offsets, clear errors."""

import numpy as np
import pandas as pd
import pytest

from causalxai.months import add_months, month_index, month_label, month_number, month_start


def test_month_index_is_twelve_years_plus_month():
    assert month_index("2020-01", "m") == 24240
    assert month_index("2019-12", "m") == 24239
    labels = [f"{y}-{m:02d}" for y in range(1998, 2031) for m in range(1, 13)]
    numbers = [month_index(s, "m") for s in labels]
    assert np.all(np.diff(numbers) == 1)
    assert [month_label(n) for n in numbers] == labels
    assert month_number(labels).tolist() == numbers


@pytest.mark.parametrize("offset", [-25, -12, -1, 0, 1, 11, 12, 13, 40])
def test_add_months_agrees_with_the_calendar(offset):
    for month in ("2019-01", "2020-12", "2021-06"):
        expected = (pd.Timestamp(month) + pd.DateOffset(months=offset)).strftime("%Y-%m")
        assert add_months(month, offset) == expected
        assert add_months(add_months(month, offset), -offset) == month


@pytest.mark.parametrize("bad", ["2020-13", "2020-00", "2020-1", "20-01", "2020-01-01", 202001,
                                 None])
def test_bad_months_are_refused_naming_the_parameter(bad):
    with pytest.raises(ValueError, match="decision_month must be a month 'YYYY-MM'"):
        add_months(bad, 1, "decision_month")
    with pytest.raises(ValueError, match="start must be a month"):
        month_index(bad, "start")
    with pytest.raises(ValueError, match="start must be a month"):
        month_start(bad, "start")

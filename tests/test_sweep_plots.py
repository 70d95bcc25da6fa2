"""The sweep figure of :mod:`causalxai.plots`: what it summarises and what it draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from causalxai.plots import sweep_lines, sweep_summary


def _table() -> pd.DataFrame:
    """A sweep table: strength x seed, two methods' errors glued per run."""
    rows = []
    for strength in (0.0, 1.0, 2.0):
        for seed in range(5):
            rows.append({"strength": strength, "seed": seed, "name": "shap_error",
                         "value": strength + seed, "text": ""})
            rows.append({"strength": strength, "seed": seed, "name": "dml_error",
                         "value": 0.1 * seed, "text": ""})
            rows.append({"strength": strength, "seed": seed, "name": "label",
                         "value": np.nan, "text": "'x'"})
    return pd.DataFrame(rows)


def test_summary_is_mean_and_quantile_range_over_seeds():
    out = sweep_summary(_table(), "strength", {"shap_error": "SHAP", "dml_error": "DML"},
                        level=0.5)
    assert list(out["line"]) == ["SHAP"] * 3 + ["DML"] * 3
    shap = out[out["line"] == "SHAP"].set_index("strength")
    assert shap.loc[1.0, "mean"] == pytest.approx(3.0)  # 1 + mean(0..4)
    assert shap.loc[1.0, "low"] == pytest.approx(1 + 1) and shap.loc[1.0, "high"] == 1 + 3
    assert set(out["n"]) == {5}


def test_by_makes_one_line_per_parameter_value():
    out = sweep_summary(_table(), "seed", "shap_error", by="strength")
    assert list(dict.fromkeys(out["line"])) == ["0.0", "1.0", "2.0"]
    assert out.set_index(["line", "seed"]).loc[("2.0", 4), "mean"] == 6.0


@pytest.mark.parametrize("kwargs, message", [
    ({"x": "nope", "names": "shap_error"}, "'nope' is not a swept parameter"),
    ({"x": "strength", "names": "missing"}, "not in the table: missing"),
    ({"x": "seed", "names": ["shap_error", "dml_error"], "by": "strength"}, "one glued name"),
    ({"x": "strength", "names": "shap_error", "level": 1.5}, r"level must be in \(0, 1\)"),
])
def test_summary_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sweep_summary(_table(), **kwargs)


def test_figure_draws_one_line_and_band_per_method():
    ax = sweep_lines(_table(), "strength", {"shap_error": "SHAP", "dml_error": "DML"},
                     ylabel="error")
    assert [line.get_label() for line in ax.get_lines()] == ["SHAP", "DML"]
    assert np.allclose(ax.get_lines()[0].get_ydata(), [2.0, 3.0, 4.0])
    assert len(ax.collections) == 2  # the two intervals
    assert ax.get_xlabel() == "strength" and ax.get_ylabel() == "error"
    assert "over 5 repetitions" in ax.get_title()

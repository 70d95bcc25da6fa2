"""The scorecard's sweep summary, the cell the prose quotes, the short table and the figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from causalxai.plots import BOOK_WIDTH
from causalxai.synthetic.scorecard_report import (
    scorecard_figure,
    summarize_sweep,
    sweep_error,
    sweep_figure,
    sweep_listing,
    sweep_overview,
)

OBS, UNOBS = "cash buffer, observed confounder", "short-time work, unobserved confounder"


def _grid() -> pd.DataFrame:
    """A sweep with known errors: error = strength × bias(method) + size noise ± 0.1 by seed;
    the graph method abstains in the unobserved case."""
    bias = {"NaiveRegression": 0.5, "GraphDML[linear]": 0.0}
    rows = []
    for case in (OBS, UNOBS):
        for method, b in bias.items():
            for strength in (0.0, 1.0, 2.0):
                for n in (1000, 4000):
                    for s, wiggle in enumerate((-0.1, 0.1)):
                        abstains = method == "GraphDML[linear]" and case == UNOBS
                        error = np.nan if abstains else strength * b + 100 / n + wiggle
                        rows.append({"case": case, "method": method, "strength": strength,
                                     "n_samples": n, "seed": s, "error": error,
                                     "abstained": abstains})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def summary():
    return summarize_sweep(_grid())


def test_summary_has_one_row_per_point_with_mean_sd_and_abstention(summary):
    assert len(summary) == 2 * 2 * 3 * 2
    row = summary[(summary["case"] == OBS) & (summary["method"] == "NaiveRegression")
                  & (summary["strength"] == 2.0) & (summary["n_samples"] == 1000)].iloc[0]
    assert row["mean_error"] == pytest.approx(2 * 0.5 + 0.1)  # the ± 0.1 cancel
    assert row["sd_error"] == pytest.approx(np.std([-0.1, 0.1], ddof=1))
    assert row["abstained"] == 0
    graph = summary[(summary["case"] == UNOBS) & (summary["method"] == "GraphDML[linear]")]
    assert (graph["abstained"] == 1).all() and graph["mean_error"].isna().all()


def test_sweep_error_reads_one_point_of_the_summary(summary):
    assert sweep_error(summary, OBS, "NaiveRegression", 2.0, 4000) == pytest.approx(1.025)
    assert sweep_error(summary, UNOBS, "NaiveRegression", 0.0, 1000) == pytest.approx(0.1)
    assert np.isnan(sweep_error(summary, UNOBS, "GraphDML[linear]", 1.0, 1000))


@pytest.mark.parametrize(("args", "message"), [
    ((OBS, "ShapSlope", 2.0, 4000), "method='ShapSlope' is not in the sweep"),
    (("no such case", "NaiveRegression", 2.0, 4000), "case='no such case' is not in the sweep"),
    ((OBS, "NaiveRegression", 3.0, 4000), r"strength=3.0 is not in the sweep \(it has 0.0, 1.0, 2.0\)"),
    ((OBS, "NaiveRegression", 2.0, 500), "n_samples=500 is not in the sweep"),
])
def test_sweep_error_names_the_point_that_is_missing(summary, args, message):
    with pytest.raises(ValueError, match=message):
        sweep_error(summary, *args)


def test_sweep_error_refuses_the_raw_grid():
    with pytest.raises(ValueError, match=r"lacks column.*'mean_error'"):
        sweep_error(_grid(), OBS, "NaiveRegression", 2.0, 4000)
    doubled = pd.concat([summarize_sweep(_grid())] * 2)
    with pytest.raises(ValueError, match="2 rows for case="):
        sweep_error(doubled, OBS, "NaiveRegression", 2.0, 4000)


def test_summarize_sweep_checks_its_input():
    with pytest.raises(ValueError, match=r"lacks column.*'case'"):
        summarize_sweep(_grid().drop(columns="case"))
    with pytest.raises(ValueError, match="no rows"):
        summarize_sweep(_grid().iloc[:0])
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        summarize_sweep([1, 2])


def test_overview_cells_are_the_quoted_cells(summary):
    table = sweep_overview(summary)
    assert list(table.columns) == ["Strength 0", "Strength 1", "Strength 2", "abstained"]
    assert list(table.index) == [(OBS, "GraphDML[linear]"), (OBS, "NaiveRegression"),
                                 (UNOBS, "GraphDML[linear]"), (UNOBS, "NaiveRegression")]
    for (case, method), row in table.iterrows():
        for strength in (0.0, 1.0, 2.0):
            cell = row[f"Strength {strength:g}"]
            quoted = sweep_error(summary, case, method, strength, 4000)
            assert cell == quoted or (np.isnan(cell) and np.isnan(quoted))
    assert table.loc[(UNOBS, "GraphDML[linear]"), "abstained"] == 1
    assert table.loc[(UNOBS, "GraphDML[linear]")].iloc[:3].isna().all()
    small = sweep_overview(summary, n_samples=1000)
    assert small.loc[(OBS, "NaiveRegression"), "Strength 2"] == pytest.approx(1.1)
    with pytest.raises(ValueError, match=r"n_samples=2000 is not a size of the sweep \(it has 1000, 4000\)"):
        sweep_overview(summary, n_samples=2000)


def test_listing_keeps_every_value_and_labels_the_strength(summary):
    listing = sweep_listing(summary)
    assert listing.index.names == ["case", "method", "strength", "n_samples"]
    assert sorted(set(listing.index.get_level_values("strength"))) == ["0", "1", "2"]
    np.testing.assert_array_equal(listing["mean_error"].to_numpy(),
                                  summary["mean_error"].to_numpy())
    with pytest.raises(ValueError, match="lacks column"):
        sweep_listing(summary.drop(columns="sd_error"))


def _labels(fig):
    return {t.get_text() for t in fig.legends[0].get_texts()}


def test_sweep_figure_fits_the_column_with_human_names(summary):
    fig = sweep_figure(summary)
    assert fig.get_size_inches()[0] <= BOOK_WIDTH
    assert len(fig.axes) == 4  # two cases × two sizes
    assert _labels(fig) == {"Naive regression", "Graph double ML (linear)",
                            "Graph double ML (linear) (abstains)"}
    plt.close(fig)
    with pytest.raises(ValueError, match="width must be in"):
        sweep_figure(summary, width=9)


def test_scorecard_figure_stacks_two_heat_maps_with_human_names():
    methods = ["ShapSlope", "GraphDML[linear]"]
    scenarios = ["observed_confounding", "symptom", "subscriber_retention"]
    rel = pd.DataFrame([[0.3, 5.0, np.nan], [0.01, 0.02, 0.5]], index=methods, columns=scenarios)
    sign = pd.DataFrame([[0.9, 0.0, np.nan], [1.0, 1.0, 0.7]], index=methods, columns=scenarios)
    fig = scorecard_figure(rel, sign)
    assert fig.get_size_inches()[0] <= BOOK_WIDTH
    heat = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(heat) == 2
    assert [t.get_text() for t in heat[0].get_yticklabels()] == ["SHAP slope",
                                                                 "Graph double ML (linear)"]
    assert [t.get_text() for t in heat[1].get_xticklabels()] == [
        "Observed confounding", "Symptom", "Subscriber retention"]
    # the real error is written even where the colour is clipped; a missing cell is blank
    texts = [t.get_text() for t in heat[0].texts]
    assert "5.00" in texts and len(texts) == 5
    assert "70%" in [t.get_text() for t in heat[1].texts]
    plt.close(fig)
    with pytest.raises(ValueError, match="same methods"):
        scorecard_figure(rel, sign.iloc[::-1])

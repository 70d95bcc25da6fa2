"""Chapter 2.1's experiment: SHAP readings next to the exact truth, and the glued cells."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import causalxai.glue
from causalxai.fmt import fmt
from causalxai.plots import BOOK_WIDTH
from causalxai.synthetic.scenarios import firm_distress_toy
from causalxai.synthetic.shap_reading import (
    exact_truth,
    glue_shap_vs_truth,
    shap_readings,
    shap_vs_truth,
    shap_vs_truth_figure,
)

TOY = firm_distress_toy()


@pytest.fixture(scope="module")
def truth():
    return exact_truth(TOY, n=2_000, seed=0)


@pytest.fixture(scope="module")
def runs():
    return shap_readings(TOY, n_samples=1_500, seeds=[0, 1], n_explain=150,
                         n_background=40, n_estimators=40)


@pytest.fixture
def glued(monkeypatch):
    calls = {}
    monkeypatch.setattr(causalxai.glue, "myst_glue",
                        lambda name, value, display=True: calls.__setitem__(name, value))
    return calls


def test_exact_truth_matches_the_closed_form_of_the_toy(truth):
    # Closed forms: the symptom has no effect, debt acts through interest (0.9 x 0.6),
    # cash directly (-0.5), demand directly and through cash (-0.5 + 0.6 x -0.5), age
    # directly, through cash and through debt (-0.4 + 0.4 x -0.5 - 0.3 x 0.9 x 0.6).
    expected = {"late_payments": 0.0, "debt_ratio": 0.54, "cash_buffer": -0.5,
                "demand": -0.8, "interest_burden": 0.6, "firm_age": -0.762}
    for feature, value in expected.items():
        assert truth.loc[feature, "closed_form"] == pytest.approx(value, abs=1e-12)
        assert truth.loc[feature, "effect"] == pytest.approx(value, abs=1e-9)


def test_exact_truth_scales_the_closed_form_with_the_shift():
    half = exact_truth(TOY, n=1_000, seed=0, delta=0.5)
    assert half.loc["debt_ratio", "closed_form"] == pytest.approx(0.27, abs=1e-12)
    assert half.loc["debt_ratio", "effect"] == pytest.approx(0.27, abs=1e-9)


def test_shap_readings_has_one_row_per_repetition_and_feature(runs):
    assert len(runs) == 2 * len(TOY.features)
    assert set(runs["feature"]) == set(TOY.features)
    assert sorted(runs["run"].unique()) == [0, 1]
    assert (runs["importance"] >= 0).all()
    r2 = runs.groupby("run")["r2"].first()
    assert ((r2 > 0.5) & (r2 <= 1)).all()  # the model predicts well


def test_the_symptom_dominates_shap_yet_has_no_effect(runs, truth):
    table = shap_vs_truth(runs, truth, TOY.roles)
    assert list(table["shap_rank"]) == sorted(table["shap_rank"])
    assert table.index[0] == "late_payments" and table.loc["late_payments", "shap_rank"] == 1
    assert table.loc["late_payments", "slope"] > 0.3
    assert table.loc["late_payments", "truth"] == pytest.approx(0.0, abs=1e-9)
    assert not table.loc["late_payments", "sign_agrees"]
    # the slope's range holds its mean; errors are consistent with the columns
    assert (table["q025"] <= table["slope"] + 1e-12).all()
    assert (table["slope"] <= table["q975"] + 1e-12).all()
    np.testing.assert_allclose(table["abs_error"], (table["slope"] - table["truth"]).abs())
    assert table.loc["debt_ratio", "role"] == "lever via mediator"


def test_shap_vs_truth_on_a_hand_made_table():
    runs = pd.DataFrame({"feature": ["a", "b", "a", "b"], "slope": [1.0, -0.2, 3.0, -0.4],
                         "importance": [0.1, 0.5, 0.3, 0.7], "run": [0, 0, 1, 1]})
    truth = pd.DataFrame({"effect": [2.0, 0.3]}, index=["a", "b"])
    table = shap_vs_truth(runs, truth, {"a": "lever", "b": "symptom"})
    assert list(table.index) == ["b", "a"]  # b is the more important
    assert table.loc["a", "slope"] == pytest.approx(2.0)
    assert table.loc["a", "q025"] == pytest.approx(1.05)
    assert table.loc["b", "importance"] == pytest.approx(0.6)
    assert table.loc["a", "rel_error"] == pytest.approx(0.0)
    assert table.loc["b", "rel_error"] == pytest.approx(0.6 / 0.3)
    assert list(table["sign_agrees"]) == [False, True]


def test_glued_numbers_are_the_table_cells_as_shown(runs, truth, glued):
    table = shap_vs_truth(runs, truth, TOY.roles)
    values = glue_shap_vs_truth(table, runs, truth)
    for f in table.index:
        assert values[f"{f}_slope"] == table.loc[f, "slope"]
        assert glued[f"{f}_slope"].text == fmt(table.loc[f, "slope"], "effect")
        assert values[f"{f}_truth"] == table.loc[f, "truth"]
        assert values[f"{f}_rank"] == table.loc[f, "shap_rank"]
    assert values["n_features"] == 6
    assert values["n_wrong_sign"] == int((~table["sign_agrees"]).sum())
    assert values["top_feature"] == "Late payments" and values["top_role"] == "symptom"
    assert values["r2"] == pytest.approx(runs["r2"].mean())
    assert values["max_mc_gap"] < 1e-9 and glued["max_mc_gap"].text == "0"


def test_bad_input_is_refused_with_the_name_of_the_item(runs, truth):
    with pytest.raises(ValueError, match="missing: importance"):
        shap_vs_truth(runs.drop(columns="importance"), truth, TOY.roles)
    with pytest.raises(ValueError, match=r"no true effect for feature.*late_payments"):
        shap_vs_truth(runs, truth.drop(index="late_payments"), TOY.roles)
    with pytest.raises(ValueError, match=r"no role for feature.*demand"):
        shap_vs_truth(runs, truth, {f: r for f, r in TOY.roles.items() if f != "demand"})
    with pytest.raises(ValueError, match="'effect' column"):
        shap_vs_truth(runs, truth.rename(columns={"effect": "x"}), TOY.roles)
    with pytest.raises(ValueError, match="n_explain must be a positive integer"):
        shap_readings(TOY, n_samples=100, seeds=[0], n_explain=0, n_background=10,
                      n_estimators=10)
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        shap_readings(TOY, n_samples=100, seeds=[], n_explain=10, n_background=10,
                      n_estimators=10)


def test_the_figure_fits_the_column(runs, truth):
    table = shap_vs_truth(runs, truth, TOY.roles)
    fig = shap_vs_truth_figure(table, context=TOY.name)
    assert fig.get_size_inches()[0] <= BOOK_WIDTH
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Late payments" in labels  # human names, not code names
    plt.close(fig)
    with pytest.raises(ValueError, match="width must be in"):
        shap_vs_truth_figure(table, width=9)

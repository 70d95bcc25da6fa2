"""Tests for causalxai.integration.comparison: the applied comparison table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.integration.comparison import (
    TECHNIQUES,
    comparison_table,
    discovery_scores,
    effect_scores,
    lalonde_scores,
    prescriber_scores,
    prescription_scores,
)


def _frames():
    effects = pd.DataFrame({"median_rel_error": [0.4, 0.02], "sign_rate": [0.7, 1.0],
                            "seconds": [3.0, 1.0]}, index=["ShapSlope", "GraphDML[linear]"])
    prescriptions = pd.DataFrame({"relative_regret": [0.5], "validity": [0.8],
                                  "seconds": [9.0]}, index=["shap_greedy"])
    explanations = pd.DataFrame({"mean": [0.3, 0.9], "seconds": [0.1, 0.4]},
                                index=["marginal", "causal"])
    discovery = pd.DataFrame({"shd": [6.0, 2.0], "seconds": [0.2, 0.2]},
                             index=["PC", "PC+knowledge"])
    lalonde = pd.DataFrame({"estimate": [1794.0, -8498.0, 700.0, 1500.0],
                            "seconds": [0.0] * 4},
                           index=["experiment", "naive", "regression", "aipw"])
    return effects, prescriptions, explanations, discovery, lalonde


def test_the_table_has_every_technique_and_takes_each_number_from_its_source():
    table = comparison_table(*_frames(), real_data={"ShapSlope": "symptoms on top"})
    assert list(table.index) == list(TECHNIQUES)
    assert table.loc["ShapSlope", "score"] == 0.4 and table.loc["ShapSlope", "second"] == 0.7
    assert table.loc["shap_greedy", "score"] == 0.5
    assert table.loc["causal", "score"] == 0.9 and np.isnan(table.loc["causal", "second"])
    assert table.loc["PC+knowledge", "score"] == 2.0
    assert np.isnan(table.loc["DoWhyBackdoor", "score"])  # not computed: NaN, not a guess
    assert table.loc["ShapSlope", "real_data"] == "symptoms on top"
    assert "1,794" in table.loc["GraphDML[linear]", "real_data"]
    assert "-8,498" in table.loc["NaiveRegression", "real_data"]
    assert table.loc["PC", "real_data"] == "not applied"
    assert set(table["metric"]) == {"median relative error", "regret ÷ oracle gain",
                                    "Spearman with the true effects",
                                    "structural Hamming distance"}


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="scenario"):
        effect_scores(["no_such_scenario"])
    with pytest.raises(ValueError, match="seeds"):
        discovery_scores(seeds=[])


def test_lalonde_scores_reproduce_the_benchmarks_known_signs():
    scores = lalonde_scores()
    # The experimental answer is positive; the naive comparison with survey men is far
    # below zero (trainees earned less than the survey's men).
    assert scores.loc["experiment", "estimate"] > 0
    assert scores.loc["naive", "estimate"] < -5_000
    assert scores.loc["naive", "estimate"] < scores.loc["regression", "estimate"]


def test_the_prescriber_row_is_scored_like_the_strategy_it_wraps():
    # without a latent node the Prescriber prescribes by recourse on a fitted linear SCM:
    # on the study's own rows, units and oracle it must score exactly as that strategy
    kw = {"seeds": [0], "n_train": 300, "n_units": 30}
    study = prescription_scores(["observed_confounding"], **kw)
    ours = prescriber_scores(["observed_confounding"],
                             n_bootstrap=2, **kw)
    assert list(ours.index) == ["prescriber"]
    for column in ("relative_regret", "validity", "abstention_rate", "cost"):
        assert ours.loc["prescriber", column] == pytest.approx(
            study.loc["recourse_fitted_scm", column], rel=1e-9, nan_ok=True)
    assert ours.loc["prescriber", "relative_regret"] < study.loc["shap_greedy",
                                                                 "relative_regret"]
    latent = prescriber_scores(["unobserved_confounding"], n_bootstrap=2, **kw)
    assert latent.loc["prescriber", "strategies"] == "unobserved_confounding: cate"
    frames = list(_frames())
    frames[1] = pd.concat([frames[1], ours])
    table = comparison_table(*frames)
    assert table.loc["prescriber", "score"] == ours.loc["prescriber", "relative_regret"]
    assert table.loc["prescriber", "family"] == "prescription"


def test_the_lalonde_prescriber_is_the_linear_adjusted_coefficient():
    from causalxai.estimate import benchmarks as bm

    scores = lalonde_scores()
    data = bm.lalonde_observational()
    cols = ["treat", *bm.LALONDE_COVARIATES]
    design = np.column_stack([np.ones(len(data)), data[cols].to_numpy(float)])
    coef, *_ = np.linalg.lstsq(design, data["re78"].to_numpy(float), rcond=None)
    # switching training on moves every untrained man by one: the effect is the coefficient
    assert scores.loc["prescriber", "estimate"] == pytest.approx(coef[1], rel=1e-6)
    table = comparison_table(*_frames()[:4], scores)
    assert "effects() of the linear structural model" in table.loc["prescriber", "real_data"]


def test_discovery_scores_are_distances():
    scores = discovery_scores(n=500, seeds=[0])
    assert list(scores.index) == ["PC", "PC+knowledge"]
    assert (scores["shd"] >= 0).all() and (scores["seconds"] >= 0).all()


def test_every_strategy_the_prescription_study_scores_has_a_row():
    """A strategy scored in Part II but missing from TECHNIQUES would vanish from 5.1's
    table (the policy tree did); the true-SCM recourse is the reference, not a technique."""
    from causalxai.synthetic.prescriptions import STRATEGY_ORDER

    missing = set(STRATEGY_ORDER) - set(TECHNIQUES) - {"recourse_true_scm"}
    assert not missing
    assert TECHNIQUES["policy_tree"][0] == "prescription"

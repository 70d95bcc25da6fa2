"""Benchmark: evaluation against the SCM truth, and the scoring rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.estimate.effects import AllColumnsRegression, EffectMethod, GraphDML, NaiveRegression
from causalxai.synthetic.benchmark import (
    Study,
    evaluate,
    score,
    score_by_method,
    shap_summary,
    standard_methods,
    study,
    sweep,
    targeting,
    unit_effects_comparison,
)
from causalxai.synthetic.library import make_scenario


def _row(method, feature, estimate, truth, low=np.nan, high=np.nan, abstained=False,
         label="identifiable", seed=0):
    return dict(scenario="s", method=method, feature=feature, estimate=estimate, low=low,
                high=high, abstained=abstained, truth=truth, label=label, seed=seed)


def test_score_rules_on_a_hand_built_table():
    rows = [
        _row("m", "a", 1.1, 1.0, 0.9, 1.2, seed=0), _row("m", "a", 0.7, 1.0, 0.6, 0.8, seed=1),
        _row("m", "b", 0.3, 0.0, seed=0), _row("m", "b", 0.01, 0.0, seed=1),
        _row("m", "c", np.nan, -0.5, abstained=True, label="unobserved confounding"),
        _row("g", "a", -1.0, 1.0), _row("g", "c", 0.2, -0.5, label="unobserved confounding"),
    ]
    s = score(pd.DataFrame(rows))
    a = s.loc[("s", "m", "a")]
    assert a["mean"] == pytest.approx(0.9) and a["abs_error"] == pytest.approx(0.1)
    assert a["mean_abs_error"] == pytest.approx(0.2) and a["coverage"] == 0.5
    assert a["sign_rate"] == 1.0 and a["rel_error"] == pytest.approx(0.1)
    b = s.loc[("s", "m", "b")]
    assert b["sign_rate"] == 0.5  # 0.3 claims an effect that does not exist; 0.01 does not
    assert np.isnan(b["coverage"])  # no interval, no coverage
    assert b["rel_error"] == pytest.approx(abs(0.155) / 0.05)
    c = s.loc[("s", "m", "c")]
    assert c["abstain_rate"] == 1.0 and c["should_abstain"] and np.isnan(c["sign_rate"])
    assert s.loc[("s", "g", "a"), "sign_rate"] == 0.0
    by = score_by_method(s)
    assert by.loc["m", "abstained_when_it_should"] == 1.0
    assert by.loc["g", "abstained_when_it_should"] == 0.0
    assert by.loc["m", "abstained_wrongly"] == 0.0


def test_evaluate_against_the_scm_truth():
    scenario = make_scenario("unobserved_confounding")
    ev = evaluate(scenario, [NaiveRegression(), AllColumnsRegression(), GraphDML("linear")],
                  n_samples=3000, seeds=[0, 1], n_truth=5000)
    est = ev.estimates
    assert set(est["seed"]) == {0, 1} and set(est["feature"]) == set(scenario.features)
    assert np.allclose(est["truth"], est["feature"].map(ev.truth["effect"]))
    s = score(est)
    confounded = ev.labels.index[ev.labels["label"] == "unobserved confounding"]
    assert len(confounded) >= 1
    for feature in confounded:
        assert s.loc[(scenario.name, "GraphDML[linear]", feature), "abstain_rate"] == 1.0
        assert s.loc[(scenario.name, "AllColumnsRegression", feature), "abstain_rate"] == 0.0


def test_evaluate_validates_its_inputs():
    scenario = make_scenario("mediator")
    with pytest.raises(ValueError, match="seeds"):
        evaluate(scenario, [NaiveRegression()], n_samples=100, seeds=[])
    with pytest.raises(ValueError, match="n_samples"):
        evaluate(scenario, [NaiveRegression()], n_samples=10, seeds=[0])


# targeting -------------------------------------------------------------------------------------
def _series(values):
    return pd.Series(np.asarray(values, dtype=float))


def test_targeting_perfect_ranking_is_one_and_reversed_symmetric_ranking_minus_one():
    truth = _series(np.arange(1, 11))  # 1..10, symmetric about its mean 5.5
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(10)
    # any strictly increasing transform of the truth ranks perfectly
    assert targeting(truth.iloc[shuffled] ** 3, truth.iloc[shuffled]) == pytest.approx(1.0)
    assert targeting(2 * truth + 7, truth, share=0.5) == pytest.approx(1.0)
    # top 20 % = 2 units: oracle 10 + 9 = 19, random 2 * 5.5 = 11, reversed 1 + 2 = 3
    assert targeting(-truth, truth, share=0.2) == pytest.approx((3 - 11) / (19 - 11))
    assert targeting(-truth, truth, share=0.2) == pytest.approx(-1.0)
    # top 30 % = 3 units: (1+2+3 - 16.5) / (10+9+8 - 16.5) = -1 as well (symmetry)
    assert targeting(-truth, truth, share=0.3) == pytest.approx(-1.0)


def test_targeting_closed_form_of_a_partial_ranking():
    truth = _series([4.0, 0.0, 2.0, 0.0, 0.0, -1.0])  # mean 5/6
    scores = _series([0.0, 9.0, 1.0, 0.0, 0.0, 0.0])  # picks units 1 (truth 0) and 2 (2)
    k = 2  # round(0.3 * 6) = 2
    random = k * truth.mean()
    expected = ((0.0 + 2.0) - random) / ((4.0 + 2.0) - random)
    assert targeting(scores, truth, share=0.3) == pytest.approx(expected)
    # at least one unit is always treated: share 1 % of 6 units -> the top one
    assert targeting(scores, truth, share=0.01) == pytest.approx((0 - 5 / 6) / (4 - 5 / 6))


def test_targeting_ties_and_constant_truth():
    truth = _series([3.0, -1.0, 0.0, 2.0])
    # equal scores: ties broken by position (stable sort), so the first k units are chosen
    flat = _series([0.5, 0.5, 0.5, 0.5])
    k, random = 2, 2 * truth.mean()
    assert targeting(flat, truth, share=0.5) == pytest.approx(
        ((3.0 - 1.0) - random) / ((3.0 + 2.0) - random))
    # reordering the units changes the choice accordingly
    order = [1, 2, 0, 3]
    assert targeting(flat, truth.iloc[order].reset_index(drop=True), share=0.5) == (
        pytest.approx(((-1.0 + 0.0) - random) / ((3.0 + 2.0) - random)))
    assert k == 2
    # no unit is better than another: the gain cannot be normalised
    assert np.isnan(targeting(_series([1.0, 2.0, 3.0]), _series([0.5, 0.5, 0.5]), share=0.5))


@pytest.mark.parametrize("case", ["constant truth", "share 1"])
def test_targeting_degenerate_cases_are_nan_despite_rounding(case):
    # 3 * mean([0.7] * 3) = 2.1000000000000005 != 0.7 + 0.7 + 0.7 in floating point;
    # with share=1 every unit is treated: ranking, oracle and chance choose the same set.
    if case == "constant truth":
        scores, truth, share = _series([1.0, 2.0, 3.0]), _series([0.7, 0.7, 0.7]), 0.5
    else:
        scores, truth, share = _series([2.0, 0.0, 1.0]), _series([0.1, 0.2, 0.7]), 1.0
    assert np.isnan(targeting(scores, truth, share=share))


def test_targeting_smaller_is_better_flips_scores_and_truth():
    effect_on_distress = _series([-3.0, -1.0, 0.0, 1.0, 3.0])  # negative = helps
    predicted = _series([-2.0, -1.5, 0.0, 0.5, 2.0])  # same order as the truth
    assert targeting(predicted, effect_on_distress, share=0.4,
                     larger_is_better=False) == pytest.approx(1.0)
    # read as "larger is better" the same ranking now picks the two worst units
    assert targeting(predicted, effect_on_distress, share=0.4) == pytest.approx(1.0)
    assert targeting(-predicted, effect_on_distress, share=0.4,
                     larger_is_better=True) == pytest.approx(-1.0)
    assert targeting(predicted, -effect_on_distress, share=0.4,
                     larger_is_better=False) == pytest.approx(-1.0)
    # flipping both the sign convention and the data is the identity
    rng = np.random.default_rng(1)
    t, s = _series(rng.normal(size=20)), _series(rng.normal(size=20))
    assert targeting(-s, -t, share=0.25, larger_is_better=False) == pytest.approx(
        targeting(s, t, share=0.25))


@pytest.mark.parametrize("share", [0.0, -0.2, 1.5, 2])
def test_targeting_rejects_a_share_outside_zero_one(share):
    with pytest.raises(ValueError, match="share"):
        targeting(_series([1.0, 2.0]), _series([1.0, 2.0]), share=share)


# sweep -----------------------------------------------------------------------------------------
def test_sweep_naive_bias_grows_with_confounding_while_adjustment_does_not():
    strengths, sizes, seeds = [0.0, 2.0], [600], [0, 1, 2]
    methods = [NaiveRegression(), AllColumnsRegression()]
    out = sweep("observed_confounding", "cash_buffer", methods, strengths=strengths,
                sizes=sizes, seeds=seeds, n_truth=2000)
    assert list(out.columns) == ["strength", "n_samples", "seed", "method", "estimate", "low",
                                 "high", "abstained", "truth", "error"]
    # one row per (strength, size, seed, method)
    assert len(out) == len(strengths) * len(sizes) * len(seeds) * len(methods)
    keys = out[["strength", "n_samples", "seed", "method"]].apply(tuple, axis=1)
    assert keys.is_unique
    assert set(keys) == {(st, n, s, m.name) for st in strengths for n in sizes for s in seeds
                         for m in methods}
    np.testing.assert_allclose(out["error"], out["estimate"] - out["truth"])
    # linear model: every firm's effect of the cash buffer is cash_effect = -0.2 exactly
    np.testing.assert_allclose(out["truth"], -0.2)
    assert not out["abstained"].any()
    mean_error = out.groupby(["method", "strength"])["error"].mean()
    # closed-form omitted-variable bias of the naive slope at strength 2:
    # cov(demand-part) / var(cash) = (-0.8*2)(0.9*2) / ((0.9*2)^2 + 0.5^2) = -0.825
    naive0, naive2 = mean_error[("NaiveRegression", 0.0)], mean_error[("NaiveRegression", 2.0)]
    assert abs(naive2) > abs(naive0) + 0.5
    assert naive2 == pytest.approx(-2.88 / 3.49, abs=0.1)
    assert abs(naive0) < 0.2  # no confounding: only sampling noise (se of the slope ~0.04)
    for strength in strengths:
        assert abs(mean_error[("AllColumnsRegression", strength)]) < 0.2
    # adjustment makes it invariant to strength: same seeds, same noise, same estimate
    allc = out[out["method"] == "AllColumnsRegression"].set_index(["seed", "strength"])
    np.testing.assert_allclose(allc.xs(0.0, level="strength")["estimate"],
                               allc.xs(2.0, level="strength")["estimate"], atol=1e-8)


# evaluate(features=...) -----------------------------------------------------------------------
def test_evaluate_restricted_to_some_features():
    scenario = make_scenario("mediator")
    methods = [NaiveRegression(), AllColumnsRegression()]
    part = evaluate(scenario, methods, n_samples=400, seeds=[0, 1], n_truth=1000,
                    features=["cash_buffer"])
    full = evaluate(scenario, methods, n_samples=400, seeds=[0, 1], n_truth=1000)
    assert set(part.estimates["feature"]) == {"cash_buffer"}
    assert len(part.estimates) == 2 * len(methods)
    assert set(full.estimates["feature"]) == set(scenario.features)
    # the other features still serve as controls: same estimates as in the full run
    key_cols = ["seed", "method", "feature"]
    merged = part.estimates.merge(full.estimates, on=key_cols, suffixes=("_p", "_f"))
    assert len(merged) == len(part.estimates)
    np.testing.assert_allclose(merged["estimate_p"], merged["estimate_f"])
    allc = part.estimates[part.estimates["method"] == "AllColumnsRegression"]
    assert all(set(s) == {"debt_ratio", "interest_burden"} for s in allc["adjustment_set"])


def test_evaluate_rejects_unknown_features_naming_them():
    scenario = make_scenario("mediator")
    with pytest.raises(ValueError, match="not features of 'mediator'") as info:
        evaluate(scenario, [NaiveRegression()], n_samples=100, seeds=[0], n_truth=100,
                 features=["cash_buffer", "turnover", "distress"])
    message = str(info.value)
    assert "turnover" in message and "distress" in message  # the outcome is no feature
    assert "cash_buffer" not in message


# study and shap_summary ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mediator_study():
    return study(make_scenario("mediator"), [NaiveRegression(), GraphDML("linear")],
                 n_samples=800, seeds=[0, 1], n_truth=2000, n_estimators=30)


def test_study_value_and_truth_agree_with_its_tables(mediator_study):
    st = mediator_study
    assert isinstance(st, Study)
    assert st.scored.index.names == ["method", "feature"]
    est = st.evaluation.estimates
    a, b, c = (st.scenario.params[k] for k in ("debt_to_interest", "interest_effect",
                                               "cash_effect"))
    closed_form = {"debt_ratio": a * b, "interest_burden": b, "cash_buffer": c}
    for feature in st.scenario.features:
        assert st.truth(feature) == st.evaluation.truth.loc[feature, "effect"]
        assert st.truth(feature) == pytest.approx(closed_form[feature], abs=1e-9)
        for method in ("NaiveRegression", "GraphDML[linear]"):
            rows = est[(est["method"] == method) & (est["feature"] == feature)]
            assert len(rows) == 2
            assert st.value(method, feature) == pytest.approx(rows["estimate"].mean())
            assert st.value(method, feature, "truth") == st.truth(feature)
            assert st.value(method, feature, "abstain_rate") == 0.0
            assert st.value(method, feature, "n_runs") == 2
    # the identifiable effects are recovered by the graph-based method
    for feature in st.scenario.features:
        assert st.value("GraphDML[linear]", feature) == pytest.approx(st.truth(feature),
                                                                      abs=0.15)
    with pytest.raises(KeyError):
        st.value("NoSuchMethod", "cash_buffer")


def test_shap_summary_one_row_per_feature(mediator_study):
    st = mediator_study
    summary = shap_summary(st.scenario, n_samples=800, seed=0, n_estimators=30)
    assert list(summary.index) == st.scenario.features
    assert list(summary.columns) == ["importance", "slope"]
    assert np.isfinite(summary.to_numpy()).all()
    assert (summary["importance"] >= 0).all()
    # the study's summary is this one (first seed, same model size)
    pd.testing.assert_frame_equal(st.shap, summary)
    # cash lowers distress, the interest burden raises it
    assert summary.loc["cash_buffer", "slope"] < 0 < summary.loc["interest_burden", "slope"]
    # the slope scales with delta; the importance does not depend on it
    doubled = shap_summary(st.scenario, n_samples=800, seed=0, n_estimators=30, delta=2.0)
    np.testing.assert_allclose(doubled["slope"], 2 * summary["slope"])
    np.testing.assert_allclose(doubled["importance"], summary["importance"])


# unit_effects_comparison -----------------------------------------------------------------------
def test_unit_effects_comparison_truth_is_the_scm_unit_effect():
    scenario = make_scenario("heterogeneous")
    seed, n_explain = 3, 200
    table = unit_effects_comparison(scenario, "cash_buffer", n_samples=1500, seed=seed,
                                    n_explain=n_explain, forest_trees=48, n_estimators=50)
    assert list(table.columns) == ["x", "truth", "forest", "model_shift", "shap"]
    assert len(table) == n_explain
    assert np.isfinite(table.to_numpy()).all()
    # same units as the function draws (seed + 1_000_003), same noise in both arms
    units, noise = scenario.scm.sample(n_explain, seed=seed + 1_000_003, return_noise=True)
    expected = scenario.scm.unit_effects("cash_buffer", scenario.outcome, delta=1.0,
                                         noise=noise)
    np.testing.assert_allclose(table["truth"], expected)
    np.testing.assert_allclose(table["x"], units["cash_buffer"])
    # closed form: -cash_effect * E * (tanh((C + 1) / sat) - tanh(C / sat))
    p = scenario.params
    e, cash = units["sector_exposure"].to_numpy(), units["cash_buffer"].to_numpy()
    closed = -p["cash_effect"] * e * (np.tanh((cash + 1) / p["saturation"])
                                      - np.tanh(cash / p["saturation"]))
    np.testing.assert_allclose(table["truth"], closed, atol=1e-9)
    assert (table["truth"] <= 0).all()  # cash never hurts
    # the units' mean effect matches the average effect within Monte-Carlo error
    average = scenario.scm.average_effect("cash_buffer", scenario.outcome, delta=1.0,
                                          n=50_000, seed=0)
    se = table["truth"].std(ddof=1) / np.sqrt(n_explain)
    assert abs(table["truth"].mean() - average.estimate) < 4 * se + 4 * average.std_error
    # the causal forest tracks the per-firm truth better than the SHAP values do
    assert np.corrcoef(table["forest"], table["truth"])[0, 1] > 0.4
    assert (np.mean((table["forest"] - table["truth"]) ** 2)
            < np.mean((table["shap"] - table["truth"]) ** 2))


def test_unit_effects_comparison_rejects_a_non_identifiable_feature():
    scenario = make_scenario("unobserved_confounding")
    with pytest.raises(ValueError, match=r"short_time_work.*not identifiable"):
        unit_effects_comparison(scenario, "short_time_work", n_samples=300, seed=0,
                                n_explain=50, forest_trees=8, n_estimators=10)


# standard_methods ------------------------------------------------------------------------------
def test_standard_methods_are_the_eight_in_order():
    methods = standard_methods(n_estimators=17, n_explain=33, n_background=11)
    assert [m.name for m in methods] == [
        "ShapSlope", "PartialDependence", "NaiveRegression", "AllColumnsRegression",
        "AllColumnsDML[linear]", "DoWhyBackdoor", "GraphDML[linear]", "GraphDML[forest]",
    ]
    assert all(isinstance(m, EffectMethod) for m in methods)
    shap_slope, pd_method = methods[0], methods[1]
    assert (shap_slope.n_estimators, shap_slope.n_explain, shap_slope.n_background) == (
        17, 33, 11)
    assert pd_method.n_estimators == 17
    assert [m.needs_graph for m in methods] == [False] * 5 + [True] * 3
    # fresh instances on each call
    assert all(a is not b for a, b in zip(methods, standard_methods(), strict=True))

"""Properties of :mod:`causalxai.estimate.observational`: known answers on simulated data, published
answers on the NSW and NHEFS benchmarks, closed-form identities of the sensitivity analysis."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from causalxai.estimate import benchmarks as bm
from causalxai.estimate import libraries as libs
from causalxai.estimate import observational as ob
from causalxai.estimate import sensitivity as sens
from causalxai.predict.explain import shap_slope, tree_shap
from causalxai.predict.models import fit_gbm

matplotlib.use("Agg")

TAU, DELTA = 2.0, 1.5  # effect = TAU + DELTA * x; E[x] = 0, so the ATE is TAU


def confounded(n: int, seed: int) -> pd.DataFrame:
    """x confounds t and y; the effect of t varies with x.

    ``y = (TAU + DELTA x) t + 3 x + x2 + noise`` and ``P(t=1) = expit(-0.3 + 1.2 x - 0.5 x2)``.
    The column ``effect`` holds each unit's true effect ``y1 - y0``.
    """
    rng = np.random.default_rng(seed)
    x, x2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 1.2 * x - 0.5 * x2)))).astype(float)
    effect = TAU + DELTA * x
    y = effect * t + 3 * x + x2 + rng.normal(size=n)
    return pd.DataFrame({"t": t, "x": x, "x2": x2, "y": y, "effect": effect})


@pytest.fixture(scope="module")
def sim():
    data = confounded(40_000, seed=1)
    problem = ob.prepare(data, "t", "y", ps_rhs="x + x2", outcome_rhs="t + x + x2 + t:x")
    truth = {"ate": float(data["effect"].mean()),
             "att": float(data.loc[data["t"] == 1, "effect"].mean())}
    return data, problem, truth


# Known answers on a confounded simulation ---------------------------------------------------
def test_naive_difference_is_biased_by_confounding(sim):
    _, problem, truth = sim
    assert ob.naive_difference(problem) - truth["ate"] > 2.0  # x raises both t and y


@pytest.mark.parametrize("estimand", ["ate", "att"])
def test_adjusted_estimators_recover_the_true_effect(sim, estimand):
    _, problem, truth = sim
    target = truth[estimand]
    assert truth["att"] - truth["ate"] > 0.5  # the two estimands genuinely differ here
    assert ob.ipw(problem, estimand=estimand) == pytest.approx(target, abs=0.12)
    assert ob.standardisation(problem, estimand=estimand) == pytest.approx(target, abs=0.06)
    assert ob.aipw(problem, estimand=estimand) == pytest.approx(target, abs=0.06)


def test_aipw_is_doubly_robust(sim):
    data, _, truth = sim
    # wrong outcome model (x omitted), right propensity model
    wrong_outcome = ob.prepare(data, "t", "y", ps_rhs="x + x2", outcome_rhs="t + x2")
    assert ob.standardisation(wrong_outcome) - truth["ate"] > 1.0
    assert ob.aipw(wrong_outcome) == pytest.approx(truth["ate"], abs=0.12)
    # wrong propensity model (intercept only), right outcome model
    wrong_ps = ob.prepare(data, "t", "y", ps_rhs="1", outcome_rhs="t + x + x2 + t:x")
    assert ob.ipw(wrong_ps) - truth["ate"] > 1.0
    assert ob.aipw(wrong_ps) == pytest.approx(truth["ate"], abs=0.06)


def test_regression_adjustment_is_the_treatment_coefficient():
    data = confounded(5_000, seed=2).assign(y=lambda d: 2.0 * d["t"] + 3 * d["x"]
                                             + np.random.default_rng(3).normal(size=len(d)))
    problem = ob.prepare(data, "t", "y", outcome_rhs="t + x + x2")
    fit = sm.OLS(data["y"], sm.add_constant(data[["t", "x", "x2"]])).fit()
    assert ob.regression_adjustment(problem) == pytest.approx(fit.params["t"], rel=1e-10)
    # additive model: standardisation gives the same number for both estimands
    assert ob.standardisation(problem) == pytest.approx(fit.params["t"], rel=1e-10)
    assert ob.standardisation(problem, estimand="att") == pytest.approx(fit.params["t"], rel=1e-10)


def test_ols_matches_statsmodels_and_survives_a_missing_category():
    rng = np.random.default_rng(4)
    X = np.column_stack([np.ones(500), rng.normal(size=500) * 1e4, rng.normal(size=500) ** 3])
    y = X @ np.array([1.0, 2e-4, -0.5]) + rng.normal(size=500)
    fit = sm.OLS(y, X).fit()
    coef, se, dof = ob._ols(y, X)
    np.testing.assert_allclose(coef, fit.params, rtol=1e-9)
    np.testing.assert_allclose(se, fit.bse, rtol=1e-9)
    assert dof == fit.df_resid
    # a bootstrap sample may lack a category: its indicator column is all zeros
    deficient = np.column_stack([X, np.zeros(500)])
    np.testing.assert_allclose(ob._ols_coef(deficient, y)[:3], fit.params, rtol=1e-9)
    assert ob._ols_coef(deficient, y)[3] == 0.0


def test_logit_matches_statsmodels_maximum_likelihood(sim):
    _, problem, _ = sim
    ref = sm.Logit(problem.t, problem.ps_design).fit(disp=0).predict(problem.ps_design)
    np.testing.assert_allclose(ob.fit_propensity(problem), ref, atol=1e-9)


# IP weights ------------------------------------------------------------------------------------
def test_stabilised_weights_average_one_and_leave_the_estimate_unchanged(sim):
    _, problem, _ = sim
    ps = ob.fit_propensity(problem)
    sw = ob.ipw_weights(problem.t, ps, "ate", stabilised=True)
    w = ob.ipw_weights(problem.t, ps, "ate", stabilised=False)
    assert sw.mean() == pytest.approx(1.0, abs=0.02)
    assert w.mean() == pytest.approx(2.0, abs=0.05)  # unstabilised: twice the sample size
    a = ob.ipw(problem, ps=ps, stabilised=True)
    b = ob.ipw(problem, ps=ps, stabilised=False)
    assert a == pytest.approx(b, rel=1e-12)
    # the saturated marginal structural model: weighted regression of y on t
    wls = sm.WLS(problem.y, sm.add_constant(problem.t), weights=sw).fit()
    assert a == pytest.approx(wls.params[1], rel=1e-10)


def test_att_weights_give_treated_weight_one(sim):
    _, problem, _ = sim
    ps = ob.fit_propensity(problem)
    w = ob.ipw_weights(problem.t, ps, "att", stabilised=False)
    assert np.all(w[problem.t == 1] == 1.0)
    np.testing.assert_allclose(w[problem.t == 0], (ps / (1 - ps))[problem.t == 0])
    sw = ob.ipw_weights(problem.t, ps, "att", stabilised=True)
    assert sw[problem.t == 0].mean() == pytest.approx(1.0, abs=0.05)


def test_trimming_drops_extreme_propensities_only():
    rng = np.random.default_rng(0)
    n = 2_000
    x = rng.normal(size=n) * 2.5
    t = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)
    problem = ob.prepare(pd.DataFrame({"t": t, "x": x, "y": x + t}), "t", "y", ps_rhs="x")
    ps = ob.fit_propensity(problem)
    assert ob._keep(ps, "ate", 0.0).all()
    kept = ob._keep(ps, "ate", 0.1)
    assert np.all((ps[kept] >= 0.1) & (ps[kept] <= 0.9)) and (~kept).sum() > 0
    kept_att = ob._keep(ps, "att", 0.1)
    assert np.all(ps[kept_att] <= 0.9) and kept_att.sum() > kept.sum()
    # y = x + t: with a correct propensity model every trimmed estimate is near 1
    assert ob.ipw(problem, ps=ps, trim=0.1) == pytest.approx(1.0, abs=0.3)


# Bootstrap ---------------------------------------------------------------------------------------
def test_bootstrap_interval_covers_the_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(42)
    hits, n_rep = 0, 300
    for rep in range(n_rep):
        y = rng.exponential(size=80)  # skewed; true mean 1
        ci = ob.bootstrap_ci(lambda idx, y=y: float(y[idx].mean()), len(y), n_boot=300,
                             seed=rep)
        hits += ci.low <= 1.0 <= ci.high
    assert 0.88 <= hits / n_rep <= 0.98


def test_bootstrap_is_seeded_stratified_and_its_normal_interval_symmetric():
    y = np.arange(50.0)
    groups = (y % 3 == 0).astype(float)

    def stat(idx):
        return float(y[idx].mean())

    a = ob.bootstrap_ci(stat, 50, n_boot=50, seed=7)
    b = ob.bootstrap_ci(stat, 50, n_boot=50, seed=7)
    c = ob.bootstrap_ci(stat, 50, n_boot=50, seed=8)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    assert a.estimate == pytest.approx(y.mean())
    sizes = ob.bootstrap_ci(lambda idx: float(groups[idx].sum()), 50, n_boot=30, seed=0,
                            strata=groups)
    assert np.all(sizes.draws == groups.sum())  # each stratum keeps its size
    normal = ob.bootstrap_ci(stat, 50, n_boot=200, seed=1, method="normal")
    assert normal.high - normal.estimate == pytest.approx(normal.estimate - normal.low)
    assert normal.high - normal.estimate == pytest.approx(1.959964 * normal.se, rel=1e-5)


def test_bootstrap_of_several_statistics_shares_the_resamples():
    y = np.random.default_rng(3).normal(size=60)
    cis = ob.bootstrap_cis(lambda idx: {"mean": y[idx].mean(), "shifted": y[idx].mean() + 1},
                           60, n_boot=40, seed=2)
    assert list(cis) == ["mean", "shifted"]
    np.testing.assert_allclose(cis["shifted"].draws - cis["mean"].draws, 1.0)
    single = ob.bootstrap_ci(lambda idx: float(y[idx].mean()), 60, n_boot=40, seed=2)
    np.testing.assert_array_equal(single.draws, cis["mean"].draws)


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"t": np.r_[np.ones(40), np.zeros(70)],
                         "y": np.r_[rng.normal(1, 2, 40), rng.normal(0, 1, 70)]})
    ci = ob.difference_in_means(ob.prepare(data, "t", "y"))
    ref = stats.ttest_ind(data.y[data.t == 1], data.y[data.t == 0], equal_var=False)
    low, high = ref.confidence_interval(0.95)
    assert (ci.low, ci.high) == pytest.approx((low, high), rel=1e-10)


# Published answers ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nhefs_problem():
    return ob.prepare(bm.nhefs(), "qsmk", "wt82_71", ps_rhs=bm.NHEFS_CONFOUNDERS_RHS,
                      outcome_rhs=bm.NHEFS_OUTCOME_RHS)


def test_nhefs_sample_is_the_books():
    full, complete = bm.nhefs(complete=False), bm.nhefs()
    assert len(full) == 1629 and len(complete) == 1566
    assert complete["wt82_71"].notna().all() and int(complete["qsmk"].sum()) == 403


def test_nhefs_ip_weighting_reproduces_hernan_robins(nhefs_problem):
    ps = ob.fit_propensity(nhefs_problem)
    sw = ob.ipw_weights(nhefs_problem.t, ps, "ate", stabilised=True)
    published = bm.NHEFS_STABILISED_WEIGHTS_PUBLISHED  # printed to two decimals
    assert (sw.min(), sw.max(), sw.mean()) == pytest.approx(
        (published["min"], published["max"], published["mean"]), abs=0.005)
    est = ob.ipw(nhefs_problem, ps=ps)
    assert abs(est - bm.NHEFS_IPW_PUBLISHED.estimate) < 0.1


def test_nhefs_standardisation_reproduces_hernan_robins(nhefs_problem):
    est = ob.standardisation(nhefs_problem)
    assert abs(est - bm.NHEFS_STANDARDISATION_PUBLISHED.estimate) < 0.1
    # the book's program standardises over all 1629 smokers, outcome model fitted on 1566
    m1, m0 = ob.standardised_means(nhefs_problem, bm.nhefs(complete=False))
    own = ob.standardised_means(nhefs_problem)
    assert own[0] - own[1] == pytest.approx(est, rel=1e-12)
    published = bm.NHEFS_STANDARDISED_MEANS_PUBLISHED  # printed to two decimals
    assert (m1, m0) == pytest.approx((published["quit"], published["not quit"]), abs=0.005)


def test_lalonde_experimental_difference_is_the_published_1794():
    data = bm.lalonde_experimental()
    assert len(data) == 445 and int(data["treat"].sum()) == 185
    ci = ob.difference_in_means(ob.prepare(data, "treat", "re78"))
    assert abs(ci.estimate - bm.LALONDE_EXPERIMENTAL_PUBLISHED.estimate) < 1.0
    assert ci.low < 1794 < ci.high and ci.low > 0


def test_lalonde_observational_sample():
    data = bm.lalonde_observational()
    assert len(data) == 16_177 and int(data["treat"].sum()) == 185
    assert list(data.columns) == ["treat", *bm.LALONDE_COVARIATES, "re78"]
    problem = ob.prepare(data, "treat", "re78")
    assert ob.naive_difference(problem) < -8000  # CPS men earn far more than NSW trainees


def test_loaders_refuse_altered_data(monkeypatch):
    real = bm._causaldata

    def altered(name):
        frame = real(name).copy()
        frame.loc[frame.index[0], "re78"] += 1.0
        return frame

    monkeypatch.setattr(bm, "_causaldata", altered)
    with pytest.raises(ValueError, match="nsw_mixtape: the data differ"):
        bm.lalonde_experimental()
    assert bm.frame_sha256(real("nsw_mixtape")[["re78"]]) != bm.frame_sha256(
        altered("nsw_mixtape")[["re78"]])


def test_published_constants_are_labelled():
    for value in (bm.NHEFS_IPW_PUBLISHED, bm.NHEFS_STANDARDISATION_PUBLISHED,
                  bm.LALONDE_EXPERIMENTAL_PUBLISHED):
        assert value.citation and value.where and value.unit
        assert math.isnan(value.low) or value.low < value.estimate < value.high


# Sensitivity (Cinelli & Hazlett, 2020) --------------------------------------------------------------
def _partial_r2(y, X, j):
    fit = sm.OLS(y, X).fit()
    t = fit.tvalues[j]
    return t**2 / (t**2 + fit.df_resid)


def test_omitted_variable_bias_formula_is_exact():
    rng = np.random.default_rng(11)
    n = 3_000
    x, z = rng.normal(size=n), rng.normal(size=n)
    d = 0.5 * x + 0.8 * z + rng.normal(size=n)
    y = 1.0 * d + x + 1.5 * z + rng.normal(size=n)
    long = sm.OLS(y, np.column_stack([np.ones(n), d, x, z])).fit()
    short = sm.OLS(y, np.column_stack([np.ones(n), d, x])).fit()
    r2_dz = _partial_r2(d, np.column_stack([np.ones(n), x, z]), 2)
    r2_yz = _partial_r2(y, np.column_stack([np.ones(n), d, x, z]), 3)
    adjusted = sens.adjusted_estimate(short.params[1], short.bse[1], int(short.df_resid),
                                    r2_dz, r2_yz)
    assert adjusted == pytest.approx(long.params[1], rel=1e-9)


@pytest.mark.parametrize("q", [1.0, 0.5])
def test_robustness_value_explains_away_the_stated_share(q):
    est, se, dof = 3.0, 0.8, 500
    rv = sens.robustness_value(est / se, dof, q=q)
    assert 0 < rv < 1
    assert sens.adjusted_estimate(est, se, dof, rv, rv) == pytest.approx((1 - q) * est, abs=1e-9)
    assert sens.robustness_value(est / se, dof, q=q, alpha=0.05) < rv
    assert sens.robustness_value(0.5, dof, alpha=0.05) == 0.0  # not significant to start with


def test_sensitivity_agrees_with_dowhy():
    from causalxai.estimate.benchmarks import confounding_graph
    from causalxai.estimate.libraries import dowhy_estimate

    rng = np.random.default_rng(3)
    n = 2_000
    data = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    data["t"] = (rng.random(n) < 1 / (1 + np.exp(-data["a"] + 0.5 * data["b"]))).astype(float)
    data["y"] = 1.0 * data["t"] + 0.3 * data["a"] - 0.2 * data["b"] + rng.normal(size=n)
    graph = confounding_graph("t", "y", ["a", "b"])
    _, model, estimand, estimate = dowhy_estimate(data, graph, "t", "y",
                                                  "backdoor.linear_regression")
    dowhy = libs.dowhy_linear_sensitivity(model, estimand, estimate, benchmark="a", k=1.0)
    problem = ob.prepare(data, "t", "y", outcome_rhs="t + a + b")
    ours = sens.regression_sensitivity(problem, benchmarks={"a": ["a"]}, k=1.0)
    assert ours.estimate == pytest.approx(dowhy["estimate"], rel=1e-9)
    assert ours.rv == pytest.approx(dowhy["robustness_value"], rel=1e-9)
    assert ours.rv_alpha == pytest.approx(dowhy["robustness_value_alpha"], rel=1e-9)
    assert ours.partial_r2 == pytest.approx(dowhy["partial_r2"], rel=1e-9)
    row = ours.benchmarks.loc["a"]
    assert 0 < row["r2_yz"] < 1  # not capped
    assert (row["r2_dz"], row["r2_yz"]) == pytest.approx((dowhy["r2_dz"], dowhy["r2_yz"]),
                                                         rel=1e-9)
    assert row["adjusted"] == pytest.approx(dowhy["adjusted"], rel=1e-9)


def test_benchmark_bounds_of_a_weak_covariate_are_weak():
    r2_dz, r2_yz = sens.benchmark_bounds(0.0, 0.0)
    assert (r2_dz, r2_yz) == (0.0, 0.0)
    r2_dz, _ = sens.benchmark_bounds(0.2, 0.1, kd=1.0)
    assert r2_dz == pytest.approx(0.2 / 0.8)
    with pytest.raises(ValueError, match="too large"):
        sens.benchmark_bounds(0.6, 0.1, kd=2.0)


# Library wrappers ------------------------------------------------------------------------------
def test_dowhy_weighting_with_our_propensity_model_equals_our_ipw():
    data = confounded(3_000, seed=4).drop(columns="effect")
    graph = bm.confounding_graph("t", "y", ["x", "x2"])
    model = libs.FormulaLogit("x + I(x**2) + x2", ["x", "x2"])
    value, *_ = libs.dowhy_estimate(
        data, graph, "t", "y", "backdoor.propensity_score_weighting", target_units="att",
        method_params={"propensity_score_model": model, "min_ps_score": 1e-12,
                       "max_ps_score": 1 - 1e-12, "weighting_scheme": "ips_weight"})
    problem = ob.prepare(data, "t", "y", ps_rhs="x + I(x**2) + x2")
    assert value == pytest.approx(ob.ipw(problem, estimand="att", stabilised=False), rel=1e-8)


def test_dowhy_intervals_bootstrap_dowhy_estimators():
    data = confounded(2_000, seed=12).drop(columns="effect")
    graph = bm.confounding_graph("t", "y", ["x", "x2"])
    problem = ob.prepare(data, "t", "y", ps_rhs="x + x2")
    methods = {
        "weighting": ("backdoor.propensity_score_weighting",
                      {"min_ps_score": 0.0, "max_ps_score": 1.0}, False),
        "matching": ("backdoor.propensity_score_matching", {}, False),
        "stratification": ("backdoor.propensity_score_stratification", {"num_strata": 5}, True),
        "regression": ("backdoor.linear_regression", {}, False),
    }
    cis = libs.dowhy_intervals(data, graph, "t", "y", methods, propensity=problem, n_boot=10,
                             seed=0, target_units="att")
    assert list(cis) == list(methods)
    assert cis["weighting"].estimate == pytest.approx(
        ob.ipw(problem, estimand="att", stabilised=False), rel=1e-8)
    value, *_ = libs.dowhy_estimate(data, graph, "t", "y", "backdoor.linear_regression",
                                  target_units="att")
    assert cis["regression"].estimate == pytest.approx(value, rel=1e-10)
    for ci in cis.values():
        assert ci.low <= ci.high and len(ci.draws) == 10
    with pytest.raises(ValueError, match="common_support needs"):
        libs.dowhy_intervals(data, graph, "t", "y",
                           {"r": ("backdoor.linear_regression", {}, True)},
                           propensity=problem, n_boot=2, seed=0)
    with pytest.raises(ValueError, match="method must be one of"):
        libs.dowhy_intervals(data, graph, "t", "y", {"x": ("backdoor.magic", {}, False)},
                           propensity=problem, n_boot=2, seed=0)


def test_refuters_refit_the_propensity_model():
    data = confounded(3_000, seed=5).drop(columns="effect")
    graph = bm.confounding_graph("t", "y", ["x", "x2"])
    value, model, estimand, estimate = libs.dowhy_estimate(
        data, graph, "t", "y", "backdoor.propensity_score_weighting", target_units="att",
        method_params={"propensity_score_model": libs.FormulaLogit("x + x2", ["x", "x2"]),
                       "min_ps_score": 0.0, "max_ps_score": 1.0})
    assert "propensity_score" not in model._data.columns  # no stale scores left behind
    refuted = libs.dowhy_refute(model, estimand, estimate, n_simulations=5, seed=0)
    assert refuted["estimate"].tolist() == pytest.approx([value] * 3)
    placebo = refuted.iloc[0]["new_effect"]
    assert abs(placebo) < 0.2 * abs(value)  # a permuted treatment has (almost) no effect
    # the random common cause enters the refitted propensity model, so the effect moves a bit
    assert refuted.iloc[1]["new_effect"] != value
    assert refuted.iloc[1]["new_effect"] == pytest.approx(value, rel=0.05)


def test_formula_logit_adds_unlisted_columns_linearly():
    data = confounded(1_000, seed=6)
    model = libs.FormulaLogit("x", ["x"]).fit(data[["x", "x2"]], data["t"])
    assert len(model.coef_) == 3  # intercept, x, and the unlisted x2
    problem = ob.prepare(data, "t", "y", ps_rhs="x + x2")
    np.testing.assert_allclose(model.predict_proba(data[["x", "x2"]])[:, 1],
                               ob.fit_propensity(problem), atol=1e-8)


def test_linear_dml_recovers_the_effect():
    data = confounded(4_000, seed=8)
    ci = libs.linear_dml(data, "t", "y", "x + x2", seed=0, n_estimators=80)
    truth = float(data["effect"].mean())
    assert ci.low < truth < ci.high and abs(ci.estimate - truth) < 0.2
    att = libs.linear_dml(data, "t", "y", "x + x2", seed=0, n_estimators=80, estimand="att")
    assert att.estimate == pytest.approx(data.loc[data.t == 1, "effect"].mean(), abs=0.25)


def test_shap_reading_of_a_binary_treatment_is_its_shap_slope():
    data = confounded(2_000, seed=9)
    X = data[["t", "x", "x2"]]
    model = fit_gbm(X, data["y"], n_estimators=60, seed=0)
    reading = libs.shap_treatment_reading(model, X.iloc[:400], "t", n_background=100, seed=0)
    background = X.iloc[:400].sample(100, random_state=0)
    slope = shap_slope(tree_shap(model, X.iloc[:400], background), X.iloc[:400])["t"]
    assert reading["shap_difference"] == pytest.approx(slope, rel=1e-9)
    assert 1 <= reading["shap_rank"] <= 3 and reading["mean_abs_shap"] > 0


# Figures -------------------------------------------------------------------------------------------
def test_forest_plot_draws_one_row_per_method_and_the_benchmark():
    table = pd.DataFrame({"estimate": [1.0, 2.0, 3.0], "low": [0.5, np.nan, 2.0],
                          "high": [1.5, np.nan, 4.0]}, index=["a", "b", "c"])
    ax = ob.forest_plot(table, benchmark=ob.Interval(2.0, 1.0, 3.0))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert any(line.get_xdata()[0] == 2.0 for line in ax.get_lines())


def test_confounding_graph_and_its_drawing():
    graph = bm.confounding_graph("t", "y", ["a", "b"], extra_edges=[("a", "b")])
    assert set(graph.edges) == {("a", "t"), ("b", "t"), ("a", "y"), ("b", "y"), ("t", "y"),
                                ("a", "b")}
    ax = ob.draw_confounding_graph(graph, "t", "y")
    assert {t.get_text() for t in ax.texts} == {"a", "b", "t", "y"}
    with pytest.raises(ValueError, match="cycle"):
        bm.confounding_graph("t", "y", ["a", "b"], extra_edges=[("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match="distinct"):
        bm.confounding_graph("t", "y", ["t"])


# Bad input --------------------------------------------------------------------------------------
def test_bad_input_is_named():
    data = confounded(100, seed=0)
    with pytest.raises(ValueError, match="treatment 'z' is not a column"):
        ob.prepare(data, "z", "y")
    with pytest.raises(ValueError, match="only 0 and 1"):
        ob.prepare(data.assign(t=data["x"]), "t", "y")
    with pytest.raises(ValueError, match="single group"):
        ob.prepare(data.assign(t=1.0), "t", "y")
    with pytest.raises(ValueError, match="outcome 'y' has missing"):
        ob.prepare(data.assign(y=np.nan), "t", "y")
    with pytest.raises(ValueError, match="propensity formula"):
        ob.prepare(data, "t", "y", ps_rhs="x + nope")
    problem = ob.prepare(data, "t", "y", ps_rhs="x")
    with pytest.raises(ValueError, match="estimand"):
        ob.ipw(problem, estimand="atc")
    with pytest.raises(ValueError, match="trim"):
        ob.ipw(problem, trim=0.5)
    with pytest.raises(ValueError, match="outcome formula"):
        ob.standardisation(problem)
    with pytest.raises(ValueError, match="n_boot"):
        ob.bootstrap_ci(lambda idx: 0.0, 10, n_boot=1, seed=0)
    with pytest.raises(ValueError, match="r2_dz"):
        sens.adjusted_estimate(1.0, 1.0, 10, 1.0, 0.5)

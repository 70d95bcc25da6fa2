"""Properties of the effect estimators in :mod:`causalxai.estimate.effects`, checked against the
ground truth of linear structural causal models."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.identification import backdoor_adjustment_set, is_valid_adjustment_set
from causalxai.causal.scm import SCM, total_effect_linear, weight_matrix
from causalxai.estimate.effects import (
    METHODS,
    AllColumnsDML,
    AllColumnsRegression,
    DoWhyBackdoor,
    EffectEstimate,
    EffectMethod,
    GraphDML,
    NaiveRegression,
    PartialDependence,
    ShapSlope,
    default_methods,
    estimates_table,
)
from causalxai.synthetic.scenarios import firm_distress_toy

N = 3000
WEIGHTS = {("z", "t"): 0.8, ("z", "y"): 1.0, ("t", "y"): 0.5}  # true effect of t on y: 0.5
SMALL_SHAP = dict(n_estimators=100, n_explain=300, n_background=100)


def covariance(scm: SCM) -> pd.DataFrame:
    """Population covariance ``A D A'`` of a linear SCM, ``A = (I - B)^-1``."""
    names, b = weight_matrix(scm)
    a = np.linalg.inv(np.eye(len(names)) - b)
    d = np.diag([scm.nodes[v].noise.scale ** 2 for v in names])
    return pd.DataFrame(a @ d @ a.T, index=names, columns=names)


@pytest.fixture(scope="module")
def confounded():
    """Z -> T, Z -> Y, T -> Y with Z observed: identifiable by adjusting for Z."""
    scm = SCM.linear_gaussian(WEIGHTS)
    return scm, scm.sample(N, seed=1)


@pytest.fixture(scope="module")
def hidden():
    """The same model with Z latent: not identifiable by back-door."""
    scm = SCM.linear_gaussian(WEIGHTS, latent=["z"])
    return scm, scm.sample(N, seed=2)


@pytest.fixture(scope="module")
def toy():
    scenario = firm_distress_toy()
    return scenario, scenario.scm.sample(N, seed=3)


# Ground truth on the confounded-but-observed graph ------------------------------------------
def test_naive_regression_has_the_omitted_variable_bias(confounded):
    scm, data = confounded
    cov = covariance(scm)
    biased = cov.loc["t", "y"] / cov.loc["t", "t"]  # population slope of y on t alone
    assert biased == pytest.approx(0.5 + 0.8 * 1.0 / (0.8**2 + 1.0))  # OVB formula
    est = NaiveRegression().estimate(data, "t", "y")
    sample_slope = np.cov(data["t"], data["y"])[0, 1] / np.var(data["t"], ddof=1)
    assert est.estimate == pytest.approx(sample_slope, rel=1e-10)
    assert est.low < biased < est.high
    assert not est.low < total_effect_linear(scm, "t", "y") < est.high
    assert est.adjustment_set == ()


@pytest.mark.parametrize("method", [AllColumnsRegression(), AllColumnsDML(),
                                    DoWhyBackdoor(), GraphDML("linear")],
                         ids=lambda m: m.name)
def test_adjusting_methods_recover_the_true_effect(confounded, method):
    scm, data = confounded
    truth = total_effect_linear(scm, "t", "y")
    est = method.estimate(data, "t", "y", graph=scm.graph)
    assert not est.abstained
    assert est.estimate == pytest.approx(truth, abs=0.06)
    assert est.low < truth < est.high
    assert est.adjustment_set == ("z",)


def test_causal_forest_recovers_the_true_effect(confounded):
    scm, data = confounded
    est = GraphDML("forest").estimate(data, "t", "y", graph=scm.graph)
    assert est.method == "GraphDML[forest]"
    assert est.estimate == pytest.approx(0.5, abs=0.08)
    assert est.low < 0.5 < est.high


# Unobserved confounding ------------------------------------------------------------------------
@pytest.mark.parametrize("method", [DoWhyBackdoor(), GraphDML("linear"), GraphDML("forest")],
                         ids=lambda m: m.name)
def test_graph_methods_abstain_under_unobserved_confounding(hidden, method):
    scm, data = hidden
    assert "z" not in data.columns
    assert backdoor_adjustment_set(scm.graph, "t", "y") is None
    est = method.estimate(data, "t", "y", graph=scm.graph)
    assert est.abstained
    assert math.isnan(est.estimate) and math.isnan(est.low) and math.isnan(est.high)
    assert est.adjustment_set is None
    assert "not identifiable by back-door" in est.note


def test_graph_methods_ignore_latent_columns_present_in_the_data(hidden):
    scm, _ = hidden
    full = scm.sample(N, seed=2, include_latent=True)  # z is in the data but latent in the graph
    assert GraphDML().estimate(full, "t", "y", graph=scm.graph).abstained
    assert DoWhyBackdoor().estimate(full, "t", "y", graph=scm.graph).abstained


@pytest.mark.parametrize("method", [AllColumnsRegression(), AllColumnsDML()],
                         ids=lambda m: m.name)
def test_no_graph_baselines_answer_and_are_biased(hidden, method):
    scm, data = hidden
    cov = covariance(scm)
    biased = cov.loc["t", "y"] / cov.loc["t", "t"]  # nothing observed to adjust for
    est = method.estimate(data, "t", "y")
    assert not est.abstained
    assert est.estimate == pytest.approx(biased, abs=0.06)
    assert not est.low < 0.5 < est.high


# The firm-distress toy: symptom, mediator, observed and unobserved confounders ---------------
def test_graph_methods_recover_every_identifiable_effect_of_the_toy(toy):
    scenario, data = toy
    graph = scenario.scm.graph
    for method in (GraphDML("linear"), DoWhyBackdoor()):
        for est in method.estimate_all(data, scenario.features, scenario.outcome, graph=graph):
            truth = total_effect_linear(scenario.scm, est.feature, scenario.outcome)
            role = scenario.roles[est.feature]
            if role == "confounded lever":
                assert est.abstained, (method.name, est.feature)
                continue
            assert not est.abstained
            # ten 95 % intervals: ask each to hold the truth within 3 standard errors
            three_se = 1.5 * (est.high - est.low) / 2
            assert abs(est.estimate - truth) <= three_se, (method.name, est.feature)
            assert est.estimate == pytest.approx(truth, abs=0.1), (method.name, est.feature)
            if role != "symptom":
                assert is_valid_adjustment_set(graph, est.feature, scenario.outcome,
                                               est.adjustment_set)


@pytest.mark.parametrize("method", [GraphDML("linear"), GraphDML("forest"), DoWhyBackdoor()],
                         ids=lambda m: m.name)
def test_a_symptom_has_effect_zero_by_the_graph(toy, method):
    scenario, data = toy
    graph = scenario.scm.graph
    assert total_effect_linear(scenario.scm, "late_payments", "distress") == 0.0
    assert backdoor_adjustment_set(graph, "late_payments", "distress") == frozenset()
    est = method.estimate(data, "late_payments", "distress", graph=graph)
    assert (est.estimate, est.low, est.high) == (0.0, 0.0, 0.0)
    assert not est.abstained and est.adjustment_set == ()
    assert "no causal path" in est.note
    # ...whereas the association the baselines read is strong
    assert AllColumnsRegression().estimate(data, "late_payments", "distress").estimate > 0.5


def test_controlling_for_everything_blocks_the_mediated_effect(toy):
    scenario, data = toy
    truth = total_effect_linear(scenario.scm, "debt_ratio", "distress")  # 0.9 * 0.6
    assert truth == pytest.approx(0.54)
    everything = AllColumnsRegression().estimate(data, "debt_ratio", "distress")
    assert abs(everything.estimate) < 0.1  # the mediator interest_burden takes it all
    assert not everything.low < truth < everything.high
    graph = GraphDML().estimate(data, "debt_ratio", "distress", graph=scenario.scm.graph)
    assert graph.low < truth < graph.high
    assert "interest_burden" not in graph.adjustment_set


def test_causal_forest_on_the_toy_uses_the_adjustment_set_as_modifiers(toy):
    scenario, data = toy
    ests = GraphDML("forest").estimate_all(data, ["demand", "debt_ratio"], "distress",
                                           graph=scenario.scm.graph)
    demand, debt = ests
    assert demand.adjustment_set == () and "LinearDML" in demand.note  # nothing to modify
    assert debt.adjustment_set == ("firm_age",)
    assert debt.estimate == pytest.approx(0.54, abs=0.08)
    assert debt.low < 0.54 < debt.high


# Model readings --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def single_linear():
    rng = np.random.default_rng(4)
    x = rng.normal(size=2000)
    return pd.DataFrame({"x": x, "y": 3.0 * x + rng.normal(0, 0.5, x.size)})


def test_shap_slope_of_a_linear_model_is_its_coefficient(single_linear):
    est = ShapSlope(**SMALL_SHAP).estimate(single_linear, "x", "y")
    assert est.estimate == pytest.approx(3.0, rel=0.05)
    assert math.isnan(est.low) and math.isnan(est.high) and not est.abstained
    double = ShapSlope(**SMALL_SHAP).estimate(single_linear, "x", "y", delta=2.0)
    assert double.estimate == pytest.approx(2 * est.estimate, rel=1e-12)


def test_partial_dependence_of_a_linear_model_is_its_coefficient(single_linear):
    est = PartialDependence(n_estimators=100, n_grid_rows=500).estimate(single_linear, "x", "y")
    # a tree model is flat beyond the data, so the few rows shifted out of range damp it
    assert est.estimate == pytest.approx(3.0, rel=0.1)


def test_model_readings_follow_the_association_not_the_cause(toy):
    scenario, data = toy
    shap = ShapSlope(**SMALL_SHAP).estimate_all(data, None, scenario.outcome)
    by_feature = {e.feature: e.estimate for e in shap}
    assert set(by_feature) == set(scenario.features)
    assert by_feature["late_payments"] > 0.5  # the symptom looks like the strongest lever


# Delta, determinism ----------------------------------------------------------------------------
LINEAR = [NaiveRegression(), AllColumnsRegression(), AllColumnsDML(), DoWhyBackdoor(),
          GraphDML("linear")]


@pytest.mark.parametrize("method", LINEAR, ids=lambda m: m.name)
def test_linear_methods_scale_with_delta(confounded, method):
    scm, data = confounded
    one, two, minus = (method.estimate(data, "t", "y", delta=d, graph=scm.graph)
                       for d in (1.0, 2.0, -1.0))
    assert two.estimate == pytest.approx(2 * one.estimate, rel=1e-9)
    assert (two.low, two.high) == pytest.approx((2 * one.low, 2 * one.high), rel=1e-9)
    assert minus.estimate == pytest.approx(-one.estimate, rel=1e-9)
    assert minus.low <= minus.estimate <= minus.high
    assert (minus.low, minus.high) == pytest.approx((-one.high, -one.low), rel=1e-9)


@pytest.mark.parametrize("method", [ShapSlope(**SMALL_SHAP), AllColumnsDML(),
                                    GraphDML("forest")], ids=lambda m: m.name)
def test_same_seed_same_numbers(confounded, method):
    scm, data = confounded
    a, b = (method.estimate(data, "t", "y", graph=scm.graph, seed=7) for _ in range(2))
    assert a == b
    c = method.estimate(data, "t", "y", graph=scm.graph, seed=8)
    assert c.estimate != a.estimate


def test_refutations_are_seeded_and_support_the_estimate(confounded):
    scm, data = confounded
    method = DoWhyBackdoor(refute=True, n_simulations=10)
    est = method.estimate(data, "t", "y", graph=scm.graph, seed=5)
    assert set(est.refutations) == {"placebo_treatment", "random_common_cause", "data_subset"}
    assert abs(est.refutations["placebo_treatment"]["new_effect"]) < 0.05
    for key in ("random_common_cause", "data_subset"):
        assert est.refutations[key]["new_effect"] == pytest.approx(est.estimate, abs=0.02)
        # resampled subsets differ (p would be 0 with DoWhy reusing one integer seed)
        assert est.refutations[key]["p_value"] > 0.01
    assert "placebo_treatment" in est.note
    again = method.estimate(data, "t", "y", graph=scm.graph, seed=5)
    assert again.refutations == est.refutations


# Bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", [NaiveRegression(), GraphDML()], ids=lambda m: m.name)
def test_bad_input_is_named(confounded, method):
    scm, data = confounded
    with pytest.raises(ValueError, match="feature 'nope'"):
        method.estimate(data, "nope", "y", graph=scm.graph)
    with pytest.raises(ValueError, match="outcome 'nope'"):
        method.estimate(data, "t", "nope", graph=scm.graph)
    with pytest.raises(ValueError, match="'y' is the outcome"):
        method.estimate(data, "y", "y", graph=scm.graph)
    for delta in (float("nan"), float("inf"), "1"):
        with pytest.raises(ValueError, match="delta"):
            method.estimate(data, "t", "y", delta=delta, graph=scm.graph)
    broken = data.assign(t=data["t"].where(data.index != 3))
    with pytest.raises(ValueError, match="missing or infinite values: t"):
        method.estimate(broken, "t", "y", graph=scm.graph)


@pytest.mark.parametrize("method", [DoWhyBackdoor(), GraphDML("linear"), GraphDML("forest")],
                         ids=lambda m: m.name)
def test_graph_methods_need_a_graph_holding_the_variables(confounded, method):
    scm, data = confounded
    assert method.needs_graph
    with pytest.raises(ValueError, match=r"needs a causal graph"):
        method.estimate(data, "t", "y")
    with pytest.raises(ValueError, match="feature 'extra' is not a node of the graph"):
        method.estimate(data.assign(extra=1.0), "extra", "y", graph=scm.graph)
    with pytest.raises(ValueError, match="DiGraph"):
        method.estimate(data, "t", "y", graph=nx.Graph(scm.graph))


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="model"):
        GraphDML("boosted")
    with pytest.raises(ValueError, match="estimator"):
        DoWhyBackdoor("iv.instrumental_variable")


# Registry and table ----------------------------------------------------------------------------
def test_registry_names_and_flags():
    methods = default_methods()
    assert [m.name for m in methods] == list(METHODS)
    assert all(isinstance(m, EffectMethod) for m in methods)
    graph_based = {m.name for m in methods if m.needs_graph}
    assert graph_based == {"DoWhyBackdoor", "GraphDML[linear]", "GraphDML[forest]"}
    assert {m.name for m in methods if not m.has_interval} == {"ShapSlope",
                                                                "PartialDependence"}


def test_estimates_table_is_long_with_every_field(confounded):
    scm, data = confounded
    ests = [m.estimate(data, f, "y", graph=scm.graph)
            for m in (NaiveRegression(), GraphDML()) for f in ("z", "t")]
    table = estimates_table(ests)
    assert list(table.columns) == ["feature", "method", "estimate", "low", "high", "abstained",
                                   "adjustment_set", "note", "refutations"]
    assert len(table) == 4 and table["abstained"].dtype == bool
    assert table.loc[3, "estimate"] == ests[3].estimate
    with pytest.raises(ValueError, match="duplicate"):
        estimates_table(ests + ests[:1])
    assert estimates_table([]).empty
    assert isinstance(ests[0], EffectEstimate) and hash(ests[0]) == hash(ests[0])

"""Properties of the exact Shapley helpers in :mod:`causalxai.predict.shapley`."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st

from causalxai.predict.shapley import (
    GRAPHS,
    causal_shapley_linear,
    conditional_gaussian,
    exact_shapley,
    expected_abs_closed_form,
    gaussian_shapley_linear,
    monte_carlo_shapley,
    two_feature_closed_form,
    two_feature_scm,
)

SETTINGS = settings(max_examples=40, deadline=None)
rhos = st.floats(-0.95, 0.95)
coefs = st.floats(-5, 5)


def corr(rho: float) -> np.ndarray:
    return np.array([[1.0, rho], [rho, 1.0]])


def rows(seed: int, n: int = 7, d: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


# Enumeration ---------------------------------------------------------------------------------
def test_exact_shapley_of_a_known_game():
    # Glove game: players 0 and 1 own left gloves, 2 a right glove; a pair is worth 1.
    def v(S):
        return float(min(len(S & {0, 1}), len(S & {2})))

    phi = exact_shapley(v, 3)
    assert phi == pytest.approx([1 / 6, 1 / 6, 2 / 3])


@SETTINGS
@given(st.integers(1, 6), st.integers(0, 10_000))
def test_exact_shapley_is_efficient_and_gives_dummies_nothing(d, seed):
    w = np.random.default_rng(seed).normal(size=d)
    w[0] = 0.0  # feature 0 is a dummy

    def v(S):  # an additive game plus an interaction between the last two players
        return sum(w[j] for j in S) + (0.7 if {d - 1, d - 2} <= S and d > 2 else 0.0)

    phi = exact_shapley(v, d)
    assert phi.sum() == pytest.approx(v(frozenset(range(d))) - v(frozenset()))
    assert phi[0] == pytest.approx(0.0, abs=1e-12)


def test_exact_shapley_rejects_a_bad_size():
    with pytest.raises(ValueError, match="d must be between"):
        exact_shapley(lambda S: 0.0, 0)


# Gaussian conditioning -----------------------------------------------------------------------
def test_conditional_gaussian_matches_the_textbook_formula():
    rho = 0.6
    m, c = conditional_gaussian(np.zeros(2), corr(rho), [0], np.array([[2.0]]))
    assert m[0, 0] == pytest.approx(rho * 2.0)
    assert c[0, 0] == pytest.approx(1 - rho**2)


def test_bad_covariance_is_rejected():
    with pytest.raises(ValueError, match="positive definite"):
        conditional_gaussian(np.zeros(2), corr(1.5), [0], np.array([[0.0]]))


# Closed forms ---------------------------------------------------------------------------------
@SETTINGS
@given(rhos, coefs, coefs, st.sampled_from(["interventional", "conditional"]))
def test_enumeration_matches_the_two_feature_closed_form(rho, b1, b2, kind):
    X = rows(1)
    exact = gaussian_shapley_linear(X, np.array([b1, b2]), np.zeros(2), corr(rho), kind)
    closed = two_feature_closed_form(X, b1, b2, rho, kind)
    np.testing.assert_allclose(exact, closed, atol=1e-10)
    # Efficiency: the values add up to f(x) - E[f(X)] (features have mean zero).
    np.testing.assert_allclose(exact.sum(axis=1), X @ np.array([b1, b2]), atol=1e-10)


def test_an_unused_but_correlated_feature_gets_credit_only_under_conditioning():
    X = rows(2, n=50)
    inter = two_feature_closed_form(X, 2.0, 0.0, 0.8, "interventional")
    cond = two_feature_closed_form(X, 2.0, 0.0, 0.8, "conditional")
    assert np.all(inter[:, 1] == 0.0)
    np.testing.assert_allclose(cond[:, 1], 0.8 * 2.0 * X[:, 1] / 2)
    # With independent features the two value functions coincide.
    np.testing.assert_allclose(two_feature_closed_form(X, 2.0, 0.0, 0.0, "conditional"),
                               inter)


@pytest.mark.parametrize("kind", ["interventional", "conditional"])
def test_expected_absolute_value_matches_a_large_sample(kind):
    rho, b1, b2 = -0.7, 1.3, 0.4
    X = np.random.default_rng(9).multivariate_normal(np.zeros(2), corr(rho), size=400_000)
    sample = np.abs(two_feature_closed_form(X, b1, b2, rho, kind)).mean(axis=0)
    np.testing.assert_allclose(expected_abs_closed_form(b1, b2, rho, kind), sample, rtol=0.01)
    # The textbook case: E|rho b1 x2 / 2| = |rho b1| / 2 * sqrt(2 / pi).
    assert expected_abs_closed_form(2.0, 0.0, 0.8, "conditional")[1] == pytest.approx(
        0.8 * math.sqrt(2 / math.pi))


def test_closed_form_rejects_a_bad_correlation():
    with pytest.raises(ValueError, match="rho"):
        two_feature_closed_form(rows(0), 1.0, 0.0, 1.0, "conditional")
    with pytest.raises(ValueError, match="kind"):
        two_feature_closed_form(rows(0), 1.0, 0.0, 0.5, "causal")


# Monte Carlo ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["interventional", "conditional"])
def test_monte_carlo_converges_to_the_closed_form(kind):
    X, rho, b = rows(3, n=5), 0.7, np.array([1.5, -0.5])
    est = monte_carlo_shapley(lambda Z: Z @ b, X, np.zeros(2), corr(rho), kind,
                              n_draws=200_000, seed=4)
    closed = two_feature_closed_form(X, b[0], b[1], rho, kind)
    # Standard error of one v(S) is at most |b| / sqrt(n_draws) ~ 0.004.
    np.testing.assert_allclose(est, closed, atol=0.03)


def test_monte_carlo_handles_a_nonlinear_model_in_three_dimensions():
    # f = x0 * x1 with x2 unused; x2 independent of the others gets exactly nothing in
    # expectation under both value functions, and efficiency holds with E[f] = cov[0, 1].
    cov = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])
    X = rows(5, n=4, d=3)
    for kind in ("interventional", "conditional"):
        est = monte_carlo_shapley(lambda Z: Z[:, 0] * Z[:, 1], X, np.zeros(3), cov, kind,
                                  n_draws=100_000, seed=6)
        np.testing.assert_allclose(est[:, 2], 0.0, atol=0.03)
        np.testing.assert_allclose(est.sum(axis=1), X[:, 0] * X[:, 1] - 0.5, atol=0.03)


# shap itself -----------------------------------------------------------------------------------
def test_shap_linear_explainer_agrees_with_both_closed_forms():
    rho, b = 0.8, np.array([2.0, 0.0])
    X = rows(7, n=20)
    inter = shap.LinearExplainer((b, 0.0), shap.maskers.Independent(
        {"mean": np.zeros(2), "cov": corr(rho)})).shap_values(X)
    np.testing.assert_allclose(inter, two_feature_closed_form(X, 2.0, 0.0, rho,
                                                              "interventional"))
    np.random.seed(0)  # noqa: NPY002 -- shap draws feature orderings from numpy's global state
    cond = shap.LinearExplainer((b, 0.0), shap.maskers.Impute(
        {"mean": np.zeros(2), "cov": corr(rho)}), nsamples=4000).shap_values(X)
    # shap averages over sampled orderings; with two features the error of phi2 is
    # (share of ordering (x1, x2) - 1/2) * b1 * rho * x2, and that share is 1/2 +- 0.032
    # at 4 standard errors for 4000 draws.
    np.testing.assert_allclose(cond, two_feature_closed_form(X, 2.0, 0.0, rho, "conditional"),
                               atol=0.032 * 2.0 * rho * np.abs(X[:, 1]).max())


# Causal Shapley values -------------------------------------------------------------------------
@SETTINGS
@given(rhos.filter(lambda r: abs(r) > 1e-3), coefs, coefs)
def test_causal_shapley_depends_on_the_graph_not_on_the_distribution(rho, b1, b2):
    X, coef = rows(8), np.array([b1, b2])
    x1, x2 = X[:, 0], X[:, 1]
    by_graph = {g: causal_shapley_linear(X, coef, two_feature_scm(rho, g)[0]) for g in GRAPHS}
    # Upstream x1: it drags x2 along, x2 alone moves nothing.
    np.testing.assert_allclose(by_graph["x1_causes_x2"], np.column_stack(
        [b1 * x1 + b2 * rho * x1 / 2, b2 * x2 - b2 * rho * x1 / 2]), atol=1e-10)
    # Upstream x2: mirror image; with b2 = 0 this is the conditional value.
    np.testing.assert_allclose(by_graph["x2_causes_x1"], np.column_stack(
        [b1 * x1 - b1 * rho * x2 / 2, b2 * x2 + b1 * rho * x2 / 2]), atol=1e-10)
    # Hidden common cause: intervening on one leaves the other alone -> interventional.
    np.testing.assert_allclose(by_graph["common_cause"],
                               two_feature_closed_form(X, b1, b2, rho, "interventional"),
                               atol=1e-10)


@pytest.mark.parametrize("graph", GRAPHS)
def test_the_three_graphs_share_one_distribution(graph):
    rho = -0.6
    w, nodes = two_feature_scm(rho, graph)
    noise_var = {"x1_causes_x2": [1, 1 - rho**2], "x2_causes_x1": [1 - rho**2, 1],
                 "common_cause": [1 - abs(rho), 1 - abs(rho), 1]}[graph]
    inv = np.linalg.inv(np.eye(len(nodes)) - w.T)
    cov = inv @ np.diag(noise_var) @ inv.T
    np.testing.assert_allclose(cov[:2, :2], corr(rho), atol=1e-12)
    assert math.isclose(cov[0, 1], rho)


def test_unknown_graph_is_rejected():
    with pytest.raises(ValueError, match="graph must be one of"):
        two_feature_scm(0.5, "x1_and_x2")

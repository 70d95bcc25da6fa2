"""Properties of the exact Shapley helpers in :mod:`causalxai.predict.shapley`."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st

from causalxai.causal.scm import SCM, Node, Shift, normal, uniform
from causalxai.predict.coalitions import causal_values, scm_noise
from causalxai.predict.games import enumerate_shapley, order_counts, sample_shapley
from causalxai.predict.shapley import (
    EXPLANATIONS,
    GRAPHS,
    causal_order,
    causal_shapley_linear,
    causal_shapley_split,
    conditional_gaussian,
    exact_shapley,
    expected_abs_closed_form,
    gaussian_shapley_linear,
    monte_carlo_shapley,
    shapley_explanation,
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


# The general machinery: shapley_explanation on a structural model -----------------------------
def chain_scm(a: float, s: float) -> SCM:
    """x1 -> x2 -> x3 with x2 = a x1 + e2, x3 = a x2 + e3; sd(x1) = 1, sd(e2) = sd(e3) = s."""
    return SCM.linear_gaussian({("x1", "x2"): a, ("x2", "x3"): a}, {"x2": s, "x3": s})


def antithetic(scm: SCM, m: int, seed: int = 0) -> pd.DataFrame:
    """m noise draws and their negatives: every column has mean exactly 0, so the
    background average of a linear model equals its value at the interventional mean."""
    half = scm_noise(scm, m, seed)
    return pd.concat([half, -half], ignore_index=True)


def test_causal_and_asymmetric_values_on_a_two_feature_chain_match_the_closed_form():
    r"""Chain x1 -> x2 (x2 = a x1 + e2, x1 ~ N(0, 1), e2 ~ N(0, s^2)), f = b1 x1 + b2 x2.

    Interventional means: do(x1) gives E[x2] = a x1; do(x2) leaves E[x1] = 0. So
    v({}) = 0, v({1}) = (b1 + a b2) x1, v({2}) = b2 x2, v({1, 2}) = b1 x1 + b2 x2, and

    * causal (both orderings): phi1 = b1 x1 + a b2 x1 / 2, phi2 = b2 x2 - a b2 x1 / 2;
    * asymmetric (x1 first only): phi1 = (b1 + a b2) x1, phi2 = b2 (x2 - a x1);
    * marginal: phi_j = b_j x_j;
    * conditional: x1 is a root, so v({1}) is the causal one; E[x1 | x2] = a x2 / (a^2 + s^2)
      gives v({2}) = (b2 + a b1 / (a^2 + s^2)) x2, then the usual two-player average;
    * direct / indirect split (Heskes et al.): phi1 = b1 x1 (direct) + a b2 x1 / 2
      (indirect: x1 acting through x2); x2 has no descendant, indirect 0, direct = phi2.
    """
    a, s, b1, b2 = 0.8, 0.6, 1.5, -2.0
    scm = SCM.linear_gaussian({("x1", "x2"): a}, {"x2": s})
    X = scm.sample(6, seed=3)[["x1", "x2"]]
    x1, x2 = X["x1"].to_numpy(), X["x2"].to_numpy()

    def f(Z):
        return b1 * Z[:, 0] + b2 * Z[:, 1]

    noise = antithetic(scm, 100)
    causal = shapley_explanation(f, X, kind="causal", scm=scm, noise=noise)
    np.testing.assert_allclose(causal.values, np.column_stack(
        [b1 * x1 + a * b2 * x1 / 2, b2 * x2 - a * b2 * x1 / 2]), atol=1e-10)
    asym = shapley_explanation(f, X, kind="asymmetric_causal", scm=scm, noise=noise)
    np.testing.assert_allclose(asym.values, np.column_stack(
        [(b1 + a * b2) * x1, b2 * (x2 - a * x1)]), atol=1e-10)
    marginal = shapley_explanation(f, X, kind="marginal", scm=scm,
                                   background=antithetic(scm, 100)[["x1", "x2"]])
    np.testing.assert_allclose(marginal.values, np.column_stack([b1 * x1, b2 * x2]),
                               atol=1e-10)
    direct, indirect = causal_shapley_split(f, X, scm, noise=noise)
    np.testing.assert_allclose(direct.values, np.column_stack(
        [b1 * x1, b2 * x2 - a * b2 * x1 / 2]), atol=1e-10)
    np.testing.assert_allclose(indirect.values, np.column_stack(
        [a * b2 * x1 / 2, 0 * x1]), atol=1e-10)

    v1, v2 = (b1 + a * b2) * x1, (b2 + a * b1 / (a**2 + s**2)) * x2
    full = b1 * x1 + b2 * x2
    cond_closed = np.column_stack([(v1 + full - v2) / 2, (v2 + full - v1) / 2])
    cond = shapley_explanation(f, X, kind="conditional", scm=scm, n_background=40_000)
    # Monte-Carlo error of one v(S): sd(f | x_S) / sqrt(40,000) < 0.02.
    np.testing.assert_allclose(cond.values, cond_closed, atol=0.05)
    # Frye et al.: with x1 first only, the conditional and causal asymmetric values agree
    # in a chain (conditioning on a root is intervening on it).
    frye = shapley_explanation(f, X, kind="asymmetric", scm=scm, n_background=40_000)
    np.testing.assert_allclose(frye.values, asym.values, atol=0.05)


@SETTINGS
@given(st.integers(0, 10_000))
def test_causal_values_match_the_linear_closed_form_on_random_linear_scms(seed):
    """A linear SCM on 4 nodes (upper-triangular random weights, some zero) and a linear
    model: E[f | do(x_S)] = coef @ m(S), m solving the structural equations with m_S = x_S
    (:func:`causal_shapley_linear`); antithetic noise makes the sampled version exact."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c", "d"]
    weights = np.triu(rng.normal(size=(4, 4)) * (rng.random((4, 4)) < 0.6), k=1)
    edges = {(names[i], names[j]): weights[i, j] for i in range(4) for j in range(4)
             if weights[i, j] != 0}
    scm = SCM.linear_gaussian(edges, {v: 1.0 for v in names})
    coef = rng.normal(size=4)
    X = scm.sample(5, seed=seed)[names]
    exp = shapley_explanation(lambda Z: Z @ coef, X, kind="causal", scm=scm,
                              noise=antithetic(scm, 20, seed))
    np.testing.assert_allclose(exp.values, causal_shapley_linear(X.to_numpy(), coef, weights),
                               atol=1e-9)


def test_marginal_values_equal_shaps_kernel_explainer_with_every_coalition():
    """shap's KernelExplainer solves a weighted regression over coalitions; given all
    2**d of them (nsamples = 16 here, no l1 selection) its solution is the exact
    interventional Shapley value with the background as the feature distribution.
    (shap.explainers.Exact agrees too but spends ~40 s compiling with numba.)"""
    rng = np.random.default_rng(11)
    background, X = rng.normal(size=(40, 4)), rng.normal(size=(5, 4))

    def f(Z):  # non-linear, with interactions
        return np.tanh(Z[:, 0] * Z[:, 1]) + Z[:, 2] ** 2 - 0.5 * Z[:, 3] * Z[:, 0]

    ours = shapley_explanation(f, X, kind="marginal", background=background)
    kernel = shap.KernelExplainer(f, background)
    theirs = kernel.shap_values(X, nsamples=2**4, l1_reg=False, silent=True)
    np.testing.assert_allclose(ours.values, theirs, atol=1e-10)
    np.testing.assert_allclose(ours.base_values, kernel.expected_value, atol=1e-10)
    assert isinstance(ours, shap.Explanation)
    assert ours.feature_names == ["x0", "x1", "x2", "x3"]


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from(EXPLANATIONS))
def test_every_kind_is_efficient_on_a_nonlinear_scm_with_a_binary_node(seed, kind):
    """Values add up to f(x) - v({}) whatever the value function and the orderings."""
    scm = SCM([
        Node("size", (), None, uniform(0, 2)),
        Node("debt", ("size",), lambda p: np.sin(p["size"]), normal(0.5)),
        Node("flag", ("debt",), lambda p: 2 * p["debt"], link="bernoulli_logit"),
        Node("cash", ("size", "flag"), lambda p: p["size"] * p["flag"], normal(1.0)),
    ])
    X = scm.sample(4, seed=seed)

    def f(Z):
        return Z[:, 0] * Z[:, 3] + np.exp(-Z[:, 1] ** 2) + Z[:, 2]

    exp = shapley_explanation(f, X, kind=kind, scm=scm, n_background=30, seed=seed)
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, f(X.to_numpy()),
                               atol=1e-9)


def test_a_feature_the_model_ignores_has_no_direct_part():
    """Heskes et al.: the direct part compares f with and without x_i among its inputs."""
    scm = chain_scm(0.9, 0.5)
    X = scm.sample(7, seed=1)

    def f(Z):
        return np.tanh(Z[:, 1]) + Z[:, 2] ** 2  # reads x2 and x3, never x1

    direct, indirect = causal_shapley_split(f, X, scm, n_background=50)
    np.testing.assert_allclose(direct.values[:, 0], 0.0, atol=1e-12)
    total = shapley_explanation(f, X, kind="causal", scm=scm, n_background=50)
    np.testing.assert_allclose(direct.values + indirect.values, total.values, atol=1e-10)
    assert np.abs(indirect.values[:, 0]).max() > 0.01  # x1 acts through x2 and x3
    # A pure confounding structure (no path between features): causal = marginal.
    fork = SCM.linear_gaussian({("u", "x1"): 1.0, ("u", "x2"): 1.0}, latent=["u"])
    Xf = fork.sample(5, seed=2)
    noise = scm_noise(fork, 60, 3)
    causal = shapley_explanation(lambda Z: Z[:, 0] * Z[:, 1], Xf, kind="causal", scm=fork,
                                 noise=noise)
    marginal = shapley_explanation(lambda Z: Z[:, 0] * Z[:, 1], Xf, kind="marginal",
                                   background=fork.counterfactual(
                                       pd.DataFrame(index=range(60), columns=["x1", "x2"]),
                                       noise))
    np.testing.assert_allclose(causal.values, marginal.values, atol=1e-10)


# Orderings -------------------------------------------------------------------------------------
def test_asymmetric_weights_average_over_the_orderings_that_respect_the_causal_order():
    """Brute force: list the 4! orderings, keep those with causes before effects, average
    the marginal contributions of a random game; the counting weights give the same."""
    rng = np.random.default_rng(5)
    game = rng.normal(size=16)
    game[0] = 0.0
    scm = SCM.linear_gaussian({("a", "b"): 1.0, ("b", "c"): 1.0, ("a", "d"): 0.5})
    before = causal_order(scm, ["a", "b", "c", "d"])
    assert before == [0, 0b0001, 0b0011, 0b0001]
    kept = [p for p in itertools.permutations(range(4))
            if all(p.index(i) < p.index(j) for j in range(4) for i in range(4)
                   if before[j] >> i & 1)]
    assert len(kept) == order_counts(before)[0][-1] == 3  # a, then b c d with b before c
    brute = np.zeros(4)
    for p in kept:
        mask = 0
        for j in p:
            brute[j] += game[mask | 1 << j] - game[mask]
            mask |= 1 << j
    brute /= len(kept)
    np.testing.assert_allclose(enumerate_shapley(lambda m: game[m], 4, before=before), brute)
    # No order: the counting weights are the Shapley weights.
    np.testing.assert_allclose(enumerate_shapley(lambda m: game[m], 4),
                               exact_shapley(lambda S: game[sum(1 << j for j in S)], 4))


def test_asymmetric_on_a_chain_is_the_single_causal_ordering():
    scm = chain_scm(0.7, 1.0)
    X = scm.sample(3, seed=4)

    def f(Z):
        return Z[:, 0] * Z[:, 1] + Z[:, 2]

    noise = scm_noise(scm, 40, 1)
    exp = shapley_explanation(f, X, kind="asymmetric_causal", scm=scm, noise=noise)
    value = causal_values(f, X.to_numpy(), scm, ["x1", "x2", "x3"], noise)
    v = [value(m) for m in (0, 0b001, 0b011, 0b111)]
    np.testing.assert_allclose(exp.values, np.column_stack(
        [v[1] - v[0], v[2] - v[1], v[3] - v[2]]), atol=1e-12)


def test_permutation_sampling_is_efficient_and_within_its_standard_error():
    rng = np.random.default_rng(2)
    game = rng.normal(size=(1 << 6, 3))  # three "rows"
    game[0] = 0.0
    exact = enumerate_shapley(lambda m: game[m], 6)
    for before in (None, [0, 1, 1, 0b11, 0, 0b10000]):
        exact = enumerate_shapley(lambda m: game[m], 6, before=before)
        est, se = sample_shapley(lambda m: game[m], 6, before=before, n_permutations=3000)
        np.testing.assert_allclose(est.sum(axis=-1), game[-1] - game[0], atol=1e-12)
        assert np.all(np.abs(est - exact) <= 4.5 * se + 1e-12)
        assert se.max() < 0.1
    # Beyond exact_max, shapley_explanation samples and reports the error.
    scm = chain_scm(0.5, 1.0)
    X = scm.sample(3, seed=0)
    exp = shapley_explanation(lambda Z: Z.sum(axis=1), X, kind="causal", scm=scm,
                              exact_max=2, n_permutations=50, n_background=20)
    assert exp.error_std.shape == (3, 3)
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, X.sum(axis=1))


def test_bad_inputs_are_named():
    scm = chain_scm(0.5, 1.0)
    X = scm.sample(3, seed=0)
    with pytest.raises(ValueError, match="kind must be one of"):
        shapley_explanation(np.sum, X, kind="banzhaf", scm=scm)
    with pytest.raises(ValueError, match="needs the structural causal model"):
        shapley_explanation(np.sum, X, kind="causal")
    with pytest.raises(ValueError, match=r"\['sales'\] are not observed nodes"):
        shapley_explanation(np.sum, X.rename(columns={"x1": "sales"}), kind="causal", scm=scm)
    with pytest.raises(ValueError, match="one number per row"):
        shapley_explanation(lambda Z: Z, X, kind="causal", scm=scm, n_background=5)
    with pytest.raises(ValueError, match="cycle"):
        order_counts([0b10, 0b01])
    with pytest.raises(ValueError, match="before must give"):
        enumerate_shapley(lambda m: 0.0, 2, before=[0b01, 0])


def _nonlinear_scm_with_latent_and_outcome() -> SCM:
    """Latent cause, binary node, a node the features do not depend on, a root feature."""
    return SCM([
        Node("hidden", (), None, normal(1.0), latent=True),
        Node("size", ("hidden",), lambda p: np.tanh(p["hidden"]), uniform(-1, 1)),
        Node("debt", ("size", "hidden"), lambda p: p["size"] * p["hidden"], normal(0.5)),
        Node("flag", ("debt",), lambda p: 2 * p["debt"], link="bernoulli_logit"),
        Node("cash", ("size", "flag"), lambda p: np.sin(p["size"]) + p["flag"], normal(1.0)),
        Node("age", (), None, normal(2.0)),
        Node("distress", ("cash", "debt"), lambda p: p["cash"] - p["debt"], normal(1.0)),
    ])


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from([1, 7, 10_000]))
def test_resimulating_only_the_descendants_gives_the_full_solution(seed, max_rows):
    """Every coalition's value and mixed terms: descendants-only = whole-model solves
    (the implementation before the speed-up), whatever the chunking."""
    scm = _nonlinear_scm_with_latent_and_outcome()
    names = ["age", "cash", "flag", "debt", "size"]  # not in topological order
    X = scm.sample(5, seed=seed)[names].to_numpy()
    noise = scm_noise(scm, 6, seed + 1)

    def f(Z):
        return Z[:, 0] * Z[:, 1] + np.exp(-Z[:, 3] ** 2) + Z[:, 2] * Z[:, 4]

    fast = causal_values(f, X, scm, names, noise, split=True, max_rows=max_rows)
    full = causal_values(f, X, scm, names, noise, split=True, max_rows=10_000,
                         solver="full")
    for mask in range(1 << len(names)):
        (a, mixed_a), (b, mixed_b) = fast(mask), full(mask)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(mixed_a, mixed_b, rtol=0, atol=1e-12)


def test_an_intervened_scm_is_solved_in_full_and_bad_solver_options_are_named():
    scm = _nonlinear_scm_with_latent_and_outcome()
    shifted = scm.do({"debt": Shift(0.5)})
    names = ["size", "debt", "cash"]
    X = shifted.sample(4, seed=0)[names].to_numpy()
    noise = scm_noise(shifted, 5, 1)

    def f(Z):
        return Z.sum(axis=1)

    fast = causal_values(f, X, shifted, names, noise)
    full = causal_values(f, X, shifted, names, noise, solver="full")
    for mask in range(8):
        np.testing.assert_array_equal(fast(mask), full(mask))
    # the shift moves debt's background value: v({size}) differs from the unshifted model
    plain = causal_values(f, X, scm, names, noise)
    assert not np.allclose(plain(0b001), fast(0b001))
    with pytest.raises(ValueError, match="solver must be"):
        causal_values(f, X, scm, names, noise, solver="fast")
    with pytest.raises(ValueError, match="max_rows must be an integer >= 1"):
        causal_values(f, X, scm, names, noise, max_rows=0)


def test_threads_over_coalitions_give_the_same_values():
    scm = _nonlinear_scm_with_latent_and_outcome()
    names = ["size", "debt", "flag", "cash"]
    X = scm.sample(6, seed=4)[names]

    def f(Z):
        return np.tanh(Z[:, 0] * Z[:, 3]) + Z[:, 1] * Z[:, 2]

    for kind in ("causal", "marginal", "asymmetric_causal"):
        one = shapley_explanation(f, X, kind=kind, scm=scm, n_background=20, seed=1)
        two = shapley_explanation(f, X, kind=kind, scm=scm, n_background=20, seed=1, n_jobs=2)
        np.testing.assert_array_equal(one.values, two.values)
    with pytest.raises(ValueError, match="n_jobs must be an integer >= 1"):
        enumerate_shapley(lambda m: 0.0, 2, n_jobs=0)

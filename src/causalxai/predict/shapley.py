"""Shapley values of a model under marginal, conditional, asymmetric and causal value functions.

A Shapley explanation of one prediction ``f(x)`` needs a *value function* ``v(S)``: what
the model is expected to output when only the features in the coalition ``S`` are known.
The choice of ``v`` is the whole debate (Chen et al., 2020; Janzing et al., 2020;
Sundararajan & Najmi, 2020; Heskes et al., 2020):

``interventional``
    ``v(S) = E[f(x_S, X_rest)]`` with ``X_rest`` drawn from its *marginal* distribution:
    the features outside ``S`` are replaced independently of ``x_S``. A feature the model
    does not use gets exactly zero ("true to the model").
``conditional`` (observational)
    ``v(S) = E[f(X) | X_S = x_S]``: the features outside ``S`` follow their conditional
    distribution given ``x_S``. A feature the model ignores still gets credit when it is
    correlated with one it uses ("true to the data").
``causal``
    ``v(S) = E[f(X) | do(X_S = x_S)]`` in a structural causal model (Heskes et al., 2020):
    only the *descendants* of the features in ``S`` move with them.

``asymmetric``
    Any of these value functions with the orderings of the features restricted to the
    causal order (Frye et al., 2020): causes are credited before their effects.

:func:`shapley_explanation` explains any vectorised model under each of them and returns a
``shap.Explanation``, so that shap's plots work; the value functions themselves are in
:mod:`causalxai.predict.coalitions`, the enumeration (exact up to about 12 features) and
permutation sampling (beyond, with a standard error) in :mod:`causalxai.predict.games`.
For a linear model and Gaussian features each ``v(S)`` has a closed form; the small
closed-form helpers below check the general machinery.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import shap

from causalxai.causal.scm import SCM
from causalxai.predict.coalitions import (
    MAX_ROWS,
    causal_values,
    check_gaussian,
    conditional_gaussian,
    conditional_values,
    gaussian_of_scm,
    marginal_values,
    scm_noise,
)
from causalxai.predict.games import enumerate_shapley, members, sample_shapley

__all__ = [
    "EXPLANATIONS",
    "GRAPHS",
    "causal_order",
    "causal_shapley_linear",
    "causal_shapley_split",
    "exact_shapley",
    "expected_abs_closed_form",
    "gaussian_shapley_linear",
    "monte_carlo_shapley",
    "shapley_explanation",
    "two_feature_closed_form",
    "two_feature_scm",
]

KINDS = ("interventional", "conditional")

#: Value functions and orderings of :func:`shapley_explanation`.
EXPLANATIONS = ("marginal", "conditional", "asymmetric", "causal", "asymmetric_causal")

#: Three structural causal models with the *same* joint distribution of (x1, x2):
#: standard Gaussian margins with correlation rho. Only the direction of causation differs.
GRAPHS = ("x1_causes_x2", "x2_causes_x1", "common_cause")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def _check_rho(rho: float) -> float:
    if not -1 < rho < 1:
        raise ValueError(f"rho must lie in the open interval (-1, 1), got {rho}")
    return float(rho)


def exact_shapley(value: Callable[[frozenset[int]], np.ndarray | float], d: int) -> np.ndarray:
    """Shapley values by enumeration of all coalitions.

    Parameters
    ----------
    value : callable
        ``value(S)`` for a frozenset ``S`` of feature indices in ``range(d)``; it may return
        a scalar or an array (one value per explained row), the same shape for every ``S``.
    d : int
        Number of features (at most 16: the cost is ``2**d`` calls to ``value``).

    Returns
    -------
    numpy.ndarray
        Shape ``value(S).shape + (d,)``: the Shapley value of each feature, which add up to
        ``value(all) - value(empty)`` (efficiency).

    Raises
    ------
    ValueError
        If ``d`` is not between 1 and 16.
    """
    if not 1 <= d <= 16:
        raise ValueError(f"d must be between 1 and 16 for exact enumeration, got {d}")
    return enumerate_shapley(lambda mask: value(frozenset(members(mask, d))), d)


def gaussian_shapley_linear(
    X: np.ndarray,
    coef: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    kind: str,
) -> np.ndarray:
    """Exact Shapley values of a linear model ``f(x) = coef @ x`` on Gaussian features.

    Parameters
    ----------
    X : numpy.ndarray
        Rows to explain, shape ``(n, d)``.
    coef : numpy.ndarray
        Coefficients ``(d,)`` (an intercept cancels out of every Shapley value).
    mean, cov : numpy.ndarray
        The feature distribution ``N(mean, cov)``.
    kind : {"interventional", "conditional"}
        The value function (see the module docstring).

    Returns
    -------
    numpy.ndarray
        Shapley values, shape ``(n, d)``.
    """
    _check_kind(kind)
    mean, cov = check_gaussian(mean, cov)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    coef = np.asarray(coef, dtype=float)
    d = len(mean)
    if X.shape[1] != d or coef.shape != (d,):
        raise ValueError(f"X must have {d} columns and coef shape ({d},)")

    def value(S: frozenset[int]) -> np.ndarray:
        filled = np.broadcast_to(mean, X.shape).copy()
        idx = sorted(S)
        filled[:, idx] = X[:, idx]
        if kind == "conditional" and 0 < len(idx) < d:
            rest = [j for j in range(d) if j not in S]
            filled[:, rest] = conditional_gaussian(mean, cov, idx, X[:, idx])[0]
        return filled @ coef

    return exact_shapley(value, d)


def monte_carlo_shapley(
    f: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    kind: str,
    *,
    n_draws: int = 10_000,
    seed: int = 0,
) -> np.ndarray:
    """Shapley values of any vectorised model, each ``v(S)`` estimated by Monte Carlo.

    The features outside a coalition are drawn from ``N(mean, cov)`` (interventional) or
    from their Gaussian conditional distribution given the coalition's values
    (conditional); the same standard-normal draws are reused for every coalition and row
    (common random numbers), so the estimate is smooth in ``X``.

    Parameters
    ----------
    f : callable
        Model, mapping an ``(m, d)`` array to ``(m,)`` outputs.
    X : numpy.ndarray
        Rows to explain, shape ``(n, d)``.
    mean, cov : numpy.ndarray
        The feature distribution.
    kind : {"interventional", "conditional"}
        The value function.
    n_draws : int
        Monte-Carlo draws per coalition and row.
    seed : int
        Seed of the draws.

    Returns
    -------
    numpy.ndarray
        Estimated Shapley values, shape ``(n, d)``.
    """
    _check_kind(kind)
    mean, cov = check_gaussian(mean, cov)
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    d = len(mean)
    if X.shape[1] != d:
        raise ValueError(f"X must have {d} columns, got {X.shape[1]}")
    Z = np.random.default_rng(seed).standard_normal((n_draws, d))

    def value(S: frozenset[int]) -> np.ndarray:
        idx = sorted(S)
        rest = [j for j in range(d) if j not in S]
        out = np.empty(len(X))
        if kind == "interventional" or not idx:
            marginal = mean + Z @ np.linalg.cholesky(cov).T
        for r, x in enumerate(X):
            draws = np.empty((n_draws, d))
            draws[:, idx] = x[idx]
            if rest:
                if kind == "interventional" or not idx:
                    draws[:, rest] = marginal[:, rest]
                else:
                    m, c = conditional_gaussian(mean, cov, idx, x[idx][None, :])
                    draws[:, rest] = m[0] + Z[:, : len(rest)] @ np.linalg.cholesky(c).T
            out[r] = float(np.mean(f(draws)))
        return out

    return exact_shapley(value, d)


def two_feature_closed_form(
    X: np.ndarray, b1: float, b2: float, rho: float, kind: str
) -> np.ndarray:
    """Closed-form Shapley values of ``f = b1 x1 + b2 x2`` on standard Gaussians with corr ``rho``.

    Interventional: ``phi1 = b1 x1``, ``phi2 = b2 x2``. Conditional:
    ``phi1 = b1 x1 + rho (b2 x1 - b1 x2) / 2`` and ``phi2 = b2 x2 + rho (b1 x2 - b2 x1) / 2``.
    With ``b2 = 0`` the conditional value gives x2 the credit ``rho b1 x2 / 2`` although
    the model never reads x2.

    Parameters
    ----------
    X : numpy.ndarray
        Rows ``(n, 2)``.
    b1, b2 : float
        Coefficients of the model.
    rho : float
        Correlation of the two features, in ``(-1, 1)``.
    kind : {"interventional", "conditional"}
        The value function.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``.
    """
    _check_kind(kind)
    rho = _check_rho(rho)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns, got {X.shape[1]}")
    x1, x2 = X[:, 0], X[:, 1]
    if kind == "interventional":
        return np.column_stack([b1 * x1, b2 * x2])
    return np.column_stack(
        [b1 * x1 + rho * (b2 * x1 - b1 * x2) / 2, b2 * x2 + rho * (b1 * x2 - b2 * x1) / 2]
    )


def expected_abs_closed_form(b1: float, b2: float, rho: float, kind: str) -> np.ndarray:
    """Population mean of ``|phi_j|`` for the two-feature model, by feature.

    Each closed-form Shapley value is a linear form ``w @ X`` of the Gaussian features, so
    ``E|phi_j| = sqrt(2 / pi) * sqrt(w' C w)`` with ``C`` the correlation matrix.

    Parameters
    ----------
    b1, b2, rho, kind
        As in :func:`two_feature_closed_form`.

    Returns
    -------
    numpy.ndarray
        ``[E|phi_1|, E|phi_2|]``.
    """
    basis = two_feature_closed_form(np.eye(2), b1, b2, rho, kind)  # row i: weights on x_i
    cov = np.array([[1.0, rho], [rho, 1.0]])
    return np.sqrt(2 / np.pi) * np.sqrt(np.einsum("ij,ik,jk->k", cov, basis, basis))


def two_feature_scm(rho: float, graph: str) -> tuple[np.ndarray, list[str]]:
    """A linear SCM whose observed (x1, x2) are standard Gaussians with correlation ``rho``.

    Parameters
    ----------
    rho : float
        Correlation, in ``(-1, 1)``.
    graph : {"x1_causes_x2", "x2_causes_x1", "common_cause"}
        Direction of causation. ``common_cause`` adds a hidden third node ``u``.

    Returns
    -------
    weights : numpy.ndarray
        ``weights[i, j]`` is the coefficient of node ``i`` in the equation of node ``j``.
    nodes : list of str
        Node names; the first two are ``x1`` and ``x2``.
    """
    rho = _check_rho(rho)
    if graph == "x1_causes_x2":
        return np.array([[0.0, rho], [0.0, 0.0]]), ["x1", "x2"]
    if graph == "x2_causes_x1":
        return np.array([[0.0, 0.0], [rho, 0.0]]), ["x1", "x2"]
    if graph == "common_cause":
        a = math.sqrt(abs(rho))
        w = np.zeros((3, 3))
        w[2, 0], w[2, 1] = a, math.copysign(a, rho)
        return w, ["x1", "x2", "u"]
    raise ValueError(f"graph must be one of {GRAPHS}, got {graph!r}")


def causal_shapley_linear(X: np.ndarray, coef: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Causal Shapley values (Heskes et al., 2020) of a linear model in a linear SCM.

    The value of a coalition is ``v(S) = E[f(X) | do(X_S = x_S)]``. In a linear SCM with
    zero-mean noises, the interventional mean of every other node solves
    ``m_j = sum_i weights[i, j] m_i``, with ``m_S = x_S`` held fixed; for a linear model
    ``v(S) = coef @ m``. Only the first ``len(coef)`` nodes are model inputs; the others
    (hidden causes) are never intervened upon.

    Parameters
    ----------
    X : numpy.ndarray
        Rows to explain, ``(n, k)`` for the ``k`` observed nodes.
    coef : numpy.ndarray
        Model coefficients ``(k,)``.
    weights : numpy.ndarray
        SCM weights ``(p, p)`` with ``p >= k`` (acyclic).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, k)``.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    coef = np.asarray(coef, dtype=float)
    weights = np.asarray(weights, dtype=float)
    k, p = len(coef), weights.shape[0]
    if weights.shape != (p, p) or p < k or X.shape[1] != k:
        raise ValueError("weights must be square with at least as many nodes as X has columns")

    def value(S: frozenset[int]) -> np.ndarray:
        A = np.eye(p) - weights.T
        rhs = np.zeros((p, len(X)))
        for j in S:
            A[j] = 0.0
            A[j, j] = 1.0
            rhs[j] = X[:, j]
        m = np.linalg.solve(A, rhs)
        return coef @ m[:k]

    return exact_shapley(value, k)


# Explanations of a fitted model -----------------------------------------------------------------
def causal_order(scm: SCM, features: Sequence[str]) -> list[int]:
    """Partial order of ``features`` given by the causal graph of ``scm``.

    Returns ``before`` (see :func:`order_counts`): ``before[j]`` has bit ``i`` set when
    feature ``i`` is an ancestor of feature ``j`` (through any node, latent or outcome).
    Features with a common cause only, or unrelated, are left unordered.
    """
    features = list(features)
    unknown = [v for v in features if v not in scm.nodes]
    if unknown:
        raise ValueError(f"features {unknown} are not nodes of the SCM")
    index = {v: i for i, v in enumerate(features)}
    return [sum(1 << index[a] for a in scm.ancestors(v) if a in index) for v in features]


def _as_rows(X: object, features: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        names = list(X.columns) if features is None else list(features)
        missing = [v for v in names if v not in X.columns]
        if missing:
            raise ValueError(f"X has no columns {missing}")
        return X[names].to_numpy(dtype=float), names
    arr = np.atleast_2d(np.asarray(X, dtype=float))
    if features is None:
        return arr, [f"x{j}" for j in range(arr.shape[1])]
    if len(features) != arr.shape[1]:
        raise ValueError(f"features names {len(features)} columns but X has {arr.shape[1]}")
    return arr, list(features)


def _value_function(kind, f, X, names, background, scm, noise, n_background, seed, max_rows):
    if kind == "marginal":
        if background is None:
            if scm is None:
                raise ValueError("kind='marginal' needs background rows or an scm to draw them")
            background = scm.sample(n_background, seed=seed)[names]
        B = background[names] if isinstance(background, pd.DataFrame) else background
        return marginal_values(f, X, np.asarray(B, dtype=float), max_rows=max_rows)
    if kind in ("conditional", "asymmetric"):
        if scm is not None:
            mean, cov = gaussian_of_scm(scm, names, seed=seed)
        elif background is not None:
            B = np.asarray(background[names] if isinstance(background, pd.DataFrame)
                           else background, dtype=float)
            mean, cov = B.mean(axis=0), np.cov(B, rowvar=False)
        else:
            raise ValueError(f"kind={kind!r} needs an scm or background rows for the "
                             "feature distribution")
        return conditional_values(f, X, mean, cov, n_draws=n_background, seed=seed,
                                  max_rows=max_rows)
    if scm is None:
        raise ValueError(f"kind={kind!r} needs the structural causal model scm")
    noise = scm_noise(scm, n_background, seed) if noise is None else noise
    return causal_values(f, X, scm, names, noise, max_rows=max_rows)


def shapley_explanation(
    model: Callable[[np.ndarray], np.ndarray],
    X: pd.DataFrame | np.ndarray,
    *,
    kind: str,
    scm: SCM | None = None,
    background: pd.DataFrame | np.ndarray | None = None,
    noise: pd.DataFrame | None = None,
    features: Sequence[str] | None = None,
    n_background: int = 200,
    exact_max: int = 12,
    n_permutations: int = 200,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
    n_jobs: int = 1,
) -> shap.Explanation:
    """Shapley values of ``model`` at the rows ``X`` under one of five value functions.

    ``"marginal"`` (interventional SHAP), ``"conditional"`` (observational, Gaussian),
    ``"asymmetric"`` (conditional values, orderings restricted to the causal order of
    ``scm``: Frye et al., 2020), ``"causal"`` (``E[f(X) | do(X_S = x_S)]`` sampled from
    ``scm``, all orderings: Heskes et al., 2020) and ``"asymmetric_causal"`` (both).
    Exact by enumeration for at most ``exact_max`` features, else permutation sampling,
    whose standard error is returned as ``error_std``.

    Parameters
    ----------
    model : callable
        ``(k, d)`` array -> ``(k,)`` outputs, e.g. ``est.predict`` or
        ``lambda Z: est.predict_proba(Z)[:, 1]``.
    X : DataFrame or array
        Rows to explain; a DataFrame's columns (or ``features``) are the model inputs.
    kind : {"marginal", "conditional", "asymmetric", "causal", "asymmetric_causal"}
        The value function and the orderings.
    scm : SCM, optional
        Structural model, true or fitted, whose observed nodes include the features.
        Needed for the causal kinds and the order; gives the background of the others.
    background : DataFrame or array, optional
        Background rows (marginal; the Gaussian's moments for conditional without scm).
    noise : DataFrame, optional
        Background noise of the causal kinds (default: ``n_background`` draws).
    features : sequence of str, optional
        Feature names, in the column order of the model.
    n_background : int
        Background rows, conditional draws or noise draws per explained row.
    exact_max : int
        Largest number of features explained by enumeration (at most 16).
    n_permutations : int
        Orderings drawn beyond ``exact_max``.
    seed : int
        Seed of every draw.
    max_rows : int
        Largest array passed to ``model`` at once.
    n_jobs : int
        Threads evaluating coalitions at once in the exact enumeration (``model`` must be
        safe to call from several threads); the values do not depend on it.

    Returns
    -------
    shap.Explanation
        ``values`` ``(n, d)``, ``base_values`` ``v(empty)`` per row, ``data`` and
        ``feature_names``; efficiency: ``values.sum(1) + base_values == f(X)``.
    """
    if kind not in EXPLANATIONS:
        raise ValueError(f"kind must be one of {EXPLANATIONS}, got {kind!r}")
    if not 1 <= exact_max <= 16:
        raise ValueError(f"exact_max must be between 1 and 16, got {exact_max}")
    if n_background < 1:
        raise ValueError(f"n_background must be at least 1, got {n_background}")
    X_arr, names = _as_rows(X, features)
    value = _value_function(kind, model, X_arr, names, background, scm, noise,
                            n_background, seed, max_rows)
    d = len(names)
    before = causal_order(scm, names) if kind.startswith("asymmetric") else None
    if kind.startswith("asymmetric") and scm is None:
        raise ValueError(f"kind={kind!r} needs the scm for the causal order")
    error = None
    if d <= exact_max:
        phi = enumerate_shapley(value, d, before=before, n_jobs=n_jobs)
    else:
        phi, error = sample_shapley(value, d, before=before, n_permutations=n_permutations,
                                    seed=seed)
    return shap.Explanation(
        phi, base_values=value(0), data=X_arr, feature_names=names, error_std=error
    )


def causal_shapley_split(
    model: Callable[[np.ndarray], np.ndarray],
    X: pd.DataFrame | np.ndarray,
    scm: SCM,
    *,
    features: Sequence[str] | None = None,
    noise: pd.DataFrame | None = None,
    asymmetric: bool = False,
    n_background: int = 200,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
) -> tuple[shap.Explanation, shap.Explanation]:
    """Direct and indirect parts of the causal Shapley values (Heskes et al., 2020).

    For a coalition ``S`` and a feature ``i`` outside it, the contribution
    ``v(S + i) - v(S)`` is split into a *direct* part, the change of the model's output
    when its input ``i`` alone is set to ``x_i`` (the other inputs still distributed as
    under ``do(X_S = x_S)``), and an *indirect* part, the change when the other inputs
    then follow ``do(X_i = x_i)`` as well. Each part is averaged with the Shapley weights.
    Exact enumeration only (at most 16 features; about ``d / 2`` times the cost of
    :func:`shapley_explanation`).

    Parameters
    ----------
    model, X, scm, features, noise, n_background, seed, max_rows
        As in :func:`shapley_explanation`.
    asymmetric : bool
        Restrict the orderings to the causal order.

    Returns
    -------
    direct, indirect : shap.Explanation
        Their values add up to the causal Shapley values.
    """
    X_arr, names = _as_rows(X, features)
    d = len(names)
    if not 1 <= d <= 16:
        raise ValueError(f"the split is exact only: at most 16 features, got {d}")
    noise = scm_noise(scm, n_background, seed) if noise is None else noise
    value = causal_values(model, X_arr, scm, names, noise, split=True, max_rows=max_rows)
    before = causal_order(scm, names) if asymmetric else None
    direct, indirect = enumerate_shapley(value, d, before=before, split=True)
    base = value(0)[0]
    return tuple(  # type: ignore[return-value]
        shap.Explanation(part, base_values=base, data=X_arr, feature_names=names)
        for part in (direct, indirect)
    )

"""Exact Shapley values for small models, under three value functions.

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

For a handful of features the Shapley value is computed exactly by enumerating the
``2**d`` coalitions. For a linear model and Gaussian features each ``v(S)`` has a closed
form; Monte-Carlo versions, valid for any vectorised model, check them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable

import numpy as np

__all__ = [
    "GRAPHS",
    "causal_shapley_linear",
    "conditional_gaussian",
    "exact_shapley",
    "expected_abs_closed_form",
    "gaussian_shapley_linear",
    "monte_carlo_shapley",
    "two_feature_closed_form",
    "two_feature_scm",
]

KINDS = ("interventional", "conditional")

#: Three structural causal models with the *same* joint distribution of (x1, x2):
#: standard Gaussian margins with correlation rho. Only the direction of causation differs.
GRAPHS = ("x1_causes_x2", "x2_causes_x1", "common_cause")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def _check_gaussian(mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    d = mean.shape[0]
    if mean.ndim != 1 or cov.shape != (d, d):
        raise ValueError(f"mean must have shape (d,) and cov (d, d); got {mean.shape}, {cov.shape}")
    if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
        raise ValueError("cov must be symmetric positive definite")
    return mean, cov


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
    cache = {
        frozenset(S): np.asarray(value(frozenset(S)), dtype=float)
        for k in range(d + 1)
        for S in itertools.combinations(range(d), k)
    }
    shape = next(iter(cache.values())).shape
    phi = np.zeros((*shape, d))
    for i in range(d):
        others = [j for j in range(d) if j != i]
        for k in range(d):
            weight = math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
            for S in itertools.combinations(others, k):
                S = frozenset(S)
                phi[..., i] += weight * (cache[S | {i}] - cache[S])
    return phi


def conditional_gaussian(
    mean: np.ndarray, cov: np.ndarray, known: Iterable[int], x_known: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the unknown features given the known ones (Gaussian).

    Parameters
    ----------
    mean, cov : numpy.ndarray
        Mean ``(d,)`` and covariance ``(d, d)`` of the features.
    known : iterable of int
        Indices of the observed features ``S``.
    x_known : numpy.ndarray
        Their values, shape ``(n, |S|)``.

    Returns
    -------
    cond_mean : numpy.ndarray
        ``(n, d - |S|)``: ``E[X_rest | X_S = x_S]`` for each row, features in index order.
    cond_cov : numpy.ndarray
        ``(d - |S|, d - |S|)``: the conditional covariance, the same for every row.
    """
    mean, cov = _check_gaussian(mean, cov)
    S = sorted(set(known))
    R = [j for j in range(len(mean)) if j not in S]
    x_known = np.atleast_2d(np.asarray(x_known, dtype=float))
    if not S:
        return np.broadcast_to(mean, (x_known.shape[0], len(mean))).copy(), cov.copy()
    gain = cov[np.ix_(R, S)] @ np.linalg.inv(cov[np.ix_(S, S)])
    cond_mean = mean[R] + (x_known - mean[S]) @ gain.T
    cond_cov = cov[np.ix_(R, R)] - gain @ cov[np.ix_(S, R)]
    return cond_mean, cond_cov


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
    mean, cov = _check_gaussian(mean, cov)
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
    mean, cov = _check_gaussian(mean, cov)
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

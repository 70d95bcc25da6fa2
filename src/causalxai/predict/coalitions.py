"""Value functions ``v(S)`` of feature coalitions, vectorised over rows and background.

A coalition is a bit mask over the ``d`` model inputs (bit ``j`` set: feature ``j`` is
known). Each factory below returns a callable ``value(mask) -> (n,)`` giving, for each of
the ``n`` explained rows ``x``, the expected model output when only ``x_S`` is known:

:func:`marginal_values`
    ``E[f(x_S, X_rest)]`` with ``X_rest`` taken from background rows (interventional SHAP).
:func:`conditional_values`
    ``E[f(X) | X_S = x_S]`` under a Gaussian ``N(mean, cov)`` of the features: exact for a
    linear-Gaussian model, an approximation otherwise (Aas et al., 2021).
:func:`causal_values`
    ``E[f(X) | do(X_S = x_S)]`` in a structural causal model (Heskes et al., 2020): the
    background's exogenous noise is pushed through the intervened model, so only the
    descendants of ``S`` move with ``x_S``; any mechanism works, binary nodes included.

Every explained row is paired with every background row (``n * m`` model calls per
coalition), in chunks of at most ``max_rows`` rows (or one explained row's ``m``). With ``split=True`` the causal value
also returns the *mixed* terms of Heskes et al.'s direct/indirect split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from causalxai.causal.scm import SCM, Set

__all__ = [
    "causal_values",
    "check_gaussian",
    "conditional_gaussian",
    "conditional_values",
    "gaussian_of_scm",
    "marginal_values",
    "scm_noise",
]

Model = Callable[[np.ndarray], np.ndarray]
Value = Callable[[int], np.ndarray]
#: Default largest array passed to the model at once: 8,192 rows of ten features stay in
#: the CPU's caches (on this machine a small numpy model runs about four times faster per
#: row than on 16,384 or more).
MAX_ROWS = 8192


def check_gaussian(mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``mean, cov`` as float arrays; ValueError unless shapes match and cov is SPD."""
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    d = mean.shape[0] if mean.ndim == 1 else -1
    if mean.ndim != 1 or cov.shape != (d, d):
        raise ValueError(f"mean must have shape (d,) and cov (d, d); got {mean.shape}, {cov.shape}")
    if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
        raise ValueError("cov must be symmetric positive definite")
    return mean, cov


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
    mean, cov = check_gaussian(mean, cov)
    S = sorted(set(known))
    R = [j for j in range(len(mean)) if j not in S]
    x_known = np.atleast_2d(np.asarray(x_known, dtype=float))
    if not S:
        return np.broadcast_to(mean, (x_known.shape[0], len(mean))).copy(), cov.copy()
    gain = cov[np.ix_(R, S)] @ np.linalg.inv(cov[np.ix_(S, S)])
    cond_mean = mean[R] + (x_known - mean[S]) @ gain.T
    cond_cov = cov[np.ix_(R, R)] - gain @ cov[np.ix_(S, R)]
    return cond_mean, cond_cov


def _columns(mask: int, d: int) -> list[int]:
    return [j for j in range(d) if mask >> j & 1]


def _chunks(n: int, m: int, max_rows: int) -> list[slice]:
    if int(max_rows) != max_rows or max_rows < 1:
        raise ValueError(f"max_rows must be an integer >= 1, got {max_rows!r}")
    step = max(1, int(max_rows) // m)  # at least one explained row with its m background rows
    return [slice(a, min(a + step, n)) for a in range(0, n, step)]


def _call(f: Model, Z: np.ndarray, k: int, m: int) -> np.ndarray:
    out = np.asarray(f(Z), dtype=float).reshape(-1)
    if out.shape != (k * m,):
        raise ValueError(f"the model must return one number per row: got shape "
                         f"{np.shape(out)} for {k * m} rows")
    return out.reshape(k, m).mean(axis=1)


def _rows(X: np.ndarray, name: str, d: int | None = None) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise ValueError(f"{name} must have {d} columns, got {X.shape[1]}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def marginal_values(
    f: Model, X: np.ndarray, background: np.ndarray, *, max_rows: int = MAX_ROWS
) -> Value:
    """Interventional (marginal) value function ``v(S) = mean_b f(x_S, b_rest)``.

    Parameters
    ----------
    f : callable
        Model, ``(k, d)`` array -> ``(k,)`` outputs.
    X : numpy.ndarray
        Rows to explain, ``(n, d)``.
    background : numpy.ndarray
        Background rows ``(m, d)`` standing for the feature distribution.
    max_rows : int
        Largest array passed to ``f`` at once (at least one row of ``X`` with its
        background rows).

    Returns
    -------
    callable
        ``value(mask) -> (n,)``.
    """
    X = _rows(X, "X")
    B = _rows(background, "background", X.shape[1])
    n, d, m = *X.shape, len(B)
    chunks = _chunks(n, m, max_rows)
    tiled = np.tile(B, (chunks[0].stop - chunks[0].start, 1))

    def value(mask: int) -> np.ndarray:
        cols, out = _columns(mask, d), np.empty(n)
        for sl in chunks:
            k = sl.stop - sl.start
            Z = tiled[: k * m].copy()
            Z[:, cols] = np.repeat(X[sl][:, cols], m, axis=0)
            out[sl] = _call(f, Z, k, m)
        return out

    return value


def conditional_values(
    f: Model,
    X: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    *,
    n_draws: int = 200,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
) -> Value:
    """Conditional value function ``v(S) = E[f(X) | X_S = x_S]``, ``X ~ N(mean, cov)``.

    The unknown features are drawn from their Gaussian conditional distribution given
    ``x_S``; the same ``n_draws`` standard-normal draws serve every coalition and row.

    Parameters
    ----------
    f, X, max_rows
        As in :func:`marginal_values`.
    mean, cov : numpy.ndarray
        The feature distribution (see :func:`gaussian_of_scm`).
    n_draws : int
        Draws per row and coalition.
    seed : int
        Seed of the draws.

    Returns
    -------
    callable
        ``value(mask) -> (n,)``.
    """
    mean, cov = check_gaussian(mean, cov)
    X = _rows(X, "X", len(mean))
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    n, d, m = *X.shape, int(n_draws)
    chunks = _chunks(n, m, max_rows)
    Z0 = np.random.default_rng(seed).standard_normal((m, d))

    def value(mask: int) -> np.ndarray:
        S = _columns(mask, d)
        R = [j for j in range(d) if j not in S]
        if not R:
            return _call(f, X, n, 1)
        cond_mean, cond_cov = conditional_gaussian(mean, cov, S, X[:, S])
        noise = Z0[:, R] @ np.linalg.cholesky(cond_cov).T
        out = np.empty(n)
        for sl in chunks:
            k = sl.stop - sl.start
            Z = np.empty((k, m, d))
            Z[:, :, S] = X[sl][:, None, S]
            Z[:, :, R] = cond_mean[sl][:, None, :] + noise[None]
            out[sl] = _call(f, Z.reshape(k * m, d), k, m)
        return out

    return value


def gaussian_of_scm(
    scm: SCM, features: Sequence[str], *, n: int = 200_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of ``features`` in the observational distribution of ``scm``.

    Exact for a model built by :meth:`SCM.linear_gaussian` (``X = (I - B)^{-1} U``), else
    the moments of ``n`` draws with ``seed``.
    """
    features = _check_features(scm, features)
    if scm.weights is not None and not scm.interventions:
        names = tuple(scm.nodes)
        index = {v: i for i, v in enumerate(names)}
        b = np.zeros((len(names), len(names)))
        for (parent, child), w in scm.weights.items():
            b[index[child], index[parent]] = w
        scales = np.array([scm.nodes[v].noise.scale for v in names])
        a = np.linalg.inv(np.eye(len(names)) - b)
        cov = a @ np.diag(scales**2) @ a.T
        idx = [index[v] for v in features]
        return np.zeros(len(idx)), cov[np.ix_(idx, idx)]
    data = scm.sample(n, seed=seed)[list(features)].to_numpy()
    return data.mean(axis=0), np.cov(data, rowvar=False)


def _check_features(scm: SCM, features: Sequence[str]) -> list[str]:
    features = list(features)
    unknown = [v for v in features if v not in scm.observed]
    if unknown:
        raise ValueError(f"features {unknown} are not observed nodes of the SCM; "
                         f"observed nodes: {', '.join(scm.observed)}")
    if len(set(features)) != len(features):
        raise ValueError(f"features must be distinct, got {features}")
    return features


def scm_noise(scm: SCM, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` draws of the exogenous noise of every node of ``scm`` (a background)."""
    return scm.sample(n, seed=seed, return_noise=True)[1]


def causal_values(
    f: Model,
    X: np.ndarray,
    scm: SCM,
    features: Sequence[str],
    noise: pd.DataFrame,
    *,
    split: bool = False,
    max_rows: int = MAX_ROWS,
    solver: str = "descendants",
) -> Callable[[int], np.ndarray | tuple[np.ndarray, np.ndarray]]:
    """Causal value function ``v(S) = E[f(X) | do(X_S = x_S)]`` (Heskes et al., 2020).

    For each explained row and each background noise draw ``u``, the model ``scm`` is
    intervened on with ``do(X_S = x_S)`` and solved for ``u``; the model inputs are read
    off the solution, so the features outside ``S`` that descend from ``S`` move with it
    and the others keep their background values.

    Only the descendants of ``S`` (those the features depend on) are re-simulated, row by
    row of the ``n * m`` grid; every other node keeps the value the background noise gives
    it without intervention, solved once. The mechanisms must act row by row (every
    :class:`~causalxai.causal.scm.SCM` mechanism does). ``solver="full"`` solves the whole
    intervened model with :meth:`SCM.counterfactual` instead (the reference; also used
    for a model that already carries interventions); both give the same values.

    Parameters
    ----------
    f, X, max_rows
        As in :func:`marginal_values`; the columns of ``X`` are ``features``.
    scm : SCM
        The structural model, true or fitted; ``features`` are observed nodes of it.
    features : sequence of str
        The model inputs, in the column order of ``X``.
    noise : pandas.DataFrame
        Background: ``m`` rows of exogenous noise, one column per node (from
        :func:`scm_noise`, or :meth:`SCM.abduct` of background data).
    split : bool
        Also return the mixed terms ``E[f(X_rest, x_{S + i}) | do(X_S = x_S)]`` for every
        ``i`` outside ``S`` (nan inside), which split a marginal contribution into a
        direct and an indirect part.
    solver : {"descendants", "full"}
        Re-simulate the descendants of ``S`` only, or the whole model.

    Returns
    -------
    callable
        ``value(mask) -> (n,)``, or ``(n,), (n, d)`` with ``split``.
    """
    if solver not in ("descendants", "full"):
        raise ValueError(f"solver must be 'descendants' or 'full', got {solver!r}")
    features = _check_features(scm, features)
    X = _rows(X, "X", len(features))
    missing = [v for v in scm.nodes if v not in noise]
    if missing:
        raise ValueError(f"the noise table has no column for nodes {missing}")
    n, d, m = *X.shape, len(noise)
    if m == 0:
        raise ValueError("the noise table is empty")
    chunks = _chunks(n, m, max_rows)
    full = solver == "full" or bool(scm.interventions)
    solve = (_full_solver if full else _descendant_solver)(
        scm, features, noise, X, chunks, m)

    def value(mask: int) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        S = _columns(mask, d)
        out, mixed = np.empty(n), np.full((n, d), np.nan)
        for c, sl in enumerate(chunks):
            k = sl.stop - sl.start
            Z = solve(S, c)
            out[sl] = _call(f, Z, k, m)
            if split:
                for i in (j for j in range(d) if j not in S):
                    Zi = Z.copy()
                    Zi[:, i] = np.repeat(X[sl, i], m)
                    mixed[sl, i] = _call(f, Zi, k, m)
        return (out, mixed) if split else out

    return value


Solver = Callable[[list[int], int], np.ndarray]


def _full_solver(scm: SCM, features: list[str], noise: pd.DataFrame, X: np.ndarray,
                 chunks: list[slice], m: int) -> Solver:
    """Solve the whole intervened model on the chunk's ``k * m`` grid (any SCM)."""
    width = chunks[0].stop - chunks[0].start
    tiled = pd.DataFrame({v: np.tile(noise[v].to_numpy(float), width) for v in scm.nodes})
    template = pd.DataFrame(index=pd.RangeIndex(width * m), columns=features)

    def solve(S: list[int], c: int) -> np.ndarray:
        sl = chunks[c]
        k = sl.stop - sl.start
        fixed = {features[j]: Set(np.repeat(X[sl, j], m)) for j in S}
        solved = scm.counterfactual(template.iloc[: k * m], tiled.iloc[: k * m], fixed)
        return solved.to_numpy(dtype=float)

    return solve


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))  # as in causalxai.causal.scm: the same bits


def _descendant_solver(scm: SCM, features: list[str], noise: pd.DataFrame, X: np.ndarray,
                       chunks: list[slice], m: int) -> Solver:
    """Re-simulate only the descendants of ``S``; the rest keep their background values."""
    nodes = scm.nodes  # topological order
    order = list(nodes)
    # the nodes the features depend on: only those are ever solved
    needed = set(features).union(*(scm.ancestors(v) for v in features))
    below = {v: set(scm.descendants(v)) & needed for v in features}
    index = {v: j for j, v in enumerate(features)}
    background = scm.counterfactual(pd.DataFrame(index=pd.RangeIndex(m), columns=order),
                                    noise)
    width = chunks[0].stop - chunks[0].start
    base = {v: background[v].to_numpy(float) for v in order}
    tiled = {v: np.tile(base[v], width) for v in order}
    u = {v: np.tile(noise[v].to_numpy(float), width) for v in order}
    grid = np.tile(background[features].to_numpy(float), (width, 1))
    repeated: dict[tuple[int, int], np.ndarray] = {}

    def fixed(j: int, c: int) -> np.ndarray:
        if (j, c) not in repeated:
            repeated[j, c] = np.repeat(X[chunks[c], j], m)
        return repeated[j, c]

    def solve(S: list[int], c: int) -> np.ndarray:
        sl = chunks[c]
        size = (sl.stop - sl.start) * m
        known = {features[j] for j in S}
        moved = set().union(*(below[features[j]] for j in S)) - known
        values: dict[str, np.ndarray] = {}
        for v in order:
            if v not in moved:
                continue
            node = nodes[v]
            parents = {p: (fixed(index[p], c) if p in known else
                           values[p] if p in values else tiled[p][:size]) for p in node.parents}
            pred = (np.zeros(size) if node.f is None else
                    np.broadcast_to(np.asarray(node.f(parents), dtype=float), (size,)))
            values[v] = (pred + u[v][:size] if node.link == "identity" else
                         (u[v][:size] < _sigmoid(pred)).astype(float))
        Z = grid[:size].copy()
        for j, v in enumerate(features):
            if v in known:
                Z[:, j] = fixed(j, c)
            elif v in values:
                Z[:, j] = values[v]
        return Z

    return solve

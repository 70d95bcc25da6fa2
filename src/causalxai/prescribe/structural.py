"""Structural models for prescriptions: per-unit counterfactual changes, fitted SCMs.

:func:`counterfactual_changes` answers "what would this unit's expected outcome become
under this action?" in a structural model, from the unit's *observed* features only: the
noise of every observed node is abducted (``u = x - f(pa)``; for a 0/1 node the middle of
the interval of uniform draws consistent with its value), latent nodes and nodes not in
the data take their expected noise. The action is a hard intervention on the lever,
propagated to its descendants (Karimi, Schölkopf & Valera, 2021). The change is that of
:meth:`causalxai.causal.scm.SCM.mean_function` of the outcome, so the outcome's own noise
plays no part.

:func:`fit_scm` fits one mechanism per observed node on its observed parents in a graph
(linear least squares or gradient boosting, additive Gaussian noise; logistic for a 0/1
node); :func:`bootstrap_scms` fits one per bootstrap sample, a simple representation of
imperfect knowledge of the mechanisms (Karimi et al., 2020).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.scm import SCM, Node, Noise, Set
from causalxai.prescribe.actions import is_binary

__all__ = ["MECHANISMS", "bootstrap_scms", "counterfactual_changes", "fit_scm", "interventions"]

#: The mechanism families :func:`fit_scm` can fit.
MECHANISMS = ("linear", "gbm")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def _abducted(scm: SCM, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All node values and noise of the units ``X`` (observed features only)."""
    n, values, noise = len(X), {}, {}
    for name in nx.topological_sort(scm.graph):
        node = scm.nodes[name]
        base = np.zeros(n) if node.f is None else np.broadcast_to(
            np.asarray(node.f({p: values[p] for p in node.parents}), dtype=float), (n,))
        if name in X:
            x = X[name].to_numpy(dtype=float)
            if node.link == "identity":
                u = x - base
            else:
                p = _sigmoid(base)
                u = np.where(x == 1, p / 2, (1 + p) / 2)
        else:
            u = np.full(n, node.noise.mean)
            x = base + u if node.link == "identity" else (u < _sigmoid(base)).astype(float)
        values[name], noise[name] = x, u
    return pd.DataFrame(values, index=X.index), pd.DataFrame(noise, index=X.index)


def counterfactual_changes(
    scm: SCM,
    X: pd.DataFrame,
    outcome: str,
    changes: Sequence[tuple[str, np.ndarray] | Mapping[str, np.ndarray]],
) -> list[np.ndarray]:
    """Per unit, the change in the expected outcome when levers are set to new values.

    Parameters
    ----------
    scm : SCM
        A structural model (the true one or a fitted one) holding the features of ``X``.
    X : pandas.DataFrame
        The units' observed features.
    outcome : str
        The outcome node.
    changes : sequence of (str, array) or of mappings
        Pairs (lever, its new values, one per unit), or mappings lever -> new values for
        several levers set together; each item is evaluated on its own.

    Returns
    -------
    list of numpy.ndarray
        Per pair, ``E[Y | do(lever := new)] - E[Y]`` per unit, both given the unit's
        abducted noise.
    """
    for name in X.columns:
        if name not in scm.nodes:
            raise ValueError(f"feature {name!r} is not a node of the structural model")
    values, noise = _abducted(scm, X)
    y0 = scm.mean_function(outcome, values)
    out = []
    for change in changes:
        cf = scm.counterfactual(values, noise, interventions(change))
        out.append(scm.mean_function(outcome, cf) - y0)
    return out


def interventions(change: tuple[str, np.ndarray] | Mapping[str, np.ndarray]) -> dict[str, Set]:
    """Hard interventions of one change: a pair (lever, new values) or a mapping of them."""
    items = change.items() if isinstance(change, Mapping) else [change]
    return {lever: Set(np.asarray(new, dtype=float)) for lever, new in items}


def _design(data: pd.DataFrame, parents: Sequence[str]) -> np.ndarray:
    return np.column_stack([np.ones(len(data)), *(data[p].to_numpy(float) for p in parents)])


def _constant(value: float):
    def f(p: dict[str, np.ndarray]) -> float:
        return value
    return f


def _mechanism(model: object, parents: tuple[str, ...], kind: str, binary: bool):
    def f(p: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(p.values())))
        Z = np.column_stack([np.broadcast_to(np.asarray(p[c], float), (n,)) for c in parents])
        if kind == "linear":
            return np.column_stack([np.ones(n), Z]) @ model
        frame = pd.DataFrame(Z, columns=list(parents))
        if binary:
            return model.predict(frame, raw_score=True)
        return model.predict(frame)
    return f


def fit_scm(
    data: pd.DataFrame,
    graph: nx.DiGraph,
    *,
    mechanism: str = "linear",
    seed: int = 0,
) -> SCM:
    """Fit an SCM with one mechanism per observed node of ``graph`` on its observed parents.

    Parameters
    ----------
    data : pandas.DataFrame
        Observed columns (features and outcome). Graph nodes absent from it are latent:
        they are left out, and their children are fitted on the observed parents only
        (a latent confounder then biases the fit; identification is the caller's check).
    graph : networkx.DiGraph
        The causal graph.
    mechanism : {"linear", "gbm"}
        Least squares with an intercept, or LightGBM (100 rounds); a 0/1 node gets a
        logistic (linear) or a boosted classifier with a bernoulli_logit link.
    seed : int
        Seed of the boosted models.

    Returns
    -------
    SCM
        Additive Gaussian noise with the residual standard deviation; roots keep their
        observed mean and standard deviation.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}, got {mechanism!r}")
    if not isinstance(graph, nx.DiGraph) or not nx.is_directed_acyclic_graph(graph):
        raise ValueError("graph must be a networkx.DiGraph without cycles")
    missing = [c for c in data.columns if c not in graph]
    if missing:
        raise ValueError(f"column(s) {', '.join(missing)} are not nodes of the graph")
    nodes = []
    for name in nx.topological_sort(graph):
        if name not in data:
            continue
        parents = tuple(p for p in graph.predecessors(name) if p in data)
        y = data[name].to_numpy(float)
        binary = is_binary(y) and len(np.unique(y)) == 2
        if not parents:
            if binary:
                logit = float(np.log(y.mean() / (1 - y.mean())))
                nodes.append(Node(name, (), _constant(logit), link="bernoulli_logit"))
            else:
                nodes.append(Node(name, (), None, Noise("normal", float(y.mean()),
                                                        float(y.std()))))
            continue
        model = _fit_one(data, parents, y, mechanism, binary, seed)
        f = _mechanism(model, parents, mechanism, binary)
        if binary:
            nodes.append(Node(name, parents, f, link="bernoulli_logit"))
        else:
            resid = y - f({p: data[p].to_numpy(float) for p in parents})
            nodes.append(Node(name, parents, f, Noise("normal", 0.0, float(resid.std()))))
    return SCM(nodes)


def _fit_one(data: pd.DataFrame, parents: tuple[str, ...], y: np.ndarray, mechanism: str,
             binary: bool, seed: int) -> object:
    if mechanism == "linear" and not binary:
        return np.linalg.lstsq(_design(data, parents), y, rcond=None)[0]
    if mechanism == "linear":
        return _logistic(_design(data, parents), y)
    from lightgbm import LGBMClassifier, LGBMRegressor

    cls = LGBMClassifier if binary else LGBMRegressor
    model = cls(n_estimators=100, learning_rate=0.1, num_leaves=15, random_state=seed,
                n_jobs=1, verbose=-1, deterministic=True)
    return model.fit(data[list(parents)], y)


def _logistic(X: np.ndarray, y: np.ndarray, iterations: int = 25) -> np.ndarray:
    """Logistic regression by Newton's method, with a tiny ridge for separable data."""
    beta = np.zeros(X.shape[1])
    ridge = 1e-6 * np.eye(X.shape[1])
    for _ in range(iterations):
        p = _sigmoid(X @ beta)
        step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]) + ridge,
                               X.T @ (y - p) - ridge @ beta)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def bootstrap_scms(
    data: pd.DataFrame,
    graph: nx.DiGraph,
    *,
    n_models: int = 10,
    mechanism: str = "linear",
    seed: int = 0,
) -> list[SCM]:
    """Fit ``n_models`` SCMs, each on a bootstrap resample of the rows of ``data``."""
    if int(n_models) != n_models or n_models < 2:
        raise ValueError(f"n_models must be an integer >= 2, got {n_models!r}")
    rng = np.random.default_rng(seed)
    out = []
    for b in range(int(n_models)):
        rows = rng.integers(0, len(data), len(data))
        out.append(fit_scm(data.iloc[rows].reset_index(drop=True), graph,
                           mechanism=mechanism, seed=seed + b))
    return out

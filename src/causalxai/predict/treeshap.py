"""Interventional TreeSHAP in numba: one pass per leaf over de-duplicated branch patterns.

Interventional ("independent") SHAP of a tree model (Lundberg et al., 2020) averages, over
background rows ``z``, the Shapley values of the game ``v(S) = f(x_S, z_rest)``. For one
tree, a leaf is reached by the hybrid point exactly when every feature split on its path
takes a value that follows the path: a feature whose ``x`` value follows the path but
whose ``z`` value does not must be in ``S`` (set ``A``), one whose ``z`` value follows but
``x`` does not must be out of ``S`` (set ``B``); if neither follows for some feature, the
leaf is unreachable. The leaf's game is ``value * 1[A within S, B outside S]``, whose
Shapley values are closed form: ``value / (a * C(a + b, a))`` for each feature of ``A``
and ``-value / (b * C(a + b, b))`` for each of ``B`` (``a = |A|``, ``b = |B|``).

Which features of a leaf's path a row follows is a bit pattern over the (few) distinct
features of that path. Rows of ``X`` and of the background that share a pattern share
their contributions, so each leaf works on its distinct patterns only (``x`` patterns x
``z`` patterns, with counts) and then scatters the result to the rows: the cost no longer
grows with ``n_explain x n_background`` but with the number of distinct patterns.

The trees are read with shap's own parser (``shap.explainers._tree.TreeEnsemble``) and
split with shap's rule (missing value: default child; else ``x <= threshold``: left), so
the values are shap's ``TreeExplainer(feature_perturbation="interventional")`` values up
to floating-point rounding (checked to 1e-7 in the tests). Where the formulation does not
apply (categorical splits, a transformed output, a tree limit, more than 62 distinct
features on one path), :func:`interventional_tree_shap` says why and falls back to shap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd

__all__ = ["SHAP_MAX_BACKGROUND", "TreeShapUnsupported", "interventional_tree_shap",
           "shap_background"]

SHAP_MAX_BACKGROUND = 100
"""Rows shap keeps of a DataFrame background: ``TreeExplainer`` wraps it in
``shap.maskers.Independent(data, max_samples=100)``, which subsamples larger backgrounds
with ``shap.utils.sample(data, 100)`` (without replacement, ``random_state=0``)."""

_MAX_PATTERN_BITS = 62


class TreeShapUnsupported(ValueError):
    """The numba formulation does not apply to this model; the message says why."""


def shap_background(background: pd.DataFrame,
                    max_samples: int | None = SHAP_MAX_BACKGROUND) -> pd.DataFrame:
    """The background rows shap actually uses for a DataFrame background.

    Parameters
    ----------
    background : pandas.DataFrame
        The requested background rows.
    max_samples : int or None
        shap's cap (100 in ``TreeExplainer``); None keeps every row.

    Returns
    -------
    pandas.DataFrame
        ``background`` itself when it has at most ``max_samples`` rows, else the
        subsample ``shap.utils.sample(background, max_samples)`` draws.
    """
    if max_samples is None or len(background) <= max_samples:
        return background
    from shap.utils import sample

    return sample(background, max_samples)


@dataclass(frozen=True)
class _Leaves:
    """Every leaf of an ensemble as flat arrays: its value and the nodes on its path."""

    values: np.ndarray  # (n_leaves, n_outputs)
    path_start: np.ndarray  # (n_leaves + 1,) into the path arrays
    node_feature: np.ndarray  # feature split on
    node_threshold: np.ndarray
    node_left: np.ndarray  # the path goes to the left child
    node_default: np.ndarray  # a missing value follows the path
    node_slot: np.ndarray  # index of the node's feature among the leaf's distinct features
    slot_start: np.ndarray  # (n_leaves + 1,) into slot_feature
    slot_feature: np.ndarray  # the leaf's distinct features
    base_offset: np.ndarray  # (n_outputs,)


def _ensemble(model: Any, background: np.ndarray) -> Any:
    from shap.explainers._tree import TreeEnsemble

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TreeEnsemble(model, background, np.isnan(background), "raw")


def _leaves(ens: Any) -> _Leaves:
    """Enumerate the leaves of shap's dense arrays, with the path to each."""
    if ens.get_transform() != "identity":
        raise TreeShapUnsupported(f"output transform {ens.get_transform()!r}")
    if getattr(ens, "tree_limit", None) not in (None, -1, ens.values.shape[0]):
        raise TreeShapUnsupported(f"tree limit {ens.tree_limit}")
    values, starts, feats, thrs, lefts, defaults, slots = [], [0], [], [], [], [], []
    slot_starts, slot_feats = [0], []
    for t in range(ens.values.shape[0]):
        left, right = ens.children_left[t], ens.children_right[t]
        default, feature = ens.children_default[t], ens.features[t]
        stack: list[tuple[int, list[tuple[int, bool]]]] = [(0, [])]
        while stack:
            node, path = stack.pop()
            if right[node] < 0:  # a leaf
                distinct = list(dict.fromkeys(int(feature[n]) for n, _ in path))
                if len(distinct) > _MAX_PATTERN_BITS:
                    raise TreeShapUnsupported(
                        f"a path splits on {len(distinct)} distinct features "
                        f"(at most {_MAX_PATTERN_BITS})")
                values.append(ens.values[t, node])
                for n, goes_left in path:
                    child = left[n] if goes_left else right[n]
                    feats.append(feature[n])
                    thrs.append(ens.thresholds[t, n])
                    lefts.append(goes_left)
                    defaults.append(default[n] == child)
                    slots.append(distinct.index(int(feature[n])))
                starts.append(len(feats))
                slot_feats.extend(distinct)
                slot_starts.append(len(slot_feats))
                continue
            if ens.threshold_types[t, node] != 0:
                raise TreeShapUnsupported("categorical splits")
            stack.append((int(right[node]), [*path, (node, False)]))
            stack.append((int(left[node]), [*path, (node, True)]))
    n_out = ens.values.shape[2]
    return _Leaves(
        np.asarray(values, dtype=np.float64).reshape(-1, n_out),
        np.asarray(starts, dtype=np.int64), np.asarray(feats, dtype=np.int64),
        np.asarray(thrs, dtype=np.float64), np.asarray(lefts, dtype=np.bool_),
        np.asarray(defaults, dtype=np.bool_), np.asarray(slots, dtype=np.int64),
        np.asarray(slot_starts, dtype=np.int64), np.asarray(slot_feats, dtype=np.int64),
        np.ravel(np.asarray(ens.base_offset, dtype=np.float64)) * np.ones(n_out),
    )


@numba.njit(cache=True)
def _patterns(data, lo, hi, feature, threshold, go_left, default, slot):  # pragma: no cover
    """Bit ``j`` of a row's pattern: the row follows the path on the leaf's feature ``j``."""
    n = data.shape[0]
    out = np.empty(n, dtype=np.int64)
    d_bits = 0
    for k in range(lo, hi):
        d_bits |= np.int64(1) << slot[k]
    for r in range(n):
        fail = np.int64(0)
        for k in range(lo, hi):
            v = data[r, feature[k]]
            if np.isnan(v):
                follows = default[k]
            else:
                follows = (v <= threshold[k]) == go_left[k]
            if not follows:
                fail |= np.int64(1) << slot[k]
        out[r] = d_bits & ~fail
    return out


@numba.njit(cache=True)
def _popcount(v):  # pragma: no cover
    c = 0
    while v:
        v &= v - 1
        c += 1
    return c


@numba.njit(cache=True)
def _shap_kernel(X, Z, values, path_start, feature, threshold, go_left, default, slot,
                 slot_start, slot_feature, weight_in, weight_out):  # pragma: no cover
    n, n_out = X.shape[0], values.shape[1]
    phi = np.zeros((n, X.shape[1], n_out))
    mean_value = np.zeros(n_out)
    n_z = Z.shape[0]
    contrib = np.zeros(_MAX_PATTERN_BITS)
    for leaf in range(values.shape[0]):
        lo, hi = path_start[leaf], path_start[leaf + 1]
        s0 = slot_start[leaf]
        d = slot_start[leaf + 1] - s0
        full = (np.int64(1) << d) - 1
        mz = _patterns(Z, lo, hi, feature, threshold, go_left, default, slot)
        mz.sort()
        # distinct background patterns and their counts
        z_pat = np.empty(n_z, dtype=np.int64)
        z_cnt = np.empty(n_z, dtype=np.float64)
        m = 0
        for i in range(n_z):
            if m > 0 and z_pat[m - 1] == mz[i]:
                z_cnt[m - 1] += 1.0
            else:
                z_pat[m] = mz[i]
                z_cnt[m] = 1.0
                m += 1
        reached = 0.0
        for j in range(m):
            if z_pat[j] == full:
                reached += z_cnt[j]
        for o in range(n_out):
            mean_value[o] += values[leaf, o] * reached / n_z
        if d == 0:
            continue
        mx = _patterns(X, lo, hi, feature, threshold, go_left, default, slot)
        order = np.argsort(mx, kind="mergesort")
        start = 0
        while start < n:
            px = mx[order[start]]
            stop = start + 1
            while stop < n and mx[order[stop]] == px:
                stop += 1
            any_term = False
            for j in range(d):
                contrib[j] = 0.0
            for j in range(m):
                pz = z_pat[j]
                if (px | pz) != full:
                    continue
                a_set = px & ~pz
                b_set = pz & ~px
                a = _popcount(a_set)
                b = _popcount(b_set)
                if a + b == 0:
                    continue
                any_term = True
                w_in = z_cnt[j] * weight_in[a, b] / n_z
                w_out = z_cnt[j] * weight_out[a, b] / n_z
                for k in range(d):
                    bit = np.int64(1) << k
                    if a_set & bit:
                        contrib[k] += w_in
                    elif b_set & bit:
                        contrib[k] -= w_out
            if any_term:
                for i in range(start, stop):
                    r = order[i]
                    for k in range(d):
                        f = slot_feature[s0 + k]
                        for o in range(n_out):
                            phi[r, f, o] += contrib[k] * values[leaf, o]
            start = stop
    return phi, mean_value


def _weights(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``weight_in[a, b] = 1 / (a C(a+b, a))``, ``weight_out[a, b] = 1 / (b C(a+b, b))``."""
    binom = np.zeros((2 * n + 2, 2 * n + 2))
    for i in range(2 * n + 2):
        binom[i, 0] = 1.0
        for k in range(1, i + 1):
            binom[i, k] = binom[i - 1, k - 1] + binom[i - 1, k]
    a = np.arange(n + 1)[:, None]
    b = np.arange(n + 1)[None, :]
    with np.errstate(divide="ignore"):
        w_in = np.where(a > 0, 1.0 / (np.maximum(a, 1) * binom[a + b, a]), 0.0)
        w_out = np.where(b > 0, 1.0 / (np.maximum(b, 1) * binom[a + b, b]), 0.0)
    return w_in, w_out


def interventional_tree_shap(
    model: Any,
    X: pd.DataFrame,
    background: pd.DataFrame,
    *,
    max_background: int | None = SHAP_MAX_BACKGROUND,
    fallback: bool = True,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Interventional TreeSHAP values of a tree ensemble, computed per leaf in numba.

    Parameters
    ----------
    model : tree model
        Any tree ensemble shap's ``TreeExplainer`` reads (LightGBM, XGBoost, scikit-learn).
    X : pandas.DataFrame
        Rows to explain; missing values (NaN) follow each split's default child.
    background : pandas.DataFrame
        Reference rows, same columns as ``X``.
    max_background : int or None
        Subsample a larger background as shap does (:func:`shap_background`; the default
        100 gives shap's values exactly); None uses every background row.
    fallback : bool
        Where the numba formulation does not apply, compute the values with shap
        (True) or raise :class:`TreeShapUnsupported` (False).

    Returns
    -------
    phi : numpy.ndarray
        SHAP values, shape ``(len(X), n_features, n_outputs)``, in the model's raw output.
    expected : numpy.ndarray
        Mean raw output over the background rows used, shape ``(n_outputs,)``.
    backend : str
        ``"numba"``, or ``"shap (<reason>)"`` after a fallback.

    Raises
    ------
    ValueError
        If ``X`` and ``background`` have different columns, or ``background`` is empty.
    TreeShapUnsupported
        With ``fallback=False``, when the model has categorical splits, a transformed
        output, a tree limit, or a path with more than 62 distinct features.
    """
    if list(X.columns) != list(background.columns):
        raise ValueError("X and background must have the same columns in the same order")
    if len(background) == 0:
        raise ValueError("background has no rows")
    used = shap_background(background, max_background)
    z = used.to_numpy(dtype=np.float64)
    try:
        ens = _ensemble(model, z)
        leaves = _leaves(ens)
    except TreeShapUnsupported as exc:
        if not fallback:
            raise
        return (*_shap_values(model, X, used), f"shap ({exc})")
    dtype = ens.input_dtype
    x = X.to_numpy(dtype=dtype).astype(np.float64)
    z = z.astype(dtype).astype(np.float64)
    depth = int(np.max(np.diff(leaves.slot_start), initial=0))
    w_in, w_out = _weights(max(depth, 1))
    phi, mean_value = _shap_kernel(
        np.ascontiguousarray(x), np.ascontiguousarray(z), leaves.values, leaves.path_start,
        leaves.node_feature, leaves.node_threshold, leaves.node_left, leaves.node_default,
        leaves.node_slot, leaves.slot_start, leaves.slot_feature, w_in, w_out)
    return phi, mean_value + leaves.base_offset, "numba"


def _shap_values(model: Any, X: pd.DataFrame,
                 background: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """shap's interventional values in the layout of :func:`interventional_tree_shap`."""
    import shap

    # a masker as large as the background: shap would otherwise keep 100 rows of it
    masker = shap.maskers.Independent(background, max_samples=max(len(background), 1))
    explainer = shap.TreeExplainer(model, data=masker,
                                   feature_perturbation="interventional")
    values = np.asarray(explainer.shap_values(X, check_additivity=False))
    if values.ndim == 2:
        values = values[..., None]
    elif values.ndim == 3 and values.shape[0] != len(X):  # older list-of-outputs layout
        values = np.moveaxis(values, 0, -1)
    return values, np.ravel(explainer.expected_value).astype(float)

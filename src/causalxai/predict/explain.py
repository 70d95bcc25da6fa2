"""SHAP explanations and what a reader is tempted to take from them.

A SHAP value says how much a feature moved one prediction away from the average
prediction (Lundberg & Lee, 2017). Read across rows, the slope of a feature's SHAP
values against its values looks like "the effect of one more unit" — the reading this
compendium puts to the test against true interventional effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shap

from causalxai.predict.models import fit_gbm

__all__ = ["ShapReading", "draw_rows", "fit_and_explain", "mean_abs_shap", "shap_slope",
           "tree_shap"]


def tree_shap(
    model: object,
    X: pd.DataFrame,
    background: pd.DataFrame,
    *,
    feature_perturbation: str = "interventional",
    backend: str = "numba",
) -> pd.DataFrame:
    """TreeSHAP values of a tree model (Lundberg et al., 2020).

    Parameters
    ----------
    model : tree model
        A fitted LightGBM, XGBoost or scikit-learn tree ensemble.
    X : pandas.DataFrame
        Rows to explain.
    background : pandas.DataFrame
        Reference rows: with ``"interventional"`` perturbation, a feature "absent" from a
        coalition takes its values from these rows, independently of the others.
    feature_perturbation : {"interventional", "tree_path_dependent"}
        SHAP's value function.
    backend : {"numba", "shap"}
        Interventional values from :mod:`causalxai.predict.treeshap` (shap's values to
        about 1e-7, several times faster; it falls back to shap where it does not apply)
        or from shap's ``TreeExplainer``. Either way a background of more than 100 rows is
        subsampled to 100 as shap does (``shap.maskers.Independent(max_samples=100)``).

    Returns
    -------
    pandas.DataFrame
        SHAP values, same shape, index and columns as ``X``, in the model's output units
        (for a classifier: log-odds of the positive class). ``attrs["base_value"]``
        holds the expected output over the background.

    Raises
    ------
    ValueError
        If ``X`` and ``background`` have different columns.
    """
    if list(X.columns) != list(background.columns):
        raise ValueError("X and background must have the same columns in the same order")
    if backend not in {"numba", "shap"}:
        raise ValueError(f"backend must be 'numba' or 'shap', got {backend!r}")
    if backend == "numba" and feature_perturbation == "interventional":
        from causalxai.predict.treeshap import interventional_tree_shap

        phi, expected, used = interventional_tree_shap(model, X, background)
        out = pd.DataFrame(phi[..., -1], index=X.index, columns=X.columns)
        out.attrs["base_value"] = float(expected[-1])
        out.attrs["backend"] = used
        return out
    explainer = shap.TreeExplainer(
        model, data=background, feature_perturbation=feature_perturbation
    )
    # shap's C extension prints a progress bar on stderr once one call has run for 10 s
    # (in a notebook: a stderr block per bar update). Rows are explained independently,
    # so explaining them in batches gives the same values and keeps each call short.
    size = max(1, _PAIRS_PER_CALL // max(len(background), 1))
    values = np.concatenate([
        _positive_class(explainer.shap_values(X.iloc[start:start + size],
                                              check_additivity=False))
        for start in range(0, len(X), size)
    ]) if len(X) else _positive_class(explainer.shap_values(X, check_additivity=False))
    out = pd.DataFrame(values, index=X.index, columns=X.columns)
    base = np.ravel(explainer.expected_value)[-1]
    out.attrs["base_value"] = float(base)
    return out


#: Rows times background rows explained per call of shap's C extension (under a second on one free core; the bar needs 10 s).
_PAIRS_PER_CALL = 5_000


def _positive_class(values: object) -> np.ndarray:
    if isinstance(values, list):  # older multi-output convention: keep the positive class
        values = values[-1]
    values = np.asarray(values)
    return values[..., -1] if values.ndim == 3 else values


def shap_slope(shap_values: pd.DataFrame, X: pd.DataFrame) -> pd.Series:
    """Least-squares slope of each feature's SHAP values on the feature's values.

    The slope is the change in SHAP value per unit of the feature: what a reader of a
    dependence plot would call "the effect of the feature". For a linear model with
    interventional SHAP it equals the model's coefficient exactly.

    Parameters
    ----------
    shap_values : pandas.DataFrame
        SHAP values, as returned by :func:`tree_shap`.
    X : pandas.DataFrame
        The explained rows (same index and columns).

    Returns
    -------
    pandas.Series
        One slope per feature (NaN for a constant feature).
    """
    if list(X.columns) != list(shap_values.columns) or len(X) != len(shap_values):
        raise ValueError("shap_values and X must have the same shape and columns")
    x = X.to_numpy(dtype=float)
    s = shap_values.to_numpy(dtype=float)
    xc = x - x.mean(axis=0)
    var = (xc**2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(var > 0, (xc * (s - s.mean(axis=0))).sum(axis=0) / var, np.nan)
    return pd.Series(slope, index=X.columns, name="shap_slope")


def mean_abs_shap(shap_values: pd.DataFrame) -> pd.Series:
    """Mean absolute SHAP value per feature: the usual global importance (bar chart)."""
    return shap_values.abs().mean().rename("mean_abs_shap")


def draw_rows(rng: np.random.Generator, n: int, k: int, *, sort: bool = True) -> np.ndarray:
    """``min(k, n)`` distinct row positions out of ``n``, drawn with ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream the draw consumes (one ``choice`` call).
    n, k : int
        Rows available and rows wanted (``k >= 1``).
    sort : bool
        Return the positions in increasing order (else in the order drawn).

    Returns
    -------
    numpy.ndarray
        Integer positions, no repeats.

    Raises
    ------
    ValueError
        If ``n < 1`` or ``k < 1``.
    """
    if n < 1 or k < 1:
        raise ValueError(f"need at least one row to draw from and to draw, got n={n}, k={k}")
    rows = rng.choice(n, size=min(k, n), replace=False)
    return np.sort(rows) if sort else rows


@dataclass(frozen=True)
class ShapReading:
    """A gradient-boosting model, the rows it explains and their TreeSHAP values.

    Attributes
    ----------
    model : LGBMRegressor
        The model of :func:`causalxai.predict.models.fit_gbm`.
    explained : pandas.DataFrame
        The explained rows.
    values : pandas.DataFrame
        Their interventional TreeSHAP values (same index and columns).
    """

    model: object
    explained: pd.DataFrame
    values: pd.DataFrame

    def slopes(self, delta: float = 1.0) -> pd.Series:
        """``delta`` times :func:`shap_slope` of every feature."""
        return delta * shap_slope(self.values, self.explained)

    def importance(self) -> pd.Series:
        """:func:`mean_abs_shap` of every feature."""
        return mean_abs_shap(self.values)


def fit_and_explain(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    *,
    n_estimators: int,
    seed: int,
    n_explain: int,
    n_background: int,
    sort_rows: bool = True,
) -> ShapReading:
    """Fit a gradient-boosting model, then explain some rows with interventional TreeSHAP.

    The model is :func:`causalxai.predict.models.fit_gbm` (regression, ``n_estimators``
    rounds, ``seed``). Then a ``numpy.random.default_rng(seed)`` stream draws the
    ``n_explain`` explained rows and, after them, the ``n_background`` background rows
    (:func:`draw_rows`, all rows if fewer); :func:`tree_shap` explains the first against
    the second.

    Parameters
    ----------
    X : pandas.DataFrame
        Features, at least one column.
    y : array-like
        The target, as long as ``X``.
    n_estimators, seed : int
        Boosting rounds; the seed of the model and of the row draws.
    n_explain, n_background : int
        Rows explained and background rows (``>= 1``).
    sort_rows : bool
        Keep the drawn rows in the order of ``X`` (else in the order drawn).

    Returns
    -------
    ShapReading

    Raises
    ------
    ValueError
        If ``X`` has no column, or as :func:`fit_gbm` and :func:`draw_rows`.
    """
    if X.shape[1] == 0:
        raise ValueError("X has no column to fit a model on")
    model = fit_gbm(X, y, n_estimators=n_estimators, seed=seed)
    rng = np.random.default_rng(seed)
    explained = X.iloc[draw_rows(rng, len(X), n_explain, sort=sort_rows)]
    background = X.iloc[draw_rows(rng, len(X), n_background, sort=sort_rows)]
    return ShapReading(model, explained, tree_shap(model, explained, background))

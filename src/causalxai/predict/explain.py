"""SHAP explanations and what a reader is tempted to take from them.

A SHAP value says how much a feature moved one prediction away from the average
prediction (Lundberg & Lee, 2017). Read across rows, the slope of a feature's SHAP
values against its values looks like "the effect of one more unit" — the reading this
compendium puts to the test against true interventional effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shap

__all__ = ["mean_abs_shap", "shap_slope", "tree_shap"]


def tree_shap(
    model: object,
    X: pd.DataFrame,
    background: pd.DataFrame,
    *,
    feature_perturbation: str = "interventional",
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

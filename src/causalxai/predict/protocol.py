"""One evaluation protocol: clip-to-quantile preprocessing and repeated cross-validation.

:class:`Winsorizer` clips each column to quantiles learned on the training rows (a
scikit-learn transformer: ``fit`` learns the bounds, ``transform`` applies them,
``get_feature_names_out`` keeps the names, ``clone`` gives an unfitted copy), so that a
pipeline fitted per fold never sees the test rows' tails. :func:`repeated_splits` is the
repeated stratified k-fold protocol of Parts III and IV: repeat ``r`` shuffles with seed
``seed + r`` (a repeat's folds do not depend on how many repeats are asked for), and
``groups`` keeps rows sharing a label in one fold.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

__all__ = ["Winsorizer", "repeated_splits"]


class Winsorizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Clip every column to its ``[quantile, 1 - quantile]`` training range.

    Financial ratios have extreme values (a tiny denominator makes a huge ratio); clipping
    at quantiles of the *training* rows tames them for a linear model. Missing values are
    ignored when estimating the quantiles and left missing; a column with no training
    value is not clipped.

    Parameters
    ----------
    quantile : float
        Tail probability clipped on each side, in ``[0, 0.5)``; 0 clips nothing.

    Attributes
    ----------
    lower_, upper_ : ndarray of shape (n_features,)
        The learned bounds (``-inf`` / ``inf`` where nothing is clipped).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When fitted on a DataFrame.
    """

    def __init__(self, quantile: float = 0.01) -> None:
        self.quantile = quantile

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> Winsorizer:
        """Learn the clipping bounds of each column from ``X``."""
        q = self.quantile
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q < 0.5:
            raise ValueError(f"quantile must be in [0, 0.5), got {q!r}")
        values = np.asarray(X, dtype=float)
        if values.ndim != 2:
            raise ValueError(f"X must be 2-d, got shape {values.shape}")
        self.n_features_in_ = values.shape[1]
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        if q == 0:
            self.lower_ = np.full(values.shape[1], -np.inf)
            self.upper_ = np.full(values.shape[1], np.inf)
            return self
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing column: NaN bound
            lower = np.nanquantile(values, q, axis=0)
            upper = np.nanquantile(values, 1 - q, axis=0)
        self.lower_ = np.where(np.isnan(lower), -np.inf, lower)
        self.upper_ = np.where(np.isnan(upper), np.inf, upper)
        return self

    def transform(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Clip ``X`` to the fitted bounds (NaN stays NaN)."""
        check_is_fitted(self, "lower_")
        values = np.asarray(X, dtype=float)
        if values.ndim != 2 or values.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {values.shape[-1]} columns, the Winsorizer was fitted "
                             f"on {self.n_features_in_}")
        return np.clip(values, self.lower_, self.upper_)


def repeated_splits(
    y: pd.Series | np.ndarray,
    *,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
    groups: np.ndarray | pd.Series | None = None,
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Repeated stratified k-fold splits, optionally keeping groups whole.

    Repeat ``r`` shuffles with seed ``seed + r``. With ``groups``, rows sharing a label are
    always in the same fold (:class:`sklearn.model_selection.StratifiedGroupKFold`).

    Returns
    -------
    list of (repeat, fold, train_positions, test_positions)
        In the order repeat by repeat, fold by fold; within a repeat the test folds
        partition the rows.

    Raises
    ------
    ValueError
        If ``n_splits < 2``, ``n_repeats < 1``, ``y`` has missing values or a class has
        fewer rows than ``n_splits``, or ``groups`` has the wrong length.
    """
    y = np.asarray(y, dtype=float)
    if isinstance(n_splits, bool) or not isinstance(n_splits, int | np.integer) or n_splits < 2:
        raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer) \
            or n_repeats < 1:
        raise ValueError(f"n_repeats must be an integer >= 1, got {n_repeats!r}")
    if np.isnan(y).any():
        raise ValueError("y has missing values")
    _, counts = np.unique(y, return_counts=True)
    if len(counts) < 2 or counts.min() < n_splits:
        raise ValueError(f"each class needs at least n_splits={n_splits} rows, got "
                         f"{dict(zip(*np.unique(y, return_counts=True), strict=True))}")
    if groups is not None and len(groups) != len(y):
        raise ValueError(f"groups has {len(groups)} labels for {len(y)} rows")
    out = []
    for r in range(n_repeats):
        if groups is None:
            cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
            folds = cv.split(np.zeros(len(y)), y)
        else:
            cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
            folds = cv.split(np.zeros(len(y)), y, np.asarray(groups))
        for f, (train, test) in enumerate(folds):
            out.append((r, f, train, test))
    return out

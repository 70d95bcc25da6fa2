"""Predictive models used across the chapters (scikit-learn style estimators)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier, LGBMRegressor

__all__ = ["fit_gbm"]


def fit_gbm(
    X: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    task: str = "regression",
    n_estimators: int = 300,
    learning_rate: float = 0.05,
    num_leaves: int = 15,
    seed: int = 0,
) -> LGBMRegressor | LGBMClassifier:
    """Fit a LightGBM gradient-boosting model (Ke et al., 2017) with fixed settings.

    Parameters
    ----------
    X : pandas.DataFrame
        Features (column names are kept for explanations).
    y : array-like
        Target: real values for ``task="regression"``, 0/1 for ``"classification"``.
    task : {"regression", "classification"}
        Which estimator to fit.
    n_estimators, learning_rate, num_leaves : int, float, int
        Boosting rounds, shrinkage and tree size.
    seed : int
        Random seed (bagging and feature sampling are off; the seed fixes ties).

    Returns
    -------
    LGBMRegressor or LGBMClassifier
        The fitted model; single-threaded results are deterministic for a given seed.

    Raises
    ------
    ValueError
        On an unknown ``task`` or when ``X`` and ``y`` differ in length.
    """
    if task not in {"regression", "classification"}:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    cls = LGBMRegressor if task == "regression" else LGBMClassifier
    model = cls(
        n_estimators=n_estimators, learning_rate=learning_rate, num_leaves=num_leaves,
        random_state=seed, n_jobs=1, verbose=-1, deterministic=True,
    )
    return model.fit(X, y)

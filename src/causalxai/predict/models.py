"""Predictive models used across the chapters: one LightGBM factory and a checked fit.

:func:`gbm` builds every LightGBM model of the package (Ke et al., 2017): single-threaded,
silent and deterministic, the seed in ``random_state``; a chapter passes the settings it
needs and nothing else is set for it. :func:`fit_gbm` checks the data at the door and
fits one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier, LGBMRegressor

__all__ = ["TASKS", "fit_gbm", "gbm", "infer_task"]

TASKS = ("regression", "classification")


def gbm(task: str = "classification", *, seed: int = 0, **params: Any
        ) -> LGBMClassifier | LGBMRegressor:
    """An unfitted LightGBM model with the house settings.

    Parameters
    ----------
    task : {"classification", "regression"}
    seed : int
        ``random_state`` (fixes the row and column draws when sampling is on).
    **params
        Any other LightGBM setting (``n_estimators``, ``num_leaves``, ``subsample``, ...);
        unset ones keep LightGBM's defaults. ``n_jobs=1``, ``verbose=-1`` and
        ``deterministic=True`` are set unless given.

    Returns
    -------
    LGBMClassifier or LGBMRegressor
    """
    if task not in TASKS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    settings = {"n_jobs": 1, "verbose": -1, "deterministic": True, **params,
                "random_state": seed}
    return (LGBMClassifier if task == "classification" else LGBMRegressor)(**settings)


def infer_task(y: np.ndarray | pd.Series) -> str:
    """``"classification"`` for a boolean target or an integer one holding only 0 and 1,
    else ``"regression"``.

    A float target is a regression target even when it holds only 0 and 1 (a simulated
    binary outcome fitted on the probability scale); pass ``task`` to say otherwise.
    """
    values = np.asarray(y)
    if values.dtype == bool:
        return "classification"
    if np.issubdtype(values.dtype, np.integer) and np.isin(values, (0, 1)).all():
        return "classification"
    return "regression"


def _check_inputs(X: pd.DataFrame, y: np.ndarray | pd.Series) -> np.ndarray:
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    bad = [c for c in X.columns
           if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])
                   or isinstance(X[c].dtype, pd.CategoricalDtype))]
    if bad:
        raise ValueError(f"X column {bad[0]!r} is not numeric (dtype {X[bad[0]].dtype}); "
                         f"encode it first (non-numeric columns: {bad})")
    values = np.asarray(y)
    if values.ndim != 1:
        raise ValueError(f"y must be 1-d, got shape {values.shape}")
    if len(X) != len(values):
        raise ValueError(f"X has {len(X)} rows but y has {len(values)}")
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
        raise ValueError(f"y must be numeric, got dtype {values.dtype}")
    missing = int(pd.isna(values).sum())
    if missing:
        name = getattr(y, "name", None)
        what = f"y ({name!r})" if name is not None else "y"
        raise ValueError(f"{what} has {missing} missing value(s); drop those rows first")
    return values


def fit_gbm(
    X: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    task: str | None = None,
    n_estimators: int = 300,
    learning_rate: float = 0.05,
    num_leaves: int = 15,
    seed: int = 0,
    **params: Any,
) -> LGBMRegressor | LGBMClassifier:
    """Fit a LightGBM gradient-boosting model (Ke et al., 2017) with fixed settings.

    Parameters
    ----------
    X : pandas.DataFrame
        Numeric (or categorical) features; column names are kept for explanations.
    y : array-like
        Target without missing values: real values for ``"regression"``, 0/1 for
        ``"classification"``.
    task : {"regression", "classification"}, optional
        Which estimator to fit; by default inferred by :func:`infer_task`.
    n_estimators, learning_rate, num_leaves : int, float, int
        Boosting rounds, shrinkage and tree size.
    seed : int
        Random seed (bagging and feature sampling are off unless ``params`` turn them on).
    **params
        Further LightGBM settings (see :func:`gbm`).

    Returns
    -------
    LGBMRegressor or LGBMClassifier
        The fitted model; single-threaded results are deterministic for a given seed.

    Raises
    ------
    ValueError
        On an unknown ``task``, a non-numeric column of ``X`` (named), missing values in
        ``y``, or ``X`` and ``y`` of different lengths.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    values = _check_inputs(X, y)
    task = infer_task(values) if task is None else task
    if task == "classification" and not np.isin(values, (0, 1)).all():
        raise ValueError("task='classification' needs y of 0/1 values")
    model = gbm(task, seed=seed, n_estimators=n_estimators, learning_rate=learning_rate,
                num_leaves=num_leaves, **params)
    return model.fit(X, y)

"""Properties of the model-fitting helpers in :mod:`causalxai.predict.models`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor

from causalxai.predict.models import fit_gbm

SMALL = dict(n_estimators=30, learning_rate=0.1, num_leaves=7)


def data(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    return X, 2.0 * X["a"].to_numpy() - X["b"].to_numpy() + rng.normal(0, 0.5, n)


def test_fit_is_deterministic_for_a_seed():
    X, y = data()
    first = fit_gbm(X, y, seed=4, **SMALL)
    second = fit_gbm(X, y, seed=4, **SMALL)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert first.booster_.model_to_string() == second.booster_.model_to_string()


def test_fit_returns_the_requested_estimator_and_learns():
    X, y = data()
    reg = fit_gbm(X, y, **SMALL)
    assert isinstance(reg, LGBMRegressor)
    assert list(reg.feature_name_) == ["a", "b"]
    assert reg.n_estimators == 30 and reg.num_leaves == 7
    # a real fit: the in-sample error is well below the variance of y
    assert np.mean((reg.predict(X) - y) ** 2) < 0.5 * np.var(y)
    labels = (y > 0).astype(int)
    clf = fit_gbm(X, labels, task="classification", **SMALL)
    assert isinstance(clf, LGBMClassifier)
    assert set(clf.classes_) == {0, 1}
    assert np.mean(clf.predict(X) == labels) > 0.8


def test_unknown_task_is_rejected():
    X, y = data(50)
    with pytest.raises(ValueError, match=r"task must be .*'ranking'"):
        fit_gbm(X, y, task="ranking")


def test_length_mismatch_is_rejected():
    X, y = data(50)
    with pytest.raises(ValueError, match="X has 50 rows but y has 49"):
        fit_gbm(X, y[:-1])

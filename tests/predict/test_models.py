"""Properties of the model-fitting helpers in :mod:`causalxai.predict.models`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor

from causalxai.predict.models import fit_gbm, gbm, infer_task

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


def test_nan_target_is_rejected_with_its_name():
    X, y = data(50)
    y = pd.Series(y, name="re78")
    y.iloc[[3, 7]] = np.nan
    with pytest.raises(ValueError, match=r"y \('re78'\) has 2 missing value\(s\)"):
        fit_gbm(X, y)


def test_non_numeric_column_is_rejected_with_its_name():
    X, y = data(50)
    X["sector"] = ["C", "F"] * 25
    with pytest.raises(ValueError, match=r"X column 'sector' is not numeric"):
        fit_gbm(X, y)
    # a categorical column is fine: LightGBM splits on it natively
    X["sector"] = X["sector"].astype("category")
    assert fit_gbm(X, y, **SMALL).n_features_in_ == 3


def test_task_is_inferred_from_y_or_checked():
    X, y = data()
    labels = (y > 0).astype(int)
    assert infer_task(labels) == "classification"
    assert infer_task(labels.astype(bool)) == "classification"
    assert infer_task(labels.astype(float)) == "regression"   # floats: regression
    assert infer_task(np.arange(len(y))) == "regression"       # counts
    assert isinstance(fit_gbm(X, labels, **SMALL), LGBMClassifier)
    assert isinstance(fit_gbm(X, labels.astype(float), **SMALL), LGBMRegressor)
    with pytest.raises(ValueError, match="needs y of 0/1 values"):
        fit_gbm(X, y, task="classification", **SMALL)


def test_factory_sets_the_house_settings_and_passes_the_rest():
    model = gbm("classification", seed=3, n_estimators=10, min_child_samples=50)
    params = model.get_params()
    assert isinstance(model, LGBMClassifier)
    assert (params["n_jobs"], params["verbose"], params["deterministic"]) == (1, -1, True)
    assert params["random_state"] == 3 and params["min_child_samples"] == 50
    assert params["learning_rate"] == LGBMClassifier().get_params()["learning_rate"]
    assert isinstance(gbm("regression"), LGBMRegressor)
    with pytest.raises(ValueError, match="task must be"):
        gbm("ranking")

"""Properties of the SHAP helpers in :mod:`causalxai.predict.explain`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalxai.predict.explain import mean_abs_shap, shap_slope, tree_shap
from causalxai.predict.models import fit_gbm

SETTINGS = settings(max_examples=30, deadline=None)
TREES = dict(n_estimators=60, learning_rate=0.1, num_leaves=7)


def independent_features(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.uniform(-1, 1, n)},
        index=pd.RangeIndex(100, 100 + n),  # not 0..n-1: the index must be carried over
    )


@pytest.fixture(scope="module")
def regression():
    """A GBM on ``y = 3 a + noise``; ``b`` and ``c`` are independent of ``a`` and of ``y``."""
    X = independent_features(600, seed=0)
    y = 3.0 * X["a"] + np.random.default_rng(1).normal(0, 0.3, len(X))
    model = fit_gbm(X, y, **TREES)
    explained, background = X.iloc[:200], X.iloc[200:300]
    return model, explained, background, tree_shap(model, explained, background)


# Additivity ----------------------------------------------------------------------------------
def test_shap_rows_add_up_to_the_prediction(regression):
    model, X, background, values = regression
    assert values.shape == X.shape
    assert list(values.columns) == list(X.columns)
    pd.testing.assert_index_equal(values.index, X.index)
    prediction = model.predict(X)
    scale = np.abs(prediction).max()
    np.testing.assert_allclose(
        values.sum(axis=1).to_numpy(),
        prediction - values.attrs["base_value"],
        rtol=1e-6,
        atol=1e-6 * scale,
    )
    # interventional SHAP: the base value is the mean output over the background rows
    assert values.attrs["base_value"] == pytest.approx(
        model.predict(background).mean(), rel=1e-6, abs=1e-6 * scale
    )


def test_classifier_shap_is_in_log_odds():
    X = independent_features(500, seed=2)
    logit = 1.5 * X["a"] - X["b"]
    y = (np.random.default_rng(3).random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)
    model = fit_gbm(X, y, task="classification", **TREES)
    explained, background = X.iloc[:150], X.iloc[150:250]
    values = tree_shap(model, explained, background)
    assert values.shape == explained.shape
    margin = model.predict(explained, raw_score=True)
    scale = np.abs(margin).max()
    np.testing.assert_allclose(
        values.sum(axis=1).to_numpy(),
        margin - values.attrs["base_value"],
        rtol=1e-6,
        atol=1e-6 * scale,
    )
    # log-odds, not probabilities: the margin leaves [0, 1] and the probability is its sigmoid
    assert margin.min() < 0 or margin.max() > 1
    np.testing.assert_allclose(
        model.predict_proba(explained)[:, 1], 1 / (1 + np.exp(-margin)), rtol=1e-9
    )


def test_tree_shap_rejects_mismatched_columns(regression):
    model, X, background, _ = regression
    with pytest.raises(ValueError, match="same columns"):
        tree_shap(model, X, background[["b", "a", "c"]])
    with pytest.raises(ValueError, match="same columns"):
        tree_shap(model, X, background[["a", "b"]])


# Reading the SHAP values -----------------------------------------------------------------------
def test_gbm_slope_recovers_the_coefficient(regression):
    _, X, _, values = regression
    slope = shap_slope(values, X)
    assert list(slope.index) == ["a", "b", "c"]
    assert slope["a"] == pytest.approx(3.0, abs=0.3)
    assert abs(slope["b"]) < 0.3 and abs(slope["c"]) < 0.3
    importance = mean_abs_shap(values)
    assert importance["a"] > 5 * max(importance["b"], importance["c"])


@SETTINGS
@given(
    st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=4),
    st.integers(0, 2**32 - 1),
)
def test_slope_of_linear_shap_is_the_coefficient(coefs, seed):
    """Interventional SHAP of a linear model is ``coef * (x - mean)``: the slope is ``coef``."""
    rng = np.random.default_rng(seed)
    columns = [f"x{i}" for i in range(len(coefs))]
    X = pd.DataFrame(rng.normal(0, 2, (50, len(coefs))) + 5, columns=columns)
    values = (X - X.mean()) * np.array(coefs)
    slope = shap_slope(values, X)
    assert slope.name == "shap_slope"
    np.testing.assert_allclose(slope.to_numpy(), coefs, rtol=1e-9, atol=1e-9)
    # an additive constant in the SHAP values (another background) leaves the slope unchanged
    np.testing.assert_allclose(shap_slope(values + 7.0, X).to_numpy(), coefs, rtol=1e-9, atol=1e-9)


def test_slope_of_a_constant_feature_is_nan():
    X = pd.DataFrame({"x": [1.0, 2.0, 4.0], "k": [3.0, 3.0, 3.0]})
    values = pd.DataFrame({"x": [-1.0, 0.0, 2.0], "k": [0.0, 0.0, 0.0]})
    slope = shap_slope(values, X)
    assert np.isnan(slope["k"])
    # closed form: cov(x, s) / var(x) with x = (1, 2, 4), s = (-1, 0, 2)
    xc, sc = np.array([-4, -1, 5]) / 3, np.array([-4, -1, 5]) / 3
    assert slope["x"] == pytest.approx((xc * sc).sum() / (xc**2).sum())
    assert slope["x"] == pytest.approx(1.0)


def test_slope_rejects_mismatched_inputs():
    X = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    with pytest.raises(ValueError, match="same shape and columns"):
        shap_slope(X[["b", "a"]], X)
    with pytest.raises(ValueError, match="same shape and columns"):
        shap_slope(X.iloc[:1], X)


@SETTINGS
@given(
    st.lists(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=3),
        min_size=1,
        max_size=20,
    )
)
def test_mean_abs_shap_is_the_column_mean_of_absolute_values(rows):
    values = pd.DataFrame(rows, columns=["a", "b", "c"])
    importance = mean_abs_shap(values)
    assert importance.name == "mean_abs_shap"
    assert list(importance.index) == ["a", "b", "c"]
    np.testing.assert_allclose(importance.to_numpy(), np.abs(np.array(rows)).mean(axis=0))
    assert (importance >= 0).all()


def test_explaining_in_batches_gives_the_same_values(regression, monkeypatch):
    """Rows go to shap's C extension in batches (so that none runs long enough for it to
    print a progress bar on stderr); the values are those of one call."""
    import shap

    from causalxai.predict import explain

    model, X, background, _ = regression
    calls = []
    original = shap.TreeExplainer.shap_values
    monkeypatch.setattr(shap.TreeExplainer, "shap_values",
                        lambda self, rows, **kw: calls.append(len(rows)) or original(self, rows, **kw))
    monkeypatch.setattr(explain, "_PAIRS_PER_CALL", 10**12)
    values = tree_shap(model, X, background, backend="shap")  # shap's path, one call
    assert calls == [len(X)]
    calls.clear()
    monkeypatch.setattr(explain, "_PAIRS_PER_CALL", 30 * len(background))
    batched = tree_shap(model, X, background, backend="shap")
    assert calls == [30] * 6 + [20]  # 200 rows, 30 at a time
    np.testing.assert_array_equal(batched.to_numpy(), values.to_numpy())
    pd.testing.assert_index_equal(batched.index, X.index)
    assert batched.attrs["base_value"] == values.attrs["base_value"]

"""Interventional TreeSHAP in numba against shap's TreeExplainer, on random models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shap
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from causalxai.predict.treeshap import (
    SHAP_MAX_BACKGROUND,
    TreeShapUnsupported,
    interventional_tree_shap,
    shap_background,
)

#: shap's C++ path keeps some intermediate sums in single precision (``float``), so the two
#: agree to about 1e-7 of the size of the model's output
TOL = 1e-7


def _data(n: int = 400, p: int = 5, seed: int = 0, nan: float = 0.0) -> tuple[pd.DataFrame,
                                                                                np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{i}" for i in range(p)])
    y = X["x0"] + 2 * X["x1"] * (X["x2"] > 0) - X["x3"] ** 2 + rng.normal(0, 0.3, n)
    if nan:
        X = X.mask(rng.random(X.shape) < nan)
    return X, y.to_numpy()


def _shap(model, X, background):
    masker = shap.maskers.Independent(background, max_samples=len(background))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.TreeExplainer(model, data=masker,
                                       feature_perturbation="interventional")
        values = np.asarray(explainer.shap_values(X, check_additivity=False))
    if values.ndim == 2:
        values = values[..., None]
    return values, np.ravel(explainer.expected_value)


def _check(model, X, background, raw):
    phi, expected, backend = interventional_tree_shap(model, X, background)
    assert backend == "numba"
    ref, ref_expected = _shap(model, X, background)
    assert phi.shape == ref.shape
    scale = max(1.0, float(np.abs(raw).max()))
    np.testing.assert_allclose(phi, ref, rtol=0, atol=TOL * scale)
    np.testing.assert_allclose(expected, ref_expected, rtol=0, atol=TOL * scale)
    # efficiency: the values add up to the raw output minus the background mean
    np.testing.assert_allclose(phi.sum(axis=1) + expected, raw.reshape(len(X), -1),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lightgbm_regressor_matches_shap(seed):
    X, y = _data(seed=seed)
    model = LGBMRegressor(n_estimators=40, num_leaves=int(4 + 9 * seed), verbose=-1,
                          random_state=seed).fit(X, y)
    _check(model, X.iloc[:120], X.iloc[200:260], model.predict(X.iloc[:120], raw_score=True))


def test_lightgbm_classifier_explains_the_log_odds():
    X, y = _data(seed=3)
    model = LGBMClassifier(n_estimators=30, num_leaves=8, verbose=-1).fit(X, y > 0)
    _check(model, X.iloc[:80], X.iloc[300:340], model.predict(X.iloc[:80], raw_score=True))


@pytest.mark.parametrize("model", [
    RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0),
    GradientBoostingRegressor(n_estimators=25, max_depth=3, random_state=0),
    DecisionTreeRegressor(max_depth=8, random_state=0),
], ids=["forest", "boosting", "tree"])
def test_sklearn_regressors_match_shap(model):
    X, y = _data(seed=4)
    model.fit(X, y)
    Xe = X.iloc[:90]
    raw = model.predict(Xe)
    if isinstance(model, GradientBoostingRegressor):
        raw = model.decision_function(Xe) if hasattr(model, "decision_function") else raw
    _check(model, Xe, X.iloc[100:150], raw)


def test_multi_output_probabilities_of_a_classifier_tree():
    X, y = _data(seed=5)
    classes = np.digitize(y, [-1, 1])  # three classes
    model = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, classes)
    Xe = X.iloc[:70]
    _check(model, Xe, X.iloc[200:240], model.predict_proba(Xe))


def test_missing_values_follow_the_default_child():
    X, y = _data(n=800, seed=6, nan=0.15)
    model = LGBMRegressor(n_estimators=30, num_leaves=12, verbose=-1).fit(X, y)
    Xe, back = X.iloc[:100], X.iloc[400:460]
    assert Xe.isna().any().any() and back.isna().any().any()
    _check(model, Xe, back, model.predict(Xe, raw_score=True))
    tree = DecisionTreeRegressor(max_depth=6, random_state=0).fit(X, y)  # learns NaN sides
    _check(tree, Xe, back, tree.predict(Xe))


def test_stumps_single_leaf_trees_and_constant_features():
    X, y = _data(seed=7)
    X["const"] = 1.5  # never split on: its SHAP value is exactly 0
    stumps = GradientBoostingRegressor(n_estimators=20, max_depth=1, random_state=0).fit(X, y)
    _check(stumps, X.iloc[:50], X.iloc[100:130], stumps.predict(X.iloc[:50]))
    # LightGBM grows single-leaf trees once nothing is left to fit
    flat = LGBMRegressor(n_estimators=15, min_child_samples=300, verbose=-1).fit(X, y)
    assert min(t["num_leaves"] for t in flat.booster_.dump_model()["tree_info"]) == 1
    phi, _, _ = interventional_tree_shap(flat, X.iloc[:50], X.iloc[100:130])
    _check(flat, X.iloc[:50], X.iloc[100:130], flat.predict(X.iloc[:50], raw_score=True))
    assert np.all(phi[:, list(X.columns).index("const")] == 0)
    const = LGBMRegressor(n_estimators=5, verbose=-1).fit(X, np.full(len(X), 2.0))
    phi, expected, _ = interventional_tree_shap(const, X.iloc[:10], X.iloc[20:30])
    assert np.all(phi == 0) and expected[0] == pytest.approx(2.0)


def test_two_feature_tree_has_the_closed_form_values():
    """f = 1[x0 > 0 and x1 > 0]: for x = (1, 1) against z = (-1, 1) only x0 moves the output,
    against z = (-1, -1) both share the unit equally."""
    X = pd.DataFrame({"x0": [1.0, -1.0, 1.0, -1.0] * 25, "x1": [1.0, 1.0, -1.0, -1.0] * 25})
    y = ((X["x0"] > 0) & (X["x1"] > 0)).astype(float)
    tree = DecisionTreeRegressor(max_depth=2).fit(X, y)
    x = pd.DataFrame({"x0": [1.0], "x1": [1.0]})
    phi, _, _ = interventional_tree_shap(tree, x, pd.DataFrame({"x0": [-1.0], "x1": [1.0]}))
    np.testing.assert_allclose(phi[0, :, 0], [1.0, 0.0], atol=1e-12)
    phi, _, _ = interventional_tree_shap(tree, x, pd.DataFrame({"x0": [-1.0], "x1": [-1.0]}))
    np.testing.assert_allclose(phi[0, :, 0], [0.5, 0.5], atol=1e-12)


def test_background_is_capped_like_shap_unless_told_otherwise():
    X, y = _data(n=600, seed=8)
    model = LGBMRegressor(n_estimators=20, num_leaves=8, verbose=-1).fit(X, y)
    back = X.iloc[100:350]  # 250 rows
    used = shap_background(back)
    assert len(used) == SHAP_MAX_BACKGROUND and set(used.index) <= set(back.index)
    phi, _, _ = interventional_tree_shap(model, X.iloc[:40], back)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = shap.TreeExplainer(model, data=back, feature_perturbation="interventional")
        ref = plain.shap_values(X.iloc[:40], check_additivity=False)
    np.testing.assert_allclose(phi[..., 0], ref, atol=TOL)  # shap's own (silent) cap
    full, _, _ = interventional_tree_shap(model, X.iloc[:40], back, max_background=None)
    ref_full, _ = _shap(model, X.iloc[:40], back)
    np.testing.assert_allclose(full, ref_full, atol=TOL)
    assert np.abs(full - phi).max() > 1e-4  # the cap does change the values


def test_categorical_splits_fall_back_to_shap_or_raise():
    X, y = _data(n=600, seed=9)
    X["cat"] = pd.Categorical(np.random.default_rng(0).integers(0, 4, len(X)))
    y = y + 3 * (X["cat"].cat.codes == 2)
    model = LGBMRegressor(n_estimators=10, num_leaves=6, verbose=-1,
                          min_data_per_group=5, cat_smooth=1).fit(X, y)
    Xn = X.assign(cat=X["cat"].cat.codes.astype(float))
    with pytest.raises(TreeShapUnsupported, match="categorical"):
        interventional_tree_shap(model, Xn.iloc[:20], Xn.iloc[50:80], fallback=False)
    phi, _, backend = interventional_tree_shap(model, Xn.iloc[:20], Xn.iloc[50:80])
    assert backend == "shap (categorical splits)" and phi.shape == (20, 6, 1)


def test_bad_input_is_refused():
    X, y = _data(seed=10)
    model = LGBMRegressor(n_estimators=5, verbose=-1).fit(X, y)
    with pytest.raises(ValueError, match="same columns"):
        interventional_tree_shap(model, X, X[X.columns[::-1]])
    with pytest.raises(ValueError, match="background has no rows"):
        interventional_tree_shap(model, X, X.iloc[:0])


def test_tree_shap_switch_gives_shaps_values_with_the_same_layout():
    from causalxai.predict.explain import tree_shap
    from causalxai.predict.models import fit_gbm

    X, y = _data(n=500, seed=11)
    X.index = pd.RangeIndex(1000, 1500)
    model = fit_gbm(X, y, n_estimators=30, num_leaves=7)
    Xe, back = X.iloc[:60], X.iloc[100:300]  # 200 background rows, as ShapSlope asks
    fast = tree_shap(model, Xe, back)
    slow = tree_shap(model, Xe, back, backend="shap")
    assert fast.attrs["backend"] == "numba"
    pd.testing.assert_index_equal(fast.index, Xe.index)
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=0, atol=1e-7)
    assert fast.attrs["base_value"] == pytest.approx(slow.attrs["base_value"], abs=1e-7)
    with pytest.raises(ValueError, match="backend must be"):
        tree_shap(model, Xe, back, backend="cuda")

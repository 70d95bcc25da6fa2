"""The evaluation protocol: the clip transformer and repeated cross-validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from causalxai.predict.protocol import Winsorizer, repeated_splits


def frame(n: int = 500, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    X.iloc[rng.choice(n, n // 10, replace=False), 1] = np.nan
    X.iloc[rng.choice(n, 5, replace=False), 2] = 1e6
    return X


def labels(n: int = 503, seed: int = 4) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < 0.1).astype(int)


# ------------------------------------------------------------------------------ clip
def test_winsorizer_learns_the_training_quantiles_and_keeps_missing_values():
    X = frame()
    w = Winsorizer(0.02).fit(X)
    np.testing.assert_allclose(w.lower_, np.nanquantile(X.to_numpy(), 0.02, axis=0))
    np.testing.assert_allclose(w.upper_, np.nanquantile(X.to_numpy(), 0.98, axis=0))
    out = w.transform(X)
    assert np.array_equal(np.isnan(out), X.isna().to_numpy())
    assert np.nanmax(out[:, 2]) == pytest.approx(np.nanquantile(X["c"], 0.98))
    # bounds come from the fitted rows only: a new extreme value is clipped to them
    assert w.transform(pd.DataFrame([[1e9, -1e9, 0.0]], columns=X.columns))[0, 0] == w.upper_[0]
    np.testing.assert_array_equal(Winsorizer(0.0).fit_transform(X), X.to_numpy())


def test_winsorizer_follows_scikit_learn_conventions():
    X = frame()
    w = Winsorizer(0.05)
    copy = clone(w)
    assert copy.get_params() == {"quantile": 0.05} and not hasattr(copy, "lower_")
    w.fit(X)
    assert list(w.get_feature_names_out()) == ["a", "b", "c"]
    assert w.n_features_in_ == 3
    assert not hasattr(clone(w), "lower_")        # a clone is unfitted
    pipe = make_pipeline(Winsorizer(0.05), StandardScaler()).set_output(transform="pandas")
    assert list(pipe.fit_transform(X.fillna(0)).columns) == ["a", "b", "c"]
    all_missing = X.assign(b=np.nan)
    fitted = Winsorizer(0.05).fit(all_missing)
    assert fitted.lower_[1] == -np.inf and fitted.upper_[1] == np.inf


def test_winsorizer_rejects_bad_settings_and_shapes():
    X = frame()
    for bad in (0.5, -0.1, True):
        with pytest.raises(ValueError, match="quantile must be in"):
            Winsorizer(bad).fit(X)
    with pytest.raises(ValueError, match="fitted on 3"):
        Winsorizer(0.01).fit(X).transform(X.iloc[:, :2])


# ------------------------------------------------------------------------------ CV
def test_repeated_splits_are_disjoint_partitions_and_stratified():
    y = labels()
    splits = repeated_splits(y, n_splits=5, n_repeats=3, seed=0)
    assert len(splits) == 15
    for r in range(3):
        folds = [(train, test) for rr, _, train, test in splits if rr == r]
        tests = [t for _, t in folds]
        assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(len(y)))
        for train, test in folds:
            assert not set(train) & set(test)
            assert len(train) + len(test) == len(y)
        pos = [int(y[t].sum()) for t in tests]
        assert max(pos) - min(pos) <= 1       # stratified: positives spread evenly


def test_a_repeat_does_not_depend_on_the_number_of_repeats():
    y = labels()
    one = repeated_splits(y, n_splits=4, n_repeats=1, seed=7)
    three = repeated_splits(y, n_splits=4, n_repeats=3, seed=7)
    for a, b in zip(one, three[:4], strict=True):
        np.testing.assert_array_equal(a[3], b[3])
    # repeat r is the shuffle of seed + r
    np.testing.assert_array_equal(three[4][3], repeated_splits(y, n_splits=4, n_repeats=1,
                                                               seed=8)[0][3])


def test_groups_stay_whole():
    y = labels(300)
    groups = np.arange(300) // 3
    for _, _, train, test in repeated_splits(y, n_splits=5, n_repeats=2, groups=groups):
        assert not set(groups[train]) & set(groups[test])


def test_bad_protocol_arguments_are_named():
    y = labels()
    with pytest.raises(ValueError, match="n_splits"):
        repeated_splits(y, n_splits=1)
    with pytest.raises(ValueError, match="n_repeats"):
        repeated_splits(y, n_repeats=0)
    with pytest.raises(ValueError, match="at least n_splits"):
        repeated_splits(np.r_[np.zeros(50), np.ones(3)], n_splits=5)
    with pytest.raises(ValueError, match="y has missing values"):
        repeated_splits(np.r_[np.nan, y[1:]])
    with pytest.raises(ValueError, match="groups has 3 labels"):
        repeated_splits(y, groups=[1, 2, 3])

"""The gap between two computations of Shapley values."""

from __future__ import annotations

import numpy as np
import pytest

from causalxai.knowledge import max_gaps
from causalxai.predict.shapley import gaussian_shapley_linear, two_feature_closed_form


def test_enumeration_matches_the_closed_form_and_a_shift_is_measured_exactly():
    rho, coef = 0.6, np.array([2.0, -1.0])
    X = np.random.default_rng(0).multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=50)
    kinds = ["interventional", "conditional"]
    closed = {k: two_feature_closed_form(X, coef[0], coef[1], rho, k) for k in kinds}
    exact = {k: gaussian_shapley_linear(X, coef, np.zeros(2), np.array([[1, rho], [rho, 1]]), k)
             for k in kinds}
    gaps = max_gaps(exact, closed)
    assert set(gaps) == set(kinds) and max(gaps.values()) < 1e-10
    shifted = {"conditional": closed["conditional"] + np.where(np.arange(2) == 1, 0.25, 0.0)}
    assert max_gaps(shifted, closed) == pytest.approx({"conditional": 0.25})


def test_unknown_value_function_or_shape_is_an_error():
    ref = {"interventional": np.zeros((3, 2))}
    with pytest.raises(ValueError, match="'conditional', which reference lacks"):
        max_gaps({"conditional": np.zeros((3, 2))}, ref)
    with pytest.raises(ValueError, match=r"shape \(2, 2\), the reference \(3, 2\)"):
        max_gaps({"interventional": np.zeros((2, 2))}, ref)

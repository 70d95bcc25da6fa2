"""numpy refutations against DoWhy's refuters on a small linear model."""

from __future__ import annotations

import numpy as np
import pytest

from causalxai.causal.scm import SCM
from causalxai.estimate.effects import DoWhyBackdoor
from causalxai.estimate.refute import REFUTERS, linear_refutations, refutation_p_value

WEIGHTS = {("z", "t"): 0.8, ("z", "y"): 1.0, ("t", "y"): 0.5, ("w", "y"): -0.3}


@pytest.fixture(scope="module")
def small():
    scm = SCM.linear_gaussian(WEIGHTS)
    return scm, scm.sample(400, seed=3)


@pytest.mark.parametrize("seed, delta", [(0, 1.0), (7, 2.5)])
def test_same_effects_and_p_values_as_dowhy(small, seed, delta):
    scm, data = small
    fast = DoWhyBackdoor(refute=True, n_simulations=8).estimate(
        data, "t", "y", graph=scm.graph, seed=seed, delta=delta)
    slow = DoWhyBackdoor(refute=True, n_simulations=8, refute_backend="dowhy").estimate(
        data, "t", "y", graph=scm.graph, seed=seed, delta=delta)
    assert set(fast.refutations) == set(slow.refutations) == set(REFUTERS)
    assert fast.estimate == slow.estimate
    for key in REFUTERS:  # the same draws: equal to rounding, far below 3 decimals
        assert fast.refutations[key]["new_effect"] == pytest.approx(
            slow.refutations[key]["new_effect"], abs=1e-10)
        assert fast.refutations[key]["p_value"] == pytest.approx(
            slow.refutations[key]["p_value"], abs=1e-8)


def test_p_value_follows_dowhys_two_tests():
    sims = np.array([1.0, 2.0, 3.0, 4.0])
    z = (0.5 - sims.mean()) / sims.std()  # population std, left tail
    from scipy import stats
    assert refutation_p_value(0.5, sims) == pytest.approx(stats.norm.cdf(z))
    many = np.arange(200.0)  # >= 100 simulations: two-sided percentile p-value
    assert refutation_p_value(49.5, many) == pytest.approx(2 * 50 / 200)


def test_placebo_effect_is_near_zero_and_bad_input_is_named(small):
    _, data = small
    out = linear_refutations(data, "t", "y", ["z"], n_simulations=30)
    assert abs(out["placebo_treatment"]["new_effect"]) < 0.1
    with pytest.raises(ValueError, match=r"no column\(s\) \['q'\]"):
        linear_refutations(data, "t", "y", ["q"])
    with pytest.raises(ValueError, match="n_simulations"):
        linear_refutations(data, "t", "y", ["z"], n_simulations=1)
    with pytest.raises(ValueError, match="must be float"):
        linear_refutations(data.assign(t=(data["t"] > 0).astype(int)), "t", "y", ["z"])
    with pytest.raises(ValueError, match="refute_backend"):
        DoWhyBackdoor(refute_backend="R")

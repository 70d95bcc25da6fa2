"""Timing helpers of the performance appendix: real properties, not 'it runs'."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from causalxai.causal.scm import SCM
from causalxai.compendium.performance import (
    fastest,
    growth,
    loglog_slope,
    plain_linear_gaussian,
    refutation,
    refutation_table,
)

WEIGHTS = {("z", "t"): 0.8, ("z", "y"): 1.0, ("t", "y"): 0.5}


def test_fastest_keeps_the_minimum_and_the_last_output():
    delays = iter([0.03, 0.0, 0.02])
    calls = []

    def fn():
        calls.append(1)
        time.sleep(next(delays))
        warnings.warn("noise", stacklevel=1)
        return len(calls)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning escaping fastest would raise here
        seconds, out = fastest(fn, repeat=3)
    assert out == 3 and len(calls) == 3
    assert seconds < 0.015  # the 0-second call, not the 30 ms one


@pytest.mark.parametrize("repeat", [0, -1, 1.5])
def test_fastest_rejects_a_bad_repeat(repeat):
    with pytest.raises(ValueError, match="repeat"):
        fastest(lambda: None, repeat=repeat)


def test_plain_sampler_has_the_covariance_of_the_linear_gaussian_scm():
    values = plain_linear_gaussian(WEIGHTS, 200_000, seed=1)
    assert list(values) == ["z", "t", "y"]
    # closed form: var t = 0.8^2 + 1; y = 1.4 z + 0.5 u_t + u_y
    cov = np.cov(np.vstack([values["z"], values["t"], values["y"]]))
    expected = np.array([[1.0, 0.8, 1.4], [0.8, 1.64, 1.62], [1.4, 1.62, 3.21]])
    np.testing.assert_allclose(cov, expected, atol=0.03)
    scm_cov = SCM.linear_gaussian(WEIGHTS).sample(200_000, seed=2)[["z", "t", "y"]].cov()
    np.testing.assert_allclose(scm_cov.to_numpy(), expected, atol=0.03)


def test_plain_sampler_is_reproducible_and_rejects_a_cycle():
    a, b = (plain_linear_gaussian(WEIGHTS, 10, seed=3) for _ in range(2))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="DAG; cycle through"):
        plain_linear_gaussian({("a", "b"): 1.0, ("b", "a"): 1.0}, 10)
    with pytest.raises(ValueError, match="n must be"):
        plain_linear_gaussian(WEIGHTS, 0)


def test_loglog_slope_recovers_a_power_law():
    sizes = np.array([10, 100, 1000, 10_000])
    assert loglog_slope(sizes, 3e-4 * sizes ** 1.0) == pytest.approx(1.0)
    assert loglog_slope(sizes, 2.0 * sizes ** 0.5) == pytest.approx(0.5)
    assert loglog_slope(sizes, np.full(4, 0.2)) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("sizes", "seconds", "match"), [
    ([10, 10], [1.0, 2.0], "two distinct sizes"),
    ([10, 20], [1.0, 0.0], "seconds must be positive"),
    ([10, 20, 30], [1.0, 2.0], "differ in length"),
])
def test_loglog_slope_rejects_bad_input(sizes, seconds, match):
    with pytest.raises(ValueError, match=match):
        loglog_slope(sizes, seconds)


def test_growth_times_every_size_and_fits_the_slope():
    seconds, slope = growth(lambda k: 1e-3 * k ** 2, [4, 8, 16], name="quadratic")
    assert seconds.name == "quadratic" and list(seconds.index) == [4, 8, 16]
    assert slope == pytest.approx(2.0)
    with pytest.raises(ValueError, match="increasing"):
        growth(lambda k: 1.0, [8, 4])


def test_numpy_and_dowhy_refutations_agree():
    scm = SCM.linear_gaussian(WEIGHTS)
    data = scm.sample(300, seed=0)
    fast = refutation(data, "t", "y", scm.graph, backend="numpy", n_simulations=3)
    slow = refutation(data, "t", "y", scm.graph, backend="dowhy", n_simulations=3)
    assert fast.estimate == pytest.approx(slow.estimate)
    table = refutation_table(fast, slow)
    assert list(table.columns) == ["numpy new effect", "DoWhy new effect",
                                   "numpy p-value", "DoWhy p-value"]
    np.testing.assert_allclose(table["numpy new effect"], table["DoWhy new effect"],
                               atol=1e-8)
    with pytest.raises(ValueError, match="treatment 'w' is not a column"):
        refutation(data, "w", "y", scm.graph)

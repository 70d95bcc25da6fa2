"""The bootstrapped estimators of the Lalonde and NHEFS chapters, on data with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.estimate import observational as ob
from causalxai.realdata import lalonde_statistics, nhefs_statistics

EFFECT = 2.0


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = (rng.uniform(size=n) < 1 / (1 + np.exp(-x))).astype(float)
    return pd.DataFrame({"x": x, "t": t, "y": EFFECT * t + 1.5 * x + rng.normal(size=n)})


def test_lalonde_statistics_recover_a_constant_effect_and_follow_the_rows():
    data = _data()
    problem = ob.prepare(data, "t", "y", ps_rhs="x", outcome_rhs="t + x")
    stats = lalonde_statistics(problem, trim=0.01)
    full = stats(np.arange(problem.n))
    assert set(full) == {"regression, flexible", "IP weighting (ATT)", "AIPW (ATT)"}
    assert all(v == pytest.approx(EFFECT, abs=0.25) for v in full.values()), full
    half = stats(np.arange(problem.n // 2))
    assert half["regression, flexible"] != full["regression, flexible"]
    with pytest.raises(ValueError, match=r"trim must be in \[0, 0.5\), got 0.5"):
        lalonde_statistics(problem, trim=0.5)


def test_nhefs_statistics_recover_a_constant_effect_and_check_the_rows():
    data = _data(seed=1)
    problem = ob.prepare(data, "t", "y", ps_rhs="x", outcome_rhs="t + x + t:x")
    plain = ob.prepare(data, "t", "y", outcome_rhs="t + x")
    full = nhefs_statistics(problem, plain)(np.arange(problem.n))
    assert len(full) == 4
    assert all(v == pytest.approx(EFFECT, abs=0.25) for v in full.values()), full
    with pytest.raises(ValueError, match="same rows, got 4000 and 10"):
        nhefs_statistics(problem, ob.prepare(data.head(10), "t", "y", outcome_rhs="t + x"))

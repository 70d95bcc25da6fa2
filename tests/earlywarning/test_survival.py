"""Tests of causalxai.earlywarning.survival: scikit-survival agreement, closed forms, firm bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score
from sksurv.metrics import (
    brier_score,
    concordance_index_censored,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.util import Surv

from causalxai.earlywarning import survival as SV
from tests.earlywarning.conftest import censored_data


def test_concordance_perfect_reversed_and_against_scikit_survival():
    d = np.array([1.0, 2, 3, 4, 5, 6])
    e = np.array([1, 1, 0, 1, 0, 1], dtype=bool)
    assert SV.concordance_index(d, e, -d) == 1.0
    assert SV.concordance_index(d, e, d) == 0.0
    assert SV.concordance_index(d, e, np.zeros(6)) == 0.5
    d, e, r = censored_data()
    for risk in (r, np.round(r, 1)):  # continuous, then with ties
        want = concordance_index_censored(e, d, risk)[0]
        assert SV.concordance_index(d, e, risk) == pytest.approx(want, abs=1e-12)
    # truncation: only failures up to tau open pairs
    tau = 5
    num = den = 0.0
    for i in np.flatnonzero(e & (d <= tau)):
        ctrl = (d > d[i]) | ((d == d[i]) & ~e)
        num += (r[ctrl] < r[i]).sum() + 0.5 * (r[ctrl] == r[i]).sum()
        den += ctrl.sum()
    assert SV.concordance_index(d, e, r, tau=tau) == pytest.approx(num / den)


def test_brier_scores_zero_for_perfect_prediction_and_match_scikit_survival():
    rng = np.random.default_rng(4)
    d = rng.integers(1, 30, size=500).astype(float)
    e = np.ones(500, dtype=bool)
    times = np.arange(1, 19)
    perfect = (d[:, None] <= times[None, :]).astype(float)
    assert SV.integrated_brier_score(d, e, perfect, times) == 0.0
    np.testing.assert_array_equal(SV.brier_scores(d, e, perfect, times), 0.0)
    # uncensored: the Brier score at t is the mean squared error on "fails by t"
    f = rng.random((500, len(times)))
    np.testing.assert_allclose(SV.brier_scores(d, e, f, times),
                               ((perfect - f) ** 2).mean(axis=0))
    d, e, r = censored_data(seed=5)
    f = 1 / (1 + np.exp(-(r[:, None] - 3 + 0.1 * times[None, :])))
    y = Surv.from_arrays(e, d)
    np.testing.assert_allclose(SV.brier_scores(d, e, f, times),
                               brier_score(y, y, 1 - f, times)[1], rtol=1e-12)
    assert SV.integrated_brier_score(d, e, f, times) == pytest.approx(
        integrated_brier_score(y, y, 1 - f, times), rel=1e-12)


def test_time_dependent_auc_matches_scikit_survival_and_roc_auc_without_censoring():
    d, e, r = censored_data(seed=6)
    times = np.arange(2, 20, 3)
    y = Surv.from_arrays(e, d)
    np.testing.assert_allclose(SV.time_dependent_auc(d, e, r, times),
                               cumulative_dynamic_auc(y, y, r, times)[0], rtol=1e-10)
    # a censoring distribution from other (training) data, as scikit-survival allows
    d2, e2, _ = censored_data(seed=7)
    y2 = Surv.from_arrays(e2, d2)
    np.testing.assert_allclose(SV.time_dependent_auc(d, e, r, times, censoring=(d2, e2)),
                               cumulative_dynamic_auc(y2, y, r, times)[0], rtol=1e-10)
    # no censoring: the ROC-AUC of the binary target "fails by t"
    e_all = np.ones_like(e)
    for t in (3, 9):
        assert SV.time_dependent_auc(d, e_all, r, [t])[0] == pytest.approx(
            roc_auc_score(d <= t, r))


def test_firm_bootstrap_resamples_firms_and_pairs_scores():
    rng = np.random.default_rng(9)
    firms = np.repeat(np.arange(200), 3)
    y = np.repeat((rng.random(200) < 0.2).astype(float), 3)
    noisy = y + rng.normal(size=600)
    reps = SV.firm_bootstrap(y, {"perfect": y, "noisy": noisy, "same": noisy}, firms,
                            n_boot=30, seed=1)
    assert reps.shape == (30, 6)
    assert reps.notna().all().all()
    np.testing.assert_array_equal(reps[("perfect", "roc_auc")], 1.0)
    np.testing.assert_array_equal(reps["noisy"].to_numpy(), reps["same"].to_numpy())
    # replicate 0 is the metric on the rows of the firms drawn (with their multiplicity)
    counts = np.random.default_rng(1).multinomial(200, np.full(200, 1 / 200), size=30)[0]
    idx = np.repeat(np.arange(600), counts[firms])
    assert reps[("noisy", "roc_auc")].iloc[0] == pytest.approx(roc_auc_score(y[idx], noisy[idx]))
    assert reps[("noisy", "pr_auc")].iloc[0] == pytest.approx(
        average_precision_score(y[idx], noisy[idx]))


def test_score_table_perfect_predictions():
    rng = np.random.default_rng(10)
    d = rng.integers(1, 40, size=400).astype(float)
    surv = pd.DataFrame({"duration": d, "event": (d < 35).astype(float)})
    times = list(range(1, 19))
    y = pd.DataFrame({f"failure_within_{h}": (d <= h).astype(float) for h in (3, 18)})
    perfect = ((d[:, None] <= np.array(times)[None, :]) & (d[:, None] < 35)).astype(float)
    table = SV.score_table(y, surv, {"perfect": perfect, "score": -d}, times, horizons=(3, 18))
    assert table.loc["perfect", "ibs"] == 0.0
    assert table.loc["perfect", ["roc_auc_3", "roc_auc_18", "pr_auc_3"]].tolist() == [1, 1, 1]
    assert table.loc["score", "c_index"] == 1.0
    assert np.isnan(table.loc["score", "ibs"])

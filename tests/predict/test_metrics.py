"""The predictive-evaluation kit: closed forms, scikit-learn agreement, bootstrap layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score

from causalxai.predict.metrics import (
    alerts_at_budget,
    average_precision,
    bootstrap_indices,
    bootstrap_weights,
    ranking_metrics,
    roc_auc,
)


def tied_data(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(float)
    s = np.round(rng.normal(size=n) + y, 1)  # many ties
    w = rng.integers(0, 4, n).astype(float)
    return y, s, w


def months(*labels: str) -> pd.Series:
    return pd.Series(pd.to_datetime([f"{m}-01" for m in labels]))


# ------------------------------------------------------------------------------ AUC
def test_auc_is_the_mann_whitney_statistic():
    # AUC = U / (n_pos n_neg) with U from the mid-ranks (ties count half)
    y, s, _ = tied_data()
    ranks = stats.rankdata(s)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2
    assert roc_auc(y, s) == pytest.approx(u / (n_pos * n_neg), abs=1e-12)
    u_scipy = stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic
    assert roc_auc(y, s) == pytest.approx(u_scipy / (n_pos * n_neg), abs=1e-12)


def test_both_paths_equal_scikit_learn_with_ties_and_weights():
    y, s, w = tied_data()
    assert roc_auc(y, s, w) == pytest.approx(roc_auc_score(y, s, sample_weight=w), abs=1e-12)
    assert average_precision(y, s, w) == pytest.approx(
        average_precision_score(y, s, sample_weight=w), abs=1e-12)
    # the vectorised path (many weight vectors) gives the same numbers column by column
    many = np.column_stack([np.ones_like(w), w])
    np.testing.assert_allclose(roc_auc(y, s, many),
                               [roc_auc_score(y, s), roc_auc_score(y, s, sample_weight=w)],
                               atol=1e-12)
    np.testing.assert_allclose(average_precision(y, s, many),
                               [average_precision_score(y, s),
                                average_precision_score(y, s, sample_weight=w)], atol=1e-12)


@pytest.mark.parametrize("ties", [True, False])
def test_one_sort_for_both_metrics_equals_each_metric_and_scikit_learn(ties):
    # 0/1 labels with many weight vectors take the positive-groups path; soft labels the
    # tie-groups path: both agree with scikit-learn replicate by replicate
    y, s, _ = tied_data(3000, seed=3)
    if not ties:
        s = s + np.random.default_rng(4).normal(scale=1e-3, size=len(s))
    w = bootstrap_weights(6, groups=np.arange(len(y)) // 7, seed=1)
    auc, ap = ranking_metrics(y, s, w)
    np.testing.assert_array_equal(auc, roc_auc(y, s, w))
    np.testing.assert_array_equal(ap, average_precision(y, s, w))
    for b in range(w.shape[1]):
        assert auc[b] == pytest.approx(roc_auc_score(y, s, sample_weight=w[:, b]), abs=1e-12)
        assert ap[b] == pytest.approx(
            average_precision_score(y, s, sample_weight=w[:, b]), abs=1e-12)
    soft = np.where(y == 1, 1.0 - 1e-12, 0.0)  # soft labels, hard in all but name
    auc_soft, ap_soft = ranking_metrics(soft, s, w)
    np.testing.assert_allclose(auc_soft, auc, atol=1e-9)
    np.testing.assert_allclose(ap_soft, ap, atol=1e-9)


def test_integer_weights_are_row_replications_even_with_zero_weight_top_rows():
    y, s, w = tied_data(800, seed=8)
    w[np.argsort(-s)[:40]] = 0.0  # the best-scored rows dropped, as a bootstrap may do
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    W = np.column_stack([w, w])
    assert roc_auc(y, s, W)[1] == pytest.approx(roc_auc_score(y[rep], s[rep]), abs=1e-12)
    assert average_precision(y, s, W)[0] == pytest.approx(
        average_precision_score(y[rep], s[rep]), abs=1e-12)


def test_soft_labels_give_the_auc_of_the_split_rows():
    rng = np.random.default_rng(1)
    q = rng.uniform(0, 0.3, 500)
    s = q + rng.normal(0, 0.05, 500)
    expected = roc_auc_score(np.r_[np.ones(500), np.zeros(500)], np.r_[s, s],
                             sample_weight=np.r_[q, 1 - q])
    assert roc_auc(q, s) == pytest.approx(expected, abs=1e-12)


def test_bad_inputs_are_named():
    y, s, _ = tied_data(50)
    with pytest.raises(ValueError, match="same length"):
        roc_auc(y, s[:-1])
    with pytest.raises(ValueError, match="score has missing values"):
        roc_auc(y, np.r_[np.nan, s[1:]])
    with pytest.raises(ValueError, match="y has missing values"):
        average_precision(np.r_[np.nan, y[1:]], s)
    with pytest.raises(ValueError, match=r"weights must have shape \(50,\) or \(50, B\)"):
        roc_auc(y, s, np.ones((49, 3)))


# ------------------------------------------------------------------------------ bootstrap
def test_cluster_bootstrap_layout_rows_by_replicates_and_firms_kept_together():
    firm = np.array([3, 3, 7, 9, 9, 9])
    W = bootstrap_weights(50, groups=firm, seed=1)
    assert W.shape == (6, 50)                      # (rows, replicates)
    np.testing.assert_array_equal(W[0], W[1])
    np.testing.assert_array_equal(W[3], W[5])
    np.testing.assert_array_equal(W[[0, 2, 3]].sum(0), np.full(50, 3))  # 3 firms drawn
    # the draw: multinomial counts over the firms, in order of first appearance
    counts = np.random.default_rng(1).multinomial(3, np.full(3, 1 / 3), size=50)
    np.testing.assert_array_equal(W[[0, 2, 3]].T, counts)
    assert bootstrap_weights(5, groups=firm, dtype=np.float32).dtype == np.float32


def test_row_bootstrap_keeps_strata_sizes_and_counts_its_indices():
    strata = np.r_[np.zeros(30), np.ones(10)]
    W = bootstrap_weights(200, strata=strata, seed=4)
    assert W.shape == (40, 200)
    np.testing.assert_array_equal(W[strata == 1].sum(0), np.full(200, 10))
    np.testing.assert_array_equal(W[strata == 0].sum(0), np.full(200, 30))
    idx = bootstrap_indices(200, strata=strata, seed=4)
    assert idx.shape == (200, 40)
    np.testing.assert_array_equal(W, np.stack([np.bincount(r, minlength=40) for r in idx], 1))
    # the documented draw: stratum after stratum (sorted), Generator.integers
    rng = np.random.default_rng(4)
    first = np.r_[rng.integers(0, 30, 30), 30 + rng.integers(0, 10, 10)]
    np.testing.assert_array_equal(idx[0], first)
    plain = bootstrap_weights(20, n=7, seed=0)
    np.testing.assert_array_equal(plain.sum(0), np.full(20, 7))


def test_bootstrap_metric_of_a_replicate_is_the_metric_of_its_rows():
    y, s, _ = tied_data(600, seed=3)
    groups = np.repeat(np.arange(200), 3)
    W = bootstrap_weights(30, groups=groups, seed=2)
    aucs = roc_auc(y, s, W)
    assert aucs.shape == (30,)
    rows = np.repeat(np.arange(600), W[:, 7].astype(int))
    assert aucs[7] == pytest.approx(roc_auc_score(y[rows], s[rows]), abs=1e-12)


def test_bootstrap_arguments_are_checked():
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_weights(0, n=5)
    with pytest.raises(ValueError, match="not both"):
        bootstrap_weights(5, groups=[1, 2], strata=[0, 1])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        bootstrap_weights(5)


# ------------------------------------------------------------------------------ alerts
def test_alerts_spend_the_budget_each_month_rounding_up():
    month = pd.to_datetime(["2019-01-01"] * 4 + ["2019-02-01"] * 3)
    score = np.array([0.1, 0.9, 0.5, 0.9, 0.3, 0.2, 0.1])
    # budget 0.3: ceil(1.2) = 2 alerts in January, ceil(0.9) = 1 in February
    np.testing.assert_array_equal(alerts_at_budget(score, month, 0.3),
                                  [False, True, False, True, True, False, False])


def test_alert_ties_are_broken_by_row_order_and_bad_budgets_rejected():
    month = months(*["2021-05"] * 10)
    score = np.r_[np.full(5, 0.5), np.zeros(5)]
    assert np.flatnonzero(alerts_at_budget(score, month, 0.15)).tolist() == [0, 1]
    for bad in (0.0, 1.5, True):
        with pytest.raises(ValueError, match="budget"):
            alerts_at_budget(score, month, bad)
    with pytest.raises(ValueError, match="score has missing values"):
        alerts_at_budget(np.r_[np.nan, score[1:]], month, 0.1)

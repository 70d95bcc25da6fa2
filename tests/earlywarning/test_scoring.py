"""Tests of causalxai.earlywarning.scoring: hand-built alert metrics, calibration, period bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.earlywarning import scoring as SC
from causalxai.predict.metrics import alerts_at_budget, roc_auc


def months(*labels: str) -> pd.Series:
    return pd.Series(pd.to_datetime([f"{m}-01" for m in labels]))


def test_budget_precision_recall_on_a_hand_built_toy():
    # Two months of 10 firms; budget 20 % -> the 2 highest scores of each month.
    month = months(*["2020-01"] * 10, *["2020-02"] * 10)
    score = np.r_[np.arange(10) / 10, np.arange(10)[::-1] / 10]
    y = np.zeros(20)
    y[[9, 8, 0, 10, 15]] = 1  # month 1: top two fail, one low; month 2: top one fails
    alert = alerts_at_budget(score, month, 0.2)
    assert alert.sum() == 4
    assert set(np.flatnonzero(alert)) == {8, 9, 10, 11}
    precision, recall = SC.budget_precision_recall(y, alert)
    assert precision == pytest.approx(3 / 4)
    assert recall == pytest.approx(3 / 5)


def test_ece_and_observed_expected_on_a_constant_miscalibration():
    p = np.full(1000, 0.2)
    y = np.r_[np.ones(300), np.zeros(700)]
    assert SC.expected_calibration_error(y, p) == pytest.approx(0.1, abs=1e-12)
    assert SC.observed_expected(y, p) == pytest.approx(1.5, abs=1e-12)
    # two bins, each off by a known amount
    p2 = np.r_[np.full(100, 0.1), np.full(100, 0.5)]
    y2 = np.r_[np.ones(20), np.zeros(80), np.ones(50), np.zeros(50)]
    assert SC.expected_calibration_error(y2, p2, n_bins=2) == pytest.approx(0.05, abs=1e-12)


def test_period_metrics_estimates_equal_the_direct_metrics():
    rng = np.random.default_rng(7)
    n = 6000
    frame = pd.DataFrame({"firm_id": np.tile(np.arange(2000), 3),
                          "month": np.repeat(pd.to_datetime(["2020-02-01", "2020-05-01",
                                                             "2020-08-01"]), 2000)})
    frame["quarter"] = frame["month"].dt.to_period("Q").astype(str)
    risk = rng.uniform(0.01, 0.2, n)
    frame["y"] = (rng.random(n) < risk).astype(float)
    scores = {"good": risk + rng.normal(0, 0.02, n), "noisy": risk + rng.normal(0, 0.2, n)}
    scores = {k: np.clip(v, 0.001, 0.999) for k, v in scores.items()}
    out = SC.period_metrics(frame, scores, period="quarter", budget=0.05, n_boot=40,
                           reference="noisy").set_index(["approach", "period", "metric"])
    q = (frame["quarter"] == "2020Q2").to_numpy()
    for k, p in scores.items():
        y = frame.loc[q, "y"].to_numpy()
        alert = alerts_at_budget(p[q], frame.loc[q, "month"], 0.05)
        prec, rec = SC.budget_precision_recall(y, alert)
        direct = {"auc": roc_auc(y, p[q]), "precision": prec, "recall": rec,
                  "ece": SC.expected_calibration_error(y, p[q]),
                  "oe": SC.observed_expected(y, p[q])}
        for metric, value in direct.items():
            assert out.loc[(k, "2020Q2", metric), "estimate"] == pytest.approx(value, rel=1e-6)
    auc = out.xs("auc", level="metric")["estimate"]
    assert auc[("good", "mean")] == pytest.approx(
        np.mean([auc[("good", f"2020Q{i}")] for i in (1, 2, 3)]))
    diff = out.loc[("good", "mean", "auc_diff")]
    assert diff["lower"] > 0  # the better score is better, with a paired interval
    row = out.loc[("good", "2020Q1", "auc")]
    assert row["lower"] <= row["estimate"] <= row["upper"]
    with pytest.raises(ValueError, match="reference"):
        SC.period_metrics(frame, scores, period="quarter", budget=0.05, reference="x")


def test_period_metrics_with_overlapping_groups_alerts_among_all_rows():
    month = np.repeat(pd.to_datetime(["2022-03-01", "2022-04-01"]), 10)
    frame = pd.DataFrame({"firm_id": np.tile(np.arange(10), 2), "month": month,
                          "y": np.tile([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 2)})
    score = np.tile(np.linspace(1, 0, 10), 2)  # firm 0 is the top score each month
    groups = {"all": np.ones(20, bool), "tail": np.tile(np.arange(10) >= 5, 2)}
    out = SC.period_metrics(frame, {"s": score}, groups=groups, budget=0.1, n_boot=5)
    out = out.set_index(["period", "metric"])["estimate"]
    assert out[("all", "recall")] == pytest.approx(0.5)   # firm 0 alerted, firm 9 not
    assert out[("all", "precision")] == pytest.approx(1.0)
    # the tail group gets no alert: the budget is spent on the whole month
    assert out[("tail", "recall")] == pytest.approx(0.0)
    assert "mean" not in out.index.get_level_values("period")
    with pytest.raises(ValueError, match="exactly one"):
        SC.period_metrics(frame, {"s": score}, budget=0.1)

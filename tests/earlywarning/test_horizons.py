"""Tests of causalxai.earlywarning.horizons: multi-horizon and survival models, metrics, alert lead times.

Closed forms (a constant hazard gives ``1 - (1 - h)^k``; a perfect ranking has
concordance 1 and a reversed one 0; a perfect prediction has an integrated Brier score
of 0), agreement with scikit-survival and scikit-learn on random censored data, a
hand-built panel whose alert lead times are known, and the absence of look-ahead in the
assembled features and targets of the simulated firm panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from causalxai.earlywarning import horizons as H
from causalxai.firms import Config, FirmSimulator


@pytest.fixture(scope="module")
def panel():
    return FirmSimulator(Config.small(n_firms=300, covid=None, end="2020-12", events=())
                         ).simulate(seed=3)


# --------------------------------------------------------------------------- closed forms
def test_constant_hazard_gives_one_minus_survival_power():
    h = np.array([0.0, 0.01, 0.2, 0.5])
    k = np.arange(1, 19)
    expected = 1 - (1 - h[:, None]) ** k[None, :]
    np.testing.assert_allclose(H.cumulative_from_hazards(h, (1,), k), expected, rtol=1e-12)
    # the same hazard split into bands is the same curve
    np.testing.assert_allclose(
        H.cumulative_from_hazards(np.repeat(h[:, None], 4, axis=1), (3, 6, 12, 18), k),
        expected, rtol=1e-12)
    # one horizon h: F(t) = 1 - (1 - p)^(t / h)
    p = np.array([0.05, 0.3])
    np.testing.assert_allclose(H.curve_from_horizons(p, (18,), k),
                               1 - (1 - p[:, None]) ** (k[None, :] / 18), rtol=1e-12)


def test_band_hazards_compose_month_by_month():
    h = np.array([[0.1, 0.2]])
    f = H.cumulative_from_hazards(h, (2, 5), [1, 2, 3, 5, 7])
    s = [0.9, 0.9**2, 0.9**2 * 0.8, 0.9**2 * 0.8**3, 0.9**2 * 0.8**5]
    np.testing.assert_allclose(f[0], 1 - np.array(s))


def test_curve_from_horizons_interpolates_and_repairs_crossings():
    p = np.array([[0.1, 0.05, 0.3]])  # crosses between 3 and 6 months
    assert H.crossing_share(p) == 1.0
    f = H.curve_from_horizons(p, (3, 6, 12), [3, 6, 9, 12, 24])
    np.testing.assert_allclose(f[0, [0, 1, 3]], [0.1, 0.1, 0.3])
    # geometric mean of the survivals halfway between 6 and 12 months
    np.testing.assert_allclose(1 - f[0, 2], np.sqrt(0.9 * 0.7))
    # past the last horizon, the last segment's hazard goes on
    np.testing.assert_allclose(1 - f[0, 4], 0.7 * (0.7 / 0.9) ** 2)
    assert H.crossing_share(np.array([[0.1, 0.2], [0.3, 0.3]])) == 0.0
    with pytest.raises(ValueError, match="one column per horizon"):
        H.curve_from_horizons(np.zeros((2, 3)), (3, 6), [1])


def test_hazard_model_recovers_a_constant_hazard():
    rng = np.random.default_rng(1)
    n, h = 20_000, 0.05
    t = rng.geometric(h, size=n)
    censor = rng.integers(1, 30, size=n)
    d, e = np.minimum(t, censor), t <= censor
    X = pd.DataFrame({"noise": rng.normal(size=n)})
    model = H.DiscreteTimeHazard((1,), "logit", negative_share=1.0).fit(X, d, e)
    hat = model.predict_hazard(X)[:, 0]
    # one-band records of a lead-1 model: each row's first month only
    first = (d >= 1).sum()
    se = np.sqrt(h * (1 - h) / first)
    assert abs(hat.mean() - h) < 4 * se
    k = np.array([1, 3, 6, 12, 18])
    np.testing.assert_allclose(model.cumulative(X, k), 1 - (1 - hat[:, None]) ** k, rtol=1e-10)


def test_band_records_match_the_expanded_firm_month_likelihood():
    """Aggregated band records give the logistic fit of the expanded firm-months."""
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.normal(size=n)
    t = rng.geometric(1 / (1 + np.exp(-(-2.5 + 0.8 * x))))
    c = rng.integers(1, 10, size=n)
    d, e = np.minimum(t, c), t <= c
    bands = (2, 5)
    model = H.DiscreteTimeHazard(bands, "logit", negative_share=1.0, C=1e6, winsor=0.0
                                 ).fit(pd.DataFrame({"x": x}), d, e)
    # expanded: one record per row and month ahead j <= min(d, 5)
    rows, band, y = [], [], []
    for i in range(n):
        for j in range(1, int(min(d[i], 5)) + 1):
            rows.append(i)
            band.append(0 if j <= 2 else 1)
            y.append(int(e[i] and j == d[i]))
    Z = np.column_stack([x[rows], band])
    ref = LogisticRegression(C=1e6, max_iter=1000).fit(Z, y)
    grid = pd.DataFrame({"x": np.linspace(-2, 2, 9)})
    got = model.predict_hazard(grid)
    want = np.column_stack([ref.predict_proba(np.column_stack([grid["x"], np.full(9, b)]))[:, 1]
                            for b in (0, 1)])
    np.testing.assert_allclose(got, want, rtol=2e-3)


# --------------------------------------------------------------------------- metrics


# --------------------------------------------------------------------------- alerts
def test_monthly_percentile_ranks_within_the_month():
    rows = pd.DataFrame({"firm_id": [1, 2, 3, 4, 1, 2, 3],
                         "month": pd.to_datetime(["2019-01-01"] * 4 + ["2019-02-01"] * 3)})
    score = np.array([0.1, 0.9, 0.5, 0.9, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(H.monthly_percentile(rows, score)[4:], [100, 200 / 3, 100 / 3])


def test_lead_times_on_a_hand_built_panel():
    months = pd.date_range("2019-01-01", periods=12, freq="MS")
    rows = pd.DataFrame({"firm_id": np.repeat([1, 2, 3], 12), "month": np.tile(months, 3)})
    fail = pd.Series(pd.to_datetime(["2019-12-01", "2019-10-01", pd.NaT]), index=[1, 2, 3])
    rows = rows[~((rows.firm_id == 2) & (rows.month >= "2019-10-01"))]  # rows end before failure
    m = rows["month"].dt.month.to_numpy()
    f = rows["firm_id"].to_numpy()
    alerts = {
        # firm 1 alerted in months 3 and 8 (lead 9: first), firm 2 in month 1 only
        "a": ((f == 1) & np.isin(m, (3, 8))) | ((f == 2) & (m == 1)),
        # only alerts outside the look-back windows, and on the survivor
        "b": ((f == 1) & (m == 1)) | (f == 3),
    }
    leads = H.alert_lead_times(rows, alerts, fail, cohort=("2019-09", "2019-12"), lookback=8)
    assert list(leads.index) == [1, 2]
    # month 3 is 9 months before the failure (outside the look-back of 8): the first
    # alert in the window is month 8, four months before the failure in month 12
    assert leads.loc[1, "a"] == 4
    assert leads.loc[2, "a"] == 0   # month 1 is 9 months before October: outside
    assert leads.loc[1, "b"] == 0 and leads.loc[2, "b"] == 0
    curve = H.detection_curve(leads, 8)
    assert curve.loc[1, "a"] == 0.5 and curve.loc[4, "a"] == 0.5 and curve.loc[5, "a"] == 0.0
    leads12 = H.alert_lead_times(rows, alerts, fail, cohort=("2019-12", "2019-12"), lookback=11)
    assert leads12.loc[1, "a"] == 9
    with pytest.raises(ValueError, match="look-back"):
        H.alert_lead_times(rows, alerts, fail, cohort=("2019-06", "2019-12"), lookback=8)


# --------------------------------------------------------------------------- no look-ahead
def test_design_matrix_does_not_look_ahead(panel):
    f = panel.features
    cut = pd.Timestamp("2018-06-01")
    past = f["month"] <= cut
    X = H.design_matrix(f)
    assert set(H.history_columns()) <= set(X.columns)
    assert not {"firm_id", "month", "fs_year"} & set(X.columns)
    rng = np.random.default_rng(0)
    future = f.copy()
    numeric = [c for c in f.columns if c not in H.NOT_INPUTS]
    for c in numeric:
        future.loc[~past, c] = rng.normal(size=int((~past).sum())).astype(f[c].dtype)
    pd.testing.assert_frame_equal(H.design_matrix(future).loc[past], X.loc[past])
    pd.testing.assert_frame_equal(H.design_matrix(f.loc[past]), X.loc[past])
    assert H.design_matrix(f, history=False).shape[1] == X.shape[1] - len(H.history_columns())


def test_time_split_targets_are_known_at_the_training_end(panel):
    f = panel.features
    fm = panel.firms.set_index("firm_id")["failure_month"]
    sp = H.time_split(f, fm, panel.end, train=("2015-01", "2017-12"),
                      test=("2018-01", "2018-12"), every=3)
    months = f.loc[sp.train, "month"]
    assert months.max() <= sp.train_end and f.loc[sp.test, "month"].min() == sp.test_start
    assert len(sp.test) == int(f["month"].between("2018-01-01", "2018-12-01").sum())
    # complete windows only: every labelled training row's window ends by the training end
    for h in H.HORIZONS:
        labelled = sp.y_train[f"failure_within_{h}"].notna()
        assert (months[labelled] + pd.DateOffset(months=h) <= sp.train_end).all()
    # failures after the training end change nothing in the training targets
    moved = fm.copy()
    late = moved > sp.train_end
    moved[late] = pd.Timestamp("2020-11-01")
    moved[moved.isna()] = pd.Timestamp("2019-01-01")
    other = H.time_split(f, moved, panel.end, train=("2015-01", "2017-12"),
                         test=("2018-01", "2018-12"), every=3)
    pd.testing.assert_frame_equal(other.y_train, sp.y_train)
    pd.testing.assert_frame_equal(other.surv_train, sp.surv_train)
    assert sp.surv_train["duration"].max() <= 36
    with pytest.raises(ValueError, match="needs the panel to reach"):
        H.time_split(f, fm, panel.end, test=("2019-07", "2020-06"))
    with pytest.raises(ValueError, match="test must start after"):
        H.time_split(f, fm, panel.end, train=("2015-01", "2018-12"), test=("2018-06", "2018-12"))


def test_case_control_keeps_positives_and_unbiased_weights():
    y = np.r_[np.ones(50), np.zeros(20_000)]
    pos, w = H.case_control(y, 0.1, seed=0)
    assert (y[pos] == 1).sum() == 50
    assert w[y[pos] == 1].tolist() == [1.0] * 50
    assert w.sum() == pytest.approx(len(y), rel=0.05)
    with pytest.raises(ValueError, match="negative_share"):
        H.case_control(y, 0.0)


def test_models_fit_on_the_panel_and_rank_risk(panel):
    f = panel.features
    X = H.design_matrix(f)
    fm = panel.firms.set_index("firm_id")["failure_month"]
    sp = H.time_split(f, fm, panel.end, train=("2015-01", "2017-12"),
                      test=("2018-01", "2018-12"), every=2)
    d, e = sp.surv_train["duration"], sp.surv_train["event"]
    times = list(range(1, 19))
    Xtr, Xte = X.loc[sp.train], X.loc[sp.test]
    curves = {
        "per horizon": H.HorizonClassifiers(n_estimators=30).fit(Xtr, sp.y_train).cumulative(
            Xte, times),
        "hazard": H.DiscreteTimeHazard((3, 6, 12, 18), "lgbm", n_estimators=30).fit(
            Xtr, d, e).cumulative(Xte, times),
        "cox": H.CoxModel().fit(Xtr, d, e).cumulative(Xte, times),
    }
    for name, c in curves.items():
        assert c.shape == (len(Xte), 18), name
        assert (np.diff(c, axis=1) >= -1e-12).all(), name  # cumulative: non-decreasing
        auc = roc_auc_score(sp.y_test["failure_within_12"], c[:, 11])
        assert auc > 0.6, (name, auc)


def test_bootstrap_means_and_horizon_checks():
    frame = pd.DataFrame({"a": [2.0, 2.0, 2.0], "b": [0.0, 1.0, 2.0]})
    reps = H.bootstrap_means(frame, n_boot=50, seed=0)
    np.testing.assert_array_equal(reps["a"], 2.0)
    assert reps["b"].between(0, 2).all() and reps["b"].std() > 0
    assert H.check_horizons([3, 6, 12, 18]) == (3, 6, 12, 18)
    with pytest.raises(ValueError, match="horizons must be strictly increasing"):
        H.check_horizons([6, 3])
    with pytest.raises(ValueError, match="at most 36"):
        H.check_horizons([3, 48])


def test_alert_turnover_counts_repeats_and_distinct_firms():
    rows = pd.DataFrame({"firm_id": [1, 2, 3, 1, 2, 3, 1, 2, 3],
                         "month": pd.to_datetime(["2019-01-01"] * 3 + ["2019-02-01"] * 3
                                                 + ["2019-03-01"] * 3)})
    same = np.array([1, 0, 0, 1, 0, 0, 1, 0, 0], dtype=bool)       # firm 1 every month
    rotating = np.array([1, 0, 0, 0, 1, 0, 0, 0, 1], dtype=bool)   # a new firm each month
    table = H.alert_turnover(rows, {"same": same, "rotating": rotating})
    assert table.loc["same", "distinct_firms"] == 1 and table.loc["same", "repeat_share"] == 1.0
    assert table.loc["rotating", "distinct_firms"] == 3
    assert table.loc["rotating", "repeat_share"] == 0.0
    assert table.loc["rotating", "alerts"] == 3


@pytest.mark.parametrize("bad, message", [
    (np.array([[0.1, 0.2, 0.3]]), r"one column per band \(2\), got shape \(1, 3\)"),
    (np.array([[0.1, np.nan]]), r"hazards must hold probabilities in \[0, 1\] without missing"),
    (np.array([[0.1, 1.2]]), r"hazards must hold probabilities"),
])
def test_cumulative_from_hazards_refuses_bad_hazards(bad, message):
    from causalxai.earlywarning.horizons import cumulative_from_hazards

    with pytest.raises(ValueError, match=message):
        cumulative_from_hazards(bad, (3, 6), (1, 6))


def test_a_one_column_curve_is_the_constant_hazard_curve():
    from causalxai.earlywarning.horizons import cumulative_from_hazards, curve_from_horizons

    p = np.array([0.1, 0.5])
    times = (1, 6, 12, 24)
    monthly = 1 - (1 - p) ** (1 / 12)
    expected = 1 - (1 - p[:, None]) ** (np.array(times) / 12)
    np.testing.assert_allclose(curve_from_horizons(p, (12,), times), expected)
    np.testing.assert_allclose(cumulative_from_hazards(monthly, (12,), times), expected)

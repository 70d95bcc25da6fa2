"""Tests of causalxai.earlywarning.robustness: closed forms, hand-built cases, no look-ahead."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from causalxai.earlywarning import robustness as R
from causalxai.earlywarning import scoring as SC
from causalxai.firms import Config, FirmSimulator, firm_graph


def months(*labels: str) -> pd.Series:
    return pd.Series(pd.to_datetime([f"{m}-01" for m in labels]))


# --------------------------------------------------------------------------- alert budget


def test_platt_recovers_a_known_miscalibration():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.5, 200_000)
    a, b = -0.6, 0.7
    y = (rng.random(p.size) < expit(a + b * logit(p))).astype(float)
    cal = R.fit_platt(p, y)
    assert cal.intercept == pytest.approx(a, abs=0.05)
    assert cal.slope == pytest.approx(b, abs=0.03)
    before = SC.expected_calibration_error(y, p)
    after = SC.expected_calibration_error(y, cal.transform(p))
    assert after < 0.1 * before
    iso = R.fit_isotonic(p, y)
    fixed = iso.transform(p)
    assert SC.expected_calibration_error(y, fixed) < 0.1 * before
    assert np.all(np.diff(fixed[np.argsort(p)]) >= -1e-12)  # monotone


def test_censored_recalibration_recovers_the_map_from_partial_follow_up():
    rng = np.random.default_rng(3)
    n, horizon = 300_000, 12
    p = rng.uniform(0.005, 0.2, n)
    a, b = -0.5, 0.8
    eta = a + b * np.log(-np.log1p(-p))          # true cloglog of the 12-month probability
    k = rng.integers(1, horizon + 1, n)           # months of follow-up so far
    q_k = -np.expm1(-np.exp(eta) * k / horizon)   # constant hazard: P(fail within k)
    event = (rng.random(n) < q_k).astype(float)
    cal = R.fit_censored_recalibration(p, k, event, horizon)
    assert cal.intercept == pytest.approx(a, abs=0.08)
    assert cal.slope == pytest.approx(b, abs=0.04)
    truth = -np.expm1(-np.exp(eta))
    assert np.abs(cal.transform(p) - truth).max() < 0.01
    fixed = R.fit_censored_recalibration(p, k, event, horizon, slope=False)
    assert fixed.slope == 1.0
    with pytest.raises(ValueError, match="follow_up"):
        R.fit_censored_recalibration(p, k + horizon, event, horizon)


def _toy_panel_rows(n_firms=400, n_months=30, seed=0):
    rng = np.random.default_rng(seed)
    stamp = pd.date_range("2019-07-01", periods=n_months, freq="MS")
    fail = pd.Series(pd.NaT, index=range(n_firms), dtype="datetime64[ns]")
    hit = rng.random(n_firms) < 0.5
    fail[hit] = stamp[rng.integers(1, n_months, hit.sum())]
    rows = []
    for i in range(n_firms):
        for t in stamp:
            if pd.isna(fail[i]) or t < fail[i]:
                rows.append((i, t))
    frame = pd.DataFrame(rows, columns=["firm_id", "month"])
    frame["failure_month"] = frame["firm_id"].map(fail)
    return frame, rng.uniform(0.05, 0.5, len(frame))


def test_realtime_recalibration_uses_no_label_of_the_future():
    frame, p = _toy_panel_rows()
    kwargs = dict(shift_start="2020-03-01", first="2020-05-01", last="2021-09-01", every=3,
                  window=6, min_events=5, min_events_slope=40)
    out, fits = R.realtime_recalibration(frame, p, **kwargs)
    assert (fits["kind"] != "identity").any()
    # Remove every failure from 2020-11 on: refits up to 2020-11 knew only failures up to
    # 2020-10, so the rows they score (up to 2021-01) must not change.
    cut = pd.Timestamp("2020-11-01")
    late = frame.copy()
    late.loc[late["failure_month"] >= cut, "failure_month"] = pd.NaT
    out2, _ = R.realtime_recalibration(late, p, **kwargs)
    before = (frame["month"] < pd.Timestamp("2021-02-01")).to_numpy()
    np.testing.assert_array_equal(out[before], out2[before])
    assert not np.allclose(out[~before], out2[~before])  # the test is sensitive
    # rows outside first .. last keep their scores
    outside = ((frame["month"] < pd.Timestamp("2020-05-01"))
               | (frame["month"] > pd.Timestamp("2021-09-01"))).to_numpy()
    np.testing.assert_array_equal(out[outside], p[outside])


# --------------------------------------------------------------------------- reweighting
def test_domain_weights_recover_a_gaussian_density_ratio():
    rng = np.random.default_rng(4)
    mu = 0.5
    source = pd.DataFrame({"x": rng.normal(0, 1, 40_000)})
    target = pd.DataFrame({"x": rng.normal(mu, 1, 40_000)})
    dw = R.domain_weights(source, target, method="logistic", clip=50)
    ratio = np.exp(mu * source["x"] - mu**2 / 2)
    ratio = ratio / ratio.mean()
    inner = np.abs(source["x"]) < 2
    assert np.median(np.abs(dw.weights[inner] / ratio[inner] - 1)) < 0.05
    # the weighted source mean is the target mean; ESS is exp(-mu^2) of the rows
    assert np.average(source["x"], weights=dw.weights) == pytest.approx(mu, abs=0.03)
    assert dw.ess == pytest.approx(np.exp(-(mu**2)), abs=0.03)
    assert dw.auc == pytest.approx(0.638, abs=0.01)  # Phi(mu / sqrt(2))
    gbm = R.domain_weights(source, target, method="gbm", clip=50)
    assert np.average(source["x"], weights=gbm.weights) == pytest.approx(mu, abs=0.06)


def test_domain_weights_reject_bad_input():
    df = pd.DataFrame({"x": np.arange(10.0)})
    with pytest.raises(ValueError, match="method"):
        R.domain_weights(df, df, method="forest")
    with pytest.raises(ValueError, match="same columns"):
        R.domain_weights(df, df.rename(columns={"x": "z"}))


# --------------------------------------------------------------------------- re-expression
def test_relative_to_own_level_freezes_the_baseline_and_never_looks_ahead():
    stamp = pd.date_range("2019-01-01", periods=24, freq="MS")
    value = np.r_[np.full(14, 1.0), np.full(10, 5.0)]  # jumps at 2020-03
    frame = pd.DataFrame({"firm_id": 0, "month": stamp, "x": value})
    rel = R.relative_to_own_level(frame, "x", "2020-03-01", window=12)
    assert np.isnan(rel.iloc[:6]).all()          # fewer than 6 months of history
    assert rel.iloc[13] == pytest.approx(0.0)    # 2020-02 against 2019-02..2020-01
    assert (rel.iloc[14:] == 4.0).all()          # frozen at the pre-2020-03 level
    cut = frame[frame["month"] <= "2020-06-01"]
    np.testing.assert_array_equal(
        R.relative_to_own_level(cut, "x", "2020-03-01", 12).to_numpy(), rel.iloc[:18])


def test_reexpress_nets_out_deferred_arrears_and_sector_means():
    frame = pd.DataFrame({
        "firm_id": [0, 1, 2], "month": pd.to_datetime(["2020-06-01"] * 3),
        "sector": ["C", "C", "I"], "arrears_ratio": [2.0, 0.0, 4.0],
        "arrears": [10.0, 0.0, 8.0], "arrears_deferred": [5.0, 0.0, 8.0],
        "stw_share": [0.5, 0.1, 0.2]})
    out = R.reexpress(frame, "2020-03-01", register=True)
    np.testing.assert_allclose(out["arrears_net_ratio"], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(out["arrears_vs_sector"], [1.0, -1.0, 0.0])
    np.testing.assert_allclose(out["stw_vs_sector"], [0.2, -0.2, 0.0], atol=1e-7)


def test_freeze_columns_reads_the_pre_regime_value():
    frame = pd.DataFrame({"firm_id": [0, 0, 0, 1, 1],
                          "month": pd.to_datetime(["2020-02-01", "2020-03-01", "2020-04-01",
                                                   "2020-03-01", "2020-04-01"]),
                          "a": [1.0, 2.0, 3.0, 7.0, 8.0]})
    active = (frame["month"] >= "2020-03-01").to_numpy()
    out = R.freeze_columns(frame, ["a"], "2020-02-01", active)
    assert out["a"].tolist() == [1.0, 1.0, 1.0, 7.0, 8.0]  # firm 1 has no 2020-02 row
    with pytest.raises(ValueError, match="after"):
        R.freeze_columns(frame, ["a"], "2020-03-01", active)


def test_red_flags_and_overlay():
    frame = pd.DataFrame({
        "sector": ["I", "I", "I", "C"], "month": pd.to_datetime(["2020-04-01"] * 4),
        "stw_share": [0.5, 0.4, 0.0, 0.0],
        "payment_score_mean3": [30.0, 60.0, 30.0, 30.0],
        "payment_score_mean6": [40.0, 70.0, 35.0, 40.0]})
    # before = 2 * mean6 - mean3: 50, 80, 40, 50 -> drops 20, 20, 10, 20
    flag = R.red_flags(frame)
    assert flag.tolist() == [True, False, True, False]  # C is not hard hit; firm 1 > 50
    assert R.red_flags(frame, require_sector=False).tolist() == [True, False, True, True]
    assert R.overlay([0.01, 0.2, 0.03], [True, True, False], 0.1).tolist() == [0.1, 0.2, 0.03]


# --------------------------------------------------------------------------- causal graph
def test_regime_screen_drops_the_children_of_the_regime_and_of_its_schemes():
    g = nx.DiGraph()
    g.add_node("regime", role="regime", latent=False, columns=())
    g.add_node("scheme", role="support measure", latent=False, columns=("scheme",))
    g.add_node("health", role="outcome", latent=True, columns=())
    for n in ("direct", "via_scheme", "clean"):
        g.add_node(n, role="symptom", latent=False, columns=(n,))
    g.add_edges_from([("regime", "scheme"), ("regime", "direct"), ("scheme", "via_scheme"),
                      ("health", "direct"), ("health", "via_scheme"), ("health", "clean"),
                      ("scheme", "health")])
    out = R.regime_screen(g, "regime")
    assert out["keep"].to_dict() == {"scheme": False, "direct": False, "via_scheme": False,
                                     "clean": True}
    screen = R.regime_screen(firm_graph())
    assert not screen.loc["arrears_ratio", "keep"] and not screen.loc["stw_hours", "keep"]
    assert screen.loc["payment_score", "keep"] and screen.loc["profitability", "keep"]
    with pytest.raises(ValueError, match="regime node"):
        R.regime_screen(g, "covid")


# --------------------------------------------------------------------------- sector signals


# --------------------------------------------------------------------------- bootstrap


# --------------------------------------------------------------------------- the panel frame
@pytest.fixture(scope="module")
def small_panel():
    return FirmSimulator(Config(n_firms=300, measure_effects=False)).simulate(seed=1)


def test_firm_frame_columns_and_since(small_panel):
    full = R.firm_frame(small_panel, 12)
    assert {"y", "p_true", "failure_month", "stw_share", "payment_score_mean3",
            "arrears_deferred"} <= set(full.columns)
    assert len(full) == len(small_panel.features)
    late = R.firm_frame(small_panel, 12, since="2021-01-01")
    assert late["month"].min() == pd.Timestamp("2021-01-01")
    cols = ["y", "p_true", "arrears_ratio_mean12", "payment_score_slope6", "stw_share_lag12"]
    pd.testing.assert_frame_equal(full.loc[late.index, cols], late[cols])
    with pytest.raises(ValueError, match="horizon"):
        R.firm_frame(small_panel, 0)


def test_health_only_probability(small_panel):
    health = R.health_only_probability(small_panel, 12)
    no_regime = small_panel.failure_probability(12, world="no_regime")
    ok = health.notna().to_numpy()
    # removing the court freeze can only raise the probability of failing
    assert (health[ok] >= no_regime[ok] - 1e-7).all()
    before = (small_panel.features["month"] < "2019-01-01").to_numpy() & ok
    np.testing.assert_allclose(health[before], small_panel.failure_probability(12)[before],
                               rtol=1e-5)
    quiet = FirmSimulator(Config(n_firms=200, covid=None, measure_effects=False)).simulate(2)
    pd.testing.assert_series_equal(R.health_only_probability(quiet, 6),
                                   quiet.failure_probability(6), check_names=False)



"""Tests of causalxai.earlywarning.robustness: closed forms, hand-built cases, no look-ahead."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from causalxai.earlywarning import robustness as R
from causalxai.firms import Config, FirmSimulator, firm_graph
from causalxai.months import month_param
from causalxai.predict.metrics import alerts_at_budget, roc_auc


def months(*labels: str) -> pd.Series:
    return pd.Series(pd.to_datetime([f"{m}-01" for m in labels]))


# --------------------------------------------------------------------------- alert budget
def test_budget_precision_recall_on_a_hand_built_toy():
    # Two months of 10 firms; budget 20 % -> the 2 highest scores of each month.
    month = months(*["2020-01"] * 10, *["2020-02"] * 10)
    score = np.r_[np.arange(10) / 10, np.arange(10)[::-1] / 10]
    y = np.zeros(20)
    y[[9, 8, 0, 10, 15]] = 1  # month 1: top two fail, one low; month 2: top one fails
    alert = alerts_at_budget(score, month, 0.2)
    assert alert.sum() == 4
    assert set(np.flatnonzero(alert)) == {8, 9, 10, 11}
    precision, recall = R.budget_precision_recall(y, alert)
    assert precision == pytest.approx(3 / 4)
    assert recall == pytest.approx(3 / 5)


def test_ece_and_observed_expected_on_a_constant_miscalibration():
    p = np.full(1000, 0.2)
    y = np.r_[np.ones(300), np.zeros(700)]
    assert R.expected_calibration_error(y, p) == pytest.approx(0.1, abs=1e-12)
    assert R.observed_expected(y, p) == pytest.approx(1.5, abs=1e-12)
    # two bins, each off by a known amount
    p2 = np.r_[np.full(100, 0.1), np.full(100, 0.5)]
    y2 = np.r_[np.ones(20), np.zeros(80), np.ones(50), np.zeros(50)]
    assert R.expected_calibration_error(y2, p2, n_bins=2) == pytest.approx(0.05, abs=1e-12)


def test_platt_recovers_a_known_miscalibration():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.5, 200_000)
    a, b = -0.6, 0.7
    y = (rng.random(p.size) < expit(a + b * logit(p))).astype(float)
    cal = R.fit_platt(p, y)
    assert cal.intercept == pytest.approx(a, abs=0.05)
    assert cal.slope == pytest.approx(b, abs=0.03)
    before = R.expected_calibration_error(y, p)
    after = R.expected_calibration_error(y, cal.transform(p))
    assert after < 0.1 * before
    iso = R.fit_isotonic(p, y)
    fixed = iso.transform(p)
    assert R.expected_calibration_error(y, fixed) < 0.1 * before
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
def test_sector_signals_hand_built_and_without_look_ahead():
    frame = pd.DataFrame({
        "month": pd.to_datetime(["2022-01-01"] * 2 + ["2022-02-01"] * 2 + ["2022-04-01"] * 2),
        "sector": ["C", "I"] * 3, "x": [1.0, 2.0, 3.0, 2.0, 7.0, 5.0]})
    frame = pd.concat([frame, frame.assign(x=frame["x"] + 2)], ignore_index=True)
    out = R.sector_signals(frame, ["x"], lags=(1, 3))
    c = (frame["sector"] == "C").to_numpy()
    assert out.loc[c, "sector_x"].tolist()[:3] == [2.0, 4.0, 8.0]
    chg1 = out.loc[c, "sector_x_chg1"].tolist()[:3]
    assert np.isnan(chg1[0]) and chg1[1] == 2.0 and np.isnan(chg1[2])  # 2022-03 empty
    assert out.loc[c, "sector_x_chg3"].tolist()[2] == 6.0                # 8 - 2

    rng = np.random.default_rng(5)
    big = pd.DataFrame({"month": pd.to_datetime(rng.choice(
        pd.date_range("2021-01-01", periods=18, freq="MS"), 3000)),
        "sector": rng.choice(list("ABC"), 3000), "x": rng.normal(size=3000)})
    full = R.sector_signals(big, ["x"], lags=(3, 6))
    t0 = pd.Timestamp("2021-09-01")
    past = big["month"] <= t0
    cut = R.sector_signals(big[past], ["x"], lags=(3, 6))
    pd.testing.assert_frame_equal(full[past], cut)


def test_event_timing():
    frame = pd.DataFrame({"month": pd.to_datetime(["2022-02-01", "2022-03-01", "2022-05-01",
                                                   "2022-05-01", "2024-04-01"]),
                          "sector": ["C", "C", "C", "I", "C"]})
    out = R.event_timing(frame, [("C", "2022-03-01")], cap=24)
    assert out["event_active"].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert out["event_months"].tolist() == [-1.0, 0.0, 2.0, -1.0, -1.0]


def test_fit_stack_recovers_a_logistic_overlay():
    rng = np.random.default_rng(6)
    n = 200_000
    base = rng.uniform(0.002, 0.2, n)
    z = rng.normal(0, 2, n)
    y = (rng.random(n) < expit(-0.3 + 0.9 * logit(base) + 0.25 * z)).astype(int)
    stack = R.fit_stack(base, pd.DataFrame({"z": z}), y, penalty=1e-6)
    assert stack.coef["logit_base"] == pytest.approx(0.9, abs=0.03)
    assert stack.coef["z"] == pytest.approx(0.25 * z.std(), abs=0.03)  # standardised scale


def test_exposure_groups():
    frame = pd.DataFrame({"firm_id": [0, 1, 2, 3], "sector": ["I", "C", "C", "C"]})
    exposure = pd.Series([2.0, 0.0, 0.5, 1.5])
    groups = R.exposure_groups(frame, exposure, "C")
    assert groups.astype(str).tolist() == ["other sectors", "shocked sector, not exposed",
                                           "exposed, low", "exposed, high"]


# --------------------------------------------------------------------------- bootstrap
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
    out = R.period_metrics(frame, scores, period="quarter", budget=0.05, n_boot=40,
                           reference="noisy").set_index(["approach", "period", "metric"])
    q = (frame["quarter"] == "2020Q2").to_numpy()
    for k, p in scores.items():
        y = frame.loc[q, "y"].to_numpy()
        alert = alerts_at_budget(p[q], frame.loc[q, "month"], 0.05)
        prec, rec = R.budget_precision_recall(y, alert)
        direct = {"auc": roc_auc(y, p[q]), "precision": prec, "recall": rec,
                  "ece": R.expected_calibration_error(y, p[q]),
                  "oe": R.observed_expected(y, p[q])}
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
        R.period_metrics(frame, scores, period="quarter", budget=0.05, reference="x")


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


def test_period_metrics_with_overlapping_groups_alerts_among_all_rows():
    month = np.repeat(pd.to_datetime(["2022-03-01", "2022-04-01"]), 10)
    frame = pd.DataFrame({"firm_id": np.tile(np.arange(10), 2), "month": month,
                          "y": np.tile([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 2)})
    score = np.tile(np.linspace(1, 0, 10), 2)  # firm 0 is the top score each month
    groups = {"all": np.ones(20, bool), "tail": np.tile(np.arange(10) >= 5, 2)}
    out = R.period_metrics(frame, {"s": score}, groups=groups, budget=0.1, n_boot=5)
    out = out.set_index(["period", "metric"])["estimate"]
    assert out[("all", "recall")] == pytest.approx(0.5)   # firm 0 alerted, firm 9 not
    assert out[("all", "precision")] == pytest.approx(1.0)
    # the tail group gets no alert: the budget is spent on the whole month
    assert out[("tail", "recall")] == pytest.approx(0.0)
    assert "mean" not in out.index.get_level_values("period")
    with pytest.raises(ValueError, match="exactly one"):
        R.period_metrics(frame, {"s": score}, budget=0.1)


def test_month_param_and_training_events():
    assert month_param("event_month", "2022-03", "2019-01", "2022-12") == pd.Timestamp(
        "2022-03-01")
    with pytest.raises(ValueError, match="event_month"):
        month_param("event_month", "2022-3", "2019-01", "2022-12")
    with pytest.raises(ValueError, match="between"):
        month_param("event_month", "2023-01", "2019-01", "2022-12")
    events = R.training_events(["C", "F", "G"], exclude="C", first="2017-01", last="2020-12",
                               n=3, seed=1)
    assert [e.name for e in events] == ["past_1", "past_2", "past_3"]
    assert all(e.sector in {"F", "G"} for e in events)
    assert {e.sector for e in events[:2]} == {"F", "G"}       # distinct while they last
    onsets = [pd.Timestamp(e.month) for e in events]
    assert onsets == sorted(onsets)
    assert pd.Timestamp("2017-01-01") <= onsets[0] and onsets[-1] <= pd.Timestamp("2020-12-01")
    assert all(-1.5 <= e.size <= -0.5 for e in events)
    assert R.training_events(["C"], exclude="C", first="2017-01", last="2018-01", n=0) == ()

"""Tests for causalxai.earlywarning.support_allocation: who gets which measure, scored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.earlywarning.support import TREATMENTS, CrossSection
from causalxai.earlywarning.support_allocation import (
    STRATEGIES,
    PilotUplift,
    allocate,
    allocation_run,
    averted,
    identification_table,
    observational_uplift,
    pilot_outcomes,
    positivity_table,
    risk_allocation,
    summarise_runs,
    theme_allocation,
    true_effects,
)
from causalxai.firms import Config, FirmSimulator


def _effects():
    return pd.DataFrame({"p_fail": [0.2, 0.1, 0.05, 0.3],
                         "cash": [-0.02, -0.01, 0.0, -0.001],
                         "debt": [-0.01, -0.03, -0.002, 0.004]},
                        index=pd.Index([10, 11, 12, 13], name="firm_id"))


def test_allocate_takes_the_best_measure_of_the_largest_gains_and_abstains():
    gain = -_effects()[["cash", "debt"]]
    chosen = allocate(gain, 2)
    assert list(chosen.index) == [11, 10]
    assert list(chosen) == ["debt", "cash"]
    # Firm 13's best gain (0.001) is positive, firm 12's too; with no positive gain, abstain.
    assert len(allocate(gain, 10)) == 4
    assert allocate(gain.assign(cash=-1.0, debt=-1.0), 3).empty
    assert allocate(gain, 0).empty
    with pytest.raises(ValueError, match="capacity"):
        allocate(gain, -1)


def test_averted_is_the_sum_of_the_true_effects_of_the_given_measures():
    effects = _effects()
    score = averted(pd.Series({10: "cash", 11: "debt"}), effects)
    assert score["helped"] == 2
    assert score["averted"] == pytest.approx(0.05)
    assert score["per_100"] == pytest.approx(2.5)
    assert np.isnan(averted(pd.Series([], dtype=object), effects)["per_100"])
    with pytest.raises(ValueError, match="absent"):
        averted(pd.Series({99: "cash"}), effects)
    with pytest.raises(ValueError, match="measures"):
        averted(pd.Series({10: "grant"}), effects)


def test_oracle_allocation_is_the_best_set_of_k_firms():
    rng = np.random.default_rng(0)
    effects = pd.DataFrame({"p_fail": rng.random(60), "cash": -rng.random(60) / 10,
                            "debt": -rng.random(60) / 10})
    oracle = averted(allocate(-effects[["cash", "debt"]], 5), effects)["averted"]
    best = np.sort(-effects[["cash", "debt"]].min(axis=1).to_numpy())[::-1][:5].sum()
    assert oracle == pytest.approx(best)
    for _ in range(20):  # no random allocation of 5 firms does better
        firms = rng.choice(60, 5, replace=False)
        random = pd.Series(rng.choice(["cash", "debt"], 5), index=firms)
        assert averted(random, effects)["averted"] <= oracle + 1e-12


def test_risk_and_theme_allocations():
    risk = pd.Series([0.1, 0.5, 0.3, 0.9], index=[1, 2, 3, 4])
    chosen = risk_allocation(risk, 2, "cash")
    assert list(chosen.index) == [4, 2] and set(chosen) == {"cash"}
    phi = pd.DataFrame({"liquidity": [0.5, -0.2, 0.1, -0.3],
                        "indebtedness": [0.1, 0.4, 0.05, -0.1],
                        "arrears": [3.0, 3.0, 3.0, 3.0]}, index=[1, 2, 3, 4])
    theme = theme_allocation(phi, 3)
    # Firm 4's levers both lower its score: nothing points at a measure.
    assert list(theme.index) == [1, 2, 3]
    assert list(theme) == ["cash", "debt", "cash"]
    with pytest.raises(ValueError, match="lever"):
        theme_allocation(phi.drop(columns="liquidity"), 2)


def test_pilot_randomises_and_draws_failures_from_the_true_probabilities():
    n = 30_000
    effects = pd.DataFrame({"p_fail": np.full(n, 0.2), "cash": np.full(n, -0.1),
                            "debt": np.full(n, 0.1)})
    pilot = pilot_outcomes(effects, effects.index, seed=0)
    shares = pilot["arm"].value_counts(normalize=True)
    assert shares.to_numpy() == pytest.approx([1 / 3] * 3, abs=0.02)
    rates = pilot.groupby("arm")["failure"].mean()
    assert rates["none"] == pytest.approx(0.2, abs=0.015)
    assert rates["cash"] == pytest.approx(0.1, abs=0.015)
    assert rates["debt"] == pytest.approx(0.3, abs=0.015)
    with pytest.raises(ValueError, match="absent"):
        pilot_outcomes(effects, [n + 1], seed=0)


def test_pilot_uplift_recovers_which_measure_helps_whom():
    rng = np.random.default_rng(1)
    n = 20_000
    X = pd.DataFrame({"liquidity": rng.exponential(2, n), "indebtedness": rng.random(n)})
    risk = pd.Series(np.clip(rng.beta(1, 8, n), 1e-3, 0.99), index=X.index)
    # Cash helps firms with little cash, rescheduling helps indebted firms.
    effects = pd.DataFrame({"p_fail": risk,
                            "cash": -0.5 * risk * (X["liquidity"] < 1),
                            "debt": -0.5 * risk * (X["indebtedness"] > 0.5)})
    pilot = pilot_outcomes(effects, X.index, seed=2)
    gain = PilotUplift(C=100.0).fit(X, risk, pilot).gain(X, risk)
    low_cash = (X["liquidity"] < 0.5) & (X["indebtedness"] < 0.3)
    high_debt = (X["liquidity"] > 4) & (X["indebtedness"] > 0.8)
    assert (gain.loc[low_cash, "cash"] > gain.loc[low_cash, "debt"]).mean() > 0.8
    assert (gain.loc[high_debt, "debt"] > gain.loc[high_debt, "cash"]).mean() > 0.8
    with pytest.raises(ValueError, match="control arm"):
        PilotUplift().fit(X, risk, pilot[pilot["arm"] != "none"])


def test_summarise_runs_means_intervals_and_share_of_oracle():
    runs = [pd.DataFrame({"per_100": [1.0, 2.0], "helped": [5.0, 5.0],
                          "averted": [0.05, 0.1], "right_measure": [0.5, 1.0],
                          "overlap": [0.2, 1.0]}, index=pd.Index(["risk", "oracle"],
                                                                 name="strategy"))
            .assign(per_100=lambda t, s=s: t["per_100"] + s) for s in (0.0, 1.0)]
    out = summarise_runs(runs)
    assert list(out.index) == ["risk", "oracle"]
    assert out.loc["risk", "per_100"] == pytest.approx(1.5)
    assert out.loc["risk", "per_100_low"] < 1.5 < out.loc["risk", "per_100_high"]
    assert out.loc["oracle", "share_of_oracle"] == pytest.approx(1.0)
    assert out.loc["risk", "share_of_oracle"] == pytest.approx(0.5)
    assert np.isnan(summarise_runs(runs[:1]).loc["risk", "per_100_low"])
    with pytest.raises(ValueError, match="empty"):
        summarise_runs([])


def _cross_section(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    demand = rng.normal(-0.3, 0.4, n)
    health = rng.normal(size=n)
    data = pd.DataFrame({c: rng.normal(size=n) for c in (
        "size", "age_years", "headcount", "headcount_change", "arrears_ratio",
        "arrears_ratio_mean12", "payment_score", "profitability", "liquidity",
        "indebtedness", "investment_rate", "supplier_delay")})
    data["stw"] = (demand < -0.2).astype(float)  # the COVID rule: a function of the shock
    data["loan"] = (rng.random(n) < 1 / (1 + np.exp(health))).astype(float)
    data["deferral"] = (rng.random(n) < 0.3).astype(float)
    data["failure"] = (rng.random(n) < 0.05).astype(float)
    oracle = pd.DataFrame({"health_pre": health, "quality": rng.normal(size=n),
                           "demand": demand})
    return CrossSection(data=data, oracle=oracle, truth=pd.DataFrame(index=data.index),
                        date="2020-06", baseline="2020-02", horizon=12)


def test_positivity_fails_for_a_measure_taken_by_rule_and_the_service_then_abstains():
    cs = _cross_section()
    pos = positivity_table(cs)
    assert list(pos.index) == list(TREATMENTS)
    assert pos.loc["stw", "takeup_exposed"] == 1.0
    assert pos.loc["stw", "takeup_unexposed"] == 0.0
    assert pos.loc["stw", "outside_overlap"] > 0.8
    assert pos.loc["deferral", "outside_overlap"] < 0.1
    table = identification_table(cs, pos)
    assert table.loc["stw", "action"].startswith("a rule")
    # The service's data miss the latent drivers of take-up: nothing is identified.
    assert not table.loc[list(TREATMENTS), "identified"].any()
    assert table.loc["deferral", "action"].startswith("an experiment")
    assert table.loc["liquidity", "action"].startswith("an experiment")
    with pytest.raises(ValueError, match="bounds"):
        positivity_table(cs, bounds=(0.5, 0.2))


@pytest.fixture(scope="module")
def run():
    return allocation_run(1000, 0, capacity=30, n_pilot=400, n_estimators=20,
                          n_estimators_nuisance=10, n_dml=3000)


def test_true_effects_are_the_simulators_lever_effects():
    simulator = FirmSimulator(Config(n_firms=300))
    panel = simulator.simulate(seed=3)
    effects = true_effects(simulator, panel, "2019-01", 12)
    cash = simulator.lever_effect(panel, "liquidity", 1.0, "2019-01", 12).set_index("firm_id")
    assert effects["cash"].to_numpy() == pytest.approx(cash["effect"].to_numpy())
    assert (effects[["cash", "debt"]] <= 1e-9).all().all()  # both measures protect


def test_allocation_run_no_strategy_beats_the_oracle(run):
    results = run["results"]
    assert list(results.index) == list(STRATEGIES)
    assert (results["helped"] <= 30).all()
    oracle = results.loc["oracle", "averted"]
    assert (results["averted"] <= oracle + 1e-9).all()
    assert results.loc["oracle", "right_measure"] == 1.0
    with pytest.raises(ValueError, match="training rows"):
        allocation_run(100, 0, decision_month="2017-01")
    with pytest.raises(ValueError, match="risk_measure"):
        allocation_run(100, 0, risk_measure="grant")


def test_observational_uplift_recovers_a_linear_effect_without_confounding():
    rng = np.random.default_rng(4)
    n = 12_000
    w = rng.normal(size=n)
    X = pd.DataFrame({"liquidity": w + rng.normal(size=n), "indebtedness": rng.random(n),
                      "other": w})
    # theta(x) of the cash buffer: -0.02 (1 + indebtedness), linear in the levers.
    y = (-0.02 * (1 + X["indebtedness"]) * X["liquidity"] + 0.03 * X["indebtedness"]
         + 0.5 * np.sin(w) + rng.normal(scale=0.1, size=n))
    gain = observational_uplift(X, y, X.iloc[:200], n_estimators=60, seed=0)
    truth = 0.02 * (1 + X["indebtedness"].iloc[:200])
    assert np.abs(gain["cash"] - truth).max() < 0.006
    with pytest.raises(ValueError, match="y_train"):
        observational_uplift(X, y[:10], X)

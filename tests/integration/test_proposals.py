"""Tests for causalxai.integration.proposals: checks, log records, monitoring."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.integration.proposals import (
    SHOWN,
    decision_log,
    feature_checks,
    flag_summary,
    graph_id,
    monitor_relations,
    pilot_graph,
    pilot_rows,
    pilot_schema,
    service_graph,
    service_rows,
)


def _graph():
    g = nx.DiGraph([("z", "x"), ("z", "y"), ("x", "y"), ("y", "s"), ("u", "w"), ("u", "y"),
                    ("w", "y")])
    nx.set_node_attributes(g, False, "latent")
    g.nodes["u"]["latent"] = True
    return g


def test_feature_checks_allow_prescriptions_only_on_identified_levers():
    schema = ActionabilitySchema.from_dict({"features": {
        "x": {"actionable": True, "direction": "both"}, "w": {"actionable": True, "direction": "both"}, "s": {"actionable": True, "direction": "both"},
        "z": {"actionable": False}}})
    checks = feature_checks(_graph(), "y", ["x", "s", "w", "z"], schema)
    assert checks.loc["z", "label"] == "not actionable" and not checks.loc["z", "prescribe"]
    assert checks.loc["x", "label"] == "identifiable" and checks.loc["x", "prescribe"]
    assert checks.loc["x", "adjustment_set"] == "z"
    assert "z" in checks.loc["x", "shown"]
    assert checks.loc["s", "label"] == "symptom" and not checks.loc["s", "prescribe"]
    assert checks.loc["w", "label"] == "unobserved confounding"
    assert not checks.loc["w", "prescribe"] and checks.loc["w", "adjustment_set"] == ""
    assert set(checks["label"]) <= set(SHOWN)


def test_graph_id_is_a_content_hash():
    g = _graph()
    assert graph_id(g) == graph_id(nx.DiGraph(g))
    h = g.copy()
    h.nodes["u"]["latent"] = False
    assert graph_id(h) != graph_id(g)
    h = g.copy()
    h.remove_edge("x", "y")
    assert graph_id(h) != graph_id(g)


def test_decision_log_records_each_recommendation():
    gain = pd.DataFrame({"cash": [0.01, 0.03], "debt": [0.02, 0.0]}, index=[7, 8])
    risk = pd.Series([0.2, 0.4], index=[7, 8])
    log = decision_log(pd.Series({8: "cash", 7: "debt"}), gain, risk, month="2019-01",
                       strategy="pilot_uplift", model_id="m1", graph=_graph(), reason="pilot")
    assert list(log["firm_id"]) == [8, 7]
    assert list(log["predicted_gain"]) == [0.03, 0.02]
    assert list(log["score"]) == [0.4, 0.2]
    assert (log["graph_id"] == graph_id(_graph())).all()
    with pytest.raises(ValueError, match="without a gain"):
        decision_log(pd.Series({9: "cash"}), gain, risk, month="m", strategy="s",
                     model_id="m", graph=_graph())
    with pytest.raises(ValueError, match="not columns"):
        decision_log(pd.Series({7: "grant"}), gain, risk, month="m", strategy="s",
                     model_id="m", graph=_graph())


def test_monitor_flags_the_months_a_relation_breaks():
    rng = np.random.default_rng(0)
    frames = []
    months = pd.date_range("2019-01", "2020-12", freq="MS")
    for m in months:
        h = rng.normal(size=400)
        shock = m >= pd.Timestamp("2020-03")
        stw = np.where(shock, rng.random(400) < 0.8, h < -1.5).astype(float)
        frames.append(pd.DataFrame({"month": m, "a": h + rng.normal(size=400) * 0.3,
                                    "b": h + rng.normal(size=400) * 0.3, "stw": stw}))
    data = pd.concat(frames, ignore_index=True)
    out = monitor_relations(data, {"symptoms": ("a", "b"), "scheme": ("stw",),
                                   "scheme_vs_symptom": ("stw", "a")},
                            reference=("2019-01", "2019-12"))
    flagged = out[out["flag"]]
    assert set(flagged["relation"]) == {"scheme", "scheme_vs_symptom"}
    assert flagged["month"].min() == pd.Timestamp("2020-03")
    assert not out[(out["relation"] == "symptoms")]["flag"].any()
    summary = flag_summary(out, "2020-01")
    assert summary.loc["scheme", "first_flag"] == "2020-03"
    assert summary.loc["symptoms", "first_flag"] == "never"
    assert summary.loc["symptoms", "share_in_band"] == 1.0
    assert summary.loc["scheme", "share_in_band"] == 2 / 12  # Jan and Feb 2020 only
    with pytest.raises(ValueError, match="flag"):
        flag_summary(out.drop(columns="flag"), "2020-01")
    with pytest.raises(ValueError, match="relation"):
        monitor_relations(data, {"bad": ("nope",)}, reference=("2019-01", "2019-12"))
    with pytest.raises(ValueError, match="before it starts"):
        monitor_relations(data, {"s": ("stw",)}, reference=("2019-12", "2019-01"))


@pytest.fixture(scope="module")
def firm_panel():
    from causalxai.firms import Config, FirmSimulator

    return FirmSimulator(Config(n_firms=600)).simulate(seed=0)


def test_service_rows_are_the_graph_s_observed_features_with_a_known_outcome(firm_panel):
    from causalxai.firms import FEATURE_NODES

    X, y = service_rows(firm_panel, "2016-01", "2017-12")
    assert list(X.columns) == list(FEATURE_NODES) and X.notna().all().all()
    assert X.index.equals(y.index) and set(np.unique(y)) <= {0, 1} and y.dtype.kind == "i"
    months = firm_panel.features.loc[X.index, "month"]
    assert months.min() >= pd.Timestamp("2016-01") and months.max() <= pd.Timestamp("2017-12")
    assert set(months.dt.month) == {1, 4, 7, 10}
    graph = service_graph()
    assert "covid_regime" not in graph and set(FEATURE_NODES) <= set(graph)
    assert all(graph.nodes[f]["latent"] is False for f in FEATURE_NODES)


def test_the_prescriber_abstains_on_the_firm_levers_the_latent_quality_confounds(firm_panel):
    import warnings

    from causalxai.firms import firm_actionability
    from causalxai.prescribe.prescriber import Prescriber

    X, y = service_rows(firm_panel, "2016-01", "2017-12")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rx = Prescriber(graph=service_graph(), actionability=firm_actionability(),
                        outcome="failure", n_bootstrap=0).fit(X, y)
    effects = rx.effects()
    # quality and last month's health are latent common causes of every lever and health
    assert not effects["identified"].any() and effects["abstain"].all()
    recs = rx.prescribe(X.head(20), budget=1.0, k=5)
    assert recs["abstain"].all()
    assert recs["reason"].str.startswith("no lever's effect is identifiable").all()
    with pytest.raises(ValueError, match="X_new must have at least 2 rows"):
        rx.monitor(X.head(1))


def test_the_pilot_s_measures_are_identified_and_their_effect_is_the_arm_difference():
    from causalxai.prescribe.prescriber import Prescriber

    rng = np.random.default_rng(0)
    n = 900
    firms = pd.Index([f"f{i}" for i in range(n)], name="firm_id")
    frame = pd.DataFrame({"liquidity": rng.gamma(2.0, 0.5, n),
                          "indebtedness": rng.uniform(0.1, 1.2, n)}, index=firms)
    frame.iloc[:5, 0] = np.nan  # a missing yearly value: the frame's median
    risk = pd.Series(rng.uniform(0.01, 0.3, n), index=firms)
    arm = rng.choice(["none", "cash", "debt"], n)
    p = risk.to_numpy() - 0.05 * (arm == "cash") - 0.02 * (arm == "debt")
    arms = pd.DataFrame({"arm": arm, "failure": (rng.random(n) < p).astype(float)},
                        index=firms)
    X, y = pilot_rows(frame, risk, arms)
    assert list(X.columns) == ["risk_logit", "liquidity", "indebtedness", "cash", "debt"]
    assert X.notna().all().all() and X.loc["f0", "liquidity"] == frame["liquidity"].median()
    assert ((X["cash"] + X["debt"]) <= 1).all() and y.dtype.kind == "i"
    rx = Prescriber(graph=pilot_graph(), actionability=pilot_schema(), outcome="failure",
                    n_bootstrap=0).fit(X, y)
    effects = rx.effects()
    assert effects.loc["cash", "adjustment_set"] == ("debt",)
    # least squares on the two arm indicators: the difference of the arms' failure rates
    rate = arms.groupby("arm")["failure"].mean()
    assert effects.loc["cash", "effect"] == pytest.approx(rate["cash"] - rate["none"], abs=1e-9)
    assert effects.loc["debt", "effect"] == pytest.approx(rate["debt"] - rate["none"], abs=1e-9)
    now, none = pilot_rows(frame, risk)
    assert none is None and (now[["cash", "debt"]] == 0).all().all()
    with pytest.raises(ValueError, match="no column"):
        pilot_rows(frame[["liquidity"]], risk)

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

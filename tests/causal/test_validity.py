"""The causal validity labels of :mod:`causalxai.causal.validity`, and their chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.identification import is_valid_adjustment_set
from causalxai.causal.validity import (
    LABEL_COLOURS,
    LABELS,
    label_text,
    plot_labelled_importance,
    validity_labels,
)
from causalxai.names import feature_name
from causalxai.synthetic.library import SCENARIOS, make_scenario
from causalxai.synthetic.scenarios import firm_distress_toy


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def dag(edges, latent=()):
    graph = nx.DiGraph(edges)
    nx.set_node_attributes(graph, {v: v in set(latent) for v in graph}, "latent")
    return graph


def schema(**actionable):
    return ActionabilitySchema.from_dict({"features": {
        name: {"actionable": flag, "direction": "both" if flag else "none"}
        for name, flag in actionable.items()
    }})


def toy_labels(strength=1.0, with_schema=True):
    scenario = firm_distress_toy(strength)
    return scenario, validity_labels(scenario.scm.graph, scenario.outcome, scenario.features,
                                     scenario.schema if with_schema else None)


# The firm-distress toy -------------------------------------------------------------------
def test_firm_distress_toy_gets_one_label_per_failure_mode():
    scenario, table = toy_labels()
    assert list(table.index) == scenario.features
    assert list(table.columns) == ["label", "text", "adjustment_set", "causes_outcome", "note"]
    assert table["label"].to_dict() == {
        "demand": "not actionable",
        "firm_age": "not actionable",
        "cash_buffer": "unobserved confounding",
        "debt_ratio": "identifiable",
        "interest_burden": "mediator",
        "late_payments": "symptom",
    }
    assert table.loc["cash_buffer", "adjustment_set"] is None
    assert "firm_age" in table.loc["debt_ratio", "adjustment_set"]
    assert table.loc["debt_ratio", "text"] == "identifiable (adjust for firm_age)"
    assert "debt_ratio" in table.loc["interest_burden", "note"]
    assert table["causes_outcome"].to_dict() == {f: f != "late_payments" for f in table.index}
    assert table["causes_outcome"].dtype == bool


def test_every_given_adjustment_set_is_valid_for_the_feature():
    scenario, table = toy_labels()
    graph = scenario.scm.graph
    for feature, z in table["adjustment_set"].items():
        if z is not None and nx.has_path(graph, feature, scenario.outcome):
            assert isinstance(z, tuple) and list(z) == sorted(z)
            assert is_valid_adjustment_set(graph, feature, scenario.outcome, z)


def test_labels_are_about_the_graph_not_the_weights():
    # Strength 0 gives the confounding edges weight 0, but they are still in the graph.
    scenario, table = toy_labels(strength=0.0)
    assert scenario.scm.weights[("management", "cash_buffer")] == 0.0
    assert table.loc["cash_buffer", "label"] == "unobserved confounding"
    assert table["label"].equals(toy_labels(strength=1.0)[1]["label"])


def test_without_a_schema_every_other_feature_is_a_lever():
    _, table = toy_labels(with_schema=False)
    assert table.loc["firm_age", "label"] == "identifiable"
    assert table.loc["debt_ratio", "label"] == "mediator"  # firm_age -> debt_ratio -> distress
    assert table.loc["debt_ratio", "adjustment_set"] == ("firm_age",)
    assert table.loc["late_payments", "label"] == "symptom"


# Each label on a small graph -------------------------------------------------------------
def test_each_label_on_a_hand_built_graph():
    graph = dag([("C", "X"), ("C", "Y"), ("X", "Y"), ("Y", "S"), ("U", "K"), ("U", "Y"),
                 ("K", "Y"), ("L", "M"), ("M", "Y"), ("N", "Y")], latent=["U"])
    table = validity_labels(graph, "Y", ["C", "X", "S", "K", "L", "M", "N"],
                            schema(C=False, X=True, S=True, K=True, L=True, M=True, N=False))
    assert table["label"].to_dict() == {
        "C": "not actionable", "X": "identifiable", "S": "symptom",
        "K": "unobserved confounding", "L": "identifiable", "M": "mediator",
        "N": "not actionable",
    }
    assert table.loc["X", "adjustment_set"] == ("C",)
    assert table.loc["C", "adjustment_set"] == ()
    assert table.loc["L", "text"] == "identifiable (adjust for nothing)"
    assert table.loc["M", "adjustment_set"] == ()
    assert table.loc["N", "adjustment_set"] == ()
    for key in ("mediator", "symptom", "unobserved confounding", "not actionable"):
        assert (table.loc[table["label"] == key, "text"] == LABELS[key]).all()


def test_a_feature_without_a_path_to_the_outcome_has_a_zero_identified_effect():
    graph = dag([("A", "Y"), ("U", "Z"), ("U", "Y")], latent=["U"])
    table = validity_labels(graph, "Y", ["A", "Z"])
    assert table.loc["Z", "label"] == "no causal path"
    assert table.loc["Z", "text"] == "no causal path to the outcome — not a lever"
    assert not table.loc["Z", "causes_outcome"]
    assert table.loc["Z", "adjustment_set"] == ()
    assert "zero" in table.loc["Z", "note"]


# Precedence ----------------------------------------------------------------------------
def test_symptom_comes_before_not_actionable():
    table = validity_labels(dag([("X", "Y"), ("Y", "S")]), "Y", ["X", "S"],
                            schema(X=True, S=False))
    assert table.loc["S", "label"] == "symptom"


def test_not_actionable_comes_before_unobserved_confounding_and_keeps_the_information():
    graph = dag([("U", "K"), ("U", "Y"), ("K", "Y"), ("C", "X"), ("C", "Y"), ("X", "Y")],
                latent=["U"])
    table = validity_labels(graph, "Y", ["K", "X", "C"], schema(K=False, X=False, C=True))
    assert table.loc["K", "label"] == "not actionable"
    assert table.loc["K", "adjustment_set"] is None
    assert "not identifiable" in table.loc["K", "note"]
    assert table.loc["X", "label"] == "not actionable"
    assert table.loc["X", "adjustment_set"] == ("C",)


def test_unobserved_confounding_comes_before_mediator():
    graph = dag([("L", "M"), ("M", "Y"), ("U", "M"), ("U", "Y")], latent=["U"])
    table = validity_labels(graph, "Y", ["L", "M"], schema(L=True, M=True))
    assert table.loc["M", "label"] == "unobserved confounding"
    assert table.loc["L", "label"] == "identifiable"


def test_a_mediator_needs_an_actionable_lever_upstream():
    graph = dag([("L", "M"), ("M", "Y"), ("L", "Y")])
    assert validity_labels(graph, "Y", ["L", "M"], schema(L=True, M=True)).loc[
        "M", "label"] == "mediator"
    table = validity_labels(graph, "Y", ["L", "M"], schema(L=False, M=True))
    assert table.loc["M", "label"] == "identifiable"
    assert table.loc["M", "adjustment_set"] == ("L",)
    # Without a schema, any other feature is a lever.
    assert validity_labels(graph, "Y", ["L", "M"]).loc["M", "label"] == "mediator"
    assert validity_labels(graph, "Y", ["M"]).loc["M", "label"] == "identifiable"


def test_a_mediator_note_names_the_lever_and_its_own_identification():
    graph = dag([("C", "M"), ("C", "Y"), ("L", "M"), ("M", "Y")])
    table = validity_labels(graph, "Y", ["C", "L", "M"], schema(C=False, L=True, M=True))
    row = table.loc["M"]
    assert row["label"] == "mediator"
    assert row["adjustment_set"] == ("C",)
    assert "L" in row["note"] and "adjusting for C" in row["note"]


# Input checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "features", "message"),
    [
        ("Q", ["X"], "outcome 'Q'"),
        ("Y", ["X", "nope"], "feature 'nope' is not a node"),
        ("Y", ["U"], "feature 'U' is latent"),
        ("Y", ["Y"], "feature 'Y' is the outcome"),
        ("Y", ["X", "X"], "feature 'X' is listed twice"),
    ],
)
def test_bad_inputs_are_named(outcome, features, message):
    graph = dag([("U", "X"), ("X", "Y")], latent=["U"])
    with pytest.raises(ValueError, match=message):
        validity_labels(graph, outcome, features)


def test_features_missing_from_the_schema_are_named():
    with pytest.raises(ValueError, match="'X' is not in the actionability schema"):
        validity_labels(dag([("X", "Y"), ("W", "Y")]), "Y", ["W", "X"], schema(W=True))


def test_label_texts():
    assert set(LABELS) == set(LABEL_COLOURS) == {
        "identifiable", "mediator", "symptom", "no causal path", "unobserved confounding",
        "not actionable"}
    assert label_text("identifiable", ("a", "b")) == "identifiable (adjust for a, b)"
    assert label_text("identifiable", ()) == "identifiable (adjust for nothing)"
    assert label_text("mediator") == "mediator (total ≠ direct effect)"
    with pytest.raises(ValueError, match="'lever'"):
        label_text("lever")


# The chart ------------------------------------------------------------------------------
def test_plot_draws_one_sorted_bar_per_feature_coloured_by_label():
    scenario, table = toy_labels()
    rng = np.random.default_rng(0)
    importance = pd.Series(rng.uniform(0.1, 2.0, len(table)), index=scenario.features)
    ax = plot_labelled_importance(importance, table)
    bars = sorted(ax.containers[0].patches, key=lambda r: -r.get_y())  # top bar first
    assert len(bars) == len(importance)
    expected = importance.sort_values(ascending=False)
    np.testing.assert_allclose([b.get_width() for b in bars], expected.to_numpy())
    ticks = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    shown = [ticks[round(b.get_y() + b.get_height() / 2)] for b in bars]
    assert shown == [feature_name(f) for f in expected.index]  # human names
    names = list(expected.index)
    for bar, name in zip(bars, names, strict=True):
        assert bar.get_facecolor() == to_rgba(LABEL_COLOURS[table.loc[name, "label"]])
    texts = {t.get_text().strip() for t in ax.texts}
    assert set(table["text"]) <= texts
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend == {LABELS[k] for k in set(table["label"])}


def test_plot_rejects_features_without_a_label_and_non_finite_importance():
    _, table = toy_labels()
    with pytest.raises(ValueError, match="ghost"):
        plot_labelled_importance(pd.Series({"ghost": 1.0}), table)
    with pytest.raises(ValueError, match="debt_ratio"):
        plot_labelled_importance(pd.Series({"debt_ratio": np.nan}), table)


# Every scenario of the library: the labels agree with the roles its story gives ------------
EXPECTED = {
    "symptom": {"symptom"},
    "collider": {"symptom"},  # caused by the outcome, hence a descendant of it
    "mediator": {"mediator"},
    "confounded lever": {"unobserved confounding"},
    "non-actionable": {"not actionable"},
    "confounder": {"not actionable"},
    "effect modifier": {"not actionable"},
    "proxy": {"no causal path"},
    "redundant proxy": {"no causal path"},
    "lever": {"identifiable"},
    "lever via mediator": {"identifiable"},
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_labels_agree_with_the_roles_of_every_scenario(name):
    sc = make_scenario(name)
    table = validity_labels(sc.scm.graph, sc.outcome, sc.features, sc.schema)
    for feature, role in sc.roles.items():
        assert table.loc[feature, "label"] in EXPECTED[role], (name, feature, role)
        if table.loc[feature, "label"] == "identifiable":
            assert table.loc[feature, "adjustment_set"] is not None

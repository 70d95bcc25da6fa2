"""The named scenarios of :mod:`causalxai.synthetic.scenarios` agree with their causal graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from causalxai.causal.scm import SCM, Node, normal, total_effect_linear
from causalxai.synthetic.library import SCENARIOS, make_scenario
from causalxai.synthetic.scenarios import (
    FAMILIES,
    ROLES,
    Scenario,
    firm_distress_toy,
    true_effects,
)

SETTINGS = settings(max_examples=20, deadline=None)
LEVERS = ("lever", "confounded lever", "lever via mediator")


def by_role(scenario: Scenario, role: str) -> list[str]:
    return [feature for feature, r in scenario.roles.items() if r == role]


def the(scenario: Scenario, role: str) -> str:
    features = by_role(scenario, role)
    assert len(features) == 1, f"expected one {role!r}, got {features}"
    return features[0]


# Roles against the graph -------------------------------------------------------------------
def test_roles_label_exactly_the_observed_features():
    scenario = firm_distress_toy()
    scm = scenario.scm
    assert scenario.outcome in scm.observed
    assert set(scenario.roles) == set(scenario.features)
    assert scenario.outcome not in scenario.roles
    assert not set(scenario.roles) & set(scm.latent)
    assert set(scenario.roles.values()) <= set(ROLES)
    assert scenario.features == [v for v in scm.observed if v != scenario.outcome]
    assert scm.latent == ("management",)


def test_symptom_is_a_consequence_of_the_outcome():
    scenario = firm_distress_toy()
    scm, symptom = scenario.scm, the(scenario, "symptom")
    assert symptom in scm.descendants(scenario.outcome)
    assert symptom not in scm.ancestors(scenario.outcome)


def test_mediator_carries_the_whole_effect_of_its_lever():
    scenario = firm_distress_toy()
    graph, outcome = scenario.scm.graph, scenario.outcome
    lever, mediator = the(scenario, "lever via mediator"), the(scenario, "mediator")
    assert not graph.has_edge(lever, outcome)
    paths = list(nx.all_simple_paths(graph, lever, outcome))
    assert paths, "the lever must cause the outcome"
    assert all(mediator in path[1:-1] for path in paths)


def test_confounders_are_common_causes():
    scenario = firm_distress_toy()
    scm, outcome = scenario.scm, scenario.outcome
    levers = {f for role in LEVERS for f in by_role(scenario, role)}
    confounder = the(scenario, "confounder")
    assert outcome in scm.children(confounder)
    assert levers & set(scm.children(confounder))


@pytest.mark.parametrize("strength", [0.3, 1.0, 2.5])
def test_confounded_lever_shares_a_latent_cause_with_the_outcome(strength):
    scenario = firm_distress_toy(strength)
    scm, outcome = scenario.scm, scenario.outcome
    lever, weights = the(scenario, "confounded lever"), scenario.scm.weights
    shared = [h for h in scm.latent if h in scm.parents(lever) and h in scm.parents(outcome)]
    assert shared == ["management"]
    assert weights[("management", lever)] != 0 and weights[("management", outcome)] != 0
    assert outcome in scm.children(lever)


def test_non_actionable_and_levers_are_causes_of_the_outcome():
    scenario = firm_distress_toy()
    ancestors = scenario.scm.ancestors(scenario.outcome)
    for feature, role in scenario.roles.items():
        if role != "symptom":
            assert feature in ancestors, (feature, role)


# True effects -----------------------------------------------------------------------------------
def assert_effects_match_closed_form(scenario: Scenario, effects: pd.DataFrame, delta: float):
    assert list(effects.index) == scenario.features
    assert list(effects.columns) == ["effect", "std_error"]
    for feature in scenario.features:
        closed = total_effect_linear(scenario.scm, feature, scenario.outcome)
        assert effects.loc[feature, "effect"] == pytest.approx(delta * closed, abs=1e-9)
        assert effects.loc[feature, "std_error"] < 1e-9  # common random numbers: no MC error


@SETTINGS
@given(st.floats(0.0, 3.0, allow_nan=False), st.floats(-2.0, 2.0, allow_nan=False))
def test_true_effects_match_the_closed_form(strength, delta):
    scenario = firm_distress_toy(strength)
    effects = true_effects(scenario, delta=delta, n=200, seed=5)
    assert_effects_match_closed_form(scenario, effects, delta)


def test_true_effects_by_hand():
    """Sums over directed paths of the weight products, read off the model's weights."""
    effects = true_effects(firm_distress_toy(), n=100)["effect"]
    expected = {
        "demand": -0.5 + 0.6 * -0.5,
        "firm_age": -0.4 + 0.4 * -0.5 + -0.3 * 0.9 * 0.6,
        "cash_buffer": -0.5,
        "debt_ratio": 0.9 * 0.6,
        "interest_burden": 0.6,
        "late_payments": 0.0,
    }
    pd.testing.assert_series_equal(
        effects, pd.Series(expected, name="effect")[effects.index], atol=1e-9, rtol=0
    )


def test_confounding_strength_scales_the_latent_edges():
    for strength in (0.0, 0.5, 2.0):
        scm = firm_distress_toy(strength).scm
        assert scm.weights[("management", "cash_buffer")] == pytest.approx(0.8 * strength)
        assert scm.weights[("management", "distress")] == pytest.approx(-0.6 * strength)
        # management -> distress directly and through the cash buffer
        assert total_effect_linear(scm, "management", "distress") == pytest.approx(
            -0.6 * strength + 0.8 * strength * -0.5
        )
    none = firm_distress_toy(0.0)
    assert total_effect_linear(none.scm, "management", "distress") == 0.0
    assert total_effect_linear(none.scm, "management", "cash_buffer") == 0.0
    # without confounding, management no longer moves any observed node
    for node in none.scm.observed:
        assert total_effect_linear(none.scm, "management", node) == 0.0
    # the effects of the features do not depend on the confounding
    pd.testing.assert_frame_equal(
        true_effects(none, n=100), true_effects(firm_distress_toy(2.0), n=100), atol=1e-9
    )


@pytest.mark.parametrize("bad", [-0.1, -1.0, float("nan"), float("inf"), -float("inf")])
def test_invalid_confounding_strength_is_rejected(bad):
    with pytest.raises(ValueError, match="confounding_strength"):
        firm_distress_toy(bad)


# Sampling ---------------------------------------------------------------------------------------
def test_sample_returns_the_observed_features_and_the_outcome():
    scenario = firm_distress_toy()
    X, y = scenario.sample(300, seed=11)
    assert list(X.columns) == scenario.features
    assert scenario.outcome not in X.columns and "management" not in X.columns
    assert y.name == scenario.outcome
    assert len(X) == len(y) == 300
    pd.testing.assert_index_equal(X.index, y.index)
    full = scenario.scm.sample(300, seed=11)
    pd.testing.assert_frame_equal(X, full[scenario.features])
    pd.testing.assert_series_equal(y, full[scenario.outcome])


def test_sample_is_reproducible_by_seed():
    scenario = firm_distress_toy()
    X1, y1 = scenario.sample(200, seed=3)
    X2, y2 = scenario.sample(200, seed=3)
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)
    X3, _ = scenario.sample(200, seed=4)
    assert not np.allclose(X1.to_numpy(), X3.to_numpy())


# Metadata added with the scenario library --------------------------------------------------------
ORIGINAL_ROLES = ("lever", "confounded lever", "mediator", "lever via mediator", "confounder",
                  "symptom", "non-actionable")


def test_original_roles_are_kept():
    assert set(ORIGINAL_ROLES) <= set(ROLES)
    assert ROLES["symptom"] == "consequence of the outcome: predicts it, cannot change it"


def test_positional_construction_keeps_its_defaults():
    toy = firm_distress_toy()
    bare = Scenario("bare", toy.scm, "distress", dict(toy.roles))
    assert bare.family == "toy" and bare.params == {} and bare.failure == ""
    assert bare.display_names == {} and bare.noise_nodes == () and bare.schema is None
    assert bare.features == toy.features


def test_scenario_rejects_an_unknown_family_and_observed_noise_nodes():
    toy = firm_distress_toy()
    with pytest.raises(ValueError, match="unknown family 'confounded'"):
        Scenario("x", toy.scm, "distress", toy.roles, family="confounded")
    with pytest.raises(ValueError, match="noise node 'cash_buffer'"):
        Scenario("x", toy.scm, "distress", toy.roles, noise_nodes=("cash_buffer",))
    assert "toy" in FAMILIES


def test_toy_is_in_the_registry_with_its_parameters():
    assert SCENARIOS["firm_distress_toy"] is firm_distress_toy
    built = make_scenario("firm_distress_toy", confounding_strength=2.0)
    assert built.family == "toy" and built.params == {"confounding_strength": 2.0}
    assert built.scm.weights == firm_distress_toy(2.0).scm.weights


def test_with_role_lists_the_features_of_a_role():
    toy = firm_distress_toy()
    assert toy.with_role("symptom") == ["late_payments"]
    assert toy.with_role("collider") == []
    with pytest.raises(ValueError, match="unknown role 'lever!'"):
        toy.with_role("lever!")


@SETTINGS
@given(st.floats(-3.0, 3.0, allow_nan=False), st.floats(-2.0, 2.0, allow_nan=False))
def test_true_effects_of_a_binary_outcome_are_on_the_probability(weight, delta):
    """``Y ~ Bernoulli(sigmoid(w X))``: the effect of ``X := X + delta`` on ``P(Y = 1)``
    is ``E[sigmoid(w (X + delta)) - sigmoid(w X)]`` over the same units."""
    scm = SCM([
        Node("x", noise=normal(1.0)),
        Node("failure", ("x",), lambda p: weight * p["x"], link="bernoulli_logit"),
    ])
    scenario = Scenario("binary", scm, "failure", {"x": "lever"})
    effects = true_effects(scenario, delta=delta, n=2_000, seed=3)
    x = scm.sample(2_000, seed=3)["x"].to_numpy()
    expected = np.mean(expit(weight * (x + delta)) - expit(weight * x))
    assert effects.loc["x", "effect"] == pytest.approx(expected, abs=1e-12)
    assert -1 <= effects.loc["x", "effect"] <= 1

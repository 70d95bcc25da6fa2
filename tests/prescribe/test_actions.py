"""Actions read the schema: bounds, directions, costs; clear errors naming the item."""

import numpy as np
import pandas as pd
import pytest

from causalxai.causal.actionability import ActionabilitySchema, SchemaError
from causalxai.prescribe.actions import Action, candidate_actions, check_schema

SCHEMA = ActionabilitySchema.from_dict({"features": {
    "cash": {"actionable": True, "direction": "increase", "high": 1.0, "unit_cost": 2.0},
    "debt": {"actionable": True, "direction": "decrease", "low": 0.0},
    "loan": {"actionable": True, "direction": "increase", "unit_cost": 0.7},
    "age": {"actionable": False},
}})
X = pd.DataFrame({"cash": [0.0, 0.8, 2.0], "debt": [0.3, 1.0, 2.0],
                  "loan": [0.0, 1.0, 0.0], "age": [1.0, 2.0, 3.0]})


def test_shift_is_clipped_to_the_bounds_and_costs_unit_cost_times_change():
    a = Action("cash", "shift", 0.5)
    # 0.8 + 0.5 is clipped at 1.0; 2.0 is already above the bound and may not decrease
    np.testing.assert_allclose(a.new_values(X, SCHEMA), [0.5, 1.0, 2.0])
    np.testing.assert_allclose(a.cost(X, SCHEMA), [1.0, 0.4, 0.0])


def test_a_shift_never_moves_a_unit_outside_the_bounds_by_more_than_its_amount():
    below = pd.DataFrame({"cash": [-3.0, -0.2], "debt": [-1.0, 0.5],
                          "loan": [0.0, 1.0], "age": [1.0, 1.0]})
    schema = ActionabilitySchema.from_dict({"features": {
        "cash": {"actionable": True, "direction": "increase", "low": 0.0, "high": 1.0,
                 "unit_cost": 2.0},
        "debt": {"actionable": True, "direction": "decrease", "low": 0.0},
        "loan": {"actionable": True, "direction": "increase", "unit_cost": 0.7},
        "age": {"actionable": False}}})
    # -3 + 0.5 stays below the bound (no jump to 0 at cost 6); -0.2 + 0.5 = 0.3
    np.testing.assert_allclose(Action("cash", "shift", 0.5).new_values(below, schema),
                               [-2.5, 0.3])
    np.testing.assert_allclose(Action("cash", "shift", 0.5).cost(below, schema), [1.0, 1.0])


def test_a_change_against_the_direction_is_not_made():
    np.testing.assert_allclose(Action("debt", "shift", 0.5).new_values(X, SCHEMA),
                               X["debt"])
    np.testing.assert_allclose(Action("debt", "set", 0.5).new_values(X, SCHEMA),
                               [0.3, 0.5, 0.5])


def test_switch_respects_direction():
    np.testing.assert_allclose(Action("loan", "switch").new_values(X, SCHEMA), [1, 1, 1])
    with pytest.raises(ValueError, match="needs a 0/1 feature; 'debt'"):
        Action("debt", "switch").new_values(X, SCHEMA)


def test_non_actionable_feature_is_refused_by_name():
    with pytest.raises(SchemaError, match="'age' is not actionable"):
        Action("age", "shift", 1.0).new_values(X, SCHEMA)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        Action("cash", "nudge", 1.0)


def test_candidates_never_cost_more_than_the_budget():
    for budget in (0.1, 1.0, 5.0):
        acts = candidate_actions(X, SCHEMA, budget)
        assert {a.feature for a in acts} <= {"cash", "debt", "loan"}
        for a in acts:
            assert np.all(a.cost(X, SCHEMA) <= budget + 1e-12)


def test_a_budget_below_every_cost_leaves_no_candidate():
    assert candidate_actions(X, SCHEMA, 0.0) == []
    assert [a.feature for a in candidate_actions(X, SCHEMA, 0.5)].count("loan") == 0


def test_schema_naming_an_unknown_feature_is_an_error_naming_it():
    with pytest.raises(SchemaError, match=r"unknown feature.*'age'"):
        check_schema(SCHEMA, ["cash", "debt", "loan"])


def test_impossible_bounds_are_errors_naming_the_feature():
    with pytest.raises(SchemaError, match="feature 'cash': low"):
        ActionabilitySchema.from_dict({"features": {
            "cash": {"actionable": True, "direction": "increase", "low": 2, "high": 1}}})
    flat = ActionabilitySchema.from_dict({"features": {
        "cash": {"actionable": True, "direction": "increase", "low": 1, "high": 1}}})
    with pytest.raises(SchemaError, match="feature 'cash': bounds low = high"):
        check_schema(flat, ["cash"])


def test_negative_budget_is_refused():
    with pytest.raises(ValueError, match="budget must be finite and >= 0"):
        candidate_actions(X, SCHEMA, -1.0)

"""Actionability schema: parsing, validation, allowed changes."""

from __future__ import annotations

import math

import pytest

from causalxai.causal.actionability import ActionabilitySchema, FeatureAction, SchemaError

YAML = """
features:
  cash_buffer: {actionable: true, direction: increase, low: 0, high: 10, unit_cost: 2.5, tier: 1}
  debt_ratio: {actionable: true, direction: decrease}
  hours: {actionable: true, direction: both}
  firm_age: {actionable: false, tier: 0}
"""


def test_yaml_round_trip(tmp_path):
    schema = ActionabilitySchema.from_yaml(YAML)
    assert schema.actionable() == ["cash_buffer", "debt_ratio", "hours"]
    assert schema["cash_buffer"].unit_cost == 2.5 and schema["cash_buffer"].tier == 1
    assert schema["firm_age"].direction == "none" and math.isinf(schema["firm_age"].high)
    path = tmp_path / "schema.yaml"
    path.write_text(YAML)
    assert ActionabilitySchema.from_yaml(path) == schema
    assert ActionabilitySchema.from_dict(schema.to_dict()) == schema


@pytest.mark.parametrize("feature, delta, allowed", [
    ("cash_buffer", 1.0, True), ("cash_buffer", -1.0, False), ("debt_ratio", -0.5, True),
    ("debt_ratio", 0.5, False), ("hours", -3, True), ("hours", 3, True),
    ("firm_age", 1, False), ("firm_age", 0, True),
])
def test_allowed_directions(feature, delta, allowed):
    assert ActionabilitySchema.from_yaml(YAML)[feature].allows(delta) is allowed


@pytest.mark.parametrize("spec, message", [
    ({"actionable": True}, "needs a direction"),
    ({"actionable": False, "direction": "increase"}, "must have direction 'none'"),
    ({"actionable": True, "direction": "up"}, "direction must be one of"),
    ({"actionable": True, "direction": "both", "low": 2, "high": 1}, "must not exceed"),
    ({"actionable": True, "direction": "both", "unit_cost": -1}, "unit_cost"),
    ({"tier": -1}, "tier"),
    ({"colour": "red"}, r"unknown field\(s\) \['colour'\]"),
])
def test_malformed_features_are_named(spec, message):
    with pytest.raises(SchemaError, match=message) as info:
        ActionabilitySchema.from_dict({"features": {"x1": spec}})
    assert "'x1'" in str(info.value)


def test_malformed_documents(tmp_path):
    with pytest.raises(SchemaError, match="not found"):
        ActionabilitySchema.from_yaml(tmp_path / "nope.yaml")
    with pytest.raises(SchemaError, match="'features' mapping"):
        ActionabilitySchema.from_dict({"feature": {}})
    with pytest.raises(KeyError, match="'nope' is not in the actionability schema"):
        ActionabilitySchema.from_yaml(YAML)["nope"]


def test_columns_must_match_the_data():
    schema = ActionabilitySchema.from_yaml(YAML)
    schema.check_columns(["cash_buffer", "debt_ratio", "hours", "firm_age"])
    with pytest.raises(SchemaError, match="not in the data: hours; not in the schema: sector"):
        schema.check_columns(["cash_buffer", "debt_ratio", "firm_age", "sector"])


def test_feature_action_defaults_to_not_actionable():
    action = FeatureAction("x")
    assert not action.actionable and action.direction == "none" and not action.allows(1)

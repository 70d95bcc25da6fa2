"""The oracle finds the known optimum; evaluation applies do() in the true SCM."""

import numpy as np
import pandas as pd
import pytest

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.scm import SCM
from causalxai.prescribe.oracle import Truth, evaluate, oracle_actions, summarise

# y = 2 a + m - b, m = 0.5 a: the total effect of a is 2.5, of b is -1
SCM_ = SCM.linear_gaussian({("a", "y"): 2.0, ("a", "m"): 0.5, ("m", "y"): 1.0,
                            ("b", "y"): -1.0})
SCHEMA = ActionabilitySchema.from_dict({"features": {
    "a": {"actionable": True, "direction": "decrease", "unit_cost": 1.0},
    "b": {"actionable": True, "direction": "increase", "unit_cost": 0.25},
    "m": {"actionable": False},
}})
FEATURES = ["a", "b", "m"]


def test_oracle_finds_the_closed_form_optimum():
    truth = Truth.draw(SCM_, 50, seed=1, outcome="y")
    # budget 0.5: a can move 0.5 (gain 2.5 * 0.5 = 1.25), b can move 2 (gain 2): b wins
    best = oracle_actions(truth, FEATURES, SCHEMA, 0.5)
    assert (best["feature"] == "b").all()
    np.testing.assert_allclose(best["improvement"], 2.0)
    np.testing.assert_allclose(best["new_value"], truth.values["b"] + 2.0)
    np.testing.assert_allclose(best["cost"], 0.5)
    # b capped at 3 units by the grid (a free-lever cap): with budget 2, a's gain 5 wins
    best = oracle_actions(truth, FEATURES, SCHEMA, 2.0)
    assert (best["feature"] == "a").all()
    np.testing.assert_allclose(best["improvement"], 5.0)


def test_mediated_effect_is_propagated_to_the_descendants():
    truth = Truth.draw(SCM_, 20, seed=2, outcome="y")
    [change] = truth.changes([("a", truth.values["a"] - 1.0)])
    np.testing.assert_allclose(change, -2.5)


def test_oracle_with_no_budget_recommends_nothing():
    truth = Truth.draw(SCM_, 10, seed=3, outcome="y")
    best = oracle_actions(truth, FEATURES, SCHEMA, 0.0)
    assert best["feature"].isna().all() and (best["improvement"] == 0).all()


def test_evaluate_scores_validity_regret_and_abstention():
    truth = Truth.draw(SCM_, 4, seed=4, outcome="y")
    best = oracle_actions(truth, FEATURES, SCHEMA, 0.5)
    x = truth.values
    recs = pd.DataFrame({
        "feature": ["a", "b", None, "a"],
        "new_value": [x["a"].iat[0] - 0.5, x["b"].iat[1] + 2.0, np.nan, x["a"].iat[3] + 0.0],
        "cost": [0.5, 0.5, np.nan, 0.0],
        "abstain": [False, False, True, False],
    }, index=x.index)
    scores = evaluate(recs, truth, best)
    np.testing.assert_allclose(scores["improvement"], [1.25, 2.0, 0.0, 0.0])
    np.testing.assert_allclose(scores["regret"], [0.75, 0.0, 2.0, 2.0])
    assert scores["valid"].tolist()[:2] == [1.0, 1.0] and scores["valid"].iat[3] == 0.0
    assert scores["abstention_correct"].iat[2] == 0.0  # an action would have helped
    line = summarise(scores)
    assert line["abstention_rate"] == pytest.approx(0.25)
    assert line["validity"] == pytest.approx(2 / 3)
    assert line["regret"] == pytest.approx(4.75 / 4)


def test_truth_checks_its_inputs():
    with pytest.raises(ValueError, match="outcome 'z' is not a node"):
        Truth.draw(SCM_, 5, 0, outcome="z")
    with pytest.raises(ValueError, match="goal must be one of"):
        Truth.draw(SCM_, 5, 0, outcome="y", goal="up")

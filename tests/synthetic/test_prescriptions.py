"""The prescription study: every strategy scored against the oracle of the true SCM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.synthetic.library import make_scenario
from causalxai.synthetic.prescriptions import (
    DATA_STRATEGIES,
    STRATEGY_ORDER,
    best_causal,
    prescription_study,
    prescription_table,
)


@pytest.fixture(scope="module")
def study():
    return prescription_study(make_scenario("symptom"), seeds=(0, 1), n_train=400,
                              n_units=30, n_models=3)


def test_no_strategy_beats_the_oracle_and_the_true_scm_matches_it(study):
    # the oracle searches the same action grid in the true SCM: nobody can do better
    assert (study.scores["regret"] >= -1e-9).all()
    true_scm = study.scores[study.scores["strategy"] == "recourse_true_scm"]
    # linear SCM with additive noise: the expected and the counterfactual change coincide
    np.testing.assert_allclose(true_scm["regret"], 0.0, atol=1e-9)


def test_the_symptoms_mislead_shap_greedy_but_not_the_causal_strategies(study):
    closing = best_causal(prescription_table([study]))
    row = closing.loc["symptom"]
    assert row["best_causal"] in DATA_STRATEGIES
    assert row["regret_causal"] <= row["regret_shap_greedy"] / 3
    assert row["validity_causal"] >= 0.95
    # levers without a causal path to distress are left out, with the reason
    excluded = study.excluded["recourse_fitted_scm"]
    assert "late_payments" in excluded and "no causal path" in excluded["late_payments"]


def test_the_table_has_every_strategy_in_order_with_rates_in_the_unit_interval(study):
    table = prescription_table([study])
    assert list(table.index.get_level_values("strategy")) == list(STRATEGY_ORDER)
    for column in ("validity", "abstention_rate"):
        values = table[column].dropna()
        assert ((values >= 0) & (values <= 1)).all()
    assert table["regret_sd"].notna().all()  # two seeds: a spread


def test_bad_sizes_are_errors_naming_the_parameter():
    with pytest.raises(ValueError, match="n_units must be an integer >= 10"):
        prescription_study(make_scenario("symptom"), seeds=(0,), n_units=5)
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        prescription_study(make_scenario("symptom"), seeds=())


def test_seed_setting_draws_units_in_trouble_and_their_oracle_reproducibly():
    from causalxai.synthetic.library import make_scenario
    from causalxai.synthetic.prescriptions import seed_setting

    sc = make_scenario("observed_confounding")
    X, y, truth, units, oracle, model = seed_setting(sc, 3, n_train=300, n_units=40, budget=1.0)
    assert len(X) == len(y) == 300 and len(units) == len(oracle) == 40
    assert list(units.columns) == list(sc.features)
    # in trouble: each unit's true expected distress is above the population's median
    population = sc.scm.sample(20_000, seed=99)
    expected = truth.scm.mean_function(sc.outcome, truth.values)
    assert (expected > np.median(sc.scm.mean_function(sc.outcome, population))).mean() > 0.9
    assert (oracle["improvement"] >= -1e-12).all()
    again = seed_setting(sc, 3, n_train=300, n_units=40, budget=1.0)
    pd.testing.assert_frame_equal(again[3], units)
    np.testing.assert_allclose(again[5].predict(X), model.predict(X))

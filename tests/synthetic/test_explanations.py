"""Which Shapley kind ranks features like their true effects (causalxai.synthetic.explanations)."""

from __future__ import annotations

import math

import pytest

from causalxai.names import SHAPLEY_KINDS, method_name
from causalxai.predict.shapley import EXPLANATIONS
from causalxai.synthetic.explanations import explanation_study, true_importance
from causalxai.synthetic.library import make_scenario


def test_true_importance_of_the_mediator_scenario_is_the_closed_form():
    """Linear-Gaussian mediator: debt (sd 1) acts through interest with total effect
    0.9 x 0.6 = 0.54; interest has sd sqrt(0.9**2 + 0.3**2) and effect 0.6; cash (sd 1)
    has effect -0.4. A one-sd shift moves distress by |effect| x sd."""
    truth = true_importance(make_scenario("mediator"), n=100_000)
    assert truth["debt_ratio"] == pytest.approx(0.54, abs=0.01)
    assert truth["interest_burden"] == pytest.approx(0.6 * math.sqrt(0.9), abs=0.01)
    assert truth["cash_buffer"] == pytest.approx(0.4, abs=0.01)


def test_symptoms_fool_marginal_shap_and_not_the_asymmetric_causal_one():
    """The symptoms have no effect (truth 0) but are the model's best inputs: the
    marginal ranking is anti-correlated with the truth; crediting causes first
    (asymmetric causal) moves the credit back to the levers."""
    st = explanation_study(make_scenario("symptom"), kinds=["marginal", "asymmetric_causal"],
                           seeds=[0], n_samples=1_000, n_explain=40, n_background=40,
                           n_estimators=50, n_truth=5_000)
    assert st.truth[["late_payments", "social_security_arrears"]].abs().max() < 1e-12
    rho = st.spearman.set_index("kind")["spearman"]
    assert rho["marginal"] < 0 < rho["asymmetric_causal"]
    summary = st.summary()
    assert list(summary.index) == ["marginal", "asymmetric_causal"]
    assert ((summary["min"] >= -1) & (summary["max"] <= 1)).all()
    table = st.mean_importance()
    assert list(table.columns) == ["truth", "marginal", "asymmetric_causal"]
    assert list(table.index) == st.scenario.features


@pytest.mark.parametrize("bad", [{"kinds": ["shapley"]}, {"kinds": []}, {"seeds": []},
                                 {"n_explain": 0}])
def test_bad_input_is_named(bad):
    with pytest.raises(ValueError, match=r"kinds|seeds|n_explain"):
        explanation_study(make_scenario("mediator"), **bad)


def test_every_kind_has_a_human_name():
    assert set(SHAPLEY_KINDS) == set(EXPLANATIONS)
    assert method_name("asymmetric_causal") == "Asymmetric causal SHAP"

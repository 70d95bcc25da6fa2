"""Prescriptions: per-unit actions under costs and budgets, scored against the true SCM.

The top of the science: reads the causal ground, the predictive models and their SHAP values.
:class:`~causalxai.prescribe.prescriber.Prescriber` puts it all behind one scikit-learn-style
object for an existing model (also ``causalxai.Prescriber``).
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "actions": ["KINDS", "Action", "candidate_actions", "candidate_pairs", "check_schema",
                "is_binary"],
    "structural": ["MECHANISMS", "bootstrap_scms", "counterfactual_changes", "fit_scm",
                   "interventions"],
    "oracle": ["GOALS", "Truth", "evaluate", "goal_sign", "oracle_actions", "summarise"],
    "strategies": [
        "CatePerLever", "CausalRecourse", "NearestCounterfactual", "PolicyTree", "Problem",
        "ShapGreedy",
        "Strategy",
    ],
    "prescriber": ["ESTIMATORS", "LEARNERS", "GraphWarning", "Prescriber",
                   "PrescriberExplanation"],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

"""Part II: named synthetic scenarios with known ground truth, the benchmark of effect methods against it, and its report.

Builds on the core layers; Part I's discovery study uses its scenarios.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "scenarios": [
        "FAMILIES", "ROLES", "Scenario", "firm_distress_toy", "poisson_quantile", "true_effects",
    ],
    "library": [
        "SCENARIOS", "collider", "heterogeneous", "make_scenario", "mediator",
        "non_actionable_correlated", "observed_confounding", "redundant_features",
        "subscriber_retention", "symptom", "unobserved_confounding",
    ],
    "benchmark": [
        "Evaluation", "Study", "evaluate", "score", "score_by_method", "shap_summary",
        "standard_methods", "study", "sweep", "targeting", "unit_effects_comparison",
    ],
    "prescriptions": [
        "DATA_STRATEGIES", "STRATEGY_ORDER", "PrescriptionStudy", "best_causal",
        "outcome_goal", "prescription_study", "prescription_table", "seed_setting",
    ],
    "explanations": ["ExplanationStudy", "explanation_study", "true_importance"],
    "shap_reading": [
        "exact_truth", "glue_shap_vs_truth", "shap_readings", "shap_vs_truth",
        "shap_vs_truth_figure",
    ],
    "report": [
        "PANELS", "estimate_table", "glue_study", "glue_table", "key", "show_study", "study_figure",
        "verdict",
    ],
    "scorecard_report": [
        "SWEEP_KEYS", "scorecard_figure", "summarize_sweep", "sweep_error", "sweep_figure",
        "sweep_listing", "sweep_overview",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

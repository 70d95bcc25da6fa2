"""Predictive models, explanations and evaluation: LightGBM factory, SHAP (numba TreeSHAP),
exact Shapley values (marginal, conditional, asymmetric, causal), AUC, bootstrap, protocols.

Layer above :mod:`causalxai.causal`; knows nothing of effect estimation.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "models": [
        "TASKS", "fit_gbm", "gbm", "infer_task",
    ],
    "metrics": [
        "alerts_at_budget", "average_precision", "bootstrap_indices", "bootstrap_weights",
        "ranking_metrics", "roc_auc",
    ],
    "protocol": [
        "Winsorizer", "repeated_splits",
    ],
    "explain": [
        "ShapReading", "draw_rows", "fit_and_explain", "mean_abs_shap", "shap_slope",
        "tree_shap",
    ],
    "treeshap": [
        "SHAP_MAX_BACKGROUND", "TreeShapUnsupported", "interventional_tree_shap",
        "shap_background",
    ],
    "shapley": [
        "EXPLANATIONS", "GRAPHS", "causal_order", "causal_shapley_linear",
        "causal_shapley_split", "exact_shapley", "expected_abs_closed_form",
        "gaussian_shapley_linear", "monte_carlo_shapley", "shapley_explanation",
        "two_feature_closed_form", "two_feature_scm",
    ],
    "coalitions": [
        "causal_values", "check_gaussian", "conditional_gaussian", "conditional_values",
        "gaussian_of_scm", "marginal_values", "scm_noise",
    ],
    "games": [
        "enumerate_shapley", "members", "order_counts", "sample_shapley",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

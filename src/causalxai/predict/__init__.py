"""Predictive models and their explanations: gradient boosting, SHAP, exact Shapley values
(marginal, conditional, asymmetric and causal).

Ground layer beside :mod:`causalxai.causal`; knows nothing of effect estimation.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "models": [
        "fit_gbm",
    ],
    "explain": [
        "mean_abs_shap", "shap_slope", "tree_shap",
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

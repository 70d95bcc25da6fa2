"""Predictive models and their explanations: gradient boosting, SHAP, exact Shapley values.

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
    "treeshap": [
        "SHAP_MAX_BACKGROUND", "TreeShapUnsupported", "interventional_tree_shap",
        "shap_background",
    ],
    "shapley": [
        "GRAPHS", "causal_shapley_linear", "conditional_gaussian", "exact_shapley",
        "expected_abs_closed_form", "gaussian_shapley_linear", "monte_carlo_shapley",
        "two_feature_closed_form", "two_feature_scm",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

"""Effect estimation from observational data: every method behind one interface, and binary-treatment estimators with sensitivity analysis.

Builds on :mod:`causalxai.causal` and :mod:`causalxai.predict`.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "effects": [
        "METHODS", "AllColumnsDML", "AllColumnsRegression", "DoWhyBackdoor", "EffectEstimate",
        "EffectMethod", "GraphDML", "NaiveRegression", "PartialDependence", "ShapSlope",
        "default_methods", "estimates_table", "nuisance_model",
    ],
    "refute": [
        "REFUTERS", "linear_refutations", "refutation_p_value",
    ],
    "benchmarks": [
        "DATA_SHA256", "LALONDE_COVARIATES", "LALONDE_EXPERIMENTAL_PUBLISHED",
        "LALONDE_OUTCOME_RHS", "LALONDE_PS_RHS", "NHEFS_CONFOUNDERS", "NHEFS_CONFOUNDERS_RHS",
        "NHEFS_IPW_PUBLISHED", "NHEFS_OUTCOME_RHS", "NHEFS_STABILISED_WEIGHTS_PUBLISHED",
        "NHEFS_STANDARDISATION_PUBLISHED", "NHEFS_STANDARDISED_MEANS_PUBLISHED",
        "PublishedEstimate", "confounding_graph", "frame_sha256", "lalonde_experimental",
        "lalonde_observational", "nhefs",
    ],
    "observational": [
        "ESTIMANDS", "Interval", "Problem", "aipw", "bootstrap_ci", "bootstrap_cis",
        "difference_in_means", "draw_confounding_graph", "fit_propensity", "forest_plot", "ipw",
        "ipw_weights", "naive_difference", "prepare", "regression_adjustment", "standardisation",
        "standardised_means",
    ],
    "sensitivity": [
        "RegressionSensitivity", "adjusted_estimate", "benchmark_bounds", "plot_sensitivity",
        "regression_sensitivity", "robustness_value",
    ],
    "libraries": [
        "FormulaLogit", "dowhy_estimate", "dowhy_intervals", "dowhy_linear_sensitivity",
        "dowhy_refute", "linear_dml", "shap_treatment_reading",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

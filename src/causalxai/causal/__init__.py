"""The causal ground: SCMs, actionability, the causal problem object, identification,
validity labels and the graph's testable implications.

Knows nothing of models or SHAP; every higher layer reads the world through it.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "scm": [
        "SCM", "Effect", "Intervention", "Node", "Noise", "Set", "Shift", "laplace", "normal",
        "total_effect_linear", "uniform", "weight_matrix", "zero",
    ],
    "actionability": [
        "DIRECTIONS", "ActionabilitySchema", "FeatureAction", "SchemaError",
    ],
    "identification": [
        "backdoor_adjustment_set", "has_causal_path", "is_valid_adjustment_set", "mediators",
    ],
    "problem": ["CausalProblem", "as_problem"],
    "implications": ["IMPLICATION_COLUMNS", "check_implications", "implied_independencies"],
    "validity": [
        "LABELS", "LABEL_COLOURS", "plot_labelled_importance", "validity_labels",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

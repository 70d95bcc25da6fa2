"""Part V, integration: the applied comparison, the decision guide and the proposals.

Builds on every part: Part II's scenarios and prescriptions, Part I's discovery, Part III's
Lalonde benchmark and Part IV's service.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "comparison": [
        "TECHNIQUES", "comparison_table", "discovery_scores", "effect_scores",
        "explanation_scores", "lalonde_scores", "prescriber_scores", "prescription_scores",
    ],
    "guide": ["GUIDE", "OUTCOMES", "START", "Step", "decision_guide", "guide_paths"],
    "proposals": [
        "SHOWN", "decision_log", "feature_checks", "flag_summary", "graph_id", "monitor_relations",
        "pilot_graph", "pilot_rows", "pilot_schema", "service_graph", "service_rows",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

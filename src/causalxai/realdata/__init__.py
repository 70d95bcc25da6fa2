"""Part III: one module per real data set (Polish and Slovak firms, French failures, Lalonde and NHEFS).

Builds on the core layers; Part IV's simulator is calibrated on its French series.

Names defined in several modules are not re-exported here (import them from their
module): ``cross_validate``.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "polish": [
        "METRICS", "PUBLISHED_AUC", "CVResult", "PublishedResult", "annotate_pairs",
        "binary_metrics", "correlation_groups", "credit_split", "duplicate_effect",
        "duplicate_groups", "group_importance", "high_correlation_pairs", "make_pipeline",
        "mean_sd", "observed_to_expected", "published_auc", "rank_agreement", "reliability_table",
        "seed_importances", "spearman_matrix", "split_xy", "subsample_stratified", "summarise",
        "top_k_overlap",
    ],
    "polish_ratios": [
        "POLISH_RATIOS", "component_table", "features_by_component", "mechanical_groups",
        "parse_ratio", "ratio_label",
    ],
    "slovak": [
        "BLOCKS", "FEATURE_SETS", "N_RATIOS", "RATIO_NAMES", "ZORICAK_2020_BEST_GMEAN",
        "block_correlations", "block_matches", "bootstrap_metric", "build_features",
        "carried_over", "gmean", "jaccard", "jaccard_stability",
        "make_model", "out_of_fold_scores", "paired_difference", "random_jaccard", "ratio_of", "scores",
        "shap_by_group", "split_scores", "trend_slope",
    ],
    "french": [
        "CROS_2021_DROP_2020", "MODELS", "Counterfactual", "backtest", "backtest_models", "backtest_summary",
        "band", "catch_up", "counterfactual", "covid_failure_ratio", "cumulative_excess",
        "fit_ets", "gap", "gap_samples", "parse_period", "percent_change", "require_month",
        "to_periods", "yearly_ratio",
    ],
    "lalonde_nhefs": ["lalonde_statistics", "nhefs_statistics"],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

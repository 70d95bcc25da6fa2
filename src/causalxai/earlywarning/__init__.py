"""Part IV, the service: multi-horizon targets and their scoring, robustness to the COVID
regime, sector shocks, alert metrics, explanations and support measures.

Builds on the firm simulator (:mod:`causalxai.firms`) and on Part III's calibration.

Names defined in several modules are not re-exported here (import them from their
module): ``base_column``, ``history_columns``.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "horizons": [
        "HORIZONS", "CoxModel", "DiscreteTimeHazard", "HorizonClassifiers", "TimeSplit",
        "alert_lead_times", "alert_turnover", "bootstrap_means", "case_control", "check_horizons",
        "crossing_share", "cumulative_from_hazards", "curve_from_horizons", "design_matrix",
        "detection_curve", "monthly_percentile", "time_split",
    ],
    "survival": [
        "brier_scores", "censoring_survival", "concordance_index", "firm_bootstrap",
        "integrated_brier_score", "score_table", "time_dependent_auc",
    ],
    "robustness": [
        "BASE_COLUMNS", "SHIFT_PREFIXES", "DomainWeights", "Recalibrator", "domain_weights",
        "firm_frame", "fit_censored_recalibration", "fit_classifier", "fit_isotonic", "fit_platt",
        "freeze_columns", "health_only_probability", "overlay", "realtime_recalibration",
        "red_flags", "reexpress", "regime_screen", "relative_to_own_level", "screened_features",
        "sector_month_mean", "shift_free",
    ],
    "sectors": [
        "event_timing", "exposure_groups", "fit_stack", "sector_signals", "training_events",
    ],
    "shock_study": [
        "add_shock_signals", "evaluate_groups", "evaluation_rows", "group_masks", "metric_value",
        "recall_table", "simulate_with_event", "stacked_scores",
    ],
    "scoring": [
        "budget_precision_recall", "expected_calibration_error", "observed_expected",
        "period_metrics",
    ],
    "support": [
        "CONFOUNDERS", "HISTORY_COLUMNS", "ORACLE", "SUPPORT_COLUMNS", "THEMES", "THEME_OF",
        "TREATMENTS", "CrossSection", "effect_verdict", "effects_vs_truth", "estimate_measure_effects",
        "explanation_card", "feature_labels", "firm_ground_truth", "label_shares",
        "model_features", "pick_cards", "sample_rows", "support_cross_section",
        "support_graph", "target_ratios", "theme_contributions", "theme_importance",
        "true_measure_effects",
    ],
    "support_allocation": [
        "SERVICE_MEASURES", "STRATEGIES", "PilotUplift", "allocate", "allocation_run",
        "averted", "identification_table", "observational_uplift", "pilot_outcomes",
        "positivity_table", "risk_allocation", "summarise_runs", "theme_allocation",
        "true_effects",
    ],
    "support_plots": [
        "plot_effects_vs_truth", "plot_explanation_cards", "plot_sector_effects",
        "plot_theme_importance",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

"""Human names for what the code calls ``AllColumnsDML[linear]``, ``cash_buffer`` or ``roc_auc_3``.

One mapping for the whole book, so that a legend, a table header and a sentence call a
method, a feature or a column the same way:

- :func:`method_name` — effect methods (:data:`causalxai.estimate.effects.METHODS`) and
  prescription strategies: ``"GraphDML[forest]"`` -> ``"Graph double ML (forest)"``;
- :func:`feature_name` — features of the scenarios, the firm simulator and the real data
  sets, with overrides per context (a scenario or data set name):
  ``"short_time_work"`` -> ``"Short-time work"``;
- :func:`column_name` — table columns, with their unit: ``"roc_auc_3"`` -> ``"ROC-AUC,
  3 months"``; :func:`column_quantity` gives the :mod:`causalxai.fmt` quantity the
  column holds (``"median_rel_error"`` -> ``"percent"``);
- :func:`display_name` tries all of them; :func:`rename` applies it to a DataFrame's
  index and columns.

A name nobody registered is never an error: :func:`humanize` turns ``snake_case`` or
``CamelCase[option]`` into sentence case, keeping acronyms (``"shap_rank"`` -> ``"SHAP
rank"``), and anything that is not an identifier (a file path, a number) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "COLUMNS", "FEATURES", "FEATURES_BY_CONTEXT", "METHODS", "SCENARIOS", "SHAPLEY_KINDS",
    "STRATEGIES",
    "Column",
    "column_name", "column_quantity", "display_name", "feature_name", "humanize",
    "method_name", "rename",
]

#: Effect-estimation methods, by the ``name`` attribute of their object.
METHODS: dict[str, str] = {
    "ShapSlope": "SHAP slope",
    "PartialDependence": "Partial dependence",
    "NaiveRegression": "Naive regression",
    "AllColumnsRegression": "All-columns regression",
    "AllColumnsDML": "All-columns double ML",
    "GraphDML": "Graph double ML",
    "DoWhyBackdoor": "DoWhy back-door",
}

#: Options in brackets (``GraphDML[forest]``, ``DoWhyBackdoor[<estimator>]``).
OPTIONS: dict[str, str] = {
    "linear": "linear",
    "forest": "forest",
    "linear_regression": "linear regression",
    "propensity_score_weighting": "propensity weighting",
    "propensity_score_matching": "propensity matching",
    "propensity_score_stratification": "propensity stratification",
    "distance_matching": "distance matching",
    "generalized_linear_model": "generalised linear model",
}

#: Prescription strategies (both their class-style and snake_case spellings).
STRATEGIES: dict[str, str] = {
    "ShapGreedy": "SHAP-greedy", "shap_greedy": "SHAP-greedy",
    "NearestCounterfactual": "Nearest counterfactual",
    "nearest_counterfactual": "Nearest counterfactual",
    "CatePerLever": "CATE per lever", "CATEPerLever": "CATE per lever",
    "cate_per_lever": "CATE per lever",
    "CausalRecourse": "Causal recourse", "causal_recourse": "Causal recourse",
    "recourse_true_scm": "Causal recourse (true SCM)",
    "recourse_fitted_scm": "Causal recourse (fitted SCM)",
    "recourse_ensemble": "Causal recourse (SCM ensemble)",
    "PolicyTree": "Policy tree", "policy_tree": "Policy tree",
    "Oracle": "Oracle", "oracle": "Oracle",
    "DoNothing": "Do nothing", "do_nothing": "Do nothing",
    # support allocation (causalxai.earlywarning.support_allocation)
    "risk": "Risk score", "shap_theme": "SHAP theme",
    "observational_uplift": "Observational uplift (DML)",
    "pilot_uplift": "Uplift from a randomised pilot",
}

#: Shapley value functions (``kind`` of :func:`causalxai.predict.shapley.shapley_explanation`).
SHAPLEY_KINDS: dict[str, str] = {
    "marginal": "Marginal SHAP",
    "conditional": "Conditional SHAP",
    "asymmetric": "Asymmetric SHAP",
    "causal": "Causal SHAP",
    "asymmetric_causal": "Asymmetric causal SHAP",
}

#: Synthetic scenarios (:data:`causalxai.synthetic.library.SCENARIOS`) whose name
#: :func:`humanize` would get wrong; the others read well as they are.
SCENARIOS: dict[str, str] = {
    "non_actionable_correlated": "Non-actionable correlate",
}

#: Features whose name :func:`humanize` would get wrong, in every context.
FEATURES: dict[str, str] = {
    # synthetic scenarios (causalxai.synthetic.scenarios)
    "short_time_work": "Short-time work",
    "social_security_arrears": "Social security arrears",
    "cash_ratio_bank": "Cash ratio (bank's figure)",
    "cash_ratio_filed": "Cash ratio (filed accounts)",
    "did_renew": "Renewed",
    "ad_spend": "Ad spend",
    # firm simulator (causalxai.firms)
    "age_years": "Firm age (years)",
    "age_months": "Firm age (months)",
    "stw_hours": "Short-time work hours",
    "stw_share": "Short-time work share",
    "stw": "Short-time work",
    "hc_growth": "Headcount growth",
    "size_log": "Size (log)",
    "fs_year": "Year of the last statement",
    "fs_age_months": "Age of the last statement (months)",
    "firm_id": "Firm",
    "covid_exposure": "COVID exposure",
    "guaranteed_loan": "State-guaranteed loan",
    # real data (causalxai.realdata, causalxai.estimate.observational)
    "re74": "Earnings 1974", "re75": "Earnings 1975", "re78": "Earnings 1978",
    "educ": "Education (years)", "nodegree": "No degree", "marr": "Married",
    "hisp": "Hispanic", "black": "Black", "treat": "Job training",
    "qsmk": "Quit smoking", "wt82_71": "Weight change 1971–82 (kg)",
    "wt71": "Weight 1971 (kg)", "smokeintensity": "Cigarettes per day",
    "smokeyrs": "Years of smoking",
}

#: Overrides by context: a scenario or data-set name -> {feature: display name}.
FEATURES_BY_CONTEXT: dict[str, dict[str, str]] = {
    "subscriber_retention": {
        "economy": "Economy (index)", "discount": "Discount (share of price)",
        "last_upgrade": "Months since last upgrade", "monthly_usage": "Monthly usage (hours)",
        "bugs_reported": "Bugs reported", "sales_calls": "Sales calls",
    },
    "firms": {"size": "Size (employees, log)", "sector": "Sector"},
    "support_allocation": {
        "cash": "Cash injection", "debt": "Debt rescheduling", "stw": "Short-time work",
        "loan": "Guaranteed loan", "deferral": "Contribution deferral",
        "liquidity": "Cash buffer (lever)", "indebtedness": "Debt ratio (lever)",
    },
    "lalonde": {"age": "Age (years)", "education": "Education (years)"},
    "nhefs": {"age": "Age (years)", "education": "Education level", "sex": "Sex",
              "race": "Race", "exercise": "Exercise", "active": "Daily activity"},
}


@dataclass(frozen=True)
class Column:
    """A table column as the reader sees it.

    Attributes
    ----------
    label : str
        The header, sentence case (``"Median relative error"``).
    unit : str or None
        Written in parentheses after the label (``"dollars"``); None: no unit (a share
        shown in %, a score, a count whose label says what is counted).
    quantity : str or None
        The :mod:`causalxai.fmt` quantity of its values (None: the table's default).
    """

    label: str
    unit: str | None = None
    quantity: str | None = None

    @property
    def header(self) -> str:
        """``label (unit)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


def _c(label: str, quantity: str | None = None, unit: str | None = None) -> Column:
    return Column(label, unit, quantity)


#: Table columns of the book (score tables, benchmarks, horizons, registries).
COLUMNS: dict[str, Column] = {
    # estimates and the benchmark (causalxai.synthetic.benchmark, estimate.effects)
    "truth": _c("True effect", "effect"),
    "effect": _c("Effect", "effect"),
    "estimate": _c("Estimate", "effect"),
    "mean": _c("Mean estimate", "effect"),
    "q025": _c("2.5 % quantile", "effect"),
    "q975": _c("97.5 % quantile", "effect"),
    "low": _c("Lower bound", "effect"), "high": _c("Upper bound", "effect"),
    "lower": _c("Lower bound", "effect"), "upper": _c("Upper bound", "effect"),
    "ci_lower": _c("95 % CI, lower", "effect"), "ci_upper": _c("95 % CI, upper", "effect"),
    "std_error": _c("Standard error", "effect"), "se": _c("Standard error", "effect"),
    "sd": _c("Standard deviation"),
    "bias": _c("Bias", "effect"), "abs_error": _c("Absolute error", "effect"),
    "mean_error": _c("Mean error", "effect"), "sd_error": _c("SD of the error", "effect"),
    "rel_error": _c("Relative error", "percent"),
    "median_rel_error": _c("Median relative error", "percent"),
    "sign_rate": _c("Right sign", "percent"),
    "coverage": _c("Coverage of the 95 % interval", "percent"),
    "abstain_rate": _c("Abstained", "percent"),
    "abstained_when_it_should": _c("Abstained when it should", "percent"),
    "abstained_wrongly": _c("Abstained wrongly", "percent"),
    "should_abstain": _c("Should abstain"),
    "abstained": _c("Abstained"),
    "slope": _c("SHAP slope", "effect"),
    "importance": _c("Mean |SHAP|"),
    "shap_rank": _c("SHAP rank", "count"),
    "p_value": _c("p-value", "pvalue"), "pvalue": _c("p-value", "pvalue"),
    "p_naive": _c("p-value, naive", "pvalue"),
    "p_corrected": _c("p-value, corrected", "pvalue"),
    "n_samples": _c("Sample size", "count"),
    "n_seeds": _c("Repetitions", "count"),
    "seed": _c("Seed", "count"),
    # prediction and early warning (predict, earlywarning)
    "roc_auc": _c("ROC-AUC", "auc"), "pr_auc": _c("PR-AUC", "auc"),
    "c_index": _c("C-index", "auc"), "td_auc_mean": _c("Time-dependent AUC, mean", "auc"),
    "brier": _c("Brier score", "score"), "ibs": _c("Integrated Brier score", "score"),
    "ece": _c("Calibration error (ECE)", "score"),
    "precision": _c("Precision", "percent"), "recall": _c("Recall", "percent"),
    "prevalence": _c("Prevalence", "percent"),
    "mae": _c("Mean absolute error"), "rmse": _c("Root mean squared error"),
    "observed_rate": _c("Observed rate", "probability"),
    "mean_predicted": _c("Mean predicted", "probability"),
    "expected_ratio": _c("Expected ratio", "ratio"),
    "realised_ratio": _c("Realised ratio", "ratio"),
    "missing_share": _c("Missing", "percent"),
    "n_rows": _c("Rows", "count"), "rows": _c("Rows", "count"),
    "n_events": _c("Events", "count"), "n_exposed": _c("Firms exposed", "count"),
    "n_pos": _c("Positives", "count"), "n_firms": _c("Firms", "count"),
    "firms": _c("Firms", "count"), "failures": _c("Failures", "count"),
    "failures_no_covid": _c("Failures without COVID", "count"),
    "expected_failures": _c("Expected failures", "count"),
    "n_forecasts": _c("Forecasts", "count"), "n_origins": _c("Forecast origins", "count"),
    "n_periods": _c("Periods", "count"),
    "month": _c("Month"), "year": _c("Year", "year"), "horizon": _c("Horizon"),
    "seconds": _c("Time", "seconds", "s"), "runtime": _c("Time", "seconds", "s"),
    # prescriptions (causalxai.prescribe, synthetic.prescriptions)
    "regret": _c("Regret", "effect"),
    "regret_sd": _c("Regret, SD over seeds", "effect"),
    "relative_regret": _c("Regret ÷ oracle gain", "percent"),
    "improvement": _c("True improvement", "effect"),
    "oracle_improvement": _c("Oracle improvement", "effect"),
    "validity": _c("Valid actions", "percent"),
    "cost": _c("Cost", "number"),
    "abstention_rate": _c("Abstained", "percent"),
    "abstention_correct": _c("Abstentions that were right", "percent"),
    "n_units": _c("Units", "count"),
    "expected_change": _c("Predicted change", "effect"),
    "true_change": _c("True change", "effect"),
    "action": _c("Action"), "reason": _c("Reason"),
    # support allocation (causalxai.earlywarning.support_allocation)
    "per_100": _c("Failures averted per 100 helped", "number"),
    "per_100_low": _c("95 % CI, lower", "number"),
    "per_100_high": _c("95 % CI, upper", "number"),
    "helped": _c("Firms helped", "number"),
    "right_measure": _c("Given the truly best measure", "percent"),
    "overlap": _c("Oracle's firms reached", "percent"),
    "share_of_oracle": _c("Share of the oracle's gain", "percent"),
    "takeup": _c("Take-up", "percent"), "takeup_exposed": _c("Take-up, exposed", "percent"),
    "takeup_unexposed": _c("Take-up, not exposed", "percent"),
    "exposed": _c("Exposed to the shock", "percent"),
    "outside_overlap": _c("Outside overlap", "percent"),
    "identified": _c("Identified from the service's data"),
    # causal discovery (knowledge)
    "shd": _c("Structural Hamming distance", "count"),
    "skeleton_precision": _c("Skeleton precision", "score"),
    "skeleton_recall": _c("Skeleton recall", "score"),
    "directed_precision": _c("Directed precision", "score"),
    "directed_recall": _c("Directed recall", "score"),
    # registries
    "sha256": _c("SHA-256"), "licence": _c("Licence"), "dataset": _c("Data set"),
    "file": _c("File"), "source": _c("Source"), "status": _c("Status"),
    # generic labels
    "method": _c("Method"), "feature": _c("Feature"), "scenario": _c("Scenario"),
    "role": _c("Role"), "label": _c("Label"), "strategy": _c("Strategy"),
}

#: Columns named by a pattern: (regex, header template, quantity); groups fill the template.
_PATTERNS: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"^roc_auc_(\d+)$"), "ROC-AUC, {0} months", "auc"),
    (re.compile(r"^pr_auc_(\d+)$"), "PR-AUC, {0} months", "auc"),
    (re.compile(r"^brier_(\d+)$"), "Brier score, {0} months", "score"),
    (re.compile(r"^mae_h(\d+)$"), "Mean absolute error, {0} months ahead", None),
    (re.compile(r"^p_fail_(\d+)$"), "Failure probability, {0} months", "probability"),
]

#: Features built from a base column by the history and sector helpers.
_FEATURE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(.+)_chg(\d+)$"), "{base}, {n}-month change"),
    (re.compile(r"^(.+)_lag(\d+)$"), "{base}, {n} months before"),
    (re.compile(r"^(.+)_mean(\d+)$"), "{base}, {n}-month mean"),
    (re.compile(r"^(.+)_slope(\d+)$"), "{base}, {n}-month slope"),
    (re.compile(r"^(.+)_std(\d+)$"), "{base}, {n}-month volatility"),
]

#: Words :func:`humanize` writes in capitals or spells out.
_WORDS: dict[str, str] = {
    "shap": "SHAP", "dml": "double ML", "ml": "ML", "auc": "AUC", "roc": "ROC", "pr": "PR",
    "cate": "CATE", "ate": "ATE", "att": "ATT", "ipw": "IPW", "aipw": "AIPW", "ols": "OLS",
    "ci": "CI", "ece": "ECE", "shd": "SHD", "sme": "SME", "nsw": "NSW", "cps": "CPS",
    "covid": "COVID", "id": "ID", "gbm": "GBM", "mae": "MAE", "rmse": "RMSE", "sd": "SD",
    "se": "SE", "pc": "PC", "ges": "GES", "fci": "FCI", "lingam": "LiNGAM", "dowhy": "DoWhy",
    "econml": "EconML", "lightgbm": "LightGBM", "cpu": "CPU", "mb": "MB", "stw":
    "short-time work", "hc": "headcount", "chg": "change", "rel": "relative", "n": "number of",
    "pct": "%", "q025": "2.5 % quantile", "q975": "97.5 % quantile", "vs": "vs",
}

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\[[A-Za-z0-9_.]+\])?$")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


def humanize(name: Hashable) -> str:
    """Sentence case for any identifier; anything else as ``str(name)``.

    >>> humanize("cash_buffer"), humanize("AllColumnsDML[linear]"), humanize("dir/a.csv")
    ('Cash buffer', 'All columns double ML (linear)', 'dir/a.csv')
    """
    text = str(name)
    if not _IDENTIFIER.match(text):
        return text
    base, _, option = text.partition("[")
    words: list[str] = []
    for part in base.split("_"):
        words += _CAMEL.findall(part) if any(c.isupper() for c in part) else [part]
    out = []
    for word in (w for w in words if w):
        low = word.lower()
        if low in _WORDS:
            out.append(_WORDS[low])
        elif word.isupper() and len(word) > 1:
            out.append(word)  # an acronym we do not know
        else:
            out.append(low)
    if not out:
        return text
    result = " ".join(out)
    result = result[:1].upper() + result[1:]
    if option:
        result += f" ({OPTIONS.get(option.rstrip(']'), humanize(option.rstrip(']')).lower())})"
    return result


def method_name(name: Hashable) -> str:
    """Display name of an effect method, a prescription strategy or a Shapley kind.

    >>> method_name("GraphDML[forest]"), method_name("DoWhyBackdoor[propensity_score_weighting]")
    ('Graph double ML (forest)', 'DoWhy back-door (propensity weighting)')
    """
    text = str(name)
    if text in STRATEGIES:
        return STRATEGIES[text]
    if text in SHAPLEY_KINDS:
        return SHAPLEY_KINDS[text]
    base, bracket, option = text.partition("[")
    if base in METHODS:
        if not bracket:
            return METHODS[base]
        option = option.rstrip("]")
        return f"{METHODS[base]} ({OPTIONS.get(option, humanize(option).lower())})"
    return humanize(name)


def _context_features(context: str | None) -> Mapping[str, str]:
    return FEATURES_BY_CONTEXT.get(context or "", {})


def _known_feature(text: str, context: str | None) -> str | None:
    table = _context_features(context)
    if text in table:
        return table[text]
    if text in FEATURES:
        return FEATURES[text]
    for pattern, template in _FEATURE_PATTERNS:
        m = pattern.match(text)
        if m:
            base = m.group(1)
            if base.startswith("sector_"):
                inner = feature_name(base.removeprefix("sector_"), context)
                base_name = f"Sector {inner[:1].lower() + inner[1:]}"
            else:
                base_name = feature_name(base, context)
            return template.format(base=base_name, n=m.group(2))
    return None


def feature_name(name: Hashable, context: str | None = None) -> str:
    """Display name of a feature, with the overrides of ``context`` (a scenario or data set).

    >>> feature_name("sector_arrears_ratio_chg3"), feature_name("economy", "subscriber_retention")
    ('Sector arrears ratio, 3-month change', 'Economy (index)')
    """
    text = str(name)
    known = _known_feature(text, context)
    return known if known is not None else humanize(name)


def _column(text: str) -> Column | None:
    if text in COLUMNS:
        return COLUMNS[text]
    for pattern, template, quantity in _PATTERNS:
        m = pattern.match(text)
        if m:
            return Column(template.format(*m.groups()), None, quantity)
    return None


def column_name(name: Hashable, *, unit: bool = True) -> str:
    """Header of a table column (with its unit in parentheses unless ``unit=False``).

    >>> column_name("roc_auc_3"), column_name("seconds"), column_name("median_rel_error")
    ('ROC-AUC, 3 months', 'Time (s)', 'Median relative error')
    """
    column = _column(str(name))
    if column is None:
        return humanize(name)
    return column.header if unit else column.label


def column_quantity(name: Hashable) -> str | None:
    """The :mod:`causalxai.fmt` quantity a column holds, or None when nobody said.

    >>> column_quantity("median_rel_error"), column_quantity("roc_auc_12"), column_quantity("x")
    ('percent', 'auc', None)
    """
    column = _column(str(name))
    return column.quantity if column is not None else None


def display_name(name: Hashable, context: str | None = None) -> str:
    """The human name of anything the book labels: method or strategy, column, feature.

    Methods and strategies first, then scenarios, then the context's features, then columns, then the
    other features, then :func:`humanize`.

    >>> display_name("AllColumnsDML[linear]"), display_name("sign_rate"), display_name("re78")
    ('All-columns double ML (linear)', 'Right sign', 'Earnings 1978')
    """
    text = str(name)
    base = text.partition("[")[0]
    if text in STRATEGIES or base in METHODS:
        return method_name(text)
    if text in SCENARIOS:
        return SCENARIOS[text]
    if text in _context_features(context):
        return _context_features(context)[text]
    if _column(text) is not None:
        return column_name(text)
    return feature_name(text, context)


def _rename_label(label: Hashable, context: str | None,
                  overrides: Mapping[Hashable, str]) -> Hashable:
    if label in overrides:
        return overrides[label]
    if isinstance(label, tuple):
        return tuple(_rename_label(part, context, overrides) for part in label)
    if not isinstance(label, str):
        return label
    return display_name(label, context)


def rename(frame: pd.DataFrame | pd.Series, context: str | None = None, *,
           overrides: Mapping[Hashable, str] | None = None, index: bool = True,
           columns: bool = True) -> pd.DataFrame | pd.Series:
    """A copy with display names for the index and column labels (and their names).

    Parameters
    ----------
    frame : pandas.DataFrame or Series
        The table; its cells are not touched.
    context : str, optional
        Scenario or data-set name for the feature overrides.
    overrides : mapping, optional
        Labels to rename this way in this table only (take precedence).
    index, columns : bool
        Which axes to rename.

    Returns
    -------
    pandas.DataFrame or Series

    Raises
    ------
    ValueError
        If ``frame`` is not a pandas DataFrame or Series.
    """
    if not isinstance(frame, pd.DataFrame | pd.Series):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    overrides = dict(overrides or {})

    def relabel(axis: pd.Index) -> pd.Index:
        if isinstance(axis, pd.MultiIndex):
            names = [_rename_label(n, context, overrides) for n in axis.names]
            return pd.MultiIndex.from_tuples(
                [tuple(_rename_label(v, context, overrides) for v in row) for row in axis],
                names=names)
        values = [_rename_label(v, context, overrides) for v in axis]
        kept = isinstance(axis, pd.RangeIndex) or axis.dtype.kind in "iufb"
        new = axis.copy() if kept else pd.Index(values, dtype=object)
        return new.rename(_rename_label(axis.name, context, overrides))

    out = frame.copy()
    if index:
        out.index = relabel(out.index)
    if columns and isinstance(out, pd.DataFrame):
        out.columns = relabel(out.columns)
    if isinstance(out, pd.Series) and out.name is not None:
        out.name = _rename_label(out.name, context, overrides)
    return out

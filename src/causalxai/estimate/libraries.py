"""The binary-treatment estimands of :mod:`causalxai.estimate.observational` through
DoWhy and EconML, and what a SHAP summary says about the same treatment.

Thin wrappers (:func:`dowhy_estimate`, :func:`dowhy_intervals`, :func:`dowhy_refute`,
:func:`dowhy_linear_sensitivity`, :func:`linear_dml`) around the libraries' own
estimators, with library noise silenced only while a wrapper runs;
:func:`shap_treatment_reading` reads a fitted model's SHAP values for the treatment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import patsy

from causalxai.estimate.effects import quiet
from causalxai.estimate.observational import (
    _DOWHY_PS_COLUMN,
    Interval,
    Problem,
    _check_estimand,
    _design,
    _expit,
    _logit_mle,
    bootstrap_cis,
    fit_propensity,
    prepare,
)

__all__ = [
    "FormulaLogit",
    "dowhy_estimate",
    "dowhy_intervals",
    "dowhy_linear_sensitivity",
    "dowhy_refute",
    "linear_dml",
    "shap_treatment_reading",
]


class FormulaLogit:
    """A scikit-learn style classifier: maximum-likelihood logit on a patsy formula.

    Lets DoWhy's propensity-score estimators use the same propensity model as
    :func:`fit_propensity`. Columns of the input that the formula does not mention (e.g.
    the random common cause added by a DoWhy refuter) are added as linear terms.

    Parameters
    ----------
    rhs : str
        Right-hand side of the propensity model.
    variables : sequence of str
        The input columns the formula uses.
    """

    def __init__(self, rhs: str, variables: Sequence[str]) -> None:
        self.rhs = rhs
        self.variables = tuple(variables)
        self.coef_: np.ndarray | None = None
        self.classes_ = np.array([0, 1])

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn protocol)."""
        return {"rhs": self.rhs, "variables": self.variables}

    def _design(self, X: pd.DataFrame) -> np.ndarray:
        X = pd.DataFrame(X)
        extra = [c for c in X.columns if c not in self.variables]
        rhs = " + ".join([self.rhs, *(f"Q('{c}')" for c in extra)])
        return np.asarray(patsy.dmatrix(rhs, X, NA_action="raise"), dtype=float)

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> FormulaLogit:
        """Fit the logit by maximum likelihood (Newton's method)."""
        self.coef_ = _logit_mle(self._design(X), np.asarray(y, dtype=float))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Two columns: ``P(t=0)`` and ``P(t=1)``."""
        if self.coef_ is None:
            raise ValueError("FormulaLogit is not fitted")
        p = np.clip(_expit(self._design(X) @ self.coef_), 1e-12, 1 - 1e-12)
        return np.column_stack([1 - p, p])


def _dowhy_frame(data: pd.DataFrame, graph: nx.DiGraph, treatment: str) -> pd.DataFrame:
    missing = [v for v in graph.nodes if v not in data.columns]
    if missing:
        raise ValueError(f"graph nodes without a data column: {', '.join(map(str, missing))}")
    frame = data[[c for c in data.columns if c in graph]].copy()
    frame[treatment] = frame[treatment].astype(bool)
    return frame


def dowhy_estimate(data: pd.DataFrame, graph: nx.DiGraph, treatment: str, outcome: str,
                   method: str, *, target_units: str = "ate",
                   method_params: dict[str, Any] | None = None,
                   confidence_intervals: bool = False) -> tuple[float, Any, Any, Any]:
    """One DoWhy estimate (identify, then estimate) on a fresh copy of the data.

    Parameters
    ----------
    data : pandas.DataFrame
        Observed columns (every node of ``graph``); the treatment is given to DoWhy as bool.
    graph : networkx.DiGraph
        The causal graph.
    treatment, outcome : str
    method : str
        A DoWhy method name, e.g. ``"backdoor.propensity_score_weighting"``.
    target_units : {"ate", "att"}
    method_params : dict, optional
        Passed to DoWhy (e.g. ``propensity_score_model``, ``min_ps_score``).
    confidence_intervals : bool
        Ask DoWhy for its interval (analytic for ``backdoor.linear_regression``).

    Returns
    -------
    (value, model, estimand, estimate)
        The point estimate and DoWhy's objects (for refutation and intervals).
    """
    from dowhy import CausalModel

    _check_estimand(target_units)
    frame = _dowhy_frame(data, graph, treatment)
    with quiet():
        model = CausalModel(data=frame.copy(), treatment=treatment, outcome=outcome, graph=graph)
        estimand = model.identify_effect(proceed_when_unidentifiable=False)
        result = model.estimate_effect(estimand, method_name=method, target_units=target_units,
                                       method_params=dict(method_params or {}),
                                       confidence_intervals=confidence_intervals)
    # DoWhy writes the propensity scores and weights into the model's data; a refuter
    # started from that data would reuse the stale scores instead of refitting them.
    model._data = frame
    return float(np.ravel(result.value)[0]), model, estimand, result


def _dowhy_class(method: str) -> Any:
    from dowhy.causal_estimators.linear_regression_estimator import LinearRegressionEstimator
    from dowhy.causal_estimators.propensity_score_matching_estimator import (
        PropensityScoreMatchingEstimator,
    )
    from dowhy.causal_estimators.propensity_score_stratification_estimator import (
        PropensityScoreStratificationEstimator,
    )
    from dowhy.causal_estimators.propensity_score_weighting_estimator import (
        PropensityScoreWeightingEstimator,
    )

    classes = {
        "backdoor.propensity_score_weighting": PropensityScoreWeightingEstimator,
        "backdoor.propensity_score_matching": PropensityScoreMatchingEstimator,
        "backdoor.propensity_score_stratification": PropensityScoreStratificationEstimator,
        "backdoor.linear_regression": LinearRegressionEstimator,
    }
    if method not in classes:
        raise ValueError(f"method must be one of {', '.join(classes)}, got {method!r}")
    return classes[method]


def dowhy_intervals(data: pd.DataFrame, graph: nx.DiGraph, treatment: str, outcome: str,
                    methods: Mapping[str, tuple[str, Mapping[str, Any], bool]], *,
                    propensity: Problem | None, n_boot: int, seed: int,
                    target_units: str = "ate", estimand: Any = None,
                    level: float = 0.95, method: str = "percentile") -> dict[str, Interval]:
    """DoWhy estimators with stratified bootstrap intervals, on shared resamples.

    The graph is identified once; every bootstrap replicate refits each estimator on the
    resampled rows. For the propensity-score methods, the propensity scores of each
    replicate come from :func:`fit_propensity` on ``propensity`` (the same logit as
    :class:`FormulaLogit`, refitted once per replicate) and are handed to DoWhy as its
    ``propensity_score`` column.

    Parameters
    ----------
    data, graph, treatment, outcome, target_units
        As in :func:`dowhy_estimate`.
    methods : mapping
        Label -> ``(method, method_params, common_support)``: a DoWhy method name (one of
        the three propensity-score methods or ``backdoor.linear_regression``), its
        parameters, and whether to drop, before estimating, the rows whose propensity
        score lies outside the range of the treated units' scores (controls that resemble
        no participant carry no information on the effect on the treated).
    propensity : Problem or None
        Built by :func:`prepare` from the same rows of ``data`` (with ``ps_rhs``);
        required by the propensity-score methods.
    n_boot, seed, level, method
        As in :func:`bootstrap_cis` (resampling within treatment groups).
    estimand : dowhy IdentifiedEstimand, optional
        Reuse an identification of the same graph, treatment and outcome (from
        :func:`dowhy_estimate`) instead of identifying again.

    Returns
    -------
    dict of label to Interval
        DoWhy's estimate on all rows with its bootstrap interval.
    """
    from dowhy import CausalModel

    _check_estimand(target_units)
    specs = {label: (_dowhy_class(name), name != "backdoor.linear_regression",
                     dict(params), bool(support))
             for label, (name, params, support) in methods.items()}
    for label, (_, needs_ps, _, support) in specs.items():
        if support and not needs_ps:
            raise ValueError(f"{label}: common_support needs a propensity-score method")
    if any(needs for _, needs, _, _ in specs.values()) and (
            propensity is None or propensity.n != len(data)):
        raise ValueError("propensity must be a Problem built from the same rows as data")
    frame = _dowhy_frame(data, graph, treatment)
    if estimand is None:
        with quiet():
            estimand = CausalModel(data=frame, treatment=treatment, outcome=outcome,
                                   graph=graph).identify_effect(proceed_when_unidentifiable=False)

    def statistics(idx: np.ndarray) -> dict[str, float]:
        base = frame.iloc[idx].reset_index(drop=True)
        ps = fit_propensity(propensity.subset(idx)) if propensity is not None else None
        out = {}
        for label, (cls, needs_ps, params, support) in specs.items():
            sample = base.copy()
            if needs_ps:
                sample[_DOWHY_PS_COLUMN] = ps
                if support:
                    treated = sample[treatment].to_numpy()
                    inside = (ps >= ps[treated].min()) & (ps <= ps[treated].max())
                    sample = sample[inside].reset_index(drop=True)
            with quiet():
                estimator = cls(estimand, **params)
                estimator.fit(sample)
                value = estimator.estimate_effect(sample, target_units=target_units).value
            out[label] = float(np.ravel(value)[0])
        return out

    return bootstrap_cis(statistics, len(frame), n_boot=n_boot, seed=seed, level=level,
                         method=method, strata=frame[treatment].to_numpy())


def dowhy_refute(model: Any, estimand: Any, estimate: Any, *, n_simulations: int,
                 seed: int, subset_fraction: float = 0.8) -> pd.DataFrame:
    """DoWhy's placebo-treatment, random-common-cause and data-subset refuters.

    Returns
    -------
    pandas.DataFrame
        One row per refuter: ``estimate`` (original), ``new_effect`` (mean over the
        simulations) and DoWhy's ``p_value``. A placebo effect near 0 and new effects
        near the original pass the checks; passing them does not prove the absence of
        unobserved confounding.
    """
    runs = {
        "placebo treatment (permuted)": ("placebo_treatment_refuter",
                                         {"placebo_type": "permute"}),
        "random common cause": ("random_common_cause", {}),
        f"data subset ({subset_fraction:.0%})": ("data_subset_refuter",
                                                {"subset_fraction": subset_fraction}),
    }
    rows = {}
    with quiet():
        for name, (method, extra) in runs.items():
            np.random.seed(seed)  # noqa: NPY002 - DoWhy draws from the global generator
            # A RandomState object, not an int: given an int, DoWhy's data-subset refuter
            # reseeds every simulation and draws the same subset each time.
            ref = model.refute_estimate(estimand, estimate, method_name=method,
                                        num_simulations=n_simulations,
                                        random_state=np.random.RandomState(seed), **extra)
            p = (ref.refutation_result or {}).get("p_value", math.nan)
            rows[name] = {"estimate": float(np.ravel(ref.estimated_effect)[0]),
                          "new_effect": float(np.ravel(ref.new_effect)[0]),
                          "p_value": float(np.ravel(p)[0])}
    return pd.DataFrame.from_dict(rows, orient="index")


def dowhy_linear_sensitivity(model: Any, estimand: Any, estimate: Any, *, benchmark: str,
                             k: float = 1.0) -> dict[str, float]:
    """DoWhy's ``add_unobserved_common_cause`` refuter, linear partial-R² version.

    Runs DoWhy's implementation of Cinelli & Hazlett (2020) on a
    ``backdoor.linear_regression`` estimate, with one observed common cause as the
    benchmark of a confounder ``k`` times as strong (DoWhy 0.14 needs the strength
    multiples as lists and keeps only the last benchmark, hence one at a time).

    Returns
    -------
    dict
        ``estimate, robustness_value, robustness_value_alpha, partial_r2`` (of the treatment
        with the outcome), ``r2_dz, r2_yz`` (bounds of the confounder's partial R²) and
        ``adjusted`` (the estimate after removing the largest bias of such a confounder).
    """
    with quiet():
        analyzer = model.refute_estimate(
            estimand, estimate, method_name="add_unobserved_common_cause",
            simulation_method="linear-partial-R2", benchmark_common_causes=[benchmark],
            effect_fraction_on_treatment=[float(k)], effect_fraction_on_outcome=[float(k)],
            plot_estimate=False)
    bench = analyzer.benchmarking_results.iloc[0]
    return {
        "estimate": float(analyzer.estimate),
        "robustness_value": float(analyzer.stats["robustness_value"]),
        "robustness_value_alpha": float(analyzer.stats["robustness_value_alpha"]),
        "partial_r2": float(analyzer.stats["r2yt_w"]),
        "r2_dz": float(bench["r2tu_w"]),
        "r2_yz": float(bench["r2yu_tw"]),
        "adjusted": float(bench["bias_adjusted_estimate"]),
    }


def linear_dml(data: pd.DataFrame, treatment: str, outcome: str, controls_rhs: str, *,
               seed: int, n_estimators: int = 200, cv: int = 3, level: float = 0.95,
               estimand: str = "ate") -> Interval:
    """EconML's LinearDML with LightGBM nuisance models, for a binary treatment.

    Parameters
    ----------
    data : pandas.DataFrame
    treatment, outcome : str
    controls_rhs : str
        Patsy right-hand side of the adjustment set (e.g. ``"age + C(education)"``); its
        columns (no intercept) are EconML's ``X``: nuisance inputs and linear effect
        modifiers, so the effect may vary with them.
    seed : int
        Seeds the cross-fitting folds and the nuisance models.
    n_estimators : int
        Boosting rounds of each nuisance model.
    cv : int
        Cross-fitting folds.
    level : float
        Interval coverage.
    estimand : {"ate", "att"}
        Average of the fitted effects over every row or over the treated.

    Returns
    -------
    Interval
        ``method="econml"`` (EconML's asymptotic interval of the average effect).
    """
    from econml.dml import LinearDML

    from causalxai.predict.models import gbm

    _check_estimand(estimand)
    common = dict(seed=seed, n_estimators=n_estimators, learning_rate=0.05, num_leaves=15,
                  min_child_samples=20)
    X, _, _ = _design(f"{controls_rhs} - 1", data, "controls")
    problem = prepare(data, treatment, outcome)
    t, y = problem.t.astype(int), problem.y
    with quiet():
        est = LinearDML(model_y=gbm("regression", **common),
                        model_t=gbm("classification", **common),
                        discrete_treatment=True, cv=cv, random_state=seed)
        est.fit(y, t, X=X, W=None)
        target = X if estimand == "ate" else X[t == 1]
        point = float(np.ravel(est.ate(target))[0])
        low, high = (float(np.ravel(v)[0]) for v in est.ate_interval(target, alpha=1 - level))
        se = float(np.ravel(est.ate_inference(target).stderr_mean)[0])
    return Interval(point, low, high, se, 0, "econml")


def shap_treatment_reading(model: Any, X: pd.DataFrame, treatment: str, *, n_background: int,
                           seed: int) -> dict[str, Any]:
    """What a SHAP summary and the model itself say about a binary treatment.

    Parameters
    ----------
    model : tree model
        Fitted on ``X`` (which contains the treatment column).
    X : pandas.DataFrame
        Rows to explain (both treatment groups present).
    treatment : str
        The 0/1 column.
    n_background : int
        Background rows of interventional TreeSHAP, drawn from ``X``.
    seed : int
        Seeds the background draw.

    Returns
    -------
    dict
        ``shap_difference``: mean SHAP value of the treatment among treated rows minus
        among untreated rows (equal to the SHAP slope of :func:`causalxai.predict.explain.shap_slope`
        for a 0/1 feature) -- the "effect" a reader takes from a dependence plot;
        ``mean_abs_shap``: the treatment's importance; ``model_contrast_treated``: mean of
        ``f(x, 1) - f(x, 0)`` over the treated rows (the model's own do-style contrast, an
        S-learner estimate of the ATT); ``shap_rank``: rank of the treatment by mean |SHAP|;
        ``importance``: mean |SHAP| of every feature (a Series).
    """
    from causalxai.predict.explain import mean_abs_shap, tree_shap

    if treatment not in X.columns:
        raise ValueError(f"treatment {treatment!r} is not a column of X")
    t = X[treatment].to_numpy()
    if not ((t == 1).any() and (t == 0).any()):
        raise ValueError("X must contain treated and untreated rows")
    background = X.sample(min(n_background, len(X)), random_state=seed)
    with quiet():
        values = tree_shap(model, X, background)
        treated = X[t == 1]
        contrast = (model.predict(treated.assign(**{treatment: 1.0}))
                    - model.predict(treated.assign(**{treatment: 0.0})))
    importance = mean_abs_shap(values)
    s = values[treatment].to_numpy()
    return {
        "shap_difference": float(s[t == 1].mean() - s[t == 0].mean()),
        "mean_abs_shap": float(importance[treatment]),
        "shap_rank": int(importance.rank(ascending=False)[treatment]),
        "model_contrast_treated": float(np.mean(contrast)),
        "importance": importance,
    }

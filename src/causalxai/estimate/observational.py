"""Causal effects of a binary treatment from observational data, checked against
benchmarks whose answers are published.

Two classic benchmarks with known answers:

- **NSW / Lalonde** (LaLonde, 1986; Dehejia & Wahba, 1999): the effect of a job-training
  programme on 1978 earnings is known from a randomised experiment; observational methods
  must recover it from the treated NSW men and a survey comparison group (CPS controls).
- **NHEFS** (Hernán & Robins, *Causal Inference: What If*, chapters 12-13): the effect of
  quitting smoking on weight gain, estimated by inverse-probability weighting and by
  standardisation with a published model specification and published results.

The estimators work on a :class:`Problem` -- the outcome, the 0/1 treatment and the
design matrices of the propensity and outcome models, built once from patsy formulas --
so that a bootstrap replicate is only a row index (:meth:`Problem.subset`):

- :func:`naive_difference`, :func:`difference_in_means` (Welch interval);
- :func:`regression_adjustment` -- the treatment coefficient of an OLS outcome model;
- :func:`ipw` -- inverse-probability weighting (Hajek form), stabilised weights
  (:func:`ipw_weights`), optional trimming on the propensity score;
- :func:`standardisation` -- the parametric g-formula (outcome model, predictions under
  both treatments averaged over the target population);
- :func:`standardised_means` -- the two standardised means, over the sample or another
  population;
- :func:`aipw` -- augmented IPW, doubly robust;
- :func:`bootstrap_ci`, :func:`bootstrap_cis` -- seeded (optionally stratified) bootstrap
  of any statistics, several sharing the same resamples;
- sensitivity to an unobserved confounder in the partial-R² parametrisation of Cinelli &
  Hazlett (2020): :func:`robustness_value`, :func:`adjusted_estimate`,
  :func:`benchmark_bounds`, :func:`regression_sensitivity`.

Estimands: ``"ate"`` (average effect in the whole sample) or ``"att"`` (average effect on
the treated: the experimental NSW benchmark is an effect on participants).

Thin wrappers around DoWhy and EconML (:func:`dowhy_estimate`, :func:`dowhy_intervals`,
:func:`dowhy_refute`, :func:`dowhy_linear_sensitivity`, :func:`linear_dml`), a SHAP reading
of a binary treatment (:func:`shap_treatment_reading`), figures (:func:`forest_plot`,
:func:`plot_sensitivity`, :func:`draw_confounding_graph`) complete the toolkit; the
loaders of the packaged data and the published constants of the two benchmarks are in
:mod:`causalxai.estimate.benchmarks`. Library noise is silenced only while a wrapper runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import patsy
from scipy import linalg, stats

from causalxai.estimate.benchmarks import PublishedEstimate
from causalxai.predict.metrics import bootstrap_indices

__all__ = [
    "ESTIMANDS",
    "Interval",
    "Problem",
    "aipw",
    "bootstrap_ci",
    "bootstrap_cis",
    "difference_in_means",
    "draw_confounding_graph",
    "fit_propensity",
    "forest_plot",
    "ipw",
    "ipw_weights",
    "naive_difference",
    "prepare",
    "regression_adjustment",
    "standardisation",
    "standardised_means",
]

ESTIMANDS = ("ate", "att")
# The problem: arrays built once ---------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """Outcome, treatment and design matrices of one binary-treatment problem.

    Build it with :func:`prepare`. ``outcome_design_1`` and ``outcome_design_0`` are the
    outcome design with the treatment set to 1 and to 0 for every row (so product terms
    with the treatment are handled by the formula).

    Attributes
    ----------
    y, t : numpy.ndarray
        Outcome and treatment (0.0 / 1.0).
    ps_design : numpy.ndarray or None
        Design matrix of the propensity model (with intercept), None if no propensity
        formula was given.
    outcome_design, outcome_design_1, outcome_design_0 : numpy.ndarray or None
        Design matrices of the outcome model (observed treatment, all treated, none
        treated), None if no outcome formula was given.
    ps_names, outcome_names : tuple of str
        Column names of the designs.
    treatment : str
        Name of the treatment (and of its column in the outcome design, if present).
    outcome_info : patsy DesignInfo or None
        How the outcome design was built (to rebuild it on other rows).
    """

    y: np.ndarray
    t: np.ndarray
    ps_design: np.ndarray | None
    outcome_design: np.ndarray | None
    outcome_design_1: np.ndarray | None
    outcome_design_0: np.ndarray | None
    ps_names: tuple[str, ...] = ()
    outcome_names: tuple[str, ...] = ()
    treatment: str = "treatment"
    outcome_info: Any = field(default=None, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.y)

    def subset(self, idx: np.ndarray) -> Problem:
        """The problem restricted to rows ``idx`` (repeats allowed: a bootstrap sample)."""
        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return replace(self, y=self.y[idx], t=self.t[idx], ps_design=take(self.ps_design),
                       outcome_design=take(self.outcome_design),
                       outcome_design_1=take(self.outcome_design_1),
                       outcome_design_0=take(self.outcome_design_0))


def _design(rhs: str, data: pd.DataFrame, what: str) -> tuple[np.ndarray, tuple[str, ...], Any]:
    try:
        matrix = patsy.dmatrix(rhs, data, NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ValueError(f"{what} formula {rhs!r} cannot be built from the data: {exc}") from exc
    values = matrix.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"{what} formula {rhs!r} gives non-finite values")
    return values, tuple(matrix.columns), matrix.design_info


def prepare(data: pd.DataFrame, treatment: str, outcome: str, *, ps_rhs: str | None = None,
            outcome_rhs: str | None = None) -> Problem:
    """Build the arrays of a binary-treatment problem from a data frame and two formulas.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit; no missing value in the columns used.
    treatment : str
        Column of 0/1 values (both present).
    outcome : str
        Column of finite real values.
    ps_rhs : str, optional
        Right-hand side of the propensity model (patsy syntax, e.g. ``"age + I(age**2)"``).
    outcome_rhs : str, optional
        Right-hand side of the outcome model; it should contain the treatment (as a term of
        its own or in products).

    Returns
    -------
    Problem

    Raises
    ------
    ValueError
        Naming the column or formula at fault: missing column, non-binary treatment, a
        single treatment group, missing or non-finite values.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for name, what in ((treatment, "treatment"), (outcome, "outcome")):
        if name not in data.columns:
            raise ValueError(f"{what} {name!r} is not a column of data")
    t = pd.to_numeric(data[treatment], errors="coerce").to_numpy(dtype=float)
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError(f"treatment {treatment!r} must hold only 0 and 1")
    if t.min() == t.max():
        raise ValueError(f"treatment {treatment!r} has a single group; both 0 and 1 are needed")
    y = pd.to_numeric(data[outcome], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(f"outcome {outcome!r} has missing or non-finite values")
    ps_design = ps_names = None
    if ps_rhs is not None:
        ps_design, ps_names, _ = _design(ps_rhs, data, "propensity")
    od = od1 = od0 = info = None
    onames: tuple[str, ...] = ()
    if outcome_rhs is not None:
        od, onames, info = _design(outcome_rhs, data, "outcome")
        od1 = patsy.dmatrix(info, data.assign(**{treatment: 1.0}), return_type="matrix")
        od0 = patsy.dmatrix(info, data.assign(**{treatment: 0.0}), return_type="matrix")
        od1, od0 = np.asarray(od1, dtype=float), np.asarray(od0, dtype=float)
    return Problem(y=y, t=t, ps_design=ps_design, outcome_design=od, outcome_design_1=od1,
                   outcome_design_0=od0, ps_names=ps_names or (), outcome_names=onames,
                   treatment=treatment, outcome_info=info)


# Estimators -----------------------------------------------------------------------------------
def _check_estimand(estimand: str) -> str:
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, got {estimand!r}")
    return estimand


def _check_trim(trim: float) -> float:
    if not (isinstance(trim, int | float) and 0.0 <= trim < 0.5):
        raise ValueError(f"trim must be a number in [0, 0.5), got {trim!r}")
    return float(trim)


def _need(array: np.ndarray | None, what: str) -> np.ndarray:
    if array is None:
        raise ValueError(f"this estimator needs the {what} formula: pass it to prepare()")
    return array


def naive_difference(problem: Problem) -> float:
    """Difference of the mean outcomes of treated and untreated units (no adjustment)."""
    t, y = problem.t == 1, problem.y
    return float(y[t].mean() - y[~t].mean())


def difference_in_means(problem: Problem, level: float = 0.95) -> Interval:
    """Difference in means with Welch's t interval (unequal variances).

    In a randomised experiment this is the unbiased estimate of the average effect.

    Parameters
    ----------
    problem : Problem
        Needs ``y`` and ``t`` only.
    level : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    Interval
        ``method="welch"``; ``se`` the standard error of the difference.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    t = problem.t == 1
    y1, y0 = problem.y[t], problem.y[~t]
    v1, v0 = y1.var(ddof=1) / len(y1), y0.var(ddof=1) / len(y0)
    se = math.sqrt(v1 + v0)
    dof = (v1 + v0) ** 2 / (v1**2 / (len(y1) - 1) + v0**2 / (len(y0) - 1))
    half = stats.t.ppf(0.5 + level / 2, dof) * se
    point = float(y1.mean() - y0.mean())
    return Interval(point, point - half, point + half, se, 0, "welch")


def _ols_coef(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """OLS coefficients, fast: Cholesky on the normal equations of the rescaled columns.

    Falls back to an SVD least-squares solution (minimum norm) when the design is
    (nearly) rank-deficient, e.g. a bootstrap sample that lacks a category.
    """
    scale = np.sqrt(np.mean(X**2, axis=0))
    scale[scale == 0] = 1.0
    Z = X / scale
    try:
        factor, lower = linalg.cho_factor(Z.T @ Z)
        diag = np.abs(np.diag(factor))
        if diag.min() ** 2 < 1e-12 * diag.max() ** 2:
            raise np.linalg.LinAlgError("ill-conditioned")
        coef = linalg.cho_solve((factor, lower), Z.T @ y)
    except (np.linalg.LinAlgError, linalg.LinAlgError):
        coef = np.linalg.lstsq(Z, y, rcond=None)[0]
    return coef / scale


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS coefficients, homoskedastic standard errors and residual degrees of freedom."""
    coef = _ols_coef(X, y)
    resid = y - X @ coef
    scale = np.sqrt(np.mean(X**2, axis=0))
    scale[scale == 0] = 1.0
    gram = (X / scale).T @ (X / scale)  # rescaled: well conditioned unless truly collinear
    dof = len(y) - int(np.linalg.matrix_rank(gram, hermitian=True))
    if dof <= 0:
        raise ValueError(f"{len(y)} rows are too few for {X.shape[1]} coefficients")
    cov = float(resid @ resid) / dof * np.linalg.pinv(gram, hermitian=True) / np.outer(scale, scale)
    return coef, np.sqrt(np.clip(np.diag(cov), 0.0, None)), int(dof)


def _column(problem: Problem, name: str) -> int:
    names = list(problem.outcome_names)
    if name not in names:
        raise ValueError(f"{name!r} is not a column of the outcome design ({', '.join(names)})")
    return names.index(name)


def regression_adjustment(problem: Problem) -> float:
    """The treatment's coefficient in the OLS outcome model (its own term must be present).

    With an additive treatment term this is the effect the model assumes to be the same
    for every unit, so the ATE and the ATT coincide under the model.
    """
    X = _need(problem.outcome_design, "outcome")
    coef = _ols_coef(X, problem.y)
    return float(coef[_column(problem, problem.treatment)])


def _logit_mle(X: np.ndarray, t: np.ndarray, maxiter: int = 100) -> np.ndarray:
    """Logistic-regression maximum likelihood by Newton's method with step halving.

    The columns are rescaled internally (Newton's steps are invariant to it, rounding is
    not). Returns the coefficients of the columns of ``X`` (original scale).
    """
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = X / scale
    beta = np.zeros(Z.shape[1])

    def loglik(b: np.ndarray) -> float:
        eta = Z @ b
        return float(np.sum(t * eta - np.logaddexp(0.0, eta)))

    current = loglik(beta)
    for _ in range(maxiter):
        p = 1 / (1 + np.exp(-(Z @ beta)))
        grad = Z.T @ (t - p)
        hess = (Z * (p * (1 - p))[:, None]).T @ Z
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        for _halving in range(30):
            candidate = loglik(beta + step)
            if candidate >= current - 1e-12:
                break
            step /= 2
        beta = beta + step
        improvement, current = candidate - current, candidate
        if abs(improvement) < 1e-10 * (1 + abs(current)):
            break
    return beta / scale


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-eta))


def fit_propensity(problem: Problem) -> np.ndarray:
    """Propensity scores from a logistic regression (maximum likelihood, Newton steps).

    Returns
    -------
    numpy.ndarray
        Estimated ``P(t = 1 | covariates)`` per row, clipped to [1e-12, 1 - 1e-12].
    """
    X = _need(problem.ps_design, "propensity")
    ps = _expit(X @ _logit_mle(X, problem.t))
    return np.clip(ps, 1e-12, 1 - 1e-12)


def _keep(ps: np.ndarray, estimand: str, trim: float) -> np.ndarray:
    """Rows kept by trimming: ATE keeps ``trim <= ps <= 1 - trim``; ATT keeps
    ``ps <= 1 - trim`` (only controls that look like sure participants get huge weights)."""
    if trim == 0:
        return np.ones(len(ps), dtype=bool)
    upper = ps <= 1 - trim
    return upper if estimand == "att" else upper & (ps >= trim)


def _trimmed_propensity(problem: Problem, estimand: str, trim: float, ps: object | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``estimand`` and ``trim``; the propensity scores (fitted unless given) and
    the rows kept after trimming."""
    _check_estimand(estimand)
    trim = _check_trim(trim)
    ps = fit_propensity(problem) if ps is None else np.asarray(ps, dtype=float)
    return ps, _keep(ps, estimand, trim)


def ipw_weights(t: np.ndarray, ps: np.ndarray, estimand: str = "ate",
                stabilised: bool = True) -> np.ndarray:
    """Inverse-probability weights.

    Parameters
    ----------
    t, ps : numpy.ndarray
        Treatment (0/1) and propensity score per row.
    estimand : {"ate", "att"}
        ATE: ``1/ps`` for the treated and ``1/(1-ps)`` for the others; stabilised by the
        marginal probabilities ``P(t=1)`` and ``P(t=0)`` (Hernán & Robins, section 12.3),
        which makes their mean about 1. ATT: 1 for the treated and ``ps/(1-ps)`` for the
        others (stabilisation multiplies the control weights by ``P(t=0)/P(t=1)``).
    stabilised : bool
        Whether to stabilise.

    Returns
    -------
    numpy.ndarray
    """
    _check_estimand(estimand)
    t = np.asarray(t, dtype=float)
    ps = np.asarray(ps, dtype=float)
    p1 = t.mean()
    if estimand == "ate":
        w = np.where(t == 1, 1 / ps, 1 / (1 - ps))
        if stabilised:
            w = w * np.where(t == 1, p1, 1 - p1)
    else:
        w = np.where(t == 1, 1.0, ps / (1 - ps))
        if stabilised:
            w = np.where(t == 1, 1.0, w * (1 - p1) / p1)
    return w


def ipw(problem: Problem, *, estimand: str = "ate", stabilised: bool = True, trim: float = 0.0,
        ps: np.ndarray | None = None) -> float:
    """Inverse-probability-weighted effect (Hajek: weighted means per treatment group).

    Equals the treatment coefficient of the weighted regression of the outcome on the
    treatment alone (the saturated marginal structural model of Hernán & Robins, chapter
    12); stabilisation changes the weights, not this estimate.

    Parameters
    ----------
    problem : Problem
        Needs the propensity design.
    estimand : {"ate", "att"}
    stabilised : bool
        Stabilised weights (see :func:`ipw_weights`).
    trim : float
        In [0, 0.5): drop rows whose propensity score is above ``1 - trim`` (and, for the
        ATE, below ``trim``) before weighting; 0 keeps every row.
    ps : numpy.ndarray, optional
        Propensity scores, if already fitted (else :func:`fit_propensity`).

    Returns
    -------
    float
    """
    ps, keep = _trimmed_propensity(problem, estimand, trim, ps)
    t, y = problem.t[keep], problem.y[keep]
    w = ipw_weights(t, ps[keep], estimand, stabilised)
    treated = t == 1
    if treated.all() or not treated.any():
        raise ValueError("trimming left a single treatment group; lower trim")
    return float(np.average(y[treated], weights=w[treated])
                 - np.average(y[~treated], weights=w[~treated]))


def _outcome_predictions(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    X = _need(problem.outcome_design, "outcome")
    coef = _ols_coef(X, problem.y)
    return (_need(problem.outcome_design_1, "outcome") @ coef,
            _need(problem.outcome_design_0, "outcome") @ coef)


def standardisation(problem: Problem, *, estimand: str = "ate") -> float:
    """Standardisation (parametric g-formula) with an OLS outcome model.

    Fits the outcome model, predicts every unit's outcome with the treatment set to 1 and
    to 0, and averages the difference over the target population (every unit for the
    ATE, the treated for the ATT) -- Hernán & Robins, section 13.2.
    """
    _check_estimand(estimand)
    m1, m0 = _outcome_predictions(problem)
    target = np.ones(problem.n, bool) if estimand == "ate" else problem.t == 1
    return float(np.mean(m1[target] - m0[target]))


def standardised_means(problem: Problem,
                       population: pd.DataFrame | None = None) -> tuple[float, float]:
    """Mean predicted outcome had every unit been treated, and had none been.

    The OLS outcome model is fitted on ``problem``; the predictions are averaged over its
    own rows or over ``population`` (e.g. a larger sample whose outcome is partly missing,
    as in Hernán & Robins, section 13.3).

    Returns
    -------
    (mean_treated, mean_untreated) : tuple of float
    """
    X = _need(problem.outcome_design, "outcome")
    coef = _ols_coef(X, problem.y)
    if population is None:
        X1, X0 = problem.outcome_design_1, problem.outcome_design_0
    else:
        info = problem.outcome_info
        try:
            X1, X0 = (np.asarray(patsy.dmatrix(info, population.assign(**{problem.treatment: v}),
                                               NA_action="raise"), dtype=float)
                      for v in (1.0, 0.0))
        except patsy.PatsyError as exc:
            raise ValueError(f"population cannot be put through the outcome model: {exc}") from exc
    return float(np.mean(X1 @ coef)), float(np.mean(X0 @ coef))


def aipw(problem: Problem, *, estimand: str = "ate", trim: float = 0.0,
         ps: np.ndarray | None = None) -> float:
    """Augmented inverse-probability weighting: doubly robust.

    Consistent if either the propensity model or the outcome model is correct (Robins,
    Rotnitzky & Zhao, 1994). ATE: the mean of ``m1 - m0 + t (y - m1)/ps -
    (1-t)(y - m0)/(1-ps)``. ATT: ``[sum t (y - m0) - sum (1-t) ps/(1-ps) (y - m0)] / sum t``.

    Parameters
    ----------
    problem : Problem
        Needs both the propensity and the outcome designs.
    estimand : {"ate", "att"}
    trim : float
        As in :func:`ipw`.
    ps : numpy.ndarray, optional
        Propensity scores, if already fitted.

    Returns
    -------
    float
    """
    ps, keep = _trimmed_propensity(problem, estimand, trim, ps)
    m1, m0 = _outcome_predictions(problem)
    t, y, e, m1, m0 = problem.t[keep], problem.y[keep], ps[keep], m1[keep], m0[keep]
    if estimand == "ate":
        return float(np.mean(m1 - m0 + t * (y - m1) / e - (1 - t) * (y - m0) / (1 - e)))
    return float((np.sum(t * (y - m0)) - np.sum((1 - t) * e / (1 - e) * (y - m0))) / t.sum())


# Bootstrap ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval.

    Attributes
    ----------
    estimate, low, high : float
        Point estimate and interval bounds.
    se : float
        Standard error (bootstrap standard deviation, or analytic).
    n_boot : int
        Bootstrap replicates used (0 for an analytic interval).
    method : str
        How the interval was obtained (``percentile``, ``normal``, ``welch``, ...).
    draws : numpy.ndarray
        The bootstrap replicates (empty for an analytic interval).
    """

    estimate: float
    low: float
    high: float
    se: float = math.nan
    n_boot: int = 0
    method: str = ""
    draws: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    def as_dict(self) -> dict[str, float]:
        """``estimate, low, high, se`` as a dict (for a table row)."""
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "se": self.se}


def bootstrap_cis(statistics: Callable[[np.ndarray], Mapping[str, float]], n: int, *,
                  n_boot: int, seed: int, level: float = 0.95, method: str = "percentile",
                  strata: np.ndarray | None = None) -> dict[str, Interval]:
    """Nonparametric bootstrap intervals of several statistics on the same resamples.

    Parameters
    ----------
    statistics : callable
        ``statistics(idx) -> {name: value}`` computed on the rows ``idx`` (an integer array,
        with repeats); ``statistics(numpy.arange(n))`` gives the point estimates. Sharing
        one call lets the statistics share work (a propensity model fitted once).
    n : int
        Number of rows.
    n_boot : int
        Bootstrap replicates, at least 2.
    seed : int
        Seed of the resampling (same seed, same intervals).
    level : float
        Coverage, in (0, 1).
    method : {"percentile", "normal"}
        Percentile interval of the replicates, or estimate ± z × their standard deviation
        (the normal-approximation interval of Hernán & Robins' programs).
    strata : numpy.ndarray, optional
        Resample within each stratum (e.g. the treatment), keeping its size.

    Returns
    -------
    dict of str to Interval
        In the order of the names returned by ``statistics``.

    Raises
    ------
    ValueError
        On bad arguments, or if more than 10 % of a statistic's replicates are not finite.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 2:
        raise ValueError(f"n_boot must be an integer >= 2, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if method not in ("percentile", "normal"):
        raise ValueError(f"method must be 'percentile' or 'normal', got {method!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if strata is not None and len(strata) != n:
        raise ValueError(f"strata has {len(strata)} values for {n} rows")
    point = {k: float(v) for k, v in statistics(np.arange(n)).items()}
    draws = np.empty((n_boot, len(point)))
    for b, idx in enumerate(bootstrap_indices(n_boot, n=n, strata=strata, seed=seed)):
        values = statistics(idx)
        draws[b] = [values[k] for k in point]
    out = {}
    z = stats.norm.ppf(0.5 + level / 2)
    for j, (name, estimate) in enumerate(point.items()):
        finite = draws[np.isfinite(draws[:, j]), j]
        if len(finite) < 0.9 * n_boot:
            raise ValueError(f"{name}: {n_boot - len(finite)} of {n_boot} bootstrap replicates "
                             "are not finite")
        se = float(finite.std(ddof=1))
        if method == "percentile":
            low, high = np.quantile(finite, [(1 - level) / 2, (1 + level) / 2])
        else:
            low, high = estimate - z * se, estimate + z * se
        out[name] = Interval(estimate, float(low), float(high), se, n_boot, method, finite)
    return out


def bootstrap_ci(statistic: Callable[[np.ndarray], float], n: int, *, n_boot: int, seed: int,
                 level: float = 0.95, method: str = "percentile",
                 strata: np.ndarray | None = None) -> Interval:
    """Nonparametric bootstrap interval of one statistic of ``n`` rows.

    ``statistic(idx) -> float``; the other arguments and the errors are those of
    :func:`bootstrap_cis`.

    Returns
    -------
    Interval
    """
    return bootstrap_cis(lambda idx: {"value": statistic(idx)}, n, n_boot=n_boot, seed=seed,
                         level=level, method=method, strata=strata)["value"]


# Sensitivity to an unobserved confounder (Cinelli & Hazlett, 2020) ----------------------------


# Library wrappers -----------------------------------------------------------------------------


_DOWHY_PS_COLUMN = "propensity_score"


# Figures --------------------------------------------------------------------------------------
def draw_confounding_graph(graph: nx.DiGraph, treatment: str, outcome: str, *,
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Draw a treatment-outcome DAG with its confounders on a row above the two.

    Confounders (every other node) are spread on the top row (staggered when there are
    more than six); edges among them are drawn as arcs. Colours follow :data:`causalxai.plots.ROLE_COLOURS` (confounder, lever,
    outcome).
    """
    from causalxai.plots import ROLE_COLOURS

    for node, what in ((treatment, "treatment"), (outcome, "outcome")):
        if node not in graph:
            raise ValueError(f"{what} {node!r} is not a node of the graph")
    ax = ax or plt.subplots(figsize=(7, 4.5))[1]
    others = [v for v in graph.nodes if v not in (treatment, outcome)]
    xs = np.linspace(0, 1, len(others)) if len(others) > 1 else np.array([0.5])
    lift = 0.3 if len(others) > 6 else 0.0  # stagger a long row so labels do not collide
    pos = {v: np.array([x, 1.0 + lift * (i % 2)])
           for i, (v, x) in enumerate(zip(others, xs, strict=True))}
    pos[treatment], pos[outcome] = np.array([0.25, 0.0]), np.array([0.75, 0.0])
    colours = {**dict.fromkeys(others, ROLE_COLOURS["confounder"]),
               treatment: ROLE_COLOURS["lever"], outcome: ROLE_COLOURS["outcome"]}
    among = [(u, v) for u, v in graph.edges if u in others and v in others]
    rest = [e for e in graph.edges if e not in among]
    nx.draw_networkx_edges(graph, pos, edgelist=rest, ax=ax, node_size=1500, arrowsize=12,
                           edge_color="#777777", width=0.8)
    nx.draw_networkx_edges(graph, pos, edgelist=among, ax=ax, node_size=1500, arrowsize=12,
                           edge_color="#777777", width=0.8, connectionstyle="arc3,rad=-0.4")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=1500, edgecolors="#333333",
                           node_color=[colours[v] for v in graph.nodes])
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=8)
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=c,
                          markeredgecolor="#333333", label=r)
               for r, c in (("confounder", ROLE_COLOURS["confounder"]),
                            ("treatment", ROLE_COLOURS["lever"]),
                            ("outcome", ROLE_COLOURS["outcome"]))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3,
              frameon=False, fontsize=8)
    ax.set_axis_off()
    ax.margins(0.08, 0.25)
    return ax


def forest_plot(table: pd.DataFrame, *, benchmark: Interval | PublishedEstimate | None = None,
                benchmark_label: str = "benchmark", ax: plt.Axes | None = None,
                xlabel: str = "estimated effect", colours: pd.Series | None = None) -> plt.Axes:
    """Point estimates with 95 % intervals, one row per method, against a benchmark.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by method, columns ``estimate``, ``low``, ``high`` (NaN bounds: no bar).
    benchmark : Interval or PublishedEstimate, optional
        Drawn as a vertical line with its interval shaded.
    benchmark_label : str
        Legend text of the benchmark.
    ax : matplotlib Axes, optional
    xlabel : str
    colours : pandas.Series, optional
        Colour per method.

    Returns
    -------
    matplotlib Axes
        The first row of ``table`` on top.
    """
    for col in ("estimate", "low", "high"):
        if col not in table.columns:
            raise ValueError(f"table needs a {col!r} column")
    ax = ax or plt.subplots(figsize=(7, 0.45 * len(table) + 1.5))[1]
    y = np.arange(len(table))[::-1]
    if benchmark is not None:
        ax.axvline(benchmark.estimate, color="#d62728", linewidth=1.5, label=benchmark_label)
        if np.isfinite(benchmark.low) and np.isfinite(benchmark.high):
            ax.axvspan(benchmark.low, benchmark.high, color="#d62728", alpha=0.12,
                       label=f"{benchmark_label}: 95 % interval")
    ax.axvline(0, color="black", linewidth=0.7)
    cols = colours.reindex(table.index).fillna("#1f77b4") if colours is not None else None
    for i, (name, row) in enumerate(table.iterrows()):
        colour = "#1f77b4" if cols is None else cols[name]
        lo, hi = row["low"], row["high"]
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [y[i], y[i]], color=colour, linewidth=2)
        ax.plot(row["estimate"], y[i], "o", color=colour, markersize=7)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_xlabel(xlabel)
    if benchmark is not None:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8,
                  frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax



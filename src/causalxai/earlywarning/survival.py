"""Part IV scoring of risk models: time-dependent AUC, Brier scores, concordance, and a
bootstrap over firms (the metrics of :mod:`causalxai.earlywarning.horizons` models).

They follow scikit-survival's conventions (inverse probability of censoring weights, Uno
et al. 2007; Graf et al. 1999; Harrell's C) and the tests check them against it.
:func:`firm_bootstrap` resamples firms (not rows: a firm's months are correlated) with
:func:`causalxai.predict.bootstrap_weights`. Cost: ``O(n log n)`` per time point; the
bootstrap is ``O(B n)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from causalxai.earlywarning.horizons import HORIZONS, _survival_arrays
from causalxai.predict.metrics import average_precision, bootstrap_weights, ranking_metrics, roc_auc

__all__ = [
    "brier_scores",
    "censoring_survival",
    "concordance_index",
    "firm_bootstrap",
    "integrated_brier_score",
    "score_table",
    "time_dependent_auc",
]


def censoring_survival(duration: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier estimate of the censoring survival ``G(t) = P(C > t)``.

    A failure at ``t`` is taken to happen before a censoring at ``t`` (the failing firm
    leaves the censoring risk set first), as in scikit-survival. Returns the distinct
    times and ``G`` just after each (a right-continuous step function).
    """
    d, e = _survival_arrays(duration, event)
    times, inverse = np.unique(d, return_inverse=True)
    n_events = np.bincount(inverse, weights=e, minlength=len(times))
    n_total = np.bincount(inverse, minlength=len(times)).astype(float)
    n_censored = n_total - n_events
    at_risk = n_total[::-1].cumsum()[::-1] - n_events
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(n_censored > 0, n_censored / at_risk, 0.0)
    return times, np.cumprod(1.0 - ratio)


def _step(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(times, at, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)], 1.0)


def _censoring(duration: np.ndarray, event: np.ndarray, censoring: tuple | None
               ) -> tuple[np.ndarray, np.ndarray]:
    if censoring is None:
        return censoring_survival(duration, event)
    if len(censoring) != 2:
        raise ValueError("censoring must be a (duration, event) pair")
    return censoring_survival(*censoring)


def _risk_matrix(risk: object, n: int, k: int, name: str = "risk") -> np.ndarray:
    r = np.asarray(risk, dtype=float)
    if r.ndim == 1:
        r = np.broadcast_to(r[:, None], (len(r), k))
    if r.shape != (n, k):
        raise ValueError(f"{name} must have shape ({n},) or ({n}, {k}), got {r.shape}")
    if np.isnan(r).any():
        raise ValueError(f"{name} has missing values")
    return r


def _mann_whitney(case_scores: np.ndarray, case_weights: np.ndarray, controls: np.ndarray
                  ) -> tuple[float, float]:
    """Weighted count of (case, control) pairs ranked right (ties: half), and of pairs."""
    s = np.sort(controls)
    below = np.searchsorted(s, case_scores, side="left")
    tied = np.searchsorted(s, case_scores, side="right") - below
    return (float(np.sum(case_weights * (below + 0.5 * tied))),
            float(np.sum(case_weights) * len(s)))


def time_dependent_auc(duration: object, event: object, risk: object, times: Sequence[float],
                       *, censoring: tuple | None = None) -> np.ndarray:
    """Cumulative/dynamic AUC at each time, with inverse probability of censoring weights.

    At time ``t`` the cases are the rows failing by ``t``, the controls those still
    event-free after ``t``; a case is weighted by ``1 / G(T_i)`` (Uno et al., 2007), so
    that censoring before ``t`` does not bias the estimate. Without censoring before
    ``t`` it is the ROC-AUC of the binary target "fails by ``t``".

    Parameters
    ----------
    duration, event : array-like
        Observed months to failure or censoring, and the failure indicator.
    risk : array of shape (n,) or (n, len(times))
        Higher means riskier; one column per time for time-dependent predictions.
    times : sequence of float
        Evaluation times.
    censoring : (duration, event), optional
        Data to estimate ``G`` from (scikit-survival's ``survival_train``); default: the
        evaluated rows themselves.

    Returns
    -------
    ndarray
        One AUC per time (NaN when there is no case or no control).
    """
    d, e = _survival_arrays(duration, event)
    times = np.asarray(times, dtype=float)
    r = _risk_matrix(risk, len(d), len(times))
    g_times, g = _censoring(d, e, censoring)
    g_at = _step(g_times, g, d)
    out = np.full(len(times), np.nan)
    for k, t in enumerate(times):
        cases = e & (d <= t)
        controls = d > t
        if not cases.any() or not controls.any():
            continue
        if (g_at[cases] <= 0).any():
            raise ValueError("the censoring survival is zero at a failure time")
        num, den = _mann_whitney(r[cases, k], 1.0 / g_at[cases], r[controls, k])
        out[k] = num / den
    return out


def brier_scores(duration: object, event: object, cumulative: object, times: Sequence[float],
                 *, censoring: tuple | None = None) -> np.ndarray:
    """Brier score of predicted failure probabilities at each time, IPCW (Graf et al., 1999).

    ``BS(t) = mean[ S_i(t)^2 1(T_i <= t, failed) / G(T_i) + (1 - S_i(t))^2 1(T_i > t) / G(t) ]``
    with ``S = 1 - cumulative``.

    Parameters
    ----------
    duration, event : array-like
        Observed months to failure or censoring, and the failure indicator.
    cumulative : array of shape (n, len(times))
        Predicted probabilities of failing by each time.
    times : sequence of float
    censoring : (duration, event), optional
        Data to estimate ``G`` from; default the evaluated rows.
    """
    d, e = _survival_arrays(duration, event)
    times = np.asarray(times, dtype=float)
    f = _risk_matrix(cumulative, len(d), len(times), "cumulative")
    if (f < 0).any() or (f > 1).any():
        raise ValueError("cumulative must hold probabilities in [0, 1]")
    g_times, g = _censoring(d, e, censoring)
    g_at = _step(g_times, g, d)
    g_t = _step(g_times, g, times)
    with np.errstate(divide="ignore"):
        inv_at = np.where(g_at > 0, 1.0 / g_at, 0.0)
        inv_t = np.where(g_t > 0, 1.0 / g_t, 0.0)
    out = np.empty(len(times))
    for k, t in enumerate(times):
        s = 1.0 - f[:, k]
        case = e & (d <= t)
        control = d > t
        out[k] = np.mean(s**2 * case * inv_at + (1 - s) ** 2 * control * inv_t[k])
    return out


def integrated_brier_score(duration: object, event: object, cumulative: object,
                           times: Sequence[float], *, censoring: tuple | None = None) -> float:
    """Brier score integrated over ``times`` (trapezoids) and divided by their span."""
    times = np.asarray(times, dtype=float)
    if len(times) < 2 or (np.diff(times) <= 0).any():
        raise ValueError("times must hold at least two increasing values")
    bs = brier_scores(duration, event, cumulative, times, censoring=censoring)
    return float(np.trapezoid(bs, times) / (times[-1] - times[0]))


def concordance_index(duration: object, event: object, risk: object, *,
                      tau: float | None = None) -> float:
    """Harrell's concordance index: share of comparable pairs ranked in the right order.

    A pair is comparable when the shorter time ends in a failure (a censored row at the
    same time as a failure counts as the longer one; two failures at the same time are
    not comparable); it is concordant when the row failing first has the higher risk,
    and a tie in risk counts one half. With ``tau`` only failures at times ``<= tau``
    open pairs (a truncated C). Same conventions as scikit-survival's
    ``concordance_index_censored`` (with exact ties).
    """
    d, e = _survival_arrays(duration, event)
    r = np.asarray(risk, dtype=float)
    if r.shape != d.shape or np.isnan(r).any():
        raise ValueError("risk must be a 1-d array like duration, without missing values")
    event_times = np.unique(d[e & (d <= (np.inf if tau is None else tau))])
    if len(event_times) == 0:
        raise ValueError("no failure: the concordance index is undefined")
    num = den = 0.0
    for t in event_times:
        cases = e & (d == t)
        controls = (d > t) | ((d == t) & ~e)
        if not controls.any():
            continue
        a, b = _mann_whitney(r[cases], np.ones(int(cases.sum())), r[controls])
        num, den = num + a, den + b
    if den == 0:
        raise ValueError("no comparable pair: the concordance index is undefined")
    return num / den


def firm_bootstrap(y: object, scores: Mapping[str, object], groups: object, *,
                   n_boot: int = 200, seed: int = 0, chunk: int = 25) -> pd.DataFrame:
    """ROC-AUC and PR-AUC of several scores on bootstrap resamples of firms.

    Firms (``groups``), not rows, are drawn with replacement, so a resample keeps each
    firm's months together; every score is evaluated on the same resamples (paired).

    Parameters
    ----------
    y : array of 0/1
        Binary target of the evaluated rows (no missing values).
    scores : mapping
        Name -> score array (higher: riskier), aligned with ``y``.
    groups : array
        Firm of each row.
    n_boot : int
        Resamples.
    seed : int
        Seed of the resampling.
    chunk : int
        Resamples evaluated at once (memory ``chunk x n`` floats).

    Returns
    -------
    DataFrame
        One row per resample; columns ``(score name, "roc_auc" | "pr_auc")``.
    """
    y = np.asarray(y, dtype=float)
    if np.isnan(y).any() or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold 0/1 values without missing values")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    codes, _ = pd.factorize(np.asarray(groups))
    if len(codes) != len(y):
        raise ValueError("groups must be aligned with y")
    weights = bootstrap_weights(n_boot, groups=codes, seed=seed, dtype=np.float32)  # (rows, B)
    out: dict[tuple[str, str], np.ndarray] = {}
    for name, score in scores.items():
        s = np.asarray(score, dtype=float)
        if s.shape != y.shape or np.isnan(s).any():
            raise ValueError(f"score {name!r} is not aligned with y or has missing values")
        roc, pr = [], []
        for lo in range(0, n_boot, chunk):
            auc, ap = ranking_metrics(y, s, weights[:, lo:lo + chunk])
            roc.append(auc)
            pr.append(ap)
        out[(name, "roc_auc")] = np.concatenate(roc)
        out[(name, "pr_auc")] = np.concatenate(pr)
    frame = pd.DataFrame(out)
    frame.columns.names = ["score", "metric"]
    return frame


def score_table(y: pd.DataFrame, surv: pd.DataFrame, predictions: Mapping[str, object],
                times: Sequence[int], horizons: Sequence[int] = HORIZONS) -> pd.DataFrame:
    """Discrimination and calibration of several models on the same test rows.

    Parameters
    ----------
    y : DataFrame
        ``failure_within_<h>`` targets of the test rows (rows with a missing target are
        left out of that horizon's metrics).
    surv : DataFrame
        ``duration`` and ``event`` of the test rows.
    predictions : mapping
        Model name -> either ``F(t | x)`` on ``times`` (array ``(n, len(times))``) or a
        1-d risk score (then the calibration metrics are NaN and the score ranks every
        horizon).
    times : sequence of int
        Months of the prediction grid; must contain every horizon.
    horizons : sequence of int

    Returns
    -------
    DataFrame
        One row per model: ``roc_auc_<h>`` and ``pr_auc_<h>`` (of ``F(h | x)``),
        ``brier_<h>``, ``ibs`` (over ``times``), ``c_index`` (Harrell's, of ``F(max
        horizon | x)``, failures up to the largest horizon) and ``td_auc_mean`` (mean of
        the cumulative/dynamic AUC over ``times``).
    """
    times = list(times)
    missing = [h for h in horizons if h not in times]
    if missing:
        raise ValueError(f"times must contain every horizon; missing {missing}")
    d, e = surv["duration"].to_numpy(float), surv["event"].to_numpy(float)
    rows = {}
    for name, pred in predictions.items():
        p = np.asarray(pred, dtype=float)
        curve = p.ndim == 2
        if curve and p.shape != (len(y), len(times)):
            raise ValueError(f"predictions[{name!r}] must have shape ({len(y)}, {len(times)})")
        if not curve and p.shape != (len(y),):
            raise ValueError(f"predictions[{name!r}] must have {len(y)} values")
        row = {}
        for h in horizons:
            target = y[f"failure_within_{h}"].to_numpy(float)
            known = ~np.isnan(target)
            s = p[known, times.index(h)] if curve else p[known]
            row[f"roc_auc_{h}"] = roc_auc(target[known], s)
            row[f"pr_auc_{h}"] = average_precision(target[known], s)
            row[f"brier_{h}"] = float(np.mean((target[known] - s) ** 2)) if curve else np.nan
        row["ibs"] = integrated_brier_score(d, e, p, times) if curve else np.nan
        last = p[:, times.index(max(horizons))] if curve else p
        row["c_index"] = concordance_index(d, e, last, tau=max(horizons))
        row["td_auc_mean"] = float(np.nanmean(time_dependent_auc(d, e, p, times)))
        rows[name] = row
    return pd.DataFrame(rows).T

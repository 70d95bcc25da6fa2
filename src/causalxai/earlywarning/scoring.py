"""Part IV metrics of an alert service: precision and recall of alerts at a monthly
budget, calibration, and all of them per period with a bootstrap over firms.

ROC-AUC, the bootstrap weights and the alerts come from :mod:`causalxai.predict.metrics`
(weights ``(rows, replicates)``); labels may be soft (true probabilities: expected
metrics). :func:`period_metrics` evaluates several scores on the same replicates.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pandas as pd

from causalxai.earlywarning.robustness import _check_frame, _fraction
from causalxai.predict.metrics import alerts_at_budget, bootstrap_weights, roc_auc

__all__ = [
    "budget_precision_recall",
    "expected_calibration_error",
    "observed_expected",
    "period_metrics",
]


def _weights(n: int, weights: np.ndarray | None) -> np.ndarray:
    if weights is None:
        return np.ones((n, 1))
    w = np.asarray(weights, dtype=float)
    w = w[:, None] if w.ndim == 1 else w
    if w.shape[0] != n:
        raise ValueError(f"weights must have {n} rows, got {w.shape[0]}")
    return w


def _out(values: np.ndarray, weights: np.ndarray | None) -> float | np.ndarray:
    if weights is None or np.asarray(weights).ndim == 1:
        return float(values[0])
    return values


def budget_precision_recall(y: np.ndarray | pd.Series, alert: np.ndarray | pd.Series,
                            weights: np.ndarray | None = None
                            ) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Precision (failures among alerts) and recall (alerted share of failures).

    ``y`` may be soft (true probabilities: expected precision and recall).
    """
    y = np.asarray(y, dtype=float)
    a = np.asarray(alert, dtype=bool).astype(float)
    if y.shape != a.shape:
        raise ValueError("y and alert must have the same length")
    w = _weights(len(y), weights)
    tp = (w * (y * a)[:, None]).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = tp / (w * a[:, None]).sum(0)
        recall = tp / (w * y[:, None]).sum(0)
    return _out(precision, weights), _out(recall, weights)


def expected_calibration_error(y: np.ndarray | pd.Series, p: np.ndarray | pd.Series,
                               n_bins: int = 10, weights: np.ndarray | None = None
                               ) -> float | np.ndarray:
    """Expected calibration error over ``n_bins`` equal-count bins of ``p``.

    ``sum_b (W_b / W) |mean(y)_b - mean(p)_b|`` with bins at the quantiles of ``p``
    (equal-count bins: with failure rates near 1 %, equal-width bins would put almost
    every row in the first bin); tied values of ``p`` share a bin. In probability units.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError("y and p must have the same length")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    w = _weights(len(y), weights)
    order = np.argsort(p, kind="mergesort")
    return _out(_ece_sorted(y[order], p[order], w[order], n_bins), weights)


def _bin_edges(ps: np.ndarray, n_bins: int) -> np.ndarray:
    """Edges of equal-count bins over sorted ``ps``; tied values stay in one bin."""
    n = len(ps)
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    idx = np.arange(n)
    new = np.r_[True, ps[1:] != ps[:-1]]
    first = np.maximum.accumulate(np.where(new, idx, 0))
    b = first * n_bins // n
    return np.r_[np.flatnonzero(np.r_[True, b[1:] != b[:-1]]), n]


def _ece_sorted(y: np.ndarray, p: np.ndarray, w: np.ndarray, n_bins: int) -> np.ndarray:
    """ECE of rows sorted by increasing ``p`` (equal-count bins are then contiguous)."""
    edges = _bin_edges(p, n_bins)
    W = np.add.reduceat(w, edges[:-1], axis=0)
    Y = np.add.reduceat(w * y[:, None], edges[:-1], axis=0)
    Pm = np.add.reduceat(w * p[:, None], edges[:-1], axis=0)
    return np.abs(Y - Pm).sum(0) / W.sum(0)


def observed_expected(y: np.ndarray | pd.Series, p: np.ndarray | pd.Series,
                      weights: np.ndarray | None = None) -> float | np.ndarray:
    """Observed over expected failures ``sum y / sum p`` (1: calibrated in the large)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    w = _weights(len(y), weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out((w * y[:, None]).sum(0) / (w * p[:, None]).sum(0), weights)


def _block_metrics(Wy: np.ndarray, Wn: np.ndarray, p: np.ndarray, order: np.ndarray,
                   alert: np.ndarray, n_bins: int) -> dict[str, np.ndarray]:
    """Precision, recall, ECE and O/E for several weight columns at once.

    ``Wy`` and ``Wn`` are the positive and negative weights ``w y`` and ``w (1 - y)``,
    shape (n, B); ``order`` sorts ``p`` increasingly. (The AUC comes from
    :func:`causalxai.predict.roc_auc`.)
    """
    ps = p[order]
    Ys, Ns = Wy[order], Wn[order]
    B = Ys.shape[1]
    tot_p, tot_n = Ys.sum(0, dtype=float), Ns.sum(0, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tp = Wy[alert].sum(0, dtype=float)
        precision = tp / (tp + Wn[alert].sum(0, dtype=float))
        recall = tp / tot_p
        ps32 = ps.astype(Ys.dtype)
        oe = tot_p / (ps32 @ Ys + ps32 @ Ns)
        edges = _bin_edges(ps, n_bins)
        gap = np.zeros(B)
        for lo, hi in pairwise(edges):
            yb, nb = Ys[lo:hi], Ns[lo:hi]
            gap += np.abs(yb.sum(0, dtype=float) - ps32[lo:hi] @ yb - ps32[lo:hi] @ nb)
        ece = gap / (tot_p + tot_n)
    return {"precision": precision, "recall": recall, "ece": ece, "oe": oe}


def period_metrics(frame: pd.DataFrame, scores: Mapping[str, np.ndarray], *,
                   period: str | None = None, groups: Mapping[str, np.ndarray] | None = None,
                   budget: float, n_boot: int = 200, seed: int = 0, level: float = 0.95,
                   label: str = "y", reference: str | None = None,
                   n_bins: int = 10) -> pd.DataFrame:
    """Metrics of several scores per period, with a bootstrap over firms.

    Parameters
    ----------
    frame : DataFrame
        ``firm_id``, ``month``, the label column and the ``period`` column.
    scores : mapping
        Approach name -> probabilities aligned with ``frame``.
    period : str, optional
        Column of ``frame`` grouping the rows (e.g. the quarter). A summary period
        ``"mean"`` is added: the unweighted mean of the metric over the periods (its
        replicates are the means of the periods' replicates, which share the firms' draws).
    groups : mapping, optional
        Instead of ``period``: name -> boolean mask over the rows (groups may overlap, e.g.
        all firms, a sector, a subgroup of it); no ``"mean"`` row. Either way the alerts
        are chosen among all the rows of a month, then scored within each group.
    budget : float
        Share of firms alerted each month (see :func:`alerts_at_budget`).
    n_boot, seed, level : int, int, float
        Bootstrap replicates over firms (all rows of a firm get its count), their seed,
        coverage of the percentile intervals.
    label : str
        Label column (0/1, or true probabilities for expected metrics).
    reference : str, optional
        An approach: the table also holds every other approach's difference to it
        (``metric`` suffixed ``_diff``), paired within each replicate.
    n_bins : int
        Bins of the expected calibration error.

    Returns
    -------
    DataFrame
        Long: ``approach``, ``period``, ``metric`` (``auc``, ``precision``, ``recall``,
        ``ece``, ``oe`` and the ``_diff`` versions), ``estimate`` (full sample),
        ``lower``, ``upper`` (percentile bootstrap interval), ``n_rows``, ``n_events``.
    """
    if (period is None) == (groups is None):
        raise ValueError("give exactly one of period and groups")
    _check_frame(frame, ("firm_id", "month", label, *([period] if period else [])))
    if not scores:
        raise ValueError("scores must hold at least one approach")
    if reference is not None and reference not in scores:
        raise ValueError(f"reference {reference!r} is not one of the scores")
    _fraction("level", level)
    y_all = frame[label].to_numpy(dtype=float)
    if np.isnan(y_all).any():
        raise ValueError(f"frame[{label!r}] has missing values: drop censored rows first")
    arrays = {}
    for k, v in scores.items():
        v = np.asarray(v, dtype=float)
        if v.shape != y_all.shape or np.isnan(v).any():
            raise ValueError(f"scores[{k!r}] must have one non-missing value per row")
        arrays[k] = v
    W_all = bootstrap_weights(n_boot, groups=frame["firm_id"], seed=seed, dtype=np.float32)
    alerts = {k: alerts_at_budget(v, frame["month"], budget) for k, v in arrays.items()}
    if period is not None:
        labels = frame[period].to_numpy()
        groups_idx = [(str(g), np.flatnonzero(labels == g)) for g in pd.unique(labels)]
    else:
        groups_idx = []
        for name, mask in groups.items():
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != y_all.shape or not mask.any():
                raise ValueError(f"groups[{name!r}] must be a non-empty mask over the rows")
            groups_idx.append((str(name), np.flatnonzero(mask)))
    groups = groups_idx
    metrics = ("auc", "precision", "recall", "ece", "oe")
    # values[(approach, metric)] -> (n_periods, 1 + n_boot): column 0 is the full sample
    values = {(k, m): np.empty((len(groups), n_boot + 1)) for k in arrays for m in metrics}
    meta = []
    for gi, (_, idx) in enumerate(groups):
        y = y_all[idx]
        meta.append((len(idx), float(y.sum())))
        W = np.empty((len(idx), n_boot + 1), dtype=np.float32)
        W[:, 0] = 1.0
        W[:, 1:] = W_all[idx]
        Wy = W * y.astype(np.float32)[:, None]
        Wn = W - Wy
        for k, p in arrays.items():
            p = p[idx]
            out = _block_metrics(Wy, Wn, p, np.argsort(p, kind="mergesort"), alerts[k][idx],
                                 n_bins)
            out["auc"] = roc_auc(y, p, W)
            for m in metrics:
                values[(k, m)][gi] = out[m]
    a = (1 - level) / 2
    summary = period is not None
    names = [g for g, _ in groups] + (["mean"] if summary else [])
    rows = []
    for (k, m), v in values.items():
        ref = values[(reference, m)] if reference is not None else None
        if summary:
            v = np.vstack([v, v.mean(0)])
            ref = None if ref is None else np.vstack([ref, ref.mean(0)])
        entries = [(m, v)]
        if ref is not None and k != reference:
            entries.append((f"{m}_diff", v - ref))
        for metric, x in entries:
            for gi, name in enumerate(names):
                n_rows, n_events = meta[gi] if gi < len(meta) else (
                    sum(r for r, _ in meta), sum(e for _, e in meta))
                reps = x[gi, 1:]
                with warnings.catch_warnings():  # all-NaN replicates (e.g. no alert at all)
                    warnings.simplefilter("ignore", RuntimeWarning)
                    lower, upper = np.nanquantile(reps, a), np.nanquantile(reps, 1 - a)
                rows.append({"approach": k, "period": name, "metric": metric,
                             "estimate": float(x[gi, 0]), "lower": float(lower),
                             "upper": float(upper), "n_rows": n_rows, "n_events": n_events})
    return pd.DataFrame(rows)

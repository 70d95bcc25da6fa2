"""A leak-free evaluation protocol for default prediction, and the accounting of the ratios.

Four jobs, used by the real-data chapters:

1. **Protocol.** Repeated stratified K-fold cross-validation in which every preprocessing
   step (clipping extreme ratios at quantiles, median imputation with missing-value
   indicators, scaling) is a step of a scikit-learn pipeline, so it is fitted on the
   training rows of each fold only (Kaufman et al., 2012, call the alternative
   *leakage*). Exact duplicate rows are either dropped before splitting or kept together
   in one fold (:func:`duplicate_groups`). Scores: ROC-AUC, PR-AUC (average precision,
   whose chance level is the prevalence; Saito & Rehmsmeier, 2015) and the Brier score;
   out-of-fold probabilities feed a reliability table (:func:`reliability_table`).
2. **Explanations and their stability.** Mean absolute TreeSHAP values per fold and per
   seed (:func:`cross_validate` with ``explain_rows``, :func:`seed_importances`) and
   the Spearman rank agreement between runs (:func:`rank_agreement`).
3. **The Polish ratios** (in :mod:`causalxai.realdata.polish_ratios`). :data:`POLISH_RATIOS` holds the definitions of ``Attr1`` to
   ``Attr64`` of the Polish companies bankruptcy data (Zięba, Tomczak & Tomczak, 2016;
   UCI dataset 365); :func:`parse_ratio` reads the accounting items each one is built
   from, and :func:`mechanical_groups` groups the ratios built from the same items
   (reciprocals, re-scalings, near-duplicates).
4. **Published results.** :data:`PUBLISHED_AUC`, literature values to compare with.

Examples
--------
>>> from causalxai.realdata import polish as ev
>>> X, y = ev.split_xy(df)                                           # doctest: +SKIP
>>> res = ev.cross_validate(X, y, lambda s: ev.make_pipeline("lgbm", seed=s))  # doctest: +SKIP
>>> ev.summarise(res.scores)                                         # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from causalxai.predict.explain import mean_abs_shap, tree_shap
from causalxai.predict.metrics import average_precision, roc_auc
from causalxai.predict.models import gbm
from causalxai.predict.protocol import Winsorizer, repeated_splits
from causalxai.realdata.polish_ratios import POLISH_RATIOS, _connected_groups, component_table

__all__ = [
    "METRICS",
    "PUBLISHED_AUC",
    "CVResult",
    "PublishedResult",
    "annotate_pairs",
    "binary_metrics",
    "correlation_groups",
    "credit_split",
    "cross_validate",
    "duplicate_effect",
    "duplicate_groups",
    "group_importance",
    "high_correlation_pairs",
    "make_pipeline",
    "mean_sd",
    "observed_to_expected",
    "published_auc",
    "rank_agreement",
    "reliability_table",
    "seed_importances",
    "spearman_matrix",
    "split_xy",
    "subsample_stratified",
    "summarise",
    "top_k_overlap",
]

#: The scores computed on every test fold, with the direction of "better".
METRICS = {"roc_auc": "higher", "pr_auc": "higher", "brier": "lower"}


# =========================================================================== data helpers
def split_xy(df: pd.DataFrame, target: str = "class") -> tuple[pd.DataFrame, pd.Series]:
    """Features and 0/1 target of a frame.

    Raises
    ------
    ValueError
        If ``target`` is missing or not binary 0/1.
    """
    if target not in df.columns:
        raise ValueError(f"target column {target!r} not in the frame (columns: {list(df)[:5]}...)")
    y = df[target]
    if not set(pd.unique(y)) <= {0, 1}:
        raise ValueError(f"target {target!r} must be 0/1, got values {sorted(pd.unique(y))[:5]}")
    return df.drop(columns=[target]), y.astype(int)


def duplicate_groups(df: pd.DataFrame) -> np.ndarray:
    """Group label per row: exactly identical rows (NaN equal to NaN) share a label.

    Use it as ``groups`` of :func:`causalxai.predict.repeated_splits` to keep the copies of a row in the same
    fold, so that a model is never tested on a row it was trained on.

    Returns
    -------
    numpy.ndarray of int
        Labels ``0..n_unique-1``, in order of first appearance.
    """
    if df.empty:
        return np.zeros(0, dtype=int)
    keys = pd.util.hash_pandas_object(df, index=False).to_numpy()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    # relabel by first appearance, so that labels are stable and readable
    order = np.argsort(np.argsort(first))
    return order[inverse].astype(int)


def subsample_stratified(
    X: pd.DataFrame, y: pd.Series, n_rows: int, *, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """A stratified random subset of ``n_rows`` rows (all rows if ``n_rows`` is 0 or larger).

    Raises
    ------
    ValueError
        If ``n_rows`` is negative.
    """
    if n_rows < 0:
        raise ValueError(f"n_rows must be >= 0 (0 = all rows), got {n_rows}")
    if n_rows == 0 or n_rows >= len(X):
        return X, y
    rng = np.random.default_rng(seed)
    keep = []
    for label in (0, 1):
        idx = np.flatnonzero(y.to_numpy() == label)
        k = max(1, round(n_rows * len(idx) / len(y)))
        keep.append(rng.choice(idx, size=min(k, len(idx)), replace=False))
    rows = np.sort(np.concatenate(keep))
    return X.iloc[rows], y.iloc[rows]


# =========================================================================== preprocessing
MODELS = ("logit", "lgbm")


def make_pipeline(
    model: str,
    *,
    winsor_quantile: float = 0.01,
    class_weight: str | None = None,
    C: float = 1.0,
    n_estimators: int = 300,
    learning_rate: float = 0.05,
    num_leaves: int = 15,
    subsample: float = 0.8,
    colsample: float = 0.8,
    seed: int = 0,
    n_jobs: int = 1,
) -> Pipeline:
    """A model with its preprocessing, as one scikit-learn pipeline (fitted per fold).

    ``"logit"``: clip at quantiles → median imputation plus one missing-value indicator
    per feature with missing training values → standardisation → L2-penalised logistic
    regression. ``"lgbm"``: clip at quantiles → LightGBM (Ke et al., 2017), which routes
    missing values itself; row and column subsampling make the fit depend on ``seed``.

    Parameters
    ----------
    model : {"logit", "lgbm"}
    winsor_quantile : float
        Tail probability clipped on each side (see :class:`causalxai.predict.Winsorizer`).
    class_weight : {None, "balanced"}
        Logistic regression only: "balanced" reweights the rare class (better ranking
        sometimes, but probabilities no longer estimate the prevalence).
    C : float
        Inverse L2 penalty strength of the logistic regression.
    n_estimators, learning_rate, num_leaves, subsample, colsample : LightGBM settings
        Boosting rounds, shrinkage, leaves per tree, row and column sampling rates.
    seed : int
        Random seed of the LightGBM subsampling.
    n_jobs : int
        LightGBM threads.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; its transformers output pandas frames so column names reach the model.

    Raises
    ------
    ValueError
        On an unknown ``model`` or ``class_weight``.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if class_weight not in (None, "balanced"):
        raise ValueError(f"class_weight must be None or 'balanced', got {class_weight!r}")
    clip = ("clip", Winsorizer(winsor_quantile))
    if model == "logit":
        steps = [
            clip,
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=C, class_weight=class_weight,
                                         solver="newton-cholesky", max_iter=200)),
        ]
    else:
        steps = [
            clip,
            ("model", gbm(
                "classification", seed=seed, n_estimators=n_estimators,
                learning_rate=learning_rate, num_leaves=num_leaves, subsample=subsample,
                subsample_freq=1, colsample_bytree=colsample, n_jobs=n_jobs,
                force_col_wise=True,
            )),
        ]
    return Pipeline(steps).set_output(transform="pandas")


# =========================================================================== splits and metrics
def binary_metrics(y: np.ndarray | pd.Series, p: np.ndarray | pd.Series) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier score and their reference levels on one set of predictions.

    Returns
    -------
    dict
        ``roc_auc``; ``pr_auc`` (average precision) and ``prevalence`` (its chance level);
        ``brier`` and ``brier_ref`` (the Brier score of always predicting the prevalence,
        ``prevalence * (1 - prevalence)``) and ``brier_skill = 1 - brier / brier_ref``;
        ``n`` and ``n_pos``.

    Raises
    ------
    ValueError
        If ``y`` has a single class or ``p`` is outside [0, 1].
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    if len(np.unique(y)) != 2:
        raise ValueError("y must contain both classes to compute ROC-AUC and PR-AUC")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError("p must be probabilities in [0, 1]")
    prev = float(y.mean())
    brier = float(brier_score_loss(y, p))
    ref = prev * (1 - prev)
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": average_precision(y, p),
        "prevalence": prev,
        "brier": brier,
        "brier_ref": ref,
        "brier_skill": 1 - brier / ref,
        "n": len(y),
        "n_pos": int(y.sum()),
    }


@dataclass
class CVResult:
    """Output of :func:`cross_validate`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (repeat, fold): the :func:`binary_metrics` of the test fold.
    oof : pandas.DataFrame
        Out-of-fold predictions: ``repeat``, ``row`` (index label of ``X``), ``y``, ``p``.
    importance : pandas.DataFrame or None
        Mean absolute SHAP value per feature (columns) for each (repeat, fold) (index),
        computed on the fold's test rows; None when nothing was explained.
    """

    scores: pd.DataFrame
    oof: pd.DataFrame
    importance: pd.DataFrame | None = None


def _explain(
    pipe: Pipeline, X_test: pd.DataFrame, X_train: pd.DataFrame, n_rows: int,
    n_background: int, seed: int,
) -> pd.Series:
    """Mean |TreeSHAP| of the pipeline's final tree model on transformed test rows."""
    rng = np.random.default_rng(seed)
    pre = pipe[:-1]
    rows = X_test if len(X_test) <= n_rows else X_test.iloc[
        np.sort(rng.choice(len(X_test), n_rows, replace=False))]
    back = X_train.iloc[np.sort(rng.choice(len(X_train), min(n_background, len(X_train)),
                                           replace=False))]
    return mean_abs_shap(tree_shap(pipe[-1], pre.transform(rows), pre.transform(back)))


def cross_validate(
    X: pd.DataFrame,
    y: pd.Series,
    model_factory: Callable[[int], Pipeline],
    *,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
    groups: np.ndarray | None = None,
    explain_rows: int = 0,
    n_background: int = 100,
) -> CVResult:
    """Repeated stratified K-fold evaluation of a pipeline, fitted afresh in every fold.

    Parameters
    ----------
    X, y : pandas.DataFrame, pandas.Series
        Features and 0/1 target (same index).
    model_factory : callable
        ``model_factory(seed)`` returns an unfitted pipeline (e.g. :func:`make_pipeline`);
        fold ``f`` of repeat ``r`` gets ``seed + 1000 * r + f``. Every step of the pipeline
        is fitted on the training rows of the fold only.
    n_splits, n_repeats, seed, groups
        See :func:`causalxai.predict.repeated_splits`.
    explain_rows : int
        If positive, explain up to this many test rows of every fold with interventional
        TreeSHAP (the final step must be a tree model) and store the mean |SHAP| values.
    n_background : int
        Background rows of TreeSHAP, drawn from the fold's training rows.

    Returns
    -------
    CVResult
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    if explain_rows < 0 or n_background < 1:
        raise ValueError("explain_rows must be >= 0 and n_background >= 1")
    y = pd.Series(np.asarray(y, dtype=int), index=X.index)
    scores, oof, importance = [], [], {}
    for r, f, train, test in repeated_splits(
        y, n_splits=n_splits, n_repeats=n_repeats, seed=seed, groups=groups
    ):
        fold_seed = seed + 1000 * r + f
        pipe = model_factory(fold_seed)
        X_train, X_test = X.iloc[train], X.iloc[test]
        pipe.fit(X_train, y.iloc[train])
        p = pipe.predict_proba(X_test)[:, 1]
        scores.append({"repeat": r, "fold": f, **binary_metrics(y.iloc[test], p)})
        oof.append(pd.DataFrame({"repeat": r, "row": X_test.index, "y": y.iloc[test].to_numpy(),
                                 "p": p}))
        if explain_rows:
            importance[(r, f)] = _explain(pipe, X_test, X_train, explain_rows, n_background,
                                          fold_seed)
    imp = None
    if importance:
        imp = pd.DataFrame(importance).T
        imp.index = imp.index.set_names(["repeat", "fold"])
    return CVResult(pd.DataFrame(scores), pd.concat(oof, ignore_index=True), imp)


def seed_importances(
    X: pd.DataFrame,
    y: pd.Series,
    model_factory: Callable[[int], Pipeline],
    seeds: Iterable[int],
    *,
    explain_rows: int = 500,
    n_background: int = 100,
    sample_seed: int = 0,
) -> pd.DataFrame:
    """Mean |TreeSHAP| of the same model refitted on the same rows with different seeds.

    Only the model's own randomness (row and column subsampling) changes between runs; the
    explained and background rows are the same for every seed.

    Returns
    -------
    pandas.DataFrame
        One row per seed, one column per feature.
    """
    y = pd.Series(np.asarray(y, dtype=int), index=X.index)
    out = {}
    for s in seeds:
        pipe = model_factory(s).fit(X, y)
        out[s] = _explain(pipe, X, X, explain_rows, n_background, sample_seed)
    frame = pd.DataFrame(out).T
    frame.index.name = "seed"
    return frame


def duplicate_effect(
    X: pd.DataFrame,
    y: pd.Series,
    model_factory: Callable[[int], Pipeline],
    groups: np.ndarray,
    *,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """How much exact duplicates inflate a naive cross-validation.

    Runs the naive protocol — rows split at random, duplicates free to land on both sides
    — and scores every test fold twice with the same model: on all its rows, and without
    the *leaked* rows (test rows with an identical copy among the training rows). The
    paired difference is what the leaked copies add to the score.

    Parameters
    ----------
    groups : numpy.ndarray
        Duplicate labels from :func:`duplicate_groups` (same length as ``X``).

    Returns
    -------
    pandas.DataFrame
        One row per (repeat, fold): ``n_test``, ``n_leaked``, ``n_leaked_pos``, and for
        each metric of :data:`METRICS` the value on all rows (``<m>_all``), without the
        leaked rows (``<m>_clean``) and their difference (``<m>_gain``).
    """
    groups = np.asarray(groups)
    if len(groups) != len(X) or len(y) != len(X):
        raise ValueError("X, y and groups must have the same length")
    y = pd.Series(np.asarray(y, dtype=int), index=X.index)
    rows = []
    for r, f, train, test in repeated_splits(
        y, n_splits=n_splits, n_repeats=n_repeats, seed=seed
    ):
        pipe = model_factory(seed + 1000 * r + f).fit(X.iloc[train], y.iloc[train])
        p = pipe.predict_proba(X.iloc[test])[:, 1]
        yt = y.iloc[test].to_numpy()
        leaked = np.isin(groups[test], groups[train])
        row = {"repeat": r, "fold": f, "n_test": len(test), "n_leaked": int(leaked.sum()),
               "n_leaked_pos": int(yt[leaked].sum())}
        full, clean = binary_metrics(yt, p), binary_metrics(yt[~leaked], p[~leaked])
        for m in METRICS:
            row[f"{m}_all"], row[f"{m}_clean"] = full[m], clean[m]
            row[f"{m}_gain"] = full[m] - clean[m]
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(scores: pd.DataFrame, by: Sequence[str] = (), metrics: Sequence[str] = (
        "roc_auc", "pr_auc", "prevalence", "brier", "brier_skill")) -> pd.DataFrame:
    """Mean and standard deviation (over folds and repeats) of each metric.

    Returns
    -------
    pandas.DataFrame
        Columns ``<metric>_mean`` and ``<metric>_sd`` (and ``n_folds``), one row per
        combination of the ``by`` columns.
    """
    by = list(by)
    missing = [m for m in [*by, *metrics] if m not in scores.columns]
    if missing:
        raise ValueError(f"scores lack the columns {missing}")
    grouped = scores.groupby(by) if by else scores.assign(_all=0).groupby("_all")
    parts = {}
    for m in metrics:
        parts[f"{m}_mean"] = grouped[m].mean()
        parts[f"{m}_sd"] = grouped[m].std(ddof=1)
    out = pd.DataFrame(parts)
    out["n_folds"] = grouped.size()
    return out if by else out.reset_index(drop=True)


def mean_sd(summary: pd.DataFrame, metric: str, quantity: str = "auc") -> pd.Series:
    """``"mean ± sd"`` of one metric of :func:`summarise`, each number written by
    :func:`causalxai.fmt.fmt` with ``quantity``.

    Raises
    ------
    ValueError
        If ``summary`` lacks ``<metric>_mean`` or ``<metric>_sd``.
    """
    from causalxai.fmt import fmt

    missing = [c for c in (f"{metric}_mean", f"{metric}_sd") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {missing} (metric {metric!r})")
    return pd.Series([f"{fmt(m, quantity)} ± {fmt(s, quantity)}" for m, s in
                      zip(summary[f"{metric}_mean"], summary[f"{metric}_sd"], strict=True)],
                     index=summary.index, name=metric)


def reliability_table(
    y: np.ndarray | pd.Series,
    p: np.ndarray | pd.Series,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
) -> pd.DataFrame:
    """Observed event rate against mean predicted probability, by bin of prediction.

    Parameters
    ----------
    y, p : array-like
        0/1 outcomes and predicted probabilities.
    n_bins : int
        Number of bins (empty bins are dropped).
    strategy : {"quantile", "uniform"}
        Quantile bins hold about the same number of rows, which suits rare events (most
        predictions are small); uniform bins split [0, 1] evenly.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``p_low``, ``p_high``, ``mean_predicted``,
        ``observed_rate``, ``count``, ``n_pos`` and a binomial standard error ``se`` of the
        observed rate.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if len(y) != len(p) or len(y) == 0:
        raise ValueError("y and p must be non-empty and of the same length")
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}")
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        m = which == b
        if not m.any():
            continue
        rate = float(y[m].mean())
        rows.append({
            "p_low": float(edges[b]), "p_high": float(edges[b + 1]),
            "mean_predicted": float(p[m].mean()), "observed_rate": rate,
            "count": int(m.sum()), "n_pos": int(y[m].sum()),
            "se": float(np.sqrt(max(rate * (1 - rate), 1e-12) / m.sum())),
        })
    return pd.DataFrame(rows)


def observed_to_expected(
    y: np.ndarray | pd.Series, p: np.ndarray | pd.Series, *, below_quantile: float = 1.0
) -> float:
    """Observed over expected number of events, optionally among the lower-risk rows only.

    1 means the probabilities add up to the number of events; 2 means twice as many events
    occurred as predicted. ``below_quantile=0.9`` restricts the count to the rows whose
    prediction is at or below the 90th percentile of the predictions — the bulk of firms,
    where an early-warning score mostly operates.

    Raises
    ------
    ValueError
        If ``below_quantile`` is not in (0, 1] or no event is expected.
    """
    if not 0 < below_quantile <= 1:
        raise ValueError(f"below_quantile must be in (0, 1], got {below_quantile!r}")
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    keep = p <= np.quantile(p, below_quantile)
    expected = p[keep].sum()
    if expected <= 0:
        raise ValueError("the predictions expect no event in the selected rows")
    return float(y[keep].sum() / expected)


# =========================================================================== stability
def rank_agreement(importances: pd.DataFrame) -> pd.Series:
    """Spearman rank correlation of feature importances between every pair of runs.

    Parameters
    ----------
    importances : pandas.DataFrame
        One row per run (fold, seed, horizon...), one column per feature.

    Returns
    -------
    pandas.Series
        One value per pair of rows, indexed by the pair of row labels.

    Raises
    ------
    ValueError
        With fewer than two runs.
    """
    if len(importances) < 2:
        raise ValueError("rank agreement needs at least two runs (rows)")
    values = importances.to_numpy(dtype=float)
    labels = list(importances.index)
    pairs, rhos = [], []
    for i, j in itertools.combinations(range(len(values)), 2):
        pairs.append((labels[i], labels[j]))
        rhos.append(float(spearmanr(values[i], values[j]).statistic))
    return pd.Series(rhos, index=pd.Index(pairs, tupleize_cols=False), name="spearman")


def top_k_overlap(a: pd.Series, b: pd.Series, k: int = 10) -> int:
    """Number of features the two importance vectors both rank in their top ``k``."""
    return len(set(a.nlargest(k).index) & set(b.nlargest(k).index))


def credit_split(importances: pd.DataFrame, group: Sequence[str]) -> pd.DataFrame:
    """How a group of interchangeable features shares its importance, run by run.

    Returns
    -------
    pandas.DataFrame
        One row per run: each member's share of the group's total importance, and the
        total itself (``group_total``).
    """
    missing = [g for g in group if g not in importances.columns]
    if missing:
        raise ValueError(f"features {missing} are not columns of the importances")
    members = importances[list(group)]
    total = members.sum(axis=1)
    shares = members.div(total.where(total > 0), axis=0)
    return shares.assign(group_total=total)


def group_importance(importance: pd.Series, groups: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Importance of groups of interchangeable features, against that of their members.

    For each group: the sum of its members' importances (for mean |SHAP| values, an upper
    bound on the importance of the group taken as one feature), the rank the sum would
    have if the group replaced its members, and the best rank of a member on its own.

    Parameters
    ----------
    importance : pandas.Series
        One importance per feature (e.g. mean |SHAP| averaged over folds).
    groups : sequence of sequences of str
        Disjoint groups of features (e.g. from :func:`correlation_groups`).

    Returns
    -------
    pandas.DataFrame
        One row per group, most important first: ``members``, ``sum``, ``rank_of_sum``,
        ``best_member``, ``best_member_rank``.
    """
    rank = importance.rank(ascending=False, method="min")
    rows = []
    for g in groups:
        g = list(g)
        missing = [f for f in g if f not in importance.index]
        if missing:
            raise ValueError(f"features {missing} have no importance")
        total = float(importance[g].sum())
        others = importance.drop(index=g)
        best = importance[g].idxmax()
        rows.append({"members": " ".join(g), "sum": total,
                     "rank_of_sum": int((others > total).sum()) + 1,
                     "best_member": best, "best_member_rank": int(rank[best])})
    out = pd.DataFrame(rows, columns=["members", "sum", "rank_of_sum", "best_member",
                                      "best_member_rank"])
    return out.sort_values("sum", ascending=False, ignore_index=True)


# =========================================================================== the Polish ratios




def _subset_ranks(dense: np.ndarray, n_levels: int, mask: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged) of the rows in ``mask``, from dense ranks."""
    d = dense[mask]
    counts = np.bincount(d, minlength=n_levels)
    before = np.cumsum(counts) - counts
    return before[d] + (counts[d] + 1) / 2


def spearman_matrix(X: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation of every pair of columns, on the rows where both are observed.

    The same numbers as ``X.corr(method="spearman")``, faster: each column is sorted once,
    and the ranks within the rows a pair has in common are counted, not re-sorted.

    Returns
    -------
    pandas.DataFrame
        Symmetric, with ones on the diagonal; NaN for a pair with fewer than two common
        rows and for a constant column.
    """
    values = X.to_numpy(dtype=float)
    n, k = values.shape
    observed = ~np.isnan(values)
    dense = np.zeros((n, k), dtype=np.int64)
    levels = np.zeros(k, dtype=np.int64)
    for j in range(k):
        uniq, inv = np.unique(values[observed[:, j], j], return_inverse=True)
        dense[observed[:, j], j] = inv
        levels[j] = len(uniq)
    out = np.full((k, k), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, j in itertools.combinations(range(k), 2):
            m = observed[:, i] & observed[:, j]
            if m.sum() < 2:
                continue
            a = _subset_ranks(dense[:, i], levels[i], m)
            b = _subset_ranks(dense[:, j], levels[j], m)
            a, b = a - a.mean(), b - b.mean()
            out[i, j] = out[j, i] = (a @ b) / np.sqrt((a @ a) * (b @ b))
    np.fill_diagonal(out, np.where(levels >= 2, 1.0, np.nan))  # as pandas: NaN if constant
    return pd.DataFrame(out, index=X.columns, columns=X.columns)


def high_correlation_pairs(
    X: pd.DataFrame | None = None, threshold: float = 0.95, *, corr: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Pairs of columns whose Spearman correlation exceeds ``threshold`` in absolute value.

    Correlations use the rows where both columns are observed (:func:`spearman_matrix`),
    or the matrix ``corr`` when it is given (to reuse one for several thresholds).

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b``, ``spearman``, sorted by decreasing ``|spearman|``.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    if corr is None:
        if X is None:
            raise ValueError("give the data X or a correlation matrix corr")
        corr = spearman_matrix(X)
    cols = list(corr.columns)
    rows = [
        {"a": cols[i], "b": cols[j], "spearman": float(corr.iat[i, j])}
        for i, j in itertools.combinations(range(len(cols)), 2)
        if abs(corr.iat[i, j]) > threshold
    ]
    out = pd.DataFrame(rows, columns=["a", "b", "spearman"])
    return out.reindex(out["spearman"].abs().sort_values(ascending=False).index).reset_index(
        drop=True)


def correlation_groups(pairs: pd.DataFrame) -> list[list[str]]:
    """Connected groups of features linked by the pairs of :func:`high_correlation_pairs`.

    Returns
    -------
    list of list of str
        Groups of two or more features, largest first.
    """
    return _connected_groups(zip(pairs["a"], pairs["b"], strict=True))


def annotate_pairs(
    pairs: pd.DataFrame, definitions: Mapping[str, str] = POLISH_RATIOS, *, expand: bool = True
) -> pd.DataFrame:
    """Add to feature pairs what their definitions share.

    Returns
    -------
    pandas.DataFrame
        ``pairs`` with ``shared_items`` (sorted tuple of accounting items in both
        definitions), ``jaccard`` (of the two item sets) and ``same_items`` (bool).
    """
    items = component_table(definitions, expand=expand)["items"].to_dict()
    shared, jac = [], []
    for a, b in zip(pairs["a"], pairs["b"], strict=True):
        ia, ib = items.get(a, frozenset()), items.get(b, frozenset())
        shared.append(tuple(sorted(ia & ib)))
        jac.append(len(ia & ib) / len(ia | ib) if ia | ib else np.nan)
    out = pairs.copy()
    out["shared_items"] = shared
    out["jaccard"] = jac
    out["same_items"] = out["jaccard"] == 1.0
    return out


# =========================================================================== published results
@dataclass(frozen=True)
class PublishedResult:
    """One published ROC-AUC on the Polish data, as reported by its authors."""

    source: str  #: BibTeX key
    data_file: str  #: UCI file ("1year" ... "5year")
    horizon_years: int  #: years between the statements and the label
    model: str
    roc_auc: float
    sd: float | None  #: standard deviation reported with it
    protocol: str


_AMIRSHAHI = (
    "hold-out test sets (mean and sd over repeated splits), original data without "
    "oversampling, hyper-parameters optimised by cross-validation"
)

#: Literature values, typed from the source (not computed here). Amirshahi & Lahmiri
#: (2024), "Bankruptcy prediction using optimal ensemble models under balanced and
#: imbalanced data", Expert Systems 41(8), doi:10.1111/exsy.13599; numbers as tabulated
#: in the authors' code repository (github.com/BaharehAm/Bankruptcy-Prediction-Ensemble-
#: CatBoost-XGBoost-LightGBM, README, "Results obtained on the original data with no
#: oversampling"). File ``1year`` is our 5-year horizon, ``5year`` our 1-year horizon.
PUBLISHED_AUC: tuple[PublishedResult, ...] = (
    PublishedResult("amirshahi2024bankruptcy", "1year", 5, "CatBoost", 0.958, 0.011, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "1year", 5, "LightGBM", 0.960, 0.014, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "1year", 5, "XGBoost", 0.956, 0.016, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "1year", 5, "Ensemble 1", 0.964, 0.011,
                    _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "5year", 1, "CatBoost", 0.961, 0.011, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "5year", 1, "LightGBM", 0.958, 0.013, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "5year", 1, "XGBoost", 0.961, 0.011, _AMIRSHAHI),
    PublishedResult("amirshahi2024bankruptcy", "5year", 1, "Ensemble 1", 0.963, 0.011,
                    _AMIRSHAHI),
)


def published_auc() -> pd.DataFrame:
    """:data:`PUBLISHED_AUC` as a frame (one row per published result)."""
    return pd.DataFrame([r.__dict__ for r in PUBLISHED_AUC])

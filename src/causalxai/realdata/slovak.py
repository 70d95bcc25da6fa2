"""Temporal features of firms' financial ratios and leak-free evaluation of classifiers.

The Slovak SME data (Drotár et al., 2019) give 21 financial ratios for each of the
three years before the evaluation year, in three blocks of columns: ``V1..V21``,
``V22..V42`` and ``V43..V63``. The files do not say which block is which year.
:func:`block_matches` settles it from the data: a firm present in two consecutive
evaluation years carries two of its yearly blocks over, shifted by one year, so exact
matches between the blocks of consecutive files reveal their order. On the real files
the first block of evaluation year *t + 1* equals the second block of year *t*, and its
second block the third one: the blocks are in chronological order, ``V43..V63`` being the
last year before the evaluation year (:data:`BLOCKS`).

Feature sets (:func:`build_features`):

``"last"``
    the 21 ratios of the last year only;
``"levels"``
    the 63 levels of the three years;
``"trajectory"``
    the levels plus the two year-on-year changes and the least-squares trend slope of
    each ratio (126 features).

Evaluation (:func:`cross_validate`, :func:`paired_difference`, :func:`split_scores`):
every preprocessing step (winsorising, imputation, scaling) sits inside the model
pipeline, so it is fitted on the training rows of each split only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import combinations, pairwise

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from threadpoolctl import threadpool_limits

from causalxai.predict.metrics import average_precision, bootstrap_weights, roc_auc
from causalxai.predict.models import gbm
from causalxai.predict.protocol import Winsorizer, repeated_splits

__all__ = [
    "BLOCKS",
    "FEATURE_SETS",
    "N_RATIOS",
    "RATIO_NAMES",
    "ZORICAK_2020_BEST_GMEAN",
    "block_correlations",
    "block_matches",
    "bootstrap_metric",
    "build_features",
    "carried_over",
    "cross_validate",
    "gmean",
    "jaccard",
    "jaccard_stability",
    "make_model",
    "out_of_fold_scores",
    "paired_difference",
    "random_jaccard",
    "ratio_of",
    "scores",
    "shap_by_group",
    "split_scores",
    "trend_slope",
]

N_RATIOS = 21
#: Columns of each year relative to the evaluation year t (order inferred from the data,
#: see :func:`block_matches`): t-3 = V1..V21, t-2 = V22..V42, t-1 = V43..V63.
BLOCKS = {
    "t3": [f"V{i}" for i in range(1, 22)],
    "t2": [f"V{i}" for i in range(22, 43)],
    "t1": [f"V{i}" for i in range(43, 64)],
}
#: Short names of the 21 ratios (position within a block; the files do not name them).
RATIO_NAMES = [f"R{k:02d}" for k in range(1, N_RATIOS + 1)]
FEATURE_SETS = ("last", "levels", "trajectory")

#: Published value (literature, not computed here): the highest geometric mean of
#: sensitivity and specificity reported on this data set, 91 %, by one-class methods
#: (Zoričák, Gnip, Drotár & Gazda, 2020, Economic Modelling 84:165-176,
#: doi:10.1016/j.econmod.2019.04.003; abstract), validated on manufacturing and
#: construction.
ZORICAK_2020_BEST_GMEAN = 0.91
_TIMES = np.array([-3.0, -2.0, -1.0])


# --------------------------------------------------------------------------- blocks
def _check_columns(df: pd.DataFrame) -> None:
    missing = [c for cols in BLOCKS.values() for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"df lacks the ratio columns {missing[:5]}... (expected V1..V63)")


def _block(df: pd.DataFrame, year: str) -> np.ndarray:
    return df[BLOCKS[year]].to_numpy(dtype="float64")


def block_matches(df: pd.DataFrame, *, decimals: int = 2, by: str = "sector",
                  year: str = "evaluation_year") -> pd.DataFrame:
    """Count rows whose yearly block reappears in the next evaluation year's file.

    For each group (sector) and each pair of consecutive evaluation years (y, y + 1),
    entry (i, j) counts the rows of year y whose block j (rounded to ``decimals``,
    missing values compared as equal) equals block i of some row of year y + 1.
    A firm observed in both years, with chronologically ordered blocks, puts its counts
    at (first, second) and (second, third): the first block of y + 1 is the second year
    of y. Blocks with fewer than half of their values present are not compared.

    Returns
    -------
    pandas.DataFrame
        3 × 3 counts summed over groups and pairs of years; rows ``block i of year y+1``,
        columns ``block j of year y``, blocks named 1, 2, 3 in column order.
    """
    _check_columns(df)
    for col in (by, year):
        if col not in df.columns:
            raise ValueError(f"df lacks the column {col!r}")
    names = list(BLOCKS)
    total = np.zeros((3, 3), dtype=int)

    def keys(frame: pd.DataFrame, b: str) -> pd.Series:
        arr = np.round(frame[BLOCKS[b]].to_numpy(dtype="float64"), decimals)
        ok = np.isfinite(arr).sum(axis=1) >= N_RATIOS // 2
        text = ["|".join(map(str, r)) for r in arr]
        return pd.Series(text, index=frame.index)[ok]

    for _, g in df.groupby(by):
        years = sorted(g[year].unique())
        for y0, y1 in pairwise(years):
            if y1 != y0 + 1:
                continue
            a, b = g[g[year] == y0], g[g[year] == y1]
            for i, bi in enumerate(names):
                later = set(keys(b, bi))
                for j, bj in enumerate(names):
                    total[i, j] += int(keys(a, bj).isin(later).sum())
    label = ["1", "2", "3"]
    return pd.DataFrame(total, index=pd.Index(label, name="block of year y+1"),
                        columns=pd.Index(label, name="block of year y"))


def block_correlations(df: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation of each ratio between pairs of blocks.

    Adjacent years of a ratio correlate more than years two apart, which tells which
    block is in the middle (but not the direction of time).

    Returns
    -------
    pandas.DataFrame
        One row per ratio; columns ``1-2``, ``2-3``, ``1-3`` (blocks in column order).
    """
    _check_columns(df)
    b = [df[cols].set_axis(RATIO_NAMES, axis=1) for cols in BLOCKS.values()]
    out = {}
    for (i, j) in ((0, 1), (1, 2), (0, 2)):
        out[f"{i + 1}-{j + 1}"] = b[i].corrwith(b[j], method="spearman")
    return pd.DataFrame(out).rename_axis("ratio")


def carried_over(later: pd.DataFrame, earlier: pd.DataFrame, *, decimals: int = 2) -> pd.Series:
    """Rows of ``later`` whose first two years reappear as the last two of an ``earlier`` row.

    With chronological blocks, a firm evaluated in year y + 1 whose years t-3 and t-2
    equal the years t-2 and t-1 of a row evaluated in year y is (almost surely) the same
    firm. Rows with fewer than half of these values present are never matched.

    Returns
    -------
    pandas.Series
        Boolean, indexed like ``later``.
    """
    _check_columns(later)
    _check_columns(earlier)

    def key(frame: pd.DataFrame, first: str, second: str) -> pd.Series:
        arr = np.round(np.hstack([_block(frame, first), _block(frame, second)]), decimals)
        ok = np.isfinite(arr).sum(axis=1) >= N_RATIOS
        return pd.Series(["|".join(map(str, r)) if k else "" for r, k in zip(arr, ok,
                                                                              strict=True)],
                         index=frame.index)

    seen = set(key(earlier, "t2", "t1")) - {""}
    k = key(later, "t3", "t2")
    return (k != "") & k.isin(seen)


# --------------------------------------------------------------------------- features
def trend_slope(values: np.ndarray, times: Sequence[float] = (-3.0, -2.0, -1.0)) -> np.ndarray:
    """Least-squares slope of each row over ``times``, ignoring missing values.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        One row per firm, one column per time.
    times : sequence of float
        The k times (years).

    Returns
    -------
    ndarray, shape (n,)
        The slope per unit of time; NaN where fewer than two values are present. With
        three equally spaced years and no missing value it is (last − first) / 2.
    """
    v = np.asarray(values, dtype="float64")
    t = np.asarray(times, dtype="float64")
    if v.ndim != 2 or v.shape[1] != len(t):
        raise ValueError(f"values must have shape (n, {len(t)}), got {v.shape}")
    ok = np.isfinite(v)
    n = ok.sum(axis=1)
    tt = np.where(ok, t, 0.0)
    vv = np.where(ok, v, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = tt.sum(axis=1) / n
        v_mean = vv.sum(axis=1) / n
        dt = np.where(ok, t - t_mean[:, None], 0.0)
        num = (dt * np.where(ok, v - v_mean[:, None], 0.0)).sum(axis=1)
        den = (dt**2).sum(axis=1)
        slope = num / den
    return np.where(n >= 2, slope, np.nan)


def build_features(df: pd.DataFrame, kind: str, *, sector_dummies: bool = True) -> pd.DataFrame:
    """Feature table of one feature set.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``V1..V63`` (and ``sector`` if ``sector_dummies``), as returned by
        :func:`causalxai.data.read_slovak`.
    kind : {"last", "levels", "trajectory"}
        See the module docstring. Names: ``R07_t1`` (ratio 7, year t-1), ``R07_d1``
        (t-1 minus t-2), ``R07_d2`` (t-2 minus t-3), ``R07_slope``.
    sector_dummies : bool
        Add one 0/1 column per sector (``sector_<name>``).

    Returns
    -------
    pandas.DataFrame
        Float features, same index as ``df``.
    """
    if kind not in FEATURE_SETS:
        raise ValueError(f"kind must be one of {FEATURE_SETS}, got {kind!r}")
    _check_columns(df)
    b = {y: _block(df, y) for y in BLOCKS}
    parts: dict[str, np.ndarray] = {}
    years = ["t1"] if kind == "last" else ["t3", "t2", "t1"]
    for k, name in enumerate(RATIO_NAMES):
        for y in years:
            parts[f"{name}_{y}"] = b[y][:, k]
        if kind == "trajectory":
            parts[f"{name}_d1"] = b["t1"][:, k] - b["t2"][:, k]
            parts[f"{name}_d2"] = b["t2"][:, k] - b["t3"][:, k]
            stacked = np.column_stack([b["t3"][:, k], b["t2"][:, k], b["t1"][:, k]])
            parts[f"{name}_slope"] = trend_slope(stacked, _TIMES)
    out = pd.DataFrame(parts, index=df.index)
    if sector_dummies:
        if "sector" not in df.columns:
            raise ValueError("df lacks the column 'sector' (or pass sector_dummies=False)")
        for s in sorted(df["sector"].unique()):
            out[f"sector_{s}"] = (df["sector"] == s).astype("float64")
    return out


def ratio_of(feature: str) -> str:
    """The ratio a feature is built from (``"R07_slope"`` -> ``"R07"``), or the feature."""
    head = feature.split("_", 1)[0]
    return head if head in RATIO_NAMES else feature


# --------------------------------------------------------------------------- models
def make_model(name: str, *, seed: int = 0, n_estimators: int = 150,
               learning_rate: float = 0.05, num_leaves: int = 15, C: float = 1.0,
               winsor: float = 0.01):
    """An unfitted classifier with all its preprocessing inside.

    Parameters
    ----------
    name : {"logit", "gbm"}
        ``"logit"``: winsorising at quantiles ``winsor`` and ``1 - winsor`` → median
        imputation with missing-value indicators → robust scaling (median, IQR) →
        L2-penalised logistic regression (inverse strength ``C``, Newton solver).
        ``"gbm"``: LightGBM (Ke et al., 2017) with the tree settings of
        :func:`causalxai.predict.models.fit_gbm`, made cheaper for repeated fits (63 histogram
        bins, half of the features drawn for each tree, ``seed`` fixing the draw); it
        handles missing values natively and is invariant to monotone transforms, so it
        needs no preprocessing.
    seed : int
        Random seed.

    Returns
    -------
    sklearn-compatible estimator with ``predict_proba``.
    """
    if name == "logit":
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import RobustScaler

        return Pipeline([
            ("winsorise", Winsorizer(winsor)),
            ("impute", SimpleImputer(strategy="median", add_indicator=True,
                                     keep_empty_features=True)),
            ("scale", RobustScaler(quantile_range=(10.0, 90.0))),
            ("clf", LogisticRegression(C=C, solver="newton-cholesky", max_iter=200,
                                       random_state=seed)),
        ])
    if name == "gbm":
        return gbm("classification", seed=seed, n_estimators=n_estimators,
                   learning_rate=learning_rate, num_leaves=num_leaves, max_bin=63,
                   colsample_bytree=0.5)
    raise ValueError(f"name must be 'logit' or 'gbm', got {name!r}")


# --------------------------------------------------------------------------- metrics
def scores(y: Iterable[int], p: Iterable[float]) -> dict[str, float]:
    """ROC-AUC, PR-AUC (average precision) and prevalence (the PR-AUC of a random score).

    Raises
    ------
    ValueError
        If ``y`` holds a single class.
    """
    y = np.asarray(list(y) if not hasattr(y, "__len__") else y, dtype=int)
    p = np.asarray(list(p) if not hasattr(p, "__len__") else p, dtype="float64")
    if len(y) != len(p):
        raise ValueError(f"y has {len(y)} values but p has {len(p)}")
    if len(np.unique(y)) < 2:
        raise ValueError("y must contain both classes to compute ROC-AUC and PR-AUC")
    return {"roc_auc": roc_auc(y, p),
            "pr_auc": average_precision(y, p),
            "prevalence": float(y.mean())}


def gmean(y, p, threshold: float | None = None) -> float:
    """Geometric mean of sensitivity and specificity when flagging ``p >= threshold``.

    With ``threshold=None`` the best threshold over all observed scores is used: an
    optimistic value (the threshold is chosen on the rows it is scored on).
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype="float64")
    if len(np.unique(y)) < 2:
        raise ValueError("y must contain both classes")
    if threshold is not None:
        flag = p >= threshold
        sens = flag[y == 1].mean()
        spec = (~flag[y == 0]).mean()
        return float(np.sqrt(sens * spec))
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, p)
    return float(np.sqrt(tpr * (1 - fpr)).max())


def bootstrap_metric(y, p, metric: str = "roc_auc", *, n_boot: int = 500, seed: int = 0,
                     level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of a metric over the rows of a test set.

    Resamples stratified by class (the number of positives is kept), so every
    resample has both classes. It measures the test-set sampling noise only; the
    model is not refitted.
    """
    if metric not in {"roc_auc", "pr_auc"}:
        raise ValueError(f"metric must be 'roc_auc' or 'pr_auc', got {metric!r}")
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype="float64")
    # strata 1 - y: the positives are drawn first, then the negatives
    weights = bootstrap_weights(n_boot, strata=1 - y, seed=seed)  # (rows, n_boot)
    f = roc_auc if metric == "roc_auc" else average_precision
    vals = f(y, p, weights)
    a = (1 - level) / 2
    return float(np.quantile(vals, a)), float(np.quantile(vals, 1 - a))


# --------------------------------------------------------------------------- evaluation
def cross_validate(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    make: Callable[[], object],
    *,
    n_splits: int = 5,
    n_repeats: int = 3,
    seed: int = 0,
    groups: pd.Series | None = None,
    explain: bool = False,
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Repeated stratified k-fold evaluation, each fold fitted on its training rows only.

    The folds depend only on ``y``, ``n_splits``, ``n_repeats`` and ``seed``: two calls
    with the same arguments and different feature tables use the same folds, which is
    what a paired comparison of feature sets needs.

    Parameters
    ----------
    X : pandas.DataFrame
        Features.
    y : array-like of 0/1
        Labels.
    make : callable
        Returns a fresh unfitted estimator with ``fit`` and ``predict_proba``.
    n_splits, n_repeats, seed
        Folds, repetitions and the seed of the splitter.
    groups : pandas.Series, optional
        A label per row (e.g. sector): metrics are also computed within each group of
        each fold's test rows (groups without both classes in a fold get NaN).
    explain : bool
        For a LightGBM model, also return the mean absolute TreeSHAP value of each
        feature in each fold (and group), from LightGBM's ``pred_contrib``.
    n_jobs : int
        Folds fitted at once (threads); results do not depend on it.

    Returns
    -------
    folds : pandas.DataFrame
        One row per fold (and group): ``repeat``, ``fold``, ``group`` ("all" for the
        whole test fold), ``roc_auc``, ``pr_auc``, ``prevalence``, ``n_train``,
        ``n_test``, ``n_pos``.
    oof : pandas.DataFrame
        Out-of-fold predicted probabilities: one column per repeat, indexed like ``X``.
    shap : pandas.DataFrame or None
        With ``explain``: rows (``repeat``, ``fold``, ``group``), one column per feature.
    """
    y = np.asarray(y, dtype=int)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    if groups is not None and len(groups) != len(y):
        raise ValueError("groups must have one label per row")
    splits = [(train, test) for _, _, train, test
              in repeated_splits(y, n_splits=n_splits, n_repeats=n_repeats, seed=seed)]
    # One BLAS thread per fit: the folds are the parallel units (nested BLAS threads
    # oversubscribe the cores and, measured here, triple the CPU time of a fit).
    with threadpool_limits(limits=1):
        fitted = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_fit_fold)(make, X, y, train, test, explain) for train, test in splits
        )
    rows, shap_rows = [], []
    oof = pd.DataFrame(np.nan, index=X.index, columns=[f"repeat_{r}" for r in range(n_repeats)])
    g = None if groups is None else np.asarray(groups)
    for k, ((train, test), (p, contrib)) in enumerate(zip(splits, fitted, strict=True)):
        r, fold = divmod(k, n_splits)
        oof.iloc[test, r] = p
        subsets = [("all", np.arange(len(test)))]
        if g is not None:
            subsets += [(str(v), np.flatnonzero(g[test] == v)) for v in np.unique(g)]
        for name, sel in subsets:
            yt = y[test][sel]
            both = len(np.unique(yt)) == 2
            m = scores(yt, p[sel]) if both else {"roc_auc": np.nan, "pr_auc": np.nan,
                                                   "prevalence": float(yt.mean())}
            rows.append({"repeat": r, "fold": fold, "group": name, **m,
                         "n_train": len(train), "n_test": len(sel), "n_pos": int(yt.sum())})
            if contrib is not None:
                shap_rows.append({"repeat": r, "fold": fold, "group": name,
                                  **dict(zip(X.columns, np.abs(contrib[sel]).mean(axis=0),
                                             strict=True))})
    shap_frame = pd.DataFrame(shap_rows) if explain else None
    return pd.DataFrame(rows), oof, shap_frame


def _fit_fold(make, X, y, train, test, explain):
    """Fit a fresh model on the training rows of one fold; predict its test rows."""
    model = make()
    model.fit(X.iloc[train], y[train])
    p = model.predict_proba(X.iloc[test])[:, 1]
    contrib = None
    if explain:
        contrib = np.asarray(model.predict(X.iloc[test], pred_contrib=True))[:, :-1]
    return p, contrib


def paired_difference(a: Sequence[float], b: Sequence[float], *, n_train: int,
                      n_test: int, level: float = 0.95) -> pd.Series:
    """Compare two models evaluated on the same folds: b − a, fold by fold.

    The folds of repeated k-fold share training rows, so the fold differences are
    correlated and the naive paired t-test is too confident. The corrected resampled
    t-test of Nadeau & Bengio (2003) inflates the variance of the mean difference from
    ``s² / J`` to ``s² (1 / J + n_test / n_train)``; both are reported.

    Returns
    -------
    pandas.Series
        ``mean_a``, ``mean_b``, ``diff`` (mean of b − a), ``sd`` (of the fold
        differences), ``n_folds``, ``share_b_better``, ``t_naive``, ``p_naive``,
        ``t_corrected``, ``p_corrected`` (two-sided) and ``ci_lower``, ``ci_upper``
        (corrected).
    """
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError("a and b must be 1-d with the same length >= 2")
    if n_train <= 0 or n_test <= 0:
        raise ValueError("n_train and n_test must be positive")
    d = b - a
    j, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    se_naive = sd / np.sqrt(j)
    se_corr = sd * np.sqrt(1 / j + n_test / n_train)
    df = j - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        t_n = mean / se_naive if se_naive > 0 else np.inf * np.sign(mean)
        t_c = mean / se_corr if se_corr > 0 else np.inf * np.sign(mean)
    q = stats.t.ppf(1 - (1 - level) / 2, df)
    return pd.Series({
        "mean_a": float(a.mean()), "mean_b": float(b.mean()), "diff": mean, "sd": sd,
        "n_folds": float(j), "share_b_better": float(np.mean(d > 0)),
        "t_naive": float(t_n), "p_naive": float(2 * stats.t.sf(abs(t_n), df)),
        "t_corrected": float(t_c), "p_corrected": float(2 * stats.t.sf(abs(t_c), df)),
        "ci_lower": mean - q * se_corr, "ci_upper": mean + q * se_corr,
    })


def split_scores(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    is_test: pd.Series | np.ndarray,
    make: Callable[[], object],
    *,
    n_random: int = 10,
    seed: int = 0,
    n_boot: int = 500,
) -> pd.DataFrame:
    """A given (e.g. time-ordered) split against random splits of the same sizes.

    The model is fitted on the rows where ``is_test`` is False and scored on the others
    (with a bootstrap interval over the test rows). Then ``n_random`` random splits with
    the same numbers of training and test rows, stratified by ``y``, are scored the same
    way.

    Returns
    -------
    pandas.DataFrame
        One row per split: ``split`` ("given" or "random"), ``draw``, ``roc_auc``,
        ``pr_auc``, ``prevalence`` (of the test rows), ``n_train``, ``n_test``, and for
        the given split ``roc_lower``, ``roc_upper``, ``pr_lower``, ``pr_upper``.
    """
    y = np.asarray(y, dtype=int)
    test = np.asarray(is_test, dtype=bool)
    if len(X) != len(y) or len(test) != len(y):
        raise ValueError("X, y and is_test must have the same length")
    if test.all() or not test.any():
        raise ValueError("is_test must select some but not all rows")
    with threadpool_limits(limits=1):
        return _split_scores(X, y, test, make, n_random=n_random, seed=seed, n_boot=n_boot)


def _split_scores(X, y, test, make, *, n_random, seed, n_boot) -> pd.DataFrame:
    from sklearn.model_selection import train_test_split

    rows = []
    model = make()
    model.fit(X.loc[~test], y[~test])
    p = model.predict_proba(X.loc[test])[:, 1]
    m = scores(y[test], p)
    roc_ci = bootstrap_metric(y[test], p, "roc_auc", n_boot=n_boot, seed=seed)
    pr_ci = bootstrap_metric(y[test], p, "pr_auc", n_boot=n_boot, seed=seed)
    rows.append({"split": "given", "draw": 0, **m, "n_train": int((~test).sum()),
                 "n_test": int(test.sum()), "roc_lower": roc_ci[0], "roc_upper": roc_ci[1],
                 "pr_lower": pr_ci[0], "pr_upper": pr_ci[1]})
    positions = np.arange(len(y))
    for d in range(n_random):
        tr, te = train_test_split(positions, test_size=int(test.sum()), stratify=y,
                                  random_state=seed + 1 + d)
        model = make()
        model.fit(X.iloc[tr], y[tr])
        p = model.predict_proba(X.iloc[te])[:, 1]
        rows.append({"split": "random", "draw": d, **scores(y[te], p), "n_train": len(tr),
                     "n_test": len(te)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- explanations
def shap_by_group(shap_folds: pd.DataFrame, *, by_ratio: bool = True) -> pd.DataFrame:
    """Mean absolute SHAP per (repeat, fold, group), optionally summed per ratio.

    Parameters
    ----------
    shap_folds : pandas.DataFrame
        The third output of :func:`cross_validate` with ``explain=True``.
    by_ratio : bool
        Sum the features built from the same ratio (levels, changes, slope), so that a
        ratio's importance does not depend on how many features it was split into.
        Sector indicator columns are dropped.

    Returns
    -------
    pandas.DataFrame
        Index (``repeat``, ``fold``, ``group``), one column per feature or ratio.
    """
    keys = ["repeat", "fold", "group"]
    v = shap_folds.set_index(keys)
    v = v[[c for c in v.columns if not c.startswith("sector_")]]
    if by_ratio:
        v = v.T.groupby(v.columns.map(ratio_of)).sum().T
    return v


def random_jaccard(n: int, k: int) -> float:
    """Expected Jaccard similarity of two independent uniformly random k-subsets of n items.

    The overlap is hypergeometric; this is the "no agreement beyond chance" reference of
    :func:`jaccard_stability`.
    """
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    overlap = np.arange(0, k + 1)
    prob = stats.hypergeom(n, k, k).pmf(overlap)
    return float(np.sum(prob * overlap / (2 * k - overlap)))


def jaccard_stability(importance: pd.DataFrame, k: int = 5) -> float:
    """Mean pairwise Jaccard similarity of the top-``k`` sets of the rows of a table.

    1 means every row (e.g. every fold) ranks the same ``k`` features on top; two random
    top-5 sets out of 21 features share on average far less.
    """
    if k < 1 or k > importance.shape[1]:
        raise ValueError(f"k must lie in [1, {importance.shape[1]}], got {k}")
    tops = [set(row.nlargest(k).index) for _, row in importance.iterrows()]
    if len(tops) < 2:
        raise ValueError("need at least two rows to measure stability")
    return float(np.mean([len(a & b) / len(a | b) for a, b in combinations(tops, 2)]))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard similarity ``|a & b| / |a | b|`` of two sets of features.

    Raises
    ------
    ValueError
        If both sets are empty (the similarity is undefined).
    """
    a, b = set(a), set(b)
    if not a | b:
        raise ValueError("jaccard of two empty sets is undefined")
    return len(a & b) / len(a | b)


def out_of_fold_scores(y: np.ndarray, predictions: pd.DataFrame,
                       rows: np.ndarray) -> tuple[float, float, float]:
    """ROC-AUC and PR-AUC of out-of-fold predictions on a subset of rows, averaged over
    the repetitions (one column of ``predictions`` each), and the subset's prevalence.

    Parameters
    ----------
    y : array of 0/1, shape (n,)
        Labels of all rows.
    predictions : pandas.DataFrame, shape (n, n_repeats)
        Out-of-fold probabilities, one column per repetition (:func:`cross_validate`).
    rows : boolean array, shape (n,)
        The rows to score (e.g. one sector).

    Raises
    ------
    ValueError
        If the lengths of ``y``, ``predictions`` and ``rows`` differ.
    """
    y, rows = np.asarray(y), np.asarray(rows, dtype=bool)
    if not len(y) == len(predictions) == len(rows):
        raise ValueError(f"y, predictions and rows must have the same length, got {len(y)}, "
                         f"{len(predictions)} and {len(rows)}")
    per_repeat = [scores(y[rows], predictions[c].to_numpy()[rows]) for c in predictions.columns]
    return (float(np.mean([s["roc_auc"] for s in per_repeat])),
            float(np.mean([s["pr_auc"] for s in per_repeat])), per_repeat[0]["prevalence"])

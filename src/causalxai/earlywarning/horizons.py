"""Multi-horizon and survival models of firm failure, and the metrics to compare them.

An early-warning service can train on one binary target ("fails within 18 months") or
on the whole time to failure. This module holds what Part IV needs to compare the two on
the simulated firm panel (:mod:`causalxai.firms`):

**Assembly without look-ahead.** :func:`design_matrix` turns the observable monthly
features into a numeric matrix (current values, sector indicators and, optionally, the
trailing-window history features of :func:`causalxai.firms.history_features`); row ``t``
uses nothing after month ``t``. :func:`time_split` builds an out-of-time split whose
training targets are those *known at the end of the training window*: a training row
whose horizon passes that date is censored (NaN), as it would be for a service that
retrains at that date.

**Models.** Every model returns cumulative failure probabilities ``F(t | x)`` on a grid of
months, so that all are scored alike:

- :class:`HorizonClassifiers`: one LightGBM classifier per horizon (with one horizon,
  the usual binary target); probabilities between horizons are interpolated by
  :func:`curve_from_horizons` (constant hazard within each segment);
- :class:`DiscreteTimeHazard`: a discrete-time hazard model in the spirit of Shumway
  (2001): a monthly failure probability ``h_b(x)`` for each band ``b`` of months ahead
  (one band: a single monthly hazard, extrapolated as constant), fitted by a logistic
  regression or LightGBM on firm-month records, and combined as
  ``F(t) = 1 - prod (1 - h_b)^(months of band b up to t)`` (:func:`cumulative_from_hazards`);
- :class:`CoxModel`: a Cox proportional-hazards model (scikit-survival, Pölsterl 2020)
  on the same rows, with its Breslow baseline.

**Metrics.** In :mod:`causalxai.earlywarning.survival` (time-dependent AUC, Brier
scores, concordance, the firm bootstrap).

**Alerts.** :func:`causalxai.predict.alerts_at_budget` flags the top ``budget`` share of
the firms scored in each month; :func:`alert_lead_times` measures, for firms that fail,
how many months before the failure the first alert came; :func:`detection_curve` and :func:`bootstrap_means`
summarise them, and :func:`alert_turnover` says how much the monthly list renews itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from causalxai.firms import failure_targets, history_features, survival_targets
from causalxai.months import month_number
from causalxai.predict.metrics import bootstrap_weights
from causalxai.predict.models import gbm
from causalxai.predict.protocol import Winsorizer

__all__ = [
    "HORIZONS",
    "CoxModel",
    "DiscreteTimeHazard",
    "HorizonClassifiers",
    "TimeSplit",
    "alert_lead_times",
    "alert_turnover",
    "bootstrap_means",
    "case_control",
    "check_horizons",
    "crossing_share",
    "cumulative_from_hazards",
    "curve_from_horizons",
    "design_matrix",
    "detection_curve",
    "history_columns",
    "monthly_percentile",
    "time_split",
]

#: Horizons of the failure targets, in months.
HORIZONS = (3, 6, 12, 18)
#: Columns of the observable features that are identifiers or calendar stamps, not inputs.
NOT_INPUTS = ("firm_id", "month", "fs_year", "sector")
_EPS = 1e-12


# =========================================================================== helpers
def _positive_ints(values: Iterable[int], name: str) -> tuple[int, ...]:
    out = tuple(values) if not isinstance(values, int | np.integer) else (values,)
    if not out or any(isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1
                      for v in out):
        raise ValueError(f"{name} must be positive integers, got {out!r}")
    if list(out) != sorted(set(out)):
        raise ValueError(f"{name} must be strictly increasing, got {out!r}")
    return tuple(int(v) for v in out)


def check_horizons(values: Iterable[int], name: str = "horizons", high: int = 36
                   ) -> tuple[int, ...]:
    """Validate horizons in months: positive, strictly increasing integers up to ``high``.

    Raises ValueError naming ``name`` otherwise; returns them as a tuple of int.
    """
    out = _positive_ints(values, name)
    if out[-1] > high:
        raise ValueError(f"{name} must be at most {high} months, got {out!r}")
    return out


def _share(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return float(value)


def _survival_arrays(duration: object, event: object, name: str = "duration"
                     ) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(duration, dtype=float)
    e = np.asarray(event, dtype=float)
    if d.ndim != 1 or d.shape != e.shape:
        raise ValueError(f"{name} and event must be 1-d arrays of the same length")
    if not np.isfinite(d).all() or (d < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    if not np.isin(e, (0.0, 1.0)).all():
        raise ValueError("event must hold 0/1 (or False/True) values only")
    return d, e.astype(bool)


#: Tree settings shared by this module's LightGBM models (built by :func:`causalxai.predict.gbm`).
_TREES = {"min_child_samples": 50, "subsample": 0.8, "subsample_freq": 1,
          "colsample_bytree": 0.8, "max_bin": 63, "force_col_wise": True}


def _linear_preprocessor(winsor: float = 0.01) -> list[tuple[str, object]]:
    """Clip at training quantiles, impute medians with missing indicators, standardise."""
    return [("clip", Winsorizer(winsor)),
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler())]


# =========================================================================== assembly
def history_columns(windows: Iterable[int] = (3, 6, 12),
                    columns: Iterable[str] = ("arrears_ratio", "stw_hours")) -> list[str]:
    """Names of the history features :func:`design_matrix` adds, in its order."""
    return [f"{c}_{kind}{w}" for c in columns for w in windows
            for kind in ("lag", "mean", "slope", "std")]


def design_matrix(features: pd.DataFrame, *, history: bool = True,
                  windows: Iterable[int] = (3, 6, 12),
                  columns: Iterable[str] = ("arrears_ratio", "stw_hours")) -> pd.DataFrame:
    """Numeric model inputs from the observable firm-month features, no look-ahead.

    Parameters
    ----------
    features : DataFrame
        ``Panel.features`` (or a frame with ``firm_id``, ``month`` and the same columns):
        one row per firm-month.
    history : bool
        Add the trailing-window history features (lags, rolling means, slopes and
        standard deviations of ``columns`` over ``windows``, see
        :func:`causalxai.firms.history_features`).
    windows, columns
        Passed to :func:`~causalxai.firms.history_features`.

    Returns
    -------
    DataFrame
        Indexed like ``features``, float32: every observable column except
        :data:`NOT_INPUTS` (identifiers and the fiscal-year stamp, whose age
        ``fs_age_months`` is kept), one indicator per sector but the first, then the
        history features. Row ``t`` of a firm depends on its rows up to ``t`` only.
    """
    if not isinstance(features, pd.DataFrame):
        raise ValueError(f"features must be a DataFrame, got {type(features).__name__}")
    missing = [c for c in ("firm_id", "month") if c not in features]
    if missing:
        raise ValueError(f"features lacks column(s) {missing}")
    current = features.drop(columns=[c for c in NOT_INPUTS if c in features])
    bad = [c for c in current if not pd.api.types.is_numeric_dtype(current[c])]
    if bad:
        raise ValueError(f"features has non-numeric input column(s) {bad}")
    parts = [current.astype(np.float32)]
    if "sector" in features:
        parts.append(pd.get_dummies(features["sector"], prefix="sector", drop_first=True,
                                    dtype=np.float32))
    if history:
        columns = [columns] if isinstance(columns, str) else list(columns)
        parts.append(history_features(features[["firm_id", "month", *columns]],
                                      windows=windows, columns=columns))
    return pd.concat(parts, axis=1)


@dataclass(frozen=True)
class TimeSplit:
    """An out-of-time split with targets as known at the end of each window.

    Attributes
    ----------
    train, test : Index
        Row labels of the training rows (sub-sampled, see :func:`time_split`) and of the
        test rows (every firm-month of the test window).
    y_train, y_test : DataFrame
        ``failure_within_<h>`` (1, 0 or NaN): for training rows, 1 or 0 only when the
        whole window ``t+1 .. t+h`` ends by ``train_end`` (a window cut by ``train_end``
        is NaN even when the failure is already known, since labelling only the failures
        of cut windows would select rows on their outcome); for test rows, as known at
        the panel end.
    surv_train, surv_test : DataFrame
        ``duration`` (months to failure or censoring) and ``event`` (1 failure, 0
        censored), censored at ``train_end`` and at the panel end respectively.
    train_end, test_start, test_end : Timestamp
        Last training month, first and last test months.
    """

    train: pd.Index
    test: pd.Index
    y_train: pd.DataFrame
    y_test: pd.DataFrame
    surv_train: pd.DataFrame
    surv_test: pd.DataFrame
    train_end: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp


def time_split(rows: pd.DataFrame, failure_month: pd.Series, panel_end: object, *,
               train: tuple[str, str] = ("2015-01", "2018-12"),
               test: tuple[str, str] = ("2019-01", "2019-12"), every: int = 1,
               horizons: Iterable[int] = HORIZONS) -> TimeSplit:
    """Out-of-time split of firm-months with censoring-aware targets.

    Parameters
    ----------
    rows : DataFrame
        ``firm_id`` and ``month`` of every firm-month (``Panel.features``).
    failure_month : Series
        ``firm_id`` -> month of failure (NaT: none observed by the panel end).
    panel_end : date-like
        Last month of the panel.
    train, test : (str, str)
        First and last months ``"YYYY-MM"`` of each window; the test window starts after
        the training one.
    every : int
        Keep one training month in ``every`` per firm (months where
        ``(firm position + month number) % every == 0``: evenly spread over firms and
        months). The test rows are all kept.
    horizons : iterable of int
        Target horizons in months; the test window must end at least ``max(horizons)``
        months before the panel end, so that no test target is censored.

    Returns
    -------
    TimeSplit
        Training targets are computed as known at the last training month: a failure
        after it is unknown, and a window reaching past it is NaN (see
        :class:`TimeSplit`); the survival targets keep the partial follow-up of those
        rows, censored at the last training month.
    """
    if not isinstance(rows, pd.DataFrame) or not {"firm_id", "month"} <= set(rows):
        raise ValueError("rows must be a DataFrame with columns firm_id and month")
    if isinstance(every, bool) or not isinstance(every, int | np.integer) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    horizons = _positive_ints(horizons, "horizons")
    windows = {}
    for name, window in (("train", train), ("test", test)):
        if len(tuple(window)) != 2:
            raise ValueError(f"{name} must be (first, last) months, got {window!r}")
        lo, hi = (pd.Timestamp(pd.Period(w, "M").start_time) for w in window)
        if hi < lo:
            raise ValueError(f"{name} must be an ordered window, got {window!r}")
        windows[name] = (lo, hi)
    (tr0, tr1), (te0, te1) = windows["train"], windows["test"]
    if te0 <= tr1:
        raise ValueError(f"test must start after the training window ends ({train[1]}), "
                         f"got {test!r}")
    end = pd.Timestamp(panel_end)
    needed = te1 + pd.DateOffset(months=max(horizons))
    if needed > end:
        raise ValueError(f"test window ends {te1:%Y-%m}; a {max(horizons)}-month target "
                         f"needs the panel to reach {needed:%Y-%m}, it ends {end:%Y-%m}")
    month = pd.to_datetime(rows["month"])
    m = month_number(month, "rows['month']")
    codes = pd.factorize(rows["firm_id"])[0]
    in_train = ((month >= tr0) & (month <= tr1)).to_numpy() & ((codes + m) % every == 0)
    in_test = ((month >= te0) & (month <= te1)).to_numpy()
    train_rows = rows.loc[in_train, ["firm_id", "month"]]
    test_rows = rows.loc[in_test, ["firm_id", "month"]]
    y_train = failure_targets(train_rows, failure_month, tr1, horizons)
    # A window passing the training end is known only when the firm failed in it: keeping
    # those rows would select on the outcome. Only complete windows are labelled.
    last = month_number([tr1], "train")[0]
    for h in horizons:
        y_train.loc[m[in_train] + h > last, f"failure_within_{h}"] = np.nan
    return TimeSplit(
        train=train_rows.index, test=test_rows.index,
        y_train=y_train,
        y_test=failure_targets(test_rows, failure_month, end, horizons),
        surv_train=survival_targets(train_rows, failure_month, tr1),
        surv_test=survival_targets(test_rows, failure_month, end),
        train_end=tr1, test_start=te0, test_end=te1)


def case_control(y: object, negative_share: float, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Keep every positive and a random share of the negatives, with weights.

    Parameters
    ----------
    y : array-like of 0/1
        Labels.
    negative_share : float
        Probability, in (0, 1], that a negative is kept (independently of the others).
    seed : int
        Seed of the draws.

    Returns
    -------
    (positions, weights)
        Positions of the kept rows, and their weights: 1 for positives,
        ``1 / negative_share`` for negatives, so weighted sums estimate the full-sample
        ones without bias.
    """
    y = np.asarray(y, dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold 0/1 labels without missing values")
    q = _share(negative_share, "negative_share")
    keep = (y == 1) | (np.random.default_rng(seed).random(len(y)) < q)
    positions = np.flatnonzero(keep)
    weights = np.where(y[positions] == 1, 1.0, 1.0 / q)
    return positions, weights


# =========================================================================== curves
def _probability_columns(values: object, k: int, name: str, per: str) -> np.ndarray:
    """``values`` as an (n, k) float array of probabilities (a 1-d array is one column)."""
    a = np.asarray(values, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] != k:
        raise ValueError(f"{name} must have one column per {per} ({k}), got shape {a.shape}")
    if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
        raise ValueError(f"{name} must hold probabilities in [0, 1] without missing values")
    return a


def curve_from_horizons(p: object, horizons: Sequence[int], times: Sequence[int]
                        ) -> np.ndarray:
    """Cumulative failure probabilities on ``times`` from probabilities at ``horizons``.

    Each row's probabilities are first made non-decreasing in the horizon (running
    maximum: independent per-horizon models can cross), then the log-survival
    ``log(1 - F)`` is interpolated linearly between ``(0, 0)`` and the horizons — a
    constant monthly hazard within each segment — and extrapolated past the last horizon
    with the last segment's hazard. With one horizon ``h`` this gives
    ``F(t) = 1 - (1 - p)^(t / h)``.

    Parameters
    ----------
    p : array of shape (n, k) or (n,)
        Probabilities at the ``k`` horizons.
    horizons : sequence of int
        Increasing horizons (months).
    times : sequence of int
        Months at which to return ``F``.

    Returns
    -------
    ndarray of shape (n, len(times))
    """
    horizons = _positive_ints(horizons, "horizons")
    p = _probability_columns(p, len(horizons), "p", "horizon")
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or (t < 0).any():
        raise ValueError("times must be a 1-d sequence of non-negative months")
    log_s = np.log1p(-np.clip(np.maximum.accumulate(p, axis=1), 0.0, 1 - _EPS))
    knots = np.r_[0.0, horizons]
    log_s = np.hstack([np.zeros((len(p), 1)), log_s])
    seg = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(horizons) - 1)
    lo, hi = knots[seg], knots[seg + 1]
    frac = (t - lo) / (hi - lo)
    out = log_s[:, seg] + frac * (log_s[:, seg + 1] - log_s[:, seg])
    return -np.expm1(out)


def crossing_share(p: object) -> float:
    """Share of rows whose probabilities decrease somewhere as the horizon grows.

    ``p`` has one column per horizon, in increasing order; a cumulative failure
    probability cannot decrease with the horizon, so a crossing is an incoherence.
    """
    p = np.asarray(p, dtype=float)
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError("p must be 2-d with at least two horizons")
    return float((np.diff(p, axis=1) < 0).any(axis=1).mean())


def cumulative_from_hazards(hazards: object, bands: Sequence[int], times: Sequence[int]
                            ) -> np.ndarray:
    """Cumulative failure probability from monthly hazards constant within lead bands.

    Parameters
    ----------
    hazards : array of shape (n, len(bands))
        Monthly failure probability in each band.
    bands : sequence of int
        Upper ends of the bands in months ahead (``(3, 6)``: months 1-3 and 4-6); past
        the last band, its hazard is used.
    times : sequence of int
        Months ``t`` at which ``F(t) = 1 - prod_b (1 - h_b)^(months of band b in 1..t)``.

    Returns
    -------
    ndarray of shape (n, len(times))
    """
    bands = _positive_ints(bands, "bands")
    h = _probability_columns(hazards, len(bands), "hazards", "band")
    t = np.asarray(times, dtype=float)
    lows = np.r_[0, bands[:-1]].astype(float)
    highs = np.r_[bands[:-1], np.inf].astype(float)
    months = np.clip(t[None, :] - lows[:, None], 0, (highs - lows)[:, None])  # (bands, times)
    log_s = np.log1p(-np.clip(h, 0.0, 1 - _EPS)) @ months
    return -np.expm1(log_s)


# =========================================================================== models
class HorizonClassifiers:
    """One LightGBM classifier per horizon (one horizon: the usual binary target).

    Parameters
    ----------
    horizons : iterable of int
        Horizons in months; ``Y`` passed to :meth:`fit` has a column
        ``failure_within_<h>`` for each.
    negative_share : float
        Share of the non-failing training rows kept (all failing rows are kept; weights
        restore the prevalence, see :func:`case_control`).
    n_estimators, learning_rate, num_leaves : LightGBM settings.
    seed : int
        Seed of the sub-sampling and of LightGBM.

    Attributes
    ----------
    models_ : dict
        Horizon -> fitted ``LGBMClassifier``.
    fit_seconds_ : dict
        Horizon -> CPU seconds of the fit (one thread).
    """

    def __init__(self, horizons: Iterable[int] = HORIZONS, *, negative_share: float = 0.25,
                 n_estimators: int = 200, learning_rate: float = 0.05, num_leaves: int = 15,
                 seed: int = 0) -> None:
        self.horizons = _positive_ints(horizons, "horizons")
        self.negative_share = _share(negative_share, "negative_share")
        self.params = {"n_estimators": n_estimators, "learning_rate": learning_rate,
                       "num_leaves": num_leaves}
        self.seed = seed

    def fit(self, X: pd.DataFrame, Y: pd.DataFrame) -> HorizonClassifiers:
        """Fit one model per horizon on the rows where its target is known."""
        if len(X) != len(Y):
            raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
        self.models_, self.fit_seconds_, self.n_rows_ = {}, {}, {}
        for k, h in enumerate(self.horizons):
            column = f"failure_within_{h}"
            if column not in Y:
                raise ValueError(f"Y lacks the target column {column!r}")
            known = Y[column].notna().to_numpy()
            y = Y[column].to_numpy()[known]
            if y.sum() == 0 or y.sum() == len(y):
                raise ValueError(f"{column} has a single class on the known training rows")
            pos, w = case_control(y, self.negative_share, self.seed + k)
            model = gbm("classification", seed=self.seed + k, **self.params, **_TREES)
            start = time.process_time()
            model.fit(X.iloc[np.flatnonzero(known)[pos]], y[pos].astype(int), sample_weight=w)
            self.fit_seconds_[h] = time.process_time() - start
            self.models_[h] = model
            self.n_rows_[h] = len(pos)
        return self

    def predict_horizons(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of failing within each horizon, shape ``(n, len(horizons))``."""
        return np.column_stack([self.models_[h].predict_proba(X)[:, 1] for h in self.horizons])

    def cumulative(self, X: pd.DataFrame, times: Sequence[int]) -> np.ndarray:
        """``F(t | x)`` on ``times`` (see :func:`curve_from_horizons`)."""
        return curve_from_horizons(self.predict_horizons(X), self.horizons, times)


def _band_records(duration: np.ndarray, event: np.ndarray, bands: tuple[int, ...]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Aggregated firm-month records of a discrete-time hazard with band-constant hazards.

    Row ``i`` is at risk in months ``1 .. d_i`` ahead (``d_i`` its duration); it fails in
    month ``d_i`` if ``event_i``. Within band ``b`` its months share the same inputs and
    hazard, so their Bernoulli log-likelihood equals that of one record ``y = 0`` with
    weight ``(months at risk - failures)`` plus, if it fails in the band, one record
    ``y = 1`` with weight 1. Returns (row position, band index, y, weight).
    """
    lows = np.r_[0, bands[:-1]]
    pos, band, y, w = [], [], [], []
    for b, (lo, hi) in enumerate(zip(lows, bands, strict=True)):
        at_risk = np.clip(np.minimum(duration, hi) - lo, 0, hi - lo)
        fails = event & (duration > lo) & (duration <= hi)
        neg = at_risk - fails
        for mask, label, weight in ((neg > 0, 0.0, neg), (fails, 1.0, np.ones_like(neg))):
            idx = np.flatnonzero(mask)
            pos.append(idx)
            band.append(np.full(len(idx), b))
            y.append(np.full(len(idx), label))
            w.append(weight[idx].astype(float))
    return tuple(np.concatenate(a) for a in (pos, band, y, w))  # type: ignore[return-value]


class DiscreteTimeHazard:
    """Discrete-time hazard of failure with a monthly hazard per band of months ahead.

    For a row observed at month ``t`` with inputs ``x``, ``h_b(x)`` is the probability of
    failing in a month of band ``b`` after ``t`` (months ``bands[b-1] + 1 .. bands[b]``),
    given survival until then. Each row contributes all the months it is observed at
    risk, up to ``max(bands)`` months ahead, as firm-month records (Shumway, 2001, uses
    the same construction with firm-years); the band enters the model as a feature.
    With ``bands=(k,)`` the model is a single monthly hazard, assumed constant over the
    next ``k`` months and extrapolated as constant: ``F(t) = 1 - (1 - h)^t``.

    Parameters
    ----------
    bands : iterable of int
        Upper ends of the lead bands, increasing.
    learner : {"logit", "lgbm"}
        Logistic regression (clipped, imputed with missing indicators, standardised
        inputs; L2 penalty ``C``) or LightGBM.
    negative_share : float
        Share of the non-failure records kept (weights restore the sums).
    C : float
        Inverse L2 penalty of the logistic regression.
    winsor : float
        Tail probability clipped on each side before the logistic regression.
    n_estimators, learning_rate, num_leaves : LightGBM settings.
    seed : int
        Seed of the sub-sampling and of LightGBM.
    """

    def __init__(self, bands: Iterable[int] = (1,), learner: str = "logit", *,
                 negative_share: float = 0.25, C: float = 1.0, winsor: float = 0.01,
                 n_estimators: int = 200, learning_rate: float = 0.05, num_leaves: int = 15,
                 seed: int = 0) -> None:
        self.bands = _positive_ints(bands, "bands")
        if learner not in ("logit", "lgbm"):
            raise ValueError(f"learner must be 'logit' or 'lgbm', got {learner!r}")
        self.learner = learner
        self.negative_share = _share(negative_share, "negative_share")
        self.C = C
        self.winsor = winsor
        self.params = {"n_estimators": n_estimators, "learning_rate": learning_rate,
                       "num_leaves": num_leaves}
        self.seed = seed

    def _inputs(self, X: pd.DataFrame, band: np.ndarray, positions: np.ndarray) -> pd.DataFrame:
        out = X.iloc[positions].reset_index(drop=True)
        if len(self.bands) > 1:
            out = out.assign(lead_band=band.astype(np.float32))
        return out

    def fit(self, X: pd.DataFrame, duration: object, event: object) -> DiscreteTimeHazard:
        """Fit on rows with ``duration`` months to failure (``event`` 1) or censoring."""
        d, e = _survival_arrays(duration, event)
        if len(d) != len(X):
            raise ValueError(f"X has {len(X)} rows but duration has {len(d)}")
        pos, band, y, w = _band_records(d, e, self.bands)
        if y.sum() == 0:
            raise ValueError("no failure is observed within the bands: nothing to fit")
        keep, cc = case_control(y, self.negative_share, self.seed)
        Z = self._inputs(X, band[keep], pos[keep])
        weight = w[keep] * cc
        start = time.process_time()
        if self.learner == "logit":
            self.model_ = Pipeline([*_linear_preprocessor(self.winsor), (
                "model", LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=200))])
            with threadpool_limits(1):  # BLAS threads only spin on small dense problems
                self.model_.fit(Z, y[keep].astype(int), model__sample_weight=weight)
        else:
            self.model_ = gbm("classification", seed=self.seed, **self.params, **_TREES)
            self.model_.fit(Z, y[keep].astype(int), sample_weight=weight)
        self.fit_seconds_ = time.process_time() - start
        self.n_records_ = len(keep)
        return self

    def predict_hazard(self, X: pd.DataFrame) -> np.ndarray:
        """Monthly hazards per band, shape ``(n, len(bands))``."""
        n = len(X)
        out = np.empty((n, len(self.bands)))
        for b in range(len(self.bands)):
            Z = self._inputs(X, np.full(n, b), np.arange(n))
            out[:, b] = self.model_.predict_proba(Z)[:, 1]
        return out

    def cumulative(self, X: pd.DataFrame, times: Sequence[int]) -> np.ndarray:
        """``F(t | x)`` on ``times`` (see :func:`cumulative_from_hazards`)."""
        return cumulative_from_hazards(self.predict_hazard(X), self.bands, times)


class CoxModel:
    """Cox proportional-hazards model (scikit-survival) with linear-model preprocessing.

    Inputs are clipped at training quantiles, median-imputed with missing indicators and
    standardised; the fit uses Breslow's handling of tied (monthly) times and a ridge
    penalty ``alpha`` on the standardised coefficients (1 by default: negligible next to
    a partial likelihood summed over hundreds of failures, and it keeps the Newton steps
    from overflowing on small samples). ``F(t | x) = 1 - exp(-H_0(t) exp(x'b))`` with the
    Breslow baseline ``H_0``.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: pd.DataFrame, duration: object, event: object) -> CoxModel:
        """Fit on rows with a positive ``duration`` (rows with 0 carry no information)."""
        from sksurv.linear_model import CoxPHSurvivalAnalysis
        from sksurv.util import Surv

        d, e = _survival_arrays(duration, event)
        if len(d) != len(X):
            raise ValueError(f"X has {len(X)} rows but duration has {len(d)}")
        keep = d > 0
        if not e[keep].any():
            raise ValueError("no failure is observed: nothing to fit")
        self.prep_ = Pipeline(_linear_preprocessor()).fit(X[keep])
        self.model_ = CoxPHSurvivalAnalysis(alpha=self.alpha, ties="breslow")
        start = time.process_time()
        # sksurv's Newton steps can overshoot into exp() overflow on small samples (smoke
        # sizes); it then halves the step, so the overflow is not an error of the fit.
        with threadpool_limits(1), np.errstate(over="ignore"):
            self.model_.fit(self.prep_.transform(X[keep]), Surv.from_arrays(e[keep], d[keep]))
        self.fit_seconds_ = time.process_time() - start
        return self

    def risk(self, X: pd.DataFrame) -> np.ndarray:
        """Linear predictor ``x'b`` (higher: riskier)."""
        return self.model_.predict(self.prep_.transform(X))

    def cumulative(self, X: pd.DataFrame, times: Sequence[int]) -> np.ndarray:
        """``F(t | x)`` on ``times``."""
        base = self.model_.cum_baseline_hazard_
        t = np.asarray(times, dtype=float)
        h0 = np.array([base(min(max(v, base.x[0]), base.x[-1])) if v >= base.x[0] else 0.0
                       for v in t])
        return -np.expm1(-np.exp(self.risk(X))[:, None] * h0[None, :])


# =========================================================================== metrics


# =========================================================================== alerts
def _month_codes(rows: pd.DataFrame) -> np.ndarray:
    if not isinstance(rows, pd.DataFrame) or not {"firm_id", "month"} <= set(rows):
        raise ValueError("rows must be a DataFrame with columns firm_id and month")
    return month_number(rows["month"], "rows['month']")


def monthly_percentile(rows: pd.DataFrame, score: object) -> np.ndarray:
    """Percentile rank (0-100, 100 = riskiest) of each row's score among its month's rows."""
    m = _month_codes(rows)
    s = pd.Series(np.asarray(score, dtype=float))
    if len(s) != len(m):
        raise ValueError("score must be aligned with rows")
    return (100 * s.groupby(m).rank(pct=True, method="average")).to_numpy()


def alert_lead_times(rows: pd.DataFrame, alerts: Mapping[str, object],
                     failure_month: pd.Series, *, cohort: tuple[str, str],
                     lookback: int = 18) -> pd.DataFrame:
    """Months between the first alert and the failure, for each failing firm of a cohort.

    Parameters
    ----------
    rows : DataFrame
        ``firm_id`` and ``month`` of the scored firm-months (the monitoring months).
    alerts : mapping
        Rule name -> boolean alert flag per row (see :func:`causalxai.predict.alerts_at_budget`).
    failure_month : Series
        ``firm_id`` -> month of failure (NaT: none).
    cohort : (str, str)
        First and last failure months ``"YYYY-MM"`` of the firms followed; the look-back
        window of the earliest must lie within the scored months.
    lookback : int
        Months before the failure in which an alert counts: a firm failing in month
        ``f`` is alerted with lead ``f - m`` if ``m`` is its first alerted month in
        ``f - lookback .. f - 1``.

    Returns
    -------
    DataFrame
        Index ``firm_id`` (the cohort), ``failure_month``, and one column per rule: the
        lead in months (1 .. ``lookback``), 0 when no alert came in the window.
    """
    if isinstance(lookback, bool) or not isinstance(lookback, int | np.integer) or lookback < 1:
        raise ValueError(f"lookback must be a positive integer, got {lookback!r}")
    m = _month_codes(rows)
    if len(tuple(cohort)) != 2:
        raise ValueError(f"cohort must be (first, last) months, got {cohort!r}")
    c0, c1 = (month_number([pd.Period(c, "M").start_time], "cohort")[0] for c in cohort)
    if c1 < c0:
        raise ValueError(f"cohort must be an ordered window, got {cohort!r}")
    if c0 - lookback < m.min():
        raise ValueError(f"cohort starts {cohort[0]}: its {lookback}-month look-back reaches "
                         f"before the first scored month; start the cohort later")
    if c1 - 1 > m.max():
        raise ValueError(f"cohort ends {cohort[1]}, after the last scored month")
    fm = pd.Series(failure_month).dropna()
    f_num = pd.Series(month_number(fm.to_numpy(), "failure_month"), index=fm.index)
    members = f_num[(f_num >= c0) & (f_num <= c1)]
    f_row = pd.Series(rows["firm_id"].to_numpy()).map(members).to_numpy(dtype=float)
    lead = f_row - m
    window = ~np.isnan(f_row) & (lead >= 1) & (lead <= lookback)
    out = pd.DataFrame(index=pd.Index(members.index, name="firm_id"))
    out["failure_month"] = pd.to_datetime(fm.loc[members.index])
    firm = rows["firm_id"].to_numpy()
    for name, flag in alerts.items():
        a = np.asarray(flag, dtype=bool)
        if a.shape != (len(rows),):
            raise ValueError(f"alerts[{name!r}] must be a flag per row")
        hit = window & a
        best = pd.Series(lead[hit], index=firm[hit]).groupby(level=0).max()
        out[name] = best.reindex(out.index).fillna(0).astype(int).to_numpy()
    return out


def alert_turnover(rows: pd.DataFrame, alerts: Mapping[str, object]) -> pd.DataFrame:
    """How much a monthly alert list renews itself.

    Parameters
    ----------
    rows : DataFrame
        ``firm_id`` and ``month`` of the scored firm-months.
    alerts : mapping
        Rule name -> boolean alert flag per row (see :func:`causalxai.predict.alerts_at_budget`).

    Returns
    -------
    DataFrame
        One row per rule: ``alerts`` (flagged firm-months), ``distinct_firms`` (firms
        flagged at least once) and ``repeat_share`` (share of the flags, after the first
        month, on a firm already flagged the month before).
    """
    m = _month_codes(rows)
    firm = rows["firm_id"].to_numpy()
    out = {}
    for name, flag in alerts.items():
        a = np.asarray(flag, dtype=bool)
        if a.shape != (len(rows),):
            raise ValueError(f"alerts[{name!r}] must be a flag per row")
        flagged = pd.MultiIndex.from_arrays([firm[a], m[a]])
        later = m[a] > m.min()
        before = pd.MultiIndex.from_arrays([firm[a][later], m[a][later] - 1])
        out[name] = {"alerts": int(a.sum()), "distinct_firms": len(np.unique(firm[a])),
                     "repeat_share": float(before.isin(flagged).mean()) if later.any()
                     else np.nan}
    return pd.DataFrame(out).T


def detection_curve(leads: pd.DataFrame, lookback: int) -> pd.DataFrame:
    """Share of the cohort alerted at least ``k`` months before failing, ``k = 1..lookback``.

    ``leads`` is the output of :func:`alert_lead_times` (its ``failure_month`` column is
    ignored). The value at ``k = 1`` is the share alerted at all within the look-back.
    """
    values = leads.drop(columns=["failure_month"], errors="ignore")
    if len(values) == 0:
        raise ValueError("leads is empty: no failing firm in the cohort")
    k = np.arange(1, lookback + 1)
    data = {c: [(values[c].to_numpy() >= j).mean() for j in k] for c in values}
    return pd.DataFrame(data, index=pd.Index(k, name="months_before_failure"))


def bootstrap_means(values: pd.DataFrame, *, n_boot: int = 200, seed: int = 0
                    ) -> pd.DataFrame:
    """Column means on bootstrap resamples of the rows (paired across columns).

    With one row per firm (e.g. the lead times of :func:`alert_lead_times`), this is a
    bootstrap over firms. Returns one row per resample and the columns of ``values``.
    """
    if not isinstance(values, pd.DataFrame) or len(values) == 0:
        raise ValueError("values must be a non-empty DataFrame")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    data = values.to_numpy(dtype=float)
    n = len(data)
    weights = bootstrap_weights(n_boot, groups=np.arange(n), seed=seed)  # (rows, B)
    return pd.DataFrame(weights.T @ data / n, columns=values.columns)

"""Early warning through a regime change: shift-robust approaches, sector signals, alert metrics.

Part IV asks two questions of the simulated firm panel (:mod:`causalxai.firms`):

- *COVID robustness* — a failure model trained before 2020 meets a regime in which
  arrears and short-time work change meaning (deferred contributions, a generous
  short-time work rule) and failures are suppressed. The approaches here: feature
  re-expression (:func:`reexpress`), importance weights from a domain classifier
  (:func:`domain_weights`), recalibration on labels as they arrive
  (:func:`realtime_recalibration`, with :func:`fit_platt`, :func:`fit_isotonic` and the
  censoring-aware :func:`fit_censored_recalibration`), a pre-crisis score with an expert
  overlay (:func:`freeze_columns`, :func:`red_flags`, :func:`overlay`), and features
  chosen from the causal graph (:func:`regime_screen`).
- *Sector shocks* — sector-level signals built from observable aggregates and an event
  calendar, with no look-ahead (:func:`sector_signals`, :func:`event_timing`), stacked
  on a firm-level score (:func:`fit_stack`), evaluated by the firms' true exposure
  (:func:`exposure_groups`), with past shocks to learn from (:func:`training_events`).

Ground truth used for evaluation only: the simulator's true failure probabilities (soft
labels) and :func:`health_only_probability`, the risk implied by health alone.

The metrics are those of an alert service: ROC-AUC (:func:`causalxai.predict.roc_auc`,
weighted, also with soft labels), alerts at a fixed budget per month
(:func:`causalxai.predict.alerts_at_budget`), calibration
(:func:`expected_calibration_error`, observed over expected), all with a bootstrap over
firms (:func:`causalxai.predict.bootstrap_weights`, :func:`period_metrics`).

Conventions of :mod:`causalxai.firms.targets`: a row ``(firm_id, month)`` holds what is
known at the end of that month; months are month-start timestamps.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import networkx as nx
import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from scipy.special import expit, logit

from causalxai.firms import failure_within, history_features
from causalxai.firms.simulate import FULL_TIME_HOURS
from causalxai.months import month_number
from causalxai.predict.metrics import alerts_at_budget, bootstrap_weights, roc_auc
from causalxai.predict.models import gbm

__all__ = [
    "BASE_COLUMNS",
    "SHIFT_PREFIXES",
    "DomainWeights",
    "Recalibrator",
    "base_column",
    "budget_precision_recall",
    "domain_weights",
    "event_timing",
    "expected_calibration_error",
    "exposure_groups",
    "firm_frame",
    "fit_censored_recalibration",
    "fit_classifier",
    "fit_isotonic",
    "fit_platt",
    "fit_stack",
    "freeze_columns",
    "health_only_probability",
    "history_columns",
    "observed_expected",
    "overlay",
    "period_metrics",
    "realtime_recalibration",
    "red_flags",
    "reexpress",
    "regime_screen",
    "relative_to_own_level",
    "screened_features",
    "sector_month_mean",
    "sector_signals",
    "shift_free",
    "training_events",
]

#: Observable columns of ``Panel.features`` given to every model (before history).
BASE_COLUMNS = ("sector", "age_years", "size", "headcount", "headcount_change", "contributions",
                "arrears", "arrears_ratio", "stw_hours", "stw_share", "payment_score",
                "fs_age_months", "profitability", "liquidity", "indebtedness",
                "investment_rate", "supplier_delay")
#: Column prefixes of the features whose meaning the COVID schemes change: arrears (deferred
#: contributions count as arrears), short-time work (a generous rule) and contributions
#: (net of short-time work).
SHIFT_PREFIXES = ("arrears", "stw", "contributions")
#: Monthly columns summarised over trailing windows by :func:`firm_frame`.
HISTORY_SOURCES = ("arrears_ratio", "stw_share", "payment_score")


# ------------------------------------------------------------------------------ helpers
def _check_frame(frame: object, columns: Iterable[str], name: str = "frame") -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")
    return frame


def _fraction(name: str, value: float, *, low_open: bool = True) -> float:
    interval = "(0, 1]" if low_open else "[0, 1]"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    if not (0 < value <= 1 if low_open else 0 <= value <= 1):
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return float(value)


def _grid(codes: np.ndarray, t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A (months, firms) grid with NaN where a firm has no row."""
    grid = np.full((int(t.max()) + 1, int(codes.max()) + 1), np.nan)
    grid[t, codes] = values
    return grid


# ------------------------------------------------------------------------------ frame
def firm_frame(panel, horizon: int = 12, windows: Iterable[int] = (3, 6, 12), *,
               since: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """The modelling frame of a simulated panel: features, history, target and truth.

    Parameters
    ----------
    panel : causalxai.firms.Panel
        A simulated panel.
    horizon : int
        Target horizon in months: ``y`` is 1 if the firm fails in months ``t+1 .. t+horizon``
        (NaN when censored, see :func:`causalxai.firms.failure_within`).
    windows : iterable of int
        Trailing windows of the history features (of :data:`HISTORY_SOURCES`).
    since : date-like, optional
        Return only the rows of this month and later (the history features still see
        the months before: they are computed on the rows from ``since`` minus the
        longest window). Saves time when only a late period is evaluated.

    Returns
    -------
    DataFrame
        Aligned with ``panel.features``: the observable columns, ``stw_share`` (short-time
        work hours over the headcount's full-time hours), history columns
        (``<col>_lag<w>``, ``_mean<w>``, ``_slope<w>``, ``_std<w>``), ``y``, and three
        columns that are *not* features: ``failure_month`` (observed failure of the firm,
        NaT if none), ``p_true`` (true probability of failing within ``horizon`` from the
        simulator's hazards) and ``arrears_deferred`` (the deferred part of the arrears:
        the contribution-collection agency's deferral register, used only by the
        approach that assumes that register is available).
    """
    features = getattr(panel, "features", None)
    if not isinstance(features, pd.DataFrame):
        raise ValueError("panel must be a causalxai.firms.Panel")
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    windows = tuple(windows)
    keep = np.ones(len(features), dtype=bool)
    if since is not None:
        first = month_number([since], "since")[0]
        keep = month_number(features["month"]) >= first - max(windows, default=0)
    frame = features[keep].copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = frame["stw_hours"] / (frame["headcount"] * FULL_TIME_HOURS)
    frame["stw_share"] = share.where(frame["headcount"] > 0, 0.0).astype(np.float32)
    hist = history_features(frame, windows=windows, columns=HISTORY_SOURCES)
    frame = pd.concat([frame, hist], axis=1)
    target = failure_within(panel, months=(int(horizon),))[f"failure_within_{horizon}"]
    frame["y"] = target[keep].to_numpy()
    frame["failure_month"] = frame["firm_id"].map(
        panel.firms.set_index("firm_id")["failure_month"])
    frame["p_true"] = panel.failure_probability(int(horizon)).to_numpy()[keep]
    frame["arrears_deferred"] = panel.truth["arrears_deferred"].to_numpy(dtype=np.float32)[keep]
    if since is not None:
        frame = frame[frame["month"] >= pd.Timestamp(since)]
    return frame


def health_only_probability(panel, horizon: int = 12) -> pd.Series:
    """True probability of failing within ``horizon`` months from health alone.

    The observed world's health paths with the regime's direct effects on failure removed
    (the court freeze and the residual yearly shift): the probability a model that read
    health perfectly, calibrated before the regime, would give. It is rebuilt from the
    panel's ``no_regime`` hazards (no residual shift) divided by the share of proceedings
    the courts let open each month (``Covid.court_freeze``). Aligned with
    ``panel.features``; NaN where the window passes the panel end.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    covid = panel.config.covid
    if covid is None:
        hazard = panel.hazards["observed"].astype(float)
    else:
        hazard = panel.hazards["no_regime"].astype(float)
        start = month_number([covid.start], "Covid.start")[0] - month_number(
            [panel.months[0]], "panel start")[0]
        freeze = getattr(covid, "court_freeze", None)
        if freeze is not None:
            open_ = 1.0 - np.array([freeze(int(k)) for k in np.arange(len(hazard)) - start])
            hazard = hazard / open_[:, None]
    log_surv = np.vstack([np.zeros((1, hazard.shape[1])), np.cumsum(np.log1p(-hazard), axis=0)])
    t = month_number(panel.features["month"]) - month_number([panel.months[0]], "start")[0]
    i = panel.features["firm_id"].to_numpy()
    end = np.minimum(t + horizon, hazard.shape[0] - 1)
    p = 1.0 - np.exp(log_surv[end + 1, i] - log_surv[t + 1, i])
    return pd.Series(np.where(t + horizon < hazard.shape[0], p, np.nan),
                     index=panel.features.index, name=f"p_health_{horizon}")


def history_columns(frame: pd.DataFrame, sources: Iterable[str] = HISTORY_SOURCES) -> list[str]:
    """The history columns of ``frame`` computed from ``sources`` (see :func:`firm_frame`)."""
    prefixes = tuple(f"{s}_{k}" for s in sources for k in ("lag", "mean", "slope", "std"))
    return [c for c in frame.columns if c.startswith(prefixes)]


def shift_free(columns: Iterable[str], prefixes: Iterable[str] = SHIFT_PREFIXES) -> list[str]:
    """``columns`` without those starting with one of ``prefixes`` (shift-affected)."""
    prefixes = tuple(prefixes)
    return [c for c in columns if not c.startswith(prefixes)]


# ------------------------------------------------------------------------------ re-expression
def sector_month_mean(frame: pd.DataFrame, column: str, by: str = "sector") -> pd.Series:
    """Mean of ``column`` over the firms of the same ``by`` group and month.

    It uses the rows of month ``t`` only: an aggregate the service computes at the end of
    month ``t`` (NaN values are skipped).
    """
    _check_frame(frame, ("month", by, column))
    return frame.groupby([by, "month"], observed=True)[column].transform("mean")


def relative_to_own_level(frame: pd.DataFrame, column: str, freeze: str | pd.Timestamp,
                          window: int = 12) -> pd.Series:
    """``column`` minus the firm's own mean level before ``min(t, freeze)``.

    The baseline of a row at month ``t`` is the firm's mean of ``column`` over the
    ``window`` months before ``b = min(t, freeze)``, i.e. months ``b - window .. b - 1``
    (at least half of them observed, else NaN). Before ``freeze`` it is the change
    against the firm's last ``window`` months; from ``freeze`` on the baseline stays the
    pre-``freeze`` level. Only months ``<= t`` are used.
    """
    _check_frame(frame, ("firm_id", "month", column))
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    f = month_number([freeze], "freeze")[0]
    codes, _ = pd.factorize(frame["firm_id"])
    m = month_number(frame["month"])
    t = m - m.min()
    grid = _grid(codes, t, frame[column].to_numpy(dtype=float))
    finite = np.isfinite(grid)
    c_x = np.vstack([np.zeros((1, grid.shape[1])), np.cumsum(np.where(finite, grid, 0), 0)])
    c_n = np.vstack([np.zeros((1, grid.shape[1])), np.cumsum(finite, 0)])
    b = np.minimum(t, f - m.min())
    lo = np.clip(b - window, 0, None)
    hi = np.clip(b, 0, None)
    n = c_n[hi, codes] - c_n[lo, codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(n >= window / 2, (c_x[hi, codes] - c_x[lo, codes]) / n, np.nan)
    return pd.Series(frame[column].to_numpy(dtype=float) - base, index=frame.index,
                     name=f"{column}_vs_own")


def reexpress(frame: pd.DataFrame, shift_start: str | pd.Timestamp, *,
              register: bool = False, window: int = 12) -> pd.DataFrame:
    """Shift-affected features re-expressed against a reference the shift also moves.

    Parameters
    ----------
    frame : DataFrame
        From :func:`firm_frame` (``arrears_ratio``, ``stw_share``, ``sector``; with
        ``register``, also ``arrears`` and ``arrears_deferred``).
    shift_start : date-like
        First month of the regime: the firm's own baseline is frozen before it.
    register : bool
        Also return ``arrears_net_ratio``: arrears net of deferred contributions, over
        mean monthly contributions, for a service that sees the deferral register.
    window : int
        Months of the firm's own baseline (:func:`relative_to_own_level`).

    Returns
    -------
    DataFrame
        Indexed like ``frame``: ``arrears_vs_own`` (arrears ratio minus the firm's own
        pre-shift level), ``arrears_vs_sector`` and ``stw_vs_sector`` (arrears ratio and
        short-time work share minus their sector-month means), and with ``register``
        ``arrears_net_ratio``.
    """
    need = ["arrears_ratio", "stw_share", "sector"] + (
        ["arrears", "arrears_deferred"] if register else [])
    _check_frame(frame, need)
    out = pd.DataFrame(index=frame.index)
    out["arrears_vs_own"] = relative_to_own_level(frame, "arrears_ratio", shift_start, window)
    out["arrears_vs_sector"] = frame["arrears_ratio"] - sector_month_mean(frame, "arrears_ratio")
    out["stw_vs_sector"] = frame["stw_share"] - sector_month_mean(frame, "stw_share")
    if register:
        arrears = frame["arrears"].to_numpy(dtype=float)
        net = np.clip(arrears - frame["arrears_deferred"].to_numpy(dtype=float), 0, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(arrears > 0, net / arrears, 0.0)
        out["arrears_net_ratio"] = frame["arrears_ratio"].to_numpy(dtype=float) * share
    return out.astype(np.float32)


# ------------------------------------------------------------------------------ models
def fit_classifier(X: pd.DataFrame, y: np.ndarray | pd.Series, *, n_estimators: int = 200,
                   learning_rate: float = 0.05, num_leaves: int = 15,
                   min_child_samples: int = 100, sample_weight: np.ndarray | None = None,
                   seed: int = 0) -> LGBMClassifier:
    """A LightGBM classifier with fixed, mildly regularised settings (single-threaded).

    ``min_child_samples`` is larger than LightGBM's default because failures are rare
    (about 1.5 % a year): leaves of a few dozen firm-months overfit.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    model = gbm("classification", seed=seed, n_estimators=n_estimators,
                learning_rate=learning_rate, num_leaves=num_leaves,
                min_child_samples=min_child_samples)
    return model.fit(X, np.asarray(y, dtype=int), sample_weight=sample_weight)


@dataclass(frozen=True)
class DomainWeights:
    """Importance weights for covariate shift (see :func:`domain_weights`).

    Attributes
    ----------
    weights : ndarray
        One weight per source row, mean 1.
    auc : float
        Out-of-fold ROC-AUC of the domain classifier (0.5: no detectable shift).
    ess : float
        Effective sample size ``(sum w)^2 / sum w^2`` as a share of the source rows.
    clipped : float
        Share of source rows whose weight hit the clip.
    """

    weights: np.ndarray
    auc: float
    ess: float
    clipped: float


def domain_weights(source: pd.DataFrame, target: pd.DataFrame, *, method: str = "gbm",
                   clip: float = 20.0, n_estimators: int = 100, seed: int = 0) -> DomainWeights:
    """Density-ratio weights ``p_target(x) / p_source(x)`` from a domain classifier.

    A classifier separates target rows (label 1) from source rows (label 0); with
    ``q(x)`` its probability, ``w(x) = (n_source / n_target) q(x) / (1 - q(x))`` estimates
    the density ratio (covariate-shift correction, Shimodaira 2000; Bickel et al. 2009).
    Weights are cross-fitted (two folds: each source row is weighted by the classifier
    that did not see it), clipped at ``clip`` times their mean, then scaled to mean 1.

    Parameters
    ----------
    source, target : DataFrame
        The same feature columns (training rows and rows of the new regime).
    method : {"gbm", "logistic"}
        LightGBM (handles missing values and interactions) or a logistic regression on
        standardised columns (exact when the log density ratio is linear, e.g. two
        Gaussians with a common covariance).
    clip : float
        Upper clip, in multiples of the mean weight (> 1).
    n_estimators : int
        Boosting rounds for ``method="gbm"``.
    seed : int
        Fold assignment and model seed.
    """
    if method not in {"gbm", "logistic"}:
        raise ValueError(f"method must be 'gbm' or 'logistic', got {method!r}")
    if not isinstance(source, pd.DataFrame) or not isinstance(target, pd.DataFrame):
        raise ValueError("source and target must be DataFrames")
    if list(source.columns) != list(target.columns):
        raise ValueError("source and target must have the same columns, in the same order")
    if len(source) < 4 or len(target) < 4:
        raise ValueError("source and target need at least 4 rows each")
    if not (isinstance(clip, int | float) and clip > 1):
        raise ValueError(f"clip must be a number > 1, got {clip!r}")
    X = pd.concat([source, target], ignore_index=True)
    d = np.r_[np.zeros(len(source)), np.ones(len(target))]
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(X)) % 2
    q = np.empty(len(X))
    for k in (0, 1):
        fit, out = fold != k, fold == k
        if method == "gbm":
            model = fit_classifier(X[fit], d[fit], n_estimators=n_estimators, seed=seed)
            q[out] = model.predict_proba(X[out])[:, 1]
        else:
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler

            model = make_pipeline(StandardScaler(), LogisticRegression(C=1e6, max_iter=1000))
            model.fit(X[fit].to_numpy(dtype=float), d[fit])
            q[out] = model.predict_proba(X[out].to_numpy(dtype=float))[:, 1]
    q = np.clip(q, 1e-6, 1 - 1e-6)
    w = len(source) / len(target) * q[: len(source)] / (1 - q[: len(source)])
    cap = clip * w.mean()
    clipped = float((w > cap).mean())
    w = np.minimum(w, cap)
    w = w / w.mean()
    return DomainWeights(weights=w, auc=roc_auc(d, q), ess=float(w.sum() ** 2 / (w**2).sum()
                                                                  / len(w)),
                         clipped=clipped)


# ------------------------------------------------------------------------------ recalibration
def _cloglog(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(-np.log1p(-p))


@dataclass(frozen=True)
class Recalibrator:
    """A monotone map from a model's probabilities to recalibrated ones.

    Attributes
    ----------
    kind : {"identity", "platt", "isotonic", "cloglog"}
    intercept, slope : float
        ``platt``: ``p' = sigmoid(intercept + slope * logit(p))``; ``cloglog``:
        ``p' = 1 - exp(-exp(intercept + slope * cloglog(p)))``.
    n_rows, n_events : int
        Rows and events it was fitted on.
    iso : object
        The fitted :class:`sklearn.isotonic.IsotonicRegression` (``isotonic`` only).
    """

    kind: str = "identity"
    intercept: float = 0.0
    slope: float = 1.0
    n_rows: int = 0
    n_events: int = 0
    iso: object = field(default=None, repr=False, compare=False)

    def transform(self, p: np.ndarray | pd.Series) -> np.ndarray:
        """Recalibrated probabilities."""
        p = np.asarray(p, dtype=float)
        if self.kind == "identity":
            return p.copy()
        if self.kind == "platt":
            return expit(self.intercept + self.slope * logit(np.clip(p, 1e-9, 1 - 1e-9)))
        if self.kind == "cloglog":
            return -np.expm1(-np.exp(self.intercept + self.slope * _cloglog(p)))
        if self.kind == "isotonic":
            return np.asarray(self.iso.predict(p), dtype=float)
        raise ValueError(f"unknown Recalibrator kind {self.kind!r}")


def _glm(y: np.ndarray, exog: np.ndarray, offset: np.ndarray, link) -> np.ndarray:
    import statsmodels.api as sm

    family = sm.families.Binomial(link=link)
    return np.asarray(sm.GLM(y, exog, family=family, offset=offset).fit().params, dtype=float)


def _labels(p: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError(f"p and y must be 1-D of the same length, got {p.shape} and {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold 0 and 1 only")
    if not (np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()):
        raise ValueError("p must hold probabilities in [0, 1]")
    return p, y


def fit_platt(p: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> Recalibrator:
    """Platt scaling: a logistic regression of ``y`` on ``logit(p)`` (maximum likelihood).

    Recovers ``(a, b)`` when ``y ~ Bernoulli(sigmoid(a + b logit(p)))``.
    """
    import statsmodels.api as sm

    p, y = _labels(p, y)
    if y.min() == y.max():
        raise ValueError("y must hold both classes to fit a Platt recalibration")
    x = logit(np.clip(p, 1e-9, 1 - 1e-9))
    a, b = _glm(y, np.column_stack([np.ones_like(x), x]), np.zeros_like(x),
                sm.families.links.Logit())
    return Recalibrator("platt", float(a), float(b), len(y), int(y.sum()))


def fit_isotonic(p: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> Recalibrator:
    """Isotonic recalibration: the monotone step function closest to ``y`` in squares."""
    from sklearn.isotonic import IsotonicRegression

    p, y = _labels(p, y)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
    return Recalibrator("isotonic", n_rows=len(y), n_events=int(y.sum()), iso=iso)


def fit_censored_recalibration(p: np.ndarray | pd.Series, follow_up: np.ndarray | pd.Series,
                               event: np.ndarray | pd.Series, horizon: int = 12, *,
                               slope: bool = True) -> Recalibrator:
    """Recalibrate ``horizon``-month probabilities from rows with shorter follow-up.

    A row followed for ``k`` months (``1 <= k <= horizon``) contributes ``event = 1`` if the
    firm failed within those ``k`` months. With a constant hazard over the horizon,
    ``P(fail within k) = 1 - exp(-exp(c + log(k / horizon)))`` where
    ``c = cloglog(p_horizon)``; the fit is a binomial GLM with complementary log-log link,
    offset ``log(k / horizon)`` and linear predictor ``a + b cloglog(p)`` (``b = 1`` when
    ``slope`` is False). ``a = 0, b = 1`` leaves the model unchanged. Labels that are not
    yet complete are thus used without waiting ``horizon`` months.

    Parameters
    ----------
    p : array
        The model's ``horizon``-month probabilities.
    follow_up : array
        Months each row has been followed, in ``[1, horizon]``.
    event : array
        1 if the failure was observed within the follow-up, else 0.
    horizon : int
        The horizon of ``p``.
    slope : bool
        Fit the slope ``b`` as well as the intercept ``a``.
    """
    import statsmodels.api as sm

    p, event = _labels(p, event)
    k = np.asarray(follow_up, dtype=float)
    if k.shape != p.shape:
        raise ValueError("follow_up must have the length of p")
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    if not ((k >= 1) & (k <= horizon)).all():
        raise ValueError(f"follow_up must be in [1, horizon={horizon}] months")
    if event.sum() == 0:
        raise ValueError("no event observed: a recalibration cannot be fitted")
    c = _cloglog(p)
    offset = np.log(k / horizon)
    link = sm.families.links.CLogLog()
    if slope:
        a, b = _glm(event, np.column_stack([np.ones_like(c), c]), offset, link)
    else:
        (a,), b = _glm(event, np.ones((len(c), 1)), offset + c, link), 1.0
    return Recalibrator("cloglog", float(a), float(b), len(p), int(event.sum()))


def realtime_recalibration(frame: pd.DataFrame, p: np.ndarray | pd.Series, *,
                           shift_start: str | pd.Timestamp, first: str | pd.Timestamp,
                           last: str | pd.Timestamp, every: int = 3, window: int = 6,
                           horizon: int = 12, min_events: int = 10,
                           min_events_slope: int = 100) -> tuple[np.ndarray, pd.DataFrame]:
    """Recalibrate scores month by month with only the labels known at the time.

    The recalibration is refitted every ``every`` months from ``first`` to ``last``. At a
    refit month ``T`` the service knows the failures up to the end of month ``T - 1``. It
    fits :func:`fit_censored_recalibration` on the rows observed in the ``window`` months
    before ``T - 1`` that are in the new regime (month ``>= shift_start``), each followed
    from its month to ``T - 1`` (capped at ``horizon``), and applies it to the rows of
    months ``T .. T + every - 1``. With fewer than ``min_events`` failures it leaves the
    scores unchanged; with fewer than ``min_events_slope`` it fits the intercept only.

    Parameters
    ----------
    frame : DataFrame
        ``firm_id``, ``month``, ``failure_month`` (NaT if none observed).
    p : array
        The model's ``horizon``-month probabilities for the rows of ``frame``.
    shift_start, first, last : date-like
        Start of the regime; first and last month to score.
    every, window, horizon, min_events, min_events_slope : int
        See above.

    Returns
    -------
    recalibrated : ndarray
        Aligned with ``frame``; rows outside ``first .. last`` keep ``p``.
    fits : DataFrame
        One row per refit: ``as_of``, ``kind``, ``intercept``, ``slope``, ``n_rows``,
        ``n_events``.
    """
    _check_frame(frame, ("firm_id", "month", "failure_month"))
    p = np.asarray(p, dtype=float)
    if p.shape != (len(frame),):
        raise ValueError(f"p must have one value per row of frame ({len(frame)}), got {p.shape}")
    for name, value in (("every", every), ("window", window), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    m = month_number(frame["month"])
    fm = pd.to_datetime(frame["failure_month"])
    f = np.where(fm.isna(), np.iinfo(np.int64).max,
                 fm.dt.year.fillna(0).to_numpy() * 12 + fm.dt.month.fillna(1).to_numpy() - 1)
    s0 = month_number([shift_start], "shift_start")[0]
    lo, hi = month_number([first], "first")[0], month_number([last], "last")[0]
    if hi < lo:
        raise ValueError(f"last ({last}) must not be before first ({first})")
    out = p.copy()
    fits = []
    for T in range(lo, hi + 1, every):
        known = T - 1
        use = (m >= max(s0, known - window)) & (m <= known - 1)
        k = np.minimum(known - m[use], horizon)
        event = (f[use] <= m[use] + k).astype(float)
        n_ev = int(event.sum())
        if n_ev < min_events:
            cal = Recalibrator("identity", n_rows=int(use.sum()), n_events=n_ev)
        else:
            cal = fit_censored_recalibration(p[use], k, event, horizon,
                                             slope=n_ev >= min_events_slope)
        apply = (m >= T) & (m < min(T + every, hi + 1))
        out[apply] = cal.transform(p[apply])
        fits.append({"as_of": pd.Timestamp(year=T // 12, month=T % 12 + 1, day=1),
                     "kind": cal.kind, "intercept": cal.intercept, "slope": cal.slope,
                     "n_rows": cal.n_rows, "n_events": cal.n_events})
    return out, pd.DataFrame(fits)


# ------------------------------------------------------------------------------ overlay
def freeze_columns(frame: pd.DataFrame, columns: Sequence[str], at: str | pd.Timestamp,
                   active: np.ndarray | pd.Series) -> pd.DataFrame:
    """A copy of ``frame[columns]`` where active rows read the firm's values at ``at``.

    Rows with ``active`` True take the values of the same firm's row at month ``at``
    (typically the last month before a regime); firms without a row at ``at`` keep their
    current values. Only data of month ``at`` (in the past of the active rows) is used.
    """
    _check_frame(frame, ("firm_id", "month", *columns))
    active = np.asarray(active, dtype=bool)
    if active.shape != (len(frame),):
        raise ValueError("active must have one value per row of frame")
    stamp = pd.Timestamp(at)
    if (frame.loc[active, "month"] <= stamp).any():
        raise ValueError(f"active rows must be after the month frozen at ({stamp:%Y-%m})")
    columns = list(columns)
    out = frame[columns].copy()
    at_rows = (frame["month"] == stamp).to_numpy()
    ref_ids = frame["firm_id"].to_numpy()[at_rows]
    position = pd.Series(np.flatnonzero(at_rows), index=ref_ids)
    source = frame["firm_id"].map(position).to_numpy(dtype=float)
    take = active & ~np.isnan(source)
    src = source[take].astype(np.int64)
    dst = np.flatnonzero(take)
    for c in columns:
        values = out[c].to_numpy().copy()
        values[dst] = frame[c].to_numpy()[src]
        out[c] = values
    return out


def red_flags(frame: pd.DataFrame, *, sector_stw_min: float = 1 / 3,
              score_drop: float = 10.0, score_max: float = 50.0,
              require_sector: bool = True) -> pd.Series:
    """Expert red flag: the firm's sector is hard hit and its payments are collapsing.

    Domain rules fixed in advance (not fitted):

    - *sector hard hit*: at least ``sector_stw_min`` of the sector's firms use
      short-time work this month (a published aggregate);
    - *payments collapsing*: the firm's payment score averaged over the last 3 months is
      below ``score_max`` and at least ``score_drop`` points below its average over the
      3 months before.

    Needs ``payment_score_mean3`` and ``payment_score_mean6`` (:func:`firm_frame`). With
    ``require_sector`` False only the second condition is checked (to measure how often
    it precedes failure in ordinary times).
    """
    _check_frame(frame, ("sector", "month", "stw_share", "payment_score_mean3",
                         "payment_score_mean6"))
    recent = frame["payment_score_mean3"]
    before = 2 * frame["payment_score_mean6"] - recent
    collapsing = (recent < score_max) & (before - recent >= score_drop)
    if not require_sector:
        return collapsing.fillna(False).astype(bool)
    hard_hit = sector_month_mean(frame.assign(_on=frame["stw_share"] > 0), "_on") >= sector_stw_min
    return (collapsing & hard_hit).fillna(False).astype(bool)


def overlay(score: np.ndarray | pd.Series, flag: np.ndarray | pd.Series,
            rule_probability: float) -> np.ndarray:
    """Raise flagged firms to at least ``rule_probability``: ``max(score, rule_probability)``."""
    score = np.asarray(score, dtype=float)
    flag = np.asarray(flag, dtype=bool)
    if flag.shape != score.shape:
        raise ValueError("flag must have the shape of score")
    _fraction("rule_probability", rule_probability, low_open=False)
    return np.where(flag, np.maximum(score, rule_probability), score)


# ------------------------------------------------------------------------------ graph
def regime_screen(graph: nx.DiGraph, regime: str = "covid_regime",
                  switched_role: str = "support measure") -> pd.DataFrame:
    """Which observed feature nodes keep their mechanism when the regime switches on.

    The regime acts on the nodes it points to. A *switched* node is a child of the regime
    whose own role is ``switched_role`` (the support schemes whose rules the regime
    opens). An observed node keeps its mechanism if none of its parents is the regime or
    a switched node: its structural equation, hence its relation to its causes and to
    latent health, is the same in both regimes. The others are *regime-sensitive*: the
    regime changes what their value says about health.

    Returns
    -------
    DataFrame
        Indexed by the observed nodes that have feature columns: ``role``,
        ``switched_parents`` (comma-separated), ``keep`` (bool) and ``columns``.
    """
    if regime not in graph:
        raise ValueError(f"regime node {regime!r} is not in the graph")
    switched = {c for c in graph.successors(regime)
                if graph.nodes[c].get("role") == switched_role}
    rows = {}
    for node, data in graph.nodes(data=True):
        if data.get("latent") or not data.get("columns"):
            continue
        bad = sorted(p for p in graph.predecessors(node) if p == regime or p in switched)
        rows[node] = {"role": data.get("role"), "switched_parents": ", ".join(bad),
                      "keep": not bad, "columns": tuple(data["columns"])}
    return pd.DataFrame.from_dict(rows, orient="index")


_HISTORY_SUFFIX = re.compile(r"_(lag|mean|slope|std)\d+$")


def base_column(column: str) -> str:
    """The monthly column a history column summarises (``x_mean12`` -> ``x``), else itself."""
    return _HISTORY_SUFFIX.sub("", column)


def screened_features(screen: pd.DataFrame, candidates: Iterable[str],
                      aliases: Mapping[str, str] | None = None) -> list[str]:
    """The candidate columns that measure a node kept by :func:`regime_screen`.

    A history column follows its monthly column (:func:`base_column`); ``aliases`` maps
    derived columns to a column of the graph (default: ``stw_share`` is a measure of
    ``stw_hours``). Columns that measure no node of the graph are left out.
    """
    _check_frame(screen, ("keep", "columns"), "screen")
    aliases = {"stw_share": "stw_hours", **(aliases or {})}
    kept: set[str] = set()
    for keep, cols in zip(screen["keep"], screen["columns"], strict=True):
        if keep:
            kept.update(cols)
    out = []
    for c in candidates:
        b = base_column(c)
        b = aliases.get(b, b)
        if b in kept:
            out.append(c)
    return out


# ------------------------------------------------------------------------------ sector signals
def sector_signals(frame: pd.DataFrame, columns: Sequence[str], *, by: str = "sector",
                   lags: Iterable[int] = (3,), prefix: str = "sector_") -> pd.DataFrame:
    """Sector-level signals at month ``t`` from the sector's firms at months ``<= t``.

    For each column: ``<prefix><col>`` is the mean over the sector's firms observed in
    month ``t``, and ``<prefix><col>_chg<L>`` its change since month ``t - L`` (NaN if the
    sector had no row then). Built from a (month, sector) table of means shifted
    backwards in time only, so a row's signals never use a later month.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _check_frame(frame, ("month", by, *columns))
    lags = tuple(lags)
    if any(isinstance(L, bool) or not isinstance(L, int) or L < 1 for L in lags):
        raise ValueError(f"lags must be positive integers, got {lags!r}")
    m = month_number(frame["month"])
    table = (pd.DataFrame({"m": m, "g": frame[by].astype(str).to_numpy(),
                           **{c: frame[c].to_numpy(dtype=float) for c in columns}})
             .groupby(["g", "m"])[columns].mean())
    full = pd.MultiIndex.from_product([table.index.levels[0],
                                       np.arange(m.min(), m.max() + 1)], names=["g", "m"])
    table = table.reindex(full)
    parts = {f"{prefix}{c}": table[c] for c in columns}
    for L in lags:
        for c in columns:
            parts[f"{prefix}{c}_chg{L}"] = table[c] - table[c].groupby(level="g").shift(L)
    wide = pd.DataFrame(parts)
    key = pd.MultiIndex.from_arrays([frame[by].astype(str).to_numpy(), m])
    return pd.DataFrame(wide.reindex(key).to_numpy(dtype=np.float32), index=frame.index,
                        columns=wide.columns)


def event_timing(frame: pd.DataFrame, events: Iterable[tuple[str, str | pd.Timestamp]], *,
                 by: str = "sector", cap: int = 24) -> pd.DataFrame:
    """Calendar of announced sector events: is one running in the row's sector, since when.

    Parameters
    ----------
    frame : DataFrame
        ``month`` and ``by``.
    events : iterable of (sector, onset month)
        Public events (e.g. an energy-price shock on manufacturing from 2022-03).
    cap : int
        Months after its onset during which an event counts.

    Returns
    -------
    DataFrame
        ``event_active`` (1.0 from the onset month for ``cap`` months in the event's
        sector, else 0.0) and ``event_months`` (months since the most recent running
        onset, ``-1`` when none). A row at month ``t`` depends only on onsets ``<= t``.
    """
    _check_frame(frame, ("month", by))
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise ValueError(f"cap must be a positive integer, got {cap!r}")
    m = month_number(frame["month"])
    g = frame[by].astype(str).to_numpy()
    since = np.full(len(frame), -1.0)
    for sector, onset in events:
        o = month_number([onset], "event onset")[0]
        hit = (g == str(sector)) & (m >= o) & (m < o + cap)
        new = m - o
        since = np.where(hit & ((since < 0) | (new < since)), new, since)
    return pd.DataFrame({"event_active": (since >= 0).astype(float), "event_months": since},
                        index=frame.index)


def training_events(sectors: Sequence[str], *, exclude: str, first: str | pd.Timestamp,
                    last: str | pd.Timestamp, n: int, seed: int = 0,
                    size_range: tuple[float, float] = (-1.5, -0.5)) -> tuple:
    """``n`` past sector shocks spread over ``first .. last``, for a model to learn from.

    Sectors are drawn without replacement among ``sectors`` other than ``exclude`` (with
    replacement once they run out), onsets are evenly spaced over the period, sizes are
    uniform over ``size_range``. Returns a tuple of
    :class:`~causalxai.firms.SectorEvent` named ``past_1 .. past_n``.
    """
    from causalxai.firms import SectorEvent

    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    pool = [c for c in sectors if c != exclude]
    if n and not pool:
        raise ValueError("no sector left once `exclude` is removed")
    lo, hi = month_number([first, last], "first/last")
    if hi < lo:
        raise ValueError(f"last ({last}) must not be before first ({first})")
    rng = np.random.default_rng(seed)
    picks = list(rng.permutation(pool))
    while len(picks) < n:
        picks.append(rng.choice(pool))
    sizes = rng.uniform(*size_range, size=n)
    events = []
    for k in range(n):
        onset = int(lo + (k + 0.5) * (hi - lo + 1) / n)
        label = f"{onset // 12:04d}-{onset % 12 + 1:02d}"
        events.append(SectorEvent(f"past_{k + 1}", str(picks[k]), label, float(sizes[k])))
    return tuple(events)


def fit_stack(base_score: np.ndarray | pd.Series, signals: pd.DataFrame | None,
              y: np.ndarray | pd.Series, *, penalty: float = 1.0):
    """A logistic regression of ``y`` on ``logit(base_score)`` and standardised signals.

    Few parameters, so that a handful of sector-months cannot be memorised. Missing
    signals are set to 0 (the standardised mean). Returns a function mapping
    ``(base_score, signals)`` to probabilities; its ``coef`` attribute holds the
    coefficients (on the standardised scale) by name.
    """
    from sklearn.linear_model import LogisticRegression

    base = logit(np.clip(np.asarray(base_score, dtype=float), 1e-6, 1 - 1e-6))
    cols = [] if signals is None else list(signals.columns)
    S = np.zeros((len(base), 0)) if signals is None else signals.to_numpy(dtype=float)
    mu = np.nanmean(S, axis=0) if cols else np.zeros(0)
    sd = np.nanstd(S, axis=0) if cols else np.zeros(0)
    sd = np.where(sd > 0, sd, 1.0)

    def design(b: np.ndarray, s: np.ndarray) -> np.ndarray:
        z = np.nan_to_num((s - mu) / sd) if cols else s
        return np.column_stack([b, z])

    model = LogisticRegression(C=1 / penalty, max_iter=2000)
    model.fit(design(base, S), np.asarray(y, dtype=int))

    def predict(score: np.ndarray | pd.Series, sig: pd.DataFrame | None) -> np.ndarray:
        b = logit(np.clip(np.asarray(score, dtype=float), 1e-6, 1 - 1e-6))
        s = np.zeros((len(b), 0)) if sig is None else sig[cols].to_numpy(dtype=float)
        return model.predict_proba(design(b, s))[:, 1]

    predict.coef = pd.Series(np.r_[model.intercept_, model.coef_[0]],
                             index=["intercept", "logit_base", *cols])
    return predict


def exposure_groups(frame: pd.DataFrame, exposure: pd.Series, sector: str,
                    threshold: float = 1.0) -> pd.Series:
    """The firm's ground-truth exposure group for one sector event (a categorical).

    ``other sectors``; ``shocked sector, not exposed`` (exposure 0); ``exposed, low``
    (``0 < exposure <= threshold``); ``exposed, high`` (``exposure > threshold``).
    ``exposure`` is indexed by ``firm_id`` (``Panel.firm_truth['exposure_<name>']``).
    """
    _check_frame(frame, ("firm_id", "sector"))
    e = frame["firm_id"].map(exposure).to_numpy(dtype=float)
    in_sector = frame["sector"].astype(str).to_numpy() == str(sector)
    labels = ["other sectors", "shocked sector, not exposed", "exposed, low", "exposed, high"]
    code = np.where(~in_sector, 0, np.where(e <= 0, 1, np.where(e <= threshold, 2, 3)))
    return pd.Series(pd.Categorical.from_codes(code, categories=labels), index=frame.index,
                     name="exposure_group")


# ------------------------------------------------------------------------------ metrics
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

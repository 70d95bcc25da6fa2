"""Early warning through a regime change: the shift-robust approaches of Part IV.

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
- *Sector shocks* — in :mod:`causalxai.earlywarning.sectors`.

Ground truth used for evaluation only: the simulator's true failure probabilities (soft
labels) and :func:`health_only_probability`, the risk implied by health alone.

The metrics are those of an alert service: ROC-AUC (:func:`causalxai.predict.roc_auc`,
weighted, also with soft labels), alerts at a fixed budget per month
(:func:`causalxai.predict.alerts_at_budget`), calibration
(:func:`causalxai.earlywarning.scoring.expected_calibration_error`, observed over
expected), all with a bootstrap over firms (:func:`causalxai.predict.bootstrap_weights`,
:func:`causalxai.earlywarning.scoring.period_metrics`).

Conventions of :mod:`causalxai.firms.targets`: a row ``(firm_id, month)`` holds what is
known at the end of that month; months are month-start timestamps.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from scipy.special import expit, logit

from causalxai.firms import failure_within, history_features
from causalxai.firms.simulate import FULL_TIME_HOURS
from causalxai.months import month_number
from causalxai.predict.metrics import roc_auc
from causalxai.predict.models import gbm

__all__ = [
    "BASE_COLUMNS",
    "SHIFT_PREFIXES",
    "DomainWeights",
    "Recalibrator",
    "base_column",
    "domain_weights",
    "firm_frame",
    "fit_censored_recalibration",
    "fit_classifier",
    "fit_isotonic",
    "fit_platt",
    "freeze_columns",
    "health_only_probability",
    "history_columns",
    "overlay",
    "realtime_recalibration",
    "red_flags",
    "reexpress",
    "regime_screen",
    "relative_to_own_level",
    "screened_features",
    "sector_month_mean",
    "shift_free",
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


# ------------------------------------------------------------------------------ metrics



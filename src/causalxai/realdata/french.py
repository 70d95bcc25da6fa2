"""Counterfactual business-failure counts: how many failures did the COVID period "miss"?

A model of the log counts is fitted on the months (or years) before the shock and
simulated forward: the simulated paths are what the series could have done had the
pre-shock regime continued. Comparing the observed counts with those paths gives the
"missing failures" (counterfactual minus observed), the later catch-up, and yearly ratios
observed / counterfactual, each with an interval from the simulated paths.

Two exponential-smoothing models in innovations state-space form are offered (Hyndman
et al., 2008), both with additive errors on the log scale, so multiplicative on counts:

``"level"``
    ETS(A,N,N): a local level, i.e. simple exponential smoothing. Forecasts stay at the
    last smoothed level; uncertainty grows like a random walk.
``"damped"``
    ETS(A,Ad,N): a local level with a damped local trend. Forecasts continue the recent
    slope for a while and flatten out.

Model choice is made on a rolling-origin backtest (Tashman, 2000) before the shock:
:func:`backtest` refits the model at every origin on the data up to that origin only.

The intervals come from the model's own innovations: they ignore the uncertainty of the
estimated parameters and of the model choice, so they are somewhat too narrow.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from causalxai.months import month_param

__all__ = [
    "CROS_2021_DROP_2020",
    "MODELS",
    "Counterfactual",
    "backtest",
    "backtest_models",
    "backtest_summary",
    "band",
    "catch_up",
    "counterfactual",
    "covid_failure_ratio",
    "cumulative_excess",
    "fit_ets",
    "gap",
    "gap_samples",
    "parse_period",
    "percent_change",
    "require_month",
    "to_periods",
    "yearly_ratio",
]

#: The models :func:`fit_ets` can fit, with a one-line description.
MODELS = {
    "level": "ETS(A,N,N) on log counts: local level (simple exponential smoothing)",
    "damped": "ETS(A,Ad,N) on log counts: local level with a damped local trend",
}

#: Published value (literature, not computed here): French business failures in 2020
#: relative to 2019, "-36% compared to 2019", from the abstract of Cros, Epaulard &
#: Martin (2021), *Will Schumpeter Catch Covid-19?*, CEPR Discussion Paper DP15834,
#: https://cepr.org/publications/dp15834.
CROS_2021_DROP_2020 = -0.36

_MIN_LENGTH = {"level": 8, "damped": 12}


# --------------------------------------------------------------------------- input checks
def to_periods(series: pd.Series, name: str = "series") -> pd.Series:
    """A positive count series indexed by a regular ``PeriodIndex``, ascending.

    Parameters
    ----------
    series : pandas.Series
        Indexed by a ``PeriodIndex`` (any frequency) or by integer years (converted to
        annual periods, as returned by :func:`causalxai.data.read_france_annual`).
    name : str
        Used in error messages.

    Returns
    -------
    pandas.Series
        Float values, ``PeriodIndex``.

    Raises
    ------
    ValueError
        If the index is neither periods nor integer years, is not strictly increasing
        without gaps, or a value is missing or not positive (logs are taken).
    """
    if not isinstance(series, pd.Series):
        raise ValueError(f"{name} must be a pandas Series, got {type(series).__name__}")
    s = series.astype("float64")
    if isinstance(s.index, pd.PeriodIndex):
        s = s.copy()
    elif pd.api.types.is_integer_dtype(s.index):
        s = pd.Series(s.to_numpy(), index=pd.PeriodIndex(
            [pd.Period(str(int(y)), freq="Y") for y in s.index], name=s.index.name), name=s.name)
    else:
        raise ValueError(f"{name} must be indexed by a PeriodIndex or by integer years")
    if len(s) < 2:
        raise ValueError(f"{name} needs at least 2 values, got {len(s)}")
    steps = np.diff(s.index.asi8)
    if not np.all(steps == 1):
        raise ValueError(f"{name} must be in ascending order without gaps or duplicates")
    if s.isna().any() or (s <= 0).any():
        raise ValueError(f"{name} must hold positive counts without missing values")
    s.attrs = dict(series.attrs)
    return s


def parse_period(value: str | int | pd.Period, freq: str, name: str) -> pd.Period:
    """A period of frequency ``freq`` from ``"YYYY-MM"``, an int year or a Period.

    An int year or an annual period given for a monthly ``freq`` means its December;
    a monthly period given for an annual ``freq`` means its year.

    Raises
    ------
    ValueError
        Naming ``name`` when the value cannot be read.
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | np.integer):
            p = pd.Period(f"{int(value)}-12", freq="M")
        elif isinstance(value, pd.Period):
            p = value if value.freqstr.startswith("M") else pd.Period(f"{value.year}-12", "M")
        else:
            p = pd.Period(str(value), freq="M")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a month 'YYYY-MM' or a year, got {value!r}") from exc
    return p if freq.upper().startswith("M") else pd.Period(str(p.year), freq="Y")


def require_month(name: str, value: str, low: str, high: str) -> pd.Period:
    """A notebook parameter holding a month ``"YYYY-MM"`` within ``[low, high]``, as a
    monthly period (see :func:`causalxai.months.month_param`).

    Raises
    ------
    ValueError
        Naming the parameter, when the value is not a month or is out of range.
    """
    return month_param(name, value, low, high).to_period("M")


# --------------------------------------------------------------------------- models
def fit_ets(log_values: Iterable[float], model: str):
    """Fit an ETS model with additive errors to log counts (maximum likelihood).

    Parameters
    ----------
    log_values : array-like
        Log counts in time order.
    model : {"level", "damped"}
        See :data:`MODELS`.

    Returns
    -------
    statsmodels.tsa.exponential_smoothing.ets.ETSResults
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if model not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
    y = pd.Series(np.asarray(list(log_values), dtype="float64"))  # RangeIndex: see below
    if len(y) < _MIN_LENGTH[model]:
        raise ValueError(
            f"model {model!r} needs at least {_MIN_LENGTH[model]} training values, got {len(y)}"
        )
    if not np.isfinite(y).all():
        raise ValueError("log_values must be finite")
    kwargs = {"trend": "add", "damped_trend": True} if model == "damped" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # statsmodels' ETS prediction needs a pandas index on the data (not a bare array).
        return ETSModel(y, error="add", **kwargs).fit(disp=False)


@dataclass(frozen=True)
class Counterfactual:
    """Simulated continuation of the pre-shock regime.

    Attributes
    ----------
    model : str
        Key of :data:`MODELS`.
    observed : pandas.Series
        The whole observed series (counts, ``PeriodIndex``).
    train_end : pandas.Period
        Last period used for fitting.
    paths : pandas.DataFrame
        Simulated counts, one row per period after ``train_end`` (up to the horizon end),
        one column per path.
    analytic : pandas.DataFrame
        Closed-form prediction intervals on the log scale turned into counts: columns
        ``median`` (exp of the log forecast), ``lower``, ``upper``.
    params : dict
        Fitted smoothing parameters.
    level : float
        Coverage of the intervals, e.g. 0.95.
    """

    model: str
    observed: pd.Series
    train_end: pd.Period
    paths: pd.DataFrame
    analytic: pd.DataFrame
    params: dict[str, float]
    level: float

    @property
    def quantiles(self) -> tuple[float, float]:
        """Lower and upper quantile levels of the intervals."""
        return (1 - self.level) / 2, 1 - (1 - self.level) / 2


def counterfactual(
    series: pd.Series,
    *,
    model: str = "damped",
    train_end: str | int | pd.Period = "2019-12",
    horizon_end: str | int | pd.Period | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> Counterfactual:
    """Fit on the series up to ``train_end`` and simulate paths to ``horizon_end``.

    Parameters
    ----------
    series : pandas.Series
        Positive counts (see :func:`to_periods`).
    model : {"level", "damped"}
        See :data:`MODELS`.
    train_end : str, int or Period
        Last training period (``"YYYY-MM"``; an int year means its December; for an annual
        series the year is used).
    horizon_end : str, int or Period, optional
        Last simulated period; default the last observed one.
    n_paths : int
        Number of simulated paths (at least 100).
    seed : int
        Seed of the simulation.
    level : float
        Interval coverage in (0, 1).

    Returns
    -------
    Counterfactual
    """
    s = to_periods(series)
    freq = s.index.freqstr
    t_end = parse_period(train_end, freq, "train_end")
    if t_end < s.index[0] or t_end >= s.index[-1]:
        raise ValueError(
            f"train_end={t_end} must lie within the series ({s.index[0]} to {s.index[-1]}) "
            "and leave at least one period after it"
        )
    h_end = s.index[-1] if horizon_end is None else parse_period(horizon_end, freq, "horizon_end")
    if h_end <= t_end:
        raise ValueError(f"horizon_end={h_end} must come after train_end={t_end}")
    if not isinstance(n_paths, int | np.integer) or n_paths < 100:
        raise ValueError(f"n_paths must be an int >= 100, got {n_paths!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    train = s[:t_end]
    horizon = (h_end - t_end).n
    res = fit_ets(np.log(train.to_numpy()), model)
    sim = np.asarray(res.simulate(horizon, anchor="end", repetitions=n_paths,
                                  rng=np.random.default_rng(seed)), dtype="float64")
    sim = sim.reshape(horizon, n_paths)
    index = pd.period_range(t_end + 1, h_end, freq=freq, name=s.index.name)
    frame = res.get_prediction(start=len(train), end=len(train) + horizon - 1)
    frame = frame.summary_frame(alpha=1 - level)
    analytic = pd.DataFrame({"median": np.exp(frame["mean"].to_numpy()),
                             "lower": np.exp(frame["pi_lower"].to_numpy()),
                             "upper": np.exp(frame["pi_upper"].to_numpy())}, index=index)
    params = {k: float(v) for k, v in zip(res.param_names, res.params, strict=True)}
    return Counterfactual(model=model, observed=s, train_end=t_end,
                          paths=pd.DataFrame(np.exp(sim), index=index), analytic=analytic,
                          params=params, level=level)


# --------------------------------------------------------------------------- summaries
def band(cf: Counterfactual) -> pd.DataFrame:
    """Observed counts against the counterfactual, period by period.

    Returns
    -------
    pandas.DataFrame
        Index: the simulated periods. Columns ``observed`` (NaN past the data),
        ``mean``, ``median``, ``lower``, ``upper`` (simulation quantiles) and
        ``analytic_lower``, ``analytic_upper`` (closed form).
    """
    q_lo, q_hi = cf.quantiles
    p = cf.paths
    return pd.DataFrame({
        "observed": cf.observed.reindex(p.index),
        "mean": p.mean(axis=1),
        "median": p.median(axis=1),
        "lower": p.quantile(q_lo, axis=1),
        "upper": p.quantile(q_hi, axis=1),
        "analytic_lower": cf.analytic["lower"],
        "analytic_upper": cf.analytic["upper"],
    })


def _window(cf: Counterfactual, start, end, name: str) -> pd.PeriodIndex:
    freq = cf.paths.index.freqstr
    first, last = cf.paths.index[0], min(cf.paths.index[-1], cf.observed.index[-1])
    lo = first if start is None else parse_period(start, freq, f"{name} start")
    hi = last if end is None else parse_period(end, freq, f"{name} end")
    if freq.upper().startswith("M") and start is not None and isinstance(start, int):
        lo = pd.Period(f"{start}-01", "M")  # an int start year means its January
    if lo < first or hi > last or lo > hi:
        raise ValueError(f"{name} window {lo}..{hi} must lie within {first}..{last} "
                         "(simulated and observed)")
    return pd.period_range(lo, hi, freq=freq)


def gap_samples(cf: Counterfactual, start=None, end=None) -> np.ndarray:
    """Counterfactual minus observed total over ``start..end``, one value per path.

    Positive values are "missing" failures (fewer observed than the regime implies).
    """
    idx = _window(cf, start, end, "gap")
    return cf.paths.loc[idx].sum(axis=0).to_numpy() - float(cf.observed.loc[idx].sum())


def gap(cf: Counterfactual, start=None, end=None) -> pd.Series:
    """Missing failures over a window: counterfactual total minus observed total.

    Returns
    -------
    pandas.Series
        ``observed``, ``counterfactual`` (mean path total), ``missing`` (mean),
        ``lower``, ``upper`` (interval of the missing total), ``missing_share``
        (missing / counterfactual) and ``n_periods``.
    """
    idx = _window(cf, start, end, "gap")
    samples = gap_samples(cf, idx[0], idx[-1])
    q_lo, q_hi = cf.quantiles
    cf_total = float(cf.paths.loc[idx].sum(axis=0).mean())
    return pd.Series({
        "observed": float(cf.observed.loc[idx].sum()),
        "counterfactual": cf_total,
        "missing": float(samples.mean()),
        "lower": float(np.quantile(samples, q_lo)),
        "upper": float(np.quantile(samples, q_hi)),
        "missing_share": float(samples.mean()) / cf_total,
        "n_periods": float(len(idx)),
    })


def cumulative_excess(cf: Counterfactual, start=None, end=None) -> pd.DataFrame:
    """Observed minus counterfactual, cumulated from ``start``, with its interval.

    Returns
    -------
    pandas.DataFrame
        Index: periods ``start..end``. Columns ``observed_cum``, ``mean``, ``lower``,
        ``upper`` (cumulative observed minus counterfactual; negative = missing failures).
    """
    idx = _window(cf, start, end, "cumulative")
    obs = cf.observed.loc[idx].to_numpy()[:, None]
    cum = np.cumsum(obs - cf.paths.loc[idx].to_numpy(), axis=0)
    q_lo, q_hi = cf.quantiles
    return pd.DataFrame({
        "observed_cum": np.cumsum(obs[:, 0]),
        "mean": cum.mean(axis=1),
        "lower": np.quantile(cum, q_lo, axis=1),
        "upper": np.quantile(cum, q_hi, axis=1),
    }, index=idx)


def catch_up(cf: Counterfactual, deficit: tuple, recovery: tuple) -> pd.Series:
    """Has the deficit of one window been made up in a later one?

    Parameters
    ----------
    deficit, recovery : (start, end)
        Windows, e.g. ``("2020-03", "2021-12")`` and ``("2022-01", "2024-11")``.

    Returns
    -------
    pandas.Series
        ``deficit`` (missing failures in the first window, mean, ``deficit_lower``,
        ``deficit_upper``), ``excess`` (observed minus counterfactual in the second window,
        with ``excess_lower``, ``excess_upper``), ``share_recovered`` (excess / deficit,
        with ``share_lower``, ``share_upper``) and ``p_made_up`` (share of paths whose
        excess covers the deficit). Intervals are joint over the same paths.
    """
    d = gap_samples(cf, *deficit)
    e = -gap_samples(cf, *recovery)
    q = cf.quantiles
    share = e / d
    return pd.Series({
        "deficit": float(d.mean()), "deficit_lower": float(np.quantile(d, q[0])),
        "deficit_upper": float(np.quantile(d, q[1])),
        "excess": float(e.mean()), "excess_lower": float(np.quantile(e, q[0])),
        "excess_upper": float(np.quantile(e, q[1])),
        "share_recovered": float(e.mean() / d.mean()),
        "share_lower": float(np.quantile(share, q[0])),
        "share_upper": float(np.quantile(share, q[1])),
        "p_made_up": float(np.mean(e >= d)),
    })


def yearly_ratio(cf: Counterfactual, years: Iterable[int]) -> pd.DataFrame:
    """Observed / counterfactual totals per calendar year, with an interval.

    The ratio uses the periods of the year that are both simulated and observed
    (``n_periods`` says how many). The point value divides by the mean path total; the
    interval is the quantiles of observed / path total over the paths.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``observed``, ``counterfactual``, ``ratio``, ``lower``,
        ``upper``, ``n_periods``.
    """
    rows = {}
    q_lo, q_hi = cf.quantiles
    years = list(years)
    if not years:
        raise ValueError("years must not be empty")
    for year in years:
        if isinstance(year, bool) or not isinstance(year, int | np.integer):
            raise ValueError(f"years must be ints, got {year!r}")
        idx = cf.paths.index[(cf.paths.index.year == year)
                             & cf.paths.index.isin(cf.observed.index)]
        if len(idx) == 0:
            raise ValueError(f"year {year} is neither simulated nor observed "
                             f"(simulated {cf.paths.index[0]}..{cf.paths.index[-1]})")
        obs = float(cf.observed.loc[idx].sum())
        totals = cf.paths.loc[idx].sum(axis=0).to_numpy()
        ratios = obs / totals
        rows[int(year)] = {"observed": obs, "counterfactual": float(totals.mean()),
                           "ratio": obs / float(totals.mean()),
                           "lower": float(np.quantile(ratios, q_lo)),
                           "upper": float(np.quantile(ratios, q_hi)),
                           "n_periods": len(idx)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("year")


def percent_change(series: pd.Series, years: Iterable[int], reference: int) -> pd.Series:
    """Change of each year's total against a reference year, as a fraction.

    For a monthly series, each year's total is the sum over its months (all twelve must
    be present).
    """
    s = to_periods(series)
    annual = s.groupby(s.index.year).agg(["sum", "size"])
    if s.index.freqstr.upper().startswith("M"):
        annual = annual[annual["size"] == 12]
    totals = annual["sum"]
    missing = [y for y in [reference, *years] if y not in totals.index]
    if missing:
        raise ValueError(f"no complete year in the series for {missing}")
    return pd.Series({int(y): totals[y] / totals[reference] - 1 for y in years},
                     name=f"change vs {reference}")


# --------------------------------------------------------------------------- backtest
def backtest(
    series: pd.Series,
    model: str,
    *,
    test_start: str | int | pd.Period,
    test_end: str | int | pd.Period,
    horizon: int,
    step: int = 1,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rolling-origin evaluation: refit at each origin on past data only, forecast ahead.

    Origins run from the period before ``test_start`` to the one before ``test_end``,
    every ``step`` periods. From each origin the model forecasts ``1..horizon`` periods
    ahead, keeping targets up to ``test_end``. The model at an origin is fitted on
    ``series[:origin]`` only, so no value after the origin can reach its forecasts.

    Parameters
    ----------
    series : pandas.Series
        Positive counts (see :func:`to_periods`).
    model : {"level", "damped"}
    test_start, test_end : str, int or Period
        First and last target periods of the test window.
    horizon : int
        Maximum number of periods ahead (>= 1).
    step : int
        Periods between successive origins (>= 1).
    level : float
        Coverage of the (closed-form) prediction intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, target): ``origin``, ``target``, ``h``, ``actual``,
        ``forecast`` (log scale), ``lower``, ``upper`` (log scale), ``error``
        (actual − forecast, log scale: about the relative error) and ``covered``.
    """
    s = to_periods(series)
    freq = s.index.freqstr
    start = parse_period(test_start, freq, "test_start")
    end = parse_period(test_end, freq, "test_end")
    if isinstance(test_start, int) and freq.upper().startswith("M"):
        start = pd.Period(f"{test_start}-01", "M")
    if not (s.index[0] < start <= end <= s.index[-1]):
        raise ValueError(f"test window {start}..{end} must lie within the series "
                         f"({s.index[0]}..{s.index[-1]}) after its first period")
    for name, v in (("horizon", horizon), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must be an int >= 1, got {v!r}")
    logs = np.log(s)
    rows = []
    origin = start - 1
    while origin < end:
        train = logs[:origin]
        res = fit_ets(train.to_numpy(), model)
        h_max = min(horizon, (end - origin).n)
        frame = res.get_prediction(start=len(train), end=len(train) + h_max - 1)
        frame = frame.summary_frame(alpha=1 - level)
        for h in range(1, h_max + 1):
            target = origin + h
            actual = float(logs[target])
            f, lo, hi = (float(frame[c].iloc[h - 1]) for c in ("mean", "pi_lower", "pi_upper"))
            rows.append({"origin": origin, "target": target, "h": h, "actual": actual,
                         "forecast": f, "lower": lo, "upper": hi, "error": actual - f,
                         "covered": bool(lo <= actual <= hi)})
        origin = origin + step
    return pd.DataFrame(rows)


def backtest_summary(bt: pd.DataFrame, horizons: Iterable[int] = ()) -> pd.Series:
    """Error measures of a :func:`backtest` table.

    Returns
    -------
    pandas.Series
        ``mae`` (mean absolute log error), ``rmse``, ``bias`` (mean log error; positive:
        forecasts too low), ``coverage`` (share of actuals inside the intervals),
        ``n_origins``, ``n_forecasts`` and ``mae_h{h}`` for each requested horizon.
    """
    if bt.empty:
        raise ValueError("empty backtest table")
    e = bt["error"]
    out = {"mae": float(e.abs().mean()), "rmse": float(np.sqrt((e**2).mean())),
           "bias": float(e.mean()), "coverage": float(bt["covered"].mean()),
           "n_origins": float(bt["origin"].nunique()), "n_forecasts": float(len(bt))}
    for h in horizons:
        sel = bt.loc[bt["h"] == h, "error"]
        out[f"mae_h{h}"] = float(sel.abs().mean()) if len(sel) else float("nan")
    return pd.Series(out)


def backtest_models(series: pd.Series, start: str | int | pd.Period, end: str | int | pd.Period,
                    horizon: int, step: int = 1, level: float = 0.95,
                    ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """:func:`backtest` every model of :data:`MODELS` on the same window, and summarise.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        Model name -> its :func:`backtest` table.
    summary : pandas.DataFrame
        One row per model: :func:`backtest_summary`, with the errors 1, 12 and 24 periods
        ahead when ``horizon`` reaches 24, else 1 period ahead.
    """
    tables = {name: backtest(series, name, test_start=start, test_end=end, horizon=horizon,
                             step=step, level=level) for name in MODELS}
    ahead = [1, 12, 24] if horizon >= 24 else [1]
    return tables, pd.DataFrame({name: backtest_summary(bt, horizons=ahead)
                                 for name, bt in tables.items()}).T


# --------------------------------------------------------------------------- for Part IV
def covid_failure_ratio(
    source: str = "annual",
    *,
    model: str = "damped",
    train_end: str | int = 2019,
    years: Iterable[int] = (2020, 2021, 2022, 2023),
    n_paths: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    data_dir: str | Path | None = None,
    series: pd.Series | None = None,
) -> pd.DataFrame:
    """COVID regime calibration: observed / counterfactual failures per year.

    A ratio of 0.6 means 60 % of the failures the pre-COVID regime implies were observed.
    A firm simulator can multiply its baseline failure hazard of a year by that ratio.

    Parameters
    ----------
    source : {"annual", "monthly"}
        ``"annual"``: all-sector annual failures (:func:`causalxai.data.read_france_annual`);
        ``"monthly"``: industry monthly failures, CVS-CJO
        (:func:`causalxai.data.read_france_monthly`).
    model : {"level", "damped"}
        Counterfactual model (see :data:`MODELS`).
    train_end : str or int
        Last training period (int year: its December).
    years : iterable of int
        Calendar years to report.
    n_paths, seed, level
        Simulation size, seed and interval coverage.
    data_dir : str or Path, optional
        Data directory (default: see :func:`causalxai.data.data_dir`).
    series : pandas.Series, optional
        Use this series instead of reading ``source`` (for tests and other countries).

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``observed``, ``counterfactual``, ``ratio``, ``lower``,
        ``upper``, ``n_periods``, ``source``, ``model``.
    """
    if source not in {"annual", "monthly"}:
        raise ValueError(f"source must be 'annual' or 'monthly', got {source!r}")
    if series is None:
        from causalxai import data

        series = (data.read_france_annual(data_dir=data_dir) if source == "annual"
                  else data.read_france_monthly(data_dir=data_dir))
    years = list(years)
    s = to_periods(series)
    last_year = max(years) if years else None
    horizon_end = None
    if last_year is not None:
        freq = s.index.freqstr
        candidate = parse_period(int(last_year), freq, "years")
        horizon_end = min(candidate, s.index[-1])
    cf = counterfactual(s, model=model, train_end=train_end, horizon_end=horizon_end,
                        n_paths=n_paths, seed=seed, level=level)
    out = yearly_ratio(cf, years)
    out["source"], out["model"] = source, model
    return out

"""Targets and history features for the firm panel, with explicit censoring and no look-ahead.

Conventions. A row ``(firm_id, month t)`` holds what is known at the end of month ``t``;
the firm is alive then. ``failure_within_h`` is 1 if the firm fails in months
``t+1 .. t+h``, 0 if it is observed alive through ``t+h``, and NaN when that cannot be
known: ``t + h`` is after the panel end and no failure was observed, or the row is at or
after the firm's failure (it is no longer at risk). A failure after the panel end is not
observed and is ignored.

History features at ``t`` use the firm's values at months ``t - w + 1 .. t`` only; a
window that reaches before the firm's first row, or over a missing month, gives NaN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from causalxai.firms.panel import Panel

__all__ = ["failure_targets", "failure_within", "history_features", "survival_targets",
           "time_to_event"]

HORIZONS = (3, 6, 12, 18)


def _months(values: object, name: str) -> np.ndarray:
    """Absolute month numbers ``12 * year + month - 1`` (float, NaN for missing)."""
    try:
        stamps = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold dates (month starts), got {exc}") from exc
    return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=float)


def _check_rows(rows: pd.DataFrame, columns: Iterable[str] = ()) -> None:
    if not isinstance(rows, pd.DataFrame):
        raise ValueError(f"rows must be a DataFrame, got {type(rows).__name__}")
    missing = [c for c in ("firm_id", "month", *columns) if c not in rows]
    if missing:
        raise ValueError(f"rows lacks column(s) {missing}")


def _failure_and_end(rows: pd.DataFrame, failure_month: pd.Series | Mapping, end: object
                     ) -> tuple[np.ndarray, np.ndarray, float]:
    _check_rows(rows)
    failures = pd.Series(failure_month) if isinstance(failure_month, Mapping) else failure_month
    if not isinstance(failures, pd.Series):
        raise ValueError("failure_month must be a Series or a mapping firm_id -> month")
    e = _months([end], "end")[0]
    if np.isnan(e):
        raise ValueError(f"end must be a month, got {end!r}")
    f_by_firm = pd.Series(_months(failures, "failure_month"), index=failures.index)
    f = rows["firm_id"].map(f_by_firm).to_numpy(dtype=float)
    f = np.where(f > e, np.nan, f)  # failures after the end are not observed
    t = _months(rows["month"], "rows['month']")
    if np.isnan(t).any():
        raise ValueError("rows['month'] has missing values")
    return t, f, e


def failure_targets(rows: pd.DataFrame, failure_month: pd.Series | Mapping, end: object,
                    horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Binary failure targets per horizon, with NaN where censored.

    Parameters
    ----------
    rows : DataFrame
        Columns ``firm_id`` and ``month`` (month starts).
    failure_month : Series or mapping
        ``firm_id`` -> month of failure (NaT or absent: none observed).
    end : date-like
        The last month observed.
    horizons : iterable of int
        Horizons in months (positive, distinct).

    Returns
    -------
    DataFrame
        Indexed like ``rows``, one float column ``failure_within_<h>`` per horizon with
        values 1.0, 0.0 or NaN (module docstring).
    """
    horizons = _horizons(horizons)
    t, f, e = _failure_and_end(rows, failure_month, end)
    known = ~np.isnan(f)
    at_risk = ~known | (f > t)
    out = {}
    for h in horizons:
        y = np.where(known, (f <= t + h).astype(float), np.where(t + h <= e, 0.0, np.nan))
        out[f"failure_within_{h}"] = np.where(at_risk, y, np.nan)
    return pd.DataFrame(out, index=rows.index)


def _horizons(horizons: Iterable[int]) -> tuple[int, ...]:
    values = tuple(horizons) if not isinstance(horizons, int | np.integer) else (horizons,)
    if not values or any(isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1
                         for h in values):
        raise ValueError(f"months (horizons) must be positive integers, got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"months (horizons) must be distinct, got {values!r}")
    return tuple(int(h) for h in values)


def failure_within(panel: Panel, months: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """Failure targets of a :class:`~causalxai.firms.simulate.Panel` (see
    :func:`failure_targets`), aligned with ``panel.features``."""
    failures = panel.firms.set_index("firm_id")["failure_month"]
    return failure_targets(panel.features[["firm_id", "month"]], failures, panel.end, months)


def survival_targets(rows: pd.DataFrame, failure_month: pd.Series | Mapping, end: object
                     ) -> pd.DataFrame:
    """Time to failure or censoring from each row.

    Returns a frame indexed like ``rows`` with ``duration`` (months from the row to the
    failure, or to ``end`` if no failure is observed) and ``event`` (1.0 failure observed,
    0.0 censored); both NaN for rows at or after the firm's failure.
    """
    t, f, e = _failure_and_end(rows, failure_month, end)
    known = ~np.isnan(f)
    duration = np.where(known, f - t, e - t)
    valid = ~known | (f > t)
    return pd.DataFrame({"duration": np.where(valid, duration, np.nan),
                         "event": np.where(valid, known.astype(float), np.nan)},
                        index=rows.index)


def time_to_event(panel: Panel) -> pd.DataFrame:
    """Survival targets of a panel (see :func:`survival_targets`), aligned with its features."""
    failures = panel.firms.set_index("firm_id")["failure_month"]
    return survival_targets(panel.features[["firm_id", "month"]], failures, panel.end)


def history_features(data: Panel | pd.DataFrame, windows: Iterable[int] = (3, 6, 12),
                     columns: Iterable[str] = ("arrears_ratio", "stw_hours")) -> pd.DataFrame:
    """Lags, rolling means, slopes and volatilities over trailing windows, no look-ahead.

    Parameters
    ----------
    data : Panel or DataFrame
        A panel (its ``features``) or a frame with ``firm_id``, ``month`` and ``columns``;
        at most one row per firm and month.
    windows : iterable of int
        Window lengths in months (>= 2).
    columns : iterable of str
        The monthly columns to summarise.

    Returns
    -------
    DataFrame
        Indexed like the rows, float32 columns ``<col>_lag<w>`` (value ``w`` months
        before), ``<col>_mean<w>``, ``<col>_slope<w>`` (least-squares slope per month) and
        ``<col>_std<w>`` (sample standard deviation) over months ``t - w + 1 .. t``.
        NaN when the window is not fully observed.
    """
    frame = data if isinstance(data, pd.DataFrame) else getattr(data, "features", None)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("data must be a Panel or a DataFrame")
    columns = [columns] if isinstance(columns, str) else list(columns)
    _check_rows(frame, columns)
    windows = _horizons(windows)
    if min(windows) < 2:
        raise ValueError(f"windows must be >= 2 months, got {windows!r}")
    codes, _ = pd.factorize(frame["firm_id"])
    m = _months(frame["month"], "data['month']")
    if np.isnan(m).any():
        raise ValueError("data['month'] has missing values")
    t = (m - m.min()).astype(int)
    n_months, n_firms = int(t.max()) + 1, int(codes.max()) + 1
    if pd.Series(t * n_firms + codes).duplicated().any():
        raise ValueError("data has several rows for one firm and month")
    out: dict[str, np.ndarray] = {}
    clock = np.arange(n_months, dtype=float)[:, None]
    for column in columns:
        grid = np.full((n_months, n_firms), np.nan)
        grid[t, codes] = frame[column].to_numpy(dtype=float)
        finite = np.isfinite(grid)
        x = np.where(finite, grid, 0.0)

        def cumulative(a: np.ndarray) -> np.ndarray:
            return np.vstack([np.zeros((1, n_firms)), np.cumsum(a, axis=0)])

        c_n, c_x, c_xx, c_sx = (cumulative(finite.astype(float)), cumulative(x),
                                cumulative(x * x), cumulative(clock * x))
        for w in windows:
            lo = t + 1 - w
            inside = lo >= 0
            low = np.maximum(lo, 0)

            def window(c: np.ndarray, low=low) -> np.ndarray:
                return c[t + 1, codes] - c[low, codes]

            full = inside & (window(c_n) == w)
            s1, s2, sx = window(c_x), window(c_xx), window(c_sx)
            centre = t - (w - 1) / 2
            slope = (sx - centre * s1) / (w * (w * w - 1) / 12)
            var = np.maximum((s2 - s1 * s1 / w) / (w - 1), 0.0)
            lag = np.where(t - w >= 0, grid[np.maximum(t - w, 0), codes], np.nan)
            out[f"{column}_lag{w}"] = lag
            out[f"{column}_mean{w}"] = np.where(full, s1 / w, np.nan)
            out[f"{column}_slope{w}"] = np.where(full, slope, np.nan)
            out[f"{column}_std{w}"] = np.where(full, np.sqrt(var), np.nan)
    return pd.DataFrame({k: v.astype(np.float32) for k, v in out.items()}, index=frame.index)

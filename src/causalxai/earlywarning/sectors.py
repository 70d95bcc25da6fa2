"""Part IV sector shocks: sector-level signals from observable aggregates and an event
calendar, with no look-ahead, stacked on a firm-level score.

:func:`sector_signals` and :func:`event_timing` build the signals, :func:`fit_stack` stacks
them on a firm score, :func:`exposure_groups` groups the firms by their true exposure (for
evaluation only) and :func:`training_events` draws past shocks to learn from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.special import logit

from causalxai.earlywarning.robustness import _check_frame
from causalxai.months import month_number

__all__ = [
    "event_timing",
    "exposure_groups",
    "fit_stack",
    "sector_signals",
    "training_events",
]


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

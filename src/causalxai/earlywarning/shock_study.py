"""The sector-shock study of Part IV (notebook ``04_sector_shocks``), step by step.

A sector event is added to a simulated panel (:func:`simulate_with_event`); sector
aggregates and the event calendar are joined to the firm frame (:func:`add_shock_signals`);
a firm-level score is stacked with them (:func:`stacked_scores`); evaluation firm-months are
labelled by their true exposure (:func:`evaluation_rows`, :func:`group_masks`) and scored
per group (:func:`evaluate_groups`, :func:`recall_table`, :func:`metric_value`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from causalxai.earlywarning.scoring import period_metrics
from causalxai.earlywarning.sectors import event_timing, exposure_groups, sector_signals
from causalxai.firms import Config, FirmSimulator, Panel, SectorEvent

__all__ = [
    "add_shock_signals",
    "evaluate_groups",
    "evaluation_rows",
    "group_masks",
    "metric_value",
    "recall_table",
    "simulate_with_event",
    "stacked_scores",
]

def simulate_with_event(config: Config, past: Sequence[SectorEvent], sector: str,
                        month: str | pd.Timestamp, size: float, seed: int) -> Panel:
    """Simulate ``config`` with the ``past`` events and a last event ``"target"``."""
    target = SectorEvent("target", sector, month, size)
    return FirmSimulator(config.replace(events=(*past, target))).simulate(seed)


def add_shock_signals(frame: pd.DataFrame, signals: Sequence[str],
                      events: Iterable[tuple[str, str | pd.Timestamp]],
                      lags: Sequence[int] = (3, 6)) -> pd.DataFrame:
    """Add ``hc_growth`` (in place), then join the sector aggregates of ``signals`` and the
    calendar of the announced ``events`` (sector, month)."""
    frame["hc_growth"] = frame["headcount_change"] / frame["headcount"].clip(lower=1)
    return frame.join(sector_signals(frame, signals, lags=tuple(lags))).join(
        event_timing(frame, events))


def stacked_scores(rows: pd.DataFrame, models: Sequence[object], features: Sequence[str],
                   stacks: Mapping[str, tuple[Callable, Sequence[str] | None]]
                   ) -> dict[str, np.ndarray]:
    """Approach -> stacked score: the mean probability of ``models`` on ``features``,
    passed with the columns of each stack to its fitted combiner."""
    base = np.mean([mdl.predict_proba(rows[list(features)])[:, 1] for mdl in models], axis=0)
    return {k: f(base, None if cols is None else rows[cols]) for k, (f, cols) in stacks.items()}


def evaluation_rows(frame: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp,
                    exposure: pd.Series, sector: str) -> pd.DataFrame:
    """Labelled firm-months from ``first`` to ``last`` with their exposure ``group``."""
    rows = frame[(frame["month"] >= first) & (frame["month"] <= last)
                 & frame["y"].notna()].copy()
    rows["group"] = exposure_groups(rows, exposure, sector).astype(str)
    return rows


def group_masks(rows: pd.DataFrame, reference: pd.DataFrame, onset: pd.Timestamp,
                sector: str) -> dict[str, np.ndarray]:
    """Group -> boolean mask over ``rows``: all firms, the sector, each exposure group, and
    exposed firms with healthy statements (filed before the onset year, liquidity and
    profitability at least the medians of ``reference``)."""
    exposed = rows["group"].str.startswith("exposed").to_numpy()
    healthy = (rows["fs_year"].lt(onset.year).fillna(False).to_numpy(dtype=bool)
               & (rows["liquidity"] >= reference["liquidity"].median()).to_numpy()
               & (rows["profitability"] >= reference["profitability"].median()).to_numpy())
    masks = {"all firms": np.ones(len(rows), bool),
             f"sector {sector}": (rows["sector"].astype(str) == sector).to_numpy()}
    for g in ["other sectors", "shocked sector, not exposed", "exposed, low", "exposed, high"]:
        masks[g] = (rows["group"] == g).to_numpy()
    masks["exposed, healthy statements"] = exposed & healthy
    return masks


def evaluate_groups(rows: pd.DataFrame, scores: Mapping[str, np.ndarray],
                    masks: Mapping[str, np.ndarray], *, label: str, budget: float,
                    n_boot: int, seed: int, only: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`~causalxai.earlywarning.scoring.period_metrics` per group (``only`` those),
    with the ``"firm"`` approach as reference."""
    masks = masks if only is None else {g: masks[g] for g in only}
    return period_metrics(rows, scores, groups=masks, budget=budget, n_boot=n_boot,
                          seed=seed, label=label, reference="firm")


def recall_table(results: pd.DataFrame, groups: Sequence[str],
                 approaches: Sequence[str]) -> pd.DataFrame:
    """Recall, its gain over the reference with interval, precision, AUC and its gain, by
    group and approach."""
    est = results.pivot_table(index=["period", "approach"], columns="metric", values="estimate")
    lo = results.pivot_table(index=["period", "approach"], columns="metric", values="lower")
    hi = results.pivot_table(index=["period", "approach"], columns="metric", values="upper")
    out = pd.DataFrame({"recall": est["recall"], "Δ recall": est["recall_diff"],
                        "Δ recall 95 %": [f"[{a:+.3f}, {b:+.3f}]" if np.isfinite(a) else ""
                                          for a, b in zip(lo["recall_diff"], hi["recall_diff"],
                                                          strict=True)],
                        "precision": est["precision"], "AUC": est["auc"],
                        "Δ AUC": est["auc_diff"]})
    return out.reindex(pd.MultiIndex.from_product([list(groups), list(approaches)]))


def metric_value(results: pd.DataFrame, approach: str, metric: str, group: str,
                 col: str = "estimate") -> float:
    """One number of a :func:`evaluate_groups` table (KeyError naming the cell if absent)."""
    r = results[(results["approach"] == approach) & (results["metric"] == metric)
                & (results["period"] == group)]
    if r.empty:
        raise KeyError(f"no {metric!r} for approach {approach!r} and group {group!r}")
    return float(r[col].iloc[0])

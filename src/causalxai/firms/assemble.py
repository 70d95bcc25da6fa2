"""Turn the simulated arrays into the frames of a :class:`~causalxai.firms.panel.Panel`.

Rows are the firm-months a firm is observed alive: from its first month in the panel
(creation, or the panel start) to the month before its failure, or the panel end. The
statement columns of a row hold the last fiscal year published by the end of that month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from causalxai.firms.config import Config
from causalxai.firms.panel import FULL_TIME_HOURS, Calendar, Panel, StaticDraws
from causalxai.months import month_index

__all__ = ["assemble", "month_starts"]

STATEMENT_COLUMNS = ("profitability", "liquidity", "indebtedness", "investment_rate",
                     "supplier_delay")


def month_starts(absolute: np.ndarray) -> pd.DatetimeIndex:
    """First days of absolute months ``12 * year + month - 1`` (NaT for negative values)."""
    absolute = np.asarray(absolute)
    ok = absolute >= 0
    out = pd.to_datetime(pd.DataFrame({"year": np.where(ok, absolute // 12, 2000),
                                       "month": np.where(ok, absolute % 12 + 1, 1), "day": 1}))
    return pd.DatetimeIndex(out.where(ok))


def _rows(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = last - first + 1
    firm = np.repeat(np.arange(len(first)), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    t = np.repeat(first, counts) + np.arange(counts.sum()) - offsets
    return firm, t


def _statements(cfg: Config, cal: Calendar, st: StaticDraws, rec: dict[str, np.ndarray],
                last_abs: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per (firm, fiscal year): values, publication month (absolute) and availability."""
    first = cal.first
    m_all = rec["_margin"].shape[0]
    absolute = first + np.arange(m_all)
    exists = absolute[:, None] >= st.created[None, :]
    starts = np.flatnonzero(np.r_[True, np.diff(absolute // 12) != 0])
    count = np.add.reduceat(exists, starts, axis=0).T.astype(float)

    def mean(key: str) -> np.ndarray:
        total = np.add.reduceat(np.where(exists, rec[key], 0.0), starts, axis=0).T
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count

    years = cal.years
    dec = 12 * years + 11 - first
    has_dec = dec < m_all
    dec_row = np.where(has_dec, dec, m_all - 1)
    values = {
        "profitability": mean("_margin"),
        "supplier_delay": mean("_supplier_delay"),
        "investment_rate": 12 * mean("_investment"),
        "liquidity": rec["_next_liquidity"][dec_row].T.astype(float),
        "indebtedness": rec["_next_indebtedness"][dec_row].T.astype(float),
    }
    delay = st.filing_delay.copy()
    if cfg.covid is not None:
        delay[:, years == month_index(cfg.covid.start, "start") // 12 - 1] += (
            cfg.covid.filing_delay_extra)
    published = 12 * years[None, :] + 11 + delay
    created_by_dec = st.created[:, None] <= (12 * years + 11)[None, :]
    available = (created_by_dec & has_dec[None, :] & ~st.non_filing
                 & (published <= last_abs[:, None]))
    return values, published, available


def assemble(cfg: Config, cal: Calendar, st: StaticDraws, rec: dict[str, np.ndarray],
             healths: dict[str, np.ndarray], hazards: dict[str, np.ndarray],
             failures: dict[str, np.ndarray], intercept: float, theta: dict[int, float],
             calibration: pd.DataFrame, seed: int) -> Panel:
    """Build the :class:`Panel` (see its docstring for the columns).

    ``cfg`` is the simulation's configuration and ``cal`` its calendar (``cal.start`` must
    be the month of ``cfg.start``); ``st`` the firm traits and static draws; ``rec`` holds
    the recorded nodes of the observed world, ``(months, firms)`` (keys with a leading
    ``_`` from the burn-in on); ``healths``, ``hazards`` and ``failures`` (panel month index
    of failure, -1 for none) are per world; ``intercept``, ``theta`` and ``calibration``
    come from the calibration and ``seed`` is recorded.

    Raises
    ------
    ValueError
        If ``cal`` is not the calendar of ``cfg`` or an observed-world array is missing.
    """
    expected = Calendar.of(cfg)
    if (cal.first, cal.start, cal.end) != (expected.first, expected.start, expected.end):
        raise ValueError(f"calendar {cal} is not that of the config (start {cfg.start}, "
                         f"end {cfg.end}, burn-in {cfg.burn_in})")
    for name, worlds in (("healths", healths), ("hazards", hazards), ("failures", failures)):
        if "observed" not in worlds:
            raise ValueError(f"{name} has no 'observed' world; got {', '.join(worlds)}")
    T, n = cfg.n_months, cfg.n_firms
    months = pd.date_range(cfg.start, periods=T, freq="MS")
    fail = failures["observed"]
    last = np.where(fail >= 0, fail - 1, T - 1)
    firm, t = _rows(st.first_t, last)
    m_row = cal.start + t

    def at(key: str) -> np.ndarray:
        return rec[key][t, firm]

    # Arrears over the mean contributions of the last 12 months the firm existed.
    contrib = rec["_contributions"].astype(float)
    absolute = cal.first + np.arange(contrib.shape[0])
    exists = absolute[:, None] >= st.created[None, :]
    csum = np.vstack([np.zeros((1, n)), np.cumsum(np.where(exists, contrib, 0.0), axis=0)])
    ccnt = np.vstack([np.zeros((1, n)), np.cumsum(exists, axis=0)])
    r = m_row - cal.first
    lo = np.maximum(r - 11, 0)
    mean12 = (csum[r + 1, firm] - csum[lo, firm]) / np.maximum(ccnt[r + 1, firm] - ccnt[lo, firm], 1)
    arrears = at("arrears").astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        arrears_ratio = np.where(mean12 > 0, arrears / mean12, np.nan)

    values, published, available = _statements(cfg, cal, st, rec, cal.start + last)
    # Latest fiscal year published by each month: mark each publication, carry it forward.
    mark = np.full((T, n), -1, dtype=np.int16)
    for yi in range(published.shape[1]):
        firms_y = np.flatnonzero(available[:, yi] & (published[:, yi] <= cal.end))
        rows_y = np.maximum(published[firms_y, yi] - cal.start, 0)
        mark[rows_y, firms_y] = np.maximum(mark[rows_y, firms_y], yi)
    fs = np.maximum.accumulate(mark, axis=0)[t, firm].astype(int)
    has_fs = fs >= 0
    fs_safe = np.where(has_fs, fs, 0)
    fs_year = np.where(has_fs, cal.years[fs_safe], -1)

    headcount = at("headcount")
    features = pd.DataFrame({
        "firm_id": firm.astype(np.int32),
        "month": months[t],
        "sector": pd.Categorical.from_codes(st.sector[firm], categories=list(cfg.sector_codes)),
        "age_years": ((m_row - st.created[firm]) / 12).astype(np.float32),
        "size": st.size0[firm].astype(np.float32),
        "headcount": headcount,
        "headcount_change": at("headcount_change"),
        "contributions": at("contributions"),
        "arrears": arrears.astype(np.float32),
        "arrears_ratio": arrears_ratio.astype(np.float32),
        "stw_hours": (at("stw_share") * headcount * FULL_TIME_HOURS).astype(np.float32),
        "payment_score": at("payment_score"),
        "fs_year": pd.Series(fs_year, dtype="Int16").mask(~has_fs).to_numpy(),
        "fs_age_months": np.where(has_fs, m_row - (12 * fs_year + 11), np.nan).astype(np.float32),
    })
    for column in STATEMENT_COLUMNS:
        features[column] = np.where(has_fs, values[column][firm, fs_safe], np.nan).astype(
            np.float32)

    observed = hazards["observed"]
    truth = pd.DataFrame({"firm_id": features["firm_id"], "month": features["month"],
                          "health": at("health"), "hazard": observed[t, firm]})
    truth["health_no_covid"] = healths.get("no_covid", healths["observed"])[t, firm]
    for key in ("demand", "sector_demand", "event_shock", "covid_shock", "stw_share",
                "deferral", "arrears_distress", "arrears_deferred"):
        truth[key] = at(key)
    truth["liquidity"] = at("next_liquidity")
    truth["indebtedness"] = at("next_indebtedness")
    loan = rec["loan_take"]
    truth["loan_taken"] = np.cumsum(loan, axis=0, dtype=np.float32)[t, firm] > 0
    truth["hazard_no_covid"] = hazards.get("no_covid", observed)[t, firm]
    for world in hazards:
        if world.startswith("no_") and world != "no_covid":
            truth[f"effect_{world[3:]}"] = observed[t, firm] - hazards[world][t, firm]
    truth["effect_covid"] = truth["hazard"] - truth["hazard_no_covid"]

    to_month = {w: month_starts(np.where(f >= 0, cal.start + f, -1)) for w, f in failures.items()}
    firms = pd.DataFrame({
        "firm_id": np.arange(n, dtype=np.int32),
        "sector": pd.Categorical.from_codes(st.sector, categories=list(cfg.sector_codes)),
        "size": st.size0.astype(np.float32),
        "created": month_starts(st.created),
        "first_month": months[st.first_t],
        "last_month": months[last],
        "failure_month": to_month["observed"],
    })
    firm_truth = pd.DataFrame({"firm_id": firms["firm_id"], **st.inputs,
                               "covid_exposure": st.covid_exposure})
    firm_truth = firm_truth.drop(columns=["size_log", "sector_offset"])
    for name, exposure in st.exposures.items():
        firm_truth[f"exposure_{name}"] = exposure
    taken = loan.any(axis=0)
    firm_truth["loan_month"] = month_starts(np.where(taken, cal.start + loan.argmax(axis=0), -1))
    firm_truth["deferral_months"] = rec["deferral"].sum(axis=0).astype(int)
    for world, stamps in to_month.items():
        firm_truth["failure_month" if world == "observed" else f"failure_month_{world}"] = stamps

    rows_i, rows_y = np.nonzero(available)
    statements = pd.DataFrame({"firm_id": rows_i.astype(np.int32),
                               "fiscal_year": cal.years[rows_y],
                               "published": month_starts(published[rows_i, rows_y])})
    for column in STATEMENT_COLUMNS:
        statements[column] = values[column][rows_i, rows_y]

    events = _events(cfg, st)
    calibration = _realised(calibration, failures, st, months)
    demand = st.sector_demand[cal.start - cal.first:]
    sector_demand = pd.DataFrame(demand, index=months, columns=list(cfg.sector_codes))
    sector_demand.index.name = "month"
    return Panel(features=features, truth=truth, firms=firms, firm_truth=firm_truth,
                 statements=statements, events=events, calibration=calibration,
                 sector_demand=sector_demand, hazards=hazards, intercept=float(intercept),
                 theta={int(k): float(v) for k, v in theta.items()}, config=cfg, seed=seed,
                 months=months)


def _events(cfg: Config, st: StaticDraws) -> pd.DataFrame:
    rows = []
    for event in cfg.events:
        exposure = st.exposures[event.name]
        rows.append({"name": event.name, "kind": "sector shock", "sector": event.sector,
                     "month": pd.Timestamp(event.month), "size": event.size,
                     "persistence": event.persistence, "n_exposed": int((exposure > 0).sum()),
                     "mean_exposure": float(exposure[exposure > 0].mean()) if (
                         exposure > 0).any() else np.nan})
    if cfg.covid is not None:
        rows.append({"name": "covid", "kind": "regime", "sector": ",".join(
            k for k, v in cfg.covid.demand_depth.items() if v > 0),
            "month": pd.Timestamp(cfg.covid.start), "size": -max(cfg.covid.demand_depth.values(),
                                                                 default=0.0),
            "persistence": np.nan, "n_exposed": int(cfg.n_firms),
            "mean_exposure": float(st.covid_exposure.mean())})
    return pd.DataFrame(rows, columns=["name", "kind", "sector", "month", "size", "persistence",
                                       "n_exposed", "mean_exposure"])


def _realised(calibration: pd.DataFrame, failures: dict[str, np.ndarray], st: StaticDraws,
              months: pd.DatetimeIndex) -> pd.DataFrame:
    columns = ["year", "target", "theta", "expected_failures", "expected_failures_no_covid",
               "expected_ratio", "failures", "failures_no_covid", "realised_ratio",
               "expected_failures_shock", "expected_failures_measures",
               "expected_failures_modelled", "share_measures", "share_courts", "share_residual"]
    if calibration.empty:
        return pd.DataFrame(columns=columns)
    years = months.year.to_numpy()
    out = calibration.copy()
    for world, column in (("observed", "failures"), ("no_covid", "failures_no_covid")):
        f = failures[world]
        counts = pd.Series(years[f[f >= 0]]).value_counts()
        out[column] = out["year"].map(counts).fillna(0).astype(int)
    out["realised_ratio"] = out["failures"] / out["failures_no_covid"].replace(0, np.nan)
    return out[columns]

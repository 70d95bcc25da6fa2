"""The firm panel and what both the simulator and the assembly step share.

:class:`Panel` (the observed frames and the ground truth), :class:`Calendar` (the absolute
months of a simulation), :class:`StaticDraws` (firm traits and world-independent draws) and
the hazard helpers of the panel. Below both :mod:`~causalxai.firms.simulate` and
:mod:`~causalxai.firms.assemble`: it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from causalxai.firms.config import Config
from causalxai.months import month_index

__all__ = ["FULL_TIME_HOURS", "Calendar", "Panel", "StaticDraws", "panel_index",
           "window_failure", "yearly_counts"]

#: Monthly hours of a full-time employee (35 h a week), to turn shares into hours.
FULL_TIME_HOURS = 151.67



@dataclass(frozen=True, eq=False)
class Calendar:
    """The absolute months (``12 * year + month - 1``) of one simulation.

    Attributes
    ----------
    first : int
        First simulated month (the burn-in start).
    start, end : int
        First and last month of the panel.
    years : ndarray
        Calendar years from ``first`` to ``end``, the fiscal years of the statements.
    """

    first: int
    start: int
    end: int
    years: np.ndarray = field(repr=False)

    @classmethod
    def of(cls, config: Config) -> Calendar:
        """The calendar of ``config``: the panel months after ``config.burn_in`` months."""
        start = month_index(config.start, "start")
        end = month_index(config.end, "end")
        first = start - config.burn_in
        return cls(first=first, start=start, end=end,
                   years=np.arange(first // 12, end // 12 + 1))


@dataclass
class StaticDraws:
    """Firm traits and world-independent draws (arrays over firms)."""

    sector: np.ndarray
    size0: np.ndarray
    created: np.ndarray          # absolute month of creation
    first_t: np.ndarray          # panel index of the first observed month
    inputs: dict[str, np.ndarray]  # STATIC_INPUTS
    covid_exposure: np.ndarray
    exposures: dict[str, np.ndarray]
    health_draw: np.ndarray
    filing_delay: np.ndarray     # (firms, fiscal years)
    non_filing: np.ndarray       # (firms, fiscal years)
    fail_u: np.ndarray           # (months, firms)
    sector_demand: np.ndarray    # (all months incl. burn-in, sectors)


@dataclass
class Panel:
    """A simulated panel: what the service observes, and the ground truth.

    Attributes
    ----------
    features : DataFrame
        One row per firm-month observed alive (``firm_id``, ``month``), observable columns
        only: ``sector``, ``age_years``, ``size``, ``headcount``, ``headcount_change``,
        ``contributions`` (k€ due), ``arrears`` (k€ overdue), ``arrears_ratio`` (arrears
        over the mean monthly contributions of the last 12 months), ``stw_hours``,
        ``payment_score`` (0-100), and the last financial statement published by the end of
        the month: ``fs_year`` (its fiscal year), ``fs_age_months`` (months since its
        close), ``profitability``, ``liquidity``, ``indebtedness``, ``investment_rate``
        (% of assets per year), ``supplier_delay`` (days).
    truth : DataFrame
        Aligned with ``features`` (``firm_id``, ``month``): ``health`` and ``hazard`` (the
        monthly failure probability of month ``t``; the row's firm survived it),
        ``health_no_covid`` and ``hazard_no_covid`` (the counterfactual world, same random
        numbers), ``demand`` with its parts ``sector_demand``, ``event_shock`` and
        ``covid_shock``, ``stw_share`` (share of hours on short-time work), ``deferral``
        (contributions deferred this month), ``loan_taken``, ``arrears_distress`` and
        ``arrears_deferred`` (the two parts of ``arrears``), the true ``liquidity`` and
        ``indebtedness`` at the end of the month, and the effects on the hazard:
        ``effect_<measure>`` (hazard minus the hazard of the world without the measure, all
        else equal; negative is protective), ``effect_courts`` (of the court freeze),
        ``effect_support`` (of the three measures and the freeze together),
        ``effect_regime`` (of the residual shift ``theta``) and ``effect_covid`` (hazard
        minus ``hazard_no_covid``). :func:`causalxai.earlywarning.support.firm_ground_truth` turns
        them into effects on the probability of failing within a horizon.
    firms : DataFrame
        Observable, one row per firm: sector, size, creation, first and last month,
        ``failure_month`` (NaT if none by the panel end).
    firm_truth : DataFrame
        Latent traits, event exposures and the failure month in every world.
    statements : DataFrame
        Published yearly statements with their publication month.
    events, calibration, sector_demand : DataFrame
        Configured shocks (with the firms exposed), the yearly calibration (targets,
        ``theta``, expected and realised ratios, and the decomposition of each year's
        change in expected failures: ``expected_failures_shock`` (the COVID shock without
        support, no ``theta``), ``_measures`` (with the measures), ``_modelled`` (and the
        court freeze); ``share_measures``, ``share_courts`` and ``share_residual`` of the
        change ``expected_failures_no_covid - expected_failures``, summing to 1) and the
        latent sector demand.
    hazards : dict of str to ndarray
        World -> ``(n_months, n_firms)`` monthly hazards (float32), see :data:`WORLDS`.
    intercept, theta : float, dict
        Calibrated failure log-odds intercept and yearly shifts.
    """

    features: pd.DataFrame
    truth: pd.DataFrame
    firms: pd.DataFrame
    firm_truth: pd.DataFrame
    statements: pd.DataFrame
    events: pd.DataFrame
    calibration: pd.DataFrame
    sector_demand: pd.DataFrame
    hazards: dict[str, np.ndarray]
    intercept: float
    theta: dict[int, float]
    config: Config
    seed: int
    months: pd.DatetimeIndex = field(repr=False)

    def __repr__(self) -> str:
        return (f"Panel({self.config.n_firms} firms, {len(self.features):,} firm-months "
                f"{self.months[0]:%Y-%m}..{self.months[-1]:%Y-%m}, seed={self.seed}, "
                f"worlds={list(self.hazards)})")

    @property
    def end(self) -> pd.Timestamp:
        """Timestamp: The last month of the panel (failures are observed up to it)."""
        return self.months[-1]

    @property
    def ground_truth(self) -> dict[str, pd.DataFrame]:
        """dict: The truth tables: ``firm_month``, ``firm``, ``events``, ``calibration``."""
        return {"firm_month": self.truth, "firm": self.firm_truth, "events": self.events,
                "calibration": self.calibration}

    def failure_probability(self, horizon: int, world: str = "observed") -> pd.Series:
        """True probability of failing within ``horizon`` months after each row's month.

        ``1 - prod_{s=t+1}^{t+horizon} (1 - p_s)`` from the hazards of ``world`` (one of
        :data:`WORLDS` held by the panel); NaN where ``t + horizon`` passes the panel end.
        """
        if world not in self.hazards:
            raise ValueError(f"world {world!r} is not in this panel; available: "
                             f"{', '.join(self.hazards)}")
        if not isinstance(horizon, int | np.integer) or horizon < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
        t = panel_index(self.features["month"], self.months)
        i = self.features["firm_id"].to_numpy()
        return pd.Series(window_failure(self.hazards[world], t, i, horizon),
                         index=self.features.index, name=f"p_fail_{horizon}")

    def failure_rates(self) -> pd.DataFrame:
        """Realised failures per year and per firm-year in every world held.

        Returns a frame indexed by (world, year) with ``failures``, ``firm_years`` and
        ``rate`` (failures per firm-year); worlds are those of ``firm_truth``.
        """
        t_month = self.months.year.to_numpy()
        first = self.firms["first_month"].pipe(panel_index, self.months)
        rows = []
        for column in [c for c in self.firm_truth if c.startswith("failure_month")]:
            world = column.removeprefix("failure_month").lstrip("_") or "observed"
            fail = self.firm_truth[column].pipe(panel_index, self.months, missing=-1)
            out = yearly_counts(first, fail, t_month)
            out.insert(0, "world", world)
            rows.append(out)
        return pd.concat(rows).set_index(["world", "year"])


def panel_index(months: pd.Series, panel_months: pd.DatetimeIndex, missing: int | None = None
                 ) -> np.ndarray:
    values = pd.to_datetime(pd.Series(months))
    idx = (values.dt.year * 12 + values.dt.month - 1
           - (panel_months[0].year * 12 + panel_months[0].month - 1))
    if missing is not None:
        return idx.fillna(missing).astype(int).to_numpy()
    return idx.astype(int).to_numpy()


def window_failure(hazard: np.ndarray, t: np.ndarray, i: np.ndarray, horizon: int) -> np.ndarray:
    """``1 - prod_{s=t+1}^{t+h} (1 - p[s, i])`` at (t, i), NaN past the panel end."""
    log_surv = np.vstack([np.zeros((1, hazard.shape[1])),
                          np.cumsum(np.log1p(-hazard.astype(float)), axis=0)])
    inside = t + horizon < hazard.shape[0]
    end = np.minimum(t + horizon, hazard.shape[0] - 1)
    out = 1.0 - np.exp(log_surv[end + 1, i] - log_surv[t + 1, i])
    return np.where(inside, out, np.nan)


def yearly_counts(first: np.ndarray, fail: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    """Failures and firm-years at risk per calendar year (at risk: first < t <= failure)."""
    t = np.arange(len(years))[:, None]
    alive = (t > first[None, :]) & ((fail[None, :] < 0) | (t <= fail[None, :]))
    months_at_risk = alive.sum(axis=1)
    failed = np.bincount(fail[fail >= 0], minlength=len(years))
    frame = pd.DataFrame({"year": years, "failures": failed, "firm_years": months_at_risk / 12})
    out = frame.groupby("year", as_index=False).sum()
    out["rate"] = out["failures"] / out["firm_years"]
    return out

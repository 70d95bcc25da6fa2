"""Parameters of the firm-panel simulator, validated on construction.

Every dataclass here is frozen and checks its fields in ``__post_init__``: a bad value
raises a ValueError that names the parameter (``Config.n_firms``, ``Covid.target_ratios``,
``SectorEvent('energy_2022').sector``, ...). Months are ``"YYYY-MM"`` strings.

The numbers are stylised: sector shares, sizes, risk offsets and the COVID chronology are
plausible orders of magnitude for French firms with ten employees or more, not estimates.
The COVID target ratios are placeholders (see :class:`Covid`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from causalxai.months import month_index

__all__ = [
    "DEFAULT_COURT_PROFILE",
    "DEFAULT_SECTORS",
    "ENERGY_SHOCK_2022",
    "PLACEHOLDER_TARGET_RATIOS",
    "Coefficients",
    "Config",
    "Covid",
    "Sector",
    "SectorEvent",
]


def _real(name: str, value: object, low: float | None = None, high: float | None = None,
          *, low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    v = float(value)
    bad_low = low is not None and (v <= low if low_open else v < low)
    bad_high = high is not None and (v >= high if high_open else v > high)
    if bad_low or bad_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def _integer(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {bound}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Sector:
    """One branch of activity (a NAF-like section).

    Parameters
    ----------
    code, label : str
        Short code (``"C"``) and name.
    share : float
        Share of the simulated firms, in (0, 1]; the shares of a config sum to 1.
    size_mu, size_sigma : float
        Headcount is ``min_headcount - 1 + round(exp(N(size_mu, size_sigma**2)))``:
        a log-normal shifted to start at the coverage threshold.
    demand_sd : float
        Standard deviation of the monthly innovation of the sector's demand index.
    health_offset : float
        Long-run health level of the sector's firms relative to the others (risk).
    """

    code: str
    label: str
    share: float
    size_mu: float
    size_sigma: float
    demand_sd: float
    health_offset: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.isidentifier():
            raise ValueError(f"Sector.code must be a short identifier, got {self.code!r}")
        where = f"Sector({self.code!r})"
        _real(f"{where}.share", self.share, 0.0, 1.0, low_open=True)
        _real(f"{where}.size_mu", self.size_mu, 0.0, 8.0)
        _real(f"{where}.size_sigma", self.size_sigma, 0.0, 3.0)
        _real(f"{where}.demand_sd", self.demand_sd, 0.0, 2.0)
        _real(f"{where}.health_offset", self.health_offset, -3.0, 3.0)


#: Six sections. Shares, sizes and risk offsets are stylised, not estimated.
DEFAULT_SECTORS: tuple[Sector, ...] = (
    Sector("C", "Manufacturing", 0.17, 2.5, 1.1, 0.10, 0.0),
    Sector("F", "Construction", 0.17, 2.0, 0.9, 0.10, -0.25),
    Sector("G", "Wholesale and retail trade", 0.25, 2.1, 1.0, 0.08, 0.0),
    Sector("H", "Transportation and storage", 0.07, 2.4, 1.1, 0.10, -0.05),
    Sector("I", "Accommodation and food services", 0.12, 1.7, 0.8, 0.10, -0.2),
    Sector("MN", "Business and support services", 0.22, 2.3, 1.2, 0.08, 0.1),
)


@dataclass(frozen=True)
class SectorEvent:
    """A demand shock hitting one sector at a given month.

    From ``month`` on, firm ``i`` of ``sector`` gets the demand shift
    ``exposure_i * size * persistence**(t - month)``. The exposure is 0 with probability
    ``1 - exposed_share`` and otherwise log-normal with mean 1 and log-sd ``exposure_sd``
    (e.g. energy intensity); firms of other sectors have exposure 0.

    Parameters
    ----------
    name : str
        Identifier (a column ``exposure_<name>`` of ``Panel.firm_truth``).
    sector : str
        Code of the sector hit.
    month : str
        First month of the shock, ``"YYYY-MM"``.
    size : float
        Demand shift at onset for an exposure of 1 (demand units; negative is adverse).
    persistence : float
        Monthly decay factor of the shock, in [0, 1).
    exposure_sd, exposed_share : float
        Heterogeneity of the exposure, see above.
    """

    name: str
    sector: str
    month: str
    size: float
    persistence: float = 0.95
    exposure_sd: float = 0.8
    exposed_share: float = 0.7

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"SectorEvent.name must be an identifier, got {self.name!r}")
        where = f"SectorEvent({self.name!r})"
        if not isinstance(self.sector, str):
            raise ValueError(f"{where}.sector must be a sector code, got {self.sector!r}")
        month_index(self.month, f"{where}.month")
        _real(f"{where}.size", self.size, -10.0, 10.0)
        _real(f"{where}.persistence", self.persistence, 0.0, 1.0, high_open=True)
        _real(f"{where}.exposure_sd", self.exposure_sd, 0.0, 3.0)
        _real(f"{where}.exposed_share", self.exposed_share, 0.0, 1.0, low_open=True)


#: Energy-price shock on manufacturing from March 2022 (stylised size).
ENERGY_SHOCK_2022 = SectorEvent("energy_2022", "C", "2022-03", -1.0, 0.95, 0.8, 0.7)

#: COVID demand intensity by month from the start month (0 to 1; later months are 0):
#: a stylised chronology with lockdowns in spring 2020, autumn 2020 and spring 2021.
DEFAULT_COVID_PROFILE: tuple[float, ...] = (
    0.6, 1.0, 0.8, 0.4, 0.25, 0.2, 0.25, 0.35, 0.75, 0.6,          # 2020-03 .. 2020-12
    0.55, 0.55, 0.6, 0.7, 0.5, 0.3, 0.2, 0.2, 0.15, 0.15, 0.15, 0.2,  # 2021
    0.2, 0.1, 0.05, 0.05,                                          # 2022-01 .. 2022-04
)

#: Demand drop at full COVID intensity, by sector (demand units; larger is worse).
DEFAULT_COVID_DEPTH = MappingProxyType(
    {"C": 1.0, "F": 1.0, "G": 0.8, "H": 1.6, "I": 3.0, "MN": 0.6}
)

#: Share of the openings of collective proceedings frozen, by month from the COVID start:
#: commercial courts closed to all but urgent cases in the first lockdown, the insolvency
#: test frozen at its 12 March 2020 value until 24 August 2020, then forbearance of public
#: creditors fading out by mid-2021. Stylised orders of magnitude, not estimates.
DEFAULT_COURT_PROFILE: tuple[float, ...] = (
    0.2, 0.4, 0.35, 0.3, 0.2, 0.15,                         # 2020-03 .. 2020-08
    0.08, 0.06, 0.06, 0.06,                                  # 2020-09 .. 2020-12
    0.05, 0.05, 0.04, 0.04, 0.02, 0.02,                      # 2021-01 .. 2021-06
)

#: Placeholder targets: failures observed / failures of the no-COVID counterfactual, by
#: year. Part III computes them from French data; a notebook passes the measured values.
PLACEHOLDER_TARGET_RATIOS = MappingProxyType({2020: 0.62, 2021: 0.55, 2022: 0.85, 2023: 1.10})


def _frozen_mapping(value: object, name: str) -> Mapping[Any, float]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Covid:
    """The COVID regime: a sector demand shock, three support measures and a court freeze.

    Parameters
    ----------
    start : str
        First month of the regime (``"2020-03"``).
    demand_depth : mapping
        Sector code -> demand drop at full intensity (demand units, >= 0); sectors not
        listed get 0. Each firm's drop is scaled by a log-normal exposure (``exposure_sd``).
    profile : tuple of float
        Intensity in [0, 1] for each month from ``start``; 0 afterwards.
    exposure_sd : float
        Log-sd of the firm-level exposure to the COVID shock (mean 1).
    target_ratios : mapping
        Year -> target ratio of failures with COVID to failures of the no-COVID
        counterfactual (same firms, same random numbers). The defaults (2020: 0.62,
        2021: 0.55, 2022: 0.85, 2023: 1.10) are PLACEHOLDERS for the calibration computed
        in Part III from French data; notebooks pass the measured values
        (:func:`causalxai.earlywarning.support.target_ratios`). A per-year shift of the failure
        log-odds is solved so that the expected counts hit them exactly in expectation; it
        is the residual left by the shock, the three measures and the court freeze, which
        reproduce most of the fall of 2020-2021 by themselves.
    short_time_work, guaranteed_loans, deferral : bool
        Whether each support measure exists.
    stw_months, loan_months : int
        Months from ``start`` during which the generous short-time work rule applies and
        state-guaranteed loans are offered.
    deferral_windows : tuple of (first, last, logit)
        Month offsets (inclusive) from ``start`` when social contributions may be
        deferred, with the base log-odds of deferring in a month (raised by the firm's
        demand shortfall).
    deferral_repay_start : int
        Repayment plans of deferred contributions start this many months after ``start``.
    deferral_repay_share : float
        Each month of a plan, the firm pays this share of its monthly contributions
        towards the deferred stock (a linear plan: a stock of ``k`` months of contributions
        is repaid in about ``k / deferral_repay_share`` months).
    loan_repay_start, loan_repay_months : int
        State-guaranteed loans are amortised linearly over ``loan_repay_months`` months
        from ``loan_repay_start`` months after ``start`` (after the grace period; the same
        calendar month for every borrower, a simplification).
    courts : bool
        Whether the freeze of collective proceedings exists: a mechanism of the courts and
        of insolvency law, not of the firms (see ``court_profile``).
    court_profile : tuple of float
        Share of the openings of collective proceedings that do not happen, for each
        month from ``start`` (0 afterwards): a firm that would have entered proceedings
        that month does not, and stays at risk. It stands for the closure of commercial
        courts during the first lockdown, the freeze of the insolvency test at its
        12 March 2020 value until 24 August 2020 (ordinance 2020-341) and the forbearance
        of public creditors that followed; the profile itself is stylised.
    filing_delay_extra : int
        Extra months before the statements of fiscal year ``start.year - 1`` are
        published (extended filing deadlines).
    """

    start: str = "2020-03"
    demand_depth: Mapping[str, float] = field(default_factory=lambda: DEFAULT_COVID_DEPTH)
    profile: tuple[float, ...] = DEFAULT_COVID_PROFILE
    exposure_sd: float = 0.4
    target_ratios: Mapping[int, float] = field(
        default_factory=lambda: PLACEHOLDER_TARGET_RATIOS)
    short_time_work: bool = True
    guaranteed_loans: bool = True
    deferral: bool = True
    stw_months: int = 15
    loan_months: int = 28
    deferral_windows: tuple[tuple[int, int, float], ...] = ((0, 3, 0.0), (8, 14, -1.0))
    deferral_repay_start: int = 10
    deferral_repay_share: float = 0.25
    loan_repay_start: int = 14
    loan_repay_months: int = 48
    courts: bool = True
    court_profile: tuple[float, ...] = DEFAULT_COURT_PROFILE
    filing_delay_extra: int = 3

    def __post_init__(self) -> None:
        month_index(self.start, "Covid.start")
        depth = _frozen_mapping(self.demand_depth, "Covid.demand_depth")
        for code, value in depth.items():
            _real(f"Covid.demand_depth[{code!r}]", value, 0.0, 10.0)
        object.__setattr__(self, "demand_depth", depth)
        profile = tuple(self.profile)
        if not profile:
            raise ValueError("Covid.profile must hold at least one month")
        for k, value in enumerate(profile):
            _real(f"Covid.profile[{k}]", value, 0.0, 1.0)
        object.__setattr__(self, "profile", profile)
        _real("Covid.exposure_sd", self.exposure_sd, 0.0, 3.0)
        targets = _frozen_mapping(self.target_ratios, "Covid.target_ratios")
        for year, value in targets.items():
            _integer("Covid.target_ratios (a year)", year, 1900, 2200)
            _real(f"Covid.target_ratios[{year}]", value, 0.0, 10.0, low_open=True)
        object.__setattr__(self, "target_ratios", MappingProxyType(dict(sorted(targets.items()))))
        for name in ("short_time_work", "guaranteed_loans", "deferral", "courts"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Covid.{name} must be True or False, got {getattr(self, name)!r}")
        _integer("Covid.stw_months", self.stw_months, 0, 600)
        _integer("Covid.loan_months", self.loan_months, 0, 600)
        windows = tuple(tuple(w) for w in self.deferral_windows)
        for k, window in enumerate(windows):
            if len(window) != 3:
                raise ValueError(f"Covid.deferral_windows[{k}] must be (first, last, logit), "
                                 f"got {window!r}")
            first = _integer(f"Covid.deferral_windows[{k}] first", window[0], 0)
            _integer(f"Covid.deferral_windows[{k}] last", window[1], first)
            _real(f"Covid.deferral_windows[{k}] logit", window[2], -20.0, 20.0)
        object.__setattr__(self, "deferral_windows", windows)
        _integer("Covid.deferral_repay_start", self.deferral_repay_start, 0)
        _real("Covid.deferral_repay_share", self.deferral_repay_share, 0.0, 10.0, low_open=True)
        _integer("Covid.loan_repay_start", self.loan_repay_start, 0, 600)
        _integer("Covid.loan_repay_months", self.loan_repay_months, 1, 600)
        courts = tuple(self.court_profile)
        for k, value in enumerate(courts):
            _real(f"Covid.court_profile[{k}]", value, 0.0, 1.0, high_open=True)
        object.__setattr__(self, "court_profile", courts)
        _integer("Covid.filing_delay_extra", self.filing_delay_extra, 0, 24)

    def intensity(self, offset: int) -> float:
        """Demand intensity ``offset`` months after :attr:`start` (0 outside the profile)."""
        return self.profile[offset] if 0 <= offset < len(self.profile) else 0.0

    def court_freeze(self, offset: int) -> float:
        """Share of openings of proceedings frozen ``offset`` months after :attr:`start`."""
        if not self.courts:
            return 0.0
        return self.court_profile[offset] if 0 <= offset < len(self.court_profile) else 0.0

    def loan_repay(self, offset: int) -> float:
        """Share of a guaranteed loan's principal repaid in the month ``offset``."""
        first = self.loan_repay_start
        return 1.0 / self.loan_repay_months if first <= offset < first + self.loan_repay_months \
            else 0.0

    def deferral_logit(self, offset: int) -> float:
        """Base log-odds of deferring contributions at ``offset`` (``-inf`` when closed)."""
        for first, last, logit in self.deferral_windows:
            if first <= offset <= last:
                return float(logit)
        return -math.inf


@dataclass(frozen=True)
class Coefficients:
    """Coefficients of the monthly mechanism (see :mod:`causalxai.firms.mechanism`).

    Units: health is a standardised latent index (higher is healthier); demand is an
    index with stationary standard deviation about 0.7 within a firm; liquidity is cash
    in months of operating costs; indebtedness is debt over total assets; investment is
    in percent of assets per month; contributions in thousands of euros.

    The support measures act through these coefficients: short-time work through
    ``stw_effect`` (the payroll of idle hours no longer weighs on health), guaranteed
    loans and deferred contributions through the cash they add (``liquidity_effect``;
    ``contribution_share`` is a month's social contributions in months of operating
    costs) and take away when repaid. ``loan_health`` and ``deferral_health`` make
    take-up depend on last month's latent health (weaker firms take up more).
    """

    sector_persistence: float = 0.95
    demand_persistence: float = 0.85
    demand_sd: float = 0.35
    health_persistence: float = 0.9
    health_sd: float = 0.25
    quality_effect: float = 0.6
    size_effect: float = 0.15
    youth_penalty: float = 0.8
    youth_months: float = 36.0
    demand_effect: float = 0.05
    stw_effect: float = 0.4
    liquidity_effect: float = 0.06
    debt_effect: float = 0.10
    capital_effect: float = 0.05
    cash_reversion: float = 0.04
    cash_flow: float = 0.08
    cash_sd: float = 0.15
    investment_cash_cost: float = 0.12
    debt_reversion: float = 0.015
    debt_flow: float = 0.004
    debt_sd: float = 0.01
    loan_debt: float = 0.1
    loan_logit: float = -4.0
    loan_shortfall: float = 1.5
    loan_health: float = 0.5
    deferral_shortfall: float = 1.0
    deferral_health: float = 0.5
    deferral_propensity_sd: float = 2.0
    contribution_rate: float = 1.1
    contribution_share: float = 0.15
    arrears_logit: float = -5.5
    arrears_health: float = 2.0
    arrears_liquidity: float = 1.0
    arrears_clear_logit: float = 1.0
    stw_gain: float = 0.1
    stw_threshold: float = 1.5
    stw_gain_covid: float = 0.35
    stw_threshold_covid: float = 0.2
    stw_cap: float = 0.9

    def __post_init__(self) -> None:
        for f in fields(self):
            _real(f"Coefficients.{f.name}", getattr(self, f.name))
        for name in ("sector_persistence", "demand_persistence", "health_persistence"):
            _real(f"Coefficients.{name}", getattr(self, name), 0.0, 1.0, high_open=True)
        for name in ("demand_sd", "health_sd", "cash_sd", "debt_sd", "youth_months",
                     "deferral_propensity_sd", "contribution_share",
                     "contribution_rate"):
            _real(f"Coefficients.{name}", getattr(self, name), 0.0, low_open=name in
                  ("youth_months", "contribution_rate"))
        for name in ("cash_reversion", "debt_reversion", "stw_cap"):
            _real(f"Coefficients.{name}", getattr(self, name), 0.0, 1.0)


@dataclass(frozen=True)
class Config:
    """Everything the simulator needs, checked on construction.

    Parameters
    ----------
    n_firms : int
        Firms simulated (each observed from its first month in the panel to its failure
        or the panel end).
    start, end : str
        First and last month of the panel, ``"YYYY-MM"``.
    burn_in : int
        Months simulated before ``start`` (states settle, and the fiscal years before
        ``start`` exist so that statements are available in the first months).
    sectors : tuple of Sector
        Sections with shares summing to 1.
    min_headcount : int
        Coverage threshold of the service (employees).
    entry_share : float
        Share of firms created during the panel (the others exist at ``start``).
    base_failure_rate : float
        Failures per firm-year in ``base_period`` without COVID; the intercept of the
        failure hazard is solved to hit it (expected value over the failure draws).
    base_period : (str, str)
        First and last month of the period defining ``base_failure_rate``; it must end
        before the COVID regime starts.
    hazard_slope : float
        Change in the monthly failure log-odds per unit of health (negative).
    events : tuple of SectorEvent
        Sector shocks (default: an energy-price shock on manufacturing, March 2022).
    covid : Covid or None
        The COVID regime; None simulates the no-COVID world only.
    filing_delay : (int, int)
        Publication delay of a fiscal year's statements, months after its December
        close, drawn uniformly per firm-year in this inclusive range (0 to 11).
    non_filing : float
        Probability that a firm does not publish a fiscal year's statements.
    measure_effects : bool
        Also simulate the worlds without each support measure, for the ground-truth
        effects (skipping them saves time when they are not needed).
    coefficients : Coefficients
        The mechanism's coefficients.
    """

    n_firms: int = 20_000
    start: str = "2015-01"
    end: str = "2023-12"
    burn_in: int = 36
    sectors: tuple[Sector, ...] = DEFAULT_SECTORS
    min_headcount: int = 10
    entry_share: float = 0.15
    base_failure_rate: float = 0.015
    base_period: tuple[str, str] = ("2015-01", "2019-12")
    hazard_slope: float = -1.5
    events: tuple[SectorEvent, ...] = (ENERGY_SHOCK_2022,)
    covid: Covid | None = field(default_factory=Covid)
    filing_delay: tuple[int, int] = (5, 10)
    non_filing: float = 0.1
    measure_effects: bool = True
    coefficients: Coefficients = field(default_factory=Coefficients)

    def __post_init__(self) -> None:
        _integer("Config.n_firms", self.n_firms, 10, 10_000_000)
        first = month_index(self.start, "Config.start")
        last = month_index(self.end, "Config.end")
        if last < first + 11:
            raise ValueError(f"Config.end must be at least 11 months after Config.start, "
                             f"got start={self.start!r}, end={self.end!r}")
        _integer("Config.burn_in", self.burn_in, 12, 240)
        sectors = tuple(self.sectors)
        if not sectors or not all(isinstance(s, Sector) for s in sectors):
            raise ValueError("Config.sectors must be a non-empty tuple of Sector")
        codes = [s.code for s in sectors]
        if len(set(codes)) != len(codes):
            raise ValueError(f"Config.sectors has duplicate codes: {codes}")
        total = sum(s.share for s in sectors)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"Config.sectors shares must sum to 1, got {total:.6f}")
        object.__setattr__(self, "sectors", sectors)
        _integer("Config.min_headcount", self.min_headcount, 1, 10_000)
        _real("Config.entry_share", self.entry_share, 0.0, 1.0, high_open=True)
        _real("Config.base_failure_rate", self.base_failure_rate, 0.0, 0.5, low_open=True)
        if len(tuple(self.base_period)) != 2:
            raise ValueError(f"Config.base_period must be (first, last), got {self.base_period!r}")
        b0 = month_index(self.base_period[0], "Config.base_period[0]")
        b1 = month_index(self.base_period[1], "Config.base_period[1]")
        if not first <= b0 <= b1 <= last:
            raise ValueError(f"Config.base_period must be an ordered period within "
                             f"[{self.start}, {self.end}], got {self.base_period!r}")
        _real("Config.hazard_slope", self.hazard_slope, -10.0, 0.0, high_open=True)
        events = tuple(self.events)
        names = [e.name for e in events if isinstance(e, SectorEvent)]
        if len(names) != len(events):
            raise ValueError("Config.events must be a tuple of SectorEvent")
        if len(set(names)) != len(names):
            raise ValueError(f"Config.events has duplicate names: {names}")
        for event in events:
            if event.sector not in codes:
                raise ValueError(f"SectorEvent({event.name!r}).sector {event.sector!r} is not "
                                 f"a sector of the config ({', '.join(codes)})")
            if not first <= month_index(event.month, "month") <= last:
                raise ValueError(f"SectorEvent({event.name!r}).month {event.month!r} is "
                                 f"outside the panel [{self.start}, {self.end}]")
        object.__setattr__(self, "events", events)
        if self.covid is not None:
            self._check_covid(first, last, b1, codes)
        delay = tuple(self.filing_delay)
        if len(delay) != 2:
            raise ValueError(f"Config.filing_delay must be (low, high), got {self.filing_delay!r}")
        low = _integer("Config.filing_delay[0]", delay[0], 0, 11)
        _integer("Config.filing_delay[1]", delay[1], low, 11)
        object.__setattr__(self, "filing_delay", delay)
        _real("Config.non_filing", self.non_filing, 0.0, 1.0, high_open=True)
        if not isinstance(self.measure_effects, bool):
            raise ValueError(f"Config.measure_effects must be True or False, "
                             f"got {self.measure_effects!r}")
        if not isinstance(self.coefficients, Coefficients):
            raise ValueError("Config.coefficients must be a Coefficients instance")

    def _check_covid(self, first: int, last: int, base_last: int, codes: list[str]) -> None:
        covid = self.covid
        if not isinstance(covid, Covid):
            raise ValueError(f"Config.covid must be a Covid instance or None, got {covid!r}")
        begin = month_index(covid.start, "Covid.start")
        if not first < begin <= last:
            raise ValueError(f"Covid.start {covid.start!r} must be after Config.start and "
                             f"within the panel (end {self.end})")
        if base_last >= begin:
            raise ValueError(f"Config.base_period must end before Covid.start "
                             f"({covid.start}), got {self.base_period!r}")
        for code in covid.demand_depth:
            if code not in codes:
                raise ValueError(f"Covid.demand_depth names sector {code!r}, not a sector of "
                                 f"the config ({', '.join(codes)})")
        for year in covid.target_ratios:
            if not begin // 12 <= year <= last // 12:
                raise ValueError(f"Covid.target_ratios year {year} is outside "
                                 f"[{begin // 12}, {last // 12}] (COVID start to panel end)")

    @classmethod
    def small(cls, **changes: Any) -> Config:
        """A 2,000-firm config for tests and smoke runs (other fields as given or default)."""
        return cls(**{"n_firms": 2_000, **changes})

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    @property
    def n_months(self) -> int:
        """int: Months in the panel."""
        return month_index(self.end, "end") - month_index(self.start, "start") + 1

    @property
    def sector_codes(self) -> tuple[str, ...]:
        """tuple of str: The sector codes, in order."""
        return tuple(s.code for s in self.sectors)

"""Simulate the firm panel: worlds with common random numbers, calibration, ground truth.

:meth:`FirmSimulator.simulate` runs the monthly SCM of :mod:`causalxai.firms.mechanism`
for all firms at once (numpy over firms, a Python loop over months), from ``burn_in``
months before the panel start. Up to the COVID start all worlds are the same; from there
it branches into:

- ``observed``: the COVID demand shock, the three support measures and the court freeze;
- ``no_covid``: the regime switched off (the counterfactual);
- ``no_short_time_work``, ``no_guaranteed_loans``, ``no_deferral``: COVID with one
  measure switched off, and ``no_support``: COVID with no measure and no court freeze
  (when ``Config.measure_effects``).

Two more worlds share the observed health paths and differ only in the failure
mechanism: ``no_courts`` (no court freeze) and ``no_regime`` (no residual shift
``theta``, below).

Every world uses the same random numbers: noise streams keyed by node name and month,
firm traits and failure draws keyed by name. A world therefore differs from another only
through the switched mechanism, and a config with ``covid=None`` reproduces the
``no_covid`` world exactly.

Firm traits (``e`` a standard normal draw, one per trait and firm; ``q`` the quality):
sector by the configured shares; headcount log-normal by sector; age at the panel start
``Gamma(1.6, 10 years)``; a share ``Config.entry_share`` of firms created at a uniform
month of the panel; ``quality = q ~ N(0, 1)``; ``cash_target = exp(0.6 + 0.25 q + 0.4 e)``
months of costs; ``debt_target = clip(0.55 - 0.08 q + 0.15 e, 0.05, 1.5)``;
``investment_propensity = 0.4 exp(0.15 q + 0.3 e - 0.045)`` % of assets a month;
``loan_size = 2.5 exp(0.3 e - 0.045)`` months of costs; ``deferral_propensity = 2 e``;
``margin_offset = 0.03 e``; ``delay_offset = 12 e`` days; COVID and event exposures
log-normal with mean 1, capped at :data:`MAX_EXPOSURE`. Firms existing before the
burn-in start at health ``mu + 0.6 e`` and at their targets; a firm created later starts
at health ``mu - 0.5 + 0.5 e``, half its cash target, no arrears.

Failure (opening of collective proceedings) is a discrete-time hazard, absorbing: in month
``t`` a firm at risk fails if ``U_it < p_it``,
``p_it = (1 - f_t) * sigmoid(a + b * health_it + theta_year)``, with ``U_it`` uniform and
shared by the worlds and ``f_t`` the court freeze (``Covid.court_profile``: the share of
openings that do not happen that month; the firm stays at risk with its health). A firm
is at risk from the month after its first observed month; its rows end the month before
it fails. The intercept ``a`` is solved so that the expected failures per firm-year over
``Config.base_period`` (no COVID) equal ``Config.base_failure_rate``; then, year by year,
``theta_year`` is solved (Brent's method) so that the expected number of failures with COVID
is ``Covid.target_ratios[year]`` times that of the counterfactual. Expectations are over
the failure draws, given the simulated health paths. ``theta`` is the residual: what the
modelled mechanisms (the shock, the three measures, the court freeze) do not reproduce of
the target; it applies to every firm from the COVID start. ``Panel.calibration`` splits
each year's change in expected failures into the part of the shock and the measures, that
of the court freeze and the residual.

Cost, measured on a machine with two cores shared with other jobs (load average 8 to 10;
numpy 2.4, pandas 3.1): the default config (20,000 firms, 2015-01 to 2023-12 after a
36-month burn-in, 1.89 million firm-months, six simulated health paths, eight hazard
worlds) takes about 7 s of CPU time (22 to 26 s wall-clock on the loaded machine), and the
process peaks at 1.2 to 1.25 GB of resident memory. The state carried from month to month
is small (about fifty arrays over firms, under 10 MB); the recorded ``(months, firms)``
paths of the worlds take about 0.3 GB; the returned panel about 0.45 GB (features 153 MB,
truth about 200 MB, hazards 69 MB). ``Config.small()`` (2,000 firms) takes 0.8 s of CPU
time and 0.23 GB.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from causalxai.firms.assemble import assemble
from causalxai.firms.config import Config
from causalxai.firms.mechanism import (
    MONTHLY_INPUTS,
    STATE_INPUTS,
    STATE_UPDATE,
    STATIC_INPUTS,
    monthly_scm,
    noisy_nodes,
    propagate,
)
from causalxai.firms.panel import (
    FULL_TIME_HOURS,
    Calendar,
    Panel,
    StaticDraws,
    window_failure,
)
from causalxai.months import month_index

__all__ = ["COURTS", "FULL_TIME_HOURS", "MEASURES", "WORLDS", "FirmSimulator", "Panel"]

#: The support measures (switches of :class:`~causalxai.firms.config.Covid`).
MEASURES = ("short_time_work", "guaranteed_loans", "deferral")
#: The non-firm mechanism of the regime: the freeze of collective proceedings.
COURTS = "courts"
#: The worlds a panel may hold hazards for: ``no_<measure>`` and ``no_support`` (no measure,
#: no court freeze) keep ``theta``; ``no_courts`` keeps the observed health and ``theta``;
#: ``no_regime`` keeps the observed health and the freeze but not ``theta``.
WORLDS = ("observed", "no_covid", *(f"no_{m}" for m in MEASURES), "no_courts", "no_support",
          "no_regime")
#: World -> (health path, residual shift theta applied, court freeze applied).
_HAZARD_RULES = {"observed": ("observed", True, True), "no_covid": ("no_covid", False, False),
                 **{f"no_{m}": (f"no_{m}", True, True) for m in MEASURES},
                 "no_courts": ("observed", True, False), "no_support": ("no_support", True, False),
                 "no_regime": ("observed", False, True)}
#: Cap on a firm's exposure to a shock (exposures are log-normal with mean about 1).
MAX_EXPOSURE = 4.0
_LEVERS = {"liquidity": ("liquidity", "cash_target"),
           "indebtedness": ("indebtedness", "debt_target"),
           "investment_rate": (None, "investment_propensity")}
_RECORD = ("health", "demand", "stw_share", "loan_take", "deferral", "next_liquidity",
           "next_indebtedness", "headcount", "headcount_change", "contributions", "arrears",
           "arrears_distress", "arrears_deferred", "payment_score", "event_shock",
           "covid_shock", "sector_demand")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return expit(x)


def _rng(root: np.random.SeedSequence, *key: int | str) -> np.random.Generator:
    words = [k if isinstance(k, int) else int.from_bytes(
        hashlib.blake2b(k.encode(), digest_size=8).digest(), "little") for k in key]
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=tuple(words)))


@dataclass
class _Switches:
    covid: bool = False
    short_time_work: bool = False
    guaranteed_loans: bool = False
    deferral: bool = False
    courts: bool = False


def _expected(q: np.ndarray, s0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected failures per month of hazards ``q`` (months, firms) from survival ``s0``.

    Returns the expected failures per month, the survival after the last month and the
    survival at the start of each month (months, firms).
    """
    log_s = np.cumsum(np.log1p(-q), axis=0)
    before = s0 * np.exp(np.vstack([np.zeros((1, q.shape[1])), log_s[:-1]]))
    return (before * q).sum(axis=1), s0 * np.exp(log_s[-1]), before


def _expected_year(logit: np.ndarray, risk: np.ndarray, s0: np.ndarray,
                   open_: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Expected failures over some months of failure log-odds ``logit`` (times the share
    ``open_`` of openings that happen, if given), and the survival after them."""
    q = _sigmoid(logit) * risk
    fails, s_end, _ = _expected(q if open_ is None else q * open_, s0)
    return float(fails.sum()), s_end


def _gap(logit: np.ndarray, regime: np.ndarray, risk: np.ndarray, s0: np.ndarray, goal: float,
         open_: np.ndarray | None, shift: float) -> float:
    return _expected_year(logit + shift * regime, risk, s0, open_)[0] - goal


class FirmSimulator:
    """Simulate a monthly panel of firms with a COVID regime and its ground truth.

    Parameters
    ----------
    config : Config
        The parameters (``Config()`` for the default 20,000 firms, ``Config.small()``).
    """

    def __init__(self, config: Config | None = None) -> None:
        if config is not None and not isinstance(config, Config):
            raise ValueError(f"config must be a causalxai.firms.Config, got "
                             f"{type(config).__name__}")
        self.config = config or Config()
        self._scm = monthly_scm(self.config.coefficients)
        self._nodes = self._scm.nodes
        self._noisy = noisy_nodes(self._scm, (*STATIC_INPUTS, *MONTHLY_INPUTS, *STATE_INPUTS))
        self._calendar = Calendar.of(self.config)
        self._start, self._end = self._calendar.start, self._calendar.end
        self._first, self._years = self._calendar.first, self._calendar.years
        covid = self.config.covid
        self._covid_start = month_index(covid.start, "start") if covid else None

    # Static draws -----------------------------------------------------------------------------
    def _static(self, root: np.random.SeedSequence) -> StaticDraws:
        cfg, n, T = self.config, self.config.n_firms, self.config.n_months
        shares = np.array([s.share for s in cfg.sectors])
        sector = _rng(root, "static", "sector").choice(len(shares), size=n, p=shares / shares.sum())
        mu = np.array([s.size_mu for s in cfg.sectors])[sector]
        sd = np.array([s.size_sigma for s in cfg.sectors])[sector]
        size0 = cfg.min_headcount - 1 + np.maximum(
            1.0, np.round(np.exp(_rng(root, "static", "size").normal(mu, sd))))
        entrant = _rng(root, "static", "entrant").random(n) < cfg.entry_share
        entry = self._start + _rng(root, "static", "entry_month").integers(1, max(T, 2), n)
        age = np.floor(_rng(root, "static", "age").gamma(1.6, 120.0, n))
        created = np.where(entrant, entry, self._start - age).astype(int)
        draw = {k: _rng(root, "static", k).standard_normal(n)
                for k in ("quality", "cash", "debt", "investment", "loan", "covid", "health",
                          "deferral", "margin", "delay")}
        q = draw["quality"]
        inputs = {
            "quality": q,
            "size_log": np.log(size0) - 3.0,
            "sector_offset": np.array([s.health_offset for s in cfg.sectors])[sector],
            "cash_target": np.exp(0.6 + 0.25 * q + 0.4 * draw["cash"]),
            "debt_target": np.clip(0.55 - 0.08 * q + 0.15 * draw["debt"], 0.05, 1.5),
            "investment_propensity": 0.4 * np.exp(0.15 * q + 0.3 * draw["investment"] - 0.045),
            "loan_size": 2.5 * np.exp(0.3 * draw["loan"] - 0.045),
            "deferral_propensity": cfg.coefficients.deferral_propensity_sd * draw["deferral"],
            "margin_offset": 0.03 * draw["margin"],
            "delay_offset": 12.0 * draw["delay"],
        }
        sd_c = cfg.covid.exposure_sd if cfg.covid else 0.0
        exposures = {}
        for event in cfg.events:
            rng = _rng(root, "event", event.name)
            hit = rng.random(n) < event.exposed_share
            level = np.minimum(np.exp(event.exposure_sd * rng.standard_normal(n)
                                      - event.exposure_sd**2 / 2), MAX_EXPOSURE)
            exposures[event.name] = np.where(
                hit & (sector == cfg.sector_codes.index(event.sector)), level, 0.0)
        years = len(self._years)
        lo, hi = cfg.filing_delay
        coef = cfg.coefficients
        m_all = self._end - self._first + 1
        demand = np.empty((m_all, len(cfg.sectors)))
        innov = _rng(root, "sector_demand").standard_normal((m_all, len(cfg.sectors)))
        sd_s = np.array([s.demand_sd for s in cfg.sectors])
        phi = coef.sector_persistence
        demand[0] = sd_s / math.sqrt(1 - phi**2) * innov[0]
        for m in range(1, m_all):
            demand[m] = phi * demand[m - 1] + sd_s * innov[m]
        return StaticDraws(
            sector=sector, size0=size0, created=created,
            first_t=np.maximum(created - self._start, 0), inputs=inputs,
            covid_exposure=np.minimum(np.exp(sd_c * draw["covid"] - sd_c**2 / 2), MAX_EXPOSURE),
            exposures=exposures,
            health_draw=draw["health"],
            filing_delay=_rng(root, "static", "filing_delay").integers(lo, hi + 1, (n, years)),
            non_filing=_rng(root, "static", "non_filing").random((n, years)) < cfg.non_filing,
            fail_u=_rng(root, "failure").random((T, n)), sector_demand=demand)

    def _full_switches(self) -> _Switches:
        covid = self.config.covid
        if covid is None:
            return _Switches()
        return _Switches(True, *(bool(getattr(covid, measure)) for measure in MEASURES),
                         courts=covid.courts)

    # One world ----------------------------------------------------------------------------------
    def _initial_state(self, st: StaticDraws) -> dict[str, np.ndarray]:
        inp = st.inputs
        mu = (self.config.coefficients.quality_effect * inp["quality"]
              + self.config.coefficients.size_effect * inp["size_log"] + inp["sector_offset"])
        n = self.config.n_firms
        return {"health_lag": mu + 0.6 * st.health_draw, "liquidity": inp["cash_target"].copy(),
                "indebtedness": inp["debt_target"].copy(),
                "capital": inp["investment_propensity"].copy(), "demand_idio_lag": np.zeros(n),
                "headcount_lag": st.size0.copy(), "arrears_distress_lag": np.zeros(n),
                "arrears_deferred_lag": np.zeros(n), "loan_taken": np.zeros(n),
                "deferral_stock_lag": np.zeros(n), "_mu": mu}

    def _exogenous(self, st: StaticDraws, m: int, sw: _Switches) -> dict[str, np.ndarray | float]:
        cfg = self.config
        shock = np.zeros(cfg.n_firms)
        for event in cfg.events:
            lag = m - month_index(event.month, "month")
            if lag >= 0:
                shock += st.exposures[event.name] * event.size * event.persistence**lag
        out: dict[str, np.ndarray | float] = {
            "age_months": (m - st.created).astype(float),
            "sector_demand": st.sector_demand[m - self._first][st.sector],
            "event_shock": shock, "covid_shock": 0.0, "stw_regime": 0.0, "loan_offer": 0.0,
            "loan_repay": 0.0, "deferral_offer": -np.inf, "deferral_repay": 0.0}
        covid = cfg.covid
        if covid is None or not sw.covid:
            return out
        k = m - self._covid_start
        depth = np.array([covid.demand_depth.get(code, 0.0) for code in cfg.sector_codes])
        out["covid_shock"] = -depth[st.sector] * covid.intensity(k) * st.covid_exposure
        if sw.short_time_work and 0 <= k < covid.stw_months:
            out["stw_regime"] = 1.0
        if sw.guaranteed_loans:
            out["loan_offer"] = 1.0 if 0 <= k < covid.loan_months else 0.0
            out["loan_repay"] = covid.loan_repay(k)
        if sw.deferral:
            out["deferral_offer"] = covid.deferral_logit(k)
            out["deferral_repay"] = (covid.deferral_repay_share
                                     if k >= covid.deferral_repay_start else 0.0)
        return out

    def _run(self, st: StaticDraws, root: np.random.SeedSequence, state: dict[str, np.ndarray],
             months: range, sw: _Switches, record: dict[str, np.ndarray] | None,
             lever: tuple[str, np.ndarray, int] | None = None) -> dict[str, np.ndarray]:
        """Advance ``state`` over absolute ``months``; write recorded nodes (months, firms)."""
        state = {k: v.copy() for k, v in state.items()}
        inputs = dict(st.inputs)
        n = self.config.n_firms
        for m in months:
            newborn = st.created == m
            if newborn.any():
                state["health_lag"][newborn] = (state["_mu"] - 0.5 + 0.5 * st.health_draw)[newborn]
                for key, value in (("liquidity", 0.5 * inputs["cash_target"]),
                                   ("indebtedness", inputs["debt_target"]),
                                   ("capital", inputs["investment_propensity"]),
                                   ("headcount_lag", st.size0)):
                    state[key][newborn] = value[newborn]
                for key in ("demand_idio_lag", "arrears_distress_lag", "arrears_deferred_lag",
                            "loan_taken", "deferral_stock_lag"):
                    state[key][newborn] = 0.0
            if lever is not None and m == lever[2]:
                state_key, policy = _LEVERS[lever[0]]
                inputs[policy] = inputs[policy] + lever[1]
                if state_key is not None:
                    state[state_key] = np.maximum(state[state_key] + lever[1], 0.0)
            values = {**inputs, **self._exogenous(st, m, sw),
                      **{k: state[k] for k in STATE_INPUTS}}
            rng = _rng(root, 1, m)
            noise = {k: self._nodes[k].noise.draw(rng, n) for k in self._noisy}
            out = propagate(self._scm, values, noise, n)
            for key, node in STATE_UPDATE.items():
                state[key] = np.array(out[node], dtype=float)
            state["loan_taken"] = np.maximum(values["loan_taken"], state["loan_taken"])
            if record is not None:
                for key, array in record.items():
                    row = m - self._start if not key.startswith("_") else m - self._first
                    if 0 <= row < array.shape[0]:
                        array[row] = out[key.lstrip("_")]
        return state

    # Simulation ---------------------------------------------------------------------------------
    def simulate(self, seed: int = 0) -> Panel:
        """Simulate every world and assemble the :class:`Panel`.

        Parameters
        ----------
        seed : int
            Same seed, same panel (identical frames).
        """
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        root = np.random.SeedSequence(int(seed))
        cfg, T, n = self.config, self.config.n_months, self.config.n_firms
        st = self._static(root)
        m_all = self._end - self._first + 1
        rec = {k: np.empty((T, n), dtype=np.float64 if k == "health" else np.float32)
               for k in _RECORD}
        for key in ("_margin", "_supplier_delay", "_investment", "_next_liquidity",
                    "_next_indebtedness", "_contributions"):
            rec[key] = np.empty((m_all, n), dtype=np.float32)
        state = self._initial_state(st)
        full = self._full_switches()
        branch = self._covid_start if cfg.covid else self._end + 1
        state = self._run(st, root, state, range(self._first, branch), full, rec)
        healths = {"observed": rec["health"]}
        if cfg.covid is not None:
            self._run(st, root, state, range(branch, self._end + 1), full, rec)
            worlds = {"no_covid": _Switches()}
            if cfg.measure_effects:
                for measure in MEASURES:
                    worlds[f"no_{measure}"] = _Switches(**{**full.__dict__, measure: False})
                worlds["no_support"] = _Switches(covid=True)
            for name, sw in worlds.items():
                h = {"health": rec["health"].copy()}
                self._run(st, root, state, range(branch, self._end + 1), sw, h)
                healths[name] = h["health"]
        return self._assemble(st, rec, healths, int(seed))

    # Calibration --------------------------------------------------------------------------------
    def _at_risk(self, st: StaticDraws) -> np.ndarray:
        return np.arange(self.config.n_months)[:, None] > st.first_t[None, :]

    def _calibrate(self, st: StaticDraws, healths: dict[str, np.ndarray]
                   ) -> tuple[float, dict[int, float], pd.DataFrame]:
        cfg, b = self.config, self.config.hazard_slope
        risk = self._at_risk(st)
        years = self._panel_years()
        base = healths.get("no_covid", healths["observed"])
        b0 = month_index(cfg.base_period[0], "b") - self._start
        b1 = month_index(cfg.base_period[1], "b") - self._start + 1

        def base_rate(a: float) -> float:
            q = _sigmoid(a + b * base[:b1]) * risk[:b1]
            fails, _, before = _expected(q, np.ones(cfg.n_firms))
            exposure = float((before[b0:] * risk[b0:b1]).sum())
            return 12 * float(fails[b0:].sum()) / exposure - cfg.base_failure_rate

        a = brentq(base_rate, -30.0, 10.0, xtol=1e-10)
        theta: dict[int, float] = {}
        rows = []
        if cfg.covid is None:
            return a, theta, pd.DataFrame(rows)
        obs = healths["observed"]
        open_ = self._court_open(True)[:, None]
        # Stages of the decomposition: (health, court freeze applied); theta is never applied.
        stages = {"no_covid": (healths["no_covid"], False), "measures": (obs, False),
                  "modelled": (obs, True)}
        if "no_support" in healths:
            stages["shock"] = (healths["no_support"], False)
        survival = {k: np.ones(cfg.n_firms) for k in (*stages, "observed")}
        covid_t = self._covid_start - self._start
        for year in np.unique(years):
            ts = np.flatnonzero(years == year)
            regime = (ts >= covid_t).astype(float)[:, None]
            expected = {}
            for stage, (h, courts) in stages.items():
                expected[stage], survival[stage] = _expected_year(
                    a + b * h[ts], risk[ts], survival[stage], open_[ts] if courts else None)
            target = cfg.covid.target_ratios.get(int(year))
            shift = 0.0
            if target is not None:
                gap = partial(_gap, a + b * obs[ts], regime, risk[ts], survival["observed"],
                              target * expected["no_covid"], open_[ts])
                if gap(-15.0) > 0 or gap(15.0) < 0:
                    raise ValueError(f"Covid.target_ratios[{year}] = {target} cannot be reached "
                                     f"by a yearly shift of the failure log-odds in [-15, 15]")
                shift = brentq(gap, -15.0, 15.0, xtol=1e-10)
                theta[int(year)] = shift
            e_obs, survival["observed"] = _expected_year(
                a + b * obs[ts] + shift * regime, risk[ts], survival["observed"], open_[ts])
            if year >= self._covid_start // 12:
                e_cf = expected["no_covid"]
                change = e_cf - e_obs
                rows.append({
                    "year": int(year), "target": target, "theta": shift,
                    "expected_failures": e_obs, "expected_failures_no_covid": e_cf,
                    "expected_ratio": e_obs / e_cf,
                    "expected_failures_shock": expected.get("shock", np.nan),
                    "expected_failures_measures": expected["measures"],
                    "expected_failures_modelled": expected["modelled"],
                    "share_measures": (e_cf - expected["measures"]) / change,
                    "share_courts": (expected["measures"] - expected["modelled"]) / change,
                    "share_residual": (expected["modelled"] - e_obs) / change,
                })
        return a, theta, pd.DataFrame(rows)

    def _panel_years(self) -> np.ndarray:
        return (self._start + np.arange(self.config.n_months)) // 12

    def _court_open(self, courts: bool) -> np.ndarray:
        """``1 - f_t`` per panel month: the share of openings of proceedings that happen."""
        covid = self.config.covid
        out = np.ones(self.config.n_months)
        if courts and covid is not None:
            k = self._start + np.arange(self.config.n_months) - self._covid_start
            out -= np.array([covid.court_freeze(int(x)) for x in k])
        return out

    def _hazard(self, h: np.ndarray, a: float, theta: dict[int, float], regime: bool,
                courts: bool | None = None) -> np.ndarray:
        """Monthly hazards of health paths ``h``: with the yearly shifts ``theta`` if
        ``regime`` and the court freeze if ``courts`` (default: as ``regime``)."""
        shift = np.zeros(self.config.n_months)
        if regime and self._covid_start is not None:
            t = np.arange(self.config.n_months)
            for year, value in theta.items():
                shift[(self._panel_years() == year) & (t >= self._covid_start - self._start)] = value
        open_ = self._court_open(regime if courts is None else courts)
        return open_[:, None] * _sigmoid(a + self.config.hazard_slope * h + shift[:, None])

    def _failures(self, st: StaticDraws, hazard: np.ndarray) -> np.ndarray:
        hit = self._at_risk(st) & (st.fail_u < hazard)
        return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)

    # Assembly -----------------------------------------------------------------------------------
    def _assemble(self, st: StaticDraws, rec: dict[str, np.ndarray],
                  healths: dict[str, np.ndarray], seed: int) -> Panel:
        a, theta, calibration = self._calibrate(st, healths)
        hazards, failures = {}, {}
        extra = ["no_courts", "no_regime"] if self.config.covid is not None else []
        for world in [w for w in WORLDS if w in healths or w in extra]:
            source, regime, courts = _HAZARD_RULES[world]
            p = self._hazard(healths[source], a, theta, regime=regime, courts=courts)
            failures[world] = self._failures(st, p)
            hazards[world] = p.astype(np.float32)
        return assemble(self.config, self._calendar, st, rec, healths, hazards, failures, a,
                        theta, calibration, seed)

    # Levers -------------------------------------------------------------------------------------
    def lever_effect(self, panel: Panel, lever: str, delta: float | np.ndarray, month: str,
                     horizon: int = 12) -> pd.DataFrame:
        """True effect of pulling a lever at the end of ``month`` on failure within ``horizon``.

        The firm changes its policy from the next month on and keeps it: ``liquidity``
        raises its cash by ``delta`` months of costs and its cash target as much;
        ``indebtedness`` shifts its debt ratio and target by ``delta`` (negative:
        deleveraging); ``investment_rate`` shifts its investment propensity by ``delta``
        percent of assets a month. The observed world is simulated again with the same
        random numbers and the panel's calibration.

        Parameters
        ----------
        panel : Panel
            A panel simulated by this simulator (its seed and calibration are reused).
        lever : {"liquidity", "indebtedness", "investment_rate"}
        delta : float or array of shape (n_firms,)
            The change, per firm or for all.
        month : str
            ``"YYYY-MM"``: the row at which the recommendation is made.
        horizon : int
            Months after ``month`` over which failure is counted.

        Returns
        -------
        DataFrame
            One row per firm observed alive at ``month``: ``firm_id``, ``p_fail``
            (without the change), ``p_fail_lever``, ``effect`` (their difference; negative
            is protective); NaN if ``month + horizon`` passes the panel end.
        """
        if lever not in _LEVERS:
            raise ValueError(f"lever must be one of {', '.join(_LEVERS)}, got {lever!r}")
        if panel.config != self.config:
            raise ValueError("panel was simulated with another config")
        m = month_index(month, "month")
        if not self._start <= m <= self._end:
            raise ValueError(f"month {month!r} is outside the panel [{self.config.start}, "
                             f"{self.config.end}]")
        shift = np.broadcast_to(np.asarray(delta, dtype=float), (self.config.n_firms,)).copy()
        if not np.isfinite(shift).all():
            raise ValueError("delta must be finite")
        root = np.random.SeedSequence(panel.seed)
        st = self._static(root)
        full = self._full_switches()
        rec = {"health": np.empty((self.config.n_months, self.config.n_firms))}
        self._run(st, root, self._initial_state(st), range(self._first, self._end + 1), full,
                  rec, lever=(lever, shift, m + 1))
        hazard = self._hazard(rec["health"], panel.intercept, panel.theta, regime=True
                              ).astype(np.float32)  # the precision of panel.hazards
        t = m - self._start
        rows = panel.features.index[panel.features["month"] == panel.months[t]]
        firm = panel.features.loc[rows, "firm_id"].to_numpy()
        t_arr = np.full(len(firm), t)
        base = window_failure(panel.hazards["observed"], t_arr, firm, horizon)
        pulled = window_failure(hazard, t_arr, firm, horizon)
        return pd.DataFrame({"firm_id": firm, "p_fail": base, "p_fail_lever": pulled,
                             "effect": pulled - base})

"""The monthly firm-level mechanism as a structural causal model, and its causal graph.

One month of one firm is a cross-sectional :class:`causalxai.causal.scm.SCM`
(:func:`monthly_scm`). Its roots are *inputs* set each month by hard interventions:
the firm's fixed traits (:data:`STATIC_INPUTS`), the month's exogenous values
(:data:`MONTHLY_INPUTS`) and last month's state (:data:`STATE_INPUTS`). Every other
node is a mechanism of month ``t``; the ``next_*`` nodes and the others listed in
:data:`STATE_UPDATE` become the next month's state. The simulator draws a month's noise
from one stream keyed by the month, node by node in a fixed order (:func:`noisy_nodes`),
and evaluates the nodes with :func:`propagate`; two simulated worlds that differ only by
their inputs therefore share every random number (common random numbers).

The mechanism, with ``t`` implicit, ``_lag`` for month ``t - 1``, ``c.`` the
:class:`~causalxai.firms.config.Coefficients` and ``u`` standard normal noise::

    demand_idio  = c.demand_persistence * demand_idio_lag + c.demand_sd * u
    demand       = sector_demand + demand_idio + event_shock + covid_shock
    stw_share    = clip(g * (-demand - k), 0, c.stw_cap)       (g, k: ordinary rule, or
                                                                the COVID rule if stw_regime)
    investment   = investment_propensity * exp(0.3 demand + 0.2 u - 0.02)
    loan_take    ~ Bernoulli(sigmoid(c.loan_logit + c.loan_shortfall * max(0, -demand)
                                 - c.loan_health * health_lag))
                   when loans are offered and none was taken yet (else 0)
    deferral     ~ Bernoulli(sigmoid(deferral_offer + deferral_propensity
                                 + c.deferral_shortfall * max(0, -demand)
                                 - c.deferral_health * health_lag))
                   (deferral_offer = -inf when no deferral is open)
    deferral_stock = max(0, deferral_stock_lag - deferral_repay * s) + deferral * s,
                   s = c.contribution_share  (deferred contributions, months of costs)
    health       = rho * health_lag + (1 - rho) * mu + c.demand_effect * demand
                   + c.stw_effect * stw_share + c.liquidity_effect * (log1p(liquidity) - log1p(2))
                   - c.debt_effect * (indebtedness - 0.5) + c.capital_effect * (capital - 0.4)
                   + c.health_sd * u,
                   mu = c.quality_effect * quality + c.size_effect * size_log + sector_offset
                        - c.youth_penalty * exp(-age_months / c.youth_months)
    next_liquidity    = max(0, liquidity + c.cash_reversion * (cash_target - liquidity)
                        + c.cash_flow * health - c.investment_cash_cost * (investment - 0.4)
                        + loan_take * loan_size - loan_taken * loan_size * loan_repay
                        + (deferral_stock - deferral_stock_lag) + c.cash_sd * u)
    next_indebtedness = clip(indebtedness + c.debt_reversion * (debt_target - indebtedness)
                        - c.debt_flow * health + c.loan_debt * loan_size
                        * (loan_take - loan_taken * loan_repay) + c.debt_sd * u, 0, 3)
    next_capital      = 0.96 capital + 0.04 investment
    headcount_change  = max(1 - headcount_lag, round(headcount_lag * (0.006 health
                        + 0.006 demand * (1 - stw_share) + 0.015 u)))
    headcount         = headcount_lag + headcount_change
    contributions     = c.contribution_rate * headcount * (1 - stw_share)
    arrears_miss      ~ Bernoulli(sigmoid(c.arrears_logit - c.arrears_health * health
                        - c.arrears_liquidity * log1p(liquidity)))   (the month goes unpaid)
    arrears_clear     ~ Bernoulli(sigmoid(c.arrears_clear_logit + 2 health))  (stock repaid)
    arrears_distress  = (1 - arrears_clear) * arrears_distress_lag
                        + arrears_miss * (1 - deferral) * contributions
    arrears_deferred  = max(0, arrears_deferred_lag - deferral_repay * contributions)
                        + deferral * contributions
    arrears           = arrears_distress + arrears_deferred
    payment_score     = 100 * sigmoid(1.2 + health + 0.4 log1p(liquidity) + 0.8 u)
    margin            = 0.05 + margin_offset + 0.03 health + 0.02 u
    supplier_delay    = max(0, 55 + delay_offset - 9 health - 6 log1p(liquidity) + 8 u)

``margin_offset`` and ``delay_offset`` are fixed firm traits (accounting and trade norms)
that make the yearly ratios noisy proxies across firms.

The support measures are interventions on this mechanism: the COVID rule of short-time
work (``stw_regime``) puts idle hours on short-time work, whose payroll no longer weighs on
health; a guaranteed loan adds ``loan_size`` months of costs to the cash (and to the debt)
and takes them back when it is amortised (``loan_repay``, a share of the principal per
month); deferred contributions stay in the firm's cash (``deferral_stock`` grows) until the
repayment plans take them back (``deferral_repay``). Deferred contributions also show as
arrears, a symptom an early-warning model reads as distress.

Failure is not a node of the monthly SCM: its probability
``(1 - court_freeze_t) * sigmoid(a + b * health + theta_year)`` is calibrated after the
paths are simulated (see :mod:`causalxai.firms.simulate`); the court freeze is a mechanism
of the courts and of insolvency law, not of the firm.

:func:`firm_graph` is the one-month summary of this mechanism over the features an
early-warning service holds, with a role for each node (:data:`ROLES`); the tests check
it against the SCM edge by edge (:data:`SUMMARY_OF`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
from scipy.special import expit

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.scm import SCM, Node, normal, zero
from causalxai.firms.config import Coefficients

__all__ = [
    "FEATURE_NODES",
    "MONTHLY_INPUTS",
    "NOISE_ROOTS",
    "ROLES",
    "STATE_INPUTS",
    "STATE_UPDATE",
    "STATIC_INPUTS",
    "SUMMARY_OF",
    "firm_actionability",
    "firm_graph",
    "monthly_scm",
    "noisy_nodes",
    "propagate",
]

#: Fixed traits of a firm (set every month to the same values).
STATIC_INPUTS = ("quality", "size_log", "sector_offset", "cash_target", "debt_target",
                 "investment_propensity", "loan_size", "deferral_propensity", "margin_offset",
                 "delay_offset")
#: Exogenous values of the month (age, sector demand, shocks, regime switches).
MONTHLY_INPUTS = ("age_months", "sector_demand", "event_shock", "covid_shock", "stw_regime",
                  "loan_offer", "loan_repay", "deferral_offer", "deferral_repay")
#: Last month's state.
STATE_INPUTS = ("health_lag", "liquidity", "indebtedness", "capital", "demand_idio_lag",
                "headcount_lag", "arrears_distress_lag", "arrears_deferred_lag", "loan_taken",
                "deferral_stock_lag")
#: Latent standard-normal roots that carry the noise of nonlinear mechanisms.
NOISE_ROOTS = ("investment_noise", "cash_noise", "debt_noise", "headcount_noise",
               "score_noise", "delay_noise")
#: State input <- the node of month t that becomes it (``loan_taken`` also keeps its value).
STATE_UPDATE = {
    "health_lag": "health",
    "liquidity": "next_liquidity",
    "indebtedness": "next_indebtedness",
    "capital": "next_capital",
    "demand_idio_lag": "demand_idio",
    "headcount_lag": "headcount",
    "arrears_distress_lag": "arrears_distress",
    "arrears_deferred_lag": "arrears_deferred",
    "loan_taken": "loan_take",
    "deferral_stock_lag": "deferral_stock",
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return expit(x)


def monthly_scm(coefficients: Coefficients | None = None) -> SCM:
    """The SCM of one firm-month (see the module docstring for the equations).

    Parameters
    ----------
    coefficients : Coefficients, optional
        Defaults to ``Coefficients()``.

    Returns
    -------
    SCM
        Inputs and noise roots are latent roots (inputs with zero noise, to be set by
        :meth:`SCM.do`); observed nodes are those an early-warning service records monthly.
    """
    c = coefficients or Coefficients()
    rho = c.health_persistence
    inputs = [Node(name, noise=zero(), latent=True)
              for name in (*STATIC_INPUTS, *MONTHLY_INPUTS, *STATE_INPUTS)]
    noise = [Node(name, noise=normal(1.0), latent=True) for name in NOISE_ROOTS]

    def stw(p: dict[str, np.ndarray]) -> np.ndarray:
        regime = p["stw_regime"]
        gain = c.stw_gain + (c.stw_gain_covid - c.stw_gain) * regime
        threshold = c.stw_threshold + (c.stw_threshold_covid - c.stw_threshold) * regime
        return np.clip(gain * (-p["demand"] - threshold), 0.0, c.stw_cap)

    def loan(p: dict[str, np.ndarray]) -> np.ndarray:
        logit = (c.loan_logit + c.loan_shortfall * np.maximum(0.0, -p["demand"])
                 - c.loan_health * p["health_lag"])
        return np.where((p["loan_offer"] > 0) & (p["loan_taken"] == 0), logit, -np.inf)

    def health(p: dict[str, np.ndarray]) -> np.ndarray:
        mu = (c.quality_effect * p["quality"] + c.size_effect * p["size_log"]
              + p["sector_offset"]
              - c.youth_penalty * np.exp(-np.maximum(p["age_months"], 0.0) / c.youth_months))
        return (rho * p["health_lag"] + (1 - rho) * mu + c.demand_effect * p["demand"]
                + c.stw_effect * p["stw_share"]
                + c.liquidity_effect * (np.log1p(p["liquidity"]) - np.log1p(2.0))
                - c.debt_effect * (p["indebtedness"] - 0.5)
                + c.capital_effect * (p["capital"] - 0.4))

    def next_liquidity(p: dict[str, np.ndarray]) -> np.ndarray:
        return np.maximum(0.0, p["liquidity"]
                          + c.cash_reversion * (p["cash_target"] - p["liquidity"])
                          + c.cash_flow * p["health"]
                          - c.investment_cash_cost * (p["investment"] - 0.4)
                          + p["loan_take"] * p["loan_size"]
                          - p["loan_taken"] * p["loan_size"] * p["loan_repay"]
                          + p["deferral_stock"] - p["deferral_stock_lag"]
                          + c.cash_sd * p["cash_noise"])

    def next_indebtedness(p: dict[str, np.ndarray]) -> np.ndarray:
        return np.clip(p["indebtedness"]
                       + c.debt_reversion * (p["debt_target"] - p["indebtedness"])
                       - c.debt_flow * p["health"]
                       + c.loan_debt * p["loan_size"]
                       * (p["loan_take"] - p["loan_taken"] * p["loan_repay"])
                       + c.debt_sd * p["debt_noise"], 0.0, 3.0)

    def headcount_change(p: dict[str, np.ndarray]) -> np.ndarray:
        n = p["headcount_lag"]
        rate = (0.006 * p["health"] + 0.006 * p["demand"] * (1 - p["stw_share"])
                + 0.015 * p["headcount_noise"])
        return np.maximum(1.0 - n, np.round(n * rate))

    def arrears_miss(p: dict[str, np.ndarray]) -> np.ndarray:
        return (c.arrears_logit - c.arrears_health * p["health"]
                - c.arrears_liquidity * np.log1p(p["liquidity"]))

    def node(name: str, parents: tuple[str, ...], f, *, noise_=None, latent=True,
             link: str = "identity") -> Node:
        default = zero() if link == "identity" else None
        return Node(name, parents, f, noise_ if noise_ is not None else default,
                    latent=latent, link=link)

    mechanisms = [
        node("demand_idio", ("demand_idio_lag",),
             lambda p: c.demand_persistence * p["demand_idio_lag"], noise_=normal(c.demand_sd)),
        node("demand", ("sector_demand", "demand_idio", "event_shock", "covid_shock"),
             lambda p: p["sector_demand"] + p["demand_idio"] + p["event_shock"]
             + p["covid_shock"]),
        node("stw_share", ("demand", "stw_regime"), stw, latent=False),
        node("investment", ("investment_propensity", "demand", "investment_noise"),
             lambda p: p["investment_propensity"]
             * np.exp(0.3 * p["demand"] + 0.2 * p["investment_noise"] - 0.02)),
        node("loan_take", ("loan_offer", "loan_taken", "demand", "health_lag"), loan,
             link="bernoulli_logit"),
        node("deferral", ("deferral_offer", "deferral_propensity", "demand", "health_lag"),
             lambda p: p["deferral_offer"] + p["deferral_propensity"]
             + c.deferral_shortfall * np.maximum(0.0, -p["demand"])
             - c.deferral_health * p["health_lag"], link="bernoulli_logit"),
        node("deferral_stock", ("deferral_stock_lag", "deferral_repay", "deferral"),
             lambda p: np.maximum(0.0, p["deferral_stock_lag"]
                                  - p["deferral_repay"] * c.contribution_share)
             + p["deferral"] * c.contribution_share),
        node("health", ("health_lag", "quality", "size_log", "sector_offset", "age_months",
                        "demand", "stw_share", "liquidity", "indebtedness", "capital"),
             health, noise_=normal(c.health_sd)),
        node("next_liquidity", ("liquidity", "cash_target", "health", "investment", "loan_take",
                                "loan_taken", "loan_size", "loan_repay", "deferral_stock",
                                "deferral_stock_lag", "cash_noise"), next_liquidity),
        node("next_indebtedness", ("indebtedness", "debt_target", "health", "loan_take",
                                   "loan_taken", "loan_size", "loan_repay", "debt_noise"),
             next_indebtedness),
        node("next_capital", ("capital", "investment"),
             lambda p: 0.96 * p["capital"] + 0.04 * p["investment"]),
        node("headcount_change", ("headcount_lag", "health", "demand", "stw_share",
                                  "headcount_noise"), headcount_change, latent=False),
        node("headcount", ("headcount_lag", "headcount_change"),
             lambda p: p["headcount_lag"] + p["headcount_change"], latent=False),
        node("contributions", ("headcount", "stw_share"),
             lambda p: c.contribution_rate * p["headcount"] * (1 - p["stw_share"]),
             latent=False),
        node("arrears_miss", ("health", "liquidity"), arrears_miss, link="bernoulli_logit"),
        node("arrears_clear", ("health",),
             lambda p: c.arrears_clear_logit + 2.0 * p["health"], link="bernoulli_logit"),
        node("arrears_distress", ("arrears_distress_lag", "arrears_clear", "arrears_miss",
                                  "deferral", "contributions"),
             lambda p: (1 - p["arrears_clear"]) * p["arrears_distress_lag"]
             + p["arrears_miss"] * (1 - p["deferral"]) * p["contributions"]),
        node("arrears_deferred", ("arrears_deferred_lag", "deferral_repay", "deferral",
                                  "contributions"),
             lambda p: np.maximum(0.0, p["arrears_deferred_lag"]
                                  - p["deferral_repay"] * p["contributions"])
             + p["deferral"] * p["contributions"]),
        node("arrears", ("arrears_distress", "arrears_deferred"),
             lambda p: p["arrears_distress"] + p["arrears_deferred"], latent=False),
        node("payment_score", ("health", "liquidity", "score_noise"),
             lambda p: 100 * _sigmoid(1.2 + p["health"] + 0.4 * np.log1p(p["liquidity"])
                                      + 0.8 * p["score_noise"]), latent=False),
        node("margin", ("health", "margin_offset"),
             lambda p: 0.05 + p["margin_offset"] + 0.03 * p["health"], noise_=normal(0.02)),
        node("supplier_delay", ("health", "liquidity", "delay_offset", "delay_noise"),
             lambda p: np.maximum(0.0, 55 + p["delay_offset"] - 9 * p["health"]
                                  - 6 * np.log1p(p["liquidity"]) + 8 * p["delay_noise"])),
    ]
    return SCM([*inputs, *noise, *mechanisms])


def noisy_nodes(scm: SCM, inputs: Iterable[str]) -> tuple[str, ...]:
    """The nodes of ``scm`` other than ``inputs`` whose noise is not zero, in topological
    order (the order in which :func:`propagate` expects their noise to be drawn)."""
    skip = set(inputs)
    return tuple(name for name, node in scm.nodes.items()
                 if name not in skip and node.noise.kind != "zero")


def _vector(value: object, n: int) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.shape == (n,) and value.dtype == np.float64:
        return value
    return np.broadcast_to(np.asarray(value, dtype=float), (n,))


def propagate(scm: SCM, inputs: Mapping[str, np.ndarray | float],
              noise: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Evaluate every node of ``scm`` given its inputs (hard-set nodes) and the noise.

    This is what ``scm.do({k: Set(v)}).counterfactual(..., noise)`` computes (the tests
    check that the values are identical), without building data frames: the simulator
    calls it once per month on all firms.

    Parameters
    ----------
    scm : SCM
        A model such as :func:`monthly_scm`.
    inputs : mapping
        Node -> value (scalar or array of length ``n``) for every hard-set node.
    noise : mapping
        Node -> noise array for the nodes of :func:`noisy_nodes` (uniform draws for
        ``bernoulli_logit`` nodes); zero-noise nodes need none.
    n : int
        Number of units.

    Returns
    -------
    dict of str to ndarray
        Every node's values, inputs included.
    """
    values: dict[str, np.ndarray] = {k: _vector(v, n) for k, v in inputs.items()}
    for name, node in scm.nodes.items():
        if name in values:
            continue
        if node.noise.kind != "zero" and name not in noise:
            raise ValueError(f"no noise given for node {name!r}")
        base = (np.zeros(n) if node.f is None
                else _vector(node.f({p: values[p] for p in node.parents}), n))
        if node.link == "bernoulli_logit":
            values[name] = (noise[name] < _sigmoid(base)).astype(float)
        elif node.noise.kind == "zero":
            values[name] = base
        else:
            values[name] = base + noise[name]
    return values


# The summary graph ----------------------------------------------------------------------------
#: Role -> meaning, for the nodes of :func:`firm_graph`.
ROLES = {
    "lever": "a decision of the firm that causes its health: what a recommendation can move",
    "support measure": "a public scheme taken up by the firm (short-time work, state-guaranteed "
                       "loan, deferral of social contributions)",
    "symptom": "a consequence of poor health: it predicts failure, changing it changes nothing",
    "proxy": "a measurement of health or size: predictive, no effect of its own",
    "confounder": "a common cause of levers and health that the data do not hold",
    "non-actionable": "a cause the firm cannot change (sector, size, age)",
    "shock": "an exogenous demand shock (sector cycle, sector event, COVID)",
    "regime": "the calendar switch of the COVID regime: its schemes, their repayment and the "
              "court freeze",
    "state": "last month's latent health, which shaped the current levers",
    "outcome": "the latent health and the failure it drives",
}

# node: (role, latent, feature columns of Panel.features, description)
_NODES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "sector": ("non-actionable", False, ("sector",), "branch of activity"),
    "size": ("non-actionable", False, ("size",), "headcount when first observed"),
    "age_years": ("non-actionable", False, ("age_years",), "years since creation"),
    "quality": ("confounder", True, (), "management and product quality"),
    "sector_demand": ("shock", True, (), "sector demand cycle"),
    "event_shock": ("shock", True, (), "sector events (e.g. energy prices), by exposure"),
    "covid_shock": ("shock", True, (), "COVID demand drop, by sector and exposure"),
    "covid_regime": ("regime", False, (), "COVID regime switch: schemes open, loans and "
                     "deferrals repaid, court freeze"),
    "demand": ("confounder", True, (), "the firm's demand this month"),
    "health_lag": ("state", True, (), "health last month"),
    "liquidity": ("lever", False, ("liquidity",),
                  "cash buffer (months of costs); the feature is the last published year-end"),
    "indebtedness": ("lever", False, ("indebtedness",),
                     "debt over assets; the feature is the last published year-end"),
    "investment_rate": ("lever", False, ("investment_rate",),
                        "investment effort (capital it built); the feature is yearly"),
    "stw_hours": ("support measure", False, ("stw_hours",), "short-time work hours"),
    "guaranteed_loan": ("support measure", True, (), "state-guaranteed loan taken"),
    "contribution_deferral": ("support measure", True, (),
                              "social contributions deferred (kept as cash until repaid)"),
    "health": ("outcome", True, (), "latent financial health"),
    "failure": ("outcome", False, (), "opening of collective proceedings"),
    "arrears_ratio": ("symptom", False, ("arrears_ratio", "arrears", "contributions"),
                      "social-contribution arrears over mean monthly contributions"),
    "payment_score": ("symptom", False, ("payment_score",), "payment-behaviour score"),
    "supplier_delay": ("symptom", False, ("supplier_delay",),
                       "supplier payment delay (days); yearly statement"),
    "headcount_change": ("symptom", False, ("headcount_change",), "monthly change in headcount"),
    "headcount": ("proxy", False, ("headcount",), "headcount this month"),
    "profitability": ("proxy", False, ("profitability",), "operating margin; yearly statement"),
}

_EDGES: dict[str, tuple[str, ...]] = {
    "sector": ("sector_demand", "event_shock", "covid_shock", "size", "health"),
    "sector_demand": ("demand",),
    "event_shock": ("demand",),
    "covid_shock": ("demand",),
    "covid_regime": ("stw_hours", "guaranteed_loan", "contribution_deferral", "arrears_ratio",
                     "liquidity", "indebtedness", "failure"),
    "quality": ("health", "health_lag", "liquidity", "indebtedness", "investment_rate"),
    "size": ("health", "headcount"),
    "age_years": ("health",),
    "demand": ("health", "stw_hours", "investment_rate", "guaranteed_loan",
               "contribution_deferral", "headcount_change"),
    "health_lag": ("health", "liquidity", "indebtedness", "headcount", "arrears_ratio",
                   "guaranteed_loan", "contribution_deferral"),
    "liquidity": ("health", "arrears_ratio", "payment_score", "supplier_delay"),
    "indebtedness": ("health",),
    "investment_rate": ("health", "liquidity"),
    "guaranteed_loan": ("liquidity", "indebtedness"),
    "stw_hours": ("health", "headcount_change", "arrears_ratio"),
    "contribution_deferral": ("arrears_ratio", "liquidity"),
    "health": ("failure", "arrears_ratio", "payment_score", "supplier_delay", "profitability",
               "headcount_change"),
    "headcount_change": ("headcount",),
    "headcount": ("arrears_ratio",),
}

#: SCM node -> summary node (None: history or noise, not a node of the summary). The
#: ``next_*`` nodes belong to the next month: their parents map through ``health -> health_lag``.
SUMMARY_OF: dict[str, str | None] = {
    "quality": "quality", "size_log": "size", "sector_offset": "sector",
    "cash_target": "liquidity", "debt_target": "indebtedness",
    "investment_propensity": "investment_rate", "loan_size": "guaranteed_loan",
    "deferral_propensity": "contribution_deferral", "margin_offset": "profitability",
    "delay_offset": "supplier_delay",
    "age_months": "age_years", "sector_demand": "sector_demand", "event_shock": "event_shock",
    "covid_shock": "covid_shock", "stw_regime": "covid_regime", "loan_offer": "covid_regime",
    "deferral_offer": "covid_regime", "deferral_repay": "covid_regime",
    "loan_repay": "covid_regime", "deferral_stock_lag": "contribution_deferral",
    "deferral_stock": "contribution_deferral",
    "health_lag": "health_lag", "liquidity": "liquidity", "indebtedness": "indebtedness",
    "capital": "investment_rate", "demand_idio_lag": "demand", "headcount_lag": None,
    "arrears_distress_lag": "arrears_ratio", "arrears_deferred_lag": "arrears_ratio",
    "loan_taken": "guaranteed_loan", "demand_idio": "demand", "demand": "demand",
    "stw_share": "stw_hours", "investment": "investment_rate", "loan_take": "guaranteed_loan",
    "deferral": "contribution_deferral", "health": "health",
    "next_liquidity": "liquidity", "next_indebtedness": "indebtedness",
    "next_capital": "investment_rate", "headcount_change": "headcount_change",
    "headcount": "headcount", "contributions": "arrears_ratio",
    "arrears_distress": "arrears_ratio", "arrears_deferred": "arrears_ratio",
    "arrears_miss": "arrears_ratio", "arrears_clear": "arrears_ratio",
    "arrears": "arrears_ratio", "payment_score": "payment_score", "margin": "profitability",
    "supplier_delay": "supplier_delay",
    **dict.fromkeys(NOISE_ROOTS),
}

#: The observed nodes of :func:`firm_graph` that are columns of ``Panel.features``.
FEATURE_NODES = tuple(n for n, (_, latent, cols, _) in _NODES.items() if cols and not latent)


def firm_graph() -> nx.DiGraph:
    """The causal graph of one firm-month over the service's features, with node roles.

    Returns
    -------
    networkx.DiGraph
        A DAG. Node attributes: ``role`` (a key of :data:`ROLES`), ``latent`` (not in the
        data), ``columns`` (the columns of ``Panel.features`` that measure it) and
        ``description``. Levers and the states they come from are last month's values
        (``liquidity`` is the cash entering the month), so the graph is acyclic; the
        yearly features measure them with a publication lag. With ``outcome="health"``,
        :func:`causalxai.causal.validity.validity_labels` labels the symptoms and proxies as
        symptoms; the levers come out confounded by the latent ``health_lag`` and
        ``quality``.
    """
    graph = nx.DiGraph()
    for name, (role, latent, columns, description) in _NODES.items():
        graph.add_node(name, role=role, latent=latent, columns=columns,
                       description=description)
    for parent, children in _EDGES.items():
        graph.add_edges_from((parent, child) for child in children)
    return graph


def firm_actionability() -> ActionabilitySchema:
    """What a firm can change among :data:`FEATURE_NODES` (levers and short-time work)."""
    spec: dict[str, dict[str, object]] = {}
    for name in FEATURE_NODES:
        spec[name] = {"actionable": False}
    spec["liquidity"] = {"actionable": True, "direction": "increase", "low": 0.0}
    spec["indebtedness"] = {"actionable": True, "direction": "decrease", "low": 0.0}
    spec["investment_rate"] = {"actionable": True, "direction": "both", "low": 0.0}
    spec["stw_hours"] = {"actionable": True, "direction": "both", "low": 0.0}
    return ActionabilitySchema.from_dict({"features": spec})

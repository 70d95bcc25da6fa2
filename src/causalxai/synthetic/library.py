"""The library of named synthetic scenarios of Part II, by family, and its registry.

The library :data:`SCENARIOS` reproduces, one at a time, the ways in which reading SHAP
values as "what to change" goes wrong; :func:`make_scenario` builds one by name:

========================== ========================= =====================================
name                       family                    what goes wrong
========================== ========================= =====================================
observed_confounding       confounding               a recorded common cause lends its
                                                     effect to a weak lever
unobserved_confounding     confounding               an unrecorded cause flips the sign of
                                                     a lever (short-time work)
mediator                   mediators and symptoms    the mediator takes the credit of the
                                                     lever behind it
symptom                    mediators and symptoms    consequences of distress predict it
                                                     best and cannot change it
collider                   mediators and symptoms    a flag caused by debt and distress
                                                     makes debt look protective
non_actionable_correlated  non-actionable and        the biggest attributions go to age and
                           redundant                 sector, and leak onto correlated levers
redundant_features         non-actionable and        two measurements of one ratio split its
                           redundant                 credit; only one is the cause
heterogeneous              heterogeneity             one average attribution for an effect
                                                     that depends on exposure and saturates
subscriber_retention       anchor                    shap's own subscriber-retention example
                                                     (Dillon et al.), reproduced faithfully
firm_distress_toy          toy                       all the above at once, linear
========================== ========================= =====================================

The subscriber-retention model
------------------------------
:func:`subscriber_retention` transcribes ``generator(n, fixed={}, seed=0)`` of the shap
notebook "Be careful when interpreting predictive models in search of causal insights"
(E. Dillon, J. LaRiviere, S. Lundberg, J. Roth, V. Syrgkanis). Each random draw of the
original becomes the exogenous noise of a node; where the original is not "mechanism +
additive noise" (a rounded or Poisson draw, a multiplicative or squashed noise) the draw
is a latent root ``*_draw``/``*_shock`` (listed in :attr:`Scenario.noise_nodes`) and the
variable is a noiseless function of its parents and of that draw. ``U(a, b)`` is uniform,
``N(0, 1)`` standard normal, ``expit`` the logistic function, ``F^-1_Pois(u; m)`` the
Poisson(m) quantile function (inverse CDF) at ``u ~ U(0, 1)``, which gives exactly the
Poisson(m) distribution given the parents:

=========================================================== ===================================
original line (``X[...] = ...``)                            nodes
=========================================================== ===================================
Sales calls = uniform(0, 4).round()                         sales_calls_draw ~ U(0, 4) (latent);
                                                            sales_calls = round(sales_calls_draw)
Interactions = Sales calls + poisson(0.2)                   interactions_draw ~ U(0, 1) (latent);
                                                            interactions = sales_calls +
                                                            F^-1_Pois(interactions_draw; 0.2)
Economy = uniform(0, 1)                                     economy = U(0, 1)
Last upgrade = uniform(0, 20)                               last_upgrade = U(0, 20)
Product need = Sales calls * 0.1 + normal(0, 1)             product_need (latent) =
                                                            0.1 sales_calls + N(0, 1)
Discount = ((1 - expit(Product need)) * 0.5                 discount = 0.25 (1 - expit(need))
           + 0.5 * uniform(0, 1)) / 2                       + U(0, 0.25)
Monthly usage = expit(Product need * 0.3 + normal(0, 1))    monthly_usage_shock ~ N(0, 1) (latent);
                                                            monthly_usage = expit(0.3 need + shock)
Ad spend = Monthly usage * uniform(0.99, 0.9)               ad_spend_factor ~ U(0.9, 0.99) (latent);
           + (Last upgrade < 1) + (Last upgrade < 2)        ad_spend = monthly_usage * factor
                                                            + 1[last_upgrade < 1] + 1[... < 2]
Bugs faced = poisson(Monthly usage * 2)                     bugs_faced_draw ~ U(0, 1) (latent);
                                                            bugs_faced (latent) =
                                                            F^-1_Pois(draw; 2 monthly_usage) [*]
Bugs reported = (Bugs faced * expit(Product need)).round()  bugs_reported =
                                                            round(bugs_faced expit(need))
Did renew = bernoulli(expit(7 * (0.18 Product need          renew_shock ~ N(0, 1) (latent);
  + 0.08 Monthly usage + 0.1 Economy + 0.05 Discount        did_renew = 1[U < expit(index)],
  + 0.05 normal(0, 1) + 0.05 (1 - Bugs faced / 20)          index = 7 (... + 0.05 renew_shock
  + 0.005 Sales calls + 0.015 Interactions                  + ...), link "bernoulli_logit"
  + 0.1 / (Last upgrade / 4 + 0.25)
  + Ad spend * 0.0 - 0.45)))
=========================================================== ===================================

[*] The mean is clipped at 0, which matters only under an intervention pushing usage
below 0, where the original would fail. ``Ad spend * 0.0`` is left out: it is no edge (the notebook's graph has none). As in the
notebook, Product need and Bugs faced are unobserved. The notebook quotes no numbers for
the true effects, only their signs, which the tests check: Bugs reported and Ad spend have
none, Discount a small positive one, Economy a positive one, and the effect of a Bug faced
is negative. (Numpy's legacy ``uniform(0.99, 0.9)`` draws from ``(0.9, 0.99]``.)
"""


from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable

import numpy as np

from causalxai.causal.scm import SCM, Node, normal, uniform, zero
from causalxai.synthetic.scenarios import (
    FIXED,
    Scenario,
    _checked,
    _expit,
    _linear_scm,
    _schema,
    firm_distress_toy,
    poisson_quantile,
)

__all__ = [
    "SCENARIOS",
    "collider",
    "heterogeneous",
    "make_scenario",
    "mediator",
    "non_actionable_correlated",
    "observed_confounding",
    "redundant_features",
    "subscriber_retention",
    "symptom",
    "unobserved_confounding",
]


# Confounding -----------------------------------------------------------------------------------
def observed_confounding(
    *,
    cash_effect: float = -0.2,
    debt_effect: float = 0.4,
    demand_effect: float = -0.8,
    confounding_strength: float = 1.0,
    noise: float = 1.0,
) -> Scenario:
    """Sector demand, recorded in the data, drives both the cash buffer and distress.

    Graph: ``sector_demand -> cash_buffer -> distress <- sector_demand``,
    ``debt_ratio -> distress``; linear-Gaussian. The cash buffer has a small effect of its
    own and is strongly correlated with demand (weight ``0.9 * confounding_strength``, its
    own noise 0.5), so a model that spreads credit among correlated features (trees,
    regularisation) lends it part of demand's effect. Adjusting for the recorded
    confounder recovers the truth (the back-door criterion holds).

    Parameters
    ----------
    cash_effect, debt_effect : float
        Direct (= total) effects on distress of the cash buffer and of the debt ratio.
    demand_effect : float
        Direct effect of demand on distress, times ``confounding_strength``.
    confounding_strength : float
        Scales both edges out of demand (``>= 0``; 0: no confounding).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        cash_effect=cash_effect, debt_effect=debt_effect, demand_effect=demand_effect,
        confounding_strength=confounding_strength, noise=noise,
    )
    cash, debt, demand, c, s = params.values()
    scm = _linear_scm(
        {
            ("sector_demand", "cash_buffer"): 0.9 * c,
            ("sector_demand", "distress"): demand * c,
            ("cash_buffer", "distress"): cash,
            ("debt_ratio", "distress"): debt,
        },
        {"cash_buffer": 0.5, "distress": s},
    )
    roles = {"sector_demand": "confounder", "cash_buffer": "lever", "debt_ratio": "lever"}
    story = (
        "Firms in sectors with buoyant demand pile up cash and are seldom distressed; "
        "demand is recorded (a sector demand index). Holding more cash helps only a "
        "little, far less than the raw association between cash and distress suggests, "
        "because most of that association is demand's. A model fitted to the data sees "
        "two highly correlated features and may hand the cash buffer the credit of the "
        "demand behind it; SHAP then advertises cash hoarding as the remedy. The debt "
        "ratio is a clean lever for comparison."
    )
    schema = _schema({
        "sector_demand": {**FIXED, "tier": 0},
        "cash_buffer": {"actionable": True, "direction": "increase", "low": 0.0, "tier": 1},
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
    })
    return Scenario(
        "observed_confounding", scm, "distress", roles, story, schema,
        params=params,
        family="confounding",
        failure="a recorded common cause lends its effect to a correlated, weak lever",
    )


def unobserved_confounding(
    *,
    stw_effect: float = -0.3,
    cash_effect: float = -0.5,
    confounding_strength: float = 1.0,
    noise: float = 1.0,
) -> Scenario:
    """An unrecorded order shock drives both short-time work and distress.

    Graph: ``order_shock (latent) -> short_time_work -> distress <- order_shock``,
    ``cash_buffer -> distress``; linear-Gaussian, edges of the shock ``0.8 *
    confounding_strength``. Short-time work relieves distress (``stw_effect < 0``) yet,
    with the default strength, is positively associated with it: the sign flips, and no
    adjustment on the observed data can fix it.

    Parameters
    ----------
    stw_effect, cash_effect : float
        Effects on distress of the short-time-work take-up and of the cash buffer.
    confounding_strength : float
        Scales both edges of the latent order shock (``>= 0``).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        stw_effect=stw_effect, cash_effect=cash_effect,
        confounding_strength=confounding_strength, noise=noise,
    )
    stw, cash, c, s = params.values()
    scm = _linear_scm(
        {
            ("order_shock", "short_time_work"): 0.8 * c,
            ("order_shock", "distress"): 0.8 * c,
            ("short_time_work", "distress"): stw,
            ("cash_buffer", "distress"): cash,
        },
        {"distress": s},
        latent=("order_shock",),
    )
    roles = {"short_time_work": "confounded lever", "cash_buffer": "lever"}
    story = (
        "When orders collapse, a firm puts staff on short-time work (the share of hours "
        "subsidised, standardised) and its distress rises. The collapse of orders itself "
        "is not in the data. Short-time work preserves cash and skills and so lowers "
        "distress, yet firms on short-time work are the distressed ones: a model, and SHAP "
        "with it, learns that short-time work goes with distress and would advise against "
        "it. The cash buffer is an unconfounded lever for comparison."
    )
    schema = _schema({
        "short_time_work": {"actionable": True, "direction": "both", "low": 0.0, "tier": 1},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
    })
    return Scenario(
        "unobserved_confounding", scm, "distress", roles, story, schema,
        params=params,
        family="confounding",
        failure="an unrecorded cause of a lever and of distress flips the lever's sign",
    )


# Mediators, symptoms, colliders ----------------------------------------------------------------
def mediator(
    *,
    debt_to_interest: float = 0.9,
    interest_effect: float = 0.6,
    cash_effect: float = -0.4,
    mediator_noise: float = 0.3,
    noise: float = 1.0,
) -> Scenario:
    """Debt acts on distress only through the interest burden it creates.

    Graph: ``debt_ratio -> interest_burden -> distress <- cash_buffer``, no edge from
    debt to distress; linear-Gaussian. The total effect of debt is
    ``debt_to_interest * interest_effect``, but given the interest burden debt carries no
    information on distress: a model with both features gives debt about zero credit.

    Parameters
    ----------
    debt_to_interest : float
        Effect of the debt ratio on the interest burden.
    interest_effect, cash_effect : float
        Effects on distress of the interest burden and of the cash buffer.
    mediator_noise : float
        Standard deviation of the interest burden's own noise (rates, maturities;
        ``> 0``); small values make debt and interest nearly redundant.
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        debt_to_interest=debt_to_interest, interest_effect=interest_effect,
        cash_effect=cash_effect, mediator_noise=mediator_noise, noise=noise,
    )
    a, b, cash, m, s = params.values()
    scm = _linear_scm(
        {
            ("debt_ratio", "interest_burden"): a,
            ("interest_burden", "distress"): b,
            ("cash_buffer", "distress"): cash,
        },
        {"interest_burden": m, "distress": s},
    )
    roles = {
        "debt_ratio": "lever via mediator",
        "interest_burden": "mediator",
        "cash_buffer": "lever",
    }
    story = (
        "Debt weighs on a firm through the interest it must pay: the debt ratio raises the "
        "interest burden (interest over operating income), which raises distress; debt has "
        "no other channel. Both are in the data. Given the interest burden, the debt ratio "
        "tells the model nothing more, so SHAP credits the interest burden and leaves debt "
        "with almost nothing, although paying down debt is the lever that lowers the "
        "burden. Cutting the interest burden directly (renegotiating rates) is a lever too."
    )
    schema = _schema({
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
        "interest_burden": {"actionable": True, "direction": "decrease", "tier": 2},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
    })
    return Scenario(
        "mediator", scm, "distress", roles, story, schema,
        params=params,
        family="mediators and symptoms",
        failure="the mediator takes the credit of the lever behind it (debt gets ~0)",
    )


def symptom(
    *,
    cash_effect: float = -0.5,
    debt_effect: float = 0.4,
    late_payment_strength: float = 0.9,
    arrears_strength: float = 0.7,
    symptom_noise: float = 0.4,
    noise: float = 1.0,
) -> Scenario:
    """Late payments and social-security arrears are consequences of distress.

    Graph: ``cash_buffer -> distress <- debt_ratio``, ``distress -> late_payments``,
    ``distress -> social_security_arrears``; linear-Gaussian. The symptoms have no effect
    on distress, but they are its best predictors (little noise of their own).

    Parameters
    ----------
    cash_effect, debt_effect : float
        Effects of the two levers on distress.
    late_payment_strength, arrears_strength : float
        Effects of distress on the two symptoms.
    symptom_noise : float
        Standard deviation of the symptoms' own noise (``> 0``; arrears get 1.25 times it).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        cash_effect=cash_effect, debt_effect=debt_effect,
        late_payment_strength=late_payment_strength, arrears_strength=arrears_strength,
        symptom_noise=symptom_noise, noise=noise,
    )
    cash, debt, lp, ar, sn, s = params.values()
    scm = _linear_scm(
        {
            ("cash_buffer", "distress"): cash,
            ("debt_ratio", "distress"): debt,
            ("distress", "late_payments"): lp,
            ("distress", "social_security_arrears"): ar,
        },
        {"distress": s, "late_payments": sn, "social_security_arrears": 1.25 * sn},
    )
    roles = {
        "cash_buffer": "lever",
        "debt_ratio": "lever",
        "late_payments": "symptom",
        "social_security_arrears": "symptom",
    }
    story = (
        "A distressed firm stretches its suppliers and falls behind on social-security "
        "contributions: late payments and arrears are recorded quickly and predict "
        "distress better than anything else. SHAP ranks them first, yet paying suppliers "
        "on time or settling the arrears (with borrowed money) does not make the firm "
        "healthier. Its cash buffer and its debt, whose credit the symptoms absorb, are "
        "the levers."
    )
    schema = _schema({
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
        # The firm can pay sooner: only the graph says that it would not help.
        "late_payments": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 3},
        "social_security_arrears": {"actionable": True, "direction": "decrease", "low": 0.0,
                                    "tier": 3},
    })
    return Scenario(
        "symptom", scm, "distress", roles, story, schema,
        params=params,
        family="mediators and symptoms",
        failure="consequences of distress predict it best but cannot change it",
    )


def collider(
    *,
    debt_effect: float = 0.3,
    cash_effect: float = -0.5,
    watchlist_debt: float = 1.0,
    watchlist_distress: float = 1.0,
    watchlist_noise: float = 0.5,
    noise: float = 1.0,
) -> Scenario:
    """A bank watch-list score is raised both by high debt and by signs of distress.

    Graph: ``debt_ratio -> distress <- cash_buffer``, ``debt_ratio -> bank_watchlist <-
    distress``; linear-Gaussian. The watch-list score is a collider on the path
    ``debt_ratio -> bank_watchlist <- distress``: among firms with the same score, those
    with more debt were put there by their debt, not by distress, so a model that uses the
    score learns that debt goes with *less* distress. With the defaults the regression
    coefficient of debt given the score is
    ``debt_effect - k * (watchlist_debt + watchlist_distress * debt_effect)`` with
    ``k = watchlist_distress * noise**2 / (watchlist_distress**2 * noise**2 +
    watchlist_noise**2)``, i.e. ``0.3 - 0.8 * 1.3 = -0.74``: the wrong sign.

    Parameters
    ----------
    debt_effect, cash_effect : float
        Effects of the debt ratio and the cash buffer on distress.
    watchlist_debt, watchlist_distress : float
        Weights of debt and of distress in the watch-list score.
    watchlist_noise : float
        Standard deviation of the score's own noise (``> 0``).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        debt_effect=debt_effect, cash_effect=cash_effect, watchlist_debt=watchlist_debt,
        watchlist_distress=watchlist_distress, watchlist_noise=watchlist_noise, noise=noise,
    )
    debt, cash, wd, wy, wn, s = params.values()
    scm = _linear_scm(
        {
            ("debt_ratio", "distress"): debt,
            ("cash_buffer", "distress"): cash,
            ("debt_ratio", "bank_watchlist"): wd,
            ("distress", "bank_watchlist"): wy,
        },
        {"distress": s, "bank_watchlist": wn},
    )
    roles = {"debt_ratio": "lever", "cash_buffer": "lever", "bank_watchlist": "collider"}
    story = (
        "The house bank keeps a watch-list score of its clients: it rises with the firm's "
        "leverage and with early signs of distress (overdrafts, covenant breaches). The "
        "score is in the data and predicts distress well. Debt does raise distress, but "
        "among firms with the same score those with high debt are there because of their "
        "debt and those with low debt because of distress: given the score, more debt "
        "goes with less distress. A model that uses the score, and SHAP with it, tells the "
        "firm that borrowing more would lower its distress."
    )
    schema = _schema({
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
        "bank_watchlist": {**FIXED, "tier": 3},
    })
    return Scenario(
        "collider", scm, "distress", roles, story, schema,
        params=params,
        family="mediators and symptoms",
        failure="conditioning on a flag caused by debt and distress makes debt look protective",
    )


# Non-actionable and redundant ------------------------------------------------------------------
def non_actionable_correlated(
    *,
    age_effect: float = -0.6,
    sector_effect: float = 0.7,
    cash_effect: float = -0.3,
    debt_effect: float = 0.3,
    confounding_strength: float = 1.0,
    noise: float = 1.0,
) -> Scenario:
    """Firm age and sector risk, which no firm can change, carry most of the signal.

    Graph: ``firm_age -> cash_buffer``, ``sector_risk -> debt_ratio`` (weights ``0.7 *
    confounding_strength`` and ``0.6 * confounding_strength``) and all four features ->
    ``distress``; linear-Gaussian. The largest attributions go to age and sector; part
    of their effect leaks onto the correlated, actionable cash buffer and debt ratio.

    Parameters
    ----------
    age_effect, sector_effect : float
        Direct effects on distress of firm age and sector risk.
    cash_effect, debt_effect : float
        Effects on distress of the two levers.
    confounding_strength : float
        Scales the edges from age to cash and from sector risk to debt (``>= 0``).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        age_effect=age_effect, sector_effect=sector_effect, cash_effect=cash_effect,
        debt_effect=debt_effect, confounding_strength=confounding_strength, noise=noise,
    )
    age, sector, cash, debt, c, s = params.values()
    scm = _linear_scm(
        {
            ("firm_age", "cash_buffer"): 0.7 * c,
            ("sector_risk", "debt_ratio"): 0.6 * c,
            ("firm_age", "distress"): age,
            ("sector_risk", "distress"): sector,
            ("cash_buffer", "distress"): cash,
            ("debt_ratio", "distress"): debt,
        },
        {"distress": s},
    )
    roles = {
        "firm_age": "non-actionable",
        "sector_risk": "non-actionable",
        "cash_buffer": "lever",
        "debt_ratio": "lever",
    }
    story = (
        "Young firms and firms in risky sectors (construction, hospitality) are the most "
        "fragile; older firms have had time to build a cash buffer, and risky sectors run "
        "on more debt. Age and sector risk top the SHAP ranking, but 'be older' or 'change "
        "sector' is no advice; and because the cash buffer and the debt ratio are "
        "correlated with them, a model may credit the levers with part of what age and "
        "sector do, overstating what building cash or deleveraging would achieve."
    )
    schema = _schema({
        "firm_age": {**FIXED, "tier": 0},
        "sector_risk": {**FIXED, "tier": 0},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
    })
    return Scenario(
        "non_actionable_correlated", scm, "distress", roles, story, schema,
        params=params,
        family="non-actionable and redundant",
        failure="the top attributions go to features no firm can change, and leak onto levers",
    )


def redundant_features(
    *,
    cash_effect: float = -0.6,
    debt_effect: float = 0.4,
    measurement_noise: float = 0.2,
    noise: float = 1.0,
) -> Scenario:
    """Two measurements of the cash ratio; only the one from the bank accounts is the cause.

    Mechanism: ``cash_ratio_bank = U1`` is the firm's actual liquidity (cash over
    short-term liabilities, read from its bank accounts), the cause:
    ``distress = cash_effect * cash_ratio_bank + debt_effect * debt_ratio + U``. The
    ratio filed in the annual accounts is a measurement of it, a child:
    ``cash_ratio_filed = cash_ratio_bank + measurement_noise * U2`` (reporting date,
    classification choices). Raising actual cash moves both and lowers distress;
    window-dressing the filed ratio moves only the proxy and changes nothing. Their
    correlation is ``1 / sqrt(1 + measurement_noise**2)`` (0.98 by default).

    Parameters
    ----------
    cash_effect, debt_effect : float
        Effects on distress of the actual cash ratio and of the debt ratio.
    measurement_noise : float
        Standard deviation of the filing's measurement error (``> 0``).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
    """
    params = _checked(
        cash_effect=cash_effect, debt_effect=debt_effect,
        measurement_noise=measurement_noise, noise=noise,
    )
    cash, debt, m, s = params.values()
    scm = _linear_scm(
        {
            ("cash_ratio_bank", "cash_ratio_filed"): 1.0,
            ("cash_ratio_bank", "distress"): cash,
            ("debt_ratio", "distress"): debt,
        },
        {"cash_ratio_filed": m, "distress": s},
    )
    roles = {
        "cash_ratio_bank": "lever",
        "cash_ratio_filed": "redundant proxy",
        "debt_ratio": "lever",
    }
    story = (
        "The data hold the firm's cash ratio twice: from its bank accounts (what it "
        "actually holds) and from its filed annual accounts (the same ratio measured at "
        "the balance-sheet date, with small discrepancies). The two are near-duplicates, "
        "so a model may use either and SHAP splits the credit between them, each looking "
        "half as important as liquidity is. Only actual cash is a cause: dressing up the "
        "filed figure leaves distress unchanged."
    )
    schema = _schema({
        "cash_ratio_bank": {"actionable": True, "direction": "increase", "low": 0.0,
                            "tier": 1},
        # Window-dressing is possible; only the graph says it is useless.
        "cash_ratio_filed": {"actionable": True, "direction": "increase", "low": 0.0,
                             "tier": 2},
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
    })
    return Scenario(
        "redundant_features", scm, "distress", roles, story, schema,
        params=params,
        family="non-actionable and redundant",
        failure="two measurements of one ratio split its credit; only one is the cause",
    )


# Heterogeneity ---------------------------------------------------------------------------------
def heterogeneous(
    *,
    exposure_effect: float = 1.0,
    cash_effect: float = 1.2,
    saturation: float = 1.0,
    debt_effect: float = 0.8,
    debt_threshold: float = 1.0,
    confounding_strength: float = 1.0,
    noise: float = 1.0,
) -> Scenario:
    """The effect of the cash buffer depends on shock exposure and saturates; debt has a
    threshold.

    Mechanisms (``E`` sector exposure, ``C`` cash buffer, ``D`` debt ratio)::

        E = Uniform(0, 1)
        C = -0.8 * confounding_strength * (E - 0.5) + N(0, 1)
        D = N(0, 1)
        distress = exposure_effect * E - cash_effect * E * tanh(C / saturation)
                   + debt_effect * max(D - debt_threshold, 0) + N(0, noise**2)

    The unit effect of ``C := C + delta`` is ``-cash_effect * E * (tanh((C + delta) /
    saturation) - tanh(C / saturation))``: nil for unexposed firms and for firms already
    rich in cash; that of ``D := D + delta`` is ``debt_effect`` times the growth of the
    hinge, nil below the threshold. Exposed firms hold less cash (confounding).

    Parameters
    ----------
    exposure_effect : float
        Main effect of shock exposure on distress.
    cash_effect : float
        Largest possible reduction of distress by cash, for a fully exposed firm.
    saturation : float
        Scale of the cash buffer over which its effect saturates (``> 0``).
    debt_effect, debt_threshold : float
        Slope of distress in debt above the threshold, and the threshold.
    confounding_strength : float
        How much less cash exposed firms hold (``>= 0``).
    noise : float
        Standard deviation of distress's own noise (``> 0``).

    Returns
    -------
    Scenario
        Continuous outcome; true per-firm effects by :meth:`SCM.unit_effects`.
    """
    params = _checked(
        exposure_effect=exposure_effect, cash_effect=cash_effect, saturation=saturation,
        debt_effect=debt_effect, debt_threshold=debt_threshold,
        confounding_strength=confounding_strength, noise=noise,
    )
    ee, ce, sat, de, dt, c, s = params.values()

    def cash_mechanism(p: dict[str, np.ndarray]) -> np.ndarray:
        return -0.8 * c * (p["sector_exposure"] - 0.5)

    def distress_mechanism(p: dict[str, np.ndarray]) -> np.ndarray:
        e = p["sector_exposure"]
        return (ee * e - ce * e * np.tanh(p["cash_buffer"] / sat)
                + de * np.maximum(p["debt_ratio"] - dt, 0.0))

    scm = SCM([
        Node("sector_exposure", noise=uniform(0, 1)),
        Node("cash_buffer", ("sector_exposure",), cash_mechanism, normal(1.0)),
        Node("debt_ratio", noise=normal(1.0)),
        Node("distress", ("sector_exposure", "cash_buffer", "debt_ratio"),
             distress_mechanism, normal(s)),
    ])
    roles = {
        "sector_exposure": "effect modifier",
        "cash_buffer": "lever",
        "debt_ratio": "lever",
    }
    story = (
        "A demand shock hits some sectors: a firm's exposure is the share of its revenue "
        "sold there. A cash buffer protects exposed firms, the more so the more exposed, "
        "and only up to a point: beyond a few months of cash, more cash changes nothing; "
        "for an unexposed firm it changes nothing at all. Debt is harmless until the debt "
        "ratio crosses a threshold, then distress rises with it. Exposed firms hold less "
        "cash. SHAP summarises each feature by one attribution per firm, read as the "
        "effect of changing it; the true effect of the same change differs from firm to "
        "firm and is zero for many."
    )
    schema = _schema({
        "sector_exposure": {**FIXED, "tier": 0},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
        "debt_ratio": {"actionable": True, "direction": "decrease", "tier": 1},
    })
    return Scenario(
        "heterogeneous", scm, "distress", roles, story, schema,
        params=params,
        family="heterogeneity",
        failure="effects depend on exposure, saturate and have thresholds: zero for many firms",
    )


# The anchor: shap's subscriber-retention example -----------------------------------------------
#: Node -> name in the shap notebook, for the variables of the original.
SUBSCRIBER_DISPLAY_NAMES = {
    "sales_calls": "Sales calls",
    "interactions": "Interactions",
    "economy": "Economy",
    "last_upgrade": "Last upgrade",
    "product_need": "Product need",
    "discount": "Discount",
    "monthly_usage": "Monthly usage",
    "ad_spend": "Ad spend",
    "bugs_faced": "Bugs faced",
    "bugs_reported": "Bugs reported",
    "did_renew": "Did renew",
}


def subscriber_retention(*, confounding_strength: float = 1.0) -> Scenario:
    """The subscriber-retention model of shap's notebook "Be careful when interpreting
    predictive models in search of causal insights", mechanism by mechanism.

    See the module docstring for the line-by-line correspondence. Product need and Bugs
    faced are latent; the outcome ``did_renew`` is binary (bernoulli_logit), so effects
    are on the renewal probability.

    Parameters
    ----------
    confounding_strength : float
        Multiplies Product need where it enters Discount, Monthly usage and Bugs reported
        (``>= 0``). 1 (the default) is the original; 0 leaves need a cause of renewal that
        confounds no feature.

    Returns
    -------
    Scenario
        With :attr:`Scenario.display_names` giving the original names.
    """
    params = _checked(confounding_strength=confounding_strength)
    c = params["confounding_strength"]

    def renew_index(p: dict[str, np.ndarray]) -> np.ndarray:
        return 7 * (
            0.18 * p["product_need"]
            + 0.08 * p["monthly_usage"]
            + 0.1 * p["economy"]
            + 0.05 * p["discount"]
            + 0.05 * p["renew_shock"]
            + 0.05 * (1 - p["bugs_faced"] / 20)
            + 0.005 * p["sales_calls"]
            + 0.015 * p["interactions"]
            + 0.1 / (p["last_upgrade"] / 4 + 0.25)
            - 0.45
        )

    nodes = [
        Node("sales_calls_draw", noise=uniform(0, 4), latent=True),
        Node("sales_calls", ("sales_calls_draw",), lambda p: np.round(p["sales_calls_draw"]),
             zero()),
        Node("interactions_draw", noise=uniform(0, 1), latent=True),
        Node("interactions", ("sales_calls", "interactions_draw"),
             lambda p: p["sales_calls"] + poisson_quantile(p["interactions_draw"], 0.2), zero()),
        Node("economy", noise=uniform(0, 1)),
        Node("last_upgrade", noise=uniform(0, 20)),
        Node("product_need", ("sales_calls",), lambda p: 0.1 * p["sales_calls"], normal(1.0),
             latent=True),
        Node("discount", ("product_need",),
             lambda p: 0.25 * (1 - _expit(c * p["product_need"])), uniform(0, 0.25)),
        Node("monthly_usage_shock", noise=normal(1.0), latent=True),
        Node("monthly_usage", ("product_need", "monthly_usage_shock"),
             lambda p: _expit(0.3 * c * p["product_need"] + p["monthly_usage_shock"]), zero()),
        Node("ad_spend_factor", noise=uniform(0.9, 0.99), latent=True),
        Node("ad_spend", ("monthly_usage", "ad_spend_factor", "last_upgrade"),
             lambda p: (p["monthly_usage"] * p["ad_spend_factor"]
                        + (p["last_upgrade"] < 1) + (p["last_upgrade"] < 2)), zero()),
        Node("bugs_faced_draw", noise=uniform(0, 1), latent=True),
        Node("bugs_faced", ("monthly_usage", "bugs_faced_draw"),
             lambda p: poisson_quantile(p["bugs_faced_draw"], np.maximum(2 * p["monthly_usage"], 0)),
             zero(),
             latent=True),
        Node("bugs_reported", ("bugs_faced", "product_need"),
             lambda p: np.round(p["bugs_faced"] * _expit(c * p["product_need"])), zero()),
        Node("renew_shock", noise=normal(1.0), latent=True),
        Node("did_renew", ("product_need", "monthly_usage", "economy", "discount",
                           "renew_shock", "bugs_faced", "sales_calls", "interactions",
                           "last_upgrade"), renew_index, link="bernoulli_logit"),
    ]
    scm = SCM(nodes)
    roles = {
        "sales_calls": "lever",
        "interactions": "mediator",
        "economy": "non-actionable",
        "last_upgrade": "lever",
        "discount": "confounded lever",
        "monthly_usage": "confounded lever",
        "ad_spend": "proxy",
        "bugs_reported": "proxy",
    }
    story = (
        "Shap's own example, kept as published, read as a firm (the software vendor) that "
        "wants to keep its subscribers: whether a customer renews depends on how much it "
        "needs the product (unrecorded), its usage, the regional economy, the discount, the "
        "bugs it runs into (unrecorded), sales calls and other interactions, and the time "
        "since the last product upgrade. Sales staff give larger discounts to customers "
        "who seem to need the product less, so discounts go with churn although they "
        "help; customers who need the product report more of their bugs, so bug reports "
        "go with renewal although they do nothing; ad spend follows usage and upgrades "
        "and does nothing either. SHAP shows all three the wrong way."
    )
    schema = _schema({
        "sales_calls": {"actionable": True, "direction": "both", "low": 0.0, "tier": 1},
        "interactions": {"actionable": True, "direction": "both", "low": 0.0, "tier": 2},
        "economy": {**FIXED, "tier": 0},
        "last_upgrade": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
        "discount": {"actionable": True, "direction": "both", "low": 0.0, "high": 1.0,
                     "tier": 2},
        "monthly_usage": {"actionable": True, "direction": "increase", "low": 0.0,
                          "high": 1.0, "tier": 2},
        "ad_spend": {"actionable": True, "direction": "both", "low": 0.0, "tier": 3},
        # Reporting can be made easier or harder; only the graph says it does nothing.
        "bugs_reported": {"actionable": True, "direction": "both", "low": 0.0, "tier": 3},
    })
    noise_nodes = ("sales_calls_draw", "interactions_draw", "monthly_usage_shock",
                   "ad_spend_factor", "bugs_faced_draw", "renew_shock")
    return Scenario(
        "subscriber_retention", scm, "did_renew", roles, story, schema,
        params=params, family="anchor",
        failure="discount, bug reports and ad spend: SHAP shows each with the wrong effect",
        display_names=dict(SUBSCRIBER_DISPLAY_NAMES), noise_nodes=noise_nodes,
    )


# Registry --------------------------------------------------------------------------------------
#: Name -> factory of every named scenario (keyword parameters with defaults).
SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "observed_confounding": observed_confounding,
    "unobserved_confounding": unobserved_confounding,
    "mediator": mediator,
    "symptom": symptom,
    "collider": collider,
    "non_actionable_correlated": non_actionable_correlated,
    "redundant_features": redundant_features,
    "heterogeneous": heterogeneous,
    "subscriber_retention": subscriber_retention,
    "firm_distress_toy": firm_distress_toy,
}


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.4)
    return f"did you mean {close[0]!r}? " if close else ""


def make_scenario(name: str, **params: object) -> Scenario:
    """Build the scenario ``name`` of :data:`SCENARIOS` with the given parameters.

    Parameters
    ----------
    name : str
        A key of :data:`SCENARIOS`.
    **params
        Keyword parameters of its factory; the others keep their defaults.

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError
        For an unknown name or parameter (the closest valid one is suggested), or an
        invalid value (the message names the parameter).
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; {_suggest(str(name), list(SCENARIOS))}"
                         f"known scenarios: {', '.join(SCENARIOS)}")
    factory = SCENARIOS[name]
    valid = list(inspect.signature(factory).parameters)
    for key in params:
        if key not in valid:
            raise ValueError(f"scenario {name!r} has no parameter {key!r}; "
                             f"{_suggest(key, valid)}valid parameters: {', '.join(valid)}")
    return factory(**params)

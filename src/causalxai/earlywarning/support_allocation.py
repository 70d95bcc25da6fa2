"""Which support for which firm: allocating a service's measures under a monthly capacity.

An early-warning service exists to offer the right help early. Its agents can contact
``k`` firms a month (the *capacity*); each contacted firm gets one measure. The measures a
service can broker are changes of a firm's levers, simulated as real interventions by
:meth:`causalxai.firms.FirmSimulator.lever_effect` (:data:`SERVICE_MEASURES`: a bridging
cash injection, a debt rescheduling). Firms do not interact in the simulator, so one
simulation with the measure applied to every firm gives each firm's own effect: the
*oracle* (:func:`true_effects`).

Strategies, each returning a :class:`pandas.Series` firm -> measure of at most ``k``
firms (:func:`allocate` is the common last step: best measure per firm by its predicted
gain, the ``k`` largest gains, firms with no positive gain left out):

- **risk**: the ``k`` firms the failure model scores riskiest, all given one measure
  (:func:`risk_allocation`);
- **SHAP theme**: among a shortlist of the riskiest, the firms whose explanation puts the
  most weight on the finance theme's levers, each given the measure of its largest lever
  SHAP value (:func:`theme_allocation`);
- **observational uplift**: a per-firm effect of each lever estimated from the service's
  observational data by double machine learning with a linear effect model (EconML's
  ``LinearDML`` estimator), adjusted for every model column (:func:`observational_uplift`) — what "CATE targeting" gives when nobody ran an
  experiment; the firm graph says this effect is not identified (the levers share the
  latent quality and last month's health with failure);
- **pilot uplift** (the causal strategy): a year earlier the service randomised its
  measures among the firms of its list (:func:`pilot_outcomes`); a per-arm model of the
  realised failures given the risk score and the levers (:class:`PilotUplift`) predicts
  each firm's gain. Randomisation identifies the effect; its precision is that of the
  pilot;
- **oracle**: the true per-firm effects.

:func:`averted` scores an allocation against the truth (failures averted per 100 firms
helped); :func:`allocation_run` runs every strategy on one simulated panel and
:func:`summarise_runs` gives means and intervals over seeds.

The measures of the COVID regime cannot be allocated this way: :func:`positivity_table`
shows, on the support cross-section of :mod:`causalxai.earlywarning.support`, that almost
every firm the shock exposed used short-time work (no comparable non-user exists, whatever
is adjusted for), and :func:`identification_table` says, per measure, whether its effect is
identified from the service's data and what the service should do instead (a rule, an
experiment, or abstain from targeting).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import logit
from sklearn.linear_model import LogisticRegression

from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.earlywarning.support import (
    TREATMENTS,
    CrossSection,
    feature_labels,
    model_features,
    sample_rows,
    support_graph,
)
from causalxai.estimate.effects import nuisance_model
from causalxai.firms import Config, Covid, FirmSimulator, Panel, failure_within
from causalxai.months import add_months
from causalxai.predict.explain import tree_shap
from causalxai.predict.models import fit_gbm

__all__ = [
    "SERVICE_MEASURES",
    "STRATEGIES",
    "PilotUplift",
    "allocate",
    "allocation_run",
    "averted",
    "identification_table",
    "observational_uplift",
    "pilot_outcomes",
    "positivity_table",
    "risk_allocation",
    "summarise_runs",
    "theme_allocation",
    "true_effects",
]

#: Measure a service can broker -> (lever of the simulator, change applied): a bridging
#: injection of one month of costs in cash, and a rescheduling that lowers the debt ratio
#: by 0.2 (see :meth:`causalxai.firms.FirmSimulator.lever_effect`).
SERVICE_MEASURES: Mapping[str, tuple[str, float]] = {"cash": ("liquidity", 1.0),
                                                     "debt": ("indebtedness", -0.2)}

#: The allocation strategies, in display order.
STRATEGIES = ("risk", "shap_theme", "observational_uplift", "pilot_uplift", "oracle")


def _check_measures(measures: Mapping[str, tuple[str, float]]) -> None:
    if not measures:
        raise ValueError("measures must name at least one measure")
    for name, spec in measures.items():
        if (not isinstance(spec, tuple) or len(spec) != 2
                or spec[0] not in ("liquidity", "indebtedness", "investment_rate")):
            raise ValueError(f"measure {name!r} must be (lever, change) with lever one of "
                             f"liquidity, indebtedness, investment_rate; got {spec!r}")


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        raise ValueError(f"k (the capacity, firms a month) must be a non-negative integer, "
                         f"got {k!r}")
    return int(k)


# The truth -----------------------------------------------------------------------------------
def true_effects(simulator: FirmSimulator, panel: Panel, month: str, horizon: int = 12,
                 measures: Mapping[str, tuple[str, float]] = SERVICE_MEASURES) -> pd.DataFrame:
    """Each firm's true effect of each measure given at the end of ``month``.

    Parameters
    ----------
    simulator, panel : FirmSimulator, Panel
        The simulator and the panel it simulated (seed and calibration are reused).
    month : str
        ``"YYYY-MM"``, the month the measure is given.
    horizon : int
        Months over which failure is counted.
    measures : mapping
        Name -> (lever, change), as :data:`SERVICE_MEASURES`.

    Returns
    -------
    DataFrame
        Indexed by ``firm_id`` (firms alive at ``month``): ``p_fail`` (failure probability
        within the horizon without a measure) and one column per measure, the change in
        that probability when the firm gets the measure (negative is protective). Firms
        do not interact, so each lever is simulated once for all firms.
    """
    _check_measures(measures)
    out = None
    for name, (lever, change) in measures.items():
        effect = simulator.lever_effect(panel, lever, change, month, horizon).set_index("firm_id")
        if out is None:
            out = effect[["p_fail"]].astype(float).copy()
        out[name] = effect["effect"].astype(float)
    return out


def averted(allocation: pd.Series, effects: pd.DataFrame) -> dict[str, float]:
    """Expected failures averted by an allocation, under the true effects.

    Parameters
    ----------
    allocation : Series
        Firm -> measure (a column of ``effects``).
    effects : DataFrame
        :func:`true_effects`.

    Returns
    -------
    dict
        ``helped`` (firms given a measure), ``averted`` (expected failures averted, the
        sum of the firms' effects with the sign flipped) and ``per_100`` (averted per 100
        firms helped; NaN when nobody is helped).
    """
    unknown = sorted(set(allocation.index) - set(effects.index))
    if unknown:
        raise ValueError(f"allocation names firms absent from effects: {unknown[:5]}")
    bad = sorted(set(allocation) - set(effects.columns) - {"p_fail"})
    if bad or "p_fail" in set(allocation):
        raise ValueError(f"allocation names measures that are not columns of effects: {bad}")
    if allocation.empty:
        return {"helped": 0.0, "averted": 0.0, "per_100": np.nan}
    values = effects.to_numpy()[effects.index.get_indexer(allocation.index),
                                effects.columns.get_indexer(allocation.to_numpy())]
    total = -float(np.nansum(values))
    return {"helped": float(len(allocation)), "averted": total,
            "per_100": 100.0 * total / len(allocation)}


# Strategies ------------------------------------------------------------------------------------
def allocate(gain: pd.DataFrame, k: int) -> pd.Series:
    """The ``k`` firms with the largest predicted gain, each with its best measure.

    Parameters
    ----------
    gain : DataFrame
        Firm x measure: the predicted fall in the failure probability (positive is good).
    k : int
        Capacity: firms helped at most.

    Returns
    -------
    Series
        Firm -> measure, sorted by gain (largest first). A firm whose best predicted gain is
        not positive is not helped: the strategy abstains for it, so fewer than ``k`` firms
        may be returned.
    """
    k = _check_k(k)
    if gain.empty or k == 0:
        return pd.Series([], index=gain.index[:0], dtype=object, name="measure")
    values = gain.to_numpy(dtype=float)
    values = np.where(np.isnan(values), -np.inf, values)
    best = values.argmax(axis=1)
    best_gain = values[np.arange(len(values)), best]
    order = np.argsort(-best_gain, kind="stable")
    order = order[best_gain[order] > 0][:k]
    return pd.Series(gain.columns[best[order]], index=gain.index[order], name="measure")


def risk_allocation(risk: pd.Series, k: int, measure: str) -> pd.Series:
    """Help the ``k`` riskiest firms, all with ``measure``."""
    k = _check_k(k)
    chosen = risk.sort_values(ascending=False, kind="stable").index[:k]
    return pd.Series(measure, index=chosen, name="measure", dtype=object)


def theme_allocation(shap_values: pd.DataFrame, k: int,
                     levers: Mapping[str, str] | None = None) -> pd.Series:
    """SHAP-theme targeting: the firms whose score the finance levers push up the most.

    Parameters
    ----------
    shap_values : DataFrame
        SHAP values (log-odds of failure) of the shortlisted firms, one column per model
        feature.
    k : int
        Capacity.
    levers : mapping, optional
        Measure -> the model column of its lever; default from :data:`SERVICE_MEASURES`.

    Returns
    -------
    Series
        Firm -> measure: the ``k`` firms with the largest sum of positive lever SHAP values,
        each given the measure whose lever has the largest SHAP value; firms whose levers
        all lower their score are not helped (nothing in the explanation points at a
        measure).
    """
    levers = dict(levers or {m: lever for m, (lever, _) in SERVICE_MEASURES.items()})
    missing = [c for c in levers.values() if c not in shap_values.columns]
    if missing:
        raise ValueError(f"shap_values has no column for lever(s) {missing}")
    push = shap_values[list(levers.values())].clip(lower=0.0)
    push.columns = list(levers)
    total = push.sum(axis=1)
    chosen = total[total > 0].sort_values(ascending=False, kind="stable").index[:_check_k(k)]
    return pd.Series(push.loc[chosen].idxmax(axis=1), index=chosen, name="measure",
                     dtype=object)


def _lever_frame(X: pd.DataFrame, measures: Mapping[str, tuple[str, float]]) -> pd.DataFrame:
    missing = [lever for lever, _ in measures.values() if lever not in X.columns]
    if missing:
        raise ValueError(f"X has no column for lever(s) {missing}")
    return X.fillna(X.median())


def observational_uplift(X_train: pd.DataFrame, y_train: np.ndarray | pd.Series,
                         X: pd.DataFrame,
                         measures: Mapping[str, tuple[str, float]] = SERVICE_MEASURES, *,
                         n_estimators: int = 40, n_folds: int = 3, seed: int = 0
                         ) -> pd.DataFrame:
    """Per-firm gain of each measure estimated from observational data by linear-CATE DML.

    For each lever ``T``, the partially linear model ``y = theta(x) T + g(W) + e`` with
    ``theta(x) = b0 + b . x`` linear in the two levers ``x`` (the estimator of EconML's
    ``LinearDML``, Chernozhukov et al. 2018, written out here: importing EconML takes
    longer than the whole estimate): ``E[y | W]`` and ``E[T | W]`` are cross-fitted with
    LightGBM over ``n_folds`` folds on every other model column ``W``, and the residual of
    ``y`` is regressed by least squares on the residual of ``T`` times ``(1, x)``. The gain
    of a measure is ``-theta(x) * change``. Missing values are filled with the training
    median (the levers are yearly statements, absent for firms that did not publish).

    Returns
    -------
    DataFrame
        Indexed like ``X``, one column per measure: the predicted fall in the failure
        probability.
    """
    from sklearn.model_selection import KFold

    _check_measures(measures)
    train = _lever_frame(X_train, measures)
    target = _lever_frame(X, measures).fillna(X_train.median())
    y = np.asarray(y_train, dtype=float)
    if len(y) != len(train):
        raise ValueError(f"y_train has {len(y)} values for {len(train)} rows of X_train")
    if not isinstance(n_folds, int) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    het = list(dict.fromkeys(lever for lever, _ in measures.values()))
    folds = list(KFold(n_folds, shuffle=True, random_state=seed).split(train))
    out = pd.DataFrame(index=X.index)
    for name, (lever, change) in measures.items():
        W = train[[c for c in train.columns if c != lever]].to_numpy()
        t = train[lever].to_numpy(dtype=float)
        ry, rt = y.copy(), t.copy()
        for fit, held in folds:
            for values, resid in ((y, ry), (t, rt)):
                model = nuisance_model(n_estimators, seed).fit(W[fit], values[fit])
                resid[held] = values[held] - model.predict(W[held])
        design = rt[:, None] * np.column_stack([np.ones(len(t)), train[het].to_numpy()])
        coef, *_ = np.linalg.lstsq(design, ry, rcond=None)
        theta = coef[0] + target[het].to_numpy() @ coef[1:]
        out[name] = -theta * change
    return out


def pilot_outcomes(effects: pd.DataFrame, firms: Sequence[object], seed: int) -> pd.DataFrame:
    """A randomised pilot: each firm gets no measure or one measure, at random.

    Parameters
    ----------
    effects : DataFrame
        :func:`true_effects` at the pilot month.
    firms : sequence
        The pilot's firms (rows of ``effects``).
    seed : int

    Returns
    -------
    DataFrame
        Indexed by firm: ``arm`` (``"none"`` or a measure, equal probabilities) and
        ``failure`` (0/1, drawn from the firm's true failure probability in its arm: what
        the service observes a horizon later).
    """
    firms = pd.Index(firms)
    missing = firms.difference(effects.index)
    if len(missing):
        raise ValueError(f"pilot firms absent from effects: {list(missing[:5])}")
    measures = [c for c in effects.columns if c != "p_fail"]
    rng = np.random.default_rng(seed)
    arms = np.array(["none", *measures], dtype=object)[rng.integers(0, len(measures) + 1,
                                                                     len(firms))]
    base = effects.loc[firms, "p_fail"].to_numpy()
    shift = np.zeros(len(firms))
    for measure in measures:
        hit = arms == measure
        shift[hit] = effects.loc[firms[hit], measure].to_numpy()
    p = np.clip(base + shift, 0.0, 1.0)
    return pd.DataFrame({"arm": arms, "failure": (rng.random(len(firms)) < p).astype(float)},
                        index=firms)


@dataclass
class PilotUplift:
    """Per-arm logistic models of a randomised pilot's failures: predicted gains per firm.

    Parameters
    ----------
    columns : sequence of str
        Model columns used besides the logit of the risk score (default: the levers of
        :data:`SERVICE_MEASURES`).
    C : float
        Inverse L2 penalty of each arm's logistic regression (scikit-learn's ``C``).
    """

    columns: Sequence[str] = ("liquidity", "indebtedness")
    C: float = 1.0

    def _design(self, X: pd.DataFrame, risk: pd.Series) -> np.ndarray:
        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise ValueError(f"X has no column(s) {missing}")
        z = X[list(self.columns)].astype(float).fillna(self.medians_)
        score = logit(np.clip(risk.reindex(X.index).to_numpy(dtype=float), 1e-6, 1 - 1e-6))
        design = np.column_stack([score, z.to_numpy()])
        return (design - self.mean_) / self.scale_

    def fit(self, X: pd.DataFrame, risk: pd.Series, pilot: pd.DataFrame) -> PilotUplift:
        """Fit one model per arm on the pilot's firms (rows of ``X`` and ``risk``)."""
        if "arm" not in pilot or "failure" not in pilot:
            raise ValueError("pilot must have columns 'arm' and 'failure' (pilot_outcomes)")
        rows = X.loc[pilot.index]
        self.medians_ = rows[list(self.columns)].astype(float).median()
        self.mean_, self.scale_ = 0.0, 1.0
        raw = self._design(rows, risk)
        self.mean_, self.scale_ = raw.mean(axis=0), raw.std(axis=0) + 1e-12
        design = (raw - self.mean_) / self.scale_
        self.arms_ = list(dict.fromkeys(pilot["arm"]))
        if "none" not in self.arms_:
            raise ValueError("the pilot has no control arm ('none')")
        self.models_, self.counts_ = {}, {}
        for arm in self.arms_:
            hit = (pilot["arm"] == arm).to_numpy()
            y = pilot["failure"].to_numpy()[hit]
            self.counts_[arm] = (int(hit.sum()), int(y.sum()))
            if 0 < y.sum() < len(y):
                self.models_[arm] = LogisticRegression(C=self.C).fit(design[hit], y)
            else:  # no failure (or only failures) in the arm: a constant rate
                self.models_[arm] = float(y.mean()) if len(y) else np.nan
        return self

    def _prob(self, arm: str, design: np.ndarray) -> np.ndarray:
        model = self.models_[arm]
        if isinstance(model, float):
            return np.full(len(design), model)
        return model.predict_proba(design)[:, 1]

    def gain(self, X: pd.DataFrame, risk: pd.Series) -> pd.DataFrame:
        """Predicted fall in the failure probability for each measure arm (firm x measure)."""
        design = self._design(X, risk)
        control = self._prob("none", design)
        return pd.DataFrame({arm: control - self._prob(arm, design)
                             for arm in self.arms_ if arm != "none"}, index=X.index)


# One panel ------------------------------------------------------------------------------------
def allocation_run(n_firms: int, seed: int, *, decision_month: str = "2019-01",
                   horizon: int = 12, capacity: int = 100, risk_measure: str = "cash",
                   shortlist: int = 3, n_pilot: int = 1500, n_estimators: int = 100,
                   n_estimators_nuisance: int = 40, n_dml: int = 20_000,
                   covid: Covid | None = None, measures: Mapping[str, tuple[str, float]]
                   = SERVICE_MEASURES) -> dict[str, object]:
    """Simulate one panel and allocate the service's measures with every strategy.

    The failure model (LightGBM on :func:`causalxai.earlywarning.support.model_features`,
    one row per firm and quarter from 2016-01) is trained on rows whose target window closed
    by the pilot month (``decision_month - horizon``). At the pilot month the ``n_pilot``
    riskiest firms are randomised between no measure and each measure
    (:func:`pilot_outcomes`); their failures are known by ``decision_month``, when every
    strategy allocates ``capacity`` firms among those alive.

    Parameters
    ----------
    n_firms, seed : int
        Size and seed of the simulated panel (``Config(n_firms=..., covid=covid)``).
    decision_month : str
        ``"YYYY-MM"``: the month the measures are given.
    horizon : int
        Failure horizon (months), of the model and of the effects.
    capacity : int
        Firms the agents can help that month.
    risk_measure : str
        The measure the risk strategy gives everyone.
    shortlist : int
        SHAP-theme targeting explains the ``shortlist * capacity`` riskiest firms.
    n_pilot : int
        Firms in the randomised pilot.
    n_estimators, n_estimators_nuisance : int
        Boosting rounds of the failure model and of each DML nuisance model.
    n_dml : int
        Training rows (a random subset) for the observational uplift.
    covid : Covid, optional
        The COVID regime of the panel (default ``Covid()``).
    measures : mapping
        As :data:`SERVICE_MEASURES`.

    Returns
    -------
    dict
        ``results`` (DataFrame, one row per strategy: ``helped``, ``averted``, ``per_100``,
        ``right_measure`` — share of the helped firms given the measure that is truly best
        for them, ``overlap`` — share of the oracle's firms among those helped), ``pilot``
        (the pilot's arms, firms and failures), ``panel``, ``seconds`` (by step),
        ``effects`` (:func:`true_effects` at the decision month), ``allocations``
        (strategy -> firm -> measure), ``risk`` (the model's score of each firm at the
        decision month), ``gains`` (the predicted gains, firm x measure, of the
        strategies that predict them), ``pilot_arms`` (per pilot firm: ``arm`` and
        ``failure``, :func:`pilot_outcomes`), ``frames`` and ``risks`` (pilot month and
        decision month -> the model features and the risk score of the firms alive then,
        indexed by firm).
    """
    _check_measures(measures)
    capacity = _check_k(capacity)
    if risk_measure not in measures:
        raise ValueError(f"risk_measure must be one of {', '.join(measures)}, got "
                         f"{risk_measure!r}")
    pilot_month = add_months(decision_month, -horizon, "decision_month")
    train_last = add_months(pilot_month, -horizon)
    if pd.Timestamp(train_last) < pd.Timestamp("2016-01"):
        raise ValueError(f"decision_month {decision_month!r} leaves no training rows: it must "
                         f"be at least 2 x horizon = {2 * horizon} months after 2016-01")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    simulator = FirmSimulator(Config(n_firms=n_firms, covid=covid or Covid()))
    panel = simulator.simulate(seed=seed)
    seconds["simulation"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    target = failure_within(panel, months=(horizon,))[f"failure_within_{horizon}"]
    train_rows = sample_rows(panel, "2016-01", train_last, every=3, target=target)
    months = panel.features["month"]
    at = {m: panel.features.index[(months == pd.Timestamp(m)).to_numpy()]
          for m in (pilot_month, decision_month)}
    X_all = model_features(panel, train_rows.append(list(at.values())).unique())
    X_train, y_train = X_all.loc[train_rows], target[train_rows].to_numpy()
    model = fit_gbm(X_train, y_train, task="classification", n_estimators=n_estimators,
                    seed=seed)
    firm_of = panel.features["firm_id"]
    frames, risks = {}, {}
    for m, rows in at.items():
        frames[m] = X_all.loc[rows].set_axis(pd.Index(firm_of[rows].to_numpy(), name="firm_id"))
        risks[m] = pd.Series(model.predict_proba(frames[m])[:, 1], index=frames[m].index)
    seconds["model"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    effects = true_effects(simulator, panel, decision_month, horizon, measures)
    pilot_effects = true_effects(simulator, panel, pilot_month, horizon, measures)
    seconds["truth"] = time.perf_counter() - t0
    X, risk = frames[decision_month].loc[effects.index], risks[decision_month].loc[effects.index]

    allocations: dict[str, pd.Series] = {}
    allocations["risk"] = risk_allocation(risk, capacity, risk_measure)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    short = risk.sort_values(ascending=False).index[:max(shortlist * capacity, capacity)]
    background = X_train.iloc[np.sort(rng.choice(len(X_train), min(200, len(X_train)),
                                                 replace=False))]
    phi = tree_shap(model, X.loc[short], background)
    allocations["shap_theme"] = theme_allocation(phi, capacity,
                                                 {m: lv for m, (lv, _) in measures.items()})
    seconds["shap"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    dml_rows = rng.choice(len(X_train), min(n_dml, len(X_train)), replace=False)
    obs_gain = observational_uplift(X_train.iloc[dml_rows], y_train[dml_rows], X, measures,
                                    n_estimators=n_estimators_nuisance, seed=seed)
    allocations["observational_uplift"] = allocate(obs_gain, capacity)
    seconds["observational_uplift"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    pilot_risk = risks[pilot_month].loc[pilot_effects.index]
    pilot_firms = pilot_risk.sort_values(ascending=False).index[:n_pilot]
    pilot = pilot_outcomes(pilot_effects, pilot_firms, seed)
    uplift = PilotUplift().fit(frames[pilot_month], pilot_risk, pilot)
    pilot_gain = uplift.gain(X, risk)
    allocations["pilot_uplift"] = allocate(pilot_gain, capacity)
    seconds["pilot"] = time.perf_counter() - t0
    allocations["oracle"] = allocate(-effects[list(measures)], capacity)

    best = effects[list(measures)].idxmin(axis=1)
    oracle_firms = set(allocations["oracle"].index)
    rows = []
    for name in STRATEGIES:
        chosen = allocations[name]
        score = averted(chosen, effects)
        score["right_measure"] = (float((best.loc[chosen.index] == chosen).mean())
                                  if len(chosen) else np.nan)
        score["overlap"] = (len(oracle_firms & set(chosen.index)) / len(oracle_firms)
                            if oracle_firms else np.nan)
        rows.append({"strategy": name, **score})
    results = pd.DataFrame(rows).set_index("strategy")
    pilot_summary = pd.DataFrame(uplift.counts_, index=["firms", "failures"]).T
    return {"results": results, "pilot": pilot_summary, "panel": panel, "effects": effects,
            "seconds": seconds, "allocations": allocations, "risk": risk,
            "pilot_arms": pilot, "frames": frames, "risks": risks,
            "gains": {"observational_uplift": obs_gain, "pilot_uplift": pilot_gain,
                      "oracle": -effects[list(measures)]}}


def summarise_runs(results: Sequence[pd.DataFrame], level: float = 0.95) -> pd.DataFrame:
    """Mean and ``level`` interval over seeds of each strategy's scores.

    Parameters
    ----------
    results : sequence of DataFrame
        The ``results`` of :func:`allocation_run`, one per seed.
    level : float
        Coverage of the t-interval of the mean over seeds.

    Returns
    -------
    DataFrame
        One row per strategy: ``per_100``, ``per_100_low``, ``per_100_high`` (NaN
        interval with one seed), ``helped``, ``right_measure``, ``overlap`` (means), and
        ``share_of_oracle`` (mean averted over the oracle's, per seed then averaged).
    """
    if not results:
        raise ValueError("results is empty: run allocation_run for at least one seed")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    stacked = pd.concat([r.assign(seed=i) for i, r in enumerate(results)])
    if "oracle" not in stacked.index:
        raise ValueError("results have no 'oracle' row to compare with")
    oracle = stacked[stacked.index == "oracle"].set_index("seed")["averted"]
    stacked["share_of_oracle"] = stacked["averted"] / stacked["seed"].map(oracle)
    grouped = stacked.groupby(level=0, sort=False)
    out = grouped[["per_100", "helped", "right_measure", "overlap", "share_of_oracle"]].mean()
    n = grouped["per_100"].count()
    half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * grouped["per_100"].std() \
        / np.sqrt(n)
    half[n < 2] = np.nan
    out.insert(1, "per_100_low", out["per_100"] - half)
    out.insert(2, "per_100_high", out["per_100"] + half)
    return out.loc[[s for s in STRATEGIES if s in out.index]]


# Positivity and identification ----------------------------------------------------------------
def positivity_table(cs: CrossSection, *, threshold: float = -0.2,
                     bounds: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Overlap of each COVID measure's take-up, given what drives it.

    Parameters
    ----------
    cs : CrossSection
        From :func:`causalxai.earlywarning.support.support_cross_section`.
    threshold : float
        Mean demand over the take-up window below which a firm counts as *exposed* to the
        shock (default: the COVID short-time-work rule's threshold, -0.2, at which the
        scheme starts paying).
    bounds : (float, float)
        Propensities outside these bounds mark a firm without comparable firms on the
        other side.

    Returns
    -------
    DataFrame
        One row per treatment of :data:`causalxai.earlywarning.support.TREATMENTS`:
        ``takeup`` (share of firms), ``takeup_exposed`` and ``takeup_unexposed`` (among
        firms whose demand fell below ``threshold``, and the others), ``exposed`` (share
        exposed) and ``outside_overlap`` (share of firms whose propensity, a logistic
        regression on the oracle's latent drivers — demand, baseline health, quality — and
        the observed columns, is outside ``bounds``).
    """
    lo, hi = bounds
    if not 0 < lo < hi < 1:
        raise ValueError(f"bounds must satisfy 0 < low < high < 1, got {bounds!r}")
    data = cs.data.join(cs.oracle)
    exposed = (data["demand"] < threshold).to_numpy()
    drivers = [c for c in data.columns if c not in (*TREATMENTS, "failure")]
    Z = data[drivers].astype(float)
    Z = ((Z - Z.mean()) / (Z.std() + 1e-12)).fillna(0.0).to_numpy()
    rows = []
    for treatment in TREATMENTS:
        t = data[treatment].to_numpy()
        if 0 < t.sum() < len(t):
            p = LogisticRegression(C=10.0, max_iter=2000).fit(Z, t).predict_proba(Z)[:, 1]
            outside = float(np.mean((p < lo) | (p > hi)))
        else:
            outside = 1.0
        rows.append({"treatment": treatment, "takeup": float(t.mean()),
                     "takeup_exposed": float(t[exposed].mean()) if exposed.any() else np.nan,
                     "takeup_unexposed": (float(t[~exposed].mean()) if (~exposed).any()
                                          else np.nan),
                     "exposed": float(exposed.mean()), "outside_overlap": outside})
    return pd.DataFrame(rows).set_index("treatment")


def identification_table(cs: CrossSection, positivity: pd.DataFrame, *,
                         max_outside: float = 0.5,
                         levers: Sequence[str] = ("liquidity", "indebtedness")) -> pd.DataFrame:
    """Per measure: identified from the service's data? overlap? what the service should do.

    The COVID measures are judged on :func:`causalxai.earlywarning.support.support_graph`
    (service view: latent health, quality and demand unobserved) and on
    :func:`positivity_table`; the service's own levers on the validity labels of
    :func:`causalxai.earlywarning.support.feature_labels` (the firm graph).

    Returns
    -------
    DataFrame
        One row per measure: ``identified`` (an adjustment set exists in the service's
        data), ``outside_overlap`` (NaN for the levers), and ``action``: *target with the
        estimated uplift* when identified with overlap; *a rule (eligibility), evaluated by
        a staggered roll-out; abstain from firm-level targeting* when overlap fails (more
        than ``max_outside`` of the firms outside it); *an experiment (randomised offer)
        before targeting* otherwise.
    """
    graph = support_graph(cs.data.columns)
    observed = [c for c in cs.data.columns if c in graph and not graph.nodes[c].get("latent")]
    rows = []
    for treatment in TREATMENTS:
        identified = backdoor_adjustment_set(graph, treatment, "failure",
                                             observed=observed) is not None
        outside = float(positivity.loc[treatment, "outside_overlap"])
        rows.append({"measure": treatment, "identified": identified,
                     "outside_overlap": outside, "action": _action(identified, outside,
                                                                   max_outside)})
    labels = feature_labels(levers)
    for lever in levers:
        identified = labels.loc[lever, "label"] not in ("unobserved confounding", "symptom",
                                                        "not actionable")
        rows.append({"measure": lever, "identified": identified, "outside_overlap": np.nan,
                     "action": _action(identified, 0.0, max_outside)})
    return pd.DataFrame(rows).set_index("measure")


def _action(identified: bool, outside: float, max_outside: float) -> str:
    if outside > max_outside:
        return ("a rule (eligibility), evaluated by a staggered roll-out; abstain from "
                "firm-level targeting")
    if identified:
        return "target with the estimated uplift"
    return "an experiment (randomised offer) before targeting"


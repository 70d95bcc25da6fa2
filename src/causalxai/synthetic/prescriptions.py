"""Part II's prescription study: every strategy on every scenario, scored by the oracle.

For a scenario and a seed: draw training firms, fit each strategy of
:mod:`causalxai.prescribe.strategies` on them (the predictive model is one LightGBM shared
by the two model-based strategies), draw fresh firms with their noise, keep those in
trouble (true expected outcome on the wrong side of the median), ask every
strategy for one action per firm within the budget, apply it with do() in the true SCM
and score it against the oracle (:mod:`causalxai.prescribe.oracle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from causalxai.predict.models import fit_gbm
from causalxai.prescribe.oracle import Truth, evaluate, goal_sign, oracle_actions, summarise
from causalxai.prescribe.strategies import (
    CatePerLever,
    CausalRecourse,
    NearestCounterfactual,
    PolicyTree,
    Problem,
    ShapGreedy,
    Strategy,
)
from causalxai.synthetic.scenarios import Scenario

__all__ = [
    "DATA_STRATEGIES",
    "STRATEGY_ORDER",
    "PrescriptionStudy",
    "best_causal",
    "outcome_goal",
    "prescription_study",
    "prescription_table",
    "seed_setting",
]

#: Strategy names in the order tables show them.
STRATEGY_ORDER = ("shap_greedy", "nearest_counterfactual", "cate_per_lever",
                  "recourse_fitted_scm", "recourse_ensemble", "policy_tree",
                  "recourse_true_scm")

#: Causal strategies that use only data and the graph and search every unit's best action
#: (the true SCM is a reference; the policy tree trades regret for a readable rule).
DATA_STRATEGIES = ("cate_per_lever", "recourse_fitted_scm", "recourse_ensemble")

#: Outcomes a firm (or a subscriber) wants larger; every other outcome should fall.
_INCREASING = {"did_renew"}


def outcome_goal(scenario: Scenario) -> str:
    """``"increase"`` for an outcome one wants larger (renewal), else ``"decrease"``."""
    return "increase" if scenario.outcome in _INCREASING else "decrease"


@dataclass(frozen=True)
class PrescriptionStudy:
    """Results of :func:`prescription_study`.

    Attributes
    ----------
    scores : pandas.DataFrame
        Per seed, strategy and unit: the metrics of
        :func:`causalxai.prescribe.oracle.evaluate`.
    summary : pandas.DataFrame
        Per seed and strategy: :func:`causalxai.prescribe.oracle.summarise`.
    recommendations : pandas.DataFrame
        The first seed's recommendations, per strategy and unit, with the oracle's.
    excluded : dict
        Strategy -> {lever: why it was left out} (first seed).
    rules : dict
        Lever -> the policy tree's rule on one line (first seed).
    """

    scenario: str
    scores: pd.DataFrame
    summary: pd.DataFrame
    recommendations: pd.DataFrame
    excluded: dict[str, dict[str, str]]
    rules: dict[str, str] = field(default_factory=dict)


def _strategies(scenario: Scenario, model: object, n_models: int, alpha: float,
                seed: int) -> list[Strategy]:
    return [
        ShapGreedy(model, n_background=50, seed=seed),
        NearestCounterfactual(model, seed=seed),
        CatePerLever(seed=seed),
        CausalRecourse(seed=seed),
        CausalRecourse(n_models=n_models, alpha=alpha, seed=seed),
        PolicyTree(max_depth=2, seed=seed),
        CausalRecourse(scenario.scm),
    ]


def prescription_study(
    scenario: Scenario,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    n_train: int = 2000,
    n_units: int = 200,
    budget: float = 1.0,
    n_models: int = 10,
    alpha: float = 0.1,
) -> PrescriptionStudy:
    """Run every strategy on ``scenario`` for each seed and score it against the oracle.

    Parameters
    ----------
    scenario : Scenario
        A Part II scenario with an actionability schema.
    seeds : sequence of int
        One repetition per seed (training data, fitted models, evaluated units).
    n_train : int
        Training firms per seed.
    n_units : int
        Firms in trouble that receive recommendations, per seed.
    budget : float
        Per-firm budget, in the schema's cost units.
    n_models, alpha : int, float
        Size of the bootstrap ensemble of SCMs and its accepted failure probability.

    Returns
    -------
    PrescriptionStudy
    """
    if scenario.schema is None:
        raise ValueError(f"scenario {scenario.name!r} has no actionability schema")
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    for name, value in (("n_train", n_train), ("n_units", n_units)):
        if int(value) != value or value < 10:
            raise ValueError(f"{name} must be an integer >= 10, got {value!r}")
    goal = outcome_goal(scenario)
    problem = Problem(scenario.causal_graph, scenario.schema, scenario.outcome,
                      tuple(scenario.features), goal)
    scores, summary, recs, excluded, rules = [], [], [], {}, {}
    for seed in seeds:
        X, y, truth, units, oracle, model = seed_setting(scenario, seed, n_train=n_train,
                                                         n_units=n_units, budget=budget)
        for strategy in _strategies(scenario, model, n_models, alpha, seed):
            rec = strategy.fit(X, y, problem).recommend(units, budget)
            score = evaluate(rec, truth, oracle)
            scores.append(score.assign(seed=seed, strategy=strategy.name,
                                       unit=np.arange(len(score))))
            summary.append(summarise(score).rename(None).to_frame().T.assign(
                seed=seed, strategy=strategy.name))
            if seed == seeds[0]:
                recs.append(rec.assign(unit=np.arange(len(rec)),
                                       true_change=score["true_change"].to_numpy()))
                excluded[strategy.name] = dict(strategy.excluded_)
                if isinstance(strategy, PolicyTree):
                    rules = {lever: strategy.rule(lever, one_line=True)
                             for lever in strategy.rules_}
        if seed == seeds[0]:
            recs.append(oracle.assign(strategy="oracle", unit=np.arange(len(oracle)),
                                      true_change=goal_sign(goal) * oracle["improvement"]))
    return PrescriptionStudy(
        scenario.name,
        pd.concat(scores, ignore_index=True),
        pd.concat(summary, ignore_index=True),
        pd.concat(recs, ignore_index=True),
        excluded,
        rules,
    )


def seed_setting(scenario: Scenario, seed: int, *, n_train: int, n_units: int, budget: float
                 ) -> tuple[pd.DataFrame, pd.Series, Truth, pd.DataFrame, pd.DataFrame, object]:
    """What every strategy of one seed of the study shares, drawn in one fixed order.

    Returns
    -------
    tuple
        ``(X, y, truth, units, oracle, model)``: ``n_train`` training rows and their
        outcome, the ``n_units`` fresh units in trouble (:class:`Truth`, with their noise)
        and their features, the oracle's best action per unit within ``budget``, and the
        team's predictive model (LightGBM, 150 rounds, learning rate 0.1, seeded).
    """
    goal = outcome_goal(scenario)
    X, y = scenario.sample(int(n_train), seed)
    truth = _units_in_trouble(scenario, int(n_units), seed, goal)
    units = truth.features(scenario.features)
    oracle = oracle_actions(truth, scenario.features, scenario.schema, budget)
    model = fit_gbm(X, y, n_estimators=150, learning_rate=0.1, seed=seed)
    return X, y, truth, units, oracle, model


def _units_in_trouble(scenario: Scenario, n: int, seed: int, goal: str) -> Truth:
    """``n`` fresh units whose expected outcome is worse than the median of ``4 n`` draws."""
    draw = Truth.draw(scenario.scm, 4 * n, seed + 10_000, scenario.outcome, goal)
    expected = draw.scm.mean_function(scenario.outcome, draw.values)
    bad = np.flatnonzero(goal_sign(goal) * (expected - float(np.median(expected))) < 0)[:n]
    return Truth(draw.scm, draw.values.iloc[bad].reset_index(drop=True),
                 draw.noise.iloc[bad].reset_index(drop=True), scenario.outcome, goal)


def prescription_table(studies: Sequence[PrescriptionStudy]) -> pd.DataFrame:
    """Per scenario and strategy, the metrics averaged over seeds, with the regret's SD.

    Returns
    -------
    pandas.DataFrame
        Indexed by (scenario, strategy) in :data:`STRATEGY_ORDER`; columns ``regret``,
        ``regret_sd`` (over seeds), ``relative_regret``, ``validity``, ``cost``,
        ``abstention_rate``, ``abstention_correct``.
    """
    rows = []
    for st in studies:
        g = st.summary.groupby("strategy")
        mean = g.mean(numeric_only=True)
        mean["regret_sd"] = g["regret"].std(ddof=1) if st.summary["seed"].nunique() > 1 \
            else np.nan
        mean["scenario"] = st.scenario
        rows.append(mean.reindex([s for s in STRATEGY_ORDER if s in mean.index]))
    table = pd.concat(rows).reset_index().set_index(["scenario", "strategy"])
    return table[["regret", "regret_sd", "relative_regret", "validity", "cost",
                  "abstention_rate", "abstention_correct"]]


def best_causal(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: SHAP-greedy's regret against the best data-driven causal strategy's.

    Returns
    -------
    pandas.DataFrame
        Indexed by scenario: ``best_causal`` (its name), ``regret_shap_greedy``,
        ``regret_causal``, ``ratio`` (causal over SHAP-greedy), ``validity_causal``,
        ``abstention_causal``.
    """
    out = {}
    for scenario, block in table.groupby(level="scenario", sort=False):
        block = block.droplevel("scenario")
        causal = block.loc[[s for s in DATA_STRATEGIES if s in block.index]]
        best = causal["regret"].idxmin()
        shap = block.at["shap_greedy", "regret"]
        out[scenario] = {
            "best_causal": best,
            "regret_shap_greedy": shap,
            "regret_causal": causal.at[best, "regret"],
            "ratio": causal.at[best, "regret"] / shap if shap > 0 else np.nan,
            "validity_causal": causal.at[best, "validity"],
            "abstention_causal": causal.at[best, "abstention_rate"],
        }
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("scenario")

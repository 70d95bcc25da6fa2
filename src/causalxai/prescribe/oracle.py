"""Score recommendations against the truth: do() in the true SCM, the oracle, the metrics.

Every unit of a synthetic scenario is drawn with its noise, so the true effect of an
action on *that* unit is a counterfactual, exact for every node (binary ones included, see
:meth:`causalxai.causal.scm.SCM.counterfactual`): abduction is not needed, the stored noise
is reused. The outcome is read as its expected value given its parents
(:meth:`~causalxai.causal.scm.SCM.mean_function`), free of its own noise draw.

The oracle searches the same grid of single-lever actions as the strategies
(:func:`causalxai.prescribe.actions.candidate_actions`) in the true SCM and keeps, per
unit, the one that improves the outcome most within the budget (or nothing, if no action
improves it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.scm import SCM, Set
from causalxai.prescribe.actions import Action, candidate_actions

__all__ = ["GOALS", "Truth", "evaluate", "goal_sign", "oracle_actions", "summarise"]

#: Which way the outcome should move.
GOALS = ("decrease", "increase")

#: An improvement at most this large counts as none (rounding of the SCM's arithmetic).
TOLERANCE = 1e-9


def goal_sign(goal: str) -> float:
    """+1 if a larger outcome is better, -1 if a smaller one is."""
    if goal not in GOALS:
        raise ValueError(f"goal must be one of {GOALS}, got {goal!r}")
    return 1.0 if goal == "increase" else -1.0


@dataclass(frozen=True)
class Truth:
    """Units with their full values and noise in the true SCM.

    Attributes
    ----------
    scm : SCM
        The data-generating model.
    values, noise : pandas.DataFrame
        All nodes (latent included) and the noise of every node, one row per unit, as
        returned by ``scm.sample(n, seed, include_latent=True, return_noise=True)``.
    outcome : str
        The outcome node.
    goal : {"decrease", "increase"}
        Which way the outcome should move.
    """

    scm: SCM
    values: pd.DataFrame
    noise: pd.DataFrame
    outcome: str
    goal: str = "decrease"

    def __post_init__(self) -> None:
        goal_sign(self.goal)
        if self.outcome not in self.scm.nodes:
            raise ValueError(f"outcome {self.outcome!r} is not a node of the SCM")
        if len(self.values) != len(self.noise):
            raise ValueError(f"values has {len(self.values)} rows but noise {len(self.noise)}")

    @classmethod
    def draw(cls, scm: SCM, n: int, seed: int, outcome: str, goal: str = "decrease") -> Truth:
        """Draw ``n`` units with their noise."""
        values, noise = scm.sample(n, seed, include_latent=True, return_noise=True)
        return cls(scm, values, noise, outcome, goal)

    def features(self, names: Iterable[str]) -> pd.DataFrame:
        """The observed feature table of the units."""
        return self.values[list(names)]

    def changes(self, changes: Sequence[tuple[str, np.ndarray]],
                rows: np.ndarray | None = None) -> list[np.ndarray]:
        """True per-unit change in the expected outcome of each (lever, new values)."""
        values = self.values if rows is None else self.values.iloc[rows]
        noise = self.noise if rows is None else self.noise.iloc[rows]
        y0 = self.scm.mean_function(self.outcome, values)
        out = []
        for lever, new in changes:
            cf = self.scm.counterfactual(values, noise, {lever: Set(np.asarray(new, float))})
            out.append(self.scm.mean_function(self.outcome, cf) - y0)
        return out


def oracle_actions(
    truth: Truth,
    features: Sequence[str],
    schema: ActionabilitySchema,
    budget: float,
    *,
    actions: Sequence[Action] | None = None,
) -> pd.DataFrame:
    """Per unit, the best single-lever action within ``budget`` in the true SCM.

    Returns
    -------
    pandas.DataFrame
        Indexed like the units: ``feature`` (None if no action improves the outcome),
        ``action`` (in words), ``new_value``, ``cost`` and ``improvement`` (the true
        improvement of the expected outcome, in the goal's direction, >= 0).
    """
    X = truth.features(features)
    actions = list(actions) if actions is not None else candidate_actions(X, schema, budget)
    news = [a.new_values(X, schema) for a in actions]
    sign = goal_sign(truth.goal)
    gains = np.column_stack([sign * c for c in truth.changes(
        [(a.feature, v) for a, v in zip(actions, news, strict=True)])]) if actions else \
        np.zeros((len(X), 0))
    costs = np.column_stack([a.cost(X, schema) for a in actions]) if actions else gains
    n = len(X)
    best = np.full(n, -1)
    if actions:
        # the largest gain; among equal gains (up to rounding) the cheapest action
        top = gains.max(axis=1, keepdims=True)
        near = gains >= top - 1e-12
        best = np.where(near, costs, np.inf).argmin(axis=1)
        best = np.where(top[:, 0] > TOLERANCE, best, -1)
    rows = np.arange(n)
    has = best >= 0
    pick = np.where(has, best, 0)
    return pd.DataFrame({
        "feature": [actions[b].feature if b >= 0 else None for b in best],
        "action": [actions[b].describe() if b >= 0 else "no action" for b in best],
        "new_value": np.where(has, np.array(news)[pick, rows] if actions else np.nan, np.nan),
        "cost": np.where(has, costs[rows, pick] if actions else 0.0, 0.0),
        "improvement": np.where(has, gains[rows, pick] if actions else 0.0, 0.0),
    }, index=X.index)


def evaluate(recommendations: pd.DataFrame, truth: Truth, oracle: pd.DataFrame) -> pd.DataFrame:
    """Apply each recommendation to its unit with do() in the true SCM and score it.

    Parameters
    ----------
    recommendations : pandas.DataFrame
        From :meth:`causalxai.prescribe.strategies.Strategy.recommend`, indexed like the
        units (``feature``, ``new_value``, ``cost``, ``abstain``).
    truth : Truth
        The units in the true SCM (same index).
    oracle : pandas.DataFrame
        From :func:`oracle_actions`.

    Returns
    -------
    pandas.DataFrame
        Per unit: ``true_change`` (of the expected outcome), ``improvement`` (in the goal's
        direction), ``valid`` (improves under the truth; NaN if abstained), ``cost``,
        ``regret`` (oracle improvement minus ours), ``abstain``, ``abstention_correct``
        (no action within budget improves the outcome; NaN if not abstained).
    """
    index = truth.values.index
    if not recommendations.index.equals(index) or not oracle.index.equals(index):
        raise ValueError("recommendations, truth and oracle must share one index of units")
    change = np.zeros(len(index))
    acting = ~recommendations["abstain"].to_numpy(bool)
    for lever in pd.unique(recommendations.loc[acting, "feature"]):
        rows = np.flatnonzero(acting & (recommendations["feature"] == lever).to_numpy())
        new = recommendations["new_value"].to_numpy(float)[rows]
        change[rows] = truth.changes([(lever, new)], rows)[0]
    gain = goal_sign(truth.goal) * change
    best = oracle["improvement"].to_numpy(float)
    return pd.DataFrame({
        "true_change": change,
        "improvement": gain,
        "valid": np.where(acting, gain > TOLERANCE, np.nan),
        "cost": np.where(acting, recommendations["cost"].to_numpy(float), 0.0),
        "regret": best - gain,
        "oracle_improvement": best,
        "abstain": ~acting,
        "abstention_correct": np.where(acting, np.nan, best <= TOLERANCE),
    }, index=index)


def summarise(scores: pd.DataFrame) -> pd.Series:
    """One line of metrics from :func:`evaluate`'s per-unit scores.

    ``validity`` is over the units that received an action, ``abstention_correct`` over
    the abstentions (NaN when there are none), ``relative_regret`` is the mean regret over
    the mean oracle improvement.
    """
    best = scores["oracle_improvement"].mean()
    return pd.Series({
        "improvement": scores["improvement"].mean(),
        "regret": scores["regret"].mean(),
        "relative_regret": scores["regret"].mean() / best if best > 0 else np.nan,
        "validity": scores["valid"].mean(),
        "cost": scores["cost"].mean(),
        "abstention_rate": scores["abstain"].mean(),
        "abstention_correct": scores["abstention_correct"].mean(),
        "n_units": float(len(scores)),
    })

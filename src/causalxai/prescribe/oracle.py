"""Score recommendations against the truth: do() in the true SCM, the oracle, the metrics.

Every unit of a synthetic scenario is drawn with its noise, so the true effect of an
action on *that* unit is a counterfactual, exact for every node (binary ones included, see
:meth:`causalxai.causal.scm.SCM.counterfactual`): abduction is not needed, the stored noise
is reused. The outcome is read as its expected value given its parents
(:meth:`~causalxai.causal.scm.SCM.mean_function`), free of its own noise draw.

The oracle searches the same grid of single-lever actions as the strategies
(:func:`causalxai.prescribe.actions.candidate_actions`) in the true SCM and keeps, per
unit, the one that improves the outcome most within the budget (or nothing, if no action
improves it); with ``max_levers=2`` it also searches two levers changed together, the
budget split between them (:func:`causalxai.prescribe.actions.candidate_pairs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.scm import SCM
from causalxai.prescribe.actions import Action, candidate_actions, candidate_pairs
from causalxai.prescribe.structural import interventions

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

    def changes(self, changes: Sequence[tuple[str, np.ndarray] | Mapping[str, np.ndarray]],
                rows: np.ndarray | None = None) -> list[np.ndarray]:
        """True per-unit change in the expected outcome of each (lever, new values).

        An item may also map several levers to their new values, set together.
        """
        values = self.values if rows is None else self.values.iloc[rows]
        noise = self.noise if rows is None else self.noise.iloc[rows]
        y0 = self.scm.mean_function(self.outcome, values)
        out = []
        for change in changes:
            cf = self.scm.counterfactual(values, noise, interventions(change))
            out.append(self.scm.mean_function(self.outcome, cf) - y0)
        return out


def oracle_actions(
    truth: Truth,
    features: Sequence[str],
    schema: ActionabilitySchema,
    budget: float,
    *,
    actions: Sequence[Action] | None = None,
    max_levers: int = 1,
) -> pd.DataFrame:
    """Per unit, the best action within ``budget`` in the true SCM.

    Parameters
    ----------
    max_levers : {1, 2}
        Search single levers only, or also two levers changed together.

    Returns
    -------
    pandas.DataFrame
        Indexed like the units: ``feature`` (None if no action improves the outcome),
        ``action`` (in words), ``new_value``, ``cost`` and ``improvement`` (the true
        improvement of the expected outcome, in the goal's direction, >= 0); with
        ``max_levers=2`` also ``feature_2`` and ``new_value_2``, the second lever of a
        two-lever action (None and NaN for a single lever).
    """
    if max_levers not in (1, 2):
        raise ValueError(f"max_levers must be 1 or 2, got {max_levers!r}")
    X = truth.features(features)
    actions = list(actions) if actions is not None else candidate_actions(X, schema, budget)
    options: list[tuple[Action, ...]] = [(a,) for a in actions]
    if max_levers == 2:
        options += candidate_pairs(X, schema, budget)
    n = len(X)
    news = [[a.new_values(X, schema) for a in option] for option in options]
    sign = goal_sign(truth.goal)
    gains = np.column_stack([sign * c for c in truth.changes(
        [{a.feature: v for a, v in zip(option, new, strict=True)}
         for option, new in zip(options, news, strict=True)])]) if options else \
        np.zeros((n, 0))
    costs = (np.column_stack([sum(a.cost(X, schema) for a in option) for option in options])
             if options else gains)
    best = np.full(n, -1)
    if options:
        # the largest gain; among equal gains (up to rounding) the cheapest action
        top = gains.max(axis=1, keepdims=True)
        near = gains >= top - 1e-12
        best = np.where(near, costs, np.inf).argmin(axis=1)
        best = np.where(top[:, 0] > TOLERANCE, best, -1)
    rows = np.arange(n)
    has = best >= 0
    pick = np.where(has, best, 0)

    def lever(i: int, part: int) -> str | None:
        return options[i][part].feature if i >= 0 and len(options[i]) > part else None

    def value(part: int) -> np.ndarray:
        if not options:
            return np.full(n, np.nan)
        return np.array([news[b][part][r] if b >= 0 and len(options[b]) > part else np.nan
                         for r, b in enumerate(best)])

    out = pd.DataFrame({
        "feature": [lever(b, 0) for b in best],
        "action": [" and ".join(a.describe() for a in options[b]) if b >= 0 else "no action"
                   for b in best],
        "new_value": value(0),
        "cost": np.where(has, costs[rows, pick] if options else 0.0, 0.0),
        "improvement": np.where(has, gains[rows, pick] if options else 0.0, 0.0),
    }, index=X.index)
    if max_levers == 2:
        out.insert(3, "feature_2", [lever(b, 1) for b in best])
        out.insert(4, "new_value_2", value(1))
    return out


def evaluate(recommendations: pd.DataFrame, truth: Truth, oracle: pd.DataFrame) -> pd.DataFrame:
    """Apply each recommendation to its unit with do() in the true SCM and score it.

    Parameters
    ----------
    recommendations : pandas.DataFrame
        From :meth:`causalxai.prescribe.strategies.Strategy.recommend`, indexed like the
        units (``feature``, ``new_value``, ``cost``, ``abstain``; ``feature_2`` and
        ``new_value_2`` for two-lever actions, if any).
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
    first = recommendations["feature"].to_numpy(object)
    second = (recommendations["feature_2"].to_numpy(object) if "feature_2" in recommendations
              else np.full(len(index), None, dtype=object))
    second = np.array([v if isinstance(v, str) else "" for v in second], dtype=object)
    for lever, other in dict.fromkeys(zip(first[acting], second[acting], strict=True)):
        rows = np.flatnonzero(acting & (first == lever) & (second == other))
        levers = {lever: recommendations["new_value"].to_numpy(float)[rows]}
        if other:
            levers[other] = recommendations["new_value_2"].to_numpy(float)[rows]
        change[rows] = truth.changes([levers], rows)[0]
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

"""Prescription strategies behind one interface: per unit, an action or an abstention.

Every strategy is fitted on training data (features, outcome) for a :class:`Problem`
(causal graph, actionability schema, outcome and its goal) and then, for new units and a
per-unit budget (and optionally a population budget of ``k`` units), returns a tidy
table: the action (lever, new value, cost), the expected change of the outcome it
predicts with an interval where it has one, or an abstention with its reason. All search
the same grid of single-lever actions (:func:`~causalxai.prescribe.actions.candidate_actions`).

- :class:`ShapGreedy` moves the actionable feature with the most unfavourable SHAP value
  in the direction that lowers it, with the whole budget (today's practice);
- :class:`NearestCounterfactual` takes the cheapest action that brings the *model's*
  prediction to the favourable side of a threshold (Wachter et al., 2017), ignoring
  causality;
- :class:`CatePerLever` estimates each action's effect per unit by g-computation on the
  lever and its back-door adjustment set, and abstains from levers whose effect is not
  identifiable by adjustment;
- :class:`CausalRecourse` propagates the action through a structural model to the
  lever's descendants (Karimi, Schölkopf & Valera, 2021): the true SCM, one fitted from
  data and graph, or a bootstrap ensemble of fitted SCMs keeping only actions whose
  success probability is at least ``1 - alpha`` (Karimi et al., 2020). Fitted models
  abstain from levers that are not identifiable;
- :class:`PolicyTree` learns, one lever at a time, a shallow readable rule choosing among
  "no action" and the lever's actions (EconML's welfare-maximising policy tree on
  g-computation rewards minus a price of the cost), abstaining where it is not identifiable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.identification import backdoor_adjustment_set, has_causal_path
from causalxai.causal.problem import CausalProblem
from causalxai.causal.scm import SCM
from causalxai.predict.explain import shap_slope, tree_shap
from causalxai.predict.models import fit_gbm, gbm
from causalxai.prescribe.actions import (
    Action,
    candidate_actions,
    candidate_pairs,
    check_schema,
)
from causalxai.prescribe.oracle import goal_sign
from causalxai.prescribe.structural import bootstrap_scms, counterfactual_changes, fit_scm

__all__ = [
    "CatePerLever",
    "CausalRecourse",
    "NearestCounterfactual",
    "PolicyTree",
    "Problem",
    "ShapGreedy",
    "Strategy",
]


@dataclass(frozen=True)
class Problem:
    """The causal problem a prescription answers.

    Attributes
    ----------
    graph : networkx.DiGraph
        Causal graph over the features, the outcome and any latent node.
    schema : ActionabilitySchema
        Actionability of every feature (features not in it are fixed).
    outcome : str
        The outcome node.
    features : tuple of str
        The observed features, in the order of the model's columns.
    goal : {"decrease", "increase"}
        Which way the outcome should move.
    """

    graph: nx.DiGraph
    schema: ActionabilitySchema
    outcome: str
    features: tuple[str, ...]
    goal: str = "decrease"

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        goal_sign(self.goal)
        if self.outcome not in self.graph:
            raise ValueError(f"outcome {self.outcome!r} is not a node of the graph")
        for name in self.features:
            if name not in self.graph:
                raise ValueError(f"feature {name!r} is not a node of the graph")
        check_schema(self.schema, self.features)

    @property
    def sign(self) -> float:
        """float: +1 if a larger outcome is better, -1 otherwise."""
        return goal_sign(self.goal)

    @classmethod
    def of(cls, problem: CausalProblem, goal: str = "decrease") -> Problem:
        """The prescription problem of a :class:`~causalxai.causal.problem.CausalProblem`.

        Its graph keeps the latent nodes (marked by their ``latent`` attribute, never
        adjusted for), its features and schema are the problem's; the schema is required.
        """
        if not isinstance(problem, CausalProblem):
            raise TypeError(f"problem must be a CausalProblem, got {type(problem).__name__}")
        if problem.schema is None:
            raise ValueError("the causal problem has no actionability schema: a prescription "
                             "needs one")
        return cls(nx.DiGraph(problem.graph), problem.schema, problem.outcome,
                   tuple(problem.features or ()), goal)


def _population_budget(out: pd.DataFrame, k: int, sign: float) -> pd.DataFrame:
    """Keep the actions of the ``k`` units with the largest predicted improvement."""
    has = ~out["abstain"].to_numpy(bool)
    score = np.where(has, sign * out["expected_change"].to_numpy(float), -np.inf)
    keep = np.zeros(len(out), dtype=bool)
    keep[np.argsort(-score, kind="stable")[:k]] = True
    dropped = has & ~keep
    out.loc[dropped, ["action", "feature"]] = ["abstain", None]
    values = [c for c in ("new_value", "cost", "expected_change", "lower", "upper",
                          "new_value_2", "old_value_2") if c in out]
    out.loc[dropped, values] = np.nan
    if "feature_2" in out:
        out.loc[dropped, "feature_2"] = None
    out.loc[dropped, "abstain"] = True
    out.loc[dropped, "reason"] = f"outside the population budget (k = {k})"
    return out


def _check_budget(budget: float, k: int | None) -> tuple[float, int | None]:
    budget = float(budget)
    if not (math.isfinite(budget) and budget >= 0):
        raise ValueError(f"budget must be finite and >= 0, got {budget}")
    if k is not None and (int(k) != k or k < 0):
        raise ValueError(f"k (units the population budget covers) must be an integer >= 0, "
                         f"got {k!r}")
    return budget, None if k is None else int(k)


class Strategy:
    """Base class: fit on training data, recommend one action (or none) per unit.

    Subclasses set :attr:`name` and implement :meth:`_fit` and :meth:`_predict`, the
    predicted change of the outcome per unit and candidate action; :meth:`_choose` picks
    the action (default: the largest predicted improvement, the cheaper one on ties).
    """

    name = "strategy"

    def __init__(self) -> None:
        self.problem_: Problem | None = None

    # fitting -------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray,
            problem: Problem | CausalProblem, *, goal: str = "decrease") -> Strategy:
        """Fit on units ``X`` (columns: ``problem.features``) and their outcome ``y``.

        ``problem`` is a :class:`Problem` or a
        :class:`~causalxai.causal.problem.CausalProblem` with a schema, turned into one by
        :meth:`Problem.of` with ``goal`` (a :class:`Problem` keeps its own goal).
        """
        if isinstance(problem, CausalProblem):
            problem = Problem.of(problem, goal)
        if not isinstance(problem, Problem):
            raise TypeError(f"problem must be a Problem or a CausalProblem, got "
                            f"{type(problem).__name__}")
        missing = [f for f in problem.features if f not in X]
        if missing:
            raise ValueError(f"X lacks the feature column(s) {', '.join(missing)}")
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        self.problem_ = problem
        self.excluded_: dict[str, str] = {}
        self._fit(X[list(problem.features)], np.asarray(y, dtype=float))
        return self

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        raise NotImplementedError

    def _predict(self, X: pd.DataFrame, actions: list[Action],
                 news: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    # recommending --------------------------------------------------------------------
    def _choose(self, X: pd.DataFrame, actions: list[Action], gain: np.ndarray,
                low: np.ndarray, costs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Per unit, the index of the chosen action (-1: abstain) and a reason."""
        gain = np.where(np.isnan(gain), -np.inf, gain)
        top = gain.max(axis=1, keepdims=True)
        best = np.where(gain >= top - 1e-12, costs, np.inf).argmin(axis=1)
        ok = top[:, 0] > 0
        reason = "no action is predicted to improve the outcome within the budget"
        return np.where(ok, best, -1), ["" if o else reason for o in ok]

    def recommend(self, X: pd.DataFrame, budget: float, *, k: int | None = None,
                  fractions: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)) -> pd.DataFrame:
        """One recommendation per unit of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            The units (columns: the problem's features).
        budget : float
            Largest cost of the action for one unit (cost: ``unit_cost * |change|``).
        k : int, optional
            Population budget: only the ``k`` units with the largest predicted improvement
            get their action; the others abstain ("outside the population budget").
        fractions : tuple of float
            Fractions of the budget the grid of shifts spends.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``X``: ``strategy``, ``action`` (in words), ``feature``,
            ``old_value``, ``new_value``, ``cost``, ``expected_change`` (of the outcome,
            predicted), ``lower``, ``upper`` (its interval; NaN if the strategy has
            none), ``abstain`` and ``reason``.
        """
        if self.problem_ is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit first")
        budget, k = _check_budget(budget, k)
        problem = self.problem_
        X = X[list(problem.features)]
        actions = [a for a in candidate_actions(X, problem.schema, budget, fractions=fractions)
                   if a.feature not in self.excluded_]
        n = len(X)
        if actions:
            news = [a.new_values(X, problem.schema) for a in actions]
            costs = np.column_stack([a.cost(X, problem.schema) for a in actions])
            change, low, high = self._predict(X, actions, news)
            gain = problem.sign * change
            gain_low = np.minimum(problem.sign * low, problem.sign * high)
            pick, reasons = self._choose(X, actions, gain, gain_low, costs)
        else:
            news, pick = [], np.full(n, -1)
            costs = change = low = high = gain = np.zeros((n, 0))
            why = "; ".join(f"{f}: {r}" for f, r in self.excluded_.items())
            reasons = ["no lever is usable within the budget" + (f" ({why})" if why else "")] * n
        rows, has = np.arange(n), pick >= 0
        p = np.where(has, pick, 0)

        def at(matrix: np.ndarray) -> np.ndarray:
            return np.where(has, matrix[rows, p], np.nan) if actions else np.full(n, np.nan)

        out = pd.DataFrame({
            "strategy": self.name,
            "action": [actions[i].describe() if i >= 0 else "abstain" for i in pick],
            "feature": [actions[i].feature if i >= 0 else None for i in pick],
            "old_value": (at(np.column_stack([X[a.feature].to_numpy(float) for a in actions]))
                          if actions else np.full(n, np.nan)),
            "new_value": at(np.vstack(news).T) if actions else np.full(n, np.nan),
            "cost": at(costs),
            "expected_change": at(change),
            "lower": at(low),
            "upper": at(high),
            "abstain": ~has,
            "reason": reasons,
        }, index=X.index)
        return out if k is None else _population_budget(out, k, problem.sign)

    def _exclude_unidentifiable(self, X: pd.DataFrame) -> dict[str, frozenset[str]]:
        """Exclude levers whose effect is not identifiable; return the others' sets."""
        problem = self.problem_
        sets = {}
        for lever in problem.schema.actionable():
            if not has_causal_path(problem.graph, lever, problem.outcome):
                self.excluded_[lever] = "no causal path to the outcome (its effect is zero)"
                continue
            z = backdoor_adjustment_set(problem.graph, lever, problem.outcome,
                                        observed=[*problem.features, problem.outcome])
            if z is None:
                self.excluded_[lever] = "effect not identifiable (no valid adjustment set)"
            else:
                sets[lever] = z
        return sets


class _ModelBased(Strategy):
    """Reads a predictive model (a LightGBM fitted on all features unless given)."""

    def __init__(self, model: object | None = None, *, seed: int = 0) -> None:
        super().__init__()
        self.model, self.seed = model, seed

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        self.model_ = self.model if self.model is not None else fit_gbm(X, y, seed=self.seed)

    def _predict(self, X, actions, news):
        base = self.model_.predict(X)
        change = []
        for a, new in zip(actions, news, strict=True):
            Z = X.copy()
            Z[a.feature] = new
            change.append(self.model_.predict(Z) - base)
        change = np.column_stack(change)
        return change, np.full_like(change, np.nan), np.full_like(change, np.nan)


class ShapGreedy(_ModelBased):
    """Move the actionable feature with the most unfavourable SHAP value, whole budget.

    The direction that lowers a feature's SHAP contribution is read from the slope of its
    SHAP values on its values across the explained units (interventional TreeSHAP with
    ``n_background`` reference rows); a feature whose schema forbids that direction is passed
    over. The expected change is the model's prediction after minus before.
    """

    name = "shap_greedy"

    def __init__(self, model: object | None = None, *, n_background: int = 50,
                 seed: int = 0) -> None:
        super().__init__(model, seed=seed)
        self.n_background = n_background

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        super()._fit(X, y)
        self.background_ = X.sample(min(self.n_background, len(X)), random_state=self.seed)

    def _choose(self, X, actions, gain, low, costs):
        sign = self.problem_.sign
        shap = tree_shap(self.model_, X, self.background_)
        # the dependence-plot reading, on the explained units themselves
        self.slope_ = shap_slope(shap, X).fillna(0.0)
        bad = -sign * shap  # > 0: the feature pushes the outcome the wrong way
        pick = np.full(len(X), -1)
        order = np.argsort(-bad.to_numpy(), axis=1, kind="stable")
        cols = list(X.columns)
        # the full-budget action of each lever in the direction that lowers its SHAP value
        full: dict[str, int] = {}
        for i, a in enumerate(actions):
            # bad = -sign * shap falls when the feature moves along sign * slope
            favourable = sign * np.sign(self.slope_[a.feature])
            if a.kind == "switch" or np.sign(a.amount) == favourable:
                j = full.get(a.feature)
                if j is None or abs(a.amount) > abs(actions[j].amount):
                    full[a.feature] = i
        for r in range(len(X)):
            for c in order[r]:
                name = cols[c]
                if bad.iat[r, c] <= 0:
                    break
                if name in full and costs[r, full[name]] > 0:
                    pick[r] = full[name]
                    break
        reason = "no actionable feature has an unfavourable SHAP value that it may lower"
        return pick, ["" if p >= 0 else reason for p in pick]


class NearestCounterfactual(_ModelBased):
    """The cheapest action that brings the model's prediction past ``threshold``.

    Without an action that reaches the threshold, the one improving the model's
    prediction most; a unit already on the favourable side gets no action.

    Parameters
    ----------
    threshold : float, optional
        Favourable side: prediction below it (goal "decrease") or above it. Default: the
        median of the model's predictions on the training units.
    """

    name = "nearest_counterfactual"

    def __init__(self, model: object | None = None, *, threshold: float | None = None,
                 seed: int = 0) -> None:
        super().__init__(model, seed=seed)
        self.threshold = threshold

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        super()._fit(X, y)
        self.threshold_ = (float(np.median(self.model_.predict(X))) if self.threshold is None
                           else float(self.threshold))

    def _choose(self, X, actions, gain, low, costs):
        sign = self.problem_.sign
        margin = sign * (self.model_.predict(X) - self.threshold_)  # > 0: favourable
        reaches = margin[:, None] + gain > 0
        cheapest = np.where(reaches, costs, np.inf).argmin(axis=1)
        pick, reasons = super()._choose(X, actions, gain, low, costs)
        pick = np.where(reaches.any(axis=1), cheapest, pick)
        done = margin > 0
        pick = np.where(done, -1, pick)
        reasons = ["the model already predicts a favourable outcome" if d else
                   (r if p < 0 else "") for d, r, p in zip(done, reasons, pick, strict=True)]
        return pick, reasons


class CatePerLever(Strategy):
    """Per-unit effect of each action by g-computation on the lever's adjustment set.

    For each lever an outcome model ``E[Y | lever, Z]`` is fitted on the lever and its
    back-door adjustment set ``Z`` in the graph (LightGBM or least squares); the effect of
    an action on a unit is the model's prediction at the new value minus at the old one,
    ``Z`` kept. Levers without a valid adjustment set are excluded (abstention on them).

    Parameters
    ----------
    learner : {"gbm", "linear"}
        The outcome model.
    seed : int
        Seed of the boosted models.
    """

    name = "cate_per_lever"

    def __init__(self, learner: str = "gbm", *, seed: int = 0) -> None:
        super().__init__()
        if learner not in ("gbm", "linear"):
            raise ValueError(f"learner must be 'gbm' or 'linear', got {learner!r}")
        self.learner, self.seed = learner, seed

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        self.sets_ = self._exclude_unidentifiable(X)
        self.fit_outcome_models(X, y)

    def fit_outcome_models(self, X: pd.DataFrame, y: np.ndarray) -> CatePerLever:
        """Refit only the outcome models, on other rows, keeping the identification.

        For a bootstrap: a copy of a fitted strategy refits its models on a resample
        without searching the adjustment sets again. Returns ``self``.
        """
        self.models_ = {}
        for lever, z in self.sets_.items():
            cols = [lever, *sorted(z)]
            if self.learner == "gbm":
                self.models_[lever] = (cols, fit_gbm(X[cols], y, n_estimators=200,
                                                     seed=self.seed))
            else:
                design = np.column_stack([np.ones(len(X)), X[cols].to_numpy(float)])
                self.models_[lever] = (cols, np.linalg.lstsq(design, y, rcond=None)[0])
        return self

    def _outcome(self, lever: str, Z: pd.DataFrame) -> np.ndarray:
        cols, model = self.models_[lever]
        if self.learner == "gbm":
            return model.predict(Z[cols])
        return np.column_stack([np.ones(len(Z)), Z[cols].to_numpy(float)]) @ model

    def change(self, lever: str, X: pd.DataFrame, new: np.ndarray) -> np.ndarray:
        """Per row of ``X``, the predicted outcome with ``lever`` set to ``new`` minus the
        predicted outcome as it is (g-computation on the lever's outcome model)."""
        Z = X.copy()
        Z[lever] = new
        return self._outcome(lever, Z) - self._outcome(lever, X)

    def _predict(self, X, actions, news):
        change = np.column_stack([self.change(a.feature, X, new)
                                  for a, new in zip(actions, news, strict=True)])
        return change, np.full_like(change, np.nan), np.full_like(change, np.nan)


class CausalRecourse(Strategy):
    """Minimal-cost recourse through a structural model: true, fitted, or an ensemble.

    Parameters
    ----------
    scm : SCM, optional
        The structural model to use as known (the true one, for an upper bound); then
        nothing is fitted and no lever is excluded.
    n_models : int
        Without ``scm``: 1 fits one SCM on the data and the graph; more fit a bootstrap
        ensemble (imperfect causal knowledge), and an action is kept only if it improves
        the outcome in at least ``1 - alpha`` of the models.
    alpha : float
        Accepted failure probability of the ensemble's actions, in ``(0, 1)``.
    mechanism : {"linear", "gbm"}
        Mechanisms of the fitted SCMs.
    max_levers : {1, 2}
        With 2, two levers changed together (the budget split between them, see
        :func:`~causalxai.prescribe.actions.candidate_pairs`) are searched too, and a pair
        is recommended where it promises more than the best single lever; the table then
        has ``feature_2``, ``old_value_2`` and ``new_value_2`` (None or NaN for one lever).
    seed : int
        Seed of the bootstrap and of the boosted mechanisms.
    """

    def __init__(self, scm: SCM | None = None, *, n_models: int = 1, alpha: float = 0.1,
                 mechanism: str = "linear", max_levers: int = 1, seed: int = 0) -> None:
        super().__init__()
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
        if max_levers not in (1, 2):
            raise ValueError(f"max_levers must be 1 or 2, got {max_levers!r}")
        self.max_levers = max_levers
        if int(n_models) != n_models or n_models < 1:
            raise ValueError(f"n_models must be an integer >= 1, got {n_models!r}")
        self.scm, self.n_models, self.alpha = scm, int(n_models), float(alpha)
        self.mechanism, self.seed = mechanism, seed

    @property
    def name(self) -> str:  # type: ignore[override]
        """str: ``recourse_true_scm``, ``recourse_fitted_scm`` or ``recourse_ensemble``."""
        if self.scm is not None:
            return "recourse_true_scm"
        return "recourse_fitted_scm" if self.n_models == 1 else "recourse_ensemble"

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        problem = self.problem_
        if self.scm is not None:
            self.models_ = [self.scm]
            return
        self._exclude_unidentifiable(X)
        data = X.assign(**{problem.outcome: y})
        if self.n_models == 1:
            self.models_ = [fit_scm(data, problem.graph, mechanism=self.mechanism,
                                    seed=self.seed)]
        else:
            self.models_ = bootstrap_scms(data, problem.graph, n_models=self.n_models,
                                          mechanism=self.mechanism, seed=self.seed)

    def _predict(self, X, actions, news):
        pairs = [(a.feature, v) for a, v in zip(actions, news, strict=True)]
        return self._changes(X, pairs)

    def _changes(self, X, changes):
        """Predicted change, interval, and (in :attr:`success_`) the share that improve."""
        draws = np.stack([np.column_stack(counterfactual_changes(m, X, self.problem_.outcome,
                                                                 changes))
                          for m in self.models_])  # (models, units, actions)
        self.success_ = (self.problem_.sign * draws > 0).mean(axis=0)
        if len(self.models_) == 1:
            nan = np.full_like(draws[0], np.nan)
            return draws[0], nan, nan
        q = self.alpha / 2
        return (draws.mean(axis=0), np.quantile(draws, q, axis=0),
                np.quantile(draws, 1 - q, axis=0))

    def _choose(self, X, actions, gain, low, costs):
        if len(self.models_) == 1:
            return super()._choose(X, actions, gain, low, costs)
        sure = self.success_ >= 1 - self.alpha
        pick, reasons = super()._choose(X, actions, np.where(sure, gain, np.nan), low, costs)
        why = f"no action improves the outcome with probability >= {1 - self.alpha:.2f}"
        return pick, [why if p < 0 else r for p, r in zip(pick, reasons, strict=True)]

    def recommend(self, X: pd.DataFrame, budget: float, *, k: int | None = None,
                  fractions: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)) -> pd.DataFrame:
        """As :meth:`Strategy.recommend`; with ``max_levers=2`` also two-lever actions."""
        out = super().recommend(X, budget, fractions=fractions)
        if self.max_levers == 2:
            out = self._add_pairs(X[list(self.problem_.features)], float(budget), out)
        return out if k is None else _population_budget(out, _check_budget(budget, k)[1],
                                                        self.problem_.sign)

    def _add_pairs(self, X: pd.DataFrame, budget: float, out: pd.DataFrame) -> pd.DataFrame:
        problem, schema = self.problem_, self.problem_.schema
        out = out.assign(feature_2=None, old_value_2=np.nan, new_value_2=np.nan)
        pairs = [(a, b) for a, b in candidate_pairs(X, schema, budget)
                 if a.feature not in self.excluded_ and b.feature not in self.excluded_]
        if not pairs:
            return out
        news = [(a.new_values(X, schema), b.new_values(X, schema)) for a, b in pairs]
        change, low, high = self._changes(X, [{a.feature: na, b.feature: nb} for (a, b), (
            na, nb) in zip(pairs, news, strict=True)])
        gain = problem.sign * change
        if len(self.models_) > 1:
            gain = np.where(self.success_ >= 1 - self.alpha, gain, -np.inf)
        costs = np.column_stack([a.cost(X, schema) + b.cost(X, schema) for a, b in pairs])
        top = gain.max(axis=1, keepdims=True)
        best = np.where(gain >= top - 1e-12, costs, np.inf).argmin(axis=1)
        single = np.where(out["abstain"].to_numpy(bool), 0.0,
                          problem.sign * out["expected_change"].to_numpy(float))
        better = np.flatnonzero(top[:, 0] > np.maximum(single, 0.0) + 1e-12)
        for r in better:
            j = best[r]
            (a, b), (na, nb) = pairs[j], news[j]
            out.iloc[r, out.columns.get_indexer(
                ["action", "feature", "old_value", "new_value", "feature_2", "old_value_2",
                 "new_value_2", "cost", "expected_change", "lower", "upper", "abstain",
                 "reason"])] = [
                f"{a.describe()} and {b.describe()}", a.feature, X[a.feature].iat[r], na[r],
                b.feature, X[b.feature].iat[r], nb[r], costs[r, j], change[r, j],
                low[r, j], high[r, j], False, ""]
        return out



class PolicyTree(Strategy):
    """A shallow, readable treatment rule per lever: EconML's welfare-maximising tree.

    For each identifiable lever (one lever at a time) the arms are "no action" and the
    lever's candidate actions within the budget. The reward of an arm for a training unit
    is its predicted improvement of the outcome, by g-computation on the lever and its
    back-door adjustment set (the outcome models of :class:`CatePerLever`), minus
    ``cost_weight`` times its cost; no action is worth 0. EconML's
    :class:`econml.policy.PolicyTree` (the final stage of ``DRPolicyTree``) then learns,
    on all the features, the depth-``max_depth`` rule with the largest total reward. Unlike
    ``DRPolicyTree``, whose doubly robust scores need a discrete *observed* treatment, the
    rewards are the direct-method (g-computation) ones: an action here is a shift of a
    continuous lever from each unit's own value, which no unit was observed to receive.

    A 0/1 lever *is* such a treatment: its tree is EconML's
    :class:`econml.policy.DRPolicyTree` (doubly robust scores from LightGBM outcome and
    propensity models, cross-fitted), fitted with the lever as ``T`` and its adjustment set
    as the features the rule splits on (a descendant of the lever would bias the scores).
    The cost enters by subtracting ``cost_weight * unit_cost`` from the outcome of the arm
    that costs (1 for a lever one may only raise or either way, 0 for one one may only
    lower); the rule names the state to be in, and a unit already in it gets no action.

    A unit gets the action its lever's tree recommends; with several levers, the one whose
    leaf promises the largest reward. The tree's expected change of the unit's outcome is the
    g-computation estimate for that unit; units the rule leaves alone abstain. The fitted
    rules are :attr:`rules_` (text, see :meth:`rule`), refitted at every :meth:`recommend`
    because the arms depend on the budget.

    Parameters
    ----------
    lever : str, optional
        Fit the tree for this lever only (the others are left out); default: every
        identifiable lever, one tree each.
    max_depth : int
        Depth of the trees, 1 to 4 (2 or 3 stay readable).
    cost_weight : float
        Outcome units one unit of cost is worth (>= 0); 0: costs only bound the actions
        through the budget, as for the other strategies.
    min_samples_leaf : int
        Smallest leaf of the trees, in training units.
    learner : {"gbm", "linear"}
        The outcome models (as in :class:`CatePerLever`).
    seed : int
        Seed of the outcome models and of the trees.
    """

    name = "policy_tree"

    def __init__(self, lever: str | None = None, *, max_depth: int = 2,
                 cost_weight: float = 0.0, min_samples_leaf: int = 20, learner: str = "gbm",
                 seed: int = 0) -> None:
        super().__init__()
        if int(max_depth) != max_depth or not 1 <= max_depth <= 4:
            raise ValueError(f"max_depth must be an integer in 1..4, got {max_depth!r}")
        if not (math.isfinite(float(cost_weight)) and cost_weight >= 0):
            raise ValueError(f"cost_weight must be finite and >= 0, got {cost_weight!r}")
        if int(min_samples_leaf) != min_samples_leaf or min_samples_leaf < 1:
            raise ValueError(f"min_samples_leaf must be an integer >= 1, got "
                             f"{min_samples_leaf!r}")
        self.lever, self.max_depth, self.cost_weight = lever, int(max_depth), float(cost_weight)
        self.min_samples_leaf, self.learner, self.seed = int(min_samples_leaf), learner, seed
        CatePerLever(learner)  # validates the learner

    def _fit(self, X: pd.DataFrame, y: np.ndarray) -> None:
        problem = self.problem_
        if self.lever is not None and self.lever not in problem.schema.actionable():
            raise ValueError(f"lever {self.lever!r} is not an actionable feature of the "
                             f"schema; actionable: {', '.join(problem.schema.actionable())}")
        self.outcome_ = CatePerLever(self.learner, seed=self.seed).fit(X, y, problem)
        self.excluded_.update(self.outcome_.excluded_)
        if self.lever is not None:
            for other in problem.schema.actionable():
                if other != self.lever and other not in self.excluded_:
                    self.excluded_[other] = f"not the policy tree's lever ({self.lever})"
        self.train_, self.y_ = X, y
        self.rules_: dict[str, str] = {}
        self.trees_: dict[str, tuple[object, list[str], list[str]]] = {}

    def _predict(self, X, actions, news):
        from econml.policy import PolicyTree as EconPolicyTree

        problem, train = self.problem_, self.train_
        change = np.full((len(X), len(actions)), np.nan)
        self.value_ = np.full_like(change, np.nan)
        for lever in dict.fromkeys(a.feature for a in actions):
            cols = [i for i, a in enumerate(actions) if a.feature == lever]
            if self._doubly_robust(lever, cols, actions, X, news, change):
                continue
            rewards = [np.zeros(len(train))]
            before = self.outcome_._outcome(lever, train)
            for i in cols:
                Z = train.copy()
                Z[lever] = actions[i].new_values(train, problem.schema)
                gain = problem.sign * (self.outcome_._outcome(lever, Z) - before)
                rewards.append(gain - self.cost_weight * actions[i].cost(train, problem.schema))
            tree = EconPolicyTree(max_depth=self.max_depth,
                                  min_samples_leaf=self.min_samples_leaf,
                                  random_state=self.seed).fit(train.to_numpy(float),
                                                              np.column_stack(rewards))
            arms = [actions[i].describe() for i in cols]
            self.trees_[lever] = (tree, list(train.columns), ["no action", *arms])
            self.rules_[lever] = _tree_text(*self.trees_[lever])
            arm = tree.predict(X.to_numpy(float))
            value = tree.predict_value(X.to_numpy(float))
            before = self.outcome_._outcome(lever, X)
            for j, i in enumerate(cols, start=1):
                chosen = (arm == j) & (news[i] != X[lever].to_numpy(float))
                if not chosen.any():
                    continue
                Z = X.copy()
                Z[lever] = news[i]
                own = self.outcome_._outcome(lever, Z) - before
                change[chosen, i] = own[chosen]
                self.value_[chosen, i] = value[chosen, j]
        return change, np.full_like(change, np.nan), np.full_like(change, np.nan)

    def _doubly_robust(self, lever: str, cols: list[int], actions: list[Action],
                       X: pd.DataFrame, news: list[np.ndarray], change: np.ndarray) -> bool:
        """Fit EconML's DRPolicyTree for a 0/1 lever; False if it does not apply."""
        from econml.policy import DRPolicyTree

        problem, train = self.problem_, self.train_
        controls = sorted(self.outcome_.sets_[lever])
        if len(cols) != 1 or actions[cols[0]].kind != "switch" or not controls:
            return False
        spec = problem.schema[lever]
        treat = train[lever].to_numpy(float)
        costly = treat if spec.direction != "decrease" else 1.0 - treat
        y = problem.sign * self.y_ - self.cost_weight * spec.unit_cost * costly
        tree = DRPolicyTree(model_regression=gbm("regression", seed=self.seed,
                                                 n_estimators=100),
                            model_propensity=gbm("classification", seed=self.seed,
                                                 n_estimators=100),
                            max_depth=self.max_depth, min_samples_leaf=self.min_samples_leaf,
                            random_state=self.seed)
        tree.fit(y, treat.astype(int), X=train[controls].to_numpy(float))
        self.trees_[lever] = (tree.policy_model_, controls, [f"{lever} = 0", f"{lever} = 1"])
        self.rules_[lever] = _tree_text(*self.trees_[lever])
        i = cols[0]
        old = X[lever].to_numpy(float)
        state = tree.predict(X[controls].to_numpy(float)).astype(float)
        chosen = (state != old) & (news[i] != old)
        effect = tree.predict_value(X[controls].to_numpy(float))[:, 0]  # arm 1 minus arm 0
        change[chosen, i] = self.outcome_.change(lever, X, news[i])[chosen]
        self.value_[chosen, i] = np.where(old == 0, effect, -effect)[chosen]
        return True

    def _choose(self, X, actions, gain, low, costs):
        pick, _ = super()._choose(X, actions, self.value_, low, costs)
        reason = "the policy tree's rule leaves this unit as it is"
        return pick, ["" if p >= 0 else reason for p in pick]

    def rule(self, lever: str | None = None, *, one_line: bool = False) -> str:
        """The fitted rule of ``lever`` (default: the first lever) in words.

        Indented ``if``/``else`` lines, or with ``one_line`` the same joined by "; ".
        """
        rules = getattr(self, "rules_", {})
        if not rules:
            raise RuntimeError("no policy tree is fitted yet: call fit, then recommend")
        if lever is None:
            lever = next(iter(rules))
        if lever not in rules:
            raise ValueError(f"no policy tree for lever {lever!r}; trees: {', '.join(rules)}")
        return _tree_text(*self.trees_[lever], one_line=True) if one_line else rules[lever]


def _tree_text(tree: object, features: list[str], arms: list[str], *,
               one_line: bool = False) -> str:
    """A fitted EconML policy tree as if/else text; subtrees of one arm merged.

    Indented lines, or one sentence ``if a <= 1 then (...), else ...`` with ``one_line``.
    """
    t = tree.tree_
    best = t.value[:, :, 0].argmax(axis=1)

    def arms_below(node: int) -> set[int]:
        if t.children_left[node] < 0:
            return {int(best[node])}
        return arms_below(t.children_left[node]) | arms_below(t.children_right[node])

    def lines(node: int, depth: int) -> list[str]:
        pad = "    " * depth
        below = arms_below(node)
        if len(below) == 1:
            return [f"{pad}-> {arms[below.pop()]}"]
        name, thr = features[t.feature[node]], t.threshold[node]
        return ([f"{pad}if {name} <= {thr:.3g}:", *lines(t.children_left[node], depth + 1),
                 f"{pad}else:  # {name} > {thr:.3g}", *lines(t.children_right[node], depth + 1)])

    def sentence(node: int) -> str:
        below = arms_below(node)
        if len(below) == 1:
            return arms[below.pop()]
        left, right = (sentence(t.children_left[node]), sentence(t.children_right[node]))
        left, right = (f"({x})" if x.startswith("if ") else x for x in (left, right))
        return (f"if {features[t.feature[node]]} <= {t.threshold[node]:.3g} then {left}, "
                f"else {right}")

    return sentence(0) if one_line else "\n".join(lines(0, 0))

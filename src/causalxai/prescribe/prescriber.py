"""One scikit-learn-style object that puts the causal checks next to an existing model.

:class:`Prescriber` takes the model a team already runs (any scikit-learn classifier or
regressor, a ``Pipeline``, or none: a LightGBM), a causal graph over its input features
and the outcome, and an actionability schema. ``fit`` binds the causal problem to the
data (:meth:`causalxai.causal.problem.CausalProblem.bind`), tests the graph's implied
independencies (:func:`causalxai.causal.implications.check_implications`), and estimates
what the prescriptions need; the other methods read the fitted state:

- :meth:`Prescriber.effects` -- per actionable feature, identification (back-door),
  the effect of the allowed action with a bootstrap interval under the prescription
  strategy's own models (the fitted structural model, or the g-computation per lever),
  refutations (:func:`causalxai.estimate.refute.linear_refutations`) and the robustness
  value of Cinelli & Hazlett (:func:`causalxai.estimate.sensitivity.robustness_value`),
  or the reason for abstaining;
- :meth:`Prescriber.prescribe` -- per unit, the action of the best causal strategy
  available (:class:`~causalxai.prescribe.strategies.CausalRecourse` on a fitted SCM when
  the graph has no latent node, else
  :class:`~causalxai.prescribe.strategies.CatePerLever`), its cost, expected change and
  outcome with a bootstrap interval, or an abstention with its reason;
- :meth:`Prescriber.explain` -- SHAP values of the model with the causal validity label
  of each feature (:func:`causalxai.causal.validity.validity_labels`);
- :meth:`Prescriber.report` and :meth:`Prescriber.card` -- the last prescriptions as a
  table and as a plain-language card for one unit;
- :meth:`Prescriber.monitor` -- the graph's implications and the fitted mechanisms
  re-tested on new data: which assumptions moved.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from causalxai.causal.actionability import ActionabilitySchema, FeatureAction, SchemaError
from causalxai.causal.implications import check_implications
from causalxai.causal.problem import CausalProblem
from causalxai.causal.validity import validity_labels
from causalxai.estimate.observational import _ols
from causalxai.estimate.refute import linear_refutations
from causalxai.estimate.sensitivity import robustness_value
from causalxai.predict.explain import mean_abs_shap, shap_slope, tree_shap
from causalxai.predict.models import gbm, infer_task
from causalxai.predict.shapley import shapley_explanation
from causalxai.prescribe.actions import Action, is_binary
from causalxai.prescribe.oracle import goal_sign
from causalxai.prescribe.strategies import CatePerLever, CausalRecourse, Problem, _check_budget
from causalxai.prescribe.structural import bootstrap_scms, counterfactual_changes, fit_scm

__all__ = ["ESTIMATORS", "LEARNERS", "GraphWarning", "Prescriber", "PrescriberExplanation"]

#: Choices of ``estimator``: the prescription strategy.
ESTIMATORS = ("auto", "recourse", "cate")
#: Choices of ``learner``: the outcome models and structural mechanisms.
LEARNERS = ("linear", "gbm")


def _one_blas_thread(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a method with one BLAS thread: on its many small least-squares problems, BLAS
    threads only spin (ten times slower on a busy two-core machine)."""
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(1, user_api="blas"):
            return method(*args, **kwargs)
    return wrapper


class GraphWarning(UserWarning):
    """The data contradict an independence the causal graph implies."""


@dataclass(frozen=True)
class PrescriberExplanation:
    """SHAP values of the model and what each feature's value can causally mean.

    Attributes
    ----------
    values : pandas.DataFrame
        Per explained unit and feature, the SHAP value (model output units; log-odds for a
        tree classifier, probability for another classifier).
    features : pandas.DataFrame
        Per feature: ``mean_abs_shap``, ``shap_slope`` (the dependence-plot reading), the
        causal validity ``label``, its ``text``, ``adjustment_set``, ``note`` and, for an
        actionable feature, the estimated ``effect`` of its allowed action.
    causal : pandas.DataFrame or None
        Causal Shapley values (Heskes et al., 2020) under the fitted structural model, when
        asked for and available.
    """

    values: pd.DataFrame
    features: pd.DataFrame
    causal: pd.DataFrame | None = None


def _choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return str(value)


def _schema(actionability: object) -> ActionabilitySchema:
    if isinstance(actionability, ActionabilitySchema):
        return actionability
    if actionability is None:
        raise ValueError("actionability is required: an ActionabilitySchema, a mapping "
                         "{'features': {...}} or a YAML file")
    if isinstance(actionability, Mapping):
        return ActionabilitySchema.from_dict(actionability, where="actionability")
    if isinstance(actionability, str | Path):
        return ActionabilitySchema.from_yaml(actionability)
    raise ValueError(f"actionability must be an ActionabilitySchema, a mapping or a YAML "
                     f"path, got {type(actionability).__name__}")


def _is_fitted(model: object) -> bool:
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator scikit-learn knows how to check
        return hasattr(model, "predict") and any(
            k.endswith("_") and not k.startswith("__") for k in vars(model))
    return True


def _frame(X: object, name: str = "X") -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame with one named column per "
                         f"feature, got {type(X).__name__}")
    return X


def _numeric_complete(X: pd.DataFrame, columns: list[str], name: str = "X") -> None:
    for c in columns:
        if c not in X.columns:
            raise ValueError(f"{name} lacks the feature column {c!r}")
        if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])):
            raise ValueError(f"column {c!r} of {name} must be numeric, got {X[c].dtype} "
                             "(encode it before the Prescriber)")
        missing = int(X[c].isna().sum())
        if missing:
            raise ValueError(f"column {c!r} of {name} has {missing} missing values "
                             "(impute them first: the causal estimators need complete rows)")


class Prescriber(BaseEstimator):
    """Causal checks, effects and prescriptions for an existing predictive model.

    Parameters
    ----------
    model : scikit-learn estimator, optional
        A classifier or regressor (or a ``Pipeline`` ending in one) predicting the outcome
        from the features; fitted already or not (see ``prefit``). Its input feature names
        (``feature_names_in_``, else the columns of ``X``) are the features of the causal
        problem. Default: a LightGBM model of :func:`causalxai.predict.models.gbm`.
    graph : networkx.DiGraph or CausalProblem
        Causal DAG over the features, the outcome and any latent node (node attribute
        ``latent``), or a :class:`~causalxai.causal.problem.CausalProblem`.
    actionability : ActionabilitySchema, mapping or str
        What may be changed, in which direction, within which bounds and at what unit
        cost (a YAML path or text, or ``{"features": {...}}``). Features it does not name
        are not actionable.
    outcome : str, optional
        The outcome node (the problem's outcome with a CausalProblem).
    latent : tuple of str
        Nodes declared unobserved, in addition to those marked in the graph.
    goal : {"decrease", "increase"}
        Which way the outcome should move.
    estimator : {"auto", "recourse", "cate"}
        The prescription strategy: ``"recourse"`` propagates an action through a
        structural model fitted on the graph (every node must be observed), ``"cate"``
        takes g-computation per lever on its adjustment set; ``"auto"`` is ``"recourse"``
        when the graph has no latent node, else ``"cate"``.
    learner : {"linear", "gbm"}
        Outcome models of the g-computation and mechanisms of the structural model.
    prefit : {"auto", True, False}
        Reuse a fitted model (``"auto"``: when it is fitted), insist on it (True), or fit
        a clone on ``X, y`` (False).
    n_bootstrap : int
        Bootstrap refits behind every interval (0: no intervals).
    bootstrap_rows : int
        Rows of each bootstrap replicate. With more training rows ``n`` than this ``m``,
        the replicates draw ``m`` rows (an m-out-of-n bootstrap) and their deviations from
        the full-sample estimate are shrunk by ``sqrt(m / n)``, the rate of a root-n
        consistent estimator (Politis, Romano & Wolf, 1999); with ``n <= m`` it is the
        ordinary percentile bootstrap.
    alpha : float
        Intervals are ``1 - alpha``; robustness values are for significance at ``alpha``.
    test_alpha : float
        Family-wise level of the graph tests (Bonferroni) in ``fit`` and ``monitor``.
    max_test_rows, refute_rows : int
        Rows drawn for the graph tests and for the refutations (10 simulations per
        refuter).
    seed : int
        Seed of the default model, the bootstrap and the row draws.

    Attributes
    ----------
    model_ : estimator
        The fitted predictive model.
    feature_names_in_ : ndarray of str
        The model's input features (the problem's features).
    problem_ : CausalProblem
        The bound causal problem.
    schema_ : ActionabilitySchema
        The schema, completed with non-actionable entries for unnamed features.
    implications_ : pandas.DataFrame
        The graph's implied independencies tested on the training data
        (:func:`~causalxai.causal.implications.check_implications`).
    labels_ : pandas.DataFrame
        Causal validity label of each feature.
    strategy_ : CausalRecourse or CatePerLever
        The fitted prescription strategy; ``strategy_name_`` its name.
    effects_ : pandas.DataFrame
        The table of :meth:`effects`.
    scm_ : SCM
        A linear structural model fitted on the graph's observed nodes (for monitoring).

    Examples
    --------
    >>> rx = Prescriber(model, graph=g, actionability=schema, outcome="y").fit(X, y)
    >>> rx.effects()                       # identified? effect of the allowed action, RV
    >>> rx.prescribe(X.head(), budget=1.0) # one action (or abstention) per unit
    >>> print(rx.card(X.index[0]))         # the same for a reader
    """

    def __init__(self, model: object | None = None, *, graph: nx.DiGraph | CausalProblem |
                 None = None, actionability: object = None, outcome: str | None = None,
                 latent: tuple[str, ...] = (), goal: str = "decrease",
                 estimator: str = "auto", learner: str = "linear", prefit: object = "auto",
                 n_bootstrap: int = 20, bootstrap_rows: int = 10_000, alpha: float = 0.05,
                 test_alpha: float = 0.01,
                 max_test_rows: int = 20_000, refute_rows: int = 2_000,
                 seed: int = 0) -> None:
        self.model = model
        self.graph = graph
        self.actionability = actionability
        self.outcome = outcome
        self.latent = latent
        self.goal = goal
        self.estimator = estimator
        self.learner = learner
        self.prefit = prefit
        self.n_bootstrap = n_bootstrap
        self.bootstrap_rows = bootstrap_rows
        self.alpha = alpha
        self.test_alpha = test_alpha
        self.max_test_rows = max_test_rows
        self.refute_rows = refute_rows
        self.seed = seed

    # fitting -------------------------------------------------------------------------------
    def _check_params(self) -> None:
        _choice(self.estimator, "estimator", ESTIMATORS)
        _choice(self.learner, "learner", LEARNERS)
        goal_sign(self.goal)
        if self.prefit not in ("auto", True, False):
            raise ValueError(f"prefit must be 'auto', True or False, got {self.prefit!r}")
        if int(self.n_bootstrap) != self.n_bootstrap or self.n_bootstrap < 0:
            raise ValueError(f"n_bootstrap must be an integer >= 0, got {self.n_bootstrap!r}")
        for name in ("alpha", "test_alpha"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
        for name in ("max_test_rows", "refute_rows", "bootstrap_rows"):
            value = getattr(self, name)
            if int(value) != value or value < 10:
                raise ValueError(f"{name} must be an integer >= 10, got {value!r}")

    def _fit_model(self, X: pd.DataFrame, y: np.ndarray) -> object:
        model = self.model
        if model is None:
            return gbm(infer_task(y), seed=self.seed, n_estimators=100).fit(X, y)
        if not hasattr(model, "predict"):
            raise ValueError(f"model must be a scikit-learn estimator with predict, got "
                             f"{type(model).__name__}")
        fitted = _is_fitted(model)
        if self.prefit is True and not fitted:
            raise ValueError(f"prefit=True but the model ({type(model).__name__}) is not "
                             "fitted")
        if fitted and self.prefit in ("auto", True):
            return model
        return clone(model).fit(X, y)

    def _problem(self, features: list[str]) -> tuple[CausalProblem, ActionabilitySchema]:
        graph = self.graph
        if graph is None:
            raise ValueError("graph is required: a networkx.DiGraph or a CausalProblem")
        given = _schema(self.actionability)
        unknown = [n for n in given.features if n not in features]
        if unknown:
            raise SchemaError(f"the actionability schema names unknown feature(s) "
                              f"{', '.join(map(repr, unknown))}; the model's features: "
                              f"{', '.join(features)}")
        schema = ActionabilitySchema({f: given.features.get(f, FeatureAction(f))
                                      for f in features})
        if not schema.actionable():
            raise SchemaError("the actionability schema makes no feature actionable: there "
                              "is nothing to prescribe")
        if isinstance(graph, CausalProblem):
            outcome = self.outcome if self.outcome is not None else graph.outcome
            latent = set(graph.latent) | set(self.latent)
            dag, bidirected = nx.DiGraph(graph.graph), ()
        elif isinstance(graph, nx.DiGraph):
            if self.outcome is None:
                raise ValueError("outcome is required when the graph is a networkx.DiGraph")
            outcome, latent, dag, bidirected = self.outcome, set(self.latent), graph, ()
        else:
            raise ValueError(f"graph must be a networkx.DiGraph or a CausalProblem, got "
                             f"{type(graph).__name__}")
        for f in features:
            if f not in dag:
                raise ValueError(f"feature {f!r} of the model is not a node of the graph "
                                 "(add it, with its causes and effects)")
        problem = CausalProblem(dag, outcome, features=tuple(features), schema=schema,
                                latent=frozenset(latent), bidirected=bidirected)
        return problem, schema

    @_one_blas_thread
    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Prescriber:
        """Fit (or reuse) the model, bind and test the graph, estimate the effects.

        Parameters
        ----------
        X : pandas.DataFrame
            Training units, one numeric column per feature, no missing values.
        y : array-like
            Their outcome.

        Returns
        -------
        Prescriber
            ``self``.

        Raises
        ------
        ValueError
            Naming the parameter, feature, column or node: an invalid parameter; ``X``
            not a DataFrame, a non-numeric or incomplete column, ``y`` of another length;
            a model feature that is not a node of the graph; a graph node neither a
            column nor declared latent; a cycle (listed).
        SchemaError
            If the schema names a feature the model does not use, or makes none
            actionable.

        Warns
        -----
        GraphWarning
            Naming the implied independencies the data violate.
        """
        self._check_params()
        X = _frame(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be one-dimensional with one value per row of X "
                             f"({len(X)}), got shape {y.shape}")
        if pd.isna(y).any():
            raise ValueError(f"y has {int(pd.isna(y).sum())} missing values")
        nodes = (self.graph.graph if isinstance(self.graph, CausalProblem) else self.graph)
        if isinstance(nodes, nx.DiGraph):  # the graph's columns, before the model reads them
            _numeric_complete(X, [c for c in X.columns if c in nodes])
        self.model_ = self._fit_model(X, y)
        names = getattr(self.model_, "feature_names_in_", None)
        features = [str(c) for c in (names if names is not None else X.columns)]
        _numeric_complete(X, features)
        self.feature_names_in_ = np.asarray(features, dtype=object)
        self.n_features_in_ = len(features)
        problem, self.schema_ = self._problem(features)
        outcome = problem.outcome
        if outcome in X.columns:
            raise ValueError(f"X holds a column named like the outcome {outcome!r}")
        data = X[features].assign(**{outcome: y.astype(float)})
        self.problem_ = problem.bind(data)
        self.implications_ = check_implications(
            data, self.problem_, alpha=self.test_alpha, max_rows=self.max_test_rows,
            seed=self.seed)
        violated = self.implications_.loc[self.implications_["violated"], "statement"]
        if len(violated):
            warnings.warn(f"the data contradict {len(violated)} of the "
                          f"{len(self.implications_)} independencies the graph implies: "
                          + "; ".join(violated), GraphWarning, stacklevel=3)
        self.labels_ = validity_labels(self.problem_)
        self._fit_strategies(X[features], y.astype(float), data)
        self.effects_ = self._effects_table(X[features], y.astype(float))
        self.last_prescription_ = None
        return self

    def _fit_strategies(self, X: pd.DataFrame, y: np.ndarray, data: pd.DataFrame) -> None:
        problem = Problem.of(self.problem_, self.goal)
        self.prescription_problem_ = problem
        strategy = self.estimator
        if strategy == "auto":
            strategy = "cate" if self.problem_.latent else "recourse"
        if strategy == "recourse" and self.problem_.latent:
            raise ValueError(f"estimator='recourse' needs every node observed; latent: "
                             f"{', '.join(sorted(self.problem_.latent, key=str))} (use "
                             "'cate' or 'auto')")
        self.strategy_name_ = strategy
        rng = np.random.default_rng(self.seed)
        seeds = rng.integers(0, 2**31 - 1, size=2)
        self.cate_ = CatePerLever(self.learner, seed=self.seed).fit(X, y, problem)
        self.boot_cate_ = []
        rows_rng = np.random.default_rng(int(seeds[0]))
        m = min(len(X), int(self.bootstrap_rows))
        self.bootstrap_scale_ = math.sqrt(m / len(X))
        for _ in range(int(self.n_bootstrap)):
            rows = rows_rng.integers(0, len(X), m)  # drawn either way: the same SCM rows
            if strategy == "cate":  # the recourse strategy's draws come from its SCMs
                self.boot_cate_.append(copy.copy(self.cate_).fit_outcome_models(
                    X.iloc[rows].reset_index(drop=True), y[rows]))
        observed = data[[v for v in data.columns if v in self.problem_.observed_nodes]]
        if strategy == "recourse":
            self.strategy_ = CausalRecourse(mechanism=self.learner, seed=self.seed).fit(
                X, y, problem)
            sub = (np.sort(rows_rng.choice(len(X), m, replace=False)) if m < len(X)
                   else np.arange(len(X)))
            self.boot_scms_ = (bootstrap_scms(observed.iloc[sub].reset_index(drop=True),
                                              nx.DiGraph(self.problem_.graph),
                                              n_models=int(self.n_bootstrap),
                                              mechanism=self.learner, seed=int(seeds[1]))
                               if self.n_bootstrap >= 2 else [])
        else:
            self.strategy_ = self.cate_
            self.boot_scms_ = []
        # the linear SCM of the monitor: the recourse strategy's own when it is linear
        self.scm_ = (self.strategy_.models_[0]
                     if strategy == "recourse" and self.learner == "linear"
                     else fit_scm(observed, nx.DiGraph(self.problem_.graph),
                                  mechanism="linear"))
        self.residual_scale_ = self._residuals(observed)

    def _residuals(self, data: pd.DataFrame) -> dict[str, tuple[float, float, int]]:
        out = {}
        for v in self.scm_.observed:
            if v not in data:
                continue
            r = data[v].to_numpy(float) - self.scm_.mean_function(v, data)
            out[v] = (float(r.mean()), float(r.std(ddof=1)) if len(r) > 1 else 0.0, len(r))
        return out

    def _linear_in_lever(self, lever: str) -> bool:
        """Whether the fitted SCMs' outcome is linear in ``lever`` (linear, identity links)."""
        if self.learner != "linear":
            return False
        graph = self.problem_.graph
        on_paths = (nx.descendants(graph, lever) & nx.ancestors(graph, self.problem_.outcome)
                    ) | {self.problem_.outcome}
        return all(self.scm_.nodes[v].link == "identity" for v in on_paths
                   if v in self.scm_.nodes)

    def _check_fitted(self) -> None:
        if not hasattr(self, "effects_"):
            raise NotFittedError("this Prescriber is not fitted: call fit(X, y) first")

    # effects -------------------------------------------------------------------------------
    def _allowed_action(self, lever: str, X: pd.DataFrame) -> Action:
        spec = self.schema_[lever]
        if is_binary(X[lever]):
            return Action(lever, "set", 0.0 if spec.direction == "decrease" else 1.0)
        return Action(lever, "shift", -1.0 if spec.direction == "decrease" else 1.0)

    def _action_effects(self, lever: str, X: pd.DataFrame, new: np.ndarray, *,
                        draws: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """Per-unit change of the outcome when ``lever`` is set to ``new`` on ``X``.

        The one computation behind :meth:`effects`, :meth:`prescribe` and :meth:`card`:
        under the fitted strategy's model (the structural model of ``"recourse"``, the
        g-computation of ``"cate"``) and under each of its bootstrap refits.

        Returns
        -------
        centre : ndarray
            The change under the fitted model, one value per unit.
        draws : list of ndarray
            The same under each bootstrap refit (empty with ``draws=False``).
        """
        new = np.asarray(new, dtype=float)
        if self.strategy_name_ == "cate":
            models = [self.cate_, *(self.boot_cate_ if draws else [])]
            changes = [m.change(lever, X, new) for m in models]
            return changes[0], changes[1:]
        outcome = self.problem_.outcome
        scms = [self.strategy_.models_[0], *(self.boot_scms_ if draws else [])]
        if self._linear_in_lever(lever):
            # a linear SCM with identity links: the change is the total effect times the
            # shift, the same for every unit, read from one unit per model
            one, delta = X.iloc[:1], new - X[lever].to_numpy(float)
            step = [(lever, one[lever].to_numpy(float) + 1.0)]
            changes = [delta * counterfactual_changes(m, one, outcome, step)[0][0]
                       for m in scms]
        else:
            changes = [counterfactual_changes(m, X, outcome, [(lever, new)])[0] for m in scms]
        return changes[0], changes[1:]

    def _interval(self, draws: list[np.ndarray], centre: np.ndarray | float
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval of the draws around ``centre``, m-out-of-n rescaled."""
        if len(draws) < 2:
            nan = np.full(np.shape(centre), np.nan)
            return nan, nan
        q, s = self.alpha / 2, self.bootstrap_scale_
        stacked = np.stack(draws)
        low, high = np.quantile(stacked, q, axis=0), np.quantile(stacked, 1 - q, axis=0)
        return centre + s * (low - centre), centre + s * (high - centre)

    def _effects_table(self, X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
        outcome = self.problem_.outcome
        rows = {}
        rng = np.random.default_rng(self.seed)
        sub = (np.sort(rng.choice(len(X), self.refute_rows, replace=False))
               if len(X) > self.refute_rows else np.arange(len(X)))
        for lever in self.schema_.actionable():
            label = self.labels_.loc[lever]
            action = self._allowed_action(lever, X)
            row = {"label": label["label"], "identified": False, "why": label["note"],
                   "adjustment_set": label["adjustment_set"], "action": action.describe(),
                   "effect": np.nan, "lower": np.nan, "upper": np.nan,
                   "placebo_p": np.nan, "random_common_cause_p": np.nan,
                   "data_subset_p": np.nan, "robustness_value": np.nan,
                   "robustness_value_alpha": np.nan, "abstain": True, "reason": ""}
            excluded = self.cate_.excluded_.get(lever)
            if excluded is not None and "no causal path" in excluded:
                row.update(identified=True, effect=0.0, lower=0.0, upper=0.0,
                           reason=f"changing it leaves {outcome} unchanged ({excluded})")
            elif excluded is not None:
                row["reason"] = excluded + ": " + label["note"]
            else:
                new = action.new_values(X, self.schema_)
                moved = new != X[lever].to_numpy(float)
                if not moved.any():
                    row["reason"] = "the allowed action changes no training unit"
                    rows[lever] = row
                    continue
                Xm, newm = X[moved], new[moved]
                effect = float(self._action_effects(lever, Xm, newm, draws=False)[0].mean())
                # replicas on at most bootstrap_rows of the moved units, centred on the
                # full model's mean there (the bootstrap's deviation, not its level)
                few = np.arange(len(Xm))
                if len(Xm) > self.bootstrap_rows:
                    few = np.sort(rng.choice(len(Xm), int(self.bootstrap_rows), replace=False))
                Xs, news = Xm.iloc[few], newm[few]
                here, draws = self._action_effects(lever, Xs, news)
                lo, hi = self._interval([effect + d.mean() - here.mean() for d in draws],
                                        effect)
                z = sorted(self.cate_.sets_[lever])
                design = np.column_stack([np.ones(len(X)), X[[lever, *z]].to_numpy(float)])
                coef, se, dof = _ols(y, design)
                t = float(coef[1] / se[1]) if se[1] > 0 else math.inf
                frame = X.iloc[sub][[lever, *z]].astype(float).assign(
                    **{outcome: y[sub].astype(float)})
                delta = float(np.mean(newm - X[lever].to_numpy(float)[moved]))
                refuted = linear_refutations(frame, lever, outcome, z, delta=delta,
                                             seed=self.seed, n_simulations=10)
                row.update(identified=True, effect=effect, lower=float(lo), upper=float(hi),
                           placebo_p=refuted["placebo_treatment"]["p_value"],
                           random_common_cause_p=refuted["random_common_cause"]["p_value"],
                           data_subset_p=refuted["data_subset"]["p_value"],
                           robustness_value=robustness_value(t, dof),
                           robustness_value_alpha=robustness_value(t, dof, alpha=self.alpha),
                           abstain=False)
            rows[lever] = row
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "feature"
        return table

    def effects(self) -> pd.DataFrame:
        """Per actionable feature: identification, effect of the allowed action, checks.

        Returns
        -------
        pandas.DataFrame
            Indexed by feature: ``label`` (causal validity), ``identified`` (bool),
            ``why`` (the graphical reason), ``adjustment_set`` (None if not identifiable),
            ``action`` (the allowed action: one unit in the allowed direction, or a 0/1
            lever set to its allowed value), ``effect`` (mean change of the outcome over
            the training units the action moves, under the prescription strategy's
            model: the fitted structural model of ``"recourse"`` or the g-computation of
            ``"cate"``, with ``learner``; the same computation as :meth:`prescribe`'s),
            ``lower``/``upper`` (bootstrap percentile interval), the p-values of the
            placebo, random-common-cause and data-subset refuters, ``robustness_value``
            (share of residual variance of lever and outcome an unobserved confounder
            must explain to remove the effect; ``robustness_value_alpha``: to make it not
            significant), ``abstain`` and ``reason``. A refuter's large p-value does not
            rule out unobserved confounding; the robustness value says how fragile the
            number is.
        """
        self._check_fitted()
        return self.effects_.copy()

    # prescriptions -------------------------------------------------------------------------
    def _predicted(self, X: pd.DataFrame) -> np.ndarray:
        Xm = X[list(self.feature_names_in_)]
        if is_classifier(self.model_) and hasattr(self.model_, "predict_proba"):
            return self.model_.predict_proba(Xm)[:, 1]
        return np.asarray(self.model_.predict(Xm), dtype=float)

    def _population_budget(self, recs: pd.DataFrame, k: int, predicted: np.ndarray) -> None:
        """Keep the ``k`` units with the largest expected improvement, in place.

        Ties (equal improvements to nine significant digits: a constant effect per lever,
        as with a linear learner) go to the cheaper action, then to the unit the model
        predicts worst off (highest predicted outcome when the goal is to decrease it,
        lowest when it is to increase it); the others abstain.
        """
        sign = self.prescription_problem_.sign
        has = ~recs["abstain"].to_numpy(bool)
        gain = np.where(has, sign * recs["expected_change"].to_numpy(float), -np.inf)
        scale = float(np.max(np.abs(gain[has]))) if has.any() else 1.0
        level = np.where(has, np.round(gain / (scale or 1.0), 9), -np.inf)
        cost = np.where(has, recs["cost"].to_numpy(float), np.inf)
        order = np.lexsort((sign * predicted, cost, -level))  # the last key sorts first
        keep = np.zeros(len(recs), dtype=bool)
        keep[order[:k]] = True
        dropped = has & ~keep
        recs.loc[dropped, ["action", "feature"]] = ["abstain", None]
        recs.loc[dropped, ["new_value", "cost", "expected_change", "lower", "upper"]] = np.nan
        recs.loc[dropped, "abstain"] = True
        recs.loc[dropped, "reason"] = f"outside the population budget (k = {k})"

    @_one_blas_thread
    def prescribe(self, X: pd.DataFrame, budget: float, k: int | None = None) -> pd.DataFrame:
        """One recommendation (or an abstention with its reason) per unit of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            The units (the model's features; more columns are ignored).
        budget : float
            Largest cost of one unit's action (``unit_cost * |change|``), >= 0.
        k : int, optional
            Population budget: only the ``k`` units with the largest expected improvement
            are treated; among equal improvements (a constant effect), the cheaper action,
            then the unit the model predicts worst off.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``X``: the strategy's columns (``strategy``, ``action``,
            ``feature``, ``old_value``, ``new_value``, ``cost``, ``expected_change``,
            ``abstain``, ``reason``), ``lower``/``upper`` (bootstrap interval of the
            change; the change and its interval come from the computation behind
            :meth:`effects`, so a unit's row is that table's effect at its own shift),
            ``predicted_outcome`` (the model's prediction now),
            ``expected_outcome`` (prediction plus expected change) and ``label`` (the
            causal validity label of the lever).
        """
        self._check_fitted()
        X = _frame(X)
        features = list(self.feature_names_in_)
        _numeric_complete(X, features)
        Xf = X[features]
        _check_budget(budget, k)
        recs = self.strategy_.recommend(Xf, budget)
        predicted = self._predicted(X)
        if k is not None:
            self._population_budget(recs, int(k), predicted)
        levers = set(self.schema_.actionable())
        excluded = {f: r for f, r in self.strategy_.excluded_.items() if f in levers}
        if excluded and set(excluded) == levers:
            why = "; ".join(f"{f}: {r}" for f, r in excluded.items())
            recs.loc[recs["abstain"], "reason"] = f"no lever's effect is identifiable ({why})"
        acting = ~recs["abstain"].to_numpy(bool)
        lower, upper = np.full(len(X), np.nan), np.full(len(X), np.nan)
        change = recs["expected_change"].to_numpy(float).copy()
        for lever in pd.unique(recs.loc[acting, "feature"]):
            rows = np.flatnonzero(acting & (recs["feature"] == lever).to_numpy())
            units, new = Xf.iloc[rows], recs["new_value"].to_numpy(float)[rows]
            change[rows], draws = self._action_effects(lever, units, new)
            lower[rows], upper[rows] = self._interval(draws, change[rows])
        recs["expected_change"] = change
        recs["lower"], recs["upper"] = lower, upper
        change = np.where(acting, change, 0.0)
        recs["predicted_outcome"] = predicted
        recs["expected_outcome"] = predicted + change
        recs["label"] = recs["feature"].map(self.labels_["label"])
        self.last_prescription_ = recs
        return recs

    # explanations --------------------------------------------------------------------------
    @_one_blas_thread
    def explain(self, X: pd.DataFrame, *, n_background: int = 100, causal: bool = False,
                n_permutations: int = 64) -> PrescriberExplanation:
        """SHAP values of the model on ``X`` with each feature's causal validity label.

        Tree models (LightGBM, scikit-learn ensembles; not inside a Pipeline) are
        explained by interventional TreeSHAP (:func:`causalxai.predict.explain.tree_shap`),
        any other model by marginal Shapley values of its output (probability of the
        positive class for a classifier) with
        :func:`causalxai.predict.shapley.shapley_explanation`. With ``causal=True`` and a
        graph without latent nodes, causal Shapley values under the fitted linear SCM too.

        Parameters
        ----------
        X : pandas.DataFrame
            Units to explain.
        n_background : int
            Background rows, drawn from ``X`` with ``seed``.
        causal : bool
            Also compute causal Shapley values (costly: keep ``X`` small).
        n_permutations : int
            Orderings sampled by the model-agnostic Shapley values beyond 12 features.

        Returns
        -------
        PrescriberExplanation
        """
        self._check_fitted()
        X = _frame(X)
        features = list(self.feature_names_in_)
        _numeric_complete(X, features)
        Xf = X[features]
        background = Xf.sample(min(n_background, len(Xf)), random_state=self.seed)
        model = self.model_
        tree = not isinstance(model, Pipeline) and (
            type(model).__module__.startswith("lightgbm") or hasattr(model, "estimators_"))
        def f(Z: np.ndarray) -> np.ndarray:
            return self._predicted(pd.DataFrame(Z, columns=features))

        if tree:
            values = tree_shap(model, Xf, background)
        else:
            expl = shapley_explanation(f, Xf, kind="marginal", background=background,
                                       n_permutations=n_permutations, seed=self.seed)
            values = pd.DataFrame(expl.values, index=Xf.index, columns=features)
        table = self.labels_[["label", "text", "adjustment_set", "note"]].copy()
        table.insert(0, "shap_slope", shap_slope(values, Xf) if len(Xf) > 1 else np.nan)
        table.insert(0, "mean_abs_shap", mean_abs_shap(values))
        table["effect"] = self.effects_["effect"].reindex(table.index)
        causal_values = None
        if causal and not self.problem_.latent:
            expl = shapley_explanation(f, Xf, kind="causal", scm=self.scm_,
                                       features=features, n_permutations=n_permutations,
                                       seed=self.seed)
            causal_values = pd.DataFrame(expl.values, index=Xf.index, columns=features)
        return PrescriberExplanation(values, table, causal_values)

    # reporting -----------------------------------------------------------------------------
    def report(self) -> pd.DataFrame:
        """The last prescriptions as a tidy table, one row per unit.

        Returns
        -------
        pandas.DataFrame
            ``unit``, ``action``, ``feature``, ``cost``, ``expected_change``, ``lower``,
            ``upper``, ``predicted_outcome``, ``expected_outcome``, ``label``,
            ``abstain``, ``reason``, and the lever's ``robustness_value``.
        """
        self._check_fitted()
        if self.last_prescription_ is None:
            raise RuntimeError("no prescriptions yet: call prescribe(X, budget) first")
        recs = self.last_prescription_
        out = recs[["action", "feature", "cost", "expected_change", "lower", "upper",
                    "predicted_outcome", "expected_outcome", "label", "abstain",
                    "reason"]].copy()
        out["robustness_value"] = [self.effects_["robustness_value"].get(f, np.nan)
                                   if isinstance(f, str) else np.nan for f in out["feature"]]
        out.index.name = "unit"
        return out.reset_index()

    def card(self, unit: object) -> str:
        """A short plain-language prescription card for one unit of the last prescriptions.

        Parameters
        ----------
        unit : index label
            A unit of the last :meth:`prescribe` call (its index label in ``X``).

        Returns
        -------
        str
            What to change and by how much, the expected effect with its interval and
            cost, and what the model cannot tell.
        """
        self._check_fitted()
        if self.last_prescription_ is None:
            raise RuntimeError("no prescriptions yet: call prescribe(X, budget) first")
        recs = self.last_prescription_
        if unit not in recs.index:
            raise KeyError(f"unit {unit!r} is not among the last prescriptions' units")
        r = recs.loc[unit]
        outcome = self.problem_.outcome
        lines = [f"Unit {unit}: predicted {outcome} now {r['predicted_outcome']:.3g}."]
        if r["abstain"]:
            lines.append(f"No recommendation: {r['reason']}.")
        else:
            interval = ("" if np.isnan(r["lower"]) else
                        f" ({100 * (1 - self.alpha):.0f} % interval {r['lower']:+.3g} to "
                        f"{r['upper']:+.3g})")
            lines.append(f"Change: {r['action']} (from {r['old_value']:.3g} to "
                         f"{r['new_value']:.3g}), cost {r['cost']:.3g}.")
            lines.append(f"Expected change of {outcome}: {r['expected_change']:+.3g}"
                         f"{interval}; expected {outcome} afterwards "
                         f"{r['expected_outcome']:.3g}.")
            rv = self.effects_["robustness_value"].get(r["feature"], np.nan)
            if not np.isnan(rv):
                lines.append(f"An unrecorded common cause explaining {100 * rv:.0f} % of the "
                             f"remaining variation of both {r['feature']} and {outcome} would "
                             "remove this effect.")
        blocked = [f for f, row in self.effects_.iterrows() if not row["identified"]]
        lines.append("What the model cannot tell: the effect of "
                     + (", ".join(blocked) + " (not identifiable from these data and this "
                        "graph)" if blocked else "anything the graph leaves out")
                     + "; the estimate holds only if the graph is right.")
        return "\n".join(lines)

    # monitoring ----------------------------------------------------------------------------
    @_one_blas_thread
    def monitor(self, X_new: pd.DataFrame, y_new: pd.Series | np.ndarray | None = None
                ) -> pd.DataFrame:
        """Re-test the graph's implications and the fitted mechanisms on new data.

        Parameters
        ----------
        X_new : pandas.DataFrame
            New units (the model's features).
        y_new : array-like, optional
            Their outcome; without it, statements and mechanisms involving the outcome are
            skipped.

        Returns
        -------
        pandas.DataFrame
            One row per assumption: ``kind`` ("independence" or "mechanism"),
            ``assumption`` (in words), ``p_fit`` (on the training data; mechanisms: NaN),
            ``p_new``, ``shift`` (mechanisms: standardised mean shift of the residual),
            ``scale_ratio`` (residual standard deviation, new over fit) and ``moved``
            (rejected at ``test_alpha``, Bonferroni over the rows, and not already at fit).
        """
        self._check_fitted()
        X_new = _frame(X_new, "X_new")
        if len(X_new) < 2:
            raise ValueError(f"X_new must have at least 2 rows to test anything, got "
                             f"{len(X_new)}")
        features = list(self.feature_names_in_)
        _numeric_complete(X_new, features, "X_new")
        outcome = self.problem_.outcome
        data = X_new[features].copy()
        if y_new is not None:
            y_new = np.asarray(y_new, dtype=float)
            if len(y_new) != len(X_new):
                raise ValueError(f"y_new has {len(y_new)} values for {len(X_new)} rows")
            data[outcome] = y_new
        keep = [outcome in data or outcome not in (u, v, *z)
                for u, v, z in self.implications_[["x", "y", "given"]].itertuples(index=False)]
        fit_table = self.implications_[keep]
        if y_new is None:
            data[outcome] = 0.0  # a placeholder column: no kept statement reads it
        new = check_implications(data, self.problem_, alpha=self.test_alpha,
                                 max_rows=self.max_test_rows, seed=self.seed)
        new = new.set_index("statement").loc[fit_table["statement"]]
        rows = [{"kind": "independence", "assumption": s, "p_fit": pf, "p_new": pn,
                 "shift": np.nan, "scale_ratio": np.nan, "violated_at_fit": vf}
                for s, pf, pn, vf in zip(fit_table["statement"], fit_table["p_value"],
                                         new["p_value"], fit_table["violated"], strict=True)]
        if len(data) > self.max_test_rows:
            pick = np.random.default_rng(self.seed).choice(len(data), self.max_test_rows,
                                                           replace=False)
            data = data.iloc[np.sort(pick)]
        for v, (mean, sd, _) in self.residual_scale_.items():
            if v == outcome and y_new is None:
                continue
            r = data[v].to_numpy(float) - self.scm_.mean_function(v, data)
            n = len(r)
            sd = sd if sd > 0 else 1e-12
            shift = (float(r.mean()) - mean) / sd
            ratio = float(r.std(ddof=1)) / sd if n > 1 else np.nan
            p_mean = float(2 * stats.norm.sf(abs(shift) * math.sqrt(n)))
            chi = (n - 1) * ratio**2
            p_var = float(2 * min(stats.chi2.sf(chi, n - 1), stats.chi2.cdf(chi, n - 1)))
            parents = self.scm_.parents(v)
            what = (f"mechanism of {v} given {', '.join(parents)}" if parents
                    else f"distribution of {v}")
            rows.append({"kind": "mechanism", "assumption": what, "p_fit": np.nan,
                         "p_new": min(1.0, 2 * min(p_mean, p_var)), "shift": shift,
                         "scale_ratio": ratio, "violated_at_fit": False})
        out = pd.DataFrame(rows)
        level = self.test_alpha / max(len(out), 1)
        out["moved"] = (out["p_new"] < level) & ~out["violated_at_fit"].astype(bool)
        return out.drop(columns="violated_at_fit")

"""Every way of answering one question, behind one interface.

The question: by how much does the average ``outcome`` change under the intervention
``do(X := X + delta)`` that shifts ``feature`` by ``delta`` units, estimated from
observational data (a pandas DataFrame of the observed columns), possibly helped by a
causal problem (:class:`causalxai.causal.problem.CausalProblem`, or a networkx DiGraph whose
node attribute ``latent`` marks unobserved nodes, converted on entry)?

The methods, from the tempting reading of a predictive model to graph-based estimation:

- :class:`ShapSlope` -- ``delta`` times the slope of the feature's interventional TreeSHAP
  values against its values (what a reader of a dependence plot calls "the effect").
- :class:`PartialDependence` -- the mean change of a gradient-boosting model's prediction
  when the feature of every row is shifted by ``delta`` (the model-based "interventional"
  reading of Zhao & Hastie, 2021; causal only if the model is the structural equation).
- :class:`NaiveRegression` -- OLS of the outcome on the feature alone.
- :class:`AllColumnsRegression` -- OLS on the feature and every other observed column:
  the "no graph" baseline that controls for everything.
- :class:`AllColumnsDML` -- double machine learning (EconML) with every other observed
  column as a control: the no-graph DML baseline.
- :class:`DoWhyBackdoor` -- DoWhy's identify / estimate (/ refute) pipeline on the graph.
- :class:`GraphDML` -- double machine learning with the back-door adjustment set that
  :func:`causalxai.causal.identification.backdoor_adjustment_set` reads from the graph.

The graph methods answer in three ways, recorded in :class:`EffectEstimate`:

- *no causal path* -- the graph has no directed path from the feature to the outcome
  (a symptom, a descendant of the outcome, or an unrelated variable). The total effect is
  then zero from the graph alone, whatever the data: ``estimate = low = high = 0.0``,
  ``adjustment_set = ()``, note "no causal path ...". Nothing is estimated (DoWhy agrees:
  its identification flags ``no_directed_path`` and returns an effect of 0).
- *abstention* -- no set of observed nodes satisfies the back-door criterion (typically an
  unobserved confounder): ``abstained = True``, ``estimate = low = high = NaN``,
  ``adjustment_set = None``, note "not identifiable by back-door: unobserved confounding".
- *estimate* -- adjusted for the reported ``adjustment_set``, with a 95 % interval.

Library noise (DoWhy's logging, scikit-learn / EconML / LightGBM warnings) is silenced
only while a method runs, never at import.
"""

from __future__ import annotations

import logging
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.causal.problem import CausalProblem, as_problem
from causalxai.predict.explain import draw_rows, fit_and_explain
from causalxai.predict.models import fit_gbm

__all__ = [
    "METHODS",
    "AllColumnsDML",
    "AllColumnsRegression",
    "DoWhyBackdoor",
    "EffectEstimate",
    "EffectMethod",
    "GraphDML",
    "NaiveRegression",
    "PartialDependence",
    "ShapSlope",
    "default_methods",
    "estimates_table",
    "nuisance_model",
]

NAN = float("nan")
NO_PATH_NOTE = "no causal path from {feature} to {outcome} in the graph: effect 0 by the graph"
ABSTAIN_NOTE = "not identifiable by back-door: unobserved confounding"
_NOISY_LOGGERS = ("dowhy", "econml", "lightgbm", "shap", "numexpr", "sympy")


@dataclass(frozen=True)
class EffectEstimate:
    """One method's answer for one feature.

    Attributes
    ----------
    feature : str
        The shifted feature.
    method : str
        The method's name (:attr:`EffectMethod.name`).
    estimate : float
        Estimated average effect on the outcome of ``do(feature := feature + delta)``;
        NaN when the method abstained.
    low, high : float
        Bounds of the 95 % interval (``low <= high``); NaN when the method gives none or
        abstained. Equal to ``estimate`` (0) when the graph shows no causal path.
    abstained : bool
        True when the method declined to estimate (effect not identifiable by back-door).
    adjustment_set : tuple of str or None
        The variables adjusted for (graph methods: the back-door set; ``()`` when no causal
        path), all other columns for the all-columns baselines, ``()`` for the naive
        regression; None for the model-based readings and when abstaining.
    note : str
        A short explanation (abstention reason, fallbacks, refutation summary).
    refutations : mapping
        DoWhy refutation results, ``refuter -> {"new_effect": ..., "p_value": ...}``;
        empty unless :class:`DoWhyBackdoor` ran with ``refute=True``. Not hashed.
    """

    feature: str
    method: str
    estimate: float
    low: float = NAN
    high: float = NAN
    abstained: bool = False
    adjustment_set: tuple[str, ...] | None = None
    note: str = ""
    refutations: Mapping[str, Mapping[str, float]] = field(default_factory=dict, hash=False)


# Input checks and shared plumbing ----------------------------------------------------------
@contextmanager
def quiet() -> Iterator[None]:
    """Silence warnings and the loggers of the causal libraries, restoring them after."""
    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.CRITICAL + 1)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


@dataclass(frozen=True)
class _Task:
    """Validated inputs shared by the features of one ``estimate_all`` call."""

    data: pd.DataFrame  # the observed columns the method may use, all finite floats
    features: tuple[str, ...]
    outcome: str
    delta: float
    seed: int
    problem: CausalProblem | None  # bound to the data

    @property
    def others(self) -> list[str]:
        """Every usable column except the outcome."""
        return [c for c in self.data.columns if c != self.outcome]


def _check_delta(delta: object) -> float:
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not math.isfinite(
        float(delta)
    ):
        raise ValueError(f"delta must be a finite real number, got {delta!r}")
    return float(delta)


def _prepare(
    method: EffectMethod,
    data: pd.DataFrame,
    features: Iterable[str] | str | None,
    outcome: str,
    delta: object,
    graph: nx.DiGraph | CausalProblem | None,
    seed: int,
) -> _Task:
    """Check the inputs, name the bad one in a ValueError, keep the usable columns.

    A graph (or problem) is converted by :func:`causalxai.causal.problem.as_problem` with
    the outcome and the features, then bound to the data: every node that is not latent
    must be a column.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if outcome not in data.columns:
        raise ValueError(f"outcome {outcome!r} is not a column of data")
    if features is None:
        features = [c for c in data.columns if c != outcome]
    features = (features,) if isinstance(features, str) else tuple(features)
    for feature in features:
        if feature not in data.columns:
            raise ValueError(f"feature {feature!r} is not a column of data")
        if feature == outcome:
            raise ValueError(f"feature {feature!r} is the outcome itself")
    if len(set(features)) != len(features):
        raise ValueError(f"features contain duplicates: {list(features)}")
    delta = _check_delta(delta)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if graph is None and method.needs_graph:
        raise ValueError(f"method {method.name} needs a causal graph (graph=...), got None")
    used = list(data.columns)
    problem = None
    if graph is not None:
        problem = as_problem(graph, outcome, features=features).bind(data)
        if method.needs_graph:  # latent columns and columns outside the graph are dropped
            used = [c for c in data.columns if c in problem.observed_nodes]
    frame = data[used]
    bad = [c for c in used if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise ValueError(f"columns must be numeric, not: {', '.join(map(str, bad))}")
    values = frame.to_numpy(dtype=float)
    nonfinite = [c for c, ok in zip(used, np.isfinite(values).all(axis=0), strict=True) if not ok]
    if nonfinite:
        raise ValueError(f"columns with missing or infinite values: {', '.join(nonfinite)}")
    if len(frame) < 10:
        raise ValueError(f"data has {len(frame)} rows; at least 10 are needed")
    frame = pd.DataFrame(values, index=data.index, columns=used)
    return _Task(frame, features, outcome, delta, int(seed), problem)


def _interval(point: float, half_width: float) -> tuple[float, float]:
    return point - half_width, point + half_width


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS with an intercept: coefficients of the columns of ``X``, their standard errors
    (homoskedastic, ``sigma^2 (X'X)^-1``) and the residual degrees of freedom."""
    design = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = len(y) - design.shape[1]
    if dof <= 0:
        raise ValueError(f"{len(y)} rows are too few for {design.shape[1]} coefficients")
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    return coef[1:], np.sqrt(np.clip(np.diag(cov)[1:], 0.0, None)), dof


def _ols_estimate(
    feature: str, method: str, slope: float, se: float, dof: int, delta: float,
    adjustment: tuple[str, ...], note: str = "",
) -> EffectEstimate:
    point = slope * delta
    low, high = sorted(_interval(point, stats.t.ppf(0.975, dof) * se * abs(delta)))
    return EffectEstimate(feature, method, float(point), float(low), float(high), False,
                          adjustment, note)


def nuisance_model(n_estimators: int, seed: int) -> Any:
    """A small LightGBM regressor for DML nuisance models (single-threaded, deterministic).

    ``n_estimators`` trees of 15 leaves, learning rate 0.1, at least 20 rows a leaf,
    seeded with ``seed``; unfitted.
    """
    from causalxai.predict.models import gbm

    return gbm("regression", seed=seed, n_estimators=n_estimators, learning_rate=0.1,
               num_leaves=15, min_child_samples=20)


# The interface --------------------------------------------------------------------------------
class EffectMethod:
    """Base class: estimate the average effect of shifting a feature by ``delta``.

    Subclasses set :attr:`name`, :attr:`needs_graph` and :attr:`has_interval` and
    implement ``_estimate_one`` (and may override ``_estimate_many`` to share work
    between features, e.g. fit one model).

    Attributes
    ----------
    name : str
        Label of the method in result tables.
    needs_graph : bool
        Whether :meth:`estimate` requires a causal graph.
    has_interval : bool
        Whether the estimates come with a 95 % interval.
    """

    name: str = "EffectMethod"
    needs_graph: bool = False
    has_interval: bool = False

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "name")
        return f"{type(self).__name__}({params})"

    def estimate(
        self,
        data: pd.DataFrame,
        feature: str,
        outcome: str,
        *,
        delta: float = 1.0,
        graph: nx.DiGraph | CausalProblem | None = None,
        seed: int = 0,
    ) -> EffectEstimate:
        """Estimate the average effect on ``outcome`` of ``do(feature := feature + delta)``.

        Parameters
        ----------
        data : pandas.DataFrame
            Observational data, one numeric column per observed variable. Columns that are
            latent in ``graph`` are ignored by the graph methods.
        feature, outcome : str
            Columns of ``data`` (and nodes of ``graph`` when one is given).
        delta : float
            The shift, a finite number.
        graph : networkx.DiGraph or CausalProblem, optional
            The causal problem, or its graph (node attribute ``latent``) converted by
            :func:`causalxai.causal.problem.as_problem`; bound to ``data`` (every node
            not latent must be a column). Required when :attr:`needs_graph`, otherwise
            only checked.
        seed : int
            Seeds every random choice: same seed, same numbers.

        Returns
        -------
        EffectEstimate

        Raises
        ------
        ValueError
            For an unknown feature or outcome, a missing graph for a graph method, a
            feature or outcome absent from (or latent in) the graph, a node of the graph
            neither a column nor latent, a non-finite ``delta``, or non-numeric /
            non-finite data.
        """
        return self.estimate_all(data, [feature], outcome, delta=delta, graph=graph,
                                 seed=seed)[0]

    def estimate_all(
        self,
        data: pd.DataFrame,
        features: Sequence[str] | None,
        outcome: str,
        *,
        delta: float = 1.0,
        graph: nx.DiGraph | CausalProblem | None = None,
        seed: int = 0,
    ) -> list[EffectEstimate]:
        """Estimate the effect of each feature in turn (see :meth:`estimate`).

        Parameters
        ----------
        data, outcome, delta, graph, seed
            As in :meth:`estimate`.
        features : sequence of str or None
            The features to shift, one at a time; None means every column but the outcome.

        Returns
        -------
        list of EffectEstimate
            One per feature, in the order given.
        """
        task = _prepare(self, data, features, outcome, delta, graph, seed)
        with quiet():
            return self._estimate_many(task)

    def _estimate_many(self, task: _Task) -> list[EffectEstimate]:
        return [self._estimate_one(task, feature) for feature in task.features]

    def _estimate_one(self, task: _Task, feature: str) -> EffectEstimate:
        raise NotImplementedError


# 1-2. Readings of a predictive model -----------------------------------------------------------
def _model_features(task: _Task) -> pd.DataFrame:
    """Every column but the outcome: what the predictive model of a reading sees."""
    X = task.data[task.others]
    if X.shape[1] == 0:
        raise ValueError("data has no column besides the outcome to fit a model on")
    return X


class ShapSlope(EffectMethod):
    """``delta`` times the slope of a feature's SHAP values against its values.

    A LightGBM model (:func:`causalxai.predict.models.fit_gbm`) of the outcome on every other
    observed column is explained with interventional TreeSHAP
    (:func:`causalxai.predict.explain.fit_and_explain`); the estimate is ``delta`` times
    :func:`causalxai.predict.explain.shap_slope`. It describes the model, not the world: it is the
    causal effect only when the model's input-output relation is the structural one.

    Parameters
    ----------
    n_estimators : int
        Boosting rounds of the model.
    n_explain : int
        Rows explained (drawn at random with the seed; all rows if fewer).
    n_background : int
        Background rows of interventional SHAP (drawn at random with the seed). shap keeps
        at most 100 of them (``shap.maskers.Independent(max_samples=100)`` subsamples a
        larger DataFrame background) and :func:`causalxai.predict.explain.tree_shap` does
        the same, so the default 200 is in effect a 100-row subsample of them; kept so
        that the published values do not move.
    """

    has_interval = False
    needs_graph = False

    def __init__(self, n_estimators: int = 300, n_explain: int = 1000,
                 n_background: int = 200) -> None:
        self.n_estimators = n_estimators
        self.n_explain = n_explain
        self.n_background = n_background
        self.name = "ShapSlope"

    def _estimate_many(self, task: _Task) -> list[EffectEstimate]:
        reading = fit_and_explain(
            _model_features(task), task.data[task.outcome], n_estimators=self.n_estimators,
            seed=task.seed, n_explain=self.n_explain, n_background=self.n_background)
        slopes = reading.slopes()
        note = "model reading: slope of interventional TreeSHAP values"
        return [
            EffectEstimate(f, self.name, float(slopes[f] * task.delta), note=note)
            for f in task.features
        ]


class PartialDependence(EffectMethod):
    """Mean change of the model's prediction when the feature is shifted by ``delta``.

    The estimate is ``mean_i f(x_i with feature + delta) - f(x_i)`` over rows ``x_i`` of
    the data, ``f`` a LightGBM model of the outcome on every other observed column: the
    model-based "interventional" reading of Zhao & Hastie (2021). It is causal only if
    ``f`` is the structural equation of the outcome given a valid adjustment set; a tree
    model is flat beyond the range of the data, so shifts that leave it are damped.

    Parameters
    ----------
    n_estimators : int
        Boosting rounds of the model.
    n_grid_rows : int
        Rows averaged over (drawn at random with the seed; all rows if fewer).
    """

    has_interval = False
    needs_graph = False

    def __init__(self, n_estimators: int = 300, n_grid_rows: int = 2000) -> None:
        self.n_estimators = n_estimators
        self.n_grid_rows = n_grid_rows
        self.name = "PartialDependence"

    def _estimate_many(self, task: _Task) -> list[EffectEstimate]:
        X = _model_features(task)
        model = fit_gbm(X, task.data[task.outcome], n_estimators=self.n_estimators,
                        seed=task.seed)
        rows = X.iloc[draw_rows(np.random.default_rng(task.seed), len(X), self.n_grid_rows)]
        base = model.predict(rows)
        out = []
        for feature in task.features:
            shifted = rows.copy()
            shifted[feature] = shifted[feature] + task.delta
            effect = float(np.mean(model.predict(shifted) - base))
            out.append(EffectEstimate(feature, self.name, effect,
                                      note="model reading: mean shift of the prediction"))
        return out


# 3-4. Regressions ------------------------------------------------------------------------------
class NaiveRegression(EffectMethod):
    """OLS of the outcome on the feature alone: ``delta * cov(X, Y) / var(X)``.

    Biased by every back-door path (omitted-variable bias). The 95 % interval is the
    classical t interval of the slope (homoskedastic errors), scaled by ``|delta|``.
    """

    has_interval = True
    needs_graph = False

    def __init__(self) -> None:
        self.name = "NaiveRegression"

    def _estimate_one(self, task: _Task, feature: str) -> EffectEstimate:
        coef, se, dof = _ols(task.data[task.outcome].to_numpy(),
                             task.data[[feature]].to_numpy())
        return _ols_estimate(feature, self.name, coef[0], se[0], dof, task.delta, ())


class AllColumnsRegression(EffectMethod):
    """OLS of the outcome on the feature and every other observed column.

    The "no graph" baseline: control for everything, as EconML's ``CausalAnalysis`` does.
    It removes the bias of observed confounders but controls for mediators (leaving only
    the direct effect) and for descendants of the outcome (collider / reverse bias). One
    regression serves all features. 95 % t intervals, homoskedastic errors.
    """

    has_interval = True
    needs_graph = False

    def __init__(self) -> None:
        self.name = "AllColumnsRegression"

    def _estimate_many(self, task: _Task) -> list[EffectEstimate]:
        others = task.others
        coef, se, dof = _ols(task.data[task.outcome].to_numpy(), task.data[others].to_numpy())
        out = []
        for feature in task.features:
            j = others.index(feature)
            controls = tuple(c for c in others if c != feature)
            out.append(_ols_estimate(feature, self.name, coef[j], se[j], dof, task.delta,
                                     controls))
        return out


# 5, 7. Double machine learning -----------------------------------------------------------------
_DML_MODELS = ("linear", "forest")


class _DML(EffectMethod):
    """Shared EconML machinery: LinearDML or CausalForestDML with LightGBM nuisances."""

    has_interval = True

    def __init__(self, model: str, n_estimators_nuisance: int, n_estimators_forest: int,
                 min_samples_leaf: int, cv: int, n_jobs: int) -> None:
        if model not in _DML_MODELS:
            raise ValueError(f"model must be one of {_DML_MODELS}, got {model!r}")
        if n_estimators_forest % 4:
            raise ValueError(f"n_estimators_forest must be a multiple of 4 (EconML's "
                             f"subforest_size), got {n_estimators_forest}")
        self.model = model
        self.n_estimators_nuisance = n_estimators_nuisance
        self.n_estimators_forest = n_estimators_forest
        self.min_samples_leaf = min_samples_leaf
        self.cv = cv
        self.n_jobs = n_jobs

    def _dml(self, task: _Task, feature: str, controls: Sequence[str], method: str,
             note: str = "") -> EffectEstimate:
        """Fit DML for ``feature`` with ``controls`` and summarise the delta shift.

        ``model="linear"``: LinearDML with ``W = controls`` (constant effect) and
        ``X = None``. ``model="forest"``: CausalForestDML with ``X = controls`` as
        effect modifiers (they also enter the nuisance models), ``W = None``; without
        controls the forest has no effect modifier and LinearDML is used instead.
        """
        from econml.dml import CausalForestDML, LinearDML

        y = task.data[task.outcome].to_numpy()
        t = task.data[feature].to_numpy()
        Z = task.data[list(controls)].to_numpy() if controls else None
        nuis = dict(model_y=nuisance_model(self.n_estimators_nuisance, task.seed),
                    model_t=nuisance_model(self.n_estimators_nuisance, task.seed),
                    cv=self.cv, random_state=task.seed)
        if self.model == "forest" and Z is not None:
            est = CausalForestDML(**nuis, n_estimators=self.n_estimators_forest,
                                  min_samples_leaf=self.min_samples_leaf,
                                  n_jobs=self.n_jobs)
            est.fit(y, t, X=Z, W=None)
            X_eval = Z
        else:
            if self.model == "forest":
                note = "; ".join(filter(None, [note, "no effect modifier (empty adjustment "
                                               "set): constant-effect LinearDML used"]))
            est = LinearDML(**nuis)
            est.fit(y, t, X=None, W=Z)
            X_eval = None
        point = float(np.ravel(est.ate(X_eval, T0=0.0, T1=task.delta))[0])
        low, high = (float(np.ravel(b)[0])
                     for b in est.ate_interval(X_eval, T0=0.0, T1=task.delta, alpha=0.05))
        low, high = sorted((low, high))
        return EffectEstimate(feature, method, point, low, high, False, tuple(controls), note)


class AllColumnsDML(_DML):
    """Double machine learning controlling for every other observed column.

    The no-graph DML baseline (as in shap's documentation notebook "Be careful when
    interpreting predictive models in search of causal insights"): EconML's ``LinearDML``
    with ``W`` = all other observed columns, cross-fitting with ``cv`` folds. Nuisance
    models are small single-threaded LightGBM regressors (``n_estimators_nuisance``
    trees, 15 leaves, learning rate 0.1): fast, deterministic for a seed, and flexible
    enough for smooth confounding. It inherits the biases of :class:`AllColumnsRegression`
    (mediators and descendants of the outcome among the controls).

    Parameters
    ----------
    model : {"linear", "forest"}
        ``"linear"``: a constant effect (LinearDML), estimate ``ate(T0=0, T1=delta)``
        with its interval ``ate_interval(alpha=0.05)``. ``"forest"``: CausalForestDML
        with the controls as effect modifiers, estimate ``delta`` times the mean CATE
        (interval: EconML's conservative population summary).
    n_estimators_nuisance : int
        Trees of each LightGBM nuisance model.
    n_estimators_forest, min_samples_leaf : int
        Size of the causal forest (a multiple of 4) and its leaves (``"forest"`` only).
    cv : int
        Cross-fitting folds.
    n_jobs : int
        Parallel jobs of the causal forest (results do not depend on it).
    """

    needs_graph = False

    def __init__(self, model: str = "linear", *, n_estimators_nuisance: int = 100,
                 n_estimators_forest: int = 100, min_samples_leaf: int = 20,
                 cv: int = 3, n_jobs: int = 1) -> None:
        super().__init__(model, n_estimators_nuisance, n_estimators_forest,
                         min_samples_leaf, cv, n_jobs)
        self.name = f"AllColumnsDML[{model}]"

    def _estimate_one(self, task: _Task, feature: str) -> EffectEstimate:
        controls = [c for c in task.others if c != feature]
        return self._dml(task, feature, controls, self.name)


# Graph methods ---------------------------------------------------------------------------------
def _no_path(task: _Task, feature: str, method: str) -> EffectEstimate | None:
    """The zero effect of a feature with no directed path to the outcome, else None."""
    assert task.problem is not None
    if nx.has_path(task.problem.graph, feature, task.outcome):
        return None
    note = NO_PATH_NOTE.format(feature=feature, outcome=task.outcome)
    return EffectEstimate(feature, method, 0.0, 0.0, 0.0, False, (), note)


def _abstain(feature: str, method: str, extra: str = "") -> EffectEstimate:
    note = ABSTAIN_NOTE + (f" ({extra})" if extra else "")
    return EffectEstimate(feature, method, NAN, NAN, NAN, True, None, note)


def _our_set(task: _Task, feature: str) -> tuple[str, ...] | None:
    """:func:`backdoor_adjustment_set` on the observed nodes, in the order of the data."""
    assert task.problem is not None
    found = backdoor_adjustment_set(task.problem, feature, task.outcome)
    if found is None:
        return None
    return tuple(c for c in task.data.columns if c in found)


class GraphDML(_DML):
    """Double machine learning adjusted for the back-door set read from the graph.

    The adjustment set is :func:`causalxai.causal.identification.backdoor_adjustment_set` over
    the observed nodes (columns of the data that are nodes of the graph and not latent).
    The method abstains when it is None, and returns an exact 0 when the graph has no
    directed path from the feature to the outcome (see the module docstring).

    Parameters
    ----------
    model : {"linear", "forest"}
        ``"linear"``: LinearDML with ``W`` = the adjustment set, estimate
        ``ate(T0=0, T1=delta)`` and ``ate_interval(alpha=0.05)``. ``"forest"``:
        CausalForestDML with ``X`` = the adjustment set (effect modifiers and controls at
        once), ``W = None``; the treatment is continuous, so the forest fits a constant
        marginal effect per ``x`` and the estimate is ``delta`` times its mean over the
        rows, with EconML's conservative population-summary interval. An empty
        adjustment set leaves the forest no effect modifier: LinearDML is used (noted).
    n_estimators_nuisance, n_estimators_forest, min_samples_leaf, cv, n_jobs
        As in :class:`AllColumnsDML`.
    """

    needs_graph = True

    def __init__(self, model: str = "linear", *, n_estimators_nuisance: int = 100,
                 n_estimators_forest: int = 100, min_samples_leaf: int = 20,
                 cv: int = 3, n_jobs: int = 1) -> None:
        super().__init__(model, n_estimators_nuisance, n_estimators_forest,
                         min_samples_leaf, cv, n_jobs)
        self.name = f"GraphDML[{model}]"

    def _estimate_one(self, task: _Task, feature: str) -> EffectEstimate:
        zero = _no_path(task, feature, self.name)
        if zero is not None:
            return zero
        controls = _our_set(task, feature)
        if controls is None:
            return _abstain(feature, self.name)
        return self._dml(task, feature, controls, self.name)


class DoWhyBackdoor(EffectMethod):
    """DoWhy's pipeline: model, identify (back-door), estimate, optionally refute.

    A ``dowhy.CausalModel`` is built from the observed columns and the graph; nodes that
    are latent or absent from the data are unobserved for DoWhy. The effect is estimated
    when both DoWhy's back-door identification and
    :func:`causalxai.causal.identification.backdoor_adjustment_set` find an adjustment set
    (DoWhy's default set, the smallest it finds, is used and reported), and the method
    abstains otherwise. No directed path: an exact 0 (DoWhy agrees).

    ``estimate_effect`` is called with ``control_value=0``, ``treatment_value=delta``,
    no effect modifiers (DoWhy would otherwise add treatment x modifier interactions read
    from the graph) and ``confidence_intervals=True``. For ``backdoor.linear_regression``
    the effect is the OLS coefficient of the treatment times ``delta`` and the interval the
    analytic 95 % one; other estimators' intervals are whatever DoWhy provides (NaN if it
    provides none).

    Parameters
    ----------
    estimator : str
        A DoWhy back-door method name, ``"backdoor.<estimator>"``.
    refute : bool
        Also run DoWhy's placebo-treatment (permutation), random-common-cause and
        data-subset (80 %) refuters, each seeded with a fresh
        ``numpy.random.RandomState(seed)``, with ``n_simulations`` simulations each;
        results in :attr:`EffectEstimate.refutations` and summarised in the note. A sound
        estimate has a placebo effect near 0 and nearly unchanged effects otherwise.
    n_simulations : int
        Simulations per refuter.
    refute_backend : {"numpy", "dowhy"}
        ``"numpy"``: for ``backdoor.linear_regression`` on float columns, the same
        refutations (same random draws, effects and p-values) computed by
        :func:`causalxai.estimate.refute.linear_refutations`, many times faster; DoWhy's
        refuters otherwise. ``"dowhy"``: always DoWhy's.
    """

    needs_graph = True
    has_interval = True

    def __init__(self, estimator: str = "backdoor.linear_regression", refute: bool = False,
                 n_simulations: int = 20, refute_backend: str = "numpy") -> None:
        if refute_backend not in {"numpy", "dowhy"}:
            raise ValueError(f"refute_backend must be 'numpy' or 'dowhy', got "
                             f"{refute_backend!r}")
        self.refute_backend = refute_backend
        if not (isinstance(estimator, str) and estimator.startswith("backdoor.")):
            raise ValueError(f"estimator must be a DoWhy back-door method "
                             f"'backdoor.<name>', got {estimator!r}")
        if int(n_simulations) < 2:
            raise ValueError(f"n_simulations must be >= 2, got {n_simulations!r}")
        self.estimator = estimator
        self.refute = bool(refute)
        self.n_simulations = int(n_simulations)
        suffix = estimator.removeprefix("backdoor.")
        self.name = "DoWhyBackdoor" if suffix == "linear_regression" else (
            f"DoWhyBackdoor[{suffix}]")

    def _estimate_one(self, task: _Task, feature: str) -> EffectEstimate:
        from dowhy import CausalModel

        zero = _no_path(task, feature, self.name)
        if zero is not None:
            return zero
        ours = _our_set(task, feature)
        assert task.problem is not None
        graph = nx.DiGraph(task.problem.graph)
        data = task.data[[c for c in task.data.columns if c in graph]]
        model = CausalModel(data=data, treatment=feature, outcome=task.outcome, graph=graph)
        estimand = model.identify_effect(proceed_when_unidentifiable=False)
        theirs = None if estimand.no_directed_path else (estimand.backdoor_variables or {}).get(
            "backdoor")
        if estimand.estimands.get("backdoor") is None:
            theirs = None
        if ours is None or theirs is None:
            who = ("neither ours nor DoWhy's identification finds a set"
                   if ours is None and theirs is None else
                   "our identification finds no set" if ours is None else
                   "DoWhy's identification finds no set")
            return _abstain(feature, self.name, who)
        adjustment = tuple(c for c in data.columns if c in set(theirs))
        result = model.estimate_effect(
            estimand, method_name=self.estimator, control_value=0.0,
            treatment_value=task.delta, confidence_intervals=True, effect_modifiers=[],
        )
        point = float(np.ravel(result.value)[0])
        try:
            bounds = np.ravel(np.asarray(result.get_confidence_intervals(), dtype=float))
            low, high = sorted((float(bounds[0]), float(bounds[-1])))
        except Exception:  # the estimator provides no interval
            low = high = NAN
        note = f"DoWhy {self.estimator}"
        if set(adjustment) != set(ours):
            note += f"; our identification's set: {{{', '.join(ours)}}}"
        refutations: dict[str, dict[str, float]] = {}
        if self.refute and self.refute_backend == "numpy" and _numpy_refutable(
                self.estimator, data, [feature, task.outcome, *adjustment]):
            from causalxai.estimate.refute import linear_refutations

            refutations = linear_refutations(
                data, feature, task.outcome, adjustment, delta=task.delta, seed=task.seed,
                n_simulations=self.n_simulations, estimate=point)
        elif self.refute:
            refutations = self._refute(model, estimand, result, task.seed)
        if refutations:
            note += "; refutations: " + ", ".join(
                f"{k} new effect {v['new_effect']:.3g} (p={v['p_value']:.2g})"
                for k, v in refutations.items())
        return EffectEstimate(feature, self.name, point, low, high, False, adjustment, note,
                              refutations)

    def _refute(self, model: Any, estimand: Any, result: Any,
                seed: int) -> dict[str, dict[str, float]]:
        runs = {
            "placebo_treatment": ("placebo_treatment_refuter", {"placebo_type": "permute"}),
            "random_common_cause": ("random_common_cause", {}),
            "data_subset": ("data_subset_refuter", {"subset_fraction": 0.8}),
        }
        out = {}
        for key, (method_name, extra) in runs.items():
            # A fresh RandomState per refuter: DoWhy's data-subset refuter would reuse an
            # integer seed for every simulation (identical subsets, zero spread).
            ref = model.refute_estimate(estimand, result, method_name=method_name,
                                        num_simulations=self.n_simulations,
                                        random_state=np.random.RandomState(seed), **extra)
            p_value = (ref.refutation_result or {}).get("p_value", NAN)
            out[key] = {"new_effect": float(np.ravel(ref.new_effect)[0]),
                        "p_value": float(np.ravel(p_value)[0])}
        return out


def _numpy_refutable(estimator: str, data: pd.DataFrame, columns: list[str]) -> bool:
    return estimator == "backdoor.linear_regression" and all(
        pd.api.types.is_float_dtype(data[c]) for c in columns)


# Registry and tables ---------------------------------------------------------------------------
METHODS: dict[str, Callable[[], EffectMethod]] = {
    "ShapSlope": ShapSlope,
    "PartialDependence": PartialDependence,
    "NaiveRegression": NaiveRegression,
    "AllColumnsRegression": AllColumnsRegression,
    "AllColumnsDML[linear]": lambda: AllColumnsDML("linear"),
    "DoWhyBackdoor": DoWhyBackdoor,
    "GraphDML[linear]": lambda: GraphDML("linear"),
    "GraphDML[forest]": lambda: GraphDML("forest"),
}
"""Method name -> factory of the method with its default settings."""


def default_methods() -> list[EffectMethod]:
    """A fresh instance of every method of :data:`METHODS`, with default settings."""
    return [factory() for factory in METHODS.values()]


def estimates_table(estimates: Iterable[EffectEstimate]) -> pd.DataFrame:
    """Long table of estimates: one row per (feature, method), one column per field.

    Parameters
    ----------
    estimates : iterable of EffectEstimate

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, method, estimate, low, high, abstained, adjustment_set, note,
        refutations`` (the fields of :class:`EffectEstimate`), in the order given.

    Raises
    ------
    ValueError
        If an element is not an :class:`EffectEstimate` or a (feature, method) pair
        repeats.
    """
    rows, seen = [], set()
    for est in estimates:
        if not isinstance(est, EffectEstimate):
            raise ValueError(f"expected EffectEstimate objects, got {type(est).__name__}")
        key = (est.feature, est.method)
        if key in seen:
            raise ValueError(f"duplicate estimate for feature {key[0]!r}, method {key[1]!r}")
        seen.add(key)
        rows.append({f.name: getattr(est, f.name) for f in fields(EffectEstimate)})
    columns = [f.name for f in fields(EffectEstimate)]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"estimate": float, "low": float, "high": float, "abstained": bool})

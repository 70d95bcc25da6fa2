"""The applied comparison: every technique of the book, what it answers, how it did.

Each ``*_scores`` function recomputes, with small calls into the package, the numbers one
family of techniques earned in an earlier part, and times itself:

- :func:`effect_scores` -- Part II's benchmark (:mod:`causalxai.synthetic.benchmark`):
  SHAP slope, partial dependence, naive and all-columns regression, all-columns DML, DoWhy
  and graph DML on synthetic scenarios with known effects;
- :func:`prescription_scores` -- Part II's prescriptions
  (:mod:`causalxai.synthetic.prescriptions`): regret and validity of SHAP-greedy, nearest
  counterfactual, CATE per lever and causal recourse against the oracle;
- :func:`prescriber_scores` -- the :class:`~causalxai.prescribe.prescriber.Prescriber`
  on the prescription study's scenarios, seeds, training rows and units, scored by the
  same oracle and metrics;
- :func:`explanation_scores` -- Part II's explanations
  (:mod:`causalxai.synthetic.explanations`): rank correlation of marginal, conditional,
  asymmetric and causal Shapley values with the true interventional effects;
- :func:`discovery_scores` -- Part I's discovery (:mod:`causalxai.knowledge`): structural
  Hamming distance of PC without and with the ontology's background knowledge;
- :func:`lalonde_scores` -- Part III's Lalonde benchmark: naive, regression, doubly
  robust and Prescriber estimates against the experimental answer.

:func:`comparison_table` joins them to :data:`TECHNIQUES` (the question each technique
answers, its assumptions, when to use it: the book's own words) in one tidy table.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "TECHNIQUES",
    "comparison_table",
    "discovery_scores",
    "effect_scores",
    "explanation_scores",
    "lalonde_scores",
    "prescriber_scores",
    "prescription_scores",
]

#: Technique -> (family, question it answers, assumptions, when to use it), in table order.
#: The keys are the names of the methods, strategies and kinds in the package.
TECHNIQUES: Mapping[str, tuple[str, str, str, str]] = {
    "ShapSlope": (
        "explanation", "How does the model's prediction move with the feature?",
        "None about the world; the model and a background sample",
        "To debug or describe a model; never as an effect"),
    "PartialDependence": (
        "explanation", "What does the model predict on average at each value?",
        "Feature independent of the others (else extrapolation)",
        "To describe a model's shape; not as an effect"),
    "marginal": (
        "explanation", "Which features move this prediction (interventional SHAP)?",
        "A background distribution; the model only",
        "The default SHAP for a model; places to look"),
    "causal": (
        "explanation", "Which features move the outcome through the model, causally?",
        "A structural model (true or fitted) of the features",
        "When explanations must follow interventions"),
    "NaiveRegression": (
        "effect", "How does the outcome differ with the feature, nothing held fixed?",
        "No confounding at all", "Only for randomised features"),
    "AllColumnsRegression": (
        "effect", "What is the feature's coefficient given every other column?",
        "Linear; every column a confounder (no mediator, symptom, collider)",
        "Rarely: it adjusts for what must not be adjusted for"),
    "AllColumnsDML[linear]": (
        "effect", "What is the feature's effect given every other column, flexibly?",
        "Every column a confounder; overlap", "Rarely, for the same reason"),
    "DoWhyBackdoor": (
        "effect", "What is the effect, with the adjustment set the graph implies?",
        "The graph; no unobserved confounder on a back-door path; overlap",
        "When a graph is available: identification first, then estimation"),
    "GraphDML[linear]": (
        "effect", "The same, with flexible nuisance models (double ML)",
        "The graph; overlap; nuisance models good enough",
        "Non-linear confounding; the default estimator given a graph"),
    "PC": (
        "discovery", "Which graph do the data support, without knowledge?",
        "Causal sufficiency, faithfulness, correct tests",
        "To propose edges, never to trust them alone"),
    "PC+knowledge": (
        "discovery", "Which graph do the data and the ontology's time order support?",
        "The same, plus correct background knowledge",
        "To build the graph an analysis needs"),
    "nearest_counterfactual": (
        "prescription", "What is the cheapest change that flips the model's prediction?",
        "That the model's response is the world's",
        "To explain a decision of the model, not to advise"),
    "shap_greedy": (
        "prescription", "Which feature pushes the risk up most? (move it back)",
        "That SHAP credit is a causal effect",
        "Never as advice; it is today's practice, measured here"),
    "cate_per_lever": (
        "prescription", "Which lever helps this unit most, per unit of cost?",
        "The graph identifies each lever's effect; overlap",
        "Levers with identified effects; abstains on the others"),
    "recourse_fitted_scm": (
        "prescription", "Which minimal intervention reaches the goal, descendants included?",
        "The graph; a structural model fitted from data",
        "When levers act through one another"),
    "recourse_ensemble": (
        "prescription", "The same, robust to an imperfect fitted model",
        "The graph; bootstrap models cover the uncertainty",
        "When a wrong action is costly: accepts only likely successes"),
    "policy_tree": (
        "prescription", "Which simple rule says who gets which lever?",
        "The graph identifies each lever's effect; overlap; a shallow tree is enough",
        "When the decision must be a rule people can read and audit"),
    "prescriber": (
        "prescription", "For my model's units: what to change, by how much, how sure?",
        "The graph (tested against the data); the schema; recourse on a fitted structural "
        "model, or CATE per lever when a node is latent",
        "To add effects, prescriptions and abstentions to an existing model"),
}

#: Techniques scored as another family: SHAP's slope and partial dependence are
#: explanations, which Part II's benchmark scores as the effect estimates readers take them for.
_SCORED_AS = {"ShapSlope": "effect", "PartialDependence": "effect"}

#: Columns of :func:`prescription_scores` and :func:`prescriber_scores`: the metrics of
#: :func:`causalxai.prescribe.oracle.summarise` the comparison reads.
_PRESCRIPTION_METRICS = ("relative_regret", "validity", "abstention_rate",
                         "abstention_correct", "cost")

#: Part II's methods, as named in :mod:`causalxai.estimate.effects`.
_EFFECT_METHODS = ("ShapSlope", "PartialDependence", "NaiveRegression", "AllColumnsRegression",
                   "AllColumnsDML[linear]", "DoWhyBackdoor", "GraphDML[linear]")


def _seeds(seeds: Sequence[int]) -> list[int]:
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, int | np.integer) for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    return seeds


def effect_scores(scenarios: Sequence[str], *, n_samples: int = 1000,
                  seeds: Sequence[int] = (0, 1), n_truth: int = 20_000,
                  n_estimators: int = 60, n_explain: int = 100) -> pd.DataFrame:
    """Part II's benchmark, small: error and sign of each effect method.

    Returns
    -------
    DataFrame
        Indexed by method (:data:`_EFFECT_METHODS`): the columns of
        :func:`causalxai.synthetic.benchmark.score_by_method` (``median_rel_error``,
        ``sign_rate``, ``abstained_when_it_should``, ...) and ``seconds`` (the method's
        time over all scenarios and seeds, the sampling and the truth included).
    """
    from causalxai.synthetic.benchmark import evaluate, score, score_by_method, standard_methods
    from causalxai.synthetic.library import SCENARIOS, make_scenario

    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown or not scenarios:
        raise ValueError(f"unknown or no scenario(s) {unknown}; use {', '.join(SCENARIOS)}")
    methods = [m for m in standard_methods(n_estimators=n_estimators, n_explain=n_explain,
                                           n_background=50) if m.name in _EFFECT_METHODS]
    estimates, spent = [], {}
    for method in methods:  # one method at a time, to time each
        t0 = time.perf_counter()
        estimates += [evaluate(make_scenario(s), [method], n_samples=n_samples,
                               seeds=_seeds(seeds), n_truth=n_truth).estimates
                      for s in scenarios]
        spent[method.name] = time.perf_counter() - t0
    board = score_by_method(score(pd.concat(estimates, ignore_index=True)))
    board = board.reindex([m.name for m in methods])
    board["seconds"] = pd.Series(spent)
    return board


def prescription_scores(scenarios: Sequence[str], *, seeds: Sequence[int] = (0, 1),
                        n_train: int = 1000, n_units: int = 100) -> pd.DataFrame:
    """Part II's prescriptions, small: regret, validity and abstentions per strategy.

    Returns
    -------
    DataFrame
        Indexed by strategy: ``relative_regret`` (regret over the oracle's improvement),
        ``validity``, ``abstention_rate``, ``abstention_correct`` (share of abstentions
        where no action within the budget helps), ``cost`` (mean cost of the action per
        unit; means over the scenarios) and ``seconds`` (the
        whole study, the same for every strategy: they share the fits and the oracle).
    """
    from causalxai.synthetic.library import make_scenario
    from causalxai.synthetic.prescriptions import (
        STRATEGY_ORDER,
        prescription_study,
        prescription_table,
    )

    t0 = time.perf_counter()
    studies = [prescription_study(make_scenario(s), seeds=_seeds(seeds), n_train=n_train,
                                  n_units=n_units) for s in scenarios]
    total = time.perf_counter() - t0
    table = prescription_table(studies)
    out = (table.groupby(level="strategy")[list(_PRESCRIPTION_METRICS)]
           .mean().reindex(list(STRATEGY_ORDER)))
    out["seconds"] = total
    return out


def prescriber_scores(scenarios: Sequence[str], *, seeds: Sequence[int] = (0, 1),
                      n_train: int = 1000, n_units: int = 100, budget: float = 1.0,
                      n_bootstrap: int = 10) -> pd.DataFrame:
    """The Prescriber as one more strategy of :func:`prescription_scores`' study.

    Per scenario and seed, the same training rows, units in trouble, budget, team model
    (the study's LightGBM, fitted outside the timer) and oracle as
    :func:`causalxai.synthetic.prescriptions.prescription_study`; the Prescriber is fitted
    with the scenario's graph and schema (``estimator="auto"``, linear learner) and its
    prescriptions are scored by :func:`causalxai.prescribe.oracle.evaluate` and
    :func:`~causalxai.prescribe.oracle.summarise`. Graph warnings are silenced (the
    scenarios' graphs are true).

    Returns
    -------
    DataFrame
        One row, ``prescriber``: the columns of :func:`prescription_scores` (means over
        seeds, then over scenarios), ``strategies`` (the strategy it chose per scenario)
        and ``seconds`` (its ``fit`` and ``prescribe``, all scenarios and seeds).
    """
    from causalxai.prescribe.oracle import evaluate, summarise
    from causalxai.prescribe.prescriber import GraphWarning, Prescriber
    from causalxai.synthetic.library import make_scenario
    from causalxai.synthetic.prescriptions import outcome_goal, seed_setting

    seeds = _seeds(seeds)
    per_scenario, chosen, spent = [], {}, 0.0
    for name in scenarios:
        sc = make_scenario(name)
        goal, lines = outcome_goal(sc), []
        for seed in seeds:
            X, y, truth, units, oracle, model = seed_setting(
                sc, seed, n_train=n_train, n_units=n_units, budget=budget)
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", GraphWarning)
                rx = Prescriber(model, graph=sc.causal_graph, actionability=sc.schema,
                                outcome=sc.outcome, goal=goal, n_bootstrap=n_bootstrap,
                                seed=seed).fit(X, y)
            recs = rx.prescribe(units, budget)
            spent += time.perf_counter() - t0
            lines.append(summarise(evaluate(recs, truth, oracle)))
            chosen[name] = rx.strategy_name_
        per_scenario.append(pd.DataFrame(lines).mean())
    out = pd.DataFrame(per_scenario)[list(_PRESCRIPTION_METRICS)].mean().to_frame("prescriber").T
    out["strategies"] = ", ".join(f"{k}: {v}" for k, v in chosen.items())
    out["seconds"] = spent
    return out


def explanation_scores(scenario: str, *, seeds: Sequence[int] = (0, 1), n_samples: int = 1000,
                       n_explain: int = 40, n_background: int = 40, n_estimators: int = 60,
                       kinds: Sequence[str] = ("marginal", "causal")) -> pd.DataFrame:
    """Part II's explanations, small: Spearman correlation of each kind with the truth.

    Returns
    -------
    DataFrame
        Indexed by kind: ``mean`` (Spearman correlation of the mean absolute values with
        the true effects, mean over seeds) and ``seconds`` (per explanation).
    """
    from causalxai.synthetic import explanation_study, make_scenario

    study = explanation_study(make_scenario(scenario), kinds=list(kinds), seeds=_seeds(seeds),
                              n_samples=n_samples, n_explain=n_explain,
                              n_background=n_background, n_estimators=n_estimators)
    return study.summary()[["mean", "seconds"]]


def discovery_scores(*, n: int = 2000, seeds: Sequence[int] = (0, 1), alpha: float = 0.01,
                     scenario: str = "firm_distress_toy") -> pd.DataFrame:
    """Part I's discovery, small: PC's structural Hamming distance with and without knowledge.

    Returns
    -------
    DataFrame
        Indexed by ``PC`` and ``PC+knowledge``: ``shd`` (mean over seeds, against the true
        graph of the observed variables) and ``seconds`` (per run).
    """
    from causalxai.knowledge import compile_knowledge, discover, load_ontology, shd
    from causalxai.synthetic.library import make_scenario

    sc = make_scenario(scenario)
    onto = load_ontology()
    rows = {"PC": [], "PC+knowledge": []}
    spent = {"PC": 0.0, "PC+knowledge": 0.0}
    for s in _seeds(seeds):
        data = sc.scm.sample(n, seed=int(s))
        knowledge = compile_knowledge(onto, list(data.columns))
        for name, known in (("PC", None), ("PC+knowledge", knowledge)):
            t0 = time.perf_counter()
            found = discover(data, "PC", known, alpha=alpha)
            spent[name] += time.perf_counter() - t0
            rows[name].append(shd(found.graph, sc.causal_graph))
    return pd.DataFrame({"shd": {k: float(np.mean(v)) for k, v in rows.items()},
                         "seconds": {k: spent[k] / len(rows[k]) for k in rows}})


def lalonde_scores() -> pd.DataFrame:
    """Part III's Lalonde benchmark: observational estimates against the experiment.

    The NSW trainees against the CPS survey men (the observational sample); the
    experimental benchmark is the trainees against the randomised NSW controls.

    Returns
    -------
    DataFrame
        Indexed by ``experiment``, ``naive``, ``regression`` (OLS with
        :data:`causalxai.estimate.benchmarks.LALONDE_OUTCOME_RHS`: every covariate, which
        the Lalonde graph says are all confounders), ``aipw`` (doubly robust, effect on
        the treated, propensity trimmed at 0.99) and ``prescriber`` (the effect of
        switching training on in :meth:`~causalxai.prescribe.prescriber.Prescriber.effects`,
        linear learner, no bootstrap): ``estimate`` (dollars of 1978 earnings) and
        ``seconds``.
    """
    from causalxai.estimate import benchmarks as bm
    from causalxai.estimate import observational as ob

    rows = {}
    t0 = time.perf_counter()
    experiment = ob.difference_in_means(ob.prepare(bm.lalonde_experimental(), "treat", "re78"))
    rows["experiment"] = (experiment.estimate, time.perf_counter() - t0)
    observational = bm.lalonde_observational()
    t0 = time.perf_counter()
    naive = ob.difference_in_means(ob.prepare(observational, "treat", "re78"))
    rows["naive"] = (naive.estimate, time.perf_counter() - t0)
    problem = ob.prepare(observational, "treat", "re78", ps_rhs=bm.LALONDE_PS_RHS,
                         outcome_rhs=bm.LALONDE_OUTCOME_RHS)
    t0 = time.perf_counter()
    rows["regression"] = (ob.regression_adjustment(problem), time.perf_counter() - t0)
    t0 = time.perf_counter()
    rows["aipw"] = (ob.aipw(problem, estimand="att", trim=0.01), time.perf_counter() - t0)
    t0 = time.perf_counter()
    rows["prescriber"] = (_lalonde_prescriber(observational), time.perf_counter() - t0)
    return pd.DataFrame(rows, index=["estimate", "seconds"]).T


def _lalonde_prescriber(data: pd.DataFrame) -> float:
    """The Prescriber's effect of training on the Lalonde data (chapter 5.3's set-up).

    The graph: every covariate causes training and 1978 earnings, and the covariates
    one another in a fixed order (a graph that claims no independence among them); the
    schema: training may be switched on. A linear model stands for the team's.
    """
    from sklearn.linear_model import LinearRegression

    from causalxai.estimate import benchmarks as bm
    from causalxai.prescribe.prescriber import Prescriber

    covariates = list(bm.LALONDE_COVARIATES)
    order = [(a, b) for i, a in enumerate(covariates) for b in covariates[i + 1:]]
    graph = bm.confounding_graph("treat", "re78", covariates, extra_edges=order)
    schema = {"features": {"treat": {"actionable": True, "direction": "increase",
                                     "low": 0, "high": 1, "unit_cost": 1.0}}}
    rx = Prescriber(LinearRegression(), graph=graph, actionability=schema, outcome="re78",
                    goal="increase", n_bootstrap=0, prefit=False)
    rx.fit(data[["treat", *covariates]], data["re78"])
    return float(rx.effects().loc["treat", "effect"])


# The table --------------------------------------------------------------------------------
def _real(lalonde: pd.DataFrame | None, name: str) -> str:
    from causalxai.fmt import fmt

    if lalonde is None:
        return ""
    exp = fmt(float(lalonde.loc["experiment", "estimate"]), "money")
    key = {"NaiveRegression": "naive", "AllColumnsRegression": "regression",
           "AllColumnsDML[linear]": "regression", "DoWhyBackdoor": "aipw",
           "GraphDML[linear]": "aipw", "prescriber": "prescriber"}.get(name)
    if key is None or key not in lalonde.index:
        return ""
    what = {"naive": "naive gap", "regression": "regression on every covariate",
            "aipw": "doubly robust (AIPW) with the graph's set",
            "prescriber": "effects() of the linear structural model"}[key]
    return (f"Lalonde: {what} {fmt(float(lalonde.loc[key, 'estimate']), 'money')} dollars, "
            f"the experiment {exp} dollars")


def comparison_table(effects: pd.DataFrame, prescriptions: pd.DataFrame,
                     explanations: pd.DataFrame, discovery: pd.DataFrame,
                     lalonde: pd.DataFrame | None = None,
                     real_data: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per technique of :data:`TECHNIQUES`: what it answers and how it did.

    Parameters
    ----------
    effects, prescriptions, explanations, discovery : DataFrame
        From :func:`effect_scores`, :func:`prescription_scores`,
        :func:`explanation_scores` and :func:`discovery_scores`.
    lalonde : DataFrame, optional
        From :func:`lalonde_scores`: the effect methods' behaviour on real data.
    real_data : mapping, optional
        Technique -> text on its behaviour on real data, for the rows the Lalonde numbers
        do not cover (a chapter's finding, in words).

    Returns
    -------
    DataFrame
        Indexed by technique: ``family``, ``question``, ``assumptions``, ``metric`` (what
        ``score`` measures for the family; SHAP's slope and partial dependence are scored
        as the effects readers take them for: median relative error of the effect, regret
        over the oracle's improvement, Spearman correlation with the true effects, or
        structural Hamming distance), ``score``, ``second`` (right sign of the effect,
        validity of the actions; NaN otherwise), ``real_data``, ``seconds`` and
        ``when_to_use``. A technique without computed scores keeps NaN.
    """
    metrics = {"effect": "median relative error", "prescription": "regret ÷ oracle gain",
               "explanation": "Spearman with the true effects",
               "discovery": "structural Hamming distance"}
    sources = {"effect": (effects, "median_rel_error", "sign_rate"),
               "prescription": (prescriptions, "relative_regret", "validity"),
               "explanation": (explanations, "mean", None),
               "discovery": (discovery, "shd", None)}
    real_data = dict(real_data or {})
    rows = []
    for name, (family, question, assumptions, when) in TECHNIQUES.items():
        source = _SCORED_AS.get(name, family)
        frame, first, second = sources[source]
        found = name in frame.index
        rows.append({
            "technique": name, "family": family, "question": question,
            "assumptions": assumptions, "metric": metrics[source],
            "score": float(frame.loc[name, first]) if found else np.nan,
            "second": (float(frame.loc[name, second]) if found and second else np.nan),
            "real_data": real_data.get(name) or _real(lalonde, name) or "not applied",
            "seconds": float(frame.loc[name, "seconds"]) if found else np.nan,
            "when_to_use": when})
    return pd.DataFrame(rows).set_index("technique")

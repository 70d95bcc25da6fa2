"""Run every effect method on a scenario over several seeds and score it against the truth.

The ground truth is the average effect of the intervention ``do(X := X + delta)`` on the
outcome, simulated in the scenario's structural causal model. Each method sees only the
observed data (and, for graph-based methods, the causal graph); each repetition draws a
new sample with its own seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from causalxai.causal.validity import validity_labels
from causalxai.estimate.effects import EffectMethod
from causalxai.synthetic.scenarios import Scenario, true_effects

__all__ = [
    "Evaluation",
    "Study",
    "evaluate",
    "score",
    "score_by_method",
    "shap_summary",
    "standard_methods",
    "study",
    "sweep",
    "targeting",
    "unit_effects_comparison",
]

#: Labels under which a method that uses the graph is expected to abstain.
ABSTAIN_LABELS = ("unobserved confounding",)


@dataclass
class Evaluation:
    """The raw results of :func:`evaluate`.

    Attributes
    ----------
    scenario : str
        Scenario name.
    estimates : pandas.DataFrame
        One row per (seed, method, feature): ``estimate``, ``low``, ``high``,
        ``abstained``, ``adjustment_set``, ``note``, plus ``truth`` and ``label``.
    truth : pandas.DataFrame
        The true effect per feature (``effect``, ``std_error``).
    labels : pandas.DataFrame
        The causal validity label per feature (see :func:`causalxai.causal.validity.validity_labels`).
    """

    scenario: str
    estimates: pd.DataFrame
    truth: pd.DataFrame
    labels: pd.DataFrame


def _one_seed(
    scenario: Scenario, methods: Sequence[EffectMethod], n_samples: int, seed: int, delta: float,
    features: Sequence[str] | None = None,
) -> list[dict]:
    data = scenario.scm.sample(n_samples, seed=seed)
    rows = []
    for method in methods:
        graph = scenario.problem if method.needs_graph else None
        for est in method.estimate_all(data, list(features or scenario.features),
                                       scenario.outcome, delta=delta, graph=graph, seed=seed):
            row = asdict(est)
            row.pop("refutations", None)
            rows.append({**row, "seed": seed})
    return rows


def evaluate(
    scenario: Scenario,
    methods: Sequence[EffectMethod],
    *,
    n_samples: int,
    seeds: Sequence[int],
    delta: float = 1.0,
    n_truth: int = 200_000,
    n_jobs: int = 1,
    features: Sequence[str] | None = None,
) -> Evaluation:
    """Estimate the effect of shifting each feature with every method, for every seed.

    Parameters
    ----------
    scenario : Scenario
        The data-generating process, its outcome and features.
    methods : sequence of EffectMethod
        The estimators to compare.
    n_samples : int
        Rows sampled per repetition.
    seeds : sequence of int
        One repetition per seed (new sample, new fits).
    delta : float
        Size of the shift intervention, in the feature's units.
    n_truth : int
        Monte-Carlo size of the true effects (common random numbers).
    n_jobs : int
        Repetitions run in parallel (processes).
    features : sequence of str, optional
        Features whose effect is estimated (default: all of the scenario's). Models that
        predict the outcome still use every observed feature.

    Returns
    -------
    Evaluation

    Raises
    ------
    ValueError
        If ``seeds`` is empty or ``n_samples`` is too small to fit anything.
    """
    if not len(seeds):
        raise ValueError("seeds must not be empty")
    if n_samples < 50:
        raise ValueError(f"n_samples must be at least 50, got {n_samples}")
    if features is not None and not len(features):
        raise ValueError("features must not be empty (None means all features)")
    unknown = set(features or ()) - set(scenario.features)
    if unknown:
        raise ValueError(f"not features of {scenario.name!r}: {', '.join(sorted(unknown))}")
    truth = true_effects(scenario, delta=delta, n=n_truth, seed=0)
    labels = validity_labels(scenario.problem)
    if n_jobs == 1 or len(seeds) == 1:
        chunks = [_one_seed(scenario, methods, n_samples, s, delta, features) for s in seeds]
    else:
        chunks = Parallel(n_jobs=n_jobs)(
            delayed(_one_seed)(scenario, methods, n_samples, s, delta, features) for s in seeds
        )
    est = pd.DataFrame([row for chunk in chunks for row in chunk])
    est["truth"] = est["feature"].map(truth["effect"])
    est["label"] = est["feature"].map(labels["label"])
    est.insert(0, "scenario", scenario.name)
    return Evaluation(scenario.name, est, truth, labels)


def score(estimates: pd.DataFrame, *, tolerance: float = 0.05) -> pd.DataFrame:
    """Score each (scenario, method, feature) over the repetitions.

    Parameters
    ----------
    estimates : pandas.DataFrame
        ``Evaluation.estimates`` (several evaluations may be concatenated).
    tolerance : float
        Effects smaller than this count as "no effect" for the sign.

    Returns
    -------
    pandas.DataFrame
        Indexed by (scenario, method, feature): ``truth``, ``label``, ``mean``, ``sd``,
        ``q025``, ``q975`` (over repetitions), ``abs_error`` (of the mean),
        ``rel_error`` (over ``max(|truth|, tolerance)``), ``mean_abs_error`` (average of
        the per-repetition absolute errors), ``sign_rate`` (share of repetitions whose
        sign agrees, with "no effect" as a sign), ``coverage`` (share of intervals that
        contain the truth; NaN for methods without intervals), ``abstain_rate`` and
        ``should_abstain`` (the graph says the effect is not identifiable).
    """
    df = estimates.copy()
    null = df["truth"].abs() < tolerance
    est_null = df["estimate"].abs() < tolerance
    agrees = np.where(null, est_null, ~est_null & (np.sign(df["estimate"])
                                                   == np.sign(df["truth"])))
    df["sign_ok"] = np.where(df["abstained"], np.nan, agrees.astype(float))
    df["err"] = (df["estimate"] - df["truth"]).abs()
    has_ci = df["low"].notna() & df["high"].notna()
    df["covered"] = np.where(has_ci, (df["low"] <= df["truth"]) & (df["truth"] <= df["high"]),
                             np.nan)
    g = df.groupby(["scenario", "method", "feature"], sort=False)
    out = pd.DataFrame({
        "truth": g["truth"].first(),
        "label": g["label"].first(),
        "mean": g["estimate"].mean(),
        "sd": g["estimate"].std(ddof=1),
        "q025": g["estimate"].quantile(0.025),
        "q975": g["estimate"].quantile(0.975),
        "mean_abs_error": g["err"].mean(),
        "sign_rate": g["sign_ok"].mean(),
        "coverage": g["covered"].mean(),
        "abstain_rate": g["abstained"].mean(),
        "n_runs": g.size(),
    })
    out.insert(4, "abs_error", (out["mean"] - out["truth"]).abs())
    out.insert(5, "rel_error", out["abs_error"] / np.maximum(out["truth"].abs(), tolerance))
    out["should_abstain"] = out["label"].isin(ABSTAIN_LABELS)
    return out


def score_by_method(scored: pd.DataFrame) -> pd.DataFrame:
    """Headline numbers per method (over scenarios and features of a :func:`score` table).

    Where the graph says the effect is identifiable, a method is judged on its error; where
    it is not, on whether it abstained.

    Returns
    -------
    pandas.DataFrame
        Indexed by method: ``median_rel_error`` and ``sign_rate`` over identifiable
        features (symptoms included: their true effect is zero), ``coverage`` of its
        intervals there, ``abstained_when_it_should`` (share of non-identifiable
        features where it abstained) and ``abstained_wrongly`` (share of identifiable
        ones where it abstained).
    """
    rows = {}
    for method, part in scored.groupby(level="method", sort=False):
        ident = part[~part["should_abstain"]]
        unident = part[part["should_abstain"]]
        rows[method] = {
            "median_rel_error": ident["rel_error"].median(),
            "sign_rate": ident["sign_rate"].mean(),
            "coverage": ident["coverage"].mean(),
            "abstained_when_it_should": unident["abstain_rate"].mean() if len(unident) else np.nan,
            "abstained_wrongly": ident["abstain_rate"].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("method")


@dataclass
class Study:
    """Everything a Part II chapter shows for one scenario.

    Attributes
    ----------
    scenario : Scenario
        The scenario studied.
    evaluation : Evaluation
        Raw estimates per seed, truth and validity labels.
    scored : pandas.DataFrame
        :func:`score` of the estimates, indexed by (method, feature).
    shap : pandas.DataFrame
        Indexed by feature: ``importance`` (mean |SHAP|) and ``slope`` of a gradient-boosting
        model fitted on the first seed's sample.
    """

    scenario: Scenario
    evaluation: Evaluation
    scored: pd.DataFrame
    shap: pd.DataFrame

    def value(self, method: str, feature: str, column: str = "mean") -> float:
        """One number of the score table (e.g. the mean estimate of a method)."""
        return float(self.scored.loc[(method, feature), column])

    def truth(self, feature: str) -> float:
        """The true effect of the shift on ``feature``."""
        return float(self.evaluation.truth.loc[feature, "effect"])


def shap_summary(
    scenario: Scenario,
    *,
    n_samples: int,
    seed: int,
    n_estimators: int = 300,
    n_explain: int = 500,
    n_background: int = 100,
    delta: float = 1.0,
) -> pd.DataFrame:
    """Mean |SHAP| and SHAP slope (times ``delta``) per feature of a gradient-boosting model.

    The model, fitted on ``n_samples`` rows of the scenario, and its interventional TreeSHAP
    values come from :func:`causalxai.predict.explain.fit_and_explain`, the helper
    :class:`causalxai.estimate.effects.ShapSlope` uses too.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature: ``importance`` and ``slope``.
    """
    from causalxai.predict.explain import fit_and_explain

    X, y = scenario.sample(n_samples, seed=seed)
    # Rows in the order drawn: the summary's numbers are those of earlier editions.
    reading = fit_and_explain(X, y, n_estimators=n_estimators, seed=seed, n_explain=n_explain,
                              n_background=n_background, sort_rows=False)
    return pd.DataFrame({"importance": reading.importance(), "slope": reading.slopes(delta)})


def study(
    scenario: Scenario,
    methods: Sequence[EffectMethod],
    *,
    n_samples: int,
    seeds: Sequence[int],
    delta: float = 1.0,
    n_truth: int = 200_000,
    n_jobs: int = 1,
    n_estimators: int = 300,
) -> Study:
    """Evaluate every method on a scenario, score it, and compute its SHAP summary.

    Parameters are those of :func:`evaluate`; ``n_estimators`` sets the gradient-boosting
    model of the SHAP summary.
    """
    ev = evaluate(scenario, methods, n_samples=n_samples, seeds=seeds, delta=delta,
                  n_truth=n_truth, n_jobs=n_jobs)
    scored = score(ev.estimates).droplevel("scenario")
    summary = shap_summary(scenario, n_samples=n_samples, seed=seeds[0],
                           n_estimators=n_estimators, delta=delta)
    return Study(scenario, ev, scored, summary)


def standard_methods(
    *, n_estimators: int = 200, n_explain: int = 300, n_background: int = 100
) -> list[EffectMethod]:
    """The methods compared in Part II, with the SHAP/PD model size set by the caller.

    ShapSlope, PartialDependence, NaiveRegression, AllColumnsRegression,
    AllColumnsDML[linear], DoWhyBackdoor, GraphDML[linear] and GraphDML[forest].
    """
    from causalxai.estimate.effects import (
        AllColumnsDML,
        AllColumnsRegression,
        DoWhyBackdoor,
        GraphDML,
        NaiveRegression,
        PartialDependence,
        ShapSlope,
    )

    return [
        ShapSlope(n_estimators=n_estimators, n_explain=n_explain, n_background=n_background),
        PartialDependence(n_estimators=n_estimators),
        NaiveRegression(),
        AllColumnsRegression(),
        AllColumnsDML("linear"),
        DoWhyBackdoor(),
        GraphDML("linear"),
        GraphDML("forest"),
    ]


def unit_effects_comparison(
    scenario: Scenario,
    feature: str,
    *,
    n_samples: int,
    seed: int,
    delta: float = 1.0,
    n_estimators: int = 300,
    n_explain: int = 1000,
    forest_trees: int = 200,
) -> pd.DataFrame:
    """Per-firm effects of shifting ``feature``: the truth against three per-firm readings.

    For ``n_explain`` firms of a fresh sample:

    - ``truth``: the firm's own effect, simulated in the SCM with its own noise;
    - ``forest``: the conditional effect from a causal forest (EconML ``CausalForestDML``)
      adjusting for the graph's back-door set, with the other observed non-descendants of
      the feature as effect modifiers;
    - ``model_shift``: the predictive model's change when only this firm's feature is
      shifted (an individual conditional expectation; causal only under the back-door
      condition);
    - ``shap``: the firm's SHAP value for the feature (what a local explanation shows).

    Returns
    -------
    pandas.DataFrame
        One row per explained firm, plus the feature's value (``x``).

    Raises
    ------
    ValueError
        If the feature's effect is not identifiable by back-door adjustment.
    """
    from econml.dml import CausalForestDML

    from causalxai.causal.identification import backdoor_adjustment_set
    from causalxai.estimate.effects import nuisance_model
    from causalxai.predict.explain import tree_shap
    from causalxai.predict.models import fit_gbm

    if forest_trees < 4 or forest_trees % 4:
        raise ValueError(f"forest_trees must be a positive multiple of 4 (EconML grows trees in "
                         f"groups of 4), got {forest_trees}")
    adjust = backdoor_adjustment_set(scenario.problem, feature, scenario.outcome)
    if adjust is None:
        raise ValueError(f"the effect of {feature!r} is not identifiable by back-door adjustment")
    descendants = set(scenario.scm.descendants(feature))
    modifiers = [f for f in scenario.features if f != feature and f not in descendants]
    data = scenario.scm.sample(n_samples, seed=seed)
    X, y = data[scenario.features], data[scenario.outcome]
    model = fit_gbm(X, y, n_estimators=n_estimators, seed=seed)
    forest = CausalForestDML(
        model_y=nuisance_model(100, seed), model_t=nuisance_model(100, seed),
        n_estimators=forest_trees, min_samples_leaf=20, cv=3, random_state=seed, n_jobs=1,
    )
    w_cols = sorted(set(adjust) - set(modifiers))
    forest.fit(y.to_numpy(), data[feature].to_numpy(),
               X=data[modifiers].to_numpy() if modifiers else None,
               W=data[w_cols].to_numpy() if w_cols else None)
    units, noise = scenario.scm.sample(n_explain, seed=seed + 1_000_003, return_noise=True)
    truth = scenario.scm.unit_effects(feature, scenario.outcome, delta=delta, noise=noise)
    Xu = units[scenario.features]
    shifted = Xu.assign(**{feature: Xu[feature] + delta})
    back = X.sample(min(200, len(X)), random_state=seed)
    return pd.DataFrame({
        "x": Xu[feature].to_numpy(),
        "truth": truth,
        "forest": delta * np.ravel(forest.const_marginal_effect(
            units[modifiers].to_numpy() if modifiers else None)),
        "model_shift": model.predict(shifted) - model.predict(Xu),
        "shap": tree_shap(model, Xu, back)[feature].to_numpy(),
    }, index=units.index)


def targeting(scores: pd.Series, truth: pd.Series, *, share: float = 0.2,
              larger_is_better: bool = True) -> float:
    """Share of the best achievable gain obtained by treating the top ``share`` of units.

    Units are ranked by ``scores``; the gain is the sum of their true effects (sign
    flipped when ``larger_is_better`` is False, e.g. effects on distress). Returns
    ``(gain of the ranking − gain of a random choice) / (gain of the oracle − gain of a
    random choice)``: 1 for a perfect ranking, 0 for no better than chance.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    sign = 1.0 if larger_is_better else -1.0
    t = sign * truth.to_numpy(dtype=float)
    s = sign * scores.to_numpy(dtype=float)
    k = max(1, round(share * len(t)))
    chosen = t[np.argsort(-s, kind="stable")[:k]].sum()
    oracle = np.sort(t)[::-1][:k].sum()
    random = k * t.mean()
    if np.isclose(oracle, random, rtol=1e-12, atol=1e-12 * np.abs(t).sum()):
        return float("nan")  # nothing to rank: every choice gains the same
    return float((chosen - random) / (oracle - random))


def sweep(
    scenario_name: str,
    feature: str,
    methods: Sequence[EffectMethod],
    *,
    strengths: Sequence[float],
    sizes: Sequence[int],
    seeds: Sequence[int],
    delta: float = 1.0,
    n_truth: int = 100_000,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Estimate one feature's effect over a grid of confounding strengths and sample sizes.

    Parameters
    ----------
    scenario_name : str
        A scenario of :data:`causalxai.synthetic.library.SCENARIOS` taking ``confounding_strength``.
    feature : str
        The lever whose effect is estimated.
    methods : sequence of EffectMethod
        The estimators.
    strengths, sizes, seeds : sequences
        The grid: every strength × size, repeated over every seed.

    Returns
    -------
    pandas.DataFrame
        Long table: ``strength``, ``n_samples``, ``seed``, ``method``, ``estimate``, ``low``,
        ``high``, ``abstained``, ``truth``, ``error`` (estimate − truth).
    """
    from causalxai.synthetic.library import make_scenario

    frames = []
    for strength in strengths:
        scenario = make_scenario(scenario_name, confounding_strength=strength)
        for n in sizes:
            ev = evaluate(scenario, methods, n_samples=n, seeds=seeds, delta=delta,
                          n_truth=n_truth, n_jobs=n_jobs, features=[feature])
            frames.append(ev.estimates.assign(strength=strength, n_samples=n))
    out = pd.concat(frames, ignore_index=True)
    out["error"] = out["estimate"] - out["truth"]
    return out[["strength", "n_samples", "seed", "method", "estimate", "low", "high",
                "abstained", "truth", "error"]]

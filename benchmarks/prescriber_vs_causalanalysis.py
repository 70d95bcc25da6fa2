"""Benchmark: the Prescriber against EconML's ``CausalAnalysis``, time and regret, one run.

Issue 12's target: on 100,000 rows x 20 features, ``Prescriber.fit`` + ``prescribe`` in
<= 2 minutes on two cores, faster than ``CausalAnalysis.fit`` + ``individualized_policy``
(for every lever) on the same data, with at least its quality: the regret of the
recommended actions against the oracle in the true structural model.

The scenario is one where both apply: a linear-Gaussian SCM over 20 observed features, of
which 5 are levers (any direction, unit cost 1) with confounders among the other 15 and no
feature among their descendants, so that adjusting for every other feature (what
``CausalAnalysis`` does) is a valid back-door adjustment. The outcome should decrease;
``CausalAnalysis`` maximises, so it is given the negated outcome.

``CausalAnalysis`` (EconML 0.17, ``econml/solutions/causal_analysis/_causal_analysis.py``)
fits one double-ML model per lever (linear nuisances, ``cv=5``, ``mc_iters=3`` by default)
and ``individualized_policy(X, lever)`` recommends, per unit, "increase" or "decrease" with
the effect of 10 % of a typical change. It is turned into one action per unit the way a
user would: the lever with the largest predicted effect, moved by the whole budget
(``budget / unit_cost``, at most 3 units as in the Prescriber's grid) in the recommended
direction. EconML is given numpy arrays and the feature names (its 0.17 indexing of a
DataFrame's columns fails on pandas' Arrow-backed string columns). The Prescriber's model is
a LightGBM fitted beforehand (its time is printed on
its own: a team's model exists already).

Run: ``.venv/bin/python benchmarks/prescriber_vs_causalanalysis.py [--n 100000 ...]``; with
several ``--n`` it runs once per size (how each grows with rows) and writes every run to
``.cache/bench/prescriber_vs_causalanalysis.json``, which the performance appendix reads.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.scm import SCM
from causalxai.predict.models import gbm
from causalxai.prescribe.oracle import Truth, evaluate, oracle_actions, summarise
from causalxai.prescribe.prescriber import Prescriber
from causalxai.prescribe.strategies import Problem, ShapGreedy

OUTCOME = "y"
BENCH = Path(".cache") / "bench"


def scenario(d: int = 20, n_levers: int = 5, seed: int = 0
             ) -> tuple[SCM, ActionabilitySchema, list[str], list[str]]:
    """A linear-Gaussian SCM: 15 background features in a random DAG, 5 confounded levers."""
    rng = np.random.default_rng(seed)
    names = [f"x{j:02d}" for j in range(d)]
    background, levers = names[: d - n_levers], names[d - n_levers:]
    weights: dict[tuple[str, str], float] = {}
    for j, child in enumerate(background):
        for parent in rng.choice(background[:j], size=min(j, 2), replace=False) if j else []:
            weights[(str(parent), child)] = float(rng.normal(0, 0.6))
    for lever in levers:
        for parent in rng.choice(background, size=3, replace=False):
            weights[(str(parent), lever)] = float(rng.normal(0, 0.7))
        weights[(lever, OUTCOME)] = float(rng.choice([-1, 1]) * rng.uniform(0.2, 1.0))
    for parent in rng.choice(background, size=8, replace=False):
        weights[(str(parent), OUTCOME)] = float(rng.normal(0, 0.8))
    scm = SCM.linear_gaussian(weights, {OUTCOME: 1.0})
    schema = ActionabilitySchema.from_dict({"features": {
        **{b: {} for b in background},
        **{lv: {"actionable": True, "direction": "both", "unit_cost": 1.0} for lv in levers},
    }})
    return scm, schema, names, levers


def causal_analysis_actions(ca, X: pd.DataFrame, levers: list[str], budget: float,
                            max_shift: float = 3.0) -> pd.DataFrame:
    """One action per unit from ``individualized_policy``: the lever of largest effect."""
    effects, directions = [], []
    for lever in levers:
        policy = ca.individualized_policy(X.to_numpy(float), list(X.columns).index(lever))
        policy = policy.sort_index()
        effects.append(policy["Effect of treatment"].to_numpy(float))
        directions.append(np.where(policy["Treatment"] == "increase", 1.0, -1.0))
    effects, directions = np.column_stack(effects), np.column_stack(directions)
    best = effects.argmax(axis=1)
    rows = np.arange(len(X))
    shift = min(max_shift, budget) * directions[rows, best]
    feature = np.array(levers, dtype=object)[best]
    old = X.to_numpy(float)[rows, [X.columns.get_loc(f) for f in feature]]
    return pd.DataFrame({"feature": feature, "new_value": old + shift,
                         "cost": np.abs(shift), "abstain": False}, index=X.index)


def run_once(n: int, units: int = 2_000, budget: float = 1.0, n_jobs: int = 2,
             seed: int = 0) -> dict:
    """Fit and prescribe with both on ``n`` rows; return the timings and the quality."""
    scm, schema, features, levers = scenario(seed=seed)
    data = scm.sample(n, seed=seed)
    X, y = data[features], data[OUTCOME]
    graph = nx.DiGraph(scm.graph)
    truth = Truth.draw(scm, units, seed + 1, OUTCOME)
    scored = truth.features(features)
    best = oracle_actions(truth, features, schema, budget)
    print(f"data: {n:,} rows x {len(features)} features, {len(levers)} levers; "
          f"{units:,} units scored against the oracle")

    t0 = time.perf_counter()
    model = gbm("regression", n_estimators=100, seed=seed).fit(X, y)
    t_model = time.perf_counter() - t0

    t0 = time.perf_counter()
    rx = Prescriber(model, graph=graph, actionability=schema, outcome=OUTCOME,
                    seed=seed).fit(X, y)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    rx.prescribe(X, budget=budget)
    t_prescribe = time.perf_counter() - t0
    ours = rx.prescribe(scored, budget=budget)

    from econml.solutions.causal_analysis import CausalAnalysis

    # one BLAS thread in this process, as the Prescriber uses (joblib's workers get
    # cpu_count // n_jobs threads of their own): neither side pays for spinning threads
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        # numpy in, names given: EconML 0.17 indexes a DataFrame's columns with a list,
        # which pandas' Arrow-backed string columns refuse
        lever_index = [features.index(lv) for lv in levers]
        ca = CausalAnalysis(lever_index, categorical=[], feature_names=features,
                            classification=False,
                            nuisance_models="linear", heterogeneity_model="linear",
                            n_jobs=n_jobs, random_state=seed)
        ca.fit(X.to_numpy(float), -y.to_numpy(float))
        t_ca_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        for j in lever_index:
            ca.individualized_policy(X.to_numpy(float), j)
        t_ca_policy = time.perf_counter() - t0
        theirs = causal_analysis_actions(ca, scored, levers, budget)

    problem = Problem(graph, schema, OUTCOME, tuple(features))
    greedy = ShapGreedy(model).fit(X, y, problem).recommend(scored, budget)
    quality = {}
    for name, recs in (("Prescriber", ours), ("CausalAnalysis", theirs),
                       ("ShapGreedy", greedy)):
        s = summarise(evaluate(recs, truth, best))
        quality[name] = {"regret": float(s["regret"]),
                         "relative_regret": float(s["relative_regret"]),
                         "validity": float(s["validity"]),
                         "abstention_rate": float(s["abstention_rate"])}
    print(f"model (LightGBM, 100 rounds) fit: {t_model:.1f} s (not counted)")
    print(f"Prescriber     fit {t_fit:7.1f} s + prescribe {t_prescribe:6.1f} s = "
          f"{t_fit + t_prescribe:7.1f} s")
    print(f"CausalAnalysis fit {t_ca_fit:7.1f} s + individualized_policy x{len(levers)} "
          f"{t_ca_policy:6.1f} s = {t_ca_fit + t_ca_policy:7.1f} s")
    print(f"ratio (CausalAnalysis / Prescriber): "
          f"{(t_ca_fit + t_ca_policy) / (t_fit + t_prescribe):.1f}")
    print(f"oracle mean improvement: {best['improvement'].mean():.4f}")
    print(pd.DataFrame(quality).T.round(4).to_string())
    return {"rows": n, "features": len(features), "levers": len(levers), "units": units,
            "model_s": t_model, "prescriber_s": t_fit + t_prescribe,
            "prescriber_fit_s": t_fit, "prescriber_prescribe_s": t_prescribe,
            "causalanalysis_s": t_ca_fit + t_ca_policy, "causalanalysis_fit_s": t_ca_fit,
            "causalanalysis_policy_s": t_ca_policy,
            "oracle_improvement": float(best["improvement"].mean()), "quality": quality}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000],
                        help="training rows (several: one run each, for the growth plot)")
    parser.add_argument("--units", type=int, default=2_000, help="units scored by the oracle")
    parser.add_argument("--budget", type=float, default=1.0)
    parser.add_argument("--n-jobs", type=int, default=2, help="CausalAnalysis' n_jobs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=BENCH / "prescriber_vs_causalanalysis.json",
                        help="JSON of the runs, read by the performance appendix")
    args = parser.parse_args()
    runs = [run_once(n, args.units, args.budget, args.n_jobs, args.seed) for n in args.n]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "command": "python benchmarks/prescriber_vs_causalanalysis.py --n "
                   + " ".join(str(n) for n in args.n),
        "cores": os.cpu_count(), "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": runs}, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

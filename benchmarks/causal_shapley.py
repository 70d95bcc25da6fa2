"""Benchmark: exact causal Shapley values, 10 features x 1,000 rows x 200 background rows.

Issue 11's speed target is <= 30 s on two cores. The structural model is a random
non-linear DAG over the features (tanh and product mechanisms, one binary node, Gaussian
and uniform noises); the explained model is a vectorised logistic score with pairwise
interactions (``--model numpy``, the default) or a LightGBM classifier fitted on the SCM's
data (``--model lightgbm``, dominated by LightGBM's own prediction time). Every one of the
``2**10`` coalitions costs one pass of ``rows * background`` units through the SCM and one
call of the model on them.

Only the descendants of each coalition are re-simulated, in chunks of 8,192 rows
(:func:`causalxai.predict.coalitions.causal_values`). With ``--reference`` the same values
are also computed as before that change (the whole intervened model solved by
``SCM.counterfactual`` in chunks of 400,000 rows), timed in the same run, and the largest
difference of the two is printed.

``--jobs 2`` evaluates coalitions in two threads. The previous implementation spent part of
its time in multi-threaded BLAS on its 200,000-row arrays, so its CPU time exceeds its wall
time; both are printed.

Run with ``.venv/bin/python benchmarks/causal_shapley.py [--jobs 2] [--reference]``; it
prints the time and checks efficiency (values + base value = prediction).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from causalxai.causal.scm import SCM, Node, normal, uniform
from causalxai.predict.coalitions import causal_values, scm_noise
from causalxai.predict.games import enumerate_shapley
from causalxai.predict.shapley import shapley_explanation


def random_scm(d: int, seed: int) -> tuple[SCM, list[str]]:
    """A non-linear DAG on ``d`` features, each with up to three earlier parents."""
    rng = np.random.default_rng(seed)
    names = [f"x{j}" for j in range(d)]
    nodes = []
    for j, name in enumerate(names):
        k = int(rng.integers(0, min(j, 3) + 1))
        parents = tuple(rng.choice(names[:j], size=k, replace=False)) if k else ()
        w = rng.normal(size=k)
        if j == d // 2 and parents:
            nodes.append(Node(name, parents, _mechanism(parents, w), link="bernoulli_logit"))
        else:
            noise = uniform(-1, 1) if j % 3 == 0 else normal(0.7)
            nodes.append(Node(name, parents, _mechanism(parents, w) if parents else None, noise))
    return SCM(nodes), names


def _mechanism(parents: tuple[str, ...], w: np.ndarray):
    def f(p: dict[str, np.ndarray]) -> np.ndarray:
        out = sum(wi * np.tanh(p[q]) for wi, q in zip(w, parents, strict=True))
        if len(parents) >= 2:
            out = out + 0.3 * p[parents[0]] * p[parents[1]]
        return out

    return f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--background", type=int, default=200)
    parser.add_argument("--model", choices=["numpy", "lightgbm"], default="numpy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="threads over coalitions")
    parser.add_argument("--reference", action="store_true",
                        help="also time the previous implementation (whole-model solves)")
    args = parser.parse_args()

    scm, names = random_scm(args.features, args.seed)
    X = scm.sample(args.rows, seed=args.seed + 1)[names]
    rng = np.random.default_rng(args.seed)
    coef, inter = rng.normal(size=len(names)), rng.normal(size=(len(names), len(names))) / 4
    upper = np.triu(inter, 1)
    if args.model == "numpy":
        def model(Z: np.ndarray) -> np.ndarray:
            score = Z @ coef + ((Z @ upper) * Z).sum(axis=1)
            return 1 / (1 + np.exp(-score))
    else:
        from causalxai.predict.models import fit_gbm

        train = scm.sample(5000, seed=args.seed + 2)[names]
        y = (train.to_numpy() @ coef > 0).astype(int)
        gbm = fit_gbm(train, y, task="classification", n_estimators=100)

        def model(Z: np.ndarray) -> np.ndarray:
            return gbm.booster_.predict(Z)

    start, cpu = time.perf_counter(), time.process_time()
    exp = shapley_explanation(model, X, kind="causal", scm=scm, n_background=args.background,
                              seed=args.seed, n_jobs=args.jobs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    gap = np.abs(exp.values.sum(axis=1) + exp.base_values - model(X.to_numpy())).max()
    print(f"exact causal Shapley values: {len(names)} features x {args.rows} rows x "
          f"{args.background} background rows, model {args.model}, {args.jobs} thread(s): "
          f"{seconds:.1f} s "
          f"(CPU {cpu:.1f} s; {2 ** len(names)} coalitions; efficiency gap {gap:.1e})")
    if args.reference:
        start, old_cpu = time.perf_counter(), time.process_time()
        value = causal_values(model, X.to_numpy(float), scm, names,
                              scm_noise(scm, args.background, args.seed),
                              max_rows=400_000, solver="full")
        before = enumerate_shapley(value, len(names))
        old, old_cpu = time.perf_counter() - start, time.process_time() - old_cpu
        print(f"reference (whole-model solves, 400,000-row chunks): {old:.1f} s (CPU "
              f"{old_cpu:.1f} s); speed-up {old / seconds:.1f}x (CPU {old_cpu / cpu:.1f}x); "
              f"largest difference of the values {np.abs(before - exp.values).max():.1e}")


if __name__ == "__main__":
    main()

"""Side-by-side timings of the fast paths against the slower ones they replace.

Usage::

    .venv/bin/python benchmarks/speedups.py [--out .cache/bench/speedups.csv] [--repeat 3]

Each pair (numba TreeSHAP vs shap's interventional TreeExplainer on the same model, rows
and background; numpy refutations vs DoWhy's refuters on the same data and seed) is timed
alternately in one process, ``repeat`` times, and the values of the fast path are checked
against the slow one. Prints one row per case and writes them as CSV (not committed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from causalxai.compendium.performance import fastest


def treeshap_cases(repeat: int) -> list[dict]:
    from causalxai.predict.explain import tree_shap
    from causalxai.predict.models import fit_gbm

    rows = []
    for n_explain, p in [(1000, 10), (300, 30)]:
        rng = np.random.default_rng(0)
        X = pd.DataFrame(rng.normal(size=(5000, p)), columns=[f"x{i}" for i in range(p)])
        y = X.iloc[:, 0] + X.iloc[:, 1] * X.iloc[:, 2] + rng.normal(0, 0.3, len(X))
        model = fit_gbm(X, y, n_estimators=300, num_leaves=15)
        Xe, back = X.iloc[:n_explain], X.iloc[n_explain:n_explain + 200]
        tree_shap(model, Xe.iloc[:5], back)  # compile once (numba cache)
        fast_s, fast = fastest(lambda m=model, x=Xe, b=back: tree_shap(m, x, b), repeat)
        slow_s, slow = fastest(lambda m=model, x=Xe, b=back: tree_shap(m, x, b, backend="shap"),
                             repeat)
        rows.append({"case": f"TreeSHAP {n_explain} x {p}, 300 trees, 200 (100) background",
                     "fast_s": fast_s, "slow_s": slow_s, "ratio": slow_s / fast_s,
                     "max_abs_diff": float((fast - slow).abs().to_numpy().max())})
    return rows


def refute_cases(repeat: int) -> list[dict]:
    from causalxai.estimate.effects import DoWhyBackdoor
    from causalxai.synthetic.scenarios import firm_distress_toy

    scenario = firm_distress_toy()
    data = scenario.scm.sample(2000, seed=1)
    observed = [c for c in data.columns if c in scenario.scm.graph]
    feature = next(c for c in observed if c != scenario.outcome)
    rows = []
    fast_m = DoWhyBackdoor(refute=True)
    slow_m = DoWhyBackdoor(refute=True, refute_backend="dowhy")

    def run(m):
        return m.estimate(data, feature, scenario.outcome, graph=scenario.scm.graph, seed=0)

    fast_s, fast = fastest(lambda: run(fast_m), repeat)
    slow_s, slow = fastest(lambda: run(slow_m), repeat)
    diff = max(abs(fast.refutations[k]["new_effect"] - slow.refutations[k]["new_effect"])
               for k in fast.refutations) if fast.refutations else float("nan")
    rows.append({"case": f"DoWhyBackdoor(refute=True) on {feature}, 2,000 rows, 20 simulations",
                 "fast_s": fast_s, "slow_s": slow_s, "ratio": slow_s / fast_s,
                 "max_abs_diff": diff})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(".cache/bench/speedups.csv"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = pd.DataFrame(treeshap_cases(args.repeat) + refute_cases(args.repeat))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()

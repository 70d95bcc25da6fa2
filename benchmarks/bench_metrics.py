"""Why :mod:`causalxai.predict.metrics` keeps a vectorised path for bootstrap weights.

Times ROC-AUC and average precision over ``B`` bootstrap replicates of ``n`` rows two
ways: one scikit-learn call per replicate (``sample_weight`` = the replicate's counts),
and one call of the vectorised path on the ``(n, B)`` weights. Both give the same
numbers (checked here and in ``tests/predict/test_metrics.py``).

Run: ``.venv/bin/python benchmarks/bench_metrics.py [n] [B]`` (defaults 50 000 and 200,
the size of a Part IV firm bootstrap).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from causalxai.predict.metrics import average_precision, bootstrap_weights, roc_auc


def main(n: int = 50_000, n_boot: int = 200) -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.02).astype(float)
    s = rng.normal(size=n) + y
    firms = np.arange(n) // 4
    W = bootstrap_weights(n_boot, groups=firms, seed=1)

    t0 = time.perf_counter()
    loop_auc = [roc_auc_score(y, s, sample_weight=W[:, b]) for b in range(n_boot)]
    loop_ap = [average_precision_score(y, s, sample_weight=W[:, b]) for b in range(n_boot)]
    t_loop = time.perf_counter() - t0

    t0 = time.perf_counter()
    vec_auc = np.concatenate([roc_auc(y, s, W[:, lo:lo + 25]) for lo in range(0, n_boot, 25)])
    vec_ap = np.concatenate([average_precision(y, s, W[:, lo:lo + 25])
                             for lo in range(0, n_boot, 25)])
    t_vec = time.perf_counter() - t0

    assert np.allclose(loop_auc, vec_auc, atol=1e-12)
    assert np.allclose(loop_ap, vec_ap, atol=1e-12)
    print(f"n={n} B={n_boot}: scikit-learn loop {t_loop:.2f} s, vectorised {t_vec:.2f} s, "
          f"ratio {t_loop / t_vec:.1f}x (same values to 1e-12)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

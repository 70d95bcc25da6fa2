"""DoWhy's three refuters of a linear back-door estimate, in numpy.

:class:`causalxai.estimate.effects.DoWhyBackdoor` with ``refute=True`` runs DoWhy's
placebo-treatment (permutation), random-common-cause and data-subset refuters. With the
``backdoor.linear_regression`` estimator each simulation is one least-squares fit, but DoWhy
spends its time around it (a new estimator object, statsmodels, pandas copies).
:func:`linear_refutations` draws the same random numbers in the same order from the same
``numpy.random.RandomState(seed)`` per refuter, fits the same regressions with
:func:`numpy.linalg.lstsq`, and computes the same summary and p-value as DoWhy 0.14:

- *placebo treatment*: the treatment column is replaced by a permutation of itself
  (``random_state.choice(n, n, replace=False)``); the new effect is the mean placebo
  effect and the p-value tests the value 0 against the simulated placebo effects.
- *random common cause*: a standard normal column (``random_state.normal(size=n)``) joins
  the adjustment set; the p-value tests the original estimate against the simulations.
- *data subset*: the estimate on ``round(fraction * n)`` rows drawn without replacement
  (what ``DataFrame.sample(frac=fraction, random_state=random_state)`` draws); same test.

DoWhy's test (``dowhy.causal_refuter.test_significance``, type "auto"): with fewer than 100
simulations a normal test, one-sided towards the estimate's side, with
``z = (estimate - mean) / std`` (population std); with 100 or more the two-sided
percentile (bootstrap) p-value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["REFUTERS", "linear_refutations", "refutation_p_value"]

REFUTERS = ("placebo_treatment", "random_common_cause", "data_subset")
"""The refutations :func:`linear_refutations` runs, in DoWhy's naming of
:class:`causalxai.estimate.effects.DoWhyBackdoor`."""


def refutation_p_value(estimate: float, simulations: np.ndarray) -> float:
    """DoWhy's p-value of an estimate against simulated refutation estimates.

    Parameters
    ----------
    estimate : float
        The value tested: 0 for a placebo refuter, the original estimate otherwise.
    simulations : numpy.ndarray
        The refuter's estimates, one per simulation.

    Returns
    -------
    float
        Fewer than 100 simulations: the normal tail towards the estimate's side,
        ``1 - Phi(z)`` for ``z > 0`` else ``Phi(z)``; otherwise the two-sided percentile
        p-value ``2 min(h, 1 - h)``, ``h = mean(sim > est) + mean(sim == est) / 2``. With
        identical simulations ``z`` is infinite (p = 0) or NaN, as in DoWhy.
    """
    sims = np.asarray(simulations, dtype=float)
    if len(sims) >= 100:
        half = np.mean((sims > estimate) + 0.5 * (sims == estimate))
        return float(2 * min(half, 1 - half))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.float64(estimate) - np.mean(sims)) / np.std(sims)
    return float(1 - stats.norm.cdf(z) if z > 0 else stats.norm.cdf(z))


def _effect(y: np.ndarray, t: np.ndarray, w: np.ndarray, delta: float) -> float:
    design = np.column_stack([np.ones(len(y)), t, w])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return float(coef[1] * delta)


def linear_refutations(
    data: pd.DataFrame,
    treatment: str,
    outcome: str,
    adjustment: Sequence[str],
    *,
    delta: float = 1.0,
    seed: int = 0,
    n_simulations: int = 20,
    subset_fraction: float = 0.8,
    estimate: float | None = None,
) -> dict[str, dict[str, float]]:
    """Placebo, random-common-cause and data-subset refutations of a linear estimate.

    The estimate is ``delta`` times the OLS coefficient of ``treatment`` in the regression
    of ``outcome`` on an intercept, the treatment and the ``adjustment`` columns (DoWhy's
    ``backdoor.linear_regression`` with ``control_value=0, treatment_value=delta``).

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric (float) columns including ``treatment``, ``outcome`` and ``adjustment``.
    treatment, outcome : str
        Column names.
    adjustment : sequence of str
        The back-door adjustment set (may be empty).
    delta : float
        Treatment value minus control value.
    seed : int
        Each refuter draws from a fresh ``numpy.random.RandomState(seed)``, as
        ``DoWhyBackdoor`` seeds DoWhy's refuters.
    n_simulations : int
        Simulations per refuter (at least 2).
    subset_fraction : float
        Share of the rows kept by the data-subset refuter, in (0, 1].
    estimate : float, optional
        The original estimate the tests compare with; computed here when omitted.

    Returns
    -------
    dict
        ``refuter -> {"new_effect": mean simulated effect, "p_value": DoWhy's p-value}``
        for the three :data:`REFUTERS`.

    Raises
    ------
    ValueError
        On a missing or non-numeric column, ``n_simulations < 2`` or a fraction outside
        (0, 1].
    """
    adjustment = list(adjustment)
    columns = [treatment, outcome, *adjustment]
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {missing}; columns are {list(data.columns)}")
    bad = [c for c in columns if not pd.api.types.is_float_dtype(data[c])]
    if bad:
        raise ValueError(f"columns {bad} must be float (DoWhy casts other treatment "
                         f"dtypes); got {[str(data[c].dtype) for c in bad]}")
    if int(n_simulations) < 2:
        raise ValueError(f"n_simulations must be >= 2, got {n_simulations!r}")
    if not 0 < subset_fraction <= 1:
        raise ValueError(f"subset_fraction must be in (0, 1], got {subset_fraction!r}")
    n = len(data)
    y = data[outcome].to_numpy(dtype=float)
    t = data[treatment].to_numpy(dtype=float)
    w = data[adjustment].to_numpy(dtype=float).reshape(n, len(adjustment))
    if estimate is None:
        estimate = _effect(y, t, w, delta)

    rs = np.random.RandomState(seed)
    placebo = np.array([_effect(y, t[rs.choice(n, size=n, replace=False)], w, delta)
                        for _ in range(n_simulations)])
    rs = np.random.RandomState(seed)
    common = np.array([_effect(y, t, np.column_stack([w, rs.normal(size=n)]), delta)
                       for _ in range(n_simulations)])
    rs = np.random.RandomState(seed)
    size = round(subset_fraction * n)
    subset = []
    for _ in range(n_simulations):
        rows = rs.choice(n, size=size, replace=False)
        subset.append(_effect(y[rows], t[rows], w[rows], delta))
    sims = {"placebo_treatment": (placebo, 0.0), "random_common_cause": (common, estimate),
            "data_subset": (np.array(subset), estimate)}
    return {key: {"new_effect": float(np.mean(values)),
                  "p_value": refutation_p_value(tested, values)}
            for key, (values, tested) in sims.items()}

"""Sensitivity of a regression estimate to an unobserved confounder, in the partial-R²
parametrisation of Cinelli & Hazlett (2020).

:func:`robustness_value`, :func:`adjusted_estimate` and :func:`benchmark_bounds` are the
closed forms; :func:`regression_sensitivity` applies them to the outcome regression of a
:class:`causalxai.estimate.observational.Problem`, and :func:`plot_sensitivity` draws the
contour plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from causalxai.estimate.observational import Problem, _column, _need, _ols, _ols_coef

__all__ = [
    "RegressionSensitivity",
    "adjusted_estimate",
    "benchmark_bounds",
    "plot_sensitivity",
    "regression_sensitivity",
    "robustness_value",
]


def _check_r2(value: float, name: str, upper_open: bool = False) -> float:
    ok = 0 <= value < 1 if upper_open else 0 <= value <= 1
    if not ok:
        raise ValueError(f"{name} must be in [0, 1{')' if upper_open else ']'}, got {value!r}")
    return float(value)


def robustness_value(t_value: float, dof: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Robustness value of a regression coefficient (Cinelli & Hazlett, 2020).

    The smallest partial R², the same with the treatment and with the outcome, that an
    unobserved confounder needs to reduce the estimate by ``100 q`` % (``alpha`` None),
    or to make the reduced estimate no longer significant at level ``alpha``.

    Parameters
    ----------
    t_value : float
        t statistic of the treatment coefficient.
    dof : int
        Residual degrees of freedom of the regression.
    q : float
        Fraction of the estimate to explain away (1: all of it), > 0.
    alpha : float, optional
        Significance level, in (0, 1).

    Returns
    -------
    float
        In [0, 1).
    """
    if dof < 2:
        raise ValueError(f"dof must be at least 2, got {dof}")
    if not q > 0:
        raise ValueError(f"q must be positive, got {q!r}")
    fq = q * abs(t_value) / math.sqrt(dof)
    f_crit = 0.0
    if alpha is not None:
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / math.sqrt(dof - 1)
    f = fq - f_crit
    if f <= 0:
        return 0.0
    if f_crit > 0 and fq > 1 / f_crit:
        return float((fq**2 - f_crit**2) / (1 + fq**2))
    return float(0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2))


def adjusted_estimate(estimate: float, se: float, dof: int, r2_dz: float, r2_yz: float) -> float:
    """The estimate after removing the largest bias a confounder of that strength can cause.

    ``|bias| = se × sqrt(dof) × sqrt(r2_yz × r2_dz / (1 - r2_dz))`` (Cinelli & Hazlett,
    2020), taken towards zero.

    Parameters
    ----------
    estimate, se : float
        OLS coefficient of the treatment and its standard error.
    dof : int
        Residual degrees of freedom.
    r2_dz : float
        Partial R² of the confounder with the treatment given the covariates, in [0, 1).
    r2_yz : float
        Partial R² of the confounder with the outcome given treatment and covariates.

    Returns
    -------
    float
    """
    r2_dz = _check_r2(r2_dz, "r2_dz", upper_open=True)
    r2_yz = _check_r2(r2_yz, "r2_yz")
    bias = se * math.sqrt(dof) * math.sqrt(r2_yz * r2_dz / (1 - r2_dz))
    return float(np.sign(estimate) * (abs(estimate) - bias))


def benchmark_bounds(r2_dx: float, r2_yx: float, kd: float = 1.0,
                     ky: float | None = None) -> tuple[float, float]:
    """Bounds on a confounder ``kd`` (``ky``) times as strong as an observed covariate.

    Cinelli & Hazlett (2020, section 6): given the partial R² of an observed covariate
    ``X_j`` with the treatment (given the other covariates), ``r2_dx``, and with the
    outcome (given treatment and other covariates), ``r2_yx``, an unobserved confounder
    that explains ``kd`` times as much residual treatment variance and ``ky`` times as
    much residual outcome variance as ``X_j`` has at most these partial R².

    Returns
    -------
    (r2_dz, r2_yz) : tuple of float
        ``r2_yz`` is capped at 1.

    Raises
    ------
    ValueError
        If the inputs are out of range or ``kd`` is too large for ``r2_dx``.
    """
    r2_dx = _check_r2(r2_dx, "r2_dx", upper_open=True)
    r2_yx = _check_r2(r2_yx, "r2_yx", upper_open=True)
    ky = kd if ky is None else ky
    if kd < 0 or ky < 0:
        raise ValueError("kd and ky must be non-negative")
    r2_dz = kd * r2_dx / (1 - r2_dx)
    if r2_dz >= 1:
        raise ValueError(f"kd={kd} is too large for r2_dx={r2_dx}: r2_dz would be >= 1")
    r2_zx = kd * r2_dx**2 / ((1 - kd * r2_dx) * (1 - r2_dx))
    if r2_zx >= 1:
        raise ValueError(f"kd={kd} is too large for r2_dx={r2_dx}")
    r2_yz = ((math.sqrt(ky) + math.sqrt(r2_zx)) / math.sqrt(1 - r2_zx)) ** 2 * r2_yx / (1 - r2_yx)
    return float(r2_dz), float(min(r2_yz, 1.0))


@dataclass(frozen=True)
class RegressionSensitivity:
    """Sensitivity of an OLS treatment coefficient to an unobserved confounder.

    Attributes
    ----------
    estimate, se, t_value : float
        The coefficient, its standard error and t statistic.
    dof : int
        Residual degrees of freedom.
    partial_r2 : float
        Partial R² of the treatment with the outcome: a confounder explaining all the
        residual outcome variance must explain this share of the treatment's to remove
        the estimate.
    rv : float
        Robustness value for ``q`` (the estimate reduced by ``100 q`` %).
    rv_alpha : float
        Robustness value for losing significance at ``alpha``.
    q, alpha : float
    benchmarks : pandas.DataFrame
        Per benchmark covariate group: its partial R² with treatment and outcome, the
        bounds of :func:`benchmark_bounds` for ``k`` times its strength and the adjusted
        estimate (columns ``r2_dx, r2_yx, k, r2_dz, r2_yz, adjusted``).
    """

    estimate: float
    se: float
    t_value: float
    dof: int
    partial_r2: float
    rv: float
    rv_alpha: float
    q: float
    alpha: float
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)


def _group_partial_r2(y: np.ndarray, X: np.ndarray, columns: list[int]) -> float:
    """Partial R² of a group of columns of ``X`` with ``y`` given the other columns."""
    coef = _ols_coef(X, y)
    resid = y - X @ coef
    rest = [j for j in range(X.shape[1]) if j not in columns]
    coef_r = _ols_coef(X[:, rest], y)
    resid_r = y - X[:, rest] @ coef_r
    ssr, ssr_r = float(resid @ resid), float(resid_r @ resid_r)
    return (ssr_r - ssr) / ssr_r if ssr_r > 0 else 0.0


def regression_sensitivity(problem: Problem, *, q: float = 1.0, alpha: float = 0.05,
                           benchmarks: dict[str, Sequence[str]] | None = None,
                           k: float = 1.0) -> RegressionSensitivity:
    """Robustness value and benchmark bounds of the outcome model's treatment coefficient.

    Parameters
    ----------
    problem : Problem
        Its outcome design must contain the treatment as a column of its own and no
        product term with it (the coefficient is then the effect).
    q, alpha : float
        As in :func:`robustness_value`.
    benchmarks : dict of str to sequence of str, optional
        Name -> outcome-design columns of an observed covariate (e.g. ``{"age": ["age",
        "I(age ** 2)"]}``); each gives a row of bounds for a confounder ``k`` times as
        strong (partial R² of a group from the F statistic of the nested regressions).
    k : float
        Strength multiple of the benchmarks.

    Returns
    -------
    RegressionSensitivity
    """
    X = _need(problem.outcome_design, "outcome")
    j = _column(problem, problem.treatment)
    coef, se, dof = _ols(problem.y, X)
    est, s = float(coef[j]), float(se[j])
    tv = est / s
    rows = []
    covariates = np.delete(X, j, axis=1)
    cov_names = [c for c in problem.outcome_names if c != problem.treatment]
    for name, columns in (benchmarks or {}).items():
        missing = [c for c in columns if c not in cov_names]
        if missing:
            raise ValueError(f"benchmark {name!r}: {missing} not among the outcome-design columns")
        in_x = [list(problem.outcome_names).index(c) for c in columns]
        in_cov = [cov_names.index(c) for c in columns]
        r2_dx = _group_partial_r2(problem.t, covariates, in_cov)
        r2_yx = _group_partial_r2(problem.y, X, in_x)
        r2_dz, r2_yz = benchmark_bounds(r2_dx, r2_yx, kd=k)
        rows.append({"benchmark": name, "r2_dx": r2_dx, "r2_yx": r2_yx, "k": k,
                     "r2_dz": r2_dz, "r2_yz": r2_yz,
                     "adjusted": adjusted_estimate(est, s, dof, r2_dz, r2_yz)})
    table = pd.DataFrame(rows, columns=["benchmark", "r2_dx", "r2_yx", "k", "r2_dz", "r2_yz",
                                        "adjusted"]).set_index("benchmark")
    return RegressionSensitivity(
        estimate=est, se=s, t_value=tv, dof=dof, partial_r2=tv**2 / (tv**2 + dof),
        rv=robustness_value(tv, dof, q), rv_alpha=robustness_value(tv, dof, q, alpha),
        q=q, alpha=alpha, benchmarks=table,
    )


def _short(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def plot_sensitivity(sens: RegressionSensitivity, *, ax: plt.Axes | None = None,
                     max_r2: float | None = None, unit: str = "") -> plt.Axes:
    """Contours of the bias-adjusted estimate over the confounder's two partial R².

    The red contour is where the estimate would be explained away; the diamond marks the
    robustness value; one marker per benchmark of ``sens.benchmarks`` (a confounder ``k``
    times as strong as that covariate), listed in the legend with its adjusted estimate.
    """
    ax = ax or plt.subplots(figsize=(6, 5))[1]
    marks = sens.benchmarks[["r2_dz", "r2_yz"]].to_numpy().ravel()
    top = max_r2 or min(0.99, max(0.05, 3 * sens.rv, 1.3 * marks.max() if len(marks) else 0))
    grid = np.linspace(0, top, 121)
    dz, yz = np.meshgrid(grid, grid)
    bias = sens.se * math.sqrt(sens.dof) * np.sqrt(yz * dz / (1 - dz))
    adjusted = np.sign(sens.estimate) * (abs(sens.estimate) - bias)
    cs = ax.contour(dz, yz, adjusted, levels=8, colors="#555555", linewidths=0.8)
    ax.clabel(cs, fontsize=7, fmt=_short)
    ax.contour(dz, yz, adjusted, levels=[0], colors="#d62728", linewidths=2)
    ax.plot(sens.rv, sens.rv, "D", color="#d62728", markersize=7,
            label=f"robustness value {sens.rv:.3g}: estimate explained away")
    styles = ["o", "s", "^", "v", "P", "X", "*"]
    colours = plt.get_cmap("tab10").colors
    for i, (name, row) in enumerate(sens.benchmarks.iterrows()):
        ax.plot(row["r2_dz"], row["r2_yz"], styles[i % len(styles)], color=colours[i % 10],
                markersize=7, markeredgecolor="black",
                label=f"{row['k']:g}× {name}: {_short(row['adjusted'])}{unit}")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("partial R² of the confounder with the treatment")
    ax.set_ylabel("partial R² of the confounder with the outcome")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return ax

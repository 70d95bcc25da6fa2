"""Part III's two benchmarks of observational methods against a known answer: the
estimators that the Lalonde and NHEFS chapters bootstrap.

The data sets and their published results live in :mod:`causalxai.estimate.benchmarks`;
the estimators in :mod:`causalxai.estimate.observational`. A *statistics* function maps
the row indices of one bootstrap replicate to one estimate per method, as
:func:`causalxai.estimate.observational.bootstrap_cis` expects; each replicate refits the
propensity model on its own rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from causalxai.estimate import observational as ob

__all__ = ["lalonde_statistics", "nhefs_statistics"]

Statistics = Callable[[np.ndarray], dict[str, float]]


def lalonde_statistics(problem: ob.Problem, trim: float) -> Statistics:
    """The Lalonde chapter's bootstrapped estimators of the effect on the trainees (ATT).

    Parameters
    ----------
    problem : causalxai.estimate.observational.Problem
        Trainees and survey men, with the propensity and flexible outcome formulas.
    trim : float
        IP weighting and AIPW drop units whose propensity score exceeds ``1 - trim``;
        in [0, 0.5).

    Returns
    -------
    callable
        ``idx -> {"regression, flexible", "IP weighting (ATT)", "AIPW (ATT)"}``.

    Raises
    ------
    ValueError
        If ``trim`` is outside [0, 0.5).
    """
    if not 0 <= trim < 0.5:
        raise ValueError(f"trim must be in [0, 0.5), got {trim!r}")

    def statistics(idx: np.ndarray) -> dict[str, float]:
        sample = problem.subset(idx)
        scores = ob.fit_propensity(sample)
        return {
            "regression, flexible": ob.regression_adjustment(sample),
            "IP weighting (ATT)": ob.ipw(sample, estimand="att", trim=trim, ps=scores),
            "AIPW (ATT)": ob.aipw(sample, estimand="att", trim=trim, ps=scores),
        }

    return statistics


def nhefs_statistics(problem: ob.Problem, no_product: ob.Problem) -> Statistics:
    """The NHEFS chapter's bootstrapped estimators of the average effect (ATE) of quitting.

    Parameters
    ----------
    problem : causalxai.estimate.observational.Problem
        The analysed smokers, with the book's propensity and outcome models.
    no_product : causalxai.estimate.observational.Problem
        The same rows with an outcome model without the treatment × covariate product,
        for the plain regression adjustment.

    Returns
    -------
    callable
        ``idx -> {"IP weighting (book's model)", "standardisation (book's model)",
        "regression adjustment", "AIPW"}``.

    Raises
    ------
    ValueError
        If the two problems do not hold the same number of rows.
    """
    if problem.n != no_product.n:
        raise ValueError(f"problem and no_product must hold the same rows, got {problem.n} "
                         f"and {no_product.n}")

    def statistics(idx: np.ndarray) -> dict[str, float]:
        sample = problem.subset(idx)
        scores = ob.fit_propensity(sample)
        return {
            "IP weighting (book's model)": ob.ipw(sample, ps=scores),
            "standardisation (book's model)": ob.standardisation(sample),
            "regression adjustment": ob.regression_adjustment(no_product.subset(idx)),
            "AIPW": ob.aipw(sample, ps=scores),
        }

    return statistics

"""Shared data of the early-warning tests."""

from __future__ import annotations

import numpy as np


def censored_data(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly failure times depending on a risk score, with random censoring.

    Returns the observed durations (failure or censoring month), whether the failure was
    observed, and the risk score (higher: earlier failure).
    """
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    hazard = 1 / (1 + np.exp(-(-3.0 + risk)))
    t = rng.geometric(hazard)
    c = rng.integers(1, 40, size=n)
    return np.minimum(t, c).astype(float), t <= c, risk

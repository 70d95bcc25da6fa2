"""Part I's comparison of Shapley value functions: how far one computation is from another.

Used by the chapter on interventional and conditional SHAP, which computes the same
Shapley values in closed form, by enumeration, by Monte Carlo and with ``shap``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["max_gaps"]


def max_gaps(values: Mapping[str, np.ndarray], reference: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The largest absolute gap between two sets of Shapley values, per value function.

    Parameters
    ----------
    values, reference : mapping of str to array of shape (n_rows, n_features)
        Shapley values by value function (``"interventional"``, ``"conditional"``, ...);
        ``values`` may hold a subset of ``reference``'s keys.

    Returns
    -------
    dict of str to float
        Value function -> ``max |values - reference|`` over rows and features.

    Raises
    ------
    ValueError
        If ``values`` names a value function that ``reference`` lacks, or the two arrays
        of one value function differ in shape.
    """
    gaps = {}
    for kind, got in values.items():
        if kind not in reference:
            raise ValueError(f"values has value function {kind!r}, which reference lacks "
                             f"(it has {', '.join(map(repr, reference))})")
        a, b = np.asarray(got, dtype=float), np.asarray(reference[kind], dtype=float)
        if a.shape != b.shape:
            raise ValueError(f"the {kind!r} values have shape {a.shape}, the reference {b.shape}")
        gaps[kind] = float(np.abs(a - b).max())
    return gaps

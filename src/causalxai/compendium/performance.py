"""Timings for the performance appendix: fastest of repeats, paired paths, growth slopes.

The appendix (``notebooks/90_appendix/02_performance.ipynb``) and the scripts in
``benchmarks/`` time a fast path against the slower one it replaces, in one process and
alternately, and fit how the cost grows with the size of the problem. The helpers here
are the pieces they share: :func:`fastest` (best of ``repeat`` timings, quiet),
:func:`refutation` (``DoWhyBackdoor(refute=True)`` with either backend),
:func:`refutation_table` (the two backends' refuted effects side by side),
:func:`plain_linear_gaussian` (a linear-Gaussian SCM written as plain numpy, the baseline
of SCM sampling), :func:`loglog_slope` and :func:`growth` (cost against size).
"""

from __future__ import annotations

import contextlib
import graphlib
import io
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "fastest", "growth", "loglog_slope", "plain_linear_gaussian", "refutation",
    "refutation_table",
]


def fastest(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Call ``fn`` ``repeat`` times; return the fastest wall-clock time and the last output.

    Standard error and warnings raised during the calls are swallowed (libraries' progress
    bars and deprecation notes are not part of a timing, nor of a book page).

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeat : int
        Number of timed calls, at least 1; the minimum is the least noisy estimate of
        the cost on a shared machine.

    Returns
    -------
    (float, object)
        Seconds of the fastest call, and what the last call returned.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if int(repeat) != repeat or repeat < 1:
        raise ValueError(f"repeat must be an integer >= 1, got {repeat!r}")
    times, out = [], None
    for _ in range(int(repeat)):
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def refutation(data: pd.DataFrame, treatment: str, outcome: str, graph: nx.DiGraph, *,
               backend: str = "numpy", n_simulations: int = 20, seed: int = 0) -> Any:
    """Estimate with ``DoWhyBackdoor(refute=True)`` and the refutations of one backend.

    Parameters
    ----------
    data : DataFrame
        The observed data.
    treatment, outcome : str
        Columns of ``data``.
    graph : networkx.DiGraph
        The causal graph the back-door adjustment is read from.
    backend : {"numpy", "dowhy"}
        The refutation backend (``DoWhyBackdoor(refute_backend=...)``).
    n_simulations : int
        Simulations per refuter.
    seed : int
        Seed of the estimate and the refuters.

    Returns
    -------
    Estimate
        With ``refutations``: refuter name -> ``{"new_effect", "p_value", ...}``.
    """
    from causalxai.estimate.effects import DoWhyBackdoor

    for name, column in (("treatment", treatment), ("outcome", outcome)):
        if column not in data.columns:
            raise ValueError(f"{name} {column!r} is not a column of data "
                             f"(columns: {', '.join(map(str, data.columns))})")
    method = DoWhyBackdoor(refute=True, n_simulations=n_simulations, refute_backend=backend)
    return method.estimate(data, treatment, outcome, graph=graph, seed=seed)


def refutation_table(fast: Any, slow: Any, names: Sequence[str] = ("numpy", "DoWhy")
                     ) -> pd.DataFrame:
    """The refuted effects and p-values of two estimates side by side, one row per refuter.

    Parameters
    ----------
    fast, slow : Estimate
        Two results of :func:`refutation` (or anything with a ``refutations`` mapping).
    names : pair of str
        Column prefixes of the two.

    Returns
    -------
    DataFrame
        Columns ``"<name> new effect"`` and ``"<name> p-value"`` for both.

    Raises
    ------
    ValueError
        If the two did not run the same refuters.
    """
    a, b = dict(fast.refutations or {}), dict(slow.refutations or {})
    if set(a) != set(b):
        raise ValueError(f"the two estimates ran different refuters: {sorted(a)} vs {sorted(b)}")
    columns = {}
    for what, key in (("new effect", "new_effect"), ("p-value", "p_value")):
        for name, refs in zip(names, (a, b), strict=True):
            columns[f"{name} {what}"] = {k: float(v[key]) for k, v in refs.items()}
    return pd.DataFrame(columns, index=list(a))


def plain_linear_gaussian(weights: Mapping[tuple[str, str], float], n: int,
                          seed: int | None = None) -> dict[str, np.ndarray]:
    """Sample ``X_j = sum_i w_ij X_i + U_j``, ``U_j ~ N(0, 1)``, in plain numpy.

    The baseline of SCM sampling: the same equations as
    :meth:`causalxai.causal.scm.SCM.linear_gaussian`, without names, checks or a frame.

    Parameters
    ----------
    weights : mapping
        ``(parent, child) -> weight`` for every edge of a DAG.
    n : int
        Number of rows, at least 1.
    seed : int, optional
        Seed of one numpy generator; nodes draw their noise in topological order.

    Returns
    -------
    dict
        Node -> array of ``n`` values, in topological order.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    parents: dict[str, list[str]] = {}
    for parent, child in weights:
        parents.setdefault(parent, [])
        parents.setdefault(child, []).append(parent)
    try:  # the standard library's sorter: no graph object in the baseline's timing
        order = list(graphlib.TopologicalSorter(parents).static_order())
    except graphlib.CycleError as err:
        cycle = " -> ".join(map(str, err.args[1]))
        raise ValueError(f"weights must describe a DAG; cycle through {cycle}") from None
    rng = np.random.default_rng(seed)
    values: dict[str, np.ndarray] = {}
    for node in order:
        x = rng.normal(size=int(n))
        for parent in parents[node]:
            x += weights[(parent, node)] * values[parent]
        values[node] = x
    return values


def loglog_slope(sizes: Iterable[float], seconds: Iterable[float]) -> float:
    """The least-squares slope of ``log(seconds)`` against ``log(sizes)``.

    A slope of 1 is a cost proportional to the size; below 1 a fixed cost per call
    still weighs; above 1 the cost grows faster than the size.

    Raises
    ------
    ValueError
        With fewer than two distinct sizes, different lengths, or a value that is not
        positive and finite.
    """
    x, y = np.asarray(list(sizes), dtype=float), np.asarray(list(seconds), dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"sizes and seconds differ in length: {x.size} vs {y.size}")
    for name, v in (("sizes", x), ("seconds", y)):
        if not (np.isfinite(v).all() and (v > 0).all()):
            raise ValueError(f"{name} must be positive and finite, got {v.tolist()}")
    if np.unique(x).size < 2:
        raise ValueError(f"a slope needs at least two distinct sizes, got {x.tolist()}")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def growth(time_one: Callable[[int], float], sizes: Iterable[int], name: str = "seconds"
           ) -> tuple[pd.Series, float]:
    """Time ``time_one(size)`` for every size; return the timings and their log-log slope.

    Parameters
    ----------
    time_one : callable
        ``size -> seconds`` (typically ``lambda k: fastest(lambda: f(k), repeat)[0]``).
    sizes : iterable of int
        Increasing sizes, at least two distinct.
    name : str
        Name of the returned series.

    Returns
    -------
    (Series, float)
        Seconds indexed by size, and :func:`loglog_slope` of them.
    """
    sizes = [int(s) for s in sizes]
    if sorted(set(sizes)) != sizes:
        raise ValueError(f"sizes must be distinct and increasing, got {sizes}")
    seconds = pd.Series([float(time_one(s)) for s in sizes], index=sizes, name=name)
    return seconds, loglog_slope(seconds.index, seconds.to_numpy())

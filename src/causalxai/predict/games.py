"""Cooperative games on bit-mask coalitions: exact and sampled (asymmetric) Shapley values.

A coalition of ``d`` players is an ``int`` whose bit ``j`` is set when player ``j`` is in
it. A partial order (``before[j]``: the mask of the players that must come before ``j``)
restricts the orderings over which marginal contributions are averaged: with none, the
result is the Shapley value; with a causal order, the asymmetric Shapley value of Frye et
al. (2020). Counting the admissible orderings of every coalition (:func:`order_counts`)
gives the exact weights in ``O(2**d d)``, without listing the orderings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["enumerate_shapley", "members", "order_counts", "sample_shapley"]


def members(mask: int, d: int) -> list[int]:
    """The players ``j < d`` whose bit is set in ``mask``, in increasing order."""
    return [j for j in range(d) if mask >> j & 1]


def _check_before(before: Sequence[int] | None, d: int) -> list[int]:
    if before is None:
        return [0] * d
    before = [int(b) for b in before]
    if len(before) != d or any(b < 0 or b >> d or b >> j & 1 for j, b in enumerate(before)):
        raise ValueError(f"before must give, for each of the {d} features, a bit mask of the "
                         "other features that precede it")
    return before


def order_counts(before: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Count the orderings of the features compatible with a partial order.

    Parameters
    ----------
    before : sequence of int
        ``before[j]``: bit mask of the features that must come before feature ``j``
        (``0`` for every ``j``: all ``d!`` orderings are allowed).

    Returns
    -------
    head, tail : numpy.ndarray
        Length ``2**d``. ``head[S]``: the number of orderings of the coalition ``S`` that
        respect the order (0 unless ``S`` is closed under "comes before"); ``tail[S]``:
        the number of ways to order the remaining features after ``S``. The number of
        admissible orderings of all features is ``head[-1] = tail[0]``, and a coalition
        ``S`` precedes feature ``i`` in ``head[S] * tail[S | i]`` of them.

    Raises
    ------
    ValueError
        If the order has a cycle (no ordering is admissible).
    """
    d = len(before)
    full = (1 << d) - 1
    head, tail = np.zeros(1 << d), np.zeros(1 << d)
    head[0], tail[full] = 1.0, 1.0
    for mask in range(1, 1 << d):  # S grows: any S - {j} is smaller than S
        head[mask] = sum(head[mask ^ 1 << j] for j in members(mask, d)
                         if before[j] & mask == before[j])
    for mask in range(full - 1, -1, -1):
        if head[mask]:
            tail[mask] = sum(tail[mask | 1 << j] for j in range(d)
                             if not mask >> j & 1 and before[j] & mask == before[j])
    if head[full] == 0:
        raise ValueError("the order of the features has a cycle")
    return head, tail


def enumerate_shapley(
    value: Callable[[int], object], d: int, *, before: Sequence[int] | None = None,
    split: bool = False, n_jobs: int = 1,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Exact (asymmetric) Shapley values of the game ``value`` by enumeration.

    ``phi_i = sum_S w_i(S) [v(S + i) - v(S)]``, the weight ``w_i(S)`` being the share of
    admissible orderings in which exactly ``S`` precedes ``i``: ``|S|! (d - |S| - 1)! / d!``
    without an order (Shapley), the share of orderings that respect the causal order
    otherwise (asymmetric Shapley values, Frye et al., 2020). Only coalitions closed under
    the order are evaluated.

    Parameters
    ----------
    value : callable
        ``value(mask)``: an array (the same shape for every mask) for a bit mask over
        ``range(d)``; with ``split``, a pair ``(v, mixed)`` where ``mixed[..., i]`` is the
        game with feature ``i`` added to the model's inputs only (see
        :func:`causalxai.predict.coalitions.causal_values`).
    d : int
        Number of players, 1 to 16.
    before : sequence of int, optional
        Partial order, as in :func:`order_counts`; None for none.
    split : bool
        Return the direct and the indirect parts (they add up to the Shapley value).
    n_jobs : int
        Threads evaluating coalitions at once (numpy releases the interpreter lock in its
        array operations, so a vectorised ``value`` runs in parallel); ``value`` must be
        safe to call from several threads. The result does not depend on it.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
        Shape ``v.shape + (d,)``; ``value(all) - value(empty)`` is the sum over the last axis.
    """
    if not 1 <= d <= 16:
        raise ValueError(f"d must be between 1 and 16 for exact enumeration, got {d}")
    if int(n_jobs) != n_jobs or n_jobs < 1:
        raise ValueError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    head, tail = order_counts(_check_before(before, d))
    total = head[-1]
    cache, mixed = {}, {}
    masks = np.flatnonzero(head).tolist()
    if n_jobs == 1:
        results = map(value, masks)
    else:
        pool = ThreadPoolExecutor(int(n_jobs))
        results = pool.map(value, masks)
    for mask, out in zip(masks, results, strict=True):
        if split:
            cache[mask], mixed[mask] = (np.asarray(a, dtype=float) for a in out)
        else:
            cache[mask] = np.asarray(out, dtype=float)
    if n_jobs > 1:
        pool.shutdown()
    phi = np.zeros((*cache[0].shape, d))
    direct = np.zeros_like(phi)
    for mask, v in cache.items():
        for i in range(d):
            grown = mask | 1 << i
            if grown == mask or grown not in cache:
                continue
            w = head[mask] * tail[grown] / total
            if w == 0:
                continue
            phi[..., i] += w * (cache[grown] - v)
            if split:
                direct[..., i] += w * (mixed[mask][..., i] - v)
    return (direct, phi - direct) if split else phi


def _random_order(before: list[int], tail: np.ndarray | None, rng: np.random.Generator) -> list:
    d = len(before)
    if tail is None:
        return rng.permutation(d).tolist()
    order, mask = [], 0
    for _ in range(d):  # uniform over admissible orderings: weight by what can follow
        options = [j for j in range(d) if not mask >> j & 1 and before[j] & mask == before[j]]
        weights = np.array([tail[mask | 1 << j] for j in options])
        j = options[rng.choice(len(options), p=weights / weights.sum())]
        order.append(j)
        mask |= 1 << j
    return order


def sample_shapley(
    value: Callable[[int], np.ndarray], d: int, *, before: Sequence[int] | None = None,
    n_permutations: int = 200, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values by permutation sampling, with their Monte-Carlo standard error.

    Draws ``n_permutations`` orderings uniformly among the admissible ones (all of them,
    or those that respect ``before``) and averages each feature's marginal contribution;
    every ordering's contributions add up to ``value(all) - value(empty)``, so the
    estimate is efficient exactly. The standard error is the standard deviation of the
    contributions over orderings divided by ``sqrt(n_permutations)``.

    Parameters
    ----------
    value : callable
        ``value(mask) -> array``, as in :func:`enumerate_shapley` (no split).
    d : int
        Number of players, at least 1 (at most 20 with an order).
    before : sequence of int, optional
        Partial order, as in :func:`order_counts`.
    n_permutations : int
        Orderings drawn, at least 2.
    seed : int
        Seed of the orderings.

    Returns
    -------
    values, std_error : numpy.ndarray
        Both of shape ``v.shape + (d,)``.
    """
    if d < 1 or n_permutations < 2:
        raise ValueError(f"need d >= 1 and n_permutations >= 2, got {d} and {n_permutations}")
    before = _check_before(before, d)
    ordered = any(before)
    if ordered and d > 20:
        raise ValueError(f"sampling orderings under a causal order needs d <= 20, got {d}")
    tail = order_counts(before)[1] if ordered else None
    rng = np.random.default_rng(seed)
    cache: dict[int, np.ndarray] = {}

    def v(mask: int) -> np.ndarray:
        if mask not in cache:
            cache[mask] = np.asarray(value(mask), dtype=float)
        return cache[mask]

    base = v(0)
    total, square = np.zeros((*base.shape, d)), np.zeros((*base.shape, d))
    for _ in range(int(n_permutations)):
        mask, previous = 0, base
        for j in _random_order(before, tail, rng):
            mask |= 1 << j
            current = v(mask)
            total[..., j] += current - previous
            square[..., j] += (current - previous) ** 2
            previous = current

    mean = total / n_permutations
    var = np.maximum(square / n_permutations - mean**2, 0.0) * n_permutations / (n_permutations - 1)
    return mean, np.sqrt(var / n_permutations)

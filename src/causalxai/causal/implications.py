"""Testable implications of a causal graph: the conditional independencies it implies.

A DAG implies that every observed node is independent of its observed non-descendants
given its parents (the local Markov property). With latent nodes only some of these
statements survive: :func:`implied_independencies` lists, for each pair of observed nodes
``u``, ``v`` that are not adjacent, with ``u`` not a descendant of ``v``, the statement
``u ⊥ v | observed parents of v`` when the full graph (latent nodes included) d-separates
them (``networkx.is_d_separator``), as DoWhy's graph refuter does with the observed graph.
:func:`check_implications` tests each statement on data by the Fisher z test of the partial
correlation (linear-Gaussian: it detects linear dependence only), with a Bonferroni
correction over the statements tested.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from causalxai.causal.problem import CausalProblem

__all__ = ["IMPLICATION_COLUMNS", "check_implications", "implied_independencies"]

#: Columns of :func:`check_implications`' table.
IMPLICATION_COLUMNS = ("x", "y", "given", "statement", "partial_corr", "p_value", "violated")


def implied_independencies(problem: CausalProblem) -> list[tuple[str, str, tuple[str, ...]]]:
    """The conditional independencies among observed nodes the graph implies.

    Parameters
    ----------
    problem : CausalProblem
        The graph and its latent nodes.

    Returns
    -------
    list of (str, str, tuple of str)
        ``(u, v, given)``: ``u`` is independent of ``v`` given the nodes ``given`` (sorted),
        one statement per non-adjacent pair of observed nodes, in topological order.
    """
    if not isinstance(problem, CausalProblem):
        raise ValueError(f"problem must be a CausalProblem, got {type(problem).__name__}")
    graph = problem.graph
    observed = problem.observed_nodes
    order = [v for v in nx.lexicographical_topological_sort(graph, key=str) if v in observed]
    out = []
    for j, v in enumerate(order):
        parents = {p for p in graph.predecessors(v) if p in observed}
        hidden_parents = any(p not in observed for p in graph.predecessors(v))
        for u in order[:j]:
            if graph.has_edge(u, v) or graph.has_edge(v, u) or u in parents:
                continue
            given = set(parents)
            if hidden_parents or not nx.is_d_separator(graph, {u}, {v}, given):
                # with a latent parent the observed parents may not separate: try the
                # observed non-descendants' smallest candidate, the observed parents of both
                given = parents | {p for p in graph.predecessors(u) if p in observed}
                given.discard(u)
                if not nx.is_d_separator(graph, {u}, {v}, given):
                    continue
            out.append((u, v, tuple(sorted(given, key=str))))
    return out


def _residual(a: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``a`` minus its projection on the columns of the orthonormal ``Q``."""
    return a - Q @ (Q.T @ a)


def check_implications(
    data: pd.DataFrame,
    problem: CausalProblem,
    *,
    alpha: float = 0.01,
    max_rows: int | None = 20_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Test the graph's implied independencies on data (Fisher z, Bonferroni).

    Parameters
    ----------
    data : pandas.DataFrame
        One numeric column per observed node.
    problem : CausalProblem
        The graph and its latent nodes.
    alpha : float
        Family-wise level, in (0, 1): a statement is violated when its p-value is below
        ``alpha`` divided by the number of statements.
    max_rows : int, optional
        Test on at most this many rows, drawn without replacement with ``seed`` (with
        100,000 rows a negligible partial correlation is already "significant").
    seed : int
        Seed of the row draw.

    Returns
    -------
    pandas.DataFrame
        One row per statement, columns :data:`IMPLICATION_COLUMNS`: ``statement`` in words
        (``"a ⊥ b | c, d"``), the partial correlation, its p-value and ``violated``.

    Raises
    ------
    ValueError
        If ``alpha`` is outside (0, 1), or a node of a statement is not a numeric column of
        ``data`` or has missing values (named).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    statements = implied_independencies(problem)
    nodes = sorted({v for u, w, z in statements for v in (u, w, *z)}, key=str)
    for node in nodes:
        if node not in data.columns:
            raise ValueError(f"graph node {node!r} is not a column of the data")
        if not pd.api.types.is_numeric_dtype(data[node]):
            raise ValueError(f"column {node!r} must be numeric, got {data[node].dtype}")
        if data[node].isna().any():
            raise ValueError(f"column {node!r} has missing values")
    if max_rows is not None and len(data) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(data), max_rows, replace=False))
        data = data.iloc[rows]
    n = len(data)
    level = alpha / max(len(statements), 1)
    out = []
    bases: dict[tuple[str, ...], np.ndarray] = {}
    for u, v, given in statements:
        if given not in bases:  # one orthonormal basis per conditioning set
            Z = np.column_stack([np.ones(n), data[list(given)].to_numpy(float)])
            bases[given] = np.linalg.qr(Z)[0]
        ru = _residual(data[u].to_numpy(float), bases[given])
        rv = _residual(data[v].to_numpy(float), bases[given])
        denom = math.sqrt(float(ru @ ru) * float(rv @ rv))
        r = float(ru @ rv) / denom if denom > 0 else 0.0
        r = min(max(r, -1 + 1e-12), 1 - 1e-12)
        dof = n - len(given) - 3
        z = math.sqrt(max(dof, 1)) * math.atanh(r)
        p = float(2 * stats.norm.sf(abs(z)))
        text = f"{u} ⊥ {v}" + (f" | {', '.join(given)}" if given else "")
        out.append((u, v, given, text, r, p, p < level))
    return pd.DataFrame(out, columns=list(IMPLICATION_COLUMNS))

"""Graph-based identification of a total effect by covariate adjustment (no estimation).

Given a causal DAG, which observed variables must a regression of the outcome on the
treatment control for, so that the treatment's coefficient is its total causal effect?
The answer is read from the graph alone, with the generalised adjustment criterion
(Shpitser, VanderWeele & Robins, 2010; Perković et al., 2018) and the constructive result
of van der Zander, Liśkiewicz & Textor (2014): for a treatment ``T`` and an outcome ``Y``,

- the *causal nodes* are the nodes other than ``T`` on a directed path from ``T`` to ``Y``
  (the mediators and ``Y``); the *forbidden* nodes are ``T``, the causal nodes and their
  descendants;
- the *proper back-door graph* is the graph without the first edge of every directed path
  from ``T`` to ``Y`` (the edges ``T -> W``, ``W`` a causal node);
- a set ``Z`` is a valid adjustment set iff it holds no forbidden node and d-separates
  ``T`` and ``Y`` in the proper back-door graph;
- a valid set made of observed nodes exists iff the *candidate* -- the observed ancestors
  of ``{T, Y}`` that are not forbidden -- is one.

Only networkx is used (``networkx.is_d_separator``, networkx >= 3.3). Every function takes
a :class:`~causalxai.causal.problem.CausalProblem` or a ``networkx.DiGraph``, converted on
entry by :func:`~causalxai.causal.problem.as_problem` (which names a cycle or a bad node).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from causalxai.causal.problem import CausalProblem, as_problem

__all__ = [
    "backdoor_adjustment_set",
    "has_causal_path",
    "is_valid_adjustment_set",
    "mediators",
]


# Input checks ----------------------------------------------------------------------------
def _problem(graph: nx.DiGraph | CausalProblem, treatment: str, outcome: str) -> CausalProblem:
    """The validated problem of ``graph`` (converted once by :func:`as_problem`)."""
    problem = graph if isinstance(graph, CausalProblem) else as_problem(graph, outcome)
    problem.check_node(treatment, "treatment")
    problem.check_node(outcome, "outcome")
    if treatment == outcome:
        raise ValueError(f"treatment and outcome must differ, both are {treatment!r}")
    return problem


# Graph pieces ----------------------------------------------------------------------------
def _causal_nodes(graph: nx.DiGraph, treatment: str, outcome: str) -> set[str]:
    """Nodes other than ``treatment`` on a directed path from it to ``outcome``."""
    if not nx.has_path(graph, treatment, outcome):
        return set()
    return nx.descendants(graph, treatment) & (nx.ancestors(graph, outcome) | {outcome})


def _forbidden(graph: nx.DiGraph, treatment: str, causal: set[str]) -> set[str]:
    out = {treatment, *causal}
    for node in causal:
        out |= nx.descendants(graph, node)
    return out


def _proper_backdoor_graph(graph: nx.DiGraph, treatment: str, causal: set[str]) -> nx.DiGraph:
    pbd = nx.DiGraph(graph)  # an unfrozen copy
    pbd.remove_edges_from([(treatment, w) for w in causal if pbd.has_edge(treatment, w)])
    return pbd


def _topological(graph: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    chosen = set(nodes)
    return [v for v in nx.lexicographical_topological_sort(graph, key=str) if v in chosen]


# Public API ------------------------------------------------------------------------------
def has_causal_path(graph: nx.DiGraph | CausalProblem, treatment: str, outcome: str) -> bool:
    """Whether a directed path leads from ``treatment`` to ``outcome``.

    Without one, the total effect of ``treatment`` on ``outcome`` is zero, whatever the
    weights of the model.

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        A causal DAG, or a problem holding one.
    treatment, outcome : str
        Two distinct nodes.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If the graph is not a DAG, a node is unknown or ``treatment == outcome``.
    """
    graph = _problem(graph, treatment, outcome).graph
    return nx.has_path(graph, treatment, outcome)


def mediators(graph: nx.DiGraph | CausalProblem, treatment: str, outcome: str) -> list[str]:
    """Nodes strictly between ``treatment`` and ``outcome`` on directed paths.

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        A causal DAG, or a problem holding one.
    treatment, outcome : str
        Two distinct nodes.

    Returns
    -------
    list of str
        The mediators in topological order (ties broken by name); empty if there is no
        directed path or only the direct edge.

    Raises
    ------
    ValueError
        If the graph is not a DAG, a node is unknown or ``treatment == outcome``.
    """
    graph = _problem(graph, treatment, outcome).graph
    return _topological(graph, _causal_nodes(graph, treatment, outcome) - {outcome})


def is_valid_adjustment_set(
    graph: nx.DiGraph | CausalProblem, treatment: str, outcome: str, z: Iterable[str]
) -> bool:
    """Whether adjusting for ``z`` identifies the total effect of ``treatment`` on ``outcome``.

    This is the generalised adjustment criterion for a single treatment (Shpitser et al.,
    2010; Perković et al., 2018): no element of ``z`` is a node other than ``treatment`` on
    a directed path from ``treatment`` to ``outcome`` or a descendant of one, and ``z``
    d-separates ``treatment`` and ``outcome`` in the proper back-door graph (the graph
    without the first edge of every such path). It is purely graphical: latent nodes may be
    in ``z``. It accepts every set that Pearl's back-door criterion accepts, and also some
    harmless descendants of the treatment (a child of ``treatment`` that opens no path).

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        A causal DAG, or a problem holding one.
    treatment, outcome : str
        Two distinct nodes.
    z : iterable of str
        The adjustment set.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If the graph is not a DAG, a node is unknown, ``treatment == outcome``, or ``z``
        contains the treatment or the outcome.
    """
    problem = _problem(graph, treatment, outcome)
    graph = problem.graph
    z = set(z)
    for node in sorted(z, key=str):
        problem.check_node(node, "adjustment variable")
    for node, what in ((treatment, "treatment"), (outcome, "outcome")):
        if node in z:
            raise ValueError(f"the adjustment set contains the {what} {node!r}")
    causal = _causal_nodes(graph, treatment, outcome)
    forbidden = _forbidden(graph, treatment, causal)
    if z & forbidden:
        return False
    pbd = _proper_backdoor_graph(graph, treatment, causal)
    return nx.is_d_separator(pbd, {treatment}, {outcome}, z)


def backdoor_adjustment_set(
    graph: nx.DiGraph | CausalProblem,
    treatment: str,
    outcome: str,
    *,
    observed: Iterable[str] | None = None,
) -> frozenset[str] | None:
    """A valid, minimal adjustment set of observed nodes, or None if there is none.

    The candidate set -- the observed ancestors of ``{treatment, outcome}`` that are
    neither ``treatment``, ``outcome``, a node on a directed path from ``treatment`` to
    ``outcome`` nor a descendant of one -- is valid iff any set of observed nodes is
    (van der Zander, Liśkiewicz & Textor, 2014). If it is invalid, None is returned: the
    effect is not identifiable by adjustment (typically an unobserved confounder; it may
    still be identifiable otherwise, e.g. by the front-door criterion). If it is valid,
    its elements are dropped one at a time, in order of name, as long as the set stays
    valid, with passes repeated until none can be dropped. The result is *minimal* (no
    proper subset is valid) but not necessarily *minimum* (smallest in size).

    The returned set never holds a descendant of the treatment, so it also satisfies
    Pearl's back-door criterion.

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        A causal DAG, node attribute ``latent`` (bool) marking unobserved nodes, or a
        problem holding one (its latent nodes, or once bound its observed nodes).
    treatment, outcome : str
        Two distinct nodes.
    observed : iterable of str, optional
        The nodes that may be adjusted for; by default the problem's observed nodes (for a
        DiGraph: those whose ``latent`` attribute is missing or false). It restricts the
        adjustment set only.

    Returns
    -------
    frozenset of str or None
        The adjustment set (empty if none is needed), or None if no set of observed nodes
        is valid. If no directed path leads from ``treatment`` to ``outcome``, the total
        effect is zero from the graph alone, and ``frozenset()`` is returned whatever the
        confounding: nothing needs estimating (see :func:`has_causal_path`).

    Raises
    ------
    ValueError
        If the graph is not a DAG, a node (also in ``observed``) is unknown, or
        ``treatment == outcome``.
    """
    problem = _problem(graph, treatment, outcome)
    graph = problem.graph
    if observed is None:
        allowed = set(problem.observed_nodes)
    else:
        allowed = set(observed)
        for node in sorted(allowed, key=str):
            problem.check_node(node, "observed node")
    causal = _causal_nodes(graph, treatment, outcome)
    if not causal:
        return frozenset()
    ancestors = nx.ancestors(graph, treatment) | nx.ancestors(graph, outcome)
    candidate = (ancestors & allowed) - _forbidden(graph, treatment, causal) - {outcome}
    pbd = _proper_backdoor_graph(graph, treatment, causal)

    def valid(z: set[str]) -> bool:
        return nx.is_d_separator(pbd, {treatment}, {outcome}, z)

    if not valid(candidate):
        return None
    current, changed = set(candidate), True
    while changed:
        changed = False
        for node in sorted(current, key=str):
            if valid(current - {node}):
                current.discard(node)
                changed = True
    return frozenset(current)

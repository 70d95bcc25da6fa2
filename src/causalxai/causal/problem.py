"""One causal problem: the graph, the outcome, the features, the actionability schema.

A :class:`CausalProblem` is built and validated once, then handed to the identification
(:mod:`causalxai.causal.identification`), the validity labels
(:mod:`causalxai.causal.validity`) and the effect estimators
(:mod:`causalxai.estimate.effects`), so that a label and an estimate read the same graph
with the same observed nodes. It plays the part of DoWhy gcm's explicit causal-model
object (``dowhy.gcm.StructuralCausalModel`` holds a graph and its mechanisms), without the
mechanisms.

- The graph is a DAG. A node is *latent* when it is declared so (``latent=...``), when its
  node attribute ``latent`` is true (the convention of :attr:`causalxai.causal.scm.SCM.graph`),
  or when it stands for a bidirected edge ``a <-> b`` (``bidirected=...``): such an edge
  becomes a latent node ``"a<->b"`` with edges to ``a`` and ``b``, a common cause nobody
  measured.
- :meth:`CausalProblem.bind` checks a data frame against the problem and records which
  nodes are observed: every node that is not latent must be a column of the data. A node
  missing from the data is an error, never silently treated as latent.
- :func:`as_problem` turns a ``networkx.DiGraph`` into a problem (the one conversion the
  consumers use), so a DiGraph still works wherever a problem is expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema

if TYPE_CHECKING:
    from causalxai.causal.scm import SCM

__all__ = ["CausalProblem", "as_problem"]


def _bidirected_node(a: str, b: str) -> str:
    return f"{a}<->{b}"


@dataclass(frozen=True, eq=False)
class CausalProblem:
    """A causal DAG with its outcome, features and actionability schema, validated once.

    Parameters
    ----------
    graph : networkx.DiGraph
        The causal DAG (copied; the copy is frozen). Node attribute ``latent`` (bool)
        marks unobserved nodes.
    outcome : str
        The node whose change is of interest.
    features : iterable of str, optional
        The candidate levers (or model features): observed nodes other than the outcome.
        By default every observed node but the outcome, in topological order (ties by
        name).
    schema : ActionabilitySchema, optional
        Which features can be changed. Every feature it names must be a node of the graph,
        and it must cover every feature of the problem.
    latent : iterable of str
        Nodes declared unobserved, in addition to those with the ``latent`` attribute.
    bidirected : iterable of (str, str)
        Pairs of nodes with an unobserved common cause; each becomes a latent node
        ``"a<->b"`` with edges into both.

    Attributes
    ----------
    graph : networkx.DiGraph
        The frozen DAG, bidirected edges expanded; the ``latent`` attribute of every node
        is set (True for :attr:`latent`, False otherwise).
    latent : frozenset of str
        The unobserved nodes.
    observed : frozenset of str or None
        After :meth:`bind`: the nodes the data holds (every node but the latent ones);
        None for an unbound problem.

    Raises
    ------
    ValueError
        Naming the item: the graph is not a DiGraph or has a cycle (its nodes are listed);
        the outcome, a latent node or a bidirected end is not a node; a feature is not a
        node, is the outcome, is latent or is listed twice; the schema names a feature
        that is not a node of the graph, or misses a feature.
    """

    graph: nx.DiGraph
    outcome: str
    features: tuple[str, ...] | None = None
    schema: ActionabilitySchema | None = None
    latent: frozenset[str] = field(default_factory=frozenset)
    bidirected: tuple[tuple[str, str], ...] = ()
    observed: frozenset[str] | None = None

    def __post_init__(self) -> None:
        graph = self.graph
        if not isinstance(graph, nx.DiGraph):
            raise ValueError(f"graph must be a networkx.DiGraph, got {type(graph).__name__}")
        graph = nx.DiGraph(graph)
        bidirected = tuple((a, b) for a, b in self.bidirected)
        for a, b in bidirected:
            for end in (a, b):
                if end not in graph:
                    raise ValueError(f"bidirected edge {a!r} <-> {b!r}: {end!r} is not a node "
                                     "of the graph")
            node = _bidirected_node(a, b)
            graph.add_edges_from([(node, a), (node, b)])
            graph.nodes[node]["latent"] = True
        if not nx.is_directed_acyclic_graph(graph):
            cycle = [u for u, _ in nx.find_cycle(graph)]
            raise ValueError(f"graph has a cycle: {' -> '.join(map(str, [*cycle, cycle[0]]))}")
        declared = set(self.latent)
        for node in sorted(declared, key=str):
            if node not in graph:
                raise ValueError(f"latent node {node!r} is not a node of the graph")
        latent = declared | {v for v, flag in graph.nodes(data="latent") if flag}
        for v in graph.nodes:
            graph.nodes[v]["latent"] = v in latent
        if self.outcome not in graph:
            raise ValueError(f"outcome {self.outcome!r} is not a node of the graph")
        if self.features is None:
            order = nx.lexicographical_topological_sort(graph, key=str)
            features = tuple(v for v in order if v not in latent and v != self.outcome)
        else:
            features = (self.features,) if isinstance(self.features, str) else tuple(
                self.features)
        seen: set[str] = set()
        for feature in features:
            if feature not in graph:
                raise ValueError(f"feature {feature!r} is not a node of the graph")
            if feature == self.outcome:
                raise ValueError(f"feature {feature!r} is the outcome")
            if feature in latent:
                raise ValueError(f"feature {feature!r} is latent: a model cannot use it")
            if feature in seen:
                raise ValueError(f"feature {feature!r} is listed twice")
            seen.add(feature)
        if self.schema is not None:
            if not isinstance(self.schema, ActionabilitySchema):
                raise ValueError(f"schema must be an ActionabilitySchema, got "
                                 f"{type(self.schema).__name__}")
            for name in self.schema.features:
                if name not in graph:
                    raise ValueError(f"schema feature {name!r} is not a node of the graph")
            for feature in features:
                if feature not in self.schema.features:
                    raise ValueError(f"feature {feature!r} is not in the actionability schema")
        if self.observed is not None:
            observed = frozenset(self.observed)
            wrong = sorted(observed & latent, key=str) or sorted(observed - set(graph), key=str)
            if wrong:
                raise ValueError(f"observed node {wrong[0]!r} is latent or not a node")
            object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "graph", nx.freeze(graph))
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "latent", frozenset(latent))
        object.__setattr__(self, "bidirected", bidirected)

    # Construction ---------------------------------------------------------------------------
    @classmethod
    def from_scm(cls, scm: SCM, outcome: str, *, features: Iterable[str] | None = None,
                 schema: ActionabilitySchema | None = None) -> CausalProblem:
        """The problem of a structural causal model: its graph, latent nodes included.

        Parameters
        ----------
        scm : SCM
            The model (its ``latent`` nodes stay latent).
        outcome, features, schema
            As in :class:`CausalProblem`.
        """
        return cls(scm.graph, outcome, features=features, schema=schema,
                   latent=frozenset(scm.latent))

    def bind(self, data: pd.DataFrame) -> CausalProblem:
        """This problem with the data checked against it and its observed nodes recorded.

        Parameters
        ----------
        data : pandas.DataFrame
            One column per observed node (more columns are allowed and ignored here;
            columns of latent nodes are not used).

        Returns
        -------
        CausalProblem
            A copy with :attr:`observed` set to the nodes that are not latent.

        Raises
        ------
        ValueError
            If ``data`` is not a DataFrame; a node that is not latent is not a column of
            ``data``; an observed node's column is not numeric; the outcome is latent or
            has missing values.
        """
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if self.outcome in self.latent:
            raise ValueError(f"outcome {self.outcome!r} is latent: the data cannot hold it")
        nodes = [v for v in nx.lexicographical_topological_sort(self.graph, key=str)
                 if v not in self.latent]
        for node in nodes:
            if node not in data.columns:
                raise ValueError(f"graph node {node!r} is neither a column of the data nor "
                                 "declared latent")
        for node in nodes:
            if not pd.api.types.is_numeric_dtype(data[node]):
                raise ValueError(f"column {node!r} must be numeric, got {data[node].dtype}")
        missing = int(data[self.outcome].isna().sum())
        if missing:
            raise ValueError(f"outcome {self.outcome!r} has {missing} missing values")
        return replace(self, observed=frozenset(nodes))

    # Reading --------------------------------------------------------------------------------
    @property
    def is_bound(self) -> bool:
        """bool: Whether :meth:`bind` recorded the observed nodes."""
        return self.observed is not None

    @property
    def observed_nodes(self) -> frozenset[str]:
        """frozenset of str: The nodes that are not latent (:attr:`observed` once bound)."""
        if self.observed is not None:
            return self.observed
        return frozenset(v for v in self.graph if v not in self.latent)

    def check_node(self, node: str, what: str) -> None:
        """Raise a ValueError naming ``what`` if ``node`` is not a node of the graph."""
        if node not in self.graph:
            raise ValueError(f"{what} {node!r} is not a node of the graph")

    def __repr__(self) -> str:
        bound = "" if self.observed is None else ", bound"
        return (f"CausalProblem({self.graph.number_of_nodes()} nodes, outcome="
                f"{self.outcome!r}, {len(self.features or ())} features, "
                f"{len(self.latent)} latent{bound})")


def as_problem(
    graph: nx.DiGraph | CausalProblem,
    outcome: str | None = None,
    *,
    features: Iterable[str] | None = None,
    schema: ActionabilitySchema | None = None,
) -> CausalProblem:
    """The one conversion of the consumers: a problem from a DiGraph, or a problem as given.

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        A DAG (node attribute ``latent``) or a problem.
    outcome : str, optional
        Required with a DiGraph. With a problem, a different outcome (or features, schema)
        gives a copy validated again; a bound problem stays bound.
    features, schema
        As in :class:`CausalProblem`.

    Returns
    -------
    CausalProblem

    Raises
    ------
    ValueError
        If ``graph`` is neither, the outcome is missing for a DiGraph, or the problem is
        invalid (see :class:`CausalProblem`).
    """
    if isinstance(graph, CausalProblem):
        changes: dict[str, object] = {}
        if outcome is not None and outcome != graph.outcome:
            changes["outcome"] = outcome
        if features is not None:
            features = (features,) if isinstance(features, str) else tuple(features)
            if features != graph.features:
                changes["features"] = features
        elif "outcome" in changes:
            changes["features"] = tuple(f for f in graph.features or () if f != outcome)
        if schema is not None and schema is not graph.schema:
            changes["schema"] = schema
        return replace(graph, **changes) if changes else graph
    if not isinstance(graph, nx.DiGraph):
        raise ValueError(f"graph must be a networkx.DiGraph or a CausalProblem, got "
                         f"{type(graph).__name__}")
    if outcome is None:
        raise ValueError("outcome is required when the graph is a networkx.DiGraph")
    return CausalProblem(graph, outcome, features=features, schema=schema)

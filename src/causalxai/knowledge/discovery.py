"""Causal discovery with causal-learn, with and without compiled background knowledge,
and the effect estimates that a discovered graph leads to.

:func:`discover` runs one of :data:`ALGORITHMS` on a data frame and returns a
:class:`~causalxai.knowledge.graphs.MixedGraph` over its columns:

========== =================================== ==================================================
algorithm  output                              how knowledge enters
========== =================================== ==================================================
PC         CPDAG (Fisher-z tests)              causal-learn's ``background_knowledge`` (skeleton
                                               and orientation), then the post-hoc check below
FCI        PAG (circle marks; allows latent    causal-learn's ``background_knowledge``; the PAG is
           confounders)                        not edited afterwards
GES        CPDAG (BIC score)                   causal-learn's GES takes no knowledge: applied
                                               *post hoc* (see :func:`apply_knowledge`)
DirectLiNGAM DAG (needs non-Gaussian noise)    ``prior_knowledge`` matrix (path-level forbidden
                                               pairs, required edges), then the post-hoc check
========== =================================== ==================================================

:func:`apply_knowledge` edits a DAG or CPDAG so that it obeys the knowledge: an
adjacency whose two directions are forbidden is removed; an edge with one forbidden
direction is given the other one (a reversal, or an orientation of an undirected edge);
required edges are oriented (and added if absent, on request); a directed cycle that
these orientations close is broken by removing an edge that the knowledge leaves free;
Meek's rules then propagate the new orientations. It never creates a forbidden edge.

:func:`effect_from_graph` reads the effect of a shift of one variable on the outcome
from a discovered graph: every consistent DAG extension of it is enumerated (a CPDAG
stands for several DAGs); in each, the back-door set of
:func:`causalxai.causal.identification.backdoor_adjustment_set` gives an OLS estimate (0 if
there is no causal path). The effect is *identified* when all extensions agree; the
estimate reported is that of the first extension (a fixed, arbitrary choice), with the
range over extensions (in the spirit of IDA, Maathuis, Kalisch & Bühlmann, 2009).
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.knowledge.graphs import MixedGraph, dag_extensions, meek_closure
from causalxai.knowledge.ontology import Knowledge, KnowledgeError

__all__ = [
    "ALGORITHMS",
    "Discovery",
    "EffectReading",
    "apply_knowledge",
    "discover",
    "effect_from_graph",
    "effects_from_graph",
    "pag_as_pdag",
    "partial_correlation",
    "violations",
]

#: The discovery algorithms of :func:`discover`.
ALGORITHMS = ("PC", "FCI", "GES", "DirectLiNGAM")


@dataclass(frozen=True)
class Discovery:
    """A discovered graph.

    Attributes
    ----------
    algorithm : str
        One of :data:`ALGORITHMS`.
    graph : MixedGraph
        Over the data's columns (in their order).
    knowledge : str
        How knowledge was used: ``"none"``, ``"native"`` (inside the search) or
        ``"post hoc"`` (applied to the output).
    changes : tuple of str
        The post-hoc edits (empty when the search already obeyed the knowledge).
    seconds : float
        Wall time of the search.
    """

    algorithm: str
    graph: MixedGraph
    knowledge: str
    changes: tuple[str, ...]
    seconds: float


def _check_data(data: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    names = [str(c) for c in data.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"data has duplicate columns: {names}")
    if len(names) < 2:
        raise ValueError(f"data needs at least 2 columns, got {names}")
    try:
        x = data.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"data columns must be numeric: {exc}") from exc
    if not np.isfinite(x).all():
        bad = [c for c, ok in zip(names, np.isfinite(x).all(axis=0), strict=True) if not ok]
        raise ValueError(f"data has missing or infinite values in {bad}")
    if len(x) < 10:
        raise ValueError(f"data has {len(x)} rows; at least 10 are needed")
    sd = x.std(axis=0)
    if np.any(sd == 0):
        raise ValueError(f"constant columns: {[c for c, s in zip(names, sd, strict=True) if s == 0]}")
    return (x - x.mean(axis=0)) / sd, names


def _check_knowledge(knowledge: Knowledge | None, names: list[str]) -> None:
    if knowledge is not None and sorted(knowledge.nodes) != sorted(names):
        raise KnowledgeError(f"the knowledge is over {sorted(knowledge.nodes)} but the data "
                             f"has columns {sorted(names)}: compile it for these columns")


def violations(graph: MixedGraph, knowledge: Knowledge) -> list[str]:
    """The ways ``graph`` contradicts ``knowledge``: a forbidden ``a -> b`` edge (tail at
    ``a``), an adjacency whose two directions are forbidden, a required edge that is
    missing or not oriented ``a -> b``."""
    out = []
    for a, b in sorted(graph.marks):
        if knowledge.is_forbidden(a, b) and knowledge.is_forbidden(b, a):
            out.append(f"{graph.edge_text(a, b)}: both directions forbidden")
            continue
        for u, v in ((a, b), (b, a)):
            if graph.kind(u, v) == "->" and graph.mark(u, v) == "-" and knowledge.is_forbidden(u, v):
                out.append(f"{graph.edge_text(u, v)}: forbidden")
    for a, b in sorted(knowledge.required):
        if graph.kind(a, b) != "->":
            out.append(f"required {a} -> {b} is {graph.kind(a, b)}")
    return out


def apply_knowledge(
    graph: MixedGraph, knowledge: Knowledge, *, add_required: bool = True
) -> tuple[MixedGraph, list[str]]:
    """Make a DAG or CPDAG obey the knowledge (see the module docstring).

    Parameters
    ----------
    graph : MixedGraph
        Tails and arrowheads only (a bidirected edge is re-oriented like an undirected one).
    knowledge : Knowledge
        Over the same nodes.
    add_required : bool
        Add the required edges that are absent.

    Returns
    -------
    (MixedGraph, list of str)
        The edited graph and a description of each edit.

    Raises
    ------
    ValueError
        If the graph has circle marks (a PAG) or other nodes than the knowledge.
    """
    if any(m == "o" for pair in graph.marks.values() for m in pair):
        raise ValueError("apply_knowledge() edits a DAG or CPDAG, not a PAG (circle marks)")
    _check_knowledge(knowledge, list(graph.nodes))
    g, changes = graph, []
    fixed: set[frozenset[str]] = set()  # pairs whose orientation the knowledge decides
    # 1-2. Remove doubly forbidden adjacencies; orient the others as the knowledge says.
    for a, b in sorted(graph.marks):
        fab, fba = knowledge.is_forbidden(a, b), knowledge.is_forbidden(b, a)
        if fab and fba:
            g = g.with_edge(a, b, None)
            changes.append(f"removed {graph.edge_text(a, b)} (both directions forbidden)")
        elif fab or fba:
            u, v = (b, a) if fab else (a, b)  # the allowed direction u -> v
            fixed.add(frozenset((u, v)))
            if g.kind(u, v) != "->":
                g = g.with_edge(u, v, "->")
                changes.append(f"{graph.edge_text(a, b)} made {u} -> {v} "
                               f"({v} -> {u} forbidden)")
    # 3. Required edges.
    for a, b in sorted(knowledge.required):
        kind = g.kind(a, b)
        fixed.add(frozenset((a, b)))
        if kind == "->" or (kind == "none" and not add_required):
            continue
        g = g.with_edge(a, b, "->")
        changes.append(f"{'added' if kind == 'none' else 'oriented'} required {a} -> {b}")
    # 4. Break the directed cycles that the new orientations may close, removing an edge
    #    that the knowledge does not fix (the last one found on the cycle).
    while True:
        try:
            cycle = nx.find_cycle(g.directed_part())
        except nx.NetworkXNoCycle:
            break
        free = [e for e in cycle if frozenset(e) not in fixed] or list(cycle)
        u, v = free[-1]
        g = g.with_edge(u, v, None)
        changes.append(f"removed {u} -> {v} to break the cycle "
                       + " -> ".join([*(x for x, _ in cycle), cycle[0][0]]))
    # 5. Propagate.
    if g.is_pdag() and changes:
        closed = meek_closure(g, forbidden=knowledge.is_forbidden)
        extra = sorted(closed.directed() - g.directed())
        if extra:
            changes.append("Meek's rules then oriented "
                           + ", ".join(f"{u} -> {v}" for u, v in extra))
        g = closed
    return g, changes


def discover(
    data: pd.DataFrame,
    algorithm: str,
    knowledge: Knowledge | None = None,
    *,
    alpha: float = 0.01,
    seed: int = 0,
    lingam_threshold: float = 0.0,
) -> Discovery:
    """Run a causal-discovery algorithm on ``data`` (columns standardised first).

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric, finite, non-constant columns (at least 2, at least 10 rows).
    algorithm : {"PC", "FCI", "GES", "DirectLiNGAM"}
    knowledge : Knowledge, optional
        Compiled for exactly these columns (any order).
    alpha : float
        Level of the Fisher-z independence tests (PC, FCI), in (0, 1).
    seed : int
        Seed of DirectLiNGAM's random state (the others are deterministic).
    lingam_threshold : float
        DirectLiNGAM keeps the edges whose estimated weight (standardised data) exceeds
        this in absolute value (its adaptive lasso already sets most others to 0).

    Returns
    -------
    Discovery

    Raises
    ------
    ValueError
        For an unknown algorithm (the list is given), bad data or ``alpha``.
    KnowledgeError
        If the knowledge is over other columns.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; use one of {ALGORITHMS}")
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    x, names = _check_data(data)
    _check_knowledge(knowledge, names)
    if knowledge is not None:
        knowledge = _reordered(knowledge, names)
    bk = knowledge.background_knowledge() if knowledge is not None else None
    start = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        if algorithm == "PC":
            from causallearn.search.ConstraintBased.PC import pc

            cg = pc(x, float(alpha), "fisherz", stable=True, background_knowledge=bk,
                    show_progress=False, node_names=names)
            graph = MixedGraph.from_causallearn(cg.G.graph, names)
        elif algorithm == "FCI":
            from causallearn.search.ConstraintBased.FCI import fci

            g, _ = fci(x, "fisherz", float(alpha), background_knowledge=bk,
                       show_progress=False, node_names=names, verbose=False)
            graph = MixedGraph.from_causallearn(g.graph, names)
        elif algorithm == "GES":
            from causallearn.search.ScoreBased.GES import ges

            record = ges(x, score_func="local_score_BIC", node_names=names)
            graph = MixedGraph.from_causallearn(record["G"].graph, names)
        else:
            from causallearn.search.FCMBased.lingam import DirectLiNGAM

            prior = knowledge.lingam_prior(names) if knowledge is not None else None
            model = DirectLiNGAM(random_state=int(seed), prior_knowledge=prior)
            model.fit(x)
            graph = MixedGraph.from_adjacency(model.adjacency_matrix_, names,
                                              threshold=float(lingam_threshold))
    seconds = time.perf_counter() - start
    if knowledge is None:
        return Discovery(algorithm, graph, "none", (), seconds)
    if algorithm == "FCI":
        return Discovery(algorithm, graph, "native", (), seconds)
    fixed, changes = apply_knowledge(graph, knowledge)
    how = "post hoc" if algorithm == "GES" else "native"
    return Discovery(algorithm, fixed, how, tuple(changes), seconds)


def _reordered(knowledge: Knowledge, names: list[str]) -> Knowledge:
    """The same knowledge with its nodes in the data's column order."""
    if list(knowledge.nodes) == names:
        return knowledge
    from dataclasses import replace

    return replace(knowledge, nodes=tuple(names))


# From a discovered graph to an effect ---------------------------------------------------------
def pag_as_pdag(graph: MixedGraph) -> MixedGraph:
    """Read a PAG as a PDAG for effect estimation: ``a o-> b`` as ``a -> b``, ``a o-o b``
    (and ``o--``) as undirected, ``<->`` kept (a latent common cause). An approximation:
    a circle means "tail or arrowhead", and this reading takes the tail."""
    marks = {}
    for key, (ma, mb) in graph.marks.items():
        ma, mb = ("-" if ma == "o" else ma), ("-" if mb == "o" else mb)
        marks[key] = (ma, mb)
    return MixedGraph(graph.nodes, marks)


@dataclass(frozen=True)
class EffectReading:
    """The effect of ``do(treatment := treatment + delta)`` read from a graph.

    Attributes
    ----------
    treatment : str
    estimate : float
        From the first consistent DAG extension: OLS with its back-door set, 0 if it has
        no causal path, NaN if it has none (latent confounding) or no extension exists.
    low, high : float
        Range of the estimates over all extensions (NaN where none).
    n_extensions : int
        Consistent DAG extensions of the graph (0: none, the graph is not a valid PDAG).
    identified : bool
        Every extension gives the same answer (same adjustment set, or no causal path).
    status : str
        ``"estimated"``, ``"no causal path"``, ``"latent confounding"`` (no back-door set)
        or ``"no DAG extension"``.
    adjustment_set : tuple of str or None
        The back-door set of the first extension.
    """

    treatment: str
    estimate: float
    low: float
    high: float
    n_extensions: int
    identified: bool
    status: str
    adjustment_set: tuple[str, ...] | None


def _ols_slope(x: np.ndarray, index: dict[str, int], y: str, t: str,
               z: tuple[str, ...]) -> float:
    cols = [index[t], *(index[c] for c in z)]
    design = np.column_stack([np.ones(len(x)), x[:, cols]])
    coef, *_ = np.linalg.lstsq(design, x[:, index[y]], rcond=None)
    return float(coef[1])


def _extension_dags(graph: MixedGraph | nx.DiGraph, max_undirected: int) -> list[nx.DiGraph]:
    if isinstance(graph, nx.DiGraph):
        return [graph]
    dags = []
    for ext in dag_extensions(pag_as_pdag(graph), max_undirected=max_undirected):
        try:
            dags.append(ext.to_dag())
        except ValueError:
            continue
    return dags


def effects_from_graph(
    data: pd.DataFrame,
    graph: MixedGraph | nx.DiGraph,
    treatments: Iterable[str],
    outcome: str,
    *,
    delta: float = 1.0,
    max_undirected: int = 12,
) -> list[EffectReading]:
    """:func:`effect_from_graph` for several treatments, enumerating the DAG extensions
    of ``graph`` once."""
    treatments = list(treatments)
    for name, what in [*((t, "treatment") for t in treatments), (outcome, "outcome")]:
        if name not in data.columns:
            raise ValueError(f"{what} {name!r} is not a column of data")
    dags = _extension_dags(graph, max_undirected)
    nan = float("nan")
    if not dags:
        return [EffectReading(t, nan, nan, nan, 0, False, "no DAG extension", None)
                for t in treatments]
    x = data.to_numpy(dtype=float)
    index = {c: i for i, c in enumerate(data.columns)}
    cache: dict[tuple[str, tuple[str, ...]], float] = {}
    out = []
    for treatment in treatments:
        answers: list[tuple[str, tuple[str, ...] | None]] = []
        values: list[float] = []
        for dag in dags:
            missing = [v for v in (treatment, outcome) if v not in dag]
            if missing:
                dag = nx.DiGraph(dag)
                dag.add_nodes_from(missing)
            if not nx.has_path(dag, treatment, outcome):
                answers.append(("no causal path", ()))
                values.append(0.0)
                continue
            found = backdoor_adjustment_set(dag, treatment, outcome,
                                            observed=[c for c in index if c in dag])
            if found is None:
                answers.append(("latent confounding", None))
                values.append(nan)
                continue
            z = tuple(sorted(found))
            answers.append(("estimated", z))
            if (treatment, z) not in cache:
                cache[(treatment, z)] = delta * _ols_slope(x, index, outcome, treatment, z)
            values.append(cache[(treatment, z)])
        finite = [v for v in values if np.isfinite(v)]
        status, z = answers[0]
        out.append(EffectReading(
            treatment, values[0],
            min(finite) if finite else nan, max(finite) if finite else nan,
            len(dags), len(set(answers)) == 1, status, z,
        ))
    return out


def effect_from_graph(
    data: pd.DataFrame,
    graph: MixedGraph | nx.DiGraph,
    treatment: str,
    outcome: str,
    *,
    delta: float = 1.0,
    max_undirected: int = 12,
) -> EffectReading:
    """Estimate the effect of shifting ``treatment`` by ``delta`` on ``outcome``, with the
    adjustment set read from ``graph`` (see the module docstring).

    Parameters
    ----------
    data : pandas.DataFrame
        Observational data with the treatment, the outcome and the adjustment variables.
    graph : MixedGraph or networkx.DiGraph
        A discovered graph (PAG circles are read by :func:`pag_as_pdag`), or a true DAG
        (node attribute ``latent``).
    treatment, outcome : str
    delta : float
    max_undirected : int
        Above this many undirected edges the extensions are not enumerated
        (ValueError).

    Returns
    -------
    EffectReading

    Raises
    ------
    ValueError
        If the treatment or the outcome is not a column of ``data``.
    """
    return effects_from_graph(data, graph, [treatment], outcome, delta=delta,
                              max_undirected=max_undirected)[0]


def partial_correlation(data: pd.DataFrame, x: str, y: str, given: Iterable[str] = ()) -> float:
    """Correlation of the residuals of ``x`` and ``y`` after a linear regression on
    ``given`` (with an intercept): the statistic behind the Fisher-z test of PC and FCI.

    Raises
    ------
    ValueError
        If a name is not a column of ``data``.
    """
    given = list(given)
    for name in [x, y, *given]:
        if name not in data.columns:
            raise ValueError(f"{name!r} is not a column of data")
    z = np.column_stack([np.ones(len(data)), data[given].to_numpy(dtype=float)])

    def residual(col: str) -> np.ndarray:
        v = data[col].to_numpy(dtype=float)
        return v - z @ np.linalg.lstsq(z, v, rcond=None)[0]

    return float(np.corrcoef(residual(x), residual(y))[0, 1])

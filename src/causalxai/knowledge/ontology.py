"""Read the firm-distress ontology (RDF/Turtle) and compile it into background knowledge.

The ontology (``data/ontology/firm_distress.ttl``) types each variable (financial
ratio, payment behaviour, social debt, support measure, macro or sector shock, firm
characteristic, creditor signal, outcome), places it in a *stage* of a firm's year, and
states causal claims with five properties of the namespace :data:`CX`:

``cx:happensBefore``
    time order between stages (or variables): the object cannot cause the subject.
``cx:influences``
    an asserted direct influence ``subject -> object``: the reverse is forbidden, and
    the edge itself is *required* when :func:`compile_knowledge` is asked to.
``cx:doesNotInfluence``
    no direct edge ``subject -> object``.
``cx:isConsequenceOf``
    the subject descends from the object: it cannot cause the object, an ancestor of
    it, or anything determined before it.
``cx:isActionable`` (with ``cx:actionDirection``, bounds, cost)
    what a firm can change: compiled into an :class:`~causalxai.causal.actionability.ActionabilitySchema`.

The compiler derives *forbidden edges* with the statements that justify each one, and
checks the ontology for contradictions: a cycle of ``happensBefore``, a claimed cause
that the time order puts after its effect, a cycle of claimed causes, an asserted edge
that another statement forbids, a variable in two stages. Each raises a
:class:`KnowledgeError` that quotes the statements in conflict.

Two kinds of forbidden edges are kept apart. *Path-level* ones (time order, claimed
ancestry) rule out any directed path, not only the edge: they can be given to
DirectLiNGAM, whose prior knowledge is about paths. *Edge-level* ones
(``doesNotInfluence``) rule out the edge only.

The default file is hash-checked (:data:`ONTOLOGY_SHA256`, read from the pin file
``data/ontology/firm_distress.ttl.sha256`` beside it): editing it requires writing the new
hash there. Notebooks that read the ontology declare the file as an input, so the notebook
runner re-executes them when it changes and checks the pin before any kernel starts.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from causalxai.causal.actionability import ActionabilitySchema, FeatureAction, SchemaError
from causalxai.data import REPO_ROOT

__all__ = [
    "CX",
    "ONTOLOGY_FILE",
    "ONTOLOGY_SHA256",
    "Knowledge",
    "KnowledgeError",
    "Statement",
    "compile_knowledge",
    "edit_ontology",
    "load_ontology",
    "ontology_path",
    "statements_table",
]

#: The namespace of the compendium's ontology (an example IRI, not published).
CX = Namespace("http://example.org/causalxai/firm-distress#")
#: The ontology file, relative to the project root.
ONTOLOGY_FILE = Path("data/ontology/firm_distress.ttl")
#: The pin file of :data:`ONTOLOGY_FILE` (``sha256sum`` format, one line).
ONTOLOGY_PIN = Path("data/ontology/firm_distress.ttl.sha256")
#: sha256 of :data:`ONTOLOGY_FILE`, from :data:`ONTOLOGY_PIN`; after editing the ontology,
#: write its new hash there (and rerun the tests).
ONTOLOGY_SHA256 = (REPO_ROOT / ONTOLOGY_PIN).read_text().split()[0]

_PREFIXES = (
    f"@prefix cx: <{CX}> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
_DIRECTIONS = ("increase", "decrease", "both")


class KnowledgeError(ValueError):
    """The ontology is unreadable, malformed or contradicts itself (the message quotes
    the statements in conflict)."""


# Statements ------------------------------------------------------------------------------------
def _short(term: Any) -> str:
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool):
            return "true" if value else "false"
        return f'"{value}"' if isinstance(value, str) else str(value)
    text = str(term)
    if text.startswith(str(CX)):
        return "cx:" + text[len(str(CX)):]
    if term == RDF.type:
        return "a"
    for prefix, ns in (("rdfs:", str(RDFS)), ("rdf:", str(RDF))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>"


@dataclass(frozen=True, order=True)
class Statement:
    """One triple of the ontology, in short Turtle form (``cx:debt_ratio``)."""

    subject: str
    predicate: str
    object: str

    @classmethod
    def of(cls, s: Any, p: Any, o: Any) -> Statement:
        """From rdflib terms."""
        return cls(_short(s), _short(p), _short(o))

    def __str__(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


def _quote(statements: Iterable[Statement]) -> str:
    return "; ".join(f"[{s}]" for s in dict.fromkeys(statements))


# Loading ---------------------------------------------------------------------------------------
def ontology_path() -> Path:
    """The compendium's ontology file (absolute)."""
    return REPO_ROOT / ONTOLOGY_FILE


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_ontology(source: str | Path | rdflib.Graph | None = None) -> rdflib.Graph:
    """Read an ontology in Turtle.

    Parameters
    ----------
    source : str, Path, rdflib.Graph or None
        None: the compendium's file (:func:`ontology_path`), hash-checked against
        :data:`ONTOLOGY_SHA256`. A path: that file. A string holding a newline or
        ``@prefix``: Turtle text. A graph: returned as a copy.

    Returns
    -------
    rdflib.Graph

    Raises
    ------
    KnowledgeError
        If the file is missing or altered (default file), or not valid Turtle (the
        parser's message is quoted).
    """
    if isinstance(source, rdflib.Graph):
        out = rdflib.Graph()
        for triple in source:
            out.add(triple)
        return out
    text, where = None, "ontology text"
    if source is None:
        path = ontology_path()
        if not path.is_file():
            raise KnowledgeError(f"ontology file not found: {path}")
        digest = _sha256(path)
        if digest != ONTOLOGY_SHA256:
            raise KnowledgeError(
                f"{path} has sha256 {digest}, not the registered {ONTOLOGY_SHA256}: if the "
                f"edit is intended, write the new hash into {ONTOLOGY_PIN}"
            )
        text, where = path.read_text(), str(path)
    elif isinstance(source, str) and ("\n" in source or "@prefix" in source):
        text = source
    else:
        path = Path(source)
        if not path.is_file():
            raise KnowledgeError(f"ontology file not found: {path}")
        text, where = path.read_text(), str(path)
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific exception types
        raise KnowledgeError(f"{where}: not valid Turtle: {exc}") from exc
    return graph


def edit_ontology(
    graph: rdflib.Graph, *, remove: str = "", add: str = ""
) -> rdflib.Graph:
    """A copy of ``graph`` with some statements removed and others added.

    Parameters
    ----------
    graph : rdflib.Graph
        The ontology (left unchanged).
    remove, add : str
        Turtle statements; the prefixes ``cx:``, ``rdf:``, ``rdfs:``, ``xsd:`` are
        declared for you, e.g. ``"cx:late_payments cx:inStage cx:Symptoms ."``.

    Returns
    -------
    rdflib.Graph

    Raises
    ------
    KnowledgeError
        If a statement to remove is not in the ontology (a typo would otherwise go
        unnoticed), or a snippet is not valid Turtle.
    """
    out = load_ontology(graph)
    for snippet, what in ((remove, "remove"), (add, "add")):
        if not snippet.strip():
            continue
        part = rdflib.Graph()
        try:
            part.parse(data=_PREFIXES + snippet, format="turtle")
        except Exception as exc:
            raise KnowledgeError(f"statements to {what} are not valid Turtle: {exc}") from exc
        for triple in part:
            if what == "remove":
                if triple not in out:
                    raise KnowledgeError(f"cannot remove [{Statement.of(*triple)}]: "
                                         "it is not in the ontology")
                out.remove(triple)
            else:
                out.add(triple)
    return out


# Parsing the individuals -----------------------------------------------------------------------
@dataclass
class _Variable:
    iri: URIRef
    name: str  # short name, cx:...
    kind: str  # class, short name without prefix
    columns: list[str]
    latent: bool = False
    stage: str | None = None
    stage_statement: Statement | None = None
    actionable: bool = False
    direction: str | None = None
    low: float = -np.inf
    high: float = np.inf
    unit_cost: float = 1.0
    is_outcome: bool = False
    statements: list[Statement] = field(default_factory=list)


def _literal(graph: rdflib.Graph, s: URIRef, p: URIRef, kind: type) -> tuple[Any, Statement] | None:
    values = list(graph.objects(s, p))
    if not values:
        return None
    if len(values) > 1:
        raise KnowledgeError("contradictory knowledge: "
                             + _quote(Statement.of(s, p, v) for v in values)
                             + f" give {_short(p)} twice")
    value = values[0]
    stmt = Statement.of(s, p, value)
    python = value.toPython() if isinstance(value, Literal) else None
    if kind is bool:
        ok = isinstance(python, bool)
    elif kind is float:
        ok = isinstance(python, int | float | Decimal) and not isinstance(python, bool)
    else:
        ok = isinstance(python, str)
    if not ok:
        raise KnowledgeError(f"[{stmt}]: {_short(p)} expects a {kind.__name__} literal")
    return (float(python) if kind is float else python), stmt


def _subclasses(graph: rdflib.Graph, root: URIRef) -> set[URIRef]:
    out, todo = {root}, [root]
    while todo:
        cls = todo.pop()
        for sub in graph.subjects(RDFS.subClassOf, cls):
            if isinstance(sub, URIRef) and sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def _parse(graph: rdflib.Graph) -> tuple[dict[URIRef, _Variable], set[URIRef]]:
    variable_classes = _subclasses(graph, CX.Variable)
    outcome_classes = _subclasses(graph, CX.Outcome)
    stages = {s for s in graph.subjects(RDF.type, CX.Stage) if isinstance(s, URIRef)}
    variables: dict[URIRef, _Variable] = {}
    for cls in sorted(variable_classes):
        for s in graph.subjects(RDF.type, cls):
            if not isinstance(s, URIRef) or s in variable_classes:
                continue
            if s in stages:
                raise KnowledgeError(f"{_short(s)} is declared both a cx:Stage and a variable")
            if s in variables:
                # typed twice (e.g. a subclass and Variable): keep the most specific class
                if cls != CX.Variable and variables[s].kind == "Variable":
                    variables[s].kind = _short(cls).removeprefix("cx:")
                variables[s].is_outcome |= cls in outcome_classes
                continue
            name = _short(s)
            columns = [str(c) for c in graph.objects(s, CX.column)]
            variables[s] = _Variable(s, name, _short(cls).removeprefix("cx:"),
                                     sorted(columns) if columns else [name.removeprefix("cx:")],
                                     is_outcome=cls in outcome_classes)
    for s, v in variables.items():
        latent = _literal(graph, s, CX.isLatent, bool)
        v.latent = bool(latent[0]) if latent else False
        stage_values = list(graph.objects(s, CX.inStage))
        if len(stage_values) > 1:
            raise KnowledgeError("contradictory knowledge: a variable has one stage, but "
                                 + _quote(Statement.of(s, CX.inStage, o) for o in stage_values))
        if stage_values:
            stage = stage_values[0]
            stmt = Statement.of(s, CX.inStage, stage)
            if stage not in stages:
                raise KnowledgeError(f"[{stmt}]: {_short(stage)} is not declared a cx:Stage")
            v.stage, v.stage_statement = _short(stage), stmt
        act = _literal(graph, s, CX.isActionable, bool)
        v.actionable = bool(act[0]) if act else False
        direction = _literal(graph, s, CX.actionDirection, str)
        if direction:
            if direction[0] not in _DIRECTIONS:
                raise KnowledgeError(f"[{direction[1]}]: the direction must be one of "
                                     f"{_DIRECTIONS}")
            if not v.actionable:
                raise KnowledgeError(f"[{direction[1]}] gives a direction to a variable that "
                                     f"is not actionable ({v.name} cx:isActionable "
                                     f"{'false' if act else 'is not stated'})")
            v.direction = direction[0]
        for prop, attr in ((CX.lowerBound, "low"), (CX.upperBound, "high"),
                           (CX.unitCost, "unit_cost")):
            found = _literal(graph, s, prop, float)
            if found:
                setattr(v, attr, found[0])
    # Every node used by a causal property must be declared.
    for prop in (CX.influences, CX.doesNotInfluence, CX.isConsequenceOf):
        for s, o in graph.subject_objects(prop):
            for node in (s, o):
                if node not in variables:
                    raise KnowledgeError(f"[{Statement.of(s, prop, o)}]: {_short(node)} is "
                                         "not declared as a cx:Variable (or a subclass)")
    for s, o in graph.subject_objects(CX.happensBefore):
        for node in (s, o):
            if node not in variables and node not in stages:
                raise KnowledgeError(f"[{Statement.of(s, CX.happensBefore, o)}]: "
                                     f"{_short(node)} is neither a cx:Stage nor a variable")
    return variables, stages


# Compilation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Reasons:
    """A forbidden edge: the statements behind it and whether it also rules out paths."""

    statements: tuple[Statement, ...]
    path_level: bool


@dataclass(frozen=True)
class Knowledge:
    """Background knowledge over the columns of a data set, compiled from an ontology.

    Attributes
    ----------
    nodes : tuple of str
        The columns, in the order given.
    tiers : dict of str to int
        Tier of each column whose time order is known: the length of the longest chain
        of ``happensBefore`` leading to its stage (0 for the first stage).
    forbidden : dict
        ``(a, b) -> statements``: the edge ``a -> b`` is forbidden, and why.
    path_forbidden : frozenset of (str, str)
        The forbidden pairs for which no directed *path* ``a ~> b`` is possible either.
    asserted : dict
        ``(a, b) -> statements``: asserted direct influences between columns.
    required : dict
        The asserted edges that must be in the graph (empty unless compiled with
        ``require_asserted=True``).
    outcomes : tuple of str
        Columns whose variable is of class ``cx:Outcome``.
    unmapped : tuple of str
        Columns that no variable of the ontology names (no knowledge about them).
    inert_levers : tuple of str
        Actionable columns that the ontology declares consequences of an outcome: a firm
        can change them, the knowledge says it would not change the outcome.
    info : pandas.DataFrame
        Per column: variable, class, stage, tier, actionable, direction, latent.
    tiers_are_total : bool
        True if any two columns of different tiers are ordered by the ontology, so that
        the tiers can be handed to causal-learn as they are.
    """

    nodes: tuple[str, ...]
    tiers: dict[str, int]
    forbidden: dict[tuple[str, str], tuple[Statement, ...]]
    path_forbidden: frozenset[tuple[str, str]]
    asserted: dict[tuple[str, str], tuple[Statement, ...]]
    required: dict[tuple[str, str], tuple[Statement, ...]]
    outcomes: tuple[str, ...]
    unmapped: tuple[str, ...]
    inert_levers: tuple[str, ...]
    info: pd.DataFrame
    tiers_are_total: bool
    schema_spec: dict[str, dict[str, Any]] = field(repr=False, default_factory=dict)

    def is_forbidden(self, a: str, b: str) -> bool:
        """Whether the edge ``a -> b`` is forbidden."""
        return (a, b) in self.forbidden

    def is_required(self, a: str, b: str) -> bool:
        """Whether the edge ``a -> b`` is required."""
        return (a, b) in self.required

    def explain(self, a: str, b: str) -> str:
        """Why ``a -> b`` is forbidden, required or free, quoting the statements."""
        if (a, b) in self.forbidden:
            level = "and so is any path" if (a, b) in self.path_forbidden else "(the edge only)"
            return f"{a} -> {b} is forbidden {level}: {_quote(self.forbidden[(a, b)])}"
        if (a, b) in self.required:
            return f"{a} -> {b} is required: {_quote(self.required[(a, b)])}"
        return f"{a} -> {b} is allowed: no statement rules it out"

    def forbidden_edges(self) -> list[tuple[str, str]]:
        """The forbidden edges, sorted."""
        return sorted(self.forbidden)

    def schema(self, features: Iterable[str] | None = None) -> ActionabilitySchema:
        """The actionability schema of ``features`` (default: every column that is not an
        outcome). Unmapped columns are not actionable (nothing is known of them)."""
        features = [f for f in self.nodes if f not in self.outcomes] if features is None \
            else list(features)
        spec = {}
        for f in features:
            if f not in self.nodes:
                raise KnowledgeError(f"feature {f!r} is not a column of this knowledge "
                                     f"(columns: {', '.join(self.nodes)})")
            spec[f] = self.schema_spec.get(f, {"actionable": False})
        return ActionabilitySchema({f: FeatureAction(name=f, **s) for f, s in spec.items()})

    def background_knowledge(self) -> Any:
        """The knowledge as causal-learn's ``BackgroundKnowledge`` over nodes named after
        the columns (pass ``node_names=list(knowledge.nodes)`` to the search): every
        forbidden and required edge, and the tiers when they are total."""
        from causallearn.graph.GraphNode import GraphNode
        from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

        bk = BackgroundKnowledge()
        node = {name: GraphNode(name) for name in self.nodes}
        for a, b in self.forbidden_edges():
            bk.add_forbidden_by_node(node[a], node[b])
        for a, b in sorted(self.required):
            bk.add_required_by_node(node[a], node[b])
        if self.tiers_are_total:
            for name, tier in sorted(self.tiers.items()):
                bk.add_node_to_tier(node[name], int(tier))
        return bk

    def lingam_prior(self, order: Iterable[str] | None = None) -> np.ndarray:
        """DirectLiNGAM's prior-knowledge matrix ``P[effect, cause]`` in the given column
        order: 0 where no directed path ``cause ~> effect`` is possible (path-level
        forbidden pairs), 1 for a required edge, -1 (unknown) elsewhere. Edge-level
        forbidden pairs say nothing about paths and are left at -1."""
        order = list(self.nodes if order is None else order)
        if sorted(order) != sorted(self.nodes):
            raise KnowledgeError(f"order must list the columns {sorted(self.nodes)}, "
                                 f"got {order}")
        index = {name: i for i, name in enumerate(order)}
        prior = -np.ones((len(order), len(order)))
        for a, b in self.path_forbidden:
            prior[index[b], index[a]] = 0
        for a, b in self.required:
            prior[index[b], index[a]] = 1
        np.fill_diagonal(prior, -1)
        return prior


def _cycle_statements(graph: nx.DiGraph, cycle: list[tuple[Any, Any]]) -> list[Statement]:
    out: list[Statement] = []
    for u, v in cycle:
        out.extend(graph.edges[u, v]["statements"])
    return out


def _path_statements(graph: nx.DiGraph, a: Any, b: Any) -> list[Statement]:
    path = nx.shortest_path(graph, a, b)
    return [s for u, v in itertools.pairwise(path) for s in graph.edges[u, v]["statements"]]


def compile_knowledge(
    ontology: rdflib.Graph | str | Path | None,
    columns: Iterable[str],
    *,
    require_asserted: bool = False,
    strict_actionability: bool = False,
) -> Knowledge:
    """Compile an ontology into background knowledge over ``columns``.

    Rules (all statements are checked, also those about variables absent from the data):

    1. Time order: if ``x`` is determined before ``y`` (``happensBefore`` between their
       stages, transitively), ``y -> x`` is forbidden (path-level).
    2. Claimed causes: ``a influences b`` and ``b isConsequenceOf a`` both claim a path
       ``a ~> b``. For every claimed path ``a ~> d`` (transitively), ``d -> a`` is
       forbidden, and so is ``d -> z`` for every ``z`` determined before ``a``
       (path-level): a consequence of distress cannot cause distress, its causes, or
       what precedes it.
    3. ``a doesNotInfluence b`` forbids ``a -> b`` (edge-level).
    4. ``a influences b`` forbids ``b -> a``; with ``require_asserted`` it also
       requires ``a -> b``.

    Parameters
    ----------
    ontology : rdflib.Graph, str, Path or None
        The ontology, or what :func:`load_ontology` reads (None: the compendium's file).
    columns : iterable of str
        The data's columns; a column maps to the variable whose ``cx:column`` names it.
    require_asserted : bool
        Turn asserted influences between columns into required edges.
    strict_actionability : bool
        Treat an actionable variable that is a consequence of an outcome as a
        contradiction (by default it is only listed in :attr:`Knowledge.inert_levers`:
        paying suppliers sooner is possible, it just does not cure distress).

    Returns
    -------
    Knowledge

    Raises
    ------
    KnowledgeError
        For a malformed ontology or contradictory statements (quoted in the message),
        duplicate columns, or a column claimed by two variables.
    """
    graph = ontology if isinstance(ontology, rdflib.Graph) else load_ontology(ontology)
    columns = tuple(columns)
    if len(set(columns)) != len(columns):
        raise KnowledgeError(f"duplicate columns: {sorted(c for c in set(columns) if columns.count(c) > 1)}")
    variables, stages = _parse(graph)

    # Column -> variable.
    by_column: dict[str, _Variable] = {}
    for v in variables.values():
        for c in v.columns:
            if c in by_column:
                raise KnowledgeError(f"column {c!r} is claimed by both {by_column[c].name} "
                                     f"and {v.name} ([... cx:column \"{c}\"])")
            by_column[c] = v

    # Time order over time points (a stage, or a variable without stage).
    def point(node: URIRef) -> str:
        if node in variables:
            v = variables[node]
            return v.stage or v.name
        return _short(node)

    order = nx.DiGraph()
    order.add_nodes_from(sorted(_short(s) for s in stages))
    for s, o in sorted(graph.subject_objects(CX.happensBefore)):
        stmt = Statement.of(s, CX.happensBefore, o)
        ps, po = point(s), point(o)
        extra = [variables[n].stage_statement for n in (s, o)
                 if n in variables and variables[n].stage_statement]
        if ps == po:
            raise KnowledgeError(f"contradictory knowledge: [{stmt}] orders two things of the "
                                 f"same stage {ps}: " + _quote(extra))
        if order.has_edge(ps, po):
            order.edges[ps, po]["statements"].extend([stmt, *extra])
        else:
            order.add_edge(ps, po, statements=[stmt, *extra])
    try:
        cycle = nx.find_cycle(order)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        raise KnowledgeError("contradictory time order: these statements form a cycle: "
                             + _quote(_cycle_statements(order, cycle)))
    layer: dict[str, int] = {}
    for p in nx.topological_sort(order):
        preds = list(order.predecessors(p))
        layer[p] = 1 + max(layer[q] for q in preds) if preds else 0
    reach = {p: nx.descendants(order, p) for p in order}

    names = {v.name: v for v in variables.values()}

    def before(x: _Variable, y: _Variable) -> bool:
        px, py = x.stage or x.name, y.stage or y.name
        return px in reach and py in reach[px]

    def why_before(x: _Variable, y: _Variable) -> list[Statement]:
        px, py = x.stage or x.name, y.stage or y.name
        extra = [s for s in (x.stage_statement, y.stage_statement) if s]
        return [*extra, *_path_statements(order, px, py)]

    # Claimed ancestry: a influences b, b isConsequenceOf a.
    claims = nx.DiGraph()
    claims.add_nodes_from(names)
    asserted_all: dict[tuple[str, str], list[Statement]] = {}
    for prop in (CX.influences, CX.isConsequenceOf):
        for s, o in sorted(graph.subject_objects(prop)):
            stmt = Statement.of(s, prop, o)
            a, b = (_short(s), _short(o)) if prop == CX.influences else (_short(o), _short(s))
            if a == b:
                raise KnowledgeError(f"[{stmt}]: a variable cannot cause itself")
            if prop == CX.influences:
                asserted_all.setdefault((a, b), []).append(stmt)
            if claims.has_edge(a, b):
                claims.edges[a, b]["statements"].append(stmt)
            else:
                claims.add_edge(a, b, statements=[stmt])
    try:
        cycle = nx.find_cycle(claims)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        raise KnowledgeError("contradictory causal claims: these statements form a cycle: "
                             + _quote(_cycle_statements(claims, cycle)))

    # Forbidden edges between variables (ontology level).
    forbidden: dict[tuple[str, str], _Reasons] = {}

    def forbid(a: str, b: str, statements: Iterable[Statement], path_level: bool) -> None:
        old = forbidden.get((a, b))
        if old is None or (path_level and not old.path_level):
            forbidden[(a, b)] = _Reasons(tuple(dict.fromkeys(statements)), path_level)

    ordered = sorted(names)
    for xa, ya in itertools.permutations(ordered, 2):
        x, y = names[xa], names[ya]
        if before(x, y):
            forbid(ya, xa, why_before(x, y), True)
    for a in ordered:
        for d in sorted(nx.descendants(claims, a)):
            chain = _path_statements(claims, a, d)
            if before(names[d], names[a]):
                raise KnowledgeError(
                    f"contradictory knowledge: {_quote(chain)} make {a} a cause of {d}, but "
                    f"{_quote(why_before(names[d], names[a]))} put {d} before {a}")
            forbid(d, a, chain, True)
            for z in ordered:
                if z not in (a, d) and before(names[z], names[a]):
                    forbid(d, z, [*chain, *why_before(names[z], names[a])], True)
    for s, o in sorted(graph.subject_objects(CX.doesNotInfluence)):
        forbid(_short(s), _short(o), [Statement.of(s, CX.doesNotInfluence, o)], False)
    for (a, b), stmts in sorted(asserted_all.items()):
        if (a, b) in forbidden:
            raise KnowledgeError(
                f"contradictory knowledge: {_quote(stmts)} asserts the edge {a} -> {b}, "
                f"which {_quote(forbidden[(a, b)].statements)} forbid")

    # Actionable consequences of an outcome.
    outcome_vars = [v.name for v in variables.values() if v.is_outcome]
    inert: dict[str, list[Statement]] = {}
    for o in outcome_vars:
        for d in sorted(nx.descendants(claims, o)):
            if names[d].actionable:
                inert[d] = _path_statements(claims, o, d)
                if strict_actionability:
                    raise KnowledgeError(
                        f"contradictory knowledge: [{d} cx:isActionable true] but "
                        f"{_quote(inert[d])} make it a consequence of the outcome {o}")

    # Restrict to the columns.
    col_var = {c: by_column[c] for c in columns if c in by_column}
    unmapped = tuple(c for c in columns if c not in by_column)
    var_col = {v.name: c for c, v in col_var.items()}
    if len(var_col) != len(col_var):
        dup = [c for c in col_var if sum(v is col_var[c] for v in col_var.values()) > 1]
        raise KnowledgeError(f"columns {dup} name the same variable")
    out_forbidden = {}
    out_path = set()
    for (a, b), reasons in forbidden.items():
        if a in var_col and b in var_col:
            out_forbidden[(var_col[a], var_col[b])] = reasons.statements
            if reasons.path_level:
                out_path.add((var_col[a], var_col[b]))
    out_asserted = {(var_col[a], var_col[b]): tuple(s) for (a, b), s in asserted_all.items()
                    if a in var_col and b in var_col}
    tiers = {}
    for c, v in col_var.items():
        p = v.stage or v.name
        if p in layer:
            tiers[c] = layer[p]
    total = all(
        before(col_var[a], col_var[b])
        for a, b in itertools.permutations(tiers, 2) if tiers[a] < tiers[b]
    )
    spec: dict[str, dict[str, Any]] = {}
    rows = []
    for c in columns:
        v = col_var.get(c)
        if v is None:
            rows.append({"column": c, "variable": None, "class": None, "stage": None,
                         "tier": None, "actionable": False, "direction": "none",
                         "latent": False})
            continue
        entry: dict[str, Any] = {"actionable": v.actionable,
                                 "direction": (v.direction or "both") if v.actionable
                                 else "none",
                                 "low": v.low, "high": v.high, "unit_cost": v.unit_cost}
        if c in tiers:
            entry["tier"] = int(tiers[c])
        try:
            FeatureAction(name=c, **entry)
        except SchemaError as exc:
            raise KnowledgeError(f"{v.name}: {exc}") from exc
        if not v.is_outcome:
            spec[c] = entry
        rows.append({"column": c, "variable": v.name, "class": v.kind,
                     "stage": v.stage, "tier": tiers.get(c), "actionable": v.actionable,
                     "direction": entry["direction"], "latent": v.latent})
    info = pd.DataFrame(rows).set_index("column")
    info["tier"] = info["tier"].astype("Int64")
    return Knowledge(
        nodes=columns,
        tiers=tiers,
        forbidden=dict(sorted(out_forbidden.items())),
        path_forbidden=frozenset(out_path),
        asserted=dict(sorted(out_asserted.items())),
        required=dict(sorted(out_asserted.items())) if require_asserted else {},
        outcomes=tuple(c for c in columns if c in col_var and col_var[c].is_outcome),
        unmapped=unmapped,
        inert_levers=tuple(c for c in columns if c in col_var and col_var[c].name in inert),
        info=info,
        tiers_are_total=total,
        schema_spec=spec,
    )


def statements_table(graph: rdflib.Graph, predicates: Iterable[str] | None = None) -> pd.DataFrame:
    """The causal statements of an ontology as a table (subject, predicate, object).

    Parameters
    ----------
    graph : rdflib.Graph
    predicates : iterable of str, optional
        Local names in :data:`CX` (default: the causal and time-order properties).
    """
    predicates = list(predicates or ["happensBefore", "inStage", "influences",
                                     "doesNotInfluence", "isConsequenceOf", "isActionable"])
    rows = [Statement.of(s, CX[p], o) for p in predicates
            for s, o in graph.subject_objects(CX[p])]
    return pd.DataFrame([{"subject": r.subject, "predicate": r.predicate, "object": r.object}
                         for r in sorted(rows)])

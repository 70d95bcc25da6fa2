"""From domain knowledge to a causal graph.

- :mod:`~causalxai.knowledge.ontology`: read the firm-distress ontology (RDF/Turtle) and
  compile it into background knowledge (tiers, forbidden and required edges, causal-learn
  and DirectLiNGAM formats) and an actionability schema; contradictions raise
  :class:`KnowledgeError`.
- :mod:`~causalxai.knowledge.graphs`: DAG / CPDAG / PAG over named nodes, Meek's rules,
  DAG extensions, structural Hamming distance, precision and recall of edges.
- :mod:`~causalxai.knowledge.discovery`: PC, FCI, GES and DirectLiNGAM with and without
  the knowledge; the effect read from a discovered graph.
- :mod:`~causalxai.knowledge.experiment`: the benchmark on the scenario library, with
  Gaussian and non-Gaussian noise, and the cost of wrong or missing knowledge.
- :mod:`~causalxai.knowledge.value_functions`: how far one computation of Shapley values
  is from another (Part I's interventional-or-conditional chapter).
"""

from causalxai.knowledge.discovery import (
    ALGORITHMS,
    Discovery,
    EffectReading,
    apply_knowledge,
    discover,
    effect_from_graph,
    effects_from_graph,
    pag_as_pdag,
    partial_correlation,
    violations,
)
from causalxai.knowledge.graphs import (
    MixedGraph,
    cpdag,
    dag_extensions,
    edge_scores,
    meek_closure,
    shd,
)
from causalxai.knowledge.ontology import (
    CX,
    ONTOLOGY_FILE,
    ONTOLOGY_SHA256,
    Knowledge,
    KnowledgeError,
    Statement,
    compile_knowledge,
    edit_ontology,
    load_ontology,
    ontology_path,
    statements_table,
)
from causalxai.knowledge.value_functions import max_gaps

__all__ = [
    "ALGORITHMS",
    "CX",
    "ONTOLOGY_FILE",
    "ONTOLOGY_SHA256",
    "Discovery",
    "EffectReading",
    "Knowledge",
    "KnowledgeError",
    "MixedGraph",
    "Statement",
    "apply_knowledge",
    "compile_knowledge",
    "cpdag",
    "dag_extensions",
    "discover",
    "edge_scores",
    "edit_ontology",
    "effect_from_graph",
    "effects_from_graph",
    "load_ontology",
    "max_gaps",
    "meek_closure",
    "ontology_path",
    "pag_as_pdag",
    "partial_correlation",
    "shd",
    "statements_table",
    "violations",
]

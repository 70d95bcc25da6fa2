"""The causal problem object: validation at the door, binding, conversion from a DiGraph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.identification import backdoor_adjustment_set, mediators
from causalxai.causal.problem import CausalProblem, as_problem
from causalxai.causal.scm import SCM
from causalxai.causal.validity import validity_labels


def dag(edges, latent=()):
    graph = nx.DiGraph(edges)
    for v in graph:
        graph.nodes[v]["latent"] = v in latent
    return graph


def schema(**actionable):
    return ActionabilitySchema.from_dict({"features": {
        k: {"actionable": v, "direction": "both" if v else "none"} for k, v in actionable.items()
    }})


def frame(columns, n=20, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, len(columns))), columns=list(columns))


# Validation at the door, each error naming the item -----------------------------------------
def test_a_node_neither_a_column_nor_latent_is_named():
    problem = CausalProblem(dag([("W", "X"), ("X", "Y"), ("W", "Y")]), "Y")
    with pytest.raises(ValueError, match="graph node 'W' is neither a column of the data nor "
                                         "declared latent"):
        problem.bind(frame(["X", "Y"]))
    # declared latent, it may be absent
    bound = CausalProblem(problem.graph, "Y", latent={"W"}).bind(frame(["X", "Y"]))
    assert bound.observed == {"X", "Y"}


def test_a_schema_feature_outside_the_graph_is_named():
    with pytest.raises(ValueError, match="schema feature 'ghost' is not a node of the graph"):
        CausalProblem(dag([("X", "Y")]), "Y", schema=schema(X=True, ghost=True))


def test_a_feature_missing_from_the_schema_is_named():
    with pytest.raises(ValueError, match="feature 'X' is not in the actionability schema"):
        CausalProblem(dag([("X", "Y"), ("W", "Y")]), "Y", features=["W", "X"],
                      schema=schema(W=True))


def test_a_cycle_is_named_node_by_node():
    with pytest.raises(ValueError, match=r"graph has a cycle: (A -> B -> C -> A|B -> C -> A -> B"
                                         r"|C -> A -> B -> C)"):
        CausalProblem(nx.DiGraph([("A", "B"), ("B", "C"), ("C", "A"), ("C", "Y")]), "Y")


@pytest.mark.parametrize(
    ("outcome", "features", "message"),
    [
        ("Q", None, "outcome 'Q' is not a node of the graph"),
        ("Y", ["X", "nope"], "feature 'nope' is not a node of the graph"),
        ("Y", ["Y"], "feature 'Y' is the outcome"),
        ("Y", ["U"], "feature 'U' is latent"),
        ("Y", ["X", "X"], "feature 'X' is listed twice"),
    ],
)
def test_bad_outcome_and_features_are_named(outcome, features, message):
    with pytest.raises(ValueError, match=message):
        CausalProblem(dag([("U", "X"), ("X", "Y")], latent=["U"]), outcome, features=features)


def test_missing_outcome_values_and_non_numeric_columns_are_named():
    problem = CausalProblem(dag([("X", "Y")]), "Y")
    data = frame(["X", "Y"])
    with pytest.raises(ValueError, match="outcome 'Y' has 2 missing values"):
        problem.bind(data.assign(Y=data["Y"].where(data.index > 1)))
    with pytest.raises(ValueError, match="column 'X' must be numeric"):
        problem.bind(data.assign(X="a"))
    with pytest.raises(ValueError, match="outcome 'Y' is latent"):
        CausalProblem(dag([("X", "Y")], latent=["Y"]), "Y").bind(data)


def test_bad_declarations_are_named():
    with pytest.raises(ValueError, match="latent node 'Z' is not a node"):
        CausalProblem(dag([("X", "Y")]), "Y", latent={"Z"})
    with pytest.raises(ValueError, match="bidirected edge 'X' <-> 'Q': 'Q' is not a node"):
        CausalProblem(dag([("X", "Y")]), "Y", bidirected=[("X", "Q")])
    with pytest.raises(ValueError, match="DiGraph"):
        CausalProblem(nx.Graph([("X", "Y")]), "Y")
    with pytest.raises(ValueError, match="outcome is required"):
        as_problem(dag([("X", "Y")]))


# What the problem holds ---------------------------------------------------------------------
def test_latent_nodes_come_from_attributes_declarations_and_bidirected_edges():
    problem = CausalProblem(dag([("U", "X"), ("X", "Y"), ("W", "Y")], latent=["U"]), "Y",
                            latent={"W"}, bidirected=[("X", "Y")])
    assert problem.latent == {"U", "W", "X<->Y"}
    assert set(problem.graph.successors("X<->Y")) == {"X", "Y"}
    assert problem.features == ("X",)
    assert dict(problem.graph.nodes(data="latent")) == {
        "U": True, "X": False, "Y": False, "W": True, "X<->Y": True}
    with pytest.raises(nx.NetworkXError):
        problem.graph.add_edge("Y", "X")  # frozen: validated once, never changed


def test_a_bidirected_edge_is_an_unobserved_confounder_for_identification():
    graph = dag([("X", "Y"), ("W", "X"), ("W", "Y")])
    assert backdoor_adjustment_set(CausalProblem(graph, "Y"), "X", "Y") == {"W"}
    confounded = CausalProblem(graph, "Y", bidirected=[("X", "Y")])
    assert backdoor_adjustment_set(confounded, "X", "Y") is None
    labels = validity_labels(confounded)
    assert labels.loc["X", "label"] == "unobserved confounding"


def test_the_input_graph_is_copied_not_changed():
    graph = dag([("X", "Y")])
    CausalProblem(graph, "Y", latent=set(), bidirected=[("X", "Y")])
    assert set(graph) == {"X", "Y"}


def test_from_scm_keeps_the_latent_nodes_and_binds_to_the_sample():
    scm = SCM.linear_gaussian({("U", "X"): 1.0, ("U", "Y"): 1.0, ("X", "Y"): 0.5},
                              latent=("U",))
    problem = CausalProblem.from_scm(scm, "Y")
    assert problem.latent == {"U"} and problem.features == ("X",)
    bound = problem.bind(scm.sample(30, seed=0))
    assert bound.is_bound and not problem.is_bound
    assert bound.observed == {"X", "Y"} == problem.observed_nodes


def test_as_problem_returns_a_problem_as_given_and_revalidates_changes():
    problem = CausalProblem(dag([("W", "X"), ("X", "Y"), ("W", "Y")]), "Y")
    assert as_problem(problem) is problem
    assert as_problem(problem, "Y", features=problem.features) is problem
    other = as_problem(problem, "X")
    assert other.outcome == "X" and other.features == ("W",)
    with pytest.raises(ValueError, match="feature 'Y' is the outcome"):
        as_problem(problem, features=["Y"])


# The consumers read one problem ---------------------------------------------------------------
def test_digraph_and_problem_give_the_same_identification_and_labels():
    graph = dag([("U", "T"), ("U", "Y"), ("T", "M"), ("M", "Y"), ("W", "T"), ("W", "Y"),
                 ("Y", "S")], latent=["U"])
    problem = CausalProblem(graph, "Y", features=["T", "M", "W", "S"])
    for t in ("T", "M", "W", "S"):
        assert backdoor_adjustment_set(graph, t, "Y") == backdoor_adjustment_set(problem, t, "Y")
    assert mediators(graph, "T", "Y") == mediators(problem, "T", "Y") == ["M"]
    pd.testing.assert_frame_equal(validity_labels(graph, "Y", ["T", "M", "W", "S"]),
                                  validity_labels(problem))

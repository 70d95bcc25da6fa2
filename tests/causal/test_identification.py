"""Graph-based identification in :mod:`causalxai.causal.identification`, checked against known
answers, a brute-force reading of the adjustment criterion, simulation and DoWhy."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalxai.causal.identification import (
    backdoor_adjustment_set,
    has_causal_path,
    is_valid_adjustment_set,
    mediators,
)
from causalxai.causal.scm import SCM, total_effect_linear
from causalxai.synthetic.scenarios import firm_distress_toy


def dag(edges, latent=()):
    """A DiGraph with the ``latent`` node attribute set on every node."""
    graph = nx.DiGraph(edges)
    nx.set_node_attributes(graph, {v: v in set(latent) for v in graph}, "latent")
    return graph


def subsets(nodes):
    nodes = sorted(nodes)
    return [set(c) for r in range(len(nodes) + 1) for c in itertools.combinations(nodes, r)]


# Brute-force adjustment criterion (Shpitser et al., 2010), written from paths ---------------
def blocked(graph, path, z):
    for a, v, b in zip(path, path[1:], path[2:], strict=False):
        collider = graph.has_edge(a, v) and graph.has_edge(b, v)
        if collider and not ({v} | nx.descendants(graph, v)) & z:
            return True
        if not collider and v in z:
            return True
    return False


def adjustment_criterion_by_paths(graph, t, y, z):
    """Enumerate every path: z must avoid the forbidden nodes and block every non-causal one."""
    paths = list(nx.all_simple_paths(graph.to_undirected(as_view=True), t, y))
    causal = [p for p in paths if all(graph.has_edge(a, b) for a, b in itertools.pairwise(p))]
    on_causal = {v for p in causal for v in p[1:]}
    forbidden = on_causal | {d for v in on_causal for d in nx.descendants(graph, v)}
    if z & forbidden:
        return False
    return all(blocked(graph, p, z) for p in paths if p not in causal)


@st.composite
def random_dags(draw, min_nodes=4, max_nodes=8):
    """A DAG on ``v0..v{k-1}``: each edge from a lower to a higher index with probability
    0.6, each node latent with probability 0.3, and two distinct observed nodes (treatment,
    outcome), the outcome the later one seven times in eight. Drawn from a seeded generator,
    so that the interesting cases (paths, latent confounders) are frequent."""
    k = draw(st.integers(min_nodes, max_nodes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    names = [f"v{i}" for i in range(k)]
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    graph.add_edges_from((names[i], names[j]) for i, j in itertools.combinations(range(k), 2)
                         if rng.random() < 0.6)
    i, j = sorted(rng.choice(k, size=2, replace=False))
    t, y = (names[j], names[i]) if rng.random() < 1 / 8 else (names[i], names[j])
    for name in names:
        graph.nodes[name]["latent"] = bool(rng.random() < 0.3) and name not in (t, y)
    return graph, t, y


SETTINGS = settings(max_examples=200, deadline=None)


# Known answers --------------------------------------------------------------------------
def test_simple_confounding_adjusts_for_the_confounder():
    graph = dag([("Z", "T"), ("Z", "Y"), ("T", "Y")])
    assert backdoor_adjustment_set(graph, "T", "Y") == frozenset({"Z"})
    assert is_valid_adjustment_set(graph, "T", "Y", {"Z"})
    assert not is_valid_adjustment_set(graph, "T", "Y", set())


def test_latent_confounder_is_not_identifiable_by_adjustment():
    graph = dag([("U", "T"), ("U", "Y"), ("T", "Y")], latent=["U"])
    assert backdoor_adjustment_set(graph, "T", "Y") is None
    assert is_valid_adjustment_set(graph, "T", "Y", {"U"})  # purely graphical
    assert backdoor_adjustment_set(graph, "T", "Y", observed=["U", "T", "Y"]) == {"U"}


def test_front_door_graph_has_no_backdoor_set():
    graph = dag([("U", "T"), ("U", "Y"), ("T", "M"), ("M", "Y")], latent=["U"])
    assert backdoor_adjustment_set(graph, "T", "Y") is None
    assert mediators(graph, "T", "Y") == ["M"]
    # The two halves of the front-door argument are each identified by adjustment.
    assert backdoor_adjustment_set(graph, "T", "M") == frozenset()
    assert backdoor_adjustment_set(graph, "M", "Y") == frozenset({"T"})


def test_m_bias_collider_is_not_adjusted_for():
    graph = dag([("A", "T"), ("A", "C"), ("B", "C"), ("B", "Y"), ("T", "Y")])
    found = backdoor_adjustment_set(graph, "T", "Y")
    assert found == frozenset()
    assert is_valid_adjustment_set(graph, "T", "Y", set())
    assert not is_valid_adjustment_set(graph, "T", "Y", {"C"})  # opens T <- A -> C <- B -> Y
    assert is_valid_adjustment_set(graph, "T", "Y", {"C", "A"})
    assert is_valid_adjustment_set(graph, "T", "Y", {"C", "B"})


def test_descendants_of_the_treatment_are_never_adjusted_for():
    graph = dag([("Z", "T"), ("Z", "Y"), ("T", "M"), ("M", "Y"), ("T", "W"), ("W", "Y"),
                 ("T", "S"), ("Y", "S2")])
    found = backdoor_adjustment_set(graph, "T", "Y")
    assert found == frozenset({"Z"})
    assert mediators(graph, "T", "Y") == ["M", "W"]
    for bad in ("M", "W", "S2"):
        assert not is_valid_adjustment_set(graph, "T", "Y", {"Z", bad})


def test_a_harmless_child_of_the_treatment_passes_the_generalised_criterion():
    graph = dag([("Z", "T"), ("Z", "Y"), ("T", "Y"), ("T", "W")])
    assert is_valid_adjustment_set(graph, "T", "Y", {"Z", "W"})
    assert not is_valid_adjustment_set(graph, "T", "Y", {"W"})


def test_no_causal_path_means_a_zero_effect_and_an_empty_set():
    graph = dag([("U", "T"), ("U", "Y"), ("Y", "T")], latent=["U"])
    assert not has_causal_path(graph, "T", "Y")
    assert backdoor_adjustment_set(graph, "T", "Y") == frozenset()
    assert mediators(graph, "T", "Y") == []
    assert has_causal_path(graph, "Y", "T")


def test_firm_distress_toy_answers():
    graph = firm_distress_toy().scm.graph
    assert backdoor_adjustment_set(graph, "debt_ratio", "distress") == {"firm_age"}
    assert backdoor_adjustment_set(graph, "cash_buffer", "distress") is None
    assert mediators(graph, "debt_ratio", "distress") == ["interest_burden"]
    assert backdoor_adjustment_set(graph, "late_payments", "distress") == frozenset()


def test_result_is_deterministic():
    graph = dag([("A", "T"), ("B", "T"), ("A", "Y"), ("B", "Y"), ("A", "B"), ("T", "Y")])
    results = {backdoor_adjustment_set(graph, "T", "Y") for _ in range(5)}
    assert len(results) == 1


# Input checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "function", [backdoor_adjustment_set, has_causal_path, mediators]
)
def test_unknown_nodes_and_equal_nodes_are_rejected(function):
    graph = dag([("T", "Y")])
    with pytest.raises(ValueError, match="'nope'"):
        function(graph, "nope", "Y")
    with pytest.raises(ValueError, match="'nada'"):
        function(graph, "T", "nada")
    with pytest.raises(ValueError, match="must differ"):
        function(graph, "T", "T")


def test_bad_adjustment_sets_graphs_and_observed_lists_are_rejected():
    graph = dag([("Z", "T"), ("T", "Y"), ("Z", "Y")])
    with pytest.raises(ValueError, match="'Q'"):
        is_valid_adjustment_set(graph, "T", "Y", {"Q"})
    with pytest.raises(ValueError, match="treatment 'T'"):
        is_valid_adjustment_set(graph, "T", "Y", {"T"})
    with pytest.raises(ValueError, match="outcome 'Y'"):
        is_valid_adjustment_set(graph, "T", "Y", {"Y", "Z"})
    with pytest.raises(ValueError, match="'ghost'"):
        backdoor_adjustment_set(graph, "T", "Y", observed=["Z", "ghost"])
    with pytest.raises(ValueError, match="cycle"):
        backdoor_adjustment_set(dag([("T", "Y"), ("Y", "T")]), "T", "Y")
    with pytest.raises(ValueError, match="DiGraph"):
        backdoor_adjustment_set(nx.Graph([("T", "Y")]), "T", "Y")


# Properties on random DAGs --------------------------------------------------------------
@SETTINGS
@given(random_dags(), st.data())
def test_validity_agrees_with_the_path_reading_of_the_criterion(case, data):
    graph, t, y = case
    others = sorted(set(graph) - {t, y})
    z = set(data.draw(st.lists(st.sampled_from(others), unique=True)))
    assert is_valid_adjustment_set(graph, t, y, z) == adjustment_criterion_by_paths(graph, t, y, z)


@SETTINGS
@given(random_dags())
def test_returned_sets_are_valid_minimal_and_observed_and_none_means_none_exists(case):
    graph, t, y = case
    found = backdoor_adjustment_set(graph, t, y)
    observed = {v for v in graph if not graph.nodes[v]["latent"]} - {t, y}
    if not nx.has_path(graph, t, y):
        assert found == frozenset()
        return
    if found is not None:
        assert is_valid_adjustment_set(graph, t, y, found)
        assert found <= observed
        assert not found & nx.descendants(graph, t)
        for smaller in subsets(found)[:-1]:  # every proper subset
            assert not is_valid_adjustment_set(graph, t, y, smaller)
    else:
        on_paths = {v for v in nx.descendants(graph, t) if nx.has_path(graph, v, y)}
        forbidden = {t} | on_paths | {d for v in on_paths for d in nx.descendants(graph, v)}
        candidate = (nx.ancestors(graph, t) | nx.ancestors(graph, y)) & observed - forbidden
        assert not is_valid_adjustment_set(graph, t, y, candidate)
        assert not any(is_valid_adjustment_set(graph, t, y, z) for z in subsets(observed))


# Cross-checks against the truth ----------------------------------------------------------
def random_linear_scm(seed: int, k: int = 6) -> SCM:
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(k)]
    weights = {
        (names[i], names[j]): float(rng.choice([-1, 1]) * rng.uniform(0.3, 0.8))
        for i, j in itertools.combinations(range(k), 2)
        if rng.random() < 0.5
    }
    return SCM.linear_gaussian(weights, {name: 1.0 for name in names})


@pytest.mark.parametrize("seed", range(4))
def test_ols_on_the_returned_set_recovers_the_true_total_effect(seed):
    scm = random_linear_scm(seed)
    data = scm.sample(200_000, seed=seed)
    checked = 0
    for t, y in itertools.permutations(scm.observed, 2):
        if not nx.has_path(scm.graph, t, y):
            continue
        z = sorted(backdoor_adjustment_set(scm.graph, t, y))
        design = np.column_stack([data[[t, *z]].to_numpy(), np.ones(len(data))])
        coef = np.linalg.lstsq(design, data[y].to_numpy(), rcond=None)[0][0]
        assert coef == pytest.approx(total_effect_linear(scm, t, y), abs=0.02), (t, y, z)
        checked += 1
    assert checked >= 3


def test_ols_with_the_collider_of_m_bias_is_biased_but_ours_is_not():
    scm = SCM.linear_gaussian({("A", "T"): 1.0, ("A", "C"): 1.0, ("B", "C"): 1.0,
                               ("B", "Y"): 1.0, ("T", "Y"): 0.5})
    data = scm.sample(200_000, seed=1)

    def ols(z):
        design = np.column_stack([data[["T", *z]].to_numpy(), np.ones(len(data))])
        return np.linalg.lstsq(design, data["Y"].to_numpy(), rcond=None)[0][0]

    assert ols(sorted(backdoor_adjustment_set(scm.graph, "T", "Y"))) == pytest.approx(0.5, abs=0.02)
    assert abs(ols(["C"]) - 0.5) > 0.1


@pytest.mark.filterwarnings("ignore:.*assumed unobserved:UserWarning")
def test_dowhy_backdoor_sets_are_valid_whenever_ours_exists():
    dowhy = pytest.importorskip("dowhy")
    toy = firm_distress_toy().scm
    m_bias = SCM.linear_gaussian({("A", "T"): 1.0, ("A", "C"): 1.0, ("B", "C"): 1.0,
                                  ("B", "Y"): 1.0, ("T", "Y"): 0.5, ("C", "Y"): 0.3})
    confounded = SCM.linear_gaussian({("Z", "T"): 1.0, ("Z", "Y"): 1.0, ("T", "Y"): 1.0,
                                      ("T", "W"): 1.0})
    cases = [(toy, "debt_ratio", "distress"), (toy, "interest_burden", "distress"),
             (m_bias, "T", "Y"), (confounded, "T", "Y")]
    for scm, t, y in cases:
        ours = backdoor_adjustment_set(scm.graph, t, y)
        assert ours is not None
        gml = "\n".join(nx.generate_gml(nx.DiGraph(scm.graph.edges)))
        model = dowhy.CausalModel(data=scm.sample(100, seed=0), treatment=t, outcome=y,
                                  graph=gml)
        estimand = model.identify_effect(proceed_when_unidentifiable=True)
        theirs = set(estimand.get_backdoor_variables())
        assert is_valid_adjustment_set(scm.graph, t, y, theirs), (t, y, theirs)

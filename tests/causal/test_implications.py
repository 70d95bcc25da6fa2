"""A graph's implied independencies: which statements, and tested against data."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.implications import check_implications, implied_independencies
from causalxai.causal.problem import CausalProblem


def chain_data(n=4000, seed=0, direct=0.0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + rng.normal(size=n)
    c = 0.7 * b + direct * a + rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c})


def test_a_chain_implies_its_ends_independent_given_the_middle():
    problem = CausalProblem(nx.DiGraph([("a", "b"), ("b", "c")]), "c")
    assert implied_independencies(problem) == [("a", "c", ("b",))]


def test_a_fork_and_a_collider_imply_different_statements():
    fork = CausalProblem(nx.DiGraph([("b", "a"), ("b", "c")]), "c")
    collider = CausalProblem(nx.DiGraph([("a", "b"), ("c", "b")]), "b")
    assert implied_independencies(fork) == [("a", "c", ("b",))]
    assert implied_independencies(collider) == [("a", "c", ())]


def test_a_latent_common_cause_removes_the_statement():
    graph = nx.DiGraph([("a", "b"), ("L", "a"), ("L", "c"), ("b", "c")])
    assert implied_independencies(CausalProblem(graph, "c", latent={"L"})) == []
    # the same graph with L observed: a ⊥ c is not implied, but b ⊥ L | a is
    assert ("L", "b", ("a",)) in implied_independencies(CausalProblem(graph, "c"))


def test_the_true_graph_passes_and_a_wrong_one_is_rejected():
    problem = CausalProblem(nx.DiGraph([("a", "b"), ("b", "c")]), "c")
    true = check_implications(chain_data(), problem)
    assert not true["violated"].any()
    wrong = check_implications(chain_data(direct=0.5), problem)
    assert wrong["violated"].tolist() == [True]
    assert wrong["statement"].tolist() == ["a ⊥ c | b"]
    # the partial correlation given b is the correlation of the residuals
    data = chain_data(direct=0.5)
    ra = data["a"] - np.polyval(np.polyfit(data["b"], data["a"], 1), data["b"])
    rc = data["c"] - np.polyval(np.polyfit(data["b"], data["c"], 1), data["b"])
    assert wrong["partial_corr"].iloc[0] == pytest.approx(np.corrcoef(ra, rc)[0, 1], abs=1e-9)


def test_bad_input_is_named():
    problem = CausalProblem(nx.DiGraph([("a", "b"), ("b", "c")]), "c")
    with pytest.raises(ValueError, match="alpha must lie in"):
        check_implications(chain_data(), problem, alpha=1.5)
    with pytest.raises(ValueError, match="graph node 'b' is not a column"):
        check_implications(chain_data().drop(columns="b"), problem)
    bad = chain_data().assign(b=np.nan)
    with pytest.raises(ValueError, match="column 'b' has missing values"):
        check_implications(bad, problem)

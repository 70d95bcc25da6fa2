"""The ontology compiler, the graph scores, the discovery wrapper and the experiment."""

from __future__ import annotations

import hashlib
import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.scm import SCM, total_effect_linear
from causalxai.knowledge import (
    ALGORITHMS,
    ONTOLOGY_SHA256,
    KnowledgeError,
    MixedGraph,
    apply_knowledge,
    compile_knowledge,
    cpdag,
    dag_extensions,
    discover,
    edge_scores,
    edit_ontology,
    effect_from_graph,
    load_ontology,
    meek_closure,
    ontology_path,
    shd,
    violations,
)
from causalxai.knowledge.experiment import (
    LINEAR_SCENARIOS,
    ORACLE,
    benchmark,
    effect_summary,
    knowledge_variants,
    shd_summary,
    with_noise,
)
from causalxai.synthetic.library import SCENARIOS, make_scenario
from causalxai.synthetic.scenarios import true_effects

HEAD = """@prefix cx: <http://example.org/causalxai/firm-distress#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
cx:Outcome rdfs:subClassOf cx:Variable .
cx:S0 a cx:Stage . cx:S1 a cx:Stage . cx:S2 a cx:Stage .
"""


def onto(body: str):
    return load_ontology(HEAD + body)


CHAIN = """cx:S0 cx:happensBefore cx:S1 . cx:S1 cx:happensBefore cx:S2 .
cx:a a cx:Variable ; cx:inStage cx:S0 .
cx:b a cx:Variable ; cx:inStage cx:S1 .
cx:c a cx:Variable ; cx:inStage cx:S2 .
"""


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


# The ontology file ------------------------------------------------------------------------------
def test_the_ontology_file_has_the_registered_hash():
    assert hashlib.sha256(ontology_path().read_bytes()).hexdigest() == ONTOLOGY_SHA256


def test_load_ontology_names_a_missing_file_and_bad_turtle(tmp_path):
    with pytest.raises(KnowledgeError, match=r"not found: .*nowhere\.ttl"):
        load_ontology(tmp_path / "nowhere.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix cx: <http://x#> .\ncx:a cx:b .\n")
    with pytest.raises(KnowledgeError, match=r"bad\.ttl: not valid Turtle"):
        load_ontology(bad)


def test_edit_ontology_refuses_to_remove_an_absent_statement(ontology):
    with pytest.raises(KnowledgeError, match=r"cannot remove .*cx:late_payments cx:inStage "
                                             r"cx:Distress"):
        edit_ontology(ontology, remove="cx:late_payments cx:inStage cx:Distress .")


# The compiler -----------------------------------------------------------------------------------
def test_a_tier_order_forbids_exactly_the_backward_edges():
    k = compile_knowledge(onto(CHAIN), ["a", "b", "c"])
    assert k.tiers == {"a": 0, "b": 1, "c": 2}
    assert set(k.forbidden) == {("b", "a"), ("c", "a"), ("c", "b")}
    assert k.path_forbidden == frozenset(k.forbidden)
    assert k.tiers_are_total
    assert "cx:S0 cx:happensBefore cx:S1" in k.explain("c", "a")
    assert "allowed" in k.explain("a", "c")


def test_a_partial_order_leaves_unordered_stages_free():
    k = compile_knowledge(onto("""cx:S3 a cx:Stage .
        cx:S0 cx:happensBefore cx:S1, cx:S3 . cx:S1 cx:happensBefore cx:S2 .
        cx:a a cx:Variable ; cx:inStage cx:S0 .
        cx:b a cx:Variable ; cx:inStage cx:S2 .
        cx:c a cx:Variable ; cx:inStage cx:S3 ."""), ["a", "b", "c"])
    assert set(k.forbidden) == {("b", "a"), ("c", "a")}
    assert k.tiers == {"a": 0, "b": 2, "c": 1}
    assert not k.tiers_are_total  # c has a lower tier than b, yet nothing orders them
    bk = k.background_knowledge()
    assert not bk.tier_value_map  # so the tiers are not handed to causal-learn


def test_background_knowledge_object_agrees_with_the_plain_structures(ontology):
    from causallearn.graph.GraphNode import GraphNode

    cols = list(make_scenario("firm_distress_toy").scm.observed)
    k = compile_knowledge(ontology, cols, require_asserted=True)
    bk = k.background_knowledge()
    assert k.tiers_are_total and bk.tier_value_map
    for a, b in itertools.permutations(cols, 2):
        assert bk.is_forbidden(GraphNode(a), GraphNode(b)) == k.is_forbidden(a, b), (a, b)
        assert bk.is_required(GraphNode(a), GraphNode(b)) == k.is_required(a, b), (a, b)
    assert set(k.required) == {("debt_ratio", "interest_burden"), ("interest_burden", "distress")}


def test_a_consequence_cannot_cause_the_outcome_its_causes_or_what_precedes_it():
    k = compile_knowledge(onto(CHAIN + """
        cx:y a cx:Outcome ; cx:inStage cx:S1 .
        cx:x a cx:Variable . cx:s a cx:Variable ; cx:isConsequenceOf cx:y .
        cx:x cx:influences cx:y ."""), ["a", "x", "y", "s"])
    for target in ("y", "x", "a"):  # the outcome, a claimed cause, an earlier stage
        assert ("s", target) in k.path_forbidden, target
    assert not k.is_forbidden("y", "s")
    assert "cx:s cx:isConsequenceOf cx:y" in k.explain("s", "x")


def test_does_not_influence_forbids_the_edge_but_not_paths():
    k = compile_knowledge(onto("""cx:a a cx:Variable . cx:b a cx:Variable .
        cx:a cx:doesNotInfluence cx:b ."""), ["a", "b"])
    assert k.is_forbidden("a", "b") and ("a", "b") not in k.path_forbidden
    assert (k.lingam_prior(["a", "b"]) == -1).all()


def test_lingam_prior_is_zero_exactly_where_paths_are_forbidden():
    k = compile_knowledge(onto(CHAIN), ["c", "a", "b"])
    prior = k.lingam_prior(["c", "a", "b"])
    idx = {"c": 0, "a": 1, "b": 2}
    zeros = {(cause, effect) for effect, cause in itertools.product(idx, idx)
             if prior[idx[effect], idx[cause]] == 0}
    assert zeros == set(k.path_forbidden)


@pytest.mark.parametrize("body, quoted", [
    ("cx:S0 cx:happensBefore cx:S1 . cx:S1 cx:happensBefore cx:S0 .",
     ["[cx:S0 cx:happensBefore cx:S1]", "[cx:S1 cx:happensBefore cx:S0]", "cycle"]),
    (CHAIN + "cx:c cx:influences cx:a .",
     ["[cx:c cx:influences cx:a]", "[cx:a cx:inStage cx:S0]", "[cx:c cx:inStage cx:S2]"]),
    ("cx:a a cx:Variable . cx:b a cx:Variable . cx:a cx:influences cx:b . "
     "cx:a cx:isConsequenceOf cx:b .",
     ["[cx:a cx:influences cx:b]", "[cx:a cx:isConsequenceOf cx:b]", "cycle"]),
    ("cx:a a cx:Variable . cx:b a cx:Variable . cx:a cx:influences cx:b . "
     "cx:a cx:doesNotInfluence cx:b .",
     ["[cx:a cx:influences cx:b]", "[cx:a cx:doesNotInfluence cx:b]"]),
    (CHAIN + "cx:a cx:isConsequenceOf cx:c .",
     ["[cx:a cx:isConsequenceOf cx:c]", "before"]),
    ("cx:a a cx:Variable ; cx:inStage cx:S0, cx:S1 .",
     ["[cx:a cx:inStage cx:S0]", "[cx:a cx:inStage cx:S1]"]),
])
def test_a_contradictory_ontology_names_the_statements_in_conflict(body, quoted):
    with pytest.raises(KnowledgeError) as err:
        compile_knowledge(onto(body), ["a", "b"])
    for text in quoted:
        assert text in str(err.value)


def test_undeclared_nodes_and_bad_literals_are_named():
    with pytest.raises(KnowledgeError, match=r"cx:zz is not declared"):
        compile_knowledge(onto("cx:a a cx:Variable . cx:a cx:influences cx:zz ."), ["a"])
    with pytest.raises(KnowledgeError, match=r"cx:S9 is neither a cx:Stage nor a variable"):
        compile_knowledge(onto("cx:S0 cx:happensBefore cx:S9 ."), ["a"])
    with pytest.raises(KnowledgeError, match=r"\[cx:a cx:isActionable \"yes\"\]"):
        compile_knowledge(onto('cx:a a cx:Variable ; cx:isActionable "yes" .'), ["a"])


def test_an_actionable_symptom_is_inert_and_an_error_only_when_strict(ontology):
    k = compile_knowledge(ontology, ["late_payments", "distress", "cash_buffer"])
    assert k.inert_levers == ("late_payments",)
    assert k.schema()["late_payments"].actionable
    with pytest.raises(KnowledgeError, match=r"cx:late_payments cx:isConsequenceOf cx:distress"):
        compile_knowledge(ontology, ["late_payments"], strict_actionability=True)


def test_unknown_columns_carry_no_knowledge(ontology):
    k = compile_knowledge(ontology, ["cash_buffer", "mystery", "distress"])
    assert k.unmapped == ("mystery",)
    assert not any("mystery" in pair for pair in k.forbidden)
    assert not k.schema()["mystery"].actionable


@pytest.mark.parametrize("name", [*LINEAR_SCENARIOS, "heterogeneous"])
def test_the_ontology_is_true_of_the_scenarios(ontology, name):
    """No true edge or path is forbidden, every asserted edge is true, and the
    actionability agrees with the scenario's own schema."""
    sc = make_scenario(name)
    cols = list(sc.scm.observed)
    k = compile_knowledge(ontology, cols)
    assert not k.unmapped
    g = sc.causal_graph
    for a, b in itertools.permutations(cols, 2):
        if g.has_edge(a, b):
            assert not k.is_forbidden(a, b), k.explain(a, b)
        if nx.has_path(g, a, b):
            assert (a, b) not in k.path_forbidden, k.explain(a, b)
    for a, b in k.asserted:
        assert g.has_edge(a, b)
    schema = k.schema(sc.features)
    for feature, action in sc.schema.features.items():
        assert schema[feature].actionable == action.actionable, feature
        assert schema[feature].direction == action.direction, feature
        for other, other_action in sc.schema.features.items():
            if action.tier is not None and other_action.tier is not None \
                    and action.tier < other_action.tier:
                assert (feature, other) not in k.path_forbidden, (feature, other)


# Graphs and scores ------------------------------------------------------------------------------
def test_shd_precision_and_recall_on_a_hand_built_graph():
    truth = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d")])
    est = MixedGraph.from_edges("abcd", directed=[("a", "b"), ("d", "a"), ("b", "d")],
                                undirected=[("b", "c")])
    s = edge_scores(est, truth)
    assert s["shd"] == 3  # b -- c undirected, a <- d reversed, b -> d extra
    assert s["skeleton_precision"] == pytest.approx(3 / 4)
    assert s["skeleton_recall"] == 1.0
    assert s["directed_precision"] == pytest.approx(1 / 3)
    assert s["directed_recall"] == pytest.approx(1 / 3)
    assert shd(MixedGraph.from_dag(truth), truth) == 0
    empty = MixedGraph("abcd")
    assert shd(empty, truth) == 3 and np.isnan(edge_scores(empty, truth)["directed_precision"])


def test_pag_marks_are_scored_by_their_arrowheads():
    truth = nx.DiGraph([("a", "b"), ("c", "b")])
    pag = MixedGraph("abc", {("a", "b"): ("o", ">"), ("b", "c"): (">", ">")})
    assert pag.kind("a", "b") == "->" and pag.kind("b", "c") == "<->"
    assert shd(pag, truth) == 1


def test_causallearn_endpoint_matrix_is_read_with_the_right_orientation():
    m = np.array([[0, -1, 2], [1, 0, 0], [2, 0, 0]])  # a -> b, a o-o c
    g = MixedGraph.from_causallearn(m, ["a", "b", "c"])
    assert g.kind("a", "b") == "->" and g.edge_text("a", "c") == "a o-o c"


def _random_dag(rng: np.random.Generator, n: int, p: float) -> nx.DiGraph:
    names = [f"x{i}" for i in range(n)]
    g = nx.DiGraph()
    g.add_nodes_from(names)
    g.add_edges_from((names[i], names[j]) for i in range(n) for j in range(i + 1, n)
                     if rng.random() < p)
    return g


@pytest.mark.parametrize("seed", range(8))
def test_cpdag_matches_causallearn_and_its_extensions_are_the_class(seed):
    from causallearn.graph.Dag import Dag
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.DAG2CPDAG import dag2cpdag

    dag = _random_dag(np.random.default_rng(seed), 6, 0.45)
    nodes = [GraphNode(v) for v in dag.nodes]
    cl = Dag(nodes)
    index = {v: i for i, v in enumerate(dag.nodes)}
    for a, b in dag.edges:
        cl.add_directed_edge(nodes[index[a]], nodes[index[b]])
    theirs = MixedGraph.from_causallearn(dag2cpdag(cl).graph, list(dag.nodes))
    ours = cpdag(dag)
    assert ours.marks == theirs.marks
    members = list(dag_extensions(ours))
    assert MixedGraph.from_dag(dag).marks in [m.marks for m in members]
    assert all(cpdag(m).marks == ours.marks for m in members)


def test_a_chain_has_three_extensions_and_meek_rule_one_orients_it():
    chain = MixedGraph.from_edges("abc", undirected=[("a", "b"), ("b", "c")])
    assert len(list(dag_extensions(chain))) == 3
    closed = meek_closure(chain.with_edge("a", "b", "->"))
    assert closed.kind("b", "c") == "->"


# Knowledge applied to graphs ----------------------------------------------------------------------
def test_apply_knowledge_orients_by_the_tiers_and_propagates():
    k = compile_knowledge(onto(CHAIN), ["a", "b", "c"])
    g = MixedGraph.from_edges("abc", directed=[("b", "a")], undirected=[("b", "c")])
    fixed, changes = apply_knowledge(g, k)
    assert fixed.directed() == {("a", "b"), ("b", "c")} and changes
    with pytest.raises(ValueError, match="PAG"):
        apply_knowledge(MixedGraph("ab", {("a", "b"): ("o", ">")}),
                        compile_knowledge(onto(CHAIN), ["a", "b"]))


@pytest.mark.parametrize("seed", range(6))
def test_knowledge_never_leaves_a_forbidden_edge(ontology, seed):
    """Whatever a search returns, the edited graph has no forbidden edge and no cycle."""
    rng = np.random.default_rng(seed)
    cols = list(make_scenario("firm_distress_toy").scm.observed)
    k = compile_knowledge(ontology, cols)
    marks = {}
    for a, b in itertools.combinations(cols, 2):
        if rng.random() < 0.5:
            marks[(a, b)] = [("-", ">"), (">", "-"), ("-", "-")][rng.integers(3)]
    fixed, _ = apply_knowledge(MixedGraph(tuple(cols), marks), k)
    assert not violations(fixed, k)
    assert all(not k.is_forbidden(a, b) for a, b in fixed.directed())
    assert nx.is_directed_acyclic_graph(fixed.directed_part())


@pytest.fixture(scope="module")
def toy_data():
    sc = make_scenario("firm_distress_toy")
    data = sc.scm.sample(1500, seed=7)
    return sc, data[list(np.random.default_rng(0).permutation(data.columns))]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_discovery_returns_a_graph_over_the_columns_that_obeys_the_knowledge(
        ontology, toy_data, algorithm):
    _, data = toy_data
    k = compile_knowledge(ontology, list(data.columns))
    plain = discover(data, algorithm, seed=0)
    with_k = discover(data, algorithm, k, seed=0)
    for d in (plain, with_k):
        assert d.graph.nodes == tuple(data.columns)
        assert d.algorithm == algorithm
    if algorithm != "FCI":
        assert with_k.graph.is_pdag()
    if algorithm == "DirectLiNGAM":
        assert with_k.graph.is_dag()
    assert not violations(with_k.graph, k)
    assert with_k.knowledge == ("post hoc" if algorithm == "GES" else "native")


def test_discovery_rejects_bad_input(ontology, toy_data):
    _, data = toy_data
    with pytest.raises(ValueError, match="unknown algorithm 'NOTEARS'; use one of"):
        discover(data, "NOTEARS")
    with pytest.raises(ValueError, match="alpha must be in"):
        discover(data, "PC", alpha=1.5)
    other = compile_knowledge(ontology, ["cash_buffer", "distress"])
    with pytest.raises(KnowledgeError, match="compile it for these columns"):
        discover(data, "PC", other)
    with pytest.raises(ValueError, match="missing or infinite values in \\['demand'\\]"):
        discover(data.assign(demand=np.nan), "PC")


def test_time_order_orients_what_the_data_leave_undirected(ontology):
    """Age and sector are causes of the levers: PC cannot orient those two edges from the
    data (no collider), the tiers do."""
    sc = make_scenario("non_actionable_correlated")
    data = sc.scm.sample(4000, seed=1)
    k = compile_knowledge(ontology, list(data.columns))
    plain, informed = discover(data, "PC"), discover(data, "PC", k)
    assert {frozenset(("firm_age", "cash_buffer")), frozenset(("sector_risk", "debt_ratio"))} \
        <= plain.graph.undirected()
    assert {("firm_age", "cash_buffer"), ("sector_risk", "debt_ratio")} <= informed.graph.directed()
    assert shd(informed.graph, sc.causal_graph) < shd(plain.graph, sc.causal_graph)


# Effects from graphs ----------------------------------------------------------------------------
def test_effect_from_the_true_graph_recovers_the_closed_form():
    sc = make_scenario("non_actionable_correlated")
    data = sc.scm.sample(20_000, seed=3)
    for feature in sc.features:
        r = effect_from_graph(data, sc.causal_graph, feature, sc.outcome)
        assert r.identified and r.status == "estimated"
        assert r.estimate == pytest.approx(total_effect_linear(sc.scm, feature, sc.outcome),
                                           abs=0.05)


def test_an_ambiguous_cpdag_is_flagged_and_a_symptom_has_no_path():
    sc = make_scenario("non_actionable_correlated")
    data = sc.scm.sample(2000, seed=0)
    pattern = cpdag(sc.causal_graph)
    r = effect_from_graph(data, pattern, "cash_buffer", "distress")
    assert r.n_extensions == 4 and not r.identified and r.low < r.high
    sym = make_scenario("symptom")
    d2 = sym.scm.sample(500, seed=0)
    r2 = effect_from_graph(d2, cpdag(sym.causal_graph), "late_payments", "distress")
    assert r2.status == "no causal path" and r2.estimate == 0.0 and r2.identified


def test_a_bidirected_edge_is_a_latent_confounder():
    data = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)), columns=["t", "m", "y"])
    confounded = MixedGraph.from_edges("tmy", directed=[("t", "m"), ("m", "y")],
                                       bidirected=[("t", "y")])
    r = effect_from_graph(data, confounded, "t", "y")
    assert r.status == "latent confounding" and np.isnan(r.estimate)
    blocked = MixedGraph.from_edges("tmy", directed=[("t", "y"), ("m", "y")],
                                    bidirected=[("t", "m")])
    r = effect_from_graph(data, blocked, "t", "y")
    assert r.status == "estimated" and r.adjustment_set == ("m",)


# The experiment ---------------------------------------------------------------------------------
def test_with_noise_keeps_weights_variances_and_effects():
    sc = make_scenario("symptom")
    lap = with_noise(sc, "laplace")
    x = lap.scm.sample(200_000, seed=0)
    g = sc.scm.sample(200_000, seed=0)
    assert x.var().to_numpy() == pytest.approx(g.var().to_numpy(), rel=0.03)
    u = x["cash_buffer"]
    assert ((u - u.mean()) ** 4).mean() / u.var() ** 2 == pytest.approx(6.0, rel=0.1)
    assert true_effects(lap, n=1000)["effect"].to_numpy() == pytest.approx(
        true_effects(sc, n=1000)["effect"].to_numpy(), abs=1e-12)
    assert with_noise(sc, "gaussian") is sc
    with pytest.raises(ValueError, match="not linear"):
        with_noise(make_scenario("heterogeneous"), "laplace")
    with pytest.raises(ValueError, match="unknown noise"):
        with_noise(sc, "cauchy")


def test_the_wrong_variants_compile_and_the_inconsistent_one_does_not(ontology):
    variants = knowledge_variants(ontology)
    cols = list(make_scenario("firm_distress_toy").scm.observed)
    for v in variants.values():
        if v is not None:
            compile_knowledge(v, cols)
    wrong = compile_knowledge(variants["wrong: late payments a cause"], cols)
    assert wrong.asserted[("late_payments", "distress")]
    with pytest.raises(KnowledgeError, match=r"cx:debt_ratio cx:influences cx:interest_burden"):
        compile_knowledge(edit_ontology(
            ontology, remove="cx:interest_burden cx:inStage cx:FinancingCost .",
            add="cx:interest_burden cx:inStage cx:Context ."), cols)


def test_a_small_benchmark_has_the_oracle_floors():
    b = benchmark(["firm_distress_toy"], sample_sizes=[400], seeds=[0], noises=["gaussian"],
                  algorithms=["PC"], n_truth=1000)
    s = shd_summary(b.graphs)
    # The toy's CPDAG leaves firm_age -- debt_ratio -- interest_burden undirected; the
    # ontology's time order orients both.
    assert s.loc[("gaussian", ORACLE, False, 400), "shd_mean"] == 2
    assert s.loc[("gaussian", ORACLE, True, 400), "shd_mean"] == 0
    assert (b.graphs.loc[b.graphs["knowledge"], "violations"] == 0).all()
    e = effect_summary(b.effects)
    assert set(e.index.get_level_values("algorithm")) == {"PC", ORACLE, "true graph"}
    assert e.loc[("gaussian", ORACLE, True, 400), "share_identified"] == 1.0
    assert "cash_buffer" not in set(  # confounded by the latent management quality
        b.effects.loc[(b.effects["algorithm"] == "true graph")
                      & b.effects["estimate"].notna(), "feature"])
    with pytest.raises(ValueError, match="not one of the linear scenarios"):
        benchmark(["heterogeneous"], sample_sizes=[100], seeds=[0])


def test_linear_scenarios_are_the_linear_ones():
    linear = {name for name in SCENARIOS if make_scenario(name).scm.weights is not None}
    assert set(LINEAR_SCENARIOS) == linear
    assert isinstance(make_scenario("symptom").scm, SCM)


def test_partial_correlation_matches_the_closed_form():
    # x -> z -> y with unit weights and noises: cov(x, y) = 1, var(y) = 3, so
    # corr(x, y) = 1 / sqrt(3), and
    # x and y are independent given z.
    rng = np.random.default_rng(0)
    x = rng.normal(size=400_000)
    z = x + rng.normal(size=x.size)
    y = z + rng.normal(size=x.size)
    data = pd.DataFrame({"x": x, "y": y, "z": z})
    from causalxai.knowledge import partial_correlation

    assert partial_correlation(data, "x", "y") == pytest.approx(1 / np.sqrt(3), abs=0.005)
    assert partial_correlation(data, "x", "y", ["z"]) == pytest.approx(0.0, abs=0.005)
    with pytest.raises(ValueError, match="'w' is not a column"):
        partial_correlation(data, "x", "w")


def test_summary_value_reads_one_cell_and_names_a_missing_row():
    from causalxai.knowledge.experiment import summary_value

    index = pd.MultiIndex.from_tuples([("gaussian", "PC", False, 500), ("gaussian", "PC", True, 500)],
                                      names=["noise", "algorithm", "knowledge", "n"])
    table = pd.DataFrame({"shd_mean": [4.5, 2.0], "skeleton_recall": [0.8, 0.8]}, index=index)
    assert summary_value(table, "gaussian", "PC", True, 500) == 2.0
    assert summary_value(table, "gaussian", "PC", False, 500, "skeleton_recall") == 0.8
    with pytest.raises(KeyError, match="no row"):
        summary_value(table, "laplace", "PC", True, 500)
    with pytest.raises(KeyError, match="'shd_max' is not in the summary"):
        summary_value(table, "gaussian", "PC", True, 500, "shd_max")


def test_ablation_mean_averages_over_seeds_of_one_variant():
    from causalxai.knowledge.experiment import ablation_mean

    effects = pd.DataFrame({"variant": ["correct", "correct", "none"], "feature": ["debt"] * 3,
                            "algorithm": ["PC"] * 3, "estimate": [1.0, 2.0, 7.0],
                            "identified": [True, False, True]})
    assert ablation_mean(effects, "correct", "debt") == 1.5
    assert ablation_mean(effects, "correct", "debt", "identified") == 0.5
    with pytest.raises(KeyError, match="algorithm 'GES'"):
        ablation_mean(effects, "correct", "debt", algorithm="GES")

"""Each strategy respects the schema and the budget, abstains clearly, and is scored."""

import numpy as np
import pytest

from causalxai.causal.actionability import ActionabilitySchema, SchemaError
from causalxai.prescribe.oracle import Truth, evaluate, oracle_actions, summarise
from causalxai.prescribe.strategies import (
    CatePerLever,
    CausalRecourse,
    NearestCounterfactual,
    PolicyTree,
    Problem,
    ShapGreedy,
)
from causalxai.synthetic.library import make_scenario


def _setup(name, n=1500, seed=0):
    sc = make_scenario(name)
    problem = Problem(sc.causal_graph, sc.schema, sc.outcome, tuple(sc.features))
    X, y = sc.sample(n, seed)
    truth = Truth.draw(sc.scm, 300, seed + 100, sc.outcome)
    return sc, problem, X, y, truth


def _all(sc):
    return [ShapGreedy(), NearestCounterfactual(), CatePerLever(),
            CausalRecourse(sc.scm), CausalRecourse(), CausalRecourse(n_models=5), PolicyTree()]


@pytest.fixture(scope="module")
def toy():
    return _setup("firm_distress_toy")


def test_every_strategy_respects_bounds_direction_actionability_and_budget(toy):
    sc, problem, X, y, truth = toy
    units, budget = truth.features(sc.features), 0.8
    for strategy in _all(sc):
        recs = strategy.fit(X, y, problem).recommend(units, budget)
        acted = recs[~recs["abstain"]]
        assert set(acted["feature"]) <= set(sc.schema.actionable()), strategy.name
        assert (acted["cost"] <= budget + 1e-9).all(), strategy.name
        for feature, rows in acted.groupby("feature"):
            spec = sc.schema[feature]
            delta = rows["new_value"] - rows["old_value"]
            assert ((rows["new_value"] >= spec.low) & (rows["new_value"] <= spec.high)).all()
            if spec.direction == "increase":
                assert (delta >= 0).all(), (strategy.name, feature)
            if spec.direction == "decrease":
                assert (delta <= 0).all(), (strategy.name, feature)
            np.testing.assert_allclose(rows["cost"], spec.unit_cost * delta.abs())
        assert (recs.loc[recs["abstain"], "reason"].str.len() > 0).all()


def test_a_budget_below_every_cost_gives_abstentions_not_a_crash(toy):
    sc, problem, X, y, truth = toy
    for strategy in _all(sc)[:4]:
        recs = strategy.fit(X, y, problem).recommend(truth.features(sc.features), 0.0)
        assert recs["abstain"].all(), strategy.name
        assert recs["reason"].str.contains("no lever is usable").all()


def test_population_budget_keeps_the_k_most_promising_units(toy):
    sc, problem, X, y, truth = toy
    recs = CausalRecourse(sc.scm).fit(X, y, problem).recommend(
        truth.features(sc.features), 1.0, k=25)
    assert (~recs["abstain"]).sum() == 25
    assert recs["reason"].str.contains("population budget").sum() == len(recs) - 25


def test_fitted_models_abstain_from_levers_that_are_not_identifiable():
    sc, problem, X, y, truth = _setup("unobserved_confounding")
    for strategy in (CatePerLever(), CausalRecourse(), CausalRecourse(n_models=5)):
        strategy.fit(X, y, problem)
        assert "short_time_work" in strategy.excluded_
        assert "not identifiable" in strategy.excluded_["short_time_work"]
        recs = strategy.recommend(truth.features(sc.features), 1.0)
        assert (recs.loc[~recs["abstain"], "feature"] == "cash_buffer").all()


def test_true_scm_recourse_matches_the_oracle_on_a_linear_model(toy):
    sc, problem, X, y, truth = toy
    units = truth.features(sc.features)
    recs = CausalRecourse(sc.scm).fit(X, y, problem).recommend(units, 1.0)
    scores = evaluate(recs, truth, oracle_actions(truth, sc.features, sc.schema, 1.0))
    assert scores["regret"].abs().max() < 1e-9
    np.testing.assert_allclose(recs["expected_change"], scores["true_change"])


def test_shap_greedy_regrets_more_than_causal_recourse_under_confounding():
    sc, problem, X, y, truth = _setup("observed_confounding", n=3000)
    units, budget = truth.features(sc.features), 1.0
    best = oracle_actions(truth, sc.features, sc.schema, budget)
    regret = {}
    for strategy in (ShapGreedy(), CausalRecourse(), CausalRecourse(n_models=5)):
        recs = strategy.fit(X, y, problem).recommend(units, budget)
        regret[strategy.name] = summarise(evaluate(recs, truth, best))["regret"]
    assert regret["shap_greedy"] > 3 * regret["recourse_fitted_scm"]
    assert regret["shap_greedy"] > 3 * regret["recourse_ensemble"]


def test_problem_errors_name_the_item():
    sc = make_scenario("mediator")
    with pytest.raises(ValueError, match="outcome 'nope' is not a node"):
        Problem(sc.causal_graph, sc.schema, "nope", tuple(sc.features))
    bad = ActionabilitySchema.from_dict({"features": {
        "ghost": {"actionable": True, "direction": "increase"}}})
    with pytest.raises(SchemaError, match=r"unknown feature.*'ghost'"):
        Problem(sc.causal_graph, bad, sc.outcome, tuple(sc.features))
    with pytest.raises(RuntimeError, match="not fitted"):
        ShapGreedy().recommend(sc.sample(5, 0)[0], 1.0)


def test_refitting_only_the_outcome_models_keeps_the_identification(toy):
    import copy

    _, problem, X, y, _ = toy
    cate = CatePerLever("linear").fit(X, y, problem)
    twin = copy.copy(cate).fit_outcome_models(X, y)
    assert twin.sets_ is cate.sets_ and twin.excluded_ is cate.excluded_
    for lever, (cols, coef) in cate.models_.items():
        assert twin.models_[lever][0] == cols
        np.testing.assert_allclose(twin.models_[lever][1], coef)
    half = copy.copy(cate).fit_outcome_models(X.iloc[::2], y.iloc[::2].to_numpy())
    assert half.models_.keys() == cate.models_.keys()
    assert not np.allclose(half.models_[next(iter(cate.models_))][1],
                           cate.models_[next(iter(cate.models_))][1])


def _heterogeneous_problem(n=3000, seed=0):
    """y = 1.5 * t * [z > 0.5] + noise: lowering t helps only where z > 0.5; z confounds t."""
    import networkx as nx

    from causalxai.causal.scm import SCM, Node

    scm = SCM([
        Node("z", ()),
        Node("w", ()),
        Node("t", ("z",), lambda p: 0.5 * p["z"]),
        Node("y", ("t", "z", "w"),
             lambda p: 1.5 * p["t"] * (p["z"] > 0.5) + 0.5 * p["z"] + 0.3 * p["w"]),
    ])
    schema = ActionabilitySchema.from_dict({"features": {
        "t": {"actionable": True, "direction": "decrease", "unit_cost": 1.0},
        "z": {"actionable": False}, "w": {"actionable": False}}})
    graph = nx.DiGraph([("z", "t"), ("t", "y"), ("z", "y"), ("w", "y")])
    problem = Problem(graph, schema, "y", ("z", "w", "t"))
    data = scm.sample(n, seed)
    return scm, problem, data[["z", "w", "t"]], data["y"].to_numpy()


def test_policy_tree_recovers_the_split_of_a_known_heterogeneous_effect():
    scm, problem, X, y = _heterogeneous_problem()
    strategy = PolicyTree(max_depth=2, cost_weight=0.2).fit(X, y, problem)
    units = scm.sample(400, 7)[["z", "w", "t"]]
    recs = strategy.recommend(units, 1.0)
    rule = strategy.rule("t")
    first = rule.splitlines()[0]
    assert first.startswith("if z <= "), rule
    assert abs(float(first.split("<=")[1].rstrip(":")) - 0.5) < 0.15, rule
    acted = ~recs["abstain"]
    # the truth: an action helps exactly where z > 0.5; the tree acts there and only there
    inside = units["z"].to_numpy() > 0.5
    margin = np.abs(units["z"].to_numpy() - 0.5) > 0.15
    assert (acted.to_numpy() == inside)[margin].mean() > 0.97
    assert (recs.loc[acted, "new_value"] <= recs.loc[acted, "old_value"]).all()
    assert (recs.loc[acted, "cost"] <= 1.0 + 1e-9).all()
    assert recs.loc[~acted, "reason"].str.contains("policy tree's rule").all()
    threshold = first.split("<= ")[1].rstrip(":")
    assert strategy.rule(one_line=True) == (f"if z <= {threshold} then no action, "
                                            f"else lower t by 1.00")


def test_policy_tree_abstains_on_a_budget_below_every_cost_and_unidentifiable_levers():
    _, problem, X, y = _heterogeneous_problem(800)
    recs = PolicyTree().fit(X, y, problem).recommend(X.iloc[:50], 0.0)
    assert recs["abstain"].all() and recs["reason"].str.contains("no lever is usable").all()
    sc, problem, X, y, truth = _setup("unobserved_confounding", n=800)
    strategy = PolicyTree().fit(X, y, problem)
    assert "not identifiable" in strategy.excluded_["short_time_work"]
    recs = strategy.recommend(truth.features(sc.features), 1.0)
    assert (recs.loc[~recs["abstain"], "feature"] == "cash_buffer").all()
    assert "cash_buffer" in strategy.rules_ and "short_time_work" not in strategy.rules_


def test_policy_tree_bad_input_names_the_parameter():
    for kwargs, word in (({"max_depth": 0}, "max_depth"), ({"cost_weight": -1}, "cost_weight"),
                         ({"min_samples_leaf": 0}, "min_samples_leaf"),
                         ({"learner": "forest"}, "learner")):
        with pytest.raises(ValueError, match=word):
            PolicyTree(**kwargs)
    _, problem, X, y = _heterogeneous_problem(300)
    with pytest.raises(ValueError, match="lever 'z' is not an actionable"):
        PolicyTree("z").fit(X, y, problem)
    with pytest.raises(RuntimeError, match="call fit"):
        PolicyTree().rule()
    strategy = PolicyTree(cost_weight=0.2).fit(X, y, problem)
    strategy.recommend(X.iloc[:20], 1.0)
    with pytest.raises(ValueError, match="no policy tree for lever 'w'"):
        strategy.rule("w")
    line = strategy.rule(one_line=True)
    assert "\n" not in line and ("no action" in line or "lower t by" in line), line


def _two_lever_problem(spread=0.0):
    """distress = z - a - 2 b + noise; a and b start at 0.2 and may rise to 0.7 (cost 1 per
    unit, budget 1). One lever alone gains at most 0.5 of it (its bound), so the optimum is
    to raise both by 0.5: improvement 0.5 + 2 * 0.5 = 1.5, against 1.0 for b alone. With a
    ``spread``, a and b vary around 0.2 (training data for a fitted SCM)."""
    import networkx as nx

    from causalxai.causal.scm import SCM, Node, normal, zero

    scm = SCM([
        Node("z", ()),
        Node("a", (), lambda p: 0.2, normal(spread) if spread else zero()),
        Node("b", (), lambda p: 0.2, normal(spread) if spread else zero()),
        Node("distress", ("z", "a", "b"), lambda p: p["z"] - p["a"] - 2 * p["b"], normal(0.3)),
    ])
    lever = {"actionable": True, "direction": "increase", "high": 0.7, "unit_cost": 1.0}
    schema = ActionabilitySchema.from_dict({"features": {
        "a": lever, "b": lever, "z": {"actionable": False}}})
    graph = nx.DiGraph([("z", "distress"), ("a", "distress"), ("b", "distress")])
    return scm, Problem(graph, schema, "distress", ("z", "a", "b"))


def test_the_known_two_lever_optimum_is_found_by_the_oracle_and_causal_recourse():
    scm, problem = _two_lever_problem()
    truth = Truth.draw(scm, 40, 1, "distress")
    X = truth.features(problem.features)
    single = oracle_actions(truth, problem.features, problem.schema, 1.0)
    np.testing.assert_allclose(single["improvement"], 1.0)
    assert (single["feature"] == "b").all()
    both = oracle_actions(truth, problem.features, problem.schema, 1.0, max_levers=2)
    np.testing.assert_allclose(both["improvement"], 1.5)
    assert (both["feature"] == "a").all() and (both["feature_2"] == "b").all()
    np.testing.assert_allclose(both[["new_value", "new_value_2"]], 0.7)
    np.testing.assert_allclose(both["cost"], 1.0)
    train = _two_lever_problem(spread=0.3)[0].sample(500, 2)
    for strategy in (CausalRecourse(scm, max_levers=2), CausalRecourse(max_levers=2)):
        recs = strategy.fit(train[list(problem.features)], train["distress"], problem
                            ).recommend(X, 1.0)
        assert not recs["abstain"].any()
        assert (recs["feature"] == "a").all() and (recs["feature_2"] == "b").all()
        assert (recs["cost"] <= 1.0 + 1e-9).all()
        scores = evaluate(recs, truth, both)
        np.testing.assert_allclose(scores["regret"], 0.0, atol=1e-9)
        assert scores["valid"].all()
    # the population budget and a budget below every cost still work with pairs
    recs = CausalRecourse(scm, max_levers=2).fit(
        train[list(problem.features)], train["distress"], problem).recommend(X, 1.0, k=5)
    assert (~recs["abstain"]).sum() == 5 and recs["feature_2"].notna().sum() == 5
    recs = CausalRecourse(scm, max_levers=2).fit(
        train[list(problem.features)], train["distress"], problem).recommend(X, 0.0)
    assert recs["abstain"].all()
    with pytest.raises(ValueError, match="max_levers must be 1 or 2"):
        CausalRecourse(max_levers=3)
    with pytest.raises(ValueError, match="max_levers must be 1 or 2"):
        oracle_actions(truth, problem.features, problem.schema, 1.0, max_levers=0)


def test_policy_tree_on_a_binary_lever_is_econmls_doubly_robust_tree():
    """t (0/1, confounded by z) lowers distress by 1 only where z > 0; switching it on costs
    1 at a price of 0.3: the rule switches it on exactly where z > 0, for units still at 0."""
    import networkx as nx

    from causalxai.causal.scm import SCM, Node

    scm = SCM([
        Node("z", ()),
        Node("t", ("z",), lambda p: 0.8 * p["z"], link="bernoulli_logit"),
        Node("y", ("t", "z"), lambda p: -1.0 * p["t"] * (p["z"] > 0) + 0.5 * p["z"]),
    ])
    schema = ActionabilitySchema.from_dict({"features": {
        "t": {"actionable": True, "direction": "increase", "unit_cost": 1.0},
        "z": {"actionable": False}}})
    problem = Problem(nx.DiGraph([("z", "t"), ("t", "y"), ("z", "y")]), schema, "y", ("z", "t"))
    data = scm.sample(4000, 0)
    strategy = PolicyTree(cost_weight=0.3).fit(data[["z", "t"]], data["y"], problem)
    units = scm.sample(400, 9)[["z", "t"]]
    recs = strategy.recommend(units, 1.0)
    first = strategy.rule("t").splitlines()[0]
    assert first.startswith("if z <= ") and abs(float(first.split("<=")[1].rstrip(":"))) < 0.3
    assert "-> t = 1" in strategy.rule("t") and "-> t = 0" in strategy.rule("t")
    acted = ~recs["abstain"].to_numpy()
    z, t = units["z"].to_numpy(), units["t"].to_numpy()
    assert (t[acted] == 0).all() and (recs.loc[acted, "new_value"] == 1).all()
    should = (z > 0) & (t == 0)
    margin = np.abs(z) > 0.3
    assert (acted == should)[margin].mean() > 0.95


def test_cate_change_is_the_lever_coefficient_times_the_shift_for_a_linear_learner():
    """Observed confounding is linear-Gaussian: with the linear learner the g-computation
    change of ``cash_buffer += d`` is the fitted coefficient times ``d``, for every unit,
    and close to the true effect."""
    sc, problem, X, y, _ = _setup("observed_confounding", n=20_000)
    model = CatePerLever("linear").fit(X, y, problem)
    cols, coef = model.models_["cash_buffer"]
    slope = coef[1 + list(cols).index("cash_buffer")]
    change = model.change("cash_buffer", X.iloc[:50], X["cash_buffer"].iloc[:50] + 0.5)
    np.testing.assert_allclose(change, 0.5 * slope, rtol=1e-9)
    from causalxai.causal.scm import total_effect_linear

    assert abs(slope - total_effect_linear(sc.scm, "cash_buffer", sc.outcome)) < 0.05

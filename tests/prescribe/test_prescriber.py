"""The Prescriber: scikit-learn conventions, clear errors, agreement with what it wraps,
and prescriptions that beat SHAP-greedy against the true SCM."""

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import causalxai
from causalxai.causal.actionability import ActionabilitySchema, SchemaError
from causalxai.causal.problem import CausalProblem
from causalxai.estimate.sensitivity import robustness_value
from causalxai.predict.models import gbm
from causalxai.prescribe.oracle import Truth, evaluate, oracle_actions, summarise
from causalxai.prescribe.prescriber import GraphWarning, Prescriber
from causalxai.prescribe.strategies import CatePerLever, CausalRecourse, Problem, ShapGreedy
from causalxai.prescribe.structural import counterfactual_changes
from causalxai.synthetic.library import make_scenario


def _data(name, n=1500, seed=0):
    sc = make_scenario(name)
    X, y = sc.sample(n, seed)
    return sc, X, y


@pytest.fixture(scope="module")
def confounded():
    return _data("observed_confounding")


@pytest.fixture(scope="module")
def fitted(confounded):
    sc, X, y = confounded
    rx = Prescriber(graph=sc.causal_graph, actionability=sc.schema, outcome=sc.outcome,
                    n_bootstrap=10)
    return rx.fit(X, y)


def _rx(sc, **kw):
    params = {"graph": sc.causal_graph, "actionability": sc.schema, "outcome": sc.outcome,
              "n_bootstrap": 0, **kw}
    return Prescriber(**params)


# scikit-learn conventions ---------------------------------------------------------------------
def test_top_level_export_and_parameters_stored_untouched(confounded):
    sc, _X, _y = confounded
    assert causalxai.Prescriber is Prescriber
    rx = Prescriber(graph=sc.causal_graph, actionability="not even parsed yet", outcome="x",
                    estimator="nonsense")
    assert rx.actionability == "not even parsed yet" and rx.estimator == "nonsense"
    assert not hasattr(rx, "effects_")


def test_clone_get_and_set_params_round_trip(confounded, fitted):
    _sc, X, y = confounded
    twin = clone(fitted)
    assert twin.get_params().keys() == fitted.get_params().keys()
    assert twin.get_params()["graph"] is fitted.get_params()["graph"] or nx.utils.graphs_equal(
        twin.graph, fitted.graph)
    assert not hasattr(twin, "effects_")
    refit = twin.fit(X, y)
    assert refit is twin
    pd.testing.assert_frame_equal(twin.effects(), fitted.effects())
    twin.set_params(goal="increase", n_bootstrap=3)
    assert twin.get_params()["goal"] == "increase" and twin.n_bootstrap == 3


# errors, each naming the thing --------------------------------------------------------------
@pytest.mark.parametrize("change, match", [
    ({"estimator": "best"}, "estimator must be one of"),
    ({"learner": "forest"}, "learner must be one of"),
    ({"goal": "sideways"}, "goal must be one of"),
    ({"prefit": "yes"}, "prefit must be"),
    ({"n_bootstrap": -1}, "n_bootstrap must be an integer"),
    ({"alpha": 2.0}, "alpha must lie in"),
    ({"graph": None}, "graph is required"),
    ({"graph": "a -> b"}, "graph must be a networkx.DiGraph or a CausalProblem"),
    ({"actionability": None}, "actionability is required"),
    ({"outcome": None}, "outcome is required"),
    ({"estimator": "recourse", "latent": ("sector_demand",)}, "latent"),
])
def test_bad_parameters_are_named_in_fit(confounded, change, match):
    sc, X, y = confounded
    with pytest.raises(ValueError, match=match):
        _rx(sc).set_params(**change).fit(X, y)


def test_bad_data_is_named(confounded):
    sc, X, y = confounded
    rx = _rx(sc)
    with pytest.raises(ValueError, match="X must be a pandas DataFrame"):
        rx.fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="one value per row of X"):
        rx.fit(X, y[:-1])
    with pytest.raises(ValueError, match="column 'cash_buffer' of X has 1 missing values"):
        rx.fit(X.assign(cash_buffer=X["cash_buffer"].where(X.index != 3)), y)
    with pytest.raises(ValueError, match="column 'debt_ratio' of X must be numeric"):
        rx.fit(X.assign(debt_ratio=X["debt_ratio"].astype(str)), y)
    with pytest.raises(ValueError, match="y has 1 missing values"):
        rx.fit(X, y.where(y.index != 5))


def test_graph_and_schema_errors_are_named(confounded):
    sc, X, y = confounded
    with pytest.raises(ValueError, match="feature 'extra' of the model is not a node"):
        _rx(sc).fit(X.assign(extra=1.0), y)
    with pytest.raises(ValueError, match="graph node 'sector_demand' is neither a column"):
        schema = ActionabilitySchema({k: v for k, v in sc.schema.features.items()
                                      if k != "sector_demand"})
        _rx(sc, actionability=schema).fit(X.drop(columns="sector_demand"), y)
    cyclic = nx.DiGraph(sc.causal_graph)
    cyclic.add_edge("distress", "sector_demand")
    with pytest.raises(ValueError, match="graph has a cycle"):
        _rx(sc, graph=cyclic).fit(X, y)
    ghost = ActionabilitySchema.from_dict({"features": {
        "ghost": {"actionable": True, "direction": "increase"}}})
    with pytest.raises(SchemaError, match=r"unknown feature.*'ghost'"):
        _rx(sc, actionability=ghost).fit(X, y)
    frozen = ActionabilitySchema.from_dict({"features": {"debt_ratio": {}}})
    with pytest.raises(SchemaError, match="makes no feature actionable"):
        _rx(sc, actionability=frozen).fit(X, y)


def test_unfitted_use_and_missing_prescriptions_are_errors(confounded, fitted):
    sc, X, y = confounded
    with pytest.raises(NotFittedError, match="call fit"):
        _rx(sc).effects()
    with pytest.raises(ValueError, match="prefit=True but the model"):
        _rx(sc, model=LinearRegression(), prefit=True).fit(X, y)
    with pytest.raises(RuntimeError, match="call prescribe"):
        clone(fitted).fit(X, y).report()
    with pytest.raises(ValueError, match="budget must be finite"):
        fitted.prescribe(X.head(), budget=-1)


# any scikit-learn model -----------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: LogisticRegression(),
    lambda: GradientBoostingClassifier(n_estimators=20, random_state=0),
    lambda: gbm("classification", n_estimators=30),
    lambda: make_pipeline(StandardScaler(), LogisticRegression()),
])
def test_works_with_classifiers_and_pipelines(confounded, make):
    sc, X, y = confounded
    label = (y > y.median()).astype(int)
    model = make()
    rx = _rx(sc, model=model).fit(X, label)
    assert rx.model_ is not model and list(rx.feature_names_in_) == list(X.columns)
    recs = rx.prescribe(X.head(20), budget=1.0)
    assert recs["predicted_outcome"].between(0, 1).all()
    np.testing.assert_allclose(recs["predicted_outcome"],
                               rx.model_.predict_proba(X.head(20))[:, 1])
    explained = rx.explain(X.head(8), n_background=20, n_permutations=8)
    assert explained.values.shape == (8, X.shape[1])
    assert explained.features["label"].to_dict() == rx.labels_["label"].to_dict()


def test_a_fitted_model_is_reused_not_refitted(confounded):
    sc, X, y = confounded
    model = GradientBoostingRegressor(n_estimators=10, random_state=0).fit(X, y)
    rx = _rx(sc, model=model).fit(X, y)
    assert rx.model_ is model
    assert _rx(sc, model=model, prefit=False).fit(X, y).model_ is not model


def test_tree_shap_of_the_model_adds_up_to_its_prediction(fitted, confounded):
    _sc, X, _y = confounded
    explained = fitted.explain(X.head(30))
    total = explained.values.sum(axis=1) + explained.values.attrs["base_value"]
    np.testing.assert_allclose(total, fitted.model_.predict(X.head(30)), atol=1e-6)


# agreement with the lower-level functions -----------------------------------------------------
def test_prescriptions_are_the_wrapped_strategy_s(confounded, fitted):
    sc, X, y = confounded
    units = X.tail(200)
    problem = Problem(sc.causal_graph, sc.schema, sc.outcome, tuple(sc.features))
    direct = CausalRecourse().fit(X, y, problem).recommend(units, 1.0)
    ours = fitted.prescribe(units, budget=1.0)
    assert fitted.strategy_name_ == "recourse"
    pd.testing.assert_frame_equal(ours[direct.columns].drop(columns=["lower", "upper"]),
                                  direct.drop(columns=["lower", "upper"]))
    acted = ours[~ours["abstain"]]
    assert (acted["lower"] <= acted["expected_change"] + 1e-9).all()
    assert (acted["expected_change"] <= acted["upper"] + 1e-9).all()


def test_a_causal_problem_is_accepted_by_the_strategies(confounded):
    sc, X, y = confounded
    problem = CausalProblem(sc.causal_graph, sc.outcome, features=sc.features, schema=sc.schema)
    via_causal = CausalRecourse().fit(X, y, problem).recommend(X.head(50), 1.0)
    plain = Problem(sc.causal_graph, sc.schema, sc.outcome, tuple(sc.features))
    pd.testing.assert_frame_equal(via_causal,
                                  CausalRecourse().fit(X, y, plain).recommend(X.head(50), 1.0))


def _one_unit_shift(X, schema, lever):
    """The allowed one-unit shift of ``lever`` on every row (stopped at the bounds)."""
    step = 1.0 if schema[lever].direction == "increase" else -1.0
    old, spec = X[lever].to_numpy(), schema[lever]
    return np.clip(old + step, np.minimum(spec.low, old), np.maximum(spec.high, old)) - old


def test_effects_are_g_computation_with_the_robustness_value_of_the_ols(confounded):
    sc, X, y = confounded
    table = _rx(sc, estimator="cate", n_bootstrap=10).fit(X, y).effects()
    assert set(table.index) == set(sc.schema.actionable())
    problem = Problem(sc.causal_graph, sc.schema, sc.outcome, tuple(sc.features))
    cate = CatePerLever("linear").fit(X, y, problem)
    for lever in table.index:
        z = sorted(cate.sets_[lever])
        design = np.column_stack([np.ones(len(X)), X[[lever, *z]].to_numpy(float)])
        coef, *_ = np.linalg.lstsq(design, y.to_numpy(), rcond=None)
        step = 1.0 if sc.schema[lever].direction == "increase" else -1.0
        # linear g-computation of a one-unit shift: the coefficient times the mean change
        # (a shift stops at the bound and never pushes a unit already beyond it further)
        old, spec = X[lever].to_numpy(), sc.schema[lever]
        new = np.clip(old + step, np.minimum(spec.low, old), np.maximum(spec.high, old))
        moved = new != old
        assert table.loc[lever, "effect"] == pytest.approx(
            coef[1] * (new - old)[moved].mean(), rel=1e-6)
        resid = y.to_numpy() - design @ coef
        dof = len(X) - design.shape[1]
        se = np.sqrt(resid @ resid / dof * np.linalg.inv(design.T @ design)[1, 1])
        assert table.loc[lever, "robustness_value"] == pytest.approx(
            robustness_value(coef[1] / se, dof), rel=1e-6)
        assert table.loc[lever, "lower"] <= table.loc[lever, "effect"] <= table.loc[lever, "upper"]
    # the truth: cash buffer's own effect is -0.2 per unit, debt ratio's 0.4 (lowered: -0.4)
    assert table.loc["cash_buffer", "adjustment_set"] == ("sector_demand",)


def test_recourse_effects_are_the_fitted_scm_s_total_effect(confounded, fitted):
    sc, X, _y = confounded
    table = fitted.effects()
    scm = fitted.strategy_.models_[0]
    for lever in table.index:
        shift = _one_unit_shift(X, sc.schema, lever)
        one = X.head(1)
        total = counterfactual_changes(scm, one, sc.outcome,
                                       [(lever, one[lever].to_numpy(float) + 1.0)])[0][0]
        assert table.loc[lever, "effect"] == pytest.approx(
            total * shift[shift != 0].mean(), rel=1e-9)


@pytest.mark.parametrize("estimator", ["recourse", "cate"])
def test_card_prescription_and_effects_share_one_interval(confounded, estimator):
    """A unit's row is the effects table's effect and interval at the unit's own shift
    (linear learner: the change is proportional to the shift, draw by draw)."""
    sc, X, y = confounded
    rx = _rx(sc, estimator=estimator, n_bootstrap=10).fit(X, y)
    table = rx.effects()
    recs = rx.prescribe(X.head(40), budget=1.0)
    acted = recs[~recs["abstain"]]
    assert len(acted) and acted["feature"].nunique() >= 1
    for unit, row in acted.iterrows():
        lever = row["feature"]
        shift = _one_unit_shift(X, sc.schema, lever)
        ratio = (row["new_value"] - row["old_value"]) / shift[shift != 0].mean()
        effect, low, high = table.loc[lever, ["effect", "lower", "upper"]].to_numpy(float)
        if ratio < 0:
            low, high = high, low
        np.testing.assert_allclose(row[["expected_change", "lower", "upper"]].to_numpy(float),
                                   ratio * np.array([effect, low, high]), rtol=1e-9)
        card = rx.card(unit)
        assert (f"interval {row['lower']:+.3g} to {row['upper']:+.3g}" in card
                and f"{row['expected_change']:+.3g}" in card)


# end to end against the true SCM ----------------------------------------------------------
def test_prescriptions_regret_less_than_shap_greedy_in_the_true_scm():
    sc, X, y = _data("observed_confounding", n=3000)
    truth = Truth.draw(sc.scm, 400, 100, sc.outcome)
    units = truth.features(sc.features)
    best = oracle_actions(truth, sc.features, sc.schema, 1.0)
    ours = _rx(sc, n_bootstrap=5).fit(X, y).prescribe(units, budget=1.0)
    problem = Problem(sc.causal_graph, sc.schema, sc.outcome, tuple(sc.features))
    greedy = ShapGreedy().fit(X, y, problem).recommend(units, 1.0)
    ours_regret = summarise(evaluate(ours, truth, best))["regret"]
    greedy_regret = summarise(evaluate(greedy, truth, best))["regret"]
    assert ours_regret < greedy_regret / 3


def test_a_latent_confounder_makes_the_lever_abstain():
    sc, X, y = _data("unobserved_confounding")
    rx = _rx(sc, n_bootstrap=3).fit(X, y)
    assert rx.strategy_name_ == "cate"
    row = rx.effects().loc["short_time_work"]
    assert not row["identified"] and row["abstain"] and np.isnan(row["effect"])
    assert "not identifiable" in row["reason"] and row["adjustment_set"] is None
    recs = rx.prescribe(X.head(100), budget=1.0)
    assert (recs.loc[~recs["abstain"], "feature"] != "short_time_work").all()
    assert "short_time_work (not identifiable" in rx.card(X.index[0])


def test_nothing_identifiable_abstains_everywhere_with_the_reason():
    rng = np.random.default_rng(0)
    u = rng.normal(size=800)
    a = u + rng.normal(size=800)
    X, y = pd.DataFrame({"a": a}), pd.Series(a - 2 * u + rng.normal(size=800))
    graph = nx.DiGraph([("U", "a"), ("U", "y"), ("a", "y")])
    schema = {"features": {"a": {"actionable": True, "direction": "both"}}}
    rx = Prescriber(graph=graph, actionability=schema, outcome="y", latent=("U",),
                    n_bootstrap=0).fit(X, y)
    recs = rx.prescribe(X.head(30), budget=5.0)
    assert recs["abstain"].all()
    assert recs["reason"].str.startswith("no lever's effect is identifiable (a: ").all()
    assert "No recommendation" in rx.card(X.index[0])


def test_a_budget_below_every_cost_abstains(fitted, confounded):
    _sc, X, _y = confounded
    recs = fitted.prescribe(X.head(40), budget=0.0)
    assert recs["abstain"].all() and recs["reason"].str.contains("no lever is usable").all()
    np.testing.assert_allclose(recs["expected_outcome"], recs["predicted_outcome"])
    report = fitted.report()
    assert len(report) == 40 and report["abstain"].all()


def test_report_and_card_say_what_to_change(fitted, confounded):
    _sc, X, _y = confounded
    recs = fitted.prescribe(X.head(10), budget=1.0)
    unit = recs.index[~recs["abstain"]][0]
    card = fitted.card(unit)
    assert recs.loc[unit, "action"] in card and "95 % interval" in card
    assert "cannot tell" in card
    with pytest.raises(KeyError, match="unit 'nope'"):
        fitted.card("nope")
    assert list(fitted.report()["unit"]) == list(X.head(10).index)


# the graph against the data, now and later --------------------------------------------------
def test_a_wrong_graph_is_flagged_naming_the_violated_independence(confounded):
    sc, X, y = confounded
    wrong = nx.DiGraph(sc.causal_graph)
    wrong.remove_edge("sector_demand", "cash_buffer")
    with pytest.warns(GraphWarning, match="cash_buffer ⊥ sector_demand|sector_demand ⊥ "
                                          "cash_buffer"):
        _rx(sc, graph=wrong).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GraphWarning)
        _rx(sc).fit(X, y)


def test_monitor_flags_the_mechanism_that_moved(fitted):
    sc = make_scenario("observed_confounding")
    X_new, y_new = sc.sample(2000, 7)
    calm = fitted.monitor(X_new, y_new)
    assert not calm["moved"].any()
    shocked = fitted.monitor(X_new.assign(cash_buffer=X_new["cash_buffer"] + 0.5), y_new)
    moved = shocked.loc[shocked["moved"], "assumption"].tolist()
    assert "mechanism of cash_buffer given sector_demand" in moved
    assert not any("debt_ratio" in m and "mechanism" in m for m in moved)
    no_outcome = fitted.monitor(X_new)
    assert not no_outcome["assumption"].str.contains("distress").any()


def test_linear_shortcut_of_the_intervals_matches_the_full_counterfactuals(confounded, fitted):
    _, X, _ = confounded
    fast = fitted.prescribe(X.head(200), budget=1.0)
    slow = Prescriber._linear_in_lever
    try:
        Prescriber._linear_in_lever = lambda self, lever: False
        full = fitted.prescribe(X.head(200), budget=1.0)
    finally:
        Prescriber._linear_in_lever = slow
    np.testing.assert_allclose(fast[["lower", "upper"]], full[["lower", "upper"]], atol=1e-12)


def test_m_out_of_n_bootstrap_gives_intervals_of_the_full_bootstrap_s_width(confounded):
    sc, X, y = confounded
    full = _rx(sc, n_bootstrap=30).fit(X, y).effects()
    part = _rx(sc, n_bootstrap=30, bootstrap_rows=300).fit(X, y).effects()
    width = (full["upper"] - full["lower"]) / (part["upper"] - part["lower"])
    assert width.between(0.5, 2).all()
    assert ((part["lower"] <= part["effect"]) & (part["effect"] <= part["upper"])).all()
    pd.testing.assert_series_equal(full["effect"], part["effect"])


# the population budget ------------------------------------------------------------------------
def test_the_population_budget_keeps_the_largest_improvements(confounded, fitted):
    _sc, X, _y = confounded
    units = X.tail(200)
    full = fitted.prescribe(units, budget=1.0)
    ours = fitted.prescribe(units, budget=1.0, k=30)
    kept = ~ours["abstain"]
    assert kept.sum() == 30
    gain = -full["expected_change"]  # goal: decrease
    dropped = ~full["abstain"] & ~kept
    assert gain[kept].min() >= gain[dropped].max() - 1e-9
    assert ours.loc[dropped, "reason"].eq("outside the population budget (k = 30)").all()
    pd.testing.assert_frame_equal(ours[kept], full[kept])


def test_ties_of_a_constant_effect_go_to_the_units_predicted_worst_off():
    # a linear world with a 0/1 lever: switching it on lowers y by 1 for everybody, so every
    # untreated unit ties; the population budget must treat the k units predicted worst
    rng = np.random.default_rng(3)
    z = rng.normal(size=600)
    t = (rng.random(600) < 0.3).astype(float)
    X = pd.DataFrame({"t": t, "z": z})
    y = pd.Series(2.0 * z - t + rng.normal(scale=0.1, size=600))
    graph = nx.DiGraph([("z", "t"), ("z", "y"), ("t", "y")])
    schema = {"features": {"t": {"actionable": True, "direction": "increase", "low": 0,
                                 "high": 1, "unit_cost": 1.0}}}
    rx = Prescriber(LinearRegression(), graph=graph, actionability=schema, outcome="y",
                    n_bootstrap=0).fit(X, y)
    untreated = X[X["t"] == 0]
    full = rx.prescribe(untreated, budget=1.0)
    gains = full.loc[~full["abstain"], "expected_change"]
    assert len(gains) == len(untreated) and np.ptp(gains) < 1e-9  # all tie
    recs = rx.prescribe(untreated, budget=1.0, k=25)
    chosen = recs.index[~recs["abstain"]]
    worst = rx.model_.predict(untreated).argsort()[::-1][:25]  # goal: decrease y
    assert set(chosen) == set(untreated.index[worst])
    up = Prescriber(LinearRegression(), graph=graph, actionability=schema, outcome="y",
                    goal="increase", n_bootstrap=0).fit(X, -y)  # the same, seen upside down
    flipped = up.prescribe(untreated, budget=1.0, k=25)
    assert set(flipped.index[~flipped["abstain"]]) == set(chosen)

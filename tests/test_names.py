"""One mapping of human names: every method and foreseeable strategy, features, columns, fallbacks."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from causalxai.estimate.effects import METHODS as EFFECT_METHODS
from causalxai.estimate.effects import AllColumnsDML, DoWhyBackdoor
from causalxai.names import (
    column_name,
    column_quantity,
    display_name,
    feature_name,
    humanize,
    method_name,
    rename,
)
from causalxai.synthetic.library import SCENARIOS, make_scenario


@pytest.mark.parametrize(("name", "expected"), [
    ("ShapSlope", "SHAP slope"),
    ("PartialDependence", "Partial dependence"),
    ("NaiveRegression", "Naive regression"),
    ("AllColumnsRegression", "All-columns regression"),
    ("AllColumnsDML[linear]", "All-columns double ML (linear)"),
    ("AllColumnsDML[forest]", "All-columns double ML (forest)"),
    ("GraphDML[linear]", "Graph double ML (linear)"),
    ("GraphDML[forest]", "Graph double ML (forest)"),
    ("DoWhyBackdoor", "DoWhy back-door"),
    ("DoWhyBackdoor[propensity_score_weighting]", "DoWhy back-door (propensity weighting)"),
    ("DoWhyBackdoor[some_new_estimator]", "DoWhy back-door (some new estimator)"),
    # prescription strategies, in either spelling
    ("ShapGreedy", "SHAP-greedy"), ("shap_greedy", "SHAP-greedy"),
    ("NearestCounterfactual", "Nearest counterfactual"),
    ("CatePerLever", "CATE per lever"), ("cate_per_lever", "CATE per lever"),
    ("CausalRecourse", "Causal recourse"), ("PolicyTree", "Policy tree"),
    ("Oracle", "Oracle"),
])
def test_method_and_strategy_names(name, expected):
    assert method_name(name) == expected
    assert display_name(name) == expected


def test_every_method_of_the_effects_module_has_a_human_name():
    instances = [f() for f in EFFECT_METHODS.values()]
    instances += [AllColumnsDML("forest"),
                  DoWhyBackdoor("backdoor.propensity_score_weighting")]
    for method in instances:
        shown = method_name(method.name)
        assert "[" not in shown and "_" not in shown and shown != method.name, method.name
        assert shown[0].isupper()
    assert len({method_name(m.name) for m in instances}) == len(instances)  # no two alike


def test_every_feature_of_the_scenario_library_reads_as_words():
    for name in SCENARIOS:
        sc = make_scenario(name)
        for feature in [*sc.features, sc.outcome]:
            shown = feature_name(feature, sc.name)
            assert "_" not in shown and shown[0].isupper(), (name, feature, shown)
    assert feature_name("short_time_work") == "Short-time work"
    assert feature_name("economy", "subscriber_retention") == "Economy (index)"
    assert feature_name("economy") == "Economy"  # the override is for its context only


@pytest.mark.parametrize(("name", "expected"), [
    ("stw_hours", "Short-time work hours"),
    ("age_years", "Firm age (years)"),
    ("sector_arrears_ratio_chg3", "Sector arrears ratio, 3-month change"),
    ("sector_hc_growth_chg6", "Sector headcount growth, 6-month change"),
    ("arrears_ratio_lag3", "Arrears ratio, 3 months before"),
    ("stw_hours_mean6", "Short-time work hours, 6-month mean"),
    ("arrears_ratio_slope12", "Arrears ratio, 12-month slope"),
    ("arrears_ratio_std3", "Arrears ratio, 3-month volatility"),
    ("re78", "Earnings 1978"), ("qsmk", "Quit smoking"),
])
def test_firm_simulator_and_real_data_features(name, expected):
    assert feature_name(name) == expected


@pytest.mark.parametrize(("name", "header", "quantity"), [
    ("median_rel_error", "Median relative error", "percent"),
    ("sign_rate", "Right sign", "percent"),
    ("abstained_when_it_should", "Abstained when it should", "percent"),
    ("roc_auc_3", "ROC-AUC, 3 months", "auc"),
    ("pr_auc_18", "PR-AUC, 18 months", "auc"),
    ("brier_12", "Brier score, 12 months", "score"),
    ("p_value", "p-value", "pvalue"),
    ("seconds", "Time (s)", "seconds"),
    ("n_rows", "Rows", "count"),
    ("sha256", "SHA-256", None),
])
def test_column_headers_and_quantities(name, header, quantity):
    assert column_name(name) == header
    assert column_quantity(name) == quantity


def test_column_name_without_unit():
    assert column_name("seconds", unit=False) == "Time"


@pytest.mark.parametrize(("name", "expected"), [
    ("cash_buffer", "Cash buffer"),
    ("shap_rank_of_x", "SHAP rank of x"),
    ("n_alerts", "Number of alerts"),
    ("FooBarDML[x]", "Foo bar double ML (x)"),
    ("Attr32", "Attr32"),  # the Polish ratios keep their names
    ("polish_bankruptcy/1year.arff", "polish_bankruptcy/1year.arff"),  # not an identifier
    ("95 % CI", "95 % CI"),
    ("", ""),
    (3, "3"), (None, "None"), (("a", "b"), "('a', 'b')"),
])
def test_unknown_names_fall_back_without_crashing(name, expected):
    assert humanize(name) == expected
    assert display_name(name) == expected


@given(st.one_of(st.text(max_size=30), st.integers(), st.none(), st.floats()))
def test_no_name_ever_crashes(name):
    for f in (humanize, method_name, feature_name, column_name, display_name):
        assert isinstance(f(name), str)


def test_rename_relabels_index_and_columns_but_not_cells():
    scored = pd.DataFrame(
        {"median_rel_error": [0.02, 0.25], "note": ["cash_buffer", "x"]},
        index=pd.Index(["GraphDML[linear]", "ShapSlope"], name="method"))
    out = rename(scored)
    assert list(out.index) == ["Graph double ML (linear)", "SHAP slope"]
    assert out.index.name == "Method"
    assert list(out.columns) == ["Median relative error", "Note"]
    assert out["Note"].tolist() == ["cash_buffer", "x"]  # cells untouched
    assert list(scored.columns) == ["median_rel_error", "note"]  # a copy


def test_rename_handles_multiindex_numbers_series_and_overrides():
    idx = pd.MultiIndex.from_tuples([("ShapSlope", "cash_buffer"), ("ShapSlope", "debt_ratio")],
                                    names=["method", "feature"])
    frame = pd.DataFrame({3: [1.0, 2.0]}, index=idx)
    out = rename(frame, overrides={"debt_ratio": "Debt (ratio to assets)"})
    assert list(out.index) == [("SHAP slope", "Cash buffer"),
                               ("SHAP slope", "Debt (ratio to assets)")]
    assert list(out.index.names) == ["Method", "Feature"]
    assert list(out.columns) == [3]  # a number is not a name
    series = pd.Series([1.0], index=["economy"], name="roc_auc")
    renamed = rename(series, "subscriber_retention")
    assert list(renamed.index) == ["Economy (index)"] and renamed.name == "ROC-AUC"
    ranged = rename(pd.DataFrame({"a_b": [1, 2]}))
    assert isinstance(ranged.index, pd.RangeIndex)
    with pytest.raises(ValueError, match="frame must be a pandas DataFrame or Series, got dict"):
        rename({"a": 1})


def test_every_scenario_name_reads_as_words():
    from causalxai.names import display_name

    shown = {name: display_name(name) for name in SCENARIOS}
    assert shown["non_actionable_correlated"] == "Non-actionable correlate"
    assert shown["unobserved_confounding"] == "Unobserved confounding"
    assert all("_" not in s and s[0].isupper() for s in shown.values()), shown

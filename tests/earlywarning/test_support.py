"""Tests for causalxai.earlywarning.support: themes of SHAP values, labels, ground truth, cross-section."""

from __future__ import annotations

import dataclasses
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.earlywarning.support import (
    SUPPORT_COLUMNS,
    THEMES,
    TREATMENTS,
    base_column,
    effects_vs_truth,
    estimate_measure_effects,
    explanation_card,
    feature_labels,
    firm_ground_truth,
    label_shares,
    model_features,
    pick_cards,
    sample_rows,
    support_cross_section,
    support_graph,
    target_ratios,
    theme_contributions,
    theme_importance,
    true_measure_effects,
)
from causalxai.earlywarning.support_plots import plot_effects_vs_truth
from causalxai.estimate.effects import GraphDML, NaiveRegression
from causalxai.firms import Config, FirmSimulator


@pytest.fixture(scope="module")
def panel():
    return FirmSimulator(Config.small()).simulate(seed=0)


@pytest.fixture(scope="module")
def cross_section(panel):
    return support_cross_section(panel, date="2020-06", baseline="2020-02", horizon=12)


def _shap_frame(columns, n=50, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, len(columns))), columns=columns,
                        index=pd.RangeIndex(100, 100 + n))


COLUMNS = [*SUPPORT_COLUMNS, "arrears_ratio_mean12", "stw_hours_lag3"]


# Themes and labels ------------------------------------------------------------------------
def test_theme_sums_equal_the_sum_of_member_shap_values():
    shap_values = _shap_frame(COLUMNS)
    themes = theme_contributions(shap_values)
    assert list(themes.columns) == list(THEMES)
    for theme in THEMES:
        members = [c for c in COLUMNS if feature_labels([c]).loc[c, "theme"] == theme]
        np.testing.assert_allclose(themes[theme], shap_values[members].sum(axis=1))
    np.testing.assert_allclose(themes.sum(axis=1), shap_values.sum(axis=1))
    importance = theme_importance(shap_values)
    social = ["arrears", "arrears_ratio", "arrears_ratio_mean12"]
    assert importance["social debt"] == pytest.approx(shap_values[social].abs().sum(axis=1).mean())
    assert importance.is_monotonic_decreasing
    labels = feature_labels(COLUMNS)
    shares = label_shares(shap_values, labels)
    np.testing.assert_allclose(shares.sum(axis=1), importance.loc[shares.index])
    # A custom mapping is honoured and must cover every column.
    two = theme_contributions(shap_values[["liquidity", "arrears"]], {"liquidity": "a",
                                                                       "arrears": "a"})
    np.testing.assert_allclose(two["a"], shap_values["liquidity"] + shap_values["arrears"])
    with pytest.raises(ValueError, match="no theme for column"):
        theme_contributions(shap_values[["liquidity"]], {"arrears": "a"})


def test_labels_and_themes_follow_the_graph():
    labels = feature_labels(COLUMNS)
    assert labels.loc["arrears_ratio", "label"] == "symptom"
    assert labels.loc["payment_score", "label"] == "symptom"
    assert labels.loc["liquidity", "label"] == "unobserved confounding"
    assert labels.loc["sector", "label"] == "not actionable"
    # A history feature inherits its base column's node, theme and label.
    for column, base in (("arrears_ratio_mean12", "arrears_ratio"), ("stw_hours_lag3", "stw_hours")):
        assert base_column(column) == base
        assert (labels.loc[column, ["node", "theme", "label"]]
                == labels.loc[base, ["node", "theme", "label"]]).all()
    assert labels.loc["arrears", "node"] == "arrears_ratio"
    with pytest.raises(ValueError, match=re.escape("'fs_year'")):
        base_column("fs_year")
    with pytest.raises(ValueError, match="payment_score_mean3"):
        base_column("payment_score_mean3")


def test_explanation_card_ranks_a_firms_themes():
    shap_values = _shap_frame(COLUMNS)
    X = _shap_frame(COLUMNS, seed=1)
    labels = feature_labels(COLUMNS)
    card = explanation_card(shap_values, X, labels, 105, top_features=2)
    np.testing.assert_allclose(card["contribution"],
                               theme_contributions(shap_values).loc[105, card.index])
    assert card["contribution"].is_monotonic_decreasing
    assert card["share"].sum() == pytest.approx(1.0)
    top = shap_values.loc[105, ["liquidity", "indebtedness", "profitability",
                                "investment_rate"]].abs().idxmax()
    assert card.loc["finance", "features"].startswith(f"{top} = ")
    assert card.loc["finance", "features"].count(" | ") == 1
    with pytest.raises(ValueError, match="row"):
        explanation_card(shap_values, X, labels, 1)


def test_pick_cards_takes_the_riskiest_firm_of_each_top_theme():
    contributions = theme_contributions(_shap_frame(COLUMNS, n=200))
    scores = pd.Series(np.random.default_rng(3).random(200), index=contributions.index)
    picked = pick_cards(scores, contributions)
    top = contributions.idxmax(axis=1)
    assert set(picked) == set(top)
    for theme, row in picked.items():
        assert top[row] == theme
        assert scores[row] == scores[top == theme].max()
    with pytest.raises(ValueError, match="same index"):
        pick_cards(scores.iloc[1:], contributions)


def test_model_rows_and_features(panel):
    rows = sample_rows(panel, "2016-01", "2018-12", every=3)
    months = panel.features.loc[rows, "month"]
    assert set(months.dt.month) == {1, 4, 7, 10}
    assert months.min() >= pd.Timestamp("2016-01") and months.max() <= pd.Timestamp("2018-10")
    assert not panel.features.loc[rows].duplicated(["firm_id", "month"]).any()
    X = model_features(panel, rows)
    assert list(X.columns[:len(SUPPORT_COLUMNS)]) == list(SUPPORT_COLUMNS)
    codes = panel.features.loc[rows, "sector"].cat.codes.to_numpy()
    np.testing.assert_array_equal(X["sector"].to_numpy(), codes)
    labels = feature_labels(X.columns)
    assert set(labels["theme"]) == set(THEMES)
    with pytest.raises(ValueError, match="every"):
        sample_rows(panel, "2016-01", "2018-12", every=5)


# Ground truth -----------------------------------------------------------------------------
def test_firm_ground_truth_is_the_panels_truth(panel):
    gt = firm_ground_truth(panel, "2020-06", horizon=12)
    at = panel.features["month"] == pd.Timestamp("2020-06")
    assert len(gt) == at.sum() and (gt["month"] == pd.Timestamp("2020-06")).all()
    np.testing.assert_array_equal(gt["health"], panel.truth.loc[at, "health"])
    np.testing.assert_allclose(gt["p_fail"], panel.failure_probability(12)[at])
    # Closed form for one firm: 1 - prod(1 - hazard) over the 12 months after June 2020.
    firm = int(gt["firm_id"].iloc[7])
    t = list(panel.months).index(pd.Timestamp("2020-06"))
    for world, column in (("observed", "p_fail"), ("no_deferral", "p_fail_no_deferral")):
        h = panel.hazards[world][t + 1:t + 13, firm].astype(float)
        assert gt.loc[gt["firm_id"] == firm, column].iloc[0] == pytest.approx(1 - np.prod(1 - h))
    for measure in ("short_time_work", "guaranteed_loans", "deferral", "courts", "covid"):
        np.testing.assert_allclose(gt[f"effect_{measure}"],
                                   gt["p_fail"] - gt[f"p_fail_no_{measure}"])
    # Short-time work protects its users on average; before the regime nothing differs.
    assert gt.loc[gt["stw_used"], "effect_short_time_work"].mean() < 0
    early = firm_ground_truth(panel, "2019-03", horizon=6)
    for column in [c for c in early if c.startswith("effect_")]:
        assert (early[column] == 0).all(), column
    every = firm_ground_truth(panel, horizon=12)
    pd.testing.assert_frame_equal(every[at.to_numpy()], gt)
    with pytest.raises(ValueError, match="month"):
        firm_ground_truth(panel, "2030-01")
    with pytest.raises(ValueError, match="horizon"):
        firm_ground_truth(panel, "2020-06", horizon=0)
    bare = FirmSimulator(Config.small(n_firms=100, measure_effects=False)).simulate(seed=0)
    with pytest.raises(ValueError, match="measure_effects"):
        firm_ground_truth(bare, "2020-06")


def test_per_sector_true_effects_are_the_panels_truth(panel, cross_section):
    cs = cross_section
    table = true_measure_effects(cs, by_sector=True).set_index(["group", "treatment"])
    t = list(panel.months).index(pd.Timestamp("2020-06"))
    for treatment, measure in TREATMENTS.items():
        total, weight = 0.0, 0
        for code in sorted(set(cs.sectors)):
            firms = cs.data.index[(cs.sectors == code) & (cs.data[treatment] == 1)]
            if len(firms) == 0:
                continue
            # Directly from the hazards of the two worlds.
            window = slice(t + 1, t + 1 + cs.horizon)
            obs = 1 - np.prod(1 - panel.hazards["observed"][window][:, firms].astype(float), axis=0)
            off = 1 - np.prod(1 - panel.hazards[f"no_{measure}"][window][:, firms].astype(float),
                              axis=0)
            row = table.loc[(code, treatment)]
            assert row["att"] == pytest.approx(np.mean(obs - off), rel=1e-5, abs=1e-9)
            assert row["n_treated"] == len(firms)
            total += row["att"] * row["n_treated"]
            weight += row["n_treated"]
        assert table.loc[("all", treatment), "att"] == pytest.approx(total / weight, rel=1e-9)
    assert table.loc[("all", "stw"), "att"] < 0


# Cross-section ----------------------------------------------------------------------------
def test_cross_section_uses_only_information_up_to_the_date(panel, cross_section):
    cs = cross_section
    assert set(cs.data.columns) >= {"stw", "loan", "deferral", "failure"}
    assert np.isfinite(cs.data.to_numpy()).all()
    assert cs.data[["stw", "loan", "deferral", "failure"]].isin([0.0, 1.0]).all().all()
    # Baseline values are the firm's row at the baseline month.
    base = panel.features[panel.features["month"] == pd.Timestamp("2020-02")].set_index("firm_id")
    np.testing.assert_allclose(cs.data["liquidity"], base.loc[cs.data.index, "liquidity"])
    # Scramble everything after the date: treatments and confounders do not move.
    after = panel.features["month"] > pd.Timestamp("2020-06")
    rng = np.random.default_rng(0)
    features, truth = panel.features.copy(), panel.truth.copy()
    features.loc[after, "stw_hours"] = rng.uniform(0, 500, after.sum()).astype(np.float32)
    features.loc[after, "arrears_ratio"] = rng.uniform(0, 50, after.sum()).astype(np.float32)
    truth.loc[after, "deferral"] = 1.0
    truth.loc[after, "loan_taken"] = True
    truth.loc[after, "demand"] = -9.0
    scrambled = support_cross_section(dataclasses.replace(panel, features=features, truth=truth),
                                      date="2020-06", baseline="2020-02", horizon=12)
    pd.testing.assert_frame_equal(scrambled.data, cs.data)
    pd.testing.assert_frame_equal(scrambled.oracle, cs.oracle)
    # The outcome is failure in the 12 months after the date.
    fail = panel.firms.set_index("firm_id").loc[cs.data.index, "failure_month"]
    expected = fail.between(pd.Timestamp("2020-07"), pd.Timestamp("2021-06")).astype(float)
    np.testing.assert_array_equal(cs.data["failure"], expected)
    with pytest.raises(ValueError, match="baseline"):
        support_cross_section(panel, date="2020-06", baseline="2020-04")
    with pytest.raises(ValueError, match="panel end"):
        support_cross_section(panel, date="2023-06", horizon=12)


def test_support_graph_abstains_without_the_latent_variables(cross_section):
    columns = list(cross_section.data.columns)
    service = support_graph(columns)
    oracle = support_graph(columns, oracle=True)
    for graph in (service, oracle):
        assert nx.is_directed_acyclic_graph(graph)
        assert set(columns) <= set(graph)
    observed = [c for c in columns if c in service]
    for treatment in TREATMENTS:
        assert nx.has_path(service, treatment, "failure")
        assert backdoor_adjustment_set(service, treatment, "failure", observed=observed) is None
        found = backdoor_adjustment_set(oracle, treatment, "failure",
                                        observed=[*observed, "health_pre", "quality", "demand"])
        assert found is not None and "demand" in found
    one_sector = support_graph([c for c in columns if not c.startswith("sector_")])
    assert not any(n.startswith("sector_") for n in one_sector)


def test_naive_estimate_is_the_difference_in_failure_rates(cross_section):
    cs = cross_section
    table = estimate_measure_effects(cs, [NaiveRegression(), GraphDML("linear")],
                                     treatments=["loan", "deferral"])
    naive = table[table["method"] == "NaiveRegression"].set_index("feature")
    for treatment in ("loan", "deferral"):
        took = cs.data[treatment] == 1
        diff = cs.data.loc[took, "failure"].mean() - cs.data.loc[~took, "failure"].mean()
        assert naive.loc[treatment, "estimate"] == pytest.approx(diff, abs=1e-12)
    graph = table[table["method"] == "GraphDML[linear]"]
    assert graph["abstained"].all() and graph["estimate"].isna().all()
    assert (table["view"] == "service").all() and (table["n"] == len(cs.data)).all()
    probability = estimate_measure_effects(cs, [NaiveRegression()], treatments=["loan"],
                                           outcome="probability", by_sector=True)
    assert set(probability["group"]) == {"all", *set(cs.sectors)}
    took = cs.data["loan"] == 1
    diff = cs.truth.loc[took, "p_fail"].mean() - cs.truth.loc[~took, "p_fail"].mean()
    assert probability.iloc[0]["estimate"] == pytest.approx(diff, abs=1e-12)
    # Positivity: with too few firms on one side, nothing is estimated.
    few = estimate_measure_effects(cs, [NaiveRegression()], treatments=["loan"],
                                   min_group=len(cs.data))
    assert few["abstained"].all() and few["note"].str.startswith("positivity").all()
    with pytest.raises(ValueError, match="treatment"):
        estimate_measure_effects(cs, [NaiveRegression()], treatments=["grant"])
    with pytest.raises(ValueError, match="outcome"):
        estimate_measure_effects(cs, [NaiveRegression()], outcome="hazard")


def test_target_ratios_is_the_mapping_the_simulator_takes():
    years = pd.Series([59.0, 61, 60, 62, 61, 63, 64, 62, 65, 66, 64, 65, 67, 40, 36, 55, 70],
                      index=range(2007, 2024))
    ratios = target_ratios(series=years, n_paths=200, train_end=2019,
                           years=(2020, 2021, 2022, 2023))
    assert sorted(ratios) == [2020, 2021, 2022, 2023]
    assert all(isinstance(v, float) and v > 0 for v in ratios.values())
    assert ratios[2021] < 1 < ratios[2023]


def test_effects_vs_truth_table_and_off_scale_estimates(cross_section):
    import matplotlib

    matplotlib.use("Agg")
    cs = cross_section
    estimates = estimate_measure_effects(cs, [NaiveRegression(), GraphDML("linear")])
    truth = true_measure_effects(cs)
    scored = effects_vs_truth(estimates, truth)
    naive = estimates[estimates["method"] == "NaiveRegression"].set_index("feature")
    for treatment in TREATMENTS:
        row = scored.loc[("NaiveRegression", treatment)]
        assert row["mean"] == pytest.approx(100 * naive.loc[treatment, "estimate"])
        assert row["truth"] == pytest.approx(
            100 * truth.set_index("treatment").loc[treatment, "att"])
        assert scored.loc[("GraphDML[linear]", treatment), "abstain_rate"] == 1.0
    limit = 0.5 * float(scored["mean"].abs().max())
    ax = plot_effects_vs_truth(scored, list(TREATMENTS), limit)
    assert ax.get_xlim() == (-limit, limit)
    off = int((scored["mean"].abs() > limit).sum())
    assert off >= 1 and sum("off scale" in t.get_text() for t in ax.texts) == off
    with pytest.raises(ValueError, match="limit"):
        plot_effects_vs_truth(scored, list(TREATMENTS), 0.0)


def test_effect_verdict_in_words_against_the_true_att():
    from causalxai.earlywarning.support import effect_verdict

    estimates = pd.DataFrame({"group": "all", "view": "oracle", "outcome": "probability",
                              "method": ["A", "B", "C"], "feature": "loan",
                              "estimate": [-0.02, 0.03, float("nan")],
                              "abstained": [False, False, True]})
    truth = pd.DataFrame({"group": ["all"], "treatment": ["loan"], "att": [-0.02]})
    assert effect_verdict(estimates, truth, "oracle", "probability", "A", "loan").startswith(
        "the right sign")
    assert effect_verdict(estimates, truth, "oracle", "probability", "B", "loan") == "the wrong sign"
    assert effect_verdict(estimates, truth, "oracle", "probability", "C", "loan") == "abstains"
    with pytest.raises(KeyError, match="method 'D'"):
        effect_verdict(estimates, truth, "oracle", "probability", "D", "loan")

"""Properties of :mod:`causalxai.realdata.polish`: no leakage, splits, metrics, ratio accounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from causalxai import data
from causalxai.predict.protocol import Winsorizer, repeated_splits
from causalxai.realdata import polish as ev
from causalxai.realdata import polish_ratios as pr
from tests.test_data import SHARED


def classification(n: int = 600, seed: int = 0, prevalence: float = 0.1) -> tuple:
    """Three features, one of them informative, some missing values and outliers."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"],
                     index=pd.RangeIndex(1000, 1000 + n))
    logit = np.log(prevalence / (1 - prevalence)) + 1.5 * X["a"]
    y = pd.Series((rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int), index=X.index)
    X.iloc[rng.choice(n, n // 10, replace=False), 1] = np.nan
    X.iloc[rng.choice(n, 5, replace=False), 2] = 1e6
    return X, y


# --------------------------------------------------------------------------- no leakage
class Spy(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Identity transformer that records the index of every frame it is fitted on."""

    def __init__(self, log: list | None = None) -> None:
        self.log = log

    def fit(self, X, y=None):
        self.log.append(frozenset(X.index))
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        return X


def test_preprocessing_is_fitted_on_the_training_rows_of_each_fold_only():
    X, y = classification()
    log: list = []

    def factory(seed):
        pipe = ev.make_pipeline("logit", seed=seed)
        return Pipeline([("spy", Spy(log)), *pipe.steps]).set_output(transform="pandas")

    ev.cross_validate(X, y, factory, n_splits=4, n_repeats=2, seed=3)
    splits = repeated_splits(y, n_splits=4, n_repeats=2, seed=3)
    assert len(log) == len(splits) == 8
    for seen, (_, _, train, test) in zip(log, splits, strict=True):
        assert seen == frozenset(X.index[train])
        assert not seen & frozenset(X.index[test])


def test_out_of_fold_predictions_equal_a_per_fold_refit_and_differ_from_a_leaky_one():
    # Every test fold holds one extreme outlier per feature; clipping bounds estimated on
    # all rows would include them (leakage), bounds from the training rows do not.
    X, y = classification(400, seed=1)
    res = ev.cross_validate(X, y, lambda s: ev.make_pipeline("logit", winsor_quantile=0.05),
                            n_splits=4, n_repeats=1, seed=0)
    honest, leaky = [], []
    leaky_clip = Winsorizer(0.05).fit(X)  # fitted on every row: the leak
    for _, _, train, test in repeated_splits(y, n_splits=4, n_repeats=1, seed=0):
        pipe = ev.make_pipeline("logit", winsor_quantile=0.05).fit(X.iloc[train], y.iloc[train])
        honest.append(pipe.predict_proba(X.iloc[test])[:, 1])
        rest = ev.make_pipeline("logit", winsor_quantile=0.0)
        clipped = pd.DataFrame(leaky_clip.transform(X), index=X.index, columns=X.columns)
        rest.fit(clipped.iloc[train], y.iloc[train])
        leaky.append(rest.predict_proba(clipped.iloc[test])[:, 1])
    np.testing.assert_allclose(res.oof["p"].to_numpy(), np.concatenate(honest), rtol=1e-10)
    assert np.max(np.abs(np.concatenate(leaky) - np.concatenate(honest))) > 1e-4


def test_duplicates_share_a_group_and_never_straddle_folds():
    X, y = classification(300, seed=5)
    df = pd.concat([X.assign(y=y), X.iloc[:40].assign(y=y.iloc[:40])])  # 40 exact copies
    groups = ev.duplicate_groups(df)
    assert len(np.unique(groups)) == 300
    assert np.array_equal(groups[:40], groups[300:])  # NaN rows too
    for _, _, train, test in repeated_splits(df["y"], n_splits=5, n_repeats=2,
                                                groups=groups):
        assert not set(groups[train]) & set(groups[test])


def test_duplicate_effect_measures_memorised_copies():
    # Pure noise labels, every row duplicated once: a 1-nearest-neighbour model scores a
    # leaked copy perfectly, and nothing else. The paired gain must be large and the
    # clean AUC near 0.5.
    rng = np.random.default_rng(6)
    X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    y = pd.Series(rng.integers(0, 2, 300))
    X2, y2 = pd.concat([X, X], ignore_index=True), pd.concat([y, y], ignore_index=True)
    groups = ev.duplicate_groups(X2.assign(y=y2))
    out = ev.duplicate_effect(X2, y2, lambda s: Pipeline([("knn", KNeighborsClassifier(1))]),
                              groups, n_splits=5, n_repeats=1)
    assert (out["n_leaked"] > 0.7 * out["n_test"]).all()  # about 4 in 5 copies leak
    assert out["roc_auc_gain"].mean() > 0.3
    assert abs(out["roc_auc_clean"].mean() - 0.5) < 0.1


# --------------------------------------------------------------------------- metrics
def test_binary_metrics_reference_levels():
    rng = np.random.default_rng(7)
    y = (rng.uniform(size=4000) < 0.05).astype(int)
    perfect = ev.binary_metrics(y, y * 0.9 + 0.05)
    assert perfect["roc_auc"] == 1 and perfect["pr_auc"] == pytest.approx(1)
    constant = ev.binary_metrics(y, np.full(len(y), y.mean()))
    assert constant["brier"] == pytest.approx(constant["brier_ref"])
    assert constant["brier_skill"] == pytest.approx(0, abs=1e-12)
    noise = ev.binary_metrics(y, rng.uniform(size=len(y)))
    assert noise["roc_auc"] == pytest.approx(0.5, abs=0.05)
    assert noise["pr_auc"] == pytest.approx(noise["prevalence"], abs=0.02)
    with pytest.raises(ValueError, match="both classes"):
        ev.binary_metrics(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="probabilities"):
        ev.binary_metrics(y, np.full(len(y), 1.5))


def test_reliability_table_on_calibrated_predictions():
    rng = np.random.default_rng(8)
    p = rng.beta(0.5, 8, size=20_000)
    y = (rng.uniform(size=len(p)) < p).astype(int)
    table = ev.reliability_table(y, p, n_bins=8)
    assert table["count"].sum() == len(p) and table["n_pos"].sum() == y.sum()
    assert table["count"].max() - table["count"].min() <= 1  # quantile bins
    z = (table["observed_rate"] - table["mean_predicted"]) / table["se"]
    assert (z.abs() < 4).all()
    uniform = ev.reliability_table(y, p, n_bins=10, strategy="uniform")
    assert uniform["count"].sum() == len(p) and (uniform["p_high"] <= 1).all()


def test_observed_to_expected_counts_events_against_probabilities():
    rng = np.random.default_rng(14)
    p = rng.beta(0.5, 10, size=50_000)
    y = (rng.uniform(size=len(p)) < p).astype(int)
    assert ev.observed_to_expected(y, p) == pytest.approx(1, abs=0.03)
    assert ev.observed_to_expected(y, p / 2) == pytest.approx(2, abs=0.06)
    assert ev.observed_to_expected(y, p, below_quantile=0.9) == pytest.approx(1, abs=0.05)
    low = p <= np.quantile(p, 0.9)  # three times the predicted risk among the lower 90 %
    y3 = (rng.uniform(size=len(p)) < np.where(low, np.minimum(1, 3 * p), p)).astype(int)
    assert ev.observed_to_expected(y3, p, below_quantile=0.9) == pytest.approx(3, rel=0.1)
    with pytest.raises(ValueError, match="below_quantile"):
        ev.observed_to_expected(y, p, below_quantile=0)


def test_summarise_mean_and_sd_over_folds():
    scores = pd.DataFrame({"model": ["a", "a", "b", "b"], "roc_auc": [0.8, 0.9, 0.7, 0.7],
                           "pr_auc": 0.5, "prevalence": 0.1, "brier": 0.05, "brier_skill": 0.1})
    out = ev.summarise(scores, by=["model"])
    assert out.loc["a", "roc_auc_mean"] == pytest.approx(0.85)
    assert out.loc["a", "roc_auc_sd"] == pytest.approx(np.std([0.8, 0.9], ddof=1))
    assert out.loc["b", "roc_auc_sd"] == 0 and out.loc["a", "n_folds"] == 2
    with pytest.raises(ValueError, match="lack"):
        ev.summarise(scores, by=["horizon"])


def test_cross_validate_scores_an_informative_model_and_explains_it():
    X, y = classification(800, seed=9, prevalence=0.2)
    res = ev.cross_validate(X, y, lambda s: ev.make_pipeline("lgbm", n_estimators=40, seed=s),
                            n_splits=3, n_repeats=2, explain_rows=60, n_background=20)
    assert len(res.scores) == 6 and len(res.oof) == 2 * len(X)
    assert set(res.oof["row"]) == set(X.index)
    assert res.scores["roc_auc"].mean() > 0.75
    assert res.importance.shape == (6, 3)
    assert (res.importance.idxmax(axis=1) == "a").all()  # the only informative feature


def test_lgbm_seed_changes_the_fit_and_is_reproducible():
    X, y = classification(500, seed=10, prevalence=0.3)
    p0 = ev.make_pipeline("lgbm", n_estimators=30, seed=0).fit(X, y).predict_proba(X)[:, 1]
    p0b = ev.make_pipeline("lgbm", n_estimators=30, seed=0).fit(X, y).predict_proba(X)[:, 1]
    p1 = ev.make_pipeline("lgbm", n_estimators=30, seed=1).fit(X, y).predict_proba(X)[:, 1]
    np.testing.assert_array_equal(p0, p0b)
    assert np.abs(p0 - p1).max() > 1e-6
    with pytest.raises(ValueError, match="model"):
        ev.make_pipeline("forest")
    with pytest.raises(ValueError, match="class_weight"):
        ev.make_pipeline("logit", class_weight="auto")


def test_subsample_stratified_keeps_class_shares():
    X, y = classification(1000, seed=11, prevalence=0.1)
    Xs, ys = ev.subsample_stratified(X, y, 200, seed=0)
    assert abs(len(Xs) - 200) <= 1 and abs(ys.mean() - y.mean()) < 0.01
    assert ev.subsample_stratified(X, y, 0)[0] is X
    with pytest.raises(ValueError, match="n_rows"):
        ev.subsample_stratified(X, y, -1)


# --------------------------------------------------------------------------- stability
def test_rank_agreement_and_top_k_overlap():
    imp = pd.DataFrame([[1, 2, 3, 4], [2, 4, 6, 8], [4, 3, 2, 1]], columns=list("abcd"))
    rho = ev.rank_agreement(imp)
    assert len(rho) == 3
    assert rho.iloc[0] == pytest.approx(1) and rho.iloc[1] == pytest.approx(-1)
    assert ev.top_k_overlap(imp.iloc[0], imp.iloc[1], k=2) == 2
    assert ev.top_k_overlap(imp.iloc[0], imp.iloc[2], k=2) == 0
    with pytest.raises(ValueError, match="two runs"):
        ev.rank_agreement(imp.iloc[:1])


def test_credit_split_shares_add_up_to_one():
    imp = pd.DataFrame({"a": [1.0, 3.0], "b": [3.0, 1.0], "c": [5.0, 5.0]})
    out = ev.credit_split(imp, ["a", "b"])
    np.testing.assert_allclose(out[["a", "b"]].sum(axis=1), 1)
    np.testing.assert_allclose(out["group_total"], 4)
    with pytest.raises(ValueError, match="not columns"):
        ev.credit_split(imp, ["a", "z"])


def test_group_importance_ranks_the_sum_against_the_other_features():
    imp = pd.Series({"a": 0.5, "b": 0.3, "c": 0.25, "d": 0.2, "e": 0.1})
    out = ev.group_importance(imp, [["c", "d"], ["b", "e"]])
    assert out["members"].tolist() == ["c d", "b e"]
    first = out.iloc[0]
    assert first["sum"] == pytest.approx(0.45) and first["rank_of_sum"] == 2  # only a is larger
    assert first["best_member"] == "c" and first["best_member_rank"] == 3
    assert out.iloc[1]["rank_of_sum"] == 2 and out.iloc[1]["best_member_rank"] == 2
    with pytest.raises(ValueError, match="no importance"):
        ev.group_importance(imp, [["a", "z"]])


# --------------------------------------------------------------------------- ratio accounting


@pytest.mark.parametrize(
    ("attr", "numerator", "denominator"),
    [
        ("Attr1", {"net profit"}, {"total assets"}),
        ("Attr5", {"cash", "short-term securities", "receivables", "short-term liabilities"},
         {"operating expenses", "depreciation"}),
        ("Attr21", {"sales"}, {"sales (previous year)"}),
        ("Attr29", {"total assets"}, set()),
        ("Attr41", {"total liabilities"}, {"operating profit", "depreciation"}),  # 12/365
        ("Attr43", {"receivables", "inventory"}, set()),
        ("Attr48", {"operating profit", "depreciation"}, {"total assets"}),  # EBITDA != EBIT
        ("Attr7", {"EBIT"}, {"total assets"}),
        ("Attr8", {"equity"}, {"total liabilities"}),
        ("Attr58", {"total costs"}, {"sales"}),
    ],
)
def test_parse_ratio_reads_numerator_and_denominator(attr, numerator, denominator):
    num, den = pr.parse_ratio(pr.POLISH_RATIOS[attr])
    assert num == numerator and den == denominator


def test_spearman_matrix_equals_pandas_with_missing_values_and_ties():
    rng = np.random.default_rng(13)
    X = pd.DataFrame(rng.integers(0, 6, size=(300, 5)).astype(float), columns=list("abcde"))
    X["f"] = X["a"] * 2 + rng.normal(size=300)
    X = X.mask(rng.uniform(size=X.shape) < 0.2)
    X.loc[:, "e"] = 1.0  # constant column: NaN correlations
    np.testing.assert_allclose(ev.spearman_matrix(X), X.corr(method="spearman"), atol=1e-12)


def test_high_correlation_pairs_and_groups_on_ratios_of_a_balance_sheet():
    # Ratios computed from simulated balance sheets: reciprocals must be found (rho = -1),
    # and the pair annotated as built from the same items.
    rng = np.random.default_rng(12)
    ta = rng.lognormal(10, 1, 2000)
    tl = ta * rng.uniform(0.1, 0.9, 2000)
    sales = ta * rng.lognormal(0, 0.5, 2000)
    X = pd.DataFrame({"Attr2": tl / ta, "Attr17": ta / tl, "Attr9": sales / ta,
                      "Attr64": rng.normal(size=2000)})
    pairs = ev.high_correlation_pairs(X, 0.95)
    assert pairs[["a", "b"]].values.tolist() == [["Attr2", "Attr17"]]
    assert pairs["spearman"].iloc[0] == pytest.approx(-1)
    notes = ev.annotate_pairs(pairs)
    assert bool(notes["same_items"].iloc[0])
    assert notes["shared_items"].iloc[0] == ("total assets", "total liabilities")
    assert ev.high_correlation_pairs(threshold=0.95, corr=ev.spearman_matrix(X)).equals(pairs)
    with pytest.raises(ValueError, match="threshold"):
        ev.high_correlation_pairs(X, 1.0)
    chain = pd.DataFrame({"a": ["x", "y", "p"], "b": ["y", "z", "q"]})
    assert ev.correlation_groups(chain) == [["x", "y", "z"], ["p", "q"]]


# --------------------------------------------------------------------------- published values
def test_published_results_match_the_file_to_horizon_mapping():
    table = ev.published_auc()
    assert len(table) == 8 and table["roc_auc"].between(0.9, 1).all()
    for row in table.itertuples():
        assert data.POLISH_FILES[row.horizon_years] == f"polish_bankruptcy/{row.data_file}.arff"


# --------------------------------------------------------------------------- the real files
@pytest.mark.skipif(not (SHARED / "SHA256SUMS").is_file(), reason="real data mirror absent")
def test_definitions_hold_in_the_real_data(monkeypatch):
    """Reciprocal ratios of the definitions are reciprocal in the files, and the files
    hold the documented numbers of exact duplicate rows."""
    monkeypatch.setenv(data.ENV_VAR, str(SHARED))
    for horizon, n_dup in ((1, 60), (5, 82)):
        df = data.read_polish(horizon)
        assert int(df.duplicated().sum()) == n_dup
        assert len(np.unique(ev.duplicate_groups(df))) == len(df) - n_dup
        both = df[["Attr2", "Attr17"]].dropna()
        both = both[both["Attr2"].abs() > 1e-3]
        share = np.isclose(both["Attr2"] * both["Attr17"], 1, rtol=0.02).mean()
        assert share > 0.95


def test_mean_sd_writes_each_number_by_its_quantity():
    from causalxai.realdata.polish import mean_sd, summarise

    scores = pd.DataFrame({"model": ["a", "a", "b", "b"], "roc_auc": [0.9, 0.92, 0.7, 0.74],
                           "pr_auc": 0.5, "prevalence": 0.05, "brier": 0.04, "brier_skill": 0.1})
    text = mean_sd(summarise(scores, by=["model"]), "roc_auc")
    assert text.to_dict() == {"a": "0.910 ± 0.014", "b": "0.720 ± 0.028"}
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['gini_mean', 'gini_sd'\]"):
        mean_sd(summarise(scores, by=["model"]), "gini")

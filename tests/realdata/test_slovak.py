"""Tests of causalxai.realdata.slovak: yearly blocks, trajectory features, leak-free evaluation.

Hand-built tables with known slopes and known block orders, a spy estimator that
records which rows it is fitted on (the leakage test), and metrics on toy problems whose
AUC is known exactly or in closed form. Tests on the real files are skipped when the data
mirror is absent.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from causalxai.predict.protocol import Winsorizer, repeated_splits
from causalxai.realdata import slovak as T
from tests.conftest import shared_data

REPO = Path(__file__).resolve().parents[2]
SHARED = shared_data()  # $CAUSALXAI_DATA_DIR when set, else ../shared/data
V = [f"V{i}" for i in range(1, 64)]


def table(blocks: list[np.ndarray], **extra) -> pd.DataFrame:
    """A V1..V63 table from three (n, 21) blocks in column order."""
    df = pd.DataFrame(np.hstack(blocks), columns=V)
    for k, v in extra.items():
        df[k] = v
    return df


# --------------------------------------------------------------------------- features
def test_trend_slope_known_values_and_missing():
    v = np.array([[1.0, 3.0, 5.0],        # slope 2
                  [np.nan, 4.0, 1.0],     # two points: -3
                  [2.0, np.nan, 8.0],     # two points two years apart: 3
                  [np.nan, np.nan, 7.0],  # one point: NaN
                  [4.0, 1.0, 4.0]])       # symmetric: 0
    np.testing.assert_allclose(T.trend_slope(v), [2.0, -3.0, 3.0, np.nan, 0.0])
    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 3))
    expected = [stats.linregress([-3, -2, -1], row).slope for row in w]
    np.testing.assert_allclose(T.trend_slope(w), expected)
    np.testing.assert_allclose(T.trend_slope(w), (w[:, 2] - w[:, 0]) / 2)
    with pytest.raises(ValueError, match="shape"):
        T.trend_slope(np.zeros((3, 2)))


def test_build_features_on_a_hand_built_table():
    n, N = 4, T.N_RATIOS
    a = np.arange(1, N + 1)
    slope = np.array([0.5, -1.0, 2.0, 0.0])[:, None] * np.ones((n, N))
    t3 = np.tile(a, (n, 1)).astype(float)
    t2 = t3 + slope
    t1 = t3 + 2 * slope
    t3[1, 6] = np.nan  # ratio R07 of firm 1 misses its first year
    df = table([t3, t2, t1], sector=["retail", "retail", "agriculture", "retail"])
    last = T.build_features(df, "last")
    assert list(last.columns[:3]) == ["R01_t1", "R02_t1", "R03_t1"]
    assert list(last.columns[-2:]) == ["sector_agriculture", "sector_retail"]
    assert last.shape == (n, N + 2)
    np.testing.assert_array_equal(last["R05_t1"], t1[:, 4])
    traj = T.build_features(df, "trajectory", sector_dummies=False)
    assert traj.shape == (n, 6 * N)
    np.testing.assert_allclose(traj["R03_slope"], slope[:, 2])
    np.testing.assert_allclose(traj["R03_d1"], slope[:, 2])
    np.testing.assert_allclose(traj["R03_d2"], slope[:, 2])
    # R07 of firm 1: two points left, the slope is still -1; the older change is missing.
    assert traj.loc[1, "R07_slope"] == pytest.approx(-1.0)
    assert np.isnan(traj.loc[1, "R07_d2"])
    levels = T.build_features(df, "levels", sector_dummies=False)
    assert levels.shape == (n, 3 * N)
    np.testing.assert_array_equal(levels["R21_t3"], t3[:, 20])
    assert T.ratio_of("R07_slope") == "R07" and T.ratio_of("sector_retail") == "sector_retail"
    with pytest.raises(ValueError, match="kind"):
        T.build_features(df, "growth")
    with pytest.raises(ValueError, match="V1"):
        T.build_features(df.drop(columns=["V5"]), "last")


def _firm_panel(order: str, seed: int = 0) -> pd.DataFrame:
    """Firms observed in evaluation years 2013 and 2014, each with yearly data for
    2010..2013; ``order`` is how the blocks are laid out in the columns."""
    rng = np.random.default_rng(seed)
    n = 30
    years = {y: np.round(rng.normal(size=(n, T.N_RATIOS)), 2) for y in range(2010, 2014)}
    rows = []
    for ev in (2013, 2014):
        chron = [years[ev - 3], years[ev - 2], years[ev - 1]]
        blocks = chron if order == "chronological" else chron[::-1]
        rows.append(table(blocks, sector="retail", evaluation_year=ev))
    return pd.concat(rows, ignore_index=True)


def test_block_matches_reveal_the_order_of_the_blocks():
    m = T.block_matches(_firm_panel("chronological"))
    assert m.loc["1", "2"] == 30 and m.loc["2", "3"] == 30
    assert m.to_numpy().sum() == 60
    r = T.block_matches(_firm_panel("reversed"))
    # Reversed layout: the second block of year y+1 is the first of year y, and so on.
    assert r.loc["2", "1"] == 30 and r.loc["3", "2"] == 30
    assert r.to_numpy().sum() == 60


def test_carried_over_finds_firms_seen_the_year_before():
    panel = _firm_panel("chronological")
    later = panel[panel["evaluation_year"] == 2014]
    earlier = panel[panel["evaluation_year"] == 2013]
    assert T.carried_over(later, earlier).all()
    fresh = _firm_panel("chronological", seed=1)
    assert not T.carried_over(fresh[fresh["evaluation_year"] == 2014], earlier).any()


def test_block_correlations_put_the_middle_block_in_the_middle():
    rng = np.random.default_rng(0)
    n = 500
    b1 = rng.normal(size=(n, T.N_RATIOS))
    b2 = 0.8 * b1 + 0.6 * rng.normal(size=(n, T.N_RATIOS))
    b3 = 0.8 * b2 + 0.6 * rng.normal(size=(n, T.N_RATIOS))
    c = T.block_correlations(table([b1, b2, b3]))
    assert (c["1-2"] > c["1-3"]).all() and (c["2-3"] > c["1-3"]).all()


# --------------------------------------------------------------------------- metrics
def test_scores_on_a_toy_problem_with_known_values():
    s = T.scores([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert s["roc_auc"] == pytest.approx(0.75)
    assert s["pr_auc"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert s["prevalence"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="both classes"):
        T.scores([0, 0], [0.1, 0.2])


def test_gmean_by_hand():
    y = [0, 0, 0, 0, 1, 1]
    p = [0.1, 0.2, 0.3, 0.7, 0.6, 0.9]
    # threshold 0.5 flags 0.7, 0.6, 0.9: sensitivity 1, specificity 3/4.
    assert T.gmean(y, p, 0.5) == pytest.approx(np.sqrt(0.75))
    # The best threshold (0.6) gives the same here; a perfect ranking gives 1.
    assert T.gmean(y, p) == pytest.approx(np.sqrt(0.75))
    assert T.gmean([0, 1], [0.2, 0.8]) == pytest.approx(1.0)


def test_auc_of_gaussian_scores_matches_the_closed_form():
    rng = np.random.default_rng(1)
    n, d = 20_000, 1.0
    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    p = np.r_[rng.normal(0, 1, n), rng.normal(d, 1, n)]
    assert T.scores(y, p)["roc_auc"] == pytest.approx(stats.norm.cdf(d / np.sqrt(2)), abs=0.01)
    # A random score has PR-AUC about the prevalence (the baseline the chapter reports).
    y2 = (rng.random(40_000) < 0.02).astype(int)
    s = T.scores(y2, rng.random(40_000))
    assert s["pr_auc"] == pytest.approx(s["prevalence"], abs=0.01)
    sub = rng.choice(len(y), 4000, replace=False)
    lo, hi = T.bootstrap_metric(y[sub], p[sub], "roc_auc", n_boot=200)
    assert lo < stats.norm.cdf(d / np.sqrt(2)) < hi


# --------------------------------------------------------------------------- leakage
class Spy:
    """A classifier that records the row ids (column ``row_id``) it sees."""

    log: ClassVar[list[tuple[str, frozenset[int]]]] = []

    def fit(self, X, y):
        Spy.log.append(("fit", frozenset(X["row_id"].astype(int))))
        self.mean_ = float(np.mean(y))
        return self

    def predict_proba(self, X):
        Spy.log.append(("predict", frozenset(X["row_id"].astype(int))))
        p = np.asarray(X["score"], dtype=float)
        return np.c_[1 - p, p]


def test_cross_validate_never_fits_on_test_rows():
    rng = np.random.default_rng(0)
    n = 200
    y = (rng.random(n) < 0.2).astype(int)
    X = pd.DataFrame({"row_id": np.arange(n), "score": rng.random(n)}, index=np.arange(n) + 1000)
    Spy.log = []
    folds, oof, _ = T.cross_validate(X, y, Spy, n_splits=4, n_repeats=2, seed=3)
    fits = [ids for kind, ids in Spy.log if kind == "fit"]
    preds = [ids for kind, ids in Spy.log if kind == "predict"]
    assert len(fits) == len(preds) == 8
    for fit_ids, pred_ids in zip(fits, preds, strict=True):
        assert fit_ids.isdisjoint(pred_ids)           # never fitted on a test row
        assert len(fit_ids | pred_ids) == n           # each fold covers the table
    for r in range(2):                                # each repeat predicts each row once
        ids = sorted(i for p in preds[4 * r:4 * r + 4] for i in p)
        assert ids == list(range(n))
    # Out-of-fold predictions land on the right rows (the spy predicts the 'score' column).
    for col in oof.columns:
        np.testing.assert_allclose(oof[col].to_numpy(), X["score"].to_numpy())
    assert (folds["n_train"] + folds["n_test"] == n).all()
    # Same folds whatever the features: what a paired comparison needs.
    again, _, _ = T.cross_validate(X.assign(extra=1.0), y, Spy, n_splits=4, n_repeats=2, seed=3)
    pd.testing.assert_series_equal(folds["n_pos"], again["n_pos"])


def test_preprocessing_inside_the_pipeline_is_fitted_on_training_rows():
    """A marker value placed only in test rows must not move the clipping bounds."""
    rng = np.random.default_rng(1)
    n = 300
    y = (rng.random(n) < 0.3).astype(int)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    bounds = []

    class Recorder(Winsorizer):
        def fit(self, X_, y_=None):
            super().fit(X_, y_)
            bounds.append(self.upper_.copy())
            return self

    def make():
        m = T.make_model("logit")
        m.steps[0] = ("winsorise", Recorder(1e-9))  # bounds: about the training min and max
        return m

    first_test = repeated_splits(y, n_splits=3, n_repeats=1, seed=0)[0][3]
    marked = X.copy()
    marked.iloc[first_test, 0] = 1e6  # the marker sits in fold 0's test rows only
    T.cross_validate(marked, y, make, n_splits=3, n_repeats=1, seed=0)
    assert bounds[0][0] < 1e6            # fold 0 never saw its test rows
    assert bounds[1][0] == pytest.approx(1e6) and bounds[2][0] == pytest.approx(1e6)  # trained on


def test_paired_difference_known_values():
    a = np.array([0.80, 0.82, 0.78, 0.81])
    b = a + np.array([0.02, 0.01, 0.03, 0.02])
    r = T.paired_difference(a, b, n_train=75, n_test=25)
    d = b - a
    sd = d.std(ddof=1)
    assert r["diff"] == pytest.approx(0.02) and r["sd"] == pytest.approx(sd)
    assert r["t_naive"] == pytest.approx(0.02 / (sd / 2))
    assert r["t_corrected"] == pytest.approx(0.02 / (sd * np.sqrt(1 / 4 + 25 / 75)))
    assert r["p_corrected"] > r["p_naive"]
    assert r["ci_lower"] < 0.02 < r["ci_upper"] and r["share_b_better"] == 1.0


def test_jaccard_stability():
    same = pd.DataFrame([[5, 4, 3, 2, 1]] * 3, columns=list("abcde"))
    assert T.jaccard_stability(same, k=2) == 1.0
    disjoint = pd.DataFrame([[1, 1, 0, 0], [0, 0, 1, 1]], columns=list("abcd"))
    assert T.jaccard_stability(disjoint, k=2) == 0.0
    with pytest.raises(ValueError, match="k"):
        T.jaccard_stability(same, k=9)


def test_random_jaccard_matches_simulation():
    assert T.random_jaccard(7, 7) == 1.0
    rng = np.random.default_rng(0)
    sims = []
    for _ in range(20_000):
        a = set(rng.choice(21, 5, replace=False))
        b = set(rng.choice(21, 5, replace=False))
        sims.append(len(a & b) / len(a | b))
    assert T.random_jaccard(21, 5) == pytest.approx(np.mean(sims), abs=0.005)


def test_models_learn_a_planted_signal_and_split_scores_runs_both_splits():
    rng = np.random.default_rng(2)
    n = 1500
    x = rng.normal(size=(n, 4))
    x[rng.random((n, 4)) < 0.1] = np.nan
    logit = 2.5 * np.nan_to_num(x[:, 0]) - 3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(x, columns=list("abcd"))
    for name in ("logit", "gbm"):
        folds, _, shap = T.cross_validate(X, y, partial(T.make_model, name, n_estimators=60),
                                          n_splits=3, n_repeats=1, seed=0,
                                          explain=name == "gbm")
        assert folds["roc_auc"].mean() > 0.8
        if shap is not None:
            imp = shap.drop(columns=["repeat", "fold", "group"]).mean()
            assert imp.idxmax() == "a"
    is_test = np.arange(n) >= 1200
    out = T.split_scores(X, y, is_test, partial(T.make_model, "logit"), n_random=2, n_boot=50)
    assert list(out["split"]) == ["given", "random", "random"]
    assert (out["n_test"] == 300).all() and (out["n_train"] == 1200).all()
    g = out.iloc[0]
    assert g["roc_lower"] <= g["roc_auc"] <= g["roc_upper"]


# --------------------------------------------------------------------------- real files
@pytest.fixture
def slovak() -> pd.DataFrame:
    if not (SHARED / "SHA256SUMS").is_file():
        pytest.skip(f"real data mirror not found at {SHARED}")
    from causalxai import data

    return data.read_slovak(data_dir=SHARED)


def test_real_blocks_are_chronological(slovak):
    assert len(slovak) == 13_039 and int(slovak["bankrupt"].sum()) == 251
    m = T.block_matches(slovak)
    # Thousands of exact carry-overs on the shifted diagonal, a handful elsewhere.
    assert m.loc["1", "2"] > 1000 and m.loc["2", "3"] > 1000
    off = m.to_numpy().sum() - m.loc["1", "2"] - m.loc["2", "3"]
    assert off < 0.02 * (m.loc["1", "2"] + m.loc["2", "3"])
    c = T.block_correlations(slovak).median()
    assert c["1-2"] > c["1-3"] and c["2-3"] > c["1-3"]


def test_jaccard_of_two_top_sets_and_the_empty_case():
    from causalxai.realdata.slovak import jaccard

    assert jaccard({"R01", "R02", "R03"}, ["R02", "R03", "R04"]) == 0.5
    assert jaccard(["R01"], ["R01"]) == 1.0
    with pytest.raises(ValueError, match="two empty sets"):
        jaccard([], set())


def test_out_of_fold_scores_average_the_repetitions_on_the_chosen_rows():
    from causalxai.realdata.slovak import out_of_fold_scores

    y = np.array([0, 0, 1, 1, 0, 1])
    pred = pd.DataFrame({"repeat_0": [0.1, 0.2, 0.8, 0.9, 0.95, 0.05],  # perfect on rows 0-3
                         "repeat_1": [0.9, 0.2, 0.8, 0.1, 0.5, 0.5]})   # 0.25 on rows 0-3
    rows = np.array([True, True, True, True, False, False])
    roc, pr, prevalence = out_of_fold_scores(y, pred, rows)
    assert roc == pytest.approx((1.0 + 0.25) / 2) and prevalence == 0.5 and 0 < pr <= 1
    with pytest.raises(ValueError, match="same length, got 6, 6 and 5"):
        out_of_fold_scores(y, pred, rows[:5])

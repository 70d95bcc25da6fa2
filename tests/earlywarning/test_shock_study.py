"""Tests of causalxai.earlywarning.shock_study: each step of the sector-shock study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.earlywarning import shock_study as SS
from causalxai.firms import Config


def _rows() -> pd.DataFrame:
    return pd.DataFrame({
        "firm_id": [1, 2, 3, 4, 5, 6],
        "month": pd.to_datetime(["2022-01-01", "2022-06-01", "2022-06-01", "2022-07-01",
                                 "2022-08-01", "2023-01-01"]),
        "sector": ["C", "C", "C", "I", "C", "C"],
        "y": [0.0, 1.0, 0.0, np.nan, 1.0, 0.0],
        "fs_year": [2020.0, 2021.0, 2022.0, 2021.0, np.nan, 2021.0],
        "liquidity": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "profitability": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
    })


def test_simulate_with_event_appends_the_target_event():
    config = Config.small().replace(covid=None, measure_effects=False, events=())
    sector = config.sector_codes[0]
    panel = SS.simulate_with_event(config, (), sector, "2022-06", -0.5, seed=0)
    target = panel.config.events[-1]
    assert (target.name, target.sector, target.size) == ("target", sector, -0.5)
    assert list(panel.events["name"]) == ["target"]


def test_add_shock_signals_growth_and_calendar():
    frame = _rows().assign(headcount=[10, 0, 4, 5, 2, 8], headcount_change=[1, 2, -2, 0, 1, 4],
                           payment_score=np.arange(6.0))
    out = SS.add_shock_signals(frame, ["payment_score"], [("C", "2022-06")])
    assert out["hc_growth"].tolist() == [0.1, 2.0, -0.5, 0.0, 0.5, 0.5]  # headcount >= 1
    assert "sector_payment_score" in out and "event_active" in out
    assert len(out) == len(frame)


class _Const:
    def __init__(self, p: float):
        self.p = p

    def predict_proba(self, X):
        return np.column_stack([1 - np.full(len(X), self.p), np.full(len(X), self.p)])


def test_stacked_scores_average_the_models_then_stack():
    rows = _rows()
    stacks = {"firm": (lambda base, s: base, None),
              "shifted": (lambda base, s: base + s["liquidity"].to_numpy(), ["liquidity"])}
    out = SS.stacked_scores(rows, [_Const(0.2), _Const(0.4)], ["liquidity"], stacks)
    np.testing.assert_allclose(out["firm"], 0.3)
    np.testing.assert_allclose(out["shifted"], 0.3 + rows["liquidity"])


def test_evaluation_rows_window_label_and_group():
    rows = SS.evaluation_rows(_rows(), pd.Timestamp("2022-06-01"), pd.Timestamp("2022-12-01"),
                              pd.Series({1: 0.0, 2: 2.0, 3: 0.0, 4: 1.0, 5: 0.5}), "C")
    assert rows["firm_id"].tolist() == [2, 3, 5]  # in the window, labelled
    assert rows["group"].tolist() == ["exposed, high", "shocked sector, not exposed",
                                      "exposed, low"]


def test_group_masks_partition_and_healthy_subset():
    rows = _rows().assign(group=["other sectors", "exposed, high", "exposed, low",
                                 "other sectors", "exposed, high", "shocked sector, not exposed"])
    masks = SS.group_masks(rows, rows.iloc[:2], pd.Timestamp("2022-06-01"), "C")
    exposure = ["other sectors", "shocked sector, not exposed", "exposed, low", "exposed, high"]
    assert np.array_equal(sum(masks[g].astype(int) for g in exposure), np.ones(6, int))
    assert masks["sector C"].tolist() == [True, True, True, False, True, True]
    # exposed, statements before 2022, liquidity >= 1.5 and profitability >= 0.55 (medians
    # of the reference): firm 2 only (firm 3 filed in 2022, firm 5 has no statement year)
    assert masks["exposed, healthy statements"].tolist() == [False, True] + [False] * 4


def _results() -> pd.DataFrame:
    rows = []
    for group in ("all firms", "g"):
        for approach in ("firm", "stack"):
            for metric, v in [("recall", 0.5), ("recall_diff", 0.1), ("precision", 0.3),
                              ("auc", 0.8), ("auc_diff", 0.02)]:
                diff = metric.endswith("_diff") and approach == "firm"
                rows.append({"period": group, "approach": approach, "metric": metric,
                             "estimate": np.nan if diff else v,
                             "lower": np.nan if diff else v - 0.05,
                             "upper": np.nan if diff else v + 0.05})
    return pd.DataFrame(rows)


def test_recall_table_layout_and_intervals():
    table = SS.recall_table(_results(), ["g", "all firms"], ["stack", "firm"])
    assert list(table.index) == [("g", "stack"), ("g", "firm"), ("all firms", "stack"),
                                 ("all firms", "firm")]
    assert table.loc[("g", "stack"), "Δ recall 95 %"] == "[+0.050, +0.150]"
    assert table.loc[("g", "firm"), "Δ recall 95 %"] == ""


def test_metric_value_picks_one_cell_and_names_a_missing_one():
    assert SS.metric_value(_results(), "stack", "auc", "g", "upper") == pytest.approx(0.85)
    with pytest.raises(KeyError, match="nowhere"):
        SS.metric_value(_results(), "stack", "auc", "nowhere")


def test_evaluate_groups_restricts_to_the_groups_asked():
    rng = np.random.default_rng(0)
    n = 400
    rows = pd.DataFrame({"firm_id": np.arange(n), "month": pd.Timestamp("2022-06-01"),
                         "y": (rng.random(n) < 0.2).astype(float)})
    scores = {"firm": rng.random(n), "stack": rows["y"].to_numpy() + 0.01 * rng.random(n)}
    masks = {"all firms": np.ones(n, bool), "half": np.arange(n) < n // 2}
    out = SS.evaluate_groups(rows, scores, masks, label="y", budget=0.2, n_boot=20, seed=0,
                             only=["half"])
    assert set(out["period"]) == {"half"}
    assert SS.metric_value(out, "stack", "auc", "half") == pytest.approx(1.0)


def test_metric_value_reads_one_cell_of_a_period_table():
    """4.3 read its table with a local ``est``; it now uses this helper of 4.4."""
    from causalxai.earlywarning.shock_study import metric_value

    res = pd.DataFrame({"approach": ["naive", "naive", "drop"], "metric": ["auc"] * 3,
                        "period": ["mean", "2020Q1", "mean"], "estimate": [0.8, 0.7, 0.75],
                        "lower": [0.78, 0.6, 0.7], "upper": [0.82, 0.8, 0.8]})
    assert metric_value(res, "naive", "auc", "mean") == 0.8
    assert metric_value(res, "naive", "auc", "2020Q1", "lower") == 0.6
    with pytest.raises(KeyError, match="approach 'graph'"):
        metric_value(res, "graph", "auc", "mean")

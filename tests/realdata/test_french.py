"""Tests of causalxai.realdata.french: counterfactual failure counts, backtests, COVID ratios.

Synthetic series with a known answer check that the method recovers it (a known
multiplicative drop, a known catch-up), that the intervals cover at about their level,
and that the backtest never uses data after its origin. Tests on the real files are
skipped when the data mirror is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causalxai.realdata import french as F
from tests.conftest import shared_data

REPO = Path(__file__).resolve().parents[2]
SHARED = shared_data()  # $CAUSALXAI_DATA_DIR when set, else ../shared/data


def flat_series(level: float = 300.0, sigma: float = 0.03, start: str = "2000-01",
                end: str = "2024-12", seed: int = 0) -> pd.Series:
    """Monthly counts with a constant log level and iid log-normal noise."""
    idx = pd.period_range(start, end, freq="M")
    rng = np.random.default_rng(seed)
    return pd.Series(level * np.exp(rng.normal(0, sigma, len(idx))), index=idx)


def shocked(series: pd.Series, factors: dict[tuple[str, str], float]) -> pd.Series:
    out = series.copy()
    for (lo, hi), f in factors.items():
        out[lo:hi] = out[lo:hi] * f
    return out


# --------------------------------------------------------------------------- input checks
def test_to_periods_converts_int_years_and_rejects_bad_series():
    s = F.to_periods(pd.Series([3.0, 4.0, 5.0], index=[2000, 2001, 2002]))
    assert isinstance(s.index, pd.PeriodIndex) and s.index[0] == pd.Period("2000", "Y")
    with pytest.raises(ValueError, match="without gaps"):
        F.to_periods(pd.Series([1.0, 2.0], index=[2000, 2002]))
    with pytest.raises(ValueError, match="positive"):
        F.to_periods(pd.Series([1.0, 0.0], index=[2000, 2001]))
    with pytest.raises(ValueError, match="PeriodIndex"):
        F.to_periods(pd.Series([1.0, 2.0], index=["a", "b"]))


def test_bad_arguments_name_the_parameter():
    y = flat_series(end="2010-12")
    with pytest.raises(ValueError, match="train_end"):
        F.counterfactual(y, train_end="not a month")
    with pytest.raises(ValueError, match="train_end"):
        F.counterfactual(y, train_end="2015-01")
    with pytest.raises(ValueError, match="model"):
        F.counterfactual(y, model="arima", train_end="2009-12")
    with pytest.raises(ValueError, match="n_paths"):
        F.counterfactual(y, train_end="2009-12", n_paths=10)
    with pytest.raises(ValueError, match="horizon"):
        F.backtest(y, "level", test_start="2008-01", test_end="2009-12", horizon=0)
    with pytest.raises(ValueError, match="source"):
        F.covid_failure_ratio("weekly", series=y)


def test_require_month_names_the_parameter():
    assert F.require_month("train_end", "2019-12", "2005-01", "2020-02") == pd.Period("2019-12", "M")
    with pytest.raises(ValueError, match=r"train_end.*out of range"):
        F.require_month("train_end", "2021-01", "2005-01", "2020-02")
    with pytest.raises(ValueError, match=r"horizon_end.*YYYY-MM"):
        F.require_month("horizon_end", "2024", "2021-01", "2024-11")


def test_parse_period_conventions():
    assert F.parse_period(2019, "M", "x") == pd.Period("2019-12", "M")
    assert F.parse_period("2019-12", "Y-DEC", "x") == pd.Period("2019", "Y")
    assert F.parse_period(pd.Period("2019", "Y"), "M", "x") == pd.Period("2019-12", "M")


# --------------------------------------------------------------------------- known answers
@pytest.mark.parametrize("model", sorted(F.MODELS))
def test_known_multiplicative_drop_is_recovered(model):
    base = flat_series(sigma=0.03, seed=1)
    obs = shocked(base, {("2020-03", "2021-12"): 0.6})
    cf = F.counterfactual(obs, model=model, train_end="2019-12", n_paths=2000, seed=0)
    ratios = F.yearly_ratio(cf, [2020, 2021, 2022, 2023])
    expected = {2020: (2 + 10 * 0.6) / 12, 2021: 0.6, 2022: 1.0, 2023: 1.0}
    for year, truth in expected.items():
        row = ratios.loc[year]
        assert row["ratio"] == pytest.approx(truth, abs=0.04), (year, row.to_dict())
        assert row["lower"] <= truth <= row["upper"], (year, row.to_dict())
        assert row["n_periods"] == 12
    # The missing failures of the shock window: the truth is the unshocked total minus
    # the observed total over the same months.
    window = slice("2020-03", "2021-12")
    truth = float(base[window].sum() - obs[window].sum())
    g = F.gap(cf, "2020-03", "2021-12")
    assert g["missing"] == pytest.approx(truth, rel=0.06)
    assert g["lower"] <= truth <= g["upper"]
    assert g["missing_share"] == pytest.approx(0.4, abs=0.03)


def test_catch_up_measures_a_known_overshoot():
    base = flat_series(sigma=0.002, seed=2)
    # A 50 % deficit over 24 months, made up by a 50 % excess over the next 24 months.
    obs = shocked(base, {("2020-01", "2021-12"): 0.5, ("2022-01", "2023-12"): 1.5})
    cf = F.counterfactual(obs, model="level", train_end="2019-12", n_paths=500, seed=0)
    res = F.catch_up(cf, ("2020-01", "2021-12"), ("2022-01", "2023-12"))
    assert res["deficit"] == pytest.approx(0.5 * 300 * 24, rel=0.02)
    assert res["excess"] == pytest.approx(0.5 * 300 * 24, rel=0.02)
    assert res["share_recovered"] == pytest.approx(1.0, abs=0.03)
    cum = F.cumulative_excess(cf, "2020-01", "2023-12")
    assert cum["mean"].idxmin() == pd.Period("2021-12", "M")
    assert abs(cum["mean"].iloc[-1]) < 0.03 * res["deficit"]


def test_percent_change_by_hand():
    s = pd.Series([100.0, 64.0, 54.0], index=[2019, 2020, 2021])
    out = F.percent_change(s, [2020, 2021], 2019)
    assert out[2020] == pytest.approx(-0.36) and out[2021] == pytest.approx(-0.46)
    monthly = flat_series(level=10, sigma=0.0, start="2019-01", end="2020-06")
    with pytest.raises(ValueError, match="2020"):
        F.percent_change(monthly, [2020], 2019)  # 2020 is incomplete


def test_intervals_cover_at_about_their_level():
    """Local-level series simulated from the ETS(A,N,N) model itself: the 90 % simulated
    intervals at horizons 1..12 should hold the true future about 90 % of the time."""
    rng = np.random.default_rng(123)
    n_rep, n, h, alpha, sigma = 60, 120, 12, 0.3, 0.05
    inside, inside_analytic, total = 0, 0, 0
    idx = pd.period_range("2000-01", periods=n + h, freq="M")
    for rep in range(n_rep):
        e = rng.normal(0, sigma, n + h)
        level, y = np.log(200.0), np.empty(n + h)
        for t in range(n + h):
            y[t] = level + e[t]
            level = level + alpha * e[t]
        series = pd.Series(np.exp(y), index=idx)
        cf = F.counterfactual(series, model="level", train_end=idx[n - 1], n_paths=400,
                              seed=rep, level=0.9)
        b = F.band(cf)
        inside += int(((b["observed"] >= b["lower"]) & (b["observed"] <= b["upper"])).sum())
        inside_analytic += int(((b["observed"] >= b["analytic_lower"])
                                & (b["observed"] <= b["analytic_upper"])).sum())
        total += len(b)
    assert 0.82 <= inside / total <= 0.97
    assert 0.82 <= inside_analytic / total <= 0.97


# --------------------------------------------------------------------------- backtest
def test_backtest_uses_no_data_after_its_origin():
    """Leakage test: change every value after a cut-off; forecasts made at origins up to
    the cut-off must not move by a single bit, later ones must."""
    y = flat_series(sigma=0.05, end="2016-12", seed=3)
    cut = pd.Period("2015-06", "M")
    marked = y.copy()
    marked[cut + 1:] = marked[cut + 1:] * 5.0  # a marker no model could ignore
    kw = {"test_start": "2015-01", "test_end": "2016-12", "horizon": 6, "step": 2}
    a = F.backtest(y, "damped", **kw)
    b = F.backtest(marked, "damped", **kw)
    before = a["origin"] <= cut
    assert before.any() and (~before).any()
    cols = ["forecast", "lower", "upper"]
    np.testing.assert_array_equal(a.loc[before, cols].to_numpy(), b.loc[before, cols].to_numpy())
    assert not np.allclose(a.loc[~before, "forecast"], b.loc[~before, "forecast"])
    # Structure: targets inside the window, after their origin, h consistent.
    assert (a["target"] > a["origin"]).all()
    assert ((a["target"] - a["origin"]).map(lambda d: d.n) == a["h"]).all()
    assert a["target"].min() == pd.Period("2015-01", "M")
    assert a["target"].max() == pd.Period("2016-12", "M")
    assert a["h"].max() == 6


def test_backtest_summary_by_hand():
    bt = pd.DataFrame({"origin": [1, 1, 2], "h": [1, 2, 1], "error": [0.1, -0.3, 0.2],
                       "covered": [True, False, True]})
    s = F.backtest_summary(bt, horizons=[1, 2])
    assert s["mae"] == pytest.approx(0.2)
    assert s["bias"] == pytest.approx(0.0)
    assert s["rmse"] == pytest.approx(np.sqrt((0.01 + 0.09 + 0.04) / 3))
    assert s["coverage"] == pytest.approx(2 / 3)
    assert s["mae_h1"] == pytest.approx(0.15) and s["mae_h2"] == pytest.approx(0.3)
    assert s["n_origins"] == 2


def test_covid_failure_ratio_on_a_given_series():
    obs = shocked(flat_series(seed=4), {("2020-01", "2021-12"): 0.5})
    out = F.covid_failure_ratio("monthly", series=obs, years=(2020, 2021, 2022),
                                n_paths=500, seed=1)
    assert list(out.index) == [2020, 2021, 2022]
    assert {"ratio", "lower", "upper", "source", "model"} <= set(out.columns)
    assert (out["lower"] <= out["ratio"]).all() and (out["ratio"] <= out["upper"]).all()
    assert out.loc[2020, "ratio"] == pytest.approx(0.5, abs=0.04)
    assert out.loc[2022, "ratio"] == pytest.approx(1.0, abs=0.06)
    again = F.covid_failure_ratio("monthly", series=obs, years=(2020, 2021, 2022),
                                  n_paths=500, seed=1)
    pd.testing.assert_frame_equal(out, again)  # seeded


# --------------------------------------------------------------------------- real files
@pytest.fixture
def mirror() -> Path:
    if not (SHARED / "SHA256SUMS").is_file():
        pytest.skip(f"real data mirror not found at {SHARED}")
    return SHARED


def test_real_annual_series_basic_facts(mirror):
    from causalxai import data

    a = data.read_france_annual(data_dir=mirror)
    assert a[2019] == pytest.approx(51.1) and a[2020] == pytest.approx(31.2)
    assert a[2021] == pytest.approx(27.6)
    change = F.percent_change(a, [2020, 2021], 2019)
    assert change[2020] == pytest.approx(31.2 / 51.1 - 1)
    assert change[2021] == pytest.approx(27.6 / 51.1 - 1)


def test_real_monthly_series_and_calibration_table(mirror):
    from causalxai import data

    m = data.read_france_monthly(data_dir=mirror)
    assert m.index[0] == pd.Period("1990-01", "M") and m.index[-1] == pd.Period("2024-11", "M")
    assert len(m) == 419
    for source in ("annual", "monthly"):
        out = F.covid_failure_ratio(source, data_dir=mirror, n_paths=500)
        assert list(out.index) == [2020, 2021, 2022, 2023]
        assert (out["lower"] <= out["ratio"]).all() and (out["ratio"] <= out["upper"]).all()
        # The COVID years are well below what the pre-2020 regime implies.
        assert (out.loc[[2020, 2021], "upper"] < 1).all()


def test_backtest_models_runs_every_model_on_the_same_window():
    y = flat_series(sigma=0.05, end="2016-12", seed=4)
    kw = {"start": "2015-01", "end": "2016-12", "horizon": 6, "step": 3}
    tables, summary = F.backtest_models(y, **kw)
    assert set(tables) == set(F.MODELS) and list(summary.index) == list(F.MODELS)
    for name, bt in tables.items():
        same = F.backtest(y, name, test_start="2015-01", test_end="2016-12", horizon=6, step=3)
        pd.testing.assert_frame_equal(bt, same)
        assert summary.loc[name, "mae"] == pytest.approx(bt["error"].abs().mean())
    assert "mae_h1" in summary.columns and "mae_h12" not in summary.columns

"""Tests of causalxai.earlywarning.sectors: hand-built signals, no look-ahead, stacking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from causalxai.earlywarning import sectors as SE
from causalxai.months import month_param


def test_sector_signals_hand_built_and_without_look_ahead():
    frame = pd.DataFrame({
        "month": pd.to_datetime(["2022-01-01"] * 2 + ["2022-02-01"] * 2 + ["2022-04-01"] * 2),
        "sector": ["C", "I"] * 3, "x": [1.0, 2.0, 3.0, 2.0, 7.0, 5.0]})
    frame = pd.concat([frame, frame.assign(x=frame["x"] + 2)], ignore_index=True)
    out = SE.sector_signals(frame, ["x"], lags=(1, 3))
    c = (frame["sector"] == "C").to_numpy()
    assert out.loc[c, "sector_x"].tolist()[:3] == [2.0, 4.0, 8.0]
    chg1 = out.loc[c, "sector_x_chg1"].tolist()[:3]
    assert np.isnan(chg1[0]) and chg1[1] == 2.0 and np.isnan(chg1[2])  # 2022-03 empty
    assert out.loc[c, "sector_x_chg3"].tolist()[2] == 6.0                # 8 - 2

    rng = np.random.default_rng(5)
    big = pd.DataFrame({"month": pd.to_datetime(rng.choice(
        pd.date_range("2021-01-01", periods=18, freq="MS"), 3000)),
        "sector": rng.choice(list("ABC"), 3000), "x": rng.normal(size=3000)})
    full = SE.sector_signals(big, ["x"], lags=(3, 6))
    t0 = pd.Timestamp("2021-09-01")
    past = big["month"] <= t0
    cut = SE.sector_signals(big[past], ["x"], lags=(3, 6))
    pd.testing.assert_frame_equal(full[past], cut)


def test_event_timing():
    frame = pd.DataFrame({"month": pd.to_datetime(["2022-02-01", "2022-03-01", "2022-05-01",
                                                   "2022-05-01", "2024-04-01"]),
                          "sector": ["C", "C", "C", "I", "C"]})
    out = SE.event_timing(frame, [("C", "2022-03-01")], cap=24)
    assert out["event_active"].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert out["event_months"].tolist() == [-1.0, 0.0, 2.0, -1.0, -1.0]


def test_fit_stack_recovers_a_logistic_overlay():
    rng = np.random.default_rng(6)
    n = 200_000
    base = rng.uniform(0.002, 0.2, n)
    z = rng.normal(0, 2, n)
    y = (rng.random(n) < expit(-0.3 + 0.9 * logit(base) + 0.25 * z)).astype(int)
    stack = SE.fit_stack(base, pd.DataFrame({"z": z}), y, penalty=1e-6)
    assert stack.coef["logit_base"] == pytest.approx(0.9, abs=0.03)
    assert stack.coef["z"] == pytest.approx(0.25 * z.std(), abs=0.03)  # standardised scale


def test_exposure_groups():
    frame = pd.DataFrame({"firm_id": [0, 1, 2, 3], "sector": ["I", "C", "C", "C"]})
    exposure = pd.Series([2.0, 0.0, 0.5, 1.5])
    groups = SE.exposure_groups(frame, exposure, "C")
    assert groups.astype(str).tolist() == ["other sectors", "shocked sector, not exposed",
                                           "exposed, low", "exposed, high"]


def test_month_param_and_training_events():
    assert month_param("event_month", "2022-03", "2019-01", "2022-12") == pd.Timestamp(
        "2022-03-01")
    with pytest.raises(ValueError, match="event_month"):
        month_param("event_month", "2022-3", "2019-01", "2022-12")
    with pytest.raises(ValueError, match="between"):
        month_param("event_month", "2023-01", "2019-01", "2022-12")
    events = SE.training_events(["C", "F", "G"], exclude="C", first="2017-01", last="2020-12",
                               n=3, seed=1)
    assert [e.name for e in events] == ["past_1", "past_2", "past_3"]
    assert all(e.sector in {"F", "G"} for e in events)
    assert {e.sector for e in events[:2]} == {"F", "G"}       # distinct while they last
    onsets = [pd.Timestamp(e.month) for e in events]
    assert onsets == sorted(onsets)
    assert pd.Timestamp("2017-01-01") <= onsets[0] and onsets[-1] <= pd.Timestamp("2020-12-01")
    assert all(-1.5 <= e.size <= -0.5 for e in events)
    assert SE.training_events(["C"], exclude="C", first="2017-01", last="2018-01", n=0) == ()

"""The README's quickstart runs exactly as printed, on data it describes."""

import re
from pathlib import Path

import pandas as pd

from causalxai.predict.models import gbm
from causalxai.synthetic.library import make_scenario

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks():
    text = README.read_text()
    part = text.split("<!-- quickstart:start -->")[1].split("<!-- quickstart:end -->")[0]
    return dict(re.findall(r"```(yaml|python)\n(.*?)```", part, flags=re.S))


def test_the_quickstart_runs_and_returns_effects_and_prescriptions(tmp_path, monkeypatch):
    blocks = _blocks()
    assert set(blocks) == {"yaml", "python"}
    assert len(blocks["python"].strip().splitlines()) <= 8
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.yaml").write_text(blocks["yaml"])
    sc = make_scenario("observed_confounding")
    X, y = sc.sample(1000, 0)
    model = gbm("regression", n_estimators=30).fit(X, y)
    namespace = {"X": X, "y": y, "model": model}
    exec(compile(blocks["python"], "README.md", "exec"), namespace)
    rx = namespace["rx"]
    effects, recs = rx.effects(), rx.prescribe(X, budget=1.0)
    assert list(effects.index) == ["cash_buffer", "debt_ratio"]
    assert effects["identified"].all()
    assert isinstance(recs, pd.DataFrame) and len(recs) == len(X)
    assert rx.model_ is model

"""Per-chapter costs from the runner's records, the fixed cost, benchmark results."""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import pytest

from causalxai.compendium import costs
from causalxai.compendium.costs import (
    bench_table,
    chapter_title,
    fixed_cost,
    notebook_costs,
    prescriber_runs,
    read_bench,
    toc_parts,
)
from causalxai.compendium.paths import Layout

TOC = """\
format: jb-book
root: book/intro
parts:
  - caption: "Part II — Synthetic experiments"
    chapters:
      - file: executed/20_synthetic/01_first
      - file: book/review/prose
      - file: executed/20_synthetic/02_second
  - caption: Appendix
    chapters:
      - file: executed/90_appendix/02_performance
"""


def _notebook(path: Path, title: str | None) -> None:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nText.")] if title else []
    nb.cells = [*cells, nbformat.v4.new_code_cell("x = 1")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def fake(tmp_path: Path) -> Layout:
    (tmp_path / "_toc.yml").write_text(TOC)
    nbs = tmp_path / "notebooks"
    _notebook(nbs / "20_synthetic/01_first.ipynb", "SHAP is not causal")
    _notebook(nbs / "20_synthetic/02_second.ipynb", None)
    _notebook(nbs / "90_appendix/02_performance.ipynb", "Performance")
    runs = tmp_path / ".cache/runs/default"
    (runs / "20_synthetic").mkdir(parents=True)
    (runs / "90_appendix").mkdir(parents=True)
    (runs / "20_synthetic/01_first.ipynb.run.json").write_text(
        json.dumps({"seconds": 12.5, "finished": "2026-12-07T08:00:00+00:00"}))
    (runs / "90_appendix/02_performance.ipynb.run.json").write_text(json.dumps({"seconds": 99}))
    return Layout(tmp_path)


def test_costs_read_the_records_and_say_which_are_missing(fake):
    table = notebook_costs(fake, "default", exclude=["90_appendix/02_performance.ipynb"])
    assert list(table["notebook"]) == ["20_synthetic/01_first.ipynb",
                                       "20_synthetic/02_second.ipynb",
                                       "90_appendix/02_performance.ipynb"]
    assert list(table["chapter"]) == ["SHAP is not causal", "Second", "Performance"]
    assert list(table["part"]) == ["Part II", "Part II", "Appendix"]
    assert list(table["status"]) == ["recorded", "no record", "not read (this page)"]
    assert table["seconds"].iloc[0] == 12.5
    assert math.isnan(table["seconds"].iloc[1]) and math.isnan(table["seconds"].iloc[2])
    assert table["finished"].iloc[0] == "2026-12-07T08:00:00+00:00"


def test_an_unreadable_record_is_reported_not_guessed(fake):
    record = fake.runs / "default/20_synthetic/01_first.ipynb.run.json"
    record.write_text("{truncated")
    table = notebook_costs(fake, "default")
    assert table["status"].iloc[0] == "unreadable record"
    assert math.isnan(table["seconds"].iloc[0])
    assert table["seconds"].iloc[2] == 99  # not excluded: the page's own last record


def test_a_missing_run_folder_means_no_record_anywhere(fake):
    table = notebook_costs(fake, "smoke")
    assert set(table["status"]) == {"no record"} and table["seconds"].isna().all()
    with pytest.raises(ValueError, match="name of a run folder"):
        notebook_costs(fake, "../default")


def test_titles_and_parts(fake, tmp_path):
    assert toc_parts(fake) == {"20_synthetic/01_first.ipynb": "Part II",
                               "20_synthetic/02_second.ipynb": "Part II",
                               "90_appendix/02_performance.ipynb": "Appendix"}
    with pytest.raises(ValueError, match="cannot read notebook"):
        chapter_title(tmp_path / "nothing.ipynb")


def test_read_bench(fake):
    assert read_bench(fake, "sweep.json") is None
    bench = fake.root / costs.BENCH_DIR
    bench.mkdir(parents=True)
    (bench / "sweep.json").write_text(json.dumps({"ratio": 1.9}))
    assert read_bench(fake, "sweep.json") == {"ratio": 1.9}
    (bench / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="rerun its benchmark"):
        read_bench(fake, "bad.json")
    with pytest.raises(ValueError, match=r"ending in \.json"):
        read_bench(fake, "sweep.csv")


def test_fixed_cost_is_setup_minus_empty(monkeypatch, fake):
    seconds = iter([2.0, 5.5])
    seen = []

    def fake_run(spec):
        seen.append("".join(json.loads(spec["source_text"])["cells"][0]["source"]))
        return {"status": "ran", "seconds": next(seconds), "message": ""}

    monkeypatch.setattr(costs, "run_spec", fake_run)
    assert fixed_cost(fake, setup="import json") == {"empty": 2.0, "setup": 5.5,
                                                     "imports": 3.5}
    assert seen == ["pass", "import json"]


def test_fixed_cost_runs_real_kernels_and_reports_a_failing_setup():
    layout = Layout.find(Path(__file__).parent)
    with pytest.raises(RuntimeError, match=r"setup notebook did not run.*boom"):
        fixed_cost(layout, setup="raise ValueError('boom')", timeout=60)


def _pvc_run(rows, ours, theirs):
    quality = {m: {"regret": r, "relative_regret": r, "validity": 1.0, "abstention_rate": 0.0}
               for m, r in (("Prescriber", 0.0), ("CausalAnalysis", 0.06))}
    return {"rows": rows, "prescriber_s": ours, "causalanalysis_s": theirs,
            "quality": quality}


def test_prescriber_runs_are_sorted_by_size_and_checked():
    runs = prescriber_runs({"runs": [_pvc_run(20_000, 6.8, 15.5), _pvc_run(5_000, 1.3, 11.3)]})
    assert list(runs.index) == [5_000, 20_000]
    assert runs.loc[20_000, "CausalAnalysis"] / runs.loc[20_000, "Prescriber"] == \
        pytest.approx(15.5 / 6.8)
    assert list(runs["CausalAnalysis regret"]) == [0.06, 0.06]
    with pytest.raises(ValueError, match="rerun the benchmark"):
        prescriber_runs({"runs": [{"rows": 5}]})
    with pytest.raises(ValueError, match="holds no run"):
        prescriber_runs({"runs": []})


def test_bench_table_shows_only_what_was_measured():
    sweep = {"combinations": 4, "params": "smoke", "runs": [{"jobs": 1, "wall_s": 80.0},
                                                            {"jobs": 2, "wall_s": 60.0}]}
    book = {"chapters": 27, "cold": {"total": 1500.0}, "warm": {"total": 90.0}}
    assert bench_table([None, None], None).empty
    assert list(bench_table([sweep, None], None)["seconds"]) == [80.0, 60.0]
    both = bench_table([sweep], book)
    assert list(both.index) == ["sweep of 4 combinations (smoke set), -j 1",
                                "sweep of 4 combinations (smoke set), -j 2",
                                "make book, cold (27 chapters)",
                                "make book, warm (27 chapters)"]
    with pytest.raises(TypeError, match="sequence of sweep results"):
        bench_table(sweep, None)

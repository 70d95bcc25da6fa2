"""Every notebook: structure of the source, execution with the smoke set, glued values."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import nbformat
import pytest

from causalxai.compendium import runner
from causalxai.compendium.book import glued
from causalxai.compendium.params import read_parameters
from causalxai.compendium.paths import Layout
from tests.conftest import REPO

LAYOUT = Layout(REPO)
SOURCES = sorted(p.relative_to(LAYOUT.notebooks).as_posix()
                 for p in LAYOUT.notebooks.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_every_notebook_is_in_the_toc_and_every_toc_entry_has_a_source():
    in_toc = runner.toc_notebooks(LAYOUT)
    assert sorted(in_toc) == SOURCES
    assert len(in_toc) == len(set(in_toc))


@pytest.mark.parametrize("rel", SOURCES)
def test_notebook_source_shape(rel):
    nb = nbformat.read(LAYOUT.notebooks / rel, as_version=4)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code), \
        "sources must not store outputs"
    assert nb["cells"][0]["cell_type"] == "markdown" and nb["cells"][0]["source"].startswith("# ")
    declared = read_parameters(LAYOUT.notebooks / rel)
    assert declared and all(p.help for p in declared.values()), "every parameter has a comment"


@pytest.mark.parametrize("rel", SOURCES)
def test_parameters_are_validated_once_from_their_declaration(rel):
    """One validation cell, right after the parameters cell, hidden; no hand-written
    ``require(...)`` restating a range that the parameters cell already declares."""
    nb = nbformat.read(LAYOUT.notebooks / rel, as_version=4)
    name = Path(rel).name
    call = f'validate_parameters(globals(), "{name}")'
    cells = [i for i, c in enumerate(nb.cells) if "validate_parameters(" in c.source]
    assert len(cells) == 1, f"{rel}: expected one validation cell, found {len(cells)}"
    (index,) = cells
    assert call in nb.cells[index].source, f"{rel}: the validation cell must call {call}"
    assert "parameters" in nb.cells[index - 1].metadata.get("tags", []), \
        f"{rel}: the validation cell must follow the parameters cell"
    assert "remove-cell" in nb.cells[index].metadata.get("tags", [])
    offenders = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "require(" in c.source]
    assert not offenders, f"{rel}: require(...) in cell(s) {offenders}"


def test_declared_choices_match_the_package():
    from causalxai import data
    from causalxai.knowledge.experiment import LINEAR_SCENARIOS

    scenarios = read_parameters(LAYOUT.notebooks / "10_state_of_the_art/02_knowledge_to_graph.ipynb")
    assert set(scenarios["scenarios"].choices) == set(LINEAR_SCENARIOS)
    registry = read_parameters(LAYOUT.notebooks / "90_appendix/01_data_registry.ipynb")
    assert set(registry["dataset"].choices) == {"all", *data.load_registry().datasets}


@pytest.mark.parametrize("param_set", ["default", "smoke"])
def test_parameter_sets_are_valid_for_every_notebook(param_set):
    name, jobs = runner.plan(LAYOUT, None, param_set, check_inputs=False)
    assert name == param_set and sorted(j.rel for j in jobs) == SOURCES


def _numbers(values: dict[str, str]) -> dict[str, float]:
    out = {}
    for key, text in values.items():
        try:
            out[key] = float(text.strip("'\""))
        except ValueError:
            continue
    return out


@pytest.mark.notebooks
@pytest.mark.parametrize("rel", SOURCES)
def test_smoke_run_glues_finite_values(smoke_outputs, rel):
    values = glued(smoke_outputs[rel])
    assert values, f"{rel} glues nothing for its prose"
    numbers = _numbers(values)
    bad = {k: v for k, v in numbers.items() if not math.isfinite(v)}
    assert not bad, f"non-finite glued values: {bad}"


@pytest.mark.notebooks
def test_smoke_run_of_chapter_one_matches_the_ground_truth(smoke_outputs):
    values = _numbers(glued(smoke_outputs["20_synthetic/01_shap_is_not_causal.ipynb"]))
    # Closed forms of the structural model: the symptom has no effect, debt acts through
    # interest (0.9 x 0.6), cash directly (-0.5), demand directly and through cash.
    assert values["late_payments_truth"] == pytest.approx(0.0, abs=1e-12)
    assert values["debt_ratio_truth"] == pytest.approx(0.54, abs=1e-9)
    assert values["cash_buffer_truth"] == pytest.approx(-0.5, abs=1e-9)
    assert values["demand_truth"] == pytest.approx(-0.8, abs=1e-9)
    assert values["max_mc_gap"] < 1e-9
    assert 0 < values["r2"] <= 1
    assert 0 <= values["n_wrong_sign"] <= values["n_features"] == 6
    # What the chapter is about, robust even at smoke size: the symptom dominates SHAP.
    assert values["late_payments_rank"] == 1 and values["late_payments_slope"] > 0.3


@pytest.mark.notebooks
def test_smoke_outputs_record_their_parameters(smoke_outputs):
    for rel, path in smoke_outputs.items():
        record = json.loads(Path(str(path) + ".run.json").read_text())
        assert record["source"] == f"notebooks/{rel}"
        planned = runner.plan(LAYOUT, [rel], "smoke", check_inputs=False)[1][0]
        assert record["parameters"] == planned.parameters


def _noise(path: Path) -> list[str]:
    """stderr streams and raw reprs (a pandas Series printed as text) of an executed notebook."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {index}: stderr {out['text'][:120]!r}")
            data = out.get("data", {})
            if set(data) == {"text/plain"} and "dtype: " in data["text/plain"]:
                found.append(f"cell {index}: raw repr {data['text/plain'][-80:]!r}")
    return found


@pytest.mark.notebooks
@pytest.mark.parametrize("rel", SOURCES)
def test_smoke_run_has_no_stderr_and_no_raw_repr(smoke_outputs, rel):
    assert not _noise(smoke_outputs[rel]), f"{rel}: " + "; ".join(_noise(smoke_outputs[rel]))


def test_the_noise_check_finds_stderr_and_raw_reprs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="TqdmWarning: ..."),
                    nbformat.v4.new_output("execute_result", data={
                        "text/plain": "a    1.0\nName: seconds, dtype: float64"}),
                    nbformat.v4.new_output("stream", name="stdout", text="fine")]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "x.ipynb")
    found = _noise(tmp_path / "x.ipynb")
    assert len(found) == 2 and "stderr" in found[0] and "raw repr" in found[1]


PART_II = [rel for rel in SOURCES if rel.startswith("20_synthetic/")]
_GLUE_REF = re.compile(r"\{glue:text\}`([^`]+)`")


@pytest.mark.parametrize("rel", PART_II)
def test_part_two_prose_quotes_the_numbers_of_its_tables(rel):
    """Issue 10, point 2: the prose read SHAP's slope from a second computation (the
    study's single SHAP summary, ``*_shap``) while the table showed the ``ShapSlope``
    method's cells; prose now quotes the cells (``*_shapslope``), glued from the table's
    own computation, and the restyled chapters quote formatted text (no format spec).
    That a glued cell equals the table's cell as shown is tested on a real study in
    ``tests/synthetic/test_report.py``."""
    nb = nbformat.read(LAYOUT.notebooks / rel, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    refs = _GLUE_REF.findall(prose)
    assert refs, f"{rel} quotes no glued number"
    second = [r for r in refs if r.split(":")[0].endswith("_shap")]
    assert not second, f"{rel}: prose quotes a second computation of SHAP's slope: {second}"
    assert "st.shap.loc" not in code and 'shap.loc[f, "slope"]' not in code
    if "show_study(" in code or "formatted=True" in code:
        spec = [r for r in refs if ":" in r]
        assert not spec, f"{rel}: formatted glue quoted with a format spec: {spec}"


#: Chapters whose cells are not yet all hidden as the test below requires (Part II's
#: unrestyled chapters belong to another branch). Remove an entry when its chapter passes.
NOT_YET_HIDDEN: set[str] = set()
_GLUES = re.compile(r"\bglue(?:_figure|_study|_table)?\(")
_PLOTS = re.compile(r"\bplt\.|\bplot_\w+\(|\.plot\(|\bdraw_\w+\(")
_HIDDEN = {"hide-input", "remove-input", "remove-cell"}


def _visible_boilerplate(path: Path) -> list[str]:
    """Code cells a reader should not see but would: glue or plotting code, the
    parameters cell, the validation cell, without a hiding tag."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if tags & _HIDDEN:
            continue
        what = ("parameters" if "parameters" in tags
                else "validation" if "validate_parameters(" in cell.source
                else "glue" if _GLUES.search(cell.source)
                else "plotting" if _PLOTS.search(cell.source) else None)
        if what:
            found.append(f"cell {index} ({what}): {cell.source.splitlines()[0][:60]!r}")
    return found


@pytest.mark.parametrize("rel", SOURCES)
def test_glue_plotting_parameters_and_validation_cells_are_hidden(rel):
    """Issue 10, point 4: the reader sees the narrative and the calls that teach the API;
    a cell that glues, plots, declares or validates parameters is tagged ``hide-input``,
    ``remove-input`` or ``remove-cell``."""
    found = _visible_boilerplate(LAYOUT.notebooks / rel)
    if rel in NOT_YET_HIDDEN:
        assert found, f"{rel} now passes: remove it from NOT_YET_HIDDEN"
        pytest.xfail("not yet restyled")
    assert not found, f"{rel}: " + "; ".join(found)


def test_the_hidden_cells_check_finds_visible_boilerplate(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("n = 3  # rows; range [1, 9]",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell('glue("x", 1, "count")'),
                nbformat.v4.new_code_cell("fig, ax = plt.subplots()",
                                          metadata={"tags": ["hide-input"]}),
                nbformat.v4.new_code_cell("plot_shd(table)")]
    nbformat.write(nb, tmp_path / "x.ipynb")
    found = _visible_boilerplate(tmp_path / "x.ipynb")
    assert [f.split(" (")[0] for f in found] == ["cell 0", "cell 1", "cell 3"]

"""The notebook runner: planning and validation, cache decisions, atomic execution."""

from __future__ import annotations

import json
import os

import pytest

from causalxai import data
from causalxai.__main__ import main
from causalxai.compendium import runner
from causalxai.compendium.inputs import InputError
from causalxai.compendium.params import ParameterError
from causalxai.compendium.paths import Layout
from tests.conftest import make_notebook

REPO_CHAPTER = "notebooks/20_synthetic/01_shap_is_not_causal.ipynb"


def test_toc_lists_executed_entries_as_sources(project):
    assert runner.toc_notebooks(project) == ["a/first.ipynb", "b/second.ipynb"]


def test_plan_resolves_set_then_overrides(project):
    name, jobs = runner.plan(project, None, "default", ["rate=0.25"])
    assert name == "default+rate=0.25"  # a custom run has its own folder
    first = next(j for j in jobs if j.rel == "a/first.ipynb")
    assert first.parameters == {"n_samples": 200, "rate": 0.25, "mode": "fast", "fail": False}
    assert first.output == project.runs / "default+rate=0.25/a/first.ipynb"
    second = next(j for j in jobs if j.rel == "b/second.ipynb")
    assert second.parameters == {"seed": 0}  # overrides go where they are declared
    assert second.output == project.runs / "default/b/second.ipynb"  # unchanged: the set's
    with pytest.raises(ParameterError, match="unknown parameter 'rate'"):
        runner.plan(project, ["b/second.ipynb"], "default", ["rate=0.25"])
    with pytest.raises(ParameterError, match="unknown parameter 'sed'; did you mean 'seed'"):
        runner.plan(project, None, "default", ["sed=1"])


@pytest.mark.parametrize("notebook", ["notebooks/a/first.ipynb", "a/first", "a/first.ipynb"])
def test_notebook_paths_are_accepted_in_several_forms(project, notebook, monkeypatch):
    monkeypatch.chdir(project.root)
    _, jobs = runner.plan(project, [notebook])
    assert [j.rel for j in jobs] == ["a/first.ipynb"]


def test_plan_refuses_missing_notebooks_and_stale_sets(project):
    with pytest.raises(ParameterError, match="notebook not found: a/nope"):
        runner.plan(project, ["a/nope"])
    (project.params / "default.yaml").write_text("a/gone.ipynb: {}\n")
    with pytest.raises(ParameterError, match=r"names a missing notebook: a/gone\.ipynb"):
        runner.plan(project)


def _pretend_ran(job, data_read=None):
    runner.finish(job, {"status": "ran", "notebook": "{}", "reads": data_read or {},
                        "seconds": 0.0, "finished": "2026-01-01T00:00:00+00:00"})


def test_cache_key_changes_with_source_parameters_and_package(project):
    _, (job, _) = runner.plan(project)
    assert not runner.is_fresh(job)
    _pretend_ran(job)
    assert runner.is_fresh(job)
    assert runner.is_fresh(runner.plan(project)[1][0])
    assert not runner.is_fresh(runner.plan(project, None, "default", ["rate=0.1"])[1][0])
    pkg = project.package
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text("X = 1\n")
    assert runner.is_fresh(runner.plan(project)[1][0])  # the notebook does not import it
    source = project.notebooks / "a/first.ipynb"
    source.write_text(source.read_text().replace("result = n_samples * rate",
                                                 "from causalxai import helper"))
    _pretend_ran(runner.plan(project)[1][0])
    (pkg / "helper.py").write_text("X = 2\n")
    assert not runner.is_fresh(runner.plan(project)[1][0])
    _pretend_ran(runner.plan(project)[1][0])
    source = project.notebooks / "a/first.ipynb"
    source.write_text(source.read_text().replace("A test notebook", "An edited notebook"))
    assert not runner.is_fresh(runner.plan(project)[1][0])


def test_cache_follows_the_data_a_run_read(project, tmp_path, monkeypatch):
    name = data.registered_files("france_business_failures")[0]
    sha = data.file_info(name)["sha256"]
    data_dir = tmp_path / "data"
    monkeypatch.setenv(data.ENV_VAR, str(data_dir))
    _, (job, _) = runner.plan(project)
    _pretend_ran(job, {name: None})  # the run looked for the file and did not find it
    assert runner.is_fresh(job)
    (data_dir / name).parent.mkdir(parents=True)
    (data_dir / name).write_text("now present, with the wrong content")
    assert not runner.is_fresh(job)
    _pretend_ran(job, {name: sha})  # the run read the registered file...
    assert not runner.is_fresh(job)  # ...which now differs on disk


def test_execution_is_atomic_cached_and_names_the_failing_cell(project):
    _, jobs = runner.plan(project)
    results = runner.execute(jobs, project, workers=2, progress=False, echo=lambda s: None)
    assert [r.status for r in results] == ["ran", "ran"]
    good = jobs[0].output.read_bytes()
    out = json.loads(good)
    injected = [c for c in out["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "n_samples = 200" in "".join(injected[0]["source"])
    assert not list(project.runs.rglob(".*running*"))  # no temporary file left behind

    again = runner.execute(jobs, project, progress=False, echo=lambda s: None)
    assert [r.status for r in again] == ["cached", "cached"]

    _, failing = runner.plan(project, ["a/first"], "default", ["fail=true"])
    (res,) = runner.execute(failing, project, progress=False, echo=lambda s: None)
    assert res.status == "failed"
    assert "AssertionError: failing on purpose" in res.message
    assert "starting `assert not fail" in res.message
    assert jobs[0].output.read_bytes() == good  # the good output is untouched
    assert failing[0].failed.is_file() and str(failing[0].failed) in res.message
    assert runner.is_fresh(jobs[0])  # and still counts as up to date for its own key


def test_cli_exits_2_and_names_the_parameter_before_running(capsys):
    runs = Layout.find().runs
    runs_before = sorted(runs.rglob("*")) if runs.exists() else []
    code = main(["run", REPO_CHAPTER, "-p", "n_smples=10"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "did you mean 'n_samples'" in err
    assert (sorted(runs.rglob("*")) if runs.exists() else []) == runs_before


@pytest.mark.parametrize("args, message", [
    (["run", "notebooks/nope.ipynb"], "notebook not found"),
    (["run", REPO_CHAPTER, "-p", "n_samples=lots"], "expects int"),
    (["run", REPO_CHAPTER, "-p", "n_samples=10"], "must be in"),
    (["run", REPO_CHAPTER, "--params", "nope"], "parameter set 'nope' not found"),
])
def test_cli_bad_input_exit_code(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_lists_parameters(capsys):
    assert main(["params", REPO_CHAPTER]) == 0
    assert "n_samples = 20000  (int)" in capsys.readouterr().out


def test_environment_variable_root(project, monkeypatch, capsys):
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    monkeypatch.chdir(os.path.dirname(project.root))
    assert main(["params", "a/first"]) == 0
    assert "mode = 'fast'" in capsys.readouterr().out


def test_a_notebook_that_runs_last_waits_for_the_others_and_follows_them(project):
    record = "'.cache/runs/default/a/first.ipynb.run.json'"
    make_notebook(project.notebooks / "b/second.ipynb", "seed = 0  # seed; range [0, 10]\n",
                  "import os, pathlib\n"
                  f"rec = pathlib.Path(os.environ['CAUSALXAI_ROOT']) / {record}\n"
                  "assert rec.is_file(), 'started before first.ipynb finished'\n",
                  metadata={"causalxai": {"runs_last": True}})
    _, jobs = runner.plan(project)
    assert [j.declared.runs_last for j in jobs] == [False, True]
    said = []
    results = runner.execute(jobs, project, workers=2, progress=False, echo=said.append)
    assert [r.status for r in results] == ["ran", "ran"], [r.message for r in results]
    assert [r.status for r in runner.execute(jobs, project, progress=False,
                                             echo=lambda s: None)] == ["cached", "cached"]
    first = project.notebooks / "a/first.ipynb"
    nb = json.loads(first.read_text())
    nb["cells"][-1]["source"] += "\nresult += 0\n"
    first.write_text(json.dumps(nb))
    _, jobs = runner.plan(project)
    said.clear()
    results = runner.execute(jobs, project, workers=2, progress=False, echo=said.append)
    assert [r.status for r in results] == ["ran", "ran"]
    assert any(line.startswith("rerun   ") and "second" in line for line in said)


def test_runs_last_must_be_a_boolean(project):
    make_notebook(project.notebooks / "b/second.ipynb", "seed = 0  # seed; range [0, 10]\n",
                  metadata={"causalxai": {"runs_last": "yes"}})
    with pytest.raises(InputError, match="runs_last must be true or false, got 'yes'"):
        runner.plan(project)


@pytest.mark.parametrize(("entry", "source"), [
    ("executed/20_synthetic/01_shap_is_not_causal", "20_synthetic/01_shap_is_not_causal.ipynb"),
    ("executed/a/b.ipynb", "a/b.ipynb"),
    ("book/intro", None), ("executedx/a", None),
])
def test_toc_source_maps_an_executed_entry_to_its_notebook(entry, source):
    assert runner.toc_source(entry) == source

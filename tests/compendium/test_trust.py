"""Runs you can trust: the nine points of issue 13, each reproduced by a test.

Names the fixes introduced are imported inside the tests, so that this file also runs
against the code before them (where each test fails).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from causalxai import data
from causalxai.compendium import book, runner
from causalxai.compendium.cli import main
from causalxai.compendium.params import (
    Parameter,
    ParameterError,
    check,
    load_set,
    read_parameters,
    require,
)
from causalxai.compendium.paths import Layout
from tests.conftest import DATA_ENV, REPO, make_notebook, shared_data

PYTHON = sys.executable


def _fake_run(job: runner.Job, body: str = "") -> None:
    """Record a successful run of ``job`` without a kernel (an executed copy with the
    papermill cells the book hides)."""
    nb = json.loads(job.source.read_text())
    injected = {"cell_type": "code", "execution_count": 1, "id": "injected", "outputs": [],
                "metadata": {"tags": ["injected-parameters"]},
                "source": "\n".join(f"{k} = {v!r}" for k, v in job.parameters.items())}
    nb["cells"].insert(2, injected)
    nb["cells"].append({"cell_type": "markdown", "id": "body", "metadata": {}, "source": body})
    text = json.dumps(nb)
    runner.finish(job, {"status": "ran", "notebook": text, "reads": {}, "seconds": 0.1,
                        "finished": "2026-01-02T03:04:05+00:00"})


# ------------------------------------------------------------------ 1. Ctrl-C
def _sleepy_project(project: Layout) -> Layout:
    for name in ("first", "second", "third"):
        make_notebook(project.notebooks / f"s/{name}.ipynb", "seed = 0  # s; range [0, 9]\n",
                      "import os, time\n"
                      f"open({str(project.root / (name + '.pid'))!r}, 'w').write(str(os.getpid()))\n"
                      "time.sleep(60)\n")
    return project


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (not yet reaped by its parent) counts as dead
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def _as_from_a_terminal() -> None:
    """In the child before exec: SIGINT handled by default, as in a terminal. A test run
    started in the background of a non-interactive shell (``cmd &``) inherits SIGINT
    *ignored*, and Python then keeps ignoring it — Ctrl-C cannot reach such a process."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("target", ["group", "main"])
def test_ctrl_c_stops_queued_and_running_notebooks(project, target):
    _sleepy_project(project)
    env = {**os.environ, "CAUSALXAI_ROOT": str(project.root)}
    proc = subprocess.Popen(
        [PYTHON, "-m", "causalxai", "run", "s/first", "s/second", "s/third", "-j", "1",
         "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_as_from_a_terminal)
    try:
        pid_file = project.root / "first.pid"
        deadline = time.monotonic() + 90
        while not pid_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pid_file.is_file(), "the first notebook never started"
        time.sleep(0.3)
        kernel = int(pid_file.read_text())
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        else:
            os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:  # never leave it running, even when the test fails
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert "interrupted: 1 running notebook(s) and their kernels stopped, 2 not started" in err
    for _ in range(50):
        if not _alive(kernel):
            break
        time.sleep(0.1)
    assert not _alive(kernel), "the kernel survived the interrupt"
    assert not (project.root / "second.pid").exists(), "a queued notebook started"
    left = [p for p in project.runs.rglob("*") if p.is_file()] if project.runs.exists() else []
    assert left == [], f"half-written output left: {left}"


# ------------------------------------------------------------------ 2. folders, book
def test_overrides_go_to_their_own_folder_never_a_named_set(project):
    from causalxai.compendium.params import custom_folder

    folder, jobs = runner.plan(project, ["a/first"], "default", ["rate=0.25", "n_samples=300"])
    assert folder == "default+n_samples=300+rate=0.25"
    assert jobs[0].output == project.runs / folder / "a/first.ipynb"
    assert jobs[0].overrides == {"n_samples": 300, "rate": 0.25}
    # a value equal to the set's changes nothing: the very same run as the set's
    assert runner.plan(project, ["a/first"], "default", ["n_samples=200"])[0] == "default"
    # odd characters are replaced and the exact overrides hashed into the name
    assert runner.plan(project, ["a/first"], "default", ["mode=slow"])[0] == "default+mode=slow"
    odd = custom_folder("default", {"h": [3, 6]})
    assert odd.startswith("default+h=_3,_6_-") and odd != custom_folder("default", {"h": [3, 7]})


def test_a_set_is_named_only_by_the_files_of_notebooks_params(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "default.yaml").write_text("a/first.ipynb:\n  n_samples: 500\n")
    pset = load_set(str(elsewhere / "default.yaml"), project.params)
    assert not pset.named and pset.folder.startswith("file-default-")
    folder, jobs = runner.plan(project, ["a/first"], str(elsewhere / "default.yaml"))
    assert folder == pset.folder and jobs[0].output.parent.parent.name == pset.folder
    same = load_set(str(project.params / "default.yaml"), project.params)
    assert same.named and same.folder == "default"


def test_book_refuses_stale_and_mismatched_copies_and_names_them(project):
    _, jobs = runner.plan(project)
    for job in jobs:
        _fake_run(job)
    assert [c.job.rel for c in book.select(project)] == ["a/first.ipynb", "b/second.ipynb"]
    source = project.notebooks / "b/second.ipynb"
    source.write_text(source.read_text().replace("A test notebook", "An edited notebook"))
    with pytest.raises(book.BookError, match=r"stale: b/second\.ipynb \[default\] \(changed since "
                                             r"the run: source\)"
                                             r".*--allow-stale"):
        book.select(project)
    chapters = book.select(project, allow_stale=True)
    assert chapters[1].stale and "source" in chapters[1].stale
    jobs[0].output.write_text(jobs[0].output.read_text()[:50])  # truncated
    with pytest.raises(book.BookError, match=r"does not match its record.*a/first\.ipynb"):
        book.select(project, allow_stale=True)
    assert main(["book", "--params", "default"]) in (1, 2)  # never builds from those


def test_book_shows_custom_runs_and_says_which_set_each_chapter_shows(project, monkeypatch):
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    _, jobs = runner.plan(project)
    for job in jobs:
        _fake_run(job)
    _, (custom,) = runner.plan(project, ["a/first"], "default", ["rate=0.25"])
    _fake_run(custom)
    chapters = book.select(project, "default", ["rate=0.25"])
    assert [c.job.label for c in chapters] == ["default + rate=0.25", "default"]
    lines: list[str] = []
    book.sync(project, chapters, echo=lines.append)
    assert lines == ["a/first.ipynb: default + rate=0.25", "b/second.ipynb: default"]
    page = json.loads((project.executed / "a/first.ipynb").read_text())
    box = page["cells"][1]
    assert box["cell_type"] == "markdown"
    text = box["source"]
    assert text.startswith(":::{admonition} Rerun this chapter\n:class: dropdown\n")
    assert "parameter set `default` with `rate=0.25`, run on 2026-01-02" in text
    assert ("python -m causalxai run notebooks/a/first.ipynb -p n_samples=200 -p rate=0.25 "
            "-p mode=fast -p fail=false") in text
    for tag in ("parameters", "injected-parameters"):
        (cell,) = [c for c in page["cells"] if tag in c["metadata"].get("tags", [])]
        assert "remove-cell" in cell["metadata"]["tags"]
    source = json.loads(custom.source.read_text())
    assert "remove-cell" not in json.dumps(source)  # sources are never touched


# ------------------------------------------------------------------ 3. NaN
@pytest.mark.parametrize("value", [math.nan, "nan", "NaN"])
def test_nan_is_refused_by_range_checks(value):
    param = Parameter("rho", 0.5, low=-1, high=1, low_text="-1", high_text="1")
    with pytest.raises(ParameterError, match=r"'rho' expects a number in \[-1, 1\], got nan"):
        check(param, value)
    with pytest.raises(ParameterError, match="got nan"):
        require("rho", math.nan, float)


def test_cli_refuses_nan(project, monkeypatch, capsys):
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    assert main(["run", "a/first", "-p", "rate=.nan"]) == 2
    assert "expects a number in [0, 1], got nan" in capsys.readouterr().err
    assert not project.runs.exists()


# ------------------------------------------------------------------ 4. data before kernels
def _data_notebook(project: Layout, declared: list[str]) -> None:
    make_notebook(project.notebooks / "d/reads.ipynb", "seed = 0  # s; range [0, 9]\n",
                  "x = 1\n", metadata={"causalxai": {"data": declared}})


def test_declared_data_is_verified_before_any_kernel(project, tmp_path, monkeypatch, capsys):
    dataset = "france_business_failures"
    names = data.registered_files(dataset)
    store = tmp_path / "store"
    monkeypatch.setenv(data.ENV_VAR, str(store))
    (store / names[0]).parent.mkdir(parents=True)
    (store / names[0]).write_text("not the registered bytes")
    _data_notebook(project, [dataset])
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    assert main(["run", "a/first", "d/reads", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"altered: {names[0]} (source: " in err and f"missing: {names[1]} (source: " in err
    assert "[needed by d/reads.ipynb]" in err and "nothing was executed" in err
    (store / names[0]).unlink()
    assert main(["run", "a/first", "d/reads", "--no-progress"]) == 2
    assert f"missing: all 2 files of {dataset} (source: " in capsys.readouterr().err
    assert not project.runs.exists()  # not even the notebook that needs no data ran


def test_declarations_name_registered_files_only(project):
    from causalxai.compendium import inputs

    _data_notebook(project, ["france_business_failurs"])
    with pytest.raises(inputs.InputError, match=r"not a registered data file\. Did you mean"):
        runner.plan(project, ["d/reads"])


def test_the_appendix_and_real_data_chapters_declare_their_data(tmp_path, monkeypatch):
    from causalxai.compendium import inputs

    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))  # an empty data folder
    layout = Layout(REPO)
    with pytest.raises(inputs.InputError) as info:
        runner.plan(layout, ["90_appendix/01_data_registry.ipynb"], "smoke")
    assert f"{len(data.registered_files())} declared input file(s) missing" in str(info.value)
    for rel, dataset in [("30_real_data/01_polish_bankruptcy.ipynb", "polish_bankruptcy"),
                         ("30_real_data/02_slovak_sme_temporality.ipynb", "slovak_sme_bankruptcy"),
                         ("30_real_data/03_french_failures_covid.ipynb",
                          "france_business_failures")]:
        with pytest.raises(inputs.InputError, match=dataset):
            runner.plan(layout, [rel], "smoke")


def test_long_messages_are_cut_at_a_sentence_never_inside_one():
    from causalxai.compendium.text import shorten

    text = "The file is missing. " * 80 + "Put it back."
    short = shorten(text, 300)
    assert short.endswith("The file is missing. [...]") and len(short) <= 310
    assert shorten("word " * 500, 100).endswith("word [...]")
    assert shorten("A short one.  Two\nlines.") == "A short one. Two lines."


def test_a_failing_cell_reports_its_whole_message(project):
    long = "First sentence of a long explanation. " * 12 + "The end."
    make_notebook(project.notebooks / "e/long.ipynb", "seed = 0  # s; range [0, 9]\n",
                  f"raise ValueError({long!r})\n")
    _, jobs = runner.plan(project, ["e/long"])
    (res,) = runner.execute(jobs, project, progress=False, echo=lambda s: None)
    assert res.status == "failed" and "The end." in res.message


# ------------------------------------------------------------------ 5. ontology / files
def test_declared_files_are_cache_inputs_and_pins_are_checked_first(project):
    from causalxai.compendium import inputs

    thing = project.root / "data/thing.ttl"
    thing.parent.mkdir(parents=True)
    thing.write_text("first\n")
    make_notebook(project.notebooks / "k/onto.ipynb", "seed = 0  # s; range [0, 9]\n", "x = 1\n",
                  metadata={"causalxai": {"files": ["data/thing.ttl"]}})
    _, (job,) = runner.plan(project, ["k/onto"])
    _fake_run(job)
    assert runner.is_fresh(runner.plan(project, ["k/onto"])[1][0])
    thing.write_text("edited\n")
    stale = runner.staleness(runner.plan(project, ["k/onto"])[1][0])
    assert stale == "stale: changed since the run: declared files"
    import hashlib

    pin = project.root / "data/thing.ttl.sha256"
    pin.write_text(hashlib.sha256(b"first\n").hexdigest() + "  thing.ttl\n")
    with pytest.raises(inputs.InputError, match=r"altered: data/thing\.ttl has sha256 .* not "
                                                r"the pinned .*write the new hash there "
                                                r"\[needed by k/onto\.ipynb\]"):
        runner.plan(project, ["k/onto"])


def test_the_ontology_is_declared_and_pinned():
    from causalxai.knowledge.ontology import ONTOLOGY_FILE, ONTOLOGY_SHA256

    layout = Layout(REPO)
    nb = json.loads((layout.notebooks / "10_state_of_the_art/02_knowledge_to_graph.ipynb")
                    .read_text())
    assert ONTOLOGY_FILE.as_posix() in nb["metadata"]["causalxai"]["files"]
    pin = REPO / (ONTOLOGY_FILE.as_posix() + ".sha256")
    assert pin.read_text().split()[0] == ONTOLOGY_SHA256


# ------------------------------------------------------------------ 6. options and messages
@pytest.mark.parametrize("args", [["-j", "0"], ["-j", "-1"], ["--timeout", "0"],
                                  ["--timeout", "-3"]])
def test_non_positive_jobs_and_timeouts_are_refused(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "notebooks/20_synthetic/01_shap_is_not_causal.ipynb", *args])
    assert info.value.code == 2
    assert "expected a positive integer" in capsys.readouterr().err


def test_duplicate_keys_in_a_parameter_set_are_refused(project):
    (project.params / "dup.yaml").write_text("a/first.ipynb:\n  n_samples: 20\n  n_samples: 30\n")
    with pytest.raises(ParameterError, match=r"dup\.yaml: duplicate key 'n_samples' "
                                             r"\(lines 2 and 3\)"):
        load_set("dup", project.params)
    (project.params / "dup.yaml").write_text("a/first.ipynb: {}\na/first.ipynb: {}\n")
    with pytest.raises(ParameterError, match=r"duplicate key 'a/first\.ipynb'"):
        load_set("dup", project.params)


def test_unknown_notebook_gets_the_closest_name(project):
    with pytest.raises(ParameterError, match=r"notebook not found: a/frist; did you mean "
                                             r"notebooks/a/first\.ipynb\?"):
        runner.plan(project, ["a/frist"])


def test_bounds_are_printed_as_written(tmp_path):
    nb = make_notebook(tmp_path / "x.ipynb", "seed = 0  # s; range [0, 2**31 - 1]\n"
                                             "p = 0.5  # p; range (0, 1e-3]\n")
    declared = read_parameters(nb)
    with pytest.raises(ParameterError, match=r"must be in \[0, 2\*\*31 - 1\], got -1$"):
        check(declared["seed"], -1)
    with pytest.raises(ParameterError, match=r"must be in \(0, 1e-3\]"):
        check(declared["p"], 0.5)
    with pytest.raises(ParameterError, match=r"must be in \[0, 2147483647\], got -1"):
        require("seed", -1, int, low=0, high=2**31 - 1)


# ------------------------------------------------------------------ 7. broken outputs
def test_a_truncated_copy_with_an_intact_record_is_not_cached(project):
    _, (job, _) = runner.plan(project)
    _fake_run(job)
    assert runner.is_fresh(job)
    job.output.write_text(job.output.read_text()[:-20])
    assert runner.staleness(job) == ("executed copy does not match its record "
                                     "(truncated or edited)")


def test_leftovers_of_killed_runs_are_cleaned(project):
    folder = project.runs / "default/a"
    folder.mkdir(parents=True)
    dead = 2**22 + 12345  # above the default pid_max of 4194304: never a live process
    old = folder / f".first.{dead}.running.ipynb"
    old.write_text("{}")
    live = folder / f".first.{os.getpid()}.running.ipynb"
    live.write_text("{}")
    work = project.runs / runner.WORK_DIR / f"{dead}-0"
    work.mkdir(parents=True)
    removed = runner.clean_stale(project)
    assert old in removed and work in removed and live.exists()


def test_old_failed_copies_beside_good_outputs_are_removed_and_reported(project):
    _, jobs = runner.plan(project)
    for job in jobs:
        _fake_run(job)
    jobs[0].failed.write_text("{}")
    lines: list[str] = []
    results = runner.execute(jobs, project, progress=False, echo=lines.append)
    assert [r.status for r in results] == ["cached", "cached"]
    assert not jobs[0].failed.exists()
    assert any(line.startswith(f"removed {jobs[0].failed}") for line in lines)


# ------------------------------------------------------------------ 8. import closure
def _package(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / "src/causalxai" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_cache_follows_the_modules_a_notebook_imports(project):
    _package(project.root, {
        "__init__.py": "", "used.py": "from causalxai import helper\n",
        "helper.py": "X = 1\n", "book.py": "# the book builder\n",
        "lazy/__init__.py": ("from causalxai._lazy import lazy_exports\n"
                             "_MODULES = {'mod': ['f'], 'other': ['g']}\n"),
        "lazy/mod.py": "def f():\n    return 1\n", "lazy/other.py": "def g():\n    return 2\n",
    })
    make_notebook(project.notebooks / "i/imports.ipynb", "seed = 0  # s; range [0, 9]\n",
                  "from causalxai.used import helper\nfrom causalxai.lazy import f\n")

    def key() -> str:
        return runner.plan(project, ["i/imports"])[1][0].key

    before = key()
    (project.package / "book.py").write_text("# the book builder, edited\n")
    (project.package / "lazy/other.py").write_text("def g():\n    return 3\n")
    assert key() == before  # modules the notebook does not import
    (project.package / "helper.py").write_text("X = 2\n")
    assert key() != before  # imported through causalxai.used
    before = key()
    (project.package / "lazy/mod.py").write_text("def f():\n    return 5\n")
    assert key() != before  # reached through the lazy re-export


def test_import_closure_of_a_real_chapter():
    from causalxai.compendium.imports import PackageGraph, notebook_imports

    layout = Layout(REPO)
    graph = PackageGraph(layout.package)
    nb = json.loads((layout.notebooks / "20_synthetic/01_shap_is_not_causal.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    closure = graph.closure(notebook_imports(cells, graph))
    assert {"causalxai.causal.scm", "causalxai.predict.explain",
            "causalxai.compendium.params", "causalxai"} <= closure
    assert not {"causalxai.compendium.book", "causalxai.compendium.runner",
                "causalxai.firms.simulate"} & closure


# ------------------------------------------------------------------ 9. CAUSALXAI_DATA_DIR
def test_tests_read_real_data_from_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert shared_data() == tmp_path
    monkeypatch.delenv(DATA_ENV)
    assert shared_data() == REPO.parent / "shared" / "data"

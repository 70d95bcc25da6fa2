"""Sweeps: grid parsing and validation, the tidy table, kill-and-resume, Dask, kernel ports."""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from causalxai.compendium import runner
from causalxai.compendium.book import RAW_MIME
from causalxai.compendium.cli import main
from causalxai.compendium.compare import TIMING
from causalxai.compendium.kernel import LOCK_LOG_ENV
from causalxai.compendium.params import ParameterError
from causalxai.compendium.paths import Layout
from causalxai.compendium.sweep import glued_scalars, parse_grid, plan_sweep, run_sweep
from causalxai.glue import Glued
from tests.conftest import REPO, make_notebook


@pytest.mark.parametrize("spec, names, values", [
    (["seed=0..3"], ("seed",), ((0, 1, 2, 3),)),
    (["rho=0,0.5,1", "mode=a,b"], ("rho", "mode"), ((0, 0.5, 1), ("a", "b"))),
    (["sizes=[400],[800, 1600]"], ("sizes",), (([400], [800, 1600]),)),
    (["flag=true,false"], ("flag",), ((True, False),)),
])
def test_parse_grid(spec, names, values):
    grid = parse_grid(spec)
    assert grid.names == names and grid.values == values
    assert len(grid) == math.prod(len(v) for v in values)


@pytest.mark.parametrize("spec, message", [
    ([], "at least one --grid"), (["seed"], "not of the form"), (["seed=3..1"], "empty range"),
    (["seed=1,,2"], "an empty value"), (["seed=0..2", "seed=4"], "'seed' twice"),
    (["seed=1,1"], "value 1 given twice"),
])
def test_parse_grid_refuses_malformed(spec, message):
    with pytest.raises(ParameterError, match=message):
        parse_grid(spec)


def test_every_combination_is_validated_before_any_runs(project, monkeypatch, capsys):
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    grid = parse_grid(["n_samples=100,5000", "rate=0.1,0.2"])
    with pytest.raises(ParameterError, match=r"combination n_samples=5000, rate=0\.1: .*"
                                             r"'n_samples' must be in \[10, 1000\]"):
        plan_sweep(project, "a/first", grid)
    assert main(["sweep", "a/first", "--grid", "n_samples=100,5000", "--grid",
                 "rate=0.1"]) == 2
    assert "combination n_samples=5000" in capsys.readouterr().err
    assert main(["sweep", "a/first", "--grid", "n_smples=1,2"]) == 2
    assert "did you mean 'n_samples'" in capsys.readouterr().err
    assert main(["sweep", "a/first", "--grid", "rate=0.1", "-p", "rate=0.2"]) == 2
    assert not project.runs.exists()


#: What ``myst_nb.glue(name, value, display=False)`` displays, without importing myst_nb
#: (whose nbformat import costs seconds per kernel).
GLUE = (
    "from IPython.display import display\n"
    "def glue(name, value, display=False):\n"
    "    prefix = 'application/papermill.record/'\n"
    "    globals()['display']({prefix + 'text/plain': repr(value)}, raw=True,\n"
    "                         metadata={'scrapbook': {'name': name, 'mime_prefix': prefix}})\n"
)


def _glue_notebook(project):
    make_notebook(
        project.notebooks / "g/glue.ipynb",
        "seed = 0  # s; range [0, 9]\nscale = 1.0  # s; range [0, 10]\n",
        GLUE +
        "assert seed != 3, 'seed 3 fails on purpose'\n"
        "glue('double', 2 * seed * scale, display=False)\n"
        "glue('label', f'seed {seed}', display=False)\n"
        "glue('count', seed + 1, display=False)\n",
    )


def test_sweep_table_failures_and_cache(project):
    _glue_notebook(project)
    lines: list[str] = []
    table, results, folder = run_sweep(project, "g/glue", ["seed=3..4", "scale=1,2.5"],
                                       workers=2, progress=False, echo=lines.append)
    assert [r.status for r in results] == ["failed", "failed", "ran", "ran"]
    assert any("FAILED" in ln and "seed=3, scale=1.0" in ln and "seed 3 fails" in ln
               for ln in lines)
    assert list(table.columns) == ["seed", "scale", "name", "value", "text"]
    assert len(table) == 2 * 3  # two good combinations, three glued scalars each
    double = table[table["name"] == "double"].set_index(["seed", "scale"])["value"]
    assert double[(4, 2.5)] == 20.0 and double[(4, 1.0)] == 8.0
    label = table[(table["name"] == "label") & (table["seed"] == 4)]["text"]
    assert set(label) == {"'seed 4'"}
    assert pd.read_parquet(folder / "table.parquet").equals(table)
    assert len(pd.read_csv(folder / "table.csv")) == len(table)
    runs = pd.read_csv(folder / "runs.csv")
    assert list(runs["status"]) == [r.status for r in results]
    again = run_sweep(project, "g/glue", ["seed=3..4", "scale=1,2.5"], workers=2,
                      progress=False, echo=lambda s: None)[1]
    assert [r.status for r in again] == ["failed", "failed", "cached", "cached"]
    # a combination is a run with -p overrides: `run` finds the sweep's output cached
    _, (job,) = runner.plan(project, ["g/glue"], "default", ["seed=4", "scale=2.5"])
    assert runner.is_fresh(job)


def test_the_cli_summarises_and_exits_1_when_a_combination_failed(project, monkeypatch,
                                                                 capsys):
    _glue_notebook(project)
    monkeypatch.setenv("CAUSALXAI_ROOT", str(project.root))
    assert main(["sweep", "g/glue", "--grid", "seed=3,4", "-j", "2", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "sweep of 2 combination(s) here: 1 executed, 0 cached, 1 failed" in captured.out
    assert "failed: seed=3: " in captured.err and "seed 3 fails on purpose" in captured.err


def test_glued_scalars_leave_out_figures_and_tables(tmp_path):
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": n, "mime_prefix": "p/"}},
         "data": d} for n, d in [
             ("x", {"p/text/plain": "np.float64(0.25)"}),
             ("fig", {"p/text/plain": "<Figure>", "p/image/png": "..."}),
             ("ok", {"p/text/plain": "True"}),
             # causalxai.glue: formatted text for the prose, the raw value beside it
             ("share", {"p/text/plain": "12 %", f"p/{RAW_MIME}": {"value": 0.1234,
                                                                  "repr": "0.1234"}}),
             ("names", {"p/text/plain": "a, b", f"p/{RAW_MIME}": {"value": ["a", "b"],
                                                                  "repr": "['a', 'b']"}}),
             # exactly what causalxai.glue.glue displays (text, markdown, raw value)
             ("auc", {f"p/{k}": v for k, v in Glued(0.8312, "auc")._repr_mimebundle_().items()}),
             ("table", {"p/text/plain": "...", "p/text/html": "<table/>"}),
         ]]}], "metadata": {}}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert glued_scalars(path) == {"x": (0.25, ""), "ok": (1.0, ""), "share": (0.1234, ""),
                                   "auc": (0.8312, "")}


# ------------------------------------------------------------------ kernel ports
def test_many_kernels_started_at_once_never_share_a_port(project, tmp_path, monkeypatch):
    """Eight notebooks at once: the kernel-start lock serialises the port choice of
    concurrent processes, so the critical sections never overlap and no port is shared."""
    log = tmp_path / "lock.log"
    make_notebook(project.notebooks / "p/ports.ipynb", "seed = 0  # s; range [0, 99]\n",
                  "x = seed\n")
    jobs = [runner.plan(project, ["p/ports"], "default", [f"seed={i}"])[1][0]
            for i in range(8)]
    monkeypatch.setenv(LOCK_LOG_ENV, str(log))
    results = runner.execute(jobs, project, workers=8, progress=False, echo=lambda s: None)
    assert [r.status for r in results] == ["ran"] * 8, [r.message for r in results]
    rows = [line.split() for line in log.read_text().splitlines()]
    assert len(rows) == 8
    spans = sorted((float(r[1]), float(r[2])) for r in rows)
    assert all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(spans))
    ports = [p for r in rows for p in r[3:]]
    assert len(ports) == 40 and len(set(ports)) == 40


# ------------------------------------------------------------------ the sweep
#: A Part II chapter at smoke size, shrunk further by fixed overrides.
CHAPTER = "notebooks/20_synthetic/01_shap_is_not_causal.ipynb"
FIXED = ["n_seeds=1", "n_samples=500", "n_truth=1000", "n_explain=50", "n_estimators=10",
         "n_background=10"]
GRID = ["confounding_strength=0,1", "seed=0,1"]  # 4 combinations
N = 4
#: The issue's size: at least 20 combinations (``make sweep-test``, run by ``.ci/run``
#: after ``make test``, whose budget the 4-combination test keeps).
GRID_20 = ["confounding_strength=0,1", "seed=0..9"]


def _records(layout: Layout, jobs) -> int:
    return sum(job.record.is_file() for job in jobs)


@pytest.mark.notebooks
def test_sweep_of_a_chapter_killed_resumed_and_on_dask(tmp_path):
    _chapter_sweep(tmp_path, GRID, N)


@pytest.mark.notebooks
@pytest.mark.sweep20
def test_sweep_of_twenty_combinations_killed_resumed_and_on_dask(tmp_path):
    _chapter_sweep(tmp_path, GRID_20, 20)


def _chapter_sweep(tmp_path, GRID, N):
    layout = Layout(REPO)
    jobs = plan_sweep(layout, CHAPTER, parse_grid(GRID), "smoke", FIXED)
    assert len(jobs) == N
    for job in jobs:  # start from nothing
        job.output.unlink(missing_ok=True)
        job.record.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "causalxai", "sweep", CHAPTER, "--params", "smoke",
           "--no-progress", "-j", "2", *[a for f in FIXED for a in ("-p", f)],
           *[a for g in GRID for a in ("--grid", g)]]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 600
    while _records(layout, jobs) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # killed hard, midway
    proc.wait()
    time.sleep(1.5)  # the children notice their parent is gone and stop with their kernels
    done = _records(layout, jobs)
    assert 1 <= done < N

    start = time.perf_counter()
    local, results, _ = run_sweep(layout, CHAPTER, GRID, param_set="smoke", fixed=FIXED,
                                  workers=2, progress=False, echo=lambda s: None,
                                  out=tmp_path / "local")
    local_seconds = time.perf_counter() - start
    assert sum(r.status == "cached" for r in results) == done
    assert sum(r.status == "ran" for r in results) == N - done  # only the missing ones
    work = layout.runs / runner.WORK_DIR
    # no work folder left by this process or by the killed sweep (another run on the same
    # checkout may be busy in its own folder, named by its live pid)
    left = [f.name for f in work.iterdir()] if work.is_dir() else []
    assert not [n for n in left if n.startswith(f"{os.getpid()}-")
                or not runner._pid_alive(int(n.split("-", 1)[0]))], left

    start = time.perf_counter()
    remote, results, _ = run_sweep(layout, CHAPTER, GRID, param_set="smoke", fixed=FIXED,
                                   dask_local=2, force=True, progress=False,
                                   echo=lambda s: None, out=tmp_path / "dask")
    dask_seconds = time.perf_counter() - start
    assert [r.status for r in results] == ["ran"] * N

    def findings(table: pd.DataFrame) -> pd.DataFrame:
        keep = ~table["name"].map(lambda n: bool(TIMING.search(n)))
        return table[keep].reset_index(drop=True)

    assert len(local) == len(remote) > N * 10
    pd.testing.assert_frame_equal(findings(local), findings(remote))
    print(f"\nsweep of {N}: {N - done} ran locally in {local_seconds:.0f} s (-j 2); "
          f"{N} on a 2-worker Dask LocalCluster in {dask_seconds:.0f} s")

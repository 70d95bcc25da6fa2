"""Shared fixtures: a throw-away compendium layout with tiny notebooks; where real data is."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from causalxai.compendium.paths import Layout

REPO = Path(__file__).resolve().parents[1]
DATA_ENV = "CAUSALXAI_DATA_DIR"


def shared_data() -> Path:
    """Where the tests read real data files: ``$CAUSALXAI_DATA_DIR`` when it is set, else
    the read-only mirror ``../shared/data`` beside the checkout (tests that need a file
    absent from there are skipped)."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else REPO.parent / "shared" / "data"


def make_notebook(path: Path, parameters: str, body: str = "",
                  metadata: dict | None = None) -> Path:
    """Write a notebook with a tagged parameters cell and an optional code cell."""
    nb = new_notebook()
    nb.metadata.update(metadata or {})
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# A test notebook"), cell]
    if body:
        nb.cells.append(new_code_cell(body))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Layout:
    """A minimal project: two notebooks in the toc, default and smoke sets."""
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: executed/a/first\n  - file: executed/b/second\n"
    )
    make_notebook(
        tmp_path / "notebooks/a/first.ipynb",
        "n_samples = 100  # rows; range [10, 1000]\n"
        "rate = 0.5  # a rate; range [0, 1]\n"
        "mode = 'fast'  # how; choices {fast, slow}\n"
        "fail = False  # raise on purpose\n",
        "assert not fail, 'failing on purpose'\nresult = n_samples * rate\n",
    )
    make_notebook(tmp_path / "notebooks/b/second.ipynb", "seed = 0  # seed; range [0, 10]\n",
                  "x = seed + 1\n")
    params = tmp_path / "notebooks/params"
    params.mkdir()
    (params / "default.yaml").write_text("a/first.ipynb:\n  n_samples: 200\n")
    (params / "smoke.yaml").write_text("a/first.ipynb:\n  n_samples: 10\nb/second.ipynb: {}\n")
    return Layout(tmp_path)


@pytest.fixture(scope="session")
def smoke_outputs() -> dict[str, Path]:
    """Execute every notebook of the book with the ``smoke`` set (cached) and return the
    executed copies by path relative to ``notebooks/``. Fails if any notebook fails."""
    from causalxai.compendium import runner

    layout = Layout(REPO)
    _, jobs = runner.plan(layout, None, "smoke")
    results = runner.execute(jobs, layout, workers=2, progress=False, echo=print)
    failed = [f"{r.job.rel}: {r.message}" for r in results if r.status == "failed"]
    assert not failed, "notebooks failed with the smoke set:\n" + "\n".join(failed)
    return {job.rel: job.output for job in jobs}

"""What the book costs: seconds per chapter from the runner's records, and the fixed cost.

The runner writes a record next to every executed notebook
(``.cache/runs/<set>/<part>/<nb>.ipynb.run.json``, with the wall-clock ``seconds`` of the
child process that ran it: Python and papermill start, kernel start, imports and cells).
:func:`notebook_costs` reads them for every chapter of the table of contents, with the
chapter's title and part, and says which chapters have no record instead of guessing.
:func:`fixed_cost` measures, with the same clock, what a chapter pays before its first
computation: an empty notebook, and one that only imports the book's usual libraries.
Benchmark scripts (``benchmarks/``) write their results under ``.cache/bench/``;
:func:`read_bench` reads one back, or says it is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import yaml

from causalxai.compendium.paths import Layout
from causalxai.compendium.runner import run_spec, toc_notebooks, toc_source

__all__ = [
    "BENCH_DIR", "SETUP_IMPORTS", "bench_table", "chapter_title", "fixed_cost",
    "notebook_costs", "prescriber_runs", "read_bench", "toc_parts",
]

#: Where the benchmark scripts write their results, relative to the project root.
BENCH_DIR = Path(".cache") / "bench"

#: The imports of a typical chapter's setup cell (what :func:`fixed_cost` times).
SETUP_IMPORTS = """\
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import lightgbm
import shap
import causalxai.estimate.effects
import causalxai.glue
import causalxai.plots
import causalxai.tables
"""


def chapter_title(source: Path) -> str:
    """The title of a notebook: the ``# `` heading of its first markdown cell.

    Falls back to the file name made readable (``02_performance`` -> "Performance") when
    the notebook has no such heading.
    """
    source = Path(source)
    try:
        nb = json.loads(source.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read notebook {source}: {err}") from err
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell.get("source", []))
        for line in text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        break
    stem = source.stem.split("_", 1)[-1] if source.stem[:1].isdigit() else source.stem
    return stem.replace("_", " ").capitalize()


def toc_parts(layout: Layout) -> dict[str, str]:
    """Notebook (relative to ``notebooks/``) -> the short name of its part in ``_toc.yml``.

    A caption "Part II — Synthetic experiments" gives "Part II"; one without a dash is
    kept whole ("Appendix").
    """
    toc = yaml.safe_load(layout.toc.read_text()) or {}
    parts: dict[str, str] = {}
    for part in toc.get("parts", []):
        caption = str(part.get("caption", "")).split(" — ")[0].strip()
        for chapter in part.get("chapters", []):
            if (rel := toc_source(str(chapter.get("file", "")))) is not None:
                parts[rel] = caption
    return parts


def notebook_costs(layout: Layout, folder: str = "default",
                   exclude: Iterable[str] = ()) -> pd.DataFrame:
    """Seconds of every chapter's last recorded run in ``.cache/runs/<folder>/``.

    Parameters
    ----------
    layout : Layout
        The checkout.
    folder : str
        The run folder of a parameter set (``default``, ``smoke``, ...).
    exclude : iterable of str
        Notebooks (relative to ``notebooks/``) not to read, e.g. the page that calls this
        while it runs; their status says so.

    Returns
    -------
    DataFrame
        One row per chapter of the table of contents, in its order: ``notebook``,
        ``part``, ``chapter`` (title), ``seconds`` (NaN without a record), ``finished``
        (the record's date) and ``status`` ("recorded", "no record", "not read (this
        page)", "unreadable record"); every chapter is "no record" when the folder does
        not exist yet (no notebook of the set ran here).
    """
    if not folder or "/" in folder or folder.startswith("."):
        raise ValueError(f"folder must be the name of a run folder such as 'default', "
                         f"got {folder!r}")
    runs = layout.runs / folder
    excluded, parts = set(exclude), toc_parts(layout)
    rows = []
    for rel in toc_notebooks(layout):
        source = layout.notebooks / rel
        row: dict[str, Any] = {
            "notebook": rel, "part": parts.get(rel, ""),
            "chapter": chapter_title(source) if source.is_file() else rel,
            "seconds": float("nan"), "finished": None, "status": "no record",
        }
        record = runs / (rel + ".run.json")
        if rel in excluded:
            row["status"] = "not read (this page)"
        elif record.is_file():
            try:
                content = json.loads(record.read_text())
                row.update(seconds=float(content["seconds"]), finished=content.get("finished"),
                           status="recorded")
            except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError):
                row["status"] = "unreadable record"
        rows.append(row)
    return pd.DataFrame(rows, columns=["notebook", "part", "chapter", "seconds", "finished",
                                       "status"])


def _notebook_json(code: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(code)]
    return nbformat.writes(nb)


def fixed_cost(layout: Layout, setup: str = SETUP_IMPORTS, timeout: int = 300
               ) -> dict[str, float]:
    """Seconds of an empty notebook and of a setup-only one, run as the runner runs chapters.

    Both go through :func:`causalxai.compendium.runner.run_spec` (a child process,
    papermill, a fresh ``python3`` kernel), so their seconds are on the same clock as the
    records :func:`notebook_costs` reads. Nothing is written to ``.cache/runs``.

    Parameters
    ----------
    layout : Layout
        The checkout (its root is the children's ``CAUSALXAI_ROOT``).
    setup : str
        The code of the setup-only notebook (default: :data:`SETUP_IMPORTS`).
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    dict
        ``empty`` (process and kernel start), ``setup`` (the same plus the imports) and
        ``imports`` (their difference).

    Raises
    ------
    RuntimeError
        If either notebook fails (the message is the runner's).
    """
    seconds = {}
    for name, code in (("empty", "pass"), ("setup", setup)):
        spec = {"name": f"fixed_cost_{name}.ipynb", "source_text": _notebook_json(code),
                "cwd": str(layout.root), "parameters": {}, "timeout": timeout,
                "env": {"CAUSALXAI_ROOT": str(layout.root)}}
        outcome = run_spec(spec)
        if outcome["status"] != "ran":
            raise RuntimeError(f"the {name} notebook did not run: {outcome['message']}")
        seconds[name] = float(outcome["seconds"])
    seconds["imports"] = seconds["setup"] - seconds["empty"]
    return seconds


def read_bench(layout: Layout, name: str) -> Any | None:
    """The JSON a benchmark script wrote as ``.cache/bench/<name>``, or None when absent.

    Raises
    ------
    ValueError
        If the file exists but is not valid JSON (a half-written or foreign file).
    """
    if not name.endswith(".json") or "/" in name:
        raise ValueError(f"name must be a file name ending in .json, got {name!r}")
    path = layout.root / BENCH_DIR / name
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err}): rerun its benchmark") from err


def prescriber_runs(result: Mapping[str, Any]) -> pd.DataFrame:
    """The runs of ``benchmarks/prescriber_vs_causalanalysis.py``, one row per size.

    Parameters
    ----------
    result : mapping
        What :func:`read_bench` returned for ``prescriber_vs_causalanalysis.json``.

    Returns
    -------
    DataFrame
        Indexed by ``rows`` (increasing): ``Prescriber`` and ``CausalAnalysis`` (seconds,
        fit + prescribe / fit + ``individualized_policy``), and the regret of each against
        the oracle.
    """
    try:
        rows = [{"rows": int(r["rows"]), "Prescriber": float(r["prescriber_s"]),
                 "CausalAnalysis": float(r["causalanalysis_s"]),
                 "Prescriber regret": float(r["quality"]["Prescriber"]["regret"]),
                 "CausalAnalysis regret": float(r["quality"]["CausalAnalysis"]["regret"])}
                for r in result["runs"]]
    except (KeyError, TypeError) as err:
        raise ValueError(f"not a result of prescriber_vs_causalanalysis.py (missing {err}): "
                         "rerun the benchmark") from err
    if not rows:
        raise ValueError("the Prescriber benchmark result holds no run: rerun it")
    return pd.DataFrame(rows).set_index("rows").sort_index()


def bench_table(sweeps: Iterable[Mapping[str, Any] | None], book: Mapping[str, Any] | None
                ) -> pd.DataFrame:
    """Seconds of sweeps (``-j 1``, ``-j 2``) and of the cold and warm book, when measured.

    Parameters
    ----------
    sweeps : iterable of mapping or None
        What :func:`read_bench` returned for the sweep results (``sweep.json``, ...).
    book : mapping or None
        What it returned for ``book.json``.

    Returns
    -------
    DataFrame
        Indexed by ``measurement``, one column ``seconds``; no row for what is None.
    """
    if isinstance(sweeps, Mapping):
        raise TypeError("sweeps must be a sequence of sweep results (or None), not one")
    rows = []
    for sweep in sweeps:
        if sweep is None:
            continue
        rows += [{"measurement": f"sweep of {sweep['combinations']} combinations "
                                 f"({sweep['params']} set), -j {r['jobs']}",
                  "seconds": float(r["wall_s"])} for r in sweep["runs"]]
    if book is not None:
        rows += [{"measurement": f"make book, {kind} ({book['chapters']} chapters)",
                  "seconds": float(book[kind]["total"])} for kind in ("cold", "warm")]
    return pd.DataFrame(rows, columns=["measurement", "seconds"]).set_index("measurement")

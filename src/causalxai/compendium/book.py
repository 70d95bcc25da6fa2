"""Build the Jupyter Book from the executed notebooks of one parameter set.

The table of contents points at ``executed/``, a git-ignored mirror of ``notebooks/``.
:func:`sync` fills it from ``.cache/runs/<set>/`` (copying only what differs, keeping
modification times so that Sphinx rebuilds only changed pages), then :func:`build` runs
``jupyter-book build`` with execution off and warnings as errors.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

from causalxai.compendium.paths import Layout
from causalxai.compendium.runner import toc_notebooks

__all__ = ["BookError", "build", "glued", "sync"]

_RAW_MIME = "application/vnd.causalxai.glue+json"  # causalxai.glue.RAW_MIME


class BookError(RuntimeError):
    """The book cannot be built (missing executed notebooks, or a failed build)."""


def sync(layout: Layout, set_name: str) -> list[str]:
    """Mirror the executed notebooks of ``set_name`` into ``executed/``.

    Returns
    -------
    list of str
        The notebooks (relative to ``notebooks/``) whose copy changed.

    Raises
    ------
    BookError
        If a notebook of the table of contents has no executed copy in that set.
    """
    source_dir = layout.runs / set_name
    wanted = toc_notebooks(layout)
    missing = [rel for rel in wanted if not (source_dir / rel).is_file()]
    if missing:
        raise BookError(
            f"no executed copy in set {set_name!r} for: {', '.join(missing)}; run "
            f"`python -m causalxai run --params {set_name}` first"
        )
    changed = []
    for rel in wanted:
        src, dst = source_dir / rel, layout.executed / rel
        if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
            if dst.stat().st_mtime != src.stat().st_mtime:
                shutil.copystat(src, dst)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.tmp")
        shutil.copy2(src, tmp)
        tmp.replace(dst)
        changed.append(rel)
    keep = {layout.executed / rel for rel in wanted}
    if layout.executed.is_dir():
        for stale in layout.executed.rglob("*.ipynb"):
            if stale not in keep:
                stale.unlink()
    return changed


def build(layout: Layout, set_name: str, *, strict: bool = True) -> Path:
    """Build the HTML book from ``executed/`` (after :func:`sync`).

    Parameters
    ----------
    layout : Layout
        The checkout.
    set_name : str
        ``default`` builds into ``_build/html``; any other set into
        ``_build/<set>/_build/html`` so that it never replaces the published book.
    strict : bool
        Warnings as errors, nitpicky references, keep going to list every problem.

    Returns
    -------
    Path
        The book's ``index.html``.

    Raises
    ------
    BookError
        If ``jupyter-book`` fails (its output has been printed).
    """
    sync(layout, set_name)
    out = layout.root if set_name == "default" else layout.root / "_build" / set_name
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(layout.root),
           "--path-output", str(out)]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, cwd=layout.root, check=False)
    index = out / "_build" / "html" / "index.html"
    if proc.returncode != 0 or not index.is_file():
        raise BookError(f"jupyter-book build failed (exit {proc.returncode}); see above")
    return index


def glued(notebook: Path) -> dict[str, str]:
    """The values an executed notebook glued for the prose, as their plain-text form.

    Parameters
    ----------
    notebook : Path
        An executed ``.ipynb``.

    Returns
    -------
    dict of str to str
        Glue name to the ``repr`` of the raw value when the glue carries one
        (``application/vnd.causalxai.glue+json``, written by :mod:`causalxai.glue`: a
        change of format is not a change of value), else to its ``text/plain``.
    """
    found = {}
    for cell in json.loads(Path(notebook).read_text())["cells"]:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if meta:
                data = output["data"]
                payload = data.get(meta["mime_prefix"] + _RAW_MIME)
                if isinstance(payload, dict) and isinstance(payload.get("repr"), str):
                    found[meta["name"]] = payload["repr"]
                else:
                    found[meta["name"]] = data.get(meta["mime_prefix"] + "text/plain", "")
    return found

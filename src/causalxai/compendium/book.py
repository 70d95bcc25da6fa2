"""Build the Jupyter Book from the executed notebooks of one parameter set.

The table of contents points at ``executed/``, a git-ignored mirror of ``notebooks/``.
:func:`select` decides which executed copy each chapter shows (the set's, or a ``-p``
custom run's where there is one) and refuses what cannot be trusted: a missing copy, a
copy whose sha256 differs from its record (never built from), and a stale copy (its
source, parameters, package modules or data changed since it ran) unless stale copies
are explicitly allowed. :func:`sync` writes each copy into ``executed/`` with a collapsed
"Rerun this chapter" box under its title (set, parameter values, the exact command, the
run date) and papermill's boilerplate cells removed from the page; :func:`build` then
runs ``jupyter-book build`` with execution off and warnings as errors.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causalxai.compendium import params as P
from causalxai.compendium import runner
from causalxai.compendium.paths import Layout
from causalxai.compendium.runner import Job, toc_notebooks

__all__ = [
    "FINDINGS_PAGE", "BookError", "Chapter", "build", "findings_refs", "glued", "glued_outputs",
    "page_copy", "pasted_text", "render_findings", "rerun_box", "select", "sync", "update_readme",
]

#: Tags given, in the copy shown by the book, to the cells a reader does not need to see.
HIDDEN = ("parameters", "injected-parameters")
BOX_TAG = "causalxai-rerun"

#: The MIME type of the raw value of a glue (:data:`causalxai.glue.RAW_MIME`).
RAW_MIME = "application/vnd.causalxai.glue+json"
_RAW_MIME = RAW_MIME  # the name tests/test_glue.py checks


#: The Key findings page (relative to the book root); README repeats its marked block.
FINDINGS_PAGE = "book/key_findings.md"
FINDINGS_START = "<!-- key-findings:start -->"
FINDINGS_END = "<!-- key-findings:end -->"
#: ``{glue:text}`path.ipynb::key:spec``` -- myst-nb's paste from another document.
_GLUE_REF = re.compile(r"\{glue:text\}`(?P<path>[^`:]+\.ipynb)::(?P<key>[A-Za-z0-9_]+)"
                       r"(?::(?P<spec>[^`]*))?`")
_DOC_REF = re.compile(r"\{doc\}`(?P<text>[^`<]+?)\s*<(?P<target>[^`>]+)>`")


class BookError(RuntimeError):
    """The book cannot be built (missing, untrustworthy or stale executed notebooks, or a
    failed build)."""


@dataclass(frozen=True)
class Chapter:
    """Which executed copy a chapter of the book shows.

    Attributes
    ----------
    job : Job
        The run it comes from (set, overrides, parameters, output).
    stale : str or None
        Why the copy is stale, if it is (and stale copies were allowed).
    """

    job: Job
    stale: str | None = None


def _problem_lines(problems: Mapping[str, list[str]]) -> str:
    return "; ".join(f"{kind}: {', '.join(rels)}" for kind, rels in problems.items() if rels)


def select(layout: Layout, param_set: str = "default", overrides: Sequence[str] = (),
           *, allow_stale: bool = False) -> list[Chapter]:
    """Decide, for every chapter of the table of contents, which executed copy it shows.

    With ``overrides``, a chapter shows its custom run (the folder ``run -p`` wrote) when
    there is one, else the set's own copy.

    Raises
    ------
    BookError
        Naming every chapter with no executed copy, with a copy that does not match its
        record, or (unless ``allow_stale``) with a stale copy.
    ParameterError
        On a bad set or override (as for ``run``).
    """
    rels = toc_notebooks(layout)
    _, base_jobs = runner.plan(layout, rels, param_set, check_inputs=False)
    custom = (runner.plan(layout, rels, param_set, overrides, check_inputs=False)[1]
              if overrides else base_jobs)
    chapters: list[Chapter] = []
    problems: dict[str, list[str]] = {"no executed copy": [], "copy does not match its record "
                                      "(never built from)": [], "stale": []}
    for base, mine in zip(base_jobs, custom, strict=True):
        job = mine if mine.overrides and mine.output.is_file() else base
        why = runner.staleness(job)
        if why is None:
            chapters.append(Chapter(job))
        elif why == "not executed":
            problems["no executed copy"].append(job.rel)
        elif not why.startswith("stale"):
            problems["copy does not match its record (never built from)"].append(
                f"{job.rel} ({why})")
        else:
            chapters.append(Chapter(job, why))
            if not allow_stale:
                problems["stale"].append(f"{job.rel} [{job.label}] ({why.removeprefix('stale: ')})")
    if any(problems.values()):
        hint = (f"run `python -m causalxai run --params {param_set}"
                + "".join(f" -p {o}" for o in overrides) + "` first")
        if problems["stale"] and not any(v for k, v in problems.items() if k != "stale"):
            hint += ", or build anyway with --allow-stale"
        raise BookError(f"cannot build the book from set {param_set!r}: "
                        f"{_problem_lines(problems)}; {hint}")
    return chapters


def rerun_box(job: Job, finished: str, stale: str | None = None) -> str:
    """The MyST admonition shown under a chapter's title: what it shows, how to rerun it."""
    if job.overrides:
        shows = (f"the parameter set `{job.set_name}` with "
                 + ", ".join(f"`{k}={P.format_value(v)}`" for k, v in sorted(job.overrides.items())))
    else:
        shows = f"the parameter set `{job.set_name}`"
    rows = "\n".join(f"| `{name}` | `{P.format_value(value)}` |"
                     for name, value in job.parameters.items())
    warn = f"\n\n**Stale:** {stale.removeprefix('stale: ')}." if stale else ""
    return (
        ":::{admonition} Rerun this chapter\n:class: dropdown\n\n"
        f"This page shows {shows}, run on {finished[:10]}.{warn}\n\n"
        f"| parameter | value |\n| --- | --- |\n{rows}\n\n"
        "Rerun it (change any value; `python -m causalxai params "
        f"notebooks/{job.rel}` lists the allowed ranges):\n\n"
        f"```bash\n{job.command()}\n```\n:::\n"
    )


def page_copy(job: Job, stale: str | None = None) -> str:
    """The executed notebook as the book shows it: rerun box under the title, the
    parameters and injected-parameters cells tagged ``remove-cell``."""
    nb = json.loads(job.output.read_text())
    record = runner.read_record(job) or {}
    finished = record.get("finished") or "an unknown date"
    for cell in nb["cells"]:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if any(t in tags for t in HIDDEN) and "remove-cell" not in tags:
            tags.append("remove-cell")
    box = {"cell_type": "markdown", "id": "causalxai-rerun-box",
           "metadata": {"tags": [BOX_TAG]},
           "source": rerun_box(job, finished, stale)}
    if nb.get("nbformat_minor", 0) < 5 and nb.get("nbformat", 4) == 4:
        box.pop("id")
    first = 1 if nb["cells"] and nb["cells"][0].get("cell_type") == "markdown" else 0
    nb["cells"].insert(first, box)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def sync(layout: Layout, chapters: Sequence[Chapter],
         echo: Callable[[str], None] = print) -> list[str]:
    """Write the page copy of each chapter into ``executed/``; remove any other notebook.

    Only changed copies are rewritten; each keeps the modification time of its executed
    notebook so that Sphinx rebuilds only changed pages.

    Returns
    -------
    list of str
        The notebooks (relative to ``notebooks/``) whose copy changed.
    """
    changed = []
    for chapter in chapters:
        job = chapter.job
        dst = layout.executed / job.rel
        text = page_copy(job, chapter.stale)
        echo(f"{job.rel}: {job.label}" + (f" (STALE: {chapter.stale.removeprefix('stale: ')})"
                                          if chapter.stale else ""))
        if not (dst.is_file() and dst.read_text() == text):
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f".{dst.name}.tmp")
            tmp.write_text(text)
            tmp.replace(dst)
            changed.append(job.rel)
        mtime = job.output.stat().st_mtime
        if dst.stat().st_mtime != mtime:
            os.utime(dst, (mtime, mtime))
    keep = {layout.executed / c.job.rel for c in chapters}
    if layout.executed.is_dir():
        for stale in layout.executed.rglob("*.ipynb"):
            if stale not in keep:
                stale.unlink()
    return changed


def build(layout: Layout, param_set: str = "default", overrides: Sequence[str] = (), *,
          strict: bool = True, allow_stale: bool = False,
          echo: Callable[[str], None] = print) -> Path:
    """Build the HTML book from the executed notebooks of a set (and custom runs).

    Parameters
    ----------
    layout : Layout
        The checkout.
    param_set : str
        The parameter set (as for ``run``). ``default`` without overrides builds into
        ``_build/html``; anything else into ``_build/<folder>/_build/html`` so that it
        never replaces the published book.
    overrides : sequence of str
        ``name=value``: chapters run with these overrides show that run.
    strict : bool
        Warnings as errors, nitpicky references, keep going to list every problem.
    allow_stale : bool
        Build from stale copies too (each is named, and marked in its rerun box).
    echo : callable
        Where to say which set and parameters each chapter shows.

    Returns
    -------
    Path
        The book's ``index.html``.

    Raises
    ------
    BookError
        If a copy is missing, untrustworthy or (unless allowed) stale, or if
        ``jupyter-book`` fails (its output has been printed).
    """
    chapters = select(layout, param_set, overrides, allow_stale=allow_stale)
    folder = P.custom_folder(P.load_set(param_set, layout.params).folder,
                             {k: v for c in chapters for k, v in c.job.overrides.items()})
    echo(f"Book from set {chapters[0].job.set_name if chapters else param_set!r}; each chapter "
         "shows:")
    sync(layout, chapters, echo=lambda line: echo("  " + line))
    if folder == "default" and update_readme(layout, chapters):
        echo("README.md: key findings updated from this build's notebooks")
    out = layout.root if folder == "default" else layout.root / "_build" / folder
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
    for name, data in glued_outputs(notebook).items():
        payload = data.get(RAW_MIME)
        if isinstance(payload, dict) and isinstance(payload.get("repr"), str):
            found[name] = payload["repr"]
        else:
            text = data.get("text/plain", "")
            found[name] = "".join(text) if isinstance(text, list) else text
    return found


def glued_outputs(notebook: Path) -> dict[str, dict[str, Any]]:
    """Every value an executed notebook glued: name to its representations by MIME type
    (``text/plain``, ``image/png``, ``text/html``...), the glue prefix removed."""
    found: dict[str, dict[str, Any]] = {}
    for cell in json.loads(Path(notebook).read_text())["cells"]:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if meta:
                prefix = meta["mime_prefix"]
                found[meta["name"]] = {k.removeprefix(prefix): v
                                       for k, v in output.get("data", {}).items()}
    return found


def pasted_text(notebook: Path) -> dict[str, str]:
    """Glue name -> its ``text/plain``: what ``{glue:text}`` formats and shows."""
    found = {}
    for name, data in glued_outputs(notebook).items():
        text = data.get("text/plain", "")
        found[name] = "".join(text) if isinstance(text, list) else text
    return found


def _findings_block(text: str, where: str) -> str:
    start, end = text.find(FINDINGS_START), text.find(FINDINGS_END)
    if start < 0 or end < start:
        raise BookError(f"{where} has no block between {FINDINGS_START!r} and {FINDINGS_END!r}")
    return text[start + len(FINDINGS_START):end].strip("\n")


def _notebook_rel(path: str) -> str:
    """``../executed/20_synthetic/07_scorecard.ipynb`` -> ``20_synthetic/07_scorecard.ipynb``."""
    parts = Path(path).parts
    if "executed" not in parts:
        raise BookError(f"glue reference {path!r} does not point into executed/")
    return "/".join(parts[parts.index("executed") + 1:])


def findings_refs(page: str) -> list[tuple[str, str, str]]:
    """The glued numbers a findings page pastes: ``(notebook, key, format spec)``, the
    notebook relative to ``notebooks/``."""
    return [(_notebook_rel(m["path"]), m["key"], m["spec"] or "")
            for m in _GLUE_REF.finditer(_findings_block(page, "the findings page"))]


def _format_glued(text: str, spec: str) -> str:
    # What myst-nb's {glue:text} does with a text/plain (format_plain_text).
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    if spec == "s":  # a formatted glue (causalxai.glue): its text as it is
        return str(value)
    return format(value, spec) if spec else str(value)


def render_findings(page: str, values: Mapping[str, Mapping[str, str]]) -> str:
    """The marked block of the findings page as README shows it: every glue reference
    replaced by its value, formatted as the book formats it, and every ``{doc}`` link
    turned into a Markdown link to the notebook source.

    Parameters
    ----------
    page : str
        The text of :data:`FINDINGS_PAGE`.
    values : mapping
        Notebook (relative to ``notebooks/``) -> the ``text/plain`` of its glues
        (:func:`pasted_text`), which is what myst-nb pastes.

    Raises
    ------
    BookError
        If the page has no marked block, or names a notebook or a key absent from
        ``values``.
    """
    block = _findings_block(page, "the findings page")

    def paste(m: re.Match[str]) -> str:
        rel, key = _notebook_rel(m["path"]), m["key"]
        if rel not in values or key not in values[rel]:
            raise BookError(f"the findings page pastes {key!r} from {rel}, which did not glue it")
        return _format_glued(values[rel][key], m["spec"] or "")

    def link(m: re.Match[str]) -> str:
        target = m["target"]
        if "executed/" in target:
            target = "notebooks/" + _notebook_rel(target + ".ipynb")
        else:
            target = "book/" + target + ".md"
        return f"[{m['text'].strip()}]({target})"

    block = _GLUE_REF.sub(paste, block)
    block = _DOC_REF.sub(link, block).replace("\\$", "$")
    return _reflow(block)


def _reflow(block: str, width: int = 90) -> str:
    """Each item of a numbered list on lines of at most ``width`` characters.

    A number and its unit joined by a no-break space (``fmt``'s "44\u00a0%") stay on one
    line; the README then shows a plain space between them.
    """
    items = re.split(r"\n(?=\d+\. )", block.strip())
    return "\n".join(textwrap.fill(" ".join(re.split(r"[ \t\r\n]+", item.strip())),
                                   width=width, subsequent_indent="   ",
                                   break_long_words=False, break_on_hyphens=False
                                   ).replace("\xa0", " ")
                     for item in items)


def update_readme(layout: Layout, chapters: Sequence[Chapter]) -> bool:
    """Rewrite README's key-findings block from the executed notebooks of ``chapters``.

    Returns
    -------
    bool
        Whether README changed.

    Raises
    ------
    BookError
        If README or the findings page lacks its marked block, or a pasted key is missing.
    """
    page = (layout.root / FINDINGS_PAGE).read_text()
    wanted = {rel for rel, _, _ in findings_refs(page)}
    values = {c.job.rel: pasted_text(c.job.output) for c in chapters if c.job.rel in wanted}
    block = render_findings(page, values)
    readme_path = layout.root / "README.md"
    readme = readme_path.read_text()
    if _findings_block(readme, "README.md") == block:
        return False
    start = readme.index(FINDINGS_START) + len(FINDINGS_START)
    end = readme.index(FINDINGS_END)
    readme_path.write_text(f"{readme[:start]}\n{block}\n{readme[end:]}")
    return True

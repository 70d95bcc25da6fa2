"""Compare the glued values of two runs of the book: did a change move a finding?

A refactoring must not change what the book says. :func:`compare_runs` reads every
executed notebook of two run folders (``.cache/runs/<set>/`` or a copy of one), extracts
what each glued for the prose (:func:`causalxai.compendium.book.glued`) and lists, per
notebook, the values that differ, appeared or disappeared. Numbers are compared as
numbers (with an optional relative tolerance), everything else as text. Timings are
expected to move and are left out by name (:data:`TIMING`).

From the command line::

    python -m causalxai compare OLD_RUN_FOLDER NEW_RUN_FOLDER [--rtol 1e-9]

exits 0 when nothing moved, 1 otherwise, and prints one line per difference.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from causalxai.compendium.book import glued
from causalxai.compendium.text import as_number

__all__ = ["TIMING", "Difference", "compare_runs", "differences_table"]

#: Glue names that hold timings (they move from run to run and are not findings): any name
#: with a ``runtime``/``seconds``/``elapsed``/``wall`` part, and the fit times of Part IV's
#: temporality chapter (``fit_full``, ``fit_snapshot``, ``fit_ratio``).
TIMING = re.compile(r"(^|_)(runtime|seconds|elapsed|wall)(_|$)|_s$|^fit_(full|snapshot|ratio)$")


@dataclass(frozen=True)
class Difference:
    """One glued value that differs between two runs.

    Attributes
    ----------
    notebook : str
        Path relative to the run folder.
    name : str
        The glue name.
    old, new : str or None
        The ``text/plain`` value in each run; None where the run does not glue it.
    """

    notebook: str
    name: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        """``changed``, ``added`` or ``removed``."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def _same(old: str, new: str, rtol: float) -> bool:
    if old == new:
        return True
    a, b = as_number(old), as_number(new)
    if a is None or b is None:
        return False
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rtol, abs_tol=0.0)


def _notebooks(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*.ipynb"))
            if not p.name.startswith(".") and not p.name.endswith(".failed.ipynb")}


def compare_runs(old: Path | str, new: Path | str, *, rtol: float = 0.0,
                 ignore: re.Pattern[str] | None = TIMING) -> list[Difference]:
    """List the glued values that differ between two run folders.

    Parameters
    ----------
    old, new : Path or str
        Folders of executed notebooks (same relative paths in both).
    rtol : float
        Relative tolerance for numbers (0: exact).
    ignore : compiled regex, optional
        Glue names to leave out (default: timings).

    Returns
    -------
    list of Difference
        Sorted by notebook and name; a notebook present in one folder only yields one
        ``added``/``removed`` entry per glued value.

    Raises
    ------
    FileNotFoundError
        If either folder does not exist.
    """
    old, new = Path(old), Path(new)
    for folder in (old, new):
        if not folder.is_dir():
            raise FileNotFoundError(f"run folder not found: {folder}")
    a, b = _notebooks(old), _notebooks(new)
    out: list[Difference] = []
    for rel in sorted(set(a) | set(b)):
        va = glued(a[rel]) if rel in a else {}
        vb = glued(b[rel]) if rel in b else {}
        for name in sorted(set(va) | set(vb)):
            if ignore is not None and ignore.search(name):
                continue
            x, y = va.get(name), vb.get(name)
            if x is not None and y is not None and _same(x, y, rtol):
                continue
            out.append(Difference(rel, name, x, y))
    return out


def differences_table(diffs: list[Difference]) -> pd.DataFrame:
    """The differences as a tidy table (notebook, name, kind, old, new)."""
    return pd.DataFrame(
        [{"notebook": d.notebook, "name": d.name, "kind": d.kind, "old": d.old, "new": d.new}
         for d in diffs],
        columns=["notebook", "name", "kind", "old", "new"],
    )

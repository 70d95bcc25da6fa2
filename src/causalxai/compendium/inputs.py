"""The files a notebook declares it reads, checked before any kernel starts.

A notebook names its inputs in its metadata, under ``causalxai``::

    "metadata": {
      "causalxai": {
        "data": ["polish_bankruptcy", "france_business_failures/defaillances_annuelles_france_milliers.csv"],
        "files": ["data/ontology/firm_distress.ttl"]
      }
    }

- ``data``: registered data files (:mod:`causalxai.data`), by name or by dataset (every
  file of the dataset), or ``"*"`` for every registered file. Each must be in the data
  directory with its registered sha256.
- ``files``: files of the repository (relative to its root). Their content is part of
  the run key. A file with a ``<file>.sha256`` beside it is *pinned*: its hash must be the
  one written there.
- ``runs_last``: ``true`` for a notebook that reads the other chapters' run records (the
  performance appendix): the runner starts it once every other notebook of the run has
  finished, and runs it again, even when cached, when any other notebook ran.

:func:`verify` checks the declared inputs of every notebook of a run at once and raises
one :class:`InputError` listing every missing or altered file, so that a run stops with
exit code 2 before anything executes (and never replaces a good output, such as the data
registry appendix, by one computed without the data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causalxai import data
from causalxai.compendium.params import ParameterError

__all__ = ["Declared", "InputError", "declared_inputs", "verify"]

METADATA_KEY = "causalxai"


class InputError(ParameterError):
    """A declared input is missing, altered or not registered (exit code 2)."""


@dataclass(frozen=True)
class Declared:
    """What one notebook declares.

    Attributes
    ----------
    data : tuple of str
        Registered data file names (datasets expanded).
    files : tuple of str
        Repository files, relative to the root (POSIX form).
    runs_last : bool
        Run after every other notebook of the run (it reads their records).
    """

    data: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    runs_last: bool = False


def _strings(value: Any, what: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: metadata {METADATA_KEY}.{what} must be a list of strings")
    return value


def declared_inputs(metadata: Mapping[str, Any], where: str) -> Declared:
    """Read the ``causalxai`` metadata of a notebook.

    Parameters
    ----------
    metadata : mapping
        The notebook's metadata.
    where : str
        The notebook, for messages.

    Raises
    ------
    InputError
        If the metadata is malformed or names a data file or dataset that is not
        registered (with the closest registered names).
    """
    spec = metadata.get(METADATA_KEY) or {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: metadata {METADATA_KEY} must be a mapping")
    unknown = set(spec) - {"data", "files", "runs_last"}
    if unknown:
        raise InputError(f"{where}: unknown key(s) in metadata {METADATA_KEY}: "
                         f"{', '.join(sorted(unknown))} (known: data, files, runs_last)")
    runs_last = spec.get("runs_last", False)
    if not isinstance(runs_last, bool):
        raise InputError(f"{where}: metadata {METADATA_KEY}.runs_last must be true or false, "
                         f"got {runs_last!r}")
    names: list[str] = []
    datasets = set(data.registry().datasets)
    for entry in _strings(spec.get("data"), "data", where):
        if entry == "*":
            names += data.registered_files()
        elif entry in datasets:
            names += data.registered_files(entry)
        else:
            try:
                data.file_info(entry)
            except data.UnknownDataFileError as exc:
                raise InputError(f"{where}: metadata {METADATA_KEY}.data: {exc}") from None
            names.append(entry)
    files = _strings(spec.get("files"), "files", where)
    return Declared(tuple(dict.fromkeys(names)), tuple(dict.fromkeys(files)), runs_last)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_hashes(root: Path, files: Iterable[str]) -> dict[str, str | None]:
    """sha256 of each repository file (None when absent), for the run key."""
    out: dict[str, str | None] = {}
    for rel in files:
        path = root / rel
        out[rel] = _sha256(path) if path.is_file() else None
    return out


def problems(root: Path, declared: Declared) -> list[tuple[str, str, str]]:
    """Each declared input that is missing or altered, as ``(kind, name, detail)``.

    ``kind`` is ``missing`` or ``altered``; ``name`` a registered data file or a
    repository file; ``detail`` what to do about it (empty for data files, whose
    datasets' sources the summary names once). Empty when all is well.
    """
    found: list[tuple[str, str, str]] = []
    directory = data.data_dir()
    for name in declared.data:
        path = directory / name
        if not path.is_file():
            found.append(("missing", name, ""))
        elif data.sha256sum(path) != data.file_info(name)["sha256"]:
            found.append(("altered", name, ""))
    for rel in declared.files:
        path = root / rel
        pin = path.with_name(path.name + ".sha256")
        if not path.is_file():
            found.append(("missing", rel, f"looked for {path}"))
        elif pin.is_file():
            words = pin.read_text().split()
            expected = words[0] if words else ""
            actual = _sha256(path)
            if actual != expected:
                where = pin.relative_to(root) if pin.is_relative_to(root) else pin
                found.append(("altered", rel, f"has sha256 {actual}, not the pinned {expected} "
                              f"({where}): if the edit is intended, write the new hash there"))
    return found


def _summary(found: Mapping[tuple[str, str, str], list[str]]) -> str:
    """Missing or altered data files grouped by dataset (a whole dataset named once),
    repository files one by one, each with the notebooks that need it."""
    parts: list[str] = []
    groups: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for (kind, name, detail), rels in found.items():
        if detail:
            parts.append(f"{kind}: {name} {detail} [needed by {', '.join(rels)}]")
        else:
            groups.setdefault((kind, data.file_info(name)["dataset"]), []).append((name, rels))
    for (kind, dataset), items in groups.items():
        names = [n for n, _ in items]
        rels = sorted({r for _, rs in items for r in rs})
        every = data.registered_files(dataset)
        what = (f"all {len(every)} files of {dataset}" if sorted(names) == every
                else ", ".join(names))
        source = data.registry().datasets[dataset]["source"]
        parts.append(f"{kind}: {what} (source: {source}) [needed by {', '.join(rels)}]")
    return "; ".join(parts)


def verify(root: Path, declared: Mapping[str, Declared]) -> None:
    """Check the declared inputs of every notebook of a run, all at once.

    Parameters
    ----------
    root : Path
        The repository root.
    declared : mapping of str to Declared
        Notebook (relative to ``notebooks/``) to what it declares.

    Raises
    ------
    InputError
        Listing every missing or altered file (a dataset missing whole is named once)
        and the notebooks that need it.
    """
    found: dict[tuple[str, str, str], list[str]] = {}
    for rel, decl in declared.items():
        for item in problems(root, decl):
            found.setdefault(item, []).append(rel)
    if found:
        raise InputError(
            f"{len(found)} declared input file(s) missing or altered in the data folder "
            f"{data.data_dir()}, nothing was executed: {_summary(found)}. Set "
            f"{data.ENV_VAR} to the folder that holds the data files; `python -m causalxai "
            "data verify` lists them all"
        )

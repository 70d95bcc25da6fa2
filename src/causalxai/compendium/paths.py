"""Where things live in a checkout of the compendium.

The project root is the folder that holds ``_toc.yml`` and ``notebooks/``. It is found,
in order, from the ``CAUSALXAI_ROOT`` environment variable, from the current working
directory and its parents, and from the location of this package (editable install).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "CAUSALXAI_ROOT"


def _is_root(path: Path) -> bool:
    return (path / "_toc.yml").is_file() and (path / "notebooks").is_dir()


def find_root(start: Path | None = None) -> Path:
    """Return the project root.

    Parameters
    ----------
    start : Path, optional
        Folder to search upwards from; defaults to the current working directory.

    Returns
    -------
    Path
        The absolute path of the folder holding ``_toc.yml`` and ``notebooks/``.

    Raises
    ------
    FileNotFoundError
        If no such folder is found; the message says how to point at one.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not _is_root(root):
            raise FileNotFoundError(
                f"{ROOT_ENV}={env} does not hold _toc.yml and notebooks/: "
                "point it at a checkout of the compendium"
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    package_guess = Path(__file__).resolve().parents[3]
    if _is_root(package_guess):
        return package_guess
    raise FileNotFoundError(
        f"no compendium checkout found from {here}: run from the project folder "
        f"or set {ROOT_ENV}"
    )


@dataclass(frozen=True)
class Layout:
    """The folders of a checkout, all absolute.

    Attributes
    ----------
    root : Path
        The project (and book) root.
    """

    root: Path

    @property
    def notebooks(self) -> Path:
        """Parameterised notebook sources (``notebooks/``)."""
        return self.root / "notebooks"

    @property
    def params(self) -> Path:
        """Named parameter sets (``notebooks/params/``)."""
        return self.notebooks / "params"

    @property
    def runs(self) -> Path:
        """Executed notebooks, one folder per parameter set (git-ignored)."""
        return self.root / ".cache" / "runs"

    @property
    def executed(self) -> Path:
        """The executed copies the book is built from (git-ignored, mirrors ``notebooks/``)."""
        return self.root / "executed"

    @property
    def package(self) -> Path:
        """Sources of the helper package."""
        return self.root / "src" / "causalxai"

    @property
    def toc(self) -> Path:
        """The Jupyter Book table of contents."""
        return self.root / "_toc.yml"

    @classmethod
    def find(cls, start: Path | None = None) -> Layout:
        """Build the layout of the checkout found by :func:`find_root`."""
        return cls(find_root(start))

"""Which modules of the package a notebook runs: its static import closure.

The run key of a notebook depends on the package modules it can execute, not on the
whole package: an edit of the book builder must not re-execute the chapters. The closure
is computed statically (:mod:`ast`, nothing is imported): the notebook's ``import`` and
``from ... import`` statements, then the imports of each module reached (at any level
of the module, including inside functions), with the packages' ``__init__`` files
Python runs on the way.

Lazy re-exports (:mod:`causalxai._lazy`) are followed through their ``_MODULES``
mapping: ``from causalxai.predict import fit_gbm`` reaches ``causalxai.predict.models``.
Where a lazy package is imported as an object (``import causalxai.predict``), every
module it re-exports is included, since any of them may be reached by attribute. The
analysis errs on the side of including too much, never too little.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PackageGraph", "notebook_imports", "package_graph"]


@dataclass
class _Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module | None
    lazy: dict[str, str] | None = None  # re-exported name -> module, for lazy packages
    imports: set[str] = field(default_factory=set)


def _lazy_map(tree: ast.Module) -> dict[str, str] | None:
    """The ``{name: module}`` re-exports of a lazy package's ``__init__`` (None if eager).

    An ``__init__`` that calls ``lazy_exports`` but whose ``_MODULES`` mapping cannot be
    read statically maps to the empty dict with a ``*`` entry: every sub-module counts.
    """
    uses_lazy = any(
        (isinstance(n, ast.Name) and n.id == "lazy_exports")
        or (isinstance(n, ast.alias) and n.name.rsplit(".", 1)[-1] in {"lazy_exports", "_lazy"})
        for n in ast.walk(tree)
    )
    if not uses_lazy:
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "_MODULES"):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                break
            return {name: module for module, names in value.items() for name in names}
    return {"*": "*"}


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


class PackageGraph:
    """The import graph of a package's source folder, read once.

    Parameters
    ----------
    package_dir : Path
        The package folder (e.g. ``src/causalxai``); its name is the package name.
    """

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = Path(package_dir)
        self.name = self.package_dir.name
        self.modules: dict[str, _Module] = {}
        if not self.package_dir.is_dir():
            return
        for path in sorted(self.package_dir.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(self.package_dir.parent).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except SyntaxError:
                tree = None
            module = _Module(name, path, is_package, tree)
            if tree is not None and is_package:
                module.lazy = _lazy_map(tree)
            self.modules[name] = module
        for module in self.modules.values():
            module.imports = self._imports(module)

    # ------------------------------------------------------------------ resolution
    def _submodules(self, package: str) -> set[str]:
        return {n for n in self.modules if n.startswith(package + ".")}

    def _as_object(self, name: str) -> set[str]:
        """What importing ``name`` as an object can reach: itself, its parents, and all
        its lazy re-exports (or every sub-module when they cannot be read)."""
        out = {n for n in _parents(name) if n in self.modules}
        module = self.modules.get(name)
        if module is not None and module.lazy is not None:
            if "*" in module.lazy:
                out |= self._submodules(name)
            else:
                out |= {f"{name}.{m}" for m in module.lazy.values()
                        if f"{name}.{m}" in self.modules}
        return out

    def _from(self, base: str, names: Iterable[str]) -> set[str]:
        """What ``from base import names`` reaches."""
        out = {n for n in _parents(base) if n in self.modules}
        module = self.modules.get(base)
        for name in names:
            if name == "*":
                out |= self._as_object(base)
            elif f"{base}.{name}" in self.modules:
                out |= self._as_object(f"{base}.{name}")
            elif module is not None and module.lazy is not None:
                if "*" in module.lazy:
                    out |= self._submodules(base)
                elif name in module.lazy and f"{base}.{module.lazy[name]}" in self.modules:
                    out.add(f"{base}.{module.lazy[name]}")
        return out

    def resolve(self, tree: ast.AST, here: str | None = None, is_package: bool = False
                ) -> set[str]:
        """The package modules the import statements of ``tree`` reach directly.

        ``here`` is the importing module's name, for relative imports.
        """
        out: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == self.name or alias.name.startswith(self.name + "."):
                        out |= self._as_object(alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    if here is None:
                        continue
                    anchor = here if is_package else here.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{node.module}" if node.module else anchor
                else:
                    base = node.module or ""
                if base == self.name or base.startswith(self.name + "."):
                    out |= self._from(base, [a.name for a in node.names])
        return out

    def _imports(self, module: _Module) -> set[str]:
        if module.tree is None:  # unreadable: assume it may import anything
            return set(self.modules)
        return self.resolve(module.tree, module.name, module.is_package)

    # ------------------------------------------------------------------ closure
    def closure(self, roots: Iterable[str]) -> set[str]:
        """Every package module reachable from ``roots`` (module names), roots included."""
        seen: set[str] = set()
        todo = [r for r in roots if r in self.modules]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(p for p in _parents(name) if p in self.modules and p not in seen)
            todo.extend(self.modules[name].imports - seen)
        return seen

    def hashes(self, names: Iterable[str]) -> dict[str, str]:
        """sha256 of each module's source, by module name (sorted)."""
        return {n: hashlib.sha256(self.modules[n].path.read_bytes()).hexdigest()
                for n in sorted(names)}


_GRAPHS: dict[tuple[str, tuple[tuple[str, int, int], ...]], PackageGraph] = {}


def package_graph(package_dir: Path) -> PackageGraph:
    """The :class:`PackageGraph` of ``package_dir``, parsed again only when a file of it
    changed (name, size or modification time)."""
    package_dir = Path(package_dir)
    stamp = tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                         for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts))
    key = (str(package_dir.resolve()), stamp)
    if key not in _GRAPHS:
        _GRAPHS.clear()
        _GRAPHS[key] = PackageGraph(package_dir)
    return _GRAPHS[key]


def _code(source: str) -> str:
    """A cell's source without IPython magics and shell escapes (``%``, ``!``)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def notebook_imports(cells: Iterable[str], graph: PackageGraph) -> set[str]:
    """The package modules a notebook's code cells import directly.

    A cell that is not valid Python (after removing magics) counts as importing every
    module of the package.
    """
    out: set[str] = set()
    for source in cells:
        try:
            tree = ast.parse(_code(source))
        except SyntaxError:
            return set(graph.modules)
        out |= graph.resolve(tree)
    return out

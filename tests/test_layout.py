"""The package's house rules: sub-packages re-export exactly their modules' public names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "causalxai"
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")
                     if "_MODULES" in p.read_text())


def _declared_all(module: Path) -> list[str]:
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__"
                                                for t in node.targets):
            return [e.value for e in node.value.elts]
    return []


def test_every_lazy_subpackage_is_found():
    assert {"causal", "predict", "estimate", "compendium"} <= set(SUBPACKAGES)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_exports_its_modules_public_names(name):
    package = importlib.import_module(f"causalxai.{name}")
    per_module = {m: _declared_all(PACKAGE / name / f"{m}.py") for m in package._MODULES}
    names = [n for ns in per_module.values() for n in ns]
    twice = {n for n in names if names.count(n) > 1}
    for module, exported in package._MODULES.items():
        assert sorted(exported) == sorted(set(per_module[module]) - twice), module
    for public in package.__all__:
        assert getattr(package, public) is getattr(
            importlib.import_module(f"causalxai.{name}.{dict((n, m) for m, ns in package._MODULES.items() for n in ns)[public]}"),
            public)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_docstring_says_what_it_holds(name):
    doc = importlib.import_module(f"causalxai.{name}").__doc__
    assert doc and len(doc.strip().split("\n\n")[0].splitlines()) <= 2


def test_unknown_attribute_is_an_attribute_error():
    import causalxai.causal

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        causalxai.causal.nope  # noqa: B018


def test_no_module_is_over_900_lines():
    """Issue 9: small modules with one job; a module that grows past 900 lines is split."""
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 900}
    assert not long, f"split these modules (lines): {long}"

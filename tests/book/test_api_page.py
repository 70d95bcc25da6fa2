"""The API reference page (book/api.md): every object it names imports and is documented."""

from __future__ import annotations

import importlib
import inspect
import re

import yaml

from tests.conftest import REPO

PAGE = REPO / "book" / "api.md"
TOC = yaml.safe_load((REPO / "_toc.yml").read_text())
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())


def _resolve(dotted: str) -> object:
    """``causalxai.Prescriber`` or ``causalxai.prescribe`` -> the object (lazy exports too)."""
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(module), name)


def _directives() -> list[tuple[str, str, dict[str, str]]]:
    """(directive, target, options) of each autodoc directive on the page."""
    found = []
    for match in re.finditer(r"^\.\. (auto\w+):: (\S+)\n((?:   :[\w-]+:.*\n)*)",
                             PAGE.read_text(), flags=re.M):
        options = dict(re.findall(r":([\w-]+):[ ]?(.*)", match.group(3)))
        found.append((match.group(1), match.group(2), options))
    return found


def test_page_is_in_the_appendix_and_autodoc_is_on():
    appendix = next(p for p in TOC["parts"] if p["caption"] == "Appendix")
    assert {"file": "book/api"} in appendix["chapters"]
    extensions = CONFIG["sphinx"]["extra_extensions"]
    assert {"sphinx.ext.autodoc", "sphinx.ext.napoleon"} <= set(extensions)


def test_every_documented_object_imports_and_has_a_numpy_docstring():
    directives = _directives()
    assert {t for _, t, _ in directives} == {"causalxai.Prescriber", "causalxai.prescribe"}
    for directive, target, options in directives:
        obj = _resolve(target)
        assert inspect.getdoc(obj), target
        if directive == "autoclass":
            assert "Parameters\n----------" in inspect.getdoc(obj), target
            members = [m.strip() for m in options["members"].split(",")]
            for name in members:
                method = getattr(obj, name)  # a misspelt member fails here
                assert "Returns\n-------" in (inspect.getdoc(method) or ""), (target, name)
        else:
            # autodoc's :members: silently skips an undocumented name: none may be
            excluded = set(options.get("exclude-members", "").replace(",", " ").split())
            for name in set(obj.__all__) - excluded:
                member = getattr(obj, name)
                if inspect.isclass(member) or inspect.isfunction(member):
                    assert inspect.getdoc(member), f"{target}.{name} has no docstring"

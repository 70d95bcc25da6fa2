"""Lazy re-exports for the sub-packages (PEP 562).

A sub-package's ``__init__`` names its public objects and the module each lives in;
they are imported on first access, so that ``import causalxai.compendium.params`` does
not pay for SHAP, EconML or DoWhy through a sibling module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """Build ``__all__``, ``__getattr__`` and ``__dir__`` for a package.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to str
        Public name -> the sub-module (relative to ``package``) that defines it.

    Returns
    -------
    (__all__, __getattr__, __dir__)
    """
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        try:
            module = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        globals_ = importlib.import_module(package).__dict__
        globals_[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(names) | set(importlib.import_module(package).__dict__))

    return names, __getattr__, __dir__


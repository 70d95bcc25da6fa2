"""The book machinery: command line, notebook runner, parameters, book build, paths, run comparison.

Never imported by the science.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "compare": ["TIMING", "Difference", "compare_runs", "differences_table"],
    "paths": [
    ],
    "params": [
        "Parameter", "ParameterError", "check", "load_set", "parse_override", "read_parameters",
        "require", "resolve",
    ],
    "runner": [
        "Job", "RunResult", "execute", "is_fresh", "plan", "resolve_notebook", "toc_notebooks",
    ],
    "book": [
        "BookError", "build", "glued", "sync",
    ],
    "cli": [
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

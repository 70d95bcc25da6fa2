"""The book machinery: command line, notebook runner, sweeps, parameters, book build, paths, run comparison.

Never imported by the science.
"""

from causalxai._lazy import lazy_exports

_MODULES = {
    "compare": ["TIMING", "Difference", "compare_runs", "differences_table"],
    "paths": [
    ],
    "params": [
        "ParamSet", "Parameter", "ParameterError", "check", "custom_folder", "format_value",
        "load_set", "parse_override", "read_parameters", "require", "resolve",
        "validate_parameters",
    ],
    "runner": [
        "Interrupted", "Job", "RunResult", "execute", "is_fresh", "plan", "resolve_notebook",
        "staleness", "toc_notebooks", "toc_source",
    ],
    "inputs": ["Declared", "InputError", "declared_inputs", "verify"],
    "imports": ["PackageGraph", "notebook_imports", "package_graph"],
    "sweep": ["Grid", "glued_scalars", "parse_grid", "plan_sweep", "run_sweep", "sweep_table"],
    "book": [
        "FINDINGS_PAGE", "BookError", "Chapter", "build", "findings_refs", "glued",
        "glued_outputs", "page_copy", "pasted_text", "render_findings", "rerun_box", "select",
        "sync", "update_readme",
    ],
    "cli": [
    ],
    "costs": [
        "BENCH_DIR", "SETUP_IMPORTS", "bench_table", "chapter_title", "fixed_cost",
        "notebook_costs", "prescriber_runs", "read_bench", "toc_parts",
    ],
    "performance": [
        "fastest", "growth", "loglog_slope", "plain_linear_gaussian", "refutation",
        "refutation_table",
    ],
}

__all__, __getattr__, __dir__ = lazy_exports(
    __name__, {n: m for m, names in _MODULES.items() for n in names}
)

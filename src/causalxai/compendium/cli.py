"""Command line: ``python -m causalxai run|book|params|data|compare``.

Exit codes: 0 success, 1 a notebook or the book build failed, 2 bad input (unknown
notebook or parameter, wrong type, value out of range, missing or altered data file);
on 2 nothing has been executed or overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from causalxai.compendium.params import ParameterError, read_parameters
from causalxai.compendium.paths import Layout

USAGE_ERROR = 2


def _fail(message: str) -> int:
    print(f"causalxai: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _cmd_run(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium import runner

    start = time.perf_counter()
    set_name, jobs = runner.plan(layout, args.notebooks, args.params, args.p)
    results = runner.execute(jobs, layout, workers=args.jobs, force=args.force,
                             timeout=args.timeout, progress=not args.no_progress)
    ran = sum(r.status == "ran" for r in results)
    cached = sum(r.status == "cached" for r in results)
    failed = [r for r in results if r.status == "failed"]
    print(f"{len(results)} notebook(s) with set {set_name!r}: {ran} executed, {cached} cached, "
          f"{len(failed)} failed in {time.perf_counter() - start:.1f} s; outputs in "
          f"{os.path.relpath(layout.runs / set_name)}/")
    return 1 if failed else 0


def _cmd_book(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium import book

    try:
        index = book.build(layout, args.params, strict=not args.no_strict)
    except book.BookError as exc:
        print(f"causalxai: {exc}", file=sys.stderr)
        return 1
    print(f"Book built from set {args.params!r}: {index}")
    return 0


def _cmd_params(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium.runner import resolve_notebook

    rel = resolve_notebook(layout, args.notebook)
    for param in read_parameters(layout.notebooks / rel).values():
        print(f"{param.name} = {param.default!r}  ({param.kind})  # {param.help}")
    return 0


def _cmd_data(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai import data

    table = data.verify_all()
    print(table.to_string(index=False))
    bad = table[table["status"] != "ok"]
    if len(bad):
        print(f"{len(bad)} file(s) not ok in {data.data_dir()}", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _cmd_compare(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium.compare import compare_runs

    diffs = compare_runs(args.old, args.new, rtol=args.rtol)
    for d in diffs:
        print(f"{d.kind:8s} {d.notebook} {d.name}: {d.old} -> {d.new}")
    print(f"{len(diffs)} glued value(s) differ between {args.old} and {args.new}"
          + (f" (relative tolerance {args.rtol:g}; timings left out)" if args.rtol else
             " (timings left out)"))
    return 1 if diffs else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m causalxai``."""
    parser = argparse.ArgumentParser(prog="python -m causalxai", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute notebooks (default: all of _toc.yml)")
    run.add_argument("notebooks", nargs="*", help="notebook paths; default: the whole book")
    run.add_argument("--params", default="default",
                     help="parameter set: default, smoke or a path to a YAML file")
    run.add_argument("-p", action="append", default=[], metavar="NAME=VALUE",
                     help="override one parameter (repeatable)")
    run.add_argument("-j", "--jobs", type=int, default=None,
                     help="notebooks run at once (default: number of cores)")
    run.add_argument("--force", action="store_true", help="ignore the cache")
    run.add_argument("--timeout", type=int, default=None, help="seconds allowed per cell")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    bk = sub.add_parser("book", help="build the HTML book from a set's executed notebooks")
    bk.add_argument("--params", default="default", help="which set's outputs to build from")
    bk.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    bk.set_defaults(func=_cmd_book)

    pa = sub.add_parser("params", help="list a notebook's parameters")
    pa.add_argument("notebook")
    pa.set_defaults(func=_cmd_params)

    da = sub.add_parser("data", help="verify the registered data files")
    da.add_argument("action", choices=["verify"])
    da.set_defaults(func=_cmd_data)

    co = sub.add_parser("compare", help="list the glued values that differ between two runs")
    co.add_argument("old", help="a folder of executed notebooks, e.g. a copy of .cache/runs/default")
    co.add_argument("new", help="another one, e.g. .cache/runs/default after a change")
    co.add_argument("--rtol", type=float, default=0.0, help="relative tolerance for numbers")
    co.set_defaults(func=_cmd_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        layout = Layout.find()
        return args.func(args, layout)
    except (ParameterError, FileNotFoundError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())

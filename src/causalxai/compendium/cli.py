"""Command line: ``python -m causalxai run|sweep|book|params|data|compare``.

Exit codes: 0 success, 1 a notebook, a sweep combination or the book build failed (or the
book would show stale copies), 2 bad input (unknown notebook or parameter, wrong type,
value out of range, missing or altered data file); on 2 nothing has been executed or
overwritten. 130: interrupted (Ctrl-C or SIGTERM); running notebooks were stopped and
nothing half-written was left.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from causalxai.compendium.params import ParameterError, read_parameters
from causalxai.compendium.paths import Layout

USAGE_ERROR = 2
INTERRUPTED = 130


def _fail(message: str) -> int:
    print(f"causalxai: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _cmd_run(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium import runner

    start = time.perf_counter()
    _, jobs = runner.plan(layout, args.notebooks, args.params, args.p)
    results = runner.execute(jobs, layout, workers=args.jobs, force=args.force,
                             timeout=args.timeout, progress=not args.no_progress)
    ran = sum(r.status == "ran" for r in results)
    cached = sum(r.status == "cached" for r in results)
    failed = [r for r in results if r.status == "failed"]
    folders = sorted({os.path.relpath(j.output.parents[len(Path(j.rel).parts) - 1])
                      for j in jobs})
    set_name = jobs[0].set_name if jobs else args.params
    print(f"{len(results)} notebook(s) with set {set_name!r}"
          + (f" and -p {' '.join(args.p)}" if args.p else "")
          + f": {ran} executed, {cached} cached, {len(failed)} failed in "
          f"{time.perf_counter() - start:.1f} s; outputs in {', '.join(f + '/' for f in folders)}")
    for res in failed:
        print(f"failed: notebooks/{res.job.rel}: {res.message}", file=sys.stderr)
    if any(j.overrides for j in jobs):
        print("custom run (its own folder, never a named set's); show it in the book with: "
              f"python -m causalxai book --params {args.params} "
              + " ".join(f"-p {shlex.quote(o)}" for o in args.p))
    return 1 if failed else 0


def _cmd_book(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium import book

    try:
        index = book.build(layout, args.params, args.p, strict=not args.no_strict,
                           allow_stale=args.allow_stale)
    except book.BookError as exc:
        print(f"causalxai: {exc}", file=sys.stderr)
        return 1
    print(f"Book built: {index}")
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


def _cmd_sweep(args: argparse.Namespace, layout: Layout) -> int:
    from causalxai.compendium.sweep import command

    return command(args, layout)


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
    _execution_options(run)
    run.set_defaults(func=_cmd_run)

    sw = sub.add_parser("sweep", help="run one notebook over a grid of parameters and "
                        "collect every glued scalar into one table")
    sw.add_argument("notebook", help="the notebook to sweep")
    sw.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                    help="values of one parameter (repeatable): a,b,c or an integer range "
                    "0..9; the grid is every combination")
    sw.add_argument("--params", default="default",
                    help="parameter set the grid starts from: default, smoke or a YAML file")
    sw.add_argument("-p", action="append", default=[], metavar="NAME=VALUE",
                    help="fix one parameter for every combination (repeatable)")
    sw.add_argument("--out", default=None,
                    help="folder of the table (default: .cache/sweeps/<notebook>-<hash>/)")
    where = sw.add_mutually_exclusive_group()
    where.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="run on this Dask distributed scheduler")
    where.add_argument("--dask-local", type=positive_int, default=None, metavar="N",
                       help="start a local Dask cluster of N workers and run on it")
    _execution_options(sw)
    sw.set_defaults(func=_cmd_sweep)

    bk = sub.add_parser("book", help="build the HTML book from a set's executed notebooks")
    bk.add_argument("--params", default="default",
                    help="which set's outputs to build from (as for run)")
    bk.add_argument("-p", action="append", default=[], metavar="NAME=VALUE",
                    help="show the chapters run with these overrides (as for run); the "
                    "others come from the set")
    bk.add_argument("--allow-stale", action="store_true",
                    help="build even from executed copies older than their source, "
                    "parameters, package or data (each is named and marked on its page)")
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


def _execution_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=positive_int, default=None,
                        help="notebooks run at once (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="ignore the cache")
    parser.add_argument("--timeout", type=positive_int, default=None,
                        help="seconds allowed per cell")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        layout = Layout.find()
        return args.func(args, layout)
    except (ParameterError, FileNotFoundError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt as exc:
        detail = str(exc) or "interrupted"
        print(f"causalxai: {detail}", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

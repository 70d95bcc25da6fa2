"""Parameter sweeps: one notebook over a grid of parameters, on this machine or on Dask.

::

    python -m causalxai sweep notebooks/20_synthetic/02_confounding.ipynb \\
        --grid confounding_strength=0,0.5,1 --grid seed=0..9 --params smoke -j 2

expands the grid (every combination), validates every combination before running any
(the same rules, messages and exit code 2 as ``run``), runs them in parallel with a
progress bar and collects every glued scalar of every run into one tidy table, one row
per combination and glued value (``<parameters>..., name, value, text``), written as
``table.parquet`` and ``table.csv``, with ``runs.csv`` (one row per combination: its
status, time, executed notebook and message) beside them.

Each combination is a run with ``-p`` overrides: it is cached like ``run`` (in
``.cache/runs/<set>+<name>=<value>...``), so a sweep interrupted or killed and started
again executes only the missing combinations. A failed combination is reported with its
parameters and does not stop the others; the command exits 1 if any failed.

``--scheduler tcp://HOST:PORT`` runs the same sweep on a Dask distributed cluster and
``--dask-local N`` on a local cluster of N workers: the same command, the same table.
Workers need the project's environment (and the data files a notebook declares); the
notebook travels with each task and the executed copy comes back to this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from causalxai.compendium import params as P
from causalxai.compendium import runner
from causalxai.compendium.book import RAW_MIME, glued_outputs
from causalxai.compendium.paths import Layout
from causalxai.compendium.text import as_number

__all__ = ["Grid", "glued_scalars", "parse_grid", "plan_sweep", "run_sweep", "sweep_table"]

#: What a glued scalar carries: its text (plain, and markdown for ``{glue:md}``) and, from
#: :mod:`causalxai.glue`, its raw value; anything else (an image, HTML) is not a scalar.
_SCALAR_MIMES = frozenset({"text/plain", "text/markdown", RAW_MIME})

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")


@dataclass(frozen=True)
class Grid:
    """Values of each swept parameter; the sweep runs every combination.

    Attributes
    ----------
    names : tuple of str
        Parameter names, in the order given.
    values : tuple of tuple
        The values of each, in the order given.
    """

    names: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination, the last parameter varying fastest."""
        return [dict(zip(self.names, combo, strict=True))
                for combo in itertools.product(*self.values)]

    def __len__(self) -> int:
        return len(self.combinations())


def _split(text: str) -> list[str]:
    """Split at commas outside brackets and quotes (``[1, 2],[3]`` is two values)."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def parse_grid(specs: Sequence[str]) -> Grid:
    """Parse ``--grid name=v1,v2,...`` options (``name=0..9``: the integers 0 to 9).

    Values are read as YAML, as ``-p`` values are (``0.5`` a float, ``[3, 6]`` a list).

    Raises
    ------
    ParameterError
        On a malformed option, an empty value, a parameter given twice or a value
        repeated.
    """
    if not specs:
        raise P.ParameterError("a sweep needs at least one --grid name=v1,v2,...")
    names: list[str] = []
    values: list[tuple[Any, ...]] = []
    for spec in specs:
        name, sep, raw = spec.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not raw.strip():
            raise P.ParameterError(f"--grid {spec!r} is not of the form name=v1,v2,... or "
                                   "name=FIRST..LAST")
        if name in names:
            raise P.ParameterError(f"--grid gives {name!r} twice")
        if m := _RANGE.match(raw):
            low, high = int(m.group(1)), int(m.group(2))
            if high < low:
                raise P.ParameterError(f"--grid {spec!r}: empty range {low}..{high}")
            vals = tuple(range(low, high + 1))
        else:
            items = _split(raw)
            if any(not item for item in items):
                raise P.ParameterError(f"--grid {spec!r}: an empty value")
            vals = tuple(P.parse_override(f"{name}={item}")[1] for item in items)
        dup = [v for i, v in enumerate(vals) if v in vals[:i]]
        if dup:
            raise P.ParameterError(f"--grid {spec!r}: value {dup[0]!r} given twice")
        names.append(name)
        values.append(vals)
    return Grid(tuple(names), tuple(values))


def plan_sweep(layout: Layout, notebook: str, grid: Grid, param_set: str = "default",
               fixed: Sequence[str] = ()) -> list[runner.Job]:
    """One job per combination, every combination validated before any runs.

    Raises
    ------
    ParameterError
        Naming the first combination that is refused, and why (as ``run`` would).
    """
    fixed_values = dict(P.parse_override(o) for o in fixed)
    both = sorted(set(fixed_values) & set(grid.names))
    if both:
        raise P.ParameterError(f"{', '.join(both)} given both by -p and by --grid")
    jobs = []
    for combo in grid.combinations():
        label = ", ".join(f"{k}={P.format_value(v)}" for k, v in combo.items())
        try:
            _, (job,) = runner.plan(layout, [notebook], param_set, {**fixed_values, **combo},
                                    check_inputs=not jobs)
        except P.ParameterError as exc:
            raise type(exc)(f"combination {label}: {exc}") from None
        jobs.append(job)
    return jobs


def glued_scalars(notebook: Path) -> dict[str, tuple[float | None, str]]:
    """Every scalar an executed notebook glued: name to (number or None, text).

    The number is the raw value where the glue carries one (:mod:`causalxai.glue`),
    else read from the ``text/plain`` form; the text is the form the prose shows.
    Figures, tables and other rich outputs (glued with an image or HTML representation)
    are left out.
    """
    out = {}
    for name, data in glued_outputs(notebook).items():
        if any(mime not in _SCALAR_MIMES for mime in data):
            continue
        text = data.get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        payload = data.get(RAW_MIME)
        if isinstance(payload, dict) and "value" in payload:
            raw = payload["value"]
            number = (float(raw) if isinstance(raw, int | float)
                      else as_number(str(payload.get("repr", ""))))
            if isinstance(raw, list | dict):
                continue  # a glued collection is not a scalar
        else:
            number = as_number(text)
        out[name] = (number, text if number is None else "")
    return out


def sweep_table(jobs: Sequence[runner.Job], grid: Grid,
                results: Sequence[runner.RunResult]) -> pd.DataFrame:
    """The tidy table of a sweep: one row per combination and glued scalar.

    Columns: the swept parameters, ``name``, ``value`` (float; NaN for text) and
    ``text`` (the glued text when it is not a number). Failed combinations have no rows.
    """
    rows = []
    for job, res in zip(jobs, results, strict=True):
        if res.status not in {"ran", "cached"}:
            continue
        combo = {name: job.parameters[name] for name in grid.names}
        for name, (value, text) in sorted(glued_scalars(job.output).items()):
            rows.append({**combo, "name": name,
                         "value": float("nan") if value is None else value, "text": text})
    table = pd.DataFrame(rows, columns=[*grid.names, "name", "value", "text"])
    for name in grid.names:  # lists (e.g. sweep_sizes) as their -p text, so Parquet can hold them
        if table[name].map(lambda v: isinstance(v, list | dict)).any():
            table[name] = table[name].map(P.format_value)
    return table


def _runs_table(jobs: Sequence[runner.Job], grid: Grid, results: Sequence[runner.RunResult],
                root: Path) -> pd.DataFrame:
    return pd.DataFrame([
        {**{n: P.format_value(j.parameters[n]) for n in grid.names}, "status": r.status,
         "seconds": round(r.seconds, 2), "notebook": os.path.relpath(j.output, root),
         "message": r.message}
        for j, r in zip(jobs, results, strict=True)])


def default_folder(layout: Layout, jobs: Sequence[runner.Job], grid: Grid,
                   fixed: Sequence[str], param_set: str) -> Path:
    """``.cache/sweeps/<notebook stem>-<hash of set, grid and fixed values>/``."""
    blob = json.dumps({"set": param_set, "rel": jobs[0].rel, "grid": [grid.names, grid.values],
                       "fixed": sorted(fixed)}, default=str, sort_keys=True)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:10]
    return layout.root / ".cache" / "sweeps" / f"{Path(jobs[0].rel).stem}-{digest}"


# ---------------------------------------------------------------------------- Dask
def _remote(spec: Mapping[str, Any], stop_name: str) -> dict[str, Any]:
    """Run one combination on a Dask worker (polls the sweep's stop event)."""
    from distributed import Event

    event = Event(stop_name)
    last = [0.0, False]

    def stop() -> bool:
        now = time.monotonic()
        if now - last[0] > 1.0:
            last[0] = now
            with contextlib.suppress(Exception):
                last[1] = event.is_set()
        return last[1]

    return runner.run_spec(spec, stop)


def execute_dask(jobs: Sequence[runner.Job], layout: Layout, client: Any, *,
                 force: bool = False, timeout: int | None = None, progress: bool = True,
                 echo: Callable[[str], None] | None = None,
                 describe: Callable[[runner.Job], str] = runner._describe
                 ) -> list[runner.RunResult]:
    """Like :func:`causalxai.compendium.runner.execute`, on a Dask distributed client.

    Raises
    ------
    Interrupted
        On Ctrl-C or SIGTERM, after telling the workers to kill their notebooks.
    """
    from distributed import Event, as_completed

    runner.clean_stale(layout)
    progress_bar = runner._Progress(0, False, echo)
    results, todo = runner.triage(jobs, force, echo or progress_bar.say, describe)
    progress_bar.close()
    bar = runner._Progress(len(todo), progress, echo)
    stop_name = f"causalxai-stop-{uuid.uuid4().hex}"
    event = Event(stop_name, client=client)
    futures = {}
    done = 0
    try:
        with runner._sigterm_as_interrupt():
            for i in todo:
                spec = runner.job_spec(jobs[i], timeout, layout)
                future = client.submit(_remote, spec, stop_name, pure=False,
                                       key=f"causalxai-{Path(jobs[i].rel).stem}-{uuid.uuid4().hex}")
                futures[future] = i
            for future in as_completed(list(futures)):
                i = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died or the task could not run
                    outcome = {"status": "failed", "notebook": None, "reads": {},
                               "seconds": 0.0, "message": f"on Dask: {type(exc).__name__}: "
                               f"{runner.shorten(str(exc))}", "finished": ""}
                res = runner.finish(jobs[i], outcome)
                results[i] = res
                done += 1
                bar.update()
                runner._report(res, f"[{done}/{len(todo)}]", bar.say, describe)
    except KeyboardInterrupt:
        import signal

        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with contextlib.suppress(Exception):
                event.set()
            pending = [f for f in futures if not f.done()]
            with contextlib.suppress(Exception):
                client.cancel(pending)
        finally:
            signal.signal(signal.SIGINT, previous)
            bar.close()
        raise runner.Interrupted(
            f"interrupted: {len(pending)} combination(s) cancelled on the Dask cluster (running "
            f"ones stop within a few seconds), {done} finished and kept; no partial output "
            "written") from None
    bar.close()
    return [results[i] for i in range(len(jobs))]


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, local_workers: int | None = None) -> Any:
    """A Dask client: to ``scheduler``, or to a new local cluster of ``local_workers``
    single-threaded worker processes on loopback (closed on exit)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise P.ParameterError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


# ---------------------------------------------------------------------------- one call
def run_sweep(layout: Layout, notebook: str, grid_specs: Sequence[str], *,
          param_set: str = "default", fixed: Sequence[str] = (), out: Path | None = None,
          workers: int | None = None, force: bool = False, timeout: int | None = None,
          scheduler: str | None = None, dask_local: int | None = None, progress: bool = True,
          echo: Callable[[str], None] | None = None
          ) -> tuple[pd.DataFrame, list[runner.RunResult], Path]:
    """Run a sweep and write its table.

    Returns
    -------
    (table, results, folder)
        The tidy table, one result per combination (in grid order) and the folder that
        holds ``table.parquet``, ``table.csv`` and ``runs.csv``.
    """
    grid = parse_grid(grid_specs)
    jobs = plan_sweep(layout, notebook, grid, param_set, fixed)

    def describe(job: runner.Job) -> str:
        return ", ".join(f"{n}={P.format_value(job.parameters[n])}" for n in grid.names)

    if scheduler or dask_local:
        with dask_client(scheduler, dask_local) as client:
            results = execute_dask(jobs, layout, client, force=force, timeout=timeout,
                                   progress=progress, echo=echo, describe=describe)
    else:
        results = runner.execute(jobs, layout, workers=workers, force=force, timeout=timeout,
                                 progress=progress, echo=echo, describe=describe)
    folder = Path(out) if out else default_folder(layout, jobs, grid, fixed, param_set)
    folder.mkdir(parents=True, exist_ok=True)
    table = sweep_table(jobs, grid, results)
    table.to_parquet(folder / "table.parquet", index=False)
    table.to_csv(folder / "table.csv", index=False)
    _runs_table(jobs, grid, results, layout.root).to_csv(folder / "runs.csv", index=False)
    return table, results, folder


def command(args: argparse.Namespace, layout: Layout) -> int:
    """``python -m causalxai sweep``: run, print the summary, return the exit code."""
    start = time.perf_counter()
    table, results, folder = run_sweep(
        layout, args.notebook, args.grid, param_set=args.params, fixed=args.p, out=args.out,
        workers=args.jobs, force=args.force, timeout=args.timeout, scheduler=args.scheduler,
        dask_local=args.dask_local, progress=not args.no_progress)
    ran = sum(r.status == "ran" for r in results)
    cached = sum(r.status == "cached" for r in results)
    failed = [r for r in results if r.status == "failed"]
    where = (f"on {args.scheduler}" if args.scheduler else
             f"on a local Dask cluster of {args.dask_local}" if args.dask_local else "here")
    print(f"sweep of {len(results)} combination(s) {where}: {ran} executed, {cached} cached, "
          f"{len(failed)} failed in {time.perf_counter() - start:.1f} s; "
          f"{len(table)} rows in {os.path.relpath(folder / 'table.parquet')} (and table.csv, "
          "runs.csv)")
    for res in failed:
        combo = ", ".join(f"{k}={P.format_value(v)}" for k, v in res.job.overrides.items())
        print(f"failed: {combo}: {res.message}", file=sys.stderr)
    return 1 if failed else 0

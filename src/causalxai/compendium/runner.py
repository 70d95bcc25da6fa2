"""Execute the book's notebooks with parameters, in parallel, with a cache.

Each notebook runs in its own process through papermill, with the ``python3`` kernel of
the project environment, into ``.cache/runs/<set>/`` (mirroring ``notebooks/``). A run
is written to a temporary file and moved into place only when it succeeds, so a failure
never overwrites a good output; the failed copy is kept beside it as ``*.failed.ipynb``.

A notebook is executed again only when its *run key* changes: the hash of its source,
its resolved parameters, the package sources, the pinned environment
(``constraints.txt``) and the data files it read during its last run (recorded by
:mod:`causalxai.data` through the ``CAUSALXAI_READ_LOG`` variable).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from causalxai import data
from causalxai.compendium import params as P
from causalxai.compendium.paths import Layout

__all__ = ["Job", "RunResult", "execute", "is_fresh", "plan", "resolve_notebook", "toc_notebooks"]

RUNNER_VERSION = 1
EXECUTED_PREFIX = "executed/"


@dataclass
class Job:
    """One notebook to run with resolved parameters.

    Attributes
    ----------
    rel : str
        Path relative to ``notebooks/`` (POSIX form), e.g. ``20_synthetic/01_x.ipynb``.
    source : Path
        The notebook source.
    output : Path
        Where its executed copy goes.
    parameters : dict
        The resolved parameters injected by papermill.
    key_parts : dict
        What the run key is computed from (hashes and parameters).
    """

    rel: str
    source: Path
    output: Path
    parameters: dict[str, Any]
    key_parts: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The run key: a hash of :attr:`key_parts`."""
        blob = json.dumps(self.key_parts, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    @property
    def record(self) -> Path:
        """The JSON record of the last successful run."""
        return self.output.with_name(self.output.name + ".run.json")

    @property
    def failed(self) -> Path:
        """Where the executed copy of a failed run is kept."""
        return self.output.with_suffix(".failed.ipynb")


@dataclass
class RunResult:
    """What happened to one job."""

    job: Job
    status: str  # "ran", "cached" or "failed"
    seconds: float = 0.0
    message: str = ""


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hash(folder: Path, pattern: str = "*.py") -> str:
    """Hash the names and contents of the files matching ``pattern`` below ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def toc_notebooks(layout: Layout) -> list[str]:
    """List the notebooks the book shows, from ``_toc.yml``, relative to ``notebooks/``.

    Entries of the table of contents that start with ``executed/`` name executed copies;
    their sources are the same paths under ``notebooks/`` with an ``.ipynb`` suffix.
    """
    toc = yaml.safe_load(layout.toc.read_text())
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"file", "root"} and isinstance(value, str):
                    if value.startswith(EXECUTED_PREFIX):
                        rel = value[len(EXECUTED_PREFIX):]
                        found.append(rel if rel.endswith(".ipynb") else rel + ".ipynb")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def resolve_notebook(layout: Layout, name: str) -> str:
    """Map a notebook given on the command line to its path relative to ``notebooks/``."""
    path = Path(name if name.endswith(".ipynb") else name + ".ipynb")
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, layout.root / path,
                                                    layout.notebooks / path]
    for candidate in candidates:
        candidate = candidate.resolve()
        if candidate.is_file():
            try:
                return candidate.relative_to(layout.notebooks.resolve()).as_posix()
            except ValueError:
                raise P.ParameterError(
                    f"notebook {name} is not under {layout.notebooks}"
                ) from None
    raise P.ParameterError(f"notebook not found: {name}")


def _environment_hash(layout: Layout) -> str:
    lock = layout.root / "constraints.txt"
    return _sha256_bytes(lock.read_bytes()) if lock.is_file() else "no-lock"


def plan(
    layout: Layout,
    notebooks: Sequence[str] | None = None,
    param_set: str = "default",
    overrides: Sequence[str] = (),
) -> tuple[str, list[Job]]:
    """Resolve what to run; validate everything before anything executes.

    Parameters
    ----------
    layout : Layout
        The checkout.
    notebooks : sequence of str, optional
        Notebook paths (absolute, relative to the root or to ``notebooks/``; the
        ``.ipynb`` suffix is optional). Default: every notebook of ``_toc.yml``.
    param_set : str
        A named set of ``notebooks/params/`` or a path to a YAML file.
    overrides : sequence of str
        ``name=value`` strings applied on top of the set, to each selected notebook that
        declares the name; a name no selected notebook declares is an error.

    Returns
    -------
    (set_name, jobs)

    Raises
    ------
    ParameterError
        Notebook not found, unknown parameter (with the closest name), wrong type,
        value out of range, or a parameter set naming a notebook that does not exist.
    """
    set_name, values = P.load_set(param_set, layout.params)
    parsed = [P.parse_override(o) for o in overrides]
    rels = [resolve_notebook(layout, n) for n in notebooks] if notebooks else toc_notebooks(layout)
    for rel in values:
        if not (layout.notebooks / rel).is_file():
            raise P.ParameterError(f"parameter set {set_name!r} names a missing notebook: {rel}")
    package_hash = tree_hash(layout.package)
    env_hash = _environment_hash(layout)
    out_dir = layout.runs / set_name
    rels = list(dict.fromkeys(rels))
    declared = {rel: P.read_parameters(layout.notebooks / rel) for rel in rels}
    overrides_by_name = dict(parsed)
    known = set().union(*declared.values()) if declared else set()
    for name in overrides_by_name:
        if name not in known:
            where = f"-p for notebooks/{rels[0]}" if len(rels) == 1 else "-p"
            raise P.unknown_parameter(name, known, where)
    jobs = []
    for rel in rels:
        source = layout.notebooks / rel
        mine = {k: v for k, v in overrides_by_name.items() if k in declared[rel]}
        resolved = P.resolve(
            declared[rel],
            (f"{set_name}.yaml [{rel}]", values.get(rel, {})),
            (f"-p for notebooks/{rel}", mine),
        )
        key_parts = {
            "runner": RUNNER_VERSION,
            "notebook": _sha256_bytes(source.read_bytes()),
            "parameters": resolved,
            "package": package_hash,
            "environment": env_hash,
        }
        jobs.append(Job(rel, source, out_dir / rel, resolved, key_parts))
    return set_name, jobs


def _data_still_matches(recorded: dict[str, str | None]) -> bool:
    """True when every data file a run looked at is as it was then.

    A recorded hash must still be the registered one and the file's own; a file recorded
    as absent (hash None) must still be absent.
    """
    try:
        for name, sha in recorded.items():
            path = data.data_dir() / name
            if sha is None:
                if path.is_file():
                    return False
            elif data.file_info(name)["sha256"] != sha or data.sha256sum(path) != sha:
                return False
    except (KeyError, OSError, data.DataError):
        return False
    return True


def is_fresh(job: Job) -> bool:
    """Whether the job's output is up to date (same run key, same data read)."""
    if not (job.output.is_file() and job.record.is_file()):
        return False
    try:
        record = json.loads(job.record.read_text())
    except json.JSONDecodeError:
        return False
    return record.get("key") == job.key and _data_still_matches(record.get("data", {}))


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _run_one(job: Job, layout: Layout, timeout: int | None) -> RunResult:
    """Execute one job in a child process; move its output into place on success."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = job.output.with_name(f".{job.output.stem}.{os.getpid()}.running.ipynb")
    read_log = tmp_out.with_suffix(".reads.jsonl")
    read_log.unlink(missing_ok=True)
    spec = {"source": str(job.source), "output": str(tmp_out),
            "parameters": job.parameters, "timeout": timeout}
    env = {**os.environ, data.READ_LOG_ENV: str(read_log), "CAUSALXAI_ROOT": str(layout.root),
           "JUPYTER_PREFER_ENV_PATH": "1", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "causalxai.compendium.runner", json.dumps(spec)],
        env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - start
    reads: dict[str, str | None] = {}
    if read_log.is_file():
        for line in read_log.read_text().splitlines():
            item = json.loads(line)
            reads[item["name"]] = item["sha256"]
        read_log.unlink()
    if proc.returncode == 0 and tmp_out.is_file():
        os.replace(tmp_out, job.output)
        job.failed.unlink(missing_ok=True)
        record = {"key": job.key, **job.key_parts, "data": reads, "seconds": round(seconds, 2),
                  "source": f"notebooks/{job.rel}"}
        _atomic_write_text(job.record, json.dumps(record, indent=1, sort_keys=True))
        return RunResult(job, "ran", seconds)
    if tmp_out.is_file():
        os.replace(tmp_out, job.failed)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("CELL-ERROR ")]
    reason = lines[-1][len("CELL-ERROR "):] if lines else (proc.stderr.strip().splitlines()
                                                           or ["unknown error"])[-1]
    kept = f"; executed copy kept at {job.failed}" if job.failed.is_file() else ""
    return RunResult(job, "failed", seconds, f"{reason}{kept}")


def execute(
    jobs: Sequence[Job],
    layout: Layout,
    *,
    workers: int | None = None,
    force: bool = False,
    timeout: int | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
) -> list[RunResult]:
    """Run the jobs that are not fresh, ``workers`` at a time.

    Parameters
    ----------
    jobs : sequence of Job
        From :func:`plan`.
    layout : Layout
        The checkout.
    workers : int, optional
        Notebooks run at once; default: the number of cores.
    force : bool
        Run even the fresh ones.
    timeout : int, optional
        Seconds allowed per cell.
    progress : bool
        Show a progress bar on standard error (when it is a terminal).
    echo : callable, optional
        Where to write one line per notebook (default: through the progress bar).

    Returns
    -------
    list of RunResult
        In the order of ``jobs``.
    """
    from tqdm.auto import tqdm

    results: dict[int, RunResult] = {}
    todo = []
    for i, job in enumerate(jobs):
        if not force and is_fresh(job):
            results[i] = RunResult(job, "cached")
        else:
            todo.append(i)
    show = progress and bool(todo) and sys.stderr.isatty()
    bar = tqdm(total=len(todo), desc="notebooks", unit="nb", disable=not show, file=sys.stderr)
    say = echo or bar.write
    for _, res in sorted(results.items()):
        say(f"cached  notebooks/{res.job.rel}")
    workers = max(1, workers or os.cpu_count() or 1)
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_one, jobs[i], layout, timeout): i for i in todo}
        for done, future in enumerate(cf.as_completed(futures), start=1):
            res = future.result()
            results[futures[future]] = res
            bar.update(1)
            count = f"[{done}/{len(todo)}]"
            if res.status == "ran":
                say(f"ran     {count} notebooks/{res.job.rel} in {res.seconds:.1f} s")
            else:
                say(f"FAILED  {count} notebooks/{res.job.rel}: {res.message}")
    bar.close()
    return [results[i] for i in range(len(jobs))]


def _worker(spec_json: str) -> int:
    """Child-process entry point: execute one notebook with papermill."""
    import papermill as pm

    spec = json.loads(spec_json)
    source = Path(spec["source"])
    try:
        pm.execute_notebook(
            str(source), spec["output"], parameters=spec["parameters"], kernel_name="python3",
            cwd=str(source.parent), progress_bar=False, log_output=False,
            execution_timeout=spec["timeout"],
        )
    except pm.PapermillExecutionError as exc:
        evalue = " ".join(str(exc.evalue).split())[:300]
        first = next((ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()), "")
        print(f"CELL-ERROR cell {exc.cell_index} (execution count {exc.exec_count}, "
              f"starting `{first[:60]}`): {exc.ename}: {evalue}")
        return 1
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        print(f"CELL-ERROR {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1]))

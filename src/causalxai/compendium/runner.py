"""Execute the book's notebooks with parameters, in parallel, with a cache you can trust.

Each notebook runs in a child process (:mod:`causalxai.compendium.kernel`, papermill
with the project's ``python3`` kernel) into ``.cache/runs/<folder>/`` (mirroring
``notebooks/``). The folder is the parameter set's: ``default``, ``smoke`` (the named
sets of ``notebooks/params/``), ``file-<stem>-<hash>`` for any other YAML file, and
``<set>+<name>=<value>+...`` for a notebook run with ``-p`` overrides, so a custom run
never lands in a named set.

The executed notebook comes back to this process, which writes it atomically and then
its record (``<notebook>.run.json``: the run key, what it was computed from, the sha256
of the executed notebook, the data files read, the date). A failure never overwrites a
good output; the failed copy is kept as ``*.failed.ipynb``.

A notebook is executed again only when its *run key* changes: the hash of its source,
its resolved parameters, the package modules it imports (their static import closure,
:mod:`causalxai.compendium.imports`), the pinned environment (``constraints.txt``) and
the files it declares (:mod:`causalxai.compendium.inputs`); or when a data file it read
changed, or when its executed copy no longer matches its record.

Ctrl-C (SIGINT, to the process group or to this process alone) or SIGTERM stops a run:
nothing more starts, running notebooks and their kernels are killed, no half-written
output is left, and :class:`Interrupted` is raised (the command line exits 130).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import difflib
import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from causalxai import data
from causalxai.compendium import inputs as I
from causalxai.compendium import params as P
from causalxai.compendium.imports import notebook_imports, package_graph
from causalxai.compendium.paths import Layout
from causalxai.compendium.text import shorten

__all__ = [
    "Interrupted", "Job", "RunResult", "execute", "is_fresh", "plan", "resolve_notebook",
    "staleness", "toc_notebooks", "toc_source",
]

RUNNER_VERSION = 2
EXECUTED_PREFIX = "executed/"
WORK_DIR = ".work"


class Interrupted(KeyboardInterrupt):
    """A run was stopped by Ctrl-C or SIGTERM; ``str()`` says what was kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


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
    set_name : str
        The parameter set (``default``, or a YAML file's path).
    overrides : dict
        The ``-p`` values that change this notebook's parameters (they name its folder).
    declared : Declared
        The input files the notebook declares.
    """

    rel: str
    source: Path
    output: Path
    parameters: dict[str, Any]
    key_parts: dict[str, Any] = field(default_factory=dict)
    set_name: str = "default"
    overrides: dict[str, Any] = field(default_factory=dict)
    declared: I.Declared = field(default_factory=I.Declared)

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

    @property
    def label(self) -> str:
        """The set and overrides, e.g. ``default`` or ``default + seed=3``."""
        extra = ", ".join(f"{k}={P.format_value(v)}" for k, v in sorted(self.overrides.items()))
        return f"{self.set_name} + {extra}" if extra else self.set_name

    def command(self) -> str:
        """The command that reruns exactly this notebook with these parameter values."""
        import shlex

        args = ["python", "-m", "causalxai", "run", f"notebooks/{self.rel}"]
        for name, value in self.parameters.items():
            args += ["-p", f"{name}={P.format_value(value)}"]
        return " ".join(shlex.quote(a) for a in args)


@dataclass
class RunResult:
    """What happened to one job."""

    job: Job
    status: str  # "ran", "cached" or "failed"
    seconds: float = 0.0
    message: str = ""


def _sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def toc_source(entry: str) -> str | None:
    """The source notebook (relative to ``notebooks/``) of a ``_toc.yml`` file entry that
    names an executed copy (``executed/20_synthetic/01_x`` -> ``20_synthetic/01_x.ipynb``);
    None for any other entry (a page of ``book/``)."""
    if not entry.startswith(EXECUTED_PREFIX):
        return None
    rel = entry[len(EXECUTED_PREFIX):]
    return rel if rel.endswith(".ipynb") else rel + ".ipynb"


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
                    if (rel := toc_source(value)) is not None:
                        found.append(rel)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def _all_sources(layout: Layout) -> list[str]:
    return sorted(p.relative_to(layout.notebooks).as_posix()
                  for p in layout.notebooks.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def resolve_notebook(layout: Layout, name: str) -> str:
    """Map a notebook given on the command line to its path relative to ``notebooks/``.

    Raises
    ------
    ParameterError
        If it is not found (the closest notebook names are suggested) or not under
        ``notebooks/``.
    """
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
    known = _all_sources(layout)
    wanted = path.as_posix().removeprefix("notebooks/")
    by_stem = {Path(k).stem: k for k in known}
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.5) or [
        by_stem[s] for s in difflib.get_close_matches(Path(wanted).stem, list(by_stem),
                                                      n=1, cutoff=0.5)]
    hint = (f"; did you mean {' or '.join(f'notebooks/{c}' for c in close)}?" if close
            else "; `python -m causalxai run --help` lists the options")
    raise P.ParameterError(f"notebook not found: {name}{hint}")


def _environment_hash(layout: Layout) -> str:
    lock = layout.root / "constraints.txt"
    return _sha256_bytes(lock.read_bytes()) if lock.is_file() else "no-lock"


def _code_cells(nb: Mapping[str, Any]) -> list[str]:
    return [c.get("source", "") for c in nb["cells"] if c.get("cell_type") == "code"]


def plan(
    layout: Layout,
    notebooks: Sequence[str] | None = None,
    param_set: str = "default",
    overrides: Sequence[str] | Mapping[str, Any] = (),
    *,
    check_inputs: bool = True,
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
    overrides : sequence of str, or mapping
        ``name=value`` strings (or a mapping) applied on top of the set, to each selected
        notebook that declares the name; a name no selected notebook declares is an error.
    check_inputs : bool
        Verify the input files the notebooks declare (all missing or altered files are
        listed in one :class:`~causalxai.compendium.inputs.InputError`).

    Returns
    -------
    (folder, jobs)
        The run folder of the set (under ``.cache/runs/``) and the jobs; a job whose
        parameters the overrides change has its own folder (:attr:`Job.overrides`).

    Raises
    ------
    ParameterError
        Notebook not found (with the closest names), unknown parameter (with the closest
        name), wrong type, value out of range, a parameter set naming a notebook that
        does not exist; ``InputError`` (a subclass) for declared input files.
    """
    pset = P.load_set(param_set, layout.params)
    parsed = (dict(overrides) if isinstance(overrides, Mapping)
              else dict(P.parse_override(o) for o in overrides))
    rels = [resolve_notebook(layout, n) for n in notebooks] if notebooks else toc_notebooks(layout)
    for rel in pset.values:
        if not (layout.notebooks / rel).is_file():
            raise P.ParameterError(f"parameter set {pset.name!r} names a missing notebook: {rel}")
    graph = package_graph(layout.package)
    env_hash = _environment_hash(layout)
    rels = list(dict.fromkeys(rels))
    sources = {rel: P.read_notebook(layout.notebooks / rel) for rel in rels}
    declared = {rel: P.read_parameters(layout.notebooks / rel) for rel in rels}
    known = set().union(*declared.values()) if declared else set()
    for name in parsed:
        if name not in known:
            where = f"-p for notebooks/{rels[0]}" if len(rels) == 1 else "-p"
            raise P.unknown_parameter(name, known, where)
    jobs = []
    inputs: dict[str, I.Declared] = {}
    for rel in rels:
        source = layout.notebooks / rel
        nb = sources[rel]
        base_layer = (f"{pset.name} [{rel}]", pset.values.get(rel, {}))
        mine = {k: v for k, v in parsed.items() if k in declared[rel]}
        resolved = P.resolve(declared[rel], base_layer, (f"-p for notebooks/{rel}", mine))
        base = P.resolve(declared[rel], base_layer)
        changed = {k: resolved[k] for k in mine if resolved[k] != base[k]}
        inputs[rel] = I.declared_inputs(nb.get("metadata", {}), f"notebooks/{rel}")
        modules = graph.closure(notebook_imports(_code_cells(nb), graph))
        key_parts = {
            "runner": RUNNER_VERSION,
            "notebook": _sha256_bytes(source.read_bytes()),
            "parameters": resolved,
            "modules": graph.hashes(modules),
            "environment": env_hash,
            "data": {n: data.file_info(n)["sha256"] for n in inputs[rel].data},
            "files": I.file_hashes(layout.root, inputs[rel].files),
        }
        folder = P.custom_folder(pset.folder, changed)
        jobs.append(Job(rel, source, layout.runs / folder / rel, resolved, key_parts,
                        pset.name, changed, inputs[rel]))
    if check_inputs:
        I.verify(layout.root, inputs)
    folder = P.custom_folder(pset.folder, {k: v for j in jobs for k, v in j.overrides.items()})
    return folder, jobs


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


def read_record(job: Job) -> dict[str, Any] | None:
    """The record of the job's last successful run, or None."""
    try:
        return json.loads(job.record.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _what_changed(job: Job, record: Mapping[str, Any]) -> str:
    parts = []
    for part, label in (("notebook", "source"), ("parameters", "parameters"),
                        ("environment", "environment (constraints.txt)"),
                        ("runner", "runner version"), ("data", "declared data files"),
                        ("files", "declared files")):
        if record.get(part) != job.key_parts.get(part):
            parts.append(label)
    old, new = record.get("modules"), job.key_parts.get("modules", {})
    if old != new:
        if isinstance(old, dict):
            moved = sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))
            parts.append("package module(s) " + ", ".join(moved))
        else:
            parts.append("package")
    return ", ".join(parts) or "run key"


def staleness(job: Job) -> str | None:
    """Why the job's executed copy cannot be used as it is; None when it is up to date.

    The reasons: no executed copy; no readable record; the copy does not match the
    sha256 its record holds (truncated, edited or replaced); the run key changed (the
    message names what: source, parameters, package modules, environment, declared
    files); a data file the run read changed.
    """
    if not job.output.is_file():
        return "not executed"
    record = read_record(job)
    if record is None:
        return "no record of its run"
    if record.get("output_sha256") != _sha256_bytes(job.output.read_bytes()):
        return "executed copy does not match its record (truncated or edited)"
    if record.get("key") != job.key:
        return f"stale: changed since the run: {_what_changed(job, record)}"
    if not _data_still_matches(record.get("data", {})):
        return "stale: a data file it read changed"
    return None


def is_fresh(job: Job) -> bool:
    """Whether the job's output is up to date (same run key, intact copy, same data)."""
    return staleness(job) is None


def _atomic_write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------- one notebook
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(layout: Layout) -> list[Path]:
    """Remove what killed runs left behind under ``.cache/runs/``.

    Work folders and hidden temporary files (``.*.running.ipynb``, ``.*.tmp``) whose
    process is gone; the ones of a live run are left alone.

    Returns
    -------
    list of Path
        What was removed.
    """
    removed: list[Path] = []
    if not layout.runs.is_dir():
        return removed
    work = layout.runs / WORK_DIR
    if work.is_dir():
        for folder in work.iterdir():
            pid = folder.name.split("-", 1)[0]
            if not (pid.isdigit() and _pid_alive(int(pid))):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    for pattern in (".*.running.ipynb", ".*.reads.jsonl", ".*.tmp"):
        for path in layout.runs.rglob(pattern):
            if WORK_DIR in path.relative_to(layout.runs).parts:
                continue
            digits = [p for p in path.name.split(".") if p.isdigit()]
            if pattern == ".*.tmp" and time.time() - path.stat().st_mtime < 3600:
                continue  # a record or copy being written right now by another run
            if not digits or not _pid_alive(int(digits[0])):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **extra, "JUPYTER_PREFER_ENV_PATH": "1", "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _stop_child(proc: subprocess.Popen[str], grace: float = 5.0) -> None:
    """SIGTERM the child's process group (it kills its kernel), SIGKILL after ``grace``."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_spec(spec: Mapping[str, Any], stop: Callable[[], bool] = lambda: False,
             workdir: Path | None = None) -> dict[str, Any]:
    """Execute one notebook in a child process and return what came out.

    Runs wherever it is called: in a thread of :func:`execute`, or on a Dask worker
    (:mod:`causalxai.compendium.sweep`), hence plain data in and out.

    Parameters
    ----------
    spec : mapping
        ``name`` (the notebook's file name), ``source_text`` (its JSON), ``cwd`` (the
        notebook's folder; a temporary folder where it does not exist), ``parameters``,
        ``timeout`` (seconds per cell or None) and ``env`` (extra environment variables).
    stop : callable
        Polled while the child runs; when it returns True the child and its kernel are
        killed and the outcome says ``interrupted``.
    workdir : Path, optional
        Where the temporary files go (created and removed here); default: a new
        temporary folder.

    Returns
    -------
    dict
        ``status`` (``ran``, ``failed`` or ``interrupted``), ``notebook`` (the executed
        notebook's JSON, or None), ``reads`` (data files read: name to sha256 or None),
        ``seconds``, ``message`` and ``finished`` (ISO date).
    """
    work = Path(tempfile.mkdtemp(prefix="causalxai-run-")) if workdir is None else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        stem = Path(spec["name"]).stem
        src, out = work / f"{stem}.source.ipynb", work / f"{stem}.running.ipynb"
        log, spec_file = work / f"{stem}.reads.jsonl", work / f"{stem}.spec.json"
        src.write_text(spec["source_text"])
        cwd = spec["cwd"] if Path(spec["cwd"]).is_dir() else str(work)
        spec_file.write_text(json.dumps({"input": str(src), "output": str(out), "cwd": cwd,
                                         "parameters": spec["parameters"],
                                         "timeout": spec["timeout"]}))
        extra = {k: v for k, v in spec.get("env", {}).items()
                 if k != "CAUSALXAI_ROOT" or Path(v).is_dir()}  # a worker elsewhere has none
        env = _child_env({**extra, data.READ_LOG_ENV: str(log)})
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "causalxai.compendium.kernel", str(spec_file)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        interrupted = False
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                if stop():
                    interrupted = True
                    _stop_child(proc)
                    stdout, stderr = proc.communicate()
                    break
        seconds = time.perf_counter() - start
        reads: dict[str, str | None] = {}
        if log.is_file():
            for line in log.read_text().splitlines():
                item = json.loads(line)
                reads[item["name"]] = item["sha256"]
        notebook = out.read_text() if out.is_file() else None
        finished = datetime.now(UTC).isoformat(timespec="seconds")
        if interrupted:
            return {"status": "interrupted", "notebook": None, "reads": reads,
                    "seconds": seconds, "message": "interrupted", "finished": finished}
        if proc.returncode == 0 and notebook is not None:
            return {"status": "ran", "notebook": notebook, "reads": reads, "seconds": seconds,
                    "message": "", "finished": finished}
        lines = [ln for ln in stdout.splitlines() if ln.startswith("CELL-ERROR ")]
        reason = (lines[-1][len("CELL-ERROR "):] if lines
                  else shorten((stderr.strip().splitlines() or ["unknown error"])[-1]))
        return {"status": "failed", "notebook": notebook, "reads": reads, "seconds": seconds,
                "message": reason, "finished": finished}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def job_spec(job: Job, timeout: int | None, layout: Layout) -> dict[str, Any]:
    """The plain-data description of a job that :func:`run_spec` executes."""
    return {"name": job.source.name, "source_text": job.source.read_text(),
            "cwd": str(job.source.parent), "parameters": job.parameters, "timeout": timeout,
            "env": {"CAUSALXAI_ROOT": str(layout.root)}}


def finish(job: Job, outcome: Mapping[str, Any]) -> RunResult:
    """Write what a run produced: the executed copy and its record, or the failed copy."""
    status = outcome["status"]
    if status == "ran":
        text = outcome["notebook"]
        _atomic_write(job.output, text)
        record = {"key": job.key, **job.key_parts, "data": outcome["reads"],
                  "seconds": round(outcome["seconds"], 2), "source": f"notebooks/{job.rel}",
                  "set": job.set_name, "overrides": job.overrides,
                  "output_sha256": _sha256_bytes(text.encode()),
                  "finished": outcome["finished"]}
        _atomic_write(job.record, json.dumps(record, indent=1, sort_keys=True, default=str))
        job.failed.unlink(missing_ok=True)
        return RunResult(job, "ran", outcome["seconds"])
    if status == "failed":
        kept = ""
        if outcome.get("notebook"):
            _atomic_write(job.failed, outcome["notebook"])
            kept = f"; executed copy kept at {job.failed}"
        return RunResult(job, "failed", outcome["seconds"], f"{outcome['message']}{kept}")
    return RunResult(job, "interrupted", outcome.get("seconds", 0.0), "interrupted")


# ---------------------------------------------------------------------------- many notebooks
class _Progress:
    """One line per notebook, through a progress bar when standard error is a terminal."""

    def __init__(self, total: int, progress: bool, echo: Callable[[str], None] | None,
                 unit: str = "nb") -> None:
        from tqdm.auto import tqdm

        show = progress and total > 0 and sys.stderr.isatty()
        self.bar = tqdm(total=total, desc="notebooks", unit=unit, disable=not show,
                        file=sys.stderr)
        self.say = echo or self.bar.write

    def update(self) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _report(res: RunResult, count: str, say: Callable[[str], None], describe: Callable[[Job], str]
            ) -> None:
    if res.status == "ran":
        say(f"ran     {count} {describe(res.job)} in {res.seconds:.1f} s")
    elif res.status == "failed":
        say(f"FAILED  {count} {describe(res.job)}: {res.message}")


def _describe(job: Job) -> str:
    return f"notebooks/{job.rel}" + (f" [{job.label}]" if job.overrides else "")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Any:
    """Within the block, SIGTERM to this process stops the run like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def triage(jobs: Sequence[Job], force: bool, say: Callable[[str], None],
           describe: Callable[[Job], str] = _describe) -> tuple[dict[int, RunResult], list[int]]:
    """Split jobs into cached results and indices to run; tidy old failed copies."""
    results: dict[int, RunResult] = {}
    todo = []
    for i, job in enumerate(jobs):
        if not force and is_fresh(job):
            results[i] = RunResult(job, "cached")
            say(f"cached  {describe(job)}")
            if job.failed.is_file():
                job.failed.unlink()
                say(f"removed {job.failed} (an older failed run; the output beside it is "
                    "up to date)")
        else:
            todo.append(i)
    return results, todo


def execute(
    jobs: Sequence[Job],
    layout: Layout,
    *,
    workers: int | None = None,
    force: bool = False,
    timeout: int | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
    describe: Callable[[Job], str] = _describe,
) -> list[RunResult]:
    """Run the jobs that are not fresh, ``workers`` at a time, on this machine.

    A job whose notebook declares ``runs_last`` (:mod:`causalxai.compendium.inputs`)
    starts after every other job has finished, and runs even when fresh if another job
    runs (it reads their records).

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
    describe : callable, optional
        How a job is named in those lines.

    Returns
    -------
    list of RunResult
        In the order of ``jobs``.

    Raises
    ------
    Interrupted
        On Ctrl-C or SIGTERM, once every running notebook and kernel has been killed;
        finished notebooks are kept, nothing half-written is left.
    """
    if workers is not None and workers < 1:
        raise P.ParameterError(f"workers must be a positive number of notebooks, got {workers}")
    clean_stale(layout)
    todo_bar = _Progress(0, False, echo)
    results, todo = triage(jobs, force, echo or todo_bar.say, describe)
    last = [i for i, job in enumerate(jobs) if job.declared.runs_last]
    if any(i not in last for i in todo):  # they read the records of the others: rerun
        for i in last:
            if i not in todo:
                del results[i]
                (echo or todo_bar.say)(f"rerun   {describe(jobs[i])}: it reads the records "
                                       "of the notebooks that run now")
        todo = sorted({*todo, *last})
    deferred = [i for i in todo if i in last]
    todo_bar.close()
    bar = _Progress(len(todo), progress, echo)
    workers = max(1, workers or os.cpu_count() or 1)
    stop = threading.Event()
    counter = itertools.count()
    work_root = layout.runs / WORK_DIR

    started: set[int] = set()

    def one(i: int) -> dict[str, Any]:
        if stop.is_set():
            return {"status": "interrupted", "seconds": 0.0}
        started.add(i)
        workdir = work_root / f"{os.getpid()}-{next(counter)}"
        return run_spec(job_spec(jobs[i], timeout, layout), stop.is_set, workdir)

    pool = cf.ThreadPoolExecutor(max_workers=workers)
    futures: dict[cf.Future[dict[str, Any]], int] = {}
    done_count = 0
    try:
        with _sigterm_as_interrupt():
            futures = {pool.submit(one, i): i for i in todo if i not in deferred}
            pending = set(futures)
            while pending or deferred:
                if not pending:  # every other notebook is done: start the last ones
                    futures.update({pool.submit(one, i): i for i in deferred})
                    pending, deferred = {f for f, i in futures.items() if i in deferred}, []
                finished, pending = cf.wait(pending, timeout=0.2,
                                            return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    i = futures[future]
                    res = finish(jobs[i], future.result())
                    results[i] = res
                    done_count += 1
                    bar.update()
                    _report(res, f"[{done_count}/{len(todo)}]", bar.say, describe)
    except KeyboardInterrupt:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            stop.set()
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            running = len(started) - done_count
            never = len(todo) - len(started)
            clean_stale(layout)
            with contextlib.suppress(OSError):
                work_root.rmdir()
        finally:
            signal.signal(signal.SIGINT, previous)
            bar.close()
        raise Interrupted(
            f"interrupted: {running} running notebook(s) and their kernels stopped, {never} "
            f"not started, {done_count} finished and kept; no partial output written"
        ) from None
    finally:
        pool.shutdown(wait=False)
    bar.close()
    return [results[i] for i in range(len(jobs))]

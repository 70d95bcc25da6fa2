"""Cold and warm ``make book``: the whole book built twice in a fresh copy of the checkout.

Usage::

    .venv/bin/python benchmarks/book_build.py [--jobs 2] [--params default]

``make book`` is ``python -m causalxai run --params default -j N`` followed by
``python -m causalxai book --params default``. This script copies the tracked files of the
checkout (``git ls-files``: no ``.cache``, ``executed/`` or ``_build``) to a temporary
folder, runs those two commands there (``CAUSALXAI_ROOT`` pointing at the copy, this
environment's Python) once with nothing cached (*cold*: every notebook executes) and once
more right after (*warm*: every notebook is cached, only the book is rebuilt), and writes
both durations, each step's, and the number of chapters to ``.cache/bench/book.json``
(read by the performance appendix). The checkout's own runs and book are not touched.
It takes as long as a cold build: tens of minutes on two cores.

``--record COLD WARM`` writes the same file from two ``make book`` durations measured
outside (``.ci/run`` times its cold build and a warm one right after, on the machine that
builds the published book), without building anything.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(".cache") / "bench"


def copy_checkout(root: Path, target: Path) -> None:
    """Copy the files git tracks (and the untracked, not ignored ones) to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=root, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = root / rel
        if src.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)


def build(copy: Path, params: str, jobs: int) -> dict[str, float]:
    """``make book``'s two steps in ``copy``; seconds of each."""
    env = {**os.environ, "CAUSALXAI_ROOT": str(copy), "JUPYTER_PREFER_ENV_PATH": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    steps = {"run": ["run", "--params", params, "-j", str(jobs), "--no-progress"],
             "book": ["book", "--params", params]}
    seconds = {}
    for name, args in steps.items():
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "causalxai", *args], cwd=copy, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        seconds[name] = time.perf_counter() - start
    seconds["total"] = seconds["run"] + seconds["book"]
    return seconds


def chapters_run(root: Path, params: str) -> int:
    """How many chapters have a run record in ``root``'s ``.cache/runs/<params>/``."""
    return len(list((root / ".cache" / "runs" / params).rglob("*.run.json")))


def write_result(args: argparse.Namespace, chapters: int, cold: dict[str, float],
                 warm: dict[str, float], command: str) -> None:
    """``book.json``: the cold and warm seconds (``total``, and each step when timed)."""
    result = {"params": args.params, "jobs": args.jobs, "cores": os.cpu_count(),
              "chapters": chapters, "cold": cold, "warm": warm,
              "ratio": cold["total"] / warm["total"], "command": command,
              "finished": datetime.now(UTC).isoformat(timespec="seconds")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    steps = {kind: "".join(f", {k} {v:.0f} s" for k, v in t.items() if k != "total")
             for kind, t in (("cold", cold), ("warm", warm))}
    print(f"cold {cold['total']:.0f} s{steps['cold']}, warm {warm['total']:.0f} s"
          f"{steps['warm']}; wrote {args.out}")


def record(args: argparse.Namespace) -> None:
    """Write ``book.json`` from the cold and warm ``make book`` seconds of ``--record``."""
    cold, warm = args.record
    if not 0 < warm <= cold:
        raise SystemExit(f"--record needs 0 < WARM <= COLD seconds, got {cold} and {warm}")
    chapters = chapters_run(Path("."), args.params)
    if chapters == 0:
        raise SystemExit(f"no executed chapter in .cache/runs/{args.params}/: run `make book` "
                         "first")
    write_result(args, chapters, {"total": cold}, {"total": warm},
                 "make book, timed by .ci/run (cold, then warm)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--params", default="default")
    parser.add_argument("--out", type=Path, default=BENCH / "book.json")
    parser.add_argument("--record", type=float, nargs=2, metavar=("COLD", "WARM"),
                        help="seconds of a cold and a warm `make book` measured outside")
    args = parser.parse_args()
    if args.record:
        record(args)
        return
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True,
                               capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="book-bench-") as tmp:
        copy = Path(tmp) / "checkout"
        copy_checkout(root, copy)
        cold = build(copy, args.params, args.jobs)
        warm = build(copy, args.params, args.jobs)
        chapters = chapters_run(copy, args.params)
    write_result(args, chapters, cold, warm,
                 f"python benchmarks/book_build.py --jobs {args.jobs} --params {args.params}")

if __name__ == "__main__":
    main()

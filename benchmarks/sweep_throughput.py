"""Sweep throughput with 1 and 2 workers: the same grid of a Part II notebook, run twice.

Usage::

    .venv/bin/python benchmarks/sweep_throughput.py [--notebook 20_synthetic/02_confounding]
        [--params smoke] [--seeds 4]

Runs ``python -m causalxai sweep <notebook> --params <set> --grid seed=<s0>..<s1> --force``
with ``-j 1`` and then ``-j 2`` (``--force``: nothing cached is reused; the sweep tables go
to a temporary folder) and writes the wall-clock seconds of both,
their ratio and the load average (one minute) before each, to
``.cache/bench/sweep.json`` (read by the performance appendix). The seeds start at 1000 so
that no combination is one the book runs (their executed copies land in
``.cache/runs/<set>+seed=<s>/``, git-ignored; delete them after).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(".cache") / "bench"
FIRST_SEED = 1000


def run(notebook: str, params: str, seeds: int, jobs: int, out: Path) -> dict:
    """One sweep with ``jobs`` workers; its wall-clock and the records' seconds."""
    last = FIRST_SEED + seeds - 1
    cmd = [sys.executable, "-m", "causalxai", "sweep", f"notebooks/{notebook}.ipynb",
           "--params", params, "--grid", f"seed={FIRST_SEED}..{last}", "-j", str(jobs),
           "--force", "--no-progress", "--out", str(out)]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return {"jobs": jobs, "wall_s": wall, "load_before": load,
            "command": " ".join(["python", *cmd[1:]])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="20_synthetic/02_confounding")
    parser.add_argument("--params", default="smoke")
    parser.add_argument("--seeds", type=int, default=4, help="combinations (>= 4)")
    parser.add_argument("--out", type=Path, default=BENCH / "sweep.json")
    args = parser.parse_args()
    if args.seeds < 4:
        parser.error(f"--seeds must be at least 4, got {args.seeds}")
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        runs = [run(args.notebook, args.params, args.seeds, jobs, Path(tmp) / f"j{jobs}")
                for jobs in (1, 2)]
    one, two = runs
    result = {
        "notebook": f"{args.notebook}.ipynb", "params": args.params,
        "combinations": args.seeds, "cores": os.cpu_count(),
        "load_before": os.getloadavg()[0], "runs": runs,
        "speedup": one["wall_s"] / two["wall_s"],
        "command": "python benchmarks/sweep_throughput.py --notebook "
                   f"{args.notebook} --params {args.params} --seeds {args.seeds}",
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"-j 1: {one['wall_s']:.1f} s, -j 2: {two['wall_s']:.1f} s, "
          f"speed-up {result['speedup']:.2f}; wrote {args.out}")


if __name__ == "__main__":
    main()

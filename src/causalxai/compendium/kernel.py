"""The child process that executes one notebook: papermill, a safe kernel start, clean stops.

The runner starts ``python -m causalxai.compendium.kernel SPEC.json`` in its own session
for each notebook. This process

- starts the kernel through :class:`LockedKernelManager`: jupyter_client picks the five
  kernel ports by binding port 0, closing the socket and handing the number to the
  kernel, which binds it later; two processes starting kernels at the same moment can be
  handed the same port (the known papermill race with concurrent kernels). Here a
  machine-wide file lock is held from the choice of the ports until the kernel listens
  on all of them, so no two kernels started by causalxai ever collide;
- on SIGTERM or SIGINT (the runner stopping it), kills its kernel's process group and
  exits 130 at once;
- exits the same way when its parent dies (the runner killed with SIGKILL), so no
  orphan keeps computing;
- prints ``CELL-ERROR <message>`` for a failing cell, the message shortened at a
  sentence boundary, never mid-sentence;
- skips, in itself and in the kernels it starts, the import of ``rfc3987_syntax``
  (:data:`SKIP_IRI_GRAMMAR`): ``jsonschema`` imports it when installed, to check the
  ``iri`` string format, and it builds a parser grammar at import (about 1 s of CPU,
  the largest fixed cost of a notebook run). ``nbformat`` (imported by papermill here,
  and by ``myst_nb.glue`` in a notebook) validates without format checkers, so nothing
  that runs here uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from causalxai.compendium.text import shorten

__all__ = ["LOCK_LOG_ENV", "SKIP_IRI_GRAMMAR", "LockedKernelManager", "kernel_start_lock",
           "main"]

#: When set, each kernel start appends ``pid start end ports...`` to this file (tests).
LOCK_LOG_ENV = "CAUSALXAI_KERNEL_LOCK_LOG"
LOCK_FILE = Path(tempfile.gettempdir()) / "causalxai-kernel-start.lock"
INTERRUPTED = 130

_MANAGERS: list[AsyncKernelManager] = []

#: Python run before any cell in every kernel started here (and in this process): makes
#: ``import rfc3987_syntax`` fail, so ``jsonschema`` leaves out its ``iri`` format check.
SKIP_IRI_GRAMMAR = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"


@contextlib.contextmanager
def kernel_start_lock(path: Path = LOCK_FILE) -> Iterator[None]:
    """Hold the machine-wide kernel-start lock (``fcntl.flock`` on ``path``)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class LockedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose port choice and kernel start hold a file lock.

    The lock is released once the kernel accepts connections on its five ports (or has
    died, or 60 s have passed), so that the next kernel cannot be handed one of them.
    """

    async def start_kernel(self, **kw):  # type: ignore[override]
        _MANAGERS.append(self)
        kw["extra_arguments"] = [*(kw.get("extra_arguments") or []),
                                 f"--IPKernelApp.exec_lines={SKIP_IRI_GRAMMAR}"]
        with kernel_start_lock():
            begin = time.time()
            await super().start_kernel(**kw)
            await self._wait_for_ports()
            end = time.time()
        log = os.environ.get(LOCK_LOG_ENV)
        if log:
            ports = [self.shell_port, self.iopub_port, self.stdin_port, self.control_port,
                     self.hb_port]
            with open(log, "a") as handle:
                handle.write(f"{os.getpid()} {begin:.6f} {end:.6f} "
                             f"{' '.join(map(str, ports))}\n")

    async def _wait_for_ports(self, timeout: float = 60.0) -> None:
        if self.transport != "tcp":
            return
        pending = {self.shell_port, self.iopub_port, self.stdin_port, self.control_port,
                   self.hb_port}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for port in sorted(pending):
                try:
                    _, writer = await asyncio.wait_for(asyncio.open_connection(self.ip, port),
                                                       0.5)
                except (TimeoutError, OSError):
                    continue
                writer.close()
                pending.discard(port)
            if pending:
                if not await self.is_alive():
                    return  # nbclient reports the dead kernel
                await asyncio.sleep(0.05)


def _kill_kernels() -> None:
    """Kill every kernel this process started, with its process group."""
    for km in _MANAGERS:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is None or process.poll() is not None:
            continue
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its own session
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()


def _abort(signum: int = signal.SIGTERM, frame: object = None) -> None:
    _kill_kernels()
    os._exit(INTERRUPTED)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _abort()


def main(spec_path: str) -> int:
    """Execute the notebook described by the JSON file ``spec_path``.

    The spec holds ``input``, ``output``, ``cwd``, ``parameters`` and ``timeout``.
    Returns 0 on success, 1 when the notebook (or its kernel) failed.
    """
    signal.signal(signal.SIGTERM, _abort)
    signal.signal(signal.SIGINT, _abort)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    sys.modules.setdefault("rfc3987_syntax", None)  # SKIP_IRI_GRAMMAR, here
    import papermill as pm

    spec = json.loads(Path(spec_path).read_text())
    try:
        pm.execute_notebook(
            spec["input"], spec["output"], parameters=spec["parameters"],
            kernel_name="python3", cwd=spec["cwd"], progress_bar=False, log_output=False,
            execution_timeout=spec["timeout"], kernel_manager_class=LockedKernelManager,
        )
    except pm.PapermillExecutionError as exc:
        first = next((ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()), "")
        print(f"CELL-ERROR cell {exc.cell_index} (execution count {exc.exec_count}, "
              f"starting `{shorten(first, 60)}`): {exc.ename}: {shorten(str(exc.evalue))}")
        return 1
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        print(f"CELL-ERROR {type(exc).__name__}: {shorten(str(exc))}")
        return 1
    finally:
        _kill_kernels()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

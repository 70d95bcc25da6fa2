"""The package root: importing it inside a kernel keeps tqdm's fallback quiet."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

_KERNEL = """
import sys, types, warnings
sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")  # as in a kernel
import IPython  # noqa: F401
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    {first}
    import tqdm.auto
print(sum("IProgress not found" in str(w.message) for w in caught), tqdm.auto.tqdm.__name__)
"""


@pytest.mark.parametrize("first, warns", [("", True), ("import causalxai", False)])
def test_no_tqdm_warning_in_a_kernel_once_causalxai_is_imported(first, warns):
    pytest.importorskip("IPython")
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - with ipywidgets tqdm never warns
        pytest.skip("ipywidgets installed")
    out = subprocess.run([sys.executable, "-c", _KERNEL.format(first=first)],
                         capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO / "src")})
    assert out.returncode == 0, out.stderr
    # The control (without the package) shows that the fake kernel triggers the warning;
    # either way tqdm falls back to its text bars.
    assert out.stdout.split() == ["1" if warns else "0", "tqdm_asyncio"]

"""A pinned Jupyter kernel for executing workbooks.

Papermill starts whatever kernel the name resolves to. The common name ``python3`` can
resolve to a kernelspec left in the user's Jupyter folder by another installation, whose
Python lacks this package; runs then fail far from the cause. We therefore execute under
our own kernel name, :data:`KERNEL_NAME`, whose spec always points at the interpreter that
runs the pipeline, and we check that the name resolves to it before executing anything.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["KERNEL_NAME", "ensure_kernel"]

KERNEL_NAME = "sga-methods"
DISPLAY_NAME = "Python 3 (sga-methods)"


def _spec(executable: str) -> dict[str, object]:
    return {
        # The kernel app's own warnings (e.g. about unencrypted loopback TCP) are noise in
        # batch logs; warnings raised by workbook code still reach the notebook.
        "argv": [
            executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=ERROR",
        ],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": False},
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }


def _write(kernels_dir: Path) -> None:
    target = kernels_dir / KERNEL_NAME
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "kernel.json.tmp"
    tmp.write_text(json.dumps(_spec(sys.executable), indent=1))
    os.replace(tmp, target / "kernel.json")


def _resolves_here() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return False
    return spec.argv == _spec(sys.executable)["argv"]


def ensure_kernel() -> str:
    """Make :data:`KERNEL_NAME` resolve to this interpreter and return the name.

    The spec is written into the environment's own Jupyter folder
    (``sys.prefix/share/jupyter/kernels``). If that folder is read-only, or a user-level
    spec of the same name shadows it, a private folder is put first on ``JUPYTER_PATH``
    for this process and the kernels it starts.
    """
    if _resolves_here():
        return KERNEL_NAME
    try:
        _write(Path(sys.prefix) / "share" / "jupyter" / "kernels")
    except OSError:
        pass
    if not _resolves_here():
        private = Path(tempfile.mkdtemp(prefix="sga-kernels-"))
        _write(private / "kernels")
        previous = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(private), previous]))
        if not _resolves_here():
            raise RuntimeError(
                f"cannot register the Jupyter kernel {KERNEL_NAME!r} for {sys.executable}"
            )
    return KERNEL_NAME


if __name__ == "__main__":
    print(f"kernel {ensure_kernel()!r} -> {sys.executable}")

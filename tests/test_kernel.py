"""The pinned kernel resolves to this interpreter even when another spec shadows it."""

from __future__ import annotations

import json
import sys

from jupyter_client.kernelspec import KernelSpecManager

from sga_methods.pipeline.kernel import KERNEL_NAME, ensure_kernel


def test_kernel_resolves_to_this_interpreter():
    assert ensure_kernel() == KERNEL_NAME
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.argv[0] == sys.executable


def test_a_stale_user_level_spec_is_overridden(tmp_path, monkeypatch):
    user = tmp_path / "user-data"
    stale = user / "kernels" / KERNEL_NAME
    stale.mkdir(parents=True)
    (stale / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{x}"],
                "display_name": "stale",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(user))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")  # user folder first, as outside a venv
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "empty"))  # restored after the test
    assert KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0] == "/nonexistent/python"
    ensure_kernel()
    assert KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0] == sys.executable

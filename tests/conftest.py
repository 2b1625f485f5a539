"""Shared fixtures: the project's folders and editable copies of the demo parameters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_ID = "tashkent-chilanzar"
DEMO_PARAMS = ROOT / "parameters" / f"{DEMO_ID}.yaml"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``sga run`` of every module for the demo district, once per session: (exit code, out)."""
    from sga_methods.cli import main

    out = tmp_path_factory.mktemp("outputs")
    dirs = ["--parameters-dir", str(DEMO_PARAMS.parent), "--workbooks-dir", str(ROOT / "workbooks")]
    return main(["run", *dirs, "--output-dir", str(out)]), out


def demo_raw() -> dict[str, Any]:
    """The demo parameter file as a dict, with data paths made absolute."""
    raw = yaml.safe_load(DEMO_PARAMS.read_text())
    for source in raw["data"].values():
        source["path"] = str((DEMO_PARAMS.parent / source["path"]).resolve())
    return raw


@pytest.fixture
def write_params(tmp_path: Path) -> Callable[..., Path]:
    """Write a (possibly altered) copy of the demo parameters and return its path.

    ``write_params(change)`` calls ``change(raw)`` on the parsed dict before writing;
    ``write_params(text="...")`` writes raw text instead.
    """

    def _write(
        change: Callable[[dict[str, Any]], None] | None = None,
        *,
        text: str | None = None,
        name: str = DEMO_ID,
    ) -> Path:
        folder = tmp_path / "parameters"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.yaml"
        if text is None:
            raw = demo_raw()
            if change is not None:
                change(raw)
            text = yaml.safe_dump(raw, sort_keys=False)
        path.write_text(text)
        return path

    return _write

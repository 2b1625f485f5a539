"""Incremental re-runs: a module is executed again only when something it depends on changed.

Small stand-in workbooks (as in test_pipeline.py) keep these fast; papermill is wrapped to
count the notebooks it actually executes. The stand-in ``09_synthesis`` reads the other
modules' results, like the real one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sga_methods.cli import main
from sga_methods.params import load
from sga_methods.pipeline import registry, runner
from sga_methods.pipeline.runner import run_district

from .conftest import DEMO_ID, DEMO_PARAMS
from .test_pipeline import _workbook, run_args

pytestmark = [pytest.mark.slow, pytest.mark.regression]

PROFILE, VICTIMIZATION, SYNTHESIS = "00_district_profile", "01_crime_victimization", "09_synthesis"
MODULES = [PROFILE, VICTIMIZATION, SYNTHESIS]


def _results_writer(module: str, value: int, extra: str = "") -> str:
    """Source of a stand-in module that writes ``results/<module>.json`` holding ``value``."""
    return (
        "import json, pathlib\n"
        "folder = pathlib.Path(results_dir)\n"
        "folder.mkdir(parents=True, exist_ok=True)\n"
        f"table = [{{'indicator': 'x', 'value': {value}}}]\n"
        f"(folder / '{module}.json').write_text(json.dumps("
        f"{{'module': '{module}', 'tables': {{'t': table}}}}))\n"
        f"print('{module} ok'){extra}"
    )


SYNTHESIS_SOURCE = (
    "import pathlib\n"
    "own = pathlib.Path(results_dir)\n"
    "if own.parent.name.startswith('.tmp-'):\n"
    "    own = own.parent.parent / 'results'\n"
    "print(sorted(p.read_text() for p in own.glob('0[0-8]_*.json')))"
)


@pytest.fixture
def workbooks(tmp_path: Path) -> Path:
    folder = tmp_path / "workbooks"
    folder.mkdir()
    _workbook(folder / f"{PROFILE}.ipynb", _results_writer(PROFILE, 1))
    _workbook(folder / f"{VICTIMIZATION}.ipynb", _results_writer(VICTIMIZATION, 2))
    _workbook(folder / f"{SYNTHESIS}.ipynb", SYNTHESIS_SOURCE)
    return folder


@pytest.fixture
def mahallas(tmp_path: Path) -> Path:
    """An editable copy of the demo's mahalla frame (read by module 00 only, and by 09)."""
    raw = load(DEMO_PARAMS, check_files=False).data_path("mahallas")
    copy = tmp_path / "data" / "mahallas.csv"
    copy.parent.mkdir()
    shutil.copyfile(raw, copy)
    return copy


@pytest.fixture
def params_file(write_params, mahallas) -> Callable[..., Path]:
    """Write the demo parameters with ``mahallas`` pointing at the copy; ``change`` as in
    conftest's ``write_params``."""

    def _write(change: Callable[[dict[str, Any]], None] | None = None) -> Path:
        def edit(raw: dict[str, Any]) -> None:
            raw["data"]["mahallas"]["path"] = str(mahallas)
            if change is not None:
                change(raw)

        return write_params(edit)

    _write()
    return _write


@pytest.fixture
def executed(monkeypatch) -> list[str]:
    """The modules papermill executes, in order."""
    calls: list[str] = []
    real = runner.papermill.execute_notebook

    def spy(input_path, *args, **kwargs):
        calls.append(Path(input_path).stem)
        return real(input_path, *args, **kwargs)

    monkeypatch.setattr(runner.papermill, "execute_notebook", spy)
    return calls


@pytest.fixture
def run(tmp_path, workbooks, params_file, executed) -> Callable[..., dict[str, str]]:
    """Run the three stand-in modules; returns ``{module: status}`` of this run only."""
    path = tmp_path / "parameters" / f"{DEMO_ID}.yaml"

    def _run(*, force: bool = False) -> dict[str, str]:
        executed.clear()
        params = load(path, known_modules=registry.names())
        runs = run_district(
            params,
            [registry.get(m) for m in MODULES],
            output_dir=tmp_path / "out",
            workbooks_dir=workbooks,
            force=force,
        )
        return {r.module: r.status for r in runs}

    return _run


def _district(tmp_path: Path) -> Path:
    return tmp_path / "out" / DEMO_ID


def _manifest(tmp_path: Path) -> dict[str, Any]:
    return json.loads((_district(tmp_path) / "manifest.json").read_text())


def _snapshot(tmp_path: Path) -> dict[str, bytes]:
    """Every output file of the district except the manifest and index page."""
    folder = _district(tmp_path)
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json", "index.html")
    }


def test_unchanged_rerun_executes_nothing_and_keeps_outputs(run, executed, tmp_path):
    assert run() == dict.fromkeys(MODULES, "ok")
    assert executed == MODULES
    first, before = _manifest(tmp_path), _snapshot(tmp_path)
    assert f"results/{PROFILE}.json" in before and f"{SYNTHESIS}.html" in before

    assert run() == dict.fromkeys(MODULES, "cached")
    assert executed == []
    assert _snapshot(tmp_path) == before  # byte for byte, logs included
    second = _manifest(tmp_path)
    for name in MODULES:
        old, new = first["modules"][name], second["modules"][name]
        assert old["cached"] is False and old["reason"] == "not run before"
        assert new["status"] == "ok" and new["cached"] is True
        assert (new["seconds"], new["finished"]) == (old["seconds"], old["finished"])
        assert new["cache"]["key"] == old["cache"]["key"] and len(new["cache"]["key"]) == 64
        assert new["cache"]["parts"]["package_version"] == runner.__version__
    parts = second["modules"][PROFILE]["cache"]["parts"]
    assert set(parts["inputs"]) == set(registry.get(PROFILE).requires)
    assert set(second["modules"][VICTIMIZATION]["cache"]["parts"]["inputs"]) == {"survey"}
    upstream = second["modules"][SYNTHESIS]["cache"]["parts"]["upstream"]
    assert set(upstream) == {f"{DEMO_ID}/{PROFILE}", f"{DEMO_ID}/{VICTIMIZATION}"}
    index = (_district(tmp_path) / "index.html").read_text()
    assert index.count('class="sga-status-ok">done<') == 3
    assert f'href="{SYNTHESIS}.html"' in index


def test_changed_workbook_reruns_only_that_module(run, executed, workbooks, tmp_path):
    run()
    # Same results, different workbook: 01 runs again, 09 (whose input is unchanged) not.
    _workbook(workbooks / f"{VICTIMIZATION}.ipynb", _results_writer(VICTIMIZATION, 2, "\n1 + 1"))
    assert run() == {PROFILE: "cached", VICTIMIZATION: "ok", SYNTHESIS: "cached"}
    assert executed == [VICTIMIZATION]
    assert _manifest(tmp_path)["modules"][VICTIMIZATION]["reason"] == "changed: workbook"


def test_changed_upstream_results_rerun_the_synthesis(run, executed, workbooks, tmp_path):
    run()
    _workbook(workbooks / f"{PROFILE}.ipynb", _results_writer(PROFILE, 99))
    assert run() == {PROFILE: "ok", VICTIMIZATION: "cached", SYNTHESIS: "ok"}
    assert executed == [PROFILE, SYNTHESIS]
    entry = _manifest(tmp_path)["modules"][SYNTHESIS]
    assert entry["reason"] == f"changed: results of '{DEMO_ID}/{PROFILE}'"
    assert "99" in (_district(tmp_path) / f"{SYNTHESIS}.ipynb").read_text()


def test_changed_parameters_rerun_every_module(run, executed, params_file, tmp_path):
    run()
    params_file(lambda raw: raw["district"].update(population=250_001))
    assert run() == dict.fromkeys(MODULES, "ok")
    assert executed == MODULES
    for entry in _manifest(tmp_path)["modules"].values():
        assert entry["reason"] == "changed: parameters"


def test_changed_input_reruns_only_the_modules_reading_it(run, executed, mahallas, tmp_path):
    run()
    mahallas.write_text(mahallas.read_text() + "\n")
    # 00 reads the mahalla frame, 01 does not; 09 names no data source, so it depends on all.
    assert run() == {PROFILE: "ok", VICTIMIZATION: "cached", SYNTHESIS: "ok"}
    assert _manifest(tmp_path)["modules"][PROFILE]["reason"] == "changed: input 'mahallas'"


def test_force_reruns_every_module(run, executed, tmp_path):
    run()
    assert run(force=True) == dict.fromkeys(MODULES, "ok")
    assert executed == MODULES
    assert {e["reason"] for e in _manifest(tmp_path)["modules"].values()} == {"forced"}
    assert run() == dict.fromkeys(MODULES, "cached")


def test_missing_or_replaced_output_is_rerun(run, executed, tmp_path):
    run()
    district = _district(tmp_path)
    for missing, reason in [
        (f"{VICTIMIZATION}.html", "report missing"),
        (f"{VICTIMIZATION}.ipynb", "executed notebook missing"),
        (f"results/{VICTIMIZATION}.json", f"results missing: results/{VICTIMIZATION}.json"),
    ]:
        (district / missing).unlink()
        # 01 writes the same results again, so the synthesis stays cached.
        assert run() == {PROFILE: "cached", VICTIMIZATION: "ok", SYNTHESIS: "cached"}, missing
        assert _manifest(tmp_path)["modules"][VICTIMIZATION]["reason"] == reason
        assert (district / missing).exists()

    notebook = district / f"{PROFILE}.ipynb"
    notebook.write_text(notebook.read_text().replace("profile", "PROFILE"))
    assert run()[PROFILE] == "ok"
    assert "replaced" in _manifest(tmp_path)["modules"][PROFILE]["reason"]


def test_failed_module_is_never_cached(run, executed, workbooks, tmp_path):
    good = (workbooks / f"{VICTIMIZATION}.ipynb").read_bytes()
    run()
    _workbook(workbooks / f"{VICTIMIZATION}.ipynb", "raise ValueError('boom')")
    assert run()[VICTIMIZATION] == "failed"
    entry = _manifest(tmp_path)["modules"][VICTIMIZATION]
    assert entry["cache"] is None and entry["stale"] is True
    assert run()[VICTIMIZATION] == "failed"  # executed again, not taken from a cache
    assert executed == [VICTIMIZATION]

    (workbooks / f"{VICTIMIZATION}.ipynb").write_bytes(good)  # back to the last good key
    assert run()[VICTIMIZATION] == "ok"
    assert _manifest(tmp_path)["modules"][VICTIMIZATION]["reason"] == "previous run failed"
    assert run()[VICTIMIZATION] == "cached"


def test_other_districts_results_are_upstream_of_the_synthesis(run, executed, tmp_path):
    run()
    other = tmp_path / "out" / "nukus-demo" / "results"
    other.mkdir(parents=True)
    (other / f"{PROFILE}.json").write_text('{"module": "00_district_profile", "tables": {}}')
    assert run() == {PROFILE: "cached", VICTIMIZATION: "cached", SYNTHESIS: "ok"}
    assert "nukus-demo/00_district_profile" in _manifest(tmp_path)["modules"][SYNTHESIS]["reason"]


def test_cli_summary_shows_cached_modules(workbooks, tmp_path, capsys):
    out = tmp_path / "cli-out"
    assert main(run_args(workbooks, out)) == 0
    capsys.readouterr()
    assert main(run_args(workbooks, out)) == 0
    text = capsys.readouterr().out
    for name in MODULES:
        assert f"{name}: cached" in text
    summary = text.split("\ndistrict ", 1)[1]
    assert summary.count(" cached ") == len(MODULES)

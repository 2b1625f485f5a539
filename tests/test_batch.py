"""Parallel batch runs (``sga run --workers N``): same outputs as one at a time, the synthesis
last, fault isolation, incremental re-runs and retries of kernels that fail to start.

Three districts (copies of the demo parameters with other ids) x three stand-in modules
keep these fast. The stand-ins append ``<event> <district> <module> <time>`` lines to a
log, so the order of execution across worker processes can be checked; a module fails on
purpose for a district whose parameter file is named in ``FAIL``.
"""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zmq
from papermill.exceptions import PapermillExecutionError

from sga_methods.cli import main
from sga_methods.params import DistrictParams, load
from sga_methods.pipeline import batch, registry, runner
from sga_methods.pipeline.batch import run_batch
from sga_methods.pipeline.runner import kernel_start_failed, run_district

from .conftest import DEMO_ID
from .test_pipeline import _workbook, run_args

pytestmark = pytest.mark.slow

IDS = [DEMO_ID, "nukus-demo", "samarkand-demo"]
PROFILE, VICTIMIZATION, SYNTHESIS = "00_district_profile", "01_crime_victimization", "09_synthesis"
MODULES = [PROFILE, VICTIMIZATION, SYNTHESIS]
FAIL = ("nukus-demo", VICTIMIZATION)


def _event(log: Path, event: str, module: str) -> str:
    return (
        "import pathlib, time\n"
        "district = pathlib.Path(district_file).stem\n"
        f"with open({str(log)!r}, 'a') as fh:\n"
        f"    fh.write(f'{event} {{district}} {module} {{time.time()}}\\n')\n"
    )


def _writer(log: Path, module: str, value: int) -> str:
    return (
        "import json\n"
        + _event(log, "start", module)
        + f"if (district, {module!r}) == {FAIL!r} and FAILING:\n"
        "    raise ValueError('injected failure')\n"
        "folder = pathlib.Path(results_dir)\n"
        "folder.mkdir(parents=True, exist_ok=True)\n"
        f"table = [{{'indicator': 'x', 'value': {value}, 'district': district}}]\n"
        f"(folder / '{module}.json').write_text(json.dumps("
        f"{{'module': '{module}', 'tables': {{'t': table}}}}))\n"
        f"print('{module}', district, 'ok')\n" + _event(log, "end", module)
    )


def _synthesis(log: Path) -> str:
    # Prints its own district's results (so pages compare across runs) and logs how many
    # results files of all districts it could see.
    return (
        _event(log, "start", SYNTHESIS) + "own = pathlib.Path(results_dir)\n"
        "if own.parent.name.startswith('.tmp-'):\n"
        "    own = own.parent.parent / 'results'\n"
        "print(sorted(p.read_text() for p in own.glob('0[0-8]_*.json')))\n"
        "seen = len(list(own.parent.parent.glob('*/results/0[0-8]_*.json')))\n"
        f"with open({str(log)!r}, 'a') as fh:\n"
        "    fh.write(f'seen {district} {seen} 0\\n')\n"
    )


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "events.log"


@pytest.fixture
def workbooks(tmp_path: Path, log: Path) -> Callable[[bool], Path]:
    """Write the stand-in workbooks; ``workbooks(failing=True)`` rewrites only module 01,
    which then raises for the FAIL district."""
    folder = tmp_path / "workbooks"
    folder.mkdir()

    def _write(failing: bool = False) -> Path:
        flag = f"FAILING = {failing}\n"
        _workbook(folder / f"{VICTIMIZATION}.ipynb", flag + _writer(log, VICTIMIZATION, 2))
        if not failing:  # rewriting a notebook changes its cell ids, hence its cache key
            _workbook(folder / f"{PROFILE}.ipynb", flag + _writer(log, PROFILE, 1))
            _workbook(folder / f"{SYNTHESIS}.ipynb", _synthesis(log))
        return folder

    _write()
    return _write


@pytest.fixture
def districts(write_params) -> list[DistrictParams]:
    paths = [write_params(lambda raw, i=i: raw["district"].update(id=i), name=i) for i in IDS]
    return [load(p, known_modules=registry.names()) for p in paths]


def _modules(params: DistrictParams) -> list[registry.Module]:
    return [registry.get(m) for m in MODULES]


def _batch(out: Path, districts, workbooks_dir: Path, workers: int, **kw) -> list[runner.ModuleRun]:
    return run_batch(
        districts, _modules, output_dir=out, workbooks_dir=workbooks_dir, workers=workers, **kw
    )


def _sequential(out: Path, districts, workbooks_dir: Path) -> list[runner.ModuleRun]:
    runs = []
    for params in districts:
        runs += run_district(params, _modules(params), output_dir=out, workbooks_dir=workbooks_dir)
    return runs


def _events(log: Path) -> list[tuple[str, str, str, float]]:
    rows = [line.split() for line in log.read_text().splitlines()]
    return [(e, d, m, float(t)) for e, d, m, t in rows]


TIMES = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC|\b\d+\.\d+ s\b")


def _normal_manifest(folder: Path) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("generated")
    for entry in manifest["modules"].values():
        for key in ("finished", "seconds"):
            entry.pop(key)
        parts = dict(entry.pop("cache")["parts"])
        parts.pop("upstream", None)  # the synthesis of a batch sees every district's results
        entry["parts"] = parts
    return manifest


def _pages(folder: Path) -> dict[str, str]:
    return {p.name: TIMES.sub("T", p.read_text()) for p in sorted(folder.glob("*.html"))}


@pytest.mark.identity
def test_parallel_run_matches_sequential_runs_synthesis_last_and_reruns_cached(
    tmp_path, districts, workbooks, log
):
    folder = workbooks()
    sequential = _sequential(tmp_path / "seq", districts, folder)
    log.unlink()
    parallel = _batch(tmp_path / "par", districts, folder, workers=2)

    assert [(r.district, r.module, r.status) for r in parallel] == [
        (r.district, r.module, r.status) for r in sequential
    ]
    assert {r.status for r in parallel} == {"ok"}
    for district in IDS:
        seq, par = tmp_path / "seq" / district, tmp_path / "par" / district
        assert _normal_manifest(par) == _normal_manifest(seq)
        assert _pages(par) == _pages(seq)
        assert set(_pages(par)) == {f"{m}.html" for m in MODULES} | {"index.html"}
        assert not list(par.glob(".tmp-*"))
        upstream = json.loads((par / "manifest.json").read_text())["modules"][SYNTHESIS]
        assert len(upstream["cache"]["parts"]["upstream"]) == 2 * len(IDS)
    assert all(
        f'href="{d}/index.html"' in (tmp_path / "par" / "index.html").read_text() for d in IDS
    )

    # Every synthesis started after every other module of every district had ended, and
    # saw all their results.
    events = _events(log)
    ends = [t for e, _, m, t in events if e == "end" and m != SYNTHESIS]
    starts = [t for e, _, m, t in events if e == "start" and m == SYNTHESIS]
    assert len(ends) == 2 * len(IDS) and len(starts) == len(IDS)
    assert min(starts) >= max(ends)
    assert [int(m) for e, _, m, _ in events if e == "seen"] == [2 * len(IDS)] * len(IDS)

    log.unlink()
    again = _batch(tmp_path / "par", districts, folder, workers=2)
    assert {r.status for r in again} == {"cached"}
    assert not log.exists()  # nothing executed


@pytest.mark.regression
def test_failure_in_one_district_is_isolated_and_reported(tmp_path, districts, workbooks, capsys):
    folder = workbooks()
    out = tmp_path / "out"
    args = [*run_args(folder, out, parameters=tmp_path / "parameters"), "--all"]
    assert main([*args, "--workers", "2"]) == 0
    good = {d: _pages(out / d) for d in IDS}
    capsys.readouterr()

    workbooks(failing=True)  # changes 01 of every district; only one fails
    assert main([*args, "--workers", "2"]) == 1
    text = capsys.readouterr().out
    district, module = FAIL
    assert re.search(rf"\n{district} +{module} +failed .*injected failure", text)
    summary = text.split("\ndistrict ", 1)[1]
    assert summary.count(" failed ") == 1 and summary.count(" ok ") == 2
    assert summary.count(" cached ") == 2 * len(IDS)  # 00 and 09 (same results)
    for d in IDS:
        manifest = json.loads((out / d / "manifest.json").read_text())
        statuses = {m: manifest["modules"][m]["status"] for m in MODULES}
        if d == district:
            assert statuses[module] == "failed" and manifest["modules"][module]["stale"]
            assert "injected failure" in (out / d / "index.html").read_text()
            # the last good report is kept
            assert _pages(out / d)[f"{module}.html"] == good[d][f"{module}.html"]
        else:
            assert set(statuses.values()) == {"ok"}
            assert manifest["modules"][module]["reason"] == "changed: workbook"
        assert not list((out / d).glob(".tmp-*"))


@pytest.fixture
def one(tmp_path, districts, workbooks) -> Callable[..., runner.ModuleRun]:
    """Run module 00 of the first district in this process (workers=1) and return its run."""
    folder = workbooks()

    def _run() -> runner.ModuleRun:
        runs = run_batch(
            districts[:1],
            lambda p: [registry.get(PROFILE)],
            output_dir=tmp_path / "out",
            workbooks_dir=folder,
            workers=1,
            force=True,
        )
        return runs[0]

    return _run


@pytest.mark.parametrize(
    ("errors", "status", "attempts"),
    [
        ([RuntimeError("Kernel didn't respond in 60 seconds")], "ok", 2),
        ([TimeoutError("start"), zmq.ZMQError(errno.EADDRINUSE)], "ok", 3),
        ([RuntimeError("Kernel didn't respond in 60 seconds")] * 3, "failed", 3),
        ([PapermillExecutionError(1, 1, "x", "ValueError", "boom", [])], "failed", 1),
    ],
)
@pytest.mark.regression
def test_kernel_start_failures_are_retried_workbook_errors_not(
    one, monkeypatch, tmp_path, errors, status, attempts
):
    monkeypatch.setattr(batch, "RETRY_DELAY", 0.0)
    stale = tmp_path / "out" / DEMO_ID / f".tmp-{PROFILE}-killed"
    stale.mkdir(parents=True)  # left by a killed worker of an earlier run
    real, pending, calls = runner.papermill.execute_notebook, list(errors), []

    def flaky(*args, **kwargs):
        calls.append(1)
        if pending:
            raise pending.pop(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner.papermill, "execute_notebook", flaky)
    run = one()
    assert (run.status, run.extra["attempts"], len(calls)) == (status, attempts, attempts)
    assert not stale.exists()
    if status == "failed":
        expected = "ValueError: boom" if attempts == 1 else "RuntimeError: Kernel didn't"
        assert run.error and run.error.startswith(expected)


@pytest.mark.regression
def test_kernel_start_failures_are_told_from_workbook_errors():
    assert kernel_start_failed(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert kernel_start_failed(RuntimeError("Kernel died before replying to kernel_info"))
    assert kernel_start_failed(zmq.ZMQError(errno.EADDRINUSE))
    assert kernel_start_failed(TimeoutError())
    assert not kernel_start_failed(RuntimeError("cell failed"))
    assert not kernel_start_failed(ValueError("Address already in use"))
    assert not kernel_start_failed(PapermillExecutionError(0, 1, "x", "RuntimeError", "", []))


def test_workers_below_one_is_a_usage_error(tmp_path, workbooks, capsys):
    assert main([*run_args(workbooks(), tmp_path / "out"), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err

"""Run many districts at once: (district, module) tasks in a pool of worker processes.

The parent process plans every task with the runner's cache logic
(:func:`~sga_methods.pipeline.runner.plan_module`), so cached, planned and skipped modules
are never sent to a worker; it submits the rest to a :class:`ProcessPoolExecutor`
(``forkserver`` start method where available, else ``spawn``; never ``fork``, which copies
the parent's threads and open sockets). A module that reads other modules' results
(``Module.after``, the synthesis) is planned and submitted only when every other task of
every district has finished, so its comparison across districts is complete and its
cache key sees the final upstream results.

Each worker executes one module at a time with
:func:`~sga_methods.pipeline.runner.execute_module`: papermill into a private staging
folder, published by atomic renames only on success. A kernel that fails to start
(a start-up time-out under load, a port collision between parallel kernels) is retried
up to :data:`RETRIES` more times after a short jittered pause; an error raised by a
workbook cell is not retried. A failing task never stops the others.

The parent collects results as they complete, reports each through ``on_result``, writes
a district's ``manifest.json`` and index page as soon as all of its tasks are done (merged
with the previous manifest exactly as :func:`~sga_methods.pipeline.runner.run_district`
does), and the overall index at the end.

Ctrl-C cancels the tasks not yet started and stops the
workers (each worker turns SIGTERM into ``KeyboardInterrupt``, so papermill shuts its
kernel down and the staging folder is removed; a kernel whose worker is killed outright
exits by itself when it sees its parent gone). Completed modules are recorded in their
district's manifest, the previous reports of the others stay in place, and leftover
``<district>/.tmp-*`` staging folders are removed, at the end of the run and at the
start of the next.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import os
import random
import shutil
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..params import DistrictParams
from . import index as _index
from . import runner
from .kernel import ensure_kernel
from .registry import MODULES, Module
from .runner import ModuleRun

__all__ = ["RETRIES", "run_batch", "run_task"]

#: Further attempts for a task whose kernel failed to start.
RETRIES = 2
#: Base pause, in seconds, before a retry (multiplied by the attempt and a 0.5-1.5 jitter).
RETRY_DELAY = 1.0
#: Seconds a stopped worker gets to clean up before it is killed.
STOP_GRACE = 10.0


@dataclass(frozen=True)
class Task:
    """One module of one district to execute (sent to a worker, hence plain data)."""

    params: DistrictParams
    module: Module
    run: ModuleRun  # status "pending", from plan_module
    workbooks_dir: Path
    district_dir: Path
    inputs: dict[str, dict[str, Any]]
    available: tuple[Module, ...]
    kernel_name: str


def run_task(task: Task) -> ModuleRun:
    """Execute one task, retrying a kernel that failed to start; runs in a worker.

    The returned run's ``extra["attempts"]`` is the number of executions (1 to
    ``1 + RETRIES``).
    """
    if _stopping:  # a task queued for this worker before the run was interrupted
        raise KeyboardInterrupt
    attempt = 0
    while True:
        attempt += 1
        run = runner.execute_module(
            task.params,
            task.module,
            copy.deepcopy(task.run),
            workbooks_dir=task.workbooks_dir,
            district_dir=task.district_dir,
            inputs=task.inputs,
            available=task.available,
            kernel_name=task.kernel_name,
        )
        if run.status != "failed" or not run.extra.get("kernel_start_failed"):
            break
        if attempt > RETRIES:
            break
        time.sleep(RETRY_DELAY * attempt * random.uniform(0.5, 1.5))
    run.extra["attempts"] = attempt
    return run


_stopping = False  # set in a worker by SIGTERM: it takes no further task


def _raise_interrupt(signum: int, frame: object) -> None:
    global _stopping
    _stopping = True
    raise KeyboardInterrupt


def _ignore(signum: int, frame: object) -> None:
    return None


def _worker_init() -> None:
    # The terminal's Ctrl-C reaches the whole process group; only the parent acts on it.
    # It then stops the workers with SIGTERM, which unwinds a running task cleanly. (A
    # no-op handler rather than SIG_IGN, which kernels would inherit across exec.)
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _raise_interrupt)


class _InlineExecutor(cf.Executor):
    """Runs each task in this process when submitted (``workers=1``; tests, debugging)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # KeyboardInterrupt propagates
            future.set_exception(exc)
        return future


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@dataclass
class _District:
    params: DistrictParams
    folder: Path
    modules: list[Module]
    inputs: dict[str, dict[str, Any]]
    previous: dict[str, Any]
    runs: dict[str, ModuleRun] = field(default_factory=dict)
    written: bool = False

    @property
    def done(self) -> bool:
        return len(self.runs) == len(self.modules)


def clean_staging(district_dir: Path) -> list[Path]:
    """Remove the ``.tmp-*`` staging folders left in a district folder; returns them."""
    removed = []
    if district_dir.is_dir():
        for path in district_dir.glob(".tmp-*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _stop_workers(executor: cf.Executor) -> None:
    """Cancel queued tasks and stop the workers (SIGTERM, then SIGKILL after a grace)."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


def run_batch(
    districts: Sequence[DistrictParams],
    modules_for: Callable[[DistrictParams], Sequence[Module]],
    *,
    output_dir: Path,
    workbooks_dir: Path,
    project_dir: Path | None = None,
    workers: int | None = None,
    force: bool = False,
    on_result: Callable[[ModuleRun], None] | None = None,
) -> list[ModuleRun]:
    """Run the modules of many districts in parallel into ``output_dir/<district id>/``.

    Parameters
    ----------
    districts : sequence of DistrictParams
        The validated districts (distinct ids).
    modules_for : callable
        The modules to run for a district, in order.
    output_dir : Path
        The outputs folder.
    workbooks_dir : Path
        The folder holding ``<module>.ipynb`` files.
    project_dir : Path, optional
        Paths under it are recorded relative to it in the manifests.
    workers : int, optional
        Worker processes (default: ``os.cpu_count()``). ``1`` executes the tasks one after
        the other in this process, in the same order of phases.
    force : bool, default False
        Execute every module even when its cached outputs are up to date.
    on_result : callable, optional
        Called in this process with each :class:`ModuleRun` as it completes.

    Returns
    -------
    list of ModuleRun
        One per (district, module), in district order then module order. Every district's
        manifest and index page, and the overall index, are written before return.

    Raises
    ------
    ValueError
        If ``workers`` is less than 1.
    KeyboardInterrupt
        After an interruption, once completed modules are recorded and workers stopped.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    kernel_name = ensure_kernel()  # once, before any worker starts (workers inherit the env)
    available = tuple(m for m in MODULES if m.workbook(workbooks_dir).exists())
    states: list[_District] = []
    for params in districts:
        folder = output_dir / params.district.id
        folder.mkdir(parents=True, exist_ok=True)
        clean_staging(folder)  # left by a killed earlier run
        states.append(
            _District(
                params,
                folder,
                list(modules_for(params)),
                runner.hash_inputs(params, project_dir),
                (_index.read_manifest(folder) or {}).get("modules", {}),
            )
        )

    def record(state: _District, run: ModuleRun) -> None:
        state.runs[run.module] = run
        if on_result is not None:
            on_result(run)
        if state.done:
            write(state)

    def write(state: _District) -> None:
        order = [m.name for m in state.modules]
        # An interrupted module keeps its previous entry (and report), as in run_district.
        done = [r for r in state.runs.values() if r.status != "interrupted"]
        runs = sorted(done, key=lambda r: order.index(r.module))
        _index.write_manifest(
            state.folder, state.params, state.inputs, runs, project_dir=project_dir
        )
        _index.write_district_index(state.folder)
        state.written = True

    def plan(state: _District, module: Module) -> ModuleRun:
        return runner.plan_module(
            state.params,
            module,
            workbooks_dir=workbooks_dir,
            district_dir=state.folder,
            inputs=state.inputs,
            available=available,
            previous=state.previous.get(module.name),
            force=force,
        )

    executor: cf.Executor
    if workers == 1:
        executor = _InlineExecutor()
    else:
        executor = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_worker_init
        )
    interrupted = False
    futures: dict[cf.Future[ModuleRun], tuple[_District, Task]] = {}
    try:
        for phase in (False, True):  # modules without `after`, then those reading results
            futures = {}
            for state in states:
                for module in state.modules:
                    if bool(module.after) != phase:
                        continue
                    run = plan(state, module)
                    if run.status != "pending":
                        record(state, run)
                        continue
                    task = Task(
                        state.params,
                        module,
                        run,
                        workbooks_dir,
                        state.folder,
                        state.inputs,
                        available,
                        kernel_name,
                    )
                    futures[executor.submit(run_task, task)] = (state, task)
            for future in cf.as_completed(futures):
                state, task = futures[future]
                record(state, _outcome(future, task))
    except KeyboardInterrupt:
        interrupted = True
        if isinstance(executor, cf.ProcessPoolExecutor):
            _stop_workers(executor)
            # Record the tasks that completed (and published) while the workers stopped.
            cf.wait(futures, timeout=STOP_GRACE / 10)
            for future, (state, task) in futures.items():
                if future.done() and not future.cancelled() and task.module.name not in state.runs:
                    record(state, _outcome(future, task))
        raise
    finally:
        if not interrupted:
            executor.shutdown(wait=True)
        for state in states:
            clean_staging(state.folder)
            if not state.written and state.runs:  # interrupted: keep what completed
                write(state)
        _index.write_overall_index(output_dir)
    return [state.runs[m.name] for state in states for m in state.modules]


def _outcome(future: cf.Future[ModuleRun], task: Task) -> ModuleRun:
    """The task's run, or a failed/interrupted run when the worker itself failed."""
    try:
        return future.result()
    except BaseException as exc:  # a worker's KeyboardInterrupt, a dead worker (BrokenProcessPool)
        run = copy.deepcopy(task.run)
        if isinstance(exc, KeyboardInterrupt):
            run.status, run.error = "interrupted", "interrupted by the user"
        else:
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
        run.cache = None
        run.finished = runner._now()
        return run

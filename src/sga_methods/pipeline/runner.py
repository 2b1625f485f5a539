"""Execute the workbooks of a district with papermill and publish the results.

For each (district, module): papermill executes ``workbooks/<module>.ipynb`` with the
district's parameters into a private temporary folder inside the district's output folder;
only when execution and HTML rendering both succeed are the executed notebook, the HTML
page and the module's result files moved into place. A failing module therefore never
leaves a half-written report and never deletes the previous good one; the other modules
still run. The district's ``manifest.json`` and index pages are rewritten after every run.

Re-runs are incremental. Each module's *cache key* is the SHA-256 of its parts: the
workbook's bytes, the parameters' digest, the SHA-256 of the data sources it reads
(``Module.requires``, or all of them when it names none), the package version, the
previous/next report links, and for a module that reads other modules' results
(``Module.after``) the SHA-256 of those ``results/<module>.json`` files in every district
of the output folder (the synthesis compares districts). A module whose key equals the
one recorded at its last successful run, and whose report, executed notebook (same
SHA-256) and results files are all still in place, is not executed: its run has status
``"cached"`` and its manifest entry keeps the earlier run's status ``"ok"``, times and
files, with ``"cached": true``. ``force=True`` executes everything. A failed run records
no key, so it is always run again.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from .. import __version__
from ..params import DistrictParams
from . import html as _html
from . import index as _index
from .kernel import ensure_kernel
from .registry import MODULES, Module

__all__ = [
    "ModuleRun",
    "cache_parts",
    "execute_module",
    "hash_inputs",
    "kernel_start_failed",
    "page_context",
    "plan_module",
    "run_district",
    "run_module",
    "sha256_file",
]

#: Papermill's start-up timeout for a kernel, in seconds (generous for loaded machines).
KERNEL_START_TIMEOUT = 120


@dataclass
class ModuleRun:
    """The outcome of one module for one district."""

    district: str
    module: str
    status: str  # "ok" | "cached" | "failed" | "skipped" | "planned" | "interrupted" | "pending"
    seconds: float = 0.0
    error: str | None = None
    cell: int | None = None
    finished: str | None = None
    html: str | None = None
    notebook: str | None = None
    log: str | None = None
    parameters_sha256: str | None = None
    #: Why the module was executed (e.g. "workbook changed"); None when cached.
    reason: str | None = None
    #: ``{"key", "parts", "notebook_sha256", "results"}`` of a successful or cached run.
    cache: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form for the manifest.

        A cached run keeps the manifest entry of the run that produced its outputs (status
        ``"ok"``, its times and files), marked ``"cached": true``.
        """
        if self.status == "cached":
            return {**self.extra.get("previous", {}), "cached": True, "cache": self.cache}
        data = asdict(self)
        data.pop("district")
        data.pop("extra")
        data["cached"] = False
        return data


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _neighbours(module: Module, available: Sequence[Module]) -> dict[str, Any]:
    names = [m.name for m in available]
    out: dict[str, Any] = {"previous": None, "next": None}
    if module.name in names:
        i = names.index(module.name)
        if i > 0:
            prev = available[i - 1]
            out["previous"] = {"href": f"{prev.name}.html", "title": prev.title}
        if i + 1 < len(available):
            nxt = available[i + 1]
            out["next"] = {"href": f"{nxt.name}.html", "title": nxt.title}
    return out


def page_context(
    params: DistrictParams,
    module: Module,
    inputs: dict[str, dict[str, Any]],
    *,
    available: Sequence[Module] = (),
    seconds: float = 0.0,
    run_time: str | None = None,
) -> dict[str, Any]:
    """Header and footer metadata of a module's report page (``run_time`` default: now)."""
    rp = params.reference_period
    police = f"{rp.police_start} to {rp.police_end}" if rp.police_start else ""
    return {
        "district_name": params.district.name,
        "city": params.district.city,
        "module_number": module.number,
        "module_title": module.title,
        "data_kind": "SYNTHETIC (simulated for demonstration)"
        if params.synthetic.enabled
        else "survey and administrative data",
        "synthetic": params.synthetic.enabled,
        "synthetic_label": params.synthetic.label,
        "fieldwork": f"{rp.fieldwork_start:%d %b %Y} to {rp.fieldwork_end:%d %b %Y}",
        "recall": f"past {rp.victimization_months} months",
        "police_period": police,
        "package_version": __version__,
        "workbook": f"workbooks/{module.name}.ipynb",
        "run_time": run_time or _now(),
        "duration": f"{seconds:.1f} s",
        "parameter_file": params.source.name,
        "parameter_hash": params.digest(),
        "inputs": [
            {"key": k, "name": Path(v["path"]).name, "sha256": v["sha256"]}
            for k, v in inputs.items()
            if k in module.requires or not module.requires
        ],
        **_neighbours(module, available),
    }


def _error_of(exc: BaseException) -> tuple[str, int | None]:
    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}", exc.cell_index
    return f"{type(exc).__name__}: {exc}", None


def _write_log(path: Path, run: ModuleRun, notebook: Path | None, exc: BaseException | None):
    lines = [
        f"district: {run.district}",
        f"module:   {run.module}",
        f"status:   {run.status}",
        f"finished: {run.finished}",
        f"seconds:  {run.seconds:.2f}",
    ]
    if run.error:
        lines.append(f"error:    {run.error} (cell {run.cell})")
    nb = None
    if notebook is not None and notebook.exists():
        try:
            nb = nbformat.read(notebook, as_version=4)
        except (ValueError, OSError) as err:  # e.g. cut short by an interruption
            lines.append(f"--- executed notebook unreadable: {err}")
    if nb is not None:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.output_type == "stream":
                    lines.append(f"--- cell {i} {out.name}\n{out.text.rstrip()}")
                elif out.output_type == "error":
                    lines.append(f"--- cell {i} error\n" + "\n".join(out.traceback))
    if exc is not None and not isinstance(exc, PapermillExecutionError):
        lines.append("--- traceback\n" + "".join(traceback.format_exception(exc)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _publish(staging: Path, target: Path, names: Sequence[str]) -> None:
    """Move staged files into place, each with an atomic rename."""
    for name in names:
        src = staging / name
        if src.is_dir():
            dest = target / name
            dest.mkdir(parents=True, exist_ok=True)
            for item in src.iterdir():
                os.replace(item, dest / item.name)
        elif src.exists():
            os.replace(src, target / name)


def _json_sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def cache_parts(
    params: DistrictParams,
    module: Module,
    *,
    workbooks_dir: Path,
    output_dir: Path,
    inputs: dict[str, dict[str, Any]],
    available: Sequence[Module] = (),
) -> dict[str, Any]:
    """What a module's outputs depend on; its cache key is the SHA-256 of this mapping.

    Parameters
    ----------
    params : DistrictParams
        The district.
    module : Module
        The module; its workbook must exist.
    workbooks_dir : Path
        The folder holding ``<module>.ipynb``.
    output_dir : Path
        The outputs folder; for a module with ``after``, the ``*/results/<name>.json``
        files of those modules in it are hashed (the synthesis also reads other districts').
    inputs : dict
        :func:`hash_inputs` of the district.
    available : sequence of Module
        Modules with a workbook (the report's previous/next links depend on them).

    Returns
    -------
    dict
        ``workbook``, ``parameters``, ``inputs``, ``package_version``, ``links`` and, when
        the module reads other modules' results, ``upstream`` (``{"district/module":
        SHA-256}``); all plain JSON.
    """
    links = _neighbours(module, available)
    parts: dict[str, Any] = {
        "workbook": sha256_file(module.workbook(workbooks_dir)),
        "parameters": params.digest(),
        "inputs": {
            k: v["sha256"] for k, v in inputs.items() if k in module.requires or not module.requires
        },
        "package_version": __version__,
        "links": [(links[side] or {}).get("href") for side in ("previous", "next")],
    }
    if module.after:
        parts["upstream"] = {
            f"{path.parent.parent.name}/{path.stem}": sha256_file(path)
            for name in module.after
            for path in sorted(output_dir.glob(f"*/results/{name}.json"))
        }
    return parts


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Names of the cache parts that differ, e.g. ``["workbook", "input 'survey'"]``."""
    out = []
    for part in sorted(set(old) | set(new)):
        a, b = old.get(part), new.get(part)
        if a == b:
            continue
        if part in ("inputs", "upstream") and isinstance(a, dict) and isinstance(b, dict):
            label = "input" if part == "inputs" else "results of"
            out += [f"{label} {k!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        else:
            out.append(part.replace("_", " "))
    return out


def _stale(
    previous: dict[str, Any] | None, key: str, parts: dict[str, Any], folder: Path
) -> str | None:
    """Why the outputs of the previous run cannot be reused, or None when they can."""
    if not previous:
        return "not run before"
    if previous.get("status") != "ok":
        return f"previous run {previous.get('status')}"
    cache = previous.get("cache")
    if not isinstance(cache, dict) or "key" not in cache:
        return "no cache key recorded"
    if cache["key"] != key:
        changed = _changed(cache.get("parts") or {}, parts)
        return f"changed: {', '.join(changed)}" if changed else "cache key changed"
    html, notebook = previous.get("html"), previous.get("notebook")
    if not html or not (folder / html).is_file():
        return "report missing"
    if not notebook or not (folder / notebook).is_file():
        return "executed notebook missing"
    if sha256_file(folder / notebook) != cache.get("notebook_sha256"):
        return "executed notebook replaced since its run"
    missing = [name for name in cache.get("results", []) if not (folder / name).is_file()]
    if missing:
        return f"results missing: {', '.join(missing)}"
    return None


def plan_module(
    params: DistrictParams,
    module: Module,
    *,
    workbooks_dir: Path,
    district_dir: Path,
    inputs: dict[str, dict[str, Any]],
    available: Sequence[Module],
    previous: dict[str, Any] | None = None,
    force: bool = False,
) -> ModuleRun:
    """Decide, without executing anything, whether a module must run.

    Returns a finished run (status ``"planned"``, ``"skipped"`` or ``"cached"``), or one
    with status ``"pending"`` whose ``reason`` says why it must execute and whose
    ``cache`` holds the ``key`` and ``parts`` that :func:`execute_module` records.
    """
    district = params.district.id
    run = ModuleRun(district, module.name, "pending", parameters_sha256=params.digest())
    if not module.workbook(workbooks_dir).exists():
        run.status, run.error = "planned", "no workbook yet"
        return run
    missing = [key for key in module.requires if key not in params.data]
    if missing:
        run.status = "skipped"
        run.error = f"the district has no data source {', '.join(map(repr, missing))}"
        return run

    parts = cache_parts(
        params,
        module,
        workbooks_dir=workbooks_dir,
        output_dir=district_dir.parent,
        inputs=inputs,
        available=available,
    )
    key = _json_sha256(parts)
    run.reason = "forced" if force else _stale(previous, key, parts, district_dir)
    if run.reason is None and previous is not None:
        run.status = "cached"
        run.finished, run.log = previous.get("finished"), previous.get("log")
        run.html, run.notebook = previous.get("html"), previous.get("notebook")
        run.cache = {**previous["cache"], "parts": parts}
        run.extra["previous"] = previous
        return run
    run.cache = {"key": key, "parts": parts}
    return run


#: Messages of the errors raised when a kernel fails to start (not a workbook error).
_KERNEL_START_MESSAGES = (
    "kernel didn't respond",
    "kernel died before replying",
    "address already in use",
    "timeout waiting for kernel",
)


def kernel_start_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is a kernel that failed to start (worth retrying), not a workbook error.

    Covers jupyter_client's ``RuntimeError("Kernel didn't respond in N seconds")`` and
    ``"Kernel died before replying to kernel_info"``, start-up ``TimeoutError`` and zmq's
    ``"Address already in use"`` (a port collision between parallel kernels). A
    ``PapermillExecutionError`` (an error raised by a cell) is never a start failure.
    """
    if isinstance(exc, PapermillExecutionError):
        return False
    if isinstance(exc, TimeoutError):
        return True
    if not isinstance(exc, (RuntimeError, OSError)) and type(exc).__name__ != "ZMQError":
        return False
    return any(m in str(exc).lower() for m in _KERNEL_START_MESSAGES)


def execute_module(
    params: DistrictParams,
    module: Module,
    run: ModuleRun,
    *,
    workbooks_dir: Path,
    district_dir: Path,
    inputs: dict[str, dict[str, Any]],
    available: Sequence[Module],
    kernel_name: str,
) -> ModuleRun:
    """Execute and publish a module that :func:`plan_module` found ``"pending"``.

    Returns ``run`` (updated in place) with status ``"ok"`` or ``"failed"``; never raises
    for a failing workbook. A failed run whose cause is a kernel that did not start has
    ``extra["kernel_start_failed"] = True``.
    """
    if run.status != "pending" or run.cache is None:
        raise ValueError(f"run of {run.module!r} is {run.status!r}, not a pending run")
    key, parts = run.cache["key"], run.cache["parts"]
    run.status = "ok"
    workbook = module.workbook(workbooks_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{module.name}-", dir=district_dir))
    executed = staging / f"{module.name}.ipynb"
    log = district_dir / "logs" / f"{module.name}.log"
    started = time.perf_counter()
    exc: BaseException | None = None
    try:
        papermill.execute_notebook(
            str(workbook),
            str(executed),
            parameters={
                "district_file": str(params.source),
                "results_dir": str(staging / "results"),
                "interactive": False,
            },
            kernel_name=kernel_name,
            cwd=str(workbooks_dir),
            progress_bar=False,
            start_timeout=KERNEL_START_TIMEOUT,
        )
        run.seconds = time.perf_counter() - started
        run.finished = _now()  # the page and the manifest carry the same run time
        context = page_context(
            params,
            module,
            inputs,
            available=available,
            seconds=run.seconds,
            run_time=run.finished,
        )
        (staging / f"{module.name}.html").write_text(
            _html.render(executed, context), encoding="utf-8"
        )
        produced = staging / "results"
        run.cache = {
            "key": key,
            "parts": parts,
            "notebook_sha256": sha256_file(executed),
            "results": sorted(
                f"results/{p.name}" for p in (produced.iterdir() if produced.is_dir() else ())
            ),
        }
        _publish(staging, district_dir, [f"{module.name}.ipynb", f"{module.name}.html", "results"])
        run.html, run.notebook = f"{module.name}.html", f"{module.name}.ipynb"
    except KeyboardInterrupt:
        run.status, run.error, run.cache = "interrupted", "interrupted by the user", None
        raise
    except Exception as err:  # a failing workbook must not stop the others
        exc = err
        run.status, run.cache = "failed", None
        run.seconds = time.perf_counter() - started
        run.error, run.cell = _error_of(err)
        run.extra["kernel_start_failed"] = kernel_start_failed(err)
        if executed.exists():
            failed = district_dir / "logs" / f"{module.name}.failed.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(executed, failed)
            executed = failed
    finally:
        run.finished = run.finished or _now()
        run.log = f"logs/{module.name}.log"
        _write_log(log, run, executed if executed.exists() else None, exc)
        shutil.rmtree(staging, ignore_errors=True)
    return run


def run_module(
    params: DistrictParams,
    module: Module,
    *,
    workbooks_dir: Path,
    district_dir: Path,
    inputs: dict[str, dict[str, Any]],
    available: Sequence[Module],
    kernel_name: str,
    previous: dict[str, Any] | None = None,
    force: bool = False,
) -> ModuleRun:
    """Execute and publish one module; never raises for a failing workbook.

    ``previous`` is the module's entry in the district's manifest: when its cache key
    matches and its outputs are in place (see :func:`cache_parts`), nothing is executed
    and the run has status ``"cached"``, unless ``force``.
    """
    run = plan_module(
        params,
        module,
        workbooks_dir=workbooks_dir,
        district_dir=district_dir,
        inputs=inputs,
        available=available,
        previous=previous,
        force=force,
    )
    if run.status != "pending":
        return run
    return execute_module(
        params,
        module,
        run,
        workbooks_dir=workbooks_dir,
        district_dir=district_dir,
        inputs=inputs,
        available=available,
        kernel_name=kernel_name,
    )


def hash_inputs(params: DistrictParams, project_dir: Path | None = None) -> dict[str, Any]:
    """SHA-256 and size of every data source of a district."""
    out = {}
    for key, path in params.input_files().items():
        shown = path
        if project_dir is not None and path.is_relative_to(project_dir):
            shown = path.relative_to(project_dir)
        out[key] = {"path": str(shown), "sha256": sha256_file(path), "bytes": path.stat().st_size}
    return out


def run_district(
    params: DistrictParams,
    modules: Sequence[Module],
    *,
    output_dir: Path,
    workbooks_dir: Path,
    project_dir: Path | None = None,
    on_result: Callable[[ModuleRun], None] | None = None,
    force: bool = False,
) -> list[ModuleRun]:
    """Run ``modules`` for one district into ``output_dir/<district id>/``.

    A module whose workbook, parameters, input data, package version (and, for the
    synthesis, upstream results) are unchanged since its last successful run, and whose
    outputs are in place, is not executed: its run has status ``"cached"``.

    Parameters
    ----------
    params : DistrictParams
        The validated district parameters.
    modules : sequence of Module
        The modules to run, in order.
    output_dir : Path
        The outputs folder (``outputs/``).
    workbooks_dir : Path
        The folder holding ``<module>.ipynb`` files.
    project_dir : Path, optional
        Paths under it are recorded relative to it in the manifest.
    on_result : callable, optional
        Called with each :class:`ModuleRun` as it finishes (progress reporting).
    force : bool, default False
        Execute every module even when its cached outputs are up to date.

    Returns
    -------
    list of ModuleRun
        One outcome per module; the manifest and index pages are written before return.
    """
    district_dir = output_dir / params.district.id
    district_dir.mkdir(parents=True, exist_ok=True)
    kernel_name = ensure_kernel()
    inputs = hash_inputs(params, project_dir)
    available = [m for m in MODULES if m.workbook(workbooks_dir).exists()]
    previous = (_index.read_manifest(district_dir) or {}).get("modules", {})
    runs = []
    for module in modules:
        result = run_module(
            params,
            module,
            workbooks_dir=workbooks_dir,
            district_dir=district_dir,
            inputs=inputs,
            available=available,
            kernel_name=kernel_name,
            previous=previous.get(module.name),
            force=force,
        )
        runs.append(result)
        if on_result is not None:
            on_result(result)
    _index.write_manifest(district_dir, params, inputs, runs, project_dir=project_dir)
    _index.write_district_index(district_dir)
    _index.write_overall_index(output_dir)
    return runs

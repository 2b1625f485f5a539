"""The manifest of a district's run and the index pages that link the reports.

``outputs/<district>/manifest.json`` records the package version, the parameters and
their hash, the SHA-256 of every input file and, per module, the status, time, error and
the files produced. Modules not run this time keep their previous entry, so a partial run
(``--modules``) never forgets earlier results. The index pages are rendered from the
manifests alone, so they can be rebuilt without executing anything.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .. import __version__
from .html import stylesheet
from .registry import MODULES

if TYPE_CHECKING:
    from ..params import DistrictParams
    from .runner import ModuleRun

__all__ = ["read_manifest", "write_district_index", "write_manifest", "write_overall_index"]

MANIFEST = "manifest.json"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sga_methods.pipeline", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(district_dir: Path) -> dict[str, Any] | None:
    """The district's manifest, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((district_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(
    district_dir: Path,
    params: DistrictParams,
    inputs: dict[str, Any],
    runs: Sequence[ModuleRun],
    *,
    project_dir: Path | None = None,
) -> dict[str, Any]:
    """Merge this run's outcomes into ``manifest.json`` and return the manifest."""
    previous = read_manifest(district_dir) or {}
    modules: dict[str, Any] = dict(previous.get("modules", {}))
    for run in runs:
        entry = run.to_json()
        report = district_dir / f"{run.module}.html"
        if run.status == "failed" and report.exists():
            entry["html"] = report.name  # the last good report stays in place
            entry["stale"] = True
        modules[run.module] = entry
    source = params.source
    if project_dir is not None and source.is_relative_to(project_dir):
        source = source.relative_to(project_dir)
    manifest = {
        "district": params.district.id,
        "name": params.district.name,
        "city": params.district.city,
        "country": params.district.country,
        "synthetic": params.synthetic.enabled,
        "package_version": __version__,
        "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "parameter_file": str(source),
        "parameters_sha256": params.digest(),
        "parameters": params.model_dump(mode="json"),
        "inputs": inputs,
        "modules": {m.name: modules[m.name] for m in MODULES if m.name in modules},
    }
    _atomic_write(district_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False))
    return manifest


def _module_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for module in MODULES:
        entry = manifest.get("modules", {}).get(module.name)
        rows.append(
            {
                "module": module,
                "status": entry["status"] if entry else "not run",
                "entry": entry or {},
            }
        )
    return rows


def write_district_index(district_dir: Path) -> Path:
    """Render ``<district>/index.html`` from the district's manifest."""
    manifest = read_manifest(district_dir)
    if manifest is None:
        raise FileNotFoundError(f"{district_dir / MANIFEST}: no manifest to index")
    page = _ENV.get_template("district_index.html.j2").render(
        m=manifest, rows=_module_rows(manifest), css=stylesheet()
    )
    target = district_dir / "index.html"
    _atomic_write(target, page)
    return target


def write_overall_index(output_dir: Path) -> Path:
    """Render ``outputs/index.html`` listing every district that has a manifest."""
    districts = []
    for child in sorted(p for p in output_dir.iterdir() if p.is_dir()):
        manifest = read_manifest(child)
        if manifest is None:
            continue
        statuses = [e.get("status") for e in manifest.get("modules", {}).values()]
        districts.append(
            {
                "m": manifest,
                "ok": statuses.count("ok"),
                "failed": statuses.count("failed"),
                "href": f"{child.name}/index.html",
            }
        )
    page = _ENV.get_template("overall_index.html.j2").render(
        districts=districts, css=stylesheet(), version=__version__
    )
    target = output_dir / "index.html"
    _atomic_write(target, page)
    return target

"""Re-publish executed workbooks: HTML reports from the notebooks, and PDFs from the HTML.

``sga report`` calls these. Nothing is executed: each module's HTML page is rendered again
from the executed notebook kept in ``outputs/<district>/``, with the header and provenance
footer of the run that produced it (its parameter hash, input hashes, run time and duration
are read from ``manifest.json``), so an unchanged notebook gives the same page byte for byte.
PDFs are printed by headless Chromium with the report's print stylesheet (officials often
circulate PDFs). Every file is written to a temporary name and moved into place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..params import DistrictParams
from . import html as _html
from . import index as _index
from .registry import MODULES, get
from .runner import page_context

__all__ = ["PublishError", "find_chromium", "print_pdf", "rerender_district"]

#: Seconds allowed for printing one report.
PDF_TIMEOUT = 180


class PublishError(Exception):
    """Outputs that cannot be re-published; the message names the folder or file."""


@dataclass
class Published:
    """One re-published module: its HTML page and, when asked, its PDF."""

    district: str
    module: str
    html: Path
    pdf: Path | None = None


def _atomic_write(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)


def rerender_district(
    params: DistrictParams, output_dir: Path, workbooks_dir: Path
) -> list[Published]:
    """Render again the HTML of every successful module of a district, and its index pages.

    Parameters
    ----------
    params : DistrictParams
        The district (for names and labels; hashes come from the manifest).
    output_dir : Path
        The outputs folder holding ``<district id>/manifest.json``.
    workbooks_dir : Path
        For the previous/next links of modules the manifest does not list.

    Returns
    -------
    list of Published

    Raises
    ------
    PublishError
        If the district has no manifest (never run) or a notebook listed as successful is
        missing.
    """
    district_dir = output_dir / params.district.id
    manifest = _index.read_manifest(district_dir)
    if manifest is None:
        raise PublishError(
            f"{district_dir}: no manifest.json; run `sga run {params.district.id}` first"
        )
    # The previous/next links of the run: modules that had a workbook then (the manifest
    # marks the others "planned"), so that a re-rendered page equals the original.
    runs = manifest.get("modules", {})
    available = [
        m
        for m in MODULES
        if runs.get(m.name, {}).get("status", "planned") != "planned"
        or (m.name not in runs and m.workbook(workbooks_dir).exists())
    ]
    inputs = manifest.get("inputs", {})
    done = []
    for name, run in runs.items():
        if run.get("status") != "ok" or not run.get("notebook"):
            continue
        notebook = district_dir / run["notebook"]
        if not notebook.exists():
            raise PublishError(f"{notebook}: executed notebook missing; run the module again")
        module = get(name)
        context = page_context(
            params,
            module,
            inputs,
            available=available,
            seconds=float(run.get("seconds", 0)),
            run_time=run.get("finished"),
        )
        context["parameter_hash"] = run.get("parameters_sha256", context["parameter_hash"])
        target = district_dir / run["html"]
        _atomic_write(target, _html.render(notebook, context))
        done.append(Published(params.district.id, name, target))
    _index.write_district_index(district_dir)
    _index.write_overall_index(output_dir)
    return done


def find_chromium(explicit: str | None = None) -> Path:
    """The Chromium executable: ``explicit``, ``$SGA_CHROMIUM``, or chromium on the PATH."""
    for candidate in (explicit, os.environ.get("SGA_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):  # fmt: skip
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise PublishError(
        "PDF output needs Chromium: install Debian's chromium (apt-get install chromium) or "
        "name the executable with --chromium / $SGA_CHROMIUM"
    )


def print_pdf(html_file: Path, pdf_file: Path, chromium: Path) -> Path:
    """Print one HTML report to PDF with headless Chromium (no network, no header/footer).

    The page's ``@media print`` rules apply: no table of contents or navigation, no table
    row or figure cut across pages, A4 with margins.
    """
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf_file.name}.", suffix=".pdf", dir=pdf_file.parent)
    os.close(fd)
    profile = tempfile.mkdtemp(prefix="sga-chromium-")
    cmd = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={tmp}",
        html_file.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT)
        size = Path(tmp).stat().st_size
        if done.returncode != 0 or size == 0:
            raise PublishError(
                f"{html_file}: Chromium could not print it (exit {done.returncode}): "
                f"{done.stderr.strip()[-300:]}"
            )
        os.replace(tmp, pdf_file)
    except subprocess.TimeoutExpired:
        raise PublishError(f"{html_file}: printing took more than {PDF_TIMEOUT} s") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        shutil.rmtree(profile, ignore_errors=True)
    return pdf_file

"""End to end: `sga run` on the demo district, the reports readers get, and fault isolation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sga_methods import __version__
from sga_methods.cli import main
from sga_methods.pipeline import registry
from sga_methods.pipeline.runner import sha256_file

from .conftest import DEMO_ID, DEMO_PARAMS, ROOT

pytestmark = pytest.mark.slow

WORKBOOKS = ROOT / "workbooks"
AVAILABLE = [m.name for m in registry.MODULES if m.workbook(WORKBOOKS).exists()]
EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*[\"']?"
    r"(?:https?:)?//",
    re.I,
)


@pytest.fixture(scope="session")
def reports(demo_run) -> dict[str, str]:
    _, out = demo_run
    pages = {m: (out / DEMO_ID / f"{m}.html").read_text() for m in AVAILABLE}
    pages["district index"] = (out / DEMO_ID / "index.html").read_text()
    pages["overall index"] = (out / "index.html").read_text()
    return pages


def test_demo_run_succeeds_and_writes_every_product(demo_run):
    code, out = demo_run
    assert code == 0
    district = out / DEMO_ID
    assert {"00_district_profile", "01_crime_victimization"} <= set(AVAILABLE)
    for name in AVAILABLE:
        assert (district / f"{name}.html").stat().st_size > 10_000
        nb = nbformat.read(district / f"{name}.ipynb", as_version=4)
        assert any(c.metadata.get("tags") == ["injected-parameters"] for c in nb.cells)
        assert (district / "logs" / f"{name}.log").exists()
        results = json.loads((district / "results" / f"{name}.json").read_text())
        assert results["module"] == name and results["tables"]
    assert (district / "index.html").exists() and (out / "index.html").exists()
    assert not [p for p in district.iterdir() if p.name.startswith(".tmp")]


def test_manifest_records_version_parameters_hashes_and_status(demo_run):
    _, out = demo_run
    manifest = json.loads((out / DEMO_ID / "manifest.json").read_text())
    assert manifest["package_version"] == __version__
    assert manifest["synthetic"] is True
    assert manifest["parameters"]["district"]["id"] == DEMO_ID
    assert len(manifest["parameters_sha256"]) == 64
    survey = ROOT / "data" / "synthetic" / DEMO_ID / "survey.csv.gz"
    assert manifest["inputs"]["survey"]["sha256"] == sha256_file(survey)
    assert set(manifest["inputs"]) >= {"survey", "fieldwork", "police_records", "margins"}
    for name in AVAILABLE:
        entry = manifest["modules"][name]
        assert entry["status"] == "ok" and entry["seconds"] > 0 and entry["error"] is None
    planned = [m.name for m in registry.MODULES if m.name not in AVAILABLE]
    for name in planned:
        assert manifest["modules"][name]["status"] == "planned"


def test_reports_hide_code_and_injected_parameters(reports):
    for name, page in reports.items():
        assert not re.search(r'class="[^"]*(jp-InputArea-editor|jp-CodeMirrorEditor)', page), name
        assert "hl-ipython3" not in page, name  # highlighted source code
        for code in ("district_file", "sga_params.load", "from sga_methods", "report.md("):
            assert code not in page, (name, code)
        assert "Traceback" not in page, name


def test_reports_load_nothing_from_the_internet(reports):
    for name, page in reports.items():
        assert not EXTERNAL.findall(page), (name, EXTERNAL.findall(page)[:3])
        assert "cdnjs" not in page and "unpkg" not in page and "mathjax" not in page.lower()


def test_plots_are_embedded_and_pages_small(reports):
    for name in AVAILABLE:
        page = reports[name]
        assert "data:image/png;base64," in page, name
        assert len(page.encode()) < 5_000_000, name


def test_every_page_says_synthetic_and_has_provenance(reports):
    for name, page in reports.items():
        assert "SYNTHETIC" in page, name
    for name in AVAILABLE:
        page = reports[name]
        assert "Chilanzar" in page and "Tashkent" in page
        assert f"sga-methods {__version__}" in page
        assert re.search(r"SHA-256 <code>[0-9a-f]{64}</code>", page)
        assert 'class="sga-toc"' in page and 'href="#' in page


def test_no_respondent_ids_in_any_report(reports):
    survey = pd.read_csv(ROOT / "data" / "synthetic" / DEMO_ID / "survey.csv.gz")
    ids = set(survey["resp_id"].astype(str)) | set(survey["hh_id"].astype(str))
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for name, page in reports.items():
        assert not pattern.search(page), name


def test_district_index_links_modules_with_status(reports):
    page = reports["district index"]
    for name in AVAILABLE:
        assert f'href="{name}.html"' in page
    assert "RESTRICTED" in page
    assert "planned" in page or len(AVAILABLE) == len(registry.MODULES)
    assert f'href="{DEMO_ID}/index.html"' in reports["overall index"]


# --- fault isolation and bad input: small stand-in workbooks keep these fast -------------


def _workbook(path: Path, source: str) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "sga-methods", "display_name": "x", "language": "python"}
    params = new_code_cell(
        'district_file: str = ""\nresults_dir: str = ""\ninteractive: bool = False'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(source)]
    nbformat.write(nb, path)


def run_args(workbooks: Path, out: Path, parameters: Path = DEMO_PARAMS.parent) -> list[str]:
    """`sga run` arguments for the given folders."""
    return [
        "run",
        *("--parameters-dir", str(parameters), "--workbooks-dir", str(workbooks)),
        *("--output-dir", str(out)),
    ]


@pytest.fixture
def tiny_workbooks(tmp_path) -> Path:
    folder = tmp_path / "workbooks"
    folder.mkdir()
    _workbook(folder / "00_district_profile.ipynb", "print('profile ok')")
    _workbook(folder / "01_crime_victimization.ipynb", "print('victimization ok')")
    return folder


def test_failing_module_is_isolated_and_keeps_the_last_good_report(tiny_workbooks, tmp_path):
    out = tmp_path / "out"
    args = run_args(tiny_workbooks, out)
    assert main(args) == 0
    good = (out / DEMO_ID / "01_crime_victimization.html").read_text()

    _workbook(tiny_workbooks / "01_crime_victimization.ipynb", "x = 1\nraise ValueError('boom 42')")
    assert main(args) == 1
    district = out / DEMO_ID
    manifest = json.loads((district / "manifest.json").read_text())
    failed = manifest["modules"]["01_crime_victimization"]
    assert failed["status"] == "failed"
    assert "ValueError: boom 42" in failed["error"] and failed["cell"] is not None
    assert failed["stale"] is True
    assert manifest["modules"]["00_district_profile"]["status"] == "ok"
    assert (district / "01_crime_victimization.html").read_text() == good
    assert "boom 42" in (district / "logs" / "01_crime_victimization.log").read_text()
    assert (district / "logs" / "01_crime_victimization.failed.ipynb").exists()
    index = (district / "index.html").read_text()
    assert "FAILED" in index and "boom 42" in index
    assert not [p for p in district.iterdir() if p.name.startswith(".tmp")]


def test_modules_option_runs_only_those(tiny_workbooks, tmp_path, capsys):
    out = tmp_path / "out"
    args = run_args(tiny_workbooks, out)
    assert main([*args, "--modules", "01"]) == 0
    assert (out / DEMO_ID / "01_crime_victimization.html").exists()
    assert not (out / DEMO_ID / "00_district_profile.html").exists()
    assert "01_crime_victimization" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--modules", "42"], "unknown module '42'"),
        (["--modules", "05"], "has no workbook yet"),
        (["no-such-district"], "no parameter file"),
    ],
)
def test_invalid_input_exits_2_and_touches_nothing(
    tiny_workbooks, tmp_path, capsys, extra, message
):
    out = tmp_path / "out"
    args = [*run_args(tiny_workbooks, out), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_invalid_parameters_exit_2_before_running(write_params, tiny_workbooks, tmp_path, capsys):
    path = write_params(lambda r: r["options"].update(ci_level=2))
    out = tmp_path / "out"
    args = [*run_args(tiny_workbooks, out), str(path)]
    assert main(args) == 2
    assert "options.ci_level" in capsys.readouterr().err
    assert not out.exists()


def test_list_shows_districts_and_all_modules(capsys):
    assert (
        main(
            ["list", "--parameters-dir", str(DEMO_PARAMS.parent), "--workbooks-dir", str(WORKBOOKS)]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert DEMO_ID in text and "[synthetic]" in text
    for m in registry.MODULES:
        assert m.name in text


def test_all_runs_every_district_in_the_parameters_folder(tiny_workbooks, tmp_path, capsys):
    folder = tmp_path / "parameters"
    folder.mkdir()
    for district_id in (DEMO_ID, "nukus-demo"):
        text = DEMO_PARAMS.read_text().replace(f"id: {DEMO_ID}", f"id: {district_id}")
        text = text.replace("../data/", f"{DEMO_PARAMS.parent.parent}/data/")
        (folder / f"{district_id}.yaml").write_text(text)
    out = tmp_path / "out"
    args = [*run_args(tiny_workbooks, out, parameters=folder), "--all"]
    assert main(args) == 0
    for district_id in (DEMO_ID, "nukus-demo"):
        assert (out / district_id / "00_district_profile.html").exists()
        assert f'href="{district_id}/index.html"' in (out / "index.html").read_text()
    assert main([*args, DEMO_ID]) == 2
    assert "not both" in capsys.readouterr().err


def test_interruption_leaves_no_half_written_report(tiny_workbooks, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(run_args(tiny_workbooks, out)) == 0
    good = (out / DEMO_ID / "00_district_profile.html").read_text()

    def interrupted(*args, **kwargs):
        Path(args[1]).write_text("partial")  # papermill had started writing its output
        raise KeyboardInterrupt

    monkeypatch.setattr("sga_methods.pipeline.runner.papermill.execute_notebook", interrupted)
    # Unchanged modules are not executed again (cached): change the workbook to re-run it.
    _workbook(tiny_workbooks / "00_district_profile.ipynb", "print('profile changed')")
    assert main(run_args(tiny_workbooks, out)) == 130
    district = out / DEMO_ID
    assert (district / "00_district_profile.html").read_text() == good
    assert not [p for p in district.iterdir() if p.name.startswith(".tmp")]
    assert "interrupted" in (district / "logs" / "00_district_profile.log").read_text()
